"""The command line: `loss-advisor [COMMAND] ...`.

Exit status: 0 when the command completed (whatever it found), 1 when
`kb check` finds problems, 2 for bad usage or a target, log or script that
cannot be loaded (one line on stderr), 130 when interrupted. Results go to
stdout; progress goes to stderr. Headless commands never import textual.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from typing import Callable, Sequence, TextIO

from loss_advisor import __version__

# torch without NumPy warns at import; the probes never need NumPy, so the
# warning would only bury the tool's own output
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
from loss_advisor.core.i18n import LANGS, default_lang, pick, t

from loss_advisor.core.errors import UsageError
from loss_advisor.surfaces.output import (EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, FORMATS,
                                          emit, progress_for)

DEMO_TARGET = "loss_advisor.examples.demo:target"


# --- commands ----------------------------------------------------------------------

def cmd_kb(args: argparse.Namespace) -> int:
    from loss_advisor.core.kb import KBError, load_kb

    declared = None
    if args.kb_command == "check":
        from loss_advisor.pipeline.producers import all_declared
        declared = set(all_declared())
    try:
        kb = load_kb(args.kb, declared_observations=declared)
        if args.kb_command == "check":
            from loss_advisor.core.verdict import load_rules
            load_rules(kb)            # knowledge/verdict.yaml, against the tree
    except KBError as exc:
        print(t("cli.kb_bad", args.lang, count=len(exc.problems)), file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.kb_command == "check":
        print(t("cli.kb_ok", args.lang, causes=len(kb.causes), questions=len(kb.questions),
                checklist=len(kb.checklist), observations=len(kb.referenced_observations())))
        return EXIT_OK
    sys.stdout.write(show_tree(kb, args.lang))
    return EXIT_OK


def show_tree(kb, lang: str) -> str:
    """The tree, breadth-first from the root, each question with its answers."""
    from loss_advisor.core.kb import condition_observations

    lines: list[str] = []
    order, queue = [], [kb.root]
    while queue:
        qid = queue.pop(0)
        if qid in order:
            continue
        order.append(qid)
        queue += [a.next for a in kb.questions[qid].answers if a.next]
    for qid in order:
        q = kb.questions[qid]
        lines.append(f"[{q.id}] {pick(q.text, lang)}")
        observed = sorted({o for r in q.auto for o in condition_observations(r.when)})
        if observed:
            lines.append(f"    ({t('show.measured_by', lang)}: {', '.join(observed)})")
        for i, a in enumerate(q.answers, 1):
            target = a.next or t("show.end", lang)
            effects = ", ".join(f"{c} {w:+g}" for c, w in a.effects.items())
            lines.append(f"    {i}. {pick(a.label, lang)} -> {target}" + (f"   [{effects}]" if effects else ""))
        lines.append("")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    from loss_advisor.core.engine import Session
    from loss_advisor.core.kb import load_kb
    from loss_advisor.core.result import Result, reproduce_info

    stdin = stdin or sys.stdin
    result_out = out or sys.stdout
    # With --format json|markdown the result alone goes to stdout, so that it
    # can be redirected to a file; the dialogue goes to stderr.
    out = result_out if args.format == "text" else sys.stderr
    kb = load_kb()
    session = Session(kb, args.lang)
    lang = args.lang
    while True:
        q = session.current()
        if q is None:
            out.write("\n" + t("ask.no_more", lang) + "\n")
            break
        out.write(f"\n{pick(q.text, lang)}\n")
        out.write(f"  ({t('ask.why', lang)}: {pick(q.why, lang)})\n")
        for i, a in enumerate(q.answers, 1):
            out.write(f"  {i}) {pick(a.label, lang)}\n")
        out.write(f"  b) {t('ask.back', lang)}   q) {t('ask.quit', lang)}\n{t('ask.choose', lang)}> ")
        out.flush()
        line = stdin.readline()
        if not line:
            break
        choice = line.strip().lower()
        if choice == "q":
            break
        if choice == "b":
            session.back()
            continue
        if choice.isdigit() and 1 <= int(choice) <= len(q.answers):
            session.answer(q.id, q.answers[int(choice) - 1].id)
            continue
        out.write(t("ask.invalid", lang) + "\n")
    result = Result(session=session, mode="ask", reproduce=reproduce_info(args.argv))
    if args.format == "text":
        out.write(f"\n== {t('ask.result', lang)} ==\n")
    emit(result, args.format, result_out)
    return EXIT_OK


def cmd_probe(args: argparse.Namespace) -> int:
    if args.template:
        from loss_advisor.surfaces.report import load_template
        load_template(args.template, args.lang)      # a broken template fails before minutes of probing
    with warnings.catch_warnings():
        if args.quiet:       # --quiet: nothing on stderr but errors, torch's (and the model's) warnings included
            warnings.simplefilter("ignore")
        result = _probe(args)
    emit(result, args.format, sys.stdout, template=args.template, assets=args.assets)
    return EXIT_OK


def _probe(args: argparse.Namespace):
    from loss_advisor.pipeline.api import diagnose_target
    from loss_advisor.probing.target import TargetError, load_target

    try:
        probes = [p.strip() for p in args.probes.split(",") if p.strip()] if args.probes else None
        if args.budget == "full" and not args.quiet:
            from loss_advisor.pipeline.runner import select
            cap = sum(p.budgets["full"].seconds for p in select(probes))
            print(t("cli.full_budget", args.lang, seconds=f"{cap:.0f}"), file=sys.stderr)
        requested = [c for c in args.verify.split(",")] if args.verify else []
        if requested and args.no_verify:
            raise UsageError("--verify and --no-verify contradict each other")
        if requested and probes:
            raise UsageError("--verify tests causes after the whole probe suite; it cannot be used with --probes")
        if requested:
            from loss_advisor.core.kb import load_kb
            from loss_advisor.pipeline.api import check_requested
            check_requested(load_kb(), requested)          # a typo fails before minutes of probing
        target = load_target(args.target)
        progress = None if args.quiet else progress_for(sys.stderr, args.lang)
        try:
            result = diagnose_target(target, probes=probes, device=args.device, budget=args.budget,
                                     lang=args.lang, seed=args.seed, argv=args.argv, progress=progress,
                                     verify=not args.no_verify, requested=requested)
        finally:
            close = getattr(progress, "close", None)
            if close is not None:
                close()          # the live bars end before the result is printed
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:   # unknown probe or budget
        raise UsageError(str(exc)) from None
    return result


# --- the parser ----------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default=None, help="language of the output (default: from the locale)")

    parser = argparse.ArgumentParser(
        prog="loss-advisor", parents=[common],
        description="Why won't my loss go down? Guided diagnosis, automatic probes and reports for PyTorch training.")
    parser.add_argument("--version", action="version", version=f"loss-advisor {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the guided session on the built-in example")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    kb = sub.add_parser("kb", parents=[common], help="check or show the knowledge base")
    kb.add_argument("kb_command", choices=("check", "show"))
    kb.add_argument("--kb", default=None, help="a knowledge folder to use instead of the built-in one")

    ask = sub.add_parser("ask", parents=[common], help="answer the guided questions at a plain prompt")
    ask.add_argument("--format", choices=FORMATS, default="text")

    probe = sub.add_parser("probe", parents=[common], help="run the probes on FILE.py:FUNC and print the diagnosis")
    probe.add_argument("target", help="FILE.py:FUNC or package.module:FUNC returning model, loss_fn, optimizer, train_data")
    probe.add_argument("--probes", default=None, help="comma-separated probe names (default: all)")
    probe.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    probe.add_argument("--budget", default="fast", metavar="fast|full|SECONDS",
                       help="how long the probes may take: fast (default), full, or seconds for the whole run, "
                            "shared among the probes (none gets more than a third)")
    probe.add_argument("--format", choices=FORMATS, default="text")
    probe.add_argument("--seed", type=int, default=0)
    probe.add_argument("--template", default=None, help="a jinja2 template for --format markdown")
    probe.add_argument("--assets", metavar="DIR", default=None,
                       help="with --format markdown, also draw the charts as PNG files in DIR (needs matplotlib)")
    probe.add_argument("--quiet", action="store_true", help="no progress on stderr")
    probe.add_argument("--no-verify", action="store_true",
                       help="do not test the leading causes by intervention (short paired runs) after the probes")
    probe.add_argument("--verify", metavar="CAUSE[,CAUSE]", default=None,
                       help="also test these causes by intervention, whatever their rank (cause IDs, or all)")

    for name in EXTENSIONS:
        module = _extension(name)
        if module is not None:
            module.add_arguments(sub.add_parser(name, parents=[common], help=module.HELP))
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "kb": cmd_kb,
    "ask": cmd_ask,
    "probe": cmd_probe,
}

# Commands that live in their own modules. Each module defines HELP (one
# line), add_arguments(parser) and run(args) -> int, and imports nothing
# heavy (torch, textual) at module level, so that `--help` stays fast.
EXTENSIONS = {
    "report": "loss_advisor.surfaces.report_cli",
    "logs": "loss_advisor.surfaces.logs_cli",
    "watch": "loss_advisor.surfaces.watch_cli",
    "tui": "loss_advisor.surfaces.tui.cli",
}


def _extension(name: str):
    import importlib
    try:
        return importlib.import_module(EXTENSIONS[name])
    except ModuleNotFoundError as exc:
        if exc.name and EXTENSIONS[name].startswith(exc.name):
            return None          # not built yet
        raise


def main(argv: Sequence[str] | None = None) -> int:
    code = _main(argv)
    if argv is None:
        # The process ends next. Collecting torch's many objects at exit
        # takes seconds on a busy machine (2 s measured here, 0.5 s frozen),
        # which a user who pressed q or Ctrl-C waits through; atexit
        # handlers still run.
        import gc
        gc.freeze()
    return code


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="loss-advisor: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = args.lang or default_lang()
    args.argv = argv
    try:
        if args.command is None:
            return run_default(args)
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        return _extension(args.command).run(args)
    except UsageError as exc:
        print(f"loss-advisor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\nloss-advisor: {t('cli.interrupted', args.lang)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): say nothing more, and keep Python
        # from complaining when it flushes stdout at exit.
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a KB or internal failure: one line, never a traceback wall
        from loss_advisor.core.kb import KBError
        if isinstance(exc, KBError):
            print(f"loss-advisor: {exc}", file=sys.stderr)
            return EXIT_USAGE
        raise


def run_default(args: argparse.Namespace) -> int:
    """No command: the guided session (the TUI)."""
    try:
        from loss_advisor.surfaces.tui.launch import launch
    except ImportError as exc:
        raise UsageError(f"the guided session needs textual ({exc}); use `loss-advisor ask`") from None
    return launch(lang=args.lang, target=DEMO_TARGET if args.demo else None, demo=args.demo)

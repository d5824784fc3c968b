"""`loss-advisor watch [OPTIONS] SCRIPT.py [ARGS...]` (CONTRACT.md section 3).

The tool's options come before SCRIPT.py; everything after it is the
script's own `sys.argv[1:]`, untouched. Imports nothing heavy at module
level (the CLI's extension contract).
"""
from __future__ import annotations

import argparse
import sys

HELP = "run your unchanged training script under instrumentation and diagnose what it does"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from loss_advisor.surfaces.output import FORMATS

    from loss_advisor.watch import DEFAULT_EVERY, DEFAULT_STEPS, DEFAULT_TIMEOUT

    parser.usage = "loss-advisor watch [OPTIONS] SCRIPT.py [ARGS...]"
    parser.description = ("Run SCRIPT.py as `python SCRIPT.py ARGS` would, for up to --steps optimizer steps, "
                          "and diagnose what the training loop did. Options go before SCRIPT.py; "
                          "everything after it is passed to the script untouched.")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help=f"stop the script after this many optimizer steps (default {DEFAULT_STEPS})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"wall-clock limit in seconds for the script (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--every", type=int, default=DEFAULT_EVERY, metavar="K",
                        help=f"per-layer gradient and update statistics every K-th step (default {DEFAULT_EVERY})")
    parser.add_argument("--then-probe", action="store_true",
                        help="then run the probes (LR range test, overfit one batch, gradient check) "
                             "on the model, optimizer, loss and data the script built")
    parser.add_argument("--probes", default=None,
                        help="with --then-probe: comma-separated probe names (default: init_loss, gradients, "
                             "lr_sweep, overfit_batch)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--template", default=None, help="a jinja2 template for --format markdown")
    parser.add_argument("--quiet", action="store_true", help="hide the script's own output and the progress line")
    parser.add_argument("script", metavar="SCRIPT.py", help="your training script")
    parser.add_argument("script_args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="arguments for the script, passed untouched")


def run(args: argparse.Namespace) -> int:
    from loss_advisor.core.errors import UsageError
    from loss_advisor.surfaces.output import EXIT_OK, emit
    from loss_advisor.core.i18n import t
    from loss_advisor.watch.ranks import job_from_env

    if args.every < 1:
        raise UsageError(t("watch.error.bad_every", args.lang, every=args.every))
    probes = [p.strip() for p in args.probes.split(",") if p.strip()] if args.probes else None
    if probes:
        from loss_advisor.probes import BY_NAME
        unknown = [p for p in probes if p not in BY_NAME]
        if unknown:
            raise UsageError(f"unknown probe(s): {', '.join(unknown)} (available: {', '.join(BY_NAME)})")
    job = job_from_env()
    if job is not None:
        return run_ranked(args, job, probes)
    records = watched(args, probes, progress=not args.quiet)
    result = build_result(records, args.lang, args.script, args.argv)
    emit(result, args.format, sys.stdout, template=args.template)
    return EXIT_OK


def watched(args: argparse.Namespace, probes: list[str] | None, progress: bool) -> list:
    """Watch the script; progress and the script's output on stderr when `progress`."""
    from loss_advisor.core.errors import UsageError
    from loss_advisor.core.i18n import t
    from loss_advisor.watch import WatchError, watch_record

    if progress:
        print(t("watch.progress", args.lang, script=args.script, steps=args.steps, seconds=f"{args.timeout:g}"),
              file=sys.stderr, flush=True)
    try:
        records = watch_record(args.script, args.script_args, steps=args.steps, timeout=args.timeout,
                               then_probe=args.then_probe, lang=args.lang, every=args.every, probes=probes,
                               echo=sys.stderr if progress else None)
    except WatchError as exc:
        raise UsageError(str(exc)) from None
    if progress:   # how the watch went, on the progress stream (the output has it too)
        watch = records[0]
        print(t("watch.progress_done", args.lang, steps=watch.steps, seconds=f"{watch.seconds:.1f}"),
              file=sys.stderr)
        for note in watch.notes:
            print(f"  - {note}", file=sys.stderr)
        sys.stderr.flush()
    return records


def run_ranked(args: argparse.Namespace, job, probes: list[str] | None) -> int:
    """One rank of `torchrun -m loss_advisor watch`: every rank watches, rank 0
    compares the ranks and alone prints; every rank returns rank 0's status."""
    from loss_advisor.core.errors import UsageError
    from loss_advisor.surfaces.output import EXIT_OK, EXIT_USAGE, emit
    from loss_advisor.watch import ranks

    records, error, code = None, None, EXIT_OK
    try:
        records = watched(args, probes, progress=not args.quiet and job.rank == 0)
    except UsageError as exc:
        error, code = exc, EXIT_USAGE
    ranks.share(job, ranks.summary_of(records[0].details.get("distributed") if records else None, code))
    if job.rank != 0:
        return ranks.await_status(job, code)
    gathered = ranks.gather(job)
    ranks.announce(job, code)
    if error is not None:
        raise error
    records[0].observations.update(ranks.compare(gathered, job.world_size))
    result = build_result(records, args.lang, args.script, args.argv)
    emit(result, args.format, sys.stdout, template=args.template)
    return EXIT_OK


def build_result(records: list, lang: str, script: str, argv: list[str] | None = None):
    """The Result of a watch: the probes' observations first, then the watched
    run's, so that what the real run showed wins where both measured."""
    import dataclasses

    from loss_advisor.core.engine import Session
    from loss_advisor.core.kb import load_kb
    from loss_advisor.core.result import Result, reproduce_info

    session = Session(load_kb(), lang)
    for record in records[1:] + records[:1]:
        if record.observations:
            session.observe(record.observations, source=record.name)
    setup = dict(records[0].details.get("setup") or {}) if records else {}
    # The set-up is shown once, as the result's own, not again among the watch's findings.
    shown = [dataclasses.replace(r, details={k: v for k, v in r.details.items() if k != "setup"}) for r in records]
    return Result(session=session, probes=shown, setup=setup,
                  reproduce=reproduce_info(argv), target=script, mode="watch")

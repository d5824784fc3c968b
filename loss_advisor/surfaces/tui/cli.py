"""`loss-advisor tui`: the guided session with your set-up attached.

Imports nothing heavy at module level (the EXTENSIONS contract in
loss_advisor/cli.py): textual and torch load only when the app starts.
"""
from __future__ import annotations

import argparse

HELP = "open the guided session (TUI), optionally with your set-up attached so probes can answer"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", metavar="FILE.py:FUNC", default=None,
                        help="your set-up (docs/contract.md section 2): every question a probe can answer offers to measure it")
    parser.add_argument("--script", metavar="SCRIPT.py", default=None,
                        help="run your unchanged training script under watch and answer from what it did")
    parser.add_argument("--log", metavar="PATH", default=None,
                        help="a training log (CSV, JSON lines, TensorBoard) to answer the curve questions from")
    parser.add_argument("--resume", metavar="FILE", default=None,
                        help="continue a session saved from the app (its JSON)")
    parser.add_argument("--probes", default=None,
                        help="comma-separated probes the session may run (default: all)")


def run(args: argparse.Namespace) -> int:
    from loss_advisor.core.errors import UsageError

    try:
        from loss_advisor.surfaces.tui.launch import launch
    except ImportError as exc:
        raise UsageError(f"the guided session needs textual ({exc}); use `loss-advisor ask`") from None

    probes = [p.strip() for p in args.probes.split(",") if p.strip()] if args.probes else None
    return launch(args.lang, target=args.target, script=args.script, log=args.log, resume=args.resume,
                  probes=probes)

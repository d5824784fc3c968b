"""Start the guided session from the command line."""
from __future__ import annotations

from typing import Iterable

import textual  # noqa: F401  (missing textual fails here, where the CLI turns it into a usage error)


def launch(lang: str, target: str | None = None, script: str | None = None, log: str | None = None,
           resume: str | None = None, script_args: Iterable[str] = (), probes: Iterable[str] | None = None,
           demo: bool = False) -> int:
    """Build the app (a bad target, log, script or saved file is a UsageError
    before the app starts) and run it; 0 when the user quits. `demo`: measure
    the first question at once."""
    from loss_advisor.core.errors import UsageError
    from loss_advisor.surfaces.tui.app import create_app
    from loss_advisor.surfaces.tui.controller import SetupError

    try:
        app = create_app(lang, target=target, script=script, log=log, resume=resume,
                         script_args=script_args, probes=probes, measure_first=demo)
    except SetupError as exc:
        raise UsageError(str(exc)) from None
    app.catch_sigint = True
    try:
        app.run()
    except KeyboardInterrupt:
        app._cancel = True            # the measuring worker stops waiting on the user's code
        raise
    return app.return_code or 0

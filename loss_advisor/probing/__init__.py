"""The machinery that runs the user's code: loading a target, the harness that
trains copies of it, the probe runner, and the snapshot that restores the user's
state. Imports the core; never the surfaces."""

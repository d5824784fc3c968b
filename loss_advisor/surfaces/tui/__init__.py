"""The guided session (`loss-advisor`, `loss-advisor tui`): a Textual app over
the engine and the probes. `controller` holds the state and imports no
Textual; `app` builds the app (`create_app`); `launch` starts it for the CLI;
`screens/`, `widgets/` and `app.tcss` draw it."""

"""From evidence to a result: the probe runner, the observation registry, and
the entry points that join probe records to the engine's session
(`diagnose_target`, `summary`). Above the evidence sources, below the surfaces."""

"""Example set-ups, each a `target()` per CONTRACT.md section 2.

Installed as ``loss_advisor.examples``; `demo` is the built-in default
(it needs nothing beyond torch). The others use scikit-learn's bundled
data sets, which load offline (`pip install loss-advisor[examples]`).
"""

"""Realistic training scripts for `loss-advisor watch SCRIPT.py`.

Each is a plain `train.py` as people write them (argparse options, a
DataLoader, an epoch loop, a validation pass), trained on scikit-learn's
bundled handwritten digits, so every one runs offline in a few seconds
with `python SCRIPT.py`. One is healthy; each other one holds one loop
mistake, named in its docstring. `benchmark.py` is the overhead benchmark's
workload (a step of 10 ms or more). They import their data helper
(`digits_data.py`) the way a project imports its own modules: from the
script's folder, which `python SCRIPT.py` puts on the import path.
"""

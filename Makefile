# Set-up and commands. Every target sets up what it needs, so each works on a
# fresh clone: `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# A CPU build of torch is pinned first: a bare `torch` requirement in a fresh
# venv would pull a multi-GB CUDA build.
TORCH  ?= torch==2.13.0

.PHONY: setup demo tui test test-fast bench report-example clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/loss-advisor probe examples/demo.py:target

tui: setup
	$(BIN)/loss-advisor --demo

# One OpenMP thread per test worker: two workers with two threads each on
# two cores slow small-model steps down by orders of magnitude.
test: setup
	OMP_NUM_THREADS=1 LOSS_ADVISOR_REQUIRE_EXTRAS=1 $(BIN)/python -m pytest -n 2 --dist loadfile

# The quick loop while editing: everything but the tests marked slow
# (watched scripts, whole probe suites, the TUI).
test-fast: setup
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -m "not slow"

bench: setup
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/probe_suite.py
	$(BIN)/python benchmarks/lr_finder_compare.py
	$(BIN)/python benchmarks/logs_speed.py
	$(BIN)/python benchmarks/watch_overhead.py

# The example reports under docs/, from the built-in demo (docs/reports.md).
report-example: setup
	OMP_NUM_THREADS=1 $(BIN)/loss-advisor probe examples/demo.py:target --quiet --format markdown --lang en > docs/example-report.en.md
	OMP_NUM_THREADS=1 $(BIN)/loss-advisor probe examples/demo.py:target --quiet --format markdown --lang ja > docs/example-report.ja.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

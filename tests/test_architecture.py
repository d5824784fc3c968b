"""The package's shape, checked: no import cycles, and each layer imports only
the layers below it (docs/architecture.md).

The graph is read from the source with `ast`, so that imports inside functions
count as well: a lazy import still ties two modules together.
"""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "loss_advisor"
# The installed package maps these top-level folders into loss_advisor.
MAPPED = {"probes": "loss_advisor.probes", "knowledge": "loss_advisor.knowledge"}

# Which layer may import which: a module may import its own layer and those listed.
LAYERS = {
    "core": set(),
    "probing": {"core"},
    "evidence": {"core", "probing"},             # probes, watch, logs
    "pipeline": {"core", "probing", "evidence"},
    "surfaces": {"core", "probing", "evidence", "pipeline"},
    # The trainers' callbacks: a surface that lives inside the user's trainer.
    "integrations": {"core", "probing", "evidence", "pipeline", "surfaces"},
}
# The one import that goes up a layer, and why.
EXCEPTIONS = {
    ("loss_advisor.watch.child", "loss_advisor.pipeline.runner"):
        "the watched process runs the probes on the set-up it captured (watch --then-probe)",
}


def module_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for folder, name in MAPPED.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = [name] + list(path.relative_to(ROOT / folder).with_suffix("").parts)
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            # the longest known module the name refers to
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None                                      # loss_advisor itself: the public entry
    second = parts[1]
    if second in ("core", "probing", "pipeline", "surfaces", "integrations"):
        return second
    if second in ("probes", "watch", "logs"):
        return "evidence"
    return None                                          # data packages: knowledge, examples


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            # a package's __init__ importing its own submodules is not a cycle of modules
            if m.startswith(n + "."):
                continue
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_graph_sees_the_package():
    g = graph()
    assert "loss_advisor.core.engine" in g and "loss_advisor.probes.lr_sweep" in g
    assert "loss_advisor.core.kb" in g["loss_advisor.core.engine"]
    assert "loss_advisor.probes.base" in g["loss_advisor.probes.lr_sweep"]
    assert "loss_advisor.probing.harness" in g["loss_advisor.probes.base"]


def test_no_import_cycles():
    assert find_cycle(graph()) is None, " -> ".join(find_cycle(graph()) or [])


def test_a_cycle_is_found_when_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, imported in graph().items():
        mine = layer(module)
        if mine is None:
            continue
        for other in imported:
            theirs = layer(other)
            if theirs is not None and theirs != mine and theirs not in LAYERS[mine] \
                    and (module, other) not in EXCEPTIONS:
                wrong.append(f"{module} ({mine}) imports {other} ({theirs})")
    assert wrong == []

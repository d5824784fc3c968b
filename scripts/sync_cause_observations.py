"""Rewrite each cause's `observations:` list in knowledge/causes/*.yaml from the tree.

The list is derived data (kb.linked_observations): the observations whose
rules decide answers that move the cause materially. Run after editing the
tree:  .venv/bin/python scripts/sync_cause_observations.py
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loss_advisor.core.kb import linked_observations, load_kb  # noqa: E402

COMMENT = "    # Probe observations that confirm or rule this cause out (read by the tree's questions)."


def main() -> int:
    linked = linked_observations(load_kb(ROOT / "knowledge"))
    for path in sorted((ROOT / "knowledge" / "causes").glob("*.yaml")):
        out, current = [], None
        for line in path.read_text(encoding="utf-8").split("\n"):
            m = re.match(r"^  - id: (\w+)\s*$", line)
            if m:
                current = m.group(1)
            if line.startswith("    observations:") or line == COMMENT:
                continue
            out.append(line)
            if current and line.startswith("    section: ") and linked.get(current):
                out += [COMMENT, "    observations: [" + ", ".join(sorted(linked[current])) + "]"]
        path.write_text("\n".join(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""docs/contract.md is the contract users read; ../shared/CONTRACT.md stays its
source. When the source is beside the repository (developers, CI), the two
must match word for word."""
from __future__ import annotations

import pytest

from conftest import ROOT

SOURCE = ROOT.parent / "shared" / "CONTRACT.md"
COPY = ROOT / "docs" / "contract.md"


def test_the_contract_ships_in_the_repository():
    text = COPY.read_text(encoding="utf-8")
    assert text.startswith("# loss-advisor: the public contract")
    for section in ("## 1. Cause IDs", "## 2. The target", "## 3. The unchanged script", "## 4. Machine-readable output"):
        assert section in text


@pytest.mark.skipif(not SOURCE.exists(), reason="../shared/CONTRACT.md is not beside this checkout")
def test_the_copy_is_in_step_with_its_source():
    assert COPY.read_text(encoding="utf-8") == SOURCE.read_text(encoding="utf-8"), \
        "docs/contract.md differs from ../shared/CONTRACT.md: run `cp ../shared/CONTRACT.md docs/contract.md`"

"""The GPU check runs anywhere: without CUDA it says so and exits 0."""
from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from conftest import ROOT


@pytest.mark.skipif(torch.cuda.is_available(), reason="with CUDA the check measures for minutes")
def test_gpu_check_without_a_gpu_says_so_and_exits_0():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no CUDA device found" in proc.stdout

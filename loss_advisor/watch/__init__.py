"""Watch an unchanged training script: `loss-advisor watch [OPTIONS] SCRIPT.py [ARGS...]`.

The script runs in a child process (`loss_advisor.watch.child`) exactly as
`python SCRIPT.py ARGS` would; the instrumentation (`recorder.py`: global
PyTorch hooks and light wrappers) is installed the moment the script
imports torch. The child stops the script after N optimizer steps and
writes what it saw to a JSON record, incrementally, so that a script
killed at the wall-clock limit still leaves its steps behind. The parent
(`launch.py`) enforces the limit, reads the record and turns it into the
observations the knowledge base reads (`derive.py`): `curve.*` from the
losses, `train_step.*` from the loop's order, `data.*` and `gradients.*`
from the run itself, and the `watch.*` declared here.

Torch-free at import: `loss-advisor --help` and `kb check` import it.
"""
from __future__ import annotations

from typing import Any, Sequence

from loss_advisor.core.observations import declare
from loss_advisor.watch.ranks import OBSERVATIONS as RANK_OBSERVATIONS

DEFAULT_STEPS = 100
DEFAULT_TIMEOUT = 120.0
# The heavier statistics (per-layer gradient norms, update sizes) every
# K-th step: a tenth of the steps keeps their cost near 0.1% of a 10 ms step.
DEFAULT_EVERY = 10
# What --then-probe runs on the captured objects: the experiments only a
# probe can do (the watch itself measured the data, the loop and the curve).
WATCH_PROBES = ("init_loss", "gradients", "lr_sweep", "overfit_batch")

OBSERVATIONS = declare(
    "watch",
    ("steps", "count", "optimizer steps the watched script took", "監視したスクリプトが実行したoptimizerのステップ数"),
    ("backward_calls", "count", "backward() calls the watched script made", "監視したスクリプトが呼んだbackward()の回数"),
    ("stopped", "label", "why the watch ended: steps (the limit was reached), ended, exited, error or timeout",
     "監視が終わった理由: steps(上限に到達)、ended、exited、error、timeout"),
    ("seconds", "seconds", "wall-clock seconds the script ran under the watch", "監視下でスクリプトが動いた実時間(秒)"),
    ("step_seconds", "seconds", "median wall-clock seconds per optimizer step", "optimizerの1ステップあたりの実時間の中央値(秒)"),
    ("optimizers", "count", "torch.optim optimizers the script created", "スクリプトが作成したtorch.optimのオプティマイザの数"),
    ("loss_module", "label", "class of the loss module the training loss came from (absent for a functional loss)",
     "学習lossを計算した損失モジュールのクラス(関数形式の損失なら無し)"),
    ("model_device", "label", "device of the watched model's parameters", "監視したモデルのパラメータがあるデバイス"),
    ("eval_mode_from_step", "step", "first step from which every training forward pass ran in eval mode (absent when none did)",
     "それ以降すべての学習forwardがevalモードになった最初のステップ(なければ無し)"),
    ("eval_mode_steps", "count", "training steps at the end of the watch that all ran in eval mode (0 when the last ran in train mode)",
     "監視の最後に連続してevalモードで実行された学習ステップの数(最後がtrainモードなら0)"),
    ("sampler_epoch_unchanged", "bool",
     "the training loader's DistributedSampler had the same epoch at the start of every epoch (set_epoch never called)",
     "学習用DataLoaderのDistributedSamplerのepochが毎エポック同じだった(set_epochが呼ばれていない)"),
    ("spawned_workers", "bool",
     "the script started its own worker processes (torch.multiprocessing.spawn), which the watch does not follow",
     "スクリプトが自前でワーカープロセスを起動した(torch.multiprocessing.spawn)。watchはその中までは追えない"),
) + RANK_OBSERVATIONS


class WatchError(Exception):
    """The script cannot be watched (missing, unparsable, never trains):
    a one-line reason, for exit status 2."""


def watch_record(script: str, args: Sequence[str] = (), steps: int = DEFAULT_STEPS, timeout: float = DEFAULT_TIMEOUT,
                 then_probe: bool = False, lang: str = "en", *, every: int = DEFAULT_EVERY,
                 probes: Sequence[str] | None = None, echo: Any = None) -> list:
    """Run SCRIPT with ARGS under the watch and return its records
    (`list[loss_advisor.pipeline.runner.ProbeRecord]`): one named "watch", then the
    probe records when `then_probe`.

    `echo` is a writable text stream for the script's own output (None: kept
    quiet; its last lines are in the record's details either way). Raises
    WatchError for a script that cannot be watched.
    """
    from loss_advisor.watch.launch import watch_record as run

    return run(script, args, steps=steps, timeout=timeout, then_probe=then_probe, lang=lang, every=every,
               probes=probes, echo=echo)


__all__ = ["OBSERVATIONS", "WatchError", "watch_record", "DEFAULT_STEPS", "DEFAULT_TIMEOUT", "DEFAULT_EVERY"]

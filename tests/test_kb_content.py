"""Content checks for the cause files in knowledge/causes/.

These tests read the YAML directly (no decision tree, no engine): every file
must validate against ``$defs/causes_file`` in knowledge/schema.yaml, every
public cause ID (CONTRACT.md section 1) and the added ones must be defined
exactly once, and the article's own terms must survive, section by section,
in both languages.

Fix a failure by editing the named file in knowledge/causes/, then rerun:

    .venv/bin/python -m pytest tests/test_kb_content.py -q
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
CAUSE_DIR = KNOWLEDGE / "causes"
RERUN = "rerun: .venv/bin/python -m pytest tests/test_kb_content.py -q"

# CONTRACT.md section 1: public IDs, never renamed or removed.
CONTRACT_CAUSES = {
    "learning_rate": ["lr_too_high", "lr_too_low"],
    "data": ["inputs_not_normalized", "label_noise", "class_imbalance", "nonfinite_data"],
    "model_capacity": ["underfitting", "overfitting"],
    "loss_function": ["loss_task_mismatch", "output_activation_mismatch", "constant_loss"],
    "optimization": ["vanishing_gradients", "exploding_gradients", "dead_relu"],
    "batch_shuffle": ["batch_too_small", "data_not_shuffled"],
    "implementation": [
        "eval_mode_during_training", "missing_zero_grad", "step_before_backward",
        "device_mismatch", "loss_not_averaged", "params_not_updated",
    ],
    "initialization": ["bad_initialization", "seed_sensitivity"],
    "monitoring": ["actually_decreasing"],
    "todays_training": [
        "lr_schedule_misconfigured", "mixed_precision_misconfigured", "accumulation_not_scaled",
        "padding_in_loss", "attention_mask_wrong", "gradient_clipping_too_strong", "over_regularized",
    ],
    "parallel": ["sampler_epoch_not_set", "ranks_out_of_sync"],
}
# Causes added beyond the contract, by the section (and file) they belong to.
NEW_CAUSES = {
    "data": ["invalid_targets"],
    "loss_function": ["target_shape_mismatch"],
    "implementation": ["batch_mixing", "inputs_ignored"],
}

# The article's key terms, copied as the article writes them, per section of
# knowledge/sections.yaml. Each must appear in the Japanese texts or the code
# of the causes filed under that section (section or also_sections).
JA_TERMS = {
    "learning_rate": [
        "学習率", "発散", "乱高下", "Validation loss", "NaN", "inf",
        "1e-3", "1e-4", "1e-5", "ReduceLROnPlateau", "CosineAnnealingLR", "Adam", "Optimizer",
    ],
    "data": [
        "正規化", "[0,255]", "特徴量", "スケール差", "ラベルノイズ", "誤った教師データ",
        "クラス不均衡", "特定クラスばかり予測", "mean=0, std=1", "min-max", "標準化",
        "ラベルの正確性を検証", "class_weight", "SMOTE", "少数派クラスの精度",
    ],
    "model_capacity": [
        "過学習", "アンダーフィッティング", "train loss", "val loss", "層数", "ユニット数",
        "Dropout", "正則化", "転移学習", "画像・NLP",
    ],
    "loss_function": [
        "何を最適化するか", "分類", "回帰", "セグメンテーション", "MSELoss", "CrossEntropyLoss",
        "BCEWithLogitsLoss", "L1Loss", "DiceLoss", "IoULoss", "カスタムloss", "定数",
        "出力層", "Softmax", "内部で処理",
    ],
    "optimization": [
        "勾配消失", "勾配爆発", "RNN", "sigmoid", "tanh", "重み初期化", "深さ", "根本対策",
        "Xavier", "He Initialization", "対症療法", "勾配クリッピング", "clip_grad_norm_",
        "BatchNorm", "LayerNorm", "SGD", "AdamW",
    ],
    "batch_shuffle": [
        "バッチサイズ", "勾配", "ばらつき", "ノイズ", "シャッフル", "偏", "32〜256",
        "DataLoader", "shuffle=True", "データオーグメンテーション", "多様性",
    ],
    "implementation": [
        "model.train()", "model.eval()", "Dropout", "BatchNorm", "無効化", "zero_grad()",
        "backward()", "step()", "順序", "device", "CPU", "GPU", "平均", "同じデバイス",
    ],
    "fitting": [
        "過学習", "アンダーフィッティング", "train loss", "val loss", "train lossすら下がらない",
        "正則化", "データ拡張", "EarlyStopping", "モデル強化", "学習率", "訓練時間",
    ],
    "initialization": [
        "初期重み", "学習経路", "深層モデル", "勾配爆発", "He", "Xavier",
        "torch.manual_seed()", "シード", "複数回初期化", "安定性",
    ],
    "monitoring": [
        "下がっていないように見える", "わずかに減っ", "可視化", "TensorBoard", "loss・精度",
        "学習率スケジュール", "勾配分布", "Validation loss", "乖離",
    ],
    # Not sections of the article: its remedies (schedulers, clipping, AdamW,
    # Dropout, regularisation) misused, and what today's runs add.
    "todays_training": [
        "学習率スケジューラ", "ReduceLROnPlateau", "CosineAnnealingLR", "ウォームアップ",
        "勾配クリッピング", "clip_grad_norm_", "AdamW", "Dropout", "正則化", "weight decay",
        "混合精度", "GradScaler", "勾配累積", "パディング", "ignore_index", "アテンションマスク",
        "PyTorch Lightning", "Hugging Face",
    ],
    "parallel": [
        "DistributedSampler", "set_epoch", "シャッフル", "DistributedDataParallel", "rank",
        "all-reduce", "torchrun",
    ],
}

# The same content in English, checked case-insensitively against the English
# texts and the code.
EN_TERMS = {
    "learning_rate": [
        "learning rate", "diverge", "swings wildly", "validation loss", "NaN", "inf",
        "1e-3", "1e-4", "1e-5", "ReduceLROnPlateau", "CosineAnnealingLR", "Adam", "optimizer",
    ],
    "data": [
        "normalis", "[0, 255]", "features", "orders of magnitude", "label noise", "wrong labels",
        "class imbalance", "mean=0, std=1", "min-max", "standardis", "verify the labels",
        "class_weight", "SMOTE", "minority class",
    ],
    "model_capacity": [
        "overfit", "underfit", "training loss", "validation loss", "layers", "units",
        "Dropout", "regularisation", "transfer learning", "NLP",
    ],
    "loss_function": [
        "what is optimised", "classification", "regression", "segmentation", "MSELoss",
        "CrossEntropyLoss", "BCEWithLogitsLoss", "L1Loss", "DiceLoss", "IoULoss",
        "custom loss", "constant", "output layer", "Softmax", "handled inside",
    ],
    "optimization": [
        "vanishing", "exploding", "RNN", "sigmoid", "tanh", "initialisation", "deep",
        "root fix", "Xavier", "He Initialization", "symptomatic", "gradient clipping",
        "clip_grad_norm_", "BatchNorm", "LayerNorm", "SGD", "AdamW",
    ],
    "batch_shuffle": [
        "batch size", "gradient", "noisy", "unstable", "shuffl", "biased", "32", "256",
        "DataLoader", "shuffle=True", "data augmentation", "diversity",
    ],
    "implementation": [
        "model.train()", "model.eval()", "Dropout", "BatchNorm", "switched off", "zero_grad()",
        "backward()", "step()", "order", "device", "CPU", "GPU", "averag", "same device",
    ],
    "fitting": [
        "overfit", "underfit", "training loss", "validation loss", "not even the training loss",
        "regularisation", "data augmentation", "EarlyStopping", "strengthen the model",
        "learning rate", "train for longer",
    ],
    "initialization": [
        "initial weights", "path", "deep models", "exploding gradients", "He", "Xavier",
        "torch.manual_seed()", "seed", "several times", "stability",
    ],
    "monitoring": [
        "looks as if", "falling", "plotting and recording", "TensorBoard", "accuracy",
        "learning-rate schedule", "gradient distributions", "validation loss", "gap",
        "log scale", "moving average",
    ],
    "todays_training": [
        "learning-rate schedule", "ReduceLROnPlateau", "CosineAnnealingLR", "warmup",
        "gradient clipping", "clip_grad_norm_", "AdamW", "Dropout", "regularisation",
        "weight decay", "mixed precision", "GradScaler", "accumulation", "padding",
        "ignore_index", "attention mask", "PyTorch Lightning", "Hugging Face",
    ],
    "parallel": [
        "DistributedSampler", "set_epoch", "shuffl", "DistributedDataParallel", "rank",
        "all-reduce", "torchrun",
    ],
}

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# A text may read the same in both languages only if it is a bare API name.
API_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(\(\))?")


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


SCHEMA = _load(KNOWLEDGE / "schema.yaml")
VALIDATOR = jsonschema.Draft202012Validator(
    {"$ref": "#/$defs/causes_file", "$defs": SCHEMA["$defs"]})
SECTION_IDS = [s["id"] for s in _load(KNOWLEDGE / "sections.yaml")["sections"]]
CAUSE_FILES = sorted(CAUSE_DIR.glob("*.yaml"))
DATA = {path.name: _load(path) for path in CAUSE_FILES}


def _causes():
    """(file name, cause) for every cause in every file that has a list."""
    for name, data in DATA.items():
        if isinstance(data, dict) and isinstance(data.get("causes"), list):
            for cause in data["causes"]:
                if isinstance(cause, dict):
                    yield name, cause


def _texts(cause):
    """(field path, {ja, en}) for every bilingual text of a cause."""
    cid = cause.get("id", "?")
    for key in ("title", "summary", "theory"):
        if key in cause:
            yield f"{cid}.{key}", cause[key]
    for key in ("symptoms", "confirm"):
        for i, text in enumerate(cause.get(key, [])):
            yield f"{cid}.{key}[{i}]", text
    for i, remedy in enumerate(cause.get("remedies", [])):
        if "text" in remedy:
            yield f"{cid}.remedies[{i}].text", remedy["text"]


def _codes(cause):
    for i, remedy in enumerate(cause.get("remedies", [])):
        if "code" in remedy:
            yield f"{cause.get('id', '?')}.remedies[{i}].code", remedy["code"]


def _corpus(section: str, lang: str) -> str:
    """All texts in one language, plus all code, of the causes filed under a section."""
    parts = []
    for _, cause in _causes():
        if cause.get("section") == section or section in cause.get("also_sections", []):
            parts += [text.get(lang, "") for _, text in _texts(cause)]
            parts += [code for _, code in _codes(cause)]
    return "\n".join(parts)


def test_cause_files_exist():
    expected = {f"{s}.yaml" for s in CONTRACT_CAUSES}
    missing = expected - {p.name for p in CAUSE_FILES}
    assert not missing, f"knowledge/causes/ lacks {sorted(missing)}; {RERUN}"


@pytest.mark.parametrize("path", CAUSE_FILES, ids=lambda p: p.name)
def test_file_validates_against_schema(path):
    errors = sorted(VALIDATOR.iter_errors(DATA[path.name]), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"knowledge/causes/{path.name}: at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in errors)


def test_every_cause_id_defined_exactly_once():
    counts = Counter(cause.get("id") for _, cause in _causes())
    twice = sorted(cid for cid, n in counts.items() if n > 1)
    assert not twice, f"cause IDs defined more than once: {twice}"
    wanted = {cid for group in (CONTRACT_CAUSES, NEW_CAUSES) for ids in group.values() for cid in ids}
    missing = sorted(wanted - set(counts))
    assert not missing, f"cause IDs missing from knowledge/causes/: {missing}; {RERUN}"


def test_causes_sit_in_their_sections_file():
    where = {cause.get("id"): (name, cause) for name, cause in _causes()}
    for group in (CONTRACT_CAUSES, NEW_CAUSES):
        for section, ids in group.items():
            for cid in ids:
                if cid in where:
                    name, cause = where[cid]
                    assert cause["section"] == section, f"{name}: {cid} has section {cause['section']!r}, want {section!r}"
                    assert name == f"{section}.yaml", f"{cid} is in {name}, want {section}.yaml"


def test_sections_are_known():
    for name, cause in _causes():
        for section in [cause.get("section"), *cause.get("also_sections", [])]:
            assert section in SECTION_IDS, f"{name}: {cause.get('id')} names unknown section {section!r}"
        assert name == f"{cause.get('section')}.yaml", f"{name}: {cause.get('id')} belongs in {cause.get('section')}.yaml"
    fitting = {c["id"] for _, c in _causes() if "fitting" in c.get("also_sections", [])}
    assert {"underfitting", "overfitting"} <= fitting, "underfitting and overfitting need also_sections: [fitting]"


def test_only_actually_decreasing_reassures():
    kinds = {c["id"]: c.get("kind", "fault") for _, c in _causes()}
    assert kinds.get("actually_decreasing") == "reassurance"
    others = sorted(cid for cid, kind in kinds.items() if kind == "reassurance" and cid != "actually_decreasing")
    assert not others, f"only actually_decreasing should be kind: reassurance, not {others}"


def test_term_lists_cover_every_section():
    assert set(JA_TERMS) == set(SECTION_IDS) == set(EN_TERMS)


@pytest.mark.parametrize("section", SECTION_IDS)
def test_article_terms_in_japanese(section):
    corpus = _corpus(section, "ja")
    missing = [term for term in JA_TERMS[section] if term not in corpus]
    assert not missing, f"section {section}: Japanese texts and code lack the article's terms {missing}"


@pytest.mark.parametrize("section", SECTION_IDS)
def test_article_terms_in_english(section):
    corpus = _corpus(section, "en").casefold()
    missing = [term for term in EN_TERMS[section] if term.casefold() not in corpus]
    assert not missing, f"section {section}: English texts and code lack the terms {missing}"


def test_texts_are_real_and_translated():
    problems = []
    for name, cause in _causes():
        for where, text in _texts(cause):
            ja, en = text.get("ja", ""), text.get("en", "")
            for lang, value in (("ja", ja), ("en", en)):
                if not isinstance(value, str) or not value.strip():
                    problems.append(f"{name}: {where}.{lang} is empty or only whitespace")
            if ja.strip() == en.strip() and not API_NAME.fullmatch(ja.strip()):
                problems.append(f"{name}: {where}: ja is the same as en (untranslated?)")
            if ja.strip() and not API_NAME.fullmatch(ja.strip()) and not JAPANESE.search(ja):
                problems.append(f"{name}: {where}.ja has no Japanese in it")
            if JAPANESE.search(en):
                problems.append(f"{name}: {where}.en contains Japanese")
    assert not problems, "\n".join(problems)


def test_code_snippets_parse():
    problems = []
    for name, cause in _causes():
        for where, code in _codes(cause):
            if not code.strip():
                problems.append(f"{name}: {where} is only whitespace")
                continue
            try:
                ast.parse(code)
            except SyntaxError as exc:
                problems.append(f"{name}: {where}: line {exc.lineno}: {exc.msg}")
    assert not problems, "\n".join(problems)

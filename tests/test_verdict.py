"""The verdict (issue 16, point 1): healthy only with evidence of health.

Every case of the issue in which loss-advisor used to say "No cause reached
50% confidence: nothing here needs fixing" although the run had plainly
failed is driven through the real command line, and its verdict is read in
all three outputs: the JSON `verdict` object, the first line of the text
output, and the first section of the Markdown report (parsed, not matched
as a string). None of them may say that nothing needs fixing; the healthy
examples still say healthy.
"""
from __future__ import annotations

import json
import math
import random
import textwrap
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import EXAMPLES, ROOT
from loss_advisor.core.i18n import t
from test_logs import shape, write_csv, write_jsonl, write_lightning_csv, write_tensorboard

NOTHING_TO_FIX = {"en": ("needs fixing",), "ja": ("修正の必要なし", "修正が必要な点は見つかっていません")}


# --- reading the three outputs ---------------------------------------------------------

def summary_section(markdown: str) -> tuple[str, list[str]]:
    """The first section of the report: its bold verdict line and its first list's items, as plain text."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    start = next(i for i, tok in enumerate(tokens) if tok.type == "heading_open" and tok.tag == "h2")
    end = next((i for i, tok in enumerate(tokens) if i > start and tok.type == "heading_open" and tok.tag == "h2"),
               len(tokens))
    section = tokens[start + 3:end]

    def plain(tok) -> str:
        return "".join(c.content for c in (tok.children or []) if c.type in ("text", "code_inline"))

    inline = [tok for tok in section if tok.type == "inline"]
    items, depth = [], 0
    for i, tok in enumerate(section):
        if tok.type == "bullet_list_open":
            depth += 1
        elif tok.type == "bullet_list_close":
            break
        elif depth and tok.type == "inline":
            items.append(plain(tok))
    return plain(inline[0]), items


def outputs(cli, *args: str, lang: str = "en", stdin: str | None = None, tmp_path: Path | None = None) -> dict:
    """The command's result as JSON, text and Markdown. With `tmp_path` (for the
    commands that run the user's code for seconds), the Markdown comes from the
    `report` command on the saved JSON instead of a third run."""
    out = {}
    for fmt in ("json", "text") if tmp_path is not None else ("json", "text", "markdown"):
        # The options right after the command: watch hands what follows its script to the script.
        result = cli(args[0], "--format", fmt, "--lang", lang, *args[1:], stdin=stdin)
        assert result.code == 0, result.err
        out[fmt] = result.out
    if tmp_path is not None:
        saved = tmp_path / "result.json"
        saved.write_text(out["json"], encoding="utf-8")
        report = cli("report", "--lang", lang, str(saved))
        assert report.code == 0, report.err
        out["markdown"] = report.out
    out["data"] = json.loads(out["json"])
    return out


def assert_not_healthy(out: dict, *words: str, lang: str = "en", kinds=("inconclusive",)) -> dict:
    """Not healthy in every output, with a reason that says `words`, and never 'nothing needs fixing'."""
    verdict = out["data"]["verdict"]
    assert verdict["kind"] in kinds, verdict
    reasons = " | ".join(verdict["reasons"])
    for word in words:
        assert word in reasons, (word, verdict)
    # Text: the verdict opens the result (logs and ask print their summary or dialogue before it).
    prefix = t("verdict.title", lang)
    first = next(line for line in out["text"].splitlines() if line.startswith(prefix))
    assert first.startswith(t("verdict.line", lang, kind=t(f"verdict.kind.{verdict['kind']}", lang), reasons=""))
    for word in words:
        assert word in first, (word, first)
    # Markdown: the first section opens with the verdict and lists the reasons.
    bold, items = summary_section(out["markdown"])
    assert bold == f"{t('verdict.title', lang)}: {t('verdict.kind.' + verdict['kind'], lang)}"
    assert items == verdict["reasons"]
    for phrase in NOTHING_TO_FIX[lang]:
        assert phrase not in out["text"] and phrase not in out["markdown"], phrase
    return verdict


# --- the user's model fails or outputs NaN ----------------------------------------------

TARGETS = textwrap.dedent('''
    import torch
    from torch import nn

    def _data(n=96, d=10, c=3):
        g = torch.Generator().manual_seed(0)
        x, y = torch.randn(n, d, generator=g), torch.randint(0, c, (n,), generator=g)
        return [(x[i:i + 32], y[i:i + 32]) for i in range(0, n, 32)]

    class Mismatch(nn.Module):            # 10 input features into a layer built for 8
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 3)
        def forward(self, x):
            return self.fc(x)

    class NaNOut(nn.Module):              # a NaN from the very first forward pass
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(10, 3)
        def forward(self, x):
            return self.fc(x) * float("nan")

    def _target(model):
        return {"model": model, "loss_fn": nn.CrossEntropyLoss(),
                "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": _data()}

    def broken_forward():
        torch.manual_seed(0)
        return _target(Mismatch())

    def nan_outputs():
        torch.manual_seed(0)
        return _target(NaNOut())
''')


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("verdict") / "targets.py"
    path.write_text(TARGETS)
    return path


def test_every_probe_fails(cli, targets, tmp_path):
    out = outputs(cli, "probe", f"{targets}:broken_forward", "--quiet", "--probes", "gradients,short_run,overfit_batch",
                  tmp_path=tmp_path)
    assert all(p["status"] == "error" for p in out["data"]["probes"])
    assert_not_healthy(out, "all 3 probes failed", "mat1 and mat2 shapes cannot be multiplied",
                       kinds=("inconclusive", "diagnosed"))


def test_some_probes_fail_in_japanese(cli, targets, tmp_path):
    out = outputs(cli, "probe", f"{targets}:broken_forward", "--quiet", "--probes", "data,init_loss,short_run",
                  lang="ja", tmp_path=tmp_path)
    assert_not_healthy(out, "プローブが失敗しました", "mat1 and mat2", lang="ja", kinds=("inconclusive", "diagnosed"))


def test_nan_from_step_0(cli, targets, tmp_path):
    out = outputs(cli, "probe", f"{targets}:nan_outputs", "--quiet", "--probes", "init_loss,short_run",
                  tmp_path=tmp_path)
    verdict = assert_not_healthy(out, "NaN or inf from step 0", kinds=("inconclusive", "diagnosed"))
    if verdict["kind"] == "inconclusive":
        assert " — see " in verdict["reasons"][0]          # and the likeliest causes


# --- logs ----------------------------------------------------------------------------------

WRITERS = {
    "csv": lambda folder, s: write_csv(folder / "log.csv", s),
    "lightning": lambda folder, s: write_lightning_csv(folder / "metrics.csv", s),
    "jsonl": lambda folder, s: write_jsonl(folder / "log.jsonl", s),
    "tensorboard": lambda folder, s: write_tensorboard(folder / "tb", s),
}


def test_log_turning_nan_at_step_120(cli, tmp_path):
    r = random.Random(1)
    s = {"train": [2.3 * math.exp(-i / 100) * math.exp(r.gauss(0, 0.05)) if i < 120 else float("nan")
                   for i in range(200)]}
    out = outputs(cli, "logs", str(write_csv(tmp_path / "log.csv", s)))
    assert_not_healthy(out, "NaN or inf from step 120", " — see ")
    # The log's summary names the end as it is, not the last finite level.
    summary = next(line for line in out["text"].splitlines() if "at the start" in line)
    assert summary.endswith("NaN at the end"), summary


def test_log_flat_at_ln10_for_500_steps(cli, tmp_path):
    r = random.Random(2)
    s = {"train": [2.30 * math.exp(r.gauss(0, 0.02)) for _ in range(500)]}
    out = outputs(cli, "logs", str(write_csv(tmp_path / "log.csv", s)))
    assert_not_healthy(out, "does not fall: it stays at 2.3 across 500 points",
                       "ln 10, the loss of a uniform guess over 10 classes")


def test_log_flat_at_another_level_names_no_chance(cli, tmp_path):
    r = random.Random(3)
    s = {"train": [1.5 * math.exp(r.gauss(0, 0.02)) for _ in range(300)]}
    out = outputs(cli, "logs", str(write_csv(tmp_path / "log.csv", s)))
    verdict = assert_not_healthy(out, "does not fall across 300 points")
    assert "uniform guess" not in verdict["reasons"][0]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("name, words", [("flat", "does not fall"), ("oscillating", "swings or rises")])
def test_flat_and_swinging_logs_in_every_format(cli, tmp_path, fmt, name, words):
    path = WRITERS[fmt](tmp_path, shape(name))
    out = outputs(cli, "logs", str(path))
    assert_not_healthy(out, words, kinds=("inconclusive", "diagnosed"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_one_row_log(cli, tmp_path, fmt):
    out = outputs(cli, "logs", str(WRITERS[fmt](tmp_path, {"train": [2.3]})))
    assert_not_healthy(out, "only 1 loss point")


def test_healthy_log_is_healthy(cli, tmp_path):
    out = outputs(cli, "logs", str(write_csv(tmp_path / "log.csv", shape("healthy"))))
    assert out["data"]["verdict"]["kind"] == "healthy", out["data"]["verdict"]
    assert "\nVerdict: healthy — " in out["text"]
    assert "nothing here needs fixing" in out["text"]


# --- ask -----------------------------------------------------------------------------------

def test_ask_answered_the_loss_becomes_nan(cli, kb):
    nan = 1 + [a.id for a in kb.questions[kb.root].answers].index("nan")
    out = outputs(cli, "ask", stdin=f"{nan}\nq\n")
    assert_not_healthy(out, "you said: The loss becomes NaN or inf", " — see ")


def test_ask_with_no_answer_is_not_healthy(cli):
    out = outputs(cli, "ask", stdin="q\n")
    assert_not_healthy(out, "nothing measured or answered shows the loss falling")


# --- watch ---------------------------------------------------------------------------------

CRASHES = textwrap.dedent('''
    import torch
    torch.manual_seed(0)
    model = torch.nn.Linear(10, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(64, 10), torch.randint(0, 3, (64,))
    for step in range(100):
        if step == 3:
            raise RuntimeError("the data loader lost its worker")
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
''')


@pytest.mark.slow
def test_watched_script_that_crashes_after_3_steps(cli, tmp_path):
    script = tmp_path / "crashes.py"
    script.write_text(CRASHES)
    out = outputs(cli, "watch", "--quiet", "--steps", "50", str(script), tmp_path=tmp_path)
    assert_not_healthy(out, "the script stopped after 3 steps", "the data loader lost its worker",
                       kinds=("inconclusive", "diagnosed"))


# --- the TUI ------------------------------------------------------------------------------

@pytest.mark.slow
def test_tui_status_gives_the_verdict_after_measuring(targets):
    pytest.importorskip("textual")
    import asyncio

    from loss_advisor.surfaces.tui.app import create_app
    from test_tui import idle, press, settle

    async def run() -> list[str]:
        app = create_app("en", target=f"{targets}:nan_outputs", probes=["init_loss", "short_run"])
        async with app.run_test(size=(100, 40)) as pilot:
            await idle(pilot)
            await press(pilot, "a")             # measure all
            await settle(pilot)
            return [line.plain for line in app.status]

    status = asyncio.run(run())
    verdict = next(line for line in status if line.startswith("Verdict: "))
    assert not verdict.startswith("Verdict: healthy") and "NaN or inf from step 0" in verdict, status


# --- healthy examples stay healthy ---------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["healthy_digits", "healthy_regression", "slow_but_healthy"])
def test_healthy_examples_say_healthy(cli, name, tmp_path):
    result = cli("probe", f"{EXAMPLES / name}.py:target", "--format", "json", "--lang", "en", "--quiet")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["verdict"]["kind"] == "healthy", data["verdict"]
    # The same result as text and as a report, through the real surfaces.
    saved = tmp_path / "result.json"
    saved.write_text(result.out)
    report = cli("report", str(saved), "--lang", "en")
    assert report.code == 0, report.err
    bold, items = summary_section(report.out)
    assert bold == "Verdict: healthy" and items == data["verdict"]["reasons"]


# --- the decision itself, on observations alone (torch-free, no CLI) ----------------------

HEALTHY_CURVE = {"curve.points": 300, "curve.start_loss": 2.3, "curve.end_loss": 0.4, "curve.relative_drop": 0.83,
                 "curve.trend_p": 1e-9, "curve.trend_total": -1.7, "curve.noise": 0.1, "curve.noise_to_trend": 0.06,
                 "curve.late_drop": 0.3, "curve.peak_ratio": 1.0}


def decide(kb, observations=None, answers=(), probes=(), lang="en"):
    from loss_advisor.core.engine import Session
    from loss_advisor.core.verdict import decide as run

    session = Session(kb, lang)
    if observations:
        session.observe(observations, source="short_run")
    for qid, answer in answers:
        session.answer(qid, answer)
    return run(session, probes)


def test_a_falling_curve_is_healthy_and_nothing_else_is(kb):
    from loss_advisor.core.records import ProbeRecord

    assert decide(kb, HEALTHY_CURVE).kind == "healthy"
    # No evidence at all is not health.
    assert decide(kb).kind == "inconclusive"
    # The same curve, but one probe failed: the set-up raises somewhere, not healthy.
    failed = [ProbeRecord("short_run", "ok"), ProbeRecord("lr_sweep", "error", message="ValueError: boom")]
    verdict = decide(kb, HEALTHY_CURVE, probes=failed)
    assert verdict.kind == "inconclusive" and verdict.reasons[0].startswith("1 of 2 probes failed: ValueError: boom")
    # The user says it falls, but the curve went NaN: the measurement wins.
    verdict = decide(kb, {**HEALTHY_CURVE, "curve.nonfinite_step": 250}, answers=[("q_symptom", "checkup")])
    assert verdict.kind != "healthy" and any("NaN or inf from step 250" in r for r in verdict.reasons)
    # A watched script that timed out is not the run the user asked about.
    verdict = decide(kb, {**HEALTHY_CURVE, "watch.stopped": "timeout", "watch.steps": 40})
    assert verdict.kind == "inconclusive" and "time limit after 40 steps" in verdict.reasons[0]


def test_the_user_s_own_account_counts_in_ask(kb):
    verdict = decide(kb, answers=[("q_symptom", "checkup")], lang="ja")
    assert verdict.kind == "healthy" and verdict.reasons[0].startswith("回答: ")
    assert decide(kb, answers=[("q_symptom", "flat")]).kind == "inconclusive"


def test_a_flat_curve_at_the_task_s_chance_level(kb):
    flat = {"curve.points": 300, "curve.start_loss": 1.1, "curve.end_loss": 1.1, "curve.relative_drop": 0.0,
            "curve.trend_p": 0.6, "curve.trend_total": 0.0, "curve.noise": 0.02, "curve.late_drop": 0.0,
            "curve.peak_ratio": 1.01, "init_loss.expected_loss": math.log(3)}
    verdict = decide(kb, flat)
    assert verdict.kind != "healthy"
    assert any("chance level, 1.1 against 1.1 for a uniform guess" in r for r in verdict.reasons), verdict


def test_a_flat_run_s_verdict_fills_its_signed_placeholder(kb):
    """A flat run watched for a few dozen steps (a Hugging Face Trainer's, say):
    the verdict quotes symptom_flat_short_run's evidence, whose signed spec
    ("fell #|rose #") an unquoted YAML text had cut at " #", a comment, so
    that "({curve.relative_drop:.1%|fell)" reached the user as is."""
    flat = {"curve.points": 40, "curve.start_loss": 0.7, "curve.end_loss": 0.697, "curve.relative_drop": 0.004,
            "curve.trend_p": 0.4, "curve.trend_total": -0.003, "curve.noise": 0.01, "curve.late_drop": 0.0,
            "curve.peak_ratio": 1.01}
    for lang, words in (("en", "barely moved (fell 0.4%, no significant downward trend)"), ("ja", "0.4%減少")):
        verdict = decide(kb, flat, lang=lang)
        assert verdict.kind == "inconclusive"
        assert any(words in r for r in verdict.reasons), verdict.reasons
        assert not any("{" in r or "}" in r for r in verdict.reasons), verdict.reasons


# --- the rules file ------------------------------------------------------------------------

def test_rules_are_checked_against_the_tree(kb):
    import yaml

    from loss_advisor.core.kb import KBError
    from loss_advisor.core.verdict import load_rules, parse_rules

    rules = load_rules(kb)
    assert rules.min_points >= 8 and rules.health and rules.never_healthy
    doc = yaml.safe_load((ROOT / "knowledge" / "verdict.yaml").read_text(encoding="utf-8"))
    doc["health"]["answers"][0]["answers"].append("no_such_answer")
    with pytest.raises(KBError, match="no answer 'no_such_answer'"):
        parse_rules(doc, kb)
    doc = yaml.safe_load((ROOT / "knowledge" / "verdict.yaml").read_text(encoding="utf-8"))
    doc["min_points"].pop("reason")
    with pytest.raises(KBError, match="reason"):
        parse_rules(doc, kb)


def test_kb_check_reads_the_verdict_rules(cli, kb_copy):
    assert cli("kb", "check", "--kb", str(kb_copy)).code == 0
    rules = kb_copy / "verdict.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("answers: [real]", "answers: [really]"),
                     encoding="utf-8")
    result = cli("kb", "check", "--kb", str(kb_copy))
    assert result.code == 1 and "verdict.yaml" in result.err and "'really'" in result.err


def test_every_verdict_message_has_both_languages():
    from loss_advisor.core.i18n import catalogue

    keys = [k for k in catalogue() if k.startswith("verdict.")]
    assert keys and all(catalogue()[k].get("en") and catalogue()[k].get("ja") for k in keys)

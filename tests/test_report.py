"""Markdown reports: parsed with a real Markdown parser (markdown-it-py), never
matched as strings. Structure (headings, tables, code fences, Mermaid charts)
must hold for every language, for every mode, and for hostile input."""
from __future__ import annotations

import copy
import json
import math
import re
import sys

import pytest
from markdown_it import MarkdownIt

from loss_advisor.core.i18n import catalogue, t
from loss_advisor.surfaces.report import (MAX_POINTS, bin_means, md_cell, md_code, md_fenced, md_text, mermaid_label,
                                 plain_number)
from loss_advisor.core.records import ProbeRecord
from loss_advisor.core.result import Result
from loss_advisor.surfaces.report import render_markdown

DEMO = "loss_advisor.examples.demo:target"
# Every kind of chart (line with two series, binned line, bars) in about a second.
PROBES = ["data", "init_loss", "gradients", "lr_sweep", "overfit_batch", "short_run", "seeds"]
SECTIONS = ["report.summary", "report.setup", "report.path", "report.diagnoses", "report.probes",
            "report.checklist", "report.reproduce"]

# Text from the user's side that tries every way out of its place: table
# pipes, code fences and spans, a heading, a list, HTML and a script,
# a Mermaid arrow and comment, a link, emphasis, an entity, a trailing backslash.
# (Short labels are cut, so the Mermaid breakers come first.)
HOSTILE = ("Ev\"il;%%|Net`` ```\n````\n# Injected heading\n| a | b |\n|---|---|\n- item --> B\n"
           "</script><script>alert(1)</script> <!-- *x* _y_ [z](http://e.x) &amp; \\")
BENIGN = "Plain model name"


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


@pytest.fixture(scope="module")
def demo():
    from loss_advisor.pipeline.api import diagnose_target
    from loss_advisor.probing.target import load_target
    return diagnose_target(load_target(DEMO), probes=PROBES, lang="en", argv=["probe", DEMO, "--format", "json"])


@pytest.fixture(scope="module")
def demo_json(demo):
    return json.loads(json.dumps(demo.to_dict()))


# --- helpers that read the parsed report -----------------------------------------------

def headings(tokens, level: int) -> list[str]:
    return [tokens[i + 1].content for i, tok in enumerate(tokens)
            if tok.type == "heading_open" and tok.tag == f"h{level}"]


def unescaped_pipes(line: str) -> int:
    """Pipes that a GFM table reads as cell borders: not preceded by an odd run of backslashes."""
    return sum(1 for m in re.finditer(r"(\\*)\|", line) if len(m.group(1)) % 2 == 0)


def tables(tokens, source: str) -> list[dict]:
    """Each table: its header cells, its body rows (cell texts), and the pipe
    count of every source line (a row with one pipe too many is silently cut
    by the parser, so the raw lines are checked too)."""
    lines = source.split("\n")
    out = []
    for i, tok in enumerate(tokens):
        if tok.type != "table_open":
            continue
        header, rows, row, section = [], [], None, None
        for inner in tokens[i + 1:]:
            if inner.type == "table_close":
                break
            if inner.type in ("thead_open", "tbody_open"):
                section = inner.type
            elif inner.type == "tr_open":
                row = []
            elif inner.type == "inline":
                row.append(inner.content)
            elif inner.type == "tr_close":
                (header if section == "thead_open" else rows).append(row)
        start, end = tok.map
        out.append({"header": header[0], "rows": rows,
                    "pipes": [unescaped_pipes(line) for line in lines[start:end] if line.strip()]})
    return out


def fences(tokens, info: str | None = None) -> list[str]:
    return [tok.content for tok in tokens if tok.type == "fence" and (info is None or tok.info.strip() == info)]


MERMAID_LINE = re.compile(
    r'^(%%\{init: \{"themeVariables": \{"xyChart": \{"plotColorPalette": "[#0-9a-f, ]+"\}\}\}\}%%'
    r'|xychart-beta'
    r'|    title "[^"`\n]*"'
    r'|    x-axis "[^"`\n]*" (-?\d+(\.\d+)? --> -?\d+(\.\d+)?|\[("[^"`\n]*"(, )?)+\])'
    r'|    y-axis "[^"`\n]*"( -?\d+(\.\d+)? --> -?\d+(\.\d+)?)?'
    r'|    (line|bar) "[^"`\n]*" \[(-?\d+(\.\d+)?(, )?)+\])$')


def parse_mermaid(block: str) -> dict:
    """One xychart-beta block, checked line by line against the grammar we emit."""
    chart = {"series": []}
    for line in block.rstrip("\n").split("\n"):
        assert MERMAID_LINE.match(line), f"unexpected Mermaid line: {line!r}"
        stripped = line.strip()
        if stripped.startswith("title "):
            chart["title"] = stripped[7:-1]
        elif stripped.startswith("x-axis "):
            arrow = re.search(r"(-?[\d.]+) --> (-?[\d.]+)$", stripped)
            chart["x_range"] = (float(arrow.group(1)), float(arrow.group(2))) if arrow else None
            chart["x_labels"] = None if arrow else re.findall(r'"([^"]*)"', stripped.split("[", 1)[1])
        elif stripped.startswith(("line ", "bar ")):
            kind, rest = stripped.split(" ", 1)
            name, numbers = re.match(r'"([^"]*)" \[(.*)\]$', rest).groups()
            chart["series"].append((kind, name, [float(v) for v in numbers.split(", ")]))
    return chart


def mermaid_charts(tokens) -> list[dict]:
    return [parse_mermaid(block) for block in fences(tokens, "mermaid")]


def chart_titled(charts: list[dict], prefix: str) -> dict:
    found = [c for c in charts if c["title"].startswith(prefix)]
    assert len(found) == 1, f"expected one chart titled {prefix!r}, got {[c['title'] for c in charts]}"
    return found[0]


def close(actual: list[float], expected: list[float], rel: float = 1e-3) -> bool:
    return len(actual) == len(expected) and all(
        abs(a - e) <= rel * max(1.0, abs(e)) for a, e in zip(actual, expected))


def structure(tokens) -> list[tuple]:
    """The report's shape without its words: block tokens, and for each run of
    inline text the kinds of markup in it (a code span counts as text, since
    escaped text may fall back from one to the other)."""
    shape = []
    for tok in tokens:
        if tok.type == "inline":
            kinds = []
            for child in tok.children or []:
                kind = "text" if child.type in ("text", "code_inline") else child.type
                if not (kind == "text" and kinds and kinds[-1] == "text"):
                    kinds.append(kind)
            shape.append(("inline", tuple(kinds)))
        elif tok.type == "fence":     # its content is verbatim text, whatever it holds
            shape.append(("fence", tok.info))
        else:
            shape.append((tok.type, tok.tag))
    return shape


# --- the report's structure --------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_sections_tables_and_code(demo_json, kb, lang):
    result = Result.from_dict(demo_json, kb=kb, lang=lang)
    data = result.to_dict()
    md = render_markdown(result)
    tokens = parser().parse(md)

    assert headings(tokens, 1) == [t("report.title", lang)]
    assert headings(tokens, 2) == [t(key, lang) for key in SECTIONS]

    found = tables(tokens, md)
    for table in found:   # every raw row has the header's number of cell borders
        assert len(set(table["pipes"])) == 1, table
        assert all(len(row) == len(table["header"]) for row in table["rows"])
    by_header: dict[tuple, dict] = {}
    for table in found:      # the first table with each header (Setup and Reproduce share theirs)
        by_header.setdefault(tuple(table["header"]), table)

    strong = [d for d in data["diagnoses"] if d["confidence"] >= 0.5]
    summary = by_header[("#", t("report.col_confidence", lang), t("report.col_cause", lang), t("report.col_why", lang))]
    assert [row[1] for row in summary["rows"]] == [f"{d['confidence']:.0%}" for d in strong]
    assert all(f"`{d['cause']}`" in row[2] for row, d in zip(summary["rows"], strong))

    checklist = by_header[(t("report.col_category", lang), t("report.col_check", lang),
                           t("report.col_status", lang), t("report.col_found", lang))]
    assert len(checklist["rows"]) == len(kb.checklist)
    assert [row[2].split(" ", 1)[1] for row in checklist["rows"]] == [t(f"checklist.{r['status']}", lang)
                                                                      for r in data["checklist"]]

    path = by_header[("#", t("report.col_question", lang), t("report.col_answer", lang),
                      t("report.col_answered_by", lang), t("report.col_measured", lang))]
    assert len(path["rows"]) == sum(1 for row in data["path"] if row["on_path"])

    setup = by_header[(t("report.col_item", lang), t("report.col_value", lang))]
    assert [t("report.setup.model", lang), data["setup"]["model"]] in setup["rows"]

    # Every remedy with code of every strong diagnosis, as a python fence, verbatim.
    python = fences(tokens, "python")
    for d in strong:
        for code in d["remedy_code"]:
            if code:
                assert code.strip() + "\n" in python
    assert fences(tokens, "sh")[0].strip() == data["reproduce"]["command"]


def test_mermaid_series_are_the_probe_numbers(demo_json, kb):
    md = render_markdown(Result.from_dict(demo_json, kb=kb, lang="en"))
    charts = mermaid_charts(parser().parse(md))
    findings = {p["name"]: p["findings"] for p in demo_json["probes"]}

    # LR range test: short enough to plot every point, on log10 axes.
    sweep = findings["lr_sweep"]
    lr_chart = chart_titled(charts, "LR range test")
    assert lr_chart["x_range"] == pytest.approx((math.log10(sweep["lrs"][0]), math.log10(sweep["lrs"][-1])), abs=1e-3)
    (_, _, losses), (_, _, smoothed) = [s[:3] for s in lr_chart["series"]]
    assert close(losses, [math.log10(v) for v in sweep["losses"]])
    assert close(smoothed, [math.log10(v) for v in sweep["smoothed"]])

    # The short run's 300 training losses: log10, then means of consecutive runs.
    train = findings["short_run"]["train"]
    assert len(train["losses"]) > MAX_POINTS
    n = len(train["losses"])
    logs = [math.log10(v) for v in train["losses"]]
    bounds = [i * n // MAX_POINTS for i in range(MAX_POINTS + 1)]
    expected = [sum(logs[a:b]) / (b - a) for a, b in zip(bounds, bounds[1:])]
    train_chart = chart_titled(charts, "Training loss by step")
    assert close(train_chart["series"][0][2], expected)
    assert train_chart["x_range"] == pytest.approx(((n // MAX_POINTS - 1) / 2, (n - 1) - (n // MAX_POINTS - 1) / 2))

    # Bars: one per seed run, from zero.
    seeds = chart_titled(charts, "Final loss per seed")
    assert seeds["series"][0][0] == "bar"
    assert close(seeds["series"][0][2], findings["seeds"]["final_losses"])

    grads = chart_titled(charts, "Gradient norm per layer")
    norms = [row["grad_norm"] for row in findings["gradients"]["layers"]]
    plotted = [math.log10(v) for v in norms] if max(norms) / min(norms) >= 100 else norms
    assert close(grads["series"][0][2], plotted)
    assert grads["x_labels"] == [row["layer"] for row in findings["gradients"]["layers"]]


def test_each_chart_has_its_numbers_in_a_table(demo_json, kb):
    md = render_markdown(Result.from_dict(demo_json, kb=kb, lang="ja"))
    tokens = parser().parse(md)
    charts = mermaid_charts(tokens)
    # The first table after each Mermaid block holds its numbers.
    all_tables = iter(zip([tok for tok in tokens if tok.type == "table_open"], tables(tokens, md)))
    number_tables = []
    for tok in tokens:
        if tok.type == "fence" and tok.info == "mermaid":
            number_tables.append(next(tb for opener, tb in all_tables if opener.map[0] > tok.map[0]))
    assert len(number_tables) == len(charts) >= 6
    for chart, table in zip(charts, number_tables):
        assert len(table["rows"]) == len(chart["series"][0][2]) <= MAX_POINTS
        for column, (_, _, values) in enumerate(chart["series"], start=1):
            assert close([float(row[column]) for row in table["rows"]], values)


def test_series_longer_than_the_limit_are_binned_and_shorter_ones_kept():
    xs, ys = list(range(1000)), [float(i % 7) for i in range(1000)]
    bx, by = bin_means(xs, ys)
    assert len(bx) == len(by) == MAX_POINTS
    assert by[0] == pytest.approx(sum(ys[:16]) / 16)
    assert bin_means([1, 2], [3.0, 4.0]) == ([1, 2], [3.0, 4.0])


def test_numbers_for_mermaid_have_no_exponent():
    for value in (3.4e-06, -4.2e-7, 45874376.0, 0.5, -1.0, 123456789012.0):
        text = plain_number(value)
        assert re.fullmatch(r"-?\d+(\.\d+)?", text), text
        assert float(text) == pytest.approx(value, rel=1e-3)


# --- hostile input -------------------------------------------------------------------------

def poisoned(data: dict, text: str) -> dict:
    """The demo's JSON with `text` everywhere the user's side can put words."""
    data = copy.deepcopy(data)
    setup = data["setup"]
    setup["model"] = text
    setup["loss"] = text
    setup["layers"] = {text: 3, "ReLU": 2}
    setup["optimizer_params"] = {**setup["optimizer_params"], "note": text}
    setup["log_file"] = text
    setup["columns"] = [text, "loss"]
    data["target"] = f"{text}.py:target"
    data["reproduce"]["command"] = f"loss-advisor probe {text}"
    data["reproduce"]["versions"]["extra"] = text
    for probe in data["probes"]:
        probe["message"] = text
        probe["notes"] = [text]
        if probe["name"] == "gradients":
            probe["findings"]["layers"][0]["layer"] = text
            probe["findings"]["layers"][1]["type"] = text
        if probe["name"] == "data":
            probe["findings"]["column"] = text
            probe["findings"]["custom_curve"] = {"steps": [0, 1, 2], text: [3.0, 2.0, 1.5]}
    return data


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_hostile_names_cannot_change_the_structure(demo_json, kb, lang):
    md_parser = parser()
    benign = render_markdown(Result.from_dict(poisoned(demo_json, BENIGN), kb=kb, lang=lang))
    hostile = render_markdown(Result.from_dict(poisoned(demo_json, HOSTILE), kb=kb, lang=lang))
    benign_tokens, hostile_tokens = md_parser.parse(benign), md_parser.parse(hostile)

    assert structure(hostile_tokens) == structure(benign_tokens)
    for table in tables(hostile_tokens, hostile):
        assert len(set(table["pipes"])) == 1
    for block in fences(hostile_tokens, "mermaid"):
        parse_mermaid(block)        # still our grammar, line by line
        assert "-->" not in block.replace(" --> ", "") and "<" not in block
    html = md_parser.render(hostile)
    assert "<script>" not in html and "<!--" not in html and "<h1>Injected" not in html
    assert "alert(1)" in html       # the text is still there, shown as text
    assert fences(hostile_tokens, "sh")[0] == f"loss-advisor probe {HOSTILE}\n"   # verbatim in its code block
    # The hostile text reads back whole (on one line) where it was put: the setup's model.
    setup = next(tb for tb in tables(hostile_tokens, hostile) if tb["header"][0] == t("report.col_item", lang))
    model_row = next(row for row in setup["rows"] if row[0] == t("report.setup.model", lang))
    assert md_parser.renderInline(model_row[1]) == md_parser.renderInline(md_cell(HOSTILE))


@pytest.mark.parametrize("text", [HOSTILE, "a\\|b", "``x``", "-1. not a list", "# not a heading", "1) no", "+", ""])
def test_escaped_text_reads_back_as_itself(text):
    md_parser = parser()
    expected = " ".join(text.split())
    table = md_parser.parse(f"| h |\n|---|\n| {md_cell(text)} |\n")
    cell = [tok for tok in table if tok.type == "inline"][1]
    assert "".join(c.content for c in cell.children if c.type in ("text", "softbreak")) == expected
    para = md_parser.parse(f"{md_text(text)}\n")
    if expected:
        assert [tok.type for tok in para] == ["paragraph_open", "inline", "paragraph_close"]
        assert "".join(c.content for c in para[1].children) == expected
    code = md_parser.parse(f"{md_code(text)}\n")
    if expected:
        assert [c.type for c in code[1].children] == ["code_inline"]
        assert code[1].children[0].content == expected.strip() or code[1].children[0].content == expected
    block = md_parser.parse(md_fenced(text + "\n```\nmore", "python") + "\n\nafter\n")
    assert block[0].type == "fence" and block[0].content == text.replace("\r", "") + "\n```\nmore\n"
    label = mermaid_label(text, limit=10_000)
    assert not set(label) & set('"`#%;<>\n')


# --- the report command ------------------------------------------------------------------------

def test_report_command_renders_a_saved_result_as_the_live_one(cli, demo, demo_json, tmp_path):
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(demo_json), encoding="utf-8")
    result = cli("report", str(saved), "--lang", "en")
    assert result.code == 0, result.err
    assert result.out == render_markdown(demo)
    ja = cli("report", str(saved), "--lang", "ja")
    assert ja.code == 0 and headings(parser().parse(ja.out), 2) == [t(k, "ja") for k in SECTIONS]


def test_report_command_writes_a_file_and_png_charts(cli, demo_json, tmp_path):
    pytest.importorskip("matplotlib")
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(demo_json), encoding="utf-8")
    out = tmp_path / "out" / "report.md"
    out.parent.mkdir()
    result = cli("report", str(saved), "--lang", "en", "--output", str(out), "--assets", str(tmp_path / "assets"))
    assert result.code == 0, result.err
    assert result.out == "" and result.err == ""
    tokens = parser().parse(out.read_text(encoding="utf-8"))
    images = [child.attrs["src"] for tok in tokens if tok.type == "inline" for child in tok.children or []
              if child.type == "image"]
    assert len(images) == len(fences(tokens, "mermaid"))
    for src in images:
        assert src.startswith("../assets/")
        assert (out.parent / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_japanese_png_charts_fall_back_to_english_words_without_a_japanese_font(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from loss_advisor.surfaces import report
    monkeypatch.setattr(report, "_cjk_font", lambda: None)
    findings = {"final_losses": [1.0, 1.2, 0.9]}
    (ja,), _ = report.probe_charts("seeds", findings, "ja")
    (en,), _ = report.probe_charts("seeds", findings, "en")
    assert ja.key == en.key and ja.title != en.title
    report.write_assets([ja], tmp_path / "png", tmp_path, "ja", {en.key: en})
    assert ja.image == "png/seeds-final_loss.png"
    assert (tmp_path / ja.image).read_bytes()[:4] == b"\x89PNG"


def test_assets_without_matplotlib_is_one_line(cli, demo_json, tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib -> ImportError
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(demo_json), encoding="utf-8")
    result = cli("report", str(saved), "--assets", str(tmp_path / "a"), "--lang", "en")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "matplotlib" in result.err


@pytest.mark.parametrize("content, words", [
    ("{\"session\": ", "not valid JSON"),
    ("[1, 2]", "not a loss-advisor result"),
    ("{\"probes\": []}", "no 'session'"),
    ("{\"session\": {}, \"probes\": {}}", "'probes' must be a list"),
    ("{\"session\": {}, \"probes\": [{\"name\": \"x\", \"status\": \"maybe\"}]}", "probes[0]"),
    ("{\"session\": {\"answers\": [{\"question\": \"no_such_question\", \"answer\": \"x\"}]}}", "no_such_question"),
    ("{\"session\": {\"answers\": [{\"question\": \"q_symptom\", \"answer\": \"no_such_answer\"}]}}", "no_such_answer"),
])
def test_malformed_result_json_is_one_line_and_exit_2(cli, tmp_path, content, words):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = cli("report", str(bad), "--lang", "en")
    assert result.code == 2
    assert result.err.count("\n") == 1 and words in result.err and "Traceback" not in result.err


def test_missing_or_unreadable_file_is_one_line(cli, tmp_path):
    for path in (tmp_path / "missing.json", tmp_path):
        result = cli("report", str(path), "--lang", "ja")
        assert result.code == 2 and result.err.count("\n") == 1 and "読めません" in result.err


def test_a_minimal_session_renders(cli, tmp_path):
    """The JSON of `ask --format json` holds only the session: no probes, no setup."""
    saved = tmp_path / "ask.json"
    saved.write_text(json.dumps({"session": {"answers": [{"question": "q_symptom", "answer": "nan"}]},
                                 "mode": "ask"}), encoding="utf-8")
    result = cli("report", str(saved), "--lang", "en")
    assert result.code == 0, result.err
    tokens = parser().parse(result.out)
    assert headings(tokens, 2) == [t(k, "en") for k in SECTIONS if k != "report.diagnoses"]
    assert t("report.no_probes", "en") in result.out and t("report.setup_unknown", "en") in result.out


# --- user templates ------------------------------------------------------------------------------

def test_user_template_can_extend_ours_and_use_the_filters(cli, demo_json, tmp_path):
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(poisoned(demo_json, HOSTILE)), encoding="utf-8")
    template = tmp_path / "mine.md.j2"
    template.write_text('{% extends "report.md.j2" %}\n'
                        '{% block checklist %}## Team notes\n\nModel: {{ report.json.setup.model }}\n\n'
                        '{% endblock %}\n', encoding="utf-8")
    result = cli("report", str(saved), "--lang", "en", "--template", str(template))
    assert result.code == 0, result.err
    tokens = parser().parse(result.out)
    h2 = headings(tokens, 2)
    assert "Team notes" in h2 and t("report.checklist", "en") not in h2
    assert h2[-1] == t("report.reproduce", "en")
    # The default escaping holds in a user's template too.
    notes = h2.index("Team notes")
    assert "<script>" not in parser().render(result.out) and len(headings(tokens, 1)) == 1 and notes > 0


@pytest.mark.parametrize("source, words", [("{% if %}", "line 1"), ("{{ no_such_thing }}", "no_such_thing"),
                                           ("ok\n\n{{ report.summary[99] }}", "line 3")])
def test_broken_user_template_is_one_line(cli, demo_json, tmp_path, source, words):
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(demo_json), encoding="utf-8")
    template = tmp_path / "broken.j2"
    template.write_text(source, encoding="utf-8")
    result = cli("report", str(saved), "--template", str(template), "--lang", "en")
    assert result.code == 2
    assert result.err.count("\n") == 1 and words in result.err and "broken.j2" in result.err


def test_probe_markdown_with_a_missing_template_is_a_usage_error(cli, tmp_path):
    result = cli("probe", DEMO, "--probes", "data", "--quiet", "--format", "markdown",
                 "--template", str(tmp_path / "nope.j2"), "--lang", "en")
    assert result.code == 2 and result.err.count("\n") == 1 and "nope.j2" in result.err


# --- every mode ------------------------------------------------------------------------------------

def test_probe_format_markdown_in_japanese(cli):
    result = cli("probe", DEMO, "--probes", "data,init_loss", "--quiet", "--format", "markdown", "--lang", "ja")
    assert result.code == 0, result.err
    tokens = parser().parse(result.out)
    assert headings(tokens, 2) == [t(k, "ja") for k in SECTIONS]
    assert "inputs_not_normalized" in result.out


def test_ask_format_markdown_names_you_as_the_answerer(cli):
    result = cli("ask", "--lang", "en", "--format", "markdown", stdin="2\n1\nq\n")
    assert result.code == 0
    report = result.out[result.out.index("# " + t("report.title", "en")):]
    tokens = parser().parse(report)
    path = next(tb for tb in tables(tokens, report) if t("report.col_answered_by", "en") in tb["header"])
    assert [row[3] for row in path["rows"]] == [t("report.by_user", "en")] * 2


def test_a_probe_error_message_is_shown_escaped(kb):
    from loss_advisor.core.engine import Session
    result = Result(session=Session(kb, "en"), probes=[ProbeRecord("init_loss", "error", 0.1, 1, message=HOSTILE)],
                    mode="probe", target="x.py:target")
    md = render_markdown(result)
    tokens = parser().parse(md)
    probes_table = next(tb for tb in tables(tokens, md) if tb["header"][0] == t("report.col_probe", "en"))
    assert len(probes_table["rows"]) == 1 and len(set(probes_table["pipes"])) == 1
    assert "<script>" not in parser().render(md)


# --- messages and the committed examples ----------------------------------------------------------

def test_every_report_message_has_both_languages():
    keys = [k for k in catalogue() if k.startswith(("report.", "checklist."))]
    assert len(keys) > 100
    for key in keys:
        assert catalogue()[key].get("en") and catalogue()[key].get("ja"), key


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_committed_example_reports_parse(lang):
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "docs" / f"example-report.{lang}.md"
    source = path.read_text(encoding="utf-8")
    tokens = parser().parse(source)
    assert headings(tokens, 2) == [t(k, lang) for k in SECTIONS], "regenerate with: make report-example"
    assert len(mermaid_charts(tokens)) >= 6


def test_logs_mode_report_with_hostile_column_and_file_names(cli, tmp_path):
    pytest.importorskip("loss_advisor.surfaces.logs_cli")
    column = "loss|x`y"
    log = tmp_path / "run|2`.csv"
    rows = [f'step,"{column}"']
    rows += [f"{i},{2.3 * math.exp(-i / 60) + 0.1}" for i in range(200)]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = cli("logs", str(log), "--train-col", column, "--format", "json", "--lang", "en")
    assert data.code == 0, data.err
    findings = json.loads(data.out)["probes"][0]["findings"]
    md = cli("logs", str(log), "--train-col", column, "--format", "markdown", "--lang", "en")
    assert md.code == 0, md.err
    tokens = parser().parse(md.out)
    assert headings(tokens, 2)[0] == t("report.summary", "en")
    for table in tables(tokens, md.out):
        assert len(set(table["pipes"])) == 1
    assert column in parser().render(md.out) and log.name in parser().render(md.out)   # shown, as text
    chart = chart_titled(mermaid_charts(tokens), "Training loss by step")
    ys = findings["train"]["losses"]
    plotted = [math.log10(v) for v in ys] if max(ys) / min(ys) >= 100 else ys
    assert close(chart["series"][0][2], bin_means(list(range(len(plotted))), plotted)[1])
    assert len(chart["series"][0][2]) == min(len(ys), MAX_POINTS)

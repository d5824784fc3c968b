"""The plain command line: kb show, ask, usage errors."""
from __future__ import annotations


def test_kb_show_in_both_languages(cli, kb):
    ja = cli("kb", "show", "--lang", "ja")
    en = cli("kb", "show", "--lang", "en")
    assert ja.code == en.code == 0
    assert "学習中、lossはどう見えていますか?" in ja.out
    assert "What do you see when you train?" in en.out
    for qid in kb.questions:
        assert f"[{qid}]" in en.out


def test_ask_reaches_a_diagnosis_and_going_back_works(cli):
    # nan -> "from the first step" -> back -> "later" -> data contains NaN -> finish
    answers = "2\n1\nb\n2\n1\nq\n"
    result = cli("ask", "--lang", "en", stdin=answers)
    assert result.code == 0
    assert "Does the loss" not in result.err
    assert "nonfinite_data" in result.out
    assert "Result" in result.out


def test_ask_rejects_an_invalid_choice(cli):
    result = cli("ask", "--lang", "ja", stdin="99\nq\n")
    assert result.code == 0
    assert "表示された番号" in result.out


def test_ask_to_the_end_of_the_tree(cli, kb):
    import json
    result = cli("ask", "--lang", "en", "--format", "json", stdin="10\n" + "1\n" * 40)
    assert result.code == 0
    assert "No more questions." in result.err          # the dialogue goes to stderr
    data = json.loads(result.out)                       # and stdout holds the JSON alone
    assert data["mode"] == "ask" and data["path"][0]["question"] == kb.root


def test_unknown_command_is_a_usage_error(cli):
    assert cli("frobnicate").code == 2

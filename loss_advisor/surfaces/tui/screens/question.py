"""The question view: the question, why we ask, the answers, "measure it"."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Static

from loss_advisor.core.engine import Question
from loss_advisor.core.i18n import pick, t
from loss_advisor.surfaces.tui.keys import key
from loss_advisor.surfaces.tui.messages import QuestionChosen
from loss_advisor.surfaces.tui.widgets.answered import PROBE_MARK, USER_MARK, AnswerLog
from loss_advisor.surfaces.tui.screens.base import MainView

ANSWER_KEYS = "1234567890"


class QuestionScreen(MainView):
    VIEW = "questions"
    BINDINGS = [
        *[key(k, f"answer({i})", "answer", group=True) for i, k in enumerate(ANSWER_KEYS)],
        key("m", "measure", "measure"),
        key("a", "measure_all", "measure_all"),
        key("b", "back", "back"),
        key("u", "clear", "clear"),
        key("escape", "stop_review", "return"),
        key("r", "restart", "restart"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.reviewing: str | None = None
        self._shown: tuple | None = None      # what the answer buttons show now

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(id="question-pane"):
            yield Static(id="q-status")
            yield Static(id="q-section")
            yield Static(id="q-text")
            yield Static(id="q-why")
            yield Static(id="q-note")
            yield Button(id="measure", compact=True)
            with Vertical(id="answers"):
                for i in range(len(ANSWER_KEYS)):
                    yield Button(id=f"answer-{i}", classes="answer", compact=True)
            yield Static(id="answered-heading")
            yield AnswerLog(id="answered")

    # --- what is shown -----------------------------------------------------------
    def shown(self) -> Question | None:
        if self.reviewing is not None:
            return self.ctl.question(self.reviewing)
        return self.ctl.current()

    def render_content(self) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        if self.reviewing is not None and ctl.record(self.reviewing) is None:
            self.reviewing = None         # nothing left to review: back to the current question
        q = self.shown()
        section = self.query_one("#q-section", Static)
        text = self.query_one("#q-text", Static)
        why = self.query_one("#q-why", Static)
        note = self.query_one("#q-note", Static)
        measure = self.query_one("#measure", Button)
        if q is None:
            section.update("")
            text.update(Text(t("tui.q.done", lang), style="bold"))
            why.display = False
            note.display = False
            measure.display = False
            self._set_answers(None)
        else:
            path = [r.question for r in ctl.session.path()]
            number = path.index(q.id) + 1 if q.id in path else len(path) + 1
            title = t("tui.q.number", lang, n=number)
            if q.section and q.section in ctl.kb.sections:
                title += " · " + pick(ctl.kb.sections[q.section].title, lang)
            section.update(Text(title, style="dim"))
            text.update(Text(pick(q.text, lang), style="bold"))
            why.display = True
            why.update(Text(t("tui.q.why", lang, why=pick(q.why, lang)), style="italic"))
            lines = self._notes(q)
            note.display = bool(lines)
            note.update(Text("\n").join(lines))
            self._set_measure(q, measure)
            self._set_answers(q)
        status = self.query_one("#q-status", Static)
        status.display = bool(self.app.status) and self.reviewing is None
        status.update(Text("\n").join(self.app.status))
        self.query_one("#answered-heading", Static).update(Text(t("tui.q.answered", lang), style="bold"))
        log = self.query_one("#answered", AnswerLog)
        log.show(ctl)
        if not log.option_count:
            log.display = False
            self.query_one("#answered-heading", Static).update(
                Text(t("tui.q.answered", lang) + "\n", style="bold").append(t("tui.q.answered_none", lang), style="dim"))
        else:
            log.display = True

    def _notes(self, q: Question) -> list[Text]:
        ctl, lang = self.ctl, self.ctl.lang
        lines: list[Text] = []
        if self.reviewing is not None:
            lines.append(Text(t("tui.q.reviewing", lang), style="reverse"))
        rec, measured = ctl.record(q.id), ctl.probe_record(q.id)
        if rec is not None and rec.by_probe:
            lines.append(Text(f"{PROBE_MARK} " + t("tui.q.by_probe", lang, source=rec.source.removeprefix("probe:"),
                                                   text=ctl.session.describe(rec)), style="cyan"))
        elif rec is not None and measured is not None and measured.answer != rec.answer:
            lines.append(Text(f"{USER_MARK} " + t("tui.q.overridden", lang,
                                                  answer=pick(q.answer(measured.answer).label, lang),
                                                  text=ctl.session.describe(measured)), style="yellow"))
        if ctl.session.can_measure(q.id) and rec is None:
            if not ctl.attached:
                lines.append(Text(t("tui.q.attach_hint", lang), style="dim"))
            elif ctl.probes_for(q.id) and not ctl.pending_probes(q.id):
                ran = [n for n in ctl.probes_for(q.id) if ctl.summaries[n].status == "ok"]
                if ran:
                    lines.append(Text(t("tui.q.measured_inconclusive", lang, probes=", ".join(ran)), style="yellow"))
                else:      # nothing was measured: say why, not "Measured"
                    why = "; ".join(f"{n}: {ctl.summaries[n].message_in(lang) or t('status.' + ctl.summaries[n].status, lang)}"
                                    for n in ctl.probes_for(q.id))
                    lines.append(Text(t("tui.q.not_measured", lang, probes=why), style="yellow"))
        return lines

    def _set_answers(self, q: Question | None) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        rec = ctl.record(q.id) if q is not None else None
        state = (q.id if q else None, lang, rec, self.reviewing)
        if state == self._shown:
            return
        question_changed = self._shown is None or self._shown[0] != state[0] or self._shown[3] != state[3]
        self._shown = state
        answers = q.answers if q is not None else ()
        buttons = list(self.query_one("#answers", Vertical).query(Button))
        for i, button in enumerate(buttons):
            if i >= len(answers):
                button.display = False
                continue
            a = answers[i]
            label = Text(f"{ANSWER_KEYS[i]}  ", style="bold") + Text(pick(a.label, lang))
            chosen = rec is not None and rec.answer == a.id
            if chosen:
                mark = t("tui.q.marker_probe" if rec.by_probe else "tui.q.marker_user", lang)
                label.append(f"  {PROBE_MARK if rec.by_probe else USER_MARK} {mark}")
            button.label = label
            button.set_class(chosen, "-chosen")
            button.display = True
        if not question_changed or q is None:
            return
        measure = self.query_one("#measure", Button)
        if self.reviewing is None and measure.display and not measure.disabled:
            measure.focus(scroll_visible=False)
        elif answers:
            buttons[0].focus(scroll_visible=False)
        self.query_one("#question-pane", VerticalScroll).scroll_home(animate=False)

    def _set_measure(self, q: Question, measure: Button) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        can = ctl.can_measure(q.id) and ctl.record(q.id) is None
        pending = ctl.pending_probes(q.id) if can else []
        measure.display = bool(pending)
        measure.disabled = bool(self.app.running)
        if pending:
            measure.label = Text("m  ", style="bold") + Text(t("tui.q.measure", lang, probes=", ".join(pending)))

    # --- actions ------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        q = self.shown()
        if action == "answer":
            return q is not None and parameters[0] < len(q.answers)
        if action == "measure":
            return q is not None and self.query_one("#measure", Button).display and not self.app.running
        if action == "measure_all":
            return self.ctl.attached and not self.app.running and self.ctl.request_for(None) is not None
        if action == "back":
            return bool(self.ctl.session.history)
        if action == "clear":
            return self.reviewing is not None and self.reviewing in self.ctl.session.user_answers
        if action == "stop_review":
            return self.reviewing is not None
        return True

    def action_answer(self, index: int) -> None:
        q = self.shown()
        if q is None or index >= len(q.answers):
            return
        self.reviewing = None
        self.app.answer(q.id, q.answers[index].id)

    def action_measure(self) -> None:
        q = self.shown()
        if q is not None:
            self.app.start_measure(q.id)

    def action_measure_all(self) -> None:
        self.app.start_measure(None)

    def action_back(self) -> None:
        self.reviewing = None
        self.app.back()

    def action_clear(self) -> None:
        if self.reviewing is not None:
            qid, self.reviewing = self.reviewing, None
            self.app.retract(qid)

    def action_stop_review(self) -> None:
        self.reviewing = None
        self.refresh_state()

    def action_restart(self) -> None:
        self.app.confirm_restart()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "measure":
            self.action_measure()
        elif event.button.id and event.button.id.startswith("answer-"):
            self.action_answer(int(event.button.id.split("-", 1)[1]))

    def on_question_chosen(self, message: QuestionChosen) -> None:
        message.stop()
        self.reviewing = message.question
        self.refresh_state()
        self.query_one("#question-pane", VerticalScroll).scroll_home(animate=False)

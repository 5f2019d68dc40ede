"""The real window, offscreen: ghost text, accept, dismiss, rewrite.

End-to-end tests run the tiny exported model; tests of exact text answer the window's requests
themselves (`answered`), so they never depend on what a random model happens to write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QTextCursor
from PySide6.QtWidgets import QMessageBox

from writer_app.assist.requests import AssistRequest, RequestKind
from writer_app.engine.generate import GenerationResult, GenerationStats
from writer_app.settings import Settings
from writer_app.ui.main_window import MainWindow

PROMPT = "The ship left the harbour at dawn and"


def make_window(qtbot, model: Path | str | None, **overrides) -> MainWindow:
    settings = Settings(**{"greedy": True, "alternatives": 3, "suggestion_tokens": 12, **overrides})
    window = MainWindow(settings, model=str(model) if model else None, save_settings_on_close=False)
    qtbot.addWidget(window)
    # pytest-qt closes widgets before fixtures tear down: never let a modal "save changes?" box block.
    window.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.show()
    qtbot.waitExposed(window)
    window.editor.setFocus()
    if model is not None:
        qtbot.waitUntil(lambda: window.session.model.info is not None, timeout=20000)
    return window


class Answered:
    """Stands in for the model thread: keeps what the window submits; the test streams the answers."""

    def __init__(self, window: MainWindow, monkeypatch) -> None:
        self.session = window.session
        self.submitted: list[AssistRequest] = []
        monkeypatch.setattr(window.bridge.host, "submit", self.submitted.append)

    def last(self, kind: RequestKind = RequestKind.CONTINUE) -> AssistRequest:
        return [r for r in self.submitted if r.kind is kind][-1]

    def answer(self, request: AssistRequest, *rows: str) -> None:
        for row, text in enumerate(rows):
            self.session.chunk(request.request_id, row, text)
        self.session.finished(request.request_id, GenerationResult([], GenerationStats(prompt_tokens=1)))


def type_text(window: MainWindow, text: str) -> None:
    editor = window.editor
    editor.setPlainText(text)
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.document().setModified(True)


def select(editor, start: int, end: int) -> None:
    cursor = editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def suggest(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.editor.suggestion is not None and window.editor.suggestion.finished, timeout=20000
    )


def suggest_answered(qtbot, window: MainWindow, answered: Answered, *rows: str) -> AssistRequest:
    qtbot.keyClick(window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    request = answered.last()
    answered.answer(request, *rows)
    return request


@pytest.fixture
def window(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    type_text(w, PROMPT)
    yield w
    w.editor.document().setModified(False)
    w.close()


def test_shortcut_shows_ghost_text_and_tab_accepts_as_one_undo_step(qtbot, window):
    suggest(qtbot, window)
    ghost = window.editor.ghost_text
    assert ghost
    assert window.editor.toPlainText() == PROMPT  # ghost text is not in the document
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.toPlainText() == PROMPT + ghost
    assert window.editor.suggestion is None
    assert window.editor.textCursor().position() == len(PROMPT + ghost)
    window.editor.undo()
    assert window.editor.toPlainText() == PROMPT


def test_escape_dismisses_and_leaves_text_and_undo_alone(qtbot, window):
    undo_steps = window.editor.document().availableUndoSteps()
    suggest(qtbot, window)
    assert window.editor.ghost_text
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor.suggestion is None and window.editor.ghost_text == ""
    assert window.editor.toPlainText() == PROMPT
    assert window.editor.document().availableUndoSteps() == undo_steps


def test_typing_a_matching_character_consumes_the_ghost(qtbot, window, monkeypatch):
    answered = Answered(window, monkeypatch)
    suggest_answered(qtbot, window, answered, " sails")
    qtbot.keyClick(window.editor, " ")
    qtbot.keyClick(window.editor, "s")
    assert window.editor.toPlainText() == PROMPT + " s"
    assert window.editor.suggestion is not None
    assert window.editor.ghost_text == "ails"
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.toPlainText() == PROMPT + " sails"


def test_typing_something_else_dismisses(qtbot, window):
    suggest(qtbot, window)
    ghost = window.editor.ghost_text
    other = "Q" if not ghost.startswith("Q") else "Z"
    qtbot.keyClick(window.editor, other)
    assert window.editor.suggestion is None
    assert window.editor.toPlainText() == PROMPT + other


def test_ctrl_right_accepts_one_word(qtbot, window, monkeypatch):
    answered = Answered(window, monkeypatch)
    suggest_answered(qtbot, window, answered, " the tide turned")
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == PROMPT + " the"
    assert window.editor.ghost_text == " tide turned"
    window.editor.undo()
    assert window.editor.toPlainText() == PROMPT


def test_chunks_of_an_older_request_never_reach_a_newer_suggestion(qtbot, window, monkeypatch):
    answered = Answered(window, monkeypatch)
    editor = window.editor
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    older = answered.last()
    qtbot.keyClick(editor, "x")  # the writer types on, then asks again
    assert older.cancel.is_set()
    newer = suggest_answered(qtbot, window, answered, " sea")
    assert newer.request_id != older.request_id and editor.ghost_text == " sea"
    window.session.chunk(older.request_id, 0, "STALE")  # the old request's tail arrives late
    window.session.finished(older.request_id, None)
    assert editor.ghost_text == " sea"
    assert editor.toPlainText() == PROMPT + "x"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == PROMPT + "x sea"


def test_alt_bracket_steps_through_alternatives(qtbot, window):
    suggest(qtbot, window)
    seen = [window.editor.ghost_text]
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    seen.append(window.editor.ghost_text)
    assert seen[1] != seen[0]
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.AltModifier)
    assert window.editor.ghost_text == seen[0]
    assert window.editor.toPlainText() == PROMPT


def test_ghost_text_never_reaches_a_saved_file_or_the_counts(qtbot, window, tmp_path):
    suggest(qtbot, window)
    assert window.editor.ghost_text
    target = tmp_path / "draft.txt"
    assert window.files.write_to(target)
    assert target.read_text(encoding="utf-8") == PROMPT
    window.update_counts()
    assert window.counts_label.text().startswith("8 words")


def test_chinese_via_input_method_then_continuation(qtbot, chinese_model):
    w = make_window(qtbot, chinese_model)
    editor = w.editor
    composing = QInputMethodEvent("wo", [])
    editor.inputMethodEvent(composing)
    assert editor.composing
    commit = QInputMethodEvent()
    commit.setCommitString("我们在山上")
    editor.inputMethodEvent(commit)
    assert editor.toPlainText() == "我们在山上" and not editor.composing
    suggest(qtbot, w)
    ghost = "".join(editor.suggestion.alternatives)
    assert ghost and "\ufffd" not in ghost
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText().startswith("我们在山上") and "\ufffd" not in editor.toPlainText()
    editor.document().setModified(False)
    w.close()


def test_ctrl_r_replaces_the_selection_and_undo_restores(qtbot, window, monkeypatch):
    answered = Answered(window, monkeypatch)
    editor = window.editor
    select(editor, 4, 8)  # "ship"
    qtbot.keyClick(editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    panel = window.rewrite_panel
    assert panel.isVisible()
    qtbot.keyClick(panel.mode_list, Qt.Key.Key_Return)
    request = answered.last(RequestKind.REWRITE)
    answered.answer(request, " schooner ", " boat")
    assert panel.candidate_text(0) == "schooner"
    qtbot.keyClick(panel.candidates, Qt.Key.Key_Return)
    assert editor.toPlainText() == PROMPT[:4] + "schooner" + PROMPT[8:]
    assert not panel.isVisible()
    editor.undo()
    assert editor.toPlainText() == PROMPT


def test_rewrite_with_the_real_model_streams_candidates(qtbot, window):
    select(window.editor, 4, 8)
    window.open_rewrite()
    window.run_rewrite("shorter")
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    assert window.session.rewrite is not None
    assert len(window.session.rewrite.candidates) == window.rewrite_panel.candidates.count() == 3
    assert window.rewrite_panel.status.text() == "Shorter: 3 candidates, the best first."
    assert "Enter replaces" in window.rewrite_panel.enter_label.text()  # said before Enter is pressed


def test_escape_in_rewrite_panel_keeps_the_selection(qtbot, window):
    editor = window.editor
    select(editor, 0, 8)
    window.open_rewrite()
    qtbot.keyClick(window.rewrite_panel.mode_list, Qt.Key.Key_Escape)
    assert not window.rewrite_panel.isVisible()
    assert editor.toPlainText() == PROMPT


def test_rewrite_is_refused_when_the_text_changed_meanwhile(qtbot, window):
    editor = window.editor
    select(editor, 4, 8)
    window.open_rewrite()
    window.session.rewrite.candidates = [" boat"]
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    editor.insertPlainText("Then ")
    assert window.apply_rewrite(0) is False
    assert editor.toPlainText() == "Then " + PROMPT
    assert "changed" in window.rewrite_panel.status.text()


def test_event_loop_keeps_ticking_while_a_long_generation_streams(qtbot, long_model):
    """The UI thread handles its own events between the streamed chunks, all through the stream
    (behaviour, not a time limit: each quarter of the stream sees the timer fire)."""
    w = make_window(qtbot, long_model, suggestion_tokens=400, alternatives=1)
    type_text(w, "A long road " * 20)
    ticks = 0
    timer = QTimer(interval=5)

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer.timeout.connect(tick)
    timer.start()
    ticks_at_chunk: list[int] = []
    w.bridge.host.worker.chunk.connect(lambda *_: ticks_at_chunk.append(ticks))
    suggest(qtbot, w)
    timer.stop()
    assert len(ticks_at_chunk) > 50
    quarter = len(ticks_at_chunk) // 4
    for q in range(4):
        part = ticks_at_chunk[q * quarter : (q + 1) * quarter + 1]
        assert part[-1] > part[0], f"no timer event during quarter {q + 1} of the stream"
    w.editor.document().setModified(False)
    w.close()


def test_closing_mid_generation_exits_cleanly(qtbot, long_model):
    w = make_window(qtbot, long_model, suggestion_tokens=400, alternatives=1)
    type_text(w, "Closing time")
    chunks: list[str] = []
    w.bridge.host.worker.chunk.connect(lambda _i, _r, t: chunks.append(t))
    qtbot.keyClick(w.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(chunks) > 3, timeout=20000)
    w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert w.close()
    assert w.bridge.host.thread.isFinished()


def test_unsaved_changes_prompt_can_cancel_closing(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    type_text(w, "precious words")
    w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    assert not w.close()
    assert w.isVisible() and w.editor.toPlainText() == "precious words"
    w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert w.close()


def test_without_a_model_the_editor_works_and_says_how_to_get_one(qtbot):
    w = make_window(qtbot, None)
    qtbot.waitUntil(lambda: w.session.model.error is not None, timeout=10000)
    assert "install-default" in w.statusBar().currentMessage()
    qtbot.keyClicks(w.editor, "still writing")
    qtbot.keyClick(w.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert w.editor.suggestion is None
    assert "install-default" in w.statusBar().currentMessage()
    assert w.editor.toPlainText() == "still writing"
    w.editor.document().setModified(False)
    w.close()


def test_status_bar_reports_speed_of_the_last_suggestion(qtbot, window):
    suggest(qtbot, window)
    speed = window.bridge.speed_label
    qtbot.waitUntil(lambda: "tok/s" in speed.text(), timeout=10000)
    assert window.session.last_stats is not None and window.session.last_stats.first_token_ms > 0
    assert "first token" in speed.text()
    assert re.fullmatch(r"Model: tiny \(\d+ MB\)", window.bridge.model_label.text())
    window.editor.document().setModified(False)
    window.files.new_file()  # Ctrl+N: the figure was measured on the other document
    assert speed.text() == "" and window.session.last_stats is None


def test_an_exception_in_the_worker_reaches_the_writer_as_a_message(qtbot, window, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the kernel fell over")

    monkeypatch.setattr(window.bridge.host.worker.backend.engine, "generate", broken)
    qtbot.keyClick(window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=10000)
    assert "generation failed: the kernel fell over" in window.statusBar().currentMessage()
    assert window.editor.suggestion is None and window.editor.toPlainText() == PROMPT
    assert window.bridge.host.thread.isRunning()


def test_switching_models_while_one_loads_refuses_a_rewrite_and_then_runs_it(qtbot, window, tiny_model):
    editor = window.editor
    select(editor, 4, 8)
    window.open_rewrite()
    window.session.load_model(str(tiny_model))  # a model switch: loading again
    assert window.session.model.loading
    assert window.session.run_rewrite("shorter") is False
    assert "still loading" in window.rewrite_panel.status.text()
    qtbot.waitUntil(lambda: window.session.model.info is not None, timeout=20000)
    assert window.session.run_rewrite("shorter") is True
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    assert editor.toPlainText() == PROMPT

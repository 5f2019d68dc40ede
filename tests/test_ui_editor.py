"""The real window, offscreen, with the tiny exported model: ghost text, accept, dismiss, rewrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QTextCursor
from PySide6.QtWidgets import QMessageBox

from writer_app.settings import Settings
from writer_app.ui.main_window import MainWindow

PROMPT = "The ship left the harbour at dawn and"


def make_window(qtbot, model: Path | str | None, **overrides) -> MainWindow:
    settings = Settings(**{"greedy": True, "alternatives": 3, "suggestion_tokens": 12, **overrides})
    window = MainWindow(settings, model=str(model) if model else None, save_settings_on_close=False)
    qtbot.addWidget(window)
    # pytest-qt closes widgets before fixtures tear down: never let a modal "save changes?" box block.
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.show()
    qtbot.waitExposed(window)
    window.editor.setFocus()
    if model is not None:
        qtbot.waitUntil(lambda: window.model_info is not None, timeout=20000)
    return window


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


def pick_ascii_alternative(window: MainWindow) -> str:
    """Cycle to an alternative whose ghost starts with a plain ASCII letter or space (safe to keyClick)."""
    for _ in range(len(window.editor.suggestion.alternatives)):
        ghost = window.editor.ghost_text
        if ghost and (ghost[0].isascii() and (ghost[0].isalpha() or ghost[0] == " ")):
            return ghost
        window.editor.cycle(1)
    pytest.skip("no alternative starts with an ASCII character for this random model")


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


def test_escape_dismisses_and_leaves_text_alone(qtbot, window):
    suggest(qtbot, window)
    assert window.editor.ghost_text
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor.suggestion is None
    assert window.editor.toPlainText() == PROMPT
    assert not window.editor.document().isUndoAvailable() or window.editor.toPlainText() == PROMPT


def test_typing_a_matching_character_consumes_the_ghost(qtbot, window):
    suggest(qtbot, window)
    ghost = pick_ascii_alternative(window)
    qtbot.keyClick(window.editor, ghost[0])
    assert window.editor.toPlainText() == PROMPT + ghost[0]
    if len(ghost) > 1:
        assert window.editor.suggestion is not None
        assert window.editor.ghost_text == ghost[1:]


def test_typing_something_else_dismisses(qtbot, window):
    suggest(qtbot, window)
    ghost = window.editor.ghost_text
    other = "Q" if not ghost.startswith("Q") else "Z"
    qtbot.keyClick(window.editor, other)
    assert window.editor.suggestion is None
    assert window.editor.toPlainText() == PROMPT + other


def test_ctrl_right_accepts_one_word(qtbot, window):
    suggest(qtbot, window)
    ghost = window.editor.ghost_text
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    accepted = window.editor.toPlainText()[len(PROMPT) :]
    assert accepted and ghost.startswith(accepted)
    assert window.editor.ghost_text == ghost[len(accepted) :]


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
    assert window.write_to(target)
    assert target.read_text(encoding="utf-8") == PROMPT
    window.update_counts()
    assert window.counts_label.text().startswith("8 words")


def test_stale_result_after_the_writer_kept_typing_is_dropped(qtbot, window):
    editor = window.editor
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    first = editor.suggestion.request_id
    qtbot.keyClick(editor, "x")  # the writer types on before the result arrives
    assert editor.suggestion is None
    # Whatever the worker still sends for the old request is dropped, never inserted.
    assert editor.append_suggestion(first, 0, "STALE") is False
    window._on_chunk(first, 0, "STALE")
    qtbot.wait(300)
    assert editor.toPlainText() == PROMPT + "x"
    assert "STALE" not in editor.toPlainText()
    assert editor.suggestion is None


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


def test_ctrl_r_replaces_the_selection_and_undo_restores(qtbot, window):
    editor = window.editor
    select(editor, 4, 8)  # "ship"
    qtbot.keyClick(editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    panel = window.rewrite_panel
    assert panel.isVisible()
    qtbot.keyClick(panel.mode_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window._rewrite_request is None, timeout=20000)
    candidate = panel.candidate_text(0).strip()
    if not candidate:
        pytest.skip("the random model wrote an empty first candidate")
    qtbot.keyClick(panel.candidates, Qt.Key.Key_Return)
    assert editor.toPlainText() == PROMPT[:4] + candidate + PROMPT[8:]
    assert not panel.isVisible()
    editor.undo()
    assert editor.toPlainText() == PROMPT


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
    window.rewrite_panel.start("Shorter", 1)
    window.rewrite_panel.append(0, " boat")
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    editor.insertPlainText("Then ")
    assert window.apply_rewrite(0) is False
    assert editor.toPlainText() == "Then " + PROMPT


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
    w.host.worker.chunk.connect(lambda *_: ticks_at_chunk.append(ticks))
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
    w.host.worker.chunk.connect(lambda _i, _r, t: chunks.append(t))
    qtbot.keyClick(w.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(chunks) > 3, timeout=20000)
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert w.close()
    assert w.host.thread.isFinished()


def test_unsaved_changes_prompt_can_cancel_closing(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    type_text(w, "precious words")
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    assert not w.close()
    assert w.isVisible() and w.editor.toPlainText() == "precious words"
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert w.close()


def test_without_a_model_the_editor_works_and_says_how_to_get_one(qtbot):
    w = make_window(qtbot, None)
    qtbot.waitUntil(lambda: w.model_error is not None, timeout=10000)
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
    qtbot.waitUntil(lambda: "tok/s" in window.speed_label.text(), timeout=10000)
    assert window.last_stats is not None and window.last_stats.first_token_ms > 0
    assert "first token" in window.speed_label.text()
    assert window.model_label.text() == "Model: tiny"

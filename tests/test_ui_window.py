"""Window features around the editor: files, encodings, find/replace, counts, settings, auto-suggest."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.test_ui_editor import make_window, type_text
from writer_app.assist.requests import RequestKind
from writer_app.engine.sampling import SamplingParams
from writer_app.settings import SETTING_LIMITS, Settings, load_settings
from writer_app.ui.find_dialog import FindReplaceDialog
from writer_app.ui.settings_dialog import SettingsDialog
from writer_app.ui.word_count import count_words


def test_open_edit_save_round_trip_keeps_newlines(qtbot, tmp_path):
    doc = tmp_path / "letter.txt"
    doc.write_bytes(b"Dear Ana,\r\nThe sea was calm.\r\n")
    w = make_window(qtbot, None)
    assert w.files.open_path(doc)
    assert w.editor.toPlainText() == "Dear Ana,\nThe sea was calm.\n"
    assert not w.isWindowModified() and "letter.txt" in w.windowTitle()
    w.editor.moveCursor(w.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(w.editor, "Yours")
    assert w.editor.document().isModified()
    assert w.files.save()
    assert doc.read_bytes() == b"Dear Ana,\r\nThe sea was calm.\r\nYours"
    assert not w.editor.document().isModified()
    assert str(doc) in w.settings.recent_files


def test_non_utf8_file_opens_in_the_encoding_the_writer_picks(qtbot, tmp_path):
    doc = tmp_path / "gbk.txt"
    doc.write_bytes("山水之间".encode("gb18030"))
    w = make_window(qtbot, None)
    offered: list[list[str]] = []
    w.files.ask_encoding = lambda _path, candidates: offered.append(candidates) or "gb18030"
    assert w.files.open_path(doc)
    assert w.editor.toPlainText() == "山水之间" and w.files.encoding == "gb18030"
    assert "gb18030" in offered[0]
    w.files.ask_encoding = lambda _path, _candidates: None  # the writer cancels: nothing changes
    other = tmp_path / "other.txt"
    other.write_bytes("山".encode("gb18030") + b"\xff")
    assert not w.files.open_path(other, ask_to_save=False)
    assert w.editor.toPlainText() == "山水之间"


def test_a_file_that_does_not_exist_yet_opens_empty_and_is_created_on_save(qtbot, tmp_path):
    w = make_window(qtbot, None)
    target = tmp_path / "new-chapter.md"
    assert w.files.open_path(target)
    qtbot.keyClicks(w.editor, "# One")
    assert w.files.save()
    assert target.read_text(encoding="utf-8") == "# One"


def test_failed_save_keeps_the_text_and_says_why(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, None)
    type_text(w, "unsaved words")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    assert not w.files.write_to(tmp_path / "no-such-folder" / "x.txt")
    assert shown and "could not save" in shown[0]
    assert w.editor.toPlainText() == "unsaved words" and w.editor.document().isModified()


def test_replace_all_is_one_undo_step(qtbot):
    w = make_window(qtbot, None)
    type_text(w, "cat and cat and Cat")
    dialog = FindReplaceDialog(w.editor, w)
    dialog.find_edit.setText("cat")
    dialog.replace_edit.setText("dog")
    assert dialog.replace_all() == 3
    assert w.editor.toPlainText() == "dog and dog and dog"
    w.editor.undo()
    assert w.editor.toPlainText() == "cat and cat and Cat"
    dialog.case.setChecked(True)
    assert dialog.replace_all() == 2


def test_find_next_wraps_around(qtbot):
    w = make_window(qtbot, None)
    type_text(w, "one two one")
    dialog = FindReplaceDialog(w.editor, w)
    dialog.find_edit.setText("one")
    assert dialog.find_next()
    assert w.editor.textCursor().selectionStart() == 0  # wrapped from the end
    assert dialog.find_next()
    assert w.editor.textCursor().selectionStart() == 8


def test_latin_text_is_counted_in_words_and_chinese_in_zi():
    assert count_words("The sea, the sky.") == (4, 0)
    assert count_words("我们在山上，看海。") == (0, 7)  # punctuation is not a 字
    assert count_words("Mara 说 hello") == (2, 1)


def test_the_status_bar_counts_as_a_writer_of_each_language_does(qtbot):
    w = make_window(qtbot, None)
    w._show_counts(86, 0, 420)
    assert w.counts_label.text() == "86 words · 420 characters"
    w._show_counts(0, 86, 94)  # a Chinese paragraph: 字, not "86 words"
    assert w.counts_label.text() == "86 字 · 94 characters"
    w._show_counts(3, 40, 60)
    assert w.counts_label.text() == "40 字 · 3 words · 60 characters"
    w._show_counts(0, 0, 0)
    assert w.counts_label.text() == "0 words · 0 characters"


def test_settings_dialog_returns_the_edited_settings(qtbot):
    dialog = SettingsDialog(Settings(), ["gpt2", "smollm2-135m-instruct"])
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("gpt2"))
    assert dialog.instruction_model.currentText() == "(a model that follows instructions)"
    dialog.instruction_model.setCurrentIndex(dialog.instruction_model.findData("smollm2-135m-instruct"))
    dialog.tokens.setValue(40)
    dialog.alternatives.setValue(2)
    dialog.auto.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    result = dialog.result_settings()
    assert (result.model, result.suggestion_tokens, result.alternatives) == ("gpt2", 40, 2)
    assert result.instruction_model == "smollm2-135m-instruct"
    assert result.auto_suggest and result.theme == "dark" and result.problems() == []


def test_settings_are_saved_on_close(qtbot):
    w = make_window(qtbot, None)
    w.save_settings_on_close = True
    w.toggle_dark(True)
    w.close()
    saved, messages = load_settings()
    assert saved.theme == "dark" and messages == []


def test_auto_suggest_asks_after_a_pause_only_when_enabled(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model, auto_suggest=True, auto_suggest_delay_ms=100)
    w.editor.setFocus()
    qtbot.keyClicks(w.editor, "The rain")
    qtbot.waitUntil(lambda: w.editor.suggestion is not None, timeout=5000)
    qtbot.keyClick(w.editor, Qt.Key.Key_Escape)

    off = make_window(qtbot, tiny_model, auto_suggest=False, auto_suggest_delay_ms=100)
    off.editor.setFocus()
    qtbot.keyClicks(off.editor, "The rain")
    qtbot.wait(400)
    assert off.editor.suggestion is None


def test_a_pause_warms_the_cache_so_the_next_suggestion_reuses_it(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    kinds: list[RequestKind] = []
    host = w.bridge.host
    submit = host.submit
    host.submit = lambda request: kinds.append(request.kind) or submit(request)
    type_text(w, "The ferry left the harbour a little after six, while the town slept")
    qtbot.waitUntil(lambda: RequestKind.WARM in kinds and not w.session.busy, timeout=5000)
    qtbot.keyClick(w.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: kinds[-1] is RequestKind.CONTINUE and not w.session.busy, timeout=10000)
    stats = w.session.last_stats
    assert stats is not None and stats.reused_tokens == stats.prompt_tokens - 1


def test_asking_for_a_suggestion_cancels_a_warm_up(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    type_text(w, "Rain on the roof")
    assert w.session.warm()
    [warm] = w.session.requests.live(RequestKind.WARM)
    assert w.session.request_suggestion()
    assert warm.cancel.is_set()
    qtbot.waitUntil(lambda: not w.session.busy, timeout=10000)


def test_settings_dialog_ranges_and_defaults_come_from_one_table(qtbot):
    dialog = SettingsDialog(Settings(), [])
    qtbot.addWidget(dialog)
    boxes = {
        "temperature": dialog.temperature,
        "top_p": dialog.top_p,
        "top_k": dialog.top_k,
        "repetition_penalty": dialog.repetition_penalty,
        "suggestion_tokens": dialog.tokens,
        "alternatives": dialog.alternatives,
    }
    for name, box in boxes.items():
        assert (box.minimum(), box.maximum()) == SETTING_LIMITS[name], name
    defaults = SamplingParams()
    assert (dialog.top_k.value(), dialog.temperature.value()) == (defaults.top_k, defaults.temperature)
    dialog.top_k.setValue(7)
    assert dialog.result_settings().top_k == 7


def test_counts_follow_edits_in_slices_that_never_hold_up_typing(qtbot, monkeypatch):
    import writer_app.ui.word_count as word_count

    w = make_window(qtbot, None)
    reported: list[tuple[int, int, int]] = []
    w.word_counter.on_counts = lambda words, han, chars: reported.append((words, han, chars))
    monkeypatch.setattr(word_count, "SLICE_MS", 0.2)
    w.word_counter._pause.setInterval(10)
    w.word_counter.slices = 0
    text = "\n".join(f"Line {i} of the long chapter, 中文" for i in range(3000))
    type_text(w, text)
    qtbot.waitUntil(lambda: bool(reported), timeout=10000)
    assert reported[-1] == (3000 * 6, 3000 * 2, len(text))
    assert w.word_counter.slices > 3  # the sweep yielded to the event loop between slices

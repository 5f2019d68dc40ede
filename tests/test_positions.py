"""One position unit: the session counts code points, Qt counts UTF-16 units, and the Qt adapter
converts at the edge. An emoji, a supplementary-plane CJK character (𠀀 𪚥), a ZWJ sequence or a
skin-tone modifier is never split, by a conversion or by accepting ghost text word by word."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given
from PySide6.QtCore import Qt

from tests.test_ui_editor import Answered, make_window, suggest_answered
from writer_app.document.positions import Utf16Positions, utf16_length

HARD = ["a", " ", "\n", "中", "😀", "𠀀", "𪚥", "👩‍💻", "👍🏽", "e\u0301", "\r\n", "𝒜"]
HARD_TEXT = st.lists(st.sampled_from(HARD), max_size=12).map("".join)


def units_of(text: str, points: int) -> int:
    return len(text[:points].encode("utf-16-le")) // 2


@given(HARD_TEXT)
def test_positions_convert_both_ways_as_qt_counts(text):
    positions = Utf16Positions(text)
    assert utf16_length(text) == len(text.encode("utf-16-le")) // 2
    for points in range(len(text) + 1):
        units = units_of(text, points)
        assert positions.to_units(points) == units
        assert positions.to_points(units) == points


def test_a_position_inside_a_surrogate_pair_falls_before_the_character():
    positions = Utf16Positions("a😀b")
    assert [positions.to_points(u) for u in range(5)] == [0, 1, 1, 2, 3]


@given(HARD_TEXT, st.data())
def test_positions_follow_edits(text, data):
    positions = Utf16Positions(text)
    for _ in range(4):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        added = data.draw(HARD_TEXT)
        positions.edit(units_of(text, start), units_of(text, end) - units_of(text, start), added)
        text = text[:start] + added + text[end:]
        assert all(positions.to_units(p) == units_of(text, p) for p in range(len(text) + 1))


# --- the real window, offscreen ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "ghost",
    [" 😀 ok then", " 𠀀𪚥 字 then", " 👩‍💻 codes 👍🏽 well", " é\u0301 x 𝒜𝒷 done"],
)
def test_accepting_word_by_word_keeps_every_character(qtbot, monkeypatch, tmp_path, ghost):
    """The emoji that vanished: Ctrl+Right through ghost text with non-BMP characters, then save."""
    window = make_window(qtbot, None)
    answered = Answered(window, monkeypatch)
    window.session.model_loaded(_model_info())
    window.editor.insertPlainText("Hi 🙂")
    suggest_answered(qtbot, window, answered, ghost)
    assert window.editor.ghost_text == ghost
    while window.editor.ghost_text:
        qtbot.keyClick(window.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.files.text() == "Hi 🙂" + ghost
    path = tmp_path / "hi.txt"
    assert window.files.write_to(path)
    assert path.read_bytes() == ("Hi 🙂" + ghost).encode("utf-8")
    window.editor.undo()  # each word was its own step: undo takes back the last one, whole
    undone = window.files.text()
    assert undone != "Hi 🙂" + ghost and ("Hi 🙂" + ghost).startswith(undone)


def test_accept_all_type_through_and_cycle_after_emoji(qtbot, monkeypatch):
    window = make_window(qtbot, None)
    answered = Answered(window, monkeypatch)
    window.session.model_loaded(_model_info())
    window.editor.insertPlainText("𠀀😀 then")
    suggest_answered(qtbot, window, answered, " the 🌊 sea", " a 🚢 ship")
    qtbot.keyClick(window.editor, Qt.Key.Key_Space)  # typed through: both alternatives begin with it
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    assert window.editor.ghost_text == "a 🚢 ship"
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.files.text() == "𠀀😀 then a 🚢 ship"
    assert window.editor.cursor_position() == len("𠀀😀 then a 🚢 ship")


def test_the_session_reads_code_points_from_the_editor(qtbot):
    window = make_window(qtbot, None)
    window.editor.insertPlainText("😀𠀀ab\n中😀x")
    document = window.bridge.document
    assert document.length() == len("😀𠀀ab\n中😀x")
    assert document.text(1, 4) == "𠀀ab"
    assert document.char_at(6) == "😀"
    assert document.cursor() == (len("😀𠀀ab\n中😀x"), False)
    assert document.paragraph_at(7) == (5, 8)
    cursor = window.editor.textCursor()
    cursor.setPosition(2)  # after the first emoji, in Qt's units
    cursor.setPosition(5, cursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    assert document.selection() == (1, 3)


def _model_info():
    from writer_app.assist.requests import ModelInfo

    return ModelInfo("fake", 1024, False, None, 0.0, 1)

"""The words the model weighed: at the cursor (or after the kept ghost text), with their probabilities,
equal to a direct computation from the logits; picking one writes on from it."""

from __future__ import annotations

import numpy as np

from tests.session_fakes import make_session, model
from writer_app.assist.requests import RequestKind
from writer_app.engine.completion import GenerationResult, GenerationStats
from writer_app.engine.generate import Engine


def test_choices_are_the_most_likely_next_pieces(tiny_engine: Engine):
    prompt = "The river ran past the mill and"
    choices = tiny_engine.next_token_choices(prompt, k=5)
    assert choices is not None and len(choices) == 5
    logits, _ = tiny_engine.model.forward(
        np.array([tiny_engine.codec.encode(prompt)]), tiny_engine.model.empty_cache()
    )
    row = logits[0].astype(np.float64)
    probs = np.exp(row - row.max())
    probs /= probs.sum()
    expected = [tiny_engine.codec.decode([int(t)]) for t in np.argsort(-probs)[:5]]
    assert [text for text, _ in choices] == expected
    assert [round(p, 6) for _, p in choices] == [round(float(probs[t]), 6) for t in np.argsort(-probs)[:5]]
    assert all(a >= b for (_, a), (_, b) in zip(choices, choices[1:], strict=False))
    # The prompt is now in the prefix cache: a suggestion on it reuses all but its last token.
    assert (
        tiny_engine.generate(prompt, max_new_tokens=2).stats.reused_tokens
        >= len(tiny_engine.codec.encode(prompt)) - 1
    )


def test_picking_a_word_starts_a_suggestion_with_it():
    h = make_session("The river ran", loaded=model(), alternatives=2)
    assert h.session.request_suggestion()
    first = h.engine.of_kind(RequestKind.CONTINUE)[0]
    h.engine.answer(first, " past the mill", " into the sea")
    assert h.session.choices.request(ghost_offset=len(" past"))
    [asked] = h.engine.of_kind(RequestKind.CHOICES)
    assert asked.prompt == "The river ran past" and asked.num_alternatives == 8
    h.session.finished(
        asked.request_id, GenerationResult([], GenerationStats(), choices=[(" a", 0.4), (" the", 0.3)])
    )
    assert h.seen.choices[-1] == (" past", [(" a", 0.4), (" the", 0.3)])
    assert h.session.choices.choose(" the", " past")
    restarted = h.engine.of_kind(RequestKind.CONTINUE)[-1]
    assert restarted.prompt == "The river ran past the"
    assert h.session.ghost().text == " past the"  # the writer's pick shows at once; the rest streams in
    h.engine.answer(restarted, " old mill", " weir")
    assert h.session.ghost().text == " past the old mill"


def test_choices_that_arrive_after_an_edit_are_dropped():
    h = make_session("The river ran", loaded=model())
    assert h.session.choices.request()
    [asked] = h.engine.of_kind(RequestKind.CHOICES)
    h.doc.type("x")
    h.session.finished(asked.request_id, GenerationResult([], GenerationStats(), choices=[(" a", 0.4)]))
    assert h.seen.choices == []


def test_alt_down_opens_the_menu_and_a_pick_becomes_ghost_text(qtbot, tiny_model):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model, alternatives=1)
    window.editor.setPlainText("The river ran past the mill and")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(window.editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.editor.choice_menu is not None, timeout=20000)
    actions = window.editor.choice_menu.actions()
    assert len(actions) == 8 and all("%" in a.text() for a in actions)
    picked = actions[2].text().split("\t")[0].replace("·", " ", 1)
    actions[2].trigger()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    assert window.session.ghost() is not None
    assert window.session.ghost().text.startswith(picked)
    assert window.editor.toPlainText() == "The river ran past the mill and"  # nothing written behind the back


def test_the_models_accepted_text_is_tracked_until_the_writer_edits_it():
    from writer_app.assist.word_choices import WrittenText

    written = WrittenText()
    written.expect(10, 5)
    written.edit(10, 0, 5)  # the accepted text arrives
    assert written.spans == [(10, 15)] and written.at(12) == (10, 15) and written.at(15) is None
    written.edit(0, 0, 3)  # typing before it moves it
    assert written.spans == [(13, 18)]
    written.edit(20, 0, 4)  # typing after it leaves it
    assert written.spans == [(13, 18)]
    written.expect(18, 6)
    written.edit(18, 0, 6)  # accepted right after: one span
    assert written.spans == [(13, 24)]
    written.edit(15, 1, 1)  # the writer changed a character of it: it is theirs now
    assert written.spans == []


def test_picking_inside_accepted_text_takes_out_the_rest_and_writes_it_anew():
    h = make_session("The river ran", loaded=model(), alternatives=1)
    assert h.session.request_suggestion()
    h.engine.answer(h.engine.of_kind(RequestKind.CONTINUE)[0], " past the old mill")
    edit = h.session.accept_all()
    h.doc.insert(edit.start, edit.text, own=True)
    assert h.session.choices.written.spans == [(13, 31)]
    h.doc.position = len("The river ran past")
    assert h.session.choices.request()
    rest = h.session.choices.take_out_rest()
    assert rest is not None and (rest.start, rest.end, rest.text) == (18, 31, "")
    h.doc.replace(rest.start, rest.end, "", own=True)
    assert h.session.choices.choose(" a")
    assert h.engine.of_kind(RequestKind.CONTINUE)[-1].prompt == "The river ran past a"
    h.doc.position = 2  # the writer's own text: choices come, nothing is taken out
    assert h.session.choices.request() and h.session.choices.take_out_rest() is None


def test_in_the_window_a_pick_inside_accepted_text_rewrites_the_rest_in_one_undo_step(qtbot, tiny_model):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model, alternatives=1)
    window.editor.setPlainText("The river ran")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.session.busy and window.session.ghost() is not None, timeout=20000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    accepted = window.editor.toPlainText()
    assert len(accepted) > len("The river ran") + 3
    cursor = window.editor.textCursor()
    cursor.setPosition(len("The river ran") + 2)
    window.editor.setTextCursor(cursor)
    qtbot.keyClick(window.editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.editor.choice_menu is not None, timeout=20000)
    window.editor.choice_menu.actions()[1].trigger()
    assert window.editor.toPlainText() == accepted[: len("The river ran") + 2]  # the rest is out
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    assert window.session.ghost() is not None
    window.session.dismiss()
    window.editor.undo()
    assert window.editor.toPlainText() == accepted  # one step brings the model's old text back

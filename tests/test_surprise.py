"""The surprise view: each token's rank among the model's predictions, equal to a direct computation
from the logits; scored in the background, dropped when stale, coloured in the editor."""

from __future__ import annotations

import numpy as np

from tests.session_fakes import SyncEngine, make_session, model
from writer_app.assist.requests import RequestKind
from writer_app.engine.completion import TokenSurprise
from writer_app.engine.generate import Engine

PASSAGE = "The river ran past the old mill, and the miller watched it from the door."


def test_ranks_equal_a_direct_computation_from_the_logits(tiny_engine: Engine):
    context = "It was evening."
    ranks = tiny_engine.surprise(PASSAGE, context)
    codec, graph = tiny_engine.codec, tiny_engine.model
    ids = codec.encode(PASSAGE)
    assert ranks is not None and len(ranks) == len(ids)
    past = graph.empty_cache()
    logits, past = graph.forward(np.array([codec.encode(context)]), past)
    for token, scored in zip(ids, ranks, strict=True):
        row = logits[0]
        assert scored.rank == 1 + int(np.sum(row > row[token]))
        logits, past = graph.forward(np.array([[token]]), past)
    assert "".join(PASSAGE[r.start : r.end] for r in ranks).replace(" ", "") == PASSAGE.replace(" ", "")
    no_context = tiny_engine.surprise(PASSAGE)
    assert no_context is not None and len(no_context) == len(ids) - 1  # the first token has no prediction


def test_bands_follow_gltr():
    assert [TokenSurprise(0, 1, r).band for r in (1, 2, 10, 11, 100, 101, 5000)] == [0, 1, 1, 2, 2, 3, 3]


def test_the_view_scores_the_paragraph_after_a_pause_and_drops_stale_results(tiny_model):
    text = "First paragraph here.\n" + PASSAGE + "\nLast one."
    engine = SyncEngine(Engine.load(tiny_model, threads=1))
    h = make_session(text, engine=engine, loaded=model(context=96))
    h.doc.position = len("First paragraph here.\n") + 5
    h.session.surprise.toggle(True)
    h.clock.advance(10_000)
    start, ranks = h.seen.surprises[-1]
    assert start == len("First paragraph here.\n") and ranks
    assert max(r.end for r in ranks) <= len(PASSAGE)
    h.doc.type("x")  # an edit: the colours no longer fit
    assert h.seen.surprises[-1] == (0, [])
    h.session.surprise.toggle(False)
    assert h.seen.surprises[-1] == (0, [])


def test_a_suggestion_cancels_the_scoring_and_a_late_result_is_dropped():
    h = make_session(PASSAGE, loaded=model())
    h.session.surprise.toggle(True)
    h.clock.advance(10_000)
    [scoring] = h.engine.of_kind(RequestKind.SURPRISE)
    assert scoring.subject == PASSAGE and not scoring.cancel.is_set()
    assert h.session.request_suggestion()
    assert scoring.cancel.is_set()
    count = len(h.seen.surprises)
    h.session.finished(scoring.request_id, None)
    assert len(h.seen.surprises) == count


def test_the_editor_colours_each_token_by_its_band(qtbot, tiny_model):
    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model)
    window.editor.setPlainText(PASSAGE)
    window.session.surprise.toggle(True)
    qtbot.waitUntil(lambda: len(window.editor.extraSelections()) > 5, timeout=20000)
    selections = window.editor.extraSelections()
    assert all(s.format.background().color().alpha() == 255 for s in selections)
    window.editor.insertPlainText("x")
    qtbot.waitUntil(lambda: not window.editor.extraSelections(), timeout=5000)

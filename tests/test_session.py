"""The writing session, driven as a writer would, with a fake engine, clock and document. No Qt."""

from __future__ import annotations

from tests.session_fakes import make_session, model
from writer_app.assist.requests import AssistError, ErrorKind, RequestKind
from writer_app.assist.session import WARM_DELAY_MS
from writer_app.assist.suggestion import mid_word
from writer_app.assist.wording import no_model_hint, still_loading
from writer_app.engine.sampling import SamplingParams
from writer_app.settings import Settings

TEXT = "The ship left the harbour at dawn and"


def suggest(h, *rows: str):
    assert h.session.request_suggestion()
    request = h.engine.of_kind(RequestKind.CONTINUE)[-1]
    if rows:
        h.engine.answer(request, *rows)
    return request


def test_a_suggestion_streams_into_ghost_text_and_tab_inserts_it():
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    assert request.prompt == TEXT and request.revision == h.session.revision
    h.session.chunk(request.request_id, 0, " with")
    assert h.seen.ghost is not None and (h.seen.ghost.anchor, h.seen.ghost.text) == (len(TEXT), " with")
    h.session.chunk(request.request_id, 0, " the tide")
    h.engine.answer(request)
    edit = h.session.accept_all()
    assert (edit.start, edit.end, edit.text) == (len(TEXT), len(TEXT), " with the tide")
    assert h.seen.ghost is None and h.session.suggestion is None
    assert h.seen.stats[-1] is not None and h.seen.stats[-1].prompt_tokens == 10


def test_typing_through_shrinks_the_ghost_and_keeps_the_suggestion():
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    h.session.chunk(request.request_id, 0, " sails")
    h.doc.type(" s")
    assert h.doc.content == TEXT + " s"
    assert h.seen.ghost.text == "ails" and h.seen.ghost.anchor == len(TEXT) + 2
    h.session.chunk(request.request_id, 0, " high")  # own edits keep the suggestion's revision current
    assert h.seen.ghost.text == "ails high"
    h.doc.type("x")  # a different character: an ordinary edit dismisses
    assert h.session.suggestion is None and h.seen.ghost is None
    assert request.cancel.is_set()


def test_accepting_word_by_word_then_the_rest():
    h = make_session(TEXT, loaded=model())
    suggest(h, " the tide turned")
    h.doc.apply(h.session.accept_word())
    assert h.doc.content == TEXT + " the" and h.seen.ghost.text == " tide turned"
    h.doc.apply(h.session.accept_all())
    assert h.doc.content == TEXT + " the tide turned" and h.session.suggestion is None


def test_cycling_follows_alternatives_that_still_match():
    h = make_session(TEXT, loaded=model(), alternatives=3)
    suggest(h, " red", " blue", " rose")
    assert h.seen.ghost.text == " red"
    assert h.session.cycle(1) and h.seen.ghost.text == " blue"
    assert h.seen.messages[-1] == "Suggestion 2 of 3"  # where the writer is among them
    assert h.session.cycle(-1) and h.seen.ghost.text == " red"
    assert h.seen.messages[-1] == "Suggestion 1 of 3"
    h.doc.type(" r")  # only " red" and " rose" still match
    assert h.session.cycle(1) and h.seen.ghost.text == "ose"
    assert h.seen.messages[-1] == "Suggestion 2 of 2"
    assert h.session.cycle(1) and h.seen.ghost.text == "ed"


def test_chunks_of_an_older_request_never_reach_a_newer_suggestion():
    h = make_session(TEXT, loaded=model())
    older = suggest(h)
    h.session.chunk(older.request_id, 0, " old")
    h.doc.type("!")  # the writer types on: the old suggestion goes, its request is cancelled
    assert older.cancel.is_set() and h.session.suggestion is None
    newer = suggest(h, " new")
    h.session.chunk(older.request_id, 0, " STALE")
    h.session.finished(older.request_id, None)
    assert h.session.suggestion is not None and h.session.suggestion.request_id == newer.request_id
    assert h.seen.ghost.text == " new"
    assert "STALE" not in "".join(h.session.suggestion.alternatives)


def test_a_chunk_for_an_older_document_revision_is_dropped():
    """Same request id, but the document changed behind the suggestion (e.g. a replace-all while it
    streamed, with the suggestion kept): its text no longer fits the document, so it is dropped."""
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    h.session.chunk(request.request_id, 0, " and")
    suggestion = h.session.suggestion
    h.session.revision += 1  # a change the suggestion was not moved along with
    h.session.chunk(request.request_id, 0, " STALE")
    assert suggestion.alternatives[0] == " and" and h.seen.ghost.text == " and"


def test_without_a_model_requests_are_refused_with_the_install_hint():
    h = make_session(TEXT)
    h.session.model_failed(AssistError(ErrorKind.NO_MODEL, "no model is installed; run ..."))
    assert h.seen.messages[-1] == no_model_hint()
    assert not h.session.request_suggestion()
    h.session.begin_rewrite(0, 3, "The")
    assert not h.session.run_rewrite("shorter")
    assert h.engine.submitted == [] and h.seen.messages[-1] == no_model_hint()


def test_a_broken_model_says_what_is_wrong():
    h = make_session(TEXT)
    h.session.model_failed(AssistError(ErrorKind.MODEL_BROKEN, "model.onnx is corrupt"))
    assert not h.session.request_suggestion()
    assert h.seen.messages[-1] == "model.onnx is corrupt"
    assert h.seen.models[-1].error.kind is ErrorKind.MODEL_BROKEN


def test_a_rewrite_while_the_model_loads_is_refused_until_it_is_ready():
    h = make_session(TEXT)
    h.session.load_model("smollm2")
    assert h.engine.loads == ["smollm2"] and h.seen.models[-1].loading
    h.session.begin_rewrite(4, 8, "ship")
    assert not h.session.run_rewrite("formal")
    assert h.seen.rewrite[-1] == ("done", still_loading())
    assert h.engine.of_kind(RequestKind.REWRITE) == []
    h.session.model_loaded(model("smollm2", instruct=True))
    assert h.session.run_rewrite("formal")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    assert request.prompt.startswith("<|im_start|>system") and "ship" in request.prompt


def test_continuations_queue_while_the_model_loads():
    h = make_session(TEXT)
    h.session.load_model("")
    assert h.session.request_suggestion()
    assert h.engine.of_kind(RequestKind.CONTINUE)[-1].prompt == TEXT


def test_a_model_switch_cancels_what_was_in_flight():
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    h.session.load_model("other")
    assert request.cancel.is_set()


def test_a_plain_model_gets_gpt2_cues_and_the_rewrite_applies_as_one_edit():
    h = make_session(TEXT, loaded=model(instruct=False))
    h.session.begin_rewrite(4, 8, "ship")
    assert h.session.run_rewrite("tldr")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    assert request.prompt.endswith("TL;DR:") and request.num_alternatives == 2
    h.engine.answer(request, " schooner\n", " boat")
    assert ("started", "TL;DR summary", 2) in h.seen.rewrite and h.seen.rewrite[-1][0] == "done"
    edit = h.session.apply_rewrite(0)
    assert (edit.start, edit.end, edit.text) == (4, 8, "schooner")
    assert h.session.rewrite is None


def test_a_rewrite_is_refused_when_the_text_changed_meanwhile():
    h = make_session(TEXT, loaded=model())
    h.session.begin_rewrite(4, 8, "ship")
    h.session.run_rewrite("shorter")
    h.engine.answer(h.engine.of_kind(RequestKind.REWRITE)[-1], " boat")
    h.doc.insert(0, "Then ")
    assert h.session.apply_rewrite(0) is None
    assert "changed" in h.seen.rewrite[-1][1]


def test_failures_are_routed_by_kind_not_by_message():
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    h.session.failed(request.request_id, AssistError(ErrorKind.GENERATION_FAILED, "generation failed: boom"))
    assert h.session.suggestion is None and h.seen.messages[-1] == "generation failed: boom"
    h.session.begin_rewrite(4, 8, "ship")
    h.session.run_rewrite("shorter")
    rewrite = h.engine.of_kind(RequestKind.REWRITE)[-1]
    h.session.failed(rewrite.request_id, AssistError(ErrorKind.NO_MODEL, "no model is loaded"))
    assert h.seen.rewrite[-1] == ("done", no_model_hint())
    shown = len(h.seen.messages)
    h.session.cursor_moved()
    h.clock.advance(WARM_DELAY_MS)
    [warm] = h.engine.of_kind(RequestKind.WARM)
    h.session.failed(warm.request_id, AssistError(ErrorKind.GENERATION_FAILED, "warm-up broke"))
    assert len(h.seen.messages) == shown  # the writer asked for nothing: nothing is shown
    assert not h.session.busy


def test_a_pause_warms_exactly_the_prompt_the_next_suggestion_runs():
    h = make_session(TEXT, loaded=model())
    h.engine.submitted.clear()
    h.doc.type(" the")
    h.clock.advance(WARM_DELAY_MS - 1)
    assert h.engine.of_kind(RequestKind.WARM) == []
    h.clock.advance(1)
    [warm] = h.engine.of_kind(RequestKind.WARM)
    assert warm.prompt == TEXT + " the" and warm.max_new_tokens == 12
    request = suggest(h)
    assert warm.cancel.is_set()
    assert (request.prompt, request.max_prompt_tokens) == (warm.prompt, warm.max_prompt_tokens)


def test_no_warm_up_while_the_writers_own_request_runs_or_a_suggestion_shows():
    h = make_session(TEXT, loaded=model())
    suggest(h)
    h.session.cursor_moved()
    h.clock.advance(WARM_DELAY_MS)
    assert h.engine.of_kind(RequestKind.WARM) == []
    h.session.set_composing(True)
    assert not h.session.warm()


def test_sampling_follows_the_settings_top_k_included():
    h = make_session(TEXT, loaded=model(), greedy=False, temperature=0.7, top_p=0.9, top_k=12)
    request = suggest(h)
    wanted = SamplingParams(greedy=False, temperature=0.7, top_p=0.9, top_k=12, no_repeat_ngram=4)
    assert request.sampling == wanted  # and ghost text never repeats 4 tokens of its own
    h.session.settings_changed(Settings(top_k=3, repetition_penalty=1.3))
    assert suggest(h).sampling.top_k == 3 and h.engine.submitted[-1].sampling.repetition_penalty == 1.3


def test_auto_suggest_waits_for_a_pause_and_never_splits_a_word():
    h = make_session("", loaded=model(), auto_suggest=True, auto_suggest_delay_ms=700)
    h.doc.type("The rain")
    h.clock.advance(699)
    assert h.engine.of_kind(RequestKind.CONTINUE) == []
    h.clock.advance(1)
    assert len(h.engine.of_kind(RequestKind.CONTINUE)) == 1
    h.session.dismiss()

    h.doc.position = len("The ")
    h.doc.type("d")  # "The d|rain": a suggestion here would split the word
    h.clock.advance(700)
    assert len(h.engine.of_kind(RequestKind.CONTINUE)) == 1
    h.doc.position = len(h.doc.content)
    h.doc.type(" ")
    h.clock.advance(700)
    assert len(h.engine.of_kind(RequestKind.CONTINUE)) == 2


def test_auto_suggest_holds_back_while_composing_selecting_or_unfocused():
    h = make_session("", loaded=model(), auto_suggest=True, auto_suggest_delay_ms=100)
    h.doc.type("Rain ")
    h.session.set_composing(True)
    h.clock.advance(100)
    h.session.set_composing(False)
    h.doc.selected = True
    h.doc.type("x")
    h.clock.advance(100)
    h.doc.selected, h.doc.focused = False, False
    h.doc.type("y")
    h.clock.advance(100)
    assert h.engine.of_kind(RequestKind.CONTINUE) == []
    off = make_session("", loaded=model(), auto_suggest=False)
    off.doc.type("Rain ")
    off.clock.advance(10000)
    assert off.engine.of_kind(RequestKind.CONTINUE) == []


def test_mid_word_rule():
    assert mid_word("n") and mid_word("你")
    assert not mid_word("") and not mid_word(" ") and not mid_word("\n") and not mid_word("\u2029")


def test_composing_dismisses_and_blocks_suggestions():
    h = make_session(TEXT, loaded=model())
    suggest(h, " x")
    h.session.set_composing(True)
    assert h.session.suggestion is None and not h.session.request_suggestion()


def test_the_context_window_is_read_by_position_not_the_whole_document():
    text = "word " * 20000  # 100,000 characters
    h = make_session(text, loaded=model())
    h.doc.chars_read = 0
    for _ in range(20):
        h.doc.type("a")
    assert h.doc.chars_read == 0  # keystrokes read nothing
    request = suggest(h)
    assert len(request.prompt) <= h.session.window.max_chars
    assert h.doc.chars_read <= 2 * h.session.window.max_chars + 400


def test_shutdown_cancels_everything():
    h = make_session(TEXT, loaded=model())
    request = suggest(h)
    h.session.shutdown()
    assert request.cancel.is_set() and h.session.suggestion is None
    h.clock.advance(10000)
    assert h.engine.of_kind(RequestKind.WARM) == []


def test_control_characters_a_model_writes_never_reach_the_document(tmp_path):
    """A suggestion holding U+0000 (or an escape, a bell, a carriage return), once accepted and saved,
    made the file refuse to open as text."""
    from writer_app.document.textfile import read_text_file, save_text_atomic

    h = make_session("The sea", loaded=model())
    assert h.session.request_suggestion()
    [request] = h.engine.of_kind(RequestKind.CONTINUE)
    h.engine.answer(request, " was\x00 \x1bgrey\x07\r\n\tand\x7f calm", " lay")
    assert h.seen.ghost.text == " was grey\n\tand calm"
    h.doc.apply(h.session.accept_all())
    save_text_atomic(tmp_path / "sea.txt", h.doc.content)
    assert read_text_file(tmp_path / "sea.txt").text == "The sea was grey\n\tand calm"

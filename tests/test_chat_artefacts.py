"""Ghost text stays the writer's prose: an instruct model's chat talk is cut where it begins, the
paragraph it continues ends it, and greedy decoding does not loop."""

from __future__ import annotations

import pytest

from tests.session_fakes import make_session, model
from tests.test_session import suggest
from writer_app.assist.chat_artefacts import cut_artefacts, uses_markdown
from writer_app.assist.requests import RequestKind
from writer_app.engine.completion import find_stop
from writer_app.engine.sampling import SamplingParams, repeating_tokens

# Continuations real instruct models wrote on prose (SmolLM2-135M-Instruct, Qwen2.5-0.5B-Instruct), and
# what the writer should be offered of each.
REAL = [
    (
        "\n\nI made a few changes to make the text more concise and impactful. I removed the phrase",
        "",
    ),
    (" It's a perfect winter destination, and I'm happy to share this with you.", ""),
    (
        " It's the perfect winter destination. I'm excited to share it with you.",
        " It's the perfect winter destination.",
    ),
    ('\n- "The Waterproof Boilermaker" – a 2015 film about a company', ""),
    ("的应用前景广阔。以下是一些关键点，帮助你更好地理解…\n1. **个性化服务**", "的应用前景广阔。"),
    (" she said at last<|im_end|>", " she said at last"),
]
PROSE = [
    ' "Sure," he said, and handed her the key.',
    " The keeper said: here is the key. Of course, it was rusted.",
    "他当然知道。好的，我们走吧。",
    " Here are the letters she never sent.",
]


@pytest.mark.parametrize(("written", "offered"), REAL)
def test_chat_talk_in_a_continuation_is_cut_where_its_sentence_begins(written, offered):
    kept, _cut = cut_artefacts(written)
    assert kept == offered


@pytest.mark.parametrize("prose", PROSE)
def test_prose_that_only_looks_like_talk_is_kept(prose):
    assert cut_artefacts(prose) == (prose, False)


def test_markdown_is_the_writers_own_in_a_markdown_document():
    assert uses_markdown("# Notes\n\n- one\n- two") and not uses_markdown("Plain prose. With - a dash.")
    assert cut_artefacts(" and **bold** words", markdown_is_prose=True)[1] is False
    assert cut_artefacts(" and **bold** words")[1] is True


def test_streamed_ghost_text_stops_where_the_chat_talk_begins():
    h = make_session("The boats lay still.", loaded=model(instruct=True))
    request = suggest(h)
    for piece in [" The harbour", " slept.", " Here are", " some tips", " for sailing:", " more"]:
        h.session.chunk(request.request_id, 0, piece)
    assert h.session.suggestion.ghost == " The harbour slept."


def test_ghost_text_ends_with_its_paragraph_unless_it_begins_one():
    h = make_session("The boats lay still.", loaded=model())
    assert suggest(h).stop_at == "line"
    assert find_stop("\n\nA new paragraph.", "line") == 0  # at a line's end: no new paragraph
    h2 = make_session("The boats lay still.\n\n", loaded=model())
    assert suggest(h2).stop_at == "newline"  # at an empty line it writes one paragraph
    assert find_stop("\n\nA new paragraph.\nAnother", "newline") == len("\n\nA new paragraph.")
    # a sentence ends at its paragraph's end too
    assert find_stop(" and the harbour\nslept. More", "sentence") == len(" and the harbour")


def test_the_repeat_guard_refuses_the_token_that_would_write_a_run_again():
    # "They use them to create . They use them" -> "to" would repeat the run "They use them to"
    they, use, them, to, create, dot = 1, 2, 3, 4, 5, 6
    written = [they, use, them, to, create, dot, they, use, them]
    assert repeating_tokens(written, 4) == [to]
    assert repeating_tokens(written, 0) == [] and repeating_tokens([they, use], 4) == []
    with pytest.raises(ValueError):
        SamplingParams(no_repeat_ngram=1).validate()


def test_greedy_with_the_guard_never_writes_the_same_four_tokens_twice(tiny_engine):
    plain = tiny_engine.generate("the the the", max_new_tokens=40)
    guarded = tiny_engine.generate(
        "the the the", max_new_tokens=40, sampling=SamplingParams(no_repeat_ngram=4)
    )
    runs = lambda ids: [tuple(ids[i : i + 4]) for i in range(len(ids) - 3)]  # noqa: E731
    assert len(set(runs(plain.completions[0].token_ids))) < len(runs(plain.completions[0].token_ids))
    guarded_runs = runs(guarded.completions[0].token_ids)
    assert len(set(guarded_runs)) == len(guarded_runs)


def test_the_cli_continuation_has_the_guard_too(tiny_home, capsys):
    from writer_app.cli import main

    assert main(["complete", "the the the", "--model", "tiny", "--max-new-tokens", "30", "--stats"]) == 0
    assert capsys.readouterr().out.strip()


def test_a_rewrite_is_not_cut_or_guarded():
    """A chorus repeats its hook; a task's answer is the model's to shape (its own stop rules)."""
    h = make_session("The boats lay still.", loaded=model(instruct=True))
    h.session.begin_rewrite(0, 20, "The boats lay still.")
    assert h.session.run_rewrite("formal")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    assert request.sampling.no_repeat_ngram == 0

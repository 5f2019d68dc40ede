"""Generate-loop behaviour: sampling, alternatives, prefix reuse, stop rules, cancellation."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from writer_app.engine.generate import Engine, find_stop
from writer_app.engine.sampling import SamplingParams
from writer_app.errors import ModelError

SAMPLED = SamplingParams(greedy=False, temperature=1.0, top_k=0, top_p=1.0, seed=7)


def test_sampling_with_seed_is_reproducible(tiny_engine):
    a = tiny_engine.generate("Once upon a time", max_new_tokens=16, sampling=SAMPLED)
    b = tiny_engine.generate("Once upon a time", max_new_tokens=16, sampling=SAMPLED)
    assert a.completions[0].token_ids == b.completions[0].token_ids
    other = SamplingParams(greedy=False, temperature=1.0, top_k=0, top_p=1.0, seed=8)
    c = tiny_engine.generate("Once upon a time", max_new_tokens=16, sampling=other)
    assert c.completions[0].token_ids != a.completions[0].token_ids


def test_greedy_alternatives_start_differently_and_first_is_greedy(tiny_engine):
    one = tiny_engine.generate("The garden was", max_new_tokens=10)
    three = tiny_engine.generate("The garden was", max_new_tokens=10, num_alternatives=3)
    assert len(three.completions) == 3
    assert three.completions[0].token_ids == one.completions[0].token_ids
    firsts = [c.token_ids[0] for c in three.completions]
    assert len(set(firsts)) == 3


def test_streamed_alternatives_arrive_per_row(tiny_engine):
    pieces: dict[int, list[str]] = {0: [], 1: []}
    result = tiny_engine.generate(
        "Rain fell", max_new_tokens=8, num_alternatives=2, on_text=lambda r, t: pieces[r].append(t)
    )
    for row in (0, 1):
        assert "".join(pieces[row]) == result.completions[row].text


def test_prefix_reuse_gives_the_same_tokens_as_a_fresh_engine(tiny_model):
    warm = Engine.load(tiny_model, threads=1)
    warm.generate("The letter arrived on a Tuesday, and she", max_new_tokens=4)
    again = warm.generate("The letter arrived on a Tuesday, and she read it", max_new_tokens=12)
    assert again.stats.reused_tokens > 5
    fresh = Engine.load(tiny_model, threads=1).generate(
        "The letter arrived on a Tuesday, and she read it", max_new_tokens=12
    )
    assert fresh.stats.reused_tokens == 0
    assert again.completions[0].token_ids == fresh.completions[0].token_ids


def test_same_prompt_twice_reuses_all_but_the_last_token(tiny_model):
    engine = Engine.load(tiny_model, threads=1)
    first = engine.generate("Same words again", max_new_tokens=6)
    second = engine.generate("Same words again", max_new_tokens=6)
    assert second.stats.reused_tokens == second.stats.prompt_tokens - 1
    assert second.completions[0].token_ids == first.completions[0].token_ids


def test_cancel_stops_within_one_token(tiny_engine):
    cancel = threading.Event()
    seen: list[str] = []

    def on_text(_row: int, text: str) -> None:
        seen.append(text)
        cancel.set()

    result = tiny_engine.generate("Keep going", max_new_tokens=40, cancel=cancel, on_text=on_text)
    assert result.completions[0].finish_reason == "cancelled"
    assert len(result.completions[0].token_ids) <= 2


def test_cancel_before_start_generates_nothing(tiny_engine):
    cancel = threading.Event()
    cancel.set()
    result = tiny_engine.generate("Never mind", max_new_tokens=40, cancel=cancel)
    assert result.completions[0].finish_reason == "cancelled"
    assert result.completions[0].token_ids == []


def test_stats_are_filled(tiny_engine):
    stats = tiny_engine.generate("Numbers please", max_new_tokens=6).stats
    assert stats.prompt_tokens > 0 and stats.new_tokens > 0
    assert stats.prefill_ms > 0 and stats.first_token_ms > 0 and stats.decode_ms_per_token > 0
    assert set(stats.as_dict()) >= {
        "prompt_tokens",
        "new_tokens",
        "load_ms",
        "prefill_ms",
        "decode_ms_per_token",
    }


@pytest.mark.parametrize(
    ("text", "rule", "cut"),
    [
        ("Hello there. And more", "sentence", len("Hello there.")),
        ('She said "Stop!" and left', "sentence", len('She said "Stop!"')),
        ("他走了。然后", "sentence", len("他走了。")),
        ("version 1.5 is out", "sentence", None),
        ("no space yet.", "sentence", None),
        ("one line\nnext", "newline", len("one line")),
        ("\nleading newline only", "newline", None),
        ("anything. at all", None, None),
    ],
)
def test_find_stop(text, rule, cut):
    assert find_stop(text, rule) == cut


def scripted(engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Make the engine 'choose' exactly the tokens of text, then end of text: a deterministic model."""
    tokens = iter(engine.codec.encode(text))
    eos = min(engine.spec.eos_token_ids)
    monkeypatch.setattr(engine, "_first_tokens", lambda *_args: [next(tokens)])
    monkeypatch.setattr(engine, "_choose", lambda *_args: next(tokens, eos))


@pytest.mark.parametrize(
    ("rule", "written", "kept"),
    [
        ("sentence", " It rained all night. Then the sun came out.", " It rained all night."),
        ("sentence", " 他走了。然后雨停了。", " 他走了。"),
        ("sentence", " Version 1.5 is out", " Version 1.5 is out"),
        ("newline", " First line\nSecond line", " First line"),
        (None, " One. Two.\nThree", " One. Two.\nThree"),
    ],
)
def test_the_generate_loop_stops_at_the_rule(tiny_engine, monkeypatch, rule, written, kept):
    scripted(tiny_engine, monkeypatch, written)
    streamed: list[str] = []
    result = tiny_engine.generate(
        "A story.", max_new_tokens=40, stop_at=rule, on_text=lambda _row, text: streamed.append(text)
    )
    completion = result.completions[0]
    assert completion.text == kept and "".join(streamed) == kept
    assert completion.finish_reason == ("eos" if kept == written else "stop")
    # It stops within a few tokens of the end it found, not at max_new_tokens.
    assert result.stats.new_tokens <= len(tiny_engine.codec.encode(kept)) + 3


def test_bad_parameters_raise_value_error(tiny_engine):
    with pytest.raises(ValueError):
        tiny_engine.generate("x", max_new_tokens=0)
    with pytest.raises(ValueError):
        tiny_engine.generate("x", sampling=SamplingParams(greedy=False, temperature=0))
    with pytest.raises(ValueError):
        tiny_engine.generate("x", stop_at="paragraph")


def test_repetition_penalty_discourages_repeats(tiny_engine):
    plain = tiny_engine.generate("la la la la la la", max_new_tokens=24)
    penalised = tiny_engine.generate(
        "la la la la la la", max_new_tokens=24, sampling=SamplingParams(repetition_penalty=3.0)
    )

    def distinct(ids: list[int]) -> float:
        return len(set(ids)) / max(1, len(ids))

    assert distinct(penalised.completions[0].token_ids) >= distinct(plain.completions[0].token_ids)
    assert penalised.completions[0].token_ids != plain.completions[0].token_ids


def test_warming_runs_the_prompt_so_the_request_reuses_all_of_it(tiny_model):
    prompt = "The letter arrived on a Tuesday, and she read it twice before"
    engine = Engine.load(tiny_model, threads=1)
    warmed = engine.warm(prompt, max_new_tokens=12)
    result = engine.generate(prompt, max_new_tokens=12)
    assert result.stats.prompt_tokens == warmed.prompt_tokens
    assert result.stats.reused_tokens == warmed.prompt_tokens - 1  # only the last token runs again
    fresh = Engine.load(tiny_model, threads=1).generate(prompt, max_new_tokens=12)
    assert result.completions[0].token_ids == fresh.completions[0].token_ids


def test_max_prompt_tokens_keeps_the_newest_tokens(long_model):
    ids = list(range(1000, 1300))
    engine = Engine.load(long_model, threads=1)
    capped = engine.generate(ids, max_new_tokens=6, max_prompt_tokens=100)
    assert 50 <= capped.stats.prompt_tokens <= 100
    tail = ids[-capped.stats.prompt_tokens :]
    same = Engine.load(long_model, threads=1).generate(tail, max_new_tokens=6)
    assert capped.completions[0].token_ids == same.completions[0].token_ids


def test_invalid_numbers_from_the_model_are_a_clear_error(tiny_engine, monkeypatch):
    real = tiny_engine.model.forward

    def damaged(input_ids, past):
        logits, present = real(input_ids, past)
        return np.full_like(logits, np.nan), present

    monkeypatch.setattr(tiny_engine.model, "forward", damaged)
    for sampling in (SamplingParams(), SAMPLED):
        with pytest.raises(ModelError, match="tiny computes invalid numbers .* damaged"):
            tiny_engine.generate("The harbour", max_new_tokens=4, sampling=sampling)


def test_a_time_budget_ends_the_completions(tiny_engine):
    result = tiny_engine.generate("The river", max_new_tokens=60, num_alternatives=2, time_budget_ms=0.001)
    assert {c.finish_reason for c in result.completions} == {"time"}
    assert all(len(c.token_ids) == 1 for c in result.completions)
    unbounded = tiny_engine.generate("The river", max_new_tokens=8, time_budget_ms=None)
    assert unbounded.completions[0].finish_reason in ("length", "eos")


def test_alternatives_are_ranked_by_the_models_own_probability(tiny_engine):
    import numpy as np

    from writer_app.engine.completion import Completion, GenerationResult, GenerationStats

    result = tiny_engine.generate("The river", max_new_tokens=6, num_alternatives=3)
    means = [c.mean_logprob for c in result.completions]
    assert all(m < 0 for m in means)
    assert result.ranked()[0] == int(np.argmax(means))  # greedy row 0 starts from the top token
    # Recomputed by hand for the first completion: the sum of log-softmax at each chosen token.
    first = result.completions[0]
    model = tiny_engine.model
    past, total = model.empty_cache(), 0.0
    logits, past = model.forward(np.array([tiny_engine.codec.encode("The river")]), past)
    for token in first.token_ids:
        row = logits[0].astype(np.float64)
        total += row[token] - row.max() - np.log(np.exp(row - row.max()).sum())
        logits, past = model.forward(np.array([[token]]), past)
    assert abs(total - first.logprob) < 1e-3
    made = GenerationResult(
        [
            Completion("a", [1, 2], logprob=-4.0),
            Completion("b", [1], logprob=-1.0),
            Completion("a", [1], logprob=-0.5),
            Completion("  ", [1], logprob=-0.1),
        ],
        GenerationStats(),
    )
    assert made.ranked() == [2, 1]  # most probable first; "a" once; blank dropped

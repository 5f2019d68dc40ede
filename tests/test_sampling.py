"""Next-token choice: greedy, top-k, top-p, temperature, repetition penalty, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from writer_app.engine.sampling import SamplingParams, apply_repetition_penalty, sample_token

LOGITS = np.array([1.0, 3.0, 2.5, -1.0, 0.0], dtype=np.float32)


def draws(params: SamplingParams, n: int = 300) -> list[int]:
    rng = np.random.default_rng(params.seed)
    return [sample_token(LOGITS, params, rng) for _ in range(n)]


def test_greedy_takes_the_argmax():
    assert sample_token(LOGITS, SamplingParams(greedy=True), np.random.default_rng(0)) == 1


def test_top_k_one_and_tiny_top_p_are_greedy():
    assert set(draws(SamplingParams(greedy=False, top_k=1, top_p=1.0, seed=0))) == {1}
    assert set(draws(SamplingParams(greedy=False, top_k=0, top_p=0.01, seed=0))) == {1}


def test_top_k_limits_the_candidates():
    assert set(draws(SamplingParams(greedy=False, top_k=2, top_p=1.0, temperature=2.0, seed=0))) == {1, 2}


def test_top_p_keeps_the_smallest_set_reaching_p():
    # softmax(LOGITS): token 1 ~ 0.55, token 2 ~ 0.33: p=0.8 needs both, and nothing else.
    assert set(draws(SamplingParams(greedy=False, top_k=0, top_p=0.8, seed=0))) == {1, 2}


def test_same_seed_same_draws_other_seed_other_draws():
    params = SamplingParams(greedy=False, top_k=0, top_p=1.0, temperature=1.5, seed=42)
    assert draws(params) == draws(params)
    assert draws(params) != draws(SamplingParams(greedy=False, top_k=0, top_p=1.0, temperature=1.5, seed=43))


def test_repetition_penalty_moves_seen_tokens_towards_unlikely():
    out = apply_repetition_penalty(LOGITS, [1, 3, 1], 2.0)
    assert out[1] == pytest.approx(1.5)  # positive: divided
    assert out[3] == pytest.approx(-2.0)  # negative: multiplied
    assert out[2] == LOGITS[2] and LOGITS[1] == 3.0  # others untouched, input not modified
    assert apply_repetition_penalty(LOGITS, [1], 1.0) is LOGITS


@pytest.mark.parametrize(
    "params",
    [
        SamplingParams(temperature=0),
        SamplingParams(top_k=-1),
        SamplingParams(top_p=0),
        SamplingParams(top_p=1.5),
        SamplingParams(repetition_penalty=0),
    ],
)
def test_invalid_parameters_are_rejected(params):
    with pytest.raises(ValueError):
        params.validate()

"""The KV cache: in-place buffers that grow, prefixes that share them, and what a cancel leaves."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest

from tests import fixtures_models
from tests.test_engine_parity import torch_greedy
from writer_app.engine.generate import PREFILL_CHUNK, WARM_PREFILL_CHUNK, Engine
from writer_app.engine.onnx_model import OnnxCausalLM

RNG_IDS = [int(i) for i in np.random.default_rng(3).integers(300, 20000, size=700)]


class CancelAfterChecks(threading.Event):
    """A cancel that arrives after the generator has checked it `checks` times."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.left = checks

    def is_set(self) -> bool:
        self.left -= 1
        return self.left < 0


def _ops(model: Path) -> Counter:
    return Counter(n.op_type for n in onnx.load(str(model / "model.onnx")).graph.node)


def test_gpt2_exports_attention_that_writes_its_cache_in_place(tiny_model: Path):
    graph = onnx.load(str(tiny_model / "model.onnx")).graph
    assert Counter(n.op_type for n in graph.node)["GroupQueryAttention"] == 2
    inputs = {i.name for i in graph.input}
    assert {"seqlens_k", "total_sequence_length"} <= inputs
    assert "attention_mask" not in inputs  # nothing reads it once attention is fused
    assert OnnxCausalLM(tiny_model / "model.onnx", threads=1).in_place_cache


def test_a_head_size_the_in_place_kernel_refuses_keeps_multi_head_attention(tmp_path: Path):
    src = fixtures_models.build_tiny_gpt2(tmp_path / "src", n_embd=48)  # 4 heads of 12
    fixtures_models.export_with_cli(src, tmp_path / "home", "h12")
    model = tmp_path / "home" / "models" / "h12"
    ops = _ops(model)
    assert ops["MultiHeadAttention"] == 2 and ops["GroupQueryAttention"] == 0
    from transformers import GPT2LMHeadModel

    engine = Engine.load(model, threads=1)
    assert not engine.model.in_place_cache
    prompt = "The old lighthouse keeper climbed the stairs"
    expected = torch_greedy(GPT2LMHeadModel.from_pretrained(src).eval(), engine.codec.encode(prompt), 12)
    assert engine.generate(prompt, max_new_tokens=12).completions[0].token_ids == expected


def test_token_by_token_past_the_first_buffer_equals_one_pass(long_model: Path):
    model = OnnxCausalLM(long_model / "model.onnx", threads=1)
    ids = RNG_IDS[:300]  # the first buffer holds 256 positions, so the cache grows on the way
    past = model.empty_cache()
    for token in ids:
        stepped, past = model.forward(np.array([[token]]), past)
    assert past.length == 300 and past.capacity >= 300
    whole, _ = model.forward(np.array([ids]), model.empty_cache())
    np.testing.assert_allclose(stepped, whole, atol=1e-4)


def test_truncating_shares_buffers_and_copies_take_only_the_cache(long_model: Path):
    model = OnnxCausalLM(long_model / "model.onnx", threads=1)
    _, past = model.forward(np.array([RNG_IDS[:40]]), model.empty_cache())
    short = past.truncate(10)
    assert short.length == 10 and all(short.arrays[k] is past.arrays[k] for k in past.arrays)
    three = short.repeat(3)
    assert three.batch == 3 and three.length == 10
    for name, array in three.arrays.items():
        np.testing.assert_array_equal(array[2, :, :10], past.arrays[name][0, :, :10])


def test_a_prefill_cancelled_between_chunks_leaves_a_cache_that_is_still_right(long_model: Path):
    first = RNG_IDS[:600]
    diverging = RNG_IDS[:300] + RNG_IDS[600:700] + RNG_IDS[:300]  # shares 300, then differs
    assert len(diverging) - 300 > PREFILL_CHUNK  # so its prefill takes two chunks after the shared part
    engine = Engine.load(long_model, threads=1)
    engine.generate(first, max_new_tokens=2)
    cancelled = engine.generate(diverging, max_new_tokens=4, cancel=CancelAfterChecks(1))
    assert cancelled.completions[0].finish_reason == "cancelled"
    again = engine.generate(first, max_new_tokens=6)
    fresh = Engine.load(long_model, threads=1).generate(first, max_new_tokens=6)
    assert again.completions[0].token_ids == fresh.completions[0].token_ids
    # The chunk computed before the cancel is kept: asking again reuses it.
    resumed = engine.generate(diverging, max_new_tokens=4)
    assert resumed.stats.reused_tokens >= 300


@pytest.mark.parametrize("alternatives", [1, 3])
def test_generating_after_a_longer_generation_matches_a_fresh_engine(long_model: Path, alternatives: int):
    engine = Engine.load(long_model, threads=1)
    engine.generate(RNG_IDS[:200], max_new_tokens=40, num_alternatives=alternatives)
    again = engine.generate(RNG_IDS[:120] + RNG_IDS[500:520], max_new_tokens=8, num_alternatives=alternatives)
    fresh = Engine.load(long_model, threads=1).generate(
        RNG_IDS[:120] + RNG_IDS[500:520], max_new_tokens=8, num_alternatives=alternatives
    )
    assert again.stats.reused_tokens == 120
    assert [c.token_ids for c in again.completions] == [c.token_ids for c in fresh.completions]


def test_a_cancelled_warm_up_keeps_its_finished_chunks(long_model: Path):
    engine = Engine.load(long_model, threads=1)
    stats = engine.warm(RNG_IDS[:600], max_new_tokens=8, cancel=CancelAfterChecks(1))
    assert stats.prompt_tokens == 600
    result = engine.generate(RNG_IDS[:600], max_new_tokens=8)
    assert result.stats.reused_tokens == WARM_PREFILL_CHUNK  # one chunk ran before the cancel
    fresh = Engine.load(long_model, threads=1).generate(RNG_IDS[:600], max_new_tokens=8)
    assert result.completions[0].token_ids == fresh.completions[0].token_ids


def test_rows_kept_after_others_finish_continue_exactly(long_model: Path):
    """Alternatives drop finished rows with select(); the rows left go on as if alone."""
    model = OnnxCausalLM(long_model / "model.onnx", threads=1)
    _, past = model.forward(np.array([RNG_IDS[:50]]), model.empty_cache())
    rows = past.repeat(3)
    _, rows = model.forward(np.array([[11], [12], [13]]), rows)
    kept = rows.select([0, 2])
    assert kept.batch == 2 and kept.length == 51
    batched, _ = model.forward(np.array([[21], [23]]), kept)
    for i, (first, second) in enumerate([(11, 21), (13, 23)]):
        _, alone = model.forward(np.array([[first]]), past)
        expected, _ = model.forward(np.array([[second]]), alone)
        np.testing.assert_allclose(batched[i], expected[0], atol=1e-4)


def test_the_steps_after_a_prefill_write_into_the_same_buffers(long_model: Path):
    model = OnnxCausalLM(long_model / "model.onnx", threads=1)
    _, past = model.forward(np.array([RNG_IDS[:300]]), model.empty_cache())
    buffers = {name: id(array) for name, array in past.arrays.items()}
    for token in RNG_IDS[300:316]:
        _, past = model.forward(np.array([[token]]), past)
    assert past.length == 316
    assert {name: id(array) for name, array in past.arrays.items()} == buffers


def test_ghost_text_and_a_task_keep_their_prefixes_side_by_side(long_model: Path):
    """The writer's text and a task's prompt (another head) no longer evict each other: each comes back
    to its own computed prefix, and computes what a fresh engine computes."""
    text = RNG_IDS[:300]
    task = RNG_IDS[400:460] + RNG_IDS[:100]  # a system turn and instruction, then part of the text
    engine = Engine.load(long_model, threads=1)
    engine.generate(text, max_new_tokens=4)
    assert engine.generate(task, max_new_tokens=4).stats.reused_tokens == 0
    more_text = text + RNG_IDS[600:620]
    again = engine.generate(more_text, max_new_tokens=8)
    assert again.stats.reused_tokens == 300  # one slot kept it while the task ran in the other
    another_task = RNG_IDS[400:460] + RNG_IDS[100:180]
    next_task = engine.generate(another_task, max_new_tokens=8, num_alternatives=3)
    assert next_task.stats.reused_tokens == 60  # the task's head
    fresh = Engine.load(long_model, threads=1)
    assert (
        again.completions[0].token_ids == fresh.generate(more_text, max_new_tokens=8).completions[0].token_ids
    )
    expected = fresh.generate(another_task, max_new_tokens=8, num_alternatives=3)
    assert [c.token_ids for c in next_task.completions] == [c.token_ids for c in expected.completions]


def test_a_third_kind_of_prompt_takes_the_least_recently_used_slot(long_model: Path):
    engine = Engine.load(long_model, threads=1)
    a, b, c = RNG_IDS[:100], RNG_IDS[200:300], RNG_IDS[400:500]
    for ids in (a, b, a, c):  # c evicts b, the least recently used
        engine.generate(ids, max_new_tokens=2)
    assert engine.generate(a + [7], max_new_tokens=2).stats.reused_tokens == 100  # kept
    # A prompt sharing only a first token or two (a BOS) with a slot takes the other one: it does not
    # overwrite a useful prefix.
    assert engine.generate(a[:2] + c, max_new_tokens=2).stats.reused_tokens == 0
    assert engine.generate(a + [7, 8], max_new_tokens=2).stats.reused_tokens == 101
    assert engine.generate(b + [7], max_new_tokens=2).stats.reused_tokens == 0  # c evicted it

"""The engine's greedy tokens equal transformers' PyTorch greedy tokens for the same weights."""

from __future__ import annotations

import pytest
import torch

from tests.fixtures_models import TINY_CONTEXT
from writer_app.engine.text_codec import REPLACEMENT_CHAR

PROMPTS = {
    "english": "The old lighthouse keeper climbed the stairs every evening, and",
    "chinese": "在一个寒冷的冬天，她写下了第一封信",
    "emoji": "Best day ever 🎉😀 we went to the",
    "leading_space": "   indented text",
    "newlines": "First line.\n\nSecond",
    "trailing_space": "ends with a space ",
    "tab": "\tcode",
}


def torch_greedy(model, ids: list[int], max_new: int, eos: int = 50256) -> list[int]:
    with torch.no_grad():
        out = model.generate(
            torch.tensor([ids]),
            attention_mask=torch.ones(1, len(ids), dtype=torch.long),
            max_new_tokens=max_new,
            do_sample=False,
            pad_token_id=eos,
            eos_token_id=eos,
        )
    new = out[0, len(ids) :].tolist()
    return new[: new.index(eos)] if eos in new else new


def assert_greedy_like_pytorch(engine, torch_model, prompt: str) -> None:
    """The engine's greedy tokens are PyTorch's: on a fresh prompt, then at later positions on the cache
    the first request left."""
    result = engine.generate(prompt, max_new_tokens=20)
    assert result.completions[0].token_ids == torch_greedy(torch_model, engine.codec.encode(prompt), 20)
    longer = prompt + result.completions[0].text
    again = engine.generate(longer, max_new_tokens=12)
    assert again.stats.reused_tokens > 0
    assert again.completions[0].token_ids == torch_greedy(torch_model, engine.codec.encode(longer), 12)


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_greedy_tokens_equal_pytorch(name, tiny_engine, tiny_torch):
    prompt = PROMPTS[name]
    streamed: list[str] = []
    result = tiny_engine.generate(prompt, max_new_tokens=24, on_text=lambda _row, t: streamed.append(t))
    completion = result.completions[0]
    expected = torch_greedy(tiny_torch, tiny_engine.codec.encode(prompt), 24)
    assert completion.token_ids == expected
    assert len(completion.token_ids) > 0
    # Streamed text equals the one-shot decode of the same tokens, and no delta carries a broken char.
    assert "".join(streamed) == completion.text
    assert completion.text == tiny_engine.codec.decode(completion.token_ids).replace(REPLACEMENT_CHAR, "")
    assert all(REPLACEMENT_CHAR not in piece for piece in streamed)


def test_prompt_longer_than_context_keeps_newest_tokens(tiny_engine, tiny_torch):
    prompt = " ".join(f"word{i}" for i in range(200))
    ids = tiny_engine.codec.encode(prompt)
    assert len(ids) > TINY_CONTEXT
    max_new = 16
    window = tiny_engine.window(ids, max_new)
    assert len(window) + max_new <= TINY_CONTEXT
    assert window == ids[-len(window) :]  # the newest text is kept
    result = tiny_engine.generate(prompt, max_new_tokens=max_new)
    assert result.stats.prompt_tokens == len(window)
    assert result.completions[0].token_ids == torch_greedy(tiny_torch, window, max_new)


def test_empty_prompt_starts_from_end_of_text(tiny_engine, tiny_torch):
    result = tiny_engine.generate("", max_new_tokens=8)
    assert result.completions[0].token_ids == torch_greedy(tiny_torch, [50256], 8)


def test_max_new_tokens_is_respected(tiny_engine):
    result = tiny_engine.generate("Counting:", max_new_tokens=5)
    assert result.stats.new_tokens <= 5
    assert len(result.completions[0].token_ids) <= 5

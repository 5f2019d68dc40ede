"""Rewrite presets are data; GPT-2 gets its own cues, instruction models get ChatML."""

from __future__ import annotations

from writer_app.assist.prompts import MAX_REWRITE_TOKENS, mode_by_id, rewrite_modes, rewrite_prompt


def test_all_modes_from_resources():
    ids = {m.id for m in rewrite_modes()}
    assert {"shorter", "longer", "formal", "vivid", "tldr", "headline", "continue"} <= ids


def test_plain_gpt2_tldr_uses_its_own_cue():
    plan = rewrite_prompt(mode_by_id("tldr"), "  A long text.  ", selection_tokens=100, prompt_format=None)
    assert plan.prompt == "A long text.\n\nTL;DR:"
    assert plan.stop_at == "newline"
    assert 16 <= plan.max_new_tokens <= MAX_REWRITE_TOKENS


def test_instruction_model_gets_chatml():
    plan = rewrite_prompt(mode_by_id("formal"), "hey there", selection_tokens=3, prompt_format="chatml")
    assert plan.prompt.startswith("<|im_start|>system\n")
    assert "hey there" in plan.prompt
    assert plan.prompt.endswith("<|im_start|>assistant\n")


def test_budget_follows_selection_length_within_bounds():
    short = rewrite_prompt(mode_by_id("longer"), "x", selection_tokens=1, prompt_format=None)
    long = rewrite_prompt(mode_by_id("longer"), "x", selection_tokens=1000, prompt_format=None)
    assert short.max_new_tokens == 16
    assert long.max_new_tokens == MAX_REWRITE_TOKENS
    assert (
        rewrite_prompt(mode_by_id("headline"), "x", selection_tokens=500, prompt_format=None).max_new_tokens
        == 20
    )

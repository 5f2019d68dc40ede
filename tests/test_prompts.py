"""Rewrite presets are data; GPT-2 gets its own cues, instruction models their own chat template."""

from __future__ import annotations

from tests.fixtures_models import CHATML_TEMPLATE
from writer_app.assist.prompts import MAX_REWRITE_TOKENS, mode_by_id, rewrite_modes, rewrite_prompt
from writer_app.engine.chat_template import ChatTemplate


def test_all_modes_from_resources():
    ids = {m.id for m in rewrite_modes()}
    assert {"shorter", "longer", "formal", "vivid", "tldr", "headline", "continue"} <= ids


def test_plain_gpt2_tldr_uses_its_own_cue():
    plan = rewrite_prompt(mode_by_id("tldr"), "  A long text.  ", selection_tokens=100, template=None)
    assert plan.prompt == "A long text.\n\nTL;DR:"
    assert plan.stop_at == "newline"
    assert 16 <= plan.max_new_tokens <= MAX_REWRITE_TOKENS


def test_instruction_model_gets_its_own_chat_template():
    plan = rewrite_prompt(
        mode_by_id("formal"), "hey there", selection_tokens=3, template=ChatTemplate(CHATML_TEMPLATE)
    )
    assert plan.prompt.startswith("<|im_start|>system\n")
    assert "hey there" in plan.prompt
    assert plan.prompt.endswith("<|im_start|>assistant\n")
    headers = ChatTemplate("{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant] ")
    other = rewrite_prompt(mode_by_id("formal"), "hey there", selection_tokens=3, template=headers)
    assert other.prompt.startswith("[system] ") and other.prompt.endswith("[assistant] ")
    assert "<|im_start|>" not in other.prompt


def test_budget_follows_selection_length_within_bounds():
    short = rewrite_prompt(mode_by_id("longer"), "x", selection_tokens=1, template=None)
    long = rewrite_prompt(mode_by_id("longer"), "x", selection_tokens=1000, template=None)
    assert short.max_new_tokens == 16
    assert long.max_new_tokens == MAX_REWRITE_TOKENS
    assert (
        rewrite_prompt(mode_by_id("headline"), "x", selection_tokens=500, template=None).max_new_tokens == 20
    )

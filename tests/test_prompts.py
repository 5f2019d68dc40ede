"""Tasks are data; GPT-2 gets their cue form, instruction models their instruction in its chat template."""

from __future__ import annotations

from tests.fixtures_models import CHATML_TEMPLATE
from writer_app.assist.prompts import MAX_REWRITE_TOKENS, task_prompt
from writer_app.assist.tasks import builtin_tasks, find_task
from writer_app.engine.chat_template import ChatTemplate


def test_the_seven_rewrite_modes_are_built_in_tasks():
    ids = {t.id for t in builtin_tasks()}
    assert {"shorter", "longer", "formal", "vivid", "tldr", "headline", "continue"} <= ids


def test_plain_gpt2_tldr_uses_its_own_cue():
    plan = task_prompt(_task("tldr"), "  A long text.  ", text_tokens=100, template=None)
    assert plan.prompt == "A long text.\n\nTL;DR:"
    assert plan.stop_at == "newline"
    assert 16 <= plan.max_new_tokens <= MAX_REWRITE_TOKENS


def test_instruction_model_gets_its_own_chat_template():
    plan = task_prompt(_task("formal"), "hey there", text_tokens=3, template=ChatTemplate(CHATML_TEMPLATE))
    assert plan.prompt.startswith("<|im_start|>system\n")
    assert "hey there" in plan.prompt
    assert plan.prompt.endswith("<|im_start|>assistant\n")
    headers = ChatTemplate("{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant] ")
    other = task_prompt(_task("formal"), "hey there", text_tokens=3, template=headers)
    assert other.prompt.startswith("[system] ") and other.prompt.endswith("[assistant] ")
    assert "<|im_start|>" not in other.prompt


def test_budget_follows_selection_length_within_bounds():
    short = task_prompt(_task("longer"), "x", text_tokens=1, template=None)
    long = task_prompt(_task("longer"), "x", text_tokens=1000, template=None)
    assert short.max_new_tokens == 16
    assert long.max_new_tokens == MAX_REWRITE_TOKENS
    assert task_prompt(_task("headline"), "x", text_tokens=500, template=None).max_new_tokens == 20


def _task(task_id: str):
    return find_task(list(builtin_tasks()), task_id)

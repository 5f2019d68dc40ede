"""Building prompts: a task's two forms (instruction or cue), sized to the text it reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from writer_app.assist.candidates import CHINESE_ANSWER, language_of
from writer_app.assist.tasks import Task
from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.cjk import CJK_LETTERS
from writer_app.engine.completion import lines_rule

# Tokens of text before the cursor a continuation runs at most (assist/context_window.py chooses them).
# Longer contexts cost more than they give a small model: SmolLM2 (float32) took 3.3 s to a first
# suggestion on a 2,544-token prompt against 0.9 s on 826 tokens, and decodes at 33 against 25 ms/token.
CONTINUATION_PROMPT_TOKENS = 1024
# A continuation never writes the same 4 tokens twice: SmolLM2-135M-Instruct, greedy, looped on 3 of 10
# prose openings ("She had never seen a ship sail across the ocean." three times).
CONTINUATION_NO_REPEAT = 4
MIN_REWRITE_TOKENS = 16
MAX_REWRITE_TOKENS = 256


_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")


def estimate_tokens(text: str) -> int:
    """A rough token count for sizing a rewrite: one per CJK character, one per 4 other characters."""
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + (len(text) - cjk) // 4 + 1


@dataclass(frozen=True)
class PromptPlan:
    prompt: str
    max_new_tokens: int
    stop_at: str | None
    messages: tuple[dict[str, str], ...] = ()  # the instruction as chat turns (the prompt renders them)


def chat_turns(system: str, user: str) -> tuple[dict[str, str], ...]:
    return ({"role": "system", "content": system}, {"role": "user", "content": user})


def task_prompt(
    task: Task,
    text: str,
    *,
    text_tokens: int,
    template: ChatTemplate | None,
    memory: str = "",
    chat: bool = False,
) -> PromptPlan:
    """The prompt for running `task` on `text`: its instruction in the model's own chat template for
    models that have one (or as chat turns, for an engine that applies the template itself: `chat`),
    else its cue form, which a base model continues (GPT-2's own "TL;DR:"). The document's memory comes
    first in either form."""
    text, memory = text.strip(), memory.strip()
    messages: tuple[dict[str, str], ...] = ()
    if template is not None or chat:
        instruction = task.instruction.format(text=text)
        english_instruction = not _CJK_CHAR.search(task.instruction)
        if task.answer_language == "same" and english_instruction and language_of(text) == "zh":
            # An English instruction on Chinese text was answered in English ("formal" on a Chinese
            # paragraph; a Chinese summary in English with invented figures).
            instruction += CHINESE_ANSWER
        if memory:
            instruction = f"Background to keep to:\n{memory}\n\n{instruction}"
        messages = chat_turns(task.system, instruction)
        prompt = template.render(list(messages)) if template is not None else ""
        stop = task.instruction_stop
    else:
        prompt = task.cue.format(text=text)
        prompt = f"{memory}\n\n{prompt}" if memory else prompt
        stop = task.stop
    lines = sum(1 for line in text.splitlines() if line.strip())
    if stop == "newline" and lines > 1 and task.length is not None:
        # A passage rewritten as a whole (not a headline of it): as many lines as it has, where the
        # newline stop cut a four-line lyric's translation at its first line.
        stop = lines_rule(lines)
    budget = task.max_tokens or int(text_tokens * (task.length or 1.0)) + 8
    budget = max(MIN_REWRITE_TOKENS, min(MAX_REWRITE_TOKENS, budget))
    return PromptPlan(prompt=prompt, max_new_tokens=budget, stop_at=stop, messages=messages)

"""Prompt presets (data in resources/rewrite_modes.json) and building prompts from them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.text_codec import CJK_LETTERS

# Tokens of text before the cursor a continuation runs at most (assist/context_window.py chooses them).
# Longer contexts cost more than they give a small model: SmolLM2 (float32) took 3.3 s to a first
# suggestion on a 2,544-token prompt against 0.9 s on 826 tokens, and decodes at 33 against 25 ms/token.
CONTINUATION_PROMPT_TOKENS = 1024
MIN_REWRITE_TOKENS = 16
MAX_REWRITE_TOKENS = 256


_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")


def estimate_tokens(text: str) -> int:
    """A rough token count for sizing a rewrite: one per CJK character, one per 4 other characters."""
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + (len(text) - cjk) // 4 + 1


@dataclass(frozen=True)
class RewriteMode:
    id: str
    label: str
    plain: str
    instruct: str
    length: float | None = None
    max_tokens: int | None = None
    stop: str | None = None


@dataclass(frozen=True)
class PromptPlan:
    prompt: str
    max_new_tokens: int
    stop_at: str | None


@cache
def _presets() -> dict:
    text = resources.files("writer_app.resources").joinpath("rewrite_modes.json").read_text(encoding="utf-8")
    return json.loads(text)


def rewrite_modes() -> list[RewriteMode]:
    return [RewriteMode(**mode) for mode in _presets()["modes"]]


def mode_by_id(mode_id: str) -> RewriteMode:
    for mode in rewrite_modes():
        if mode.id == mode_id:
            return mode
    raise KeyError(f"no rewrite mode {mode_id!r}")


def instruction_prompt(template: ChatTemplate, system: str, user: str) -> str:
    return template.render([{"role": "system", "content": system}, {"role": "user", "content": user}])


def rewrite_prompt(
    mode: RewriteMode, selection: str, *, selection_tokens: int, template: ChatTemplate | None
) -> PromptPlan:
    """The prompt for rewriting `selection`: an instruction in the model's own chat template for models
    that have one, else the cue form a base model continues (GPT-2's own "TL;DR:")."""
    text = selection.strip()
    if template is not None:
        prompt = instruction_prompt(template, _presets()["system"], mode.instruct.format(text=text))
        stop = None if mode.id in ("longer", "continue") else mode.stop
    else:
        prompt = mode.plain.format(text=text)
        stop = mode.stop
    if mode.max_tokens is not None:
        budget = mode.max_tokens
    else:
        budget = int(selection_tokens * (mode.length or 1.0)) + 8
    budget = max(MIN_REWRITE_TOKENS, min(MAX_REWRITE_TOKENS, budget))
    return PromptPlan(prompt=prompt, max_new_tokens=budget, stop_at=stop)

"""A model's own chat template (Jinja, in its folder), rendered as transformers and llama.cpp render it.

Instruction-tuned models are trained on one exact turn format (ChatML for Qwen and SmolLM2, others for
Llama or Gemma); prompts that follow it get the model's best answers. The template comes with the model:
`chat_template` in tokenizer_config.json (a string, or a list of named templates whose "default" is the
one), or a `chat_template.jinja` file beside it. It runs in Jinja's sandbox, with the helpers
transformers gives templates (`raise_exception`, `tojson`, `strftime_now`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from writer_app.engine.manifest import read_json_object
from writer_app.errors import ModelError

TEMPLATE_FILE = "chat_template.jinja"
# A template renders a prompt of a few thousand characters in well under a millisecond.
RENDER_LIMIT_S = 2.0
MAX_PROMPT_CHARS = 2_000_000
_RUNAWAY: set[str] = set()  # templates that did not finish: never run again in this process


@dataclass(frozen=True)
class ChatTemplate:
    source: str
    bos_token: str = ""
    eos_token: str = ""

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt for these turns, ending where the assistant's answer begins. A template is code
        that came with a model: it gets RENDER_LIMIT_S and MAX_PROMPT_CHARS, in a thread of its own that
        stops itself at the deadline, so one that loops for ever never freezes the caller (the window)
        nor keeps a core busy; it is then never run again."""
        if self.source in _RUNAWAY:
            raise ModelError("the model's chat template did not finish before; it is not run again")
        outcome: dict[str, Any] = {}
        deadline = time.monotonic() + RENDER_LIMIT_S

        def past_deadline(_frame: Any, _event: str, _arg: Any) -> Any:
            # Every line the template's compiled code runs (a loop's every turn) checks the time, so a
            # template that would never finish stops itself instead of burning a core until exit.
            if time.monotonic() > deadline:
                raise TimeoutError("the template ran out of time")
            return past_deadline

        def work() -> None:
            sys.settrace(past_deadline)  # this thread only
            try:
                outcome["text"] = _compile(self.source).render(
                    messages=messages,
                    add_generation_prompt=True,
                    bos_token=self.bos_token,
                    eos_token=self.eos_token,
                    # Qwen3 thinks aloud first unless told not to: a writer wants the text, at once.
                    enable_thinking=False,
                )
            except Exception as exc:  # a template's own raise_exception, or a broken template
                outcome["error"] = exc
            finally:
                sys.settrace(None)

        worker = threading.Thread(target=work, name="writer-app-chat-template", daemon=True)
        worker.start()
        worker.join(RENDER_LIMIT_S + 0.5)
        if worker.is_alive() or isinstance(outcome.get("error"), TimeoutError):
            _RUNAWAY.add(self.source)
            raise ModelError(f"the model's chat template did not finish in {RENDER_LIMIT_S:.0f} s")
        if "error" in outcome:
            raise ModelError(f"the model's chat template failed: {outcome['error']}") from outcome["error"]
        text = outcome["text"]
        if len(text) > MAX_PROMPT_CHARS:
            raise ModelError(f"the model's chat template made a prompt of {len(text):,} characters")
        return text


def _raise(message: str) -> None:
    raise ValueError(message)


def _compile(source: str) -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class _Bounded(ImmutableSandboxedEnvironment):
        """`'x' * 10**10` or `10**10**10` would take the memory or the time before any limit is seen."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > 64:
                raise ValueError("a power too large for a prompt")
            if operator == "*" and _repeated_length(left, right) > MAX_PROMPT_CHARS:
                raise ValueError("a repetition too long for a prompt")
            return super().call_binop(context, operator, left, right)

    env = _Bounded(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda value, indent=None: json.dumps(value, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: dt.datetime.now().strftime(fmt)
    return env.from_string(source)


def _repeated_length(left: Any, right: Any) -> int:
    """How long `left * right` would be when it repeats a string or a list (0 when it does not)."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            return len(sequence) * times
    return 0


def _token_text(value: Any) -> str:
    """tokenizer_config.json writes special tokens as strings or as {"content": ...} objects."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else ""


def template_source(tokenizer_config: dict[str, Any], folder: Path) -> str | None:
    template = tokenizer_config.get("chat_template")
    if isinstance(template, list):  # named templates: the default one renders chats
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default")
    if isinstance(template, str) and template.strip():
        return template
    file = folder / TEMPLATE_FILE
    if file.is_file():
        text = file.read_text(encoding="utf-8")
        return text if text.strip() else None
    return None


def load_chat_template(folder: Path) -> ChatTemplate | None:
    """The folder's chat template, or None when the model has none (a base model: plain prompts)."""
    config = read_json_object(folder / "tokenizer_config.json")
    source = template_source(config, folder)
    if source is None:
        return None
    bos, eos = _token_text(config.get("bos_token")), _token_text(config.get("eos_token"))
    template = ChatTemplate(source, bos, eos)
    try:
        _compile(source)
    except Exception as exc:
        raise ModelError(f"{folder.name}: its chat template is not valid Jinja ({exc})") from exc
    return template

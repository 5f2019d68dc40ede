"""A model's own chat template, rendered from its folder exactly as transformers renders it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from writer_app.engine.chat_template import ChatTemplate, load_chat_template
from writer_app.errors import ModelError

# Templates of our own in the styles models ship: ChatML with a default system turn (Qwen, SmolLM2), a
# BOS-led header format (Llama 3), and one that refuses a system turn (Gemma).
CHATML = (
    "{%- if messages[0]['role'] != 'system' %}{{- '<|im_start|>system\\nYou help writers.<|im_end|>\\n' }}"
    "{%- endif %}{%- for m in messages %}{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
HEADERS = (
    "{{- bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
NO_SYSTEM = (
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for m in messages %}<turn>{{ m['role'] }}\n{{ m['content'] }}</turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<turn>model\n{% endif %}"
)
# Qwen3's generation prompt: it thinks aloud (<think>…</think>) before answering unless told not to.
THINKING = CHATML.replace(
    "{{- '<|im_start|>assistant\\n' }}",
    "{{- '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}",
)
CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "写一句广告语：茶"}]


def _folder(tmp_path: Path, config: dict, jinja: str | None = None) -> Path:
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    if jinja is not None:
        (tmp_path / "chat_template.jinja").write_text(jinja, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("source", [CHATML, HEADERS], ids=["chatml", "headers"])
@pytest.mark.parametrize("messages", [CHAT, CHAT[1:]], ids=["with-system", "user-only"])
def test_rendered_as_transformers_renders_it(tiny_source, tmp_path, source, messages):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_source)
    tokenizer.chat_template = source
    tokenizer.bos_token = "<|begin_of_text|>"
    expected = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    config = {"chat_template": source, "bos_token": "<|begin_of_text|>"}
    template = load_chat_template(_folder(tmp_path, config))
    assert template is not None and template.render(messages) == expected


def test_a_model_that_thinks_aloud_is_asked_to_answer_at_once(tiny_source, tmp_path):
    from transformers import AutoTokenizer

    assert THINKING != CHATML
    tokenizer = AutoTokenizer.from_pretrained(tiny_source)
    tokenizer.chat_template = THINKING
    expected = tokenizer.apply_chat_template(
        CHAT, tokenize=False, add_generation_prompt=True, enable_thinking=False
    )
    rendered = ChatTemplate(THINKING).render(CHAT)
    assert rendered == expected and rendered.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


def test_the_template_may_be_a_file_a_named_list_or_absent(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    from_file = load_chat_template(_folder(tmp_path / "a", {"eos_token": {"content": "<|im_end|>"}}, CHATML))
    assert from_file is not None and from_file.eos_token == "<|im_end|>"
    assert from_file.render(CHAT[1:]).endswith("写一句广告语：茶<|im_end|>\n<|im_start|>assistant\n")
    named = [{"name": "tool_use", "template": "{{ 'tools' }}"}, {"name": "default", "template": HEADERS}]
    listed = load_chat_template(_folder(tmp_path / "b", {"chat_template": named}))
    assert listed is not None and listed.source == HEADERS
    assert load_chat_template(_folder(tmp_path / "c", {})) is None  # a base model: plain prompts


def test_a_template_that_refuses_or_does_not_parse_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="System role not supported"):
        ChatTemplate(NO_SYSTEM).render(CHAT)
    assert ChatTemplate(NO_SYSTEM).render(CHAT[1:]).endswith("<turn>model\n")
    with pytest.raises(ModelError, match="not valid Jinja"):
        load_chat_template(_folder(tmp_path, {"chat_template": "{% for m in messages %}"}))


def test_the_sandbox_keeps_templates_from_reaching_python(tmp_path):
    escape = "{{ messages.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(ModelError):
        ChatTemplate(escape).render(CHAT)


def test_a_model_folder_brings_its_template_and_a_broken_one_leaves_plain_prompts(
    tiny_model, tmp_path, caplog
):
    import shutil

    from writer_app.engine.model_folder import read_model_folder

    assert read_model_folder(tiny_model).chat_template is None  # a base GPT-2: plain cue prompts
    folder = tmp_path / "copy"
    shutil.copytree(tiny_model, folder)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    (folder / "tokenizer_config.json").write_text(json.dumps({**config, "chat_template": CHATML}), "utf-8")
    spec = read_model_folder(folder, verify=False)
    assert spec.chat_template is not None and spec.chat_template.render(CHAT[1:]).startswith("<|im_start|>")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({**config, "chat_template": "{% if %}"}), "utf-8"
    )
    assert read_model_folder(folder, verify=False).chat_template is None
    assert "not valid Jinja" in caplog.text


def test_a_template_that_never_finishes_fails_in_time_and_is_not_run_again():
    """A model's template is code from somewhere else: one that loops froze the window (SIGTERM no longer
    closed it; kill -9 then lost the last typing)."""
    import time

    from writer_app.engine.chat_template import RENDER_LIMIT_S

    looping = ChatTemplate("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}")
    started = time.perf_counter()
    with pytest.raises(ModelError, match="did not finish"):
        looping.render([{"role": "user", "content": "hi"}])
    assert time.perf_counter() - started < RENDER_LIMIT_S + 1
    import threading

    # it stopped itself: no core stays busy with it (one left running slowed the rest of this suite 3x)
    assert not [t for t in threading.enumerate() if t.name == "writer-app-chat-template"]
    started = time.perf_counter()
    with pytest.raises(ModelError, match="not run again"):
        looping.render([{"role": "user", "content": "hi"}])
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize("source", ["{{ 'x' * 10**10 }}", "{{ [0] * 10**10 }}", "{{ 10 ** 10000000 }}"])
def test_a_template_cannot_make_a_prompt_that_takes_the_memory(source):
    with pytest.raises(ModelError, match="too"):
        ChatTemplate(source).render([{"role": "user", "content": "hi"}])

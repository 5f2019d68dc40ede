"""The server engine against a real llama.cpp server (SmolLM2, the offline default's GGUF) on 127.0.0.1:
continuation, streaming, cancel, alternatives, a chat task, log-probabilities, and a server killed
mid-stream."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.server_fixtures import MODEL_ALIAS, llama_server
from tests.test_backend_contract import cancel_after_first_text
from writer_app.assist.prompts import task_prompt
from writer_app.assist.requests import AssistRequest, RequestKind, Role
from writer_app.assist.tasks import builtin_tasks, find_task
from writer_app.engine.sampling import SamplingParams
from writer_app.remote.http_stream import ServerError
from writer_app.remote.remote_engine import RemoteEngine, sampling_body
from writer_app.remote.server_config import ServerChoice

PROMPT = "The harbour was quiet that morning, and the fishing boats"
GREEDY = SamplingParams(greedy=True)


def request(kind: RequestKind = RequestKind.CONTINUE, **fields) -> AssistRequest:
    return AssistRequest(request_id=1, kind=kind, prompt=fields.pop("prompt", PROMPT), revision=0, **fields)


@pytest.fixture(scope="module")
def engine(llama_server: str) -> RemoteEngine:
    return RemoteEngine.connect(ServerChoice(llama_server, MODEL_ALIAS), key="")


def run(engine: RemoteEngine, req: AssistRequest) -> tuple[list[tuple[int, str]], object]:
    chunks: list[tuple[int, str]] = []
    return chunks, engine.run(req, lambda row, text: chunks.append((row, text)))


def test_it_says_what_it_is_and_where_the_text_goes(engine, llama_server):
    info = engine.info()
    port = llama_server.split(":")[2].split("/")[0]
    assert info.name == MODEL_ALIAS and info.where == f"127.0.0.1:{port}"
    assert info.follows_instructions and info.renders_chat and info.logprobs
    assert info.source == llama_server


def direct_completion(base_url: str, body: dict) -> str:
    post = urllib.request.Request(
        base_url + "/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(post, timeout=60) as answer:
        return json.load(answer)["choices"][0]["text"]


def test_a_continuation_streams_the_servers_own_raw_continuation(engine, llama_server):
    body = {"model": MODEL_ALIAS, "prompt": PROMPT, "max_tokens": 12, **sampling_body(GREEDY)}
    direct_completion(llama_server, body)  # the server's prompt cache warm, as for every later request
    chunks, result = run(engine, request(max_new_tokens=12, sampling=GREEDY))
    assert len(chunks) > 3 and all(row == 0 for row, _ in chunks)
    assert "".join(text for _, text in chunks) == result.text
    assert direct_completion(llama_server, body) == result.text  # the raw prompt, continued exactly
    assert result.stats.first_token_ms > 0 and result.stats.new_tokens >= 10


def test_a_stop_rule_ends_the_answer_and_the_stream(engine):
    chunks, result = run(engine, request(max_new_tokens=120, sampling=GREEDY, stop_at="newline"))
    assert "\n" not in result.text.lstrip("\n") and result.completions[0].finish_reason in ("stop", "eos")
    blocked = SamplingParams(greedy=True, blocked=(result.text.split()[1],))
    _, cut = run(engine, request(max_new_tokens=40, sampling=blocked))
    assert blocked.blocked[0] not in cut.text and cut.completions[0].finish_reason == "blocked"


def test_several_candidates_are_written_and_ranked_by_probability(engine):
    sampled = SamplingParams(greedy=False, temperature=1.0, top_p=1.0, top_k=0, seed=7)
    req = request(RequestKind.REWRITE, max_new_tokens=8, sampling=sampled, num_alternatives=3)  # a cue form
    chunks, result = run(engine, req)
    assert len(result.completions) == 3 and all(c.text for c in result.completions)
    assert {row for row, _ in chunks} == {0, 1, 2}
    assert all(c.logprob < 0 for c in result.completions)
    ranked = result.ranked()
    means = [result.completions[i].mean_logprob for i in ranked]
    assert means == sorted(means, reverse=True)


def test_a_chat_task_goes_through_the_chat_endpoint(engine):
    task = find_task(builtin_tasks(), "shorter")
    plan = task_prompt(
        task, "The old man walked slowly down to the sea.", text_tokens=12, template=None, chat=True
    )
    assert plan.prompt == "" and plan.messages[0]["role"] == "system"
    req = request(
        RequestKind.REWRITE,
        prompt="",
        messages=plan.messages,
        max_new_tokens=24,
        sampling=GREEDY,
        role=Role.INSTRUCTION,
    )
    chunks, result = run(engine, req)
    assert result.text.strip() and "".join(t for _, t in chunks) == result.text
    assert "<|im_start|>" not in result.text  # the server applied the model's template, not us


def test_word_choices_and_the_surprise_view_get_log_probabilities(engine):
    _, result = run(engine, request(RequestKind.CHOICES, num_alternatives=5))
    probabilities = [p for _, p in result.choices]
    assert len(result.choices) == 5 and probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1.0001
    passage = " the boats went out past the lighthouse."
    _, scored = run(engine, request(RequestKind.SURPRISE, prompt="The harbour was quiet;", subject=passage))
    assert scored.surprise and all(t.rank >= 1 for t in scored.surprise)
    assert all(0 <= t.start < t.end <= len(passage) for t in scored.surprise)
    assert "".join(passage[t.start : t.end] for t in scored.surprise).strip() in passage


def test_cancel_closes_the_stream_at_once_and_the_server_serves_the_next(engine):
    req = request(max_new_tokens=1500, sampling=SamplingParams(greedy=False, seed=1))
    chunks, result = cancel_after_first_text(engine, req, join_s=20)
    assert result.completions[0].finish_reason == "cancelled"
    assert len(chunks) < 1500
    _, after = run(engine, request(max_new_tokens=4, sampling=GREEDY))
    assert after.text  # the server is not stuck on the cancelled request


def test_a_server_killed_mid_stream_is_one_line_and_the_text_so_far_stays(smollm2_gguf, tmp_path):
    with llama_server(smollm2_gguf, tmp_path / "server.log") as (base_url, process):
        engine = RemoteEngine.connect(ServerChoice(base_url, MODEL_ALIAS), key="")
        req = request(max_new_tokens=1500, sampling=SamplingParams(greedy=False, seed=3))
        chunks: list[str] = []

        def on_text(_row: int, text: str) -> None:
            chunks.append(text)
            if len(chunks) == 3:
                process.kill()

        with pytest.raises(ServerError) as failure:
            engine.run(req, on_text)
    message = str(failure.value)
    assert "\n" not in message and base_url.split("//")[1].split("/")[0] in message
    assert "mid-answer" in message and len(chunks) >= 3  # what streamed before stays with the caller


def test_a_model_the_server_does_not_serve_is_named(llama_server):
    with pytest.raises(ServerError, match="has no model 'gpt-9'; it serves smollm2"):
        RemoteEngine.connect(ServerChoice(llama_server, "gpt-9"), key="")


def test_a_form_reaches_a_llama_cpp_server_as_a_grammar_and_holds(engine):
    """llama.cpp's server keeps what a grammar can say of a form: the lines, their 字 and the acrostic.
    SmolLM2 writes no Chinese, so without the grammar none of it holds; with it, all of it does."""
    from writer_app.forms.check import check_form, unmet
    from writer_app.forms.constraint import FormConstraint
    from writer_app.forms.spec import FormSpec

    spec = FormSpec(language="zh", unit="zi", lines=2, line_units=(5,), acrostic="春风")
    messages = ({"role": "user", "content": "Write two short lines about spring."},)
    base = dict(prompt="", messages=messages, max_new_tokens=40, sampling=GREEDY, role=Role.INSTRUCTION)
    _chunks, free = run(engine, request(RequestKind.REWRITE, **base))
    _chunks, kept = run(engine, request(RequestKind.REWRITE, constraint=FormConstraint(spec), **base))
    assert {c.what for c in unmet(check_form(free.text, spec))} >= {"lines", "acrostic"}, free.text
    held = {c.what for c in check_form(kept.text, spec) if c.ok}
    assert held == {"lines", "length", "acrostic"}, kept.text

"""The server engine: the same requests as the local engine, answered by an OpenAI-compatible server.

Continuations go to /v1/completions with the raw prompt, so ghost text continues the document exactly;
instruction tasks go to /v1/chat/completions with their chat turns (the server applies the model's
template). Stop rules, the time limit and the block list are applied here, on the text as it streams,
and the stream is closed as soon as the answer is complete, so the server stops too.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from writer_app.engine.backend import GenerationRequest, ModelInfo, OnText, RequestKind
from writer_app.engine.block_list import BlockList
from writer_app.engine.completion import (
    Completion,
    GenerationResult,
    GenerationStats,
    TokenSurprise,
    find_stop,
)
from writer_app.engine.sampling import SamplingParams
from writer_app.remote.http_stream import Endpoint, ServerError, Timeouts, server_models
from writer_app.remote.server_config import ServerChoice, api_key

log = logging.getLogger(__name__)
# What a server that does not say its context length is assumed to take (llama.cpp's server default).
DEFAULT_CONTEXT = 2048
# Top log-probabilities asked for the surprise view: its bands end at rank 100. A server that allows
# fewer is asked for 20 (OpenAI's own limit); ranks past that are then shown as "past 20".
SURPRISE_TOP = (100, 20)
REPLACEMENT_CHAR = "\ufffd"
# No token of any vocabulary we know is longer: the most text an answer of N tokens can hold.
MAX_CHARS_PER_TOKEN = 64


@dataclass(frozen=True)
class Abilities:
    logprobs: bool  # token log-probabilities on /v1/completions
    n: bool  # several alternatives from one request
    context_length: int


def sampling_body(sampling: SamplingParams) -> dict[str, Any]:
    """The writer's sampling in the request: OpenAI's names, and the extensions llama.cpp and vLLM read
    (top_k, min_p, repeat_penalty / repetition_penalty), sent even at their neutral values so a server's
    own defaults (llama.cpp: top-k 40, min-p 0.05, repeat penalty 1.1) do not change what the writer
    chose. Servers that know none of them (OpenAI's own, Ollama's OpenAI endpoint) ignore them."""
    body: dict[str, Any] = {
        "repeat_penalty": sampling.repetition_penalty,  # llama.cpp
        "repetition_penalty": sampling.repetition_penalty,  # vLLM
    }
    if sampling.greedy:
        body["temperature"] = 0.0  # every server reads 0 as "the most likely token"
    else:
        body.update(temperature=sampling.temperature, top_p=sampling.top_p, min_p=0.0)
        body["top_k"] = sampling.top_k  # 0: off, for llama.cpp and vLLM alike
    if sampling.seed is not None:
        body["seed"] = sampling.seed
    return body


class RemoteEngine:
    def __init__(self, endpoint: Endpoint, model: str, abilities: Abilities, load_ms: float) -> None:
        self.endpoint, self.model, self.abilities, self.load_ms = endpoint, model, abilities, load_ms

    @classmethod
    def connect(
        cls, choice: ServerChoice, *, key: str | None = None, timeouts: Timeouts | None = None
    ) -> RemoteEngine:
        """Check the server answers and serves the model, and learn what it can do."""
        started = time.perf_counter()
        endpoint = Endpoint(choice.base_url, api_key(choice.base_url) if key is None else key, timeouts)
        models = server_models(endpoint)
        served = [m.get("id") for m in models]
        if served and choice.model not in served:
            raise ServerError(
                f"the server at {endpoint.where} has no model {choice.model!r}; "
                f"it serves {', '.join(map(str, served))}"
            )
        entry = next((m for m in models if m.get("id") == choice.model), {})
        with _answer_shape(endpoint.where):
            context = int(entry.get("max_model_len") or DEFAULT_CONTEXT)  # vLLM says what it serves
            abilities = _probe(endpoint, choice.model, context)
        return cls(endpoint, choice.model, abilities, (time.perf_counter() - started) * 1000)

    def info(self) -> ModelInfo:
        return ModelInfo(
            name=self.model,
            context_length=self.abilities.context_length,
            follows_instructions=True,  # chat turns go to the server's chat endpoint, its template applied
            chat_template=None,
            load_ms=self.load_ms,
            threads=0,
            source=self.endpoint.base_url,
            renders_chat=True,
            logprobs=self.abilities.logprobs,
            where=self.endpoint.where,
        )

    # --- requests -------------------------------------------------------------------------------------
    def run(self, request: GenerationRequest, on_text: OnText) -> GenerationResult | None:
        if request.kind is RequestKind.WARM:
            return GenerationResult([], GenerationStats())  # the server keeps its own prompt cache
        with _answer_shape(self.endpoint.where):
            if request.kind is RequestKind.CHOICES:
                return self._choices(request)
            if request.kind is RequestKind.SURPRISE:
                return self._surprise(request)
        return self._generate(request, on_text)

    def _generate(self, request: GenerationRequest, on_text: OnText) -> GenerationResult:
        chat = bool(request.messages)
        body: dict[str, Any] = {"model": self.model, "max_tokens": request.max_new_tokens}
        body.update(sampling_body(request.sampling))
        grammar = request.constraint.grammar() if request.constraint is not None else None
        if grammar:
            # llama.cpp's server keeps the answer to it (a form's lines, lengths, acrostic); a server that
            # does not know the field ignores it, and the answer is checked against the form either way.
            body["grammar"] = grammar
        if chat:
            route = "/chat/completions"
            body["messages"] = [dict(m) for m in request.messages]
        else:
            route = "/completions"
            body["prompt"] = request.prompt
            if (
                self.abilities.logprobs
                and request.kind is RequestKind.REWRITE
                and request.num_alternatives > 1
            ):
                # to offer the likeliest candidate first, as the local engine does; only then, because
                # a server that works out log-probabilities for every token decodes about 3x slower
                # (benchmarks/server_hop.py)
                body["logprobs"] = 1
        stats = GenerationStats(alternatives=request.num_alternatives, load_ms=self.load_ms)
        streams = _Streams(request, stats, on_text)
        if request.num_alternatives > 1 and self.abilities.n:
            rows = range(request.num_alternatives)
            self._stream(route, {**body, "n": request.num_alternatives}, streams, rows)
        else:
            for row in range(request.num_alternatives):
                if request.cancel.is_set() or streams.out_of_time():
                    break
                self._stream(route, body, streams, range(row, row + 1))
        return streams.result()

    def _stream(self, route: str, body: dict[str, Any], streams: _Streams, rows: range) -> None:
        with contextlib.closing(self.endpoint.stream(route, body, streams.request.cancel)) as events:
            for event in events:
                with _answer_shape(self.endpoint.where):
                    for choice in event.get("choices") or []:
                        row = rows.start + int(choice.get("index") or 0)
                        text = choice.get("text")
                        if text is None:
                            text = (choice.get("delta") or {}).get("content") or ""
                        if not isinstance(text, str):
                            raise TypeError("text")
                        streams.add(row, text, _token_logprobs(choice), choice.get("finish_reason"))
                    usage = event.get("usage")
                    if isinstance(usage, dict):
                        streams.stats.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                if streams.all_done(rows) or streams.out_of_time():
                    return  # closing the stream tells the server to stop

    def _choices(self, request: GenerationRequest) -> GenerationResult:
        if not self.abilities.logprobs:
            raise ServerError(f"the server at {self.endpoint.where} gives no word probabilities")
        k = request.num_alternatives
        answer = self.endpoint.post_json(
            "/completions",
            {
                "model": self.model,
                "prompt": request.prompt,
                "max_tokens": 1,
                "temperature": 0.0,
                "logprobs": min(20, k * 2),
            },
        )
        top = _first_choice(answer).get("logprobs", {}).get("top_logprobs") or [{}]
        choices: list[tuple[str, float]] = []
        for text, logprob in sorted((top[0] or {}).items(), key=lambda item: -item[1]):
            if text and REPLACEMENT_CHAR not in text and all(t != text for t, _ in choices):
                choices.append((text, math.exp(logprob)))
        return GenerationResult([], GenerationStats(), choices=choices[:k])

    def _surprise(self, request: GenerationRequest) -> GenerationResult | None:
        if not self.abilities.logprobs:
            raise ServerError(f"the server at {self.endpoint.where} gives no word probabilities")
        context, passage = request.prompt, request.subject
        answer, top_n = None, SURPRISE_TOP[-1]
        for top_n in SURPRISE_TOP:
            if request.cancel.is_set():
                return None
            body = {"model": self.model, "prompt": context + passage, "max_tokens": 1, "temperature": 0.0}
            try:
                answer = self.endpoint.post_json("/completions", {**body, "echo": True, "logprobs": top_n})
                break
            except ServerError as exc:
                log.info("surprise with %d log-probabilities refused: %s", top_n, exc)
        if answer is None:
            raise ServerError(f"the server at {self.endpoint.where} does not score text it is given")
        return GenerationResult(
            [], GenerationStats(), surprise=_ranks(_first_choice(answer), context, passage, top_n)
        )


class _Streams:
    """The alternatives of one request as they stream: text, stop rules, the time limit, the block list."""

    def __init__(self, request: GenerationRequest, stats: GenerationStats, on_text: OnText) -> None:
        self.request, self.stats, self.on_text = request, stats, on_text
        self.completions = [Completion(finish_reason="cancelled") for _ in range(request.num_alternatives)]
        self.raw = [""] * request.num_alternatives
        self.done = [False] * request.num_alternatives
        self.started = time.perf_counter()
        self.first_token_at: float | None = None
        self.blocks = BlockList(request.sampling.blocked)
        self.max_chars = max(1, request.max_new_tokens) * MAX_CHARS_PER_TOKEN

    def out_of_time(self) -> bool:
        budget = self.request.time_budget_ms
        return budget is not None and (time.perf_counter() - self.started) * 1000 >= budget

    def all_done(self, rows: range) -> bool:
        return all(self.done[row] for row in rows)

    def add(self, row: int, text: str, logprobs: list[float], finish: str | None) -> None:
        if not 0 <= row < len(self.completions) or self.done[row]:
            return
        completion = self.completions[row]
        if text:
            if self.first_token_at is None:
                self.first_token_at = time.perf_counter()
                self.stats.first_token_ms = (self.first_token_at - self.started) * 1000
            completion.token_ids += [-1] * max(1, len(logprobs))  # counted, not known: a server gives text
            completion.logprob += sum(logprobs)
            before = len(self.raw[row])
            # A server that ignores max_tokens (or sends a novel in one event) stops at what was asked.
            self.raw[row] = (self.raw[row] + text)[: self.max_chars]
            stop_cut = find_stop(self.raw[row], self.request.stop_at)
            block_cut = self.blocks.first_in(self.raw[row])
            cuts = [c for c in (stop_cut, block_cut) if c is not None]
            if cuts:
                self.raw[row] = self.raw[row][: min(cuts)]
                completion.finish_reason = "blocked" if block_cut == min(cuts) else "stop"
                self.done[row] = True
            shown = self.raw[row][before:]
            if shown:
                self.on_text(row, shown)
            completion.text = self.raw[row]
            if self.done[row]:
                return
            asked = self.request.max_new_tokens
            if len(completion.token_ids) >= asked or len(self.raw[row]) >= self.max_chars:
                completion.finish_reason = "length"
                self.done[row] = True
                return
        if finish is not None:  # the server's words: "stop" is its end of text (or a stop string)
            completion.finish_reason = "eos" if finish == "stop" else finish
            self.done[row] = True
        elif self.out_of_time():
            completion.finish_reason = "time"
            self.done[row] = True

    def result(self) -> GenerationResult:
        tokens = sum(len(c.token_ids) for c in self.completions)
        if self.first_token_at is not None and tokens > 1:
            elapsed = (time.perf_counter() - self.first_token_at) * 1000
            self.stats.decode_ms_per_token = elapsed / (tokens - 1)
        self.stats.new_tokens = tokens
        return GenerationResult(self.completions, self.stats)


def _probe(endpoint: Endpoint, model: str, context: int) -> Abilities:
    """One token, asking for two alternatives and log-probabilities: what comes back says what it can do."""
    body = {"model": model, "prompt": "Hello", "max_tokens": 1, "temperature": 1.0}
    try:
        answer = endpoint.post_json("/completions", {**body, "n": 2, "logprobs": 1})
    except ServerError as exc:
        if exc.status is None or not 400 <= exc.status < 500 or exc.status in (401, 403, 404, 429):
            raise
        endpoint.post_json("/completions", body)  # a server that rejects the extras still has to answer
        return Abilities(logprobs=False, n=False, context_length=context)
    choices = answer.get("choices") or []
    logprobs = bool(choices and (choices[0].get("logprobs") or {}).get("top_logprobs"))
    return Abilities(logprobs=logprobs, n=len(choices) >= 2, context_length=context)


@contextlib.contextmanager
def _answer_shape(where: str) -> Iterator[None]:
    """An answer or event whose JSON has another shape than OpenAI's (a list for an object, a number for
    a text) is one line, not a traceback."""
    try:
        yield
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        if isinstance(exc, ServerError):
            raise
        raise ServerError(f"the server at {where} answered in a shape it should not have ({exc})") from None


def _first_choice(answer: Any) -> dict[str, Any]:
    choices = answer.get("choices") if isinstance(answer, dict) else None
    if not choices or not isinstance(choices[0], dict):
        raise ServerError("the server's answer has no choices")
    return choices[0]


def _token_logprobs(choice: dict[str, Any]) -> list[float]:
    logprobs = choice.get("logprobs") or {}
    values = logprobs.get("token_logprobs")
    if values is None and isinstance(logprobs.get("content"), list):  # the chat format
        values = [item.get("logprob") for item in logprobs["content"]]
    return [float(v) for v in values or [] if v is not None]


def _ranks(choice: dict[str, Any], context: str, passage: str, top_n: int) -> list[TokenSurprise]:
    """Each passage token's rank among the model's predictions, from the echoed prompt's log-probabilities."""
    logprobs = choice.get("logprobs") or {}
    offsets = logprobs.get("text_offset") or []
    tokens = logprobs.get("tokens") or []
    chosen = logprobs.get("token_logprobs") or []
    tops = logprobs.get("top_logprobs") or []
    base, total = len(context), len(context) + len(passage)
    ranks = []
    for i, (offset, token) in enumerate(zip(offsets, tokens, strict=False)):
        if offset < base or offset >= total or i >= len(chosen) or chosen[i] is None:
            continue
        end = offsets[i + 1] if i + 1 < len(offsets) else offset + len(token)
        top = tops[i] if i < len(tops) and tops[i] else {}
        better = sum(1 for value in top.values() if value > chosen[i])
        rank = better + 1 if token in top else max(better + 1, top_n + 1)
        ranks.append(TokenSurprise(offset - base, min(end, total) - base, rank))
    return ranks

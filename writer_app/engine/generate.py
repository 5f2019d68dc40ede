"""The one generate loop that serves the editor, the CLI and the benchmarks.

Steps: encode the prompt -> keep the newest tokens that fit the context -> reuse the KV cache of the
longest prefix shared with the previous request -> prefill the rest in chunks -> decode token by token
(several alternatives as one batch), streaming text deltas and checking for cancel before every step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from writer_app.engine.block_list import BlockList
from writer_app.engine.completion import (
    STOP_RULES,
    Completion,
    GenerationResult,
    GenerationStats,
    TokenSurprise,
    find_stop,
    known_stop_rule,
)
from writer_app.engine.constrained_choice import UNKEPT, ConstrainedChooser
from writer_app.engine.constraint import TextConstraint
from writer_app.engine.model_folder import ModelSpec, read_model_folder
from writer_app.engine.onnx_model import KVCache, OnnxCausalLM
from writer_app.engine.prefix_cache import PrefixCache
from writer_app.engine.sampling import (
    SamplingParams,
    apply_repetition_penalty,
    repeating_tokens,
    sample_token,
)
from writer_app.engine.surprise import passage_surprise
from writer_app.engine.text_codec import REPLACEMENT_CHAR, StreamDecoder, TextCodec
from writer_app.errors import ModelError

# Prefill runs in chunks so that a cancel is seen within one chunk's time. A warm-up runs smaller ones,
# because the writer's own request waits for its current chunk: 128 tokens take about 100 ms (GPT-2
# int8) to 145 ms (SmolLM2 float32). A request's own prefill keeps 256, which is faster: on 1,000
# tokens, 2% (GPT-2 int8), 7% (GPT-2 float32), 8% (SmolLM2 float32) (benchmarks/context.py).
PREFILL_CHUNK = 256
# A blocked phrase refuses at most this many candidate tokens in a row before the completion ends.
MAX_REFUSALS = 64
BLOCKED = -1  # the token id that ends a completion whose every likely next token was refused
WARM_PREFILL_CHUNK = 128
# A sampled answer that cannot keep its form from where it got to is drawn again, at most this often.
FORM_RETRIES = 3
# The engine's guard on prompt length (the assist layer's context window chooses what the model reads;
# this only keeps a prompt within the context when that choice ran long): the newest tokens are kept,
# and the cut moves in steps of this many tokens, so that the cached prefix survives typing at the end.
WINDOW_STEP = 128

OnText = Callable[[int, str], None]


def _logprob(logits: np.ndarray, token: int) -> float:
    """log P(token) under the model's own distribution (before sampling settings reshape it)."""
    if token < 0:
        return 0.0
    top = float(np.max(logits))
    return float(logits[token]) - top - float(np.log(np.exp(logits.astype(np.float64) - top).sum()))


class _Stream:
    """One alternative being generated: its tokens, its detokenizer and its stop state."""

    def __init__(self, decoder: StreamDecoder) -> None:
        self.decoder = decoder
        self.completion = Completion()
        self.done = False
        self.forced: list[int] = []  # tokens of the text a rule writes, still to come

    def finish(self, reason: str) -> None:
        self.completion.finish_reason = reason
        self.done = True


class Engine:
    """A loaded model: tokenizer, onnxruntime session and the caches of recent prompts."""

    def __init__(self, spec: ModelSpec, *, threads: int | None = None) -> None:
        started = time.perf_counter()
        self.spec = spec
        self.codec = TextCodec.from_folder(spec.folder)
        self.model = OnnxCausalLM(spec.graph_path, threads=threads)
        self.load_ms = (time.perf_counter() - started) * 1000
        self._eos = set(spec.eos_token_ids)
        self._token_texts: list[str] | None = None
        self.prefixes = PrefixCache()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path | str, *, threads: int | None = None) -> Engine:
        return cls(read_model_folder(folder), threads=threads)

    def token_texts(self, count: int) -> list[str]:
        """Each token's text on its own, for the model's `count` logits (decoded once, on first need: a
        rule's wide search reads it)."""
        if self._token_texts is None or len(self._token_texts) != count:
            self._token_texts = self.codec.token_texts(count)
        return self._token_texts

    @property
    def context_length(self) -> int:
        return self.spec.context_length

    def window(self, ids: list[int], max_new_tokens: int, max_prompt_tokens: int | None = None) -> list[int]:
        """The newest part of the prompt that leaves room for max_new_tokens in the context, and is at
        most max_prompt_tokens long when that is given."""
        room = max(1, self.context_length - max_new_tokens - (self.spec.bos_token_id is not None))
        if max_prompt_tokens is not None:
            room = max(1, min(room, max_prompt_tokens))
        if len(ids) <= room:
            return ids
        start = len(ids) - room
        stepped = -(-start // WINDOW_STEP) * WINDOW_STEP  # round up to a window step
        if len(ids) - stepped >= max(1, room // 2):
            start = stepped
        return ids[start:]

    def _prompt_ids(
        self,
        prompt: str | Sequence[int],
        max_new_tokens: int,
        max_prompt_tokens: int | None,
        stats: GenerationStats,
    ) -> list[int]:
        """The token ids a request runs: its window of the prompt, after BOS if the model has one."""
        # Text is encoded here; token ids (benchmarks, tests) are taken as they are.
        encoded = self.codec.encode(prompt) if isinstance(prompt, str) else [int(t) for t in prompt]
        ids = self.window(encoded, max_new_tokens, max_prompt_tokens)
        stats.cut_tokens = len(encoded) - len(ids)
        if self.spec.bos_token_id is not None:
            ids = [self.spec.bos_token_id, *ids]
        if not ids:
            # Nothing to condition on: start from the end-of-text token, as GPT-2 was trained to.
            ids = [min(self._eos)] if self._eos else [0]
        return ids

    def warm(
        self,
        prompt: str | Sequence[int],
        *,
        max_new_tokens: int = 32,
        max_prompt_tokens: int | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationStats:
        """Run the prompt into the KV cache without generating, so that a request for the same prompt,
        or one that extends it, starts from the cache. It takes the window generate would take with the
        same max_new_tokens and max_prompt_tokens; a cancel keeps the chunks already run."""
        max_new_tokens = min(max(1, max_new_tokens), self.context_length - 1)
        with self._lock:
            stats = GenerationStats(load_ms=self.load_ms)
            ids = self._prompt_ids(prompt, max_new_tokens, max_prompt_tokens, stats)
            stats.prompt_tokens = len(ids)
            self._prefill(ids, stats, lambda: cancel is not None and cancel.is_set(), WARM_PREFILL_CHUNK)
            return stats

    def next_token_choices(
        self,
        prompt: str,
        *,
        k: int = 5,
        max_new_tokens: int = 32,
        max_prompt_tokens: int | None = None,
        cancel: threading.Event | None = None,
    ) -> list[tuple[str, float]] | None:
        """The k most likely next pieces of text after the prompt, with their probabilities (tokens that
        are only part of a character are skipped). Reads the prompt through the prefix cache, as
        generate would with the same limits, so the suggestion that follows starts from it."""
        with self._lock:
            stats = GenerationStats(load_ms=self.load_ms)
            ids = self._prompt_ids(prompt, max_new_tokens, max_prompt_tokens, stats)
            logits, _ = self._prefill(ids, stats, lambda: cancel is not None and cancel.is_set())
            if logits is None:
                return None
            row = logits[0].astype(np.float64)
            probs = np.exp(row - row.max())
            probs /= probs.sum()
            choices: list[tuple[str, float]] = []
            for token in np.argsort(-probs, kind="stable")[: k * 4]:
                text = self.codec.decode([int(token)])
                if (
                    int(token) in self._eos
                    or not text
                    or REPLACEMENT_CHAR in text  # one byte of a character
                    or any(t == text for t, _ in choices)
                ):
                    continue
                choices.append((text, float(probs[token])))
                if len(choices) == k:
                    break
            return choices

    def surprise(
        self, passage: str, context: str = "", cancel: threading.Event | None = None
    ) -> list[TokenSurprise] | None:
        """Each token's rank among the model's predictions (engine/surprise.py); None if cancelled."""
        with self._lock:
            return passage_surprise(self.model, self.codec, passage, context, cancel)

    def generate(
        self,
        prompt: str | Sequence[int],
        *,
        max_new_tokens: int = 32,
        sampling: SamplingParams | None = None,
        num_alternatives: int = 1,
        stop_at: str | None = None,
        cancel: threading.Event | None = None,
        on_text: OnText | None = None,
        max_prompt_tokens: int | None = None,
        time_budget_ms: float | None = None,
        constraint: TextConstraint | None = None,
    ) -> GenerationResult:
        """Continue the prompt. max_prompt_tokens keeps only its newest tokens (the model's context
        is the limit otherwise); time_budget_ms ends the completions (reason "time") once that long
        has passed since the call, whatever their length (a late suggestion is noise); a constraint
        (a form) is kept token by token, and an answer it cannot keep ends with reason "form"."""
        sampling = sampling or SamplingParams()
        sampling.validate()
        if max_new_tokens < 1:
            raise ValueError("max new tokens must be at least 1")
        if num_alternatives < 1:
            raise ValueError("the number of alternatives must be at least 1")
        if not known_stop_rule(stop_at):
            raise ValueError(f"unknown stop rule {stop_at!r} (choose from {', '.join(STOP_RULES)}, lines:N)")
        max_new_tokens = min(max_new_tokens, self.context_length - 1)
        with self._lock:  # one generation at a time per loaded model
            started = time.perf_counter()  # the first token's time includes encoding the prompt
            stats = GenerationStats(load_ms=self.load_ms, alternatives=num_alternatives)
            ids = self._prompt_ids(prompt, max_new_tokens, max_prompt_tokens, stats)
            deadline = started + time_budget_ms / 1000 if time_budget_ms else None
            chooser = None
            if constraint is not None:
                chooser = ConstrainedChooser(constraint, self.codec, self._eos, self.token_texts)
            run = partial(
                self._generate,
                ids,
                started=started,
                max_new_tokens=max_new_tokens,
                scored=num_alternatives > 1,  # a redrawn one too, to rank it among the rest
            )
            result = run(stats, sampling, num_alternatives, stop_at, cancel, on_text, deadline, chooser)
            if chooser is None or sampling.greedy:
                return result
            # A sampled answer that wrote itself into a corner of its form (a rhyme left no room) or ran
            # out of tokens before it was whole is drawn again from the prompt, whose cache makes that
            # cheap; the writer sees the final candidates when the task ends.
            completions = result.completions
            for round_ in range(1, FORM_RETRIES + 1):
                failed = [i for i, c in enumerate(completions) if chooser.broken(c)]
                if not failed or (deadline and time.perf_counter() > deadline):
                    break
                seed = None if sampling.seed is None else sampling.seed + round_
                again = replace(sampling, seed=seed)
                retry = run(GenerationStats(), again, len(failed), stop_at, cancel, None, deadline, chooser)
                for i, completion in zip(failed, retry.completions, strict=True):
                    if completion.finish_reason != "cancelled":
                        completions[i] = completion
            return GenerationResult(completions, stats)

    def _generate(
        self,
        ids: list[int],
        stats: GenerationStats,
        sampling: SamplingParams,
        n: int,
        stop_at: str | None,
        cancel: threading.Event | None,
        on_text: OnText | None,
        deadline: float | None = None,
        chooser: ConstrainedChooser | None = None,
        *,
        started: float,
        max_new_tokens: int,
        scored: bool,
    ) -> GenerationResult:
        stats.prompt_tokens = len(ids)
        streams = [_Stream(self.codec.stream(ids)) for _ in range(n)]
        cancelled = lambda: cancel is not None and cancel.is_set()  # noqa: E731

        logits, past = self._prefill(ids, stats, cancelled)
        if logits is None:
            for s in streams:
                s.finish("cancelled")
            return GenerationResult([s.completion for s in streams], stats)
        self._check_finite(logits)

        rng = np.random.default_rng(sampling.seed)
        blocks = BlockList(sampling.blocked)
        if chooser is None:
            first = self._first_tokens(logits[0], ids, sampling, n, rng, blocks, streams[0].decoder)
        else:
            first = self._first_kept(logits[0], ids, sampling, rng, blocks, streams, chooser)
        past = past.repeat(n) if n > 1 else past
        alive = list(range(n))
        step_times: list[float] = []
        next_tokens = first
        step_logits = [logits[0]] * n
        for step in range(max_new_tokens):
            for row, token, row_logits in zip(alive, next_tokens, step_logits, strict=True):
                if scored:  # only alternatives are ranked by it; one completion skips the cost
                    streams[row].completion.logprob += _logprob(row_logits, token)
                self._advance(streams[row], token, stop_at, row, on_text)
                if chooser is not None and not streams[row].done and chooser.finished(streams[row].decoder):
                    streams[row].finish("stop")
            if step == 0:
                stats.first_token_ms = (time.perf_counter() - started) * 1000
            stats.new_tokens = step + 1
            still = [i for i, row in enumerate(alive) if not streams[row].done]
            if not still or step == max_new_tokens - 1:
                break
            ended = (
                "cancelled" if cancelled() else "time" if deadline and time.perf_counter() > deadline else ""
            )
            if ended:
                for row in alive:
                    if not streams[row].done:
                        streams[row].finish(ended)
                break
            if len(still) < len(alive):
                past = past.select(still)
                next_tokens = [next_tokens[i] for i in still]
                alive = [alive[i] for i in still]
            t0 = time.perf_counter()
            batch_logits, past = self.model.forward(np.array(next_tokens, dtype=np.int64)[:, None], past)
            step_times.append((time.perf_counter() - t0) * 1000)
            self._check_finite(batch_logits)
            next_tokens = [
                self._choose(batch_logits[i], ids, streams[row], sampling, rng, blocks, chooser)
                for i, row in enumerate(alive)
            ]
            step_logits = list(batch_logits)
        for row, s in enumerate(streams):
            if not s.done:
                s.finish("length")
            self._flush(s, stop_at, row, on_text)
        if step_times:
            stats.decode_ms_per_token = float(np.mean(step_times))
        return GenerationResult([s.completion for s in streams], stats)

    def _prefill(
        self,
        ids: list[int],
        stats: GenerationStats,
        cancelled: Callable[[], bool],
        chunk_size: int = PREFILL_CHUNK,
    ) -> tuple[np.ndarray | None, KVCache]:
        """Run the prompt through the model, reusing the cached prefix. Logits are for the last token."""
        t0 = time.perf_counter()
        reuse, past = self.prefixes.take(ids, self.model.empty_cache())
        stats.reused_tokens = reuse
        # The steps below may write into the cached buffers past `reuse`, so the slot holds, at every
        # moment, what has been computed for this prompt so far (a cancelled prefill keeps its chunks).
        logits = None
        for start in range(reuse, len(ids), chunk_size):
            if cancelled():
                return None, past
            chunk = ids[start : start + chunk_size]
            logits, past = self.model.forward(np.array([chunk], dtype=np.int64), past)
            self.prefixes.record(ids[: start + len(chunk)], past)
        stats.prefill_ms = (time.perf_counter() - t0) * 1000
        return logits, past

    def _check_finite(self, logits: np.ndarray) -> None:
        """NaN or infinite scores mean damaged weights: say so instead of writing '!!!!' or failing
        inside the sampler."""
        if not np.isfinite(logits).all():
            name = self.spec.name
            raise ModelError(
                f"model {name} computes invalid numbers (NaN or infinity): it is damaged; run "
                f"'writer-app models verify {name}' or export it again"
            )

    def _first_tokens(
        self,
        logits: np.ndarray,
        ids: list[int],
        sampling: SamplingParams,
        n: int,
        rng: np.random.Generator,
        blocks: BlockList,
        decoder: StreamDecoder,
    ) -> list[int]:
        """Greedy alternatives start from the n most likely distinct tokens; sampled ones draw each."""
        logits = apply_repetition_penalty(logits, ids, sampling.repetition_penalty)
        if sampling.greedy:
            order = (int(t) for t in np.argsort(-logits, kind="stable"))
            creates = self._blocked_test(decoder, blocks)
            allowed = (t for t in order if not creates(t))
            return [next(allowed, BLOCKED) for _ in range(n)]
        return [self._pick(logits, sampling, rng, decoder, blocks) for _ in range(n)]

    def _first_kept(
        self,
        logits: np.ndarray,
        ids: list[int],
        sampling: SamplingParams,
        rng: np.random.Generator,
        blocks: BlockList,
        streams: list[_Stream],
        chooser: ConstrainedChooser,
    ) -> list[int]:
        """The first token of each alternative under a rule: greedy ones start on different tokens the
        rule allows (unless it forces the start)."""
        logits = apply_repetition_penalty(logits, ids, sampling.repetition_penalty)
        taken: set[int] = set()
        first = []
        for stream in streams:
            refused = self._blocked_test(stream.decoder, blocks)
            start = chooser.next_token(
                stream.forced,
                logits,
                sampling,
                rng,
                stream.decoder,
                refused,
                taken if sampling.greedy else set(),
            )
            taken.add(start)
            first.append(start)
        return first

    def _choose(
        self,
        logits: np.ndarray,
        prompt: list[int],
        stream: _Stream,
        sampling: SamplingParams,
        rng: np.random.Generator,
        blocks: BlockList,
        chooser: ConstrainedChooser | None = None,
    ) -> int:
        if sampling.repetition_penalty != 1.0:  # the seen-token list is only built when it is used
            seen = prompt + stream.completion.token_ids
            logits = apply_repetition_penalty(logits, seen, sampling.repetition_penalty)
        repeats = repeating_tokens(stream.completion.token_ids, sampling.no_repeat_ngram)
        if repeats:
            logits = logits.copy()
            logits[repeats] = -np.inf
        if chooser is not None:
            refused = self._blocked_test(stream.decoder, blocks)
            return chooser.next_token(stream.forced, logits, sampling, rng, stream.decoder, refused)
        return self._pick(logits, sampling, rng, stream.decoder, blocks)

    def _pick(
        self,
        logits: np.ndarray,
        sampling: SamplingParams,
        rng: np.random.Generator,
        decoder: StreamDecoder,
        blocks: BlockList,
    ) -> int:
        """The sampler's choice, or, when it would write a blocked phrase, its next choice without it."""
        token = sample_token(logits, sampling, rng)
        if not blocks:
            return token
        creates = self._blocked_test(decoder, blocks)
        logits = logits.copy()
        for _ in range(MAX_REFUSALS):
            if not creates(token):
                return token
            logits[token] = -np.inf
            token = sample_token(logits, sampling, rng)
        return BLOCKED

    def _blocked_test(self, decoder: StreamDecoder, blocks: BlockList) -> Callable[[int], bool]:
        """True for a candidate token that would write a blocked phrase; the text so far is read once
        for all the candidates of a step."""
        if not blocks:
            return lambda _token: False
        context = decoder.context()
        before = context + decoder.text_with()

        def creates(token: int) -> bool:
            return token not in self._eos and blocks.creates(before, context + decoder.text_with(token))

        return creates

    def _advance(
        self, stream: _Stream, token: int, stop_at: str | None, row: int, on_text: OnText | None
    ) -> None:
        if token in self._eos:
            stream.finish("eos")
            return
        if token == BLOCKED:  # every likely next token would have written a blocked phrase
            stream.finish("blocked")
            return
        if token == UNKEPT:  # no token keeps the answer's rule (its form) from here
            stream.finish("form")
            return
        stream.completion.token_ids.append(token)
        self._emit(stream, stream.decoder.push(token), stop_at, row, on_text)

    def _flush(self, stream: _Stream, stop_at: str | None, row: int, on_text: OnText | None) -> None:
        self._emit(stream, stream.decoder.flush(), stop_at, row, on_text)

    @staticmethod
    def _emit(stream: _Stream, delta: str, stop_at: str | None, row: int, on_text: OnText | None) -> None:
        if not delta or stream.completion.finish_reason == "stop":
            return
        text = stream.completion.text + delta
        cut = find_stop(text, stop_at)
        if cut is not None:
            delta = text[len(stream.completion.text) : cut] if cut > len(stream.completion.text) else ""
            text = text[:cut] if cut > len(stream.completion.text) else stream.completion.text
            stream.finish("stop")
        stream.completion.text = text
        if delta and on_text is not None:
            on_text(row, delta)

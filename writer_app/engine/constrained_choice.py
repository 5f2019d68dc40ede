"""Choosing the next token under a rule the answer must keep (engine/constraint.py): the text the rule
forces is written as its tokens; otherwise the sampler's choice is taken when the rule allows the text
it makes, else the most likely token that the rule allows.

Judging a candidate means decoding the answer with it, so the search is tiered: a few sampled draws,
then the TOP most likely tokens, then up to SCAN more by likelihood, each judged by its own text (a
token that is only part of a character is judged in the tiers before, with the bytes before it). When
none is allowed, the rule's rescue is written (the line break after a full line, a rhyme from the
dictionary), the one the model scores highest; when there is none,
the answer ends with reason "form": the rule could not be kept from there, and the caller says so."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from writer_app.engine.completion import Completion
from writer_app.engine.constraint import TextConstraint
from writer_app.engine.sampling import SamplingParams, sample_token
from writer_app.engine.text_codec import REPLACEMENT_CHAR, StreamDecoder, TextCodec

UNKEPT = -2  # the token id that ends an answer whose rule no token can keep
DRAWS = 16
TOP = 48
SCAN = 8192


class ConstrainedChooser:
    def __init__(
        self,
        constraint: TextConstraint,
        codec: TextCodec,
        eos: set[int],
        token_texts: Callable[[int], list[str]],
    ):
        self.constraint = constraint
        self.codec = codec
        self.eos = eos
        self._token_texts = token_texts

    def next_token(
        self,
        forced: list[int],
        logits: np.ndarray,
        sampling: SamplingParams,
        rng: np.random.Generator,
        decoder: StreamDecoder,
        refused: Callable[[int], bool],
        taken: set[int] = frozenset(),  # type: ignore[assignment]
    ) -> int:
        """The next token of one answer: the rest of the text the rule forces (`forced`, the answer's
        own queue, is filled and emptied here), else a token it allows, else its rescue (UNKEPT: none)."""
        if not forced:
            ids = self.forced_ids(decoder)
            if ids is not None:
                if not ids:
                    return UNKEPT
                forced.extend(ids)
        if forced:
            return forced.pop(0)
        token = self.choose(logits, sampling, rng, decoder, refused, taken)
        if token == UNKEPT:
            forced.extend(self.rescue_ids(decoder, logits))
            token = forced.pop(0) if forced else UNKEPT
        return token

    def forced_ids(self, decoder: StreamDecoder) -> list[int] | None:
        """The tokens of the text the rule writes next; None when the model chooses; [] when the
        rule's text has no tokens in this vocabulary (the answer cannot go on)."""
        forced = self.constraint.forced(decoder.text_with())
        return None if forced is None else self._written(forced)

    def _written(self, text: str) -> list[int]:
        """The tokens that write `text`; [] when this vocabulary cannot (it reads 春 as [UNK])."""
        ids = self.codec.encode(text)
        return ids if "".join(self.codec.decode(ids).split()) == "".join(text.split()) else []

    def rescue_ids(self, decoder: StreamDecoder, logits: np.ndarray) -> list[int]:
        """The tokens of the rule's own way on when no token the model offers keeps it: of the texts
        it offers, one the vocabulary writes as a single token if any (a common word: " fault", not
        " brault"), the one whose first token the model scores highest ([]: none)."""
        written = [ids for ids in map(self._written, self.constraint.rescue(decoder.text_with())) if ids]
        return max(written, key=lambda ids: (len(ids) == 1, float(logits[ids[0]])), default=[])

    def broken(self, completion: Completion) -> bool:
        """An answer that ended without keeping its rule (cornered, or out of tokens); not one the
        writer or the clock stopped."""
        return completion.finish_reason not in ("cancelled", "time") and not self.constraint.may_end(
            completion.text
        )

    def finished(self, decoder: StreamDecoder) -> bool:
        return self.constraint.finished(decoder.text_with())

    def choose(
        self,
        logits: np.ndarray,
        sampling: SamplingParams,
        rng: np.random.Generator,
        decoder: StreamDecoder,
        refused: Callable[[int], bool],
        taken: set[int] = frozenset(),  # type: ignore[assignment]
    ) -> int:
        """The next token (UNKEPT: none keeps the rule). `refused`: another rule's veto (the block
        list); `taken`: tokens other alternatives start with (greedy alternatives start apart)."""
        text = decoder.text_with()
        constraint = self.constraint
        texts = self._token_texts(logits.size)

        def allowed(token: int) -> bool:
            if token in taken or refused(token):
                return False
            if token in self.eos:
                return constraint.may_end(text)
            if not texts[token]:
                return False  # a token that writes nothing ([UNK], [MASK]) would keep any form forever
            # A token that is only part of a character adds no text yet: the rule judges the character
            # when its last byte comes.
            return constraint.allows(decoder.text_with(token))

        if not sampling.greedy:
            masked = logits.copy()
            for _ in range(DRAWS):
                token = sample_token(masked, sampling, rng)
                if allowed(token):
                    return token
                masked[token] = -np.inf
        count = min(TOP, logits.size)
        top = np.argpartition(-logits, count - 1)[:count]
        top = top[np.argsort(-logits[top], kind="stable")]
        for token in top:
            if allowed(int(token)):
                return int(token)
        order = np.argsort(-logits, kind="stable")[count : count + SCAN]
        for token in (int(t) for t in order):
            if token in self.eos:
                if token not in taken and constraint.may_end(text):
                    return token
                continue
            piece = texts[token]
            usable = piece and REPLACEMENT_CHAR not in piece and token not in taken and not refused(token)
            if usable and constraint.allows(text + piece):
                return token
        return UNKEPT

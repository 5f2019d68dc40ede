"""Choosing the next token from logits: greedy, or sampling with temperature, top-k, top-p."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The ranges the editor offers for each sampling setting (Settings checks them, the dialog's boxes use
# them). validate() below is the engine's own rule, wider: any value the maths accepts.
SAMPLING_LIMITS: dict[str, tuple[float, float]] = {
    "temperature": (0.05, 2.0),
    "top_p": (0.05, 1.0),
    "top_k": (0, 200),
    "repetition_penalty": (1.0, 2.0),
}


@dataclass(frozen=True)
class SamplingParams:
    greedy: bool = True
    temperature: float = 0.8
    top_k: int = 50
    top_p: float = 0.95
    repetition_penalty: float = 1.0
    seed: int | None = None
    blocked: tuple[str, ...] = ()  # phrases never to produce (engine/block_list.py)
    # Never write the same run of this many tokens twice in one completion (0: off). Greedy decoding
    # of a small model loops ("They use them to create their own stories." five times).
    no_repeat_ngram: int = 0

    def validate(self) -> None:
        if not math.isfinite(self.temperature) or not math.isfinite(self.top_p):
            raise ValueError("temperature and top-p must be numbers")
        if not math.isfinite(self.repetition_penalty):
            raise ValueError("repetition penalty must be a number")
        if self.temperature <= 0:
            raise ValueError("temperature must be greater than 0")
        if self.top_k < 0:
            raise ValueError("top-k must be 0 (off) or a positive number")
        if not 0 < self.top_p <= 1:
            raise ValueError("top-p must be in (0, 1]")
        if self.repetition_penalty <= 0:
            raise ValueError("repetition penalty must be greater than 0")
        if self.no_repeat_ngram < 0 or self.no_repeat_ngram == 1:
            raise ValueError("the repeat guard is 0 (off) or a run of at least 2 tokens")


def apply_repetition_penalty(logits: np.ndarray, seen: Sequence[int], penalty: float) -> np.ndarray:
    """CTRL-style penalty (as transformers applies it): seen tokens' logits move towards unlikely."""
    if penalty == 1.0 or len(seen) == 0:
        return logits
    ids = np.unique(np.asarray(seen, dtype=np.int64))
    picked = logits[ids]
    logits = logits.copy()
    logits[ids] = np.where(picked > 0, picked / penalty, picked * penalty)
    return logits


def repeating_tokens(generated: Sequence[int], size: int) -> list[int]:
    """The tokens that would end a run of `size` tokens already written in `generated` (HF's
    no_repeat_ngram_size, on what this completion wrote: a name repeated from the prompt is fine)."""
    if size < 2 or len(generated) < size:
        return []
    tail = list(generated[len(generated) - size + 1 :])
    return [
        generated[i + size - 1]
        for i in range(len(generated) - size + 1)
        if list(generated[i : i + size - 1]) == tail
    ]


def sample_token(logits: np.ndarray, params: SamplingParams, rng: np.random.Generator) -> int:
    """One token id from a 1-D logits vector."""
    if params.greedy:
        return int(np.argmax(logits))
    scaled = logits.astype(np.float64) / params.temperature
    if 0 < params.top_k < scaled.size:
        kth = np.partition(scaled, -params.top_k)[-params.top_k]
        scaled = np.where(scaled < kth, -np.inf, scaled)
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    if params.top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        cumulative = np.cumsum(probs[order])
        # Keep the smallest set whose mass reaches top_p (always at least the most likely token).
        keep = order[: int(np.searchsorted(cumulative, params.top_p)) + 1]
        mask = np.zeros_like(probs)
        mask[keep] = probs[keep]
        probs = mask / mask.sum()
    return int(rng.choice(probs.size, p=probs))

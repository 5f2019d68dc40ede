"""How faithfully a variant (8-bit weights) follows a reference (float32), measured as llama.cpp measures it.

Both read the same real text, teacher-forced one token at a time through the KV cache (the path
generation uses). At every position the two next-token distributions are compared: mean KL divergence
KL(reference || variant), the perplexity each gives the text that really follows, and how often their most
likely tokens agree. These are the figures of llama.cpp's `perplexity --kl-divergence`. Top-1 agreement
alone mostly counts near-ties on a small model; KL divergence and the perplexity ratio weigh how much
probability really moved.

`FidelityTally` takes rows of logits from any source, so the benchmark scores llama.cpp's logits with the
same arithmetic the export gate uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from writer_app.engine.onnx_model import OnnxCausalLM


@dataclass(frozen=True)
class Fidelity:
    positions: int
    kl_divergence: float  # mean over positions, in nats
    perplexity: float  # of the reference on the text
    variant_perplexity: float
    top1_agreement: float

    @property
    def perplexity_ratio(self) -> float:
        return self.variant_perplexity / self.perplexity

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "perplexity_ratio": self.perplexity_ratio}


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - float(np.max(logits))
    return shifted - math.log(float(np.exp(shifted).sum()))


class FidelityTally:
    """Running sums over positions; add() one pair of next-token logits and the token that followed."""

    def __init__(self) -> None:
        self.positions = 0
        self._kl = 0.0
        self._nll = 0.0
        self._variant_nll = 0.0
        self._same_top1 = 0

    def add(self, reference_logits: np.ndarray, variant_logits: np.ndarray, next_token: int) -> None:
        ref = _log_softmax(reference_logits)
        var = _log_softmax(variant_logits)
        # Clamped at 0: rounding can make a near-identical pair a hair negative.
        self._kl += max(0.0, float(np.dot(np.exp(ref), ref - var)))
        self._nll -= ref[next_token]
        self._variant_nll -= var[next_token]
        self._same_top1 += int(np.argmax(ref) == np.argmax(var))
        self.positions += 1

    def result(self) -> Fidelity:
        if self.positions == 0:
            raise ValueError("no positions to compare on")
        n = self.positions
        return Fidelity(
            positions=n,
            kl_divergence=self._kl / n,
            perplexity=math.exp(self._nll / n),
            variant_perplexity=math.exp(self._variant_nll / n),
            top1_agreement=self._same_top1 / n,
        )


def compare(reference: OnnxCausalLM, variant: OnnxCausalLM, ids: Sequence[int]) -> Fidelity:
    """Score the variant against the reference at every position of ids that has a next token."""
    if len(ids) < 2:
        raise ValueError("no tokens to compare on: the text needs at least two")
    tally = FidelityTally()
    ref_past, var_past = reference.empty_cache(), variant.empty_cache()
    for i, token in enumerate(ids[:-1]):
        step = np.array([[token]], dtype=np.int64)
        ref_logits, ref_past = reference.forward(step, ref_past)
        var_logits, var_past = variant.forward(step, var_past)
        tally.add(ref_logits[0], var_logits[0], int(ids[i + 1]))
    return tally.result()


def top1_predictions(model: OnnxCausalLM, ids: Sequence[int]) -> np.ndarray:
    """The argmax next token after each prefix ids[:i+1]."""
    past = model.empty_cache()
    out = np.empty(len(ids), dtype=np.int64)
    for i, token in enumerate(ids):
        logits, past = model.forward(np.array([[token]], dtype=np.int64), past)
        out[i] = int(np.argmax(logits[0]))
    return out


def top1_agreement(reference: OnnxCausalLM, variant: OnnxCausalLM, ids: Sequence[int]) -> float:
    if len(ids) == 0:
        raise ValueError("no tokens to compare on")
    return float(np.mean(top1_predictions(reference, ids) == top1_predictions(variant, ids)))

"""Teacher-forced top-1 agreement between two models: how often a variant picks the reference's token.

Feeds the same real text to both, one token at a time through the KV cache (the path generation uses),
and compares their most likely next token at every position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from writer_app.engine.onnx_model import OnnxCausalLM


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

"""How surprising each token of a passage is to the model (GLTR): the rank of the token that is really
there among the model's predictions at that point. Rank 1 is the model's own first choice (the most
predictable words, often the clichés); a rank past 100 is a word the model did not see coming.

The editor's graphs return the logits of the last position only, so the passage is stepped through one
token at a time on a cache of its own (the editor's prefix cache is left as it is), after its context is
read in one go. It checks for cancel before every token.
"""

from __future__ import annotations

import threading

import numpy as np

from writer_app.engine.completion import TokenSurprise
from writer_app.engine.onnx_model import OnnxCausalLM
from writer_app.engine.text_codec import TextCodec


def rank_of(logits: np.ndarray, token: int) -> int:
    return int(np.count_nonzero(logits > logits[token])) + 1


def passage_surprise(
    model: OnnxCausalLM,
    codec: TextCodec,
    passage: str,
    context: str = "",
    cancel: threading.Event | None = None,
) -> list[TokenSurprise] | None:
    """The rank of every token of passage after context; None if cancelled. The first token of a passage
    with no context has no prediction to be ranked against and is left out."""
    ids, offsets = codec.encode_with_offsets(passage)
    context_ids = codec.encode(context) if context else []
    past = model.empty_cache()
    logits = None
    if context_ids:
        logits, past = model.forward(np.array([context_ids], dtype=np.int64), past)
    ranks = []
    for token, (start, end) in zip(ids, offsets, strict=True):
        if cancel is not None and cancel.is_set():
            return None
        if logits is not None:
            ranks.append(TokenSurprise(start, end, rank_of(logits[0], token)))
        logits, past = model.forward(np.array([[token]], dtype=np.int64), past)
    return ranks

"""The names a decoder graph exposes to the engine: what the exporters' rewrites write and
`onnx_model.py` reads. One module, imported by both sides, so neither can drift from the other."""

from __future__ import annotations

INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
POSITION_IDS = "position_ids"
LOGITS = "logits"
PAST_PREFIX = "past_key_values."
PRESENT_PREFIX = "present."
# Inputs of a graph whose attention (GroupQueryAttention) writes its cache into a preallocated buffer in
# place: per row, the index of the last position after this step (total length - 1); the total length.
KV_SEQLENS_INPUT = "seqlens_k"
KV_TOTAL_INPUT = "total_sequence_length"
# The dimension name of a present output that is the whole in-place buffer, not past + new.
KV_BUFFER_DIM = "kv_buffer_length"


def past_names(layer: int) -> tuple[str, str]:
    """The key and value cache inputs of one layer."""
    return f"{PAST_PREFIX}{layer}.key", f"{PAST_PREFIX}{layer}.value"


def present_names(layer: int) -> tuple[str, str]:
    """The key and value cache outputs of one layer."""
    return f"{PRESENT_PREFIX}{layer}.key", f"{PRESENT_PREFIX}{layer}.value"


def present_for(past_name: str) -> str:
    """The output that carries an input cache tensor forward."""
    return past_name.replace(PAST_PREFIX, PRESENT_PREFIX, 1)

"""The graph rewrites applied after export, per architecture, and a record of what they did.

Each rewrite lives with its architecture (gpt2_graph.py, llama_graph.py) or, when shared, in
graph_edits.py. Only rewrites that changed the graph are recorded as applied; a fusion that refused
says why, and the graph it leaves is the exported one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from writer_app.models import gpt2_graph, llama_graph
from writer_app.models.graph_edits import (
    INT8_BLOCK_SIZE,
    count_ops,
    gemm_to_matmul,
    half_precision_embeddings,
    last_position_logits,
    quantize_embedding_table,
    save_with_external_weights,
    share_tied_embedding,
    store_lm_head_weight,
)
from writer_app.models.library_log import library_output_logged
from writer_app.models.weight_quantizer import (
    count_nbits,
    quantize_int4_weights,
    quantize_weights,
    sensitive_projection,
)

log = logging.getLogger(__name__)
QUANTIZATIONS = ("none", "int8", "int4")


@dataclass
class Rewrites:
    """The rewrites that changed the graph, and the ones that were refused with their reason."""

    applied: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    def record(self, name: str, changed: bool | int) -> None:
        if changed:
            self.applied.append(name)


def _fuse_attention(model, config: dict[str, Any], rewrites: Rewrites) -> None:
    architecture = config.get("model_type")
    fuse = {
        "gpt2": gpt2_graph.fuse_gpt2_attention,
        "llama": llama_graph.fuse_llama_attention,
        "qwen2": llama_graph.fuse_llama_attention,  # Llama's attention with biased q/k/v projections
        "qwen3": llama_graph.fuse_llama_attention,  # and with each query and key head normalised
    }.get(str(architecture))
    if fuse is None:
        rewrites.refused["fused_attention"] = f"no attention fusion for the {architecture} architecture"
        return
    fusion = fuse(model, config)
    if fusion.refused:
        log.warning("attention left unfused: %s", fusion.refused)
        rewrites.refused["fused_attention"] = fusion.refused
    rewrites.record("fused_attention", fusion.layers)


def optimize_graph(
    path: Path,
    *,
    quantize: str = "none",
    config: dict[str, Any] | None = None,
    block_size: int = INT8_BLOCK_SIZE,
    sensitive_in_8_bits: bool = False,
) -> Rewrites:
    """Rewrite the exported graph in place; returns which rewrites applied and which were refused.
    block_size: how many weights share one scale (smaller keeps more of float32, costs disk); for int4,
    the 4-bit weights' (the LM head keeps 8-bit blocks of 32, and with sensitive_in_8_bits the
    attention values and MLP down projections do too)."""
    import onnx

    if quantize not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization {quantize!r} (choose {' or '.join(QUANTIZATIONS)})")
    config = config or {}
    with library_output_logged(f"optimizing {path} ({quantize})"):
        return _optimize(path, onnx.load(str(path)), quantize, config, block_size, sensitive_in_8_bits)


def _optimize(
    path: Path, model: Any, quantize: str, config: dict[str, Any], block_size: int, sensitive_in_8_bits: bool
) -> Rewrites:
    rewrites = Rewrites()
    _fuse_attention(model, config, rewrites)
    if config.get("model_type") == "gpt2":
        model, fused = gpt2_graph.fuse_gpt2_norms(model, config)
        rewrites.record("fused_norms", fused)
    rewrites.record("kv_buffer_in_place", count_ops(model, "GroupQueryAttention"))
    rewrites.record("last_position_logits", last_position_logits(model))
    if quantize in ("int8", "int4"):
        rewrites.record("lm_head_stored", store_lm_head_weight(model))
        rewrites.record("gemm_to_matmul", gemm_to_matmul(model))
        if quantize == "int4":
            keep = sensitive_projection if sensitive_in_8_bits else (lambda _name: False)
            model = quantize_int4_weights(model, block_size=block_size, eight_bit=keep)
            rewrites.record("int4_weights", count_nbits(model, 4))
        else:
            model = quantize_weights(model, block_size=block_size)
            rewrites.record("int8_weights", count_ops(model, "MatMulNBits"))
        rewrites.record("tied_embedding_shared", share_tied_embedding(model))
        rewrites.record("int8_embeddings", quantize_embedding_table(model, block_size))
        rewrites.record("fp16_embeddings", half_precision_embeddings(model))
    save_with_external_weights(model, path)
    return rewrites

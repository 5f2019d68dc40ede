"""Llama-family graph rewrites (SmolLM2; Qwen2 / Qwen2.5, whose q/k/v projections add a bias; Qwen3,
which normalises each query and key head before the rotary embedding and whose heads need not split the
hidden size): one GroupQueryAttention per layer with the rotary embedding inside the op and the cache
written in place.

All layers are matched before anything changes; a configuration this rewrite would not reproduce
exactly (scaled or partial rotary embeddings, head sizes the CPU kernel refuses) is refused up front.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from writer_app.engine.graph_contract import KV_SEQLENS_INPUT, KV_TOTAL_INPUT, past_names, present_names
from writer_app.models.graph_edits import Fusion, finish_attention_fusion, plan_fusion, producers


def attention_config_problem(config: dict[str, Any]) -> str | None:
    heads = int(config.get("num_attention_heads", 0))
    head_size = int(config.get("head_dim") or int(config.get("hidden_size", 0)) // max(heads, 1))
    scaling = config.get("rope_scaling") or {}
    if not heads:
        return "num_attention_heads is missing"
    if head_size % 16:
        return f"head size {head_size} is not a multiple of 16 (onnxruntime's CPU rotary kernel)"
    if scaling.get("rope_type", scaling.get("type", "default")) != "default":
        return f"rope scaling {scaling} is not reproduced by the fused op"
    if config.get("partial_rotary_factor", 1.0) != 1.0:
        return "partial rotary embeddings are not reproduced by the fused op"
    if config.get("use_sliding_window", False):
        return "sliding-window attention is not reproduced by the fused op"
    return None


def _match_layers(graph) -> tuple[list[tuple[list, list, list, Any]], str | None]:
    made_by = producers(graph)
    by_name = {n.name: n for n in graph.node}
    layers = []
    layer = 0
    while present_names(layer)[0] in made_by:
        prefix = f"/model/layers.{layer}/self_attn"
        projections = [by_name.get(f"{prefix}/{p}_proj/MatMul") for p in ("q", "k", "v", "o")]
        # A projection with a bias (Qwen2) ends in an Add of it: attention reads the sum.
        biased = [by_name.get(f"{prefix}/{p}_proj/Add") for p in ("q", "k", "v")]
        # A per-head RMSNorm of queries and keys (Qwen3) ends in the Mul by its weight, on heads
        # [batch, sequence, heads, head size]: attention reads it with the heads packed again.
        normed = [by_name.get(f"{prefix}/{p}_norm/Mul_1") for p in ("q", "k")] + [None]
        concats = [made_by.get(name) for name in present_names(layer)]
        if None in projections or any(c is None or c.op_type != "Concat" for c in concats):
            return [], f"layer {layer}'s attention is not laid out as this rewrite expects"
        merge = made_by.get(projections[3].input[0])
        if merge is None or merge.op_type != "Reshape":
            return [], f"layer {layer}'s heads are not merged by a Reshape"
        inputs = [
            (norm or bias or matmul).output[0]
            for norm, bias, matmul in zip(normed, biased, projections[:3], strict=True)
        ]
        packs = [i for i, norm in enumerate(normed) if norm is not None]
        layers.append((projections, inputs, concats, merge, packs))
        layer += 1
    if not layers:
        return [], "no attention layers with a KV cache were found"
    return layers, None


def fuse_llama_attention(model, config: dict[str, Any]) -> Fusion:
    """Replace each layer's exported attention (rotary embedding, repeat of the key/value heads, concat
    of the cache, masked softmax) with one GroupQueryAttention, in every layer or none."""
    from onnx import helper, numpy_helper

    layers, refusal = plan_fusion(attention_config_problem(config), lambda: _match_layers(model.graph))
    if refusal is not None:
        return refusal
    heads = int(config["num_attention_heads"])
    kv_heads = int(config.get("num_key_value_heads") or heads)
    head_size = int(config.get("head_dim") or int(config["hidden_size"]) // heads)
    graph = model.graph

    # The rotary tables GroupQueryAttention reads, computed as transformers does (in float32).
    positions = int(config.get("max_position_embeddings", 2048))
    theta = np.float32(config.get("rope_theta", 10000.0))
    exponents = np.arange(0, head_size, 2, dtype=np.int64).astype(np.float32) / head_size
    inv_freq = np.float32(1.0) / theta**exponents
    freqs = np.arange(positions, dtype=np.float32)[:, None] * inv_freq[None, :]
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.cos(freqs).astype(np.float32), "rotary/cos_cache"),
            numpy_helper.from_array(np.sin(freqs).astype(np.float32), "rotary/sin_cache"),
        ]
    )
    if any(packs for *_, packs in layers):
        graph.initializer.append(
            numpy_helper.from_array(np.array([0, 0, -1], dtype=np.int64), "heads/packed")
        )
    for index, (projections, inputs, concats, merge, packs) in enumerate(layers):
        for i in packs:  # [batch, sequence, heads, head size] -> [batch, sequence, heads * head size]
            packed = f"/model/layers.{index}/self_attn/{'qk'[i]}_norm/packed"
            graph.node.insert(
                list(graph.node).index(projections[3]),
                helper.make_node("Reshape", [inputs[i], "heads/packed"], [packed], name=packed),
            )
            inputs[i] = packed
        q, k, v = inputs
        attention = helper.make_node(
            "GroupQueryAttention",
            [
                q,
                k,
                v,
                *past_names(index),
                KV_SEQLENS_INPUT,
                KV_TOTAL_INPUT,
                "rotary/cos_cache",
                "rotary/sin_cache",
            ],
            [merge.output[0], *present_names(index)],
            name=f"/model/layers.{index}/self_attn/GroupQueryAttention",
            domain="com.microsoft",
            num_heads=heads,
            kv_num_heads=kv_heads,
            do_rotary=1,
            rotary_interleaved=0,
        )
        for old in (*concats, merge):
            graph.node.remove(old)
        graph.node.insert(list(graph.node).index(projections[3]), attention)
    finish_attention_fusion(model, in_place=True)
    return Fusion(layers=len(layers))

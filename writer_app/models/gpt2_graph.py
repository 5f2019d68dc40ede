"""GPT-2 graph rewrites: one attention op per layer, onnxruntime's norm and GELU fusions.

A rewrite either applies to every layer or to none: all layers are matched before anything changes,
and a configuration whose attention maths the fused op would not reproduce is refused up front.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from writer_app.engine.graph_contract import KV_SEQLENS_INPUT, KV_TOTAL_INPUT, past_names, present_names
from writer_app.models.graph_edits import (
    Fusion,
    consumers,
    count_ops,
    finish_attention_fusion,
    plan_fusion,
    producers,
)

# Contrib ops onnxruntime's GPT-2 fusions produce; a plain export has none of them.
FUSED_NORM_OPS = ("SkipLayerNormalization", "FastGelu", "BiasGelu", "BiasSplitGelu")


def attention_config_problem(config: dict[str, Any]) -> str | None:
    """Why the fused attention would compute something else than this configuration asks for, if so.

    The fused ops scale scores by 1/sqrt(head size), as GPT-2 does by default."""
    if not config.get("scale_attn_weights", True):
        return "scale_attn_weights is off (unscaled attention scores)"
    if config.get("scale_attn_by_inverse_layer_idx", False):
        return "scale_attn_by_inverse_layer_idx is on (scores scaled per layer)"
    if config.get("add_cross_attention", False):
        return "the model has cross-attention"
    heads, width = int(config.get("n_head", 0)), int(config.get("n_embd", 0))
    if not heads or width % heads:
        return f"n_embd {width} is not a multiple of n_head {heads}"
    return None


@dataclass
class _Layer:
    split: Any
    replaced: tuple[Any, ...]  # the key concat, the value concat, the merge of heads
    output: str


def _match_layers(graph) -> tuple[list[_Layer], str | None]:
    """Every layer's attention as exported, or the first layer that does not look as expected."""
    made_by = producers(graph)
    read_by = consumers(graph)
    by_name = {n.name: n for n in graph.node}
    layers = []
    layer = 0
    while present_names(layer)[0] in made_by:
        key_out, value_out = present_names(layer)
        split = by_name.get(f"/transformer/h.{layer}/attn/Split")
        key_concat, value_concat = made_by[key_out], made_by.get(value_out)
        attn_v = [n for n in read_by.get(value_out, []) if n.op_type == "MatMul"]
        merge = None
        if attn_v:
            after = [n for n in read_by.get(attn_v[0].output[0], []) if n.op_type == "Transpose"]
            if after:
                reshapes = [n for n in read_by.get(after[0].output[0], []) if n.op_type == "Reshape"]
                merge = reshapes[0] if reshapes else None
        if (
            split is None
            or len(split.output) != 3
            or key_concat.op_type != "Concat"
            or value_concat is None
            or value_concat.op_type != "Concat"
            or merge is None
        ):
            return [], f"layer {layer}'s attention is not laid out as this rewrite expects"
        layers.append(_Layer(split, (key_concat, value_concat, merge), merge.output[0]))
        layer += 1
    if not layers:
        return [], "no attention layers with a KV cache were found"
    return layers, None


def fuse_gpt2_attention(model, config: dict[str, Any]) -> Fusion:
    """Replace each layer's exported attention (split heads, transpose, concat the cache, masked
    softmax, merge heads: dozens of small ops) with one contrib attention op, in every layer or none.

    GroupQueryAttention (with as many key/value heads as query heads, which is plain multi-head
    attention) when its CPU kernel takes the head size: its cache can be a buffer updated in place,
    so a step no longer copies the whole cache. MultiHeadAttention, which concatenates, otherwise."""
    from onnx import helper

    layers, refusal = plan_fusion(attention_config_problem(config), lambda: _match_layers(model.graph))
    if refusal is not None:
        return refusal
    heads = int(config["n_head"])
    head_size = int(config["n_embd"]) // heads
    in_place = head_size % 8 == 0  # what onnxruntime's CPU GroupQueryAttention accepts
    graph = model.graph
    for index, layer in enumerate(layers):
        past = list(past_names(index))
        outputs = [layer.output, *present_names(index)]
        name = f"/transformer/h.{index}/attn/Attention"
        if in_place:
            attention = helper.make_node(
                "GroupQueryAttention",
                [*layer.split.output, *past, KV_SEQLENS_INPUT, KV_TOTAL_INPUT],
                outputs,
                name=name,
                domain="com.microsoft",
                num_heads=heads,
                kv_num_heads=heads,
            )
        else:
            attention = helper.make_node(
                "MultiHeadAttention",
                [*layer.split.output, "", "", "", *past],
                outputs,
                name=name,
                domain="com.microsoft",
                num_heads=heads,
                unidirectional=1,
            )
        for old in layer.replaced:
            graph.node.remove(old)
        graph.node.insert(list(graph.node).index(layer.split) + 1, attention)
    finish_attention_fusion(model, in_place=in_place)
    return Fusion(layers=len(layers))


def fuse_gpt2_norms(model, config: dict[str, Any]) -> tuple[Any, bool]:
    """onnxruntime's transformer fusions for GPT-2 (SkipLayerNormalization, FastGelu): fewer, larger
    kernels per token. Returns the model and whether any fused op appeared."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    for name in ("onnxruntime.transformers", "fusion"):
        logging.getLogger(name).setLevel(logging.WARNING)
    before = count_ops(model, *FUSED_NORM_OPS)
    options = FusionOptions("gpt2")
    options.enable_attention = False  # done by fuse_gpt2_attention, which knows this cache layout
    fused = optimize_model(
        model,
        model_type="gpt2",
        num_heads=int(config["n_head"]),
        hidden_size=int(config["n_embd"]),
        optimization_options=options,
        opt_level=0,
    ).model
    return fused, count_ops(fused, *FUSED_NORM_OPS) > before

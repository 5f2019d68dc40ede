"""Graph rewrites applied after export: LM head as a stored weight, last-position logits, 8-bit weights.

onnx and onnxruntime's quantizer are imported lazily: needed to export, never to run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from writer_app.engine.onnx_model import KV_SEQLENS_INPUT, KV_TOTAL_INPUT

log = logging.getLogger(__name__)
INT64_MAX = np.iinfo(np.int64).max
# Weight-only 8-bit: blocks of 32 along K, int8 activations in the kernel (accuracy level 4).
INT8_BLOCK_SIZE = 32
INT8_ACCURACY_LEVEL = 4
QUANTIZATIONS = ("none", "int8")


def _producers(graph) -> dict[str, Any]:
    return {out: node for node in graph.node for out in node.output}


def lm_head_node(graph):
    """The MatMul that produces the `logits` output."""
    node = _producers(graph).get("logits")
    if node is None or node.op_type != "MatMul":
        raise ValueError("the graph's logits do not come from a MatMul (unexpected export)")
    return node


def store_lm_head_weight(model) -> bool:
    """Tied heads are exported as MatMul(h, Transpose(embedding)): store the transposed weight instead.

    The quantizer only quantizes a MatMul whose weight is an initializer, and the per-token Transpose of
    the full embedding matrix costs time. True if the graph changed.
    """
    from onnx import numpy_helper

    graph = model.graph
    head = lm_head_node(graph)
    producer = _producers(graph).get(head.input[1])
    inits = {init.name: init for init in graph.initializer}
    if producer is None or producer.op_type != "Transpose" or producer.input[0] not in inits:
        return False
    weight = numpy_helper.to_array(inits[producer.input[0]])
    name = f"{producer.input[0]}.lm_head_t"
    graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(weight.T), name))
    head.input[1] = name
    if not any(producer.output[0] in n.input for n in graph.node if n is not head):
        graph.node.remove(producer)
    return True


def last_position_logits(model) -> bool:
    """Slice the hidden states to the last position before the LM head.

    Prefill then multiplies one row by the vocabulary matrix instead of one per prompt token; the
    engine only ever reads the last position. True if the graph changed.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    head = lm_head_node(graph)
    if head.input[0].endswith("/last_position"):
        return False
    consts = {
        "last_position/starts": np.array([-1], dtype=np.int64),
        "last_position/ends": np.array([INT64_MAX], dtype=np.int64),
        "last_position/axes": np.array([1], dtype=np.int64),
    }
    for name, value in consts.items():
        graph.initializer.append(numpy_helper.from_array(value, name))
    sliced = head.input[0] + "/last_position"
    node = helper.make_node("Slice", [head.input[0], *consts], [sliced], name="last_position_slice")
    graph.node.insert(list(graph.node).index(head), node)
    head.input[0] = sliced
    return True


def gemm_to_matmul(model) -> int:
    """GPT-2's Conv1D layers export as Gemm, which the weight-only quantizer skips: rewrite each
    Gemm(A, W, bias) with a constant W as MatMul(A, W) + bias. Returns how many were rewritten."""
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    rewritten = 0
    for node in list(graph.node):
        if node.op_type != "Gemm" or node.input[1] not in inits:
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0 or attrs.get("transA", 0):
            continue
        weight_name = node.input[1]
        if attrs.get("transB", 0):
            weight = numpy_helper.to_array(inits[weight_name]).T
            weight_name = f"{weight_name}.t"
            graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(weight), weight_name))
        index = list(graph.node).index(node)
        has_bias = len(node.input) > 2 and bool(node.input[2])
        product = node.output[0] + "/matmul" if has_bias else node.output[0]
        new_nodes = [
            helper.make_node("MatMul", [node.input[0], weight_name], [product], name=node.name + "_mm")
        ]
        if has_bias:
            new_nodes.append(
                helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=node.name + "_bias")
            )
        graph.node.remove(node)
        for offset, new in enumerate(new_nodes):
            graph.node.insert(index + offset, new)
        rewritten += 1
    return rewritten


def half_precision_embeddings(model) -> int:
    """Store token-embedding tables as float16 behind a Cast: half the memory, no measurable change.

    (onnxruntime's block-quantized Gather only takes 4 bits; embeddings are looked up, not multiplied,
    so they cost memory rather than time.) Returns how many tables were converted."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    converted = 0
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in inits:
            continue
        table = inits[node.input[0]]
        if table.data_type != TensorProto.FLOAT or len(table.dims) != 2 or table.dims[0] < 1000:
            continue
        users = [n for n in graph.node if node.input[0] in n.input]
        if len(users) != 1:
            continue  # shared with another op (e.g. a tied head): leave it
        half = numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), table.name + ".fp16")
        graph.initializer.remove(table)
        graph.initializer.append(half)
        gathered = node.output[0] + "/fp16"
        cast = helper.make_node(
            "Cast", [gathered], [node.output[0]], to=TensorProto.FLOAT, name=node.name + "_to_fp32"
        )
        node.input[0] = half.name
        node.output[0] = gathered
        graph.node.insert(list(graph.node).index(node) + 1, cast)
        converted += 1
    return converted


def quantize_int8_weights(model):
    """8-bit weight-only quantization of every MatMul with a constant weight, the LM head included."""
    from onnxruntime.quantization import matmul_nbits_quantizer as mnq

    logging.getLogger(mnq.__name__).setLevel(logging.WARNING)  # it logs every node at INFO

    config = mnq.DefaultWeightOnlyQuantConfig(
        block_size=INT8_BLOCK_SIZE,
        is_symmetric=True,
        accuracy_level=INT8_ACCURACY_LEVEL,
        bits=8,
        op_types_to_quantize=("MatMul",),
        quant_axes=(("MatMul", 0),),
    )
    quantizer = mnq.MatMulNBitsQuantizer(model, algo_config=config)
    quantizer.process()
    return quantizer.model.model


def _remove_dead_nodes(graph) -> int:
    """Drop nodes whose outputs nothing reads (repeatedly, as removals expose more)."""
    outputs = {o.name for o in graph.output}
    removed = 0
    while True:
        read = {name for node in graph.node for name in node.input} | outputs
        dead = [n for n in graph.node if not any(o in read for o in n.output)]
        if not dead:
            return removed
        for node in dead:
            graph.node.remove(node)
        removed += len(dead)


def fuse_gpt2_attention(model, num_heads: int, head_size: int) -> int:
    """Replace each GPT-2 layer's exported attention (split heads, transpose, concat the cache, masked
    softmax, merge heads: dozens of small ops) with one contrib attention op. Returns how many layers
    were fused.

    GroupQueryAttention (with as many key/value heads as query heads, which is plain multi-head
    attention) when its CPU kernel takes the head size: its cache can be a buffer updated in place,
    so a step no longer copies the whole cache. MultiHeadAttention, which concatenates, otherwise."""
    from onnx import helper

    graph = model.graph
    producers = _producers(graph)
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    in_place = head_size % 8 == 0  # what onnxruntime's CPU GroupQueryAttention accepts
    fused = 0
    layer = 0
    while f"present.{layer}.key" in producers:
        split = next((n for n in graph.node if n.name == f"/transformer/h.{layer}/attn/Split"), None)
        key_concat = producers[f"present.{layer}.key"]
        value_concat = producers.get(f"present.{layer}.value")
        attn_v = [n for n in consumers.get(f"present.{layer}.value", []) if n.op_type == "MatMul"]
        merge = None
        if attn_v:
            after = [n for n in consumers.get(attn_v[0].output[0], []) if n.op_type == "Transpose"]
            if after:
                reshapes = [n for n in consumers.get(after[0].output[0], []) if n.op_type == "Reshape"]
                merge = reshapes[0] if reshapes else None
        if split is None or len(split.output) != 3 or key_concat.op_type != "Concat" or merge is None:
            return fused  # not the layout this rewrite knows: leave the graph as exported
        past = [f"past_key_values.{layer}.key", f"past_key_values.{layer}.value"]
        outputs = [merge.output[0], f"present.{layer}.key", f"present.{layer}.value"]
        name = f"/transformer/h.{layer}/attn/Attention"
        if in_place:
            attention = helper.make_node(
                "GroupQueryAttention",
                [*split.output, *past, KV_SEQLENS_INPUT, KV_TOTAL_INPUT],
                outputs,
                name=name,
                domain="com.microsoft",
                num_heads=num_heads,
                kv_num_heads=num_heads,
            )
        else:
            attention = helper.make_node(
                "MultiHeadAttention",
                [*split.output, "", "", "", *past],
                outputs,
                name=name,
                domain="com.microsoft",
                num_heads=num_heads,
                unidirectional=1,
            )
        for old in (key_concat, value_concat, merge):
            graph.node.remove(old)
        graph.node.insert(list(graph.node).index(split) + 1, attention)
        fused += 1
        layer += 1
    if fused:
        _finish_attention_fusion(model, in_place=in_place)
    return fused


def fuse_llama_attention(model, config: dict[str, Any]) -> int:
    """Replace each Llama layer's exported attention (rotary embedding, repeat of the key/value heads,
    concat of the cache, masked softmax) with one GroupQueryAttention that applies the rotary
    embedding itself and writes its cache buffer in place. Returns how many layers were fused; 0 when
    the configuration is one this rewrite does not reproduce exactly (scaled or partial rotary)."""
    from onnx import helper, numpy_helper

    heads = int(config.get("num_attention_heads", 0))
    kv_heads = int(config.get("num_key_value_heads") or heads)
    head_size = int(config.get("head_dim") or int(config.get("hidden_size", 0)) // max(heads, 1))
    scaling = config.get("rope_scaling") or {}
    if (
        not heads
        or head_size % 16  # what onnxruntime's CPU kernel accepts with its rotary embedding
        or scaling.get("rope_type", scaling.get("type", "default")) != "default"
        or config.get("partial_rotary_factor", 1.0) != 1.0
    ):
        return 0
    graph = model.graph
    producers = _producers(graph)
    by_name = {n.name: n for n in graph.node}
    layers = []
    layer = 0
    while f"present.{layer}.key" in producers:
        prefix = f"/model/layers.{layer}/self_attn"
        projections = [by_name.get(f"{prefix}/{p}_proj/MatMul") for p in ("q", "k", "v", "o")]
        concats = [producers[f"present.{layer}.key"], producers.get(f"present.{layer}.value")]
        if None in projections or any(c is None or c.op_type != "Concat" for c in concats):
            return 0  # not the layout this rewrite knows: leave the graph as exported
        merge = producers.get(projections[3].input[0])
        if merge is None or merge.op_type != "Reshape":
            return 0
        layers.append((projections, concats, merge))
        layer += 1
    if not layers:
        return 0

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
    for index, (projections, concats, merge) in enumerate(layers):
        q, k, v, _ = (p.output[0] for p in projections)
        attention = helper.make_node(
            "GroupQueryAttention",
            [
                q,
                k,
                v,
                f"past_key_values.{index}.key",
                f"past_key_values.{index}.value",
                KV_SEQLENS_INPUT,
                KV_TOTAL_INPUT,
                "rotary/cos_cache",
                "rotary/sin_cache",
            ],
            [merge.output[0], f"present.{index}.key", f"present.{index}.value"],
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
    _finish_attention_fusion(model, in_place=True)
    return len(layers)


def _finish_attention_fusion(model, *, in_place: bool) -> None:
    """After the attention ops are in: declare the in-place cache inputs if they need them, drop what
    the old attention left unread, and import the contrib-op domain."""
    from onnx import helper

    if in_place:
        _use_in_place_cache_inputs(model.graph)
    _remove_dead_nodes(model.graph)
    _remove_unused_inputs(model.graph)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


def _use_in_place_cache_inputs(graph) -> None:
    """Declare the inputs GroupQueryAttention needs, and the present outputs as whole buffers."""
    from onnx import TensorProto, helper

    graph.input.extend(
        [
            helper.make_tensor_value_info(KV_SEQLENS_INPUT, TensorProto.INT32, ["batch_size"]),
            helper.make_tensor_value_info(KV_TOTAL_INPUT, TensorProto.INT32, []),
        ]
    )
    for value in graph.output:  # present is the whole buffer now, not past + new
        dims = value.type.tensor_type.shape.dim
        if value.name.startswith("present.") and len(dims) == 4:
            dims[2].dim_param = "kv_buffer_length"


def _remove_unused_inputs(graph) -> None:
    """Drop graph inputs nothing reads (the attention mask, once attention no longer needs it)."""
    read = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    for value in [i for i in graph.input if i.name not in read]:
        graph.input.remove(value)


def fuse_gpt2_norms(model, config: dict[str, Any]):
    """onnxruntime's transformer fusions for GPT-2 (SkipLayerNormalization, FastGelu): fewer, larger
    kernels per token."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    for name in ("onnxruntime.transformers", "fusion"):
        logging.getLogger(name).setLevel(logging.WARNING)
    options = FusionOptions("gpt2")
    options.enable_attention = False  # done by fuse_gpt2_attention, which knows this cache layout
    fused = optimize_model(
        model,
        model_type="gpt2",
        num_heads=int(config["n_head"]),
        hidden_size=int(config["n_embd"]),
        optimization_options=options,
        opt_level=0,
    )
    return fused.model


def optimize_graph(
    path: Path, *, quantize: str = "none", config: dict[str, Any] | None = None
) -> dict[str, bool]:
    """Rewrite the exported graph in place; returns which rewrites applied."""
    import onnx

    if quantize not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization {quantize!r} (choose {' or '.join(QUANTIZATIONS)})")
    config = config or {}
    model = onnx.load(str(path))
    applied: dict[str, bool] = {}
    if config.get("model_type") == "gpt2":
        heads = int(config["n_head"])
        applied["fused_attention"] = fuse_gpt2_attention(model, heads, int(config["n_embd"]) // heads) > 0
        model = fuse_gpt2_norms(model, config)
        applied["fused_norms"] = True
    elif config.get("model_type") == "llama":
        applied["fused_attention"] = fuse_llama_attention(model, config) > 0
    applied["kv_buffer_in_place"] = any(n.op_type == "GroupQueryAttention" for n in model.graph.node)
    applied["last_position_logits"] = last_position_logits(model)
    if quantize == "int8":
        applied["lm_head_stored"] = store_lm_head_weight(model)
        applied["gemm_to_matmul"] = gemm_to_matmul(model) > 0
        model = quantize_int8_weights(model)
        applied["int8_weights"] = True
        applied["fp16_embeddings"] = half_precision_embeddings(model) > 0
    save_with_external_weights(model, path)
    return applied


def save_with_external_weights(model, path: Path) -> None:
    """Save the graph with its weights in one file beside it (`model.onnx.data`).

    onnxruntime memory-maps external weights instead of parsing them out of the protobuf: on the gpt2
    shape, load time falls by 45% (float32) to 55% (int8), and so does peak memory, because no parsed
    copy of the weights sits beside the tensors (benchmarks/README.md)."""
    import onnx

    data = path.with_name(path.name + ".data")
    for stale in (data, path.with_name(path.name + "_data")):  # optimum's name for large exports
        stale.unlink(missing_ok=True)
    onnx.save(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=data.name,
        size_threshold=1024,
    )
    data.chmod(0o644)  # onnx creates it private; the model folder is readable like the graph

"""Graph edits every architecture shares: LM head as a stored weight, last-position logits, 8-bit
embeddings read like the LM head's weights (weight_quantizer.py quantizes the weights themselves),
half-precision embeddings, and the clean-up after an attention fusion.

Every edit changes the model it is given in place and says whether it changed anything. onnx is
imported lazily: needed to export, never to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from writer_app.engine.graph_contract import (
    KV_BUFFER_DIM,
    KV_SEQLENS_INPUT,
    KV_TOTAL_INPUT,
    LOGITS,
    PRESENT_PREFIX,
)


@dataclass(frozen=True)
class Fusion:
    """What an attention fusion did: how many layers it fused, or why it left the graph alone."""

    layers: int = 0
    refused: str | None = None


INT64_MAX = np.iinfo(np.int64).max
# Weight-only 8-bit: blocks of 32 along K, int8 activations in the kernel (accuracy level 4).
INT8_BLOCK_SIZE = 32


def producers(graph) -> dict[str, Any]:
    return {out: node for node in graph.node for out in node.output}


def lm_head_node(graph):
    """The MatMul that produces the `logits` output."""
    node = producers(graph).get(LOGITS)
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
    producer = producers(graph).get(head.input[1])
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


def share_tied_embedding(model) -> bool:
    """Read the token embeddings from the 8-bit LM head's weights when they are the same matrix (a tied
    head): one stored copy instead of two. True if the graph changed.

    MatMulNBits keeps the head as [vocab, hidden / block, block] bytes, one row per token, which is the
    embedding table quantized along the hidden size; onnxruntime's GatherBlockQuantized reads rows of
    exactly that layout (same zero point, 128). The table is taken to be tied only when every value is
    within one quantization step of the head's (the quantizer rounds within a step, never further)."""
    from onnx import helper, numpy_helper

    graph = model.graph
    head = producers(graph).get(LOGITS)
    if head is None or head.op_type != "MatMulNBits" or len(head.input) < 3:
        return False
    attrs = {a.name: helper.get_attribute_value(a) for a in head.attribute}
    if attrs.get("bits") != 8 or len(head.input) > 3 and head.input[3]:
        return False  # only symmetric 8-bit weights (no zero points) share this layout
    inits = {init.name: init for init in graph.initializer}
    if head.input[1] not in inits or head.input[2] not in inits:
        return False
    blocks = numpy_helper.to_array(inits[head.input[1]])  # [vocab, hidden / block, block] uint8
    vocab, n_blocks, block = blocks.shape
    scales = numpy_helper.to_array(inits[head.input[2]]).reshape(vocab, n_blocks, 1).astype(np.float32)
    dequantized = (blocks.astype(np.float32) - 128.0) * scales
    shared = False
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in inits:
            continue
        table = inits[node.input[0]]
        if list(table.dims) != [vocab, n_blocks * block]:
            continue
        values = numpy_helper.to_array(table).astype(np.float32).reshape(vocab, n_blocks, block)
        if np.any(np.abs(values - dequantized) > np.abs(scales) * 1.001 + 1e-6):  # scales may be negative
            continue  # a different matrix that happens to have the head's shape
        if not shared:
            graph.initializer.append(numpy_helper.from_array(scales, head.input[2] + "/per_row"))
        _gather_rows_from_blocks(model, node, head.input[1], head.input[2] + "/per_row", n_blocks, block)
        shared = True
    return shared


def quantize_embedding_table(model, block: int = INT8_BLOCK_SIZE) -> bool:
    """Store the token embeddings in 8 bits when the LM head is 8-bit but is a different matrix (an
    untied head, as in Qwen2.5-0.5B GGUFs): rows of symmetric 8-bit blocks, read by GatherBlockQuantized,
    as llama.cpp's q8_0 stores its token_embd. True if the graph changed."""
    from onnx import helper, numpy_helper

    graph = model.graph
    head = producers(graph).get(LOGITS)
    if head is None or head.op_type != "MatMulNBits":
        return False
    vocab = next((helper.get_attribute_value(a) for a in head.attribute if a.name == "N"), None)
    inits = {init.name: init for init in graph.initializer}
    changed = False
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in inits:
            continue
        table = inits[node.input[0]]
        if len(table.dims) != 2 or table.dims[0] != vocab or table.dims[1] % block:
            continue
        values = numpy_helper.to_array(table).astype(np.float32)
        rows, hidden = values.shape
        blocks = values.reshape(rows, hidden // block, block)
        scales = np.abs(blocks).max(axis=2, keepdims=True) / 127.0
        scales[scales == 0] = 1.0
        quantized = (np.clip(np.rint(blocks / scales), -127, 127) + 128).astype(np.uint8)
        graph.initializer.append(numpy_helper.from_array(quantized, table.name + "/q8"))
        graph.initializer.append(
            numpy_helper.from_array(scales.astype(np.float32), table.name + "/q8_scales")
        )
        _gather_rows_from_blocks(
            model, node, table.name + "/q8", table.name + "/q8_scales", hidden // block, block
        )
        changed = True
    return changed


def _gather_rows_from_blocks(model, node, blocks: str, scales: str, n_blocks: int, block: int) -> None:
    """Replace Gather(table, ids) with GatherBlockQuantized over [rows, n_blocks, block] 8-bit data (zero
    point 128) and its per-block scales, reshaped back to rows of n_blocks * block values; the float
    table goes when nothing else reads it."""
    from onnx import helper, numpy_helper

    graph = model.graph
    table = node.input[0]
    shape = node.name + "/row_shape"
    graph.initializer.append(
        numpy_helper.from_array(np.array([0, 0, n_blocks * block], dtype=np.int64), shape)
    )
    gathered = node.output[0] + "/blocks"
    index = list(graph.node).index(node)
    graph.node.remove(node)
    gather = helper.make_node(
        "GatherBlockQuantized",
        [blocks, node.input[1], scales],
        [gathered],
        name=node.name + "_8bit",
        domain="com.microsoft",
        gather_axis=0,
        quantize_axis=2,
        block_size=block,
        bits=8,
    )
    graph.node.insert(index, gather)
    graph.node.insert(
        index + 1, helper.make_node("Reshape", [gathered, shape], [node.output[0]], name=node.name + "_rows")
    )
    if not any(table in n.input for n in graph.node):
        graph.initializer.remove(next(i for i in graph.initializer if i.name == table))
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


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


def finish_attention_fusion(model, *, in_place: bool) -> None:
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
        if value.name.startswith(PRESENT_PREFIX) and len(dims) == 4:
            dims[2].dim_param = KV_BUFFER_DIM


def _remove_unused_inputs(graph) -> None:
    """Drop graph inputs nothing reads (the attention mask, once attention no longer needs it)."""
    read = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    for value in [i for i in graph.input if i.name not in read]:
        graph.input.remove(value)


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


def plan_fusion(
    config_problem: str | None, match: Callable[[], tuple[list, str | None]]
) -> tuple[list, Fusion | None]:
    """The layers an attention fusion will rewrite, or the Fusion saying why it rewrites none: the
    configuration is checked first, then every layer is matched before anything changes."""
    if config_problem:
        return [], Fusion(refused=config_problem)
    layers, problem = match()
    if problem:
        return [], Fusion(refused=problem)
    return layers, None


def consumers(graph) -> dict[str, list[Any]]:
    """Which nodes read each value."""
    readers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    return readers


def count_ops(model, *op_types: str) -> int:
    return sum(1 for node in model.graph.node if node.op_type in op_types)

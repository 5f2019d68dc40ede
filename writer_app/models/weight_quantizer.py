"""Weight-only quantization of the graph's MatMuls into onnxruntime's MatMulNBits: 8 bits, or 4 bits
with the LM head (and, when asked, the most sensitive projections) kept at 8. onnxruntime's quantizer
builds a new model, which is returned; it is imported lazily (needed to export, never to run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from writer_app.models.graph_edits import INT8_BLOCK_SIZE, lm_head_node

# int8 activations in the kernel (accuracy level 4), for 8- and 4-bit weights alike.
ACCURACY_LEVEL = 4
# Weight-only 4-bit: blocks of 32 along K (as llama.cpp's q4_0 and Q4_K's sub-blocks).
INT4_BLOCK_SIZE = 32
# Which projections a 4-bit variant may keep at 8 bits: the attention values and the MLP's down
# projection, where llama.cpp's Q4_K_M spends its extra bits too (Llama/Qwen names, then GPT-2's).
SENSITIVE_PROJECTIONS = ("v_proj", "down_proj", "mlp/c_proj")


def quantize_weights(
    model,
    *,
    bits: int = 8,
    block_size: int = INT8_BLOCK_SIZE,
    symmetric: bool = True,
    accuracy_level: int = ACCURACY_LEVEL,
    exclude: tuple[str, ...] = (),
):
    """`bits`-bit weight-only quantization of every MatMul with a constant weight not in `exclude`, the
    LM head included (the keywords are the settings benchmarks/int8_variants.py compares)."""
    from onnxruntime.quantization import matmul_nbits_quantizer as mnq

    logging.getLogger(mnq.__name__).setLevel(logging.WARNING)  # it logs every node at INFO

    config = mnq.DefaultWeightOnlyQuantConfig(
        block_size=block_size,
        is_symmetric=symmetric,
        accuracy_level=accuracy_level,
        bits=bits,
        op_types_to_quantize=("MatMul",),
        quant_axes=(("MatMul", 0),),
    )
    quantizer = mnq.MatMulNBitsQuantizer(model, algo_config=config, nodes_to_exclude=list(exclude))
    quantizer.process()
    return quantizer.model.model


def sensitive_projection(name: str) -> bool:
    return any(part in name for part in SENSITIVE_PROJECTIONS)


def quantize_int4_weights(
    model,
    *,
    block_size: int = INT4_BLOCK_SIZE,
    eight_bit: Callable[[str], bool] = lambda _name: False,
):
    """4-bit weights for every MatMul but the LM head and those `eight_bit` names, which get 8 bits: the
    head decides every token (llama.cpp's Q4_K_M keeps it at 6 bits), and some projections are more
    sensitive than others. The embeddings follow the head."""
    keep = [node.name for node in model.graph.node if node.op_type == "MatMul" and eight_bit(node.name)]
    keep.append(lm_head_node(model.graph).name)
    # Round-to-nearest with 4-bit zero points. Half-quadratic quantization (HQQ) fits closer (Qwen2.5-
    # Coder-0.5B, Chinese prose: KL 0.044 against 0.068) but stores float zero points, which onnxruntime
    # 1.32 decodes on a slow path: 96-117 ms/token against 9 on SmolLM2-135M (benchmarks/four_bit.py).
    model = quantize_weights(model, bits=4, block_size=block_size, symmetric=False, exclude=tuple(keep))
    return quantize_weights(model)  # what is left, in 8 bits


def count_nbits(model, bits: int) -> int:
    """How many MatMulNBits nodes hold weights of that many bits."""
    from onnx import helper

    return sum(
        1
        for node in model.graph.node
        if node.op_type == "MatMulNBits"
        and any(a.name == "bits" and helper.get_attribute_value(a) == bits for a in node.attribute)
    )

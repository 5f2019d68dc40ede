"""The int8 export: smaller, 8-bit weight-only kernels, and the same next tokens almost everywhere."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest

from tests import fixtures_models
from writer_app.engine.agreement import top1_agreement
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest


def test_int8_export_uses_8bit_weight_kernels_everywhere(int8_model, tiny_model):
    ops = Counter(n.op_type for n in onnx.load(str(int8_model / "model.onnx")).graph.node)
    assert ops["MatMulNBits"] >= 9  # 2 layers x 4 projections + the LM head
    assert ops["Gemm"] == 0
    manifest = Manifest.load(int8_model)
    assert manifest is not None and manifest.quantization == "int8"
    assert {
        "fused_attention",
        "fused_norms",
        "int8_weights",
        "last_position_logits",
        "lm_head_stored",
    } <= set(manifest.graph_rewrites)
    # The tiny model is mostly its 50257 x 64 embedding (float16 here); a 124M GPT-2 shrinks 2.3x.
    assert _graph_bytes(int8_model) < 0.8 * _graph_bytes(tiny_model)


def _graph_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("model.onnx*"))


@pytest.mark.parametrize("variant", ["tiny_model", "int8_model"])
def test_weights_are_saved_beside_the_graph_and_checksummed(variant, request):
    folder: Path = request.getfixturevalue(variant)
    graph, data = folder / "model.onnx", folder / "model.onnx.data"
    assert data.stat().st_size > 20 * graph.stat().st_size  # the graph file holds structure only
    assert data.stat().st_mode & 0o044 == 0o044  # readable like the rest of the folder
    manifest = Manifest.load(folder)
    assert manifest is not None and "model.onnx.data" in manifest.files
    assert not (folder / "model.onnx_data").exists()


def test_every_export_computes_logits_for_the_last_position_only(tiny_model):
    engine = Engine.load(tiny_model, threads=1)
    ids = np.array([engine.codec.encode("several tokens of prompt here")], dtype=np.int64)
    feed = {
        "input_ids": ids,
        "attention_mask": np.ones_like(ids),
        "position_ids": np.arange(ids.shape[1])[None, :],
        "seqlens_k": np.array([ids.shape[1] - 1], dtype=np.int32),
        "total_sequence_length": np.array(ids.shape[1], dtype=np.int32),
        **engine.model.empty_cache().arrays,
    }
    wanted = {i.name for i in engine.model.session.get_inputs()}
    outputs = engine.model.session.run(["logits"], {k: v for k, v in feed.items() if k in wanted})
    assert outputs[0].shape[1] == 1


def test_int8_agrees_with_fp32_on_most_next_tokens(int8_model, tiny_model):
    reference = Engine.load(tiny_model, threads=1)
    variant = Engine.load(int8_model, threads=1)
    text = " ".join(["The quiet harbour town woke slowly, one shutter at a time."] * 4)
    ids = reference.codec.encode(text)[: fixtures_models.TINY_CONTEXT - 1]
    assert top1_agreement(reference.model, variant.model, ids) >= 0.9


def test_gemm_without_bias_becomes_a_plain_matmul():
    from onnx import TensorProto, helper, numpy_helper

    from writer_app.models.graph_edits import gemm_to_matmul

    weight = numpy_helper.from_array(np.ones((4, 3), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["a", "w", ""], ["y"], name="g")],
        "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [weight],
    )
    model = helper.make_model(graph)
    assert gemm_to_matmul(model) == 1
    assert [(n.op_type, list(n.output)) for n in model.graph.node] == [("MatMul", ["y"])]


def test_a_tied_embedding_is_stored_once_in_8_bits(int8_model, tiny_model):
    graph = onnx.load(str(int8_model / "model.onnx")).graph
    head = next(n for n in graph.node if "logits" in n.output)
    [gather] = [n for n in graph.node if n.op_type == "GatherBlockQuantized"]
    assert head.op_type == "MatMulNBits" and gather.input[0] == head.input[1]  # one tensor, two readers
    tables = [i for i in graph.initializer if list(i.dims) == [50257, 64]]
    assert tables == []  # no float copy of the token embeddings is left
    assert "tied_embedding_shared" in Manifest.load(int8_model).graph_rewrites
    reference = Engine.load(tiny_model, threads=1)
    shared = Engine.load(int8_model, threads=1)
    ids = reference.codec.encode("The quiet harbour town woke slowly, one shutter at a time.")
    assert top1_agreement(reference.model, shared.model, ids) >= 0.9


def test_an_untied_table_of_the_heads_shape_is_not_shared():
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    from writer_app.models.graph_edits import share_tied_embedding
    from writer_app.models.weight_quantizer import quantize_weights

    rng = np.random.default_rng(0)
    head = rng.standard_normal((64, 300)).astype(np.float32)  # [hidden, vocab]
    other = rng.standard_normal((300, 64)).astype(np.float32)  # an embedding that is not the head
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["h"], name="embed"),
            helper.make_node("MatMul", ["h", "head"], ["logits"], name="lm_head"),
        ],
        "g",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 3])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 3, 300])],
        [numpy_helper.from_array(other, "table"), numpy_helper.from_array(head, "head")],
    )
    model = quantize_weights(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]))
    assert not share_tied_embedding(model)
    assert [n.op_type for n in model.graph.node] == ["Gather", "MatMulNBits"]


def test_an_untied_embedding_table_is_stored_in_8_bits_of_its_own():
    """Qwen2.5-0.5B GGUFs keep an output matrix apart from the token embeddings: the table is stored in
    8-bit blocks (as llama.cpp's q8_0 stores token_embd) and rows read back within half a step."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from writer_app.models.graph_edits import quantize_embedding_table
    from writer_app.models.weight_quantizer import quantize_weights

    rng = np.random.default_rng(1)
    head = rng.standard_normal((64, 300)).astype(np.float32)
    table = rng.standard_normal((300, 64)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["h"], name="embed"),
            helper.make_node("MatMul", ["h", "head"], ["logits"], name="lm_head"),
        ],
        "g",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 3])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 3, 300]),
            helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 3, 64]),
        ],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(head, "head")],
    )
    model = quantize_weights(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]))
    assert quantize_embedding_table(model)
    assert [n.op_type for n in model.graph.node] == ["GatherBlockQuantized", "Reshape", "MatMulNBits"]
    assert all(i.name != "table" for i in model.graph.initializer)  # no float copy is left
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ids = np.array([[0, 150, 299]], dtype=np.int64)
    rows = session.run(["h"], {"ids": ids})[0][0]
    step = np.abs(table[ids[0]].reshape(3, 2, 32)).max(axis=2, keepdims=True) / 127
    assert np.all(np.abs(rows.reshape(3, 2, 32) - table[ids[0]].reshape(3, 2, 32)) <= step / 2 + 1e-6)

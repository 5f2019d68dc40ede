"""Which 8-bit settings keep SmolLM2's next-token distributions: `python benchmarks/int8_variants.py`.

Run `benchmarks/quantization_quality.py` once first: it imports the float32 SmolLM2 this script starts
from. Each variant quantizes that graph's MatMuls to 8-bit weight-only `MatMulNBits` like the exporter
does, with one setting changed (some projections left in float32, float32 activations, smaller blocks,
zero points), and prints, under the export gate's protocol (its English text and positions): mean KL
divergence from float32, perplexity ratio, top-1 agreement, and decode ms/token. The gate's bars (from
llama.cpp q8_0) are printed beside them.
"""

from __future__ import annotations

import os

# Before onnxruntime is imported anywhere: no telemetry leaves the machine (see writer_app/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from writer_app.engine.agreement import compare  # noqa: E402
from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402
from writer_app.engine.text_codec import TextCodec  # noqa: E402
from writer_app.models import graph_edits, variant, weight_quantizer  # noqa: E402

SOURCE = HERE / ".cache" / "store" / "quality-smollm2-f32"
HEAD = "/lm_head/MatMul"


def _matmuls_with(graph, *parts: str) -> list[str]:
    return [n.name for n in graph.node if n.op_type == "MatMul" and any(p in n.name for p in parts)]


def variants(graph) -> dict[str, dict]:
    down = _matmuls_with(graph, "down_proj")
    return {
        "as exported (blocks of 32, int8 activations)": {},
        "float32 LM head": {"exclude": [HEAD]},
        "float32 down_proj": {"exclude": down},
        "float32 LM head and down_proj": {"exclude": [HEAD, *down]},
        "blocks of 16": {"block": 16},
        "zero points (asymmetric)": {"symmetric": False},
        "float32 activations (accuracy level 1)": {"level": 1},
        "float32 activations, float32 LM head": {"level": 1, "exclude": [HEAD]},
    }


def quantize(model, folder: Path, *, exclude=(), level=4, symmetric=True, block=32) -> Path:
    graph_edits.store_lm_head_weight(model)
    model = weight_quantizer.quantize_weights(
        model, block_size=block, symmetric=symmetric, accuracy_level=level, exclude=tuple(exclude)
    )
    graph_edits.half_precision_embeddings(model)
    path = folder / "model.onnx"
    graph_edits.save_with_external_weights(model, path)
    return path


def main() -> int:
    import onnx

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    if not (SOURCE / "model.onnx").exists():
        print(f"{SOURCE} is missing: run benchmarks/quantization_quality.py first", file=sys.stderr)
        return 2
    [(_, text)] = variant.samples_for(["en"])
    ids = variant.sample_ids(TextCodec.from_folder(SOURCE), text, 8192)
    reference = OnnxCausalLM(SOURCE / "model.onnx", threads=2)
    print(
        f"bars (llama.cpp q8_0): KL {variant.KL_DIVERGENCE_BAR}, perplexity x{variant.PERPLEXITY_RATIO_BAR}; "
        f"{len(ids) - 1} positions",
        flush=True,
    )
    for name, settings in variants(
        onnx.load(str(SOURCE / "model.onnx"), load_external_data=False).graph
    ).items():
        folder = Path(tempfile.mkdtemp(prefix="int8-variant-"))
        try:
            graph = quantize(onnx.load(str(SOURCE / "model.onnx")), folder, **settings)
            model = OnnxCausalLM(graph, threads=2)
            figures = compare(reference, model, ids)
            t0 = time.perf_counter()
            past = model.empty_cache()
            for token in ids[:128]:
                _, past = model.forward(np.array([[token]]), past)
            ms = (time.perf_counter() - t0) * 1000 / 128
            print(
                f"{name:45s} KL {figures.kl_divergence:.5f}  perplexity x{figures.perplexity_ratio:.4f}  "
                f"top-1 {figures.top1_agreement:6.1%}  {ms:6.1f} ms/token",
                flush=True,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

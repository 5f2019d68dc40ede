"""Which 8-bit settings keep SmolLM2's next tokens: `python benchmarks/int8_variants.py [--positions N]`.

Run `benchmarks/run.py` once first: it builds the float32 SmolLM2 this script starts from. Each variant
quantizes that graph's MatMuls to 8-bit weight-only `MatMulNBits` like the exporter does, with one
setting changed (some projections left in float32, float32 activations, smaller blocks, zero points),
and prints its teacher-forced top-1 agreement with float32 on `prose.txt` and its decode ms/token.
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

from writer_app.engine.agreement import top1_predictions  # noqa: E402
from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402
from writer_app.engine.text_codec import TextCodec  # noqa: E402
from writer_app.models import graph_edits  # noqa: E402

SOURCE = HERE / ".cache" / "store" / "smollm2-fp32"
HEAD = "/lm_head/MatMul"


def _matmuls_with(graph, *parts: str) -> list[str]:
    return [n.name for n in graph.node if n.op_type == "MatMul" and any(p in n.name for p in parts)]


def _top2(model: OnnxCausalLM, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The most likely next token after each prefix, and its lead over the second most likely."""
    past = model.empty_cache()
    top, margin = np.empty(len(ids), dtype=np.int64), np.empty(len(ids))
    for i, token in enumerate(ids):
        logits, past = model.forward(np.array([[token]]), past)
        second, first = np.partition(logits[0], -2)[-2:]
        top[i], margin[i] = int(np.argmax(logits[0])), first - second
    return top, margin


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
    model = graph_edits.quantize_int8_weights(
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
    parser.add_argument("--positions", type=int, default=600)
    args = parser.parse_args()
    if not (SOURCE / "model.onnx").exists():
        print(f"{SOURCE} is missing: run benchmarks/run.py first", file=sys.stderr)
        return 2
    ids = TextCodec.from_folder(SOURCE).encode((HERE / "prose.txt").read_text(encoding="utf-8"))
    ids = ids[: args.positions]
    t0 = time.perf_counter()
    reference, margins = _top2(OnnxCausalLM(SOURCE / "model.onnx", threads=2), ids)
    ms = (time.perf_counter() - t0) * 1000 / len(ids)
    print(f"{'float32 (the reference)':45s} over {len(ids)} positions  {ms:6.1f} ms/token", flush=True)
    print(f"  its top two logits are within 0.1 of each other at {(margins < 0.1).mean():.1%} of them")
    for name, settings in variants(
        onnx.load(str(SOURCE / "model.onnx"), load_external_data=False).graph
    ).items():
        folder = Path(tempfile.mkdtemp(prefix="int8-variant-"))
        try:
            graph = quantize(onnx.load(str(SOURCE / "model.onnx")), folder, **settings)
            model = OnnxCausalLM(graph, threads=2)
            t0 = time.perf_counter()
            predictions = top1_predictions(model, ids)
            ms = (time.perf_counter() - t0) * 1000 / len(ids)
            agreement = float((predictions == reference).mean())
            print(f"{name:45s} agreement {agreement:6.1%}  {ms:6.1f} ms/token", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

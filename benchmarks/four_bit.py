"""4-bit weights against 8-bit and llama.cpp's 4-bit formats: quality and decode speed.

    python benchmarks/four_bit.py [--models smollm2,qwen]

For each model (real weights, measurement only: see quantization_quality.py): the engine's float32,
8-bit, 4-bit and 4-bit with the attention values and MLP down projections at 8 bits (the product's
`--quantize int4` and what auto tries), and llama.cpp's q8_0, q4_K_M and q4_0 made by its own quantizer
from the same GGUF. Quality: the export gate's protocol (our prose, teacher-forced, mean KL divergence,
perplexity ratio, top-1 agreement) against each system's own float32. Speed: decode ms/token after a
256-token prompt, 64 greedy tokens, 2 threads, median of 3; llama.cpp with its repacked kernels on (no
AMX on the machines this ran on) and off.

Caveat, printed with the table: the float32 reference is the GGUF dequantized. Its weights already lie
on that GGUF's grid (SmolLM2: q4_1; Qwen2.5-Coder: q4_K_M, mostly q5_0 at this width), so a format that
matches the grid (llama.cpp q4_K_M on the Qwen file) looks nearly lossless, and the 4-bit bars need a
true float source to be fair.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402
from quantization_quality import (  # noqa: E402
    CACHE,
    NAMES,
    WRITES,
    fetch_qwen_gguf,
    fetch_smollm2_gguf,
    llamacpp_logits,
    tally_llamacpp,
)
from runners import requantize_gguf  # noqa: E402

from writer_app.engine.agreement import compare  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.engine.text_codec import TextCodec  # noqa: E402
from writer_app.models import variant  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.optimize import optimize_graph  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402

RESULTS = HERE / "results" / "four_bit.json"
PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
LLAMA_KINDS = ("q8_0", "q4_K_M", "q4_0")


def say(message: str) -> None:
    print(f"[four-bit] {message}", flush=True)


def engine_folders(key: str, gguf: Path) -> dict[str, Path]:
    """float32 and 8-bit through the product's import; the 4-bit variants from the float32 graph."""
    import shutil

    store = ModelStore(CACHE / "store")
    folders = {}
    for kind, quantize in (("engine f32", "none"), ("engine int8", "int8")):
        name = f"four-bit-{key}-{quantize}"
        if not store.path(name).exists():
            import_gguf(gguf, name=name, store=store, quantize=quantize, progress=say)
        folders[kind] = store.path(name)
    config = json.loads((folders["engine f32"] / "config.json").read_text(encoding="utf-8"))
    for kind, sensitive in (("engine int4", False), ("engine int4, v/down 8-bit", True)):
        folder = CACHE / "four-bit" / f"{key}-{'sensitive' if sensitive else 'all'}"
        if not folder.exists():
            shutil.copytree(folders["engine f32"], folder)
            (folder / "writer_app_manifest.json").unlink(missing_ok=True)  # a measurement copy
            optimize_graph(
                folder / "model.onnx", quantize="int4", config=config, sensitive_in_8_bits=sensitive
            )
        folders[kind] = folder
    return folders


def engine_decode(folder: Path, ids: list[int]) -> float:
    engine = Engine.load(folder, threads=2)
    times = []
    for round_ in range(3):
        result = engine.generate(ids, max_new_tokens=64, sampling=SamplingParams())
        times.append(result.stats.decode_ms_per_token)
        engine.generate([*ids[:8], round_], max_new_tokens=1)  # the next round reads its prompt again
    return statistics.median(times)


def llamacpp_decode(gguf: Path, ids: list[int], repacked: bool) -> float:
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(gguf),
        n_threads=2,
        n_threads_batch=2,
        n_ctx=512,
        n_batch=512,
        verbose=False,
        use_extra_bufts=repacked,
        logits_all=True,
    )
    times = []
    for _ in range(3):
        llm.reset()
        llm.eval(ids)
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        started = time.perf_counter()
        for _ in range(63):
            llm.eval([token])
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        times.append((time.perf_counter() - started) * 1000 / 63)
    llm.close()
    return statistics.median(times)


def measure(key: str, gguf: Path) -> list[dict]:
    folders = engine_folders(key, gguf)
    llama = {
        kind: requantize_gguf(gguf, kind, CACHE / f"{key}-{kind}.gguf") for kind in ("f32", *LLAMA_KINDS)
    }
    codec = TextCodec.from_folder(folders["engine f32"])
    rows: dict[str, dict] = {}
    f32 = OnnxCausalLM(folders["engine f32"] / "model.onnx")
    for name, text in variant.samples_for(WRITES[key]):
        ids = variant.sample_ids(codec, text, 8192)
        reference = llamacpp_logits(llama["f32"], ids)
        for system, folder in folders.items():
            if system != "engine f32":
                figures = compare(f32, OnnxCausalLM(folder / "model.onnx"), ids).as_dict()
                rows.setdefault(system, {})[name] = figures
        for kind in LLAMA_KINDS:
            figures = tally_llamacpp(reference, llamacpp_logits(llama[kind], ids), ids)
            rows.setdefault(f"llama.cpp {kind}", {})[name] = figures
    prompt = list(codec.encode(PROSE))[:256]
    table = []
    for system, texts in rows.items():
        worst = {
            "kl_divergence": max(t["kl_divergence"] for t in texts.values()),
            "perplexity_ratio": max(t["perplexity_ratio"] for t in texts.values()),
            "top1_agreement": min(t["top1_agreement"] for t in texts.values()),
        }
        if system.startswith("engine"):
            folder = folders[system]
            speed = {"decode_ms": engine_decode(folder, prompt)}
            size = sum(f.stat().st_size for f in folder.glob("model.onnx*"))
        else:
            kind = system.split()[-1]
            speed = {
                "decode_ms": llamacpp_decode(llama[kind], prompt, repacked=True),
                "decode_ms_not_repacked": llamacpp_decode(llama[kind], prompt, repacked=False),
            }
            size = llama[kind].stat().st_size
        table.append(
            {"model": NAMES[key], "system": system, **worst, **speed, "mb": size / 1e6, "texts": texts}
        )
        say(f"{key} {system}: {table[-1]['kl_divergence']:.4f} KL, {speed['decode_ms']:.1f} ms/token")
    return table


def markdown(rows: list[dict]) -> str:
    lines = [
        "| model | system | KL (worst text) | perplexity x | top-1 agrees | decode ms/token | MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        decode = f"{r['decode_ms']:.1f}"
        if "decode_ms_not_repacked" in r:
            decode += f" ({r['decode_ms_not_repacked']:.1f} not repacked)"
        lines.append(
            f"| {r['model']} | {r['system']} | {r['kl_divergence']:.4f} | {r['perplexity_ratio']:.4f} | "
            f"{r['top1_agreement']:.1%} | {decode} | {r['mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default="smollm2,qwen")
    args = parser.parse_args()
    fetch = {"smollm2": fetch_smollm2_gguf, "qwen": fetch_qwen_gguf}
    rows = []
    for key in args.models.split(","):
        rows += measure(key, fetch[key]())
    print(f"{cpu_model()}, 2 threads")
    print(markdown(rows))
    RESULTS.write_text(json.dumps({"cpu": cpu_model(), "rows": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

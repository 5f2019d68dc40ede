"""onnxruntime-genai's model builder beside our own export, on the same weights.

    python benchmarks/genai_builder.py [--rounds 3]

The builder (onnxruntime-genai 0.14.1: the newest whose builder imports with the transformers our
export pins) writes Qwen2 / Llama graphs by hand: fused q/k/v projections, RMSNorm fused with the
residual add, GroupQueryAttention, 4-bit MatMulNBits (blocks of 32, accuracy level 4: int8 activations)
for every projection and the LM head. Built here from Qwen2.5-Coder-0.5B-Instruct (the measurement GGUF
dequantized and saved as a transformers folder: the same weights every other row reads) at int4 and
fp32. Compared with the product's import of the same file (8-bit, 4-bit with attention values and MLP
down projections at 8 bits, float32):
- quality by the export gate's protocol (our prose, teacher-forced, mean KL, perplexity ratio, top-1)
  against our float32 graph;
- decode ms/token after a 256-token prompt, 64 greedy tokens, 2 threads, median of rounds: each graph in
  our engine's loop, and the builder's graph also in onnxruntime-genai's own generator (as its users run
  it);
- what each loads from disk.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from four_bit import engine_decode, engine_folders  # noqa: E402
from machine import cpu_model  # noqa: E402
from quantization_quality import CACHE, fetch_qwen_gguf  # noqa: E402

from writer_app.engine.agreement import compare  # noqa: E402
from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402
from writer_app.engine.text_codec import TextCodec  # noqa: E402
from writer_app.models import variant  # noqa: E402

RESULTS = HERE / "results" / "genai_builder.json"
PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
WORK = CACHE / "genai"


def say(message: str) -> None:
    print(f"[genai] {message}", flush=True)


def transformers_folder(gguf: Path) -> Path:
    """The GGUF dequantized, saved as transformers saves a model: the builder's input."""
    folder = WORK / "qwen-hf"
    if not (folder / "config.json").exists():
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    return folder


def built(source: Path, precision: str) -> Path:
    out = WORK / f"qwen-{precision}"
    if not (out / "model.onnx").exists():
        say(f"building {precision} with onnxruntime-genai's model builder…")
        hub_id = "Qwen/Qwen2.5-Coder-0.5B-Instruct"  # names the architecture; the weights come from -i
        command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-m", hub_id, "-i", str(source)]
        command += ["-o", str(out), "-p", precision, "-e", "cpu", "-c", str(WORK / "hub-cache")]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy2(source / "config.json", out / "config.json")  # our engine reads it beside the graph
    return out


def genai_decode(folder: Path, ids: list[int], rounds: int) -> float:
    import onnxruntime_genai as og

    model = og.Model(str(folder))
    times = []
    for _ in range(rounds):
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(ids) + 64, do_sample=False)
        generator = og.Generator(model, params)
        generator.append_tokens(ids)
        generator.generate_next_token()  # the prefill and the first token
        started = time.perf_counter()
        for _ in range(63):
            generator.generate_next_token()
        times.append((time.perf_counter() - started) * 1000 / 63)
        del generator
    return statistics.median(times)


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.glob("model.onnx*")) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    gguf = fetch_qwen_gguf()
    ours = engine_folders("qwen", gguf)
    source = transformers_folder(gguf)
    systems = {
        "ours int8": ours["engine int8"],
        "ours int4, v/down 8-bit": ours["engine int4, v/down 8-bit"],
        "builder int4": built(source, "int4"),
        "builder fp32": built(source, "fp32"),
    }
    codec = TextCodec.from_folder(ours["engine f32"])
    reference = OnnxCausalLM(ours["engine f32"] / "model.onnx")
    rows: dict[str, dict] = {name: {"texts": {}} for name in systems}
    for text_name, text in variant.samples_for(["en", "zh"]):
        ids = variant.sample_ids(codec, text, 8192)
        for name, folder in systems.items():
            say(f"{name} on {text_name}…")
            rows[name]["texts"][text_name] = compare(
                reference, OnnxCausalLM(folder / "model.onnx"), ids
            ).as_dict()
    prompt = list(codec.encode(PROSE))[:256]
    for name, folder in systems.items():
        texts = rows[name]["texts"].values()
        rows[name].update(
            kl=max(t["kl_divergence"] for t in texts),
            ratio=max(t["perplexity_ratio"] for t in texts),
            top1=min(t["top1_agreement"] for t in texts),
            decode_ms=engine_decode(folder, prompt),
            mb=size_mb(folder),
        )
        if name.startswith("builder"):
            rows[name]["genai_decode_ms"] = genai_decode(folder, prompt, args.rounds)
    print(f"CPU: {cpu_model()}, 2 threads; Qwen2.5-Coder-0.5B-Instruct; quality against our float32 graph")
    print("| graph | KL (worst text) | perplexity x | top-1 agrees | decode ms/token | genai's loop | MB |")
    print("|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        genai = f"{row['genai_decode_ms']:.1f}" if "genai_decode_ms" in row else "–"
        print(
            f"| {name} | {row['kl']:.4f} | {row['ratio']:.4f} | {row['top1']:.1%} | {row['decode_ms']:.1f} | "
            f"{genai} | {row['mb']:.0f} |"
        )
    RESULTS.write_text(json.dumps({"cpu": cpu_model(), "rows": rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

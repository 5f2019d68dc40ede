"""Where a model folder's time goes: `python benchmarks/op_profile.py MODEL_FOLDER`.

With onnxruntime's profiler on the engine's session (2 threads): the kernel-time share of each op type
for a 256-token prefill, and for 40 decode steps with 1 and with 3 rows after it; then, without the
profiler, the median decode step in ms for 1 to 4 rows.
"""

from __future__ import annotations

import os

# Before onnxruntime is imported anywhere: no telemetry leaves the machine (see writer_app/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from writer_app.engine.onnx_model import OnnxCausalLM  # noqa: E402

PROMPT = list(range(1000, 1256))


def _profiled_model(graph: Path, threads: int, prefix: str) -> OnnxCausalLM:
    """The engine's session, with onnxruntime's profiler switched on."""
    from writer_app.engine import onnx_model

    class Profiled(ort.SessionOptions):
        def __init__(self) -> None:
            super().__init__()
            self.enable_profiling = True
            self.profile_file_prefix = prefix

    plain, onnx_model.ort.SessionOptions = onnx_model.ort.SessionOptions, Profiled
    try:
        return OnnxCausalLM(graph, threads=threads)
    finally:
        onnx_model.ort.SessionOptions = plain


def op_shares(graph: Path, threads: int, rows: int | None) -> tuple[float, list[tuple[str, float]]]:
    """(median run ms, [(op type, share of kernel time)]) for a prefill (rows None) or decode steps."""
    with tempfile.TemporaryDirectory() as tmp:
        model = _profiled_model(graph, threads, os.path.join(tmp, "profile"))
        _, past = model.forward(np.array([PROMPT]), model.empty_cache())
        if rows is None:
            for _ in range(3):
                model.forward(np.array([PROMPT]), model.empty_cache())
        else:
            past = past.repeat(rows) if rows > 1 else past
            for _ in range(40):
                _, past = model.forward(np.full((rows, 1), 7), past)
        events = json.loads(Path(model.session.end_profiling()).read_text())
    runs = [e for e in events if e.get("name") == "model_run"][1:]  # the first run is the prompt
    start = runs[0]["ts"]
    totals: collections.Counter = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= start:
            totals[e["args"]["op_name"]] += e["dur"]
    total = sum(totals.values())
    median_ms = statistics.median(e["dur"] for e in runs) / 1000
    return median_ms, [(op, t / total) for op, t in totals.most_common(6)]


def step_ms(graph: Path, threads: int, rows: int, steps: int = 30) -> float:
    model = OnnxCausalLM(graph, threads=threads)
    _, past = model.forward(np.array([PROMPT]), model.empty_cache())
    past = past.repeat(rows) if rows > 1 else past
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        _, past = model.forward(np.full((rows, 1), 7), past)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", type=Path, help="a model folder (its model.onnx is profiled)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    graph = args.model / "model.onnx"
    for label, rows in (("prefill of 256 tokens", None), ("decode, 1 row", 1), ("decode, 3 rows", 3)):
        ms, shares = op_shares(graph, args.threads, rows)
        print(f"{label}: {ms:.1f} ms per run; " + ", ".join(f"{op} {share:.0%}" for op, share in shares))
    for rows in (1, 2, 3, 4):
        print(f"decode step with {rows} row(s): {step_ms(graph, args.threads, rows):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

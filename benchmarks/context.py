"""How one model folder behaves as documents grow: `python benchmarks/context.py MODEL_FOLDER`.

Prints, for the engine on that folder (medians, 2 threads unless told):
- decode ms/token after 64, 256, 512 and 960 tokens of context (the KV cache read grows with it);
- prefill of 1,000 tokens in chunks of 128 against 256, alternating, in this process;
- the first token of a continuation on a 1,024-token window, cold and after Engine.warm, with one
  alternative and with three.
"""

from __future__ import annotations

import os

# Before onnxruntime is imported anywhere: no telemetry leaves the machine (see writer_app/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from writer_app.assist.prompts import CONTINUATION_PROMPT_TOKENS  # noqa: E402
from writer_app.engine import generate  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402

PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")


def _ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def decode_by_context(engine: Engine, contexts: list[int], steps: int = 24) -> dict[int, float]:
    ids = engine.codec.encode(PROSE * 2)
    model = engine.model
    out = {}
    for length in contexts:
        past = model.empty_cache()
        for start in range(0, length, generate.PREFILL_CHUNK):
            _, past = model.forward(
                np.array([ids[start : min(length, start + generate.PREFILL_CHUNK)]]), past
            )
        times = []
        for token in ids[length : length + steps]:
            t0 = time.perf_counter()
            _, past = model.forward(np.array([[token]]), past)
            times.append((time.perf_counter() - t0) * 1000)
        out[length] = statistics.median(times)
    return out


def prefill_by_chunk(
    engine: Engine, chunks: tuple[int, ...] = (128, 256), rounds: int = 5
) -> dict[int, float]:
    ids = engine.codec.encode(PROSE)[:1000]
    times: dict[int, list[float]] = {c: [] for c in chunks}
    saved = generate.WARM_PREFILL_CHUNK
    try:
        for _ in range(rounds):
            for chunk in chunks:
                generate.WARM_PREFILL_CHUNK = chunk
                engine.warm([0], max_new_tokens=1)  # a different prompt: nothing of ids is cached
                times[chunk].append(_ms(lambda: engine.warm(ids, max_new_tokens=16)))
    finally:
        generate.WARM_PREFILL_CHUNK = saved
    return {c: statistics.median(v) for c, v in times.items()}


def first_token(engine: Engine, alternatives: int, warmed: bool, rounds: int = 3) -> float:
    times = []
    for i in range(rounds):
        text = PROSE[: 6000 + 7 * i]  # a new prompt each round: nothing is cached unless warmed
        engine.warm([0], max_new_tokens=1)
        if warmed:
            engine.warm(text, max_new_tokens=24, max_prompt_tokens=CONTINUATION_PROMPT_TOKENS)
        result = engine.generate(
            text,
            max_new_tokens=24,
            max_prompt_tokens=CONTINUATION_PROMPT_TOKENS,
            num_alternatives=alternatives,
        )
        times.append(result.stats.first_token_ms)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    engine = Engine.load(args.model, threads=args.threads)
    for length, ms in decode_by_context(engine, [64, 256, 512, 960]).items():
        print(f"decode after {length:4d} tokens of context: {ms:6.2f} ms/token")
    for chunk, ms in prefill_by_chunk(engine).items():
        print(f"prefill of 1,000 tokens in chunks of {chunk}: {ms:6.0f} ms")
    for alternatives in (1, 3):
        cold = first_token(engine, alternatives, warmed=False)
        warm = first_token(engine, alternatives, warmed=True)
        print(
            f"first token, {alternatives} alternative(s), {CONTINUATION_PROMPT_TOKENS}-token window: "
            f"cold {cold:.0f} ms, after a warm-up {warm:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How soon a task answers: its first token, and three candidates against one.

    python benchmarks/task_first_token.py [--rounds 5] [--threads 2]

On Qwen2.5-Coder-0.5B-Instruct in 8 bits (the product's import of the measurement GGUF; see
quantization_quality.py), as the editor runs it when one model writes both the ghost text and the tasks:
the writer types (a continuation of the document), then runs a task on a 150-character selection, types
again, runs another task. Reported, as medians over rounds:
- the task's first token after ghost text, with the engine's prefix slots (the task's head comes back
  from its own slot) and with one slot (each kind of prompt evicts the other: the engine before them);
- the next ghost text's first token after a task, both ways;
- three candidates (one batch) against one: the time to the end of 24 tokens.
The CPU is printed with the figures; results/task_first_token.json keeps them.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402
from quantization_quality import CACHE, fetch_qwen_gguf  # noqa: E402

from writer_app.assist.prompts import estimate_tokens, task_prompt  # noqa: E402
from writer_app.assist.tasks import find_task, load_tasks  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.prefix_cache import PrefixCache  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402

RESULTS = HERE / "results" / "task_first_token.json"
DOCUMENT = (HERE / "prose.txt").read_text(encoding="utf-8")[:1500]
SELECTION = (
    "春天的早晨，小镇上的茶馆刚刚开门。老板把一壶新茶放在窗边，茶香慢慢飘到街上，路过的人都忍不住停下脚步。"
    "有人走进来，要了一杯龙井，坐在靠窗的位置，看着阳光一点点爬上对面的屋顶。"
)
TASKS = ("shorter", "slogan", "summary", "formal")


def model_folder() -> Path:
    store = ModelStore(CACHE / "store")
    name = "four-bit-qwen-int8"  # shared with four_bit.py: one import of the same file
    if not store.path(name).exists():
        import_gguf(fetch_qwen_gguf(), name=name, store=store, quantize="int8", progress=print)
    return store.path(name)


def one_round(engine: Engine, round_: int, n: int) -> dict[str, float]:
    tasks, _ = load_tasks()
    spec = engine.spec
    figures: dict[str, float] = {}
    sampling = SamplingParams(temperature=0.8, seed=round_)
    typed = DOCUMENT + " " * (round_ + 1)  # the writer typed: the ghost text's prompt moved on
    engine.generate(typed, max_new_tokens=8)
    task = find_task(tasks, TASKS[round_ % len(TASKS)])
    plan = task_prompt(task, SELECTION, text_tokens=estimate_tokens(SELECTION), template=spec.chat_template)
    started = time.perf_counter()
    result = engine.generate(plan.prompt, max_new_tokens=24, num_alternatives=n, sampling=sampling)
    figures["task first token ms"] = result.stats.first_token_ms
    figures["task 24 tokens ms"] = (time.perf_counter() - started) * 1000
    figures["task prompt tokens"] = result.stats.prompt_tokens
    figures["task reused tokens"] = result.stats.reused_tokens
    after = engine.generate(typed + "a", max_new_tokens=8)
    figures["ghost text after the task, first token ms"] = after.stats.first_token_ms
    return figures


def measure(folder: Path, rounds: int, threads: int) -> dict[str, dict[str, float]]:
    out = {}
    for label, slots, n in (
        ("prefix slots, 3 candidates", 2, 3),
        ("one slot, 3 candidates", 1, 3),
        ("prefix slots, 1 candidate", 2, 1),
    ):
        engine = Engine.load(folder, threads=threads)
        engine.prefixes = PrefixCache(slots)
        one_round(engine, rounds, n)  # warm: the first run pays for onnxruntime's first allocations
        rows = [one_round(engine, r, n) for r in range(rounds)]
        out[label] = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    figures = measure(model_folder(), args.rounds, args.threads)
    model = "Qwen2.5-Coder-0.5B-Instruct 8-bit"
    print(f"CPU: {cpu_model()}, {args.threads} threads, {model}, medians of {args.rounds}")
    print("| | task first token | task, 24 tokens | ghost text after it, first token | task tokens reused |")
    print("|---|---|---|---|---|")
    for label, row in figures.items():
        print(
            f"| {label} | {row['task first token ms']:.0f} ms | {row['task 24 tokens ms']:.0f} ms | "
            f"{row['ghost text after the task, first token ms']:.0f} ms | "
            f"{row['task reused tokens']:.0f} of {row['task prompt tokens']:.0f} |"
        )
    three, one = figures["prefix slots, 3 candidates"], figures["prefix slots, 1 candidate"]
    print(f"three candidates / one, 24 tokens: {three['task 24 tokens ms'] / one['task 24 tokens ms']:.2f}x")
    RESULTS.write_text(json.dumps({"cpu": cpu_model(), "threads": args.threads, **figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

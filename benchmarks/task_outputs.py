"""What every built-in task writes, on real small models: `python benchmarks/task_outputs.py`.

Runs each task in writer_app/resources/tasks on fixed inputs of our own writing (English and Chinese),
greedy, with SmolLM2-135M-Instruct and Qwen2.5-Coder-0.5B-Instruct as the product imports them (run
quantization_quality.py once first: it builds both), in the prompt form each model gets (the cue for a
base model, the instruction through the chat template for an instruct one). Writes every output to
results/task_outputs.md so anyone can read them, and checks what can be checked automatically: text came
back, a translation is in its target script, a headline or title is under 15 words, there are three
distinct taglines, lyrics come in lines. Exits 1 when a check fails on a model the task recommends.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402

from writer_app.assist.prompts import estimate_tokens, task_prompt  # noqa: E402
from writer_app.assist.tasks import Task, builtin_tasks  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402

STORE = HERE / ".cache" / "store"
MODELS = {"smollm2": "quality-smollm2-auto", "qwen": "quality-qwen-auto"}
OUT = HERE / "results" / "task_outputs.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")

INPUTS = {
    "passage": (
        "The lighthouse keeper climbed the stairs every evening, counting the steps aloud, though he had "
        "known their number for thirty years."
    ),
    "passage_zh": "灯塔看守人每天傍晚都要爬上楼梯，一边走一边数着台阶，尽管这个数字他早已记了三十年。",
    "product": "A ceramic travel mug that keeps tea hot for six hours and fits in a bicycle bottle cage.",
    "product_zh": "一款陶瓷旅行杯，能让茶保温六小时，还能放进自行车水壶架。",
    "lyrics": (
        "I left the porch light on for you\nthe rain kept time against the glass\n"
        "I counted every passing car\nand let the midnight hours pass"
    ),
    "story": (
        "The ferry left the harbour just after six, while the town still slept behind its shutters. Anna "
        "stood at the rail with her coat buttoned to the chin and watched the lighthouse slide past.\n\n"
        "She had not slept. Most of the night she had sat in the café by the pier writing to her brother, "
        "tearing the letter up and starting again, until the owner stacked the chairs on the tables."
    ),
}


def input_for(task: Task) -> str:
    if task.id == "translate-zh-en":
        return INPUTS["passage_zh"]
    if task.id.startswith("zh-"):
        return INPUTS["product_zh"] if "taglines" in task.id else INPUTS["passage_zh"]
    if task.id.startswith("lyrics"):
        return INPUTS["lyrics"]
    if task.id in ("taglines", "slogan", "product-description", "social-post"):
        return INPUTS["product"]
    if task.reads in ("document", "before_cursor"):
        return INPUTS["story"]
    return INPUTS["passage"]


def checks(task: Task, output: str) -> dict[str, bool]:
    text = output.strip()
    lines = [line.strip(" -•*0123456789.") for line in text.splitlines() if line.strip(" -•*0123456789.")]
    found = {"text came back": bool(text)}
    if task.id == "translate-zh-en":
        found["in English"] = bool(LATIN.search(text)) and not CJK.search(text)
    if task.id == "translate-en-zh" or task.id.startswith("zh-"):
        found["in Chinese"] = bool(CJK.search(text))
    if task.id in ("headline", "title"):
        found["under 15 words"] = 0 < len(text.split()) < 15
    if task.id in ("taglines", "zh-taglines"):
        found["three distinct taglines"] = len(set(lines)) >= 3
    if task.id.startswith("lyrics"):
        found["in lines"] = len(lines) >= 2
    return found


def main() -> int:
    engines = {key: Engine.load(STORE / folder, threads=2) for key, folder in MODELS.items()}
    report = [
        "# What the built-in tasks write",
        "",
        f"`python benchmarks/task_outputs.py`: greedy, {cpu_model()}. SmolLM2-135M-Instruct (8-bit) and "
        "Qwen2.5-Coder-0.5B-Instruct (8-bit) as the product imports them; each gets its prompt form "
        "(both follow instructions, so both get the instruction through their chat template).",
        "",
    ]
    failed_where_recommended = []
    summary = []
    for task in builtin_tasks():
        text = input_for(task)
        report += [f"## {task.label_en} · {task.label_zh} (`{task.id}`)", "", "Input:", "", f"> {text}", ""]
        for key, engine in engines.items():
            template = engine.spec.chat_template if engine.spec.follows_instructions else None
            plan = task_prompt(task, text, text_tokens=estimate_tokens(text), template=template)
            result = engine.generate(
                plan.prompt,
                max_new_tokens=plan.max_new_tokens,
                stop_at=plan.stop_at,
                sampling=SamplingParams(),  # greedy: alternatives start from the n most likely tokens
                num_alternatives=task.candidates or 1,
            )
            # As the panel offers them: most probable first, each distinct text once.
            output = "\n".join(result.completions[i].text.strip() for i in result.ranked())
            found = checks(task, output)
            ok = all(found.values())
            summary.append((task.id, key, ok, [name for name, good in found.items() if not good]))
            if not ok and (not task.recommended or key in task.recommended):
                failed_where_recommended.append(f"{task.id} on {key}")
            marks = ", ".join(f"{name}: {'yes' if good else 'NO'}" for name, good in found.items())
            report += [f"**{key}** ({marks}):", "", "```", output or "(nothing)", "```", ""]
            print(f"{task.id:22s} {key:8s} {'ok' if ok else 'FAILED ' + str(summary[-1][3])}", flush=True)
    verdicts = {(t, k): "ok" if ok else "fails: " + ", ".join(bad) for t, k, ok, bad in summary}
    table = ["| task | " + " | ".join(MODELS) + " |", "|---|" + "---|" * len(MODELS)]
    for task in builtin_tasks():
        recommended = f" (recommended: {', '.join(task.recommended)})" if task.recommended else ""
        cells = " | ".join(verdicts[(task.id, key)] for key in MODELS)
        table.append(f"| `{task.id}`{recommended} | {cells} |")
    report[4:4] = [*table, ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    if failed_where_recommended:
        print("checks failed where the task is recommended: " + "; ".join(failed_where_recommended))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

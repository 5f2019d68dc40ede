"""What every built-in task writes, on real small models: `python benchmarks/task_outputs.py`.

Runs each task in writer_app/resources/tasks on fixed inputs of our own writing (English and Chinese),
greedy, with SmolLM2-135M-Instruct and Qwen2.5-Coder-0.5B-Instruct as the product imports them (run
quantization_quality.py once first: it builds both), in the prompt form each model gets (the cue for a
base model, the instruction through the chat template for an instruct one). Writes every output to
results/task_outputs.md so anyone can read them, and checks what can be checked automatically: text came
back, a translation is in its target script, a headline or title is under 15 words, there are three
distinct taglines, lyrics come in lines. Exits 1 when a check fails on a model the task recommends.

Each task runs three candidates (the editor's default) and the panel's order is shown: the asked language
first, a copy of the input last, then the most probable (assist/candidates.py). For each, the share of
the top candidate copied from the input and its language are reported beside what ranking by
probability alone (before) put first. Same-language tasks also run on a Chinese passage.

`--model KEY=FOLDER` (repeatable) runs other model folders, e.g. the ones `writer-app models import-gguf`
made: `--model smollm2=~/.local/share/writer-app/models/smollm2-135m-instruct`.
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

from writer_app.assist.candidates import copied_share, language_of, rank, wanted_language  # noqa: E402
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
    "lyrics_zh": "月光照在窗前\n风吹过旧街\n你说不要走远\n我在等明天",
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


def checks(task: Task, output: str, source: str = "") -> dict[str, bool]:
    text = output.strip()
    lines = [line.strip(" -•*0123456789.") for line in text.splitlines() if line.strip(" -•*0123456789.")]
    found = {"text came back": bool(text)}
    if task.id == "translate-zh-en":
        found["in English"] = bool(LATIN.search(text)) and not CJK.search(text)
    if task.id.startswith("translate") and "\n" in source.strip():
        found["as many lines"] = len(lines) == len([x for x in source.splitlines() if x.strip()])
    if task.id == "translate-en-zh" or task.id.startswith("zh-"):
        found["in Chinese"] = bool(CJK.search(text))
    if task.id in ("headline", "title"):
        found["under 15 words"] = 0 < len(text.split()) < 15
    if task.id in ("taglines", "zh-taglines"):
        found["three distinct taglines"] = len(set(lines)) >= 3
    if task.id.startswith("lyrics"):
        found["in lines"] = len(lines) >= 2
    return found


CANDIDATES = 3
# Tasks that keep the text's language, run on a Chinese passage too (an English instruction on Chinese
# text was answered in English).
SAME_LANGUAGE_ON_CHINESE = ("formal", "shorter", "summary", "tldr", "polish-concise", "vivid", "headline")


def inputs_for(task: Task) -> list[str]:
    texts = [input_for(task)]
    if task.id in SAME_LANGUAGE_ON_CHINESE:
        texts.append(INPUTS["passage_zh"])
    if task.id == "translate-zh-en":
        texts.append(INPUTS["lyrics_zh"])  # four lines in, four lines out
    return texts


def ranking_row(task: Task, text: str, result) -> tuple[list[int], dict[str, str]]:
    """The panel's order, and the top candidate's copied share and language, now and before."""
    outputs = [c.text.strip() for c in result.completions]
    order = rank(outputs, [c.mean_logprob for c in result.completions], text, task)
    before = result.ranked()
    asked = wanted_language(task, text) or "any"

    def facts(i: int) -> str:
        return f"copied {copied_share(outputs[i], text):.2f}, {language_of(outputs[i]) or '-'}"

    row = {
        "asked": asked,
        "now": facts(order[0]) if order else "-",
        "before": facts(before[0]) if before else "-",
    }
    return order, row


def models_from(argv: list[str]) -> dict[str, Path]:
    chosen = {}
    for i, arg in enumerate(argv):
        if arg == "--model" and i + 1 < len(argv):
            key, _, folder = argv[i + 1].partition("=")
            chosen[key] = Path(folder).expanduser()
    return chosen or {key: STORE / folder for key, folder in MODELS.items()}


def main() -> int:
    models = models_from(sys.argv[1:])
    engines = {key: Engine.load(folder, threads=2) for key, folder in models.items()}
    report = [
        "# What the built-in tasks write",
        "",
        f"`python benchmarks/task_outputs.py`: greedy, {cpu_model()}, models: "
        + ", ".join(f"{key} ({folder.name})" for key, folder in models.items())
        + f". Each gets its prompt form (an instruct model the instruction through its chat template); "
        f"{CANDIDATES} candidates unless the task says, shown in the panel's order, separated by ---.",
        "",
    ]
    failed_where_recommended = []
    summary = []
    ranking_table = [
        "| task | input | model | asked | top now | top before (probability only) |",
        "|---|---|---|---|---|---|",
    ]
    for task in builtin_tasks():
        for number, text in enumerate(inputs_for(task)):
            quoted = text.replace("\n", "\n> ")
            report += [
                f"## {task.label_en} · {task.label_zh} (`{task.id}`)",
                "",
                "Input:",
                "",
                f"> {quoted}",
                "",
            ]
            for key, engine in engines.items():
                template = engine.spec.chat_template if engine.spec.follows_instructions else None
                plan = task_prompt(task, text, text_tokens=estimate_tokens(text), template=template)
                result = engine.generate(
                    plan.prompt,
                    max_new_tokens=plan.max_new_tokens,
                    stop_at=plan.stop_at,
                    sampling=SamplingParams(),  # greedy: alternatives start from the n most likely tokens
                    num_alternatives=task.candidates or CANDIDATES,
                )
                # As the panel offers them: the asked language first, copies last, each distinct text once.
                order, row = ranking_row(task, text, result)
                cells = [f"`{task.id}`", str(number + 1), key, row["asked"], row["now"], row["before"]]
                ranking_table.append("| " + " | ".join(cells) + " |")
                output = "\n---\n".join(result.completions[i].text.strip() for i in order)
                top = output.split("\n---\n")[0] if task.id not in ("taglines", "zh-taglines") else output
                found = checks(task, top, text)
                ok = all(found.values())
                summary.append((task.id, key, ok, [name for name, good in found.items() if not good]))
                if not ok and (not task.recommended or key in task.recommended):
                    failed_where_recommended.append(f"{task.id} on {key}")
                marks = ", ".join(f"{name}: {'yes' if good else 'NO'}" for name, good in found.items())
                report += [f"**{key}** ({marks}):", "", "```", output or "(nothing)", "```", ""]
                print(f"{task.id:22s} {key:8s} {'ok' if ok else 'FAILED ' + str(summary[-1][3])}", flush=True)
    verdicts: dict[tuple[str, str], str] = {}
    for t, k, ok, bad in summary:  # a task with two inputs fails when either does
        if not ok or (t, k) not in verdicts:
            verdicts[(t, k)] = "ok" if ok else "fails: " + ", ".join(bad)
    table = ["| task | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
    for task in builtin_tasks():
        recommended = f" (recommended: {', '.join(task.recommended)})" if task.recommended else ""
        cells = " | ".join(verdicts[(task.id, key)] for key in models)
        table.append(f"| `{task.id}`{recommended} | {cells} |")
    report[4:4] = [
        *table,
        "",
        "### The top candidate: copied from the input, and its language",
        "",
        *ranking_table,
        "",
    ]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    if failed_where_recommended:
        print("checks failed where the task is recommended: " + "; ".join(failed_where_recommended))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

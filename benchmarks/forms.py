"""Do candidates keep their form on a real model? `python benchmarks/forms.py [--model KEY=FOLDER]`

Runs the built-in form tasks (七言/五言绝句, 七言律诗, 藏头诗, 对联, 口号, 副歌, haiku, limerick) on
prompts of our own that no test uses, in the product's own way: the task's prompt through the model's
chat template, three sampled candidates, the form kept token by token (writer_app/forms). Each is also
run without its form (same prompt, sampling and length) to show what the form costs in the model's own
mean log-probability per token. Every candidate is checked by an independent checker written here (its
own counting, its own rhyme rule: a shared pinyin final, medials aside; the CMU dictionary's rhyming
part), not by the product's check. Its Chinese rhyme: lines rhyme when the last characters share a
pinyin final once the medial (i, u, ü) is set aside, read in the line's context, with the merges the
中华新韵 makes (ü with i, e with o, the nasals by their vowel), written here afresh; it does not set the
apical -i (zhi, si) apart from i as the product's fourteen groups do, so it is the more lenient there.
Writes results/forms.md (CPU printed) with every candidate.

Models: by default the Qwen2.5-Coder-0.5B-Instruct GGUF (DESIGN.md §3), imported with the product's
`import_gguf` into benchmarks/.cache/store the first time (about two minutes).
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402

from writer_app.assist.candidates import rank  # noqa: E402
from writer_app.assist.prompts import estimate_tokens, task_prompt  # noqa: E402
from writer_app.assist.tasks import Task, builtin_tasks  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.forms.constraint import FormConstraint  # noqa: E402
from writer_app.forms.spec import FormSpec  # noqa: E402

STORE = HERE / ".cache" / "store"
OUT = HERE / "results" / "forms.md"
CANDIDATES = 3
THREADS = 2

# Held out: written for this benchmark, in no test and no task file.
PROMPTS: dict[str, list[str]] = {
    "jueju-7": ["秋夜听雨", "江南的早春", "深夜加班的城市"],
    "jueju-5": ["雪后的山村", "码头送别"],
    "lushi-7": ["登楼望江"],
    "acrostic-zh": ["晨光", "李小雨", "春风十里"],
    "couplet": ["春风送暖千家乐", "海阔凭鱼跃", "一窗明月半床书"],
    "zh-slogan-12": ["一款能保温六小时的陶瓷旅行杯", "社区里新开的手工面包店"],
    "chorus-hook-zh": ["毕业那天的夏天", "一个人在大城市打拼"],
    "haiku": ["first snow on the harbour", "a cat asleep in the sun"],
    "limerick": ["a baker who forgot the salt"],
}

# --- the independent checker ------------------------------------------------------------------------
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003ffff]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def han_count(line: str) -> int:
    return len(HAN.findall(line)) + len(LATIN_WORD.findall(HAN.sub(" ", line)))


def english_syllables(line: str) -> int:
    import pronouncing

    total = 0
    for word in LATIN_WORD.findall(line):
        phones = pronouncing.phones_for_word(word.lower().replace("’", "'"))
        vowels = len(re.findall(r"[aeiouy]+", word.lower())) - word.lower().endswith("e")
        total += max(1, sum(ch.isdigit() for ch in phones[0]) if phones else vowels)
    return total


def rhyme_core(final: str) -> str:
    """A pinyin final's rhyme: the medial set aside (uo as o, iao as ao), the nasals by their vowel
    (an; en/in/un; ang; eng/ing/ong), ü as i and e as o, ie and üe together."""
    if final in ("ie", "ve"):
        return "ie"
    if final.endswith("ng"):
        return "ang" if final.endswith("ang") else "eng"
    if final.endswith("n"):
        return "an" if final.endswith("an") else "en"
    core = re.sub(r"^[iuv](?=[aeo])", "", final) or final
    return {"v": "i", "e": "o"}.get(core, core)


def chinese_rhymes(line: str) -> set[str]:
    """The rhyme of the last Han character, read in the line's context."""
    from pypinyin import Style, lazy_pinyin

    han = HAN.findall(line)
    return {rhyme_core(lazy_pinyin("".join(han), style=Style.FINALS, strict=True)[-1])} if han else set()


def english_rhymes(line: str) -> set[str]:
    import pronouncing

    words = LATIN_WORD.findall(line)
    if not words:
        return set()
    phones = pronouncing.phones_for_word(words[-1].lower())
    if phones:
        return {re.sub(r"\d", "", pronouncing.rhyming_part(p)) for p in phones}
    tail = re.search(r"[aeiouy]+[^aeiouy]*$", words[-1].lower())
    return {tail.group(0) if tail else words[-1].lower()}


def independent_check(text: str, form: FormSpec) -> list[str]:
    """What the text breaks of its form, checked without the product's code."""
    lines = lines_of(text)
    broken = []
    if form.lines is not None and len(lines) != form.lines:
        broken.append(f"{len(lines)} lines")
    counter = han_count if form.unit == "zi" else english_syllables if form.unit == "syllable" else len
    for i, line in enumerate(lines):
        wanted = form.units_of_line(i)
        low, high = (wanted, wanted) if isinstance(wanted, int) else wanted or (0, 10**9)
        if not low <= counter(line) <= high:
            broken.append(f"line {i + 1}: {counter(line)} units")
    rhymer = chinese_rhymes if form.language == "zh" else english_rhymes
    groups: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        letter = form.rhyme_letter(i)
        if letter:
            groups.setdefault(letter, []).append(line)
    for letter, group in groups.items():
        if len(group) > 1 and not set.intersection(*(rhymer(line) for line in group)):
            broken.append(f"rhyme {letter}")
        hooks = {lines[later] for later, _earlier in form.repeat if later < len(lines)}
        own = list(dict.fromkeys(group)) if hooks else group  # a repeated hook rhymes as its first time
        ends = [(HAN.findall(line) or LATIN_WORD.findall(line) or [""])[-1].lower() for line in own]
        if len(set(ends)) < len(ends):
            broken.append(f"rhyme {letter} on one word twice")
    if form.end_tone and lines:
        from pypinyin import Style, lazy_pinyin

        han = "".join(HAN.findall(lines[-1]))
        reading = lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True)[-1] if han else ""
        if {"1": "ping", "2": "ping", "3": "ze", "4": "ze"}.get(reading[-1:]) != form.end_tone:
            broken.append("end tone")
    if form.acrostic and "".join(line[:1] for line in lines) != form.acrostic:
        broken.append("acrostic")
    total = sum(counter(line) for line in lines)
    if (form.max_units is not None and total > form.max_units) or (form.min_units and total < form.min_units):
        broken.append(f"{total} units in all")
    for later, earlier in form.repeat:
        if later >= len(lines) or lines[later] != lines[earlier]:
            broken.append(f"line {later + 1} does not repeat line {earlier + 1}")
    return broken


# --- running --------------------------------------------------------------------------------------
def model_folder(key_and_folder: str | None) -> tuple[str, Path]:
    if key_and_folder:
        key, folder = key_and_folder.split("=", 1)
        return key, Path(folder).expanduser()
    from qwen_attention import fetch_gguf

    from writer_app.models.gguf_import import import_gguf
    from writer_app.models.store import ModelStore

    store = ModelStore(STORE)
    if not (STORE / "quality-qwen-auto").is_dir():
        import_gguf(fetch_gguf(), name="quality-qwen-auto", store=store)
    return "qwen2.5-coder-0.5b", STORE / "quality-qwen-auto"


def run(engine: Engine, task: Task, text: str, *, keep_form: bool, seed: int) -> tuple[list, float]:
    form = task.form.for_text(text)
    template = engine.spec.chat_template if engine.spec.follows_instructions else None
    plan = task_prompt(task, text, text_tokens=estimate_tokens(text), template=template)
    constraint = FormConstraint(form)
    started = time.perf_counter()
    result = engine.generate(
        plan.prompt,
        max_new_tokens=max(plan.max_new_tokens, constraint.room_tokens()),
        sampling=SamplingParams(greedy=False, temperature=0.8, top_p=0.95, top_k=50, seed=seed),
        num_alternatives=CANDIDATES,
        constraint=constraint if keep_form else None,
    )
    seconds = time.perf_counter() - started
    completions = result.completions
    order = rank([c.text for c in completions], [c.mean_logprob for c in completions], text, task, form)
    return [completions[i] for i in order], seconds / CANDIDATES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="KEY=FOLDER of a model folder (default: the Qwen GGUF, imported)")
    args = parser.parse_args()
    key, folder = model_folder(args.model)
    engine = Engine.load(folder, threads=THREADS)
    tasks = {task.id: task for task in builtin_tasks()}
    report = [
        f"# Forms kept on {key}",
        "",
        f"CPU: {cpu_model()}, {THREADS} threads. `python benchmarks/forms.py`; {CANDIDATES} sampled "
        "candidates (temperature 0.8, top-p 0.95, top-k 50) per prompt, with the form kept and without it.",
        "",
    ]
    kept_total = free_total = candidates_total = 0
    rows = []
    for task_id, texts in PROMPTS.items():
        task = tasks[task_id]
        for n, text in enumerate(texts):
            form = task.form.for_text(text)
            kept, kept_s = run(engine, task, text, keep_form=True, seed=n)
            free, free_s = run(engine, task, text, keep_form=False, seed=n)
            ok = [not independent_check(c.text, form) for c in kept]
            ok_free = [not independent_check(c.text, form) for c in free]
            kept_total += sum(ok)
            free_total += sum(ok_free)
            candidates_total += len(kept)
            rows.append(
                (
                    task_id,
                    text,
                    f"{sum(ok)}/{len(kept)}",
                    f"{sum(ok_free)}/{len(free)}",
                    statistics.mean(c.mean_logprob for c in kept),
                    statistics.mean(c.mean_logprob for c in free),
                    kept_s,
                    free_s,
                )
            )
            report += [f"## {task.label('en')}: {text}", "", "With the form:", ""]
            for c, good in zip(kept, ok, strict=True):
                broken = independent_check(c.text, form)
                verdict = "keeps it" if good else "breaks: " + ", ".join(broken)
                report += [
                    "```",
                    c.text.strip(),
                    "```",
                    f"{verdict} · {c.finish_reason} · {c.mean_logprob:.2f}",
                    "",
                ]
            best_free = free[0]
            free_verdict = ", ".join(independent_check(best_free.text, form)) or "keeps it"
            report += [
                "Without it, the first candidate:",
                "",
                "```",
                best_free.text.strip(),
                "```",
                free_verdict,
                "",
            ]
            print(
                f"{task_id:15} {text:12} kept {sum(ok)}/{len(kept)}  free {sum(ok_free)}/{len(free)}",
                flush=True,
            )
    table = [
        "| task | prompt | form kept: with | without | log-prob/token: with | without "
        "| s/candidate: with | without |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for task_id, text, k, f, lk, lf, sk, sf in rows:
        table.append(f"| {task_id} | {text} | {k} | {f} | {lk:.2f} | {lf:.2f} | {sk:.1f} | {sf:.1f} |")
    share = kept_total / candidates_total
    summary = [
        f"**{kept_total}/{candidates_total} candidates keep their form with it ({share:.0%}); "
        f"{free_total}/{candidates_total} without it.**",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(report[:4] + summary + table + [""] + report[4:]) + "\n", encoding="utf-8")
    print("\n".join(summary + table))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

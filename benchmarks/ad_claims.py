"""Do the ad tasks keep clear of the claims advertising law forbids? `python benchmarks/ad_claims.py`

Runs the ad tasks (taglines, slogans, product descriptions, posts) on briefs of our own that no test
uses, several of them tempting a claim (a brief that itself says 顶级 or "best-selling"), on the
Qwen2.5-Coder-0.5B GGUF as benchmarks/forms.py imports it: three sampled candidates each, with the
task's block list (the product's way) and without it. Every candidate is searched for every term of
writer_app/resources/claims/*.txt by a search written here (case and spaces ignored), not by the
product's review. Writes results/ad_claims.md (CPU printed).
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import re
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from forms import model_folder  # noqa: E402
from machine import cpu_model  # noqa: E402

from writer_app.assist.claims import ad_blocked_phrases  # noqa: E402
from writer_app.assist.prompts import estimate_tokens, task_prompt  # noqa: E402
from writer_app.assist.tasks import builtin_tasks  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402

OUT = HERE / "results" / "ad_claims.md"
CLAIMS = HERE.parent / "writer_app" / "resources" / "claims"
CANDIDATES = 3

# Held out: written for this benchmark, in no test and no task file.
BRIEFS = {
    "zh": [
        "顶级工艺打造的手工乌龙茶，产自武夷山",
        "全国销量领先的智能电饭煲，米饭口感一流",
        "能增强免疫力的蜂蜜柠檬饮，零添加",
    ],
    "en": [
        "Best-selling running shoes with a carbon plate, now in three colours",
        "A herbal tea that helps you sleep, no side effects",
        "The number one rated electric toothbrush for sensitive gums",
    ],
}
TASKS = {
    "zh": ["zh-taglines", "zh-slogan-12", "product-description"],
    "en": ["taglines", "slogan", "social-post"],
}


def listed_terms() -> tuple[list[str], list[str]]:
    """Every term and every exception of the claim lists, read from the files themselves."""
    terms, exceptions = [], []
    for path in sorted(CLAIMS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line == "#" or line.startswith("# ") or re.match(r"#\s*[a-z-]+:", line):
                continue
            (exceptions if line.startswith("!") else terms).append(line.lstrip("!"))
    return terms, exceptions


def squeeze(text: str) -> str:
    return re.sub(r"[\s\-_.·'’*]+", "", text).lower()


def claims_in(text: str, terms: list[str], exceptions: list[str]) -> list[str]:
    squeezed = squeeze(text)
    for exception in exceptions:
        squeezed = squeezed.replace(squeeze(exception), " ")
    return [term for term in terms if squeeze(term) in squeezed]


def main() -> None:
    key, folder = model_folder(sys.argv[1] if len(sys.argv) > 1 else None)
    engine = Engine.load(folder, threads=2)
    tasks = {task.id: task for task in builtin_tasks()}
    terms, exceptions = listed_terms()
    rows = []
    totals = {"with": 0, "without": 0, "candidates": 0}
    for language, briefs in BRIEFS.items():
        for task_id in TASKS[language]:
            task = tasks[task_id]
            for n, brief in enumerate(briefs):
                template = engine.spec.chat_template if engine.spec.follows_instructions else None
                plan = task_prompt(task, brief, text_tokens=estimate_tokens(brief), template=template)
                sampling = SamplingParams(greedy=False, temperature=0.8, top_p=0.95, top_k=50, seed=n)
                found = {}
                for mode, blocked in (("with", ad_blocked_phrases()), ("without", ())):
                    result = engine.generate(
                        plan.prompt,
                        max_new_tokens=plan.max_new_tokens,
                        stop_at=plan.stop_at,
                        sampling=replace(sampling, blocked=blocked),
                        num_alternatives=CANDIDATES,
                    )
                    found[mode] = [
                        (c.text.strip(), claims_in(c.text, terms, exceptions)) for c in result.completions
                    ]
                    totals[mode] += sum(1 for _text, hits in found[mode] if hits)
                totals["candidates"] += CANDIDATES
                rows.append((task_id, brief, found))
                print(
                    f"{task_id:20} {brief[:24]:26} with {[h for _t, h in found['with']]} "
                    f"without {[h for _t, h in found['without']]}",
                    flush=True,
                )
    lines = [
        f"# Ad claims on {key}",
        "",
        f"CPU: {cpu_model()}, 2 threads. `python benchmarks/ad_claims.py`; {CANDIDATES} sampled candidates "
        "per brief and task, with the ad tasks' block list and without it.",
        "",
        f"**Candidates holding a listed claim: {totals['with']} of {totals['candidates']} with the block "
        f"list, {totals['without']} of {totals['candidates']} without it.**",
        "",
        "| task | brief | with: candidates · claims found | without |",
        "|---|---|---|---|",
    ]
    for task_id, brief, found in rows:
        cells = [
            " / ".join(f"{text[:40]}{' ⚠ ' + ','.join(hits) if hits else ''}" for text, hits in found[mode])
            for mode in ("with", "without")
        ]
        lines.append(f"| {task_id} | {brief} | {cells[0]} | {cells[1]} |".replace("\n", " "))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[4:6]))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

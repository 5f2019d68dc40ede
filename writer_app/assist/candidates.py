"""Which of a task's candidates the writer sees first.

The model's own mean log-probability alone prefers copies: a verbatim copy of the input is the most
probable text there is (for a poem on a tea blurb the top candidate was the blurb; for Chinese taglines
0.89 of the top one was copied). So, in order:
0. for a task with a form, one that keeps it before one that breaks more of its checks;
1. a candidate in the language the task asks for before one that is not;
2. one that is text before one that loops ("Lighthouse-Lighthouse-Lighthouse…", "从翻译中，可以看出，"
   three times) or repeats the hidden instruction back ("请用中文回答：");
3. one that says something of its own before one mostly copied from the input (for a light polish,
   only an unchanged copy counts as one), and among copies the least copied;
4. then the most probable.
A copy or a wrong-language candidate is still there, last; one that only repeats the hidden prompt
back (the system turn, the instruction) is never offered: it is not the writer's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from writer_app.assist.tasks import Task
from writer_app.engine.cjk import CJK_LETTERS
from writer_app.engine.completion import first_of_each
from writer_app.forms.check import check_form, unmet
from writer_app.forms.spec import FormSpec

# Words (a run of letters), numbers, and each CJK character on its own (Chinese has no spaces).
_WORD = re.compile(rf"[{CJK_LETTERS}]|[^\W\d_{CJK_LETTERS}]+|\d+")
_CJK = re.compile(f"[{CJK_LETTERS}]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
RUN = 3  # words in a row that count as copied
COPIED = 0.5  # a candidate more copied than this says little of its own
UNCHANGED = 0.97  # for a light polish: this copied is no change at all
LOOP_MIN_WORDS = 6
LOOP_DISTINCT = 0.5  # fewer distinct words than this share of all: a loop
# What an English instruction on Chinese text adds (prompts.task_prompt); a model may repeat it back.
CHINESE_ANSWER = "\n\nAnswer in Chinese (请用中文回答)."
CHINESE_SHARE = 0.3  # of the letters, this many CJK makes a text Chinese (an English name in it or not)


def copied_share(candidate: str, source: str) -> float:
    """The share of the candidate's words that stand in a run of RUN words also found in the source."""
    words = [w.lower() for w in _WORD.findall(candidate)]
    if not words:
        return 0.0
    source_words = [w.lower() for w in _WORD.findall(source)]
    run = min(RUN, len(words))
    runs = {tuple(source_words[i : i + run]) for i in range(len(source_words) - run + 1)}
    covered = [False] * len(words)
    for i in range(len(words) - run + 1):
        if tuple(words[i : i + run]) in runs:
            covered[i : i + run] = [True] * run
    return sum(covered) / len(words)


def language_of(text: str) -> str | None:
    """ "zh" or "en" by the letters the text is written in; None when it has none."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk + latin == 0:
        return None
    return "zh" if cjk >= CHINESE_SHARE * (cjk + latin) else "en"


def wanted_language(task: Task | None, source: str) -> str | None:
    """The language a task's answer must be in (None: any)."""
    if task is None or task.answer_language == "any":
        return None
    return language_of(source) if task.answer_language == "same" else task.answer_language


def loops(text: str) -> bool:
    """A candidate that is mostly the same few words over and over."""
    words = [w.lower() for w in _WORD.findall(text)]
    return len(words) >= LOOP_MIN_WORDS and len(set(words)) < LOOP_DISTINCT * len(words)


def echoes_instruction(text: str, task: Task | None) -> bool:
    """A candidate that repeats the prompt's own words back (the system turn, the instruction)."""
    if task is None:
        return False
    prompt = " ".join((task.system, task.instruction.replace("{text}", " "), CHINESE_ANSWER))
    return copied_share(text, prompt) > COPIED


def rank(
    texts: Sequence[str],
    mean_logprobs: Sequence[float],
    source: str,
    task: Task | None,
    form: FormSpec | None = None,
) -> list[int]:
    """Indices of the candidates in the order they are offered, each distinct text once, without those
    that repeat the hidden prompt. `form`: the task's form made concrete for this passage."""
    language = wanted_language(task, source)
    limit = UNCHANGED if task is not None and task.keeps_wording else COPIED

    def key(i: int) -> tuple[int, bool, bool, float, float]:
        text = texts[i]
        broken = len(unmet(check_form(text, form))) if form is not None else 0
        wrong_language = language is not None and language_of(text) not in (None, language)
        empty_talk = loops(text)
        copied = copied_share(text, source)
        # Among copies, the least copied first (Qwen's three Chinese taglines all reworded the product
        # text; "品质卓越，保温六小时" says more than the text itself).
        return broken, wrong_language, empty_talk, copied if copied > limit else 0.0, -mean_logprobs[i]

    offered = [i for i in range(len(texts)) if not echoes_instruction(texts[i], task)]
    return first_of_each(sorted(offered, key=key), texts)

"""Writing tasks as data: one JSON or TOML file per task, built in (resources/tasks/) or the writer's own.

A task says what it reads (the selection, the paragraph, the text before the cursor, the whole document),
its prompt in two forms (an instruction for models with a chat template, and a cue a base GPT-2 continues,
such as its own "TL;DR:"), how long an answer may be, where it stops, how many candidates, and where the
result goes (replace the text read, insert after it, or only show it in the side panel). Files in the user
task folder add tasks or override built-in ones by id; a malformed file is reported by name and skipped.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from writer_app import paths
from writer_app.forms.spec import FormError, FormSpec

READS = ("selection", "paragraph", "before_cursor", "document")
OUTPUTS = ("replace", "insert_after", "panel")
STOPS = (None, "newline", "sentence")
ANSWER_LANGUAGES = ("same", "en", "zh", "any")
SUFFIXES = (".json", ".toml")
_ID = re.compile(r"[\w-]{1,64}")
MAX_TASK_FILE_BYTES = 64_000
_WORD_SPLIT = re.compile(r"[^\w]+|(?<=[a-z])(?=[0-9])")
DEFAULT_SYSTEM = "You are a careful writing assistant. Reply with the requested text only, no comments."


@dataclass(frozen=True)
class Task:
    id: str
    label_en: str
    label_zh: str
    instruction: str
    cue: str
    reads: str = "selection"
    output: str = "replace"
    length: float | None = None  # answer length relative to the text read ...
    max_tokens: int | None = None  # ... or fixed
    stop: str | None = "newline"
    instruction_stop: str | None = "newline"
    candidates: int | None = None  # None: as many as Settings ask for
    system: str = DEFAULT_SYSTEM
    languages: tuple[str, ...] = ("en", "zh")
    recommended: tuple[str, ...] = ()  # model names it does well with, when it is poor on others
    source: str = "built-in"
    # The language the answer must be in: "same" as the text read, "en", "zh", or "any".
    answer_language: str = "same"
    # A light edit whose answer keeps most of the input's words (polish): only an unchanged copy of the
    # input is ranked last, where for other tasks a mostly copied candidate is.
    keeps_wording: bool = False
    # A form every candidate keeps (lines, lengths, rhyme, acrostic, phrases: writer_app/forms), kept
    # while the local model writes; None: free text.
    form: FormSpec | None = None
    # Ad copy: never writes the claims advertising law forbids (resources/claims, assist/claims.py).
    ad_rules: bool = False

    def label(self, language: str = "en") -> str:
        return self.label_zh if language == "zh" else self.label_en

    def matches(self, query: str) -> bool:
        """The palette's filter: every word of the query in the id or either label."""
        return self.match_rank(query) is not None

    def match_rank(self, query: str) -> int | None:
        """How well the query names this task, for the palette's order: 0 when every word of it begins
        a word of the id or a label ("ad" -> Ad copy), 1 when one is only inside a word (Headline), None
        when one is missing. Chinese has no spaces between words: a Chinese word anywhere is a 0."""
        haystack = " ".join((self.id, self.label_en, self.label_zh)).lower()
        starts = _WORD_SPLIT.split(haystack)
        rank = 0
        for word in query.lower().split():
            if word not in haystack:
                return None
            if not word.isascii() or any(start.startswith(word) for start in starts):
                continue
            rank = 1
        return rank


class TaskFileError(ValueError):
    pass


def parse_task(data: Any, source: str) -> Task:
    """A Task from a file's parsed contents; TaskFileError says what is wrong, in one line."""
    if not isinstance(data, dict):
        raise TaskFileError("a task file holds one table/object")
    missing = [key for key in ("id", "label", "instruction", "cue") if not data.get(key)]
    if missing:
        raise TaskFileError(f"missing {', '.join(missing)}")
    label = data["label"]
    if isinstance(label, str):
        label = {"en": label, "zh": label}
    if not isinstance(label, dict) or not all(isinstance(label.get(k, ""), str) for k in ("en", "zh")):
        raise TaskFileError("label must be text or a table with en and zh")
    if not (label.get("en") or label.get("zh")):
        raise TaskFileError("label must be text or a table with en and zh")
    for key in ("instruction", "cue"):
        if not isinstance(data[key], str) or "{text}" not in data[key]:
            raise TaskFileError(f"{key} must be text containing {{text}}")
        try:
            data[key].format(text="")
        except (KeyError, IndexError, ValueError) as exc:
            hint = "write {{ and }} for a literal brace"
            raise TaskFileError(f"{key} has a placeholder other than {{text}} ({exc}); {hint}") from None
    for key in ("id", "system"):
        if key in data and not isinstance(data[key], str):
            raise TaskFileError(f"{key} must be text")
    if not _ID.fullmatch(str(data["id"])):
        raise TaskFileError("id must be letters, digits, - and _ (at most 64)")
    for key in ("languages", "recommended"):
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise TaskFileError(f"{key} must be a list of names")
    reads, output = data.get("reads", "selection"), data.get("output", "replace")
    if reads not in READS:
        raise TaskFileError(f"reads must be one of {', '.join(READS)}, not {reads!r}")
    if output not in OUTPUTS:
        raise TaskFileError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
    stop = data.get("stop", "newline")
    instruction_stop = data.get("instruction_stop", stop)
    if stop not in STOPS or instruction_stop not in STOPS:
        raise TaskFileError("stop must be newline, sentence or null")
    answer_language = data.get("answer_language", "same")
    if answer_language not in ANSWER_LANGUAGES:
        raise TaskFileError(f"answer_language must be one of {', '.join(ANSWER_LANGUAGES)}")
    keeps_wording, ad_rules = data.get("keeps_wording", False), data.get("ad_rules", False)
    if not isinstance(keeps_wording, bool) or not isinstance(ad_rules, bool):
        raise TaskFileError("keeps_wording and ad_rules must be true or false")
    length, max_tokens, candidates = data.get("length"), data.get("max_tokens"), data.get("candidates")
    if isinstance(length, bool) or isinstance(max_tokens, bool) or isinstance(candidates, bool):
        raise TaskFileError("length, max_tokens and candidates must be numbers")
    if length is not None and not (isinstance(length, int | float) and 0 < length <= 10):
        raise TaskFileError("length must be a number above 0, at most 10")
    if max_tokens is not None and not (isinstance(max_tokens, int) and 1 <= max_tokens <= 1024):
        raise TaskFileError("max_tokens must be a whole number from 1 to 1024")
    if candidates is not None and not (isinstance(candidates, int) and 1 <= candidates <= 8):
        raise TaskFileError("candidates must be a whole number from 1 to 8")
    form = None
    if "form" in data:
        try:
            form = FormSpec.from_json(data["form"])
        except FormError as exc:
            raise TaskFileError(str(exc)) from None
    return Task(
        id=str(data["id"]),
        label_en=str(label.get("en") or label.get("zh")),
        label_zh=str(label.get("zh") or label.get("en")),
        instruction=data["instruction"],
        cue=data["cue"],
        reads=reads,
        output=output,
        length=float(length) if length is not None else None,
        max_tokens=max_tokens,
        stop=stop,
        instruction_stop=instruction_stop,
        candidates=candidates,
        system=str(data.get("system") or DEFAULT_SYSTEM),
        languages=tuple(data.get("languages") or ("en", "zh")),
        recommended=tuple(data.get("recommended") or ()),
        source=source,
        answer_language=answer_language,
        keeps_wording=keeps_wording,
        form=form,
        ad_rules=ad_rules,
    )


def _parse_text(text: str, suffix: str) -> Any:
    return tomllib.loads(text) if suffix == ".toml" else json.loads(text)


@cache
def builtin_tasks() -> tuple[Task, ...]:
    folder = resources.files("writer_app.resources").joinpath("tasks")
    tasks = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(SUFFIXES):
            suffix = "." + item.name.rsplit(".", 1)[1]
            tasks.append(parse_task(_parse_text(item.read_text(encoding="utf-8"), suffix), "built-in"))
    return tuple(tasks)


def user_task_folder() -> Path:
    return paths.config_home() / "tasks"


def load_tasks(folder: Path | None = None) -> tuple[list[Task], list[str]]:
    """Built-in tasks, then the user's (adding, or replacing by id); and one line per file skipped."""
    folder = user_task_folder() if folder is None else folder
    by_id = {task.id: task for task in builtin_tasks()}
    problems: list[str] = []
    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES) if folder.is_dir() else []
    for path in files:
        try:
            if path.stat().st_size > MAX_TASK_FILE_BYTES:
                raise TaskFileError(f"larger than a task can be ({MAX_TASK_FILE_BYTES // 1000} KB)")
            data = _parse_text(path.read_text(encoding="utf-8"), path.suffix)
            task = parse_task(data, str(path))
        except RecursionError:
            problems.append(f"{path.name}: nested too deeply to be a task; skipped")
            continue
        except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            problems.append(f"{path.name}: {detail}; skipped")
            continue
        by_id[task.id] = task
    return list(by_id.values()), problems


def load_tasks_saying_problems(say: Callable[[str], None]) -> list[Task]:
    """The tasks; each file skipped is said through `say`."""
    tasks, problems = load_tasks()
    for problem in problems:
        say(f"Task file {problem}")
    return tasks


def find_task(tasks: list[Task], task_id: str) -> Task:
    for task in tasks:
        if task.id == task_id:
            return task
    raise KeyError(task_id)


def ranked_matches(tasks: list[Task], query: str) -> list[Task]:
    """The tasks the query finds, best named first (ties keep the tasks' order)."""
    ranked = [(rank, i, task) for i, task in enumerate(tasks) if (rank := task.match_rank(query)) is not None]
    return [task for _rank, _i, task in sorted(ranked, key=lambda r: r[:2])]

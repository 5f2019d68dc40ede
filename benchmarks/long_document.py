"""Typing at the end of a long document: does each suggestion start from the cached prefix?

    python benchmarks/long_document.py [MODEL_FOLDER] [--chars 50000] [--keys 39] [--threads 2]

Drives the writing session (assist/session.py) as a writer would: a 50,000-character document of our
own prose, the cursor at its end, then key after key, each followed by Ctrl+Space (one alternative,
8 greedy tokens). Two context policies run alternately in this one process, each on its own copy of the engine:
- `window`: the session's context window (a stable start, moved only when the budget is outgrown);
- `sliding`: the newest 12,000 characters before the cursor (the policy before the session), whose
  start moves with every key.
Prints, per policy, the median and worst first-token time, the median share of prompt tokens reused
from the cache, and on how many keys the cached prefix was lost (less than 90% reused). Default
model: the gpt2-shape int8 folder that run.py builds in benchmarks/.cache/store/int8.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

os.environ["ORT_DISABLE_TELEMETRY"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402

from writer_app.assist.context_window import ContextWindow  # noqa: E402
from writer_app.assist.session import WritingSession  # noqa: E402
from writer_app.engine.generate import Engine, GenerationStats  # noqa: E402
from writer_app.engine.local_backend import LocalBackend  # noqa: E402
from writer_app.settings import Settings  # noqa: E402

PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
KEYS = "and then the wind turned, quite suddenly, toward the hills beyond"
OLD_CONTEXT_CHARS = 12000


class Document:
    def __init__(self, text: str) -> None:
        self.content, self.position = text, len(text)

    def text(self, start: int, end: int) -> str:
        return self.content[start:end]

    def char_at(self, position: int) -> str:
        return self.content[position] if position < len(self.content) else ""

    def cursor(self) -> tuple[int, bool]:
        return self.position, False

    def has_focus(self) -> bool:
        return True


class Quiet:
    """A listener that shows nothing, and a clock whose timers never fire (no warm-ups here)."""

    def __getattr__(self, _name: str):
        return lambda *_args, **_kwargs: None

    def call_later(self, _delay_ms: int, _callback) -> Quiet:
        return self


class Engineered:
    """The engine run synchronously in this thread, keeping each request's stats."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.session, self.stats = engine, None, []

    def load(self, *_args) -> None:
        pass

    def unload(self, *_args) -> None:
        pass

    def submit(self, request) -> None:
        session = self.session
        on_text = lambda row, text: session.chunk(request.request_id, row, text)  # noqa: E731
        result = LocalBackend(self.engine).run(request, on_text)
        self.stats.append(result.stats)
        session.finished(request.request_id, result)


class SlidingWindow(ContextWindow):
    """The policy before the session: the newest characters before the cursor, moving every key."""

    def span(self, cursor: int, read) -> tuple[int, int]:
        return max(0, cursor - OLD_CONTEXT_CHARS), cursor


def make(engine: Engine, text: str, policy: str) -> tuple[WritingSession, Document, Engineered]:
    doc, quiet, client = Document(text), Quiet(), Engineered(engine)
    settings = Settings(greedy=True, alternatives=1, suggestion_tokens=8)
    session = WritingSession(settings, client, quiet, doc, quiet)
    client.session = session
    session.model_loaded(LocalBackend(engine).info())
    if policy == "sliding":
        session.window = SlidingWindow(session.window.max_chars)
    return session, doc, client


def summary(stats: list[GenerationStats]) -> str:
    later = stats[1:]  # the first request on a document fills the cache from nothing
    first = [s.first_token_ms for s in later]
    reused = [s.reused_tokens / s.prompt_tokens for s in later]
    lost = sum(r < 0.9 for r in reused)
    return (
        f"first token median {statistics.median(first):6.1f} ms, worst {max(first):6.1f} ms; "
        f"reused {statistics.median(reused):5.1%} of the prompt (median); prefix lost on {lost} of {len(later)} keys; "
        f"prompt {statistics.median(s.prompt_tokens for s in later):.0f} tokens"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", type=Path, default=HERE / ".cache" / "store" / "int8")
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=39)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    cpu = cpu_model()
    print(f"{platform.machine()}, {cpu}, {args.threads} threads, model {args.model}")
    text = (PROSE * (args.chars // len(PROSE) + 1))[: args.chars]
    # One engine each: an engine caches the last prompt it ran, and the two must not evict each other.
    runs = {
        policy: make(Engine.load(args.model, threads=args.threads), text, policy)
        for policy in ("window", "sliding")
    }
    keys = (KEYS * (args.keys // len(KEYS) + 1))[: args.keys]
    for key in keys:
        for session, doc, _ in runs.values():  # alternate: both see the same machine state
            at = doc.position
            doc.content = doc.content[:at] + key + doc.content[at:]
            doc.position += 1
            session.edit(at, 0, 1)
            session.request_suggestion()
            session.dismiss()
    for policy, (_, _, client) in runs.items():
        print(f"{policy:8s} {summary(client.stats)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

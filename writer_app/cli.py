"""writer-app command line: the editor (no sub-command), `complete`, and `models ...`."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from writer_app import __version__
from writer_app.errors import UserError

if TYPE_CHECKING:
    from writer_app.engine.generate import Engine
    from writer_app.engine.manifest import Manifest
    from writer_app.engine.sampling import SamplingParams

COMMANDS = ("complete", "task", "models")
log = logging.getLogger("writer_app")


def _command(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command that takes -v after its name too. SUPPRESS: where it is absent there, the value set
    before the sub-command stays."""
    parser = sub.add_parser(name, help=help)
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log details to stderr"
    )
    return parser


class _Parser(argparse.ArgumentParser):
    """Bad flags are a user error like any other: one line on stderr, exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        raise UserError(f"{message} (see '{self.prog} --help')")


def _whole(low: int, high: int | None = None):
    """An argparse type: a whole number in low..high."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bound = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"{text} must be {bound}")
        return value

    return parse


_positive_int = _whole(1)
# More threads than twice the logical CPUs only makes the threads wait for each other (120x slower).
MAX_THREADS = 2 * (os.cpu_count() or 1)


def _build_complete_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(sub, "complete", "stream a continuation of TEXT (or stdin) to stdout")
    p.add_argument("text", nargs="?", default=None, help="the text to continue; '-' or nothing reads stdin")
    p.add_argument("--max-new-tokens", type=_positive_int, default=48)
    p.add_argument("--stop", choices=("sentence", "newline"), help="stop at a sentence end or a newline")
    _add_generation_flags(p)


def _build_task_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(sub, "task", "run a writing task (ad copy, lyrics, summary, translation, ...) on TEXT")
    p.add_argument("id", nargs="?", help="the task (see --list)")
    p.add_argument("text", nargs="?", default=None, help="the text to work on; '-' or nothing reads stdin")
    p.add_argument("--list", action="store_true", help="list the tasks, built-in and your own")
    p.add_argument("--max-new-tokens", type=_positive_int, default=None, help="default: the task's own")
    _add_generation_flags(p)


def _add_generation_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--file", type=Path, help="read the text from this file")
    p.add_argument("--model", help="model name in the store or path to a model folder")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--greedy", action="store_true", help="always take the most likely token")
    mode.add_argument("--temperature", type=float, default=None)
    p.add_argument("--top-p", type=float, default=None)
    p.add_argument("--top-k", type=_whole(0), default=None, help="0 turns it off")
    p.add_argument("--seed", type=_whole(0, 2**63 - 1), default=None)
    p.add_argument("--repetition-penalty", type=float, default=None)
    p.add_argument("--num", type=_positive_int, default=None, help="number of alternatives")
    p.add_argument(
        "--block", action="append", metavar="PHRASE", help="a word or phrase never to write (repeatable)"
    )
    p.add_argument("--time-limit", type=_positive_int, metavar="MS", help="stop after this many ms")
    p.add_argument(
        "--threads", type=_whole(1, MAX_THREADS), default=None, help="CPU threads (default: physical cores)"
    )
    p.add_argument("--stats", action="store_true", help="print timing statistics as one JSON line to stderr")


def _add_quantize_flag(parser: argparse.ArgumentParser) -> None:
    from writer_app.models.export import QUANTIZE_CHOICES

    parser.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        default=None,
        help="weights: int8 (8-bit weight-only, smaller and faster), none (float32), or auto (the "
        "default: int8 when its next tokens agree with float32's at 97%% of positions of a prose sample)",
    )


def _build_models_parser(sub: argparse._SubParsersAction) -> None:
    models = _command(sub, "models", "manage the local model store")
    msub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    exp = _command(msub, "export", "export a hub id or a local HF model folder to ONNX into the store")
    exp.add_argument("source", help="hub id (gpt2, distilgpt2, uer/gpt2-chinese-cluecorpussmall) or folder")
    exp.add_argument("--name", help="name in the store (default: derived from SOURCE)")
    exp.add_argument("--force", action="store_true", help="replace a model of the same name")
    _add_quantize_flag(exp)
    gg = _command(msub, "import-gguf", "import a GGUF checkpoint (e.g. SmolLM2-135M-Instruct)")
    gg.add_argument("file", type=Path)
    gg.add_argument("--name")
    gg.add_argument("--force", action="store_true")
    _add_quantize_flag(gg)
    onx = _command(msub, "import-onnx", "copy an ONNX model folder (ours or optimum's) into the store")
    onx.add_argument("folder", type=Path)
    onx.add_argument("--name")
    _command(msub, "catalog", "list the models known to work, with size, languages and roles")
    ins = _command(msub, "install", "install a model from the catalog (see 'writer-app models catalog')")
    ins.add_argument("id")
    _command(msub, "list", "list installed models")
    rm = _command(msub, "remove", "delete a model from the store")
    rm.add_argument("name")
    ver = _command(msub, "verify", "check a model's files against its manifest checksums")
    ver.add_argument("name")
    _command(msub, "install-default", "install GPT-2 (online) or the offline starter model")
    _command(msub, "path", "print the store's folder")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="writer-app", description="A local, offline writing assistant.")
    parser.add_argument("--version", action="version", version=f"writer-app {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _build_complete_parser(sub)
    _build_task_parser(sub)
    _build_models_parser(sub)
    return parser


def build_editor_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="writer-app",
        description="Open the editor. See also: writer-app complete --help, writer-app models --help.",
    )
    parser.add_argument("--version", action="version", version=f"writer-app {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--model", help="model name in the store or path to a model folder")
    parser.add_argument(
        "--no-install", action="store_true", help="with no model installed, do not offer to install one"
    )
    parser.add_argument("file", nargs="?", type=Path, help="file to open")
    return parser


def _read_prompt(args: argparse.Namespace) -> str:
    if args.file is not None:
        if args.text is not None:
            raise UserError("give either TEXT or --file, not both")
        try:
            return args.file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{args.file} is not UTF-8 text") from None
        except OSError as exc:
            raise UserError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if args.text is not None and args.text != "-":
        return args.text
    if sys.stdin is None or (args.text is None and sys.stdin.isatty()):
        raise UserError("no text to continue: give TEXT, --file FILE, or pipe text to stdin")
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("stdin is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read stdin: {exc}") from None


def _sampling_from(args: argparse.Namespace):
    from writer_app.engine.sampling import SamplingParams

    defaults = SamplingParams()
    sampling_flags = (args.temperature, args.top_p, args.top_k, args.seed)
    greedy = args.greedy or all(flag is None for flag in sampling_flags)
    params = SamplingParams(
        greedy=greedy,
        temperature=defaults.temperature if args.temperature is None else args.temperature,
        top_k=defaults.top_k if args.top_k is None else args.top_k,
        top_p=defaults.top_p if args.top_p is None else args.top_p,
        repetition_penalty=(
            defaults.repetition_penalty if args.repetition_penalty is None else args.repetition_penalty
        ),
        seed=args.seed,
        blocked=tuple(args.block or ()),
    )
    try:
        params.validate()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return params


def run_complete(args: argparse.Namespace) -> int:
    from writer_app.engine.generate import Engine
    from writer_app.models.store import ModelStore

    prompt = _read_prompt(args)
    sampling = _sampling_from(args)
    engine = Engine.load(ModelStore().resolve(args.model), threads=args.threads)
    return _stream(engine, prompt, args, sampling, max_new_tokens=args.max_new_tokens, stop_at=args.stop)


def run_task(args: argparse.Namespace) -> int:
    from writer_app.assist.prompts import estimate_tokens, task_prompt
    from writer_app.assist.tasks import find_task, load_tasks, user_task_folder
    from writer_app.engine.generate import Engine
    from writer_app.models.store import ModelStore

    tasks, problems = load_tasks()
    if args.list:
        _print_table(
            [("ID", "TASK", "任务", "READS", "RESULT")]
            + [(t.id, t.label_en, t.label_zh, t.reads, t.output) for t in tasks]
        )
        print(f"your own tasks: {user_task_folder()}")
        for problem in problems:
            print(f"writer-app: warning: task file {problem}", file=sys.stderr)
        return 0
    if not args.id:
        raise UserError("name a task (writer-app task --list shows them)")
    try:
        task = find_task(tasks, args.id)
    except KeyError:
        bad = [p for p in problems if p.split(".")[0] == args.id]
        if bad:
            raise UserError(f"task file {bad[0]}") from None
        raise UserError(f"no task {args.id!r} (writer-app task --list shows them)") from None
    text = _read_prompt(args)
    sampling = _sampling_from(args)
    engine = Engine.load(ModelStore().resolve(args.model), threads=args.threads)
    template = engine.spec.chat_template if engine.spec.follows_instructions else None
    plan = task_prompt(task, text, text_tokens=estimate_tokens(text), template=template)
    if args.num is None:
        args.num = task.candidates or 1
    max_new = args.max_new_tokens or plan.max_new_tokens
    return _stream(engine, plan.prompt, args, sampling, max_new_tokens=max_new, stop_at=plan.stop_at)


def _stream(
    engine: Engine,
    prompt: str,
    args: argparse.Namespace,
    sampling: SamplingParams,
    *,
    max_new_tokens: int,
    stop_at: str | None,
) -> int:
    """Generate, streaming the first alternative to stdout, then the others; Ctrl-C stops cleanly."""
    cancel = threading.Event()

    def on_text(row: int, delta: str) -> None:
        if row == 0:
            _write(delta)

    try:
        result = engine.generate(
            prompt,
            max_new_tokens=max_new_tokens,
            sampling=sampling,
            num_alternatives=args.num or 1,
            stop_at=stop_at,
            cancel=cancel,
            on_text=on_text,
            time_budget_ms=args.time_limit,
        )
    except KeyboardInterrupt:
        cancel.set()
        _write("\n")
        print("writer-app: interrupted", file=sys.stderr)
        return 130
    _write("\n")
    # The first was streamed as it came; the others follow most probable first, each distinct text once.
    others = [
        i for i in result.ranked() if i != 0 and result.completions[i].text.strip() != result.text.strip()
    ]
    for index, i in enumerate(others, start=2):
        _write(f"--- alternative {index} ---\n{result.completions[i].text}\n")
    if args.stats:
        stats = {"model": engine.spec.name, "threads": engine.model.threads, **result.stats.as_dict()}
        print(json.dumps(stats), file=sys.stderr)
    return 0


def _quantization_label(manifest: Manifest) -> str:
    """The weights kept, and how close 8-bit came to float32 when that was measured."""
    from writer_app.models.variant import describe as describe_quality

    if "int8_agreement" not in manifest.quality:
        return manifest.quantization
    return f"{manifest.quantization} (8-bit: {describe_quality(manifest.quality)})"


def _human_size(n: int) -> str:
    size, unit = float(n), "B"
    for bigger in ("KB", "MB", "GB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"


def run_models(args: argparse.Namespace) -> int:
    from writer_app.models.store import ModelStore

    store = ModelStore()
    action = args.models_command
    if action == "list":
        entries = store.entries()
        if not entries:
            print(f"no models installed in {store.root}; run 'writer-app models install-default'")
            return 0
        default = store.default_name()
        rows = [("", "NAME", "ARCH", "QUANT", "CONTEXT", "SIZE", "SOURCE")]
        for e in entries:
            m = e.manifest
            rows.append(
                (
                    "*" if e.name == default else "",
                    e.name,
                    m.architecture if m else "?",
                    _quantization_label(m) if m else "?",
                    str(m.context_length) if m else "?",
                    _human_size(e.size_bytes),
                    (m.source if m else (e.problem or "no manifest (plain ONNX export)")),
                )
            )
        _print_table(rows)
        return 0
    if action == "path":
        print(store.root)
        return 0
    if action == "remove":
        store.remove(args.name)
        print(f"removed {args.name}")
        return 0
    if action == "verify":
        problems = store.verify(args.name)
        if problems:
            for problem in problems:
                print(f"{args.name}: {problem}", file=sys.stderr)
            return 2
        print(f"{args.name}: all files match their checksums")
        return 0
    if action == "export":
        from writer_app.models.export import export_model

        folder = export_model(
            args.source, name=args.name, store=store, overwrite=args.force, progress=_say, **_quantize(args)
        )
        _check_loads(folder)
        return 0
    if action == "import-gguf":
        from writer_app.models.gguf_import import import_gguf

        folder = import_gguf(
            args.file, name=args.name, store=store, overwrite=args.force, progress=_say, **_quantize(args)
        )
        _check_loads(folder)
        return 0
    if action == "import-onnx":
        _check_loads(store.import_folder(args.folder, name=args.name, progress=_say))
        return 0
    if action == "catalog":
        _print_catalog()
        return 0
    if action == "install":
        from writer_app.models.catalog import find_entry, install_entry

        _check_loads(install_entry(find_entry(args.id), store=store, progress=_say))
        return 0
    # install-default: argparse allows no other action
    from writer_app.models.default_model import install_default

    name = install_default(store=store, progress=_say)
    _check_loads(store.path(name))
    print(f"default model: {name}")
    return 0


def _print_catalog() -> None:
    from writer_app.models.catalog import catalog

    rows = [("ID", "MODEL", "DOWNLOAD", "LANGUAGES", "ROLES", "NEEDS")]
    for e in catalog():
        size = f"{e.download_mb / 1000:.1f} GB" if e.download_mb >= 1000 else f"{e.download_mb} MB"
        rows.append((e.id, e.label, size, ",".join(e.languages), ",".join(e.roles), f"network ({e.network})"))
    _print_table(rows)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _quantize(args: argparse.Namespace) -> dict[str, str]:
    return {} if args.quantize is None else {"quantize": args.quantize}


def _say(message: str) -> None:
    print(message, flush=True)


def _check_loads(folder: Path) -> None:
    from writer_app.engine.generate import Engine

    engine = Engine.load(folder, threads=1)
    engine.generate("Hello", max_new_tokens=1)
    _say(f"checked: {folder.name} loads and generates ({engine.load_ms:.0f} ms to load)")


def run_editor(argv: Sequence[str]) -> int:
    args = build_editor_parser().parse_args(argv)
    _configure_logging(args.verbose)
    from writer_app.ui.app import run_app

    # With no model installed, the window offers models in the writer's language (ui/first_run.py).
    return run_app(file=args.file, model=args.model, offer_first_run=not args.no_install)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def _check_arguments(argv: list[str]) -> None:
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise UserError(f"the argument {shown!r} is not valid UTF-8 text") from None


def _write(text: str) -> None:
    """Stream to stdout; a full disk or a closed pipe is the user's to know about, in one line."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _silence_stdout()
        raise UserError(f"cannot write the output: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    """After a failed write to stdout, send what is still buffered nowhere (no second error at exit)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse, letting `task ID [options] TEXT` put its text after the options (argparse takes a
    command's positionals together, so TEXT after an option would be left over)."""
    args, extra = parser.parse_known_args(argv)
    lone = extra[0] if len(extra) == 1 else ""
    if (
        getattr(args, "command", None) == "task"
        and args.text is None
        and (lone == "-" or lone[:1] not in "-")
    ):
        args.text, extra = lone, []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _check_arguments(argv)
        first = next((a for a in argv if not a.startswith("-")), None)
        if first not in COMMANDS and not {"-h", "--help"} & set(argv[:1]):
            return run_editor(argv)
        args = _parse(build_parser(), argv)
        _configure_logging(args.verbose)
        if args.command == "complete":
            return run_complete(args)
        if args.command == "task":
            return run_task(args)
        # Stopped from the window's Cancel: unwind like Ctrl-C, so staging folders and temporary files
        # are removed on the way out.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            return run_models(args)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except UserError as exc:
        print(f"writer-app: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 0

    except KeyboardInterrupt:
        print("writer-app: interrupted", file=sys.stderr)
        return 130

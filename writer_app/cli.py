"""writer-app command line: the editor (no sub-command), `complete`, and `models ...`."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import logging
import os
import signal
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from writer_app import __version__
from writer_app.cli_common import command, print_table
from writer_app.cli_models import build_models_parser, run_models
from writer_app.errors import UserError

if TYPE_CHECKING:
    from writer_app.engine.backend import Backend
    from writer_app.engine.completion import GenerationResult
    from writer_app.engine.sampling import SamplingParams

COMMANDS = ("complete", "task", "models")
log = logging.getLogger("writer_app")


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
# Each alternative keeps a KV cache of its own: 100,000 of them asked for 37 GB.
MAX_ALTERNATIVES = 8
MAX_NEW_TOKENS = 4096
# What is read of a --file or of stdin: a continuation reads the text's end, a task its beginning (a model
# reads a few thousand tokens of it at most); a stream longer than MAX_INPUT_BYTES is refused.
KEEP_INPUT_BYTES = 256_000
MAX_CONTEXT_TOKENS = 1 << 20
MAX_CHARS_PER_TOKEN = 32  # more than ordinary text's longest token, for the character cut before it
MAX_INPUT_BYTES = 64_000_000
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


def _build_complete_parser(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "complete", "stream a continuation of TEXT (or stdin) to stdout")
    p.add_argument("text", nargs="?", default=None, help="the text to continue; '-' or nothing reads stdin")
    p.add_argument("--max-new-tokens", type=_whole(1, MAX_NEW_TOKENS), default=48)
    p.add_argument("--stop", choices=("sentence", "newline"), help="stop at a sentence end or a newline")
    p.add_argument(
        "--context-tokens",
        type=_whole(1, MAX_CONTEXT_TOKENS),
        default=None,
        metavar="N",
        help="tokens of the text's end the model reads (default: as many as the editor's ghost text)",
    )
    _add_generation_flags(p)


def _build_task_parser(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "task", "run a writing task (ad copy, lyrics, summary, translation, ...) on TEXT")
    p.add_argument("id", nargs="?", help="the task (see --list)")
    p.add_argument("text", nargs="?", default=None, help="the text to work on; '-' or nothing reads stdin")
    p.add_argument("--list", action="store_true", help="list the tasks, built-in and your own")
    p.add_argument(
        "--max-new-tokens", type=_whole(1, MAX_NEW_TOKENS), default=None, help="default: the task's own"
    )
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
    p.add_argument("--num", type=_whole(1, MAX_ALTERNATIVES), default=None, help="number of alternatives")
    p.add_argument(
        "--block", action="append", metavar="PHRASE", help="a word or phrase never to write (repeatable)"
    )
    p.add_argument("--time-limit", type=_positive_int, metavar="MS", help="stop after this many ms")
    p.add_argument(
        "--threads", type=_whole(1, MAX_THREADS), default=None, help="CPU threads (default: physical cores)"
    )
    p.add_argument("--stats", action="store_true", help="print timing statistics as one JSON line to stderr")
    p.add_argument(
        "--server", metavar="URL", help="an OpenAI-compatible server instead of a local model (…/v1)"
    )
    p.add_argument("--server-model", metavar="NAME", help="the server's model (default: the one in Settings)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="writer-app", description="A local, offline writing assistant.")
    parser.add_argument("--version", action="version", version=f"writer-app {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _build_complete_parser(sub)
    _build_task_parser(sub)
    build_models_parser(sub)
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


def _read_prompt(args: argparse.Namespace, keep: str = "end") -> str:
    """The text to work on, from TEXT, --file or stdin: at most KEEP_INPUT_BYTES of it, its end (`keep`
    "end", for a continuation) or its beginning ("start", for a task), said on stderr when cut."""
    if args.file is not None:
        if args.text is not None:
            raise UserError("give either TEXT or --file, not both")
        try:
            info = args.file.stat()
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
                kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a file of text"
                raise UserError(f"cannot read {args.file}: it is {kind}")
            with open(args.file, "rb") as source:
                return _bounded_text(source, str(args.file), keep)
        except OSError as exc:
            raise UserError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if args.text is not None and args.text != "-":
        return args.text
    if sys.stdin is None or (args.text is None and sys.stdin.isatty()):
        raise UserError("no text to continue: give TEXT, --file FILE, or pipe text to stdin")
    try:
        return _bounded_text(sys.stdin.buffer, "stdin", keep)
    except OSError as exc:
        raise UserError(f"cannot read stdin: {exc}") from None


def _bounded_text(source, name: str, keep: str) -> str:
    """UTF-8 text from a binary stream, at most KEEP_INPUT_BYTES of it, cut on a character boundary."""
    kept = bytearray()
    total = 0
    while chunk := source.read(1 << 20):
        total += len(chunk)
        if total > MAX_INPUT_BYTES:
            raise UserError(f"{name} is longer than {MAX_INPUT_BYTES // 1_000_000} MB; give a part of it")
        if keep == "start":
            kept += chunk[: KEEP_INPUT_BYTES + 4 - len(kept)]
        else:
            kept = (kept + chunk)[-(KEEP_INPUT_BYTES + 4) :]
    data = bytes(kept)
    if total > KEEP_INPUT_BYTES:
        data = data[:KEEP_INPUT_BYTES] if keep == "start" else data[-KEEP_INPUT_BYTES:]
        where = "beginning" if keep == "start" else "end"
        print(f"writer-app: {name} is {total / 1e6:.0f} MB; its {where} is read", file=sys.stderr)
    try:
        if keep == "start":  # a character cut at the end is left out
            return codecs.getincrementaldecoder("utf-8")().decode(data, final=total <= KEEP_INPUT_BYTES)
        if total > KEEP_INPUT_BYTES:  # a character cut at the start: its continuation bytes are left out
            data = data.lstrip(_CONTINUATION_BYTES)
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{name} is not UTF-8 text") from None


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
    from dataclasses import replace

    from writer_app.assist.prompts import CONTINUATION_NO_REPEAT, CONTINUATION_PROMPT_TOKENS

    prompt = _read_prompt(args)
    sampling = replace(_sampling_from(args), no_repeat_ngram=CONTINUATION_NO_REPEAT)  # as the editor
    engine = _engine(args)
    budget = args.context_tokens or CONTINUATION_PROMPT_TOKENS
    # A model reads the end of a long text as the editor does: a prompt of the whole window is slow to
    # read (25 s for 8K tokens of SmolLM2-135M on 2 cores) and adds little. The characters before
    # are cut first, for any backend (a server too): those tokens would not be read anyway.
    prompt = prompt[-budget * MAX_CHARS_PER_TOKEN :]
    return _stream(
        engine,
        prompt,
        args,
        sampling,
        max_new_tokens=args.max_new_tokens,
        stop_at=args.stop,
        max_prompt_tokens=budget,
    )


def _engine(args: argparse.Namespace) -> Backend:
    """The local model named by --model, or the server named by --server."""
    from writer_app.backends import open_backend

    if args.server is None:
        return open_backend(args.model, args.threads)
    from writer_app.remote.server_config import ServerChoice, normalize_base_url
    from writer_app.settings import load_settings

    settings, _messages = load_settings()
    if settings.local_only:
        raise UserError("local-only mode is on (Settings): no text is sent to a server")
    model = args.server_model or settings.server_model
    if not model:
        raise UserError("name the server's model with --server-model (writer-app models list --server URL)")
    return open_backend(ServerChoice(normalize_base_url(args.server), model).ref)


def run_task(args: argparse.Namespace) -> int:
    from writer_app.assist.candidates import rank
    from writer_app.assist.prompts import estimate_tokens, task_prompt
    from writer_app.assist.tasks import find_task, load_tasks, user_task_folder

    tasks, problems = load_tasks()
    if args.list:
        print_table(
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
    text = _read_prompt(args, keep="start")
    sampling = _sampling_from(args)
    if args.server is None and args.model is None:  # a model that follows instructions, if one is installed
        from writer_app.models.store import ModelStore

        store = ModelStore()
        args.model = store.instruction_default(store.default_name())
    engine = _engine(args)
    info = engine.info()
    template = info.chat_template if info.follows_instructions and not info.renders_chat else None
    chat = info.renders_chat
    plan = task_prompt(task, text, text_tokens=estimate_tokens(text), template=template, chat=chat)
    if args.num is None:
        args.num = task.candidates or 1
    max_new = args.max_new_tokens or plan.max_new_tokens

    def order(result: GenerationResult) -> list[int]:
        texts = [c.text for c in result.completions]
        return rank(texts, [c.mean_logprob for c in result.completions], text, task)

    return _stream(
        engine,
        plan.prompt,
        args,
        sampling,
        max_new_tokens=max_new,
        stop_at=plan.stop_at,
        messages=plan.messages,
        order=order,
    )


def _stream(
    engine: Backend,
    prompt: str,
    args: argparse.Namespace,
    sampling: SamplingParams,
    *,
    max_new_tokens: int,
    stop_at: str | None,
    messages: tuple[dict[str, str], ...] = (),
    max_prompt_tokens: int | None = None,
    order: Callable[[GenerationResult], list[int]] | None = None,
) -> int:
    """Generate, streaming the first alternative to stdout, then the others; Ctrl-C stops cleanly.
    With `order` (a task's ranking of its candidates), several candidates are written once all are
    done, the best first."""
    from writer_app.engine.backend import GenerationRequest, RequestKind

    request = GenerationRequest(
        kind=RequestKind.REWRITE if messages else RequestKind.CONTINUE,
        prompt=prompt,
        max_new_tokens=max_new_tokens,
        sampling=sampling,
        num_alternatives=args.num or 1,
        stop_at=stop_at,
        time_budget_ms=args.time_limit,
        messages=messages,
        max_prompt_tokens=max_prompt_tokens,
    )

    ranking = order is not None and request.num_alternatives > 1

    def on_text(row: int, delta: str) -> None:
        if row == 0 and not ranking:
            _write(delta)

    info = engine.info()
    where = {"model": info.name, **({"server": info.where} if info.where else {"threads": info.threads})}
    try:
        result = engine.run(request, on_text)
    except KeyboardInterrupt:
        request.cancel.set()
        _write("\n")
        print("writer-app: interrupted", file=sys.stderr)
        return 130
    if result is None:  # a generation answers always; a backend that answered nothing is said so
        _write("\n")
        raise UserError("the model gave no answer")
    # The first was streamed as it came (or is the best of a task's); the others follow in order.
    indices = order(result) if ranking and order is not None else result.ranked()
    first = indices[0] if ranking and indices else 0
    if ranking:
        _write(result.completions[first].text)
    _write("\n")
    shown = result.completions[first].text.strip()
    others = [i for i in indices if i != first and result.completions[i].text.strip() != shown]
    for index, i in enumerate(others, start=2):
        _write(f"--- alternative {index} ---\n{result.completions[i].text}\n")
    if result.stats.cut_tokens:
        kept, cut = result.stats.prompt_tokens, result.stats.cut_tokens
        print(
            f"writer-app: the model read the last {kept} tokens of the text ({cut} before them left out"
            + ("; --context-tokens reads more)" if max_prompt_tokens else ", past the model's window)"),
            file=sys.stderr,
        )
    if args.stats:
        stats = {**where, **result.stats.as_dict()}
        print(json.dumps(stats), file=sys.stderr)
    return 0


def run_editor(argv: Sequence[str]) -> int:
    args = build_editor_parser().parse_args(argv)
    _configure_logging(args.verbose)
    from writer_app.ui.signal_catcher import SignalCatcher

    signals = SignalCatcher()  # before Qt is imported: from here on a Ctrl-C closes the window, once it is up
    from writer_app.ui.app import run_app

    # With no model installed, the window offers models in the writer's language (ui/first_run.py).
    return run_app(
        file=args.file,
        model=args.model,
        offer_first_run=not args.no_install,
        version=__version__,
        signals=signals,
    )


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

"""writer-app command line: the editor (no sub-command), `complete`, `task` (cli_generate.py) and
`models ...` (cli_models.py)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from writer_app import __version__
from writer_app.cli_common import command
from writer_app.cli_generate import MAX_CONTEXT_TOKENS, run_complete, run_task, silence_stdout
from writer_app.cli_models import build_models_parser, run_models
from writer_app.errors import ERROR_TAG, UserError
from writer_app.translation import language_from_environment, tr

if TYPE_CHECKING:
    pass

COMMANDS = ("complete", "task", "models")
log = logging.getLogger("writer_app")


class _Parser(argparse.ArgumentParser):
    """Bad flags are a user error like any other: one line on stderr, exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        raise UserError(tr("{problem} (see '{command} --help')").format(problem=message, command=self.prog))


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
            raise UserError(
                tr("the argument {argument} is not valid UTF-8 text").format(argument=repr(shown))
            ) from None


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


def _speak_the_writers_language() -> None:
    """Messages in the language the environment asks for (the window passes its own to the commands it
    runs); Qt's translation files are read only when that is not English."""
    language = language_from_environment()
    if language != "en":
        from writer_app.ui.i18n import speak_without_window

        speak_without_window(language)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _speak_the_writers_language()
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
        print(ERROR_TAG + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    except BrokenPipeError:
        silence_stdout()
        return 0

    except KeyboardInterrupt:
        print("writer-app: " + tr("interrupted"), file=sys.stderr)
        return 130

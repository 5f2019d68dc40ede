"""`writer-app complete` and `writer-app task`: read the text (an argument, --file or stdin, bounded),
run the model on it (the local engine or a server) and stream the answer to stdout."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import stat
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from writer_app.cli_common import print_table
from writer_app.errors import UserError

if TYPE_CHECKING:
    from writer_app.engine.backend import Backend
    from writer_app.engine.completion import GenerationResult
    from writer_app.engine.sampling import SamplingParams

# What is read of a --file or of stdin: a continuation reads the text's end, a task its beginning (a model
# reads a few thousand tokens of it at most); a stream longer than MAX_INPUT_BYTES is refused.
KEEP_INPUT_BYTES = 256_000
MAX_CONTEXT_TOKENS = 1 << 20
MAX_CHARS_PER_TOKEN = 32  # more than ordinary text's longest token, for the character cut before it
MAX_INPUT_BYTES = 64_000_000
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


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


def _write(text: str) -> None:
    """Stream to stdout; a full disk or a closed pipe is the user's to know about, in one line."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()
        raise UserError(f"cannot write the output: {exc.strerror or exc}") from None


def silence_stdout() -> None:
    """After a failed write to stdout, send what is still buffered nowhere (no second error at exit)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())

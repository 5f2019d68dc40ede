"""`writer-app models …`: the model store on the command line (list, export, import, catalog, install,
verify, remove). Its output is read by people and by the window's model manager, which runs these
commands as child processes and shows their stage lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from writer_app.cli_common import command, print_table
from writer_app.cli_progress import StageProgress
from writer_app.sizes import size_text
from writer_app.translation import locale_name, tr

if TYPE_CHECKING:
    from writer_app.engine.manifest import Manifest
    from writer_app.models.store import ModelStore


def _add_quantize_flag(parser: argparse.ArgumentParser) -> None:
    from writer_app.models.export import QUANTIZE_CHOICES

    parser.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        default=None,
        help="weights: int8 (8-bit weight-only, smaller and faster), int4 (4-bit, the LM head 8-bit: "
        "smaller and faster still, further from float32), none (float32), or auto (the default: int8 "
        "when its KL divergence and perplexity ratio from float32 are within llama.cpp q8_0's, measured "
        "on our prose)",
    )


def build_models_parser(sub: argparse._SubParsersAction) -> None:
    models = command(sub, "models", "manage the local model store")
    msub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    exp = command(msub, "export", "export a hub id or a local HF model folder to ONNX into the store")
    exp.add_argument("source", help="hub id (gpt2, distilgpt2, uer/gpt2-chinese-cluecorpussmall) or folder")
    exp.add_argument("--name", help="name in the store (default: derived from SOURCE)")
    exp.add_argument("--force", action="store_true", help="replace a model of the same name")
    _add_quantize_flag(exp)
    gg = command(msub, "import-gguf", "import a GGUF checkpoint (e.g. SmolLM2-135M-Instruct)")
    gg.add_argument("file", type=Path)
    gg.add_argument("--name")
    gg.add_argument("--force", action="store_true")
    _add_quantize_flag(gg)
    onx = command(msub, "import-onnx", "copy an ONNX model folder (ours or optimum's) into the store")
    onx.add_argument("folder", type=Path)
    onx.add_argument("--name")
    command(msub, "catalog", "list the models known to work, with size, languages and roles")
    ins = command(msub, "install", "install a model from the catalog (see 'writer-app models catalog')")
    ins.add_argument("id")
    listing = command(
        msub, "list", "list installed models, and a server's when one is set (Settings or --server)"
    )
    listing.add_argument("--server", metavar="URL", help="also list this OpenAI-compatible server's models")
    rm = command(msub, "remove", "delete a model from the store")
    rm.add_argument("name")
    ver = command(msub, "verify", "check a model's files against its manifest checksums")
    ver.add_argument("name")
    command(
        msub,
        "install-default",
        "install a first model for the writer's language: GPT-2 or the Chinese GPT-2 (online), the "
        "English starter model (offline)",
    )
    command(msub, "path", "print the store's folder")
    tune = command(
        msub,
        "tune",
        "tune a model on your own texts, on this computer, into the store (the texts never leave it)",
    )
    tune.add_argument("base", help="a GGUF file, a Hugging Face model folder or hub id, or a store model")
    tune.add_argument(
        "--texts",
        nargs="+",
        type=Path,
        required=True,
        metavar="PATH",
        help="your files or folders (.txt, .md)",
    )
    tune.add_argument("--name", required=True, help="the tuned model's name in the store")
    tune.add_argument("--force", action="store_true", help="replace a model of the same name")
    tune.add_argument(
        "--steps", type=int, help="training steps at most (default: three passes over the texts)"
    )
    tune.add_argument("--rank", type=int, help="the adapters' rank (default 16)")
    tune.add_argument("--threads", type=int, help="CPU threads (default: all cores, at most 8)")
    tune.add_argument("--fresh", action="store_true", help="start over instead of resuming a cancelled tune")
    _add_quantize_flag(tune)


def _quantization_label(manifest: Manifest) -> str:
    """The weights kept, and how close 8-bit came to float32 when that was measured."""
    from writer_app.models.variant import describe as describe_quality

    if "int8_agreement" not in manifest.quality:
        return manifest.quantization
    bits = "4-bit" if manifest.quantization == "int4" else "8-bit"
    return f"{manifest.quantization} ({bits}: {describe_quality(manifest.quality)})"


def run_models(args: argparse.Namespace) -> int:
    from writer_app.models.store import ModelStore

    store = ModelStore()
    action = args.models_command
    if action == "list":
        _list_installed(store)
        return _list_server(args.server)
    if action == "path":
        print(store.root)
        return 0
    if action == "remove":
        from writer_app.tuning.tune import discard_tuning

        discarded = discard_tuning(args.name)  # a cancelled tune's checkpoint goes with its name
        if not discarded or store.path(args.name).is_dir():
            store.remove(args.name)
        print(tr("removed {name}").format(name=args.name))
        return 0
    if action == "verify":
        problems = store.verify(args.name)
        if problems:
            for problem in problems:
                print(f"{args.name}: {problem}", file=sys.stderr)
            return 2
        print(tr("{name}: all files match their checksums").format(name=args.name))
        return 0
    if action == "catalog":
        _print_catalog()
        return 0
    with StageProgress() as say:
        return _long_action(action, args, store, say)


def _list_installed(store: ModelStore) -> None:
    entries = store.entries()
    if not entries:
        print(
            tr("no models installed in {folder}; run 'writer-app models install-default'").format(
                folder=store.root
            )
        )
        return
    default = store.default_name()
    rows = [("", tr("NAME"), tr("ARCH"), tr("WEIGHTS"), tr("CONTEXT"), tr("SIZE"), tr("SOURCE"))]
    for e in entries:
        m = e.manifest
        rows.append(
            (
                "*" if e.name == default else "",
                e.name,
                m.architecture if m else "?",
                _quantization_label(m) if m else "?",
                str(m.context_length) if m else "?",
                size_text(e.size_bytes),
                (m.source if m else (e.problem or tr("no manifest (plain ONNX export)"))),
            )
        )
    print_table(rows)


def _list_server(url: str | None) -> int:
    """The models of the server given, or of the one Settings use; 2 when it cannot be asked."""
    from writer_app.remote.http_stream import Endpoint, server_models
    from writer_app.remote.server_config import api_key, normalize_base_url
    from writer_app.settings import load_settings

    settings, _messages = load_settings()
    asked = url is not None
    url = url or settings.server_url
    if not url:
        return 0
    if settings.local_only:
        print("writer-app: " + tr("local-only mode is on (Settings): no server is asked"), file=sys.stderr)
        return 2 if asked else 0
    base_url = normalize_base_url(url)
    endpoint = Endpoint(base_url, api_key(base_url))
    rows = [("", tr("SERVER MODEL"), tr("AT"))]
    for model in server_models(endpoint):
        chosen = "*" if model.get("id") == settings.server_model and base_url == settings.server_url else ""
        rows.append((chosen, str(model.get("id")), endpoint.base_url))
    print()
    print_table(rows)
    return 0


def _long_action(action: str, args: argparse.Namespace, store: ModelStore, say: StageProgress) -> int:
    """export, import-gguf, import-onnx, install, install-default: minutes of work, with a progress bar."""
    if action == "export":
        from writer_app.models.export import export_model

        folder = export_model(
            args.source, name=args.name, store=store, overwrite=args.force, progress=say, **_quantize(args)
        )
        _check_loads(folder, say)
        return 0
    if action == "import-gguf":
        from writer_app.models.gguf_import import import_gguf

        folder = import_gguf(
            args.file, name=args.name, store=store, overwrite=args.force, progress=say, **_quantize(args)
        )
        _check_loads(folder, say)
        return 0
    if action == "tune":
        return _tune(args, store, say)
    if action == "import-onnx":
        _check_loads(store.import_folder(args.folder, name=args.name, progress=say), say)
        return 0
    if action == "install":
        from writer_app.models.catalog import find_entry, install_entry

        _check_loads(install_entry(find_entry(args.id), store=store, progress=say), say)
        return 0
    # install-default: argparse allows no other action
    from writer_app.models.catalog import writer_language
    from writer_app.models.default_model import install_default

    name = install_default(store=store, progress=say, language=writer_language(locale_name()))
    _check_loads(store.path(name), say)
    say(tr("default model: {name}").format(name=name))
    return 0


def _tune(args: argparse.Namespace, store: ModelStore, say: StageProgress) -> int:
    """Tune in this process. While it trains, SIGTERM (the window's Cancel) and Ctrl-C stop it at the
    next step with its checkpoint kept for the same command to resume (tuning/trainer.py); before and
    after, they interrupt as in any models command."""
    from writer_app.engine.manifest import Manifest
    from writer_app.tuning.tune import discard_tuning, headline, tune_model

    if args.fresh:
        discard_tuning(args.name)
    folder = tune_model(
        args.base,
        args.texts,
        name=args.name,
        store=store,
        progress=say,
        changes={"max_steps": args.steps, "rank": args.rank, "threads": args.threads},
        overwrite=args.force,
        **_quantize(args),
    )
    _check_loads(folder, say)
    say(headline(Manifest.load(folder).tuning))  # the last word: what the window shows when it ends
    return 0


def _print_catalog() -> None:
    from writer_app.models.catalog import catalog, fits_here, recommended_roles
    from writer_app.models.machine_fit import GHOST_TEXT_BUDGET_MS

    here = fits_here(catalog())
    rows = [
        (
            tr("ID"),
            tr("MODEL"),
            tr("DOWNLOAD"),
            tr("LANGUAGES"),
            tr("ROLES HERE"),
            tr("SPEED HERE"),
            tr("FROM"),
        )
    ]
    for e in catalog():
        size = size_text(e.download_mb * 1e6)
        fit = here[e.id]
        roles = ",".join(recommended_roles(e, fit))
        roles = roles or (tr("too slow for ghost text") if fit.fits_memory else tr("needs more memory"))
        rows.append((e.id, e.label, size, ",".join(e.languages), roles, fit.describe(), e.network))
    print_table(rows)
    print(
        tr(
            "ROLES HERE: what this computer can give each model (ghost text needs {ms} ms/token or less); "
            "SPEED HERE: decode, measured here or estimated from the models measured here"
        ).format(ms=f"{GHOST_TEXT_BUDGET_MS:.0f}")
    )


def _quantize(args: argparse.Namespace) -> dict[str, str]:
    return {} if args.quantize is None else {"quantize": args.quantize}


def _check_loads(folder: Path, say: StageProgress) -> None:
    from writer_app.engine.generate import Engine

    engine = Engine.load(folder, threads=1)
    engine.generate("Hello", max_new_tokens=1)
    say(
        "[checked] "
        + tr("{name} loads and generates ({ms} ms to load)").format(
            name=folder.name, ms=f"{engine.load_ms:.0f}"
        )
    )

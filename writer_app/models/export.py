"""Export a Hugging Face causal LM (hub id or local folder) into the store as an ONNX model folder."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import logging
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from writer_app.engine.manifest import (
    Manifest,
    checksum_folder,
    context_length_of,
    read_json_object,
    token_id_list,
)
from writer_app.engine.model_check import remember_verified
from writer_app.errors import UserError
from writer_app.models.library_log import library_output_logged
from writer_app.models.model_licence import licence_in_readme, licence_on_hub
from writer_app.models.optimize import QUANTIZATIONS
from writer_app.models.source_parity import SourceReading, check_export, load_and_read, tokenizer_bos
from writer_app.models.store import ModelStore, check_name, name_from_source
from writer_app.models.variant import AUTO, build_weights
from writer_app.translation import tr

Progress = Callable[[str], None]
# auto: 8-bit weights if they agree with float32 often enough, else float32 (writer_app/models/variant.py).
QUANTIZE_CHOICES = (AUTO, *QUANTIZATIONS)
DEFAULT_QUANTIZATION = AUTO


def export_extra_hint() -> str:
    return tr("install the export tools with: pip install 'writer-app[export]'")


_TOOLS = ("torch", "transformers", "optimum", "optimum-onnx", "onnxruntime")
# optimum's words for an architecture it has no ONNX configuration for.
_UNSUPPORTED = re.compile(r"export an? ([\w-]+) model, that is a custom or unsupported architecture")
WORKING_ARCHITECTURES = (
    "GPT-2 (also DistilGPT-2 and Chinese GPT-2), Llama and SmolLM2, Qwen2, Qwen2.5 and Qwen3 (fused "
    "attention), and other architectures optimum exports (unfused)"
)
_CJK_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


@dataclass
class ExportOverrides:
    """Facts the exporter cannot read correctly from a checkpoint (e.g. a GGUF's special tokens)."""

    source_label: str | None = None
    eos_token_ids: list[int] | None = None
    licence: str | None = None
    # The source's own reading of the parity texts, when the caller has the source model loaded already.
    source_reading: SourceReading | None = None
    # A further check of the exported tokenizer (folder, BOS) against the source file (a GGUF's own).
    token_check: Callable[[Path, int | None], dict[str, Any]] | None = None
    # The source file's sha256: a file measured before keeps what was chosen for it then.
    source_sha256: str | None = None
    # What a model tuned on the writer's texts records of its tuning (Manifest.tuning).
    tuning: dict[str, Any] | None = None


EXPORT_MODULES = ("torch", "transformers", "optimum.exporters.onnx", "onnx", "onnx_ir")


def export_tools_present() -> bool:
    """Whether this installation can export and import models (the desktop bundle cannot), without
    importing torch & co. (seconds) to find out."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(module) is not None for module in EXPORT_MODULES)
    except (ImportError, ValueError):
        return False


def require_export_tools() -> None:
    missing = []
    for module in EXPORT_MODULES:
        try:
            __import__(module)
        except ImportError:
            missing.append(module.split(".")[0])
    if missing:
        raise UserError(
            tr("exporting needs {packages}; {hint}").format(
                packages=", ".join(sorted(set(missing))), hint=export_extra_hint()
            )
        )


def quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    for name in ("transformers", "optimum", "torch", "onnx", "onnxruntime", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import transformers

        transformers.logging.set_verbosity_error()
    except ImportError:
        pass


def _tool_versions() -> dict[str, str]:
    versions = {}
    for dist in _TOOLS:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def describe_folder(folder: Path) -> dict[str, Any]:
    """Manifest facts read from an exported folder's config, generation config and tokenizer."""
    config = read_json_object(folder / "config.json")
    generation = read_json_object(folder / "generation_config.json")
    tok_config = read_json_object(folder / "tokenizer_config.json")
    tokenizer = read_json_object(folder / "tokenizer.json")
    vocab = (tokenizer.get("model") or {}).get("vocab") or {}
    wordpiece = (tokenizer.get("decoder") or {}).get("type") == "WordPiece"
    eos = token_id_list(generation.get("eos_token_id", config.get("eos_token_id")))
    if wordpiece and isinstance(vocab, dict) and "[SEP]" in vocab:
        # BERT-vocabulary GPT-2s end a passage with [SEP]; their configs often name a nonexistent id.
        eos = [int(vocab["[SEP]"])]
    template = str(tok_config.get("chat_template") or "")
    if not template and (folder / "chat_template.jinja").is_file():
        template = (folder / "chat_template.jinja").read_text(encoding="utf-8")
    return {
        "architecture": str(config.get("model_type", "unknown")),
        "context_length": context_length_of(config),
        "eos_token_ids": eos,
        "capabilities": ["continue", "instruct"] if template else ["continue"],
        "prompt_format": "chatml" if "<|im_start|>" in template else None,
        "languages": vocabulary_languages(tokenizer),
        "bos_token_id": tokenizer_bos(folder / "tokenizer.json") if tokenizer else None,
    }


def _byte_level_alphabet() -> dict[str, int]:
    """GPT-2's byte-level BPE spells each byte as one printable character; this maps them back."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), 256)]
    others = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + n): b for n, b in enumerate(others)}


def vocabulary_languages(tokenizer: dict[str, Any]) -> list[str]:
    """["zh", "en"] when thousands of the vocabulary's tokens spell Chinese characters, else ["en"].

    Qwen's byte-level vocabulary spells 中 as three byte characters, a BERT vocabulary as 中 itself,
    so byte-level tokens are read back to text before counting. GPT-2's English vocabulary holds a few
    hundred such tokens; Chinese-capable vocabularies hold tens of thousands.
    """
    vocab = (tokenizer.get("model") or {}).get("vocab") or {}
    if not isinstance(vocab, dict) or not vocab:
        return ["en"]
    tokens: Any = vocab
    if "ByteLevel" in json.dumps(tokenizer.get("decoder") or {}):
        alphabet = _byte_level_alphabet()
        tokens = (bytes(alphabet.get(ch, 0) for ch in tok).decode("utf-8", errors="ignore") for tok in vocab)
    chinese = sum(1 for tok in tokens if _CJK_IDEOGRAPH.search(tok))
    return ["zh", "en"] if chinese > min(3000, len(vocab) // 5) else ["en"]


def _run_optimum_export(source: str, output: Path, *, local: bool) -> None:
    from optimum.exporters.onnx import main_export

    with library_output_logged(f"optimum export of {source}"):
        main_export(
            model_name_or_path=source,
            output=output,
            task="text-generation-with-past",
            local_files_only=local,
            do_validation=False,
        )


def export_model(
    source: str,
    *,
    name: str | None = None,
    store: ModelStore | None = None,
    overwrite: bool = False,
    progress: Progress = print,
    overrides: ExportOverrides | None = None,
    quantize: str = DEFAULT_QUANTIZATION,
) -> Path:
    """Export SOURCE (hub id or local HF folder) into the store; returns the new model folder."""
    store = store or ModelStore()
    overrides = overrides or ExportOverrides()
    name = check_name(name or name_from_source(source))
    if quantize not in QUANTIZE_CHOICES:
        raise UserError(
            tr("unknown quantization '{kind}' (choose {choices})").format(
                kind=quantize, choices=", ".join(QUANTIZE_CHOICES)
            )
        )
    path = Path(source).expanduser()
    local = path.is_dir()
    if path.suffix.lower() == ".gguf":
        raise UserError(
            tr("{source} is a GGUF file: use 'writer-app models import-gguf {source}'").format(source=source)
        )
    if path.exists() and not local:
        raise UserError(tr("{source} is a file, not a model folder").format(source=source))
    store.require_writable()
    require_export_tools()
    quiet_libraries()
    started = time.perf_counter()
    with store.staging(name, overwrite=overwrite) as scratch:
        progress(
            "[1/3] " + tr("exporting {source} to ONNX (decoder with past key values)…").format(source=source)
        )
        try:
            _run_optimum_export(str(path) if local else source, scratch, local=local)
        except (OSError, ValueError, KeyError) as exc:
            unsupported = _UNSUPPORTED.search(str(exc))
            if unsupported:
                raise UserError(
                    tr(
                        "{source} is a {kind} model, which cannot be exported; models that work: {working}"
                    ).format(source=source, kind=unsupported.group(1), working=WORKING_ARCHITECTURES)
                ) from exc
            where = tr("the folder") if local else tr("the model hub (is the network reachable?)")
            raise UserError(
                tr("could not export {source} from {where}: {problem}").format(
                    source=source, where=where, problem=_first_line(exc)
                )
            ) from exc
        if not (scratch / "tokenizer.json").is_file():
            raise UserError(
                tr("{source} has no fast tokenizer (tokenizer.json); cannot use it").format(source=source)
            )
        facts = describe_folder(scratch)
        if overrides.eos_token_ids is not None:
            facts["eos_token_ids"] = overrides.eos_token_ids
        label = {
            AUTO: tr("the smallest weights that keep float32's next-token distributions"),
            "int8": tr("8-bit weights"),
            "int4": tr("4-bit weights, an 8-bit LM head"),
            "none": tr("float32 weights"),
        }[quantize]
        progress(
            "[2/3] " + tr("optimizing the graph ({weights}, last-position logits)…").format(weights=label)
        )
        reading = overrides.source_reading or load_and_read(str(path) if local else source, local=local)

        def compare_with_source(graph: Path) -> dict[str, Any]:
            progress(
                "      [compare] "
                + tr("comparing the float32 graph with {source} on {count} texts…").format(
                    source=reading.label, count=len(reading.ids)
                )
            )
            figures = check_export(reading, graph, scratch, facts["bos_token_id"])
            if overrides.token_check is not None:
                figures["file_tokens"] = overrides.token_check(scratch, facts["bos_token_id"])
            kl = figures["kl_divergence"]
            progress(
                "      "
                + tr("same tokens and next-token choices as the source (KL {kl})").format(kl=f"{kl:.1g}")
            )
            return figures

        kept, rewrites, quality = build_weights(
            scratch,
            quantize,
            read_json_object(scratch / "config.json"),
            facts,
            progress,
            compare_with_source,
            overrides.source_sha256,
        )
        for rewrite, reason in rewrites.refused.items():
            progress(
                "      "
                + tr("{rewrite} not applied: {reason}").format(
                    rewrite=rewrite.replace("_", " "), reason=reason
                )
            )
        progress("[3/3] " + tr("writing the manifest and checksums…"))
        licence = overrides.licence
        if licence is None:
            licence = licence_in_readme(path) if local else licence_on_hub(source)
        manifest = Manifest(
            name=name,
            source=overrides.source_label or source,
            quantization=kept,
            quality=quality,
            graph_rewrites=sorted(rewrites.applied),
            graph_rewrites_refused=dict(rewrites.refused),
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            tool_versions=_tool_versions(),
            license=licence,
            tuning=overrides.tuning or {},
            **facts,
        )
        manifest.files = checksum_folder(scratch)
        manifest.save(scratch)
    folder = store.path(name)
    remember_verified(folder, manifest)
    progress(
        tr("done: model '{name}' in {folder} ({seconds} s)").format(
            name=name, folder=folder, seconds=f"{time.perf_counter() - started:.1f}"
        )
    )
    return folder


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

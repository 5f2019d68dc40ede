"""Import a GGUF checkpoint (e.g. SmolLM2-135M-Instruct) as an ONNX model folder in the store."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from writer_app.engine.manifest import sha256_file
from writer_app.errors import UserError
from writer_app.models.export import (
    DEFAULT_QUANTIZATION,
    ExportOverrides,
    Progress,
    export_extra_hint,
    export_model,
    quiet_libraries,
    require_export_tools,
)
from writer_app.models.gguf_tokens import check_gguf_tokens
from writer_app.models.library_log import library_output_logged
from writer_app.models.model_licence import licence_in_gguf
from writer_app.models.source_parity import read_source
from writer_app.models.store import ModelStore, name_from_source
from writer_app.translation import tr

CHATML_END = "<|im_end|>"


def special_token_fix(vocab: dict[str, int]) -> tuple[list[int] | None, bool]:
    """(eos ids, drop bos) for a GGUF's tokenizer.

    transformers 4.57 reads ChatML GGUFs (SmolLM2) wrongly: it adds a BOS and takes <|im_start|> as EOS,
    and with them the model loops. Their right tokens are no BOS and EOS <|im_end|>.
    """
    if CHATML_END in vocab:
        return [vocab[CHATML_END]], True
    return None, False


def check_gguf_file(path: Path) -> None:
    if not path.is_file():
        raise UserError(tr("{path} does not exist or is not a file").format(path=path))
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise UserError(tr("{path} is not a GGUF file").format(path=path))


def load_gguf(path: Path, progress: Progress) -> tuple[Any, Any, list[int] | None]:
    """(tokenizer, float32 model, eos ids to record) of a GGUF file, as transformers reads it, with the
    special tokens set right."""
    require_export_tools()
    try:
        import gguf  # noqa: F401  (transformers needs it to read the file)
    except ImportError as exc:
        raise UserError(
            tr("importing GGUF needs the 'gguf' package; {hint}").format(hint=export_extra_hint())
        ) from exc
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_libraries()
    progress("[read] " + tr("reading {file} (dequantizing its weights to float32)…").format(file=path.name))
    try:
        with library_output_logged(f"transformers reading {path.name}"):
            tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
            model = AutoModelForCausalLM.from_pretrained(
                path.parent, gguf_file=path.name, dtype=torch.float32
            )
    except Exception as exc:  # a cut or damaged file fails deep in the reader, with any exception type
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            tr("cannot read {file}: it is incomplete or damaged ({problem})").format(
                file=path.name, problem=detail
            )
        ) from exc
    eos_ids, drop_bos = special_token_fix(tokenizer.get_vocab())
    if eos_ids is not None:
        tokenizer.eos_token = CHATML_END
        model.generation_config.eos_token_id = eos_ids[0]
        model.config.eos_token_id = eos_ids[0]
    if drop_bos:
        model.generation_config.bos_token_id = None
        if hasattr(tokenizer, "add_bos_token"):
            tokenizer.add_bos_token = False
    return tokenizer, model, eos_ids


def import_gguf(
    gguf_file: str | Path,
    *,
    name: str | None = None,
    store: ModelStore | None = None,
    overwrite: bool = False,
    progress: Progress = print,
    quantize: str = DEFAULT_QUANTIZATION,
) -> Path:
    path = Path(gguf_file).expanduser()
    check_gguf_file(path)
    (store or ModelStore()).require_writable()  # before minutes of work, not after
    tokenizer, model, eos_ids = load_gguf(path, progress)
    reading = read_source(tokenizer, model.eval(), label=f"{path.name} as transformers reads it")
    with tempfile.TemporaryDirectory(prefix="writer-app-gguf-") as hf_folder:
        model.save_pretrained(hf_folder)
        tokenizer.save_pretrained(hf_folder)
        del model
        return export_model(
            hf_folder,
            name=name or name_from_source(path.name),
            store=store,
            overwrite=overwrite,
            progress=progress,
            overrides=ExportOverrides(
                source_label=f"gguf:{path.name}",
                eos_token_ids=eos_ids,
                licence=licence_in_gguf(path),
                source_reading=reading,
                token_check=lambda folder, bos: check_gguf_tokens(path, folder, bos),
                source_sha256=sha256_file(path),
            ),
            quantize=quantize,
        )

"""Read a model folder: ours (with a manifest) or a plain `optimum-cli export onnx` output."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from writer_app.engine.chat_template import ChatTemplate, load_chat_template
from writer_app.engine.manifest import Manifest, context_length_of, read_json_object, token_id_list
from writer_app.engine.model_check import verify_model_files
from writer_app.errors import ModelError

log = logging.getLogger(__name__)

# Graph file names optimum has used for a decoder with past key values, best first.
_GRAPH_CANDIDATES = ("model.onnx", "decoder_model_merged.onnx", "decoder_with_past_model.onnx")


@dataclass
class ModelSpec:
    folder: Path
    name: str
    graph_path: Path
    context_length: int
    eos_token_ids: list[int]
    bos_token_id: int | None
    capabilities: list[str] = field(default_factory=lambda: ["continue"])
    manifest: Manifest | None = None
    # The model's own chat template; None for base models (and for a template that does not parse).
    chat_template: ChatTemplate | None = None

    @property
    def follows_instructions(self) -> bool:
        return "instruct" in self.capabilities


def read_model_folder(folder: Path | str, *, verify: bool = True) -> ModelSpec:
    """The folder's model, its files checked against the manifest's checksums (unless verify=False)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist")
    manifest = Manifest.load(folder)
    config = read_json_object(folder / "config.json")
    if not config:
        raise ModelError(f"{folder} has no config.json: not a model folder")
    if not (folder / "tokenizer.json").is_file():
        raise ModelError(f"{folder} has no tokenizer.json")
    generation = read_json_object(folder / "generation_config.json")

    if manifest is not None:
        graph = folder / manifest.graph
        if not graph.is_file():
            raise ModelError(f"{folder} is missing its graph {manifest.graph}; re-export the model")
        if verify:
            verify_model_files(folder, manifest)
        return ModelSpec(
            folder=folder,
            name=manifest.name,
            graph_path=graph,
            context_length=manifest.context_length,
            eos_token_ids=list(manifest.eos_token_ids),
            bos_token_id=manifest.bos_token_id,
            capabilities=list(manifest.capabilities),
            manifest=manifest,
            chat_template=_chat_template(folder),
        )

    graph = next((folder / n for n in _GRAPH_CANDIDATES if (folder / n).is_file()), None)
    template = _chat_template(folder)
    if graph is None:
        raise ModelError(f"{folder} has no ONNX graph (looked for {', '.join(_GRAPH_CANDIDATES)})")
    eos = token_id_list(generation.get("eos_token_id", config.get("eos_token_id")))
    return ModelSpec(
        folder=folder,
        name=folder.name,
        graph_path=graph,
        context_length=context_length_of(config),
        eos_token_ids=eos,
        bos_token_id=None,
        capabilities=["continue", "instruct"] if template else ["continue"],
        chat_template=template,
    )


def _chat_template(folder: Path) -> ChatTemplate | None:
    try:
        return load_chat_template(folder)
    except ModelError as exc:  # continuations still work; instructions fall back to plain prompts
        log.warning("%s", exc)
        return None

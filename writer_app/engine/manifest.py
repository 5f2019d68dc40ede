"""The manifest written beside every exported model: where it came from, what it can do, file checksums."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from writer_app.errors import ModelError
from writer_app.field_types import check_field_types

MANIFEST_NAME = "writer_app_manifest.json"
FORMAT_VERSION = 1
# Files never listed in the checksums: the manifest itself.
_UNCHECKED = {MANIFEST_NAME}


@dataclass
class Manifest:
    name: str
    source: str
    architecture: str
    context_length: int
    graph: str = "model.onnx"
    quantization: str = "none"
    # What was measured to choose the weights (int8 agreement with float32; see models/variant.py).
    quality: dict[str, Any] = field(default_factory=dict)
    # Graph rewrites applied after export (fusions, last-position logits, 8-bit weights, ...).
    graph_rewrites: list[str] = field(default_factory=list)
    # Rewrites that were tried and left the graph as exported, with the reason.
    graph_rewrites_refused: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=lambda: ["continue"])
    languages: list[str] = field(default_factory=lambda: ["en"])
    # Token handling that the runtime must apply (some checkpoints ship wrong special tokens).
    eos_token_ids: list[int] = field(default_factory=list)
    bos_token_id: int | None = None
    # "chatml" for instruction-tuned models that use <|im_start|> turns, else None.
    prompt_format: str | None = None
    license: str = ""  # as the model's source states it (model card, GGUF metadata); "" = not stated
    files: dict[str, str] = field(default_factory=dict)
    created: str = ""
    tool_versions: dict[str, str] = field(default_factory=dict)
    # A model tuned on the writer's own texts: its base, the files (names, sizes, sha256; never their
    # words), the settings and what was measured (writer_app/tuning).
    tuning: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def save(self, folder: Path) -> None:
        path = folder / MANIFEST_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        """The folder's manifest, or None when it has none (e.g. a plain optimum-cli export)."""
        path = folder / MANIFEST_NAME
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("it is not a JSON object")
            known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
            # A manifest written before languages were recorded says nothing of them: not known, rather
            # than English (which would refuse Chinese to an old export of a model that writes it).
            known.setdefault("languages", [])
            _check_shape(known)
            return cls(**known)
        except (OSError, ValueError, TypeError, RecursionError) as exc:
            raise ModelError(f"the manifest {path} is unreadable ({exc}); re-export the model") from exc


# The kind of value each manifest field holds (one written by hand or damaged is refused, by name).
_SHAPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "source": (str,),
    "architecture": (str,),
    "context_length": (int,),
    "graph": (str,),
    "quantization": (str,),
    "quality": (dict,),
    "graph_rewrites": (list,),
    "graph_rewrites_refused": (dict,),
    "capabilities": (list,),
    "languages": (list,),
    "eos_token_ids": (list,),
    "bos_token_id": (int, type(None)),
    "prompt_format": (str, type(None)),
    "license": (str,),
    "files": (dict,),
    "created": (str,),
    "tool_versions": (dict,),
    "tuning": (dict,),
    "format_version": (int,),
}


def _check_shape(fields: dict[str, Any]) -> None:
    check_field_types(fields, _SHAPES, "a manifest")
    for name in ("capabilities", "languages"):
        if not all(isinstance(v, str) for v in fields.get(name, [])):
            raise ValueError(f"its {name} is not a list of names")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in fields.get("eos_token_ids", [])):
        raise ValueError("its eos_token_ids are not token ids")
    for rel, digest in fields.get("files", {}).items():
        inside = not Path(rel).is_absolute() and ".." not in Path(rel).parts
        if not (isinstance(digest, str) and inside):
            raise ValueError(f"its files name {rel!r}, which is not a file of the model's folder")
    graph = Path(fields.get("graph", "model.onnx"))
    if graph.is_absolute() or ".." in graph.parts:
        raise ValueError("its graph is not a file of the model's folder")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def checksum_folder(folder: Path) -> dict[str, str]:
    """sha256 of every regular file in the folder (recursively), keyed by its relative POSIX path."""
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in _UNCHECKED and not p.name.endswith(".tmp")
    }


def verify_checksums(folder: Path, expected: dict[str, str]) -> list[str]:
    """Human-readable problems: files missing or whose content changed. Empty when all match."""
    problems = []
    for rel, digest in sorted(expected.items()):
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{rel}: checksum mismatch (the file is corrupt or was changed)")
    return problems


def context_length_of(config: dict[str, Any]) -> int:
    """The model's context length from its HF config.json (GPT-2 and Llama families)."""
    for key in ("n_positions", "max_position_embeddings", "n_ctx", "max_sequence_length"):
        if isinstance(config.get(key), int):
            return int(config[key])
    return 1024


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object file of a model folder; {} when absent, ModelError when unreadable."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is unreadable ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object")
    return data


def token_id_list(value: Any) -> list[int]:
    """A config's token id field (absent, one id, or a list) as a list."""
    if value is None:
        return []
    if isinstance(value, int):
        return [value]
    return [int(v) for v in value]

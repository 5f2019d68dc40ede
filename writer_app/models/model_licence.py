"""The licence a model is published under, as its source states it; recorded in the manifest so the
About dialog can say what the writer may do with the model's output without going online."""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)
_FRONT_MATTER_LICENCE = re.compile(r"^license:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.MULTILINE)


def licence_in_readme(folder: Path) -> str:
    """`license:` from the YAML front matter of a Hugging Face model card (README.md), or ""."""
    try:
        text = (folder / "README.md").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if not text.startswith("---"):
        return ""
    front = text[3:].split("\n---", 1)[0]
    found = _FRONT_MATTER_LICENCE.search(front)
    return found.group(1).strip() if found else ""


def licence_on_hub(repo_id: str) -> str:
    """The hub's model-card licence for REPO_ID, or "" when it says none or cannot be asked."""
    try:
        from huggingface_hub import model_info

        card = model_info(repo_id, timeout=10).card_data
    except Exception as exc:  # noqa: BLE001 - a missing licence must never fail an export
        log.info("no licence from the hub for %s: %s", repo_id, exc)
        return ""
    value = card.get("license") if card is not None else None
    return str(value) if value else ""


def licence_in_gguf(path: Path) -> str:
    """A GGUF file's `general.license` metadata, or ""."""
    try:
        from gguf import GGUFReader

        found = GGUFReader(str(path)).fields.get("general.license")
        return bytes(found.parts[found.data[0]]).decode("utf-8") if found else ""
    except Exception as exc:  # noqa: BLE001 - as above
        log.info("no licence in %s: %s", path.name, exc)
        return ""

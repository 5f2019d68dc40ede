"""A model is checked before it is used: every file its manifest lists, by sha256.

Hashing half a gigabyte takes about a second, so a file whose size and modification time are those
it had when it last matched is not hashed again (the record is kept in the state folder). A model
folder without a manifest (a plain optimum export) has nothing to check against.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from writer_app import paths
from writer_app.engine.manifest import Manifest, sha256_file
from writer_app.errors import ModelError

log = logging.getLogger(__name__)
CACHE_NAME = "verified-models.json"


def _cache_path() -> Path:
    return paths.state_home() / CACHE_NAME


def _read_cache() -> dict[str, dict[str, list]]:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(cache: dict[str, dict[str, list]]) -> None:
    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:  # only an optimisation: the next load hashes again
        log.debug("could not record verified model files: %s", exc)


def _stamp(path: Path, digest: str) -> list:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, digest]


def verify_model_files(folder: Path, manifest: Manifest) -> None:
    """Raise ModelError naming the damage when a listed file is missing or its content changed."""
    cache = _read_cache()
    key = str(folder.resolve())
    known = cache.get(key, {})
    checked: dict[str, list] = {}
    problems = []
    for rel, digest in sorted(manifest.files.items()):
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
            continue
        stamp = _stamp(path, digest)
        if known.get(rel) == stamp or sha256_file(path) == digest:
            checked[rel] = stamp
        else:
            problems.append(f"{rel} does not match its checksum")
    if problems:
        cache.pop(key, None)
        _write_cache(cache)
        raise ModelError(
            f"model {folder.name} is damaged ({'; '.join(problems)}): run "
            f"'writer-app models verify {folder.name}' or export it again"
        )
    if checked != known:
        cache[key] = checked
        _write_cache(cache)


def remember_verified(folder: Path, manifest: Manifest) -> None:
    """Record files whose checksums were just computed (by the exporter), so the first load is fast."""
    cache = _read_cache()
    cache[str(folder.resolve())] = {
        rel: _stamp(folder / rel, digest) for rel, digest in manifest.files.items()
    }
    _write_cache(cache)

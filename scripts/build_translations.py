"""The interface's translations: `update` collects every tr() string into resources/translations/*.ts
(pyside6-lupdate keeps the translations already there); with no argument, compiles each .ts into the
.qm the package ships (pyside6-lrelease). Run `update`, translate in the .ts (Qt Linguist or any
editor), then run it again without arguments; tests/test_translations.py checks both are current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "resources" / "translations"
COMPILED = ROOT / "writer_app" / "resources" / "translations"
LANGUAGES = ("zh_CN",)
# What the writer reads: the window, the session's messages, what the model store says (in the window
# and from the commands the window runs), and the command line's own words.
CLI = (
    "writer_app/cli.py",
    "writer_app/cli_models.py",
    "writer_app/cli_progress.py",
    "writer_app/cli_generate.py",
)
SCANNED = (
    "writer_app/ui",
    "writer_app/assist",
    "writer_app/models",
    "writer_app/forms",
    "writer_app/tuning",
    "writer_app/translation.py",
    *CLI,
)


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        sys.exit(f"{name} not found: it comes with PySide6 (pip install -e '.[dev]')")
    return found


def python_sources() -> list[str]:
    paths = [
        p
        for item in SCANNED
        for p in ((ROOT / item).rglob("*.py") if (ROOT / item).is_dir() else [ROOT / item])
    ]
    return sorted(str(p.relative_to(ROOT)) for p in paths)


def update(ts_file: Path) -> None:
    """Collect the strings into TS_FILE (new ones unfinished; gone ones dropped)."""
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            *python_sources(),
            "-no-obsolete",
            "-locations",
            "none",
            "-ts",
            str(ts_file),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def compile_qm(ts_file: Path, qm_file: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)],
        check=True,
        capture_output=True,
    )


def main(argv: list[str]) -> int:
    for language in LANGUAGES:
        ts_file = SOURCES / f"writer_app_{language}.ts"
        if argv[:1] == ["update"]:
            update(ts_file)
            print(f"updated {ts_file.relative_to(ROOT)}")
        else:
            COMPILED.mkdir(parents=True, exist_ok=True)
            qm_file = COMPILED / f"writer_app_{language}.qm"
            compile_qm(ts_file, qm_file)
            print(f"compiled {qm_file.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

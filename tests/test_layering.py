"""Imports point down only: ui -> assist -> engine; remote -> engine (the server engine sits beside the
local one, under the backend contract in engine/backend.py); backends -> engine, remote, models (it opens
either); models -> engine; forms -> engine (assist and ui read forms); tuning -> models, engine and
document (it reads the writer's files as the editor does and exports as models/ does); document stands
alone; cli -> anything.

Every module's imports are read with `ast`. Qt lives in ui/ alone; torch and the export stack live in
models/ and tuning/ alone, and only inside functions there (the laptop install runs without them).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "writer_app"

# What each part of writer_app may import from writer_app (itself included).
BASE = {"errors", "paths", "field_types", "sizes", "translation"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "paths": set(),
    "field_types": set(),
    "sizes": set(),
    "translation": set(),
    "document": BASE | {"document"},
    "engine": BASE | {"engine"},
    "forms": BASE | {"engine", "forms"},
    "settings": BASE | {"engine"},
    "models": BASE | {"engine", "models"},
    "tuning": BASE | {"engine", "models", "document", "tuning"},
    "assist": BASE | {"engine", "settings", "forms", "assist"},
    "remote": BASE | {"engine", "remote"},
    "backends": BASE | {"engine", "models", "remote"},
    "ui": BASE | {"engine", "models", "settings", "document", "forms", "assist", "remote", "backends", "ui"},
    "cli": None,  # the command line may use anything
    "cli_models": None,
    "cli_generate": None,
    "cli_common": BASE,
    "cli_progress": BASE | {"models"},
    "__main__": None,
    "__init__": BASE,
}
QT = ("PySide6", "shiboken6")
EXPORT_STACK = ("torch", "transformers", "optimum", "onnx", "onnx_ir", "gguf", "accelerate", "peft")


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(tree: ast.AST, module: str) -> list[tuple[str, bool, int]]:
    """(imported name, imported at module level, line) for every import in the tree."""
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, top, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                name = child.module or ""
                if child.level:  # relative: resolve against this module's package
                    base = module.split(".")[: -child.level]
                    name = ".".join([*base, name] if name else base)
                found.extend((f"{name}.{alias.name}", top, child.lineno) for alias in child.names)
            visit(child, inner)

    visit(tree, True)
    return found


def violations(path: Path, source: str) -> list[str]:
    """What is wrong with one module's imports (empty when nothing is)."""
    part = _part(path)
    module = "writer_app." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    allowed = ALLOWED.get(part, BASE)
    problems = []
    for name, top, line in _imports(ast.parse(source), module):
        root = name.split(".")[0]
        where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        if root == "writer_app" and allowed is not None:
            target = name.split(".")[1] if "." in name else "__init__"
            target = "__init__" if target.startswith("__") else target
            if target not in allowed:
                problems.append(f"{where}: {part} may not import {target}")
        if root in QT and part != "ui":
            problems.append(f"{where}: Qt outside ui/")
        if root in EXPORT_STACK and part not in ("models", "tuning", "cli"):
            problems.append(f"{where}: the export stack outside models/ and tuning/")
        if root in EXPORT_STACK and top:
            problems.append(f"{where}: the export stack must be imported inside functions")
    return problems


def test_every_module_imports_only_downwards():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += violations(path, path.read_text(encoding="utf-8"))
    assert problems == []


@pytest.mark.parametrize(
    ("file", "source", "complaint"),
    [
        ("engine/f.py", "from writer_app.models.store import ModelStore", "engine may not import models"),
        ("engine/x.py", "import writer_app.assist.session", "engine may not import assist"),
        ("assist/x.py", "from writer_app.ui.worker import WorkerHost", "assist may not import ui"),
        ("assist/x.py", "from writer_app.models import store", "assist may not import models"),
        ("models/x.py", "from writer_app.assist import prompts", "models may not import assist"),
        ("engine/x.py", "from PySide6.QtCore import QObject", "Qt outside ui/"),
        ("assist/x.py", "def f():\n    import torch", "the export stack outside models/ and tuning/"),
        ("models/x.py", "import torch", "must be imported inside functions"),
        ("engine/sub/x.py", "from ...models import store", "engine may not import models"),
        (
            "remote/x.py",
            "from writer_app.assist.requests import AssistRequest",
            "remote may not import assist",
        ),
        ("assist/x.py", "from writer_app.remote import remote_engine", "assist may not import remote"),
        ("engine/x.py", "from writer_app.remote import remote_engine", "engine may not import remote"),
    ],
)
def test_the_checker_catches_an_import_that_points_the_wrong_way(file, source, complaint):
    found = violations(PACKAGE / file, source)
    assert any(complaint in problem for problem in found), found


def test_the_checker_accepts_lazy_export_imports_in_models():
    assert violations(PACKAGE / "models/x.py", "def f():\n    import torch\n    import onnx") == []


def test_listing_models_loads_no_runtime(tmp_path):
    code = (
        "import sys\nfrom writer_app.cli import main\nmain(['models', 'list'])\n"
        "print(sorted(m for m in ('onnxruntime', 'torch', 'PySide6', 'onnx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"WRITER_APP_HOME": str(tmp_path), "PATH": ""},
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("module", ["writer_app.assist.session", "writer_app.remote.remote_engine"])
def test_the_session_and_the_server_engine_load_no_local_runtime(module):
    """A server-only install could leave onnxruntime out: neither the session nor the server engine
    needs it (nor the tokenizer library, nor Qt)."""
    heavy = ("onnxruntime", "tokenizers", "PySide6")
    code = f"import sys, {module}\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""Assist → Models… and the first run: offscreen, with tiny models and real `writer-app models` children."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel, QMessageBox

from tests import fixtures_models
from writer_app.models import measured_speed
from writer_app.models.store import ModelStore
from writer_app.settings import Settings
from writer_app.ui.model_jobs import JobOutcome
from writer_app.ui.model_manager import ModelManager

JOB_TIMEOUT_MS = 180_000


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def gguf(tmp_path_factory) -> Path:
    return fixtures_models.build_tiny_gguf(tmp_path_factory.mktemp("manager-gguf") / "Tiny-Story.Q8.gguf")


def _install(home: Path, folder: Path, name: str) -> None:
    shutil.copytree(folder, home / "models" / name)


def _cells(manager: ModelManager) -> dict[str, list[str]]:
    table = manager.table
    return {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    }


def _wait_for_job(qtbot, panel) -> list:
    outcomes: list = []
    panel.finished.connect(outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=JOB_TIMEOUT_MS)
    return outcomes


def test_installed_models_show_language_size_weights_speed_and_role(qtbot, home, tiny_model, chat_model):
    _install(home, tiny_model, "tiny")
    _install(home, chat_model, "tiny-chat")
    measured_speed.record_speed("tiny", 4.2)
    settings = Settings(model="tiny", instruction_model="tiny-chat")
    manager = ModelManager(settings, "en")
    qtbot.addWidget(manager)
    rows = _cells(manager)
    assert rows["tiny"][1] == "English" and rows["tiny"][3] == "float32"
    assert rows["tiny"][4] == "4 ms/token" and rows["tiny-chat"][4] == "not yet used"
    assert rows["tiny"][5] == "ghost text" and rows["tiny-chat"][5] == "rewrites and tasks"
    assert rows["tiny"][2].endswith("MB")


def test_the_catalog_lists_chinese_capable_models_first_for_a_chinese_writer(qtbot, home):
    manager = ModelManager(Settings(), "zh")
    qtbot.addWidget(manager)
    first = [manager.catalog_table.item(r, 2).text() for r in range(4)]
    assert all("Chinese" in cell for cell in first)
    assert manager.catalog_table.item(0, 0).text().startswith("Chinese GPT-2")
    english = ModelManager(Settings(), "en")
    qtbot.addWidget(english)
    assert english.catalog_table.item(0, 2).text() == "English"


def test_the_catalog_says_what_each_model_can_do_on_this_computer(qtbot, home, monkeypatch):
    from writer_app.models import catalog

    monkeypatch.setattr(catalog, "measured_speeds", lambda: {})
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    rows = {
        manager.catalog_entries[r].id: [manager.catalog_table.item(r, c).text() for c in range(6)]
        for r in range(manager.catalog_table.rowCount())
    }
    assert rows["qwen2.5-0.5b"][3] == "ghost text" and rows["qwen2.5-0.5b"][4].endswith("(estimate)")
    assert rows["qwen2.5-1.5b"][3] == "(too slow here for ghost text)"
    assert rows["qwen2.5-1.5b-instruct"][3] == "rewrites and tasks"
    tip = manager.catalog_table.item(0, 0).toolTip()
    assert "MB in float32" in tip and "MB in 8 bits" in tip and "MB in 4 bits" in tip


def test_roles_verify_and_remove(qtbot, home, tiny_model, chat_model, monkeypatch):
    _install(home, tiny_model, "tiny")
    _install(home, chat_model, "tiny-chat")
    settings = Settings(model="tiny")
    manager = ModelManager(settings, "en")
    qtbot.addWidget(manager)
    changed: list[bool] = []
    manager.rolesChanged.connect(lambda: changed.append(True))
    manager.select("tiny-chat")
    manager.use_instruction.click()
    assert settings.instruction_model == "tiny-chat" and changed == [True]
    assert _cells(manager)["tiny-chat"][5] == "rewrites and tasks"
    manager.use_continuation.click()
    assert (
        settings.model == "tiny-chat" and _cells(manager)["tiny-chat"][5] == "ghost text, rewrites and tasks"
    )
    manager.verify_button.click()
    assert manager.message.text() == "tiny-chat: all files match their checksums."
    with (home / "models" / "tiny-chat" / "model.onnx.data").open("r+b") as fh:
        fh.seek(64)
        fh.write(b"\xff\xfe\xfd")
    manager.verify_button.click()
    assert manager.message.text().startswith("tiny-chat: ") and "checksum" in manager.message.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    manager.remove_button.click()
    assert "tiny-chat" not in _cells(manager) and not (home / "models" / "tiny-chat").exists()
    assert settings.model == "" and settings.instruction_model == "" and len(changed) == 3


def test_a_gguf_file_imports_with_its_stages_shown(qtbot, home, gguf):
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    stages: list[str] = []
    manager.import_gguf(gguf)
    manager.jobs.job.stage.connect(lambda label, _f, _line: stages.append(label))
    assert not manager.install_button.isEnabled()  # one job at a time
    [outcome] = _wait_for_job(qtbot, manager.jobs)
    assert outcome.ok, outcome.message
    assert {"Reading the GGUF file", "Exporting to ONNX", "Optimizing the graph", "Done"} <= set(stages)
    assert "tiny-story.q8" in _cells(manager) and ModelStore().verify("tiny-story.q8") == []
    assert manager.install_button.isEnabled()


def test_an_onnx_folder_imports(qtbot, home, tiny_model):
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    manager.import_onnx(tiny_model)
    [outcome] = _wait_for_job(qtbot, manager.jobs)
    assert outcome.ok, outcome.message
    assert list(_cells(manager)) == ["tiny"]
    manager.import_onnx(tiny_model)  # the name is taken: the copy gets its own
    assert _wait_for_job(qtbot, manager.jobs)[0].ok
    assert sorted(_cells(manager)) == ["tiny", "tiny-2"]


def test_a_cancelled_import_leaves_nothing_behind(qtbot, home, gguf):
    before = {p.name for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("writer-app-gguf-*")}
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    manager.import_gguf(gguf)
    job = manager.jobs.job
    stages: list[str] = []
    job.stage.connect(lambda label, _f, _line: stages.append(label))
    qtbot.waitUntil(lambda: "Exporting to ONNX" in stages, timeout=JOB_TIMEOUT_MS)
    manager.jobs.cancel_button.click()
    [outcome] = _wait_for_job(qtbot, manager.jobs)
    assert outcome.cancelled and not outcome.ok and outcome.message == "Cancelled; nothing was installed."
    models = home / "models"
    assert [p.name for p in models.iterdir() if not p.name.startswith(".lock-")] == []
    after = {p.name for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("writer-app-gguf-*")}
    assert after <= before  # the child removed its temporary folder on the way out
    assert "Cancelled" in manager.message.text()


def test_offline_a_catalog_install_says_it_needs_the_network(qtbot, home):
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    manager.catalog_table.selectRow(0)  # GPT-2, from the model hub
    manager.install_button.click()
    [outcome] = _wait_for_job(qtbot, manager.jobs)
    assert not outcome.ok and "not reachable" in outcome.message and "GGUF" in outcome.message
    said = manager.message.text()  # what the model needs, and how to bring it without the network
    assert "GPT-2 (124M) downloads 548 MB" in said and "USB stick" in said and "Import GGUF file…" in said
    manager._job_done(JobOutcome(False, False, "the network went away half way"))
    assert manager.message.text() == "the network went away half way"  # other failures as they are


def test_the_first_run_offers_models_in_the_writers_language_and_installs_one(qtbot, home, gguf, monkeypatch):
    from tests.test_ui_editor import make_window

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("zh_CN")))
    window = make_window(qtbot, None)
    dialog = window.offer_first_run()
    assert dialog is not None and dialog.isVisible()
    # Offline here, and a Chinese writer: the models that write Chinese lead (the English-only starter is
    # never what Enter installs for them), and the intro says how to bring one in.
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert labels[0].startswith("Chinese GPT-2") and "writes Chinese" in labels[1]
    assert dialog.list.currentRow() == 0
    assert any(label.startswith("SmolLM2-135M-Instruct (offline starter)") for label in labels)
    intro = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "offline starter model writes English only" in intro
    dialog.import_gguf(gguf)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=JOB_TIMEOUT_MS)
    assert dialog.installed == "tiny-story.q8" and window.settings.model == "tiny-story.q8"
    qtbot.waitUntil(lambda: window.session.model.info is not None, timeout=30_000)
    assert window.session.model.info.name == "tiny-story.q8"
    assert window.offer_first_run() is None  # a model is installed now


def test_no_first_run_when_a_model_is_named(qtbot, home, tiny_model):
    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model)
    assert window.offer_first_run() is None


def test_installs_run_through_the_bundles_own_executable_when_frozen(monkeypatch):
    import sys

    from writer_app.ui.model_jobs import models_command

    assert models_command(["list"]) == (sys.executable, ["-m", "writer_app", "models", "list"])
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/writer-app/writer-app")
    assert models_command(["install", "gpt2"]) == (
        "/opt/writer-app/writer-app",
        ["models", "install", "gpt2"],
    )


def test_without_the_export_tools_the_manager_says_so_and_offers_what_works(qtbot, tmp_path, monkeypatch):
    """The desktop bundle: no torch, so no catalog installs or GGUF imports; ONNX folders still import."""
    from writer_app.ui import first_run, model_manager

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    monkeypatch.setattr(model_manager, "export_tools_present", lambda: False)
    monkeypatch.setattr(first_run, "export_tools_present", lambda: False)
    manager = model_manager.ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    assert not manager.install_button.isEnabled() and not manager.gguf_button.isEnabled()
    assert manager.onnx_button.isEnabled()
    assert "pip install 'writer-app[export]'" in manager.install_button.toolTip()
    dialog = first_run.FirstRunDialog("en")
    qtbot.addWidget(dialog)
    assert not dialog.install_button.isEnabled()


def test_the_export_tools_are_found_without_importing_them():
    """The window asks on every open: finding torch must not cost importing it (seconds)."""
    import subprocess
    import sys

    code = (
        "import sys; from writer_app.models.export import export_tools_present as p; "
        "print(p(), 'torch' in sys.modules)"
    )
    asked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert asked.stdout.split() == ["True", "False"]  # the test environment has the export extra


def test_one_model_shows_one_size_everywhere(qtbot, home, tiny_model, capsys):
    import shutil

    from writer_app.cli import main
    from writer_app.engine.local_backend import LocalBackend
    from writer_app.sizes import folder_bytes, size_text

    shutil.copytree(tiny_model, home / "models" / "tiny")
    shown = size_text(folder_bytes(home / "models" / "tiny"))
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    cells = [manager.table.item(0, c).text() for c in range(manager.table.columnCount())]
    assert shown in cells
    assert main(["models", "list"]) == 0 and shown in capsys.readouterr().out
    info = LocalBackend.load(home / "models" / "tiny", threads=1).info()
    assert size_text(info.size_mb * 1e6) == shown


def test_sizes_are_written_in_decimal_units():
    from writer_app.sizes import size_text

    assert [size_text(n) for n in (178_400_000, 1_520_000_000, 640_000)] == ["178 MB", "1.5 GB", "640 KB"]


def test_the_tables_keep_filling_their_width_after_a_failed_install(qtbot, home, tiny_model):
    import shutil

    from writer_app.ui.model_jobs import JobOutcome

    shutil.copytree(tiny_model, home / "models" / "tiny")
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitExposed(manager)

    def filled(table) -> bool:
        return sum(table.columnWidth(c) for c in range(table.columnCount())) >= table.viewport().width()

    assert filled(manager.table)
    reason = "Max retries exceeded with url: /api/models/Qwen/Qwen2.5-1.5B-Instruct (Failed to resolve) " * 3
    manager._job_done(JobOutcome(False, False, f"could not export it from the model hub: {reason}"))
    qtbot.wait(50)
    assert filled(manager.table) and filled(manager.catalog_table)


def test_offline_an_english_writers_first_run_offers_the_starter_first(qtbot, home, monkeypatch):
    from writer_app.ui.first_run import FirstRunDialog

    dialog = FirstRunDialog("en")
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text().startswith("SmolLM2-135M-Instruct (offline starter)")


def test_a_failed_install_is_explained_in_the_interfaces_language_above_the_commands_words():
    from pathlib import Path

    from writer_app.ui.model_texts import failure_headlines, job_failure_text

    message = "cannot read Tiny.gguf: it is incomplete or damaged (unexpected end of file)"
    assert job_failure_text(message, None) == (
        "Not imported: the file is incomplete or damaged.\n" + message  # the detail stays
    )
    assert job_failure_text("something new went wrong", None) == "something new went wrong"
    # Every failure named here is one the models' commands still print in those words.
    models = Path(__file__).resolve().parent.parent / "writer_app" / "models"
    sources = "".join(p.read_text(encoding="utf-8") for p in models.glob("*.py"))
    for words, _said in failure_headlines():
        assert words in sources, words

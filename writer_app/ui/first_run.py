"""The first start with no model installed: models that write the writer's language first, the offline
starter, and the GGUF import, instead of an error in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from writer_app.assist.wording import task_language
from writer_app.models.catalog import CatalogEntry, fits_here, ordered_for
from writer_app.models.default_model import offline_by_choice
from writer_app.models.export import export_tools_present
from writer_app.models.store import ModelStore, name_from_source
from writer_app.ui.i18n import tr
from writer_app.ui.model_jobs import JobOutcome, JobPanel
from writer_app.ui.model_manager import ask_for_gguf
from writer_app.ui.model_texts import (
    cannot_build_note,
    good_for_text,
    job_failure_text,
    languages_text,
    size_text,
    speed_text,
)


class FirstRunDialog(QDialog):
    """Accepted once a model is installed; the window then loads it."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Choose a model to write with"))
        self.store = ModelStore()
        self.entries = _with_starter_first_offline(ordered_for(language), language)
        self._installing: CatalogEntry | None = None
        self.installed: str | None = None

        intro = QLabel(
            tr(
                "writer_app suggests text with a language model that runs on this computer. "
                "None is installed yet. Choose one; models that write your language come first."
            )
            + ("\n" + _offline_note(language) if offline_by_choice() else "")
        )
        if not export_tools_present():
            intro.setText(intro.text() + "\n" + cannot_build_note())
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        here = fits_here(tuple(self.entries))
        for entry in self.entries:
            line = tr("{model} · writes {languages} · {roles} · {size} {origin}").format(
                model=entry.label,
                languages=languages_text(entry.languages),
                roles=good_for_text(entry, here[entry.id]),
                size=size_text(entry.download_mb),
                origin=tr("from the model hub") if entry.from_hub else tr("from PyPI"),
            )
            line += " · " + speed_text(here[entry.id])
            item = QListWidgetItem(line)
            item.setToolTip(entry.note_in(task_language()))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.install_button = QPushButton(tr("Install"))
        self.install_button.setDefault(True)
        self.install_button.clicked.connect(self.install_selected)
        self.gguf_button = QPushButton(tr("Import a GGUF file…"))
        self.gguf_button.clicked.connect(self._choose_gguf)
        for button in (self.install_button, self.gguf_button):
            button.setEnabled(export_tools_present())
        later = QPushButton(tr("Not now"))
        later.clicked.connect(self.reject)
        self.jobs = JobPanel(self)
        self.jobs.finished.connect(self._done)
        self.message = QLabel()
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.install_button)
        row.addWidget(self.gguf_button)
        row.addStretch(1)
        row.addWidget(later)
        layout.addLayout(row)
        layout.addWidget(self.jobs)
        layout.addWidget(self.message)
        self.resize(720, 420)

    def selected_entry(self) -> CatalogEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def install_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._start(
                ["install", entry.id], entry.name, tr("Installing {model}").format(model=entry.label) + "…"
            )
            self._installing = entry

    def _choose_gguf(self) -> None:
        path = ask_for_gguf(self)
        if path is not None:
            self.import_gguf(path)

    def import_gguf(self, path: Path) -> None:
        name = name_from_source(path.name)
        self._start(
            ["import-gguf", str(path), "--name", name],
            name,
            tr("Importing {file}").format(file=path.name) + "…",
        )

    def _start(self, args: list[str], name: str, what: str) -> None:
        if self.jobs.busy:
            return
        self.message.setText(what)
        self._pending = name
        for button in (self.install_button, self.gguf_button):
            button.setEnabled(False)
        self.jobs.run(args, name, self.store)

    def _done(self, outcome: JobOutcome) -> None:
        for button in (self.install_button, self.gguf_button):
            button.setEnabled(True)
        if outcome.ok:
            self.installed = self._pending
            self.accept()
            return
        self.message.setText(job_failure_text(outcome.message, self._installing))
        self._installing = None

    def reject(self) -> None:
        if self.jobs.busy:
            self.jobs.cancel()
        super().reject()


def _with_starter_first_offline(entries: list[CatalogEntry], language: str = "en") -> list[CatalogEntry]:
    """Offline, the hub entries cannot install: the PyPI starter leads, unless the writer writes a
    language it does not (a Chinese writer's first model is never an English-only one they did not
    pick: the models that write Chinese stay first, and say how to bring them in)."""
    if not offline_by_choice() or language != "en":
        return entries
    return sorted(entries, key=lambda e: e.from_hub)


def _offline_note(language: str) -> str:
    if language == "zh":
        return tr(
            "This computer looks offline: the models that write Chinese come from the model hub. Bring "
            "one as a GGUF file (a USB stick will do) and import it; the offline starter model writes "
            "English only."
        )
    return tr(
        "This computer looks offline: the starter model comes from the Python package index, "
        "or import a GGUF file you already have."
    )

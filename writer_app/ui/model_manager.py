"""Assist → Models…: the installed models with what was measured of them, adding one (catalog, GGUF file,
ONNX folder), verifying, removing, and choosing the model for each role."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from writer_app.assist.wording import task_language
from writer_app.models.catalog import (
    CatalogEntry,
    fits_here,
    ordered_for,
)
from writer_app.models.default_model import offline_by_choice
from writer_app.models.export import export_tools_present
from writer_app.models.machine_fit import sizes_mb
from writer_app.models.measured_speed import measured_speeds
from writer_app.models.store import ModelStore, StoreEntry, name_from_source
from writer_app.settings import Settings
from writer_app.ui.i18n import tr
from writer_app.ui.model_jobs import JobOutcome, JobPanel
from writer_app.ui.model_roles import continuation_model, instruction_model
from writer_app.ui.model_texts import (
    cannot_build_note,
    good_for_text,
    job_failure_text,
    languages_text,
    role_names,
    size_text,
    speed_text,
    tuned_text,
    weights_text,
)
from writer_app.ui.tune_dialog import TuneDialog, tunable_base


def fit_columns(table: QTableWidget) -> None:
    """Columns as wide as their contents, the last one taking the width left. resizeColumnsToContents
    sizes the last column too, and the stretch is only applied again when set anew: without that the
    tables stopped filling their width after the first refresh (a failed install showed it)."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setStretchLastSection(True)


def ask_for_gguf(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, tr("Import a GGUF file"), str(Path.home()), "GGUF (*.gguf)")
    return Path(path) if path else None


class ModelManager(QDialog):
    """rolesChanged: the settings now name other models; the window reloads them."""

    rolesChanged = Signal()

    def __init__(self, settings: Settings, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Models"))
        self.settings = settings
        self.store = ModelStore()
        self.entries: list[StoreEntry] = []
        self.language = language
        self.catalog_entries = ordered_for(language)
        self._installing: CatalogEntry | None = None  # the catalog entry an install job is running for
        self.can_build = export_tools_present()

        self.table = self._table(
            (tr("Model"), tr("Writes"), tr("Size"), tr("Weights"), tr("Speed here"), tr("Used for"))
        )
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.use_continuation = QPushButton(tr("Use for ghost text"))
        self.use_continuation.clicked.connect(lambda: self.set_role("continuation", self.selected_name()))
        self.use_instruction = QPushButton(tr("Use for rewrites"))
        self.use_instruction.clicked.connect(lambda: self.set_role("instruction", self.selected_name()))
        self.verify_button = QPushButton(tr("Verify"))
        self.verify_button.clicked.connect(self.verify_selected)
        self.remove_button = QPushButton(tr("Remove…"))
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.tune_button = QPushButton(tr("Train on my writing…"))
        self.tune_button.setToolTip(
            tr(
                "A copy of the selected model tuned on your own texts, on this computer, to write more "
                "like you"
            )
        )
        self.tune_button.clicked.connect(self.tune_selected)
        self._tuning = False  # the job running is a tune (its Cancel keeps what was trained)

        self.catalog_table = self._table(
            (
                tr("Model"),
                tr("Download"),
                tr("Writes"),
                tr("Good for here"),
                tr("Speed here"),
                tr("Downloads from"),
            )
        )
        self.install_button = QPushButton(tr("Install"))
        self.install_button.clicked.connect(self.install_selected)
        self.gguf_button = QPushButton(tr("Import GGUF file…"))
        self.gguf_button.clicked.connect(self._choose_gguf)
        self.onnx_button = QPushButton(tr("Import ONNX folder…"))
        self.onnx_button.clicked.connect(self._choose_onnx)
        self.jobs = JobPanel(self)
        self.jobs.finished.connect(self._job_done)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._lay_out()
        self.refresh()
        self._fill_catalog()
        self.resize(980, 600)

    def _table(self, columns: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(columns), self)
        table.setHorizontalHeaderLabels(list(columns))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Ghost text uses the continuation model: the fastest that writes your language. Rewrites and "
                "tasks use the instruction model, which loads when first used. They may be the same model."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 3)
        row = QHBoxLayout()
        for button in (
            self.use_continuation,
            self.use_instruction,
            self.verify_button,
            self.remove_button,
            self.tune_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        add = QGroupBox(tr("Add a model"))
        add_layout = QVBoxLayout(add)
        note = tr("Catalog models download from the network (the model hub or the Python package index).")
        if offline_by_choice():
            note = tr(
                "Offline: catalog models need the network; a GGUF file or an ONNX folder imports from disk."
            )
        if not self.can_build:
            note = cannot_build_note()
            for button in (self.install_button, self.gguf_button):
                button.setToolTip(note)
        label = QLabel(note)
        label.setWordWrap(True)
        add_layout.addWidget(label)
        add_layout.addWidget(self.catalog_table, 2)
        add_row = QHBoxLayout()
        for button in (self.install_button, self.gguf_button, self.onnx_button):
            add_row.addWidget(button)
        add_row.addStretch(1)
        add_layout.addLayout(add_row)
        layout.addWidget(add, 3)
        layout.addWidget(self.jobs)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # --- the installed models ----------------------------------------------------------------------
    def refresh(self) -> None:
        self.entries = self.store.entries()
        speeds = measured_speeds()
        roles = self.role_models()
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            manifest = entry.manifest
            weights, detail = weights_text(entry)
            speed = speeds.get(entry.name)
            cells = (
                entry.name,
                languages_text(manifest.languages) if manifest and manifest.languages else "?",
                size_text(entry.size_bytes / 1e6),
                weights,
                tr("{ms} ms/token").format(ms=f"{speed:.0f}") if speed else tr("not yet used"),
                ", ".join(role_names()[role] for role, name in roles.items() if name == entry.name) or "–",
            )
            tuned = tuned_text(entry)
            if tuned is not None:
                cells = (f"{cells[0]} ({tuned[0]})", *cells[1:])
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(detail)
                if column == 0 and tuned is not None:
                    item.setToolTip(tuned[1])
                self.table.setItem(row, column, item)
        fit_columns(self.table)
        self._update_buttons()

    def role_models(self) -> dict[str, str]:
        """The model each role runs on, as the window will choose it (once per refresh: each default
        reads every installed model's manifest)."""
        continuation = continuation_model(self.settings, self.store, self.language)
        return {
            "continuation": continuation,
            "instruction": instruction_model(self.settings, continuation, self.store),
        }

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()].name if rows else None

    def select(self, name: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.name == name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        chosen = self.selected_name() is not None and not self.jobs.busy
        for button in (self.use_continuation, self.use_instruction, self.verify_button, self.remove_button):
            button.setEnabled(chosen)
        for button in (self.install_button, self.gguf_button):
            button.setEnabled(not self.jobs.busy and self.can_build)
        self.tune_button.setEnabled(chosen and self.can_build)
        self.onnx_button.setEnabled(not self.jobs.busy)

    def set_role(self, role: str, name: str | None) -> None:
        if name is None:
            return
        if role == "continuation":
            self.settings.model = name
        else:
            self.settings.instruction_model = name
        self.say(
            tr("{name} now writes the ghost text.")
            if role == "continuation"
            else tr("{name} now writes the rewrites and tasks.").format(name=name)
        )
        self.refresh()
        self.rolesChanged.emit()

    def verify_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        problems = self.store.verify(name)
        self.say(
            tr("{name}: all files match their checksums.").format(name=name)
            if not problems
            else f"{name}: {problems[0]}"
        )

    def remove_selected(self, confirm: bool = True) -> None:
        name = self.selected_name()
        if name is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self, tr("Remove model"), tr("Delete the model {name} from this computer?").format(name=name)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.store.remove(name)
        roles_changed = False
        if self.settings.model == name:
            self.settings.model, roles_changed = "", True
        if self.settings.instruction_model == name:
            self.settings.instruction_model, roles_changed = "", True
        self.say(tr("Removed {name}.").format(name=name))
        self.refresh()
        if roles_changed:
            self.rolesChanged.emit()

    # --- adding ------------------------------------------------------------------------------------
    def _fill_catalog(self) -> None:
        installed = set(self.store.names())
        here = fits_here(tuple(self.catalog_entries), self.store)
        self.catalog_table.setRowCount(len(self.catalog_entries))
        for row, entry in enumerate(self.catalog_entries):
            label = entry.label + (" " + tr("(installed)") if entry.name in installed else "")
            fit = here[entry.id]
            cells = (
                label,
                size_text(entry.download_mb),
                languages_text(entry.languages),
                good_for_text(entry, fit),
                speed_text(fit),
                tr("model hub") if entry.from_hub else tr("Python package index"),
            )
            sizes = sizes_mb(entry.parameters_m)
            tip = (
                entry.note_in(task_language())
                + "\n"
                + tr("Installed: about {f32} MB in float32, {q8} MB in 8 bits, {q4} MB in 4 bits.").format(
                    f32=sizes["float32"], q8=sizes["8-bit"], q4=sizes["4-bit"]
                )
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.catalog_table.setItem(row, column, item)
        fit_columns(self.catalog_table)
        if self.catalog_entries:
            self.catalog_table.selectRow(0)

    def selected_catalog_entry(self) -> CatalogEntry | None:
        rows = self.catalog_table.selectionModel().selectedRows()
        return self.catalog_entries[rows[0].row()] if rows else None

    def install_selected(self) -> None:
        entry = self.selected_catalog_entry()
        if entry is not None:
            self.start(["install", entry.id], entry.name, tr("Installing {model}").format(model=entry.label))
            self._installing = entry

    def _choose_gguf(self) -> None:
        path = ask_for_gguf(self)
        if path is not None:
            self.import_gguf(path)

    def _choose_onnx(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Import an ONNX model folder"), str(Path.home()))
        if path:
            self.import_onnx(Path(path))

    def import_gguf(self, path: Path) -> None:
        name = self._free_name(name_from_source(path.name))
        self.start(
            ["import-gguf", str(path), "--name", name], name, tr("Importing {file}").format(file=path.name)
        )

    def import_onnx(self, folder: Path) -> None:
        name = self._free_name(name_from_source(str(folder)))
        self.start(
            ["import-onnx", str(folder), "--name", name],
            name,
            tr("Importing {file}").format(file=folder.name),
        )

    def tune_selected(self, dialog: TuneDialog | None = None) -> None:
        """Ask what to train on (TuneDialog) and start the training as a job."""
        name = self.selected_name()
        if name is None or self.jobs.busy:
            return
        if dialog is None:
            entry = next(e for e in self.entries if e.name == name)
            base, why = tunable_base(name, entry.manifest)
            dialog = TuneDialog(base, why, self._free_name(f"{name}-mine"), set(self.store.names()), self)
            if dialog.exec() != TuneDialog.DialogCode.Accepted:
                return
        command = dialog.command()
        new_name = command[command.index("--name") + 1]
        self._tuning = True
        self.start(command, new_name, tr("Training {name} on your writing").format(name=new_name))

    def _free_name(self, name: str) -> str:
        taken, candidate, n = set(self.store.names()), name, 2
        while candidate in taken:
            candidate, n = f"{name}-{n}", n + 1
        return candidate

    def start(self, args: list[str], name: str, what: str) -> None:
        if self.jobs.busy:
            return
        self.say(what + "…")
        self.jobs.run(args, name, self.store)
        self._update_buttons()

    def _job_done(self, outcome: JobOutcome) -> None:
        installing, self._installing = self._installing, None
        tuning, self._tuning = self._tuning, False
        if tuning and outcome.cancelled:
            self.say(
                tr(
                    "Cancelled. What was trained so far is kept: Train on my writing with the same files "
                    "and name goes on from there."
                )
            )
        elif tuning and outcome.ok:
            self.say(outcome.message)
        elif outcome.ok:
            self.say(tr("Installed. Choose what it is used for above."))
        else:
            self.say(job_failure_text(outcome.message, installing))
        self.refresh()
        self._fill_catalog()

    def say(self, text: str) -> None:
        self.message.setText(text)

    def reject(self) -> None:
        if self.jobs.busy:
            self.jobs.cancel()  # closing the window stops the work; nothing half-installed stays
        super().reject()

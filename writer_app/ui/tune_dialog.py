"""Assist → Models… → Train on my writing…: the model to start from, the writer's files and the new
model's name, said plainly with what happens to the texts. The training itself runs as
`writer-app models tune` in the model manager's job panel (a child process: the editor stays responsive,
Cancel keeps what was trained for the same choice to resume)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from writer_app.engine.manifest import Manifest
from writer_app.models.store import check_name, source_weights
from writer_app.ui.i18n import tr


def tunable_base(name: str, manifest: Manifest | None) -> tuple[str, str]:
    """(what `models tune` starts from, what to tell the writer when it must be chosen): a store model
    exported from a folder or the hub is its own base; one imported from a GGUF file needs that file,
    whose weights the store does not keep."""
    if source_weights(manifest) is not None:
        return name, ""
    source = manifest.source if manifest is not None else ""
    if source.startswith("gguf:"):
        return "", tr("{name} was imported from {file}: choose that file to train from.").format(
            name=name, file=source.removeprefix("gguf:")
        )
    return "", tr("Choose the GGUF file or model folder {name} was made from.").format(name=name)


class TuneDialog(QDialog):
    def __init__(
        self, base: str, why_choose: str, suggested_name: str, taken: set[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Train on my writing"))
        self.base, self.taken = base, taken
        intro = QLabel(
            tr(
                "The model learns your voice from your own files (.txt, .md; folders are read whole), on "
                "this computer. Some files are held out to measure how much closer to your writing it "
                "came. Your texts are never copied into the model or sent anywhere; the model's record "
                "names the files and their checksums only. Training takes minutes to an hour; Cancel "
                "keeps what was trained, and the same choice resumes it."
            )
        )
        intro.setWordWrap(True)
        self.base_label = QLabel(base or why_choose)
        self.base_label.setWordWrap(True)
        choose_base = QPushButton(tr("Choose a GGUF file…"))
        choose_base.clicked.connect(self._choose_base)
        self.texts = QListWidget()
        add_files = QPushButton(tr("Add files…"))
        add_files.clicked.connect(self._add_files)
        add_folder = QPushButton(tr("Add a folder…"))
        add_folder.clicked.connect(self._add_folder)
        remove = QPushButton(tr("Remove"))
        remove.clicked.connect(
            lambda: [self.texts.takeItem(self.texts.row(i)) for i in self.texts.selectedItems()]
        )
        self.name = QLineEdit(suggested_name)
        self.fresh = QCheckBox(tr("Start over (drop what a cancelled training of this name kept)"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Train"))
        self.buttons.accepted.connect(self._accept_if_ready)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        form = QFormLayout()
        base_row = QHBoxLayout()
        base_row.addWidget(self.base_label, 1)
        base_row.addWidget(choose_base)
        form.addRow(tr("Start from:"), base_row)
        form.addRow(tr("Your writing:"), self.texts)
        text_buttons = QHBoxLayout()
        for button in (add_files, add_folder, remove):
            text_buttons.addWidget(button)
        text_buttons.addStretch(1)
        form.addRow("", text_buttons)
        form.addRow(tr("New model's name:"), self.name)
        form.addRow("", self.fresh)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(640, 460)

    def add_paths(self, paths: list[Path]) -> None:
        present = {self.texts.item(i).text() for i in range(self.texts.count())}
        for path in paths:
            if str(path) not in present:
                self.texts.addItem(str(path))
                present.add(str(path))

    def set_base(self, base: str) -> None:
        self.base = base
        self.base_label.setText(base)

    def _choose_base(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Train from a GGUF file"), str(Path.home()), "GGUF (*.gguf)"
        )
        if path:
            self.set_base(path)

    def _add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("Your writing"), str(Path.home()), tr("Text (*.txt *.md *.markdown *.text)")
        )
        self.add_paths([Path(p) for p in paths])

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("A folder of your writing"), str(Path.home()))
        if path:
            self.add_paths([Path(path)])

    def problem_text(self) -> str:
        """Why Train cannot start yet ("" when it can)."""
        if not self.base:
            return tr("Choose the model to start from.")
        if self.texts.count() == 0:
            return tr("Add the files or folders of your writing.")
        name = self.name.text().strip()
        try:
            check_name(name)
        except Exception as exc:  # noqa: BLE001 - the store's own wording of a bad name
            return str(exc)
        if name in self.taken:
            return tr("A model named {name} is installed: choose another name.").format(name=name)
        return ""

    def _accept_if_ready(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        if not problem:
            self.accept()

    def command(self) -> list[str]:
        """The `writer-app models` arguments that train what the dialog shows."""
        texts = [self.texts.item(i).text() for i in range(self.texts.count())]
        fresh = ["--fresh"] if self.fresh.isChecked() else []
        return ["tune", self.base, "--texts", *texts, "--name", self.name.text().strip(), *fresh]

"""The settings dialog: model, suggestion length and sampling, alternatives, auto-suggest, threads, look."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from writer_app.assist.tasks import user_task_folder
from writer_app.document.textfile import write_atomic
from writer_app.settings import SETTING_LIMITS, Settings, block_list_path
from writer_app.ui.i18n import LANGUAGE_NAMES, tr
from writer_app.ui.server_settings import ServerSettings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, model_names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self._original = settings
        # Three pages, so the dialog fits a laptop's screen in either language.
        tabs = QTabWidget()
        form = _page(tabs, tr("Models"))
        self.model = _model_choice(tr("(installed default)"), model_names, settings.model)
        self.model.setToolTip(tr("By default a base model: it writes on in your text's voice."))
        form.addRow(tr("Ghost text model"), self.model)
        self.instruction_model = _model_choice(
            tr("(a model that follows instructions)"), model_names, settings.instruction_model
        )
        self.instruction_model.setToolTip(
            tr(
                "By default the ghost text model when it follows instructions, else the largest "
                "installed model that does."
            )
        )
        form.addRow(tr("Rewrite model"), self.instruction_model)
        self.threads = self._spin("threads", settings, "")
        self.threads.setSpecialValueText(tr("automatic (physical cores)"))
        form.addRow(tr("CPU threads"), self.threads)
        self.server = ServerSettings(settings)
        form.addRow(self.server)

        form = _page(tabs, tr("Suggestions"))
        self.tokens = self._spin("suggestion_tokens", settings, tr(" tokens"))
        form.addRow(tr("Suggestion length"), self.tokens)
        self.time_limit = self._spin("suggestion_ms", settings, tr(" ms"))
        self.time_limit.setSpecialValueText(tr("no time limit"))
        form.addRow(tr("Time limit"), self.time_limit)
        self.greedy = QCheckBox(tr("Always the most likely words (no sampling)"))
        self.greedy.setChecked(settings.greedy)
        form.addRow("", self.greedy)
        self.temperature = self._double("temperature", settings, 0.05)
        form.addRow(tr("Temperature"), self.temperature)
        self.top_p = self._double("top_p", settings, 0.05)
        form.addRow(tr("Top-p"), self.top_p)
        self.top_k = self._spin("top_k", settings, "")
        self.top_k.setSpecialValueText(tr("off"))
        form.addRow(tr("Top-k"), self.top_k)
        self.repetition_penalty = self._double("repetition_penalty", settings, 0.05)
        form.addRow(tr("Repetition penalty"), self.repetition_penalty)
        self.alternatives = self._spin("alternatives", settings, "")
        form.addRow(tr("Alternatives"), self.alternatives)
        self.sentence = QCheckBox(tr("Stop a suggestion at the end of a sentence"))
        self.sentence.setChecked(settings.stop_at_sentence)
        form.addRow("", self.sentence)
        self.auto = QCheckBox(tr("Suggest by itself after a pause in typing"))
        self.auto.setChecked(settings.auto_suggest)
        self.block = QCheckBox(tr("Never write the words in the block list"))
        self.block.setChecked(settings.block_list)
        self.block.setToolTip(
            tr("One word or phrase per line, any language: {path}").format(path=block_list_path())
        )
        form.addRow(tr("Auto-suggest"), self.auto)
        edit_list = QPushButton(tr("Edit the block list…"))
        edit_list.clicked.connect(lambda: edit_block_list(self))
        block_row = QHBoxLayout()
        block_row.addWidget(self.block)
        block_row.addWidget(edit_list)
        form.addRow(tr("Content filter"), block_row)
        tasks = QLabel(tr("{folder} (JSON or TOML files; see the README)").format(folder=user_task_folder()))
        tasks.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tasks.setWordWrap(True)
        form.addRow(tr("Your tasks"), tasks)
        self.delay = self._spin("auto_suggest_delay_ms", settings, tr(" ms"))
        self.delay.setSingleStep(100)
        form.addRow(tr("Auto-suggest delay"), self.delay)

        form = _page(tabs, tr("Appearance"))
        self.theme = QComboBox()
        self.theme.addItem(tr("Light"), "light")
        self.theme.addItem(tr("Dark"), "dark")
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        form.addRow(tr("Theme"), self.theme)
        self.language = QComboBox()
        self.language.addItem(tr("Follow the system"), "system")
        for choice, name in LANGUAGE_NAMES.items():  # each language named in itself
            self.language.addItem(name, choice)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.language.setToolTip(tr("Takes effect the next time writer_app starts."))
        form.addRow(tr("Interface language"), self.language)
        self.font = QFontComboBox()
        if settings.font_family:
            self.font.setCurrentFont(QFont(settings.font_family))
        form.addRow(tr("Font"), self.font)
        self.font_size = self._spin("font_size", settings, tr(" pt"))
        form.addRow(tr("Font size"), self.font_size)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)

    @staticmethod
    def _spin(name: str, settings: Settings, suffix: str) -> QSpinBox:
        low, high = SETTING_LIMITS[name]
        box = QSpinBox()
        box.setRange(int(low), int(high))
        box.setValue(getattr(settings, name))
        box.setSuffix(suffix)
        return box

    @staticmethod
    def _double(name: str, settings: Settings, step: float) -> QDoubleSpinBox:
        low, high = SETTING_LIMITS[name]
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setValue(getattr(settings, name))
        return box

    def result_settings(self) -> Settings:
        result = dataclasses.replace(
            self._original,
            model=self.model.currentData() or "",
            instruction_model=self.instruction_model.currentData() or "",
            suggestion_tokens=self.tokens.value(),
            suggestion_ms=self.time_limit.value(),
            greedy=self.greedy.isChecked(),
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            top_k=self.top_k.value(),
            repetition_penalty=self.repetition_penalty.value(),
            alternatives=self.alternatives.value(),
            stop_at_sentence=self.sentence.isChecked(),
            auto_suggest=self.auto.isChecked(),
            block_list=self.block.isChecked(),
            auto_suggest_delay_ms=self.delay.value(),
            threads=self.threads.value(),
            theme=self.theme.currentData(),
            language=self.language.currentData(),
            font_family=self.font.currentFont().family(),
            font_size=self.font_size.value(),
        )
        self.server.apply_to(result)
        return result


def _page(tabs: QTabWidget, title: str) -> QFormLayout:
    page = QWidget()
    tabs.addTab(page, title)
    return QFormLayout(page)


def _model_choice(empty_label: str, names: list[str], current: str) -> QComboBox:
    box = QComboBox()
    box.addItem(empty_label, "")
    for name in names:
        box.addItem(name, name)
    if current and current not in names:
        box.addItem(current, current)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def edit_block_list(parent: QWidget) -> bool:
    """A plain editor for the block list file; True when it was saved."""
    path = block_list_path()
    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("Block list"))
    layout = QVBoxLayout(dialog)
    layout.addWidget(
        QLabel(tr("Words or phrases, one per line, in any language. Lines starting with # are notes."))
    )
    editor = QPlainTextEdit()
    try:
        editor.setPlainText(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        editor.setPlainText("# One word or phrase per line, e.g.\n# damn\n# 该死\n")
    except (OSError, UnicodeDecodeError) as exc:
        QMessageBox.warning(
            parent, tr("Block list"), tr("Cannot read {path}: {reason}").format(path=path, reason=exc)
        )
        return False
    layout.addWidget(editor)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, editor.toPlainText().encode("utf-8"))
    except OSError as exc:
        QMessageBox.warning(
            parent, tr("Block list"), tr("Cannot save {path}: {reason}").format(path=path, reason=exc)
        )
        return False
    return True

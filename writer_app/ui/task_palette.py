"""Ctrl+K: find a writing task by typing part of its name, in English or Chinese, and run it on the text
it reads (the selection, the paragraph, the text before the cursor, or the document)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from writer_app.assist.tasks import Task, ranked_matches
from writer_app.ui.i18n import current_language, tr

_TASK_ID = Qt.ItemDataRole.UserRole


class _FilterEdit(QLineEdit):
    """Up and Down move through the list below while the writer keeps typing."""

    def __init__(self, results: QListWidget) -> None:
        super().__init__()
        self.results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            visible = [r for r in range(self.results.count()) if not self.results.item(r).isHidden()]
            if visible:
                current = self.results.currentRow()
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                index = visible.index(current) + step if current in visible else 0
                self.results.setCurrentRow(visible[max(0, min(len(visible) - 1, index))])
            return
        super().keyPressEvent(event)


def _reads_names() -> dict[str, str]:
    return {
        "selection": tr("selection"),
        "paragraph": tr("paragraph"),
        "before_cursor": tr("text before the cursor"),
        "document": tr("whole document"),
    }


def _output_names() -> dict[str, str]:
    return {
        "replace": tr("replaces it"),
        "insert_after": tr("inserted after it"),
        "panel": tr("shown in the side panel"),
    }


class TaskPalette(QDialog):
    chosen = Signal(str)  # task id

    def __init__(
        self, tasks: list[Task], parent: QWidget | None = None, writes: tuple[str, ...] = ()
    ) -> None:
        """writes: the languages the model that runs tasks writes (() when not known): a task whose
        answer must be in another is marked, before the writer picks it."""
        super().__init__(parent)
        self.setWindowTitle(tr("Tasks"))
        self.tasks = tasks
        self.results = QListWidget(self)
        chinese_first = current_language() == "zh_CN"
        reads, outputs = _reads_names(), _output_names()
        self._shown: dict[str, tuple[str, str]] = {}  # task id -> (its line, its tooltip)
        for task in tasks:
            # both labels, the interface's language first: either finds the task
            first, second = (
                (task.label_zh, task.label_en) if chinese_first else (task.label_en, task.label_zh)
            )
            text = f"{first} · {second}" if first != second else first
            if task.recommended:
                text += "   " + tr("(best with {models})").format(models=", ".join(task.recommended))
            if writes and task.answer_language in ("zh", "en") and task.answer_language not in writes:
                needs = {"zh": tr("Chinese"), "en": tr("English")}[task.answer_language]
                text += "   " + tr("(needs a model that writes {language})").format(language=needs)
            tip = tr("reads the {what}; result: {result}")
            self._shown[task.id] = (text, tip.format(what=reads[task.reads], result=outputs[task.output]))
        self.query = _FilterEdit(self.results)
        self.query.setPlaceholderText(tr("Type to find a task"))
        self.query.textChanged.connect(self.filter)
        self.query.returnPressed.connect(self._choose_current)
        self.results.itemActivated.connect(lambda _item: self._choose_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        self.resize(560, 420)
        self.filter("")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.query.setFocus()  # typing filters at once

    def filter(self, query: str) -> None:
        """Show the tasks the query finds, the best named first, and select the first."""
        self.results.clear()
        for task in ranked_matches(self.tasks, query):
            text, tip = self._shown[task.id]
            item = QListWidgetItem(text)
            item.setData(_TASK_ID, task.id)
            item.setToolTip(tip)
            self.results.addItem(item)
        self.results.setCurrentRow(0 if self.results.count() else -1)

    def visible_ids(self) -> list[str]:
        items = (self.results.item(r) for r in range(self.results.count()))
        return [item.data(_TASK_ID) for item in items if not item.isHidden()]

    def _choose_current(self) -> None:
        item = self.results.currentItem()
        if item is not None and not item.isHidden():
            self.accept()
            self.chosen.emit(item.data(_TASK_ID))

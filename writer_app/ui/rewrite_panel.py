"""The side panel for tasks on the text: pick one, watch candidates stream, Enter uses one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from writer_app.assist.tasks import Task
from writer_app.assist.wording import task_language
from writer_app.ui.i18n import tr

_CYCLE = (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft)  # Alt+] / Alt+[ as in the editor
_RAW = Qt.ItemDataRole.UserRole  # the candidate as generated; the list shows it trimmed


class _KeyList(QListWidget):
    """A list where Enter chooses (Ctrl+Enter: chooses to insert) and Esc cancels."""

    chosen = Signal(int)
    insertChosen = Signal(int)
    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentRow() >= 0:
                ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
                (self.insertChosen if ctrl else self.chosen).emit(self.currentRow())
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        if event.modifiers() == Qt.KeyboardModifier.AltModifier and event.key() in _CYCLE:
            step = 1 if event.key() == Qt.Key.Key_BracketRight else -1
            if self.count():
                self.setCurrentRow((self.currentRow() + step) % self.count())
            return
        if event.matches(QKeySequence.StandardKey.Copy) and self.currentItem() is not None:
            item = self.currentItem()
            QApplication.clipboard().setText((item.data(_RAW) or item.text()).strip())
            return
        super().keyPressEvent(event)


class RewritePanel(QDockWidget):
    modeChosen = Signal(str)  # mode id
    candidateChosen = Signal(int)  # candidate row: Enter
    candidateInsert = Signal(int)  # candidate row: Ctrl+Enter (inserts even what is only shown)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Rewrite"), parent)
        self.setObjectName("rewritePanel")
        self.modes: list[Task] = []
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel(tr("Task (Enter to run; Ctrl+K finds any task):")))
        self.mode_list = _KeyList()
        layout.addWidget(self.mode_list)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.enter_label = QLabel(tr("Candidates:"))
        self.enter_label.setWordWrap(True)
        layout.addWidget(self.enter_label)
        self.candidates = _KeyList()
        self.candidates.setWordWrap(True)
        self.candidates.setAlternatingRowColors(True)  # where one candidate of several lines ends
        layout.addWidget(self.candidates, 1)
        self.setWidget(body)
        self.mode_list.chosen.connect(lambda row: self.modeChosen.emit(self.modes[row].id))
        self.mode_list.itemDoubleClicked.connect(lambda _i: self.modeChosen.emit(self._current_mode()))
        self.candidates.chosen.connect(self.candidateChosen.emit)
        self.candidates.insertChosen.connect(self.candidateInsert.emit)
        self.candidates.itemDoubleClicked.connect(
            lambda _i: self.candidateChosen.emit(self.candidates.currentRow())
        )
        self.mode_list.cancelled.connect(self.cancelled.emit)
        self.candidates.cancelled.connect(self.cancelled.emit)

    def _current_mode(self) -> str:
        return self.modes[max(0, self.mode_list.currentRow())].id

    def set_tasks(self, tasks: list[Task]) -> None:
        """The tasks that rewrite a selection in place, the writer's own included."""
        self.modes = [t for t in tasks if t.reads == "selection" and t.output == "replace"]
        self.mode_list.clear()
        for task in self.modes:
            self.mode_list.addItem(task.label(task_language()))
        self.mode_list.setCurrentRow(0)
        self.mode_list.setMaximumHeight(self.mode_list.sizeHintForRow(0) * (min(len(self.modes), 12) + 1))

    def open_for(self, selection: str) -> None:
        preview = selection if len(selection) <= 160 else selection[:157] + "…"
        self.status.setText(tr("Selected: “{text}”").format(text=preview))
        self.candidates.clear()
        self.show()
        self.raise_()
        self.mode_list.setFocus()

    def start(self, label: str, count: int, enter_does: str = "") -> None:
        self.enter_label.setText(tr("Candidates:") + " " + enter_does if enter_does else tr("Candidates:"))
        writing = (
            tr("{task}: writing {count} candidates…") if count > 1 else tr("{task}: writing a candidate…")
        )
        self.status.setText(writing.format(task=label, count=count))
        self.candidates.clear()
        for _ in range(count):
            self.candidates.addItem(QListWidgetItem(""))
        self.candidates.setCurrentRow(0)
        self.candidates.setFocus()

    def append(self, row: int, text: str) -> None:
        item = self.candidates.item(row)
        if item is not None:
            raw = (item.data(_RAW) or "") + text
            item.setData(_RAW, raw)
            item.setText(raw.strip())

    def show_candidates(self, texts: list[str], marks: list[str] | None = None) -> None:
        """The candidates in their final order, each with what of its form holds below it. The one the
        writer was on stays selected wherever it moved (the highlight once jumped to another text when
        the ranking came in)."""
        current = self.candidates.currentItem()
        chosen = (
            (current.data(_RAW) or "").strip()
            if current is not None and self.candidates.currentRow() > 0
            else None
        )
        self.candidates.clear()
        marks = marks or []
        for row, text in enumerate(texts):
            mark = marks[row] if row < len(marks) else ""
            item = QListWidgetItem(text.strip() + ("\n" + mark if mark else ""))
            item.setData(_RAW, text)
            if mark:
                item.setToolTip(mark)
            self.candidates.addItem(item)
        rows = [r for r, text in enumerate(texts) if chosen is not None and text.strip() == chosen]
        self.candidates.setCurrentRow(rows[0] if rows else 0)

    def done(self, message: str) -> None:
        self.status.setText(message)

    def copy_candidate(self, row: int) -> bool:
        text = self.candidate_text(row)
        if text:
            QApplication.clipboard().setText(text)
        return bool(text)

    def candidate_text(self, row: int) -> str:
        item = self.candidates.item(row)
        return (item.data(_RAW) or "").strip() if item is not None else ""

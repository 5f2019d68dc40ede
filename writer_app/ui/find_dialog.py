"""Find and replace, non-modal."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from writer_app.ui.i18n import tr


class FindReplaceDialog(QDialog):
    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Find and Replace"))
        self.editor = editor
        self.find_edit = QLineEdit()
        self.replace_edit = QLineEdit()
        self.case = QCheckBox(tr("Match case"))
        self.result = QLabel("")
        grid = QGridLayout(self)
        grid.addWidget(QLabel(tr("Find:")), 0, 0)
        grid.addWidget(self.find_edit, 0, 1)
        grid.addWidget(QLabel(tr("Replace with:")), 1, 0)
        grid.addWidget(self.replace_edit, 1, 1)
        grid.addWidget(self.case, 2, 1)
        buttons = [
            (tr("Find next"), self.find_next),
            (tr("Replace"), self.replace_one),
            (tr("Replace all"), self.replace_all),
        ]
        for column, (label, slot) in enumerate(buttons):
            button = QPushButton(label)
            button.clicked.connect(slot)
            grid.addWidget(button, 3 + column, 1)
        grid.addWidget(self.result, 6, 0, 1, 2)
        self.find_edit.returnPressed.connect(self.find_next)

    def _flags(self) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        return flags

    def find_next(self) -> bool:
        needle = self.find_edit.text()
        if not needle:
            return False
        doc = self.editor.document()
        found = doc.find(needle, self.editor.textCursor(), self._flags())
        if found.isNull():  # wrap around
            found = doc.find(needle, 0, self._flags())
        if found.isNull():
            self.result.setText(tr("Not found"))
            return False
        self.editor.setTextCursor(found)
        self.result.setText("")
        return True

    def _selection_matches(self) -> bool:
        selected = self.editor.textCursor().selectedText()
        needle = self.find_edit.text()
        return selected == needle if self.case.isChecked() else selected.lower() == needle.lower()

    def replace_one(self) -> None:
        if self.editor.textCursor().hasSelection() and self._selection_matches():
            self.editor.textCursor().insertText(self.replace_edit.text())
        self.find_next()

    def replace_all(self) -> int:
        needle = self.find_edit.text()
        if not needle:
            return 0
        doc = self.editor.document()
        count = 0
        cursor = self.editor.textCursor()
        cursor.beginEditBlock()  # one undo step for all replacements
        found = doc.find(needle, 0, self._flags())
        while not found.isNull():
            found.insertText(self.replace_edit.text())
            count += 1
            found = doc.find(needle, found, self._flags())
        cursor.endEditBlock()
        self.result.setText(tr("Replaced {count}").format(count=count))
        return count

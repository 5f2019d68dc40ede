"""A stateful fuzz test of the editor: random sequences of what a writer does, checked against a plain
Python model of the text.

Rules: type (keys, CJK through the input method), paste, suggest (answers streamed by the test),
accept, accept a word, cycle, dismiss, type through the ghost, undo, redo, rewrite and apply or
cancel, save, reopen, a change by another program, and a crash followed by recovery.
Invariants after every step: the document is exactly the model's text (every code point); ghost text
is never in the document, a saved file, a recovery copy or the undo history.

CI runs a short profile. The long one:
    WRITER_APP_FUZZ_EXAMPLES=1000 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest \
        tests/test_editor_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.fixtures_models import CHATML_TEMPLATE
from writer_app.assist.requests import AssistRequest, ModelInfo, RequestKind
from writer_app.document.recovery import RecoveryStore
from writer_app.document.textfile import read_text_file
from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.generate import GenerationResult, GenerationStats
from writer_app.settings import Settings
from writer_app.ui.main_window import MainWindow

EXAMPLES = int(os.environ.get("WRITER_APP_FUZZ_EXAMPLES", "25"))
ASCII = st.text(alphabet="abcdefgh xyz,.", min_size=1, max_size=6)
# Characters Qt counts differently from Python (UTF-16 units against code points) or that are more than
# one code point to the eye: emoji, a ZWJ sequence, a skin tone, supplementary-plane CJK, combining marks.
WIDE = ["😀", "👩\u200d💻", "👍🏽", "𠀀", "𪚥", "e\u0301", "𝒜"]
SYMBOLS = [*"ab cd\n\t,.", "\u00a0", "\u2028", "\r\n", "\ufdd0", "\ufdd1", "中", "文", "é", *WIDE]
ANY_TEXT = st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=8).map("".join)
CJK = st.lists(st.sampled_from([*"山水我们在上", "𠀀", "𪚥"]), min_size=1, max_size=4).map("".join)
GHOST = st.lists(st.sampled_from([*"mnop qrs", *WIDE]), min_size=1, max_size=8).map("".join)


class Harness:
    """One window for the whole run; each example starts it on a new, empty document."""

    window: MainWindow | None = None
    folder: Path

    @classmethod
    def get(cls) -> MainWindow:
        if cls.window is None:
            cls.folder = Path(tempfile.mkdtemp(prefix="writer-app-fuzz-"))
            os.environ["WRITER_APP_HOME"] = str(cls.folder / "home")
            QApplication.instance() or QApplication([])
            window = MainWindow(Settings(alternatives=2), model=None, save_settings_on_close=False)
            window.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
            window.files.ask_overwrite_changed = lambda _path: QMessageBox.StandardButton.Save
            window.files.ask_reload = lambda _path: False
            window.show()
            end = 200
            while window.session.model.error is None and end:
                QApplication.processEvents()
                QTest.qWait(20)
                end -= 1
            # No model: the test answers every request itself.
            window.session.model_loaded(ModelInfo("fuzz", 1024, True, ChatTemplate(CHATML_TEMPLATE), 0.0, 1))
            window.submitted: list[AssistRequest] = []
            window.bridge.host.submit = window.submitted.append
            cls.window = window
        return cls.window


class EditorMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.w = Harness.get()
        self.w.files.new_file()
        self.w.editor.document().clearUndoRedoStacks()
        self.text = ""  # the model: what the writer has put in the document (line breaks as "\n")
        self.newline = "\n"  # the file's line break
        self.seen = {""}  # every state the document has been in (undo may only go back to these)
        self.path = Harness.folder / "doc.txt"
        self.path.unlink(missing_ok=True)
        self.saved: str | None = None
        self.w.files.path = self.path
        self.w.editor.setFocus()

    # --- helpers ---
    @property
    def editor(self):
        return self.w.editor

    def cursor(self) -> int:
        """The cursor as an index into self.text (Qt counts UTF-16 units: an emoji is two)."""
        units = self.editor.textCursor().position()
        return len(self.text.encode("utf-16-le")[: 2 * units].decode("utf-16-le"))

    def move_to(self, where: int) -> None:
        index = max(0, min(where, len(self.text)))
        cursor = self.editor.textCursor()
        cursor.setPosition(len(self.text[:index].encode("utf-16-le")) // 2)
        self.editor.setTextCursor(cursor)

    def collapse(self) -> None:
        """No selection: what the writer types goes in at the cursor (the model does not replace)."""
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.editor.setTextCursor(cursor)

    def synced(self) -> None:
        self.seen.add(self.text)

    def file_text(self) -> str:
        """The model's text as the file holds it."""
        return self.text.replace("\n", self.newline)

    def from_file(self, text: str) -> str:
        return text.replace(self.newline, "\n")

    # --- writing ---
    @rule(text=ASCII, where=st.integers(0, 10_000))
    def type_keys(self, text, where):
        self.move_to(where)
        at = self.cursor()
        QTest.keyClicks(self.editor, text)
        self.text = self.text[:at] + text + self.text[at:]
        self.synced()

    @rule(text=CJK)
    def type_chinese(self, text):
        self.collapse()
        at = self.cursor()
        composing = QInputMethodEvent("shan", [])
        self.editor.inputMethodEvent(composing)
        commit = QInputMethodEvent()
        commit.setCommitString(text)
        self.editor.inputMethodEvent(commit)
        self.text = self.text[:at] + text + self.text[at:]
        self.synced()

    @rule(text=ANY_TEXT)
    def paste(self, text):
        self.collapse()
        at = self.cursor()
        self.editor.insertPlainText(text)
        text = text.replace("\r\n", "\n")  # a pasted line break is one break, saved as the file's
        self.text = self.text[:at] + text + self.text[at:]
        self.synced()

    # --- suggestions ---
    @rule(first=GHOST, second=GHOST)
    def suggest(self, first, second):
        QTest.keyClick(self.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
        requests = [r for r in self.w.submitted if r.kind is RequestKind.CONTINUE]
        if not requests:
            return
        request = requests[-1]
        self.w.session.chunk(request.request_id, 0, first)
        self.w.session.chunk(request.request_id, 1, second)
        self.w.session.finished(request.request_id, GenerationResult([], GenerationStats(prompt_tokens=3)))

    @precondition(lambda self: bool(self.w.editor.ghost_text))
    @rule()
    def accept(self):
        event("accepted a suggestion")
        at, ghost = self.cursor(), self.editor.ghost_text
        QTest.keyClick(self.editor, Qt.Key.Key_Tab)
        self.text = self.text[:at] + ghost + self.text[at:]
        self.synced()

    @precondition(lambda self: bool(self.w.editor.ghost_text))
    @rule()
    def accept_word(self):
        at, before = self.cursor(), self.editor.ghost_text
        QTest.keyClick(self.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
        after = self.editor.ghost_text
        taken = before[: len(before) - len(after)] if before.endswith(after) else before
        self.text = self.text[:at] + taken + self.text[at:]
        self.synced()

    @precondition(lambda self: bool(self.w.editor.ghost_text))
    @rule()
    def type_through(self):
        event("typed through a suggestion")
        at, first = self.cursor(), self.editor.ghost_text[0]
        if first.isascii():
            QTest.keyClick(self.editor, first if first != " " else Qt.Key.Key_Space)
        else:  # what a key cannot type comes from the input method (or an emoji picker)
            commit = QInputMethodEvent()
            commit.setCommitString(first)
            self.editor.inputMethodEvent(commit)
        self.text = self.text[:at] + first + self.text[at:]
        self.synced()

    @rule()
    def cycle(self):
        QTest.keyClick(self.editor, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)

    @rule()
    def dismiss(self):
        QTest.keyClick(self.editor, Qt.Key.Key_Escape)

    # --- undo ---
    @rule()
    def undo(self):
        self.editor.undo()
        self.text = self.from_file(self.w.files.text())  # Qt decides the steps; checked below
        assert self.text in self.seen, "undo brought back a state the writer never had (ghost text?)"

    @rule()
    def redo(self):
        self.editor.redo()
        self.text = self.from_file(self.w.files.text())
        assert self.text in self.seen, "redo brought back a state the writer never had"

    # --- rewrite ---
    @rule(start=st.integers(0, 50), length=st.integers(1, 8), candidate=GHOST, apply=st.booleans())
    def rewrite(self, start, length, candidate, apply):
        start = min(start, len(self.text))
        end = min(len(self.text), start + length)
        if end <= start:
            return
        units = lambda index: len(self.text[:index].encode("utf-16-le")) // 2  # noqa: E731
        cursor = self.editor.textCursor()
        cursor.setPosition(units(start))
        cursor.setPosition(units(end), QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.w.open_rewrite()
        self.w.run_rewrite("shorter")
        request = [r for r in self.w.submitted if r.kind is RequestKind.REWRITE][-1]
        self.w.session.chunk(request.request_id, 0, candidate)
        self.w.session.finished(request.request_id, GenerationResult([], GenerationStats(prompt_tokens=3)))
        if apply and candidate.strip() and self.w.apply_rewrite(0):
            event("applied a rewrite")
            self.text = self.text[:start] + candidate.strip() + self.text[end:]
            self.synced()
        else:
            self.w.cancel_rewrite()

    # --- files ---
    @rule()
    def save_and_check(self):
        assert self.w.files.write_to(self.path)
        assert self.path.read_bytes() == self.file_text().encode("utf-8")
        self.saved = self.text

    @precondition(lambda self: self.saved is not None)
    @rule()
    def reopen(self):
        assert self.w.files.open_path(self.path, ask_to_save=False)  # unsaved changes are dropped
        self.text = self.saved
        assert read_text_file(self.path).text == self.saved.replace("\u2029", "\n")
        self.editor.document().clearUndoRedoStacks()
        self.seen = {self.text}

    @rule(text=ANY_TEXT)
    def open_a_crlf_file(self, text):
        """A file written on Windows: its CRLF line breaks are kept through edits and saves."""
        text = text.replace("\r\n", "\n")
        self.path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        assert self.w.files.open_path(self.path, ask_to_save=False)
        # a file with no line break has none to learn: new ones are the platform's own
        self.newline = "\r\n" if "\n" in text else "\n"
        self.text = self.saved = text
        self.editor.document().clearUndoRedoStacks()
        self.seen = {self.text}

    @precondition(lambda self: self.path.exists())
    @rule(extra=ASCII)
    def changed_by_another_program(self, extra):
        self.path.write_bytes(self.path.read_bytes() + extra.encode())
        self.save_and_check()  # the writer answers Overwrite: their text wins, as they asked

    @rule()
    def crash_and_recover(self):
        if not self.editor.document().isModified():
            return
        self.w.hot_exit.flush()
        self.w.hot_exit.wait()
        event("recovered after a crash")
        store = RecoveryStore()
        [copy_file] = list(store.folder.glob("*.recovery.json"))
        assert store.load(copy_file).text == self.file_text()  # nothing typed is lost, not a character more

    # --- invariants ---
    @invariant()
    def document_is_the_writers_text(self):
        assert self.w.files.text() == self.file_text()

    @invariant()
    def ghost_text_is_only_shown(self):
        ghost = self.editor.ghost_text
        if ghost:
            assert self.editor.toPlainText() == self.editor.document().toPlainText()
            assert self.w.files.text() == self.file_text()


TestEditorFuzz = EditorMachine.TestCase
TestEditorFuzz.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True, scope="module")
def _close_the_window():
    yield
    if Harness.window is not None:
        Harness.window.editor.document().setModified(False)
        Harness.window.close()
        Harness.window = None

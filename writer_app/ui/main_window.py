"""The main window: file handling, the editor, suggestions and rewrites routed to the model worker."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
)

from writer_app.assist.prompts import (
    CONTINUATION_PROMPT_TOKENS,
    continuation_context,
    mode_by_id,
    rewrite_prompt,
)
from writer_app.engine.sampling import SamplingParams
from writer_app.engine.text_codec import CJK_LETTERS
from writer_app.errors import UserError
from writer_app.models.store import ModelStore
from writer_app.settings import Settings, save_settings
from writer_app.textfile import NeedsEncoding, read_text_file, save_text_atomic
from writer_app.ui.find_dialog import FindReplaceDialog
from writer_app.ui.ghost_editor import GhostTextEdit
from writer_app.ui.rewrite_panel import RewritePanel
from writer_app.ui.settings_dialog import SettingsDialog
from writer_app.ui.themes import GHOST_COLORS, apply_theme
from writer_app.ui.worker import GenerationRequest, ModelInfo, WorkerHost

log = logging.getLogger(__name__)
APP_TITLE = "writer_app"
NO_MODEL_HINT = "No model installed: run 'writer-app models install-default' in a terminal."
WARM_DELAY_MS = 300  # a pause this long in typing or moving the cursor warms the model's cache
_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")
_WORD = re.compile(f"[^\\W{CJK_LETTERS}]+")


def count_words(text: str) -> int:
    """Words as writers count them: runs of letters/digits, and each CJK character as one word."""
    return len(_WORD.findall(text)) + len(_CJK_CHAR.findall(text))


def estimate_tokens(text: str) -> int:
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + (len(text) - cjk) // 4 + 1


@dataclass
class RewriteTarget:
    start: int
    end: int
    text: str
    revision: int


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        *,
        model: str | None = None,
        startup_messages: list[str] | None = None,
        save_settings_on_close: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.model_override = model
        self.save_settings_on_close = save_settings_on_close
        self.path: Path | None = None
        self.encoding = "utf-8"
        self.newline = "\n"
        self.model_info: ModelInfo | None = None
        self.model_error: str | None = None
        self.last_stats = None
        self._next_request = 0
        self._requests: dict[int, GenerationRequest] = {}
        self._rewrite_request: int | None = None
        self._rewrite_target: RewriteTarget | None = None
        self._closing = False

        self.editor = GhostTextEdit(self)
        self.setCentralWidget(self.editor)
        self.rewrite_panel = RewritePanel(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.rewrite_panel)
        self.rewrite_panel.hide()
        self.find_dialog: FindReplaceDialog | None = None

        self.counts_label = QLabel()
        self.speed_label = QLabel()
        self.model_label = QLabel("Model: loading…")
        for label in (self.speed_label, self.counts_label, self.model_label):
            self.statusBar().addPermanentWidget(label)

        self.host = WorkerHost(self)
        worker = self.host.worker
        worker.modelLoaded.connect(self._on_model_loaded)
        worker.modelFailed.connect(self._on_model_failed)
        worker.chunk.connect(self._on_chunk)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)

        self.editor.suggestRequested.connect(self.request_suggestion)
        self.editor.suggestionDismissed.connect(self._cancel_request)
        self.editor.typingPaused.connect(self._restart_auto_suggest)
        self.editor.document().modificationChanged.connect(self.setWindowModified)
        self.editor.textChanged.connect(self._count_timer_start)
        self.rewrite_panel.modeChosen.connect(self.run_rewrite)
        self.rewrite_panel.candidateChosen.connect(self.apply_rewrite)
        self.rewrite_panel.cancelled.connect(self.cancel_rewrite)

        self._auto_timer = QTimer(self, singleShot=True)
        self._auto_timer.timeout.connect(self._auto_suggest)
        # When the writer pauses, the text before the cursor is run into the model's cache, so the
        # next suggestion starts from there: the first one after opening a long document too.
        self._warm_timer = QTimer(self, singleShot=True, interval=WARM_DELAY_MS)
        self._warm_timer.timeout.connect(self.warm_cache)
        self.editor.typingPaused.connect(self._warm_timer.start)
        self.editor.cursorPositionChanged.connect(self._warm_timer.start)
        self._count_timer = QTimer(self, singleShot=True, interval=250)
        self._count_timer.timeout.connect(self.update_counts)

        self._build_menus()
        self.apply_settings(settings)
        self._update_title()
        self.update_counts()
        self.resize(1000, 700)
        for message in startup_messages or []:
            self.statusBar().showMessage(message, 10000)
        self.load_model()

    # --- menus ------------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&New", self.new_file, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file_menu, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(file_menu, "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self._action(edit, "&Undo", self.editor.undo, QKeySequence.StandardKey.Undo)
        self._action(edit, "&Redo", self.editor.redo, QKeySequence.StandardKey.Redo)
        edit.addSeparator()
        self._action(edit, "Cu&t", self.editor.cut, QKeySequence.StandardKey.Cut)
        self._action(edit, "&Copy", self.editor.copy, QKeySequence.StandardKey.Copy)
        self._action(edit, "&Paste", self.editor.paste, QKeySequence.StandardKey.Paste)
        edit.addSeparator()
        self._action(edit, "&Find and Replace…", self.show_find, QKeySequence.StandardKey.Find)

        view = bar.addMenu("&View")
        self._action(view, "Zoom &In", lambda: self.editor.zoomIn(1), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "Zoom &Out", lambda: self.editor.zoomOut(1), QKeySequence.StandardKey.ZoomOut)
        self._action(view, "&Reset Zoom", self._reset_zoom, "Ctrl+0")
        view.addSeparator()
        self.wrap_action = self._action(view, "Soft &Wrap", self._toggle_wrap, checkable=True)
        self.dark_action = self._action(view, "&Dark Theme", self._toggle_dark, checkable=True)

        assist = bar.addMenu("&Assist")
        # Ctrl+Space is handled by the editor itself (it must work while ghost text is showing).
        suggest = self._action(assist, "&Suggest Continuation\tCtrl+Space", self.request_suggestion)
        suggest.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._action(assist, "&Rewrite Selection…", self.open_rewrite, "Ctrl+R")
        assist.addSeparator()
        self._action(assist, "Se&ttings…", self.show_settings, QKeySequence.StandardKey.Preferences)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keys", self._show_keys)

    def _show_keys(self) -> None:
        QMessageBox.information(
            self,
            "Keys",
            "Ctrl+Space  suggest a continuation\nTab  accept it\nCtrl+Right  accept one word\n"
            "Alt+] / Alt+[  next / previous alternative\nEsc  dismiss (typing on also dismisses)\n"
            "Ctrl+R  rewrite the selection (Enter replaces, Esc keeps it)",
        )

    # --- settings and look --------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        font = QFont(settings.font_family) if settings.font_family else self.editor.font()
        font.setPointSize(settings.font_size)
        self.editor.setFont(font)
        self.wrap_action.setChecked(settings.soft_wrap)
        self._toggle_wrap(settings.soft_wrap)
        self.dark_action.setChecked(settings.theme == "dark")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.editor.set_ghost_color(GHOST_COLORS.get(settings.theme, GHOST_COLORS["light"]))
        self._auto_timer.setInterval(settings.auto_suggest_delay_ms)

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, ModelStore().names(), self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        new = dialog.result_settings()
        reload = (new.model, new.threads) != (self.settings.model, self.settings.threads)
        self.apply_settings(new)
        self._save_settings()
        if reload:
            self.model_override = None
            self.load_model()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.statusBar().showMessage(f"Could not save settings: {exc}", 8000)

    def _reset_zoom(self) -> None:
        font = self.editor.font()
        font.setPointSize(self.settings.font_size)
        self.editor.setFont(font)

    def _toggle_wrap(self, on: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.editor.setLineWrapMode(mode)
        self.settings.soft_wrap = bool(on)

    def _toggle_dark(self, on: bool) -> None:
        self.settings.theme = "dark" if on else "light"
        self.apply_settings(self.settings)

    # --- model ------------------------------------------------------------------------------------
    def load_model(self) -> None:
        ref = self.model_override or self.settings.model
        self.model_info, self.model_error = None, None
        self.model_label.setText("Model: loading…")
        self.host.load_model(ref or "", self.settings.threads)

    @Slot(object)
    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.model_info, self.model_error = info, None
        kind = "instructions" if info.follows_instructions else "continuation"
        self.model_label.setText(f"Model: {info.name}")
        self.model_label.setToolTip(
            f"{info.name}: {kind} model, context {info.context_length} tokens, "
            f"{info.threads} threads, loaded in {info.load_ms:.0f} ms"
        )
        self.statusBar().showMessage(f"Model {info.name} ready. Ctrl+Space suggests, Ctrl+R rewrites.", 6000)
        self._warm_timer.start()

    @Slot(str)
    def _on_model_failed(self, message: str) -> None:
        self.model_info, self.model_error = None, message
        self.model_label.setText("Model: none")
        self.model_label.setToolTip(message)
        hint = NO_MODEL_HINT if "no model is installed" in message else message
        self.statusBar().showMessage(hint, 15000)

    def _no_model_message(self) -> bool:
        """True (and says why) when no model can serve a request. While one loads, requests queue."""
        if self.model_error is None:
            return False
        hint = NO_MODEL_HINT if "no model is installed" in self.model_error else self.model_error
        self.statusBar().showMessage(hint, 10000)
        return True

    def _sampling(self) -> SamplingParams:
        s = self.settings
        return SamplingParams(greedy=s.greedy, temperature=s.temperature, top_p=s.top_p)

    def _new_request(self, kind: str, prompt: str, **kwargs) -> GenerationRequest:
        self._next_request += 1
        request = GenerationRequest(
            request_id=self._next_request,
            kind=kind,
            prompt=prompt,
            revision=self.editor.revision,
            sampling=self._sampling(),
            **kwargs,
        )
        self._requests[request.request_id] = request
        return request

    # --- continuation ---------------------------------------------------------------------------------
    @Slot()
    def request_suggestion(self) -> None:
        if self._no_model_message() or self.editor.composing:
            return
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.editor.setTextCursor(cursor)
        self._cancel_warming()
        request = self._continuation_request(
            "continue",
            num_alternatives=self.settings.alternatives,
            stop_at="sentence" if self.settings.stop_at_sentence else None,
        )
        self.editor.start_suggestion(request.request_id, request.num_alternatives)
        self.speed_label.setText("thinking…")
        self.host.submit(request)

    def _continuation_request(self, kind: str, **kwargs) -> GenerationRequest:
        """A request on the text before the cursor. Suggestions and warm-ups share it, so a warm-up
        runs exactly the window (prompt, token limits) the next suggestion reuses."""
        before = self.editor.toPlainText()[: self.editor.textCursor().position()]
        return self._new_request(
            kind,
            continuation_context(before),
            max_new_tokens=self.settings.suggestion_tokens,
            max_prompt_tokens=CONTINUATION_PROMPT_TOKENS,
            **kwargs,
        )

    @Slot(int)
    def _cancel_request(self, request_id: int) -> None:
        self.host.cancel(request_id)

    @Slot()
    def warm_cache(self) -> None:
        """Run the text before the cursor into the cache, unless the model is busy with the writer's
        own request. A newer warm-up, suggestion or rewrite cancels it within one prefill chunk."""
        editor = self.editor
        busy = any(r.kind != "warm" for r in self._requests.values())
        if self.model_info is None or busy or editor.suggestion is not None or editor.composing:
            return
        self._cancel_warming()
        self.host.submit(self._continuation_request("warm"))

    def _cancel_warming(self) -> None:
        for request in self._requests.values():
            if request.kind == "warm":
                request.cancel.set()

    def _restart_auto_suggest(self) -> None:
        if self.settings.auto_suggest:
            self._auto_timer.start()

    def _auto_suggest(self) -> None:
        editor = self.editor
        if not self.settings.auto_suggest or self.model_info is None or editor.suggestion is not None:
            return
        cursor = editor.textCursor()
        if editor.composing or cursor.hasSelection() or not editor.hasFocus():
            return
        following = editor.document().characterAt(cursor.position())
        if following and not following.isspace() and following != "\u2029":
            return  # mid-word: a suggestion would split it
        self.request_suggestion()

    # --- worker results -----------------------------------------------------------------------------
    @Slot(int, int, str)
    def _on_chunk(self, request_id: int, row: int, text: str) -> None:
        request = self._requests.get(request_id)
        if request is None:
            return
        if request.kind == "rewrite":
            if request_id == self._rewrite_request:
                self.rewrite_panel.append(row, text)
        else:
            self.editor.append_suggestion(request_id, row, text)  # dropped if stale

    @Slot(int, object)
    def _on_finished(self, request_id: int, result) -> None:
        request = self._requests.pop(request_id, None)
        if request is None or result is None:
            return
        if not request.cancel.is_set():
            self.last_stats = result.stats
        self._show_speed()
        if request.kind == "rewrite":
            if request_id == self._rewrite_request:
                self._rewrite_request = None
                self.rewrite_panel.done(
                    "Enter replaces the selection with the highlighted candidate; Esc keeps it."
                )
        else:
            self.editor.finish_suggestion(request_id)

    def _show_speed(self) -> None:
        """The last completed suggestion's time to first token and speed (cancelled ones do not count)."""
        stats = self.last_stats
        if stats is None:
            self.speed_label.setText("")
            return
        speed = f"first token {stats.first_token_ms:.0f} ms · {stats.tokens_per_s:.0f} tok/s"
        self.speed_label.setText(speed)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        request = self._requests.pop(request_id, None)
        if request is not None and request.kind == "warm":
            return  # e.g. "no model is loaded": the writer asked for nothing
        self.statusBar().showMessage(message, 10000)
        self._show_speed()
        if request is not None and request.kind == "continue":
            if self.editor.suggestion is not None and self.editor.suggestion.request_id == request_id:
                self.editor.dismiss_suggestion(notify=False)
        elif request_id == self._rewrite_request:
            self._rewrite_request = None
            self.rewrite_panel.done(message)

    # --- rewrite ------------------------------------------------------------------------------------
    def open_rewrite(self) -> None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            self.statusBar().showMessage("Select the passage to rewrite first.", 6000)
            return
        self.editor.dismiss_suggestion()
        text = cursor.selection().toPlainText()
        self._rewrite_target = RewriteTarget(
            cursor.selectionStart(), cursor.selectionEnd(), text, self.editor.revision
        )
        self.rewrite_panel.open_for(text)

    @Slot(str)
    def run_rewrite(self, mode_id: str) -> None:
        target = self._rewrite_target
        if target is None or self._no_model_message():
            return
        if self._rewrite_request is not None:
            self.host.cancel(self._rewrite_request)
        self._cancel_warming()
        mode = mode_by_id(mode_id)
        info = self.model_info
        instruct = info is not None and info.follows_instructions
        plan = rewrite_prompt(
            mode,
            target.text,
            selection_tokens=estimate_tokens(target.text),
            prompt_format=info.prompt_format if instruct and info is not None else None,
        )
        request = self._new_request(
            "rewrite",
            plan.prompt,
            max_new_tokens=plan.max_new_tokens,
            num_alternatives=self.settings.alternatives,
            stop_at=plan.stop_at,
        )
        self._rewrite_request = request.request_id
        self.rewrite_panel.start(mode.label, request.num_alternatives)
        self.host.submit(request)

    @Slot(int)
    def apply_rewrite(self, row: int) -> bool:
        target = self._rewrite_target
        replacement = self.rewrite_panel.candidate_text(row).strip()
        if target is None or not replacement:
            return False
        current = self.editor.toPlainText()[target.start : target.end]
        if self.editor.revision != target.revision or current != target.text:
            self.rewrite_panel.done("The text changed since the rewrite began; select it and try again.")
            return False
        self.cancel_rewrite()
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(target.start)
        cursor.setPosition(target.end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()  # the replacement is one undo step
        cursor.insertText(replacement)
        cursor.endEditBlock()
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        self.statusBar().showMessage("Replaced. Ctrl+Z restores the original.", 6000)
        return True

    @Slot()
    def cancel_rewrite(self) -> None:
        if self._rewrite_request is not None:
            self.host.cancel(self._rewrite_request)
            self._rewrite_request = None
        self._rewrite_target = None
        self.rewrite_panel.hide()
        self.editor.setFocus()

    # --- files --------------------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_TITLE}")

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        name = self.path.name if self.path else "Untitled"
        return QMessageBox.question(self, APP_TITLE, f"Save changes to {name}?", buttons)

    def maybe_save(self) -> bool:
        """True when it is safe to drop the current text (saved, discarded on purpose, or unmodified)."""
        if not self.editor.document().isModified():
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_file(self) -> None:
        if not self.maybe_save():
            return
        self.editor.dismiss_suggestion()
        self.editor.setPlainText("")
        self.path, self.encoding, self.newline = None, "utf-8", "\n"
        self.editor.document().setModified(False)
        self._update_title()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Open", str(self.path.parent if self.path else Path.home())
        )
        if name:
            self.open_path(Path(name), ask_to_save=False)

    def ask_encoding(self, path: Path, candidates: list[str]) -> str | None:
        options = candidates or ["latin-1"]
        choice, ok = QInputDialog.getItem(
            self, APP_TITLE, f"{path.name} is not UTF-8. Open it as:", options, 0, False
        )
        return choice if ok else None

    def open_path(self, path: Path, *, ask_to_save: bool = True) -> bool:
        if ask_to_save and not self.maybe_save():
            return False
        if not path.exists():
            # A new file: opened empty, created on first save.
            self.editor.setPlainText("")
            self.path, self.encoding, self.newline = path, "utf-8", "\n"
            self.editor.document().setModified(False)
            self._update_title()
            return True
        try:
            try:
                loaded = read_text_file(path)
            except NeedsEncoding as need:
                encoding = self.ask_encoding(path, need.candidates)
                if encoding is None:
                    return False
                loaded = read_text_file(path, encoding)
        except UserError as exc:
            QMessageBox.warning(self, APP_TITLE, str(exc))
            return False
        self.editor.dismiss_suggestion()
        self.editor.setPlainText(loaded.text)
        self.path, self.encoding, self.newline = path, loaded.encoding, loaded.newline
        self.editor.document().setModified(False)
        self.settings.add_recent(str(path))
        self._update_title()
        if loaded.encoding not in ("utf-8", "utf-8-sig"):
            self.statusBar().showMessage(f"Opened as {loaded.encoding}; saved in the same encoding.", 8000)
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for name in self.settings.recent_files:
            action = self.recent_menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(Path(n)))
        if not self.settings.recent_files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path.home() / "Untitled.txt")
        name, _ = QFileDialog.getSaveFileName(self, "Save As", start)
        if not name:
            return False
        return self.write_to(Path(name))

    def write_to(self, path: Path) -> bool:
        try:
            save_text_atomic(path, self.editor.toPlainText(), self.encoding, self.newline)
        except UserError as exc:
            QMessageBox.critical(self, APP_TITLE, str(exc))
            return False
        self.path = path
        self.editor.document().setModified(False)
        self.settings.add_recent(str(path))
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # --- find, counts -------------------------------------------------------------------------------
    def show_find(self) -> None:
        if self.find_dialog is None:
            self.find_dialog = FindReplaceDialog(self.editor, self)
        selected = self.editor.textCursor().selectedText()
        if selected:
            self.find_dialog.find_edit.setText(selected)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.find_edit.setFocus()

    def _count_timer_start(self) -> None:
        self._count_timer.start()

    def update_counts(self) -> None:
        text = self.editor.toPlainText()
        self.counts_label.setText(f"{count_words(text)} words · {len(text)} characters")

    # --- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closing and not self.maybe_save():
            event.ignore()
            return
        self._closing = True
        self.editor.dismiss_suggestion()
        self.host.shutdown()
        if self.save_settings_on_close:
            self._save_settings()
        event.accept()

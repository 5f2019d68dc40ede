"""The main window: menus, files, find, counts and settings. Suggestions and rewrites belong to the
writing session (assist/session.py); SessionBridge connects it to this window's widgets."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QByteArray, QLocale, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
)

from writer_app.assist.notes import DocumentNotes
from writer_app.assist.ports import ModelState
from writer_app.document.sidecar import Sidecar, read_sidecar, write_sidecar
from writer_app.errors import UserError
from writer_app.models.catalog import writer_language
from writer_app.models.store import ModelStore
from writer_app.remote.server_config import ServerChoice, is_this_computer, save_api_key
from writer_app.settings import Settings, save_settings
from writer_app.ui.about import about_text
from writer_app.ui.document_files import APP_TITLE, DocumentFiles
from writer_app.ui.find_dialog import FindReplaceDialog
from writer_app.ui.first_run import FirstRunDialog
from writer_app.ui.ghost_editor import GhostTextEdit
from writer_app.ui.hot_exit import HotExit
from writer_app.ui.i18n import tr
from writer_app.ui.menus import build_menus, keys_help
from writer_app.ui.model_manager import ModelManager
from writer_app.ui.model_roles import continuation_model, with_instruction_model
from writer_app.ui.notes_panel import NotesPanel
from writer_app.ui.rewrite_panel import RewritePanel
from writer_app.ui.session_bridge import SessionBridge
from writer_app.ui.settings_dialog import SettingsDialog
from writer_app.ui.task_palette import TaskPalette
from writer_app.ui.themes import GHOST_COLORS, apply_theme
from writer_app.ui.word_count import WordCounter, counts_text

log = logging.getLogger(__name__)


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
        self._closing = False

        self.editor = GhostTextEdit(self)
        self.setCentralWidget(self.editor)
        self.rewrite_panel = RewritePanel(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.rewrite_panel)
        self.rewrite_panel.hide()
        self.find_dialog: FindReplaceDialog | None = None
        self.model_manager: ModelManager | None = None
        self.first_run: FirstRunDialog | None = None
        self.task_palette: TaskPalette | None = None

        self.bridge = SessionBridge(settings, self.editor, self.rewrite_panel, self.statusBar(), self)
        self.session = self.bridge.session
        self.rewrite_panel.set_tasks(self.session.tasks)
        self.files = DocumentFiles(self, self.editor, self.session, lambda: self.settings)
        self.files.titleChanged.connect(self._update_title)
        self.notes_panel = NotesPanel(self)
        self.sidecar, self._sidecar_of = Sidecar(), None  # the memory's file, as last read or written
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.notes_panel)
        self.notes_panel.hide()
        self.notes_panel.notesChanged.connect(self.notes_changed)
        self.files.opened.connect(self._load_notes)
        self.files.saved.connect(self._save_notes)
        self.hot_exit = HotExit(self, self.files)
        self._keep_recovery = False
        self.counts_label = QLabel()
        bridge = self.bridge
        for label in (
            bridge.where_label,
            bridge.speed_label,
            self.counts_label,
            bridge.loading_bar,
            bridge.model_label,
            bridge.instruction_label,
        ):
            self.statusBar().addPermanentWidget(label)

        self.editor.document().modificationChanged.connect(self.setWindowModified)
        self.rewrite_panel.modeChosen.connect(self.run_rewrite)
        self.rewrite_panel.candidateChosen.connect(self.apply_rewrite)
        self.rewrite_panel.candidateInsert.connect(self.insert_candidate)
        self.rewrite_panel.cancelled.connect(self.cancel_rewrite)

        self.bridge.modelShown.connect(self._model_shown)
        self.word_counter = WordCounter(self.editor.document(), self._show_counts, self)

        build_menus(self)
        self.apply_settings(settings)
        self._update_title()
        self.update_counts()
        self.resize(1000, 700)
        if settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(settings.window_geometry.encode("ascii")))
        for message in startup_messages or []:
            self.statusBar().showMessage(message, 10000)
        self.load_model()

    # --- settings and look --------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        font = QFont(settings.font_family) if settings.font_family else self.editor.font()
        font.setPointSize(settings.font_size)
        self.editor.setFont(font)
        self.wrap_action.setChecked(settings.soft_wrap)
        self.toggle_wrap(settings.soft_wrap)
        self.dark_action.setChecked(settings.theme == "dark")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.editor.set_ghost_color(GHOST_COLORS.get(settings.theme, GHOST_COLORS["light"]))
        self.session.settings_changed(self.session_settings())
        self.server_action.setEnabled(
            bool(settings.server_url and settings.server_model and not settings.local_only)
        )
        self.server_action.setChecked(self.server_choice(ask=False) is not None)

    def session_settings(self) -> Settings:
        """With a server, it answers rewrites too (its chat endpoint): no local instruction model.
        Locally, with none named, rewrites and tasks go to an installed model that follows instructions
        when the ghost-text model (by default a base model) does not."""
        if self.server_choice(ask=False) is not None:
            return dataclasses.replace(self.settings, instruction_model="")
        return with_instruction_model(self.settings, self.model_override)

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, ModelStore().names(), self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.settings_accepted(dialog)
        dialog.deleteLater()  # not left among the window's children for the rest of the run

    def settings_accepted(self, dialog: SettingsDialog) -> None:
        new = dialog.result_settings()
        key = dialog.server.new_key()
        if key is not None and new.server_url:
            problem = save_api_key(new.server_url, key)
            if problem:
                QMessageBox.warning(self, tr("API key"), problem)
        reload = _engine_settings(new) != _engine_settings(self.settings) or key is not None
        self.apply_settings(new)
        self._save_settings()
        if reload:
            self.model_override = None
            self.load_model()

    def show_models(self) -> ModelManager:
        manager = ModelManager(self.settings, writer_language(QLocale.system().name()), self)
        manager.rolesChanged.connect(self.models_chosen)
        manager.open()
        self.model_manager = manager
        return manager

    def offer_first_run(self) -> FirstRunDialog | None:
        """With no model installed, none named on the command line and no server, offer one to install."""
        if (
            self.model_override is not None
            or self.server_choice(ask=False) is not None
            or ModelStore().names()
        ):
            return None
        dialog = FirstRunDialog(writer_language(QLocale.system().name()), self)
        dialog.accepted.connect(lambda: self._first_model_installed(dialog.installed))
        dialog.open()
        self.first_run = dialog
        return dialog

    def _first_model_installed(self, name: str | None) -> None:
        if name:
            self.settings.model = name
            self.models_chosen()

    def models_chosen(self) -> None:
        """The model manager named other models: save, reload the continuation model if it changed."""
        self._save_settings()
        wanted = continuation_model(self.settings)
        if self.model_override is not None or wanted != self.session.continuation_ref:
            self.model_override = None
            self.load_model()
        self.session.settings_changed(self.session_settings())

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.statusBar().showMessage(tr("Could not save settings: {reason}").format(reason=exc), 8000)

    def reset_zoom(self) -> None:
        font = self.editor.font()
        font.setPointSize(self.settings.font_size)
        self.editor.setFont(font)

    def toggle_wrap(self, on: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.editor.setLineWrapMode(mode)
        self.settings.soft_wrap = bool(on)

    def toggle_dark(self, on: bool) -> None:
        self.settings.theme = "dark" if on else "light"
        self.apply_settings(self.settings)

    # --- model and rewrite: the session decides, the window shows --------------------------------------
    def load_model(self) -> None:
        server = self.server_choice(ask=True)
        self.session.settings_changed(self.session_settings())
        self.server_action.setChecked(server is not None)
        if server is not None:
            self.session.load_model(server.ref)
        else:
            self.session.load_model(self.model_override or continuation_model(self.settings))

    def server_choice(self, *, ask: bool) -> ServerChoice | None:
        """The server the models run on, when Settings choose one (and local-only mode is off). The first
        time text would go to another computer, the writer is asked (`ask`); a no stays on this one."""
        s = self.settings
        if s.model_source != "server" or s.local_only or not (s.server_url and s.server_model):
            return None
        if self.model_override is not None:
            return None  # a model named on the command line runs here
        choice = ServerChoice(s.server_url, s.server_model)
        if is_this_computer(choice.host) or choice.host in s.confirmed_hosts:
            return choice
        if not ask:
            return None
        if not self.confirm_sending(choice.host):
            s.model_source = "local"
            self._save_settings()
            self.statusBar().showMessage(tr("Staying with the models on this computer."), 8000)
            return None
        s.confirmed_hosts.append(choice.host)
        self._save_settings()
        return choice

    def confirm_sending(self, host: str) -> bool:
        answer = QMessageBox.question(
            self,
            tr("Send text to a server?"),
            tr(
                "With the server at {host}, the text around your cursor (and any passage you rewrite) is "
                "sent to that computer for every suggestion. Nothing is sent to it until you agree. "
                "Use the server at {host}?"
            ).format(host=host),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _model_shown(self, state: ModelState) -> None:
        can = state.info is None or state.info.logprobs
        self.surprise_action.setEnabled(can)
        if not can and self.surprise_action.isChecked():
            self.surprise_action.setChecked(False)
            self.session.show_surprise(False)

    def use_server(self, on: bool) -> None:
        """Assist → Use the Server: the local models are one click away, and back."""
        self.settings.model_source = "server" if on else "local"
        self._save_settings()
        self.model_override = None
        self.load_model()

    def open_rewrite(self) -> None:
        text = self.session.rewrite_selection()
        if text is not None:
            self.rewrite_panel.open_for(text)

    @Slot(str)
    def run_rewrite(self, mode_id: str) -> None:
        self.session.run_rewrite(mode_id)

    # --- memory and author's note -----------------------------------------------------------------------
    def _load_notes(self) -> None:
        path = self.files.path
        self.sidecar = read_sidecar(path) if path is not None else Sidecar()
        self._sidecar_of = path
        if self.sidecar.problem and path is not None:
            left = tr("The memory beside {name} is left as it is: {reason}")
            self.statusBar().showMessage(left.format(name=path.name, reason=self.sidecar.problem), 10000)
        notes = DocumentNotes(self.sidecar.memory, self.sidecar.authors_note)
        self.notes_panel.show_notes(notes)
        self.session.set_notes(notes)
        self.notes_panel.show_budget(*self.session.prompt_budget())

    @Slot(object)
    def notes_changed(self, notes: DocumentNotes) -> None:
        self.session.set_notes(notes)
        self.notes_panel.show_budget(*self.session.prompt_budget())
        self._save_notes()

    def _save_notes(self) -> None:
        """Beside a document that has a file; a new document's notes are written at its first save. A
        sidecar that is left alone (unreadable, a link out of the folder) is never written or removed."""
        path = self.files.path
        if path is None:
            return
        if path != self._sidecar_of:  # saved under another name: that name's sidecar is the one to keep
            self.sidecar, self._sidecar_of = read_sidecar(path), path
        notes = self.session.notes
        if (notes.memory, notes.authors_note) == (self.sidecar.memory, self.sidecar.authors_note):
            return  # nothing to write (and a sidecar left alone stays so, without a word on every save)
        try:
            self.sidecar = write_sidecar(path, self.sidecar, notes.memory, notes.authors_note)
        except UserError as exc:
            problem = tr("Could not save the memory beside {name}: {reason}")
            self.statusBar().showMessage(problem.format(name=path.name, reason=exc), 10000)

    def show_tasks(self) -> TaskPalette:
        info = self.session.instruction.info()
        palette = TaskPalette(self.session.tasks, self, writes=info.languages if info is not None else ())
        palette.chosen.connect(self.run_task)
        palette.open()
        self.task_palette = palette
        return palette

    @Slot(str)
    def run_task(self, task_id: str) -> bool:
        """Run a task on the text it reads; its candidates stream into the side panel."""
        text = self.session.begin_task(task_id)
        if text is None:
            return False
        self.rewrite_panel.open_for(text)
        return self.session.run_rewrite(task_id)

    @Slot(int)
    def apply_rewrite(self, row: int, insert: bool = False) -> bool:
        """Enter on a candidate: what its task declares (replace, insert after, or, for a result only
        shown, copy); `insert`: Ctrl+Enter, into the document even when the task only shows it."""
        edit = self.session.apply_rewrite(row, insert=insert)
        if edit is None:
            if self.session.rewrite_shown_only() and self.rewrite_panel.copy_candidate(row):
                self.statusBar().showMessage(tr("Copied. Ctrl+Enter inserts it into the text."), 6000)
            return False
        self.rewrite_panel.hide()
        self.editor.apply_edit(edit)
        self.editor.setFocus()
        return True

    @Slot(int)
    def insert_candidate(self, row: int) -> bool:
        return self.apply_rewrite(row, insert=True)

    @Slot()
    def cancel_rewrite(self) -> None:
        self.session.close_rewrite()
        self.rewrite_panel.hide()
        self.editor.setFocus()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.files.display_name}[*] — {APP_TITLE}")

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

    # --- help ---------------------------------------------------------------------------------------------
    def show_keys(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.NoIcon, tr("Keys"), keys_help(), QMessageBox.StandardButton.Close, self
        )
        box.setModal(False)
        box.show()
        return box

    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.NoIcon, tr("About writer_app"), about_text(self.session), parent=self
        )
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.show()
        return box

    def update_counts(self) -> None:
        self._show_counts(*self.word_counter.count_now())

    def _show_counts(self, words: int, han: int, characters: int) -> None:
        self.counts_label.setText(counts_text(words, han, characters))

    # --- closing ------------------------------------------------------------------------------------
    def end_on_signal(self, signum: int) -> None:
        """SIGTERM / SIGINT / SIGHUP: close without asking, keeping unsaved text as a recovery copy."""
        log.info("signal %d: closing, unsaved text kept for recovery", signum)
        self.hot_exit.flush()
        self.hot_exit.wait()
        self._keep_recovery = self.editor.document().isModified()
        self._closing = True
        # A dialog open in its own event loop (Settings, a question) is dismissed first, and the window
        # closes once that loop has returned: closing under it crashed the process on the way out.
        dismissed = set()
        while (modal := QApplication.activeModalWidget()) is not None and id(modal) not in dismissed:
            dismissed.add(id(modal))
            modal.reject() if isinstance(modal, QDialog) else modal.close()
        QTimer.singleShot(0, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closing and not self.files.maybe_save():
            event.ignore()
            return
        self._closing = True
        if not self._keep_recovery:
            self.hot_exit.discard()  # saved, unmodified, or discarded on purpose
        self.hot_exit.close()
        self.bridge.shutdown()
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        if self.save_settings_on_close:
            self._save_settings()
        event.accept()


def _engine_settings(settings: Settings) -> tuple:
    """What, changed, means loading the model again."""
    return (
        settings.model,
        settings.threads,
        settings.model_source,
        settings.server_url,
        settings.server_model,
        settings.local_only,
    )

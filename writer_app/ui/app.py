"""Start the editor: QApplication, settings, the main window."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from writer_app.settings import load_settings
from writer_app.ui.i18n import interface_language, use_language
from writer_app.ui.main_window import MainWindow
from writer_app.ui.signal_catcher import SignalCatcher


def app_icon() -> QIcon:
    """The app's icon, from the package (desktops take theirs from resources/icons)."""
    return QIcon(str(resources.files("writer_app.resources").joinpath("icons/writer-app.svg")))


def run_app(
    file: Path | None = None,
    model: str | None = None,
    *,
    offer_first_run: bool = True,
    version: str = "",
    signals: SignalCatcher | None = None,
) -> int:
    """The editor, until its window closes. `signals`: caught since before Qt was imported (the command
    line does), else from now on: either way a signal that arrives while the window is built closes it."""
    signals = signals or SignalCatcher()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("writer-app")
    app.setApplicationDisplayName("writer_app")
    app.setApplicationVersion(version)
    app.setDesktopFileName("writer-app")  # matches resources/writer-app.desktop
    app.setWindowIcon(app_icon())
    settings, messages = load_settings()
    use_language(interface_language(settings.language))
    window = MainWindow(settings, model=model, startup_messages=messages)
    notifier = signals.deliver_to(window.end_on_signal)
    if file is not None:
        # absolute, not resolved: a symlink stays the file the writer named (saves go through it)
        window.files.open_path(file.expanduser().absolute(), ask_to_save=False)
    window.show()
    window.editor.setFocus()
    window.hot_exit.offer_recovery()
    if offer_first_run:
        window.offer_first_run()
    code = app.exec()
    notifier.setEnabled(False)
    return code

"""The interface's language: English source strings, Simplified Chinese from Qt's translation files.

Every visible string goes through tr() with a literal (pyside6-lupdate collects them into
resources/translations/writer_app_zh_CN.ts; scripts/build_translations.py compiles the .qm the package
ships). Text with values in it is translated first and formatted after: tr("Saved {name}").format(...).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from writer_app.assist.wording import set_translator

# The Settings choice: "system" follows the system's locale; these name one language whatever it says.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}
_installed: list[QTranslator] = []


def tr(text: str) -> str:
    return QCoreApplication.translate("", text)


def interface_language(choice: str, system_locale: str | None = None) -> str:
    """'zh_CN' or 'en': what the window speaks for the Settings choice on this system."""
    if choice in ("en", "zh_CN"):
        return choice
    system = system_locale if system_locale is not None else QLocale.system().name()
    return "zh_CN" if system.lower().startswith("zh") else "en"


def task_language(language: str) -> str:
    """The task files' language key ('en' or 'zh') for an interface language."""
    return "zh" if language.startswith("zh") else "en"


def current_language() -> str:
    return "zh_CN" if _installed else "en"


def use_language(language: str) -> str:
    """Install the translators for LANGUAGE ('en' removes them); returns the language in effect."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("use_language needs a QApplication")
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    set_translator(str, "en")
    if language != "zh_CN":
        return "en"
    ours = QTranslator(app)
    folder = resources.files("writer_app.resources").joinpath("translations")
    if not ours.load(str(folder.joinpath("writer_app_zh_CN.qm"))):
        return "en"  # a package without its compiled translation: English rather than a mix
    qt_own = QTranslator(app)  # the standard dialogs' buttons (Save, Cancel, …)
    if qt_own.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    app.installTranslator(ours)
    _installed.append(ours)
    set_translator(tr, task_language(language))  # the session's messages and task labels
    return "zh_CN"

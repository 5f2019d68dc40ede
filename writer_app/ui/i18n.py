"""The interface's language: English source strings, Simplified Chinese from Qt's translation files.

Every visible string goes through tr() with a literal (pyside6-lupdate collects them into
resources/translations/writer_app_zh_CN.ts; scripts/build_translations.py compiles the .qm the package
ships). Text with values in it is translated first and formatted after: tr("Saved {name}").format(...).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from writer_app.assist.wording import set_translator
from writer_app.translation import LANGUAGES, language_of_locale

# The Settings choice: "system" follows the system's locale; these name one language whatever it says.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}
_installed: list[QTranslator] = []
_installed_elsewhere: list[QTranslator] = []


def tr(text: str) -> str:
    return QCoreApplication.translate("", text)


def load_translation(language: str, parent: QCoreApplication | None = None) -> QTranslator | None:
    """writer_app's compiled translation into LANGUAGE, or None when the package has none."""
    translator = QTranslator(parent)
    folder = resources.files("writer_app.resources").joinpath("translations")
    return translator if translator.load(str(folder.joinpath(f"writer_app_{language}.qm"))) else None


def speak_without_window(language: str) -> str:
    """Translate the words of the layers without Qt (writer_app/translation.py) into LANGUAGE in a
    process with no window, the command line; returns the language in effect. Needs no QApplication."""
    translator = load_translation(language) if language != "en" else None
    if translator is None:
        set_translator(str, "en")
        return "en"
    _installed_elsewhere.append(translator)  # kept alive as long as the process speaks it
    set_translator(lambda text: translator.translate("", text) or text, task_language(language))
    return language


def interface_language(choice: str, system_locale: str | None = None) -> str:
    """'zh_CN' or 'en': what the window speaks for the Settings choice on this system."""
    if choice in LANGUAGES:
        return choice
    return language_of_locale(system_locale if system_locale is not None else QLocale.system().name())


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
    ours = load_translation(language, app)
    if ours is None:
        return "en"  # a package without its compiled translation: English rather than a mix
    qt_own = QTranslator(app)  # the standard dialogs' buttons (Save, Cancel, …)
    if qt_own.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    app.installTranslator(ours)
    _installed.append(ours)
    set_translator(tr, task_language(language))  # the session's messages and task labels
    return "zh_CN"

"""Words to the writer from the layers without Qt (assist, models, the command line), in the writer's
language: each process installs one translator (the window's from ui/i18n.py, the command line's from
the same compiled translation), and pyside6-lupdate collects the literals passed to tr() here as in the
window (scripts/build_translations.py). Text with values is translated first and formatted after:
tr("no model named {name}").format(name=name).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

# Set by the window for the commands it runs (model installs), so they speak the window's language.
LANGUAGE_VARIABLE = "WRITER_APP_LANGUAGE"
LANGUAGES = ("en", "zh_CN")

_translate: Callable[[str], str] = str


def tr(text: str) -> str:
    return _translate(text)


def set_translate(translate: Callable[[str], str]) -> None:
    global _translate
    _translate = translate


def locale_name(environ: Mapping[str, str] = os.environ) -> str:
    """The locale as the environment names it (LC_ALL, then LC_MESSAGES, then LANG), as gettext reads it."""
    return next((environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(k)), "")


def language_of_locale(name: str) -> str:
    """'zh_CN' or 'en' for a locale name such as zh_TW, zh-Hant or en_US.UTF-8: any Chinese locale reads
    Simplified Chinese, closer than English for most readers."""
    return "zh_CN" if name.lower().startswith("zh") else "en"


def language_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """'zh_CN' or 'en': WRITER_APP_LANGUAGE when it names one, else the locale's."""
    chosen = environ.get(LANGUAGE_VARIABLE, "")
    return chosen if chosen in LANGUAGES else language_of_locale(locale_name(environ))

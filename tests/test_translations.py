"""The Chinese interface: every string the window shows is in the .ts, translated, compiled into the
.qm the package ships, and the window and its dialogs show no English source string in Chinese."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QTabWidget, QWidget

from tests.test_ui_editor import make_window
from writer_app.assist import wording
from writer_app.ui import i18n
from writer_app.ui.find_dialog import FindReplaceDialog
from writer_app.ui.first_run import FirstRunDialog
from writer_app.ui.model_manager import ModelManager
from writer_app.ui.settings_dialog import SettingsDialog
from writer_app.ui.task_palette import TaskPalette

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "writer_app_zh_CN.ts"
QM = ROOT / "writer_app" / "resources" / "translations" / "writer_app_zh_CN.qm"
sys.path.insert(0, str(ROOT / "scripts"))
import build_translations  # noqa: E402

_MESSAGE = re.compile(r"<source>(.*?)</source>\s*<translation( type=\"\w+\")?>(.*?)</translation>", re.S)
_CJK = re.compile("[\u4e00-\u9fff]")


def messages(ts_text: str) -> dict[str, tuple[str, str]]:
    """source -> (type attribute, translation)."""
    return {html.unescape(s): (kind or "", html.unescape(t)) for s, kind, t in _MESSAGE.findall(ts_text)}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, tuple[str, str]]:
    return messages(TS.read_text(encoding="utf-8"))


def test_every_string_in_the_code_is_in_the_ts_and_nothing_else(tmp_path, catalogue):
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    build_translations.update(fresh)
    assert set(messages(fresh.read_text(encoding="utf-8"))) == set(catalogue), (
        "run: python scripts/build_translations.py update, then translate the new strings"
    )
    assert len(catalogue) > 200


def test_no_string_is_left_untranslated(catalogue):
    untranslated = [s for s, (kind, text) in catalogue.items() if kind or not text.strip()]
    assert untranslated == []
    for source, (_kind, text) in catalogue.items():
        # the same placeholders (else .format() fails in Chinese) and the same accelerator
        assert sorted(re.findall(r"\{\w+\}", source)) == sorted(re.findall(r"\{\w+\}", text)), source
        assert ("&" in source) == ("&" in text), source


def test_the_shipped_qm_is_compiled_from_the_ts(tmp_path):
    built = tmp_path / "check.qm"
    build_translations.compile_qm(TS, built)
    assert built.read_bytes() == QM.read_bytes(), "run: python scripts/build_translations.py"


def test_the_language_follows_the_system_unless_settings_choose():
    assert i18n.interface_language("system", "zh_CN") == "zh_CN"
    assert i18n.interface_language("system", "zh_TW") == "zh_CN"  # closer than English for most readers
    assert i18n.interface_language("system", "en_GB") == "en"
    assert i18n.interface_language("en", "zh_CN") == "en"
    assert i18n.interface_language("zh_CN", "de_DE") == "zh_CN"


@pytest.fixture
def chinese(qapp):
    assert i18n.use_language("zh_CN") == "zh_CN"
    yield
    i18n.use_language("en")


def _visible_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        texts.append(widget.text())
    texts += [box.title() for box in root.findChildren(QGroupBox)]
    for tabs in root.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    texts += [edit.placeholderText() for edit in root.findChildren(QLineEdit)]
    texts += [root.windowTitle()]
    return [t for t in texts if t]


def _english_left(texts: list[str], catalogue: dict[str, tuple[str, str]]) -> list[str]:
    # a translation may equal its source (Top-p, version lines); those are not "left in English"
    english = {s.strip() for s, (_k, t) in catalogue.items() if t != s and re.search("[A-Za-z]{2}", s)}
    return [t for t in texts if t.strip() in english]


def test_the_window_and_its_dialogs_speak_chinese(qtbot, chinese, catalogue, tmp_path, monkeypatch):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    w = make_window(qtbot, None)
    menus = [a for a in w.menuBar().actions()]
    assert [a.text() for a in menus] == ["文件(&F)", "编辑(&E)", "视图(&V)", "辅助(&A)", "帮助(&H)"]
    every_action = [a for m in menus for a in m.menu().actions() if not a.isSeparator()]
    assert every_action and all(_CJK.search(a.text()) for a in every_action), [a.text() for a in every_action]
    assert _english_left([a.text() for a in w.findChildren(QAction)], catalogue) == []
    assert "词" in w.counts_label.text() and "模型" in w.bridge.model_label.text()

    dialogs = [
        SettingsDialog(w.settings, [], w),
        ModelManager(w.settings, "zh", w),
        FindReplaceDialog(w.editor, w),
        TaskPalette(w.session.tasks, w),
        FirstRunDialog("zh", w),
    ]
    for dialog in [w, *dialogs]:
        texts = _visible_texts(dialog)
        assert _english_left(texts, catalogue) == [], type(dialog).__name__
        assert any(_CJK.search(t) for t in texts), type(dialog).__name__
    settings = dialogs[0]
    assert settings.language.itemText(0) == "跟随系统" and settings.language.itemText(2) == "简体中文"
    assert _CJK.search(dialogs[3].results.item(0).text().split(" · ")[0])  # the Chinese label first
    assert _CJK.search(dialogs[4].list.item(0).toolTip())  # the catalog's notes too
    for box in (w.show_keys(), w.show_about()):
        assert _CJK.search(box.text()) and _english_left([box.text(), box.windowTitle()], catalogue) == []
        box.close()
    # the session's own messages go through the same translation
    assert wording.no_model_hint().startswith("尚未安装模型")


def test_english_is_back_when_chosen(qtbot, qapp, tmp_path, monkeypatch):
    i18n.use_language("zh_CN")
    i18n.use_language("en")
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    w = make_window(qtbot, None)
    assert w.menuBar().actions()[0].text() == "&File"
    assert wording.no_model_hint().startswith("No model installed")


def test_the_built_wheel_carries_the_translation_and_the_icon(tmp_path):
    """What `pip install` of the wheel (or pipx) gets: the app finds both through importlib.resources."""
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("writer_app-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "writer_app/resources/translations/writer_app_zh_CN.qm" in names
    assert "writer_app/resources/icons/writer-app.svg" in names

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


# What the model store and the command line say reaches the writer too: raised as errors the window
# shows, printed by the commands the window runs, printed in a terminal.
SPEAKING = [
    *sorted((ROOT / "writer_app" / "models").glob("*.py")),
    *sorted((ROOT / "writer_app" / "tuning").glob("*.py")),
    ROOT / "writer_app" / "cli.py",
    ROOT / "writer_app" / "cli_models.py",
]
_ERRORS = {"UserError", "ModelError", "NoModelInstalled", "ParityError"}


def _untranslated_words(path: Path) -> list[str]:
    """Errors raised, progress said and lines printed with a text of their own that is not tr()'s."""
    import ast

    def has_words(node: ast.AST) -> bool:
        """The text said is built from a literal with words in it that tr() did not give: a literal, an
        f-string, a concatenation or a .format() of one (another function's result speaks for itself)."""
        if isinstance(node, ast.Call):
            formatted = isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            return formatted and has_words(node.func.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            tagless = re.sub(r"^\s*(\[[\w/]+\]|writer-app:)\s*", "", node.value)  # a stage tag, our name
            return bool(re.search(r"[A-Za-z]{3}", tagless))
        if isinstance(node, ast.JoinedStr | ast.BinOp):
            return any(has_words(child) for child in ast.iter_child_nodes(node))
        return False

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None)
        speaks = name in _ERRORS or name in ("progress", "say") or (name == "print" and "cli" in path.name)
        if speaks and has_words(node.args[0]):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_model_store_and_the_command_line_say_everything_through_tr():
    assert [line for path in SPEAKING for line in _untranslated_words(path)] == []


def test_the_check_finds_words_said_without_tr(tmp_path):
    sample = tmp_path / "cli_sample.py"
    sample.write_text(
        'raise UserError(f"no model named {name}")\n'
        'progress("[1/2] copying " + tr("x"))\n'
        'print(tr("fine {a}").format(a=1))\n'
        'raise UserError(tr("fine too"))\n'
        'raise ParityError(token_difference(name, "llama.cpp"))\n'
        'print("not fine {a}".format(a=1))\n'
    )
    assert _untranslated_words(sample) == ["cli_sample.py:1", "cli_sample.py:2", "cli_sample.py:6"]


def _writer_app(*args: str, language: str, home: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "WRITER_APP_HOME": str(home), "WRITER_APP_LANGUAGE": language}
    return subprocess.run(
        [sys.executable, "-m", "writer_app", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_the_models_commands_speak_the_language_asked(tmp_path):
    chinese = _writer_app("models", "remove", "nosuch", language="zh_CN", home=tmp_path)
    assert chinese.returncode == 2
    assert chinese.stderr.startswith("writer-app: error: ")  # the tag the window reads stays as it is
    assert _CJK.search(chinese.stderr) and "nosuch" in chinese.stderr, chinese.stderr
    listed = _writer_app("models", "list", language="zh_CN", home=tmp_path)
    assert _CJK.search(listed.stdout) and "install-default" in listed.stdout, listed.stdout
    english = _writer_app("models", "remove", "nosuch", language="en", home=tmp_path)
    assert "no model named 'nosuch'" in english.stderr


def test_a_chinese_locale_alone_is_enough(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("WRITER_APP_LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(WRITER_APP_HOME=str(tmp_path), LANG="zh_CN.UTF-8")
    done = subprocess.run(
        [sys.executable, "-m", "writer_app", "models", "install", "nosuch"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and _CJK.search(done.stderr), done.stderr


def test_the_stage_lines_keep_their_tags_in_chinese(chinese):
    """The window and the terminal place their bars by tags that no translation touches."""
    from writer_app.models.stages import stage_of

    assert stage_of("      [measure] " + wording.tr("measuring {weights} against float32 on our prose…"))
    assert stage_of("[read] " + wording.tr("reading {file} (dequantizing its weights to float32)…"))
    assert stage_of("[checked] x")[1] == pytest.approx(0.97)


def test_a_model_job_in_the_chinese_window_reports_in_chinese(qtbot, chinese, tmp_path):
    """The window runs `writer-app models …` as a child: it passes its language, and the failure the
    manager shows is the command's own words in Chinese."""
    from writer_app.models.store import ModelStore
    from writer_app.ui.model_jobs import ModelJob

    job = ModelJob(["remove", "nosuch"], "nosuch", ModelStore(tmp_path / "models"))
    with qtbot.waitSignal(job.done, timeout=60_000) as done:
        job.start()
    outcome = done.args[0]
    assert not outcome.ok and _CJK.search(outcome.message) and "nosuch" in outcome.message, outcome.message
    assert not outcome.message.startswith("writer-app")

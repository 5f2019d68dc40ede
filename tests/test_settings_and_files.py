"""Settings survive bad content; files open in their encoding and save atomically."""

from __future__ import annotations

import json
import os

import pytest

from writer_app.document.textfile import NeedsEncoding, TextFormat, read_text_file, save_text_atomic
from writer_app.engine.sampling import SamplingParams
from writer_app.errors import UserError
from writer_app.settings import Settings, load_settings, save_settings, settings_path


def test_settings_round_trip_saves_only_changes(tmp_path):
    path = tmp_path / "settings.json"
    settings = Settings(temperature=0.5, theme="dark")
    save_settings(settings, path)
    assert json.loads(path.read_text()) == {"temperature": 0.5, "theme": "dark"}
    loaded, messages = load_settings(path)
    assert loaded == settings and messages == []


def test_settings_live_under_writer_app_home(_isolated_home):
    assert str(settings_path()).startswith(str(_isolated_home))


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("{not json", "unreadable"),
        ("[1, 2]", "unreadable"),
        ('{"temperature": "hot"}', "wrong type"),
        ('{"alternatives": 99}', "outside"),
        ('{"theme": "purple"}', "not light or dark"),
        ('{"mystery": 1}', "unknown settings"),
    ],
)
def test_broken_settings_reset_with_a_message(tmp_path, content, expect):
    path = tmp_path / "settings.json"
    path.write_text(content)
    settings, messages = load_settings(path)
    assert any(expect in m for m in messages)
    assert settings.problems() == []


def test_utf8_and_bom_and_newlines(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes("héllo\r\n世界\r\n".encode())
    loaded = read_text_file(f)
    assert loaded.text == "héllo\n世界\n" and loaded.encoding == "utf-8" and loaded.newline == "\r\n"
    save_text_atomic(f, loaded.text + "more", loaded.encoding, loaded.newline)
    assert f.read_bytes() == "héllo\r\n世界\r\nmore".encode()
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfhi")
    assert read_text_file(bom).format == TextFormat("utf-8", "\n", bom=True)


def test_non_utf8_file_asks_for_an_encoding(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("中文文本".encode("gb18030"))
    with pytest.raises(NeedsEncoding) as info:
        read_text_file(f)
    assert "gb18030" in info.value.candidates
    assert read_text_file(f, "gb18030").text == "中文文本"


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    f = tmp_path / "keep.txt"
    f.write_text("original", encoding="utf-8")

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(UserError, match="No space left on device"):
        save_text_atomic(f, "new text")
    assert f.read_text(encoding="utf-8") == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]  # no temporary left behind


def test_unencodable_text_is_refused_before_touching_the_file(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes(b"caf\xe9")
    with pytest.raises(UserError, match="cannot store"):
        save_text_atomic(f, "中文", "latin-1")
    assert f.read_bytes() == b"caf\xe9"


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="cannot open"):
        read_text_file(tmp_path / "missing.txt")


def test_sampling_settings_outside_their_range_reset_to_the_engines_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"top_k": 5000, "repetition_penalty": 0.2, "temperature": 0.5}', encoding="utf-8")
    settings, messages = load_settings(path)
    defaults = SamplingParams()
    assert (settings.top_k, settings.repetition_penalty) == (defaults.top_k, defaults.repetition_penalty)
    assert settings.temperature == 0.5
    assert len(messages) == 2 and all("reset to the default" in m for m in messages)

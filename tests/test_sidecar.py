"""The memory's file beside a document is the writer's too: one the editor cannot read is never deleted
or rewritten, what it holds beyond the memory is kept, and a link out of the document's folder is never
followed (a typed memory overwrote the file it pointed to)."""

from __future__ import annotations

import codecs
import json

import pytest

from writer_app.document.sidecar import read_sidecar, sidecar_path, write_sidecar
from writer_app.errors import UserError


@pytest.mark.parametrize(
    "content",
    [
        codecs.BOM_UTF8 + b'{"memory": "Mara keeps the light.", "authors_note": ""}',
        '{"memory": "Mara keeps the light.", "authors_note": ""}'.encode("utf-16"),  # with its mark
    ],
)
def test_a_sidecar_written_by_hand_in_another_encoding_is_read(tmp_path, content):
    story = tmp_path / "story.md"
    sidecar_path(story).write_bytes(content)
    read = read_sidecar(story)
    assert read.problem == "" and read.memory == "Mara keeps the light."


@pytest.mark.parametrize(
    "content",
    [b'{"memory": "Mara", "authors_note": "",}', b"\x00\x01binary", b'["a list"]', b'{"memory": 3}'],
)
def test_a_sidecar_that_cannot_be_read_is_never_deleted_or_rewritten(tmp_path, content):
    story = tmp_path / "story.md"
    side = sidecar_path(story)
    side.write_bytes(content)
    read = read_sidecar(story)
    assert read.problem and read.memory == ""
    with pytest.raises(UserError, match="is left as it is"):
        write_sidecar(story, read, "", "")  # an empty memory would have removed it
    with pytest.raises(UserError, match="is left as it is"):
        write_sidecar(story, read, "New memory", "")
    assert side.read_bytes() == content


def test_keys_the_editor_does_not_know_are_kept(tmp_path):
    story = tmp_path / "story.md"
    side = sidecar_path(story)
    side.write_text(json.dumps({"memory": "old", "authors_note": "", "glossary": ["Mara"], "v": 2}))
    written = write_sidecar(story, read_sidecar(story), "new", "tense")
    assert json.loads(side.read_text(encoding="utf-8")) == {
        "glossary": ["Mara"],
        "v": 2,
        "memory": "new",
        "authors_note": "tense",
    }
    write_sidecar(story, written, "", "")  # emptied: the other keys still hold something
    assert json.loads(side.read_text(encoding="utf-8")) == {
        "glossary": ["Mara"],
        "v": 2,
        "memory": "",
        "authors_note": "",
    }


def test_a_sidecar_linking_out_of_the_folder_is_never_followed(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("the only copy", encoding="utf-8")
    story = folder / "story.md"
    sidecar_path(story).symlink_to(precious)
    read = read_sidecar(story)
    assert "outside the document's folder" in read.problem
    with pytest.raises(UserError):
        write_sidecar(story, read, "A typed memory", "")
    assert precious.read_text(encoding="utf-8") == "the only copy"


def test_the_window_leaves_an_unreadable_sidecar_alone_and_says_so(qtbot, tmp_path):
    from tests.test_ui_editor import make_window

    story = tmp_path / "story.md"
    story.write_text("It rained.", encoding="utf-8")
    side = sidecar_path(story)
    side.write_bytes(b'{"memory": "Mara", "authors_note": "",}')  # a trailing comma, by hand
    window = make_window(qtbot, None)
    assert window.files.open_path(story, ask_to_save=False)
    assert "is left as it is" in window.statusBar().currentMessage()
    window.editor.insertPlainText("More. ")
    assert window.files.save()
    window.notes_panel.memory.setPlainText("A memory typed now")
    qtbot.waitUntil(lambda: window.session.notes.memory == "A memory typed now", timeout=3000)
    assert "Could not save the memory" in window.statusBar().currentMessage()
    assert side.read_bytes() == b'{"memory": "Mara", "authors_note": "",}'

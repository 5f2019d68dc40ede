"""Saving keeps the file as it was, except what the writer changed; other programs' changes are never
overwritten silently; encodings are detected, binary files refused."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox

from tests.test_ui_editor import make_window
from writer_app.document.textfile import (
    ReadOnlyFile,
    TextFormat,
    changed_on_disk,
    detect_encodings,
    read_text_file,
    save_bytes,
    save_text_atomic,
)
from writer_app.errors import UserError

# French typography (no-break spaces), a line separator, a paragraph separator, every line-break kind.
TRICKY = "Prix\u00a0: 10\u00a0000\u00a0€\u2028ligne\u2029para\r\nwindows\rold mac\nunix\ttab\u3000end"


def open_in_window(qtbot, path):
    w = make_window(qtbot, None)
    assert w.files.open_path(path)
    return w


def type_at_end(w, text):
    cursor = w.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    w.editor.setTextCursor(cursor)
    w.editor.insertPlainText(text)


def test_an_unedited_file_saves_byte_for_byte(qtbot, tmp_path):
    doc = tmp_path / "tricky.txt"
    doc.write_bytes(TRICKY.encode("utf-8"))
    w = open_in_window(qtbot, doc)
    assert w.files.save()
    assert doc.read_bytes() == TRICKY.encode("utf-8")


def test_mixed_line_endings_stay_mixed_where_untouched(qtbot, tmp_path):
    doc = tmp_path / "mixed.txt"
    doc.write_bytes(b"one\r\ntwo\r\nthree\nfour\r\n")
    w = open_in_window(qtbot, doc)
    type_at_end(w, "five\nsix")
    assert w.files.save()
    # Untouched breaks as they were; the writer's new line gets the file's most common break (CRLF).
    assert doc.read_bytes() == b"one\r\ntwo\r\nthree\nfour\r\nfive\r\nsix"


def test_no_break_spaces_and_separators_survive_an_edit(qtbot, tmp_path):
    doc = tmp_path / "fr.txt"
    doc.write_bytes("10\u00a0000 francs\u2028suite".encode())
    w = open_in_window(qtbot, doc)
    type_at_end(w, " !")
    assert w.files.save()
    assert doc.read_text(encoding="utf-8") == "10\u00a0000 francs\u2028suite !"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"\xff\xfe"), ("utf-8", b"\xef\xbb\xbf"), ("utf-32-be", None)],
)
def test_encoding_and_byte_order_mark_are_kept(qtbot, tmp_path, encoding, bom):
    if bom is None:
        bom = b"\x00\x00\xfe\xff"
    doc = tmp_path / f"{encoding}.txt"
    doc.write_bytes(bom + "山水 and text\n".encode(encoding))
    w = open_in_window(qtbot, doc)
    assert w.files.format == TextFormat(encoding, "\n", bom=True)
    type_at_end(w, "更多")
    assert w.files.save()
    assert doc.read_bytes() == bom + "山水 and text\n更多".encode(encoding)


def test_utf16_without_a_mark_is_recognised(tmp_path):
    doc = tmp_path / "le.txt"
    doc.write_bytes("Plain words, no mark.\n".encode("utf-16-le"))
    loaded = read_text_file(doc)
    assert loaded.text == "Plain words, no mark.\n" and loaded.format == TextFormat("utf-16-le", "\n", False)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("big5", "我們在山上看見了很多美麗的風景，天氣晴朗，心情愉快。這是一個關於旅行的故事。"),
        ("shift_jis", "私たちは山の上で美しい景色をたくさん見ました。天気は晴れていて、気分も良かったです。"),
        ("gb18030", "我们在山上看见了很多美丽的风景，天气晴朗，心情愉快。这是一个关于旅行的故事。"),
    ],
)
def test_the_detectors_first_guess_reads_the_text(encoding, text):
    raw = text.encode(encoding)
    first = detect_encodings(raw)[0]
    assert raw.decode(first) == text


def test_binary_files_are_refused_not_opened(tmp_path):
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    with pytest.raises(UserError, match="binary"):
        read_text_file(blob)


def test_saving_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    save_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_hard_links_keep_seeing_the_same_text(tmp_path):
    first = tmp_path / "a.txt"
    first.write_text("old", encoding="utf-8")
    second = tmp_path / "b.txt"
    os.link(first, second)
    save_text_atomic(first, "new text")
    assert second.read_text(encoding="utf-8") == "new text"
    assert os.stat(first).st_ino == os.stat(second).st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporary left


def test_mode_and_extended_attributes_are_kept(tmp_path):
    doc = tmp_path / "notes.txt"
    doc.write_text("old", encoding="utf-8")
    doc.chmod(0o640)
    os.setxattr(doc, "user.writer.tag", b"chapter-3")
    save_text_atomic(doc, "new")
    assert stat.S_IMODE(doc.stat().st_mode) == 0o640
    assert os.getxattr(doc, "user.writer.tag") == b"chapter-3"


def test_the_folder_is_flushed_after_the_rename(tmp_path, monkeypatch):
    flushed_folders = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            flushed_folders.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    save_text_atomic(tmp_path / "new.txt", "text")
    assert len(flushed_folders) == 1


def test_a_read_only_file_is_refused_and_the_window_offers_save_as(qtbot, tmp_path):
    doc = tmp_path / "locked.txt"
    doc.write_text("locked text", encoding="utf-8")
    doc.chmod(0o444)
    with pytest.raises(ReadOnlyFile):
        save_bytes(doc, b"overwritten")
    w = open_in_window(qtbot, doc)
    type_at_end(w, " and more")
    asked = []
    w.files.ask_read_only = lambda path: asked.append(path) or True
    copy = tmp_path / "copy.txt"
    w.files.save_as = lambda: w.files.write_to(copy)
    assert w.files.save()
    assert asked == [doc] and doc.read_text(encoding="utf-8") == "locked text"
    assert copy.read_text(encoding="utf-8") == "locked text and more" and w.files.path == copy


def test_a_file_changed_by_another_program_is_not_overwritten_without_asking(qtbot, tmp_path):
    doc = tmp_path / "shared.txt"
    doc.write_text("first version", encoding="utf-8")
    w = open_in_window(qtbot, doc)
    type_at_end(w, " + mine")
    doc.write_text("their version, longer", encoding="utf-8")  # another program saves meanwhile
    assert changed_on_disk(doc, w.files.stamp)
    w.files.ask_overwrite_changed = lambda _path: QMessageBox.StandardButton.Cancel
    assert not w.files.save()
    assert doc.read_text(encoding="utf-8") == "their version, longer"
    w.files.ask_overwrite_changed = lambda _path: QMessageBox.StandardButton.Save
    assert w.files.save()
    assert doc.read_text(encoding="utf-8") == "first version + mine"
    assert not changed_on_disk(doc, w.files.stamp)


def test_a_change_of_the_same_size_with_its_time_put_back_is_still_seen(qtbot, tmp_path):
    """Another program writes the same number of bytes and sets the modification time back (as rsync,
    tar or a sync tool may): the content decides, so the writer is still asked before it is overwritten."""
    doc = tmp_path / "shared.txt"
    doc.write_text("first version", encoding="utf-8")
    w = open_in_window(qtbot, doc)
    type_at_end(w, " + mine")
    before = doc.stat()
    with open(doc, "r+b") as same_file:  # in place: same inode, same size
        same_file.write(b"FIRST")
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert doc.stat().st_mtime_ns == before.st_mtime_ns and doc.stat().st_size == before.st_size
    assert changed_on_disk(doc, w.files.stamp)
    asked = []
    w.files.ask_overwrite_changed = lambda path: asked.append(path) or QMessageBox.StandardButton.Cancel
    assert not w.files.save()
    assert asked == [doc] and doc.read_bytes() == b"FIRST version"


def test_an_unmodified_open_file_offers_to_reload_when_it_changes(qtbot, tmp_path):
    doc = tmp_path / "live.txt"
    doc.write_text("before", encoding="utf-8")
    w = open_in_window(qtbot, doc)
    offered = []
    w.files.ask_reload = lambda path: offered.append(path) or True
    doc.write_text("after, from another program", encoding="utf-8")
    qtbot.waitUntil(lambda: w.editor.toPlainText() == "after, from another program", timeout=5000)
    assert offered == [doc] and not w.editor.document().isModified()


def test_the_owner_is_kept_when_another_user_saves(tmp_path):
    # As root (as CI runs) the file belongs to someone else; otherwise to us, which must stay so too.
    owner = (1234, 2345) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    doc = tmp_path / "theirs.txt"
    doc.write_text("old", encoding="utf-8")
    os.chown(doc, *owner)
    save_text_atomic(doc, "new")
    info = doc.stat()
    assert (info.st_uid, info.st_gid) == owner and doc.read_text(encoding="utf-8") == "new"


def test_unicode_noncharacters_survive_an_edit_and_a_save(qtbot, tmp_path):
    """Qt keeps U+FDD0 and U+FDD1 for its own frame marks: a file's own came back as line breaks."""
    text = "a\ufdd0b\ufdd1c \ufffe\uffff \U0001fffe \U0010ffff end\n"
    doc = tmp_path / "marks.txt"
    doc.write_bytes(text.encode("utf-8"))
    w = open_in_window(qtbot, doc)
    assert w.files.text() == text
    type_at_end(w, "more")
    w.hot_exit.flush()
    w.hot_exit.wait()
    from writer_app.document.recovery import RecoveryStore

    store = RecoveryStore()
    [copy_file] = list(store.folder.glob("*.recovery.json"))
    assert store.load(copy_file).text == text + "more"  # the recovery copy keeps them too
    assert w.files.save()
    assert doc.read_bytes() == (text + "more").encode("utf-8")


def test_each_line_keeps_its_own_break_when_enter_splits_it_or_lines_are_joined(qtbot, tmp_path):
    """In a file with mixed line endings, Enter inside a CRLF line moved the CRLF to the first half: the
    untouched line's ending changed. A break belongs to the line it ended."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    original = b"one\r\ntwo\nthree\r\nfour\n"
    doc = tmp_path / "mixed.txt"
    doc.write_bytes(original)
    w = open_in_window(qtbot, doc)
    newline = w.files.format.newline.encode()
    cursor = w.editor.textCursor()
    cursor.setPosition(len("one\ntw"))  # inside "two", which ends with LF
    w.editor.setTextCursor(cursor)
    qtbot.keyClick(w.editor, Qt.Key.Key_Return)
    assert w.files.write_to(doc)
    assert doc.read_bytes() == b"one\r\ntw" + newline + b"o\nthree\r\nfour\n"
    cursor = w.editor.textCursor()
    cursor.setPosition(len("one\ntw\no\nthree"))  # end of "three" (CRLF): join it with "four" (LF)
    w.editor.setTextCursor(cursor)
    qtbot.keyClick(w.editor, Qt.Key.Key_Delete)
    assert w.files.write_to(doc)
    assert doc.read_bytes() == b"one\r\ntw" + newline + b"o\nthreefour\n"  # four's LF ends the line
    w.editor.undo()
    w.editor.undo()
    w.editor.moveCursor(QTextCursor.MoveOperation.End)
    assert w.files.write_to(doc)
    assert doc.read_bytes() == original  # undone: every line's own break again


def test_a_file_of_another_owner_keeps_its_owner_written_in_place_with_a_copy_first(tmp_path, monkeypatch):
    """A new file could not be given someone else's ownership (chown is refused to ordinary users): an
    atomic replace would have made the writer its owner. It is written in place, its text kept first."""
    from writer_app.document import textfile

    doc = tmp_path / "shared.txt"
    doc.write_text("their draft", encoding="utf-8")
    os.chown(doc, 4321, 4321)  # the tests may run as root: make it someone else's
    before = doc.stat()

    def refused(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refused)  # as an ordinary user finds it
    kept = []
    real_in_place = textfile._write_in_place

    def watch(target, data):
        kept.append(textfile.saving_copy(target).read_bytes())  # the whole new text is beside it first
        real_in_place(target, data)

    monkeypatch.setattr(textfile, "_write_in_place", watch)
    assert textfile.save_text_atomic(doc, "their draft, edited").in_place
    after = doc.stat()
    assert (after.st_uid, after.st_gid, after.st_ino) == (before.st_uid, before.st_gid, before.st_ino)
    assert doc.read_text(encoding="utf-8") == "their draft, edited" and kept == [b"their draft, edited"]
    assert textfile.interrupted_save(doc) is None  # the write ended: the copy is gone


def test_a_file_in_a_folder_that_takes_no_new_file_is_saved_in_place_with_its_text_kept_first(
    tmp_path, monkeypatch
):
    """No temporary file can be made beside it (a shared folder the writer may not add files to), so no
    atomic replace: its whole new text is kept in the editor's own folder first, then it is written in
    place; a save cut short there is still found when the file is opened."""
    from writer_app.document import textfile

    folder = tmp_path / "shared"
    folder.mkdir()
    doc = folder / "minutes.txt"
    doc.write_text("old minutes", encoding="utf-8")
    real_temporary = textfile._write_temporary

    def no_new_files_here(target, data, info, *private):
        if target.parent == folder:
            raise PermissionError(13, "Permission denied")
        return real_temporary(target, data, info, *private)

    monkeypatch.setattr(textfile, "_write_temporary", no_new_files_here)
    kept = []
    real_in_place = textfile._write_in_place

    def watch(target, data):
        kept.append(textfile.interrupted_save(doc).read_bytes())  # the whole text is kept first
        real_in_place(target, data)

    monkeypatch.setattr(textfile, "_write_in_place", watch)
    assert textfile.save_text_atomic(doc, "new minutes").in_place
    assert doc.read_text(encoding="utf-8") == "new minutes" and kept == [b"new minutes"]
    assert textfile.interrupted_save(doc) is None and sorted(p.name for p in folder.iterdir()) == [
        "minutes.txt"
    ]

    def cut_short(target, data):
        raise OSError(5, "Input/output error")  # the device went away half way

    monkeypatch.setattr(textfile, "_write_in_place", cut_short)
    with pytest.raises(UserError, match="the file may be incomplete, and its whole text is kept in"):
        textfile.save_text_atomic(doc, "newer minutes")  # never "the file on disk is unchanged" here
    assert textfile.interrupted_save(doc).read_bytes() == b"newer minutes"


# Each encoding's characters with more than one byte sequence: (the file's bytes, what a plain encode
# writes). 十 and ＼ in Big5, 十 and ╞ in cp950, ≒ and ∫ in cp932 (NEC row 13 vs JIS row 2).
DUPLICATES = {
    "big5": [b"\xa2\xcc", b"\xa2\x40"],
    "cp950": [b"\xa2\xcc", b"\xf9\xe9"],
    "big5hkscs": [b"\xa1\xfe", b"\xa2\x7e"],
    "cp932": [b"\x87\x90", b"\x87\x92"],
}


@pytest.mark.parametrize("encoding", sorted(DUPLICATES))
def test_characters_an_encoding_writes_two_ways_keep_the_files_bytes_through_an_edit(
    qtbot, tmp_path, encoding
):
    """Big5 / cp950 / HKSCS / cp932 read two byte sequences as one character and wrote back the other:
    saving a file the writer only added a line to changed bytes they never touched."""
    first, second = DUPLICATES[encoding]
    assert first.decode(encoding).encode(encoding) != first  # what makes the case
    original = b"AB " + first + b" " + second + b"\r\n" + second + b"x\r\n"
    doc = tmp_path / f"old-{encoding}.txt"
    doc.write_bytes(original)
    w = make_window(qtbot, None)
    w.files.ask_encoding = lambda path, candidates: encoding
    assert w.files.open_path(doc)
    type_at_end(w, "end")
    assert w.files.save()
    assert doc.read_bytes() == original + b"end"
    # A character the file writes one way is written that way where the writer types it too.
    type_at_end(w, "\n" + first.decode(encoding))
    assert w.files.save()
    assert doc.read_bytes() == original + b"end\r\n" + first


def test_a_character_written_both_ways_keeps_each_untouched_lines_bytes():
    from writer_app.document.byte_variants import ByteVariants

    one, other = b"\xa2\xcc", b"\xa4\x51"  # both 十 in Big5; the second is what encode writes
    body = one + one + b"\n" + other + b"\n" + one + other + b"\nplain\n"
    text = body.decode("big5")
    variants = ByteVariants.learn(body, text, "big5")
    assert variants is not None and variants.encode(text) == body
    assert variants.chosen == {"十": one}  # the way the file writes it most
    lines = text.splitlines(keepends=True)
    edited = "".join([lines[0], lines[1], "十十 new\n", lines[3]])
    assert variants.encode(edited) == b"\xa2\xcc\xa2\xcc\n\xa4\x51\n" + one * 2 + b" new\nplain\n"
    assert ByteVariants.learn(b"plain ascii", "plain ascii", "big5") is None
    assert ByteVariants.learn("é".encode(), "é", "utf-8") is None


def test_every_two_byte_character_of_these_codecs_is_written_back_as_it_was_read():
    from writer_app.document.byte_variants import ByteVariants

    body = bytes(range(0x20, 0x7F)) + b"\n"
    for encoding in ("cp950", "big5hkscs", "cp932"):
        for lead in range(0x81, 0xFF):
            for trail in range(0x40, 0xFF):
                body_i = body + bytes([lead, trail]) + b"\n"
                try:
                    text = body_i.decode(encoding)
                except UnicodeDecodeError:
                    continue
                variants = ByteVariants.learn(body_i, text, encoding)
                assert (variants.encode(text) if variants else text.encode(encoding)) == body_i


def test_a_temporary_left_by_a_killed_save_is_removed_by_the_next_save(tmp_path):
    """kill -9 between writing the temporary and renaming it left a hidden copy of the whole text beside
    the file, for ever. One that may belong to another editor's save under way (young) is left alone."""
    doc = tmp_path / "novel.txt"
    doc.write_text("old", encoding="utf-8")
    stale, young = tmp_path / ".novel.txt.ab12cd34.tmp", tmp_path / ".novel.txt.zz99yy88.tmp"
    others = [tmp_path / ".other.txt.ab12cd34.tmp", tmp_path / "novel.txt.ab12cd34.tmp"]
    for leftover in (stale, young, *others):
        leftover.write_text("half a save", encoding="utf-8")
    long_ago = stale.stat().st_mtime - 3600
    for leftover in (stale, *others):
        os.utime(leftover, (long_ago, long_ago))
    save_text_atomic(doc, "new")
    assert not stale.exists() and young.exists() and all(p.exists() for p in others)
    assert doc.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_document_honours_the_umask_and_private_files_stay_private(tmp_path, umask, mode):
    from writer_app.document.textfile import save_text_atomic, write_atomic

    old = os.umask(umask)
    try:
        save_text_atomic(tmp_path / "chapter.txt", "New chapter.\n")
        write_atomic(tmp_path / "recovery.json", b"{}")  # the writer's unsaved text: never for others
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "chapter.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "recovery.json").stat().st_mode) == 0o600


def test_an_existing_document_keeps_its_mode(tmp_path):
    from writer_app.document.textfile import save_text_atomic

    target = tmp_path / "shared.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    save_text_atomic(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text(encoding="utf-8") == "new\n"

"""The writer's own texts for tuning: read as the editor reads them, split by document into the part a
model learns from and the part that measures it (never by sentence: a held-out chapter is one the model
has not read a line of), and described by name, size and sha256, never by their words."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from writer_app.document.textfile import NeedsEncoding, read_text_file
from writer_app.engine.cjk import CJK_LETTERS
from writer_app.errors import UserError
from writer_app.translation import tr


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 - the name pyside6-lupdate collects; tr() translates it
    return text


BY_FILE = QT_TR_NOOP("by file")
ONE_DOCUMENT = QT_TR_NOOP("by its last part")
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HELD_OUT_SHARE = 0.15  # of the characters, at least one document
MIN_CHARACTERS = 2000  # less than this is too little to learn a voice from, or to measure it


@dataclass(frozen=True)
class WriterText:
    name: str  # as given, relative to the folder it was found in
    size: int  # bytes on disk
    sha256: str
    text: str
    encoding: str

    def describe(self) -> dict[str, object]:
        """What the manifest keeps of it: never the text."""
        return {"name": self.name, "bytes": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Split:
    train: list[WriterText]
    held_out: list[WriterText]
    how: str  # BY_FILE, or ONE_DOCUMENT for one long document

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for group in (self.train, self.held_out):
            for text in group:
                digest.update(f"{text.name}\0{text.sha256}\0".encode())
            digest.update(b"|")
        return digest.hexdigest()


def _files(path: Path) -> list[tuple[str, Path]]:
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        return [(p.relative_to(path).as_posix(), p) for p in found if not p.name.startswith(".")]
    if path.is_file():
        return [(path.name, path)]
    raise UserError(tr("{path} does not exist").format(path=path))


def read_texts(paths: list[Path], say=print) -> list[WriterText]:
    """Every text file under the paths (folders recursively: .txt, .md), decoded as the editor decodes
    them: UTF-8 or a BOM's encoding, else the detector's best guess, which is said. A file that cannot be
    read is skipped, and said why; an empty list is an error."""
    texts: list[WriterText] = []
    seen: set[str] = set()
    for path in paths:
        for name, file in _files(Path(path).expanduser()):
            try:
                loaded = read_text_file(file)
            except NeedsEncoding as exc:
                if not exc.candidates:
                    say(tr("skipped {name}: its encoding cannot be recognised").format(name=name))
                    continue
                loaded = read_text_file(file, exc.candidates[0])
                say(
                    tr("{name} is not UTF-8: read as {encoding}").format(
                        name=name, encoding=exc.candidates[0]
                    )
                )
            except UserError as exc:
                say(tr("skipped {name}: {reason}").format(name=name, reason=exc))
                continue
            raw = file.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen or not loaded.text.strip():
                continue  # the same file twice, or an empty one
            seen.add(digest)
            texts.append(WriterText(name, len(raw), digest, loaded.text, loaded.format.encoding))
    if not texts:
        raise UserError(
            tr("no text files (.txt, .md) found in {paths}").format(paths=", ".join(map(str, paths)))
        )
    total = sum(len(t.text) for t in texts)
    if total < MIN_CHARACTERS:
        raise UserError(
            tr("{count} characters of text is too little to tune on; give at least {least}").format(
                count=total, least=MIN_CHARACTERS
            )
        )
    return texts


def split_by_document(texts: list[WriterText], share: float = HELD_OUT_SHARE) -> Split:
    """Whole documents held out, about `share` of the characters and at least one, chosen by their
    sha256 (the same files give the same split on every run). One document alone is split at a paragraph
    boundary, its last part held out."""
    if len(texts) == 1:
        return _split_one(texts[0], share)
    order = sorted(texts, key=lambda t: t.sha256)
    total = sum(len(t.text) for t in texts)
    held: list[WriterText] = []
    for text in order:
        if held and sum(len(t.text) for t in held) + len(text.text) > share * total * 1.5:
            continue
        held.append(text)
        if sum(len(t.text) for t in held) >= share * total:
            break
    train = [t for t in texts if t not in held]
    if not train:  # every document is large next to the share: keep the smallest out only
        held = [min(texts, key=lambda t: len(t.text))]
        train = [t for t in texts if t is not held[0]]
    return Split(train, held, BY_FILE)


def _split_one(text: WriterText, share: float) -> Split:
    body = text.text
    cut = body.rfind("\n\n", 0, int(len(body) * (1 - share)))
    if cut < len(body) * 0.5:
        cut = body.rfind("\n", 0, int(len(body) * (1 - share)))
    if cut < len(body) * 0.5:
        cut = int(len(body) * (1 - share))
    first = WriterText(text.name + " (first part)", text.size, text.sha256, body[:cut], text.encoding)
    last = WriterText(text.name + " (last part)", text.size, text.sha256, body[cut:], text.encoding)
    return Split([first], [last], ONE_DOCUMENT)


_CJK = re.compile(f"[{CJK_LETTERS}]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of_texts(texts: list[WriterText]) -> str:
    """ "zh" when Chinese characters outnumber Latin letters a third to one (a Chinese character carries
    about as much as a word), else "en": the neutral text a tune is measured on."""
    sample = "".join(t.text[:5000] for t in texts)
    return "zh" if len(_CJK.findall(sample)) * 3 > len(_LATIN.findall(sample)) else "en"

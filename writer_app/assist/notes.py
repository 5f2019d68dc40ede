"""Memory and author's note (KoboldAI and NovelAI's anchors): per-document text the model sees with
every request, never part of the writer's text.

The memory (who the characters are, the setting, the brand voice, the rhyme scheme) goes ahead of the
text, at the very start of the prompt, so the KV cache of it is reused from request to request. The
author's note (the tone or direction for what comes next) goes a few lines before the cursor, where it
steers the next words most.
"""

from __future__ import annotations

from dataclasses import dataclass

from writer_app.assist.prompts import estimate_tokens

NOTE_LINES_BEFORE_CURSOR = 3


@dataclass(frozen=True)
class DocumentNotes:
    memory: str = ""
    authors_note: str = ""

    def tokens(self) -> int:
        """About how many prompt tokens the notes take from the window."""
        text = self.memory.strip() + self.authors_note.strip()
        return estimate_tokens(text) + 8 if text else 0


def with_notes(notes: DocumentNotes, text: str) -> str:
    """The continuation prompt: the memory, then the text with the author's note a few lines from its end."""
    note = notes.authors_note.strip()
    if note:
        lines = text.split("\n")
        at = max(0, len(lines) - NOTE_LINES_BEFORE_CURSOR)
        text = "\n".join([*lines[:at], f"[Author's note: {note}]", *lines[at:]])
    memory = notes.memory.strip()
    return f"{memory}\n\n{text}" if memory else text

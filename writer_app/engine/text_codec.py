"""Tokenizer wrapper and the streaming detokenizer that never emits a broken character."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tokenizers import Tokenizer, decoders

from writer_app.engine.cjk import CJK_LETTERS, CJK_PUNCTUATION
from writer_app.errors import ModelError

REPLACEMENT_CHAR = "\ufffd"
_CJK = CJK_LETTERS + CJK_PUNCTUATION
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) (?=\S)|(?<=\S) (?=[{_CJK}])")
# How many prompt tokens to decode along with the new ones, so that decoders which treat a sequence's
# first token specially (leading-space stripping) see the continuation in context.
_CONTEXT_TOKENS = 4


class TextCodec:
    """Text <-> token ids for one model. Special tokens are never added implicitly."""

    def __init__(self, tokenizer: Tokenizer, *, wordpiece: bool) -> None:
        self._tok = tokenizer
        # BertTokenizer-style vocabularies (e.g. Chinese GPT-2s) decode with a space between every token.
        self.wordpiece = wordpiece

    @classmethod
    def from_folder(cls, folder: Path) -> TextCodec:
        path = folder / "tokenizer.json"
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises plain Exception subclasses
            raise ModelError(f"{path} is not a valid tokenizer file ({exc})") from exc
        return cls(tokenizer, wordpiece=isinstance(tokenizer.decoder, decoders.WordPiece))

    def encode(self, text: str) -> list[int]:
        return self._tok.encode(text, add_special_tokens=False).ids

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids and, for each, the (start, end) characters of text it covers."""
        encoding = self._tok.encode(text, add_special_tokens=False)
        return encoding.ids, [tuple(o) for o in encoding.offsets]

    def decode(self, ids: Sequence[int]) -> str:
        text = self._tok.decode(list(ids), skip_special_tokens=True)
        if self.wordpiece:
            text = _SPACE_NEXT_TO_CJK.sub("", text)
        return text

    def token_texts(self, count: int) -> list[str]:
        """The text of each of the first `count` token ids on its own ("" for ids the vocabulary lacks)."""
        size = self._tok.get_vocab_size(with_added_tokens=True)
        texts = self._tok.decode_batch([[i] for i in range(min(count, size))], skip_special_tokens=True)
        return texts + [""] * (count - len(texts))

    def stream(self, prompt_ids: Sequence[int] = ()) -> StreamDecoder:
        return StreamDecoder(self, prompt_ids)


class StreamDecoder:
    """Turns token ids arriving one at a time into text deltas.

    A token can end in the middle of a UTF-8 character (byte-level BPE splits CJK and emoji into several
    tokens); such text is held back until the character is complete. Bytes that never form a character
    (a model can emit them) are dropped: no delta ever carries U+FFFD. The concatenated deltas equal the
    one-shot decode of the same tokens with replacement characters removed.
    """

    def __init__(self, codec: TextCodec, prompt_ids: Sequence[int] = ()) -> None:
        self._codec = codec
        self._ids: list[int] = list(prompt_ids[-_CONTEXT_TOKENS:]) if len(prompt_ids) else []
        self._prefix_len = len(self._ids)
        self._emitted = ""

    def push(self, token_id: int) -> str:
        """Add one token; return the text that became final (possibly empty)."""
        self._ids.append(int(token_id))
        text = self._new_text()
        if text.endswith(REPLACEMENT_CHAR):
            return ""  # possibly an incomplete character: wait for its remaining bytes
        return self._take(text.replace(REPLACEMENT_CHAR, ""))

    def context(self) -> str:
        """The prompt's last words, as the generated text continues them."""
        return self._codec.decode(self._ids[: self._prefix_len]).replace(REPLACEMENT_CHAR, "")

    def text_with(self, token_id: int | None = None) -> str:
        """The generated text, as it would read with token_id added (nothing is committed). Used to
        judge a candidate token before it is chosen."""
        if token_id is None:
            return self._new_text().replace(REPLACEMENT_CHAR, "")
        self._ids.append(int(token_id))
        try:
            return self._new_text().replace(REPLACEMENT_CHAR, "")
        finally:
            self._ids.pop()

    def flush(self) -> str:
        """The rest of the text once generation ended (a character cut by the end is dropped)."""
        return self._take(self._new_text().replace(REPLACEMENT_CHAR, ""))

    def _new_text(self) -> str:
        full = self._codec.decode(self._ids)
        prefix = self._codec.decode(self._ids[: self._prefix_len])
        if full.startswith(prefix):
            return full[len(prefix) :]
        return self._codec.decode(self._ids[self._prefix_len :])

    def _take(self, text: str) -> str:
        if not text.startswith(self._emitted):
            return ""  # a decoder cleanup rule rewrote emitted text; it is out already, keep going
        delta = text[len(self._emitted) :]
        self._emitted = text
        return delta

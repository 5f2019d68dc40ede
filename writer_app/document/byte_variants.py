"""Characters a file's encoding can write more than one way, written back the way the file wrote them.

Big5, cp950, Big5-HKSCS and cp932 map some byte sequences to the same character (十 is both A2CC and
A451 in Big5; cp932 has NEC and IBM copies of ≒, ∫, Ⅰ …). Decoding and encoding again picks one of them,
so a save would change bytes the writer never touched. What the file used is learnt at open:
- a character the file writes one way (the usual case: one program wrote it) is saved that way
  wherever it appears, edited lines included;
- a line the file writes in a way that rule does not reproduce (the same character written two ways)
  keeps its own bytes for as long as the writer leaves it as it was.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# Encodings whose decode-then-encode is the identity on every text they decode: nothing to learn.
_ROUND_TRIP = re.compile(r"^(utf[-_]?(8|16|32)|ascii|latin[-_]?1|iso8859[-_]1)", re.IGNORECASE)


@dataclass
class ByteVariants:
    encoding: str
    # A character (or a pair the codec decodes together) -> the bytes this file writes it with.
    chosen: dict[str, bytes]
    # Lines the rule above does not reproduce, as text (with their break) -> their bytes, in order.
    lines: dict[str, list[bytes]] = field(default_factory=dict)

    @classmethod
    def learn(cls, body: bytes, text: str, encoding: str) -> ByteVariants | None:
        """What `body`, decoded as `text`, writes its own way; None when a plain encode gives it back."""
        if _ROUND_TRIP.match(encoding):
            return None
        try:
            if text.encode(encoding) == body:
                return None
        except UnicodeEncodeError:
            pass  # a character the codec reads but cannot write: its bytes are learnt below
        byte_lines, text_lines = body.splitlines(keepends=True), _split_lines(text)
        if len(byte_lines) != len(text_lines):  # a codec whose line bytes are not ASCII's: whole text
            byte_lines, text_lines = [body], [text]
        written: dict[str, Counter[bytes]] = defaultdict(Counter)
        different = set()
        for raw, line in zip(byte_lines, text_lines, strict=True):
            if _plain(line, encoding) == raw:
                continue
            different.add((raw, line))
            for unit, unit_bytes in _units(raw, encoding):
                if _plain(unit, encoding) != unit_bytes:
                    written[unit][unit_bytes] += 1
        chosen = {}
        for unit, ways in written.items():
            usual = _plain(unit, encoding)
            if usual is not None:  # the plain way counts too: it may be what the file uses most
                ways[usual] += text.count(unit) - sum(ways.values())
            way, _count = ways.most_common(1)[0]
            if way != usual:
                chosen[unit] = way
        variants = cls(encoding, chosen)
        # Lines the rule does not give back: those written another way, and those that wrote a chosen
        # character the plain way.
        pairs = list(zip(byte_lines, text_lines, strict=True))
        kept = {
            line
            for raw, line in pairs
            if (any(unit in line for unit in chosen) or (raw, line) in different)
            and variants._encode_plainly(line) != raw
        }
        for raw, line in pairs:  # every line of a kept text, in order: the same text may be written twice
            if line in kept:
                variants.lines.setdefault(line, []).append(raw)
        return variants

    def encode(self, text: str) -> bytes:
        """The file's bytes for `text` (whose line breaks are the file's already)."""
        if not self.lines:
            return self._encode_plainly(text)
        left = {line: iter(ways) for line, ways in self.lines.items()}
        out = []
        for line in _split_lines(text):
            kept = next(left[line], None) if line in left else None
            out.append(kept if kept is not None else self._encode_plainly(line))
        return b"".join(out)

    def _encode_plainly(self, text: str) -> bytes:
        if not self.chosen:
            return text.encode(self.encoding)
        pattern = "|".join(re.escape(unit) for unit in sorted(self.chosen, key=len, reverse=True))
        out, start = [], 0
        for match in re.finditer(pattern, text):
            out += [text[start : match.start()].encode(self.encoding), self.chosen[match.group()]]
            start = match.end()
        out.append(text[start:].encode(self.encoding))
        return b"".join(out)


def _split_lines(text: str) -> list[str]:
    """Lines split where bytes.splitlines splits (\\n, \\r\\n, \\r), each with its break."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _plain(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def _units(raw: bytes, encoding: str) -> list[tuple[str, bytes]]:
    """Each character of raw with the bytes it was read from (a pair a codec reads as one, together)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    units, start = [], 0
    for end in range(1, len(raw) + 1):
        out = decoder.decode(raw[end - 1 : end])
        if out:
            units.append((out, raw[start:end]))
            start = end
    return units

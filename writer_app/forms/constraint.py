"""A form kept while the local engine decodes, token by token.

The engine asks three things of the answer written so far (never of the writer's text):
- `forced(text)`: text the form decides by itself next (the acrostic's character at a line's start, a
  hook's repeated line, a required phrase when only its room is left, the line break after a full line
  whose writer wants more);
- `allows(text)`: whether a candidate's text can still become the form (a line never longer than its
  count, a line break never early, the rhyme checked on the character that completes a rhyming line, no
  more lines than the form has, room kept for the phrases still missing);
- `finished(text)`: the form is complete, end the answer here; `may_end(text)`: the model may stop.
Each judges the whole text again: answers are a few lines, and no state can drift from the text.
"""

from __future__ import annotations

import re

from writer_app.engine.cjk import CJK_LETTERS
from writer_app.forms.check import check_form, unmet
from writer_app.forms.rhyme import shared_rhyme
from writer_app.forms.spec import FormSpec
from writer_app.forms.units import count

# After a full line: the closing punctuation a writer puts there (，。！？、；：…), at most this much.
_TRAILING_CHARS = " \t，。！？、；：,.!?;:…—-\"'“”‘’」』）)"
MAX_TRAILING = 2
MAX_OPEN_LINE_UNITS = 30  # a line whose form gives it no length: at most this long
# What a line of a form is written in: words, numbers and the punctuation between them; a Chinese line
# takes Latin letters only inside a required phrase (a brand name). Symbols, code and stray scripts
# would fill a line without adding a 字 or a syllable.
_PUNCTUATION = r" ,.!?;:'\"()\-—…’‘“”，。！？、；：《》（）·「」『』"
_LINE_CHARS = {
    "zh": re.compile(rf"[{CJK_LETTERS}0-9０-９{_PUNCTUATION}]*"),
    "en": re.compile(rf"[A-Za-z\u00c0-\u024f0-9{_PUNCTUATION}]*"),
}
_PUNCTUATION_RUN = re.compile(rf"[{_PUNCTUATION}]{{4,}}")
# Nor one word longer than any a writer uses (pieces glued without a space would count as one).
_LONG_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9]{19,}")


class FormConstraint:
    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec

    # The answer as the form reads it: leading blank space is not a line.
    @staticmethod
    def _body(text: str) -> str:
        return text.lstrip()

    def _target(self, i: int) -> int | None:
        return self.spec.units_of_line(i)

    def _last_line(self, i: int) -> bool:
        return self.spec.lines is not None and i == self.spec.lines - 1

    def _room_left(self, lines: list[str]) -> int | None:
        """Units the form still has room for after these lines (the last one in progress)."""
        spec = self.spec
        rooms = []
        if spec.max_units is not None:
            rooms.append(spec.max_units - count("".join(lines), spec.unit))
        if spec.lines is not None and spec.line_units:
            i = len(lines) - 1
            rest = sum(self._target(j) or 0 for j in range(i, spec.lines))
            rooms.append(rest - count(lines[-1], spec.unit))
        return min(rooms) if rooms else None

    def _missing(self, body: str) -> list[str]:
        folded = body.casefold()
        return [p for p in self.spec.required if p.casefold() not in folded]

    def _written_in_words(self, line: str) -> bool:
        if self.spec.unit == "char":
            return True  # a length limit on copy, not verse: any script, any symbol
        for phrase in self.spec.required:
            line = line.replace(phrase, "")
        return (
            bool(_LINE_CHARS[self.spec.language].fullmatch(line))
            and not _PUNCTUATION_RUN.search(line)
            and not _LONG_WORD.search(line)
        )

    def _line_ok(self, lines: list[str], i: int, complete: bool) -> bool:
        spec, line = self.spec, lines[i]
        if complete and not line.strip():
            return False  # no blank lines inside a form
        if not self._written_in_words(line):
            return False
        if spec.acrostic and i < len(spec.acrostic) and line and not line.startswith(spec.acrostic[i]):
            return False
        target = self._target(i)
        units = count(line, spec.unit)
        if target is None and spec.lines is not None and units > MAX_OPEN_LINE_UNITS:
            return False  # a line of a form with no length of its own still ends
        if target is not None:
            if units > target or (complete and units < target):
                return False
            tail = line[len(line.rstrip(_TRAILING_CHARS)) :] if units == target else ""
            if len(tail) > MAX_TRAILING:
                return False
        for later, earlier in spec.repeat:
            if later == i and earlier < i:
                model = lines[earlier]
                if not (line == model if complete else model.startswith(line)):
                    return False
        letter = spec.rhyme_letter(i)
        if letter and (complete or (target is not None and units == target)):
            group = [lines[j] for j in range(i) if spec.rhyme_letter(j) == letter]
            if group and not shared_rhyme([*group, line], spec.language):
                return False
        return True

    def allows(self, text: str) -> bool:
        spec = self.spec
        body = self._body(text)
        lines = body.split("\n")
        if spec.lines is not None and len(lines) > spec.lines:
            return False
        if not all(self._line_ok(lines, i, complete=i < len(lines) - 1) for i in range(len(lines))):
            return False
        room = self._room_left(lines)
        if room is not None:
            if room < 0:
                return False
            if sum(count(p, spec.unit) for p in self._missing(body)) > room:
                return False
        return True

    def forced(self, text: str) -> str | None:
        spec = self.spec
        body = self._body(text)
        lines = body.split("\n")
        i, line = len(lines) - 1, lines[-1]
        if spec.lines is not None and i >= spec.lines:
            return None
        if not line and spec.acrostic and i < len(spec.acrostic):
            return spec.acrostic[i]
        for later, earlier in spec.repeat:
            if later == i and lines[earlier].startswith(line) and len(line) < len(lines[earlier]):
                return lines[earlier][len(line) :]
        missing = self._missing(body)
        room = self._room_left(lines)
        if missing and room is not None:
            phrase = missing[0]
            needed = count(phrase, spec.unit)
            target = self._target(i)
            fits_line = target is None or count(line, spec.unit) + needed <= target
            if needed >= room and fits_line:
                return phrase
        target = self._target(i)
        if target is not None and count(line, spec.unit) == target and not self._last_line(i):
            tail = line[len(line.rstrip(_TRAILING_CHARS)) :]
            if len(tail) >= MAX_TRAILING:
                return "\n"
        return None

    def rescue(self, text: str) -> str | None:
        """When the model offers nothing the form allows: the line break after a full line, or a missing
        phrase that still fits."""
        body = self._body(text)
        for candidate in ("\n", *self._missing(body)):
            if self.allows(body + candidate):
                return candidate
        return None

    def finished(self, text: str) -> bool:
        """The form is whole: nothing more may be written."""
        spec = self.spec
        body = self._body(text)
        lines = body.split("\n")
        i = len(lines) - 1
        if spec.lines is not None and i == spec.lines - 1:
            for later, earlier in spec.repeat:
                if later == i and lines[i] == lines[earlier]:
                    return not unmet(check_form(body, spec))  # the hook, repeated whole, ends it
        if spec.lines is not None and spec.line_units and i == spec.lines - 1:
            if spec.unit in ("syllable", "word") and lines[-1].rstrip()[-1:].isalnum():
                return False  # its last word may still be growing: the model ends it
            return count(lines[-1], spec.unit) == self._target(i) and not unmet(check_form(body, spec))
        return spec.max_units is not None and count("".join(lines), spec.unit) >= spec.max_units

    def may_end(self, text: str) -> bool:
        """The model may stop here: every check holds."""
        body = self._body(text)
        return bool(body) and not unmet(check_form(body, self.spec))

    def room_tokens(self, tokens_per_unit: float = 2.0) -> int:
        """Enough new tokens for the whole form (a budget to give the engine)."""
        spec = self.spec
        if spec.lines is not None and spec.line_units:
            units = sum(self._target(i) or 0 for i in range(spec.lines)) + spec.lines * 2
        elif spec.max_units is not None:
            units = spec.max_units
        else:
            return 0
        return int(units * tokens_per_unit) + 8

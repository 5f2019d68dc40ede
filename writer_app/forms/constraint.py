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
from writer_app.forms.grammar import form_grammar
from writer_app.forms.rhyme import rhyme_word, rhyming_words, shared_rhyme, zh_tone
from writer_app.forms.spec import FormSpec
from writer_app.forms.units import completion, count, known_word, words, zipf

# After a full line: the closing punctuation a writer puts there (，。！？、；：…), at most this much.
MAX_TRAILING = 2
MAX_GAP = 3  # between two words of a line: ", “" at most
_TAIL = re.compile(r"\W*$")  # what follows a line's last word or character
MAX_OPEN_LINE_UNITS = 30  # a line whose form gives it no length: at most this long
RESCUE_RHYMES = 200  # dictionary rhymes offered when the model offers none
RHYME_ZIPF = 3.4  # how common (wordfreq's Zipf scale) the word an English rhyme lands on must be
# What a line of a form is written in: words, numbers and the punctuation between them; a Chinese line
# takes Latin letters only inside a required phrase (a brand name). Symbols, code and stray scripts
# would fill a line without adding a 字 or a syllable.
_EN_PUNCTUATION = r" ,.!?;:'\"()\-—…’‘“”"
_PUNCTUATION = _EN_PUNCTUATION + "，。！？、；：《》（）·「」『』"
_LINE_CHARS = {
    "zh": re.compile(rf"[{CJK_LETTERS}0-9０-９{_PUNCTUATION}]*"),
    "en": re.compile(rf"[A-Za-z\u00c0-\u024f0-9{_EN_PUNCTUATION}]*"),
}
# English punctuation as a writer sets it: no space before a mark (" ,"), a space after one before the
# next word (",Tim", ".slim"; "U.S." and "2.5" keep theirs).
_EN_MISSET = re.compile(r"\s[,.!?;:…]|[,!?;:…][\"“‘(]?[A-Za-z]|\.[\"“‘(]?[A-Za-z]{2}")
# Punctuation as filler: three marks in a row, two quotes or the same comma or stop twice in a row, two
# spaces, empty brackets.
_FILLER = re.compile(
    rf"[{_PUNCTUATION.replace(' ', '')}]{{3,}}|['\"’‘“”]{{2,}}|([,，、。])\1|  |\(\s*\)|（\s*）|「\s*」"
)
# A line of Chinese verse closes on one mark: not "，。" nor "。，" ("？！" is a writer's).
_ZH_DOUBLE_CLOSE = re.compile(r"[，。、；：,.;:][，。、；：！？,.!?;:]")
_SPACE = re.compile(r"\s")  # a line of Chinese verse has none, not even after its closing mark
_PUNCTUATION_INSIDE = re.compile(rf"[{_PUNCTUATION}]+[^{_PUNCTUATION}]")
# Nor one word longer than any a writer uses (pieces glued without a space would count as one).
_LONG_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9]{19,}")
# A line ends on closing punctuation, never on an opening bracket or quote (秋夜。《).
_OPENING_AT_END = re.compile(r"[《“‘「『（(\[]\W*$")
# One character three times in a row is a loop, not verse (雨雨雨; 绵绵 is a word).
_TRIPLE = re.compile(rf"([{CJK_LETTERS}])\1\1")


def _bare(line: str) -> str:
    """A line's words without its punctuation, spacing or case."""
    return re.sub(r"\W+", "", line).casefold()


def rhymes_on_a_word(line: str) -> bool:
    """An English rhyme lands on a word in common use ("train", "Jim"), not on a spelling the
    dictionary happens to list ("ane", "ost") nor on an acronym, which is read letter by letter."""
    found = words(line)
    last = found[-1] if found else ""
    return not (len(last) > 1 and last.isupper()) and zipf(last.lower()) >= RHYME_ZIPF


class FormConstraint:
    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec

    # The answer as the form reads it: leading blank space is not a line.
    @staticmethod
    def _body(text: str) -> str:
        return text.lstrip()

    def _range(self, i: int) -> tuple[int, int] | None:
        return self.spec.line_range(i)

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
            rest = sum((self._range(j) or (0, 0))[1] for j in range(i, spec.lines))
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
            and not _FILLER.search(line)
            and not _LONG_WORD.search(line)
            and not (self.spec.language == "zh" and (_SPACE.search(line) or _ZH_DOUBLE_CLOSE.search(line)))
            and not (self.spec.language == "en" and _EN_MISSET.search(line))
        )

    def _at_least(self, line: str, complete: bool) -> int:
        """The fewest units the line will hold: an English word still being written counts as the
        shortest word it can become ("syllabl" as "syllable", three syllables, not two)."""
        units = count(line, self.spec.unit)
        if complete or self.spec.language != "en" or not line[-1:].isalpha():
            return units
        growing = words(line)[-1]
        if known_word(growing):
            return units
        return count(line + completion(growing), self.spec.unit)

    @staticmethod
    def _real_words(line: str, complete: bool) -> bool:
        """Every word of an English line is one a writer uses, and the word being written can become one."""
        found = words(line)
        # A word is still being written while the line ends in a letter, or in an apostrophe after
        # one ("couldn'" becomes "couldn't").
        writing = line[-1:].isalnum() or (line[-1:] in "'’" and line[-2:-1].isalpha())
        growing = found[-1] if found and writing and not complete else None
        done = found[:-1] if growing is not None else found
        if growing is not None and not line[-1:].isalnum():
            growing += "'"  # "aggreg'" can become no word; "couldn'" can
        return all(known_word(w) for w in done) and (growing is None or known_word(growing, whole=False))

    def _line_ok(self, lines: list[str], i: int, complete: bool) -> bool:
        spec, line = self.spec, lines[i]
        if complete and not line.strip():
            return False  # no blank lines inside a form
        if not self._written_in_words(line):
            return False
        if spec.unit != "char" and len(_TAIL.search(line).group(0)) > MAX_GAP:
            return False
        if spec.language == "en" and spec.unit != "char" and not self._real_words(line, complete):
            return False  # a word cut short to fit the count ("syllabl."), or pieces glued into none
        if spec.acrostic and i < len(spec.acrostic) and line and not line.startswith(spec.acrostic[i]):
            return False
        bounds = self._range(i)
        units = count(line, spec.unit)
        if bounds is None and spec.lines is not None and units > MAX_OPEN_LINE_UNITS:
            return False  # a line of a form with no length of its own still ends
        if bounds is not None:
            low, high = bounds
            if self._at_least(line, complete) > high or (complete and units < low):
                return False
            tail = _TAIL.search(line).group(0)
            if len(tail) > (MAX_TRAILING if units >= low else MAX_GAP):
                return False
            inside = _PUNCTUATION_INSIDE.search(line) or (
                units < low and _PUNCTUATION_INSIDE.search(line + "字")
            )
            if spec.language == "zh" and inside:
                return False  # a line of Chinese verse is whole: its punctuation comes at its end
            if units >= low and _OPENING_AT_END.search(line):
                return False
        if spec.language == "zh" and _TRIPLE.search(line):
            return False
        for later, earlier in spec.repeat:
            if later == i and earlier < i:
                model = lines[earlier]
                if not (line == model if complete else model.startswith(line)):
                    return False
        line_done = complete or (bounds is not None and units == bounds[1])
        repeated = spec.repeated_lines
        if line_done and i not in repeated and _bare(line) in {_bare(lines[j]) for j in range(i)}:
            return False  # a line written twice is a loop unless the form repeats it (a hook)
        if spec.end_tone and self._last_line(i) and line_done and zh_tone(line) != spec.end_tone:
            return False  # a 下联 ends on 平
        letter = spec.rhyme_letter(i)
        group = [lines[j] for j in range(i) if spec.rhyme_letter(j) == letter] if letter else []
        if group:
            ending = line
            if not complete and bounds is not None and units < bounds[1] == self._at_least(line, complete):
                ending = line + completion(words(line)[-1])  # the word being written must end the line
            last_word = complete or (bounds is not None and units == bounds[1]) or ending != line
            if last_word and not shared_rhyme([*group, ending], spec.language):
                return False
            if last_word and spec.language == "en" and not rhymes_on_a_word(ending):
                return False
            # Rhyming a word with itself (情 … 情, salt … salt) is no rhyme, a writer's 重韵; a hook
            # repeated whole rhymes as its first time did.
            used = {
                rhyme_word(lines[j], spec.language)
                for j in range(i)
                if j not in repeated and lines[j] in group
            }
            if last_word and i not in repeated and rhyme_word(ending, spec.language) in used:
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
            bounds = self._range(i)
            fits_line = bounds is None or count(line, spec.unit) + needed <= bounds[1]
            if needed >= room and fits_line:
                return phrase
        bounds = self._range(i)
        full = bounds is not None and count(line, spec.unit) >= bounds[0] and not self._last_line(i)
        tail = _TAIL.search(line).group(0)
        # A Chinese line's comma or stop closes it (nothing may follow it there); English may add a quote.
        closed = len(tail) >= MAX_TRAILING or (spec.language == "zh" and tail[-1:] in tuple("，。、；："))
        if full and closed and self.allows(body + "\n"):
            return "\n"  # (a line that does not rhyme yet goes on instead)
        return None

    def rescue(self, text: str) -> list[str]:
        """When the model offers nothing the form allows: the line break after a full line, a missing
        phrase that still fits, the end of the English word being written, or a word from the
        dictionary that rhymes and fits what is left of the line."""
        body = self._body(text)
        line = body.split("\n")[-1]
        options = ["\n", *self._missing(body)]
        found = words(line)
        if self.spec.language == "en" and found and body[-1:].isalpha():
            options.append(completion(found[-1]))
        options += self._rhymes_that_fit(body)
        return [option for option in dict.fromkeys(options) if option and self.allows(body + option)]

    def _rhymes_that_fit(self, body: str) -> list[str]:
        """Words (after a space) that rhyme with the line's rhyme group and fit its room, for English."""
        spec = self.spec
        lines = body.split("\n")
        i = len(lines) - 1
        letter = spec.rhyme_letter(i)
        earlier = [lines[j] for j in range(i) if spec.rhyme_letter(j) == letter] if letter else []
        if spec.language != "en" or not earlier or not words(earlier[0]):
            return []
        space = "" if not lines[-1] or lines[-1][-1:].isspace() else " "
        return [space + word for word in rhyming_words(words(earlier[0])[-1])[:RESCUE_RHYMES]]

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
            bounds = self._range(i) or (0, 0)
            return count(lines[-1], spec.unit) == bounds[1] and not unmet(check_form(body, spec))
        return spec.max_units is not None and count("".join(lines), spec.unit) >= spec.max_units

    def may_end(self, text: str) -> bool:
        """The model may stop here: every check holds."""
        body = self._body(text)
        return bool(body) and not unmet(check_form(body, self.spec))

    def grammar(self) -> str | None:
        return form_grammar(self.spec)

    def room_tokens(self, tokens_per_unit: float = 2.0) -> int:
        """Enough new tokens for the whole form (a budget to give the engine)."""
        spec = self.spec
        if spec.lines is not None and spec.line_units:
            units = sum((self._range(i) or (0, 0))[1] for i in range(spec.lines)) + spec.lines * 2
        elif spec.max_units is not None:
            units = spec.max_units
        else:
            return 0
        return int(units * tokens_per_unit) + 8

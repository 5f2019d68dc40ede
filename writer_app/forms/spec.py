"""A form as data: what a task file's "form" object declares, validated, and made concrete for one
request (an acrostic from the writer's selection, a 下联 as long as its 上联)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from writer_app.forms.units import UNITS, count
from writer_app.translation import tr

MAX_LINES = 64
MAX_UNITS = 2000
# A value that stands for the writer's own text: the acrostic spelled by the selection, a line as long
# as the selected line.
FROM_TEXT = "{text}"


class FormError(ValueError):
    """A form that cannot be written: its message says which part and why."""


@dataclass(frozen=True)
class FormSpec:
    language: str = "zh"  # whose counting and rhyme: "zh" or "en"
    unit: str = "zi"  # what line_units and the totals count (forms/units.py)
    lines: int | None = None  # exactly this many lines; None: any
    # Units per line (one value: every line; a (low, high) pair: from low to high); () = any.
    line_units: tuple[int | tuple[int, int], ...] = ()
    rhyme: str = ""  # a letter per line, lines with one letter rhyme ("AABA"); "x" or "-": free; repeats
    acrostic: str = ""  # line i starts with its character i
    required: tuple[str, ...] = ()  # phrases the text holds
    repeat: tuple[tuple[int, int], ...] = ()  # (line, earlier line it repeats), 0-based: a hook
    min_units: int | None = None  # the whole text's length, in units
    max_units: int | None = None
    # Chinese: the tone the last line ends on, 平 ("ping": tones 1 and 2) or 仄 ("ze": 3 and 4), as a
    # 下联 ends on 平 after a 上联 that ends on 仄; "": any.
    end_tone: str = ""
    acrostic_from_text: bool = False
    line_units_from_text: bool = False

    def units_of_line(self, i: int) -> int | tuple[int, int] | None:
        if not self.line_units:
            return None
        return self.line_units[i] if len(self.line_units) > 1 else self.line_units[0]

    def line_range(self, i: int) -> tuple[int, int] | None:
        """(fewest, most) units line i may hold; None: any."""
        units = self.units_of_line(i)
        return (units, units) if isinstance(units, int) else units

    @property
    def repeated_lines(self) -> frozenset[int]:
        """The lines that repeat an earlier one (a hook's returns)."""
        return frozenset(later for later, _earlier in self.repeat)

    def rhyme_letter(self, i: int) -> str:
        """Line i's rhyme letter ("" when it need not rhyme). A scheme shorter than the poem repeats
        ("xA": every second line rhymes, however many lines an acrostic makes)."""
        if not self.rhyme:
            return ""
        letter = self.rhyme[i % len(self.rhyme)]
        return "" if letter in "x-" else letter

    @property
    def is_open(self) -> bool:
        """Lines end wherever the writer of the text ends them: no count or acrostic fixes them."""
        return self.lines is None and not self.acrostic

    def for_text(self, text: str) -> FormSpec:
        """The form made concrete for the writer's text; FormError when it cannot be."""
        spec = self
        if self.acrostic_from_text:
            letters = "".join(c for c in text if not c.isspace() and c.isalnum())
            if not letters:
                raise FormError(tr("An acrostic needs a name or a word to spell: select one first."))
            if len(letters) > MAX_LINES:
                raise FormError(
                    tr("An acrostic of {count} characters is too long (at most {most}).").format(
                        count=len(letters), most=MAX_LINES
                    )
                )
            spec = replace(spec, acrostic=letters, lines=len(letters), acrostic_from_text=False)
        if self.line_units_from_text:
            first_line = next((line for line in text.splitlines() if line.strip()), "")
            units = count(first_line, self.unit)
            if units == 0:
                raise FormError(tr("This form matches the length of the selected line: select a line first."))
            spec = replace(spec, line_units=(units,), line_units_from_text=False)
        spec.validate()
        return spec

    def validate(self) -> None:
        if self.language not in ("zh", "en"):
            raise FormError(f"form language {self.language!r}: choose zh or en")
        if self.unit not in UNITS:
            raise FormError(f"form unit {self.unit!r}: choose from {', '.join(UNITS)}")
        if self.lines is not None and not 1 <= self.lines <= MAX_LINES:
            raise FormError(f"a form has 1 to {MAX_LINES} lines, not {self.lines}")
        ranges = [self.line_range(i) for i in range(len(self.line_units))]
        if any(r is None or not 1 <= r[0] <= r[1] <= MAX_UNITS for r in ranges):
            raise FormError(f"a line holds 1 to {MAX_UNITS} units (a range is [fewest, most])")
        if self.lines is not None and len(self.line_units) > 1 and len(self.line_units) != self.lines:
            raise FormError(f"line_units gives {len(self.line_units)} lengths for {self.lines} lines")
        if self.acrostic and self.lines is not None and len(self.acrostic) != self.lines:
            raise FormError(
                f"an acrostic of {len(self.acrostic)} characters needs {len(self.acrostic)} lines"
            )
        for line, earlier in self.repeat:
            if not 0 <= earlier < line or (self.lines is not None and line >= self.lines):
                raise FormError(f"line {line + 1} cannot repeat line {earlier + 1}")
        if self.min_units is not None and self.max_units is not None and self.min_units > self.max_units:
            raise FormError("the shortest length is longer than the longest")
        shortest = sum(count(p, self.unit) for p in self.required)
        if self.max_units is not None and shortest > self.max_units:
            raise FormError(
                f"the required phrases take {shortest} units, more than the {self.max_units} the form allows"
            )
        if self.line_units and self.lines is not None:
            room = [(self.line_range(i) or (0, 0))[1] for i in range(self.lines)]
            fewest = sum((self.line_range(i) or (0, 0))[0] for i in range(self.lines))
            if self.max_units is not None and fewest > self.max_units:
                raise FormError(
                    f"{self.lines} lines of these lengths exceed the {self.max_units} units allowed"
                )
            for phrase in self.required:
                if "\n" not in phrase and count(phrase, self.unit) > max(room):
                    raise FormError(f"the phrase {phrase!r} is longer than any line of the form")

    @classmethod
    def from_json(cls, raw: Any) -> FormSpec:
        """A task file's "form" object; FormError naming the field that is wrong."""
        if not isinstance(raw, dict):
            raise FormError("form: an object is expected")
        known = {
            "language",
            "unit",
            "lines",
            "line_units",
            "rhyme",
            "acrostic",
            "required",
            "repeat",
            "min_units",
            "max_units",
            "end_tone",
        }
        unknown = sorted(set(raw) - known)
        if unknown:
            raise FormError(f"form: unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})")
        fields: dict[str, Any] = {}
        for name in ("language", "unit", "rhyme", "acrostic", "end_tone"):
            if name in raw:
                if not isinstance(raw[name], str) or len(raw[name]) > MAX_LINES * 4:
                    raise FormError(f"form: {name} must be a short text")
                fields[name] = raw[name]
        if fields.get("acrostic") == FROM_TEXT:
            fields["acrostic"], fields["acrostic_from_text"] = "", True
        if fields.get("end_tone", "") not in ("", "ping", "ze"):
            raise FormError('form: end_tone is "ping" (平) or "ze" (仄)')
        if "rhyme" in fields and not re.fullmatch(r"[A-Za-z\-x]*", fields["rhyme"]):
            raise FormError("form: rhyme is a letter per line, x or - for a line that need not rhyme")
        for name in ("lines", "min_units", "max_units"):
            if name in raw:
                if not isinstance(raw[name], int) or isinstance(raw[name], bool) or raw[name] < 0:
                    raise FormError(f"form: {name} must be a whole number")
                fields[name] = raw[name]
        if "line_units" in raw:
            value = raw["line_units"]
            if value == FROM_TEXT:
                fields["line_units_from_text"] = True
            else:
                value = [value] if isinstance(value, int) else value
                if not isinstance(value, list) or not all(_is_units(v) for v in value):
                    raise FormError(
                        'form: line_units is a number, a list of numbers or [fewest, most] pairs, or "{text}"'
                    )
                fields["line_units"] = tuple(v if isinstance(v, int) else (v[0], v[1]) for v in value)
        if "required" in raw:
            value = raw["required"]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise FormError("form: required is a list of phrases")
            fields["required"] = tuple(v.strip() for v in value)
        if "repeat" in raw:
            value = raw["repeat"]
            pairs = value if isinstance(value, list) else None
            if pairs is None or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(n, int) and n >= 1 for n in p)
                for p in pairs
            ):
                raise FormError("form: repeat is a list of [line, earlier line] pairs, counted from 1")
            fields["repeat"] = tuple((a - 1, b - 1) for a, b in pairs)
        spec = cls(**fields)
        if not spec.acrostic_from_text and not spec.line_units_from_text:
            spec.validate()
        return spec


def _is_units(value: Any) -> bool:
    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    return whole(value) or (isinstance(value, list) and len(value) == 2 and all(whole(v) for v in value))

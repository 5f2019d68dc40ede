"""What holds in a finished text, form by form: the checks the panel shows beside each candidate
(✓ 7 字 ✓ 押 ang ✓ 藏头) and that say what a generation could not keep. Independent of how the text
was made: a server's answer is checked the same way."""

from __future__ import annotations

from dataclasses import dataclass

from writer_app.forms.rhyme import rhyme_name, rhyme_word, shared_rhyme, zh_tone
from writer_app.forms.spec import FormSpec
from writer_app.forms.units import count

_UNIT_NAMES = {
    "zh": {"zi": "字", "syllable": "音节", "word": "词", "char": "字符"},
    "en": {"zi": "characters", "syllable": "syllables", "word": "words", "char": "characters"},
}


@dataclass(frozen=True)
class Check:
    what: str  # "lines", "length", "rhyme", "acrostic", "phrase", "repeat", "total"
    ok: bool
    label: str  # short, for the panel: "7 字", "押 ang", "藏头", "“山泉”"

    def mark(self) -> str:
        return ("✓ " if self.ok else "✗ ") + self.label


def form_lines(text: str) -> list[str]:
    """The text's lines as the form counts them: blank lines and surrounding spaces left out."""
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


def check_form(text: str, spec: FormSpec) -> list[Check]:
    lines = form_lines(text)
    names = _UNIT_NAMES[spec.language]
    checks: list[Check] = []
    if spec.lines is not None:
        label = f"{spec.lines} 行" if spec.language == "zh" else f"{spec.lines} lines"
        checks.append(Check("lines", len(lines) == spec.lines, label))
    if spec.line_units:
        ranges = [spec.line_range(i) or (0, 0) for i in range(len(lines))]
        ok = bool(lines) and all(
            low <= count(line, spec.unit) <= high for line, (low, high) in zip(lines, ranges, strict=True)
        )
        shown = "/".join(
            str(u) if isinstance(u, int) else f"{u[0]}–{u[1]}" for u in dict.fromkeys(spec.line_units)
        )
        checks.append(Check("length", ok, f"{shown} {names[spec.unit]}"))
    groups: dict[str, list[str]] = {}
    repeats = spec.repeated_lines
    fresh: dict[str, list[str]] = {}  # the group's lines that are not a hook repeated
    for i, line in enumerate(lines):
        letter = spec.rhyme_letter(i)
        if letter:
            groups.setdefault(letter, []).append(line)
            if i not in repeats:
                fresh.setdefault(letter, []).append(line)
    for letter, group in groups.items():
        if len(group) < 2:
            continue
        sound = rhyme_name(group[-1], spec.language)
        label = f"押 {sound}" if spec.language == "zh" else f"rhymes with “{sound}”"
        own = fresh.get(letter, [])
        distinct = len({rhyme_word(line, spec.language) for line in own}) == len(own)  # no 重韵
        checks.append(Check("rhyme", bool(shared_rhyme(group, spec.language)) and distinct, label))
    if spec.end_tone and spec.language == "zh":
        ok = bool(lines) and zh_tone(lines[-1]) == spec.end_tone
        checks.append(Check("tone", ok, "平收" if spec.end_tone == "ping" else "仄收"))
    if spec.acrostic:
        starts = "".join(line[:1] for line in lines)
        label = "藏头" if spec.language == "zh" else "acrostic"
        checks.append(
            Check("acrostic", starts.casefold() == spec.acrostic.casefold(), f"{label} {spec.acrostic}")
        )
    folded = text.casefold()
    for phrase in spec.required:
        checks.append(Check("phrase", phrase.casefold() in folded, f"“{phrase}”"))
    for later, earlier in spec.repeat:
        ok = later < len(lines) and lines[later] == lines[earlier]
        label = f"第{later + 1}行重复" if spec.language == "zh" else f"line {later + 1} repeats"
        checks.append(Check("repeat", ok, label))
    if spec.min_units is not None or spec.max_units is not None:
        total = count("".join(lines) if spec.unit != "char" else text.strip(), spec.unit)
        low, high = spec.min_units or 0, spec.max_units
        ok = total >= low and (high is None or total <= high)
        checks.append(Check("total", ok, f"{total} {names[spec.unit]}"))
    return checks


def unmet(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]

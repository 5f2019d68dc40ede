"""The stages of an install, export or import, read from the lines those print: the window's progress
bar (ui/model_jobs.py) and the terminal's (cli_models.py) both place their bar by these."""

from __future__ import annotations

import re


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 - the name pyside6-lupdate collects; the window translates
    return text


# A line that starts a stage, the stage's name, and the fraction of the whole work done when it starts.
STAGES = (
    (re.compile(r"^\[download\]"), QT_TR_NOOP("Downloading"), 0.02),
    (re.compile(r"^\[read\]"), QT_TR_NOOP("Reading the GGUF file"), 0.08),
    (re.compile(r"^\[1/3\]"), QT_TR_NOOP("Exporting to ONNX"), 0.15),
    (re.compile(r"^\[2/3\]"), QT_TR_NOOP("Optimizing the graph"), 0.45),
    (re.compile(r"^\s*\[compare\]"), QT_TR_NOOP("Comparing with the source model"), 0.5),
    (re.compile(r"^\s*\[measure\]"), QT_TR_NOOP("Measuring the quality of smaller weights"), 0.6),
    (re.compile(r"^\[3/3\]"), QT_TR_NOOP("Writing checksums"), 0.9),
    (re.compile(r"^\[1/2\]"), QT_TR_NOOP("Copying"), 0.2),
    (re.compile(r"^\[2/2\]"), QT_TR_NOOP("Verifying"), 0.8),
    (re.compile(r"^\[checked\]"), QT_TR_NOOP("Verifying"), 0.97),
    # A tune (writer-app models tune): its training takes most of the time; the export comes last.
    (re.compile(r"^\[texts\]"), QT_TR_NOOP("Reading your texts"), 0.01),
    (re.compile(r"^\[before\]"), QT_TR_NOOP("Measuring the base model"), 0.06),
    (re.compile(r"^\[train (\d+)%\]"), QT_TR_NOOP("Training on your writing"), (0.1, 0.8)),
    (re.compile(r"^\[merge\]"), QT_TR_NOOP("Merging the adapters"), 0.8),
    (re.compile(r"^\[export\]"), QT_TR_NOOP("Exporting the tuned model"), 0.85),
)


def stage_of(line: str) -> tuple[str, float] | None:
    """(stage name, fraction done) when LINE starts a stage, else None. A stage that says how far it is
    ("[train 40%]") moves the bar within its span."""
    for pattern, label, fraction in STAGES:
        found = pattern.search(line)
        if found is None:
            continue
        if isinstance(fraction, tuple):
            start, end = fraction
            return label, start + (end - start) * min(100, int(found.group(1))) / 100
        return label, fraction
    return None


def stage_detail(line: str) -> str:
    """What a stage that says how far it is adds after its tag ("step 12 of 40: training loss 3.1"),
    for the bar's label; "" for any other line."""
    for pattern, _label, fraction in STAGES:
        found = pattern.search(line)
        if found is not None and isinstance(fraction, tuple):
            return line[found.end() :].strip()
    return ""

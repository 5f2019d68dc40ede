"""The machine a figure was measured on: every benchmark prints it beside its numbers."""

from __future__ import annotations


def cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")

"""One way to measure and write a size, wherever the writer reads one (a model showed as 178, 181,
172.9 and 173 MB in four places: weights or whole folder, MiB or MB)."""

from __future__ import annotations

from pathlib import Path


def folder_bytes(folder: Path) -> int:
    """Everything a folder holds on disk (a model: its graph, weights, tokenizer and manifest)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def size_text(n_bytes: float) -> str:
    """Decimal units, as disks and downloads are sold: "173 MB", "1.5 GB"."""
    mb = n_bytes / 1e6
    if mb >= 1000:
        return f"{mb / 1000:.1f} GB"
    return f"{mb:.0f} MB" if mb >= 1 else f"{n_bytes / 1e3:.0f} KB"

"""Graphs saved once with onnxruntime's pre-packed weights beside them, so later loads map them.

Every time a session is created, onnxruntime re-packs each weight matrix into its kernels' layout. That
costs load time, and the packed copy sits on the heap next to the original weights. If the graph is
saved once with `session.save_external_prepacked_constant_initializers`, the packed weights go into
the external data file. Later sessions memory-map that file instead of packing again. The layout
depends on the CPU and the onnxruntime version, so a prepared copy is keyed by both and lives in the
cache folder, not in the model folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import shutil
import uuid
from pathlib import Path

import onnxruntime as ort

log = logging.getLogger(__name__)

GRAPH_NAME = "model.onnx"
DATA_NAME = "model.onnx.data"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def cpu_fingerprint() -> str:
    """What decides the packed layout: the instruction sets the CPU offers."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor()}"


def _graph_key(graph: Path) -> str:
    return _digest(str(graph.resolve()))


def prepared_folder(graph: Path, cache_root: Path) -> Path:
    """Where the prepared copy of this version of graph lives on this machine."""
    stat = graph.stat()
    version = _digest(str(stat.st_size), str(stat.st_mtime_ns), ort.__version__, cpu_fingerprint())
    return cache_root / f"{_graph_key(graph)}-{version}"


def forget(graph: Path, cache_root: Path) -> None:
    """Remove every prepared copy of graph (all versions)."""
    if not cache_root.is_dir():
        return
    for entry in cache_root.glob(f"{_graph_key(graph)}-*"):
        shutil.rmtree(entry, ignore_errors=True)


def prepare(graph: Path, cache_root: Path) -> Path | None:
    """The prepared copy of graph, made now if there is none; None if it cannot be made (the caller
    then loads graph itself)."""
    target = prepared_folder(graph, cache_root)
    if (target / GRAPH_NAME).is_file() and (target / DATA_NAME).is_file():
        return target / GRAPH_NAME
    staging = cache_root / f".staging-{uuid.uuid4().hex}"
    try:
        forget(graph, cache_root)  # older versions of this graph are stale now
        staging.mkdir(parents=True)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.log_severity_level = 3
        options.optimized_model_filepath = str(staging / GRAPH_NAME)
        for key, value in (
            ("session.optimized_model_external_initializers_file_name", DATA_NAME),
            ("session.optimized_model_external_initializers_min_size_in_bytes", "1024"),
            ("session.save_external_prepacked_constant_initializers", "1"),
        ):
            options.add_session_config_entry(key, value)
        ort.InferenceSession(str(graph), sess_options=options, providers=["CPUExecutionProvider"])
        if not (staging / DATA_NAME).is_file():
            raise OSError("onnxruntime wrote no external data file")
        os.replace(staging, target)
    except Exception as exc:  # a full disk, a read-only cache, onnxruntime refusing: load the original
        log.warning("could not prepare %s for fast loading (%s); loading it as it is", graph, exc)
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / GRAPH_NAME

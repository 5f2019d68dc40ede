"""One typed settings object with defaults, saved as JSON in the config folder (only changed keys)."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from writer_app import paths
from writer_app.engine.block_list import read_block_list
from writer_app.engine.sampling import SAMPLING_LIMITS, SamplingParams

log = logging.getLogger(__name__)
SETTINGS_FILE = "settings.json"
MAX_RECENT = 10
_SAMPLING = SamplingParams()
# Every numeric setting's range: the one table the checks below and the settings dialog read.
SETTING_LIMITS: dict[str, tuple[float, float]] = {
    "suggestion_tokens": (1, 512),
    "suggestion_ms": (0, 10000),
    **SAMPLING_LIMITS,
    "alternatives": (1, 8),
    "auto_suggest_delay_ms": (100, 10000),
    "threads": (0, 64),
    "font_size": (6, 72),
}


@dataclass
class Settings:
    model: str = ""  # the continuation model (ghost text): store name or folder; "" = the installed default
    instruction_model: str = ""  # rewrites and tasks; "" = the continuation model
    suggestion_tokens: int = 24
    suggestion_ms: int = 0  # a time limit for ghost text, as well as the token limit; 0 = none
    temperature: float = _SAMPLING.temperature
    top_p: float = _SAMPLING.top_p
    top_k: int = _SAMPLING.top_k
    repetition_penalty: float = _SAMPLING.repetition_penalty
    greedy: bool = False
    alternatives: int = 3
    stop_at_sentence: bool = False
    auto_suggest: bool = False
    auto_suggest_delay_ms: int = 700
    threads: int = 0  # 0 = physical cores
    theme: str = "light"  # light | dark
    font_family: str = ""
    font_size: int = 12
    soft_wrap: bool = True
    recent_files: list[str] = field(default_factory=list)
    block_list: bool = False  # never write the phrases in block_list_path()
    language: str = "system"  # the interface: system | en | zh_CN
    # Where the models run: "local" (this computer) or "server" (an OpenAI-compatible server of your own).
    model_source: str = "local"
    server_url: str = ""  # e.g. http://127.0.0.1:8080/v1; its API key is in the system keyring, not here
    server_model: str = ""
    local_only: bool = False  # refuse any server, whatever else says so
    confirmed_hosts: list[str] = field(
        default_factory=list
    )  # non-local hosts the writer agreed to send text to
    window_geometry: str = ""  # the main window's size and place (Qt's saveGeometry, base64)

    def problems(self) -> list[str]:
        issues = []
        for name, (low, high) in SETTING_LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                issues.append(f"{name}={value} is outside {low}..{high}")
        if self.theme not in ("light", "dark"):
            issues.append(f"theme={self.theme!r} is not light or dark")
        if self.model_source not in ("local", "server"):
            issues.append(f"model_source={self.model_source!r} is not local or server")
        if self.language not in ("system", "en", "zh_CN"):
            issues.append(f"language={self.language!r} is not system, en or zh_CN")
        return issues

    def add_recent(self, path: str) -> None:
        self.recent_files = [path, *[p for p in self.recent_files if p != path]][:MAX_RECENT]


def settings_path() -> Path:
    return paths.config_home() / SETTINGS_FILE


MAX_SETTINGS_BYTES = 1_000_000


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The saved settings and messages about anything that was reset. Never raises on bad content."""
    path = path or settings_path()
    defaults = Settings()
    if not path.exists():
        return defaults, []
    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            raise ValueError(f"larger than settings can be ({MAX_SETTINGS_BYTES // 1000} KB)")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except RecursionError:
        return defaults, [f"settings file {path} was unreadable (nested too deeply); using defaults"]
    except (OSError, ValueError) as exc:
        return defaults, [f"settings file {path} was unreadable ({exc}); using defaults"]
    messages = []
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in data:
            continue
        default = getattr(defaults, f.name)
        value = data[f.name]
        if isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)):
            if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            else:
                messages.append(f"setting {f.name}={value!r} has the wrong type; reset to {default!r}")
                continue
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            value = [item for item in value if isinstance(item, str)]
            messages.append(f"setting {f.name} held entries that are not text; they were left out")
        values[f.name] = value
    unknown = sorted(set(data) - {f.name for f in fields(Settings)})
    if unknown:
        messages.append(f"unknown settings ignored: {', '.join(unknown)}")
    settings = Settings(**values)
    for problem in settings.problems():
        name = problem.split("=")[0]
        setattr(settings, name, getattr(defaults, name))
        messages.append(f"setting {problem}; reset to the default")
    return settings, messages


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write only the keys that differ from the defaults, atomically."""
    path = path or settings_path()
    defaults = asdict(Settings())
    changed = {k: v for k, v in asdict(settings).items() if defaults.get(k) != v}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(changed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def block_list_path() -> Path:
    """Words and phrases, one per line, that suggestions and tasks never write (when switched on)."""
    return paths.config_home() / "block_list.txt"


def blocked_phrases(settings: Settings) -> tuple[str, ...]:
    if not settings.block_list:
        return ()
    path = block_list_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return ()
    return _read_block_list(str(path), stamp)


@functools.lru_cache(maxsize=4)
def _read_block_list(path: str, _stamp: int) -> tuple[str, ...]:
    """Read again only when the file changed (the stamp is part of the cache key)."""
    try:
        return tuple(read_block_list(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return ()

"""Which server, which model, and its key: the model reference the window passes to its model thread
(`server:MODEL@URL`), whether a host is this computer, and the API key from the environment or the
system keyring (never the settings file, never a log)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from writer_app.errors import UserError

log = logging.getLogger(__name__)
REF_PREFIX = "server:"
KEY_VARIABLE = "WRITER_APP_API_KEY"
KEYRING_SERVICE = "writer-app"


@dataclass(frozen=True)
class ServerChoice:
    base_url: str  # up to and including /v1
    model: str

    @property
    def ref(self) -> str:
        return f"{REF_PREFIX}{self.model}@{self.base_url}"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def normalize_base_url(url: str) -> str:
    """What the writer typed (host:port, http://host:port, …/v1, …/v1/) as http(s)://host:port/v1."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here, as a bad IPv6 address above
    except ValueError as exc:
        raise UserError(f"{url!r} is not a server address ({exc}; e.g. http://127.0.0.1:8080/v1)") from None
    if url and not parts.path.rstrip("/").endswith("/v1"):
        url += "/v1"
    return url


def parse_ref(ref: str) -> ServerChoice | None:
    """The server a model reference names, or None for a local model (a store name or a folder)."""
    if not ref.startswith(REF_PREFIX):
        return None
    model, _, url = ref[len(REF_PREFIX) :].rpartition("@")
    return ServerChoice(url, model) if url else None


def is_this_computer(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_key(base_url: str) -> str:
    """WRITER_APP_API_KEY, else the key kept for this server in the system keyring, else ""."""
    key = os.environ.get(KEY_VARIABLE, "")
    if key:
        return key
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, base_url) or ""
    except Exception as exc:  # noqa: BLE001 - no keyring backend (a headless machine): no key, and say why
        log.info("no system keyring: %s", type(exc).__name__)
        return ""


def save_api_key(base_url: str, key: str) -> str | None:
    """Keep (or with "" forget) the key for this server in the system keyring; the reason when it cannot."""
    try:
        import keyring

        if key:
            keyring.set_password(KEYRING_SERVICE, base_url, key)
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, base_url)
    except Exception as exc:  # noqa: BLE001 - a locked or missing keyring must not lose the writer's settings
        return f"the system keyring is not available ({type(exc).__name__}); set {KEY_VARIABLE} instead"
    return None

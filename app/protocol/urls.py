"""Where a WebSocket of the protocol lives, given the cloud's (or an agent's) HTTP address."""

from __future__ import annotations


def websocket_url(base_url: str, path: str) -> str:
    """``http(s)://host:port`` + ``/path`` → ``ws(s)://host:port/path``."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base.removeprefix("https://") + path
    return "ws://" + base.removeprefix("http://") + path

"""How the programs verify the cloud's TLS certificate: the system's trusted authorities,
plus the one in ``PORTHOLE_CA_FILE`` if set (a private CA of a self-hosted deployment, or
a test's throw-away one). Verification is never turned off."""

from __future__ import annotations

import functools
import os
import ssl
from typing import Any

CA_FILE_ENV = "PORTHOLE_CA_FILE"


def client_context() -> ssl.SSLContext:
    """The context for HTTPS and WSS connections to the cloud (hostname checked)."""
    return _context(os.environ.get(CA_FILE_ENV) or None)


@functools.lru_cache(maxsize=4)
def _context(ca_file: str | None) -> ssl.SSLContext:
    # Loading the system's authorities takes a few milliseconds: once per CA file.
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


def websocket_tls(url: str) -> dict[str, Any]:
    """``connect()`` options for ``url``: the verifying context for ``wss://``, nothing
    for ``ws://`` (an agent reached directly: its sessions are end-to-end encrypted)."""
    return {"ssl": client_context()} if url.startswith("wss://") else {}

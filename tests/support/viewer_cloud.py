"""The viewer's own cloud client, signed up to a fresh account, for viewer-side tests."""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

from app.viewer.core.cloud import CloudClient
from tests.support.api import PASSWORD


def new_email() -> str:
    return f"{uuid.uuid4().hex[:10]}@example.com"


@contextlib.asynccontextmanager
async def signed_up(url: str, **options: Any) -> AsyncIterator[CloudClient]:
    async with CloudClient(url, **options) as client:
        await client.sign_up(new_email(), PASSWORD)
        yield client


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

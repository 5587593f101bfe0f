"""Reading what a test cloud mailed (the file mailer's .eml files)."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path


def mails_to(folder: Path, address: str) -> list[Message]:
    """The mails sent to ``address``, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = message_from_bytes(path.read_bytes())
        if message["To"] == address:
            found.append(message)
    return found


def link_in(message: Message, route: str) -> str:
    """The token of the portal link ``#/<route>/<token>`` in a mail."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = re.search(rf"/#/{route}/(\S+)", payload.decode())
    assert match, payload
    return match.group(1)

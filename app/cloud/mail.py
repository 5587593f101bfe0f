"""How the cloud sends mail (password-reset and verification links): a pluggable mailer.

- ``PORTHOLE_MAILER_URL=smtp://user:password@host:587`` (STARTTLS), ``smtps://…:465``
  (TLS from the start), or ``smtp://host:25`` with no credentials: the standard library's
  smtplib, in a worker thread.
- ``file`` (the default, and what the demo and the tests use): each mail is written as an
  ``.eml`` file into ``PORTHOLE_MAIL_DIR``, created 0700, files 0600: the links are
  secrets, so they never go to a log or the console.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.tls import client_context


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<{uuid.uuid4()}@porthole>"
    message.set_content(body)
    return message


class FileMailer:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4()}.eml"
        data = bytes(_message(self.sender, to, subject, body))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


class SmtpMailer:
    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        self.tls_from_start = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.tls_from_start else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        await asyncio.to_thread(self._send, _message(self.sender, to, subject, body))

    def _send(self, message: EmailMessage) -> None:
        context: ssl.SSLContext = client_context()
        smtp: smtplib.SMTP
        if self.tls_from_start:
            smtp = smtplib.SMTP_SSL(self.host, self.port, context=context, timeout=30)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
        with smtp:
            if not self.tls_from_start and self.port != 25:
                smtp.starttls(context=context)
            if self.user is not None:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def mailer_from(url: str, folder: Path, sender: str) -> Mailer:
    if url == "file":
        return FileMailer(folder, sender)
    if url.startswith(("smtp://", "smtps://")):
        return SmtpMailer(url, sender)
    raise ValueError("PORTHOLE_MAILER_URL is 'file', or smtp://… or smtps://…")

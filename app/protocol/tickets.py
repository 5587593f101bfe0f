"""Session tickets: the cloud signs {session, account, computer, expiry, the viewer's and
the agent's end-to-end keys} with Ed25519 (a compact JWS, ``alg: EdDSA``, its header
naming the key: ``kid``); the agent checks them with the public keys it learned at
enrolment and then over its control link (the cloud rotates them). No I/O here: the
caller passes the keys, the time and the computer id.

A ticket admits one session once: :class:`ReplayGuard` remembers the ones already used
until they expire."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import TicketRefused

__all__ = ["ReplayGuard", "Ticket", "TicketRefused", "public_key_from_text", "verify_ticket"]

MAX_TICKET_CHARS = 4096
PUBLIC_KEY_PREFIX = "ed25519:"


@dataclass(frozen=True, slots=True)
class Ticket:
    session_id: str
    account_id: str
    computer_id: str
    expires_at: int  # Unix seconds
    #: The X25519 keys (``x25519:…``) the cloud vouches for: the viewer that asked, and
    #: the agent the session is for. The encrypted handshake must prove both.
    viewer_key: str
    agent_key: str
    #: Who asked, as the cloud knows them, for the host's prompt and indicator: the
    #: account's email, the viewer's device name and the address it called from.
    account_email: str = ""
    device_name: str = ""
    viewer_address: str = ""


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """The cloud's key as given at enrolment: ``ed25519:<base64url of 32 bytes>``."""
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError("not an ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(_b64decode(text[len(PUBLIC_KEY_PREFIX) :]))


def verify_ticket(
    token: str, keys: Mapping[str, Ed25519PublicKey], *, computer_id: str, now: float
) -> Ticket:
    """The ticket's claims, if the cloud signed it for this computer and it has not expired.

    ``keys`` maps key ids to the cloud's ticket keys; ``""`` is for a ticket whose header
    names none (from a cloud older than key ids)."""
    if not isinstance(token, str) or len(token) > MAX_TICKET_CHARS or token.count(".") != 2:
        raise TicketRefused("The session ticket is malformed.")
    header_part, payload_part, signature_part = token.split(".")
    try:
        header = json.loads(_b64decode(header_part))
        payload: dict[str, Any] = json.loads(_b64decode(payload_part))
        signature = _b64decode(signature_part)
    except (ValueError, binascii.Error, RecursionError):
        raise TicketRefused("The session ticket is malformed.") from None
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise TicketRefused("The session ticket is not signed with EdDSA.")
    kid = header.get("kid", "")
    public_key = keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        raise TicketRefused(
            "The session ticket is signed with a key this computer does not know; it learns "
            "the cloud's keys over its link, so check that the agent is online."
        )
    try:
        public_key.verify(signature, f"{header_part}.{payload_part}".encode())
    except InvalidSignature:
        raise TicketRefused("The session ticket was not signed by this computer's cloud.") from None
    if not isinstance(payload, dict) or payload.get("typ") != "session":
        raise TicketRefused("Not a session ticket.")
    fields = {name: payload.get(name) for name in ("sid", "sub", "cid", "vk", "ak")}
    expires_at = payload.get("exp")
    if not all(isinstance(value, str) and value for value in fields.values()) or not isinstance(
        expires_at, int
    ):
        raise TicketRefused(
            "The session ticket lacks its session, account, computer or keys "
            "(a cloud older than end-to-end encryption?)."
        )
    if fields["cid"] != computer_id:
        raise TicketRefused("The session ticket is for another computer.")
    if expires_at <= now:
        raise TicketRefused("The session ticket has expired; open the session again.")
    return Ticket(
        str(fields["sid"]),
        str(fields["sub"]),
        str(fields["cid"]),
        expires_at,
        viewer_key=str(fields["vk"]),
        agent_key=str(fields["ak"]),
        account_email=_text(payload.get("em")),
        device_name=_text(payload.get("dn")),
        viewer_address=_text(payload.get("ip")),
    )


def _text(value: object, limit: int = 200) -> str:
    """An optional descriptive claim: a string, kept short and printable."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable())[:limit]


class ReplayGuard:
    """Remembers used tickets until they expire, so each admits one session only."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def admit(self, ticket: Ticket, *, now: float) -> None:
        for session_id in [sid for sid, expiry in self._used.items() if expiry <= now]:
            del self._used[session_id]
        if ticket.session_id in self._used:
            raise TicketRefused("This session ticket was already used.")
        self._used[ticket.session_id] = ticket.expires_at

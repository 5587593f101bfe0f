"""Random credentials and their stored digests."""

from __future__ import annotations

import hashlib
import secrets

# Crockford-like alphabet without look-alikes (no 0/O, 1/I/L), for codes people type.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token(prefix: str) -> str:
    """An opaque bearer credential; the prefix tells a reader (and secret scanners) its kind."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(value: str) -> bytes:
    """What the database keeps instead of a token: high-entropy input needs no slow hash."""
    return hashlib.sha256(value.encode()).digest()


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_enrollment_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"

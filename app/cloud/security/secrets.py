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


def new_code(groups: int) -> str:
    """Groups of four characters people can type: about 19.8 bits a group."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4 * groups))
    return normalise_code(raw)


def normalise_code(code: str) -> str:
    """Upper case, separators dropped, regrouped by four: typing slips do not matter."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_enrollment_code() -> str:
    """Two groups (39.6 bits), typed on the computer: short-lived (15 minutes), one use,
    and wrong ones throttled per address, so guessing one is hopeless."""
    return new_code(2)


def normalise_enrollment_code(code: str) -> str:
    return normalise_code(code)


#: Bundle codes live until redeemed: six groups, 119 bits, beyond guessing by any rate.
BUNDLE_CODE_GROUPS = 6

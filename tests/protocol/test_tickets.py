"""Session tickets as the agent checks them: signed by the cloud's key, for this computer,
not expired, used once. The issuing side is the cloud's real signer."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cloud.security.signing import Signer
from app.protocol.errors import ProtocolError
from app.protocol.tickets import ReplayGuard, TicketRefused, public_key_from_text, verify_ticket

CLOUD = Signer(Ed25519PrivateKey.generate())
OTHER_CLOUD = Signer(Ed25519PrivateKey.generate())
KEY = public_key_from_text(CLOUD.public_key_text)


def ticket(signer: Signer = CLOUD, computer: str = "pc-1", ttl_s: int = 60, **claims: str) -> str:
    body = {
        "typ": "session",
        "sub": "acc-1",
        "sid": "s-1",
        "cid": computer,
        "vk": "x25519:viewer",
        "ak": "x25519:agent",
        **claims,
    }
    return signer.issue(body, now=datetime.now(UTC), ttl_s=ttl_s)


def test_a_good_ticket_is_admitted_once() -> None:
    checked = verify_ticket(ticket(), KEY, computer_id="pc-1", now=time.time())
    assert (checked.session_id, checked.account_id, checked.computer_id) == ("s-1", "acc-1", "pc-1")
    assert (checked.viewer_key, checked.agent_key) == ("x25519:viewer", "x25519:agent")
    guard = ReplayGuard()
    guard.admit(checked, now=time.time())
    with pytest.raises(TicketRefused, match="already used"):
        guard.admit(checked, now=time.time())


@pytest.mark.parametrize(
    ("token", "computer", "reason"),
    [
        (ticket(OTHER_CLOUD), "pc-1", "not signed by this computer's cloud"),
        (ticket(computer="pc-2"), "pc-1", "another computer"),
        (ticket(ttl_s=-1), "pc-1", "expired"),
        (ticket(typ="access"), "pc-1", "Not a session ticket"),
        (ticket(vk=""), "pc-1", "lacks its session, account, computer or keys"),
        (ticket(ak=""), "pc-1", "lacks its session, account, computer or keys"),
        ("a.b", "pc-1", "malformed"),
        ("x" * 5000, "pc-1", "malformed"),
    ],
)
def test_bad_tickets_are_refused_with_a_reason(token: str, computer: str, reason: str) -> None:
    with pytest.raises(TicketRefused, match=reason):
        verify_ticket(token, KEY, computer_id=computer, now=time.time())


def test_a_tampered_payload_breaks_the_signature() -> None:
    header, _, signature = ticket().split(".")
    forged = ticket(computer="pc-9").split(".")[1]
    with pytest.raises(TicketRefused, match="not signed"):
        verify_ticket(f"{header}.{forged}.{signature}", KEY, computer_id="pc-9", now=time.time())


def test_replay_guard_forgets_expired_tickets() -> None:
    guard = ReplayGuard()
    checked = verify_ticket(ticket(), KEY, computer_id="pc-1", now=time.time())
    guard.admit(checked, now=time.time())
    # Long after expiry the entry is gone (the ticket itself is refused by then anyway).
    guard.admit(checked, now=checked.expires_at + 1)


_b64 = st.binary(max_size=120).map(lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("="))
_json_b64 = st.dictionaries(
    st.sampled_from(["alg", "typ", "sid", "sub", "cid", "exp"]),
    st.none() | st.integers() | st.text(max_size=8),
).map(lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("="))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.tuples(_json_b64, _json_b64, _b64).map(".".join)))
def test_any_text_is_a_ticket_or_a_protocol_error(text: str) -> None:
    # Anything else escaping (KeyError, TypeError…) fails the test.
    with contextlib.suppress(ProtocolError):
        verify_ticket(text, KEY, computer_id="pc-1", now=time.time())

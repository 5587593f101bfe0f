"""Session tickets as the agent checks them: signed by a cloud key it knows (named by the
header's ``kid``), for this computer, not expired, used once. The issuing side is the
cloud's real key ring."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from datetime import UTC, datetime

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cloud.security.keys import KeyRing
from app.protocol.errors import ProtocolError
from app.protocol.tickets import ReplayGuard, TicketRefused, public_key_from_text, verify_ticket
from tests.support.keys import fresh_ring

CLOUD = fresh_ring()
OTHER_CLOUD = fresh_ring()
TICKET_KEY = CLOUD.signing_key("ticket", datetime.now(UTC))
KEY = {TICKET_KEY.kid: public_key_from_text(TICKET_KEY.public_key_text)}


def ticket(signer: KeyRing = CLOUD, computer: str = "pc-1", ttl_s: int = 60, **claims: str) -> str:
    body = {
        "typ": "session",
        "sub": "acc-1",
        "sid": "s-1",
        "cid": computer,
        "vk": "x25519:viewer",
        "ak": "x25519:agent",
        **claims,
    }
    if body["typ"] != "session":  # the ring refuses to sign it with a ticket key
        payload = {**body, "iss": "porthole-cloud", "exp": int(time.time()) + ttl_s}
        return jwt.encode(
            payload, TICKET_KEY.private_key, algorithm="EdDSA", headers={"kid": TICKET_KEY.kid}
        )
    return signer.issue(body, now=datetime.now(UTC), ttl_s=ttl_s)


def _renamed(token: str, kid: str) -> str:
    """``token`` with its header's key id changed (the signature stays the old one)."""
    header_part, payload, signature = token.split(".")
    header = {**json.loads(base64.urlsafe_b64decode(header_part + "==")), "kid": kid}
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    return f"{encoded}.{payload}.{signature}"


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
        (_renamed(ticket(), "ticket-7"), "pc-1", "a key this computer does not know"),
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


def test_a_ticket_without_a_key_id_is_checked_with_the_enrolment_key() -> None:
    # A cloud older than key ids signed with its one key, which enrolment gave the agent.
    claims = json.loads(base64.urlsafe_b64decode(ticket().split(".")[1] + "=="))
    legacy = jwt.encode(claims, TICKET_KEY.private_key, algorithm="EdDSA")
    enrolment = {"": KEY[TICKET_KEY.kid]}
    assert verify_ticket(legacy, enrolment, computer_id="pc-1", now=time.time()).session_id
    with pytest.raises(TicketRefused, match="does not know"):
        verify_ticket(legacy, KEY, computer_id="pc-1", now=time.time())


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

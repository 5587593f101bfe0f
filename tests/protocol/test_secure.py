"""The end-to-end handshake and channel, without I/O: who can finish it, and what happens
to a message altered, replayed, reordered or dropped on the way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.protocol import CloseCode, HandshakeFailed, Tampered
from app.protocol.secure import (
    OVERHEAD_BYTES,
    Initiator,
    SecureChannel,
    StaticKey,
    public_key_bytes,
    respond,
)

VIEWER, AGENT, MITM = StaticKey.generate(), StaticKey.generate(), StaticKey.generate()


def established() -> tuple[SecureChannel, SecureChannel]:
    viewer = Initiator(VIEWER, AGENT.public_text, b"the ticket")
    heard = respond(AGENT, viewer.first_message)
    assert heard.payload == b"the ticket"
    assert heard.peer_public == VIEWER.public_text
    answer, agent_channel = heard.accept(b"accepted")
    payload, viewer_channel = viewer.finish(answer)
    assert payload == b"accepted"
    return viewer_channel, agent_channel


def test_both_directions_carry_text_and_binary() -> None:
    viewer, agent = established()
    frame = bytes(range(256)) * 1000  # larger than Noise's 65535-byte message cap
    assert agent.open(viewer.seal('{"type": "heartbeat"}')) == '{"type": "heartbeat"}'
    assert viewer.open(agent.seal(frame)) == frame
    sealed = agent.seal(frame)
    assert len(sealed) == len(frame) + OVERHEAD_BYTES
    assert frame[:64] not in sealed  # no plaintext shows through


def test_a_flipped_byte_a_replay_a_reorder_and_a_drop_are_all_refused() -> None:
    viewer, agent = established()
    first, second, third = (viewer.seal(f"message {n}") for n in range(3))
    flipped = bytearray(first)
    flipped[len(flipped) // 2] ^= 1
    with pytest.raises(Tampered) as caught:
        agent.open(bytes(flipped))
    assert caught.value.close_code == CloseCode.TAMPERED
    assert agent.open(first) == "message 0"  # the intact one still opens after a refusal
    with pytest.raises(Tampered):
        agent.open(first)  # replayed
    with pytest.raises(Tampered):
        agent.open(third)  # second was dropped or comes later: out of order
    assert agent.open(second) == "message 1"
    with pytest.raises(Tampered):
        agent.open("a plaintext message")  # nothing unencrypted inside a session


def test_a_man_in_the_middle_with_its_own_keys_cannot_finish_either_half() -> None:
    # The viewer addressed the real agent: an impostor cannot read message 1.
    viewer = Initiator(VIEWER, AGENT.public_text, b"ticket")
    with pytest.raises(HandshakeFailed):
        respond(MITM, viewer.first_message)
    # The impostor answers as itself to a viewer that expects the agent: refused.
    towards_mitm = Initiator(MITM, AGENT.public_text, b"ticket")
    real = respond(AGENT, towards_mitm.first_message)
    assert real.peer_public == MITM.public_text  # the agent sees who really spoke
    impostor = Initiator(VIEWER, MITM.public_text, b"ticket")
    forged_answer, _ = respond(MITM, impostor.first_message).accept(b"accepted")
    with pytest.raises(HandshakeFailed) as caught:
        viewer.finish(forged_answer)
    assert caught.value.close_code == CloseCode.IDENTITY_REFUSED


def test_a_text_first_message_is_an_old_viewer() -> None:
    with pytest.raises(HandshakeFailed, match="update Porthole"):
        respond(AGENT, '{"type": "session.start", "ticket": "a.b.c"}')


@given(st.binary(max_size=300))
def test_garbage_never_gets_past_the_handshake(data: bytes) -> None:
    with pytest.raises(HandshakeFailed):
        respond(AGENT, data)
    with pytest.raises(HandshakeFailed):
        Initiator(VIEWER, AGENT.public_text, b"t").finish(data)


@given(st.binary(max_size=300))
def test_garbage_inside_a_session_is_tampering(data: bytes) -> None:
    viewer, _ = established()
    with pytest.raises(Tampered):
        viewer.open(data)


def test_keys_round_trip_and_never_show_their_private_half() -> None:
    key = StaticKey.generate()
    assert StaticKey.from_text(key.private_text) == key
    assert key.private_text not in repr(key)
    assert len(public_key_bytes(key.public_text)) == 32
    for bad in ("", "x25519:", "ed25519:" + "A" * 43, "x25519:" + "A" * 10, "x25519:***"):
        with pytest.raises(ValueError):
            public_key_bytes(bad)

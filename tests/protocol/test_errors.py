"""Tests for app.protocol.errors: the exception tree and close codes."""

from __future__ import annotations

import pickle

import pytest

import app.protocol
from app.protocol import (
    CloseCode,
    FrameError,
    HandshakeFailed,
    MalformedMessage,
    MessageTooLarge,
    ProtocolError,
    Tampered,
    UnexpectedMessage,
    UnknownMessageType,
    UnsupportedVersion,
)
from app.protocol.errors import TicketRefused

# (class, parent, code, close code) exactly as documented in errors.py.
ERROR_TABLE: list[tuple[type[ProtocolError], type[Exception], str, CloseCode]] = [
    (ProtocolError, Exception, "protocol_error", CloseCode.PROTOCOL_ERROR),
    (MalformedMessage, ProtocolError, "malformed_message", CloseCode.INVALID_DATA),
    (MessageTooLarge, MalformedMessage, "message_too_large", CloseCode.MESSAGE_TOO_BIG),
    (UnknownMessageType, MalformedMessage, "unknown_message_type", CloseCode.INVALID_DATA),
    (UnsupportedVersion, ProtocolError, "unsupported_version", CloseCode.UNSUPPORTED_VERSION),
    (UnexpectedMessage, ProtocolError, "unexpected_message", CloseCode.POLICY_VIOLATION),
    (FrameError, ProtocolError, "malformed_frame", CloseCode.INVALID_DATA),
    (TicketRefused, ProtocolError, "ticket_refused", CloseCode.UNAUTHORIZED),
    (HandshakeFailed, ProtocolError, "handshake_failed", CloseCode.IDENTITY_REFUSED),
    (Tampered, ProtocolError, "tampered", CloseCode.TAMPERED),
]


def test_close_code_values() -> None:
    assert {code.name: code.value for code in CloseCode} == {
        "NORMAL": 1000,
        "GOING_AWAY": 1001,
        "PROTOCOL_ERROR": 1002,
        "INVALID_DATA": 1007,
        "POLICY_VIOLATION": 1008,
        "MESSAGE_TOO_BIG": 1009,
        "INTERNAL_ERROR": 1011,
        "TAMPERED": 4400,
        "UNAUTHORIZED": 4401,
        "IDENTITY_REFUSED": 4403,
        "NOT_FOUND": 4404,
        "TIMEOUT": 4408,
        "TOO_MANY": 4429,
        "REPLACED": 4409,
        "ENDED_BY_HOST": 4410,
        "SCREEN_UNAVAILABLE": 4424,
        "UNSUPPORTED_VERSION": 4426,
        "TRY_AGAIN_LATER": 4503,
    }


def test_close_codes_are_valid_on_the_wire() -> None:
    # RFC 6455: 1004-1006 and 1015 must never be sent; 3000-4999 are for applications.
    for code in CloseCode:
        assert code not in (1004, 1005, 1006, 1015)
        assert 1000 <= code <= 1011 or 3000 <= code <= 4999


@pytest.mark.parametrize(("cls", "parent", "code", "close_code"), ERROR_TABLE)
def test_error_class_attributes(
    cls: type[ProtocolError], parent: type[Exception], code: str, close_code: CloseCode
) -> None:
    assert issubclass(cls, ProtocolError)
    assert cls.__bases__ == (parent,)
    assert cls.code == code
    assert cls.close_code is close_code

    exc = cls("something went wrong")
    assert isinstance(exc, ProtocolError)
    assert exc.code == code
    assert exc.close_code is close_code
    assert exc.message == "something went wrong"
    assert str(exc) == "something went wrong"


def test_table_covers_every_error_class() -> None:
    # A new exception class must be added to the table (and the errors.py docstring).
    def descendants(cls: type[ProtocolError]) -> set[type[ProtocolError]]:
        found = {cls}
        for sub in cls.__subclasses__():
            found |= descendants(sub)
        return found

    assert descendants(ProtocolError) == {row[0] for row in ERROR_TABLE}


@pytest.mark.parametrize("cls", [row[0] for row in ERROR_TABLE])
def test_errors_survive_pickling(cls: type[ProtocolError]) -> None:
    # Errors may cross process boundaries (e.g. logging handlers, worker pools).
    exc = pickle.loads(pickle.dumps(cls("boom")))
    assert type(exc) is cls
    assert exc.message == "boom"
    assert exc.code == cls.code


def test_catching_the_base_class() -> None:
    with pytest.raises(ProtocolError) as info:
        raise MessageTooLarge("too big")
    assert info.value.close_code == CloseCode.MESSAGE_TOO_BIG


def test_package_reexports_public_api() -> None:
    expected = {
        # errors
        "CloseCode",
        "ProtocolError",
        "MalformedMessage",
        "MessageTooLarge",
        "UnknownMessageType",
        "UnsupportedVersion",
        "UnexpectedMessage",
        "FrameError",
        "HandshakeFailed",
        "Tampered",
        # messages
        "PROTOCOL_VERSION",
        "SUPPORTED_VERSIONS",
        "MAX_CONTROL_MESSAGE_BYTES",
        "APPROVAL_WAIT_S",
        "Hello",
        "Welcome",
        "Heartbeat",
        "HeartbeatAck",
        "ErrorMessage",
        "ComputerPresence",
        "ComputerAdded",
        "ComputerRenamed",
        "ComputerRemoved",
        "SubscriptionChanged",
        "PurchaseChanged",
        "SessionOffer",
        "SessionAccepted",
        "SessionApproved",
        "SessionLogged",
        "SessionReport",
        "KeyframeRequest",
        "VideoSettings",
        "VideoRate",
        "VideoTiming",
        "Monitor",
        "ScreenList",
        "ScreenSelect",
        "ScreenFit",
        "TicketKey",
        "TicketKeys",
        "Message",
        "MESSAGE_TYPES",
        "Role",
        "encode_message",
        "decode_message",
        "check_hello",
        "our_hello",
        # frames
        "FRAME_VERSION",
        "HEADER_SIZE",
        "MAX_FRAME_PAYLOAD",
        "FrameType",
        "FrameFlags",
        "Frame",
        "encode_frame",
        "decode_frame",
    }
    assert set(app.protocol.__all__) == expected
    for name in expected:
        assert hasattr(app.protocol, name), name

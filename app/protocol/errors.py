"""Exceptions raised by the protocol core, and the WebSocket close codes they map to.

Everything this package raises is a :class:`ProtocolError`, so a connection handler
needs a single ``except ProtocolError`` to turn any protocol failure into an ``error``
message and a close frame. Each class carries a machine-readable :attr:`~ProtocolError.code`
(sent to the peer in an ``error`` message) and the :attr:`~ProtocolError.close_code` to
close the connection with::

    ProtocolError                 protocol_error        1002 PROTOCOL_ERROR
    ├── MalformedMessage          malformed_message     1007 INVALID_DATA
    │   ├── MessageTooLarge       message_too_large     1009 MESSAGE_TOO_BIG
    │   └── UnknownMessageType    unknown_message_type  1007 INVALID_DATA
    ├── UnsupportedVersion        unsupported_version   4426 UNSUPPORTED_VERSION
    ├── UnexpectedMessage         unexpected_message    1008 POLICY_VIOLATION
    ├── FrameError                malformed_frame       1007 INVALID_DATA
    ├── TicketRefused             ticket_refused        4401 UNAUTHORIZED
    ├── HandshakeFailed           handshake_failed      4403 IDENTITY_REFUSED
    └── Tampered                  tampered              4400 TAMPERED

Messages (``str(exc)`` / :attr:`~ProtocolError.message`) are written for humans and
never echo more than a short, escaped excerpt of peer input, so they are safe to log
and to send back to the peer.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "CloseCode",
    "FrameError",
    "HandshakeFailed",
    "MalformedMessage",
    "MessageTooLarge",
    "ProtocolError",
    "Tampered",
    "TicketRefused",
    "UnexpectedMessage",
    "UnknownMessageType",
    "UnsupportedVersion",
]


class CloseCode(IntEnum):
    """WebSocket close codes used by the application.

    1000-1011 are the standard codes from RFC 6455 section 7.4.1. 4000-4999 are
    reserved for private use; ours mirror the HTTP status with the same meaning
    (4401 ~ 401, 4404 ~ 404, ...) so they are easy to remember.
    """

    NORMAL = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    INVALID_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    #: An end-to-end encrypted message failed its check: altered, replayed or reordered.
    TAMPERED = 4400
    UNAUTHORIZED = 4401
    #: The peer could not prove it holds the key the cloud vouched for.
    IDENTITY_REFUSED = 4403
    NOT_FOUND = 4404
    TIMEOUT = 4408
    #: Over a connection cap (per address or in all): try again later.
    TOO_MANY = 4429
    REPLACED = 4409
    #: The person at the computer declined the session, or ended it with Disconnect.
    ENDED_BY_HOST = 4410
    #: The computer's screen cannot be shared (its desktop or the person there refused,
    #: or sharing stopped): trying again at once would not help, the reason says why.
    SCREEN_UNAVAILABLE = 4424
    UNSUPPORTED_VERSION = 4426
    TRY_AGAIN_LATER = 4503


class ProtocolError(Exception):
    """Base class of every exception raised by :mod:`app.protocol`.

    Subclasses only override the class-level :attr:`code` and :attr:`close_code`.
    """

    #: Machine-readable identifier, sent to the peer in an ``error`` message.
    code: str = "protocol_error"
    #: Close code to use when this error ends the connection.
    close_code: CloseCode = CloseCode.PROTOCOL_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        #: Human-readable explanation, safe to show to a user or send to the peer.
        self.message = message


class MalformedMessage(ProtocolError):
    """A control message is not valid JSON, not an object, or has a bad field."""

    code = "malformed_message"
    close_code = CloseCode.INVALID_DATA


class MessageTooLarge(MalformedMessage):
    """A control message exceeds the size limit."""

    code = "message_too_large"
    close_code = CloseCode.MESSAGE_TOO_BIG


class UnknownMessageType(MalformedMessage):
    """A control message has a ``type`` this version of the protocol doesn't know."""

    code = "unknown_message_type"


class UnsupportedVersion(ProtocolError):
    """The peer speaks a protocol version we don't support."""

    code = "unsupported_version"
    close_code = CloseCode.UNSUPPORTED_VERSION


class UnexpectedMessage(ProtocolError):
    """A well-formed message arrived at the wrong moment or from the wrong role."""

    code = "unexpected_message"
    close_code = CloseCode.POLICY_VIOLATION


class FrameError(ProtocolError):
    """A binary frame is malformed, or a frame to encode has out-of-range fields."""

    code = "malformed_frame"
    close_code = CloseCode.INVALID_DATA


class TicketRefused(ProtocolError):
    """A session ticket is forged, expired, for another computer, or already used."""

    code = "ticket_refused"
    close_code = CloseCode.UNAUTHORIZED


class HandshakeFailed(ProtocolError):
    """The end-to-end key exchange failed: the peer does not hold the key the cloud
    vouched for (a man in the middle, or a stale key), or sent a broken handshake."""

    code = "handshake_failed"
    close_code = CloseCode.IDENTITY_REFUSED


class Tampered(ProtocolError):
    """An end-to-end encrypted message did not authenticate: something on the path
    altered, replayed, reordered or dropped it."""

    code = "tampered"
    close_code = CloseCode.TAMPERED

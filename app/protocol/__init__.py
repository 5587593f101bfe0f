"""Sans-I/O core of the Porthole wire protocol.

This package only converts between Python objects and what travels on a WebSocket:
JSON control messages (:mod:`.messages`) and binary video/input frames
(:mod:`.frames`). It does no I/O, so it can be used from asyncio, Qt or tests alike.
Every failure is a :class:`ProtocolError` (:mod:`.errors`) carrying the close code to
end the connection with.
"""

from .errors import (
    CloseCode,
    FrameError,
    MalformedMessage,
    MessageTooLarge,
    ProtocolError,
    UnexpectedMessage,
    UnknownMessageType,
    UnsupportedVersion,
)
from .frames import (
    FRAME_VERSION,
    HEADER_SIZE,
    MAX_FRAME_PAYLOAD,
    Frame,
    FrameFlags,
    FrameType,
    decode_frame,
    encode_frame,
)
from .messages import (
    MAX_CONTROL_MESSAGE_BYTES,
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    ComputerAdded,
    ComputerPresence,
    ComputerRemoved,
    ComputerRenamed,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Message,
    PurchaseChanged,
    Role,
    SubscriptionChanged,
    Welcome,
    check_hello,
    decode_message,
    encode_message,
)

__all__ = [
    "FRAME_VERSION",
    "HEADER_SIZE",
    "MAX_CONTROL_MESSAGE_BYTES",
    "MAX_FRAME_PAYLOAD",
    "MESSAGE_TYPES",
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "CloseCode",
    "ComputerAdded",
    "ComputerPresence",
    "ComputerRemoved",
    "ComputerRenamed",
    "ErrorMessage",
    "Frame",
    "FrameError",
    "FrameFlags",
    "FrameType",
    "Heartbeat",
    "HeartbeatAck",
    "Hello",
    "MalformedMessage",
    "Message",
    "MessageTooLarge",
    "ProtocolError",
    "PurchaseChanged",
    "Role",
    "SubscriptionChanged",
    "UnexpectedMessage",
    "UnknownMessageType",
    "UnsupportedVersion",
    "Welcome",
    "check_hello",
    "decode_frame",
    "decode_message",
    "encode_frame",
    "encode_message",
]

"""Control messages: JSON objects sent as WebSocket text frames.

Every message is a JSON object whose ``"type"`` field selects one of the dataclasses
below. :func:`decode_message` turns untrusted input into one of them or raises a
:class:`~app.protocol.errors.ProtocolError`; :func:`encode_message` does the reverse,
applying the same validation so we never send what a peer would reject.

Unknown extra fields are ignored rather than rejected: this lets a newer peer add an
optional field without bumping :data:`PROTOCOL_VERSION`, as long as older peers can
safely ignore it. Anything that changes the meaning of existing fields needs a new
version.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, NoReturn, TypeAlias

from ._schema import (
    INT64_MAX,
    FieldSpec,
    Length,
    Range,
    as_json,
    build_specs,
    check_value,
    excerpt,
)
from .cursor import CursorPosition, CursorShape
from .errors import (
    MalformedMessage,
    MessageTooLarge,
    UnexpectedMessage,
    UnknownMessageType,
    UnsupportedVersion,
)
from .files import (
    DirList,
    DirListing,
    FileAccepted,
    FileCancel,
    FileDone,
    FileFailed,
    FileGet,
    FileProgress,
    FilePut,
)
from .wake import ComputerNetworks, WakeNetworks, WakeSend

__all__ = [
    "APPROVAL_WAIT_S",
    "MAX_CONTROL_MESSAGE_BYTES",
    "MESSAGE_TYPES",
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "ComputerAdded",
    "ComputerPresence",
    "ComputerRemoved",
    "ComputerRenamed",
    "ErrorMessage",
    "Heartbeat",
    "HeartbeatAck",
    "Hello",
    "Message",
    "Monitor",
    "Role",
    "ScreenFit",
    "ScreenList",
    "ScreenSelect",
    "TicketKey",
    "TicketKeys",
    "Welcome",
    "check_hello",
    "decode_message",
    "encode_message",
    "our_hello",
]

#: Version of the control protocol spoken by this code, sent in ``hello``/``welcome``.
PROTOCOL_VERSION = 1
#: Versions a peer may announce in ``hello``.
SUPPORTED_VERSIONS = frozenset({1})
#: Largest control message accepted, measured in UTF-8 encoded bytes.
MAX_CONTROL_MESSAGE_BYTES = 64 * 1024

#: Who is on the other end of a connection.
Role: TypeAlias = Literal["agent", "viewer", "portal"]

# Field shapes shared by several messages. Bounds live in the type hints so that the
# validator in _schema.py picks them up automatically.
_Id: TypeAlias = Annotated[str, Length(1, 100)]
_Name: TypeAlias = Annotated[str, Length(0, 200)]
_Timestamp: TypeAlias = Annotated[str, Length(1, 64)]  # ISO-8601; stored, not parsed
_NonNegative: TypeAlias = Annotated[int, Range(0, INT64_MAX)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello:
    """First message of every connection, sent by the client."""

    TYPE: ClassVar[str] = "hello"

    version: int
    role: Role
    token: Annotated[str, Length(1, 4096)]
    #: Free-form client identification, e.g. ``"porthole-agent/0.1.0"``.
    client: Annotated[str, Length(0, 200)] = ""
    #: Agents only: where viewers may reach it directly (``ws://host:port/session``).
    endpoint: Annotated[str, Length(1, 300)] | None = None
    #: Agents only: their X25519 key for end-to-end sessions (``x25519:…``), so the cloud
    #: can name it in tickets (an agent enrolled before sessions were encrypted has none).
    session_key: Annotated[str, Length(1, 100)] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome:
    """Server's answer to an accepted ``hello``."""

    TYPE: ClassVar[str] = "welcome"

    version: int
    server_time_us: _NonNegative
    heartbeat_interval_s: Annotated[float, Range(0, 300, min_exclusive=True)]
    account_id: _Id | None = None
    computer_id: _Id | None = None
    #: Agents only: this cloud takes the agent's network adapters (``wake.networks``) and
    #: may ask it to wake another computer (``wake.send``); an agent reports none to a
    #: cloud that does not say so (it would close the link on a type it does not know).
    wake: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Heartbeat:
    """Liveness probe; the receiver answers with a :class:`HeartbeatAck`."""

    TYPE: ClassVar[str] = "heartbeat"

    seq: _NonNegative
    sent_at_us: _NonNegative
    #: Viewers only: this viewer paints FILL frames. An agent sends fills only to a viewer
    #: that says so (one from before them would end the session on the first), and a
    #: viewer's first heartbeat goes the moment the session is live, through any relay.
    paints_fills: bool = False
    #: Viewers only: share the clipboard (CLIPBOARD frames both ways); False turns it off
    #: for the rest of the session, until a heartbeat says True again.
    clipboard: bool = False
    #: Viewers only: send the computer's sound (AUDIO frames); False stops it.
    audio: bool = False
    #: Viewers only: this viewer draws the computer's pointer (cursor.* messages).
    cursor: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HeartbeatAck:
    """Answer to a :class:`Heartbeat`, echoing its ``seq`` and ``sent_at_us``."""

    TYPE: ClassVar[str] = "heartbeat_ack"

    seq: _NonNegative
    sent_at_us: _NonNegative
    server_time_us: _NonNegative
    #: Agents only: this agent takes CLIPBOARD frames (it can reach the computer's
    #: clipboard); a viewer sends none to one that does not say so.
    clipboard: bool = False
    #: Agents only: this agent transfers files (:mod:`.files`).
    files: bool = False
    #: Agents only: this agent can send the computer's sound (:mod:`.audio`).
    audio: bool = False
    #: Agents only: this agent can change the monitor's resolution (:class:`ScreenFit`).
    fits: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorMessage:
    """Explains why the sender is about to close the connection or refused a request."""

    TYPE: ClassVar[str] = "error"

    code: Annotated[str, Length(1, 100)]
    message: Annotated[str, Length(0, 1000)]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputerPresence:
    """A computer came online or went offline."""

    TYPE: ClassVar[str] = "computer.presence"

    computer_id: _Id
    online: bool
    last_seen: _Timestamp | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputerAdded:
    """A computer was registered to the account."""

    TYPE: ClassVar[str] = "computer.added"

    computer_id: _Id
    name: _Name
    os: _Name
    online: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputerRenamed:
    """A computer's display name changed."""

    TYPE: ClassVar[str] = "computer.renamed"

    computer_id: _Id
    name: _Name


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputerRemoved:
    """A computer was removed from the account."""

    TYPE: ClassVar[str] = "computer.removed"

    computer_id: _Id


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionChanged:
    """The account's subscription changed; clients reload ``GET /api/v1/subscription``."""

    TYPE: ClassVar[str] = "subscription.changed"

    state: Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseChanged:
    """A purchase was created, confirmed, failed, partly paid or refunded."""

    TYPE: ClassVar[str] = "purchase.changed"

    purchase_id: _Id
    state: Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionOffer:
    """Cloud → agent, on the control link: a viewer was granted a session; join it at
    the relay (``relay_path`` on the cloud's address)."""

    TYPE: ClassVar[str] = "session.offer"

    session_id: _Id
    relay_path: Annotated[str, Length(1, 200)]
    #: With several cloud processes: the relay of the process that granted the session
    #: (``ws(s)://host:port/api/v1/relay/<id>``), where the viewer goes too.
    relay_url: Annotated[str, Length(1, 400)] | None = None


#: How long a viewer waits for each question the person at the computer is asked
#: (``SessionAccepted.asks``): the agent gives a question up sooner, so the viewer hears
#: the answer, or that none came, from the agent.
APPROVAL_WAIT_S = 45.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionAccepted:
    """Agent → viewer, inside message 2 of the encrypted handshake (``app.protocol.secure``;
    message 1 carries the ticket): the ticket was good; the session is open."""

    TYPE: ClassVar[str] = "session.accepted"

    session_id: _Id
    #: "approval": the person at the computer is being asked; ``session.approved`` follows,
    #: or an error and a close if they decline or do not answer (4410; 4424 with the
    #: desktop's reason for its dialog).
    waiting_for: Literal["approval"] | None = None
    #: While waiting for approval, what the person at the computer is asked: the agent's
    #: own prompt to allow the session, their desktop's dialog to share its screen (the
    #: Wayland portal's), or both, in that order. The agent gives each up before the viewer
    #: would (``APPROVAL_WAIT_S``). (Older viewers ignore it, and wait as for "session".)
    asks: Literal["session", "screen", "both"] = "session"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReport:
    """Agent → cloud, on the control link: a session of this computer's started (and by
    which path), was declined by the person at the computer, or ended (and how)."""

    TYPE: ClassVar[str] = "session.report"

    session_id: _Id
    event: Literal["started", "declined", "ended", "ended_by_host"]
    path: Literal["relay", "direct"] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionLogged:
    """Cloud → viewer and portal (live events): the session log of the account changed."""

    TYPE: ClassVar[str] = "session.logged"

    session_id: _Id


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionApproved:
    """Agent → viewer, sealed: the person at the computer allowed the session."""

    TYPE: ClassVar[str] = "session.approved"

    session_id: _Id


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyframeRequest:
    """Viewer → agent: the decoder lost track (an error, a dropped frame); send a keyframe."""

    TYPE: ClassVar[str] = "video.keyframe_request"

    reason: Annotated[str, Length(0, 200)] = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoSettings:
    """Viewer → agent, any time in a session: the stream it wants (quality setting, a
    slow link, a small window). The next frame is a keyframe in the new settings."""

    TYPE: ClassVar[str] = "video.settings"

    bitrate_kbps: Annotated[int, Range(100, 100_000)]
    max_fps: Annotated[int, Range(1, 120)]
    scale: Annotated[float, Range(0.1, 1.0)] = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoRate:
    """Viewer → agent, as the link's capacity changes: what the viewer measured the link
    can carry now (its congestion control). The agent codes within it from the next frame
    on, with no keyframe, never above what :class:`VideoSettings` asked."""

    TYPE: ClassVar[str] = "video.rate"

    bitrate_kbps: Annotated[int, Range(50, 100_000)]
    max_fps: Annotated[int, Range(1, 120)]


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoTiming:
    """Agent → viewer, after each video frame: how long the agent spent grabbing and
    encoding it, so the viewer can show every stage apart (capture, encode, network,
    decode) instead of one number passed off as latency. After a fill, ``grab_ms`` is
    reading the screen alone and ``encode_ms`` comparing it and finding the fill (from
    the capture instant to the send)."""

    TYPE: ClassVar[str] = "video.timing"

    frame_id: Annotated[int, Range(0, 2**32 - 1)]
    grab_ms: Annotated[float, Range(0, 60_000)]
    encode_ms: Annotated[float, Range(0, 60_000)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Monitor:
    """One of the remote computer's screens, in desktop pixels."""

    id: Annotated[str, Length(1, 40)]
    name: Annotated[str, Length(0, 80)]
    x: Annotated[int, Range(-65536, 65536)]
    y: Annotated[int, Range(-65536, 65536)]
    width: Annotated[int, Range(1, 16384)]
    height: Annotated[int, Range(1, 16384)]
    primary: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenList:
    """Agent → viewer, when a session starts and whenever the choice changes: the
    computer's monitors and the one being shown."""

    TYPE: ClassVar[str] = "screen.list"

    monitors: Annotated[tuple[Monitor, ...], Length(1, 16)]
    current: Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenSelect:
    """Viewer → agent: show this monitor instead (the next frame is a keyframe of it)."""

    TYPE: ClassVar[str] = "screen.select"

    monitor: Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenFit:
    """Viewer → agent: give the monitor shown a resolution of about this size (the
    viewer's picture area, so a portrait tablet gets a portrait desktop); both None: give
    it back its own. The agent answers with a :class:`ScreenList` of the new size, or an
    ``error`` (``fit_refused``) and the monitor as it was. The agent puts the monitor back
    the way it found it when the session ends or drops."""

    TYPE: ClassVar[str] = "screen.fit"

    width: Annotated[int, Range(64, 16384)] | None = None
    height: Annotated[int, Range(64, 16384)] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketKey:
    kid: Annotated[str, Length(1, 40)]
    #: ``ed25519:<base64url of 32 bytes>``
    public_key: Annotated[str, Length(1, 100)]


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketKeys:
    """Cloud → agent, right after ``welcome`` and whenever they change: every key that
    signs session tickets now or will soon (a rotated key is announced before it signs)."""

    TYPE: ClassVar[str] = "ticket.keys"

    keys: Annotated[tuple[TicketKey, ...], Length(1, 16)]


#: Any control message.
Message: TypeAlias = (
    Hello
    | Welcome
    | Heartbeat
    | HeartbeatAck
    | ErrorMessage
    | ComputerPresence
    | ComputerAdded
    | ComputerRenamed
    | ComputerRemoved
    | SubscriptionChanged
    | PurchaseChanged
    | SessionOffer
    | SessionAccepted
    | SessionApproved
    | SessionReport
    | SessionLogged
    | KeyframeRequest
    | VideoSettings
    | VideoRate
    | VideoTiming
    | ScreenList
    | ScreenSelect
    | ScreenFit
    | TicketKeys
    | FilePut
    | FileGet
    | FileAccepted
    | FileProgress
    | FileDone
    | FileFailed
    | FileCancel
    | DirList
    | DirListing
    | CursorShape
    | CursorPosition
    | WakeNetworks
    | WakeSend
    | ComputerNetworks
)

_MESSAGE_CLASSES: tuple[type[Message], ...] = (
    Hello,
    Welcome,
    Heartbeat,
    HeartbeatAck,
    ErrorMessage,
    ComputerPresence,
    ComputerAdded,
    ComputerRenamed,
    ComputerRemoved,
    SubscriptionChanged,
    PurchaseChanged,
    SessionOffer,
    SessionAccepted,
    SessionApproved,
    SessionReport,
    SessionLogged,
    KeyframeRequest,
    VideoSettings,
    VideoRate,
    VideoTiming,
    ScreenList,
    ScreenSelect,
    ScreenFit,
    TicketKeys,
    FilePut,
    FileGet,
    FileAccepted,
    FileProgress,
    FileDone,
    FileFailed,
    FileCancel,
    DirList,
    DirListing,
    CursorShape,
    CursorPosition,
    WakeNetworks,
    WakeSend,
    ComputerNetworks,
)

#: Message classes by their wire ``"type"``.
MESSAGE_TYPES: dict[str, type[Message]] = {cls.TYPE: cls for cls in _MESSAGE_CLASSES}

# Computed once: validation specs for each message class, in declaration order.
_SPECS: dict[type[Message], tuple[FieldSpec, ...]] = {
    cls: build_specs(cls) for cls in _MESSAGE_CLASSES
}


def encode_message(msg: Message) -> str:
    """Serialize a message to compact JSON text, ``"type"`` first.

    Fields are validated with the same rules as :func:`decode_message`, so an invalid
    message raises :exc:`~app.protocol.errors.MalformedMessage` here instead of being
    rejected by the peer; an oversized one raises
    :exc:`~app.protocol.errors.MessageTooLarge`.
    """
    specs = _SPECS.get(type(msg))
    if specs is None:
        raise MalformedMessage(f"cannot encode {type(msg).__name__}: not a protocol message")
    payload: dict[str, Any] = {"type": msg.TYPE}
    for spec in specs:
        payload[spec.name] = check_value(spec, getattr(msg, spec.name), msg.TYPE)
    text = json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=as_json
    )
    size = len(text.encode("utf-8"))
    if size > MAX_CONTROL_MESSAGE_BYTES:
        raise MessageTooLarge(_too_large(size))
    return text


def decode_message(data: str | bytes) -> Message:
    """Parse and validate one control message received from a peer.

    ``bytes`` must be UTF-8. Raises :exc:`~app.protocol.errors.MessageTooLarge` if the
    UTF-8 encoded size exceeds :data:`MAX_CONTROL_MESSAGE_BYTES`,
    :exc:`~app.protocol.errors.UnknownMessageType` for an unknown ``"type"`` and
    :exc:`~app.protocol.errors.MalformedMessage` for anything else that is wrong.
    """
    # The size check comes before any parsing so that oversized input costs O(1)
    # when it is obviously too long and a single encoding pass otherwise.
    if isinstance(data, str):
        if len(data) > MAX_CONTROL_MESSAGE_BYTES:  # every character is >= 1 byte
            raise MessageTooLarge(_too_large(len(data), at_least=True))
        # surrogatepass: measure first, complain about invalid text afterwards.
        size = len(data.encode("utf-8", "surrogatepass"))
        if size > MAX_CONTROL_MESSAGE_BYTES:
            raise MessageTooLarge(_too_large(size))
        text = data
    else:
        if len(data) > MAX_CONTROL_MESSAGE_BYTES:
            raise MessageTooLarge(_too_large(len(data)))
        try:
            # Decode explicitly: json.loads would also guess UTF-16 and UTF-32.
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessage(f"message is not valid UTF-8 (byte {exc.start})") from None

    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise MalformedMessage(f"message is not valid JSON: {exc}") from None
    except RecursionError:
        # The C scanner recurses once per nesting level: "[[[[...". Nothing we accept
        # is nested, so refuse instead of letting RecursionError escape.
        raise MalformedMessage("message is not valid JSON: nested too deeply") from None
    except ValueError:
        # Integers with thousands of digits (sys.get_int_max_str_digits()).
        raise MalformedMessage("message is not valid JSON: number too large") from None

    if not isinstance(obj, dict):
        raise MalformedMessage("message must be a JSON object")
    if "type" not in obj:
        raise MalformedMessage("message has no 'type' field")
    msg_type = obj["type"]
    if not isinstance(msg_type, str):
        raise MalformedMessage("field 'type' must be a string")
    cls = MESSAGE_TYPES.get(msg_type)
    if cls is None:
        raise UnknownMessageType(f"unknown message type {excerpt(msg_type)}")

    values: dict[str, Any] = {}
    for spec in _SPECS[cls]:
        if spec.name in obj:
            values[spec.name] = check_value(spec, obj[spec.name], msg_type)
        elif spec.required:
            raise MalformedMessage(f"field {spec.name!r} of {msg_type!r} is missing")
        # Other keys in obj are deliberately ignored; see the module docstring.
    return cls(**values)


def our_hello(
    role: Role, token: str, *, endpoint: str | None = None, session_key: str | None = None
) -> Hello:
    """This program's ``hello``: the protocol version spoken here and who is speaking."""
    from app import __version__

    program = "porthole-agent" if role == "agent" else "porthole"
    return Hello(
        version=PROTOCOL_VERSION,
        role=role,
        token=token,
        client=f"{program}/{__version__}",
        endpoint=endpoint,
        session_key=session_key,
    )


def check_hello(msg: Message, *, expected_roles: Collection[str]) -> Hello:
    """Check that the first message of a connection is an acceptable ``hello``.

    Raises :exc:`~app.protocol.errors.UnexpectedMessage` if ``msg`` isn't a
    :class:`Hello` or its role isn't in ``expected_roles``, and
    :exc:`~app.protocol.errors.UnsupportedVersion` if its version isn't in
    :data:`SUPPORTED_VERSIONS`. Returns ``msg``, narrowed to :class:`Hello`.
    """
    if not isinstance(msg, Hello):
        raise UnexpectedMessage(f"the first message must be 'hello', not {msg.TYPE!r}")
    # Version before role: a peer speaking another version may mean something else
    # by its role, and "upgrade your client" is the more useful answer.
    if msg.version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        raise UnsupportedVersion(
            f"protocol version {msg.version} is not supported; supported versions: {supported}"
        )
    # A bare string is a Collection[str] too; treat it as one role, not as letters.
    roles = {expected_roles} if isinstance(expected_roles, str) else expected_roles
    if msg.role not in roles:
        allowed = ", ".join(repr(role) for role in sorted(roles))
        raise UnexpectedMessage(f"role {msg.role!r} is not allowed here; expected {allowed}")
    return msg


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN, Infinity and -Infinity, which aren't JSON.
    raise MalformedMessage(f"message is not valid JSON: {name} is not allowed")


def _too_large(size: int, *, at_least: bool = False) -> str:
    qualifier = "at least " if at_least else ""
    limit = MAX_CONTROL_MESSAGE_BYTES
    return f"message is too large: {qualifier}{size} bytes, limit is {limit} bytes"

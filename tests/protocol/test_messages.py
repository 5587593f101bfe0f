"""Tests for app.protocol.messages: JSON control messages."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.protocol import (
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
    KeyframeRequest,
    MalformedMessage,
    Message,
    MessageTooLarge,
    ProtocolError,
    PurchaseChanged,
    ScreenFit,
    ScreenList,
    ScreenSelect,
    SessionAccepted,
    SessionApproved,
    SessionLogged,
    SessionOffer,
    SessionReport,
    SubscriptionChanged,
    TicketKeys,
    UnexpectedMessage,
    UnknownMessageType,
    UnsupportedVersion,
    VideoRate,
    VideoSettings,
    VideoTiming,
    Welcome,
    check_hello,
    decode_message,
    encode_message,
)
from app.protocol._schema import FieldSpec
from app.protocol.cursor import CursorPosition, CursorShape
from app.protocol.files import (
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

# White-box: strategies are derived from the same field specs the validator uses, so
# round-trip tests cover every field of every message type automatically. The concrete
# boundary tests further down pin the actual limits independently.
from app.protocol.messages import _SPECS
from app.protocol.wake import ComputerNetworks, WakeNetworks, WakeSend

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies ---------------------------------------------------------------------


def value_strategy(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """Valid values for one field."""
    base: st.SearchStrategy[Any]
    if spec.kind is bool:
        base = st.booleans()
    elif spec.kind is int:
        assert spec.range is not None
        base = st.integers(int(spec.range.min), int(spec.range.max))
    elif spec.kind is float:
        assert spec.range is not None
        floats = st.floats(
            min_value=spec.range.min,
            max_value=spec.range.max,
            exclude_min=spec.range.min_exclusive,
            allow_nan=False,
            allow_infinity=False,
        )
        # Whole numbers inside the range (JSON may carry 2 for 2.0); a fractional minimum
        # such as 0.1 rounds up.
        lowest = math.ceil(spec.range.min)
        if spec.range.min_exclusive and lowest == spec.range.min:
            lowest += 1
        ints = st.integers(lowest, int(spec.range.max)).map(float)
        base = floats | ints
    elif spec.kind is tuple:
        assert spec.item_cls is not None and spec.length is not None
        item = st.builds(
            spec.item_cls, **{item.name: value_strategy(item) for item in spec.item_specs}
        )
        base = st.lists(item, min_size=spec.length.min, max_size=spec.length.max).map(tuple)
    elif spec.choices is not None:
        base = st.sampled_from(spec.choices)
    else:
        assert spec.length is not None
        base = st.text(min_size=spec.length.min, max_size=spec.length.max)
    return st.none() | base if spec.nullable else base


def message_strategy(cls: type[Message]) -> st.SearchStrategy[Message]:
    fields = {spec.name: value_strategy(spec) for spec in _SPECS[cls]}
    return st.builds(cls, **fields)


any_message = st.one_of([message_strategy(cls) for cls in MESSAGE_TYPES.values()])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**70), 2**70)
    | st.floats()  # includes NaN and infinities, which json.dumps writes as bare words
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def fuzzed_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON object with a valid "type" and arbitrary values for known and other keys."""
    msg_type = draw(st.sampled_from(sorted(MESSAGE_TYPES)))
    names = [spec.name for spec in _SPECS[MESSAGE_TYPES[msg_type]]]
    keys = st.sampled_from(names) | st.text(max_size=8)
    obj: dict[str, Any] = draw(st.dictionaries(keys, json_values, max_size=len(names) + 2))
    obj["type"] = msg_type
    return obj


@st.composite
def mutated_messages(draw: st.DrawFn) -> dict[str, Any]:
    """A valid message with one field replaced by an arbitrary JSON value, or removed."""
    obj: dict[str, Any] = json.loads(encode_message(draw(any_message)))
    name = draw(st.sampled_from(sorted(obj.keys() - {"type"})))
    if draw(st.booleans()):
        del obj[name]
    else:
        obj[name] = draw(json_values)
    return obj


def assert_message_or_protocol_error(data: str | bytes) -> None:
    """decode_message must return a message or raise a ProtocolError, nothing else.

    A decoded message must also be re-encodable: we never accept what we couldn't send.
    """
    try:
        msg = decode_message(data)
    except ProtocolError as exc:
        # Decoding alone can't know about roles or versions.
        assert isinstance(exc, MalformedMessage)
        assert isinstance(exc.message, str)
        assert exc.message
        return
    assert type(msg) in MESSAGE_TYPES.values()
    assert decode_message(encode_message(msg)) == msg


def encode_json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def decode_obj(obj: Any) -> Message:
    return decode_message(encode_json(obj))


def error_from(obj: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        decode_obj(obj)
    return info.value


VALID: dict[type[Message], dict[str, Any]] = {
    Hello: {"type": "hello", "version": 1, "role": "agent", "token": "t0k", "client": "x/1"},
    Welcome: {
        "type": "welcome",
        "version": 1,
        "server_time_us": 1_700_000_000_000_000,
        "heartbeat_interval_s": 15.0,
        "account_id": "acc_1",
        "computer_id": None,
    },
    Heartbeat: {"type": "heartbeat", "seq": 3, "sent_at_us": 42},
    HeartbeatAck: {"type": "heartbeat_ack", "seq": 3, "sent_at_us": 42, "server_time_us": 43},
    ErrorMessage: {"type": "error", "code": "nope", "message": "Not allowed."},
    ComputerPresence: {
        "type": "computer.presence",
        "computer_id": "c1",
        "online": False,
        "last_seen": "2024-05-01T12:00:00+00:00",
    },
    ComputerAdded: {
        "type": "computer.added",
        "computer_id": "c1",
        "name": "Den PC",
        "os": "Windows 11",
        "online": True,
    },
    ComputerRenamed: {"type": "computer.renamed", "computer_id": "c1", "name": "Office"},
    ComputerRemoved: {"type": "computer.removed", "computer_id": "c1"},
    SubscriptionChanged: {"type": "subscription.changed", "state": "active"},
    PurchaseChanged: {"type": "purchase.changed", "purchase_id": "p1", "state": "confirmed"},
    SessionOffer: {
        "type": "session.offer",
        "session_id": "s1",
        "relay_path": "/api/v1/relay/s1",
        "relay_url": "ws://10.0.0.2:8740/api/v1/relay/s1",
    },
    SessionAccepted: {"type": "session.accepted", "session_id": "s1"},
    SessionApproved: {"type": "session.approved", "session_id": "s1"},
    SessionLogged: {"type": "session.logged", "session_id": "s1"},
    SessionReport: {"type": "session.report", "session_id": "s1", "event": "started"},
    KeyframeRequest: {"type": "video.keyframe_request", "reason": "decode error"},
    VideoSettings: {"type": "video.settings", "bitrate_kbps": 2000, "max_fps": 30, "scale": 0.5},
    VideoRate: {"type": "video.rate", "bitrate_kbps": 1700, "max_fps": 30},
    VideoTiming: {"type": "video.timing", "frame_id": 7, "grab_ms": 0.4, "encode_ms": 3.5},
    TicketKeys: {
        "type": "ticket.keys",
        "keys": [{"kid": "ticket-2", "public_key": "ed25519:" + "A" * 43}],
    },
    ScreenList: {
        "type": "screen.list",
        "monitors": [
            {
                "id": "1",
                "name": "DP-1",
                "x": 0,
                "y": 0,
                "width": 1920,
                "height": 1080,
                "primary": True,
            },
            {
                "id": "2",
                "name": "",
                "x": 1920,
                "y": 0,
                "width": 1280,
                "height": 1024,
                "primary": False,
            },
        ],
        "current": "1",
    },
    ScreenSelect: {"type": "screen.select", "monitor": "2"},
    ScreenFit: {"type": "screen.fit", "width": 820, "height": 1180},
    FilePut: {"type": "files.put", "transfer": 1, "name": "photo.jpg", "size": 9, "key": "a" * 32},
    FileGet: {"type": "files.get", "transfer": 2, "path": "Documents/report.pdf", "offset": 5},
    FileAccepted: {"type": "files.accepted", "transfer": 1, "offset": 0, "size": 9},
    FileProgress: {"type": "files.progress", "transfer": 1, "offset": 4},
    FileDone: {"type": "files.done", "transfer": 1, "path": "Downloads/photo.jpg"},
    FileFailed: {
        "type": "files.failed",
        "transfer": 1,
        "code": "no_space",
        "message": "The computer's disk is full.",
    },
    FileCancel: {"type": "files.cancel", "transfer": 1},
    DirList: {"type": "files.list", "path": "Documents"},
    CursorShape: {
        "type": "cursor.shape",
        "serial": 7,
        "width": 24,
        "height": 24,
        "hot_x": 1,
        "hot_y": 2,
        "png": "iVBORw0KGgo=",
    },
    CursorPosition: {
        "type": "cursor.position",
        "x": 0.25,
        "y": 0.5,
        "visible": True,
        "serial": 7,
    },
    WakeNetworks: {
        "type": "wake.networks",
        "adapters": [
            {"interface": "eth0", "mac": "3c:52:82:4a:10:07", "ipv4": "192.168.1.23/24"},
            {"interface": "wlan0", "mac": "3c:52:82:4a:10:08", "ipv4": None},
        ],
    },
    WakeSend: {
        "type": "wake.send",
        "computer_id": "c1",
        "targets": [{"mac": "3c:52:82:4a:10:07", "network": "192.168.1.0/24"}],
        "port": 9,
    },
    ComputerNetworks: {"type": "computer.networks", "computer_id": "c1"},
    DirListing: {
        "type": "files.listing",
        "path": "Documents",
        "entries": [
            {"name": "Taxes", "folder": True, "size": 0, "modified": 1_700_000_000},
            {"name": "report.pdf", "folder": False, "size": 12_345, "modified": 1_700_000_100},
        ],
        "truncated": False,
        "error": "",
    },
}


def valid(cls: type[Message], **changes: Any) -> dict[str, Any]:
    return {**VALID[cls], **changes}


# --- properties -------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(MESSAGE_TYPES.values()), ids=list(MESSAGE_TYPES))
@ROUND_TRIP
@given(data=st.data())
def test_round_trip(cls: type[Message], data: st.DataObject) -> None:
    msg = data.draw(message_strategy(cls))
    text = encode_message(msg)
    assert text.startswith('{"type":' + json.dumps(cls.TYPE) + ",")
    assert decode_message(text) == msg
    assert decode_message(text.encode("utf-8")) == msg


@FUZZ
@given(st.text())
def test_arbitrary_text(data: str) -> None:
    assert_message_or_protocol_error(data)


@FUZZ
@given(st.text(st.characters(categories=["Cs"]) | st.characters(exclude_categories=())))
def test_arbitrary_text_with_surrogates(data: str) -> None:
    assert_message_or_protocol_error(data)


@FUZZ
@given(st.binary())
def test_arbitrary_bytes(data: bytes) -> None:
    assert_message_or_protocol_error(data)


@FUZZ
@given(json_values)
def test_arbitrary_json(value: Any) -> None:
    assert_message_or_protocol_error(json.dumps(value))


@FUZZ
@given(fuzzed_objects())
def test_fuzzed_fields(obj: dict[str, Any]) -> None:
    assert_message_or_protocol_error(json.dumps(obj))
    assert_message_or_protocol_error(encode_json(obj).encode("utf-8", "surrogatepass"))


@FUZZ
@given(mutated_messages())
def test_mutated_messages(obj: dict[str, Any]) -> None:
    assert_message_or_protocol_error(json.dumps(obj))


# --- message classes ----------------------------------------------------------------------


def test_constants() -> None:
    assert PROTOCOL_VERSION == 1
    assert frozenset({1}) == SUPPORTED_VERSIONS
    assert PROTOCOL_VERSION in SUPPORTED_VERSIONS
    assert MAX_CONTROL_MESSAGE_BYTES == 64 * 1024


def test_message_types_registry() -> None:
    assert {
        "hello": Hello,
        "welcome": Welcome,
        "heartbeat": Heartbeat,
        "heartbeat_ack": HeartbeatAck,
        "error": ErrorMessage,
        "computer.presence": ComputerPresence,
        "computer.added": ComputerAdded,
        "computer.renamed": ComputerRenamed,
        "computer.removed": ComputerRemoved,
        "subscription.changed": SubscriptionChanged,
        "purchase.changed": PurchaseChanged,
        "session.offer": SessionOffer,
        "session.accepted": SessionAccepted,
        "session.approved": SessionApproved,
        "session.logged": SessionLogged,
        "session.report": SessionReport,
        "video.keyframe_request": KeyframeRequest,
        "video.settings": VideoSettings,
        "video.rate": VideoRate,
        "video.timing": VideoTiming,
        "screen.list": ScreenList,
        "screen.select": ScreenSelect,
        "screen.fit": ScreenFit,
        "ticket.keys": TicketKeys,
        "files.put": FilePut,
        "files.get": FileGet,
        "files.accepted": FileAccepted,
        "files.progress": FileProgress,
        "files.done": FileDone,
        "files.failed": FileFailed,
        "files.cancel": FileCancel,
        "files.list": DirList,
        "files.listing": DirListing,
        "cursor.shape": CursorShape,
        "cursor.position": CursorPosition,
        "wake.networks": WakeNetworks,
        "wake.send": WakeSend,
        "computer.networks": ComputerNetworks,
    } == MESSAGE_TYPES
    for wire_type, cls in MESSAGE_TYPES.items():
        assert wire_type == cls.TYPE


@pytest.mark.parametrize("cls", list(MESSAGE_TYPES.values()), ids=list(MESSAGE_TYPES))
def test_messages_are_frozen_slotted_and_keyword_only(cls: type[Message]) -> None:
    msg = decode_obj(VALID[cls])
    assert not hasattr(msg, "__dict__")
    name = dataclasses.fields(msg)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(msg, name, None)
    args = [value for key, value in VALID[cls].items() if key != "type"]
    with pytest.raises(TypeError):
        cls(*args)  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", list(MESSAGE_TYPES.values()), ids=list(MESSAGE_TYPES))
def test_valid_examples_decode(cls: type[Message]) -> None:
    msg = decode_obj(VALID[cls])
    assert type(msg) is cls
    assert json.loads(encode_message(msg)) == json.loads(json.dumps(VALID[cls])) | {
        # Defaults the example left out come back explicitly.
        key: value
        for key, value in json.loads(encode_message(msg)).items()
        if key not in VALID[cls]
    }


# --- encode_message -------------------------------------------------------------------------


def test_encode_is_compact_with_type_first() -> None:
    assert encode_message(Heartbeat(seq=1, sent_at_us=2)) == (
        '{"type":"heartbeat","seq":1,"sent_at_us":2,"paints_fills":false,"clipboard":false,'
        '"audio":false,"cursor":false}'
    )


def test_encode_keeps_non_ascii_and_writes_none_as_null() -> None:
    text = encode_message(ComputerPresence(computer_id="c1", online=True, last_seen=None))
    assert text == '{"type":"computer.presence","computer_id":"c1","online":true,"last_seen":null}'
    assert encode_message(ComputerRenamed(computer_id="c1", name="Café ☕")) == (
        '{"type":"computer.renamed","computer_id":"c1","name":"Café ☕"}'
    )


def test_encode_writes_int_for_float_field_as_float() -> None:
    msg = Welcome(version=1, server_time_us=0, heartbeat_interval_s=15)
    assert '"heartbeat_interval_s":15.0' in encode_message(msg)


@pytest.mark.parametrize(
    "msg",
    [
        Heartbeat(seq=-1, sent_at_us=0),
        Hello(version=1, role="agent", token=""),
        Hello(version=1, role="admin", token="t"),  # type: ignore[arg-type]
        Welcome(version=1, server_time_us=0, heartbeat_interval_s=float("nan")),
        ComputerRemoved(computer_id="x" * 101),
        ErrorMessage(code="c", message="\ud800"),
        Heartbeat(seq=True, sent_at_us=0),
    ],
)
def test_encode_rejects_what_decode_would_reject(msg: Message) -> None:
    with pytest.raises(MalformedMessage):
        encode_message(msg)


def test_encode_rejects_non_messages() -> None:
    with pytest.raises(MalformedMessage, match="not a protocol message"):
        encode_message(object())  # type: ignore[arg-type]


# --- decode_message: envelope -----------------------------------------------------------------


def test_deeply_nested_json_is_malformed_not_recursion_error() -> None:
    depth = 100_000
    data = "[" * depth + "]" * depth
    with pytest.raises(MalformedMessage):
        decode_message(data)
    with pytest.raises(MalformedMessage):
        decode_message(data.encode())


@pytest.mark.parametrize(
    "data",
    [
        "[" * 30_000 + "]" * 30_000,
        "[" * 60_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"type":"heartbeat","seq":1,"sent_at_us":2,"x":' + "[" * 30_000 + "]" * 30_000 + "}",
    ],
    ids=["arrays", "unclosed", "objects", "inside-extra-field"],
)
def test_deep_nesting_within_size_limit_is_malformed(data: str) -> None:
    # Small enough to pass the size check, so this exercises the RecursionError path.
    assert len(data) <= MAX_CONTROL_MESSAGE_BYTES
    with pytest.raises(MalformedMessage) as info:
        decode_message(data)
    assert type(info.value) is MalformedMessage


def padded_heartbeat(size: int, pad_char: str = "a") -> str:
    """A valid heartbeat of exactly ``size`` UTF-8 bytes, padded in an ignored field."""
    prefix = '{"type":"heartbeat","seq":1,"sent_at_us":2,"pad":"'
    room = size - len(prefix.encode()) - len('"}')
    pad_len = room // len(pad_char.encode())
    assert pad_len * len(pad_char.encode()) == room
    return prefix + pad_char * pad_len + '"}'


def test_message_at_the_size_limit_is_accepted() -> None:
    data = padded_heartbeat(MAX_CONTROL_MESSAGE_BYTES)
    assert decode_message(data) == Heartbeat(seq=1, sent_at_us=2)
    assert decode_message(data.encode()) == Heartbeat(seq=1, sent_at_us=2)


@pytest.mark.parametrize(
    "data",
    [
        padded_heartbeat(MAX_CONTROL_MESSAGE_BYTES + 1),
        padded_heartbeat(MAX_CONTROL_MESSAGE_BYTES + 1).encode(),
        # Fewer characters than the limit, but more bytes once encoded as UTF-8.
        padded_heartbeat(MAX_CONTROL_MESSAGE_BYTES + 2 * 10, pad_char="é"),
        "x" * 10_000_000,
        b"\xff" * (MAX_CONTROL_MESSAGE_BYTES + 1),  # size is checked before UTF-8
    ],
    ids=["str", "bytes", "multibyte", "huge", "invalid-utf8"],
)
def test_oversize_message(data: str | bytes) -> None:
    with pytest.raises(MessageTooLarge, match="too large"):
        decode_message(data)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ('{"type":"heartbeat",}', "not valid JSON"),
        ("\ufeff{}", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('"hello"', "must be a JSON object"),
        ("null", "must be a JSON object"),
        ("42", "must be a JSON object"),
        ("{}", "no 'type' field"),
        ('{"seq":1}', "no 'type' field"),
        ('{"type":1}', "'type' must be a string"),
        ('{"type":null}', "'type' must be a string"),
        ('{"type":["hello"]}', "'type' must be a string"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"type":"\xed\xa0\x80"}', "not valid UTF-8"),  # encoded surrogate
        ('{"type":"heartbeat","seq":' + "9" * 5000 + "}", "number too large"),
    ],
)
def test_malformed_envelope(data: str | bytes, fragment: str) -> None:
    with pytest.raises(MalformedMessage) as info:
        decode_message(data)
    assert type(info.value) is MalformedMessage
    assert fragment in info.value.message


def test_utf16_bytes_are_rejected() -> None:
    # json.loads(bytes) would happily auto-detect UTF-16; the protocol says UTF-8.
    data = encode_message(Heartbeat(seq=1, sent_at_us=2)).encode("utf-16")
    with pytest.raises(MalformedMessage, match="UTF-8"):
        decode_message(data)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_rejected(constant: str) -> None:
    data = f'{{"type":"welcome","version":1,"server_time_us":0,"heartbeat_interval_s":{constant}}}'
    with pytest.raises(MalformedMessage, match=constant.lstrip("-")):
        decode_message(data)


def test_nan_is_rejected_even_in_ignored_fields() -> None:
    with pytest.raises(MalformedMessage):
        decode_message('{"type":"heartbeat","seq":1,"sent_at_us":2,"x":NaN}')


def test_overflowing_float_is_rejected() -> None:
    # json.loads turns 1e400 into inf without calling parse_constant.
    data = '{"type":"welcome","version":1,"server_time_us":0,"heartbeat_interval_s":1e400}'
    with pytest.raises(MalformedMessage, match="finite"):
        decode_message(data)


def test_unknown_type() -> None:
    with pytest.raises(UnknownMessageType) as info:
        decode_message('{"type":"computer.exploded","computer_id":"c1"}')
    assert isinstance(info.value, MalformedMessage)
    assert "'computer.exploded'" in info.value.message
    assert info.value.code == "unknown_message_type"


def test_unknown_type_is_truncated_in_error() -> None:
    error = error_from({"type": "x" * 10_000})
    assert isinstance(error, UnknownMessageType)
    assert len(error.message) < 100


def test_type_is_case_sensitive() -> None:
    with pytest.raises(UnknownMessageType):
        decode_obj(valid(Hello, type="Hello"))


# --- decode_message: fields --------------------------------------------------------------------


def test_bool_is_not_an_int() -> None:
    error = error_from(valid(Heartbeat, seq=True))
    assert type(error) is MalformedMessage
    assert error.message == "field 'seq' of 'heartbeat' must be an integer, not a boolean"


def test_float_is_not_an_int() -> None:
    error = error_from(valid(Heartbeat, sent_at_us=1.0))
    assert error.message == "field 'sent_at_us' of 'heartbeat' must be an integer, not a number"


def test_int_is_accepted_for_float() -> None:
    msg = decode_obj(valid(Welcome, heartbeat_interval_s=30))
    assert isinstance(msg, Welcome)
    assert msg.heartbeat_interval_s == 30.0
    assert type(msg.heartbeat_interval_s) is float


def test_bool_is_not_a_float() -> None:
    assert "must be a number" in error_from(valid(Welcome, heartbeat_interval_s=True)).message


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_bool_field_requires_a_boolean(value: Any) -> None:
    error = error_from(valid(ComputerAdded, online=value))
    assert "field 'online' of 'computer.added' must be a boolean" in error.message


@pytest.mark.parametrize("value", [1, None, ["x"], {"a": "b"}])
def test_string_field_requires_a_string(value: Any) -> None:
    error = error_from(valid(ComputerRenamed, name=value))
    assert "field 'name' of 'computer.renamed' must be a string" in error.message


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (Hello, "version"),
        (Hello, "role"),
        (Hello, "token"),
        (Welcome, "heartbeat_interval_s"),
        (Heartbeat, "seq"),
        (HeartbeatAck, "server_time_us"),
        (ErrorMessage, "message"),
        (ComputerPresence, "last_seen"),  # nullable, but still required
        (ComputerAdded, "os"),
        (ComputerRemoved, "computer_id"),
    ],
)
def test_missing_required_field(cls: type[Message], field: str) -> None:
    obj = valid(cls)
    del obj[field]
    error = error_from(obj)
    assert error.message == f"field {field!r} of {cls.TYPE!r} is missing"


def test_optional_fields_default_when_absent() -> None:
    assert decode_obj({"type": "hello", "version": 1, "role": "viewer", "token": "t"}) == Hello(
        version=1, role="viewer", token="t", client=""
    )
    msg = decode_obj(
        {"type": "welcome", "version": 1, "server_time_us": 0, "heartbeat_interval_s": 0.5}
    )
    assert msg == Welcome(version=1, server_time_us=0, heartbeat_interval_s=0.5)
    assert isinstance(msg, Welcome)
    assert msg.account_id is None
    assert msg.computer_id is None


def test_null_accepted_only_for_nullable_fields() -> None:
    msg = decode_obj(valid(ComputerPresence, last_seen=None))
    assert isinstance(msg, ComputerPresence)
    assert msg.last_seen is None
    assert decode_obj(valid(Welcome, account_id=None, computer_id=None)) == Welcome(
        version=1, server_time_us=1_700_000_000_000_000, heartbeat_interval_s=15.0
    )
    assert "not null" in error_from(valid(Hello, client=None)).message
    assert "not null" in error_from(valid(Heartbeat, seq=None)).message


def test_unknown_fields_are_ignored() -> None:
    msg = decode_obj(valid(Heartbeat, future_field={"nested": [1, 2, 3]}, another=None))
    assert msg == Heartbeat(seq=3, sent_at_us=42)


def test_role_must_be_known() -> None:
    error = error_from(valid(Hello, role="admin"))
    assert error.message == (
        "field 'role' of 'hello' must be one of 'agent', 'viewer', 'portal', not 'admin'"
    )


@pytest.mark.parametrize(
    ("cls", "field", "ok", "too_short", "too_long"),
    [
        (Hello, "token", (1, 4096), 0, 4097),
        (Hello, "client", (0, 200), None, 201),
        (Welcome, "account_id", (1, 100), 0, 101),
        (Welcome, "computer_id", (1, 100), 0, 101),
        (ErrorMessage, "code", (1, 100), 0, 101),
        (ErrorMessage, "message", (0, 1000), None, 1001),
        (ComputerPresence, "computer_id", (1, 100), 0, 101),
        (ComputerAdded, "name", (0, 200), None, 201),
        (ComputerAdded, "os", (0, 200), None, 201),
        (ComputerRenamed, "name", (0, 200), None, 201),
        (ComputerRemoved, "computer_id", (1, 100), 0, 101),
    ],
)
def test_string_length_limits(
    cls: type[Message],
    field: str,
    ok: tuple[int, int],
    too_short: int | None,
    too_long: int,
) -> None:
    for length in ok:
        # Non-ASCII on purpose: limits count characters, not bytes.
        assert getattr(decode_obj(valid(cls, **{field: "é" * length})), field) == "é" * length
    if too_short is not None:
        assert "at least" in error_from(valid(cls, **{field: "x" * too_short})).message
    error = error_from(valid(cls, **{field: "x" * too_long}))
    assert type(error) is MalformedMessage
    assert error.message == (
        f"field {field!r} of {cls.TYPE!r} must be at most {ok[1]} characters long"
    )


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (Welcome, "server_time_us"),
        (Heartbeat, "seq"),
        (Heartbeat, "sent_at_us"),
        (HeartbeatAck, "seq"),
        (HeartbeatAck, "sent_at_us"),
        (HeartbeatAck, "server_time_us"),
    ],
)
def test_non_negative_integers(cls: type[Message], field: str) -> None:
    assert getattr(decode_obj(valid(cls, **{field: 0})), field) == 0
    assert getattr(decode_obj(valid(cls, **{field: 2**63 - 1})), field) == 2**63 - 1
    assert "at least 0" in error_from(valid(cls, **{field: -1})).message
    assert "at most" in error_from(valid(cls, **{field: 2**63})).message


@pytest.mark.parametrize("value", [0, 0.0, -1, -0.5, 300.001, 301, 1e300])
def test_heartbeat_interval_out_of_range(value: float) -> None:
    error = error_from(valid(Welcome, heartbeat_interval_s=value))
    assert "field 'heartbeat_interval_s' of 'welcome' must be" in error.message


@pytest.mark.parametrize("value", [1e-6, 0.5, 300, 300.0])
def test_heartbeat_interval_in_range(value: float) -> None:
    msg = decode_obj(valid(Welcome, heartbeat_interval_s=value))
    assert isinstance(msg, Welcome)
    assert msg.heartbeat_interval_s == value


def test_version_is_any_int64_when_decoding() -> None:
    # Decoding accepts any version so that check_hello can answer "unsupported version"
    # with the right close code instead of "malformed message".
    msg = decode_obj(valid(Hello, version=99))
    assert isinstance(msg, Hello)
    assert msg.version == 99
    assert type(error_from(valid(Hello, version="1"))) is MalformedMessage
    assert type(error_from(valid(Hello, version=2**64))) is MalformedMessage


def test_lone_surrogate_escape_is_rejected() -> None:
    error = error_from(valid(Hello, token="\ud800"))
    assert "field 'token' of 'hello'" in error.message


def test_valid_surrogate_pair_escape_is_accepted() -> None:
    msg = decode_message('{"type":"computer.renamed","computer_id":"c1","name":"\\ud83d\\ude00"}')
    assert msg == ComputerRenamed(computer_id="c1", name="\U0001f600")


def test_error_messages_do_not_echo_long_input() -> None:
    error = error_from(valid(Hello, role="r" * 5000))
    assert len(error.message) < 200


# --- check_hello --------------------------------------------------------------------------------


def hello(**changes: Any) -> Hello:
    return Hello(**{"version": 1, "role": "agent", "token": "t", **changes})


def test_check_hello_accepts_and_returns_hello() -> None:
    msg = hello()
    assert check_hello(msg, expected_roles={"agent"}) is msg
    assert check_hello(hello(role="portal"), expected_roles=("viewer", "portal")).role == "portal"


def test_check_hello_rejects_other_first_message() -> None:
    with pytest.raises(UnexpectedMessage) as info:
        check_hello(Heartbeat(seq=0, sent_at_us=0), expected_roles={"agent"})
    assert "the first message must be 'hello'" in info.value.message
    assert "'heartbeat'" in info.value.message


def test_check_hello_rejects_unexpected_role() -> None:
    with pytest.raises(UnexpectedMessage) as info:
        check_hello(hello(role="viewer"), expected_roles={"agent"})
    assert "'viewer'" in info.value.message
    assert "'agent'" in info.value.message


def test_check_hello_treats_a_string_as_one_role() -> None:
    assert check_hello(hello(role="agent"), expected_roles="agent").role == "agent"
    with pytest.raises(UnexpectedMessage):
        # "agent" is a substring of "agentportal", but not one of its roles.
        check_hello(hello(role="agent"), expected_roles="agentportal")


@pytest.mark.parametrize("version", [0, 2, -1, 2**63 - 1])
def test_check_hello_rejects_unsupported_version(version: int) -> None:
    with pytest.raises(UnsupportedVersion) as info:
        check_hello(hello(version=version), expected_roles={"agent"})
    assert str(version) in info.value.message
    assert "supported versions: 1" in info.value.message


def test_check_hello_checks_version_before_role() -> None:
    with pytest.raises(UnsupportedVersion):
        check_hello(hello(version=2, role="viewer"), expected_roles={"agent"})


def test_check_hello_after_decode() -> None:
    msg = decode_message('{"type":"hello","version":1,"role":"viewer","token":"abc"}')
    assert check_hello(msg, expected_roles={"viewer"}).token == "abc"


@pytest.mark.parametrize(
    ("monitors", "problem"),
    [
        ("DP-1", "must be an array"),
        ([], "must have 1 to 16 items"),
        ([VALID[ScreenList]["monitors"][0]] * 17, "must have 1 to 16 items"),
        (["DP-1"], "must hold objects"),
        ([{"id": "1", "name": "", "x": 0, "y": 0, "width": 0, "height": 9}], "at least 1"),
        ([{"id": "1", "name": "", "x": 0, "y": 0, "width": 9}], "'height'"),
    ],
)
def test_a_bad_monitor_list_is_refused_with_the_reason(monitors: Any, problem: str) -> None:
    with pytest.raises(MalformedMessage, match=problem):
        decode_obj(valid(ScreenList, monitors=monitors))


def test_an_error_quotes_escaped_peer_text_briefly() -> None:
    # Found by the atheris fuzzer: forty U+2028 quoted back as forty six-character escapes.
    text = '{"type": "session.report", "session_id": "s", "event": "' + "\u2028" * 40 + '"}'
    with pytest.raises(MalformedMessage) as caught:
        decode_message(text)
    assert len(caught.value.message) <= 300

"""Tests for app.protocol.frames: binary video and input frames."""

from __future__ import annotations

import array
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.protocol import (
    FRAME_VERSION,
    HEADER_SIZE,
    MAX_FRAME_PAYLOAD,
    Frame,
    FrameError,
    FrameFlags,
    FrameType,
    ProtocolError,
    decode_frame,
    encode_frame,
)

FUZZ = settings(max_examples=400, deadline=None)

frames = st.builds(
    Frame,
    type=st.sampled_from(FrameType),
    frame_id=st.integers(0, 2**32 - 1),
    capture_us=st.integers(0, 2**64 - 1),
    payload=st.binary(max_size=2048),
    flags=st.sampled_from(
        [
            FrameFlags.NONE,
            FrameFlags.KEYFRAME,
            FrameFlags.END_OF_STREAM,
            FrameFlags.KEYFRAME | FrameFlags.END_OF_STREAM,
        ]
    ),
)


def header(
    *,
    version: int = FRAME_VERSION,
    type: int = FrameType.VIDEO,
    flags: int = 0,
    reserved: int = 0,
    frame_id: int = 7,
    capture_us: int = 123_456,
) -> bytes:
    return struct.pack("!BBBBIQ", version, type, flags, reserved, frame_id, capture_us)


def assert_frame_or_frame_error(data: bytes) -> Frame | None:
    try:
        frame = decode_frame(data)
    except ProtocolError as exc:
        assert isinstance(exc, FrameError)
        assert exc.message
        return None
    # Whatever we accept, we can re-encode byte for byte.
    assert encode_frame(frame) == data
    return frame


# --- properties -------------------------------------------------------------------------


@FUZZ
@given(frames)
def test_round_trip(frame: Frame) -> None:
    data = encode_frame(frame)
    assert len(data) == HEADER_SIZE + len(frame.payload)
    assert decode_frame(data) == frame
    assert decode_frame(bytearray(data)) == frame
    assert decode_frame(memoryview(data)) == frame


@FUZZ
@given(st.binary())
def test_arbitrary_bytes(data: bytes) -> None:
    assert_frame_or_frame_error(data)


@FUZZ
@given(st.binary(min_size=HEADER_SIZE, max_size=HEADER_SIZE), st.binary(max_size=256))
def test_arbitrary_header_and_payload(raw_header: bytes, payload: bytes) -> None:
    assert_frame_or_frame_error(raw_header + payload)


@FUZZ
@given(
    st.sampled_from(FrameType),
    st.integers(0, 3),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**64 - 1),
    st.binary(max_size=4096),
)
def test_valid_header_with_random_payload(
    frame_type: FrameType, flags: int, frame_id: int, capture_us: int, payload: bytes
) -> None:
    data = header(type=frame_type, flags=flags, frame_id=frame_id, capture_us=capture_us) + payload
    frame = assert_frame_or_frame_error(data)
    assert frame == Frame(
        type=frame_type,
        frame_id=frame_id,
        capture_us=capture_us,
        payload=payload,
        flags=FrameFlags(flags),
    )


# --- layout -------------------------------------------------------------------------------


def test_constants() -> None:
    assert FRAME_VERSION == 1
    assert HEADER_SIZE == 16
    assert MAX_FRAME_PAYLOAD == 8 * 1024 * 1024
    assert (FrameType.VIDEO, FrameType.INPUT, FrameType.FILL, FrameType.CLIPBOARD) == (1, 2, 3, 4)
    assert (FrameFlags.NONE, FrameFlags.KEYFRAME, FrameFlags.END_OF_STREAM) == (0, 1, 2)


def test_encoding_is_network_byte_order() -> None:
    frame = Frame(
        type=FrameType.INPUT,
        frame_id=0x01020304,
        capture_us=0x0A0B0C0D0E0F1011,
        payload=b"xyz",
        flags=FrameFlags.KEYFRAME | FrameFlags.END_OF_STREAM,
    )
    assert encode_frame(frame) == (
        b"\x01\x02\x03\x00\x01\x02\x03\x04\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11xyz"
    )


def test_decoded_fields_have_enum_types() -> None:
    frame = decode_frame(header(type=2, flags=1) + b"p")
    assert frame.type is FrameType.INPUT
    assert type(frame.flags) is FrameFlags
    assert type(frame.payload) is bytes
    assert frame.keyframe


def test_keyframe_property() -> None:
    def make(flags: FrameFlags) -> Frame:
        return Frame(type=FrameType.VIDEO, frame_id=0, capture_us=0, payload=b"", flags=flags)

    assert not make(FrameFlags.NONE).keyframe
    assert make(FrameFlags.KEYFRAME).keyframe
    assert not make(FrameFlags.END_OF_STREAM).keyframe
    assert make(FrameFlags.KEYFRAME | FrameFlags.END_OF_STREAM).keyframe


def test_flags_default_to_none() -> None:
    frame = Frame(type=FrameType.VIDEO, frame_id=1, capture_us=2, payload=b"")
    assert frame.flags is FrameFlags.NONE
    assert not frame.keyframe


def test_header_only_frame_has_empty_payload() -> None:
    frame = decode_frame(header())
    assert frame.payload == b""


def test_largest_payload_round_trips() -> None:
    payload = bytes(MAX_FRAME_PAYLOAD)
    frame = Frame(type=FrameType.VIDEO, frame_id=1, capture_us=2, payload=payload)
    assert decode_frame(encode_frame(frame)).payload == payload


def test_decode_accepts_other_buffer_types() -> None:
    data = header(frame_id=9) + b"abcd"
    # A slice of a larger buffer, as a reader might hand over.
    assert decode_frame(memoryview(b"junk" + data)[4:]).frame_id == 9
    # A memoryview with a non-byte format is read as raw bytes.
    words = array.array("H")
    words.frombytes(data)
    assert decode_frame(memoryview(words)).payload == b"abcd"
    # A non-contiguous view is flattened first.
    doubled = bytes(b for byte in data for b in (byte, 0))
    assert decode_frame(memoryview(doubled)[::2]).payload == b"abcd"


def test_bytearray_is_released_after_error() -> None:
    # The decoder must not keep a buffer export alive in the exception's traceback,
    # or the caller could no longer resize its receive buffer.
    buffer = bytearray(header(version=9))
    with pytest.raises(FrameError):
        decode_frame(buffer)
    buffer.extend(b"more")


# --- decode errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, HEADER_SIZE - 1])
def test_short_data(size: int) -> None:
    with pytest.raises(FrameError, match="too short"):
        decode_frame(header()[:size])


@pytest.mark.parametrize("version", [0, 2, 255])
def test_wrong_version(version: int) -> None:
    with pytest.raises(FrameError, match="version"):
        decode_frame(header(version=version) + b"payload")


@pytest.mark.parametrize("frame_type", [0, 7, 255])
def test_unknown_type(frame_type: int) -> None:
    with pytest.raises(FrameError, match="unknown frame type"):
        decode_frame(header(type=frame_type))


@pytest.mark.parametrize("flags", [4, 5, 0x80, 0xFF])
def test_unknown_flag_bits(flags: int) -> None:
    with pytest.raises(FrameError, match="unknown frame flags"):
        decode_frame(header(flags=flags))


@pytest.mark.parametrize("reserved", [1, 0x80, 0xFF])
def test_nonzero_reserved_byte(reserved: int) -> None:
    with pytest.raises(FrameError, match="reserved"):
        decode_frame(header(reserved=reserved))


def test_oversize_payload() -> None:
    with pytest.raises(FrameError, match="too large"):
        decode_frame(header() + bytes(MAX_FRAME_PAYLOAD + 1))


def test_frame_error_details() -> None:
    with pytest.raises(FrameError) as info:
        decode_frame(b"\x01")
    assert info.value.code == "malformed_frame"
    assert info.value.close_code == 1007


# --- encode errors ---------------------------------------------------------------------------


def frame(**changes: object) -> Frame:
    fields: dict[str, object] = {
        "type": FrameType.VIDEO,
        "frame_id": 0,
        "capture_us": 0,
        "payload": b"",
        **changes,
    }
    return Frame(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("frame_id", [0, 2**32 - 1])
def test_encode_frame_id_bounds(frame_id: int) -> None:
    assert decode_frame(encode_frame(frame(frame_id=frame_id))).frame_id == frame_id


@pytest.mark.parametrize("capture_us", [0, 2**64 - 1])
def test_encode_capture_us_bounds(capture_us: int) -> None:
    assert decode_frame(encode_frame(frame(capture_us=capture_us))).capture_us == capture_us


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"frame_id": -1}, "frame_id"),
        ({"frame_id": 2**32}, "frame_id"),
        ({"capture_us": -1}, "capture_us"),
        ({"capture_us": 2**64}, "capture_us"),
        ({"payload": bytes(MAX_FRAME_PAYLOAD + 1)}, "too large"),
        ({"flags": FrameFlags(4)}, "unknown frame flags"),
        ({"flags": 0x81}, "unknown frame flags"),
        ({"type": 7}, "unknown frame type"),
        ({"frame_id": 1.5}, "cannot encode"),
    ],
)
def test_encode_rejects_invalid_frames(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(FrameError, match=fragment):
        encode_frame(frame(**changes))

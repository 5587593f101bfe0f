"""CLIPBOARD frames' payload, and the rule that keeps a copy from crossing back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.protocol.clipboard import (
    MAX_IMAGE_BYTES,
    MAX_TEXT_BYTES,
    PNG_SIGNATURE,
    Clip,
    ClipboardMirror,
    ClipKind,
    ClipTooLarge,
    decode_clip,
    encode_clip,
)
from app.protocol.errors import FrameError
from app.protocol.frames import MAX_FRAME_PAYLOAD

PNG = PNG_SIGNATURE + b"rest of the image"


@given(st.text(max_size=200))
def test_text_round_trips(text: str) -> None:
    clip = decode_clip(encode_clip(Clip.text(text)))
    assert clip.kind == ClipKind.TEXT and clip.as_text() == text


def test_the_layout_is_a_kind_byte_then_the_content() -> None:
    assert encode_clip(Clip.text("héllo")) == b"\x01" + "héllo".encode()
    assert encode_clip(Clip.image(PNG)) == b"\x02" + PNG
    assert decode_clip(b"\x02" + PNG) == Clip.image(PNG)


def test_an_image_fills_one_frame_at_most() -> None:
    assert 1 + MAX_IMAGE_BYTES == MAX_FRAME_PAYLOAD
    biggest = Clip.image(PNG + bytes(MAX_IMAGE_BYTES - len(PNG)))
    assert len(encode_clip(biggest)) == MAX_FRAME_PAYLOAD


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"", "empty"),
        (b"\x07abc", "unknown clipboard content kind 7"),
        (b"\x01\xff\xfe", "not UTF-8"),
        (b"\x02GIF89a", "must be PNG"),
        (b"\x01" + bytes(MAX_TEXT_BYTES + 1), "too large"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(payload: bytes, says: str) -> None:
    with pytest.raises(FrameError, match=says):
        decode_clip(payload)


def test_content_over_its_limit_is_not_sent() -> None:
    with pytest.raises(ClipTooLarge) as raised:
        encode_clip(Clip.text("x" * (MAX_TEXT_BYTES + 1)))
    assert (raised.value.size, raised.value.limit) == (MAX_TEXT_BYTES + 1, MAX_TEXT_BYTES)
    with pytest.raises(FrameError, match="PNG"):
        encode_clip(Clip.image(b"not an image"))


def test_a_clip_never_shows_its_content_in_logs() -> None:
    assert "hunter2" not in repr(Clip.text("hunter2"))


def test_a_local_copy_crosses_once() -> None:
    mirror = ClipboardMirror()
    assert mirror.outgoing(Clip.text("a")) == Clip.text("a")
    assert mirror.outgoing(Clip.text("a")) is None  # reported again: already there
    assert mirror.outgoing(Clip.text("b")) == Clip.text("b")
    assert mirror.outgoing(Clip.text("")) is None  # an emptied clipboard is not a copy


def test_what_arrives_is_applied_once_and_never_echoed() -> None:
    mirror = ClipboardMirror()
    assert mirror.incoming(Clip.text("from there")) == Clip.text("from there")
    # Setting the local clipboard makes it report the same content: not sent back.
    assert mirror.outgoing(Clip.text("from there")) is None
    assert mirror.incoming(Clip.text("from there")) is None
    # Text and an image with the same bytes are different content.
    assert mirror.incoming(Clip(ClipKind.IMAGE, b"from there")) is not None


def test_going_back_to_earlier_content_crosses_again() -> None:
    mirror = ClipboardMirror()
    mirror.outgoing(Clip.text("a"))
    mirror.incoming(Clip.text("b"))
    assert mirror.outgoing(Clip.text("a")) == Clip.text("a")


def test_an_oversized_copy_is_refused_once() -> None:
    mirror = ClipboardMirror()
    big = Clip.text("x" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(ClipTooLarge):
        mirror.outgoing(big)
    assert mirror.outgoing(big) is None  # not refused again at every report

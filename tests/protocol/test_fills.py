"""FILL frames' payload: rectangles of one colour, checked as strictly as the rest."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.protocol.errors import FrameError
from app.protocol.fills import MAX_FILLS, Fill, decode_fills, encode_fills

FILLS = st.builds(
    Fill,
    st.integers(0, 30_000),
    st.integers(0, 30_000),
    st.integers(1, 30_000),
    st.integers(1, 30_000),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
)


@given(st.lists(FILLS, min_size=1, max_size=MAX_FILLS))
def test_fills_round_trip(fills: list[Fill]) -> None:
    assert decode_fills(encode_fills(fills)) == fills


def test_the_layout_is_eleven_bytes_a_rectangle_in_network_order() -> None:
    payload = encode_fills([Fill(0x0102, 3, 1920, 1080, (10, 20, 30))])
    assert payload == bytes([1, 2, 0, 3, 7, 0x80, 4, 0x38, 10, 20, 30])


def test_a_fill_knows_whether_it_lies_inside_a_picture() -> None:
    assert Fill(1280, 0, 640, 1080, (0, 0, 0)).inside(1920, 1080)
    assert not Fill(1281, 0, 640, 1080, (0, 0, 0)).inside(1920, 1080)
    assert not Fill(0, 1, 1920, 1080, (0, 0, 0)).inside(1920, 1080)


def record(x: int, y: int, width: int, height: int) -> bytes:
    return struct.pack("!HHHHBBB", x, y, width, height, 1, 2, 3)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"", "1 to 64 rectangles"),
        (record(0, 0, 1, 1)[:-1], "11-byte records"),
        (record(0, 0, 1, 1) + b"\x00", "11-byte records"),
        (record(0, 0, 1, 1) * (MAX_FILLS + 1), "1 to 64 rectangles"),
        (record(0, 0, 0, 5), "empty fill"),
        (record(0, 0, 5, 0), "empty fill"),
        (record(65_000, 0, 1_000, 1), "runs past"),
        (record(0, 65_535, 1, 1), "runs past"),
    ],
)
def test_malformed_fills_are_refused_with_a_reason(payload: bytes, fragment: str) -> None:
    with pytest.raises(FrameError, match=fragment):
        decode_fills(payload)


@pytest.mark.parametrize(
    "fills",
    [
        [],
        [Fill(0, 0, 0, 1, (0, 0, 0))],
        [Fill(-1, 0, 1, 1, (0, 0, 0))],
        [Fill(0, 0, 1, 1, (256, 0, 0))],
        [Fill(65_000, 0, 1_000, 1, (0, 0, 0))],
        [Fill(0, 0, 1, 1, (0, 0, 0))] * (MAX_FILLS + 1),
    ],
)
def test_what_cannot_be_sent_is_refused_before_it_is_sent(fills: list[Fill]) -> None:
    with pytest.raises(FrameError):
        encode_fills(fills)

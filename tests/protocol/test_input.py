"""Input events in INPUT frames: round trips, and anything else is a FrameError."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.protocol.errors import FrameError
from app.protocol.input import KEY_NAMES, InputEvent, decode_input, encode_input

EVENTS = [
    InputEvent("click", 0.25, 0.75, "right", 2),
    InputEvent("text", text="héllo ✓"),
    InputEvent("key", key="BackSpace"),
    InputEvent("wheel", 0.5, 0.5, dy=-2.5),
    InputEvent("down", 0.1, 0.2, "middle"),
    InputEvent("move", 0.3, 0.4),
    InputEvent("up", 0.3, 0.4, "middle"),
    InputEvent("click", 0.5, 0.5, "left", 1, mods=("ctrl", "shift")),
    InputEvent("key", key="c", mods=("ctrl",)),
    InputEvent("keydown", key="Shift_L"),
    InputEvent("keyup", key="Shift_L"),
    InputEvent("wheel", 0.5, 0.5, dy=0.25, dx=-0.75),
    InputEvent("wheel", 0.5, 0.5, dy=-1.0, mods=("ctrl",)),
]


@pytest.mark.parametrize("event", EVENTS, ids=[e.kind for e in EVENTS])
def test_round_trip(event: InputEvent) -> None:
    assert decode_input(encode_input(event)) == event


@pytest.mark.parametrize(
    "payload",
    [
        b'{"k":"click","x":1.5,"y":0}',
        b'{"k":"click","x":true,"y":0}',
        b'{"k":"click","x":0,"y":0,"b":"fourth"}',
        b'{"k":"text","t":' + b'"' + b"x" * 1001 + b'"}',
        b'{"k":"wheel","x":0,"y":0,"dy":1e9}',
        b'{"k":"wheel","x":0,"y":0,"dy":1,"dx":"left"}',
        # Found by the atheris fuzzer (test_atheris_fuzz.py): NaN passed the range check.
        b'{"k":"wheel","x":0,"y":0,"dy":NaN}',
        b'{"k":"wheel","x":0,"y":0,"dy":1,"dx":NaN}',
        b'{"k":"wheel","x":0,"y":0,"dy":-Infinity}',
        b'{"k":"key","key":"c","m":["hyper"]}',
        b'{"k":"key","key":"c","m":"ctrl"}',
        b'{"k":"keydown","key":""}',
        # Key names come from an allow-list: no arbitrary strings reach a back-end.
        b'{"k":"key","key":"rm -rf"}',
        b'{"k":"keydown","key":"XStringToKeysym"}',
        b'{"k":"key","key":"\\n"}',
        b'{"k":"key","key":" "}',
        b'{"k":"click","x":0,"y":0,"n":true}',
        b'{"k":"teleport"}',
        b"[]",
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_malformed_input_is_a_frame_error(payload: bytes) -> None:
    with pytest.raises(FrameError):
        decode_input(payload)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.dictionaries(
            st.sampled_from(["k", "x", "y", "b", "n", "t", "key", "dy", "dx", "m"]),
            st.none()
            | st.booleans()
            | st.floats()
            | st.integers()
            | st.text(max_size=10)
            | st.sampled_from(["click", "text", "key", "keydown", "wheel", "left"])
            | st.lists(st.sampled_from(["ctrl", "alt", "hyper"]), max_size=5),
            max_size=6,
        ).map(lambda obj: json.dumps(obj).encode()),
    )
)
def test_any_payload_is_an_event_or_a_frame_error(payload: bytes) -> None:
    with contextlib.suppress(FrameError):
        decode_input(payload)


def test_every_key_the_viewer_sends_is_allowed() -> None:
    from app.viewer.keys import NAMED_KEYS

    assert set(NAMED_KEYS.values()) <= KEY_NAMES
    for key in ("a", "Z", "7", "é", ",", "€"):  # one printable character: typed as itself
        event = InputEvent("key", key=key)
        assert decode_input(encode_input(event)) == event

"""Input events carried in INPUT frames (viewer → agent): compact JSON, coordinates
normalised to the remote screen (0..1) after the viewer removed letterbox and zoom."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from .errors import FrameError

MAX_TEXT = 1000
Button = Literal["left", "right", "middle"]


@dataclass(frozen=True, slots=True)
class InputEvent:
    kind: Literal["click", "down", "move", "up", "text", "key", "wheel"]
    x: float = 0.0
    y: float = 0.0
    button: Button = "left"
    count: int = 1
    text: str = ""
    key: str = ""
    dy: float = 0.0


def encode_input(event: InputEvent) -> bytes:
    body: dict[str, Any] = {"k": event.kind}
    if event.kind == "click":
        body.update(x=event.x, y=event.y, b=event.button, n=event.count)
    elif event.kind in ("down", "up"):
        body.update(x=event.x, y=event.y, b=event.button)
    elif event.kind == "move":
        body.update(x=event.x, y=event.y)
    elif event.kind == "text":
        body["t"] = event.text
    elif event.kind == "key":
        body["key"] = event.key
    else:
        body.update(x=event.x, y=event.y, dy=event.dy)
    return json.dumps(body, separators=(",", ":")).encode()


def _unit(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise FrameError("input coordinates must be numbers from 0 to 1")
    return float(value)


def decode_input(payload: bytes) -> InputEvent:
    """An input event, or FrameError for anything malformed."""
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        raise FrameError("input payload is not JSON") from None
    if not isinstance(body, dict):
        raise FrameError("input payload must be an object")
    kind = body.get("k")
    if kind == "click":
        button = body.get("b", "left")
        count = body.get("n", 1)
        if (
            button not in ("left", "right", "middle")
            or not isinstance(count, int)
            or not 1 <= count <= 3
        ):
            raise FrameError("click needs a button (left, right, middle) and a count of 1 to 3")
        return InputEvent("click", _unit(body.get("x")), _unit(body.get("y")), button, count)
    if kind in ("down", "up"):
        button = body.get("b", "left")
        if button not in ("left", "right", "middle"):
            raise FrameError("a button press or release needs left, right or middle")
        return InputEvent(kind, _unit(body.get("x")), _unit(body.get("y")), button)
    if kind == "move":
        return InputEvent("move", _unit(body.get("x")), _unit(body.get("y")))
    if kind == "text":
        text = body.get("t")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise FrameError("text input must be a string of at most 1000 characters")
        return InputEvent("text", text=text)
    if kind == "key":
        key = body.get("key")
        if not isinstance(key, str) or not 1 <= len(key) <= 40:
            raise FrameError("key input needs a key name")
        return InputEvent("key", key=key)
    if kind == "wheel":
        dy = body.get("dy")
        if isinstance(dy, bool) or not isinstance(dy, int | float) or abs(dy) > 1000:
            raise FrameError("wheel input needs a delta")
        return InputEvent("wheel", _unit(body.get("x")), _unit(body.get("y")), dy=float(dy))
    raise FrameError("unknown input kind")

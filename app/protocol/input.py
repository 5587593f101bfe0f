"""Input events carried in INPUT frames (viewer → agent): compact JSON, coordinates
normalised to the remote screen (0..1) after the viewer removed letterbox and zoom.

Wheel deltas are in notches (1.0 = one click of a mouse wheel) and may be fractional:
a trackpad or a two-finger drag scrolls smoothly and the agent carries the remainder.
Zoom is a wheel event with Ctrl held, as every desktop application understands it.
A click is one press and release; ``count`` says which click of a double (2) or triple
(3) click it is, and arrives soon after the previous one, so the host's own timing makes
it a double click, as with a real mouse.
Key names are X keysym names (``Return``, ``BackSpace``, ``F5``, ``a``) from the allow-list
:data:`KEY_NAMES`, or one printable character (typed as itself); modifiers are held for
the duration of one click, wheel or key event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from .errors import FrameError

MAX_TEXT = 1000
MAX_WHEEL = 1000.0
Button = Literal["left", "right", "middle"]
Modifier = Literal["ctrl", "alt", "shift", "meta"]
Kind = Literal["click", "down", "move", "up", "text", "key", "keydown", "keyup", "wheel"]
#: The named keys a viewer may press (X keysym names): what a keyboard has, nothing else.
#: A name outside it is refused, so an agent never hands a back-end an arbitrary string.
KEY_NAMES: frozenset[str] = frozenset(
    [
        "Return",
        "KP_Enter",
        "BackSpace",
        "Tab",
        "ISO_Left_Tab",
        "Escape",
        "Delete",
        "Insert",
        "Home",
        "End",
        "Prior",
        "Next",
        "Left",
        "Right",
        "Up",
        "Down",
        "space",
        "Menu",
        "Print",
        "Pause",
        "Scroll_Lock",
        "Sys_Req",
        "Break",
        "Shift_L",
        "Shift_R",
        "Control_L",
        "Control_R",
        "Alt_L",
        "Alt_R",
        "Meta_L",
        "Meta_R",
        "Super_L",
        "Super_R",
        "Hyper_L",
        "Hyper_R",
        "ISO_Level3_Shift",
        "Caps_Lock",
        "Num_Lock",
        "Mode_switch",
        "KP_Add",
        "KP_Subtract",
        "KP_Multiply",
        "KP_Divide",
        "KP_Decimal",
        "KP_Separator",
        "KP_Equal",
        "KP_Home",
        "KP_End",
        "KP_Prior",
        "KP_Next",
        "KP_Left",
        "KP_Right",
        "KP_Up",
        "KP_Down",
        "KP_Insert",
        "KP_Delete",
        "KP_Begin",
        "KP_Space",
        "KP_Tab",
        "XF86AudioMute",
        "XF86AudioLowerVolume",
        "XF86AudioRaiseVolume",
        "XF86AudioPlay",
        "XF86AudioStop",
        "XF86AudioPrev",
        "XF86AudioNext",
        "XF86MonBrightnessUp",
        "XF86MonBrightnessDown",
        "XF86Back",
        "XF86Forward",
        "XF86Copy",
        "XF86Paste",
        "XF86Cut",
    ]
    + [f"F{n}" for n in range(1, 36)]
    + [f"KP_{n}" for n in range(10)]
)
BUTTONS: tuple[str, ...] = get_args(Button)
MODIFIERS: tuple[str, ...] = get_args(Modifier)


@dataclass(frozen=True, slots=True)
class InputEvent:
    kind: Kind
    x: float = 0.0
    y: float = 0.0
    button: Button = "left"
    count: int = 1
    text: str = ""
    key: str = ""
    dy: float = 0.0
    dx: float = 0.0
    mods: tuple[Modifier, ...] = ()


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
    elif event.kind in ("key", "keydown", "keyup"):
        body["key"] = event.key
    else:
        body.update(x=event.x, y=event.y, dy=event.dy)
        if event.dx:
            body["dx"] = event.dx
    if event.mods and event.kind in ("click", "key", "wheel"):
        body["m"] = list(event.mods)
    return json.dumps(body, separators=(",", ":")).encode()


def _unit(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise FrameError("input coordinates must be numbers from 0 to 1")
    return float(value)


def _delta(value: Any) -> float:
    # "not <=" rather than ">": json.loads accepts NaN, and every comparison with NaN is
    # false; a NaN delta would make the agent's round() raise mid-session.
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= MAX_WHEEL:
        raise FrameError("wheel input needs deltas from -1000 to 1000 notches")
    return float(value)


def _button(body: dict[str, Any]) -> Button:
    button = body.get("b", "left")
    if button not in BUTTONS:
        raise FrameError("a button must be left, right or middle")
    return button  # type: ignore[no-any-return]


def _mods(body: dict[str, Any]) -> tuple[Modifier, ...]:
    mods = body.get("m", [])
    if (
        not isinstance(mods, list)
        or len(mods) > len(MODIFIERS)
        or not all(isinstance(m, str) and m in MODIFIERS for m in mods)
    ):
        raise FrameError("modifiers must be a list of ctrl, alt, shift and meta")
    return tuple(dict.fromkeys(mods))


def _key(body: dict[str, Any]) -> str:
    key = body.get("key")
    if not isinstance(key, str) or not 1 <= len(key) <= 40:
        raise FrameError("key input needs a key name")
    if key in KEY_NAMES or (len(key) == 1 and key.isprintable() and not key.isspace()):
        return key
    raise FrameError("unknown key name (not a key of a keyboard)")


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
        count = body.get("n", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 3:
            raise FrameError("a click counts 1 to 3")
        x, y = _unit(body.get("x")), _unit(body.get("y"))
        return InputEvent("click", x, y, _button(body), count, mods=_mods(body))
    if kind in ("down", "up"):
        return InputEvent(kind, _unit(body.get("x")), _unit(body.get("y")), _button(body))
    if kind == "move":
        return InputEvent("move", _unit(body.get("x")), _unit(body.get("y")))
    if kind == "text":
        text = body.get("t")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise FrameError("text input must be a string of at most 1000 characters")
        return InputEvent("text", text=text)
    if kind == "key":
        return InputEvent("key", key=_key(body), mods=_mods(body))
    if kind in ("keydown", "keyup"):
        return InputEvent(kind, key=_key(body))
    if kind == "wheel":
        return InputEvent(
            "wheel",
            _unit(body.get("x")),
            _unit(body.get("y")),
            dy=_delta(body.get("dy")),
            dx=_delta(body.get("dx", 0.0)),
            mods=_mods(body),
        )
    raise FrameError("unknown input kind")

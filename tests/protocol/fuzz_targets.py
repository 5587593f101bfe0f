"""Fuzz targets for the wire parsers, and the contract each one checks.

Each target takes bytes from the fuzzer and checks the parser's contract:

* the input decodes, or the parser raises its documented :class:`ProtocolError`
  subclass (:class:`FrameError` for frames and input events, :class:`MalformedMessage`
  and its subclasses for control messages) with a short, non-empty message;
* what decodes is within the documented bounds and survives a round trip:
  ``decode(encode(decode(x))) == decode(x)``.

Anything else (another exception, a failed assertion, a hang) is a finding.

``frame``, ``input`` and ``message`` take the fuzz bytes as a peer's bytes. The
``-json`` targets take them as the choices that build a JSON document
(:func:`json_document`): json.loads is C code that atheris cannot instrument, so raw
mutations seldom get past the JSON syntax to the values that reach the validators (NaN,
2**63, lone surrogates, strings one character too long...). They are separate targets
because coverage is per process: the raw seeds already cover every validator branch,
which would leave the fuzzer no reward for building documents that reach them.

The targets are plain functions, deterministic for a given input, so the seed corpus is
checked in-process and a saved crash replays anywhere; coverage-guided runs go through
:mod:`tests.protocol.fuzz_atheris` in a separate process.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, get_args

from app.protocol import (
    MESSAGE_TYPES,
    FrameError,
    FrameType,
    MalformedMessage,
    Message,
    ProtocolError,
    decode_frame,
    decode_message,
    encode_frame,
    encode_message,
)
from app.protocol.clipboard import decode_clip, encode_clip
from app.protocol.fills import decode_fills, encode_fills
from app.protocol.input import (
    BUTTONS,
    MAX_TEXT,
    MAX_WHEEL,
    MODIFIERS,
    Kind,
    decode_input,
    encode_input,
)
from app.protocol.messages import Monitor, Role

T = TypeVar("T")

# errors.py promises messages that quote at most a short excerpt of peer input, so
# they are safe to log and to send back; a long message would mean input echoed whole.
MAX_ERROR_MESSAGE = 300


def _check_error(exc: ProtocolError) -> None:
    assert isinstance(exc.message, str) and exc.message, f"{type(exc).__name__} without a message"
    assert len(exc.message) <= MAX_ERROR_MESSAGE, f"error message too long: {exc.message[:80]!r}"


# --- the contracts --------------------------------------------------------------------


def check_frame(data: bytes) -> None:
    """A binary frame; an INPUT frame's payload goes on to the input decoder, as in the
    agent's session loop."""
    try:
        frame = decode_frame(data)
    except FrameError as exc:
        _check_error(exc)
        return
    # No length field and no padding: whatever is accepted re-encodes byte for byte.
    assert encode_frame(frame) == data, "frame does not re-encode to the same bytes"
    assert decode_frame(bytearray(data)) == frame, "bytearray decodes differently"
    if frame.type is FrameType.INPUT:
        check_input(frame.payload)
    elif frame.type is FrameType.FILL:
        check_fills(frame.payload)
    elif frame.type is FrameType.CLIPBOARD:
        check_clip(frame.payload)


def _decoded(decode: Callable[[bytes], T], data: bytes) -> T | None:
    """What ``decode`` makes of ``data``, or None once its error was checked."""
    try:
        return decode(data)
    except FrameError as exc:
        _check_error(exc)
        return None


def check_clip(data: bytes) -> None:
    """The payload of a CLIPBOARD frame: what is put on a clipboard is what was sent."""
    clip = _decoded(decode_clip, data)
    if clip is None:
        return
    assert encode_clip(clip) == data, "a clip does not re-encode to the same bytes"


def check_fills(data: bytes) -> None:
    """The payload of a FILL frame: rectangles the viewer paints, which never reach past
    what a 16-bit coordinate can say."""
    fills = _decoded(decode_fills, data)
    if fills is None:
        return
    assert encode_fills(fills) == data, "fills do not re-encode to the same bytes"
    for fill in fills:
        assert fill.width and fill.height, f"an empty fill: {fill}"
        assert fill.inside(2**16 - 1, 2**16 - 1), f"a fill out of range: {fill}"


def check_input(data: bytes) -> None:
    """The payload of an INPUT frame: one input event."""
    event = _decoded(decode_input, data)
    if event is None:
        return
    # The agent turns these into pixels and wheel clicks with int() and round(): a NaN
    # or an infinity would raise there, far from the parser that let it through. Every
    # comparison with NaN is false, so these bounds reject it too.
    assert 0.0 <= event.x <= 1.0 and 0.0 <= event.y <= 1.0, f"coordinates out of range: {event}"
    assert abs(event.dy) <= MAX_WHEEL and abs(event.dx) <= MAX_WHEEL, f"bad wheel delta: {event}"
    assert event.button in BUTTONS and 1 <= event.count <= 3, f"bad button or count: {event}"
    assert set(event.mods) <= set(MODIFIERS) and len(event.mods) == len(set(event.mods))
    assert len(event.text) <= MAX_TEXT and len(event.key) <= 40
    assert decode_input(encode_input(event)) == event, f"input round trip changed {event}"


def check_input_json(data: bytes) -> None:
    """An input event built by :func:`json_document` from the fuzz bytes."""
    check_input(json_document(data, "input"))


def check_message(data: bytes) -> None:
    """A control message, both as a binary WebSocket frame (bytes) and as a text frame
    (str): the two take different paths through the size and UTF-8 checks, to the same
    outcome."""
    from_bytes = _message_outcome(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Lone surrogates only ever reach decode_message inside a str; surrogatepass
        # lets the fuzzer produce them from UTF-8-like bytes.
        try:
            text = data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return
        _message_outcome(text)
        return
    from_text = _message_outcome(text)
    assert from_text == from_bytes, f"str and bytes decode differently: {from_text} != {from_bytes}"


def check_message_json(data: bytes) -> None:
    """A control message built by :func:`json_document` from the fuzz bytes."""
    check_message(json_document(data, "message"))


def _message_outcome(data: str | bytes) -> Message | type[MalformedMessage]:
    """The decoded message, or the class of the documented error it raised."""
    try:
        msg = decode_message(data)
    except MalformedMessage as exc:  # also MessageTooLarge and UnknownMessageType
        _check_error(exc)
        return type(exc)
    assert type(msg) in MESSAGE_TYPES.values()
    # encode_message validates like decode_message: raising here would mean we accept
    # what we could not send back.
    assert decode_message(encode_message(msg)) == msg, f"message round trip changed {msg}"
    return msg


#: Fuzz targets by the name given on the command line of :mod:`tests.protocol.fuzz_atheris`.
TARGETS: dict[str, Callable[[bytes], None]] = {
    "frame": check_frame,
    "input": check_input,
    "input-json": check_input_json,
    "message": check_message,
    "message-json": check_message_json,
}


# --- the protocol's vocabulary ----------------------------------------------------------


def names(target: str) -> list[str]:
    """Keys and string values the decoders of a target look for."""
    found: list[str]
    if target.startswith("message"):
        found = ["type", *MESSAGE_TYPES, *get_args(Role)]
        for cls in [*MESSAGE_TYPES.values(), Monitor]:
            found += [field.name for field in dataclasses.fields(cls)]
    else:  # frame and input: an INPUT frame's payload is an input event
        found = [*"kxybnmt", "key", "dy", "dx", *get_args(Kind), *BUTTONS, *MODIFIERS]
    return list(dict.fromkeys(found))


# Tokens the raw-bytes mutator splices in (libFuzzer's -dict), for the same reason as
# json_document: no comparison feedback comes out of the C JSON scanner.
_JSON_TOKENS = [
    *("null", "true", "false", "NaN", "Infinity", "-Infinity", "1e400", "-0", "0.5", "1.0"),
    *("9223372036854775807", "9223372036854775808", "-9223372036854775809"),
    *("{", "}", "[", "]", ":", ",", '""', '"\\ud800"', '"\\ud83d\\ude00"', '"\\u0000"'),
]


def dictionary_file_text(target: str) -> str:
    """A libFuzzer -dict file: one double-quoted token a line, non-printables as \\xNN."""
    tokens = [token.encode() for token in _JSON_TOKENS]
    tokens += [json.dumps(name).encode() for name in names(target)]
    lines = []
    for token in tokens:
        escaped = "".join(
            chr(byte) if 0x20 <= byte < 0x7F and byte not in b'"\\' else f"\\x{byte:02x}"
            for byte in token
        )
        lines.append(f'"{escaped}"')
    return "\n".join(lines) + "\n"


# --- JSON documents built from fuzz bytes ---------------------------------------------

# Edges of the bounds the protocol declares (int64, monitor geometry, wheel deltas, the
# exclusive 0 of heartbeat_interval_s...) and the floats JSON should not carry.
_NUMBERS: tuple[int | float, ...] = (
    *(0, 1, -1, 2, 3, 4, 100, 120, 121, 1000, 1001, 16384, 16385, 65536, 65537, -65537),
    *(2**32, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**40),
    *(0.0, -0.0, 0.05, 0.1, 0.5, 1.0, 1.5, 300.0, 1000.0, 1000.5, -1000.5, 1e-300, 1e300),
    *(float("nan"), float("inf"), float("-inf")),
)
# Lengths around the string and array limits: 1, 16, 40, 80, 100, 200, 300, 1000, 4096.
_LENGTHS = (0, 1, 2, 16, 17, 39, 40, 41, 80, 81, 100, 101, 200, 201, 300, 301, 1000, 1001, 4097)
# Characters JSON encoders and decoders treat specially: escapes, NUL, DEL, a lone
# surrogate, a character outside the BMP (a surrogate pair in \u form), a line separator.
_CHARS = ("a", '"', "\\", "\x00", "\x7f", "\u00e9", "\ud800", "\U0001f600", "\u2028")
_MAX_DEPTH = 3
# Characters of long strings in one document: past MAX_CONTROL_MESSAGE_BYTES, so
# MessageTooLarge stays reachable, and small enough that a run keeps its pace.
_MAX_LONG_TEXT = 70_000


class _Choices:
    """Reads decisions from the fuzz bytes; once they run out, every decision is 0."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self.text_left = _MAX_LONG_TEXT

    def byte(self) -> int:
        if self._pos >= len(self._data):
            return 0
        self._pos += 1
        return self._data[self._pos - 1]

    def take(self, size: int) -> bytes:
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk.ljust(size, b"\x00")

    def pick(self, options: Sequence[T]) -> T:
        return options[self.byte() % len(options)]


def json_document(data: bytes, target: str) -> bytes:
    """A JSON object built from ``data``: the selector key of the target (``type`` or
    ``k``) with a valid value, then fields named like the protocol's (the selector
    among them), holding any JSON values. Deterministic, so a saved crash replays."""
    vocabulary = names(target)
    choices = _Choices(data)
    if target.startswith("message"):
        doc: dict[str, Any] = {"type": choices.pick(list(MESSAGE_TYPES))}
    else:
        doc = {"k": choices.pick(get_args(Kind))}
    for _ in range(choices.byte() % 8):
        doc[choices.pick(vocabulary)] = _value(choices, vocabulary, 1)
    # json.dumps writes NaN and Infinity as bare words, as a peer could; ASCII with
    # \u escapes is how a lone surrogate gets into JSON at all.
    return json.dumps(doc).encode("ascii")


def _value(choices: _Choices, vocabulary: list[str], depth: int) -> Any:
    kind = choices.byte() % 10
    if kind == 0:
        return None
    if kind == 1:
        return bool(choices.byte() & 1)
    if kind == 2:
        return choices.pick(_NUMBERS)
    if kind == 3:  # any double, NaNs and infinities included
        return struct.unpack("<d", choices.take(8))[0]
    if kind == 4:  # any integer up to 72 bits, past int64 both ways
        return int.from_bytes(choices.take(choices.byte() % 10), "little", signed=True)
    if kind == 5:
        return choices.pick(vocabulary)
    if kind == 6:  # one character repeated to a length around a limit
        char, length = choices.pick(_CHARS), min(choices.pick(_LENGTHS), choices.text_left)
        choices.text_left -= length
        return char * length
    if kind == 7:  # a few arbitrary code points
        size = choices.byte() % 8
        return "".join(
            chr(int.from_bytes(choices.take(3), "little") % 0x110000) for _ in range(size)
        )
    if depth >= _MAX_DEPTH:
        return None
    if kind == 8:
        size = choices.pick(_LENGTHS[:5])  # 0 to 17 items: monitors are 1 to 16
        return [_value(choices, vocabulary, depth + 1) for _ in range(size)]
    return {
        choices.pick(vocabulary): _value(choices, vocabulary, depth + 1)
        for _ in range(choices.byte() % 8)
    }

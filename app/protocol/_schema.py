"""Field validation for control messages, driven by dataclass type hints.

A message class declares its fields with plain type hints plus :class:`Length` or
:class:`Range` markers inside :data:`typing.Annotated`; :func:`build_specs` turns them
into :class:`FieldSpec` objects once, at import time, and :func:`check_value` applies
one spec to one value. Keeping the rules next to the field declarations means a new
message type cannot forget to validate a field.

Only the JSON shapes the protocol actually uses are supported: ``bool``, ``int``,
``float``, ``str``, ``Literal`` of strings, each optionally ``| None``, and
``tuple[Item, ...]`` of a dataclass whose own fields follow the same rules (a JSON
array of objects, its length bounded by ``Length``). Anything else is a programming
error and fails loudly at import time.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from .errors import MalformedMessage

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "FieldSpec",
    "Length",
    "Range",
    "as_json",
    "build_specs",
    "check_value",
    "excerpt",
]

# Integers are limited to a signed 64-bit range so that peers written in other
# languages (or storing values in a database column) never overflow.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Longest excerpt of peer-supplied text quoted back in an error message.
_EXCERPT_CHARS = 40


@dataclass(frozen=True, slots=True)
class Length:
    """Inclusive bounds on the number of characters of a ``str`` field."""

    min: int
    max: int


@dataclass(frozen=True, slots=True)
class Range:
    """Bounds on a numeric field; ``max`` is inclusive, ``min`` is unless ``min_exclusive``."""

    min: int | float
    max: int | float
    min_exclusive: bool = False


_INT64_RANGE = Range(INT64_MIN, INT64_MAX)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Everything needed to validate one field of one message type."""

    name: str
    kind: type[bool] | type[int] | type[float] | type[str] | type[tuple[Any, ...]]
    nullable: bool
    required: bool
    range: Range | None = None
    length: Length | None = None
    choices: tuple[str, ...] | None = None
    #: For a tuple field: the item dataclass and its own field specs.
    item_cls: type[Any] | None = None
    item_specs: tuple[FieldSpec, ...] = ()


def build_specs(cls: type[Any]) -> tuple[FieldSpec, ...]:
    """Derive the field specs of a message dataclass from its type hints.

    Raises :exc:`TypeError` if a field uses an unsupported type, or if a ``str`` or
    ``float`` field has no explicit bound: every value read from the network must be
    bounded.
    """
    hints = typing.get_type_hints(cls, include_extras=True)
    specs = []
    for field in dataclasses.fields(cls):
        if field.name == "type":
            raise TypeError(f"{cls.__name__}: 'type' is reserved for the message type")
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        specs.append(_build_spec(cls, field.name, hints[field.name], required))
    return tuple(specs)


def _build_spec(cls: type[Any], name: str, hint: Any, required: bool) -> FieldSpec:
    where = f"{cls.__name__}.{name}"

    nullable = False
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = typing.get_args(hint)
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"{where}: only 'X | None' unions are supported")
        nullable = True
        hint = others[0]

    markers: tuple[Any, ...] = ()
    if typing.get_origin(hint) is Annotated:
        hint, *rest = typing.get_args(hint)
        markers = tuple(rest)
    length = next((m for m in markers if isinstance(m, Length)), None)
    range_ = next((m for m in markers if isinstance(m, Range)), None)

    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        if not all(isinstance(choice, str) for choice in choices):
            raise TypeError(f"{where}: only Literal of strings is supported")
        return FieldSpec(name, str, nullable, required, choices=choices)
    if hint is str:
        if length is None:
            raise TypeError(f"{where}: str fields need a Length(...) bound")
        return FieldSpec(name, str, nullable, required, length=length)
    if hint is float:
        if range_ is None:
            raise TypeError(f"{where}: float fields need a Range(...) bound")
        return FieldSpec(name, float, nullable, required, range=range_)
    if hint is int:
        return FieldSpec(name, int, nullable, required, range=range_ or _INT64_RANGE)
    if hint is bool:
        return FieldSpec(name, bool, nullable, required)
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis or not dataclasses.is_dataclass(args[0]):
            raise TypeError(f"{where}: only tuple[SomeDataclass, ...] is supported")
        if length is None:
            raise TypeError(f"{where}: tuple fields need a Length(...) bound on the items")
        item_cls = typing.cast(type[Any], args[0])
        return FieldSpec(
            name,
            tuple,
            nullable,
            required,
            length=length,
            item_cls=item_cls,
            item_specs=build_specs(item_cls),
        )
    raise TypeError(f"{where}: unsupported field type {hint!r}")


def check_value(spec: FieldSpec, value: object, message_type: str) -> Any:
    """Validate ``value`` against ``spec`` and return it normalized to a builtin type.

    ``message_type`` is the wire type, used to name the field in error messages.
    Raises :exc:`~app.protocol.errors.MalformedMessage`.
    """

    def fail(problem: str) -> MalformedMessage:
        return MalformedMessage(f"field {spec.name!r} of {message_type!r} {problem}")

    if value is None:
        if spec.nullable:
            return None
        raise fail(f"must be {_ARTICLE_KIND[spec.kind]}, not null")

    if spec.kind is bool:
        if not isinstance(value, bool):
            raise fail(f"must be a boolean, not {_json_kind(value)}")
        return value

    if spec.kind is int:
        # bool is a subclass of int in Python, but true/false is not a number in JSON.
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"must be an integer, not {_json_kind(value)}")
        _check_range(spec, value, fail)
        return int(value)

    if spec.kind is float:
        # JSON doesn't distinguish 15 from 15.0, so integers are fine where floats are.
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise fail(f"must be a number, not {_json_kind(value)}")
        # json.loads turns overflowing literals such as 1e400 into inf.
        if isinstance(value, float) and not math.isfinite(value):
            raise fail("must be a finite number")
        # Range first: float() of a huge int would raise OverflowError.
        _check_range(spec, value, fail)
        return float(value)

    if spec.kind is tuple:
        return _check_items(spec, value, message_type, fail)

    if not isinstance(value, str):
        raise fail(f"must be a string, not {_json_kind(value)}")
    if spec.choices is not None:
        if value not in spec.choices:
            allowed = ", ".join(repr(choice) for choice in spec.choices)
            raise fail(f"must be one of {allowed}, not {excerpt(value)}")
        return value
    assert spec.length is not None  # guaranteed by build_specs
    if len(value) < spec.length.min:
        raise fail(f"must be at least {spec.length.min} character(s) long")
    if len(value) > spec.length.max:
        raise fail(f"must be at most {spec.length.max} characters long")
    # JSON escapes like "\ud800" decode to lone surrogates, which can't be re-encoded
    # as UTF-8: accepting them would make echoing the value back crash later.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail("must be valid Unicode text (no lone surrogates)") from None
    return value


def _check_items(
    spec: FieldSpec,
    value: object,
    message_type: str,
    fail: typing.Callable[[str], MalformedMessage],
) -> tuple[Any, ...]:
    """A tuple of item dataclasses, from a JSON array of objects (decoding) or from
    item instances (encoding); each item checked with the item's own specs."""
    assert spec.item_cls is not None and spec.length is not None
    if not isinstance(value, list | tuple):
        raise fail(f"must be an array, not {_json_kind(value)}")
    if not spec.length.min <= len(value) <= spec.length.max:
        raise fail(f"must have {spec.length.min} to {spec.length.max} items")
    items = []
    for index, item in enumerate(value):
        where = f"{message_type}.{spec.name}[{index}]"
        if isinstance(item, spec.item_cls):
            fields = {s.name: getattr(item, s.name) for s in spec.item_specs}
        elif isinstance(item, dict):
            fields = item
        else:
            raise fail(f"must hold objects, not {_json_kind(item)}")
        values: dict[str, Any] = {}
        for item_spec in spec.item_specs:
            if item_spec.name in fields:
                values[item_spec.name] = check_value(item_spec, fields[item_spec.name], where)
            elif item_spec.required:
                raise MalformedMessage(f"field {item_spec.name!r} of {where!r} is missing")
        items.append(spec.item_cls(**values))
    return tuple(items)


def as_json(value: object) -> Any:
    """``json.dumps`` hook: the item dataclasses of tuple fields, as objects."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _check_range(
    spec: FieldSpec,
    value: int | float,
    fail: typing.Callable[[str], MalformedMessage],
) -> None:
    assert spec.range is not None  # guaranteed by build_specs
    low, high = spec.range.min, spec.range.max
    if spec.range.min_exclusive:
        if value <= low:
            raise fail(f"must be greater than {low}")
    elif value < low:
        raise fail(f"must be at least {low}")
    if value > high:
        raise fail(f"must be at most {high}")


_ARTICLE_KIND: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    tuple: "an array",
}


def _json_kind(value: object) -> str:
    """Name the JSON type of a decoded value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def excerpt(text: str) -> str:
    """Quote peer-supplied text for an error message: escaped and truncated."""
    quoted = repr(text[:_EXCERPT_CHARS])
    # Escapes can make the quote several times longer than the text (\u2028 is six
    # characters): bound what is quoted, not only what is read.
    if len(quoted) > 2 * _EXCERPT_CHARS:
        return quoted[: 2 * _EXCERPT_CHARS] + "..."
    return quoted if len(text) <= _EXCERPT_CHARS else quoted + "..."

"""The visual language the viewer shares with the web portal: its colours come from the
portal's own stylesheet (``resources/portal/portal.css``, the ``:root`` custom
properties), so the two cannot drift apart; sizes follow the portal's (a touch target is
44 px, as there and in Apple's and Google's guidelines). The portal has no dark theme
yet: the viewer's dark palette is defined here, with the same roles.

Qt-free: ``app.viewer.views.theme`` turns a palette into a Qt stylesheet."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

PORTAL_CSS = Path(__file__).resolve().parents[3] / "resources" / "portal" / "portal.css"
Scheme = Literal["light", "dark"]

#: The least height of anything a finger presses (logical px), as in the portal.
TOUCH_TARGET_PX = 44
#: Corner radius of buttons and fields, and of cards (the portal's 8 and --radius).
CONTROL_RADIUS_PX = 8
CARD_RADIUS_PX = 10
#: Body text, and the step between heading sizes (the portal's 1rem, 1.15rem, 1.5rem).
BODY_PX = 15
HEADING_PX = (24, 18)
FOCUS_RING = "#7aa7ef"  # the portal's :focus-visible outline


@dataclass(frozen=True, slots=True)
class Palette:
    ink: str  # text
    muted: str  # secondary text
    line: str  # borders
    paper: str  # cards, fields, buttons
    page: str  # behind them
    brand: str  # the primary action
    brand_ink: str  # text on it
    ok: str
    warn: str
    bad: str
    selected: str  # a chosen item's background (the portal's current tab)


#: Dark: the same roles, contrast 4.5:1 or more for text on paper and on page.
DARK = Palette(
    ink="#e6eaf0",
    muted="#a9b3c1",
    line="#3a4657",
    paper="#1d2531",
    page="#131a23",
    brand="#4f8ff0",
    brand_ink="#0b1220",
    ok="#6fd49a",
    warn="#f2b863",
    bad="#ff8f85",
    selected="#24344d",
)

_ROOT = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
_PROPERTY = re.compile(r"--(?P<name>[a-z-]+)\s*:\s*(?P<value>[^;]+);")


def portal_tokens(css: str) -> dict[str, str]:
    """The custom properties of the stylesheet's first ``:root`` block."""
    match = _ROOT.search(css)
    if match is None:
        raise ValueError("the portal stylesheet has no :root block")
    return {m["name"]: m["value"].strip() for m in _PROPERTY.finditer(match["body"])}


def palette(scheme: Scheme, css: str | None = None) -> Palette:
    """The colours for a scheme: light is the portal's own."""
    if scheme == "dark":
        return DARK
    tokens = portal_tokens(css if css is not None else PORTAL_CSS.read_text(encoding="utf-8"))
    # Each role is the portal's custom property of that name (brand_ink: --brand-ink),
    # but for the current tab's background, which the portal writes out in its rule.
    colours = {"selected": "#e3ecfa"}
    for field in fields(Palette):
        if field.name not in colours:
            name = field.name.replace("_", "-")
            if name not in tokens:
                raise ValueError(f"the portal stylesheet lost its --{name} colour")
            colours[field.name] = tokens[name]
    return Palette(**colours)

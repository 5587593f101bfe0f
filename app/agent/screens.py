"""The screens this computer offers. Real sources (X11, mss) come with remote sessions;
until then the demo screen stands in where no display is attached."""

from __future__ import annotations

from typing import Any

DEMO_SCREEN: dict[str, Any] = {
    "id": "demo",
    "width": 1280,
    "height": 720,
    "x": 0,
    "y": 0,
    "primary": True,
}


def list_screens() -> list[dict[str, Any]]:
    return [dict(DEMO_SCREEN)]

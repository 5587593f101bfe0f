"""The screens this computer offers, announced at enrolment."""

from __future__ import annotations

import os
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
    """The X11 monitors where a display is set (and reachable), else the demo screen."""
    if os.environ.get("DISPLAY"):
        try:
            from app.agent.capture.x11 import list_monitors

            return [
                {
                    "id": m.id,
                    "width": m.width,
                    "height": m.height,
                    "x": m.x,
                    "y": m.y,
                    "primary": m.primary,
                }
                for m in list_monitors()
            ]
        except Exception:  # no usable display: the demo screen stands in
            pass
    return [dict(DEMO_SCREEN)]

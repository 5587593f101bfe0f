"""The X pointer for sessions: where it is (asked of the X server at the session's pace)
and its shape, fetched only when XFixes says it changed, as an RGBA PNG."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image
from Xlib import display

from app.protocol.cursor import MAX_CURSOR_SIDE, CursorShape


@dataclass(frozen=True)
class Pointer:
    x: int  # desktop pixels
    y: int
    serial: int


class X11Cursor:
    def __init__(self, display_name: str | None = None) -> None:
        self._display = display.Display(display_name)
        self._root = self._display.screen().root
        if self._display.query_extension("XFIXES") is None:
            self._display.close()
            raise RuntimeError("the X server has no XFIXES extension")
        self._display.xfixes_query_version()
        self._serial = -1
        self._shape: CursorShape | None = None

    def pointer(self) -> Pointer:
        """Where the pointer is, and the serial of its shape (a round trip)."""
        image = self._display.xfixes_get_cursor_image(self._root)
        if image.cursor_serial != self._serial:
            self._serial = image.cursor_serial
            self._shape = _shape(image)
        return Pointer(image.x, image.y, image.cursor_serial)

    def shape(self) -> CursorShape | None:
        """The shape of the last ``pointer()``."""
        return self._shape

    def close(self) -> None:
        self._display.close()


def _shape(image: Any) -> CursorShape | None:
    width, height = image.width, image.height
    if not width or not height:
        return None
    argb = np.asarray(image.cursor_image, dtype=np.uint32).reshape(height, width)
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., 0] = (argb >> 16) & 0xFF
    rgba[..., 1] = (argb >> 8) & 0xFF
    rgba[..., 2] = argb & 0xFF
    rgba[..., 3] = (argb >> 24) & 0xFF
    rgba = rgba[:MAX_CURSOR_SIDE, :MAX_CURSOR_SIDE]
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, "PNG")
    return CursorShape(
        serial=image.cursor_serial,
        width=rgba.shape[1],
        height=rgba.shape[0],
        hot_x=min(image.xhot, rgba.shape[1] - 1),
        hot_y=min(image.yhot, rgba.shape[0] - 1),
        png=base64.b64encode(out.getvalue()).decode("ascii"),
    )

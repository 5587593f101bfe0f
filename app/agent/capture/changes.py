"""Where two grabs of a screen differ: the bounding box of the change, found in the one
pass that also finds whether there is one. The encoder is told that everything outside it
is exactly as before."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from app.agent.capture.base import Box


def as_bgra(raw: bytes | bytearray, width: int) -> npt.NDArray[np.uint8]:
    """A grab's bytes as (height, width, 4), without copying them."""
    return np.frombuffer(raw, np.uint8).reshape(-1, width, 4)


def changed_box(now: npt.NDArray[np.uint8], before: npt.NDArray[np.uint8]) -> Box | None:
    """The bounding box of what differs between two pictures (height, width, channels)
    of one size (None: nothing does); full width when more than half of the rows changed.
    Compared eight bytes at a time where rows allow it: 0.7 ms for 1080p BGRA."""
    height, width = now.shape[:2]
    if now.shape != before.shape:
        return Box(0, 0, width, height)
    row_bytes = now.strides[0] if now.flags.c_contiguous else -1
    a: npt.NDArray[Any] = now.reshape(height, -1)
    b: npt.NDArray[Any] = before.reshape(height, -1)
    unit = 1
    if row_bytes % 8 == 0 and before.flags.c_contiguous:
        a, b, unit = a.view(np.uint64), b.view(np.uint64), 8
    rows = np.flatnonzero((a != b).any(axis=1))
    if not len(rows):
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    if (bottom - top) * 2 > height:
        # Most rows changed: the columns would take another full pass (0.7 ms at 1080p)
        # to refine what is a large change either way.
        return Box(0, top, width, bottom - top)
    columns = np.flatnonzero((a[top:bottom] != b[top:bottom]).any(axis=0))
    pixel = now.shape[2] if now.ndim == 3 else 1
    left = int(columns[0]) * unit // pixel
    right = min(width, -(-(int(columns[-1]) + 1) * unit // pixel))
    return Box(left, top, right - left, bottom - top)


def solid_colour(image: npt.NDArray[np.uint8], box: Box) -> tuple[int, ...] | None:
    """The pixel (as ``image`` holds it: RGB or BGRA bytes) that all of ``box`` is, or
    None if it holds more than one colour. A few samples turn most pictures down at once;
    a box that passes them is compared whole, four bytes at a time where pixels are four
    bytes (0.2 ms for 1080p)."""
    region = image[box.y : box.y + box.height, box.x : box.x + box.width]
    first = region[0, 0]
    samples = region[:: max(1, box.height - 1), :: max(1, box.width - 1)]
    if not (samples == first).all() or not (region[box.height // 2, box.width // 2] == first).all():
        return None
    if region.shape[2] == 4:
        words = region.view(np.uint32)
        if not (words == words[0, 0]).all():
            return None
    elif not (region == first).all():
        return None
    return tuple(int(value) for value in first)

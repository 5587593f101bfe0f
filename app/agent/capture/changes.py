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

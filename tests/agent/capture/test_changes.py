"""Where two grabs differ: every changed pixel inside the box, little else, and nothing
when nothing changed."""

from __future__ import annotations

import sys

import numpy as np

from app.agent.capture import changes
from app.agent.capture.base import Box
from app.agent.capture.changes import as_bgra, changed_box, solid_colour


def test_a_small_change_is_boxed_closely_in_bgra_and_in_rgb() -> None:
    for channels in (4, 3):
        before = np.zeros((720, 1280, channels), np.uint8)
        now = before.copy()
        now[300:315, 741:750] = 200
        box = changed_box(now, before)
        assert box is not None
        assert box.x <= 741 and box.x + box.width >= 750 and box.width <= 9 + 2 * 8 // channels
        assert (box.y, box.height) == (300, 15)


def test_nothing_changed_is_no_box_and_a_tall_change_is_full_width() -> None:
    before = np.full((1080, 1920, 4), 7, np.uint8)
    assert changed_box(before.copy(), before) is None
    now = before.copy()
    now[100:900, 10] = 0
    box = changed_box(now, before)
    assert box is not None and (box.x, box.width, box.y, box.height) == (0, 1920, 100, 800)


def test_a_grab_is_read_as_it_is() -> None:
    raw = bytearray(range(256)) * 30  # 7680 bytes: two rows of 960 BGRA pixels
    assert as_bgra(raw, 960).shape == (2, 960, 4)


def test_a_box_of_one_colour_is_told_with_its_pixel_and_any_other_pixel_spoils_it() -> None:
    for channels, pixel in ((4, (30, 20, 10, 255)), (3, (10, 20, 30))):
        image = np.zeros((720, 1280, channels), np.uint8)
        image[100:400, 200:900] = pixel
        box = Box(200, 100, 700, 300)
        assert solid_colour(image, box) == pixel
        assert solid_colour(image, Box(199, 100, 701, 300)) is None  # one black column
        for y, x in ((250, 550), (399, 899), (101, 601)):  # middle, corner, anywhere
            spoilt = image.copy()
            spoilt[y, x, 1] += 1
            assert solid_colour(spoilt, box) is None, (channels, y, x)
        assert solid_colour(image, Box(5, 5, 1, 1)) == (0,) * channels


def _reference_box(now: np.ndarray, before: np.ndarray) -> tuple[int, int] | None:
    rows = np.flatnonzero((now != before).any(axis=(1, 2)))
    return (int(rows[0]), int(rows[-1]) + 1) if len(rows) else None


def test_changes_at_the_edges_and_across_compared_spans_are_found_exactly() -> None:
    # Rows are compared a span (several rows) at a time from each end: a change on the
    # first or last row, or on either side of a span's edge, must still bound the box.
    # Packed pictures (grabs) are compared by memcmp here; strided views by numpy.
    assert changes.FAST_COMPARE or sys.platform != "linux"
    before = np.full((1080, 1920, 4), 40, np.uint8)
    span_rows = changes.SPAN_BYTES // before.strides[0]
    bands = [(0, 1), (1079, 1080), (0, 1080), (517, 518)]
    bands += [(span_rows - 1, span_rows + 1), (span_rows, 2 * span_rows)]
    for top, bottom in bands:
        now = before.copy()
        now[top, 1000] = 0
        now[bottom - 1, 0, 2] = 1
        for a, b in ((now, before), (now[:, :1917], before[:, :1917])):
            box = changed_box(a, b)
            assert box is not None
            assert (box.y, box.y + box.height) == _reference_box(a, b), (top, bottom)


def test_a_full_width_box_of_one_colour_is_spoilt_by_any_other_pixel() -> None:
    image = np.full((720, 1280, 4), 90, np.uint8)
    whole = Box(0, 0, 1280, 720)
    assert solid_colour(image, whole) == (90, 90, 90, 90)
    assert solid_colour(image, Box(0, 200, 1280, 1)) == (90, 90, 90, 90)
    for y, x in ((0, 1), (719, 1278), (360, 0), (1, 0)):
        spoilt = image.copy()
        spoilt[y, x, 3] = 0
        assert solid_colour(spoilt, whole) is None, (y, x)
    # Rows outside the box do not matter.
    image[:100] = 3
    assert solid_colour(image, Box(0, 100, 1280, 620)) == (90, 90, 90, 90)

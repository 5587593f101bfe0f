"""Where the remote screen sits in the viewer widget: letterbox fit, local zoom and pan.

The remote image is fitted into the widget with its aspect ratio kept and centred (bars on
two sides). Local zoom magnifies that fitted image (1 = fitted, never smaller) and pan
chooses which part of it is shown. Pan is stored as the remote point, normalised 0..1, that
sits at the widget's centre: it survives widget and remote resizes without drifting.

A viewport is an immutable value: every change returns a new one, always clamped so the
image never leaves part of the widget empty along an axis where it is larger than the
widget, and stays centred along an axis where it is smaller. No Qt, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MIN_ZOOM = 1.0
DEFAULT_MAX_ZOOM = 5.0
# Zoom within this of 1 counts as "not zoomed": pinches leave float dust behind.
_ZOOM_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in widget pixels."""

    x: float
    y: float
    width: float
    height: float


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _centre_within(centre: float, image_size: float, widget_size: float) -> float:
    """The centre coordinate (normalised) closest to ``centre`` that keeps the image
    covering the widget along this axis, or centred when the image is the smaller."""
    half_view = widget_size / (2 * image_size)  # half the widget, as a fraction of the image
    if half_view >= 0.5:
        return 0.5
    return _clamp(centre, half_view, 1 - half_view)


@dataclass(frozen=True, slots=True)
class Viewport:
    widget_width: float
    widget_height: float
    remote_width: float
    remote_height: float
    zoom: float = MIN_ZOOM
    centre_x: float = 0.5  # remote point (0..1) shown at the widget's centre
    centre_y: float = 0.5

    def __post_init__(self) -> None:
        sizes = (self.widget_width, self.widget_height, self.remote_width, self.remote_height)
        if not all(math.isfinite(size) and size > 0 for size in sizes):
            raise ValueError("widget and remote sizes must be positive")
        if not all(math.isfinite(v) for v in (self.zoom, self.centre_x, self.centre_y)):
            raise ValueError("zoom and centre must be finite")
        # Clamped on construction, so no viewport can show outside the image.
        zoom = max(self.zoom, MIN_ZOOM)
        object.__setattr__(self, "zoom", zoom)
        width, height = self._image_size(zoom)
        centre_x = _centre_within(self.centre_x, width, self.widget_width)
        centre_y = _centre_within(self.centre_y, height, self.widget_height)
        object.__setattr__(self, "centre_x", centre_x)
        object.__setattr__(self, "centre_y", centre_y)

    # -- geometry ---------------------------------------------------------------------

    @property
    def fit_scale(self) -> float:
        """Widget pixels per remote pixel at zoom 1 (the letterbox fit)."""
        return min(self.widget_width / self.remote_width, self.widget_height / self.remote_height)

    @property
    def zoomed(self) -> bool:
        return self.zoom > MIN_ZOOM + _ZOOM_EPSILON

    def _image_size(self, zoom: float) -> tuple[float, float]:
        scale = self.fit_scale * zoom
        return self.remote_width * scale, self.remote_height * scale

    def target_rect(self) -> Rect:
        """Where the renderer draws the whole remote image, in widget pixels (partly
        outside the widget when zoomed in; the widget clips it)."""
        width, height = self._image_size(self.zoom)
        left = self.widget_width / 2 - self.centre_x * width
        top = self.widget_height / 2 - self.centre_y * height
        return Rect(left, top, width, height)

    def to_remote(self, x: float, y: float) -> tuple[float, float]:
        """Widget pixels → normalised remote coordinates, clamped to 0..1 (a touch on the
        letterbox bars lands on the nearest edge of the remote screen)."""
        rect = self.target_rect()
        return (
            _clamp((x - rect.x) / rect.width, 0.0, 1.0),
            _clamp((y - rect.y) / rect.height, 0.0, 1.0),
        )

    def to_widget(self, x: float, y: float) -> tuple[float, float]:
        """Normalised remote coordinates → widget pixels (e.g. to draw the remote cursor)."""
        rect = self.target_rect()
        return rect.x + x * rect.width, rect.y + y * rect.height

    # -- changes (each returns a new, clamped viewport) ---------------------------------

    def pan_by(self, dx: float, dy: float) -> Viewport:
        """Move the image by (dx, dy) widget pixels, as a dragging finger would."""
        width, height = self._image_size(self.zoom)
        return replace(
            self, centre_x=self.centre_x - dx / width, centre_y=self.centre_y - dy / height
        )

    def zoom_about(
        self, x: float, y: float, factor: float, max_zoom: float = DEFAULT_MAX_ZOOM
    ) -> Viewport:
        """Zoom by ``factor`` (clamped to 1..max_zoom) keeping the image point under the
        widget point (x, y) where it is, as far as the pan clamp allows."""
        if not (math.isfinite(factor) and factor > 0):
            return self
        zoom = _clamp(self.zoom * factor, MIN_ZOOM, max(max_zoom, MIN_ZOOM))
        rect = self.target_rect()
        # The image point under (x, y), unclamped: zooming about a bar is allowed.
        anchor_x = (x - rect.x) / rect.width
        anchor_y = (y - rect.y) / rect.height
        width, height = self._image_size(zoom)
        centre_x = anchor_x - (x - self.widget_width / 2) / width
        centre_y = anchor_y - (y - self.widget_height / 2) / height
        return replace(self, zoom=zoom, centre_x=centre_x, centre_y=centre_y)

    def reset_zoom(self) -> Viewport:
        return replace(self, zoom=MIN_ZOOM, centre_x=0.5, centre_y=0.5)

    def with_widget_size(self, width: float, height: float) -> Viewport:
        return replace(self, widget_width=width, widget_height=height)

    def with_remote_size(self, width: float, height: float) -> Viewport:
        return replace(self, remote_width=width, remote_height=height)

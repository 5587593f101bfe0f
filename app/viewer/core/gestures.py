"""Touch gestures → remote input events and local zoom/pan: a pure state machine.

The Qt session widget feeds it the touch points of each QTouchEvent (widget pixels) with a
timestamp in seconds, and calls ``advance(t)`` when ``next_deadline()`` comes (a QTimer).
Every call returns the resulting actions in order: ``InputEvent``s for the remote and
``ViewportChanged`` for the local view. Nothing here reads a clock, sleeps or touches Qt.

One gesture runs from the first finger landing to the last finger lifting::

    IDLE ──finger──▶ PENDING (no button yet: tap, long press or drag?)
      PENDING ──lifted──▶ tap: click (count 2 or 3 when it closely follows a tap) ──▶ IDLE
      PENDING ──still at the long-press deadline──▶ LENS (a magnifier over the finger)
      LENS ──lifted without moving──▶ right click ──▶ IDLE
      LENS ──moved beyond slop──▶ the lens and the pointer follow ("move"); lifted: a
             click where the finger is ──▶ IDLE
      (without the lens, ``GestureSettings.lens`` off: the right click comes at the
      long-press deadline, and the gesture ends there ──▶ WAITING)
      PENDING ──landed on the top edge, moved down──▶ edge swipe (the window shows its
                                  bar; nothing is sent) ──▶ WAITING
      PENDING ──moved beyond slop──▶ DRAGGING (down, moves; up on lift)
                                  or PANNING (locally zoomed in + drag_pans_when_zoomed)
      PENDING ──second finger──▶ TWO_PENDING (tap, scroll or pinch?)
      TWO_PENDING ──a finger lifted soon, nothing moved──▶ right click ──▶ WAITING
      TWO_PENDING ──spread changed more than the midpoint moved──▶ PINCHING
      TWO_PENDING ──midpoint moved more than the spread changed──▶ SCROLLING
      SCROLLING / PINCHING ──a finger lifted──▶ WAITING
      any gesture ──one finger too many──▶ WAITING (a held button is released first)
      WAITING ──last finger lifted──▶ IDLE
      touch_cancel ──▶ IDLE (a held button is released)

Within one call, timers that fell due by ``t`` fire first (a late QTimer does not change
the outcome), then moved fingers are handled, then lifted ones, then new ones.

Double tap: the first tap is clicked at once and never delayed; a tap that follows within
``double_tap_s`` and ``double_tap_slop_px`` is a click with count=2 (then 3) at the first
tap's position — press, release, press, release, the way a mouse produces a double click.
So ``count`` here is the click's place in the sequence (like macOS's click state): the
agent should inject ONE press/release for it, not ``count`` of them.

Trackpad mode (``GestureSettings.trackpad``, for pointing more finely than a fingertip):
the screen is a laptop's trackpad and the remote pointer stays where it was left. A finger
moving beyond slop moves the pointer by as much as the finger moved over the picture (times
``pointer_speed``); a tap clicks where the pointer is (double taps as above); a finger held
still for ``long_press_s`` presses the left button there, and moving on drags, until it
lifts; a two-finger tap is a right click, two-finger scrolls and remote pinches turn the
wheel, all at the pointer. ``pointer`` says where it is, for the view to draw::

      PENDING ──moved beyond slop──▶ GLIDING (the pointer follows; "move" events)
      PENDING ──still at the long-press deadline──▶ GLIDING holding the button ("down")
      GLIDING ──lifted──▶ IDLE ("up" first if the button is held)

Two-finger scroll and remote pinch accumulate wheel notches and send them once they reach
``WHEEL_STEP_NOTCHES``; the remainder is sent when the gesture ends, so the total sent is
exactly the total movement times the sensitivity. Their events point at where the gesture
started, as a mouse pointer stays put while its wheel turns."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from app.protocol.input import MAX_WHEEL, Button, InputEvent, Modifier
from app.viewer.core.viewport import DEFAULT_MAX_ZOOM, Viewport

# Small enough to feel smooth, large enough not to send an event per pixel of jitter.
WHEEL_STEP_NOTCHES = 0.1
# Below this spread (widget px) a pinch ratio is meaningless: two fingers on one spot.
_MIN_SPREAD_PX = 1.0

Position = tuple[float, float]
Notches = tuple[float, float]  # wheel (dx, dy)


@dataclass(frozen=True, slots=True)
class GestureSettings:
    """What people differ on. Distances are logical pixels, times seconds."""

    slop_px: float = 10.0  # a finger moving less than this is still
    double_tap_slop_px: float = 40.0  # second tap this near the first is a double tap
    double_tap_s: float = 0.3  # from lifting the first tap to landing the second
    long_press_s: float = 0.5  # also the longest a two-finger tap may last
    scroll_notches_per_100px: float = 2.0  # two-finger scroll sensitivity
    pinch_notches_per_doubling: float = 5.0  # Ctrl+wheel notches when the spread doubles
    max_zoom: float = DEFAULT_MAX_ZOOM  # local zoom range is 1..max_zoom
    drag_pans_when_zoomed: bool = True  # one finger pans the local view when zoomed in
    pinch_zooms_remote: bool = False  # pinch sends Ctrl+wheel instead of zooming locally
    pixel_ratio: float = 1.0  # widget pixels per logical pixel (touch coordinates' unit)
    trackpad: bool = False  # relative pointer: the screen is a trackpad (see module doc)
    pointer_speed: float = 1.0  # trackpad: pointer travel per finger travel on the picture
    lens: bool = True  # a long press shows a magnifier; moving on points through it
    edge_swipe: bool = False  # a swipe down from the top edge shows the window's bar
    edge_px: float = 24.0  # how near the top edge such a swipe must start

    def __post_init__(self) -> None:
        positive = (
            self.pointer_speed,
            self.edge_px,
            self.slop_px,
            self.double_tap_slop_px,
            self.double_tap_s,
            self.long_press_s,
            self.scroll_notches_per_100px,
            self.pinch_notches_per_doubling,
            self.max_zoom,
            self.pixel_ratio,
        )
        if not all(math.isfinite(value) and value > 0 for value in positive):
            raise ValueError("gesture distances, times and sensitivities must be positive")

    @property
    def slop_widget_px(self) -> float:
        return self.slop_px * self.pixel_ratio

    @property
    def double_tap_slop_widget_px(self) -> float:
        return self.double_tap_slop_px * self.pixel_ratio

    @property
    def scroll_notches_per_widget_px(self) -> float:
        return self.scroll_notches_per_100px / 100 / self.pixel_ratio


@dataclass(frozen=True, slots=True)
class TouchPoint:
    """One finger on the screen, in widget pixels; ``id`` is stable while it touches."""

    id: int
    x: float
    y: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.x) and math.isfinite(self.y)):
            raise ValueError("touch coordinates must be finite")


@dataclass(frozen=True, slots=True)
class LensChanged:
    """Show the magnifier over this finger (widget px), or hide it (None)."""

    at: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class EdgeSwipe:
    """A swipe down from the top edge: the window shows its bar (nothing is sent)."""


@dataclass(frozen=True, slots=True)
class ViewportChanged:
    """The local view changed: redraw the remote image at ``viewport.target_rect()``."""

    viewport: Viewport


Action = InputEvent | ViewportChanged | LensChanged | EdgeSwipe


class _WheelAccumulator:
    """Fractional notches, sent in steps of at least WHEEL_STEP_NOTCHES."""

    def __init__(self) -> None:
        self.dx = 0.0
        self.dy = 0.0

    def add(self, dx: float, dy: float) -> Notches | None:
        self.dx += dx
        self.dy += dy
        if max(abs(self.dx), abs(self.dy)) < WHEEL_STEP_NOTCHES:
            return None
        return self.flush()

    def flush(self) -> Notches | None:
        dx, dy = self.dx, self.dy
        self.dx = self.dy = 0.0
        if dx == 0.0 and dy == 0.0:
            return None
        return dx, dy


# -- states (each holds only what its phase needs) ---------------------------------------


@dataclass(slots=True)
class _Idle:
    pass


@dataclass(slots=True)
class _Pending:
    finger: int
    start: Position
    landed_at: float
    deadline: float  # long press


@dataclass(slots=True)
class _Dragging:
    finger: int
    last_sent: Position  # remote; the button is held here


@dataclass(slots=True)
class _Gliding:
    """Trackpad mode: one finger moves the pointer (and drags, if ``holding``)."""

    finger: int
    last: Position  # widget px
    holding: bool = False


@dataclass(slots=True)
class _Lens:
    """A long press showed the magnifier; the finger may now point precisely."""

    finger: int
    start: Position
    moved: bool = False


@dataclass(slots=True)
class _Panning:
    finger: int
    last: Position


@dataclass(slots=True)
class _TwoPending:
    fingers: tuple[int, int]
    starts: tuple[Position, Position]
    landed_at: float  # the first finger's landing: a tap is short from start to lift
    wandered: bool = False  # a finger moved beyond slop (e.g. a rotation): not a tap


@dataclass(slots=True)
class _Scrolling:
    fingers: tuple[int, int]
    anchor: Position  # remote
    last_midpoint: Position
    wheel: _WheelAccumulator


@dataclass(slots=True)
class _Pinching:
    fingers: tuple[int, int]
    anchor: Position  # remote (for Ctrl+wheel)
    last_midpoint: Position
    last_spread: float
    wheel: _WheelAccumulator


@dataclass(slots=True)
class _WaitingForLift:
    """After a long press, a two-finger tap or scroll, or an abort: ignore everything."""


_State = (
    _Idle
    | _Pending
    | _Dragging
    | _Gliding
    | _Lens
    | _Panning
    | _TwoPending
    | _Scrolling
    | _Pinching
    | _WaitingForLift
)


@dataclass(frozen=True, slots=True)
class _LastTap:
    lifted_at: float
    position: Position  # widget px of the first tap in the sequence
    remote: Position
    count: int


def _distance(a: Position, b: Position) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _midpoint(a: Position, b: Position) -> Position:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _bounded(notches: float) -> float:
    # Only absurd input gets here (a finger "moving" kilometres in one event).
    return max(-MAX_WHEEL, min(MAX_WHEEL, notches))


class GestureRecogniser:
    """Feed touches and time in; get InputEvents and ViewportChanged out (see module doc).

    ``touch_begin``/``touch_update`` take every finger touching after the event (a finger
    missing from the list has lifted); ``touch_end`` takes the final positions of the last
    fingers, after which none touches. Timestamps must not decrease."""

    def __init__(self, viewport: Viewport, settings: GestureSettings | None = None) -> None:
        self.settings = settings or GestureSettings()
        self._viewport = viewport
        self._fingers: dict[int, Position] = {}
        self._state: _State = _Idle()
        self._last_tap: _LastTap | None = None
        self._out: list[Action] = []
        self._pointer: Position = (0.5, 0.5)  # remote, trackpad mode

    # -- public API -------------------------------------------------------------------

    @property
    def viewport(self) -> Viewport:
        return self._viewport

    @viewport.setter
    def viewport(self, viewport: Viewport) -> None:
        """For widget resizes and remote screen changes; emits nothing."""
        self._viewport = viewport

    @property
    def button_held(self) -> bool:
        state = self._state
        return isinstance(state, _Dragging) or (isinstance(state, _Gliding) and state.holding)

    @property
    def pointer(self) -> Position:
        """Trackpad mode: where the remote pointer is (normalised remote coordinates)."""
        return self._pointer

    def next_deadline(self) -> float | None:
        """When ``advance`` must be called next, or None when no timer runs."""
        return self._state.deadline if isinstance(self._state, _Pending) else None

    def advance(self, t: float) -> list[Action]:
        self._fire_due_timers(t)
        return self._take_output()

    def touch_begin(self, points: Iterable[TouchPoint], t: float) -> list[Action]:
        """Same as an update: a begin may already carry several fingers."""
        return self.touch_update(points, t)

    def touch_update(self, points: Iterable[TouchPoint], t: float) -> list[Action]:
        self._fire_due_timers(t)
        self._apply_touches(points, t)
        return self._take_output()

    def touch_end(self, points: Iterable[TouchPoint], t: float) -> list[Action]:
        self._fire_due_timers(t)
        self._apply_touches(points, t)
        for finger in list(self._fingers):
            self._lift(finger, t)
        return self._take_output()

    def touch_cancel(self, t: float) -> list[Action]:
        """The system took the touch away: release a held button, forget everything."""
        self._fire_due_timers(t)
        self._release_held()
        if isinstance(self._state, _Lens):
            self._emit(LensChanged(None))
        self._fingers.clear()
        self._state = _Idle()
        self._last_tap = None
        return self._take_output()

    # -- plumbing ---------------------------------------------------------------------

    def _emit(self, action: Action) -> None:
        self._out.append(action)

    def _take_output(self) -> list[Action]:
        out, self._out = self._out, []
        return out

    def _remote(self, position: Position) -> Position:
        """Where an action at this touch lands: under the finger, or in trackpad mode
        wherever the pointer is."""
        if self.settings.trackpad:
            return self._pointer
        return self._viewport.to_remote(*position)

    def _set_viewport(self, viewport: Viewport) -> None:
        if viewport != self._viewport:
            self._viewport = viewport
            self._emit(ViewportChanged(viewport))

    def _fire_due_timers(self, t: float) -> None:
        state = self._state
        if isinstance(state, _Pending) and t >= state.deadline:
            # Still within slop at the deadline (movement would have left PENDING).
            self._last_tap = None
            if self.settings.trackpad:
                pointer = self._pointer
                self._emit(InputEvent("down", pointer[0], pointer[1], "left"))
                self._state = _Gliding(state.finger, self._fingers[state.finger], holding=True)
                return
            if self.settings.lens:
                self._emit(LensChanged(state.start))
                self._state = _Lens(state.finger, state.start)
                return
            self._click(self._remote(state.start), "right")
            self._state = _WaitingForLift()

    def _apply_touches(self, points: Iterable[TouchPoint], t: float) -> None:
        touching = {point.id: (point.x, point.y) for point in points}
        moved = {f: p for f, p in touching.items() if f in self._fingers and p != self._fingers[f]}
        if moved:
            self._fingers.update(moved)
            self._fingers_moved()
        for finger in [f for f in self._fingers if f not in touching]:
            self._lift(finger, t)
        for finger, position in touching.items():
            if finger not in self._fingers:
                self._land(finger, position, t)

    def _click(self, remote: Position, button: Button, count: int = 1) -> None:
        self._emit(InputEvent("click", remote[0], remote[1], button, count))

    def _wheel(self, anchor: Position, notches: Notches | None, mods: tuple[Modifier, ...]) -> None:
        if notches is not None:
            dx, dy = notches
            self._emit(
                InputEvent(
                    "wheel", anchor[0], anchor[1], dx=_bounded(dx), dy=_bounded(dy), mods=mods
                )
            )

    def _release(self, drag: _Dragging) -> None:
        self._emit(InputEvent("up", drag.last_sent[0], drag.last_sent[1], "left"))

    def _release_held(self) -> None:
        """Let go of the button if a drag holds it (the gesture ends early)."""
        state = self._state
        if isinstance(state, _Dragging):
            self._release(state)
        elif isinstance(state, _Gliding) and state.holding:
            self._emit(InputEvent("up", self._pointer[0], self._pointer[1], "left"))
            state.holding = False

    # -- a finger lands ---------------------------------------------------------------

    def _land(self, finger: int, position: Position, t: float) -> None:
        state = self._state
        self._fingers[finger] = position
        if isinstance(state, _Idle):
            self._state = _Pending(finger, position, t, t + self.settings.long_press_s)
        elif isinstance(state, _Pending):
            self._last_tap = None
            fingers = (state.finger, finger)
            starts = (self._fingers[state.finger], position)
            self._state = _TwoPending(fingers, starts, state.landed_at)
        else:
            self._abort()

    def _abort(self) -> None:
        """One finger too many: end the gesture cleanly and wait for all fingers to lift."""
        state = self._state
        self._release_held()
        if isinstance(state, _Lens):
            self._emit(LensChanged(None))  # nothing clicked: the gesture was given up
        elif isinstance(state, _Scrolling):
            self._wheel(state.anchor, state.wheel.flush(), ())
        elif isinstance(state, _Pinching):
            self._wheel(state.anchor, state.wheel.flush(), ("ctrl",))
        self._state = _WaitingForLift()

    # -- fingers move -----------------------------------------------------------------

    def _fingers_moved(self) -> None:
        state = self._state
        if isinstance(state, _Pending):
            self._pending_moved(state)
        elif isinstance(state, _Dragging):
            self._drag_to(state, self._fingers[state.finger])
        elif isinstance(state, _Gliding):
            self._glide_to(state, self._fingers[state.finger])
        elif isinstance(state, _Lens):
            self._lens_to(state, self._fingers[state.finger])
        elif isinstance(state, _Panning):
            self._pan_to(state, self._fingers[state.finger])
        elif isinstance(state, _TwoPending):
            self._two_pending_moved(state)
        elif isinstance(state, _Scrolling):
            self._scroll_to(state, self._pair(state.fingers))
        elif isinstance(state, _Pinching):
            self._pinch_to(state, self._pair(state.fingers))

    def _pair(self, fingers: tuple[int, int]) -> tuple[Position, Position]:
        return self._fingers[fingers[0]], self._fingers[fingers[1]]

    def _pending_moved(self, state: _Pending) -> None:
        position = self._fingers[state.finger]
        if _distance(position, state.start) <= self.settings.slop_widget_px:
            return
        self._last_tap = None
        settings = self.settings
        dx, dy = position[0] - state.start[0], position[1] - state.start[1]
        from_top = state.start[1] <= settings.edge_px * settings.pixel_ratio
        if settings.edge_swipe and from_top and dy > abs(dx):
            # Down from the top edge: for the window (its bar), not for the computer.
            self._emit(EdgeSwipe())
            self._state = _WaitingForLift()
            return
        if settings.trackpad:
            gliding = _Gliding(state.finger, state.start)
            self._state = gliding
            self._glide_to(gliding, position)  # the way to the slop's edge counts too
        elif self._viewport.zoomed and settings.drag_pans_when_zoomed:
            panning = _Panning(state.finger, state.start)
            self._state = panning
            self._pan_to(panning, position)
        else:
            # Only now is it known not to be a long press: press where the finger landed.
            start = self._remote(state.start)
            self._emit(InputEvent("down", start[0], start[1], "left"))
            dragging = _Dragging(state.finger, start)
            self._state = dragging
            self._drag_to(dragging, position)

    def _drag_to(self, state: _Dragging, position: Position) -> None:
        remote = self._remote(position)
        if remote != state.last_sent:
            self._emit(InputEvent("move", remote[0], remote[1]))
            state.last_sent = remote

    def _lens_to(self, state: _Lens, position: Position) -> None:
        if not state.moved and _distance(position, state.start) <= self.settings.slop_widget_px:
            return
        state.moved = True
        self._emit(LensChanged(position))
        remote = self._remote(position)
        self._emit(InputEvent("move", remote[0], remote[1]))  # hover shows what is there

    def _glide_to(self, state: _Gliding, position: Position) -> None:
        rect = self._viewport.target_rect()
        speed = self.settings.pointer_speed
        dx, dy = position[0] - state.last[0], position[1] - state.last[1]
        state.last = position
        x = min(1.0, max(0.0, self._pointer[0] + dx * speed / rect.width))
        y = min(1.0, max(0.0, self._pointer[1] + dy * speed / rect.height))
        if (x, y) != self._pointer:
            self._pointer = (x, y)
            self._emit(InputEvent("move", x, y))

    def _pan_to(self, state: _Panning, position: Position) -> None:
        dx, dy = position[0] - state.last[0], position[1] - state.last[1]
        state.last = position
        self._set_viewport(self._viewport.pan_by(dx, dy))

    def _two_pending_moved(self, state: _TwoPending) -> None:
        slop = self.settings.slop_widget_px
        now = self._pair(state.fingers)
        start_a, start_b = state.starts
        if _distance(now[0], start_a) > slop or _distance(now[1], start_b) > slop:
            state.wandered = True
        spread_change = abs(_distance(*now) - _distance(start_a, start_b))
        midpoint_shift = _distance(_midpoint(*now), _midpoint(start_a, start_b))
        if max(spread_change, midpoint_shift) <= slop:
            return
        # Movement before the decision counts too, so totals match the whole gesture.
        start_midpoint = _midpoint(start_a, start_b)
        anchor = self._remote(start_midpoint)
        if spread_change > midpoint_shift:
            start_spread = max(_distance(start_a, start_b), _MIN_SPREAD_PX)
            pinching = _Pinching(
                state.fingers, anchor, start_midpoint, start_spread, _WheelAccumulator()
            )
            self._state = pinching
            self._pinch_to(pinching, now)
        else:
            scrolling = _Scrolling(state.fingers, anchor, start_midpoint, _WheelAccumulator())
            self._state = scrolling
            self._scroll_to(scrolling, now)

    def _scroll_to(self, state: _Scrolling, fingers: tuple[Position, Position]) -> None:
        midpoint = _midpoint(*fingers)
        per_px = self.settings.scroll_notches_per_widget_px
        # Fingers up = content up = scroll down (positive dy), as on every touch screen.
        dx = -(midpoint[0] - state.last_midpoint[0]) * per_px
        dy = -(midpoint[1] - state.last_midpoint[1]) * per_px
        state.last_midpoint = midpoint
        self._wheel(state.anchor, state.wheel.add(dx, dy), ())

    def _pinch_to(self, state: _Pinching, fingers: tuple[Position, Position]) -> None:
        midpoint = _midpoint(*fingers)
        spread = max(_distance(*fingers), _MIN_SPREAD_PX)
        factor = spread / state.last_spread
        shift = (midpoint[0] - state.last_midpoint[0], midpoint[1] - state.last_midpoint[1])
        state.last_midpoint, state.last_spread = midpoint, spread
        if self.settings.pinch_zooms_remote:
            # Spreading zooms in, which is Ctrl + wheel up (negative dy).
            notches = -math.log2(factor) * self.settings.pinch_notches_per_doubling
            self._wheel(state.anchor, state.wheel.add(0.0, notches), ("ctrl",))
        else:
            panned = self._viewport.pan_by(*shift)
            zoomed = panned.zoom_about(*midpoint, factor, self.settings.max_zoom)
            self._set_viewport(zoomed)

    # -- a finger lifts ---------------------------------------------------------------

    def _lift(self, finger: int, t: float) -> None:
        state = self._state
        if isinstance(state, _Pending):
            self._tap(state, t)
        elif isinstance(state, _Dragging | _Gliding):
            self._release_held()
        elif isinstance(state, _Lens):
            self._emit(LensChanged(None))
            if state.moved:  # pointed through the lens: click where the finger is
                self._click(self._remote(self._fingers[finger]), "left")
            else:  # a plain long press
                self._click(self._remote(state.start), "right")
        elif isinstance(state, _TwoPending):
            self._two_finger_lift(state, t)
        elif isinstance(state, _Scrolling):
            self._wheel(state.anchor, state.wheel.flush(), ())
            self._state = _WaitingForLift()
        elif isinstance(state, _Pinching):
            self._wheel(state.anchor, state.wheel.flush(), ("ctrl",))
            self._state = _WaitingForLift()
        del self._fingers[finger]
        if not self._fingers:
            self._state = _Idle()

    def _tap(self, state: _Pending, t: float) -> None:
        previous = self._last_tap
        settings = self.settings
        follows_tap = (
            previous is not None
            and previous.count < 3
            and state.landed_at - previous.lifted_at <= settings.double_tap_s
            and _distance(state.start, previous.position) <= settings.double_tap_slop_widget_px
        )
        if previous is not None and follows_tap:
            tap = _LastTap(t, previous.position, previous.remote, previous.count + 1)
        else:
            tap = _LastTap(t, state.start, self._remote(state.start), 1)
        self._click(tap.remote, "left", tap.count)
        self._last_tap = tap

    def _two_finger_lift(self, state: _TwoPending, t: float) -> None:
        if not state.wandered and t - state.landed_at < self.settings.long_press_s:
            self._click(self._remote(_midpoint(*state.starts)), "right")
        self._state = _WaitingForLift()

"""The touch gesture recogniser, row by row of the gesture table, with explicit timestamps.

The widget is 1000 x 500 px showing a 2000 x 1000 remote screen: no letterbox, so a touch at
(x, y) px is at (x / 1000, y / 500) on the remote screen."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.protocol.input import Button, InputEvent, decode_input, encode_input
from app.viewer.core.gestures import (
    Action,
    EdgeSwipe,
    GestureRecogniser,
    GestureSettings,
    LensChanged,
    TouchPoint,
    ViewportChanged,
)
from app.viewer.core.viewport import Viewport

WIDGET = Viewport(1000, 500, 2000, 1000)


def recogniser(viewport: Viewport = WIDGET, **overrides: Any) -> GestureRecogniser:
    return GestureRecogniser(viewport, GestureSettings(**overrides))


def finger(x: float, y: float, id: int = 0) -> TouchPoint:
    return TouchPoint(id, x, y)


def inputs(actions: list[Action]) -> list[InputEvent]:
    return [action for action in actions if isinstance(action, InputEvent)]


def viewports(actions: list[Action]) -> list[Viewport]:
    return [action.viewport for action in actions if isinstance(action, ViewportChanged)]


def tap(gestures: GestureRecogniser, x: float, y: float, t: float) -> list[Action]:
    return gestures.touch_begin([finger(x, y)], t) + gestures.touch_end([finger(x, y)], t + 0.08)


def click(x: float, y: float, button: Button = "left", count: int = 1) -> InputEvent:
    return InputEvent("click", x, y, button, count)


# -- tap, double tap -------------------------------------------------------------------


def test_a_tap_is_a_left_click_where_the_finger_landed() -> None:
    gestures = recogniser()
    assert gestures.touch_begin([finger(200, 200)], 0.0) == []
    assert gestures.next_deadline() == 0.5
    # It wobbled within the slop before lifting: still a tap, at the landing point.
    assert gestures.touch_update([finger(206, 203)], 0.05) == []
    assert gestures.touch_end([finger(207, 205)], 0.1) == [click(0.2, 0.4)]
    assert gestures.next_deadline() is None


def test_a_double_tap_is_a_click_then_a_double_click_at_the_first_tap() -> None:
    gestures = recogniser()
    assert tap(gestures, 200, 200, 0.0) == [click(0.2, 0.4)]
    # Lifted at 0.08, landed again 0.25 s later and 25 px away: snapped to the first tap.
    assert tap(gestures, 215, 220, 0.33) == [click(0.2, 0.4, count=2)]


def test_a_triple_tap_counts_three_and_then_starts_over() -> None:
    gestures = recogniser()
    clicks = [inputs(tap(gestures, 300 + i, 100, i * 0.2)) for i in range(4)]
    assert clicks == [
        [click(0.3, 0.2)],
        [click(0.3, 0.2, count=2)],
        [click(0.3, 0.2, count=3)],
        [click(0.303, 0.2)],
    ]


def test_a_second_tap_too_late_is_another_single_click() -> None:
    gestures = recogniser()
    tap(gestures, 200, 200, 0.0)  # lifted at 0.08
    assert tap(gestures, 210, 200, 0.39) == [click(0.21, 0.4)]


def test_a_second_tap_too_far_is_another_single_click() -> None:
    gestures = recogniser()
    tap(gestures, 200, 200, 0.0)
    assert tap(gestures, 250, 200, 0.2) == [click(0.25, 0.4)]


def test_a_drag_between_taps_breaks_the_double_tap() -> None:
    gestures = recogniser()
    tap(gestures, 200, 200, 0.0)
    gestures.touch_begin([finger(200, 200)], 0.1)
    gestures.touch_update([finger(260, 200)], 0.15)
    gestures.touch_end([finger(260, 200)], 0.2)
    assert tap(gestures, 200, 200, 0.3) == [click(0.2, 0.4)]


# -- long press, drag ------------------------------------------------------------------


def test_a_long_press_shows_the_lens_and_lifted_still_it_is_a_right_click() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(500, 250)], 1.0)
    assert gestures.advance(1.2) == []
    assert gestures.advance(1.5) == [LensChanged((500, 250))]  # nothing sent yet
    assert gestures.next_deadline() is None
    assert gestures.touch_update([finger(505, 252)], 1.7) == []  # within slop: still still
    assert gestures.touch_end([finger(505, 252)], 1.8) == [
        LensChanged(None),
        click(0.5, 0.5, "right"),
    ]


def test_moving_through_the_lens_points_precisely_and_lifting_clicks_there() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(500, 250)], 0.0)
    gestures.advance(0.5)
    # The pointer follows (the host shows what is under it) and so does the magnifier.
    assert gestures.touch_update([finger(540, 260)], 0.6) == [
        LensChanged((540, 260)),
        InputEvent("move", 0.54, 0.52),
    ]
    assert gestures.touch_end([finger(543, 261)], 0.8) == [
        LensChanged((543, 261)),
        InputEvent("move", 0.543, 0.522),
        LensChanged(None),
        click(0.543, 0.522),
    ]


def test_a_second_finger_or_a_cancel_hides_the_lens_and_clicks_nothing() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(500, 250)], 0.0)
    gestures.advance(0.5)
    assert gestures.touch_update([finger(500, 250), finger(600, 300, id=1)], 0.6) == [
        LensChanged(None)
    ]
    assert gestures.touch_end([finger(500, 250), finger(600, 300, id=1)], 0.7) == []
    gestures.touch_begin([finger(500, 250)], 1.0)
    gestures.advance(1.5)
    assert gestures.touch_cancel(1.6) == [LensChanged(None)]


def test_without_the_lens_a_long_press_is_a_right_click_at_the_deadline() -> None:
    gestures = recogniser(lens=False)
    gestures.touch_begin([finger(500, 250)], 1.0)
    assert gestures.next_deadline() == 1.5
    assert gestures.advance(1.2) == []
    assert gestures.touch_update([finger(504, 252)], 1.4) == []  # within slop: still still
    assert gestures.advance(1.5) == [click(0.5, 0.5, "right")]
    assert gestures.next_deadline() is None
    # Moving or lifting afterwards adds nothing: no drag, no left click.
    assert gestures.touch_update([finger(700, 400)], 1.7) == []
    assert gestures.touch_end([finger(700, 400)], 1.8) == []


def test_a_late_timer_still_makes_the_long_press_before_the_next_touch_event() -> None:
    gestures = recogniser(lens=False)
    gestures.touch_begin([finger(500, 250)], 0.0)
    assert gestures.touch_end([finger(500, 250)], 0.9) == [click(0.5, 0.5, "right")]


def test_moving_before_the_deadline_is_a_left_drag_and_never_a_right_click() -> None:
    gestures = recogniser()
    assert gestures.touch_begin([finger(100, 100)], 0.0) == []
    assert gestures.touch_update([finger(110, 100)], 0.1) == []  # exactly the slop: no button
    assert not gestures.button_held
    assert gestures.touch_update([finger(130, 100)], 0.2) == [
        InputEvent("down", 0.1, 0.2),  # pressed where the finger landed
        InputEvent("move", 0.13, 0.2),
    ]
    assert gestures.button_held
    assert gestures.next_deadline() is None
    assert gestures.advance(5.0) == []
    assert gestures.touch_update([finger(400, 300)], 0.7) == [InputEvent("move", 0.4, 0.6)]
    assert gestures.touch_end([finger(500, 350)], 0.8) == [
        InputEvent("move", 0.5, 0.7),
        InputEvent("up", 0.5, 0.7),
    ]
    assert not gestures.button_held


def test_slop_scales_with_the_pixel_ratio() -> None:
    gestures = recogniser(pixel_ratio=2.0)  # 10 logical px = 20 widget px
    gestures.touch_begin([finger(100, 100)], 0.0)
    assert gestures.touch_update([finger(118, 100)], 0.1) == []
    assert inputs(gestures.touch_update([finger(121, 100)], 0.2))[0] == InputEvent("down", 0.1, 0.2)


def test_a_drag_when_zoomed_in_pans_the_local_view() -> None:
    zoomed = WIDGET.zoom_about(500, 250, 2.0)  # image at -500, -250
    gestures = recogniser(zoomed)
    gestures.touch_begin([finger(500, 250)], 0.0)
    actions = gestures.touch_update([finger(560, 230)], 0.1)
    assert inputs(actions) == []
    (panned,) = viewports(actions)
    assert (panned.target_rect().x, panned.target_rect().y) == pytest.approx((-440, -270))
    assert gestures.viewport == panned
    assert gestures.touch_end([finger(560, 230)], 0.2) == []


def test_a_drag_when_zoomed_in_drags_if_panning_is_switched_off() -> None:
    zoomed = WIDGET.zoom_about(500, 250, 2.0)
    gestures = recogniser(zoomed, drag_pans_when_zoomed=False)
    gestures.touch_begin([finger(500, 250)], 0.0)
    actions = gestures.touch_update([finger(560, 230)], 0.1)
    assert actions == [InputEvent("down", 0.5, 0.5), InputEvent("move", 0.53, 0.48)]


# -- two fingers -----------------------------------------------------------------------


def two(a: tuple[float, float], b: tuple[float, float]) -> list[TouchPoint]:
    return [finger(*a, id=1), finger(*b, id=2)]


def test_a_two_finger_tap_is_a_right_click_at_the_midpoint() -> None:
    gestures = recogniser()
    assert gestures.touch_begin([finger(400, 200, id=1)], 0.0) == []
    assert gestures.touch_update(two((400, 200), (500, 300)), 0.03) == []
    assert gestures.touch_update([finger(400, 200, id=1)], 0.12) == [click(0.45, 0.5, "right")]
    assert gestures.touch_end([finger(400, 200, id=1)], 0.15) == []
    # It was not a tap in the double-tap sense either.
    assert tap(gestures, 400, 200, 0.2) == [click(0.4, 0.4)]


def test_two_fingers_held_still_too_long_are_not_a_tap() -> None:
    gestures = recogniser()
    gestures.touch_begin(two((400, 200), (500, 300)), 0.0)
    assert gestures.advance(2.0) == []
    assert gestures.touch_end(two((400, 200), (500, 300)), 2.0) == []


def test_a_two_finger_drag_scrolls_by_distance_times_sensitivity() -> None:
    gestures = recogniser()  # 2 notches per 100 px
    gestures.touch_begin(two((400, 300), (500, 300)), 0.0)
    wheels: list[InputEvent] = []
    for step in range(1, 11):  # both fingers up 7 px a step: 70 px in all
        y = 300 - 7 * step
        wheels += inputs(gestures.touch_update(two((400, y), (500, y)), step * 0.02))
    wheels += inputs(gestures.touch_end(two((400, 230), (500, 230)), 0.3))
    assert all(w.kind == "wheel" and w.mods == () for w in wheels)
    assert all((w.x, w.y) == (0.45, 0.6) for w in wheels)  # where the scroll started
    assert sum(w.dy for w in wheels) == pytest.approx(1.4)  # fingers up = scroll down
    assert sum(w.dx for w in wheels) == 0.0
    assert any(not float(w.dy).is_integer() for w in wheels)  # fractional, smooth
    assert len(wheels) >= 5


def test_horizontal_two_finger_drag_scrolls_sideways_with_a_custom_sensitivity() -> None:
    gestures = recogniser(scroll_notches_per_100px=5.0)
    gestures.touch_begin(two((400, 300), (400, 400)), 0.0)
    wheels = inputs(gestures.touch_update(two((340, 300), (340, 400)), 0.1))
    wheels += inputs(gestures.touch_update(two((300, 300), (300, 400)), 0.2))
    assert gestures.touch_update(two((300, 300), (300, 400)), 0.3) == []  # no movement
    wheels += inputs(gestures.touch_end(two((300, 300), (300, 400)), 0.4))
    assert [w.dx for w in wheels] == pytest.approx([3.0, 2.0])  # fingers left = content left
    assert [w.dy for w in wheels] == [0.0, 0.0]


def test_a_pinch_zooms_the_local_view_about_its_centre() -> None:
    gestures = recogniser()
    gestures.touch_begin(two((200, 125), (300, 125)), 0.0)  # centre (250, 125), spread 100
    actions = gestures.touch_update(two((175, 125), (325, 125)), 0.1)
    actions += gestures.touch_update(two((150, 125), (350, 125)), 0.2)
    assert inputs(actions) == []
    final = viewports(actions)[-1]
    assert final.zoom == pytest.approx(2.0)
    assert final.to_remote(250, 125) == pytest.approx((0.25, 0.25))  # the centre stayed put
    assert gestures.touch_end(two((150, 125), (350, 125)), 0.3) == []
    assert gestures.viewport == final


def test_a_pinch_pans_with_its_centre() -> None:
    gestures = recogniser(WIDGET.zoom_about(500, 250, 2.0))
    gestures.touch_begin(two((450, 250), (550, 250)), 0.0)
    actions = gestures.touch_update(two((430, 200), (530, 200)), 0.1)  # moved, not spread
    assert viewports(actions) == []  # that was the slop: a scroll, not a pinch
    gestures = recogniser(WIDGET.zoom_about(500, 250, 2.0))
    gestures.touch_begin(two((450, 250), (550, 250)), 0.0)
    gestures.touch_update(two((400, 250), (600, 250)), 0.1)  # pinch out: zoom 4
    actions = gestures.touch_update(two((430, 230), (630, 230)), 0.2)  # then move 30, -20
    assert viewports(actions)[-1].to_remote(530, 230) == pytest.approx((0.5, 0.5))


def test_a_pinch_clamps_the_zoom_range() -> None:
    gestures = recogniser(max_zoom=3.0)
    gestures.touch_begin(two((450, 250), (550, 250)), 0.0)
    out = viewports(gestures.touch_update(two((100, 250), (900, 250)), 0.1))
    assert out[-1].zoom == 3.0
    # Pinching back in responds at once (not after "unwinding" the clamped spread).
    back_in = viewports(gestures.touch_update(two((200, 250), (800, 250)), 0.2))
    assert back_in[-1].zoom == pytest.approx(3.0 * 600 / 800)
    closed = viewports(gestures.touch_update(two((499, 250), (501, 250)), 0.3))
    assert closed[-1].zoom == 1.0
    assert closed[-1] == WIDGET


def test_a_pinch_can_zoom_the_remote_with_ctrl_wheel_instead() -> None:
    gestures = recogniser(pinch_zooms_remote=True)  # 5 notches per doubling
    gestures.touch_begin(two((450, 250), (550, 250)), 0.0)
    actions = gestures.touch_update(two((425, 250), (575, 250)), 0.1)
    actions += gestures.touch_update(two((400, 250), (600, 250)), 0.2)
    actions += gestures.touch_end(two((400, 250), (600, 250)), 0.3)
    assert viewports(actions) == []
    assert gestures.viewport == WIDGET
    wheels = inputs(actions)
    assert all(w.kind == "wheel" and w.mods == ("ctrl",) for w in wheels)
    assert all((w.x, w.y) == (0.5, 0.5) for w in wheels)
    assert sum(w.dy for w in wheels) == pytest.approx(-5.0)  # spread doubled: zoom in
    assert all(w.dx == 0.0 for w in wheels)


def test_pinching_in_on_the_remote_zooms_out() -> None:
    gestures = recogniser(pinch_zooms_remote=True, pinch_notches_per_doubling=3.0)
    gestures.touch_begin(two((300, 250), (700, 250)), 0.0)
    wheels = inputs(gestures.touch_update(two((400, 250), (600, 250)), 0.1))
    assert len(wheels) == 1
    assert wheels[0].dy == pytest.approx(3.0)
    assert wheels[0].mods == ("ctrl",)


# -- aborts ----------------------------------------------------------------------------


def test_touch_cancel_mid_drag_releases_the_button() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(100, 100)], 0.0)
    gestures.touch_update([finger(200, 150)], 0.1)
    assert gestures.touch_cancel(0.2) == [InputEvent("up", 0.2, 0.3)]
    assert not gestures.button_held
    assert gestures.next_deadline() is None
    assert tap(gestures, 100, 100, 0.3) == [click(0.1, 0.2)]


def test_touch_cancel_before_anything_happened_sends_nothing() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(100, 100)], 0.0)
    assert gestures.touch_cancel(0.1) == []
    assert gestures.advance(1.0) == []  # the long press was forgotten


def test_a_second_finger_mid_drag_releases_the_button_and_ends_the_gesture() -> None:
    gestures = recogniser()
    gestures.touch_begin([finger(100, 100, id=1)], 0.0)
    gestures.touch_update([finger(200, 100, id=1)], 0.1)
    assert gestures.touch_update(two((200, 100), (300, 300)), 0.2) == [InputEvent("up", 0.2, 0.2)]
    assert gestures.touch_update(two((250, 150), (350, 350)), 0.3) == []
    assert gestures.touch_update([finger(350, 350, id=2)], 0.4) == []
    assert gestures.touch_end([finger(350, 350, id=2)], 0.5) == []
    assert tap(gestures, 100, 100, 0.6) == [click(0.1, 0.2)]


def test_a_third_finger_aborts_a_scroll_cleanly() -> None:
    gestures = recogniser()
    gestures.touch_begin(two((400, 300), (500, 300)), 0.0)
    before = inputs(gestures.touch_update(two((400, 260), (500, 260)), 0.1))
    assert sum(w.dy for w in before) == pytest.approx(0.8)
    third = [*two((400, 255), (500, 255)), finger(700, 100, id=3)]
    aborted = inputs(gestures.touch_update(third, 0.2))
    assert sum(w.dy for w in aborted) == pytest.approx(0.1)  # what had moved is delivered
    moved = [*two((400, 100), (500, 100)), finger(600, 100, id=3)]
    assert gestures.touch_update(moved, 0.3) == []
    assert gestures.touch_end(moved, 0.4) == []
    assert not gestures.button_held


def test_three_fingers_at_once_do_nothing() -> None:
    gestures = recogniser()
    three = [finger(100, 100, id=1), finger(200, 100, id=2), finger(300, 100, id=3)]
    assert gestures.touch_begin(three, 0.0) == []
    assert gestures.next_deadline() is None
    assert gestures.touch_end(three, 0.1) == []


# -- mapping through the viewport --------------------------------------------------------


def test_events_use_the_letterboxed_and_zoomed_mapping() -> None:
    letterboxed = Viewport(800, 600, 1920, 1080)  # image at y 75..525
    gestures = recogniser(letterboxed)
    assert tap(gestures, 200, 187.5, 0.0) == [click(0.25, 0.25)]
    assert tap(gestures, 400, 10, 1.0) == [click(0.5, 0.0)]  # on the bar: clamped to the edge
    gestures.viewport = letterboxed.zoom_about(400, 300, 2.0)
    assert tap(gestures, 400, 300, 2.0) == [click(0.5, 0.5)]
    assert tap(gestures, 600, 300, 3.0) == [click(0.625, 0.5)]


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        GestureSettings(long_press_s=0)
    with pytest.raises(ValueError):
        GestureSettings(pixel_ratio=math.nan)
    with pytest.raises(ValueError):
        TouchPoint(0, math.inf, 0)


# -- trackpad mode ----------------------------------------------------------------------


def test_a_trackpad_finger_moves_the_pointer_by_its_travel_over_the_picture() -> None:
    gestures = recogniser(trackpad=True)
    assert gestures.pointer == (0.5, 0.5)  # starts in the middle of the remote screen
    gestures.touch_begin([finger(100, 100)], 0.0)
    # Beyond the slop: the way there counts (100 px of a 1000 px wide picture = 0.1).
    assert inputs(gestures.touch_update([finger(200, 100)], 0.05)) == [InputEvent("move", 0.6, 0.5)]
    assert inputs(gestures.touch_update([finger(200, 150)], 0.1)) == [InputEvent("move", 0.6, 0.6)]
    assert inputs(gestures.touch_end([finger(200, 150)], 0.2)) == []  # no button was held
    # Lifted and put down elsewhere: the pointer stays, as on a laptop's trackpad.
    gestures.touch_begin([finger(900, 400)], 1.0)
    assert inputs(gestures.touch_update([finger(880, 400)], 1.05)) == [
        InputEvent("move", 0.58, 0.6)
    ]
    assert gestures.pointer == (0.58, 0.6)


def test_a_trackpad_tap_clicks_where_the_pointer_is_not_under_the_finger() -> None:
    gestures = recogniser(trackpad=True, pointer_speed=2.0)
    gestures.touch_begin([finger(500, 250)], 0.0)
    gestures.touch_update([finger(450, 250)], 0.05)  # 50 px at speed 2: 0.1 to the left
    gestures.touch_end([finger(450, 250)], 0.1)
    assert inputs(tap(gestures, 900, 50, 1.0)) == [click(0.4, 0.5)]
    assert inputs(tap(gestures, 880, 60, 1.2)) == [click(0.4, 0.5, count=2)]
    two = [finger(300, 300, 0), finger(360, 300, 1)]
    gestures.touch_begin(two, 2.0)
    assert inputs(gestures.touch_end(two, 2.1)) == [click(0.4, 0.5, "right")]


def test_a_trackpad_finger_held_still_presses_and_then_drags_from_the_pointer() -> None:
    gestures = recogniser(trackpad=True)
    gestures.touch_begin([finger(100, 100)], 0.0)
    assert gestures.next_deadline() == 0.5
    assert inputs(gestures.advance(0.5)) == [InputEvent("down", 0.5, 0.5, "left")]
    assert gestures.button_held
    assert inputs(gestures.touch_update([finger(150, 100)], 0.6)) == [InputEvent("move", 0.55, 0.5)]
    assert inputs(gestures.touch_end([finger(150, 100)], 0.7)) == [
        InputEvent("up", 0.55, 0.5, "left")
    ]
    assert not gestures.button_held


def test_the_trackpad_pointer_stops_at_the_screen_edges_and_a_cancel_lets_go() -> None:
    gestures = recogniser(trackpad=True)
    gestures.touch_begin([finger(100, 100)], 0.0)
    gestures.advance(0.5)
    gestures.touch_update([finger(5000, -3000)], 0.6)
    assert gestures.pointer == (1.0, 0.0)
    assert inputs(gestures.touch_cancel(0.7)) == [InputEvent("up", 1.0, 0.0, "left")]


def test_a_two_finger_scroll_on_the_trackpad_turns_the_wheel_at_the_pointer() -> None:
    gestures = recogniser(trackpad=True)
    gestures.touch_begin([finger(100, 100)], 0.0)
    gestures.touch_update([finger(300, 100)], 0.05)  # pointer to (0.7, 0.5)
    gestures.touch_end([finger(300, 100)], 0.1)
    gestures.touch_begin([finger(500, 300, 0), finger(560, 300, 1)], 1.0)
    events = inputs(gestures.touch_end([finger(500, 200, 0), finger(560, 200, 1)], 1.1))
    assert events and all((e.kind, e.x, e.y) == ("wheel", 0.7, 0.5) for e in events)
    assert sum(e.dy for e in events) == pytest.approx(2.0)  # 100 px up = 2 notches down


# -- the window's edge swipe ---------------------------------------------------------------


def test_a_swipe_down_from_the_top_edge_is_for_the_window_and_sends_nothing() -> None:
    gestures = recogniser(edge_swipe=True)
    gestures.touch_begin([finger(400, 10)], 0.0)
    assert gestures.touch_update([finger(403, 60)], 0.05) == [EdgeSwipe()]
    assert gestures.touch_update([finger(405, 200)], 0.1) == []
    assert gestures.touch_end([finger(405, 200)], 0.2) == []
    assert not gestures.button_held


def test_a_drag_along_the_top_edge_or_from_lower_down_still_drags() -> None:
    for start, end, edge_swipe in (
        ((400, 10), (500, 20), True),  # sideways: a drag on the computer
        ((400, 40), (400, 200), True),  # from below the edge
        ((400, 10), (400, 200), False),  # the window has no bar to show (a kiosk)
    ):
        gestures = recogniser(edge_swipe=edge_swipe)
        gestures.touch_begin([finger(*start)], 0.0)
        events = inputs(gestures.touch_update([finger(*end)], 0.05))
        assert events and events[0].kind == "down", (start, end, edge_swipe)


# -- property: whatever the fingers do ---------------------------------------------------

points = st.lists(
    st.builds(
        TouchPoint,
        st.integers(0, 3),
        st.floats(-200, 1200, allow_nan=False),
        st.floats(-200, 700, allow_nan=False),
    ),
    max_size=4,
    unique_by=lambda point: point.id,
)
operations = st.lists(
    st.tuples(
        st.sampled_from(["begin", "update", "end", "cancel", "advance"]),
        points,
        st.floats(0, 0.7, allow_nan=False),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    operations,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.floats(1, 4, allow_nan=False),
)
def test_any_touch_sequence_leaves_no_button_held_and_stays_in_range(
    steps: list[tuple[str, list[TouchPoint], float]],
    pinch_zooms_remote: bool,
    drag_pans_when_zoomed: bool,
    trackpad: bool,
    zoom: float,
) -> None:
    gestures = recogniser(
        WIDGET.zoom_about(300, 200, zoom),
        pinch_zooms_remote=pinch_zooms_remote,
        drag_pans_when_zoomed=drag_pans_when_zoomed,
        trackpad=trackpad,
        max_zoom=4.0,
    )
    t = 0.0
    events: list[InputEvent] = []
    lenses: list[LensChanged] = []
    for operation, touching, dt in steps:
        t += dt
        if operation == "cancel":
            actions = gestures.touch_cancel(t)
        elif operation == "advance":
            actions = gestures.advance(t)
        else:
            feed = {
                "begin": gestures.touch_begin,
                "update": gestures.touch_update,
                "end": gestures.touch_end,
            }[operation]
            actions = feed(touching, t)
        events += inputs(actions)
        lenses += [action for action in actions if isinstance(action, LensChanged)]
        for viewport in viewports(actions):
            assert 1.0 <= viewport.zoom <= 4.0
        deadline = gestures.next_deadline()
        assert deadline is None or deadline > t
    final = gestures.touch_end([], t + 1.0)
    events += inputs(final)
    lenses += [action for action in final if isinstance(action, LensChanged)]
    lens_seen = bool(lenses)

    held = False
    for event in events:
        # In range and well formed: the protocol's own decoder accepts it unchanged.
        assert decode_input(encode_input(event)) == event
        if event.kind == "down":
            assert not held
            held = True
        elif event.kind == "up":
            assert held
            held = False
        elif event.kind == "move":
            assert held or trackpad or lens_seen  # pointing through a trackpad or the lens
    assert not held
    assert not lenses or lenses[-1].at is None  # the magnifier is gone at the end
    assert not gestures.button_held

"""The demo screen changes only when something happens, and reacts to input the way a
desktop would: clicks by timing, a right-click menu, drags, scrolling, zoom, typing."""

from __future__ import annotations

from app.agent.capture.demo import LIST_ITEMS, MARK, DemoScreen


def test_frames_only_on_change() -> None:
    screen = DemoScreen(640, 360)
    first = screen.grab_if_changed()
    assert first is not None and first.image.shape == (360, 640, 3)
    assert screen.grab_if_changed() is None  # still: nothing to send
    screen.click(500, 200, "left", 1)  # inside the canvas
    after = screen.grab_if_changed()
    assert after is not None
    assert tuple(after.image[200, 500]) == MARK
    assert tuple(first.image[200, 500]) == (255, 255, 255)
    assert after.capture_us >= first.capture_us


def test_typing_and_scrolling_change_the_picture() -> None:
    screen = DemoScreen(640, 360)
    blank = screen.grab_if_changed()
    screen.type_text("hello")
    typed = screen.grab_if_changed()
    assert blank is not None and typed is not None
    assert screen.text == "hello" and (typed.image != blank.image).any()
    screen.key("BackSpace")
    assert screen.text == "hell"
    screen.wheel(10, 10, 0.0, 3.0)
    assert screen.list_offset == 3 and screen.grab_if_changed() is not None


def test_two_quick_clicks_are_a_double_click_that_opens_a_list_item() -> None:
    screen = DemoScreen(1280, 720)
    row_y = int(720 * 0.32) + 2 * int(720 * 0.055) + 5  # the third visible row
    screen.click(100, row_y, "left", 1)
    screen.click(102, row_y, "left", 2)  # the second tap, snapped near the first
    assert [c.count for c in screen.clicks] == [1, 2]
    assert screen.opened == LIST_ITEMS[2]


def test_right_click_opens_a_menu_and_a_left_click_closes_it() -> None:
    screen = DemoScreen(1280, 720)
    screen.click(300, 300, "right", 1)
    assert screen.menu_at == (300, 300) and screen.clicks[-1].button == "right"
    screen.click(10, 10, "left", 1)
    assert screen.menu_at is None


def test_a_drag_draws_a_trail_on_the_canvas() -> None:
    screen = DemoScreen(1280, 720)
    screen.press(700, 300, "left")
    screen.move(750, 320)
    screen.move(800, 340)
    screen.release(800, 340, "left")
    assert screen.marks == [(700, 300), (750, 320), (800, 340)]
    screen.move(900, 400)  # no button held: no mark
    assert len(screen.marks) == 3


def test_ctrl_wheel_zooms_and_shortcuts_are_not_typed() -> None:
    screen = DemoScreen(1280, 720)
    screen.wheel(640, 360, 0.0, -2.0, ("ctrl",))
    assert screen.zoom_percent == 120 and screen.list_offset == 0
    screen.key("c", ("ctrl",))
    screen.key("a", ("shift",))
    assert screen.keys == ["ctrl+c", "shift+a"]
    assert screen.text == "A"

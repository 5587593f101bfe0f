"""The demo screen changes only when something happens, and shows what it was told."""

from __future__ import annotations

from app.agent.capture.demo import DemoScreen


def test_frames_only_on_change() -> None:
    screen = DemoScreen(640, 360)
    first = screen.grab_if_changed()
    assert first is not None and first.image.shape == (360, 640, 3)
    assert screen.grab_if_changed() is None  # still: nothing to send
    screen.click(500, 200)  # inside the canvas
    after = screen.grab_if_changed()
    assert after is not None
    assert tuple(after.image[200, 500]) == (220, 40, 60)
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
    screen.wheel(3)
    assert screen.scroll == 3 and screen.grab_if_changed() is not None

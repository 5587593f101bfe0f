"""What every back-end shares, read from the recording back-end: chords, fractional
wheel deltas, and nothing left held."""

from __future__ import annotations

from app.agent.inject.recording import RecordingInput


def test_a_click_with_modifiers_holds_them_around_the_presses() -> None:
    subject = RecordingInput()
    subject.click(10, 20, "left", 2, ("ctrl", "shift"))  # the second click of a double
    assert subject.events == [
        ("move", 10, 20),
        ("key", "Control_L", True),
        ("key", "Shift_L", True),
        ("button", "left", True),
        ("button", "left", False),
        ("key", "Shift_L", False),
        ("key", "Control_L", False),
    ]


def test_fractional_wheel_deltas_add_up_to_whole_notches() -> None:
    subject = RecordingInput()
    for _ in range(5):
        subject.wheel(0, 0, 0.0, 0.3)  # a slow two-finger scroll
    subject.wheel(0, 0, -0.6, 0.0)
    subject.wheel(0, 0, -0.6, 0.0)
    scrolls = [e for e in subject.events if e[0] == "scroll"]
    assert scrolls == [("scroll", 0, 1), ("scroll", -1, 0)]  # 1.5 down, 1.2 left so far


def test_zoom_is_ctrl_with_the_wheel() -> None:
    subject = RecordingInput()
    subject.wheel(5, 5, 0.0, -2.0, ("ctrl",))
    assert subject.events == [
        ("move", 5, 5),
        ("key", "Control_L", True),
        ("scroll", 0, -2),
        ("key", "Control_L", False),
    ]


def test_a_runaway_delta_is_capped() -> None:
    subject = RecordingInput()
    subject.wheel(0, 0, 0.0, 1000.0)
    assert [e for e in subject.events if e[0] == "scroll"] == [("scroll", 0, 50)]


def test_held_keys_and_buttons_are_released_in_reverse_when_the_session_ends() -> None:
    subject = RecordingInput()
    subject.key_down("Control_L")
    subject.key_down("Control_L")  # a repeat: held once
    subject.key_down("Alt_L")
    subject.press(1, 1, "left")
    subject.events.clear()
    subject.close()
    assert subject.events == [
        ("key", "Alt_L", False),
        ("key", "Control_L", False),
        ("button", "left", False),
    ]
    subject.events.clear()
    subject.release_all()
    assert subject.events == []  # nothing left to release


def test_a_modifier_the_viewer_holds_is_not_released_by_a_chord() -> None:
    subject = RecordingInput()
    subject.key_down("Control_L")
    subject.events.clear()
    subject.key("c", ("ctrl",))
    assert subject.events == [("key", "c", True), ("key", "c", False)]
    assert subject.held_keys == ["Control_L"]


def test_text_is_typed_character_by_character() -> None:
    subject = RecordingInput()
    subject.type_text("é✓")
    assert subject.events == [("char", "é"), ("char", "✓")]

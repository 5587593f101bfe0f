"""The Wayland source and input through the XDG desktop portal, on a real headless GNOME
desktop (mutter, PipeWire, xdg-desktop-portal-gnome; tests/support/wayland.py): capture
sees what a Wayland client draws and its changes, woken by the frames themselves; the
person's "yes" is remembered where the portal allows it; a "no" is said clearly; clicks
and typed text reach a Wayland client."""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.agent import xdg_portal
from app.agent.capture.base import Captured, Desktop, DesktopUnavailable, open_desktop
from app.agent.capture.portal import PortalScreen
from app.agent.xdg_portal import TOKEN_FILE, TOKEN_SERVICE, PortalSession
from tests.support.keyrings import MemoryKeyring, using_keyring
from tests.support.wayland import (
    EventDemo,
    Person,
    WaylandDesktop,
    click_released,
    foot,
    gst_children,
    opened_with_answer,
    red_square,
)

pytestmark = pytest.mark.xdist_group("wayland")


def next_grab(
    screen: PortalScreen, wanted: Callable[[Captured], bool], timeout_s: float = 15
) -> Captured:
    """The first grab ``wanted``, each one taken when the change descriptor wakes."""
    fd = screen.change_fd()
    assert fd is not None
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "the screen never showed what was wanted"
        if select.select([fd], [], [], left)[0] and screen.changes_pending():
            grabbed = screen.grab_if_changed()
            if grabbed is not None and wanted(grabbed):
                return grabbed


def shared_for_viewing(wayland: WaylandDesktop, state_dir: Path) -> Desktop:
    """The screen shared for viewing only, once the person at the computer chose its
    monitor in the portal's dialog."""
    person = Person(wayland)
    try:
        return opened_with_answer(
            person,
            lambda: open_desktop("wayland", input_backend="none", state_dir=state_dir),
            interaction=False,
        )
    finally:
        person.close()


def centre_is(colour: tuple[int, int, int]) -> Callable[[Captured], bool]:
    return lambda grabbed: tuple(int(v) for v in grabbed.rgb()[360, 640]) == colour


def test_capture_sees_what_a_wayland_client_draws_and_each_change(
    wayland: WaylandDesktop, tmp_path: Path
) -> None:
    desktop = shared_for_viewing(wayland, tmp_path)
    try:
        screen = desktop.screen
        assert isinstance(screen, PortalScreen) and not screen.polls
        assert [(m.width, m.height, m.primary) for m in screen.monitors()] == [(1280, 720, True)]
        assert desktop.view_only is not None  # input "none": said so to the viewer
        first = foot(wayland, 0x00FF80)
        grabbed = next_grab(screen, centre_is((0x00, 0xFF, 0x80)))
        assert grabbed.pixel_format == "bgra" and grabbed.image.shape == (720, 1280, 4)
        # Another colour on top: the frame that shows it says where the screen changed.
        second = foot(wayland, 0x2040C0)
        changed = next_grab(screen, centre_is((0x20, 0x40, 0xC0)))
        assert changed.changed is not None and changed.changed.width > 0
        assert tuple(int(v) for v in screen.render().rgb()[360, 640]) == (0x20, 0x40, 0xC0)
        wayland.stop_program(second)
        next_grab(screen, centre_is((0x00, 0xFF, 0x80)))
        wayland.stop_program(first)
    finally:
        desktop.close()


def test_the_persons_yes_is_remembered_and_the_next_session_asks_nobody(
    wayland: WaylandDesktop, tmp_path: Path
) -> None:
    """ScreenCast (view only) remembers the grant: the token is kept in the OS keyring
    (nothing of it on disk), and the next session (a restarted agent) opens with no
    dialog."""
    assert xdg_portal.asks_person(interactive=False, state_dir=tmp_path)
    person = Person(wayland)
    with using_keyring(MemoryKeyring()) as keychain:
        try:
            session = opened_with_answer(
                person,
                lambda: PortalSession(interactive=False, state_dir=tmp_path),
                interaction=False,
            )
        finally:
            person.close()
        session.close()
        # Known before asking: the next session needs no answer (the viewer need not wait).
        assert not xdg_portal.asks_person(interactive=False, state_dir=tmp_path)
        # RemoteDesktop 1 (portal 1.16) remembers nothing: a session with input asks again.
        assert xdg_portal.asks_person(interactive=True, state_dir=tmp_path)
        kept = keychain.secrets[(TOKEN_SERVICE, str(tmp_path.resolve()))]
        assert not (tmp_path / TOKEN_FILE).exists()

        # Nobody answers anything: a dialog would be withdrawn unanswered, and refused.
        again = PortalSession(interactive=False, state_dir=tmp_path)
        try:
            assert again.streams and not again.interactive
        finally:
            again.close()
        # Each Start's token replaces the kept one (GNOME 43 hands out the same one again).
        replaced = keychain.secrets[(TOKEN_SERVICE, str(tmp_path.resolve()))]
        assert json.loads(replaced)["token"] == json.loads(kept)["token"]


def test_a_declined_dialog_says_so(wayland: WaylandDesktop, tmp_path: Path) -> None:
    person = Person(wayland)
    try:
        with pytest.raises(DesktopUnavailable) as refused:
            opened_with_answer(
                person, lambda: open_desktop("wayland", state_dir=tmp_path), allow=False
            )
    finally:
        person.close()
    assert refused.value.code == "declined"
    assert str(refused.value) == "The person at the computer did not allow sharing its screen."
    assert not (tmp_path / TOKEN_FILE).exists()


@pytest.mark.parametrize("part", ["mutter", "portal", "pipewire", "dbus-daemon"])
def test_the_stream_ends_when_a_part_of_the_desktop_dies(
    wayland: WaylandDesktop, tmp_path: Path, part: str
) -> None:
    """The compositor (its portal backend dies with it), the portal, PipeWire or the bus
    killed mid-session: none of these ends GStreamer's child by itself, yet the screen
    says at once that it is over, and its child is stopped and reaped."""
    desktop = shared_for_viewing(wayland, tmp_path)
    try:
        screen = desktop.screen
        assert isinstance(screen, PortalScreen)
        screen.render()  # streaming
        assert len(gst_children()) == 1
        wayland.kill(part)
        with pytest.raises(DesktopUnavailable) as ended:
            next_grab(screen, lambda grabbed: False, timeout_s=10)
        assert ended.value.code == "ended"
        assert "desktop session ended" in str(ended.value)
    finally:
        desktop.close()
    assert gst_children() == []


def test_a_dialog_nobody_answers_is_withdrawn(
    wayland: WaylandDesktop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given up in time for the viewer (which waits APPROVAL_WAIT_S), and taken off the
    screen rather than left for the next person who sits down."""
    monkeypatch.setattr(xdg_portal, "ANSWER_WAIT_S", 2.0)
    person = Person(wayland)
    try:
        with ThreadPoolExecutor(1) as pool:
            opening = pool.submit(PortalSession, interactive=True, state_dir=tmp_path)
            person.wait_for_dialog()
            with pytest.raises(DesktopUnavailable) as refused:
                opening.result(timeout=20)
        assert refused.value.code == "declined"
        assert str(refused.value) == "Nobody at the computer allowed sharing its screen in time."
        person.wait_for_dialog(shown=False)
    finally:
        person.close()


def test_without_a_desktop_bus_the_message_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    with pytest.raises(DesktopUnavailable) as refused:
        PortalSession(interactive=True, state_dir=tmp_path)
    assert refused.value.code == "no_portal"
    assert not xdg_portal.asks_person(interactive=True, state_dir=tmp_path)  # nobody to ask
    assert "session bus" in str(refused.value)


def test_a_click_and_typed_text_reach_a_wayland_client(
    wayland: WaylandDesktop, tmp_path: Path
) -> None:
    demo = EventDemo(wayland)
    person = Person(wayland)
    try:
        desktop: Desktop = opened_with_answer(
            person, lambda: open_desktop("wayland", state_dir=tmp_path)
        )
    finally:
        person.close()
    try:
        assert desktop.view_only is None
        screen = desktop.screen
        assert isinstance(screen, PortalScreen)
        shown = next_grab(screen, lambda grabbed: red_square(grabbed.rgb()) is not None)
        where = red_square(shown.rgb())
        assert where is not None
        target = int(where[0] * 1280), int(where[1] * 720)
        line = click_released(demo, lambda: desktop.input.click(*target))
        assert "button: 272" in line  # BTN_LEFT
        demo.wait_for(lambda line: line.startswith("focus x"), "keyboard focus")
        # Characters go as keysyms: the compositor finds their key, with Shift if needed
        # (GNOME 43 drops one its keyboard layout lacks, such as é on a US layout).
        desktop.input.type_text("H!")
        demo.wait_for(lambda line: "unicode: 72, state: pressed" in line, "H")
        demo.wait_for(lambda line: "unicode: 33, state: pressed" in line, "!")
        desktop.input.key("Return")
        demo.wait_for(lambda line: "key: 28, unicode: 65293, state: pressed" in line, "Return")
        # A held key is let go when the session ends.
        desktop.input.key_down("Shift_R")
        demo.wait_for(lambda line: "key: 54," in line and "pressed" in line, "Shift held")
    finally:
        desktop.close()
    demo.wait_for(lambda line: "key: 54," in line and "released" in line, "Shift let go")
    assert os.path.exists(tmp_path) and not (tmp_path / TOKEN_FILE).exists()

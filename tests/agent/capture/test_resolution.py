"""Fitting a monitor to a viewer with RandR on a real X server (Xvfb), and giving it back:
the sizes chosen, the mode timings, the screen around it, and nothing left behind, even
after an agent killed outright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from Xlib import display

from app.agent.capture.base import open_desktop
from app.agent.capture.resolution import (
    FITTED_FILE,
    FitRefused,
    X11Resolution,
    cvt_reduced_blanking,
    fitted_size,
    give_back_left_fitted,
)
from app.agent.capture.x11 import X11Screen, list_monitors
from tests.conftest import x_server
from tests.support.resolution import killed_while_fitted
from tests.support.xprobe import paint_root


def test_mode_timings_are_what_cvt_r_prints() -> None:
    # `cvt -r 1920 1080`: Modeline "1920x1080R" 138.50 1920 1968 2000 2080 1080 1083 1088 1111
    mode = cvt_reduced_blanking(1920, 1080)
    assert mode["dot_clock"] == 138_500_000
    horizontal = (mode["h_sync_start"], mode["h_sync_end"], mode["h_total"])
    vertical = (mode["v_sync_start"], mode["v_sync_end"], mode["v_total"])
    assert (horizontal, vertical) == ((1968, 2000, 2080), (1083, 1088, 1111))
    # `cvt -r 1280 800`: 71.00 1280 1328 1360 1440 800 803 809 823 (16:10 syncs 6 lines)
    mode = cvt_reduced_blanking(1280, 800)
    assert (mode["dot_clock"], mode["v_sync_end"], mode["v_total"]) == (71_000_000, 809, 823)


@pytest.mark.parametrize(
    ("asked", "limits", "given"),
    [
        ((820, 1180), ((1, 1), (4096, 4096)), (816, 1180)),  # width a multiple of 8
        ((4000, 3000), ((1, 1), (1920, 1920)), (1920, 1440)),  # shape kept under the ceiling
        ((320, 240), ((1, 1), (4096, 4096)), (640, 480)),  # never smaller than 640x480
        ((1000, 90), ((1, 1), (4096, 4096)), (4096, 480)),  # a ribbon: the floor wins
    ],
)
def test_sizes_keep_the_shape_asked_within_the_limits(
    asked: tuple[int, int], limits: tuple[tuple[int, int], tuple[int, int]], given: tuple[int, int]
) -> None:
    assert fitted_size(*asked, *limits) == given


@pytest.fixture
def big_display() -> Iterator[str]:
    """Xvfb's screen can be made smaller than it started, never larger."""
    with x_server(1920, 1200) as name:
        yield name


def modes_named(name: str) -> list[str]:
    conn = display.Display(name)
    try:
        resources = conn.screen().root.xrandr_get_screen_resources_current()
        names, start = [], 0
        for mode in resources.modes:
            names.append(resources.names[start : start + mode.name_length])
            start += mode.name_length
        return names
    finally:
        conn.close()


def test_a_monitor_takes_the_viewers_shape_and_gets_its_own_back(big_display: str) -> None:
    [monitor] = list_monitors(big_display)
    resolution = X11Resolution(big_display)
    try:
        assert resolution.fit(monitor, 900, 1200) == (896, 1200)
        [fitted] = list_monitors(big_display)
        assert (fitted.width, fitted.height) == (896, 1200)
        assert "porthole-896x1200" in modes_named(big_display)
        # A second request of the same size changes nothing; another size replaces it.
        assert resolution.fit(fitted, 900, 1200) == (896, 1200)
        assert resolution.fit(fitted, 1024, 768) == (1024, 768)
        [fitted] = list_monitors(big_display)
        assert (fitted.width, fitted.height) == (1024, 768)
    finally:
        resolution.close()
    [restored] = list_monitors(big_display)
    assert (restored.width, restored.height) == (1920, 1200)
    assert not [name for name in modes_named(big_display) if name.startswith("porthole-")]


def test_the_screen_source_grabs_the_new_size(big_display: str) -> None:
    screen = X11Screen(big_display)
    resolution = X11Resolution(big_display)
    probe = display.Display(big_display)
    try:
        resolution.fit(screen.current, 800, 1000)
        screen.reload()
        assert (screen.width, screen.height) == (800, 1000)
        paint_root(probe, 0x00FF00)
        grabbed = screen.grab_if_changed()
        assert grabbed is not None and grabbed.rgb().shape == (1000, 800, 3)
        assert tuple(grabbed.rgb()[999, 799]) == (0, 255, 0)
        resolution.restore()
        screen.reload()
        assert (screen.width, screen.height) == (1920, 1200)
        grabbed = screen.grab_if_changed()
        assert grabbed is not None and grabbed.rgb().shape == (1200, 1920, 3)
    finally:
        probe.close()
        resolution.close()
        screen.close()


def test_a_monitor_that_is_not_one_crtc_is_refused(big_display: str) -> None:
    [monitor] = list_monitors(big_display)
    elsewhere = type(monitor)(id="9", name="", x=5, y=5, width=100, height=100)
    resolution = X11Resolution(big_display)
    try:
        with pytest.raises(FitRefused, match="cannot change its resolution"):
            resolution.fit(elsewhere, 800, 600)
        assert not resolution.changed
    finally:
        resolution.close()
    [same] = list_monitors(big_display)
    assert (same.width, same.height) == (1920, 1200)


def test_a_monitor_left_fitted_by_a_killed_agent_is_given_back_at_the_next_start(
    big_display: str, tmp_path: Path
) -> None:
    killed_while_fitted(big_display, tmp_path, 900, 1200)
    [left] = list_monitors(big_display)
    assert (left.width, left.height) == (896, 1200)  # what SIGKILL leaves: X keeps it
    assert give_back_left_fitted(big_display, tmp_path)
    [restored] = list_monitors(big_display)
    assert (restored.width, restored.height) == (1920, 1200)
    assert not [name for name in modes_named(big_display) if name.startswith("porthole-")]
    assert not (tmp_path / FITTED_FILE).exists()
    assert not give_back_left_fitted(big_display, tmp_path)  # once


def test_a_resolution_chosen_since_stays(big_display: str, tmp_path: Path) -> None:
    """The person at the computer set another size after the agent died: theirs stays,
    and the agent's unused modes go."""
    killed_while_fitted(big_display, tmp_path, 900, 1200)
    killed_while_fitted(big_display, tmp_path / "someone-else", 1024, 768)
    assert not give_back_left_fitted(big_display, tmp_path)
    [kept] = list_monitors(big_display)
    assert (kept.width, kept.height) == (1024, 768)
    assert [name for name in modes_named(big_display) if name.startswith("porthole-")] == [
        "porthole-1024x768"  # in use
    ]
    assert not (tmp_path / FITTED_FILE).exists()


def test_a_session_opening_after_a_killed_agent_sees_the_monitor_given_back(
    big_display: str, tmp_path: Path
) -> None:
    killed_while_fitted(big_display, tmp_path, 800, 1000)
    desktop = open_desktop("x11", big_display, state_dir=tmp_path)
    try:
        assert (desktop.screen.width, desktop.screen.height) == (1920, 1200)
        grabbed = desktop.screen.grab_if_changed()
        assert grabbed is not None and grabbed.rgb().shape == (1200, 1920, 3)
    finally:
        desktop.close()

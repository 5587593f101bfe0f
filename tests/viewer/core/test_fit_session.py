""" "Match this device" through a real session on a real X server: the computer's monitor
takes the viewer's shape (RandR), the picture and the input follow it, and the monitor
gets its own resolution back when the viewer turns it off, leaves, or the connection
drops."""

from __future__ import annotations

import pytest
from Xlib import X, display

from app.agent.capture.x11 import list_monitors
from app.protocol import ScreenList
from app.protocol.input import InputEvent
from app.viewer.core.session import ViewerSession
from tests.conftest import x_server
from tests.support.api import Api
from tests.support.proxy import DroppingProxy
from tests.support.sessions import entitled_online_host, open_session
from tests.support.transfers import agent_port, through
from tests.support.waiting import eventually
from tests.support.xprobe import full_screen_window
from tests.viewer.core.test_x11_session import wait_event

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PORTRAIT = (900, 1200)  # a tablet upright: 896x1200 on the computer (widths by 8)


def shown_size(screens: ScreenList) -> tuple[int, int]:
    [monitor] = [m for m in screens.monitors if m.id == screens.current]
    return monitor.width, monitor.height


def display_size(name: str) -> tuple[int, int]:
    [monitor] = list_monitors(name)
    return monitor.width, monitor.height


async def picture_of_size(session: ViewerSession, size: tuple[int, int]) -> None:
    """Until a picture of that size is decoded (frames of the old size may be in flight)."""
    for _ in range(60):
        picture = await session.next_picture(timeout_s=20)
        if picture.rgb.shape[:2] == (size[1], size[0]):
            return
    raise AssertionError(f"no picture of {size} arrived")


@on_sqlite
async def test_the_computer_takes_the_devices_shape_until_the_viewer_leaves(api: Api) -> None:
    with x_server(1920, 1200) as name:
        async with entitled_online_host(api, source="x11", display_name=name) as host:
            granted = await open_session(api, host)
            async with ViewerSession(api.url, granted, fit_screen=PORTRAIT) as session:
                # Asked as soon as the agent says it can: nothing for the person to do.
                await session.wait_screens(20, condition=lambda s: shown_size(s) == (896, 1200))
                assert display_size(name) == (896, 1200)
                await picture_of_size(session, (896, 1200))

                # Input lands on the monitor as it now is.
                probe = display.Display(name)
                try:
                    full_screen_window(probe, X.ButtonPressMask)
                    await session.send_input(InputEvent("click", 0.5, 0.25))
                    press = await wait_event(probe, X.ButtonPress)
                    assert (press.root_x, press.root_y) == (448, 300)
                finally:
                    probe.close()

                # The window turned into a landscape one: the monitor follows.
                await session.fit_screen((1280, 800))
                await session.wait_screens(20, condition=lambda s: shown_size(s) == (1280, 800))
                await picture_of_size(session, (1280, 800))

                # Turned off: the computer's own resolution again, in the same session.
                await session.fit_screen(None)
                await session.wait_screens(20, condition=lambda s: shown_size(s) == (1920, 1200))
                await session.fit_screen(PORTRAIT)
                await session.wait_screens(20, condition=lambda s: shown_size(s) == (896, 1200))
            # The viewer left: the monitor is as it was before the session.
            await eventually(lambda: display_size(name) == (1920, 1200), 20, "the restore")


@on_sqlite
async def test_a_dropped_connection_gives_the_monitor_its_own_resolution_back(api: Api) -> None:
    with x_server(1920, 1200) as name:
        async with entitled_online_host(api, source="x11", display_name=name, direct=True) as host:
            granted = await open_session(api, host)
            async with (
                DroppingProxy(agent_port(granted)) as proxy,
                ViewerSession(api.url, through(proxy, granted), fit_screen=PORTRAIT) as session,
            ):
                await session.wait_screens(20, condition=lambda s: shown_size(s) == (896, 1200))
                proxy.drop()  # no goodbye: the agent only sees the connection die
                await session.wait_state("closed", 20)
            await eventually(lambda: display_size(name) == (1920, 1200), 20, "the restore")


@on_sqlite
async def test_a_computer_that_cannot_change_resolution_is_never_asked(api: Api) -> None:
    async with entitled_online_host(api) as host:  # the demo screen: a fixed size
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted, fit_screen=PORTRAIT) as session:
            screens = await session.wait_screens(20)
            target = session.stats.heartbeats + 2
            await eventually(lambda: session.stats.heartbeats >= target, 10, "heartbeats")
            assert not session.fitting.agent_fits
            assert shown_size(session.screens or screens) == (1280, 720)
            assert session.detail == ""  # no refusal: nothing was asked

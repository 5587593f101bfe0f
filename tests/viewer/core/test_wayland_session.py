"""Cloud + agent on a real headless GNOME desktop on Wayland (the portal's source and
input, tests/support/wayland.py) + the headless viewer core: once the person at the
computer allows it, the viewer sees the desktop and its clicks and keys reach a Wayland
client; when they do not, the viewer is told so and does not ask again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from app.protocol.input import InputEvent
from app.viewer.core.session import Renew, SessionEnded, SessionGrant, ViewerSession
from tests.support.api import Api
from tests.support.sessions import Host, entitled_online_host, open_session
from tests.support.waiting import eventually
from tests.support.wayland import EventDemo, Person, WaylandDesktop, gst_children, red_square

pytestmark = pytest.mark.xdist_group("wayland")


@contextlib.asynccontextmanager
async def answered_session(
    api: Api, wayland: WaylandDesktop, *, allow: bool, renew: Renew | None = None
) -> AsyncIterator[tuple[Host, ViewerSession]]:
    """A viewer's session with the Wayland agent, the portal's dialog answered (yes with
    remote interaction, or no) by the person at the computer."""
    person = Person(wayland)
    try:
        async with entitled_online_host(api, source="wayland") as host:
            granted = await open_session(api, host)
            answering = asyncio.create_task(
                asyncio.to_thread(person.answer_dialog, allow=allow, interaction=True)
            )
            async with ViewerSession(api.url, granted, renew=renew) as session:
                await answering
                yield host, session
    finally:
        person.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_session_on_a_wayland_desktop(api: Api, wayland: WaylandDesktop) -> None:
    demo = EventDemo(wayland)
    await asyncio.to_thread(demo.wait_for, lambda line: line == "redraw", "its first picture")
    async with answered_session(api, wayland, allow=True) as (_, session):
        picture = await session.next_picture(timeout_s=20)
        assert picture.rgb.shape == (720, 1280, 3)
        async with asyncio.timeout(20):
            while (where := red_square(picture.rgb)) is None:
                picture = await session.next_picture(timeout_s=10)
        await session.send_input(InputEvent("click", *where))
        line = await asyncio.to_thread(
            demo.wait_for, lambda line: "state: released" in line, "the click"
        )
        assert "button: 272" in line
        await session.send_input(InputEvent("text", text="a"))
        await asyncio.to_thread(
            demo.wait_for, lambda line: "unicode: 97, state: pressed" in line, "an a"
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_declined_portal_dialog_ends_the_session_with_its_reason(
    api: Api, wayland: WaylandDesktop
) -> None:
    async with answered_session(api, wayland, allow=False) as (_, session):
        await eventually(lambda: session.state == "closed", 20, "the session to end")
        assert session.detail == "The person at the computer did not allow sharing its screen."
        assert session.reconnects == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("part", ["mutter", "portal"])
async def test_the_session_ends_when_the_desktop_goes_away(
    api: Api, wayland: WaylandDesktop, part: str
) -> None:
    """The compositor or the portal dies mid-session (GStreamer's child would go on
    waiting for frames): the agent ends the session at once with the screen's close, and
    the viewer, which would reconnect after a dropped connection, does not."""
    renewed = 0

    async def renew() -> SessionGrant:
        nonlocal renewed
        renewed += 1
        raise SessionEnded("renewed")

    async with answered_session(api, wayland, allow=True, renew=renew) as (host, session):
        await session.next_picture(timeout_s=20)
        assert len(host.sessions.live) == 1 and len(gst_children()) == 1
        await asyncio.to_thread(wayland.kill, part)
        await session.wait_state("closed", 10)
        assert session.detail == (
            "The desktop stopped sharing its screen (the sharing was stopped, or the desktop "
            "session ended)."
        )
        assert renewed == 0 and session.reconnects == 0
        await eventually(lambda: not host.sessions.live, 10, "the agent's session to end")
        await eventually(lambda: not gst_children(), 10, "GStreamer's child to be reaped")

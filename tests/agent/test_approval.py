"""Host consent with the real parts: an X11 agent on Xvfb whose prompt and indicator are
the real Qt programs on that display, clicked and typed at through XTest as the person at
the computer would, and the real viewer core waiting for their answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from Xlib import XK, X, display
from Xlib.ext import xtest

from app.agent.approval import DisplayHostUI
from app.viewer.core.session import SessionEnded, SessionGrant, ViewerSession
from tests.conftest import x_server
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session, session_logged
from tests.support.waiting import eventually

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
WAITING = "Waiting for the person at the computer to allow the connection…"


@pytest.fixture
def host_display() -> Iterator[str]:
    with x_server(1280, 720) as name:
        yield name


@pytest.fixture
def person(host_display: str) -> Iterator[Any]:
    """The person at the computer: their mouse and keyboard, through XTest."""
    conn = display.Display(host_display)
    yield conn
    conn.close()


def click(conn: Any, button: tuple[int, int, int, int]) -> None:
    x, y, width, height = button
    xtest.fake_input(conn, X.MotionNotify, x=x + width // 2, y=y + height // 2)
    xtest.fake_input(conn, X.ButtonPress, 1)
    xtest.fake_input(conn, X.ButtonRelease, 1)
    conn.sync()


def press(conn: Any, keysym_name: str) -> None:
    keycode = conn.keysym_to_keycode(XK.string_to_keysym(keysym_name))
    xtest.fake_input(conn, X.KeyPress, keycode)
    xtest.fake_input(conn, X.KeyRelease, keycode)
    conn.sync()


async def shown_button(programs: Callable[[], list[Any]]) -> tuple[int, int, int, int]:
    await eventually(lambda: bool(programs()), 20, "the program to start")
    program = programs()[0]
    async with asyncio.timeout(30):
        await program.shown.wait()
    assert program.button is not None
    return program.button  # type: ignore[no-any-return]


@on_sqlite
async def test_allowed_then_disconnected_by_the_person_at_the_computer(
    api: Api, host_display: str, person: Any
) -> None:
    host_ui = DisplayHostUI(host_display)
    renewals = 0
    async with entitled_online_host(
        api, source="x11", display_name=host_display, host_ui=host_ui
    ) as host:
        granted = await open_session(api, host)

        async def renew() -> SessionGrant:
            nonlocal renewals
            renewals += 1
            return await open_session(api, host)

        states: list[tuple[str, str]] = []
        session = ViewerSession(
            api.url, granted, renew=renew, on_state=lambda s, d: states.append((s, d))
        )
        opening = asyncio.ensure_future(session.__aenter__())
        allow = await shown_button(lambda: host_ui.prompts)
        await eventually(lambda: ("connecting", WAITING) in states, 10, "the viewer to wait")
        assert not opening.done() and host.sessions.accepted == 0
        click(person, allow)
        try:
            async with asyncio.timeout(20):
                await opening
            await session.next_picture(timeout_s=20)
            assert host.sessions.accepted == 1
            # While it runs, the person sees who is connected, and can end it.
            disconnect = await shown_button(lambda: [i.program for i in host_ui.indicators])
            click(person, disconnect)
            await session.wait_state("closed", 20)
            assert session.detail == "The person at the computer ended the session."
        finally:
            await session.__aexit__(None, None, None)
        await eventually(lambda: not host_ui.indicators, 10, "the indicator to go")
        await session_logged(api, host.user, "ended_by_host")  # and the session log says so
    assert renewals == 0, "a session the host ended does not come back by itself"


@on_sqlite
async def test_denied_with_escape_or_by_letting_it_time_out(
    api: Api, host_display: str, person: Any
) -> None:
    host_ui = DisplayHostUI(host_display)
    async with entitled_online_host(
        api, source="x11", display_name=host_display, host_ui=host_ui
    ) as host:
        opening = asyncio.ensure_future(
            ViewerSession(api.url, await open_session(api, host)).__aenter__()
        )
        await shown_button(lambda: host_ui.prompts)
        press(person, "Escape")  # the prompt took the keyboard; Escape denies
        with pytest.raises(SessionEnded, match="did not allow"):
            async with asyncio.timeout(20):
                await opening
        host_ui.timeout_s = 1  # nobody at the computer: it counts down to deny
        with pytest.raises(SessionEnded, match="did not allow"):
            async with ViewerSession(api.url, await open_session(api, host)):
                pass
        assert host.sessions.accepted == 0
        await session_logged(api, host.user, "declined")

"""The computer's pointer through a real session on a real X server: where it is moved
on the host is where the viewer core hears it is, normalised to the monitor, and each
shape arrives once however often the pointer moves."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import pytest
from PIL import Image
from Xlib import display
from Xlib.xobject.fontable import Font

from app.protocol.cursor import CursorPosition
from app.viewer.core.session import ViewerSession
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually


def near(x: float, y: float) -> Callable[[CursorPosition], bool]:
    return lambda p: p.visible and abs(p.x - x) < 0.002 and abs(p.y - y) < 0.002


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_pointer_is_followed_and_each_shape_sent_once(
    api: Api, x_display: str, probe: display.Display
) -> None:
    root = probe.screen().root
    root.warp_pointer(10, 10)
    probe.sync()
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted, draw_cursor=True) as session:
            await session.wait_cursor(20, near(10 / 1280, 10 / 720))
            for x, y in ((320, 180), (640, 360), (960, 540), (321, 181)):
                root.warp_pointer(x, y)
                probe.sync()
                await session.wait_cursor(10, near(x / 1280, y / 720))
            [shape] = session.cursor_shapes.values()  # the same shape all along: sent once
            image = Image.open(io.BytesIO(base64.b64decode(shape.png)))
            assert image.size == (shape.width, shape.height) and image.mode == "RGBA"

            # A window with another pointer (a hand): the new shape arrives, once.
            font = probe.open_font("cursor")
            assert isinstance(font, Font)
            hand = font.create_glyph_cursor(font, 60, 61, (0, 0, 0), (65535, 65535, 65535))
            window = root.create_window(0, 0, 1280, 720, 0, probe.screen().root_depth, cursor=hand)
            window.map()
            probe.sync()
            root.warp_pointer(700, 400)
            probe.sync()
            await session.wait_cursor(10, lambda p: p.serial != shape.serial)
            assert len(session.cursor_shapes) == 2
            window.destroy()
            probe.sync()
            [live] = host.sessions.live
            assert live.desktop.cursor is not None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_viewer_that_does_not_draw_it_gets_no_pointer(api: Api, x_display: str) -> None:
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted) as session:
            await session.next_picture(20)
            target = session.stats.heartbeats + 3  # the agent answered, and had time to
            await eventually(lambda: session.stats.heartbeats >= target, 10, "heartbeats")
            assert session.cursor is None and not session.cursor_shapes

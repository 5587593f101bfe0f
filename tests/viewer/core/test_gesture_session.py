"""Touch gestures, through a real session, drive the demo desktop the way the DESIGN
table says: tap, double tap, long press, two-finger tap, drag, two-finger scroll and
pinch (sent as Ctrl+wheel), each read back from the agent's screen."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from app.agent.capture.demo import LIST_ITEMS, DemoScreen
from app.protocol.input import InputEvent
from app.viewer.core.gestures import Action, GestureRecogniser, GestureSettings, TouchPoint
from app.viewer.core.session import ViewerSession
from app.viewer.core.viewport import Viewport
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually

# The list's third visible row on the 1280x720 demo desktop, and a point on its canvas.
ROW_3 = (100.0, 720 * 0.32 + 2 * int(720 * 0.055) + 8)
CANVAS = (800.0, 300.0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_gestures_drive_the_demo_desktop(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted) as session:
            await session.next_picture(20)
            [live] = host.sessions.live
            demo = live.desktop.screen
            assert isinstance(demo, DemoScreen)
            viewport = Viewport(1280, 720, 1280, 720)
            fingers = GestureRecogniser(viewport, GestureSettings(pinch_zooms_remote=True))
            t = 100.0

            async def send(actions: Iterable[Action]) -> None:
                for action in actions:
                    if isinstance(action, InputEvent):
                        await session.send_input(action)

            async def tap(x: float, y: float) -> None:
                nonlocal t
                await send(fingers.touch_begin([TouchPoint(1, x, y)], t))
                t += 0.05
                await send(fingers.touch_end([TouchPoint(1, x, y)], t))
                t += 0.1

            # Double tap on a list item: the desktop sees a double click and opens it.
            await tap(*ROW_3)
            await tap(ROW_3[0] + 4, ROW_3[1] + 3)
            await eventually(lambda: demo.opened == LIST_ITEMS[2], 10, "the item to open")
            assert [c.count for c in demo.clicks[-2:]] == [1, 2]
            assert demo.clicks[-1].x == demo.clicks[-2].x  # snapped to the first tap

            # Long press: the magnifier, then (lifted without moving) a right click.
            t += 1
            await send(fingers.touch_begin([TouchPoint(2, 300, 300)], t))
            assert fingers.next_deadline() is not None
            await send(fingers.advance(t + 0.6))
            t += 0.7
            await send(fingers.touch_end([TouchPoint(2, 300, 300)], t))
            await eventually(lambda: demo.menu_at == (300, 300), 10, "the right-click menu")

            # Two-finger tap: a right click too.
            t += 1
            pair = [TouchPoint(3, 500, 400), TouchPoint(4, 540, 400)]
            await send(fingers.touch_begin(pair, t))
            await send(fingers.touch_end(pair, t + 0.1))
            await eventually(lambda: demo.menu_at == (520, 400), 10, "a menu at the midpoint")

            # One-finger drag on the canvas: press, moves, release, a trail of marks.
            t += 1
            marks = len(demo.marks)
            await send(fingers.touch_begin([TouchPoint(5, *CANVAS)], t))
            for step in range(1, 6):
                point = TouchPoint(5, CANVAS[0] + step * 20, CANVAS[1] + step * 10)
                await send(fingers.touch_update([point], t + step * 0.02))
            await send(fingers.touch_end([point], t + 0.2))
            await eventually(lambda: len(demo.marks) >= marks + 5, 10, "a drawn trail")
            assert not demo._buttons_down, "the button was released"

            # Two-finger drag upwards: the list scrolls down.
            t += 1
            await send(fingers.touch_begin([TouchPoint(6, 200, 500), TouchPoint(7, 260, 500)], t))
            for step in range(1, 11):
                y = 500 - step * 25
                moved = [TouchPoint(6, 200, y), TouchPoint(7, 260, y)]
                await send(fingers.touch_update(moved, t + step * 0.02))
            await send(fingers.touch_end(moved, t + 0.3))
            await eventually(lambda: demo.list_offset > 0, 10, "the list to scroll")

            # Pinch out, sent to the remote as Ctrl+wheel: the desktop zooms in.
            t += 1
            await send(fingers.touch_begin([TouchPoint(8, 600, 360), TouchPoint(9, 680, 360)], t))
            for step in range(1, 11):
                apart = [TouchPoint(8, 600 - step * 15, 360), TouchPoint(9, 680 + step * 15, 360)]
                await send(fingers.touch_update(apart, t + step * 0.02))
            await send(fingers.touch_end(apart, t + 0.3))
            await eventually(lambda: demo.zoom_percent > 100, 10, "the desktop to zoom in")
            assert "ctrl" not in demo._modifiers_down

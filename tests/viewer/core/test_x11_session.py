"""Cloud + agent on a real X server (Xvfb) + the headless viewer core: the viewer sees what
is on the X display, and its clicks and keys arrive there as real events."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import select
import time
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from PIL import Image
from Xlib import X, display

from app.agent.refine import Pass
from app.protocol.input import InputEvent
from app.viewer.core import session as viewer_session
from app.viewer.core.decoder import Picture
from app.viewer.core.session import ViewerSession
from benchmarks import content
from tests.conftest import x_server
from tests.support.api import Api
from tests.support.pictures import psnr
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually
from tests.support.xprobe import define_monitor


async def wait_event(conn: display.Display, wanted: int, timeout_s: float = 10) -> Any:
    async with asyncio.timeout(timeout_s):
        while True:
            while conn.pending_events():
                received = conn.next_event()
                if received.type == wanted:
                    return received
            # Wake when the X server writes, without blocking the event loop.
            await asyncio.to_thread(select.select, [conn.fileno()], [], [], 0.5)


async def full_screen_window(conn: display.Display, event_mask: int, background: int = 0) -> Any:
    """A mapped 1280x720 window of the probe's, reporting ``event_mask`` events."""
    screen = conn.screen()
    window = screen.root.create_window(
        0,
        0,
        1280,
        720,
        0,
        screen.root_depth,
        background_pixel=background,
        event_mask=event_mask | X.StructureNotifyMask,
    )
    window.map()
    await wait_event(conn, X.MapNotify)
    return window


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["relay", "direct"])
async def test_session_on_a_real_x_display(
    api: Api, x_display: str, probe: display.Display, path: str
) -> None:
    window = await full_screen_window(probe, X.ButtonPressMask | X.KeyPressMask, 0x00FF00)
    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    probe.sync()

    async with entitled_online_host(
        api, source="x11", display_name=x_display, direct=path == "direct"
    ) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted) as session:
            assert session.path == path
            picture = await session.next_picture(timeout_s=20)
            assert picture.rgb.shape == (720, 1280, 3)
            assert np.abs(picture.rgb[360, 640].astype(int) - (0, 255, 0)).max() < 30

            # Something changes on the host: the viewer sees it.
            window.change_attributes(background_pixel=0x0000FF)
            window.clear_area()
            probe.sync()
            async with asyncio.timeout(10):
                while np.abs(picture.rgb[360, 640].astype(int) - (0, 0, 255)).max() >= 30:
                    picture = await session.next_picture(timeout_s=10)

            # A still screen goes quiet: heartbeats go on, video frames stop (a frame of
            # the change may still be in flight at first, hence a few rounds).
            quiet_rounds = 0
            for _ in range(5):
                frames, beats = session.video_frames, session.stats.heartbeats
                target = beats + 2
                await eventually(lambda: session.stats.heartbeats >= target, 10, "heartbeats")  # noqa: B023
                quiet_rounds = quiet_rounds + 1 if session.video_frames == frames else 0
                if quiet_rounds == 2:
                    break
            assert quiet_rounds == 2, "video frames kept coming from a still screen"

            # A tap from the viewer is a real click on the host, where it was aimed.
            await session.send_input(InputEvent("click", 0.25, 0.5))
            press = await wait_event(probe, X.ButtonPress)
            assert (press.root_x, press.root_y, press.detail) == (320, 360, 1)
            await session.send_input(InputEvent("text", text="a"))
            key = await wait_event(probe, X.KeyPress)
            assert probe.keycode_to_keysym(key.detail, 0) == ord("a")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_held_button_is_released_when_the_session_drops(
    api: Api, x_display: str, probe: display.Display
) -> None:
    await full_screen_window(probe, X.ButtonPressMask | X.ButtonReleaseMask | X.PointerMotionMask)
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted) as session:
            await session.next_picture(timeout_s=20)
            await session.send_input(InputEvent("down", 0.25, 0.25))
            press = await wait_event(probe, X.ButtonPress)
            assert (press.root_x, press.root_y) == (320, 180)
            await session.send_input(InputEvent("move", 0.5, 0.5))
            motion = await wait_event(probe, X.MotionNotify)
            assert motion.state & X.Button1Mask  # dragging with the button held
        # The viewer went away mid-drag: the agent lets go of the button by itself.
        release = await wait_event(probe, X.ButtonRelease)
        assert release.detail == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_viewer_picks_a_monitor(api: Api) -> None:
    with x_server(2560, 720) as name:
        conn = display.Display(name)
        try:
            define_monitor(conn, "LEFT", 0, 0, 1280, 720, primary=True)
            define_monitor(conn, "RIGHT", 1280, 0, 1280, 720, primary=False)
            root = conn.screen().root
            gc = root.create_gc(foreground=0x0000FF)
            root.fill_rectangle(gc, 0, 0, 1280, 720)
            gc.change(foreground=0xFF0000)
            root.fill_rectangle(gc, 1280, 0, 1280, 720)
            window = await full_screen_window(conn, X.ButtonPressMask)
            window.configure(x=0, y=0, width=2560, height=720)
            conn.sync()  # the window is wide before any click (a buffered request is not)
            async with entitled_online_host(api, source="x11", display_name=name) as host:
                granted = await open_session(api, host)
                async with ViewerSession(api.url, granted) as session:
                    screens = await session.wait_screens(20)
                    assert [m.name for m in screens.monitors] == ["LEFT", "RIGHT", "All monitors"]
                    assert screens.current == "1"
                    await session.select_monitor("2")
                    await session.wait_screens(20, current="2")
                    await session.send_input(InputEvent("click", 0.5, 0.5))
                    press = await wait_event(conn, X.ButtonPress)
                    assert (press.root_x, press.root_y) == (1280 + 640, 360)
                    await session.select_monitor("all")
                    await session.wait_screens(20, current="all")
                    shapes = [(await session.next_picture(20)).rgb.shape for _ in range(1)]
                    for _ in range(30):  # frames of the previous monitor may be in flight
                        if shapes[-1] == (720, 2560, 3):
                            break
                        shapes.append((await session.next_picture(20)).rgb.shape)
                    assert shapes[-1] == (720, 2560, 3)
        finally:
            conn.close()


def play_colours(name: str, count: int, fps: float) -> None:
    """A changing screen: ``count`` pictures at ``fps``, each painted in strips as video
    players and toolkits do (so changes keep arriving while the agent grabs)."""
    conn = display.Display(name)
    try:
        root = conn.screen().root
        gc = root.create_gc()
        start = time.monotonic()
        for n in range(count):
            for strip in range(16):
                gc.change(foreground=(n * 0x0A1B2C + strip * 0x050505) & 0xFFFFFF)
                root.fill_rectangle(gc, 0, strip * 45, 1280, 45)
                conn.flush()
            conn.sync()
            wait = start + (n + 1) / fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # pacing the content, not synchronising the test
    finally:
        conn.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_changing_screen_streams_at_its_own_pace(api: Api, x_display: str) -> None:
    """Changes that keep coming are all seen, not only when something else nudges the
    agent: a grab's X round trip reads DAMAGE reports off the socket, out of sight of
    the watch on it."""
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted) as session:
            await session.next_picture(timeout_s=20)
            before = session.video_frames
            await asyncio.to_thread(play_colours, x_display, 60, 30.0)  # 2 s at 30 fps
            assert session.video_frames - before >= 30, "most changes were not streamed"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_settled_desktop_is_crisp_on_the_viewer_and_a_keystroke_is_small(
    api: Api, x_display: str
) -> None:
    """A desktop of coloured text appears at once (a change of the whole screen, coded as
    motion), then is refined on the viewer to at least 45 dB of the host's pixels; one
    character typed after that costs under a kilobyte of video."""
    screen = await asyncio.to_thread(content.Screen, x_display)
    try:
        screen.show(Image.new("RGB", (content.WIDTH, content.HEIGHT), (40, 40, 40)))
        screen.conn.sync()
        async with entitled_online_host(api, source="x11", display_name=x_display) as host:
            granted = await open_session(api, host)
            async with ViewerSession(api.url, granted) as session:
                await session.next_picture(timeout_s=20)
                stream = host.sessions.live[0].stream
                background = content.desktop().convert("RGB")
                screen.show(background)
                screen.conn.sync()
                wanted = np.asarray(background)
                seen = 0.0
                async with asyncio.timeout(20):
                    while (seen := psnr((await session.next_picture(10)).rgb, wanted)) < 45:
                        pass
                assert stream.coded.get(Pass.CHANGE, 0) >= 1, stream.coded
                assert stream.coded.get(Pass.REFINE, 0) >= 1, "refined, not sent crisp at once"
                assert seen >= 45

                text = content.TypedText()
                line, chars = text.locate(1)
                strip = text.render_line(line, chars, True)
                before = stream.video_bytes
                screen.show(strip, *text.line_origin(line))
                screen.conn.sync()
                background.paste(strip, text.line_origin(line))
                wanted = np.asarray(background)
                async with asyncio.timeout(20):
                    while psnr((await session.next_picture(10)).rgb, wanted) < 45:
                        pass
                assert stream.video_bytes - before <= 1000
    finally:
        screen.close()


@contextlib.asynccontextmanager
async def grey_window_session(
    api: Api, x_display: str, probe: display.Display
) -> AsyncIterator[tuple[Any, queue.Queue[Picture], ViewerSession, Any]]:
    """A full-screen grey window on the host and a live session showing it: the window,
    the pictures as the viewer gets them, the session, and the agent's video stream."""
    window = await full_screen_window(probe, 0, 0x404040)
    pictures: queue.Queue[Picture] = queue.Queue()
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        async with ViewerSession(api.url, granted, on_picture=pictures.put) as session:
            await session.next_picture(timeout_s=20)
            yield window, pictures, session, host.sessions.live[0].stream


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_change_of_one_colour_is_shown_exactly_before_its_frame(
    api: Api, x_display: str, probe: display.Display
) -> None:
    """A window cleared to a colour, and a rectangle filled on it, reach the viewer as
    fills: exactly the host's colour where it changed, the rest untouched, and the H.264
    frame of the same change after it (once the screen was still a while), not instead."""
    async with grey_window_session(api, x_display, probe) as (window, pictures, _, stream):

        async def next_filled() -> tuple[Picture, Picture]:
            """The next filled picture and the decoded one that follows it."""
            async with asyncio.timeout(20):
                while not (filled := await asyncio.to_thread(pictures.get, True, 20)).filled:
                    pass
                while (after := await asyncio.to_thread(pictures.get, True, 20)).filled:
                    pass
            return filled, after

        while not pictures.empty():
            pictures.get_nowait()
        window.change_attributes(background_pixel=0xFF8000)
        window.clear_area()
        probe.sync()
        filled, after = await next_filled()
        assert (filled.rgb == (255, 128, 0)).all()
        assert np.abs(after.rgb.astype(int) - (255, 128, 0)).max() < 8

        gc = window.create_gc(foreground=0x0080FF)
        window.fill_rectangle(gc, 100, 50, 200, 100)
        probe.sync()
        filled, after = await next_filled()
        assert (filled.rgb[50:150, 100:300] == (0, 128, 255)).all()
        outside = filled.rgb.copy()
        outside[50:150, 100:300] = (255, 128, 0)
        assert np.abs(outside.astype(int) - (255, 128, 0)).max() < 8
        assert np.abs(after.rgb[52:148, 102:298].astype(int) - (0, 128, 255)).max() < 8
        assert stream.fills >= 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_viewer_that_does_not_paint_fills_gets_the_change_as_video(
    api: Api, x_display: str, probe: display.Display, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer from before FILL frames would end the session on the first one: its
    heartbeats do not say it paints them, and the agent sends it H.264 alone."""
    monkeypatch.setattr(viewer_session, "PAINTS_FILLS", False)
    async with grey_window_session(api, x_display, probe) as (window, pictures, session, stream):
        window.change_attributes(background_pixel=0xFF8000)
        window.clear_area()
        probe.sync()
        async with asyncio.timeout(20):
            while True:
                picture = await asyncio.to_thread(pictures.get, True, 20)
                assert not picture.filled
                if np.abs(picture.rgb.astype(int) - (255, 128, 0)).max() < 8:
                    break
        assert stream.fills == 0 and session.state == "live"

"""``porthole demo``: the cloud and an enrolled demo computer on this machine, one process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import platformdirs

from app.agent.enroll import enroll
from app.agent.state import AgentState, AgentStore, NotEnrolled
from app.agent.wiring import agent_sessions, control_link
from app.cloud.server import bind, build_server
from app.cloud.settings import Settings

DEMO_EMAIL = "demo@porthole.example"
# Only ever used against the demo's own local database.
DEMO_PASSWORD = "porthole-demo"


def demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("porthole", appauthor=False)) / "demo"


def run_demo(*, port: int, with_viewer: bool) -> int:
    if with_viewer and not _has_a_screen():
        print(
            "No screen here ($DISPLAY and $WAYLAND_DISPLAY are unset): running the cloud and "
            "the demo computer without the viewer. Use the API below, or run the viewer "
            "where there is a screen: porthole --cloud URL.",
            flush=True,
        )
        with_viewer = False
    if not with_viewer:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_demo(port))
        return 0
    return _demo_with_viewer(port)


def _has_a_screen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return True  # a platform chosen on purpose (offscreen in tests), or always a screen
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _demo_with_viewer(port: int) -> int:
    """Cloud and agent on a thread of their own, the viewer (Qt) on the main thread,
    signed in to the demo account; closing the viewer ends the demo."""
    from app.viewer.main import ViewerOptions, run_viewer

    ready = threading.Event()
    started: dict[str, Any] = {}

    def up(url: str) -> None:
        started["url"] = url
        ready.set()

    def serve() -> None:
        async def main() -> None:
            started["loop"] = asyncio.get_running_loop()
            started["stop"] = stop = asyncio.Event()
            await _demo(port, on_ready=up, stop=stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # shown by the main thread
            started["error"] = exc
        finally:
            ready.set()

    thread = threading.Thread(target=serve, name="demo-cloud", daemon=True)
    thread.start()
    ready.wait(120)
    if "url" not in started:
        raise RuntimeError(f"the demo did not start: {started.get('error')!r}")
    try:
        return run_viewer(
            ViewerOptions(cloud=started["url"], email=DEMO_EMAIL, password=DEMO_PASSWORD)
        )
    finally:
        started["loop"].call_soon_threadsafe(started["stop"].set)
        thread.join(30)


async def _demo(
    port: int,
    *,
    on_ready: Callable[[str], object] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    root = demo_dir()
    # The demo is the one place the payment sandbox is on by itself: nothing is real here.
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{root / 'cloud.db'}",
        payment_provider="sandbox",
        mail_dir=root / "mail",
    )
    sock = bind("127.0.0.1", port)
    server = build_server(settings, sock)
    serving = await server.serve_until_ready(sock)
    try:
        store = AgentStore(root / "agent")
        state, token = await _demo_agent(store, server.url)
        key = store.session_key()
        sessions = agent_sessions(state, token, key)
        link = control_link(state, token, sessions, key)
        linking = asyncio.create_task(link.run_forever())
        async with asyncio.timeout(15):
            await link.connected.wait()
        print(
            f"\nPorthole demo is running.\n"
            f"  Web portal:     {server.url}/#/computers\n"
            f"  API docs:       {server.url}/api/v1/docs\n"
            f"  Demo account:   {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"  Demo computer:  '{state.name}' online ({state.computer_id})\n"
            f"  Mail it sends:  {settings.mail_dir} (password-reset and verification links)\n"
            f"Press Ctrl+C to stop.",
            flush=True,
        )
        if on_ready is not None:
            on_ready(server.url)
        stopping = asyncio.ensure_future((stop or asyncio.Event()).wait())
        await asyncio.wait({serving, linking, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            if task is not serving:
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def _demo_agent(store: AgentStore, url: str) -> tuple[AgentState, str]:
    """The demo account and its enrolled computer, made on first run and kept after."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        created = await client.post(
            "/api/v1/accounts", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
    if created.status_code not in (201, 409):
        raise RuntimeError(f"could not create the demo account: {created.text}")
    try:
        return store.load()
    except NotEnrolled:
        await enroll(store, url, "Demo computer", email=DEMO_EMAIL, password=DEMO_PASSWORD)
        return store.load()

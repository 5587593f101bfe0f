"""The session log: who opened a session to which computer, from which device and
address, when, for how long, by which path and how it ended; only the account's own, and
an agent can only report on its own computer's sessions."""

from __future__ import annotations

import platform
from dataclasses import replace
from typing import Any

from app.protocol import SessionReport
from app.viewer.core.session import ViewerSession
from tests.support.api import Api, User
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually_async


async def history(api: Api, user: User) -> list[dict[str, Any]]:
    answer = await api.http.get("/api/v1/sessions/history", headers=user.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_sessions_are_logged_with_who_where_how_long_and_the_path(api: Api) -> None:
    async with entitled_online_host(api, direct=True) as host:
        for expected_path in ("direct", "relay"):
            granted = await open_session(api, host)
            if expected_path == "relay":
                granted = replace(granted, direct_urls=())
            async with ViewerSession(api.url, granted) as session:
                assert session.path == expected_path
                await session.next_picture(timeout_s=20)

                async def running() -> bool:
                    [latest, *_] = await history(api, host.user)
                    return bool(latest["outcome"] == "running")

                await eventually_async(running, 20, "the start to be logged")

            async def ended() -> bool:
                [latest, *_] = await history(api, host.user)
                return bool(latest["outcome"] == "ended")

            await eventually_async(ended, 20, "the end to be logged")
        entries = await history(api, host.user)
        assert [entry["path"] for entry in entries] == ["relay", "direct"]  # newest first
        for entry in entries:
            assert entry["computer_name"] == "Studio"
            assert entry["device_name"] == platform.node()[:100]
            assert entry["address"] == "127.0.0.1"
            assert entry["duration_s"] is not None and entry["duration_s"] >= 0
            assert entry["started_at"] >= entry["granted_at"]
        # Another account sees nothing of it.
        stranger = await api.sign_up()
        assert await history(api, stranger) == []


async def test_an_agent_reports_only_on_its_own_sessions(api: Api) -> None:
    async with (
        entitled_online_host(api, joins=False) as host,
        entitled_online_host(api, joins=False) as intruder,
    ):
        granted = await open_session(api, host)
        its_own = await open_session(api, intruder)
        # Another computer's agent (its link genuine) claims the session ended, then
        # reports on a session of its own; one link's messages are handled in order.
        intruder.sessions.on_report(SessionReport(session_id=granted.session_id, event="ended"))
        intruder.sessions.on_report(
            SessionReport(session_id=its_own.session_id, event="started", path="relay")
        )

        async def own_report_seen() -> bool:
            [entry] = await history(api, intruder.user)
            return bool(entry["outcome"] == "running")

        await eventually_async(own_report_seen, 20, "the intruder's own report")
        [entry] = await history(api, host.user)
        assert entry["outcome"] == "granted" and entry["ended_at"] is None

"""File transfer through a real session (cloud, agent, the viewer core): a file sent to
the computer's Downloads folder and one fetched from its home both go on after the
connection is dropped halfway, from where they stopped; the home is browsed, nothing
outside it is reached, and a cancelled transfer leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.protocol.files import CHUNK_BYTES
from app.viewer.core.backoff import Backoff
from app.viewer.core.session import SessionGrant, ViewerSession
from tests.support.api import Api
from tests.support.proxy import DroppingProxy
from tests.support.sessions import Host, entitled_online_host, open_session
from tests.support.transfers import DropHalfway, agent_port, through
from tests.support.waiting import eventually

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SIZE = 24 * CHUNK_BYTES + 1234  # 6 MB and a bit: many chunks, several progress reports


@on_sqlite
async def test_a_file_each_way_goes_on_after_a_dropped_connection(api: Api, tmp_path: Path) -> None:
    home, device = tmp_path / "home", tmp_path / "device"
    (home / "Documents").mkdir(parents=True)
    device.mkdir()
    on_host = os.urandom(SIZE)
    (home / "Documents" / "film.bin").write_bytes(on_host)
    on_device = os.urandom(SIZE)
    (device / "photo.bin").write_bytes(on_device)
    async with entitled_online_host(api, direct=True, home=home) as host:
        first = await open_session(api, host)
        async with DroppingProxy(agent_port(first)) as proxy:
            drop = DropHalfway(proxy)

            async def renew() -> SessionGrant:
                return through(proxy, await open_session(api, host, first.viewer_key))

            async with ViewerSession(
                api.url,
                through(proxy, first),
                renew=renew,
                backoff=Backoff(first_s=0.05, cap_s=0.2),
                downloads=device / "Downloads",
                on_transfer=drop,
            ) as session:
                sent = await session.transfers.send_file(device / "photo.bin")
                await eventually(lambda: sent.state == "done", 30, "the file sent")
                assert sent.number in drop.dropped and session.reconnects >= 1
                assert sent.starts[0] == 0 and sent.starts[-1] >= SIZE // 2  # not from 0
                assert sent.remote == "Downloads/photo.bin"
                assert (home / "Downloads" / "photo.bin").read_bytes() == on_device
                assert [p.name for p in (home / "Downloads").iterdir()] == ["photo.bin"]

                fetched = await session.transfers.fetch("Documents/film.bin", SIZE)
                await eventually(lambda: fetched.state == "done", 30, "the file fetched")
                assert fetched.number in drop.dropped and session.reconnects >= 2
                assert fetched.starts[0] == 0 and fetched.starts[-1] >= SIZE // 2
                assert fetched.local == device / "Downloads" / "film.bin"
                assert fetched.local.read_bytes() == on_host
                assert [p.name for p in fetched.local.parent.iterdir()] == ["film.bin"]


@contextlib.asynccontextmanager
async def viewer_of(api: Api, host: Host, downloads: Path) -> AsyncIterator[ViewerSession]:
    grant = await open_session(api, host)
    async with ViewerSession(api.url, grant, downloads=downloads) as session:
        yield session


@on_sqlite
async def test_the_home_is_browsed_and_nothing_outside_it_is_reached(
    api: Api, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    (home / "notes.txt").write_text("hello")
    (home / "escape").symlink_to(tmp_path)  # a link out of the home
    (tmp_path / "secret.txt").write_text("not for sessions")
    async with (
        entitled_online_host(api, home=home) as host,
        viewer_of(api, host, tmp_path / "device") as session,
    ):
        listing = await session.transfers.list_folder("", 20)
        assert [(e.name, e.folder) for e in listing.entries] == [
            ("Pictures", True),
            ("escape", True),
            ("notes.txt", False),
        ]
        assert listing.entries[2].size == 5 and not listing.error
        for outside in ("..", "escape", "/etc"):
            refused = await session.transfers.list_folder(outside, 20)
            assert refused.entries == () and "home folder" in refused.error
        stolen = await session.transfers.fetch("escape/secret.txt", 16)
        await eventually(lambda: stolen.finished, 20, "the refusal")
        assert stolen.state == "failed" and "home folder" in stolen.error
        assert not (tmp_path / "device" / "secret.txt").exists()


@on_sqlite
async def test_a_cancelled_transfer_leaves_nothing_behind(api: Api, tmp_path: Path) -> None:
    home, device = tmp_path / "home", tmp_path / "device"
    home.mkdir()
    device.mkdir()
    (device / "big.bin").write_bytes(os.urandom(SIZE))
    async with (
        entitled_online_host(api, home=home) as host,
        viewer_of(api, host, device) as session,
    ):
        sent = await session.transfers.send_file(device / "big.bin")
        await eventually(lambda: sent.done > 0, 20, "the first bytes written")
        await session.transfers.cancel(sent)
        assert sent.state == "cancelled"
        # The agent forgot the part: a listing (after the cancel, in order) shows none.
        await eventually(
            lambda: not any((home / "Downloads").iterdir()), 20, "the part to be removed"
        )
        listing = await session.transfers.list_folder("Downloads", 20)
        assert listing.entries == ()

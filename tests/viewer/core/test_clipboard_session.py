"""Clipboard sharing through a real session (cloud, agent on a real X server, the viewer
core), with xclip standing for the host's applications: a copy on either side is pasted
on the other, the setting stops it both ways, and a copy too large stays where it was."""

from __future__ import annotations

import pytest

from app.protocol.clipboard import MAX_TEXT_BYTES, Clip, ClipTooLarge
from app.viewer.core.session import ViewerSession
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually, eventually_async
from tests.support.xclip import copy_in_another_app, png, xclip


async def host_pastes(x_display: str, expected: bytes, *type_: str) -> None:
    async def pasted() -> bool:
        try:
            return await xclip(x_display, "-o", *type_) == expected
        except AssertionError:  # nothing owns the clipboard yet
            return False

    await eventually_async(pasted, 20, f"the host to paste {len(expected)} bytes")


async def heartbeats(session: ViewerSession, count: int) -> None:
    """Until ``count`` more heartbeats were answered: all the agent had before is done."""
    target = session.stats.heartbeats + count
    await eventually(lambda: session.stats.heartbeats >= target, 10, "heartbeats")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_clipboard_is_shared_both_ways(api: Api, x_display: str) -> None:
    async with entitled_online_host(api, source="x11", display_name=x_display) as host:
        granted = await open_session(api, host)
        arrived: list[Clip] = []
        async with ViewerSession(api.url, granted, on_clipboard=arrived.append) as session:
            # Copied on the tablet before the agent said it takes copies: it goes then.
            await session.copied_here(Clip.text("from the tablet ✓"))
            await host_pastes(x_display, "from the tablet ✓".encode())

            # Copied on the host: on the tablet's clipboard, and not sent back.
            await copy_in_another_app(x_display, b"from the host")
            await eventually(lambda: bool(arrived), 20, "the host's copy")
            assert arrived == [Clip.text("from the host")]
            await session.copied_here(Clip.text("from the host"))  # Qt reports it back

            # An image, larger than one X request: both ways, byte for byte.
            image = png(600, 400)
            await session.copied_here(Clip.image(image))
            await host_pastes(x_display, image, "-t", "image/png")
            other = png(300, 200)
            await copy_in_another_app(x_display, other, "-t", "image/png")
            await eventually(lambda: arrived[-1] == Clip.image(other), 20, "the host's image")

            # Too large: refused here, with the sizes to say so.
            with pytest.raises(ClipTooLarge):
                await session.copied_here(Clip.text("x" * (MAX_TEXT_BYTES + 1)))

            # Turned off: neither side's copies cross.
            await session.share_clipboard(False)
            await heartbeats(session, 1)  # the agent heard it
            await copy_in_another_app(x_display, b"secret on the host")
            await session.copied_here(Clip.text("secret on the tablet"))
            await heartbeats(session, 2)
            assert arrived[-1] == Clip.image(other)
            assert await xclip(x_display, "-o") == b"secret on the host"

            # On again: the next copy crosses.
            await session.share_clipboard(True)
            await host_pastes(x_display, b"secret on the tablet")  # the latest copy here
            await copy_in_another_app(x_display, b"after")
            await eventually(lambda: arrived[-1] == Clip.text("after"), 20, "the next copy")
    assert sum(clip == Clip.text("from the host") for clip in arrived) == 1

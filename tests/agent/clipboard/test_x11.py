"""The X11 clipboard against a real X server and another real clipboard client (xclip):
what an application copies is heard, and what the viewer copied is what it pastes, large
images included (INCR transfers both ways)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.agent.clipboard.x11 import CHUNK_BYTES, X11Clipboard
from app.protocol.clipboard import Clip, ClipKind
from tests.support.waiting import eventually
from tests.support.xclip import copy_in_another_app, png, xclip


class Watched:
    """The clipboard with its events handled on the loop, as a session does."""

    def __init__(self, clipboard: X11Clipboard) -> None:
        self.clipboard = clipboard
        self.copied: list[Clip] = []

    def pump(self) -> None:
        self.copied.extend(self.clipboard.changes())


@pytest.fixture
async def watched(x_display: str) -> AsyncIterator[Watched]:
    clipboard = X11Clipboard(x_display)
    watched = Watched(clipboard)
    loop = asyncio.get_running_loop()
    fd = clipboard.watch_fd()
    assert fd is not None
    loop.add_reader(fd, watched.pump)
    try:
        yield watched
    finally:
        loop.remove_reader(fd)
        clipboard.close()


async def test_a_copied_text_is_heard(watched: Watched, x_display: str) -> None:
    await copy_in_another_app(x_display, "Grüße from the host".encode())
    await eventually(lambda: bool(watched.copied), 10, "the copy to be heard")
    assert watched.copied[-1] == Clip.text("Grüße from the host")


async def test_a_copied_image_is_heard_whole(watched: Watched, x_display: str) -> None:
    image = png(700, 500)  # about 1 MB: more than one X request carries
    assert len(image) > 4 * CHUNK_BYTES
    await copy_in_another_app(x_display, image, "-t", "image/png")
    await eventually(lambda: bool(watched.copied), 10, "the image to be heard")
    assert watched.copied[-1] == Clip.image(image)


async def test_what_the_viewer_copied_is_pasted(watched: Watched, x_display: str) -> None:
    watched.clipboard.put(Clip.text("from the tablet ✓"))
    assert (await xclip(x_display, "-o")).decode() == "from the tablet ✓"
    # Its targets say what it is; Latin-1 text is offered too, for old applications.
    targets = (await xclip(x_display, "-o", "-t", "TARGETS")).decode().split()
    assert {"UTF8_STRING", "STRING", "TARGETS"} <= set(targets)
    assert await xclip(x_display, "-o", "-t", "STRING") == b"from the tablet ?"
    # Our own copy is not reported back as one of the computer's.
    watched.pump()
    assert watched.copied == []


async def test_a_large_image_is_pasted_in_chunks(watched: Watched, x_display: str) -> None:
    image = png(700, 500)
    watched.clipboard.put(Clip.image(image))
    assert await xclip(x_display, "-o", "-t", "image/png") == image
    with pytest.raises(AssertionError, match="target STRING not available"):
        await xclip(x_display, "-o")  # an image is not offered as text


async def test_a_copy_elsewhere_takes_over(watched: Watched, x_display: str) -> None:
    watched.clipboard.put(Clip.text("ours"))
    assert (await xclip(x_display, "-o")).decode() == "ours"
    await copy_in_another_app(x_display, b"theirs")
    await eventually(lambda: bool(watched.copied), 10, "the new copy")
    assert watched.copied[-1].kind == ClipKind.TEXT
    assert (await xclip(x_display, "-o")).decode() == "theirs"

"""The clipboard through the platform's commands (here xclip, as on an X11 desktop without
XFixes events; pbpaste/pbcopy and PowerShell run the same code on macOS and Windows):
a copy made by another application is seen once, what was there before is not a copy,
and what the viewer copied is what is pasted."""

from __future__ import annotations

import asyncio

from app.agent.clipboard.command import CommandClipboard
from app.protocol.clipboard import PNG_SIGNATURE, Clip
from tests.support.waiting import eventually_async
from tests.support.xclip import copy_in_another_app, xclip


def xclip_clipboard(x_display: str) -> CommandClipboard:
    base = ["xclip", "-display", x_display, "-selection", "clipboard"]
    return CommandClipboard([*base, "-o"], [*base, "-i"])


async def copied(x_display: str, data: bytes) -> None:
    """Another application copied ``data``, and owns the clipboard (xclip serves it from
    a process of its own, which takes the selection a moment after it started)."""
    await copy_in_another_app(x_display, data)

    async def owned() -> bool:
        try:
            return await xclip(x_display, "-o") == data
        except AssertionError:
            return False

    await eventually_async(owned, 10, "xclip to own the clipboard")


async def test_copies_are_seen_once_and_puts_are_pasted(x_display: str) -> None:
    await copied(x_display, b"there before the session")
    clipboard = await asyncio.to_thread(xclip_clipboard, x_display)
    assert await asyncio.to_thread(clipboard.changes) == []  # not a copy of this session

    await copied(x_display, "copié sur l'ordinateur".encode())
    assert await asyncio.to_thread(clipboard.changes) == [Clip.text("copié sur l'ordinateur")]
    assert await asyncio.to_thread(clipboard.changes) == []

    await asyncio.to_thread(clipboard.put, Clip.text("from the tablet"))
    assert await xclip(x_display, "-o") == b"from the tablet"
    assert await asyncio.to_thread(clipboard.changes) == []  # ours, not sent back

    await asyncio.to_thread(clipboard.put, Clip.image(PNG_SIGNATURE + b"..."))
    assert await xclip(x_display, "-o") == b"from the tablet"  # text only: left as it was

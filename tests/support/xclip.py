"""xclip, another real clipboard client on the test X server: it copies as an application
does (and serves its copy in the background), and pastes what another owner holds."""

from __future__ import annotations

import asyncio
import io
import shutil

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REQUIRE_XVFB


def _command() -> str:
    """xclip's path; skips the test where it is missing (fails where X tests must run:
    scripts/install-system-packages installs it with Xvfb)."""
    found = shutil.which("xclip")
    if found is None:
        if REQUIRE_XVFB:
            pytest.fail("xclip is required for this run (apt-get install xclip)")
        pytest.skip("xclip is not installed")
    return found


async def xclip(x_display: str, *args: str, data: bytes = b"") -> bytes:
    """xclip on the CLIPBOARD selection: pasting (-o) waits for our answer on the loop."""
    process = await asyncio.create_subprocess_exec(
        _command(),
        "-display",
        x_display,
        "-selection",
        "clipboard",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(data), 20)
    assert process.returncode == 0, err.decode()
    return out


async def copy_in_another_app(x_display: str, data: bytes, *type_: str) -> None:
    """xclip takes the selection and serves it in the background until another copy
    takes over (or the X server ends), so nothing waits on its output."""
    process = await asyncio.create_subprocess_exec(
        *(_command(), "-display", x_display, "-selection", "clipboard", "-i", *type_),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.wait_for(process.communicate(data), 20)
    assert process.returncode == 0


def png(width: int, height: int) -> bytes:
    noise = np.random.default_rng(7).integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "PNG")
    return out.getvalue()

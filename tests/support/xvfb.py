"""A throw-away X server (Xvfb, from Debian) for X11 capture and input tests."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


class XvfbUnavailable(Exception):
    pass


@contextmanager
def xvfb(width: int = 1280, height: int = 720) -> Iterator[str]:
    """The display name (":N") of a fresh Xvfb, stopped afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbUnavailable("Xvfb not found: install the xvfb Debian package")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [
            binary,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
            # Otherwise the server resets whenever its last client leaves, and a client
            # connecting during the reset is refused.
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        # Xvfb writes its display number once it accepts clients: no guessing, no sleeping.
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
        if not number:
            raise XvfbUnavailable("Xvfb did not start")
        yield f":{number}"
    finally:
        os.close(read_fd)
        process.terminate()
        process.wait(10)

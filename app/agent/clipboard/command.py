"""The clipboard where no event reports a copy, through the platform's own commands:
``pbpaste``/``pbcopy`` on macOS, PowerShell's ``Get-Clipboard``/``Set-Clipboard`` on
Windows, ``wl-paste``/``wl-copy`` on Wayland, ``xclip`` elsewhere on X11. It is read now
and then (the session asks on a worker thread: a command takes milliseconds, PowerShell
much more) and text only; what it held when the session started is not a copy."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

from app.protocol.clipboard import MAX_TEXT_BYTES, Clip, ClipKind

log = logging.getLogger(__name__)
#: A command that has not answered by then is left, and asked again at the next look.
COMMAND_TIMEOUT_S = 3.0


class CommandClipboard:
    def __init__(self, read: list[str], write: list[str]) -> None:
        self._read, self._write = read, write
        self._last: str | None = self._paste()

    def watch_fd(self) -> int | None:
        return None

    def changes(self) -> list[Clip]:
        text = self._paste()
        if text is None or text == self._last:
            return []
        self._last = text
        return [Clip.text(text)] if text else []

    def put(self, clip: Clip) -> None:
        if clip.kind != ClipKind.TEXT:
            return  # the commands carry text only
        text = clip.as_text()
        try:
            subprocess.run(
                self._write,
                input=text.encode("utf-8"),
                timeout=COMMAND_TIMEOUT_S,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("the clipboard could not be set: %s", exc)
            return
        self._last = text  # ours: not a copy to send back

    def close(self) -> None:
        pass

    def _paste(self) -> str | None:
        try:
            done = subprocess.run(
                self._read, capture_output=True, timeout=COMMAND_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.debug("the clipboard could not be read: %s", exc)
            return None
        if done.returncode != 0:
            return ""  # empty, or holding something that is not text
        return done.stdout[: MAX_TEXT_BYTES + 1].decode("utf-8", "replace")


def platform_clipboard(display_name: str | None = None) -> CommandClipboard | None:
    """This platform's clipboard commands, where they are installed (None: no clipboard)."""
    if sys.platform == "darwin":
        commands = (["pbpaste"], ["pbcopy"])
    elif sys.platform == "win32":
        shell = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
        commands = (
            [*shell, "Get-Clipboard -Raw"],
            [*shell, "$input | Set-Clipboard"],
        )
    elif os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-paste"):
        commands = (["wl-paste", "--no-newline"], ["wl-copy"])
    elif shutil.which("xclip"):
        display = ["-display", display_name] if display_name else []
        commands = (
            ["xclip", *display, "-selection", "clipboard", "-o"],
            ["xclip", *display, "-selection", "clipboard", "-i"],
        )
    else:
        return None
    if shutil.which(commands[0][0]) is None:
        return None
    return CommandClipboard(*commands)

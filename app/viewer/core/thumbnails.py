"""A small picture of each computer's screen as this viewer last saw it (the end of its
last session), for the Computers list: kept in the viewer's folder, readable by this
user only (it shows what was on that screen, at a size where text is not legible)."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

log = logging.getLogger(__name__)
THUMBNAIL_SIZE = (192, 108)


class ThumbnailStore:
    def __init__(self, config_dir: Path) -> None:
        self.folder = config_dir / "thumbnails"

    def path(self, computer_id: str) -> Path | None:
        """The computer's thumbnail, if a session left one."""
        found = self.folder / f"{_safe(computer_id)}.png"
        return found if found.is_file() else None

    def save(self, computer_id: str, rgb: npt.NDArray[np.uint8]) -> Path | None:
        """Keep a thumbnail of this picture (height, width, 3) for the computer; None
        when it cannot be written (a thumbnail is not worth an error)."""
        image = Image.fromarray(rgb)
        image.thumbnail(THUMBNAIL_SIZE)
        target = self.folder / f"{_safe(computer_id)}.png"
        partial = target.with_suffix(".tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
                image.save(out, "PNG")
            os.replace(partial, target)
        except OSError as exc:
            log.info("no thumbnail kept (%s)", exc)
            with contextlib.suppress(OSError):
                partial.unlink()
            return None
        return target

    def forget(self, computer_id: str) -> None:
        with contextlib.suppress(OSError):
            (self.folder / f"{_safe(computer_id)}.png").unlink()


def _safe(computer_id: str) -> str:
    return "".join(c for c in computer_id if c.isalnum() or c in "-_")[:100] or "computer"

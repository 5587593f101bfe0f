"""The person's files on this computer, as sessions may reach them: their home folder and
nothing outside it, files received into its Downloads folder.

A file being received is written beside its final place under a hidden name that holds
the viewer's transfer key (``.name.porthole-KEY.part``), so that a transfer that was cut
goes on from the bytes already there, and a half-received file is never taken for a
whole one. It gets its name (``name (2).ext`` when taken) only once complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.protocol.files import MAX_ENTRIES, MAX_FILE_BYTES, DirEntry, DirListing, FailCode

#: Parts of files never completed are removed after this long.
PART_LIFETIME_S = 7 * 24 * 3600
#: Room left free on the disk after a file is received.
SPARE_BYTES = 64 * 1024 * 1024


class FileRefused(Exception):
    """A transfer or listing this computer will not do; ``code`` as in FileFailed."""

    def __init__(self, code: FailCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HomeFiles:
    def __init__(self, home: Path | None = None) -> None:
        self.home = (home or Path.home()).resolve()

    @property
    def downloads(self) -> Path:
        return self.home / "Downloads"

    def resolve(self, path: str) -> Path:
        """``path`` (relative to the home folder, ``/`` between names) as a real path,
        symbolic links followed; :exc:`FileRefused` if it leads outside the home."""
        if "\0" in path or Path(path).is_absolute():
            raise FileRefused("refused", "Only files in your home folder can be reached.")
        real = (self.home / path).resolve()
        if real != self.home and self.home not in real.parents:
            raise FileRefused("refused", "Only files in your home folder can be reached.")
        return real

    def relative(self, real: Path) -> str:
        relative = real.relative_to(self.home).as_posix()
        return "" if relative == "." else relative

    def listing(self, path: str) -> DirListing:
        try:
            folder = self.resolve(path)
            with os.scandir(folder) as found:
                entries = [_entry(item) for item in found]
        except FileRefused as exc:
            return DirListing(path=path, error=exc.message)
        except FileNotFoundError:
            return DirListing(path=path, error="That folder is not there any more.")
        except NotADirectoryError:
            return DirListing(path=path, error="That is a file, not a folder.")
        except OSError as exc:
            return DirListing(path=path, error=f"That folder cannot be read ({exc.strerror}).")
        listed = sorted((e for e in entries if e is not None), key=lambda e: (not e.folder, e.name))
        return DirListing(
            path=path,  # as asked: the viewer matches the answer to its question
            entries=tuple(listed[:MAX_ENTRIES]),
            truncated=len(listed) > MAX_ENTRIES,
        )

    def receive(self, name: str, size: int, key: str) -> Receiving:
        """Where a file sent by the viewer goes, with what was already received of it."""
        if not _plain_name(name) or not key.isalnum():
            raise FileRefused("refused", "That file name cannot be used on this computer.")
        if size > MAX_FILE_BYTES:
            raise FileRefused("too_large", "That file is larger than a transfer may be.")
        self.downloads.mkdir(parents=True, exist_ok=True)
        self._forget_old_parts()
        part = self.downloads / f".{name}.porthole-{key}.part"
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if shutil.disk_usage(self.downloads).free < size - have + SPARE_BYTES:
            raise FileRefused("no_space", "There is not enough room on the computer's disk.")
        return Receiving(self, part, name, size, open(part, "ab"))

    def send(self, path: str, offset: int) -> Sending:
        """A file of the home folder for the viewer, from ``offset``."""
        real = self.resolve(path)
        try:
            source = open(real, "rb")  # noqa: SIM115
        except FileNotFoundError:
            raise FileRefused("not_found", "That file is not there any more.") from None
        except IsADirectoryError:
            raise FileRefused("refused", "That is a folder, not a file.") from None
        except OSError as exc:
            raise FileRefused("io_error", f"That file cannot be read ({exc.strerror}).") from None
        size = os.fstat(source.fileno()).st_size
        if offset > size:
            source.close()
            raise FileRefused("bad_offset", "That file changed since it was fetched in part.")
        source.seek(offset)
        return Sending(source, size, offset)

    def _forget_old_parts(self) -> None:
        cutoff = time.time() - PART_LIFETIME_S
        for part in self.downloads.glob(".*.porthole-*.part"):
            with contextlib.suppress(OSError):
                if part.stat().st_mtime < cutoff:
                    part.unlink()


@dataclass
class Receiving:
    files: HomeFiles
    part: Path
    name: str
    size: int
    out: BinaryIO

    @property
    def offset(self) -> int:
        return self.out.tell()

    def write(self, offset: int, data: bytes) -> None:
        if offset != self.offset or offset + len(data) > self.size:
            raise FileRefused("bad_offset", "A piece of the file came out of order.")
        try:
            self.out.write(data)
        except OSError as exc:
            raise FileRefused("io_error", f"The file cannot be written ({exc.strerror}).") from None

    @property
    def complete(self) -> bool:
        return self.offset == self.size

    def finish(self) -> str:
        """The complete file under its own name (a free one); its path in the home."""
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        final = _free_name(self.files.downloads, self.name)
        os.replace(self.part, final)
        return self.files.relative(final)

    def keep(self) -> None:
        """The connection dropped: what was received stays, for the transfer to go on."""
        self.out.close()

    def discard(self) -> None:
        self.out.close()
        with contextlib.suppress(OSError):
            self.part.unlink()


@dataclass
class Sending:
    source: BinaryIO
    size: int
    offset: int

    def read(self, limit: int) -> bytes:
        data = self.source.read(limit)
        self.offset += len(data)
        return data

    def close(self) -> None:
        self.source.close()


def _plain_name(name: str) -> bool:
    return (
        name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
        and len(name.encode("utf-8", "surrogatepass")) <= 200
    )


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def _entry(item: os.DirEntry[str]) -> DirEntry | None:
    if item.name.endswith(".part") and ".porthole-" in item.name:
        return None  # a file still arriving
    try:
        item.name.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a name that is not text (no way to ask for it back either)
    try:
        folder = item.is_dir()
        stat = item.stat()
    except OSError:
        return None  # vanished, or a broken link
    name = item.name[:255]
    return DirEntry(
        name=name,
        folder=folder,
        size=0 if folder else min(stat.st_size, MAX_FILE_BYTES),
        modified=max(0, int(stat.st_mtime)),
    )

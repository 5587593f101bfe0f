"""Grabs the X server writes straight into one of a few shared-memory slots, handed on
without a copy.

``mss`` has one MIT-SHM segment and copies each grab out of it into a new bytearray,
since the next grab overwrites it: 1.4-1.6 ms for a cold 1080p grab, as long as the X
server takes to write it. Here the X server writes each grab into a free slot of a larger
segment instead (XShmGetImage takes an offset), and the grab is the slot itself, as a
ctypes array over it: any numpy view of it keeps that array alive, so a slot is free
again only once nothing holds its last grab (the comparison's previous grab, the grab the
encoder codes, the refiner's). When all slots are held the caller copies, as before.

This uses ``mss``'s own xcb connection and bindings (``mss.linux.xcb``): it is opened
only where ``mss`` grabs with XShmGetImage, and any failure turns it off for good."""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import weakref
from typing import Any

#: Grabs held at once at most: the previous one (compared with), one waiting for the
#: encoder, one being encoded, the refiner's; a fifth is copied.
SLOTS = 4

Slot = ctypes.Array[ctypes.c_char]


class ShmRing:
    def __init__(self, impl: Any, xcb: Any, slot_bytes: int) -> None:
        self._impl, self._xcb, self._slot_bytes = impl, xcb, slot_bytes
        fd = os.memfd_create("porthole-grabs", flags=os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, slot_bytes * SLOTS)
            self._map = mmap.mmap(fd, slot_bytes * SLOTS)
        except OSError:
            os.close(fd)
            raise
        self._segment = xcb.ShmSeg(xcb.generate_id(impl.conn).value)
        xcb.shm_attach_fd(impl.conn, self._segment, fd, read_only=False)  # xcb closes fd
        self._held: list[weakref.ref[Slot] | None] = [None] * SLOTS
        self.broken = False

    @classmethod
    def open(cls, screenshots: Any) -> ShmRing | None:
        """A ring beside an ``mss.MSS`` object, or None where it grabs another way."""
        impl: Any = getattr(screenshots, "_impl", None)
        if type(impl).__name__ != "MSSImplXShmGetImage" or not hasattr(os, "memfd_create"):
            return None
        try:
            from mss.linux import xcb

            screen = impl.pref_screen
            return cls(impl, xcb, screen.width_in_pixels * screen.height_in_pixels * 4)
        except Exception:  # (anything mss does not offer: copy, as before)
            return None

    def grab(self, left: int, top: int, width: int, height: int) -> Slot | None:
        """The rectangle in a free slot (32-bit pixels, packed rows), or None: no slot
        is free, it does not fit, or the X server refused (the ring is then broken)."""
        size = width * height * 4
        index = next((i for i, held in enumerate(self._held) if held is None or not held()), -1)
        if self.broken or index < 0 or size > self._slot_bytes:
            return None
        impl, xcb = self._impl, self._xcb
        try:
            reply = xcb.shm_get_image(
                impl.conn,
                impl.drawable,
                left,
                top,
                width,
                height,
                0xFFFFFFFF,
                xcb.ImageFormat.ZPixmap,
                self._segment,
                index * self._slot_bytes,
            )
        except Exception:  # (an X error: the screen changed size, mostly)
            self.broken = True
            return None
        if (reply.depth, _number(reply.visual)) != (
            impl.drawable_depth,
            _number(impl.drawable_visual_id),
        ):
            self.broken = True
            return None
        slot = (ctypes.c_char * size).from_buffer(self._map, index * self._slot_bytes)
        self._held[index] = weakref.ref(slot)
        return slot

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._impl.conn is not None:
                self._xcb.shm_detach(self._impl.conn, self._segment)
        # A grab still held keeps the mapping: it goes when the last one does.
        with contextlib.suppress(BufferError):
            self._map.close()


def _number(value: Any) -> int:
    """An xcb id as an int (the bindings hand out ctypes values)."""
    return int(getattr(value, "value", value))

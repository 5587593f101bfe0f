"""Keeping the memory of video frames mapped between frames (glibc only).

Every frame, FFmpeg and numpy allocate a few megabytes (a grabbed screen, its YUV
conversion, a decoded picture in RGB). glibc serves blocks that large with a fresh
``mmap`` and unmaps them when freed, so each frame touches new pages: about 900 page
faults for one 1280x720 BGRA image, which cost 2-3 ms a frame on a virtual machine (more
than x264's own encoding of a screen change). Raising the mmap threshold to glibc's
ceiling (32 MiB) serves them from the heap instead, and a high trim threshold keeps
the heap's free pages mapped for the next frame: no faults once warm, for a heap that
holds a few frames' worth of memory more."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# From glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
TRIM_THRESHOLD_BYTES = 128 * 1024 * 1024

_done = False


def keep_frame_memory_mapped() -> bool:
    """Tune glibc's allocator for per-frame buffers, once per process; False where the
    allocator is not glibc's (musl, Windows, macOS), which then keeps its own policy."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):  # no libc by that name, or one without mallopt
        mallopt = None
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 on success. Setting either threshold also turns off glibc's
    # dynamic threshold, which would otherwise move back after a large free.
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    return _done

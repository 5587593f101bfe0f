"""libx264 driven directly (ctypes), for what FFmpeg's wrapper does not let a caller do:
choose the quantiser of each frame and read back its PSNR.

Desktop pictures need both. A still desktop must end up visually lossless, so its frames
are coded at a fine quantiser the agent picks; left to itself, x264's rate control lets the
quantiser drift on a still picture and re-codes the whole screen at random moments, which
is why one keystroke could cost 5-25 kB. Motion is left to x264's rate control (CRF), and
the PSNR x264 measures tells whether the picture it left behind needs a refinement pass.

The library is the one PyAV ships (its wheels bundle libx264), else the system's. Only the
builds whose structure layout this module knows are used (164 and 165); ``load`` raises
``X264Unavailable`` otherwise, and the caller falls back to PyAV's encoder. The parameter
structure is treated as opaque (set through ``x264_param_parse``) except for the width,
height and colour space at the head of it, which have not moved since build 153, and two
fields no option sets (the log callback, the macroblock hints), each found and checked
against what ``x264_param_parse`` writes around it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import struct
from dataclasses import dataclass
from functools import cache

import av
import numpy as np
import numpy.typing as npt

KNOWN_BUILDS = (165, 164)
CSP_I444 = 0x000C
MBINFO_CONSTANT = 1
TYPE_AUTO, TYPE_IDR, TYPE_I = 0x0000, 0x0001, 0x0002
#: Room for the parameter structure (about 1 kB in build 165) and its future growth.
PARAM_BYTES = 16 * 1024
#: Offsets of i_width, i_height and i_csp in x264_param_t (after seven 32-bit fields).
WIDTH_AT, HEIGHT_AT, CSP_AT = 28, 32, 36


#: x264's log callback: (private, level, format, va_list). Messages are dropped: x264
#: measures PSNR only at log level "info", which would otherwise print to stderr.
_LOG_CALLBACK = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p
)
_silent = _LOG_CALLBACK(lambda private, level, message, arguments: None)
LOG_INFO = 2


class X264Unavailable(RuntimeError):
    """No libx264 of a known build: the caller uses PyAV's encoder instead."""


class _Image(ctypes.Structure):
    _fields_ = [
        ("i_csp", ctypes.c_int),
        ("i_plane", ctypes.c_int),
        ("i_stride", ctypes.c_int * 4),
        ("plane", ctypes.c_void_p * 4),
    ]


class _Properties(ctypes.Structure):
    _fields_ = [
        ("quant_offsets", ctypes.c_void_p),
        ("quant_offsets_free", ctypes.c_void_p),
        ("mb_info", ctypes.c_void_p),
        ("mb_info_free", ctypes.c_void_p),
        ("f_ssim", ctypes.c_double),
        ("f_psnr_avg", ctypes.c_double),
        ("f_psnr", ctypes.c_double * 3),
        ("f_crf_avg", ctypes.c_double),
    ]


class _Picture(ctypes.Structure):
    # The fields up to ``prop`` are the same in builds 164 and 165; what follows (timecodes
    # in 164, HRD timing, user SEI, opaque) is covered by the padding x264 may write into.
    _fields_ = [
        ("i_type", ctypes.c_int),
        ("i_qpplus1", ctypes.c_int),
        ("i_pic_struct", ctypes.c_int),
        ("b_keyframe", ctypes.c_int),
        ("i_pts", ctypes.c_int64),
        ("i_dts", ctypes.c_int64),
        ("param", ctypes.c_void_p),
        ("img", _Image),
        ("prop", _Properties),
        ("_rest", ctypes.c_uint8 * 512),
    ]


class _Nal(ctypes.Structure):
    _fields_ = [
        ("i_ref_idc", ctypes.c_int),
        ("i_type", ctypes.c_int),
        ("b_long_startcode", ctypes.c_int),
        ("i_first_mb", ctypes.c_int),
        ("i_last_mb", ctypes.c_int),
        ("i_payload", ctypes.c_int),
        ("p_payload", ctypes.c_void_p),
        ("i_padding", ctypes.c_int),
    ]


@dataclass(frozen=True)
class _Library:
    dll: ctypes.CDLL
    build: int
    path: str
    #: Where x264_param_t holds i_log_level, found by looking (None: not found, and PSNR
    #: is not measured: x264 would print).
    log_level_at: int | None
    #: Where it holds analyse.b_mb_info, found from the layout and checked against the
    #: fields around it (None: not sure, and no macroblock hints are given).
    mb_info_at: int | None


def _candidates() -> list[str]:
    """The copy PyAV's FFmpeg already loaded (Linux: from the process's memory map, which
    also finds it in a PyInstaller bundle), PyAV's bundled copy, then the system's."""
    package = os.path.dirname(av.__file__)
    found: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            found += sorted({line.split()[-1] for line in maps if "libx264" in line})
    except OSError:
        pass  # not Linux
    for pattern in ("../av.libs/libx264*", ".dylibs/libx264*", "../av.libs/x264*.dll"):
        found += sorted(glob.glob(os.path.join(package, pattern)))
    system = ctypes.util.find_library("x264")
    if system:
        found.append(system)
    return found


@cache
def load() -> _Library:
    for path in _candidates():
        try:
            dll = ctypes.CDLL(path)
        except OSError:
            continue
        for build in KNOWN_BUILDS:
            if hasattr(dll, f"x264_encoder_open_{build}"):
                _declare(dll, build)
                log_level_at = _find_log_level(dll)
                mb_info_at = _find_mb_info(dll, log_level_at)
                return _Library(dll, build, path, log_level_at, mb_info_at)
    raise X264Unavailable("no libx264 of build " + " or ".join(map(str, KNOWN_BUILDS)))


def _defaults(dll: ctypes.CDLL, *option: bytes) -> bytes:
    """The preset's parameter structure, with one option (name, value) set if given."""
    param = ctypes.create_string_buffer(PARAM_BYTES)
    dll.x264_param_default_preset(param, b"ultrafast", b"zerolatency")
    if option:
        dll.x264_param_parse(param, *option)
    return param.raw


def _changed_int(dll: ctypes.CDLL, name: bytes, value: bytes) -> list[int]:
    """The offsets of the 32-bit fields that ``x264_param_parse(name, value)`` changes."""
    before, after = _defaults(dll), _defaults(dll, name, value)
    return sorted({at - at % 4 for at in range(len(before)) if before[at] != after[at]})


def _find_log_level(dll: ctypes.CDLL) -> int | None:
    """The offset of i_log_level: the one int the "log" option changes, preceded by pf_log
    (set by default) and p_log_private (NULL), as x264.h lays them out."""
    changed = _changed_int(dll, b"log", b"3")
    if len(changed) != 1 or changed[0] < 16:
        return None
    at = changed[0]
    log_function, private = struct.unpack_from("<QQ", _defaults(dll), at - 16)
    return at if log_function and not private else None


def _find_mb_info(dll: ctypes.CDLL, log_level_at: int | None) -> int | None:
    """analyse.b_mb_info, which no option sets: x264.h puts ``analyse`` 16 bytes after
    i_log_level (b_full_recon, then the dump file's pointer), b_mb_info 84 bytes into it,
    between b_psy (80) and the luma deadzones (92, 96), with i_me_range at 32 and b_psnr
    at 100. The offset is trusted only if those four land where x264 writes them."""
    if log_level_at is None:
        return None
    analyse = log_level_at + 16
    checks = (
        (b"merange", b"7", analyse + 32),
        (b"psy", b"0", analyse + 80),
        (b"deadzone-inter", b"3", analyse + 92),
        (b"psnr", b"1", analyse + 100),
    )
    for name, value, at in checks:
        if _changed_int(dll, name, value) != [at]:
            return None
    return analyse + 84


def _declare(dll: ctypes.CDLL, build: int) -> None:
    open_ = getattr(dll, f"x264_encoder_open_{build}")
    open_.restype = ctypes.c_void_p
    open_.argtypes = [ctypes.c_void_p]
    dll.x264_param_default_preset.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    dll.x264_param_parse.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    dll.x264_param_apply_profile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    dll.x264_picture_init.argtypes = [ctypes.c_void_p]
    dll.x264_encoder_encode.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.POINTER(_Nal)),
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(_Picture),
        ctypes.POINTER(_Picture),
    ]
    dll.x264_encoder_reconfig.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    dll.x264_encoder_close.argtypes = [ctypes.c_void_p]


@dataclass(frozen=True)
class Coded:
    data: bytes  # one access unit, Annex B
    keyframe: bool
    #: Of the reconstruction against the input, as x264 measured it (YUV); None: not measured.
    psnr_db: float | None


class X264:
    """One libx264 encoder for 8-bit 4:4:4 pictures (planes in, access units out)."""

    #: Set once x264 opened one (an __init__ that failed before leaves nothing to close).
    _handle: int | None = None

    def __init__(self, width: int, height: int, options: dict[str, str]) -> None:
        library = load()
        self._dll = library.dll
        self._param = ctypes.create_string_buffer(PARAM_BYTES)
        if self._dll.x264_param_default_preset(self._param, b"ultrafast", b"zerolatency"):
            raise X264Unavailable("x264 refused its own preset")
        for at, number in ((WIDTH_AT, width), (HEIGHT_AT, height), (CSP_AT, CSP_I444)):
            ctypes.c_int.from_buffer(self._param, at).value = number
        for name, value in options.items():
            self._set(name, value)
        #: Whether each picture may say which macroblocks did not change (x264 then codes
        #: them as skipped without examining them: 1080p with one character typed, about
        #: 7 ms less to encode).
        self.takes_hints = library.mb_info_at is not None
        if library.mb_info_at is not None:
            ctypes.c_int.from_buffer(self._param, library.mb_info_at).value = 1
        self.measures_psnr = False
        if library.log_level_at is not None and options.get("psnr") == "1":
            # Our silent callback in pf_log, then level "info", where x264 measures PSNR.
            at = library.log_level_at
            ctypes.c_void_p.from_buffer(self._param, at - 16).value = ctypes.cast(
                _silent, ctypes.c_void_p
            ).value
            ctypes.c_int.from_buffer(self._param, at).value = LOG_INFO
            self.measures_psnr = True
        if self._dll.x264_param_apply_profile(self._param, b"high444"):
            raise X264Unavailable("x264 refused the High 4:4:4 profile")
        open_ = getattr(self._dll, f"x264_encoder_open_{library.build}")
        self._handle = open_(self._param)
        if not self._handle:
            raise X264Unavailable(f"x264 would not open a {width}x{height} encoder")
        self._in, self._out = _Picture(), _Picture()
        self._nals = ctypes.POINTER(_Nal)()
        self._count = ctypes.c_int()

    def _set(self, name: str, value: str) -> None:
        if self._dll.x264_param_parse(self._param, name.encode(), value.encode()):
            raise ValueError(f"x264 does not take {name}={value}")

    def reconfigure(self, options: dict[str, str]) -> None:
        """Changes x264 allows mid-stream (the CRF, the motion search), from the next
        frame on, without a keyframe."""
        for name, value in options.items():
            self._set(name, value)
        self._dll.x264_encoder_reconfig(self._handle, self._param)

    def encode(
        self,
        planes: tuple[tuple[int, int], ...],
        pts: int,
        *,
        qp: int | None = None,
        picture_type: int = TYPE_AUTO,
        unchanged: npt.NDArray[np.uint8] | None = None,
    ) -> Coded | None:
        """One picture, given as (address, stride) of its Y, U and V planes (they must stay
        alive for the call). ``qp``: this frame's quantiser; None: x264's rate control.
        ``unchanged``: one byte per macroblock in raster order, MBINFO_CONSTANT where the
        picture is exactly as in the previous one (only if ``takes_hints``)."""
        picture = self._in
        self._dll.x264_picture_init(ctypes.byref(picture))
        picture.img.i_csp, picture.img.i_plane = CSP_I444, len(planes)
        for index, (address, stride) in enumerate(planes):
            picture.img.plane[index] = address
            picture.img.i_stride[index] = stride
        picture.i_pts = pts
        picture.i_type = picture_type
        picture.i_qpplus1 = 0 if qp is None else qp + 1
        if unchanged is not None and self.takes_hints:
            picture.prop.mb_info = unchanged.ctypes.data
        size = self._dll.x264_encoder_encode(
            self._handle,
            ctypes.byref(self._nals),
            ctypes.byref(self._count),
            ctypes.byref(picture),
            ctypes.byref(self._out),
        )
        if size < 0:
            raise RuntimeError("x264 failed to encode a picture")
        if size == 0:
            return None
        # All the NAL units of a picture are contiguous, from the first one's payload.
        data = ctypes.string_at(self._nals[0].p_payload, size)
        psnr = float(self._out.prop.f_psnr_avg) if self.measures_psnr else 0.0
        return Coded(data, bool(self._out.b_keyframe), psnr if psnr > 0 else None)

    def close(self) -> None:
        if self._handle:
            self._dll.x264_encoder_close(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

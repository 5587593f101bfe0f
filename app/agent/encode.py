"""H.264 for desktops: High 4:4:4 (full-resolution colour, so coloured text stays sharp),
libx264 at ultrafast + zerolatency, no B-frames, keyframes only on request, Annex B access
units out, and each frame coded the way ``app.agent.refine`` decides: fine for small
changes and refinements, by x264's rate control for motion.

Why 4:4:4: at 1280x720 on a desktop of coloured text, CRF 23 in 4:2:0 reconstructs at
37.9 dB RGB PSNR, in 4:4:4 at 46.7 dB for 10 % more bytes; chroma subsampling, not the
quantiser, was what smeared text. FFmpeg's H.264 decoder decodes High 4:4:4 Predictive.

libx264 is driven directly (``app.agent.x264``) for the per-frame quantiser; where that
library is not available, PyAV's encoder codes every frame by rate control (still 4:4:4).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

from app.agent import x264
from app.agent.capture.base import Box, PixelFormat
from app.agent.refine import MotionBudget, Pass, RefineSettings
from app.video_memory import keep_frame_memory_mapped

log = logging.getLogger(__name__)
PIX_FMT = "yuv444p"
#: Motion search. Quick (ultrafast's diamond) for one change; wide (uneven multi-hexagon)
#: for changes that keep coming: it finds a scroll of more than a few pixels, so scrolling
#: costs 46 % less, while on a one-off full-screen change it would add 4 ms at 1080p.
QUICK_SEARCH = {"me": "dia", "merange": "16"}
WIDE_SEARCH = {"me": "umh", "merange": "32"}
#: The bitrate from which keyframes and refinements are coded at the settled quantiser;
#: below it (a slow link), coarser (``link_settled_qp``), never coarser than the last.
FULL_QUALITY_KBPS = 6000
MAX_SETTLED_QP = 30
#: A session's first picture (the link not measured yet): about a fifth of the bytes of
#: QP 12, refined to the settled quantiser as soon as the screen is still.
PREVIEW_QP = 24
#: Passes coded from a fresh grab, whose unchanged macroblocks x264 is told about (not the
#: refinements: they re-code the same picture where it is still lossy).
HINTED = (Pass.FINE, Pass.CHANGE, Pass.MOTION)


@dataclass(frozen=True)
class EncodedFrame:
    data: bytes  # one H.264 access unit, Annex B
    keyframe: bool
    #: How it was coded, and x264's PSNR of it (None where PyAV's encoder was used).
    coded_as: Pass = Pass.MOTION
    psnr_db: float | None = None


def vbv_options(bitrate_kbps: int) -> dict[str, str]:
    """PyAV's encoder (no refinement): constant quality capped by a small VBV, which keeps
    frames even-sized with room for a keyframe."""
    return {
        "vbv-maxrate": str(bitrate_kbps),
        "vbv-bufsize": str(max(bitrate_kbps // 4, 200)),
    }


class H264Encoder:
    def __init__(
        self,
        width: int,
        height: int,
        *,
        fps: int = 60,
        bitrate_kbps: int = 6000,
        refine: RefineSettings | None = None,
        preview: bool = False,
    ) -> None:
        # Each frame allocates megabytes (the grab's copy, its YUV conversion): without
        # this, every one of them is page-faulted in afresh.
        keep_frame_memory_mapped()
        self.width, self.height = width - width % 2, height - height % 2
        self.fps = fps
        self.settings = refine or RefineSettings()
        self._reformatter = VideoReformatter()
        self._want_keyframe = True
        #: The first keyframe is a preview (coded coarser, refined once the screen is
        #: still): the link is not known yet, and a fine one of a busy screen takes seconds
        #: to cross a slow one.
        self._preview = preview
        self._last_pts = -1
        self.budget = MotionBudget(bitrate_kbps)
        self._searching = QUICK_SEARCH
        self._x264: x264.X264 | None = None
        self._av: av.video.codeccontext.VideoCodecContext | None = None
        try:
            self._x264 = x264.X264(self.width, self.height, self._x264_options())
        except x264.X264Unavailable as exc:
            log.warning("%s: every frame is coded by rate control (no refinement)", exc)
            self._av = self._open_av(bitrate_kbps)

    @property
    def refines(self) -> bool:
        """Whether frames can be coded at a chosen quantiser (libx264 driven directly)."""
        return self._x264 is not None

    def _x264_options(self) -> dict[str, str]:
        # No "slices": zerolatency slices each frame over x264's threads, one per thread,
        # so the viewer decodes them in parallel too.
        return {
            "fps": str(self.fps),
            "keyint": "infinite",  # keyframes when asked, not on a timer
            "bframes": "0",
            "annexb": "1",
            "repeat-headers": "1",
            **QUICK_SEARCH,
            "psnr": "1",  # x264 measures each frame: it tells when a refinement fell short
            "log": "-1",
            # Motion at constant quality, held within the bitrate by MotionBudget.
            "crf": str(self.budget.base_crf),
        }

    def _open_av(self, bitrate_kbps: int) -> av.video.codeccontext.VideoCodecContext:
        codec = av.CodecContext.create("libx264", "w")
        codec.width, codec.height = self.width, self.height
        codec.pix_fmt = PIX_FMT
        codec.time_base = Fraction(1, self.fps)
        codec.framerate = Fraction(self.fps, 1)
        codec.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "bframes": "0",
            "g": "600",
            "crf": "23",
            "x264-params": ":".join(
                [f"{k}={v}" for k, v in vbv_options(bitrate_kbps).items()]
                + ["repeat-headers=1", "annexb=1", "slices=4"]
            ),
        }
        codec.open()
        return codec

    def _search(self, search: dict[str, str]) -> None:
        """The motion search for this frame (x264 takes it from the next frame on)."""
        if self._x264 is not None and search is not self._searching:
            self._x264.reconfigure(search)
            self._searching = search

    def set_bitrate(self, bitrate_kbps: int) -> None:
        """A new cap for motion, from the next frame on, without a keyframe (libx264 only;
        PyAV's encoder keeps its cap)."""
        self.budget.set_cap(bitrate_kbps)

    def link_fell_behind(self, now: float) -> None:
        """A frame could not be sent at once: less bitrate for motion, from now on."""
        self._use_crf(self.budget.fell_behind(now))

    def link_kept_up(self, now: float) -> None:
        self.budget.kept_up(now)

    def _use_crf(self, crf: float | None) -> None:
        if crf is not None and self._x264 is not None:
            self._x264.reconfigure({"crf": str(crf)})

    def link_settled_qp(self) -> int:
        """The quantiser of keyframes and refinements: the settled one, or on a slow link
        (the viewer measured one: the cap is below the stream's full bitrate) a coarser
        one, 6 steps (half the bytes) for each halving of the bitrate, so that a whole
        picture crosses the link in about the time it takes on a fast one. A busy 720p
        picture at QP 12 is ~700 kB: 3 s at 2 Mbit/s, in which nothing else gets through."""
        settled = self.settings.settled_qp
        cap = self.budget.cap_kbps
        if cap >= FULL_QUALITY_KBPS:
            return settled
        return min(MAX_SETTLED_QP, settled + round(6 * math.log2(FULL_QUALITY_KBPS / cap)))

    def request_keyframe(self) -> None:
        self._want_keyframe = True

    def encode(
        self,
        image: npt.NDArray[np.uint8],
        pts_us: int,
        pixel_format: PixelFormat = "rgb24",
        coded_as: Pass = Pass.MOTION,
        changed: Box | None = None,
    ) -> list[EncodedFrame]:
        """One captured image in (RGB, or BGRA as grabbed); it is scaled to the encoder's
        size if it differs (the viewer asked for a smaller stream), in the same swscale pass
        as the colour conversion, whose context is kept from frame to frame. ``changed``:
        where it differs from the previous image (None: anywhere)."""
        # The grab wrapped as it is, not copied (a 720p BGRA copy is 0.4-0.5 ms): swscale
        # reads it once, into the new YUV frame, before this returns.
        source = av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(image), format=pixel_format)
        frame = self._reformatter.reformat(
            source, width=self.width, height=self.height, format=PIX_FMT, threads=2
        )  # two threads: 1920x1080 BGRA to 4:4:4 in 1.5 ms instead of 2
        if self._want_keyframe:
            coded_as, self._want_keyframe = Pass.KEYFRAME, False
        # x264's clock ticks at the frame rate: real spacing, for its rate control.
        pts = max(self._last_pts + 1, pts_us * self.fps // 1_000_000)
        self._last_pts = pts
        if self._x264 is None:
            return self._encode_av(frame, pts, coded_as)
        if coded_as is Pass.KEYFRAME and self._preview:
            coded_as, self._preview = Pass.PREVIEW, False
        fine, settled = self.settings.fine_qp, self.link_settled_qp()
        qp, picture_type = {
            Pass.PREVIEW: (max(settled, PREVIEW_QP), x264.TYPE_IDR),
            Pass.KEYFRAME: (settled, x264.TYPE_IDR),
            Pass.REFINE_INTRA: (settled, x264.TYPE_I),
            Pass.REFINE: (settled, x264.TYPE_AUTO),
            Pass.FINE: (fine, x264.TYPE_AUTO),
            Pass.CHANGE: (None, x264.TYPE_AUTO),
            Pass.MOTION: (None, x264.TYPE_AUTO),
        }[coded_as]
        self._search(WIDE_SEARCH if coded_as is Pass.MOTION else QUICK_SEARCH)
        planes = tuple((plane.buffer_ptr, plane.line_size) for plane in frame.planes)
        unchanged = None
        same_size = image.shape[1] == self.width and image.shape[0] == self.height
        if changed is not None and same_size and coded_as in HINTED:
            unchanged = self._unchanged(changed)
        coded = self._x264.encode(
            planes, pts, qp=qp, picture_type=picture_type, unchanged=unchanged
        )
        if coded is None:
            return []
        if coded_as in (Pass.CHANGE, Pass.MOTION):
            self._use_crf(self.budget.coded(len(coded.data), pts_us / 1_000_000))
        return [EncodedFrame(coded.data, coded.keyframe, coded_as, coded.psnr_db)]

    def _unchanged(self, changed: Box) -> npt.NDArray[np.uint8]:
        """x264's hint: every macroblock but those the change touches (and a margin of one,
        which costs nothing and keeps x264's neighbour-based decisions on safe ground) is
        exactly as in the previous picture."""
        rows, columns = -(-self.height // 16), -(-self.width // 16)
        hints = np.full((rows, columns), x264.MBINFO_CONSTANT, np.uint8)
        top, left = max(0, changed.y // 16 - 1), max(0, changed.x // 16 - 1)
        bottom = min(rows, -(-(changed.y + changed.height) // 16) + 1)
        right = min(columns, -(-(changed.x + changed.width) // 16) + 1)
        hints[top:bottom, left:right] = 0
        return hints

    def _encode_av(self, frame: av.VideoFrame, pts: int, coded_as: Pass) -> list[EncodedFrame]:
        assert self._av is not None
        frame.pts = pts
        if coded_as is Pass.KEYFRAME:
            frame.pict_type = av.video.frame.PictureType.I
        return [
            EncodedFrame(bytes(packet), bool(packet.is_keyframe), coded_as)
            for packet in self._av.encode(frame)
        ]

    def close(self) -> None:
        if self._x264 is not None:
            self._x264.close()

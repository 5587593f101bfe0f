"""H.264 encoding with libx264 for interactive use: ultrafast + zerolatency, no B-frames,
a long GOP with a keyframe on request, and Annex B access units out."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

from app.agent.capture.base import PixelFormat
from app.video_memory import keep_frame_memory_mapped


@dataclass(frozen=True)
class EncodedFrame:
    data: bytes  # one H.264 access unit, Annex B
    keyframe: bool


class H264Encoder:
    def __init__(self, width: int, height: int, *, fps: int = 60, bitrate_kbps: int = 6000) -> None:
        # Each frame allocates megabytes (the grab's copy, its YUV conversion): without
        # this, every one of them is page-faulted in afresh.
        keep_frame_memory_mapped()
        self.width, self.height = width - width % 2, height - height % 2
        self._codec = av.CodecContext.create("libx264", "w")
        self._codec.width, self._codec.height = self.width, self.height
        self._codec.pix_fmt = "yuv420p"
        self._codec.time_base = Fraction(1, 1_000_000)
        # x264 budgets bits per frame from the frame rate: without it, it assumes one
        # frame per time-base tick and starves every frame.
        self._codec.framerate = Fraction(fps, 1)
        # Constant quality, capped: a still desktop stays crisp and cheap, motion is held
        # to the bitrate. A small VBV keeps frames even-sized, with room for a keyframe.
        vbv = max(bitrate_kbps // 4, 200)
        self._codec.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "bframes": "0",
            "g": "600",  # long GOP: keyframes when asked, not on a timer
            "crf": "23",
            "x264-params": (
                f"repeat-headers=1:annexb=1:vbv-maxrate={bitrate_kbps}:vbv-bufsize={vbv}:slices=4"
            ),
        }
        self._codec.open()
        self._want_keyframe = True
        self._reformatter = VideoReformatter()

    def request_keyframe(self) -> None:
        self._want_keyframe = True

    def encode(
        self, image: npt.NDArray[np.uint8], pts_us: int, pixel_format: PixelFormat = "rgb24"
    ) -> list[EncodedFrame]:
        """One captured image in (RGB, or BGRA as grabbed); it is scaled to the encoder's
        size if it differs (the viewer asked for a smaller stream), in the same swscale pass
        as the colour conversion, whose context is kept from frame to frame."""
        # The grab wrapped as it is, not copied (a 720p BGRA copy is 0.4-0.5 ms): swscale
        # reads it once, into the new YUV frame, before this returns.
        source = av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(image), format=pixel_format)
        frame = self._reformatter.reformat(
            source, width=self.width, height=self.height, format="yuv420p"
        )
        frame.pts = pts_us
        if self._want_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
            self._want_keyframe = False
        return [
            EncodedFrame(bytes(packet), bool(packet.is_keyframe))
            for packet in self._codec.encode(frame)
        ]

"""Decoding off the event loop: network → bounded queue → decode thread → newest frame.

Only the newest decoded picture is kept (a viewer shows now, not history). A decode
error or a full queue drops what is queued and asks the agent for a keyframe.

Fills (rectangles of one colour, sent ahead of their H.264 frame) go through the same
queue and thread, so each lands on the picture it follows and under the frame that
follows it."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np
from av.video.codeccontext import VideoCodecContext
from av.video.reformatter import VideoReformatter

from app.protocol.fills import Fill
from app.protocol.frames import Frame
from app.video_memory import keep_frame_memory_mapped

QUEUE_SIZE = 8
#: swscale slices the conversion over this many threads: 1920x1080 from 4:4:4 in 2.7 ms
#: instead of 3.5 (its own default is one thread; more gain little for a picture).
CONVERT_THREADS = 2


@dataclass(frozen=True)
class Picture:
    #: height, width, 3: R, G, B bytes (Qt's RGB888), at the output size if one was set.
    image: np.ndarray
    frame_id: int
    capture_us: int
    decoded_us: int
    #: The remote screen's own size (the stream's), whatever size ``image`` was scaled to.
    source_width: int = 0
    source_height: int = 0
    #: Painted from fills over the previous picture, not decoded.
    filled: bool = False

    @property
    def rgb(self) -> np.ndarray:
        """The pixels as height, width, 3 (R, G, B): the image itself, not a copy."""
        return self.image


def new_decoder() -> VideoCodecContext:
    """An H.264 decoder for live video: each picture out as soon as it is decoded (low
    delay), its slices decoded in parallel."""
    # Each picture and its conversion are megabytes: without this, every one of them is
    # page-faulted in afresh.
    keep_frame_memory_mapped()
    codec = av.CodecContext.create("h264", "r")
    codec.flags |= av.codec.context.Flags.low_delay
    codec.thread_type = "SLICE"
    return codec


def to_image(
    reformatter: VideoReformatter, picture: av.VideoFrame, size: tuple[int, int] | None
) -> np.ndarray:
    """A decoded picture as packed RGB rows (``Picture.image``), scaled to ``size`` (width,
    height) if given, in one swscale pass.

    Keep ``reformatter`` from picture to picture: a fresh swscale context per picture costs
    as much as the conversion itself. Packed RGB, not BGRA: from the 4:4:4 pictures agents
    send, swscale writes 24-bit pixels in half the time of 32-bit ones (1920x1080: 3.4 ms
    against 7), and Qt draws RGB888 at nearly the cost of its native RGB32 (0.7 ms against
    0.6)."""
    width, height = size or (picture.width, picture.height)
    return reformatter.reformat(
        picture,
        width=width,
        height=height,
        format="rgb24",
        interpolation="BILINEAR",
        threads=CONVERT_THREADS,
    ).to_ndarray()


@dataclass(frozen=True)
class FillUpdate:
    """A FILL frame's rectangles, checked by the network side."""

    frame_id: int
    capture_us: int
    fills: list[Fill]


def painted(picture: Picture, update: FillUpdate, now_us: int) -> Picture | None:
    """``picture`` with the fills painted over it: a new picture (the window may be
    drawing the old one), None if a fill reaches past the stream's picture."""
    width, height = picture.source_width, picture.source_height
    if not all(fill.inside(width, height) for fill in update.fills):
        return None
    shown_height, shown_width = picture.image.shape[:2]
    boxes = []
    for fill in update.fills:
        # In the picture's own pixels: it may be scaled to the window.
        left, top = fill.x * shown_width // width, fill.y * shown_height // height
        right = -(-(fill.x + fill.width) * shown_width // width)
        bottom = -(-(fill.y + fill.height) * shown_height // height)
        boxes.append((left, top, right, bottom, fill.rgb))
    if any(box[:4] == (0, 0, shown_width, shown_height) for box in boxes):
        image = np.empty_like(picture.image)  # covered whole: nothing to copy
    else:
        image = picture.image.copy()
    for left, top, right, bottom, rgb in boxes:
        if right > left and bottom > top:
            # One row, then copied down: numpy broadcasting a 3-byte pixel over a
            # 1080p picture directly takes 9 ms, this 0.2.
            image[top, left:right] = rgb
            image[top + 1 : bottom, left:right] = image[top, left:right]
    return Picture(
        image,
        update.frame_id,
        update.capture_us,
        now_us,
        width,
        height,
        filled=True,
    )


class DecodePipeline:
    def __init__(
        self, on_picture: Callable[[Picture], None], on_keyframe_needed: Callable[[str], None]
    ) -> None:
        self._on_picture = on_picture
        self._on_keyframe_needed = on_keyframe_needed
        self._queue: queue.Queue[Frame | FillUpdate | None] = queue.Queue(QUEUE_SIZE)
        #: What was handed on last (by the decode thread, or by ``push`` while it is idle):
        #: fills are painted over it.
        self._last: Picture | None = None
        self._codec = new_decoder()
        self._waiting_for_keyframe = True
        #: Items pushed and not yet finished by the decode thread, under ``_order``: while
        #: none are, the decode thread is idle and a fill is painted where it arrives
        #: (see ``push``), its order among the frames kept.
        self._unfinished = 0
        self._order = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="h264-decode", daemon=True)
        self._thread.start()
        self.decoded = 0
        self.filled = 0
        self.dropped = 0
        # Set from the GUI thread, read here: a tuple is replaced whole, never torn.
        self._output_size: tuple[int, int] | None = None
        self._reformatter = VideoReformatter()

    def set_output_size(self, size: tuple[int, int] | None) -> None:
        """Scale pictures to this (width, height) in the colour conversion, on this
        thread: the window then draws them 1:1 instead of scaling on the GUI thread."""
        self._output_size = size

    def push(self, frame: Frame | FillUpdate) -> None:
        """From the network task; never blocks. A fill arriving while the decode thread
        has nothing to do is painted here and now: handing it over and back would wake
        two threads (1-2 ms of a click's glass-to-glass, most of a fill's own cost)."""
        with self._order:
            idle = self._unfinished == 0
            self._unfinished += 1  # so that anything pushed meanwhile queues behind it
        if idle and isinstance(frame, FillUpdate):
            try:
                self._fill(frame)
            finally:
                self._done()
            return
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self._done()  # this one was not queued
            self._flush()
            self._on_keyframe_needed("decoder fell behind")

    def reset(self) -> None:
        """A new stream is coming (reconnected): drop what is queued, wait for its
        keyframe."""
        self._flush()

    def close(self) -> None:
        self._flush()
        self._queue.put(None)
        self._thread.join(5)

    def _flush(self) -> None:
        while True:
            try:
                if self._queue.get_nowait() is not None:
                    self.dropped += 1
                    self._done()
            except queue.Empty:
                break
        self._waiting_for_keyframe = True

    def _done(self) -> None:
        with self._order:
            self._unfinished -= 1
            if not self._unfinished:
                self._order.notify_all()

    def drained(self, timeout_s: float) -> bool:
        """Until everything pushed is decoded or painted (False: not within timeout_s)."""
        with self._order:
            return self._order.wait_for(lambda: not self._unfinished, timeout_s)

    def _run(self) -> None:
        while (frame := self._queue.get()) is not None:
            try:
                self._process(frame)
            finally:
                self._done()

    def _process(self, frame: Frame | FillUpdate) -> None:
        """One queued item, on the decode thread."""
        if isinstance(frame, FillUpdate):
            self._fill(frame)
            return
        if self._waiting_for_keyframe and not frame.keyframe:
            self.dropped += 1
            return
        self._waiting_for_keyframe = False
        try:
            pictures = self._codec.decode(av.Packet(frame.payload))
        except av.FFmpegError:
            self._waiting_for_keyframe = True
            self._on_keyframe_needed("decode error")
            return
        for picture in pictures:
            self.decoded += 1
            image = to_image(self._reformatter, picture, self._output_size)
            self._hand_on(
                Picture(
                    # Rows padded to the decoder's alignment are a strided view: the
                    # window hands the buffer to Qt as packed rows, so pack them here.
                    np.ascontiguousarray(image),
                    frame.frame_id,
                    frame.capture_us,
                    time.time_ns() // 1000,
                    picture.width,
                    picture.height,
                )
            )

    def _fill(self, update: FillUpdate) -> None:
        if self._waiting_for_keyframe or self._last is None:
            self.dropped += 1  # nothing to paint on: the keyframe will show it
            return
        picture = painted(self._last, update, time.time_ns() // 1000)
        if picture is None:
            self.dropped += 1
            self._waiting_for_keyframe = True
            self._on_keyframe_needed("a fill outside the picture")
            return
        self.filled += 1
        # Stamped once painted, as a decoded picture is once decoded: the paint is this
        # stage's work, not the window's.
        self._hand_on(dataclasses.replace(picture, decoded_us=time.time_ns() // 1000))

    def _hand_on(self, picture: Picture) -> None:
        self._last = picture
        self._on_picture(picture)

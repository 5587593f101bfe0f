"""The decode thread: H.264 pictures, and fills painted over them in the order sent."""

from __future__ import annotations

import queue
import threading

import numpy as np

from app.agent.encode import H264Encoder
from app.protocol.fills import Fill
from app.protocol.frames import Frame, FrameFlags, FrameType
from app.viewer.core.decoder import DecodePipeline, FillUpdate, Picture, painted

WAIT_S = 10


def video_frames(pictures: list[np.ndarray]) -> list[Frame]:
    encoder = H264Encoder(pictures[0].shape[1], pictures[0].shape[0])
    frames: list[Frame] = []
    for n, image in enumerate(pictures):
        for unit in encoder.encode(image, n * 16_000):
            flags = FrameFlags.KEYFRAME if unit.keyframe else FrameFlags.NONE
            frames.append(Frame(FrameType.VIDEO, len(frames) + 1, n, unit.data, flags))
    return frames


class Collected:
    def __init__(self) -> None:
        self.pictures: queue.Queue[Picture] = queue.Queue()
        self.keyframes_asked: list[str] = []
        self.threads: list[str] = []  # where each picture was handed on

    def put(self, picture: Picture) -> None:
        self.threads.append(threading.current_thread().name)
        self.pictures.put(picture)

    def next(self) -> Picture:
        return self.pictures.get(timeout=WAIT_S)


def pipeline() -> tuple[DecodePipeline, Collected]:
    seen = Collected()
    return DecodePipeline(seen.put, seen.keyframes_asked.append), seen


def test_a_fill_lands_exactly_on_the_picture_before_it_and_under_the_frame_after() -> None:
    grey = np.full((144, 256, 3), 90, np.uint8)
    blue = grey.copy()
    blue[16:80, 32:160] = (0, 0, 255)
    first, second = video_frames([grey, blue])
    decoder, seen = pipeline()
    try:
        decoder.push(first)
        assert not seen.next().filled
        decoder.push(FillUpdate(5, 77, [Fill(32, 16, 128, 64, (0, 0, 255))]))
        decoder.push(second)
        filled, decoded = seen.next(), seen.next()
        assert filled.filled and (filled.frame_id, filled.capture_us) == (5, 77)
        assert (filled.rgb[16:80, 32:160] == (0, 0, 255)).all()  # exactly the colour
        outside = filled.rgb.copy()
        outside[16:80, 32:160] = 90
        assert np.abs(outside.astype(int) - 90).max() <= 3  # the rest as it was
        # The H.264 frame of the same change comes after it, and shows it too.
        assert not decoded.filled and decoded.frame_id == second.frame_id
        assert np.abs(decoded.rgb[20:76, 36:156].astype(int) - (0, 0, 255)).max() <= 8
    finally:
        decoder.close()


def test_a_fill_before_any_picture_waits_for_the_keyframe_and_one_outside_asks_for_one() -> None:
    (first,) = video_frames([np.zeros((64, 64, 3), np.uint8)])
    decoder, seen = pipeline()
    try:
        decoder.push(FillUpdate(1, 1, [Fill(0, 0, 8, 8, (1, 2, 3))]))
        decoder.push(first)
        assert not seen.next().filled  # the keyframe, nothing painted before it
        decoder.push(FillUpdate(3, 3, [Fill(60, 0, 8, 8, (1, 2, 3))]))  # past the edge
        decoder.push(first)  # a keyframe again: the stream goes on
        assert not seen.next().filled
        assert seen.keyframes_asked == ["a fill outside the picture"]
        assert decoder.dropped == 2 and decoder.filled == 0
    finally:
        decoder.close()


def test_a_fill_is_scaled_with_a_picture_scaled_to_the_window() -> None:
    shown = Picture(np.zeros((540, 960, 3), np.uint8), 1, 1, 1, 1920, 1080)
    picture = painted(shown, FillUpdate(2, 2, [Fill(960, 540, 960, 540, (9, 8, 7))]), 5)
    assert picture is not None and picture.source_width == 1920
    assert (picture.rgb[270:, 480:] == (9, 8, 7)).all()
    assert not picture.rgb[:270].any() and not picture.rgb[:, :480].any()
    assert not shown.rgb.any()  # the picture the window may be drawing is left alone
    whole = painted(shown, FillUpdate(3, 3, [Fill(0, 0, 1920, 1080, (1, 1, 1))]), 6)
    assert whole is not None and (whole.rgb == 1).all()


def test_a_fill_while_the_decoder_is_idle_is_painted_at_once_and_never_overtakes_a_frame() -> None:
    # A click's change is usually a fill on a still picture: painted on the receiving
    # thread, it reaches the window without waking the decode thread and back.
    grey = np.full((144, 256, 3), 90, np.uint8)
    first, second = video_frames([grey, np.full((144, 256, 3), 200, np.uint8)])
    decoder, seen = pipeline()
    try:
        decoder.push(first)
        seen.next()
        assert decoder.drained(WAIT_S)
        decoder.push(FillUpdate(4, 4, [Fill(0, 0, 16, 16, (255, 0, 0))]))
        at_once = seen.pictures.get_nowait()  # painted before push returned
        assert at_once.filled and seen.threads[-1] == threading.current_thread().name
        # Behind a frame still being decoded, a fill waits for it: pictures keep the
        # order the agent sent them in, wherever they are painted.
        decoder.push(second)
        decoder.push(FillUpdate(6, 6, [Fill(0, 0, 16, 16, (0, 255, 0))]))
        decoded, filled = seen.next(), seen.next()
        assert (decoded.frame_id, filled.frame_id) == (second.frame_id, 6)
        assert (filled.rgb[:16, :16] == (0, 255, 0)).all()
        assert np.abs(filled.rgb[40:, 40:].astype(int) - 200).max() <= 8  # over the frame
        assert decoder.drained(WAIT_S)
    finally:
        decoder.close()

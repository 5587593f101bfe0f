"""The encoder's output is H.264 that a decoder turns back into the picture."""

from __future__ import annotations

import av
import numpy as np

from app.agent.capture.demo import DemoScreen
from app.agent.encode import H264Encoder


def test_keyframe_first_then_small_deltas_and_keyframes_on_request() -> None:
    screen = DemoScreen(1280, 720)
    encoder = H264Encoder(screen.width, screen.height)
    decoder = av.CodecContext.create("h264", "r")

    def roundtrip() -> tuple[bool, int, np.ndarray]:
        captured = screen.grab_if_changed()
        assert captured is not None
        [frame] = encoder.encode(captured.image, captured.capture_us)
        assert frame.data.startswith(b"\x00\x00\x00\x01")  # Annex B
        [picture] = decoder.decode(av.Packet(frame.data))
        return frame.keyframe, len(frame.data), picture.to_ndarray(format="rgb24")

    keyframe, key_size, picture = roundtrip()
    assert keyframe and picture.shape == (720, 1280, 3)
    screen.click(900, 400)
    keyframe, delta_size, picture = roundtrip()
    assert not keyframe and delta_size < key_size / 5
    assert np.abs(picture[400, 900].astype(int) - (220, 40, 60)).max() < 20  # the mark shows
    encoder.request_keyframe()
    screen.type_text("x")
    keyframe, _, _ = roundtrip()
    assert keyframe


def test_bgra_as_grabbed_keeps_its_colours() -> None:
    """X11 and mss grab BGRA; the encoder takes it as it is (one conversion in swscale)."""
    bgra = np.zeros((720, 1280, 4), dtype=np.uint8)
    bgra[..., 2] = 220  # red, in BGRA order
    bgra[:, 640:, 0] = 200  # the right half blue as well: magenta
    encoder = H264Encoder(1280, 720)
    [frame] = encoder.encode(bgra, 0, "bgra")
    decoder = av.CodecContext.create("h264", "r")
    [picture] = decoder.decode(av.Packet(frame.data))
    rgb = picture.to_ndarray(format="rgb24")
    assert np.abs(rgb[360, 320].astype(int) - (220, 0, 0)).max() < 12
    assert np.abs(rgb[360, 960].astype(int) - (220, 0, 200)).max() < 12

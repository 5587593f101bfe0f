"""The encoder's output is H.264 that a decoder turns back into the picture."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from app.agent import x264
from app.agent.capture.base import Box
from app.agent.capture.demo import DemoScreen
from app.agent.encode import EncodedFrame, H264Encoder
from app.agent.refine import Pass, Refiner
from benchmarks.content import HEIGHT, WIDTH, TypedText, desktop
from tests.support.pictures import psnr
from tests.support.screenshots import SCREENSHOTS


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


# -- a desktop of coloured text: refined once still, a keystroke costs what it changes -------


def decode_rgb(decoder: av.VideoCodecContext, frames: list[EncodedFrame]) -> np.ndarray:
    pictures = [p for f in frames for p in decoder.decode(av.Packet(f.data))]
    rgb: np.ndarray = pictures[-1].to_ndarray(format="rgb24")
    return rgb


def save_zoomed(name: str, host: np.ndarray, viewer: np.ndarray, box: tuple[int, ...]) -> None:
    """Host and viewer side by side at 200 %: a crop of text, for eyes to compare."""
    left, top, right, bottom = box
    pair = np.concatenate([host[top:bottom, left:right], viewer[top:bottom, left:right]], axis=1)
    image = Image.fromarray(pair)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.resize((image.width * 2, image.height * 2), Image.Resampling.NEAREST).save(
        SCREENSHOTS / f"{name}.png"
    )


def test_a_still_desktop_is_refined_to_visually_lossless_after_motion() -> None:
    host = np.asarray(desktop().convert("RGB"))
    encoder = H264Encoder(WIDTH, HEIGHT)
    assert encoder.refines, "libx264 is driven directly (PyAV's bundled copy)"
    decoder = av.VideoCodecContext.create("h264", "r")
    refiner = Refiner()
    blank = np.full_like(host, 40)
    decode_rgb(decoder, encoder.encode(blank, 0))  # the first picture: a keyframe
    # The desktop appears at once: a change of the whole screen, coded by rate control.
    coded_as = refiner.frame(1.0, now=1.0)
    assert coded_as is Pass.CHANGE
    frames = encoder.encode(host, 16_000, coded_as=coded_as)
    refiner.coded(coded_as, frames[0].psnr_db)
    during_motion = psnr(decode_rgb(decoder, frames), host)

    passes = 0
    while (owed := refiner.refinement()) is not None and passes < 3:  # at most two owed
        frames = encoder.encode(host, 200_000 + passes * 16_000, coded_as=owed)
        refiner.coded(owed, frames[0].psnr_db)
        viewer = decode_rgb(decoder, frames)
        passes += 1
    settled = psnr(viewer, host)
    save_zoomed("text-200pct-settled", host, viewer, (740, 90, 1240, 200))
    assert settled >= 45.0, f"settled at {settled:.1f} dB (during motion {during_motion:.1f})"
    assert settled > during_motion


def test_one_character_typed_costs_under_a_kilobyte() -> None:
    background = desktop().convert("RGB")
    text = TypedText()
    encoder = H264Encoder(WIDTH, HEIGHT)
    decoder = av.VideoCodecContext.create("h264", "r")
    decode_rgb(decoder, encoder.encode(np.asarray(background), 0))
    sizes = []
    for typed in range(1, 9):
        line, chars = text.locate(typed)
        background.paste(text.render_line(line, chars, True), text.line_origin(line))
        host = np.asarray(background)
        frames = encoder.encode(host, typed * 125_000, coded_as=Pass.FINE)
        sizes.append(sum(len(f.data) for f in frames))
        viewer = decode_rgb(decoder, frames)
    assert max(sizes) <= 1000, sizes
    assert psnr(viewer, host) >= 45.0  # and the text typed is as crisp as the rest


def test_without_a_known_libx264_every_frame_is_coded_by_pyav(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise x264.X264Unavailable("no libx264 of build 165 or 164")

    monkeypatch.setattr(x264.X264, "__init__", unavailable)
    encoder = H264Encoder(WIDTH, HEIGHT)
    assert not encoder.refines
    host = np.asarray(desktop().convert("RGB"))
    decoder = av.VideoCodecContext.create("h264", "r")
    frames = encoder.encode(host, 0)
    assert frames[0].keyframe and frames[0].psnr_db is None
    assert psnr(decode_rgb(decoder, frames), host) >= 42  # 4:4:4 at CRF 23, unrefined


def test_macroblocks_outside_the_change_are_hinted_unchanged_and_the_picture_stays_right() -> None:
    background = desktop().convert("RGB")
    encoder = H264Encoder(WIDTH, HEIGHT)
    decoder = av.VideoCodecContext.create("h264", "r")
    decode_rgb(decoder, encoder.encode(np.asarray(background), 0))
    text = TypedText()
    for typed in range(1, 6):
        line, chars = text.locate(typed)
        strip = text.render_line(line, chars, True)
        x, y = text.line_origin(line)
        background.paste(strip, (x, y))
        host = np.asarray(background)
        box = Box(x, y, strip.width, strip.height)
        frames = encoder.encode(host, typed * 125_000, coded_as=Pass.FINE, changed=box)
        viewer = decode_rgb(decoder, frames)
        region = (slice(y, y + strip.height), slice(x, x + strip.width))
        assert psnr(viewer[region], host[region]) >= 45  # the change itself came through
    assert psnr(viewer, host) >= 45
    hints = encoder._unchanged(Box(100, 40, 10, 10))
    assert hints.shape == (45, 80) and hints[2:4, 6:8].max() == 0 and hints[10, 20] == 1


def test_on_a_slow_link_whole_pictures_are_coded_coarser_and_smaller() -> None:
    screen = DemoScreen(1280, 720)
    captured = screen.render()
    sizes = {}
    for cap_kbps, qp in ((6000, 12), (3000, 18), (1500, 24), (200, 30)):
        encoder = H264Encoder(screen.width, screen.height)
        encoder.set_bitrate(cap_kbps)  # what the viewer measured the link carries
        assert encoder.link_settled_qp() == qp
        [frame] = encoder.encode(captured.image, captured.capture_us)
        assert frame.keyframe
        sizes[cap_kbps] = len(frame.data)
    assert sizes[6000] > sizes[3000] > sizes[1500] > sizes[200]

"""Reproducible screen content for the bandwidth comparison: four scenes played on an X
display (Xvfb, 1280x720 or 1920x1080) in one full-screen override-redirect window.

- ``still``: a desktop (panel, dock, a mail window with a message list and a compose form,
  a terminal with coloured output; at 1080p also a code editor with syntax colours and a
  photo) that does not change;
- ``typing``: the same desktop with text appearing in the compose box at about 8
  characters a second (seeded, uneven intervals, like a person); only the line being
  typed is redrawn, as a text widget does;
- ``scrolling``: a browser showing a long document (headings, paragraphs, a code block,
  figures) scrolling 30 px a frame at 30 fps under a fixed toolbar: the whole page area
  changes every frame. The page is uploaded once into a server-side pixmap and each
  frame is a CopyArea from it, so the player costs almost nothing;
- ``video``: 30 fps full-screen "aerial footage": a camera panning and slowly zooming
  over seeded 1/f (fractal) terrain, with a cloud layer drifting the other way. Natural
  images have about a 1/f amplitude spectrum, so this is detailed but compressible like
  real footage (unlike random noise), every pixel moves by sub-pixel amounts every frame,
  and the two layers move apart (parallax), so no codec gets it as one translation. The
  clip (at most 5 s) is rendered before playing and played back and forth.

Everything is drawn with PIL from fixed seeds (DejaVu fonts when installed, else
Pillow's built-in font), so both systems under test see the same pixels. Frames are
paced against deadlines on time.monotonic(); a late frame is skipped, not queued, and the
number actually painted is reported.

    python -m benchmarks.content --display :N --scene typing [--seconds 5] [--size 1080p] [--wait]

With ``--wait`` the player paints the scene's first frame, prints ``ready``, waits for a
line on stdin, plays, then prints ``done <frames painted> <seconds>`` and keeps the last
picture up until stdin says more (or closes): the benchmark connects its client in
between, so the initial picture is not part of the measurement, and compares the picture
the client settled on with the screen afterwards. ``--size 1080p`` plays at 1920x1080: the
same mail window, with a code editor (syntax colours), a terminal and a photo beside it;
at 1280x720 a terminal overlaps the mail window.
"""

from __future__ import annotations

import argparse
import random
import select
import sys
import time
from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from Xlib import X, display
from Xlib.xobject.drawable import Drawable, Window

from app.agent.capture.base import Box

WIDTH, HEIGHT = 1280, 720  # see use_size(): the benchmarks also play at 1920x1080
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
FPS = 30
SCENES = ("still", "typing", "scrolling", "video")
READY, DONE = "ready", "done"
GO_TIMEOUT_S = 300.0

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

VOCABULARY = (
    "the screen session agent viewer remote desktop frame picture network bandwidth "
    "latency encoder decoder keyframe stream relay cloud window display pixel colour "
    "update region damage capture input pointer keyboard scroll page document video "
    "motion detail quality bitrate packet socket loopback server client protocol "
    "message header payload buffer queue thread process memory budget measure compare "
    "result table second minute today team project release notes draft review change "
    "small large quick steady simple careful clear every often never always before after "
    "with without under over between through about across and or but so then also"
)
WORDS = VOCABULARY.split()


def use_size(width: int, height: int) -> None:
    """Play at this size from now on (the player is told with ``--size``). The mail window
    stays where it is; at 1920x1080 an editor, a terminal and a photo fill the rest."""
    global WIDTH, HEIGHT
    WIDTH, HEIGHT = width, height


@cache
def font(size: int, style: str = "Sans") -> Font:
    try:
        return ImageFont.truetype(f"DejaVu{style}.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def sentences(rng: random.Random, count: int) -> str:
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and draw.textlength(candidate, font=face) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


# -- the desktop (still and typing) ---------------------------------------------------


COMPOSE = Box(740, 300, 450, 300)  # the compose box's inner text area, on the screen
LINE_HEIGHT = 22
TEXT_SIZE = 15
TYPED = (
    "Hi Sam, thanks for the notes from Tuesday. I went through the draft this morning and "
    "most of it reads well. Two things: the numbers in the second table look old, and the "
    "summary should say what we measured and on which machine. Could you send the new "
    "figures before Friday? I will update the slides after that. Have a good weekend, Alex"
)


def desktop() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    # Wallpaper: a vertical gradient.
    top, bottom = np.array([32, 58, 110]), np.array([18, 120, 130])
    ramp = np.linspace(0, 1, HEIGHT)[:, None, None]
    wallpaper = (top + (bottom - top) * ramp).astype(np.uint8).repeat(WIDTH, axis=1)
    image.paste(Image.fromarray(wallpaper), (0, 0))
    draw = ImageDraw.Draw(image)
    # Top panel and dock.
    draw.rectangle((0, 0, WIDTH, 27), fill=(28, 28, 30))
    draw.text((12, 6), "Activities", font=font(13), fill=(235, 235, 235))
    draw.text((575, 6), "Thu 26 Nov  10:42", font=font(13, "Sans-Bold"), fill=(235, 235, 235))
    for n, colour in enumerate([(120, 200, 120), (230, 230, 230), (230, 230, 230)]):
        draw.ellipse((1200 + n * 24, 8, 1212 + n * 24, 20), fill=colour)
    draw.rectangle((0, 28, 63, HEIGHT), fill=(40, 40, 46))
    icons = [(53, 132, 228), (224, 27, 36), (246, 211, 45), (51, 209, 122), (145, 65, 172)]
    for n, colour in enumerate(icons):
        draw.rounded_rectangle((10, 44 + n * 60, 53, 87 + n * 60), radius=9, fill=colour)
    # The mail window.
    left, top_y, right, bottom_y = 88, 48, 1256, 704
    draw.rectangle((left + 4, top_y + 4, right + 4, bottom_y + 4), fill=(20, 30, 50))  # shadow
    draw.rectangle((left, top_y, right, bottom_y), fill=(255, 255, 255))
    draw.rectangle((left, top_y, right, top_y + 36), fill=(236, 236, 236))
    draw.text((620, top_y + 9), "Inbox — Mail", font=font(14, "Sans-Bold"), fill=(40, 40, 40))
    for n, colour in enumerate([(245, 194, 17), (46, 194, 126), (224, 27, 36)]):
        draw.ellipse(
            (right - 80 + n * 24, top_y + 11, right - 66 + n * 24, top_y + 25), fill=colour
        )
    # Folders.
    draw.rectangle((left, top_y + 37, left + 180, bottom_y), fill=(246, 246, 248))
    folders = ["Inbox  12", "Starred", "Sent", "Drafts  2", "Archive", "Spam", "Trash"]
    for n, name in enumerate(folders):
        y = top_y + 56 + n * 30
        if n == 0:
            draw.rectangle((left + 8, y - 6, left + 172, y + 20), fill=(220, 230, 245))
        draw.text((left + 20, y), name, font=font(14), fill=(50, 50, 60))
    # Message list.
    rng = random.Random(3)
    names = ["Sam Fischer", "Priya Nair", "Ops alerts", "Li Wei", "Maria Costa", "Build bot"]
    list_left, list_right = left + 181, left + 580
    for n in range(12):
        y = top_y + 37 + n * 51
        selected = n == 2
        if selected:
            draw.rectangle((list_left, y, list_right, y + 50), fill=(53, 132, 228))
        ink = (255, 255, 255) if selected else (30, 30, 40)
        sub = (235, 240, 255) if selected else (110, 110, 120)
        draw.text(
            (list_left + 14, y + 8), names[n % len(names)], font=font(14, "Sans-Bold"), fill=ink
        )
        draw.text(
            (list_right - 60, y + 8), f"{9 - n % 9}:{(n * 7) % 60:02d}", font=font(12), fill=sub
        )
        subject = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        draw.text((list_left + 14, y + 28), subject, font=font(13), fill=sub)
        draw.line((list_left, y + 50, list_right, y + 50), fill=(228, 228, 232))
    draw.line((list_right + 1, top_y + 37, list_right + 1, bottom_y), fill=(210, 210, 215))
    # Compose form.
    form_left = list_right + 20
    draw.text((form_left, top_y + 52), "New message", font=font(18, "Sans-Bold"), fill=(30, 30, 40))
    for n, (label, value) in enumerate([("To", "sam.fischer@example.org"), ("Subject", "Draft")]):
        y = top_y + 96 + n * 44
        draw.text((form_left, y + 7), label, font=font(14), fill=(90, 90, 100))
        draw.rectangle((form_left + 70, y, right - 24, y + 32), outline=(190, 190, 200))
        draw.text((form_left + 80, y + 7), value, font=font(14), fill=(30, 30, 40))
    box = COMPOSE
    draw.rectangle(
        (box.x - 10, box.y - 10, box.x + box.width + 10, box.y + box.height + 10),
        outline=(53, 132, 228),
        width=2,
    )
    draw.rounded_rectangle(
        (right - 124, bottom_y - 64, right - 24, bottom_y - 26), 6, (53, 132, 228)
    )
    draw.text((right - 94, bottom_y - 54), "Send", font=font(15, "Sans-Bold"), fill=(255, 255, 255))
    if WIDTH >= 1900 and HEIGHT >= 1060:
        window(image, Box(1288, 48, 612, 656), "flow.py — Editor", editor)
        window(image, Box(88, 736, 900, 324), "alex@build: ~/porthole", terminal)
        window(image, Box(1020, 736, 880, 324), "coast.jpg — Photos", photo)
    else:  # a terminal over the message list, as windows overlap on a small screen
        window(image, Box(96, 430, 560, 270), "alex@build: ~/porthole", terminal)
    return image


def window(image: Image.Image, box: Box, title: str, paint: Callable[[Box], Image.Image]) -> None:
    """A window with a shadow and a title bar at ``box``, its content from ``paint``."""
    draw = ImageDraw.Draw(image)
    x, y, w, h = box.x, box.y, box.width, box.height
    draw.rectangle((x + 4, y + 4, x + w + 4, y + h + 4), fill=(20, 30, 50))
    draw.rectangle((x, y, x + w, y + 30), fill=(236, 236, 236))
    draw.text((x + 14, y + 7), title, font=font(14, "Sans-Bold"), fill=(40, 40, 40))
    for n, colour in enumerate([(245, 194, 17), (46, 194, 126), (224, 27, 36)]):
        draw.ellipse((x + w - 76 + n * 22, y + 9, x + w - 64 + n * 22, y + 21), fill=colour)
    image.paste(paint(Box(0, 0, w, h - 30)), (x, y + 30))


CODE = '''import asyncio
from dataclasses import dataclass

# Frames wait here until the viewer takes them: one slot, the newest wins.
@dataclass
class Slot:
    frame: bytes = b""
    sent: int = 0

async def pump(slot: Slot, send, limit: float = 0.25) -> int:
    """Send what is in the slot, at most every `limit` seconds."""
    while True:
        if not slot.frame:
            await asyncio.sleep(limit)
            continue
        data, slot.frame = slot.frame, b""
        await send(data)  # back-pressure: waits while the socket is full
        slot.sent += len(data)
        if slot.sent > 64 * 1024 * 1024:
            return slot.sent

def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "n/a"
'''
KEYWORDS = {
    *("import", "from", "class", "def", "async", "await", "while", "if", "continue"),
    *("return", "True", "False", "None"),
}
SYNTAX = {
    "keyword": (198, 120, 221),
    "string": (152, 195, 121),
    "comment": (110, 118, 132),
    "number": (209, 154, 102),
    "call": (97, 175, 239),
    "text": (220, 223, 228),
}


def tokens(line: str) -> list[tuple[str, str]]:
    """A Python line split for colouring: enough of a lexer for a screenful of code."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(line):
        rest = line[i:]
        if rest.startswith("#"):
            out.append((rest, "comment"))
            break
        if rest[0] in "\"'bf" and ('"' in rest[:2] or "'" in rest[:2]):
            quote_at = 1 if rest[0] in "bf" else 0
            quote = rest[quote_at] * (3 if rest[quote_at:].startswith(rest[quote_at] * 3) else 1)
            end = rest.find(quote, quote_at + len(quote))
            end = len(rest) if end < 0 else end + len(quote)
            out.append((rest[:end], "string"))
            i += end
            continue
        if rest[0].isalpha() or rest[0] == "_":
            n = 1
            while n < len(rest) and (rest[n].isalnum() or rest[n] == "_"):
                n += 1
            word = rest[:n]
            kind = "keyword" if word in KEYWORDS else "call" if rest[n : n + 1] == "(" else "text"
            out.append((word, kind))
            i += n
            continue
        if rest[0].isdigit():
            n = 1
            while n < len(rest) and (rest[n].isdigit() or rest[n] == "."):
                n += 1
            out.append((rest[:n], "number"))
            i += n
            continue
        out.append((rest[0], "text"))
        i += 1
    return out


def editor(box: Box) -> Image.Image:
    """A dark code editor: line numbers, syntax colours."""
    image = Image.new("RGB", (box.width, box.height), (33, 37, 43))
    draw = ImageDraw.Draw(image)
    face = font(14, "SansMono")
    draw.rectangle((0, 0, 44, box.height), fill=(40, 44, 52))
    for n, line in enumerate(CODE.splitlines()):
        y = 10 + n * 20
        if y > box.height - 20:
            break
        draw.text((8, y), f"{n + 1:3}", font=face, fill=(99, 109, 131))
        x = 56.0
        for text, kind in tokens(line):
            draw.text((x, y), text, font=face, fill=SYNTAX[kind])
            x += draw.textlength(text, font=face)
    return image


TERMINAL = [
    ("$ ", "scripts/test -k session"),
    ("", "ruff check app tests benchmarks"),
    ("", "All checks passed!"),
    ("", "mypy: Success: no issues found in 297 source files"),
    ("", "tests/agent/test_encode.py ......                                [ 12%]"),
    ("", "tests/viewer/core/test_x11_session.py ....F.                     [ 31%]"),
    ("", "FAILED tests/viewer/core/test_x11_session.py::test_monitor - assert 2 == 3"),
    ("", "========== 1 failed, 57 passed in 41.20s =========="),
    ("$ ", "git log --oneline | head -3"),
    ("", "2c36819 Crisp text on a settled desktop"),
    ("", "c402671 The auto-renewal checkbox no longer ticks itself"),
    ("", "ee9849c Review: a key's Ed25519 objects built once"),
    ("$ ", ""),
]


def terminal(box: Box) -> Image.Image:
    """A terminal: a coloured prompt, commands, test output in green and red."""
    image = Image.new("RGB", (box.width, box.height), (24, 24, 24))
    draw = ImageDraw.Draw(image)
    face = font(14, "SansMono")
    for n, (prompt, text) in enumerate(TERMINAL):
        y = 8 + n * 19
        if y > box.height - 19:
            break
        x = 10.0
        if prompt:
            for part, colour in (("alex@build", (138, 226, 52)), (":", (220, 220, 220))):
                draw.text((x, y), part, font=face, fill=colour)
                x += draw.textlength(part, font=face)
            for part, colour in (("~/porthole", (114, 159, 207)), (prompt, (220, 220, 220))):
                draw.text((x, y), part, font=face, fill=colour)
                x += draw.textlength(part, font=face)
        colour = (
            (239, 41, 41)
            if "FAILED" in text or "failed" in text
            else (138, 226, 52)
            if "passed" in text or "Success" in text
            else (220, 220, 220)
        )
        draw.text((x, y), text, font=face, fill=colour)
    return image


def photo(box: Box) -> Image.Image:
    """A photo viewer: a landscape filling the window."""
    ground, _ = terrain()
    return ground.resize((box.width, box.height), Image.Resampling.LANCZOS, (600, 300, 2360, 950))


class TypedText:
    """The compose box's lines as the text is typed: the layout of the whole text is
    fixed in advance, so each keystroke changes one line (two when the caret moves on)."""

    def __init__(self) -> None:
        probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        self.lines = wrap(probe, TYPED, font(TEXT_SIZE), COMPOSE.width - 8)
        self.rows = COMPOSE.height // LINE_HEIGHT
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def locate(self, typed: int) -> tuple[int, int]:
        """(line, characters on it) after ``typed`` characters of the text."""
        typed %= self.starts[-1]
        for index in range(len(self.lines)):
            if typed < self.starts[index + 1]:
                return index, typed - self.starts[index]
        return len(self.lines) - 1, len(self.lines[-1])

    def render_line(self, index: int, chars: int, caret: bool) -> Image.Image:
        strip = Image.new("RGB", (COMPOSE.width, LINE_HEIGHT), (255, 255, 255))
        draw = ImageDraw.Draw(strip)
        text = self.lines[index][:chars]
        draw.text((2, 3), text, font=font(TEXT_SIZE), fill=(20, 20, 30))
        if caret:
            x = 3 + int(draw.textlength(text, font=font(TEXT_SIZE)))
            draw.line((x, 2, x, LINE_HEIGHT - 3), fill=(20, 20, 30), width=1)
        return strip

    def line_origin(self, index: int) -> tuple[int, int]:
        return COMPOSE.x, COMPOSE.y + (index % self.rows) * LINE_HEIGHT


# -- the document (scrolling) ------------------------------------------------------------

TOOLBAR = 72
SCROLL_PX = 30


def browser_toolbar() -> Image.Image:
    image = Image.new("RGB", (WIDTH, TOOLBAR), (222, 222, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 32), fill=(200, 200, 206))
    for n, title in enumerate(["Bandwidth notes — Docs", "Inbox — Mail", "Build #4121"]):
        x = 8 + n * 230
        fill = (246, 246, 248) if n == 0 else (214, 214, 220)
        draw.rounded_rectangle((x, 4, x + 222, 32), radius=6, fill=fill)
        draw.text((x + 14, 11), title, font=font(13), fill=(40, 40, 50))
    for n in range(3):
        draw.ellipse((14 + n * 30, 42, 36 + n * 30, 64), outline=(110, 110, 120), width=2)
    draw.rounded_rectangle((110, 38, 1180, 66), radius=14, fill=(255, 255, 255))
    url = "https://docs.example.org/remote-desktop/bandwidth-and-latency"
    draw.text((130, 44), url, font=font(14), fill=(60, 60, 70))
    draw.line((0, TOOLBAR - 1, WIDTH, TOOLBAR - 1), fill=(180, 180, 186))
    return image


def document(height: int, photo: Image.Image) -> Image.Image:
    """A long page: a navigation column, then headings, paragraphs, code and figures in a
    column of text, down to ``height`` pixels."""
    page = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    rng = random.Random(11)
    draw.rectangle((0, 0, 220, height), fill=(248, 248, 250))
    for y in range(24, height - 30, 34):
        draw.text(
            (24, y),
            " ".join(rng.choice(WORDS) for _ in range(2)).title(),
            font=font(14),
            fill=(40, 90, 170),
        )
    left, width = 280, 820
    y = 30
    draw.text((left, y), "Remote desktop bandwidth", font=font(32, "Sans-Bold"), fill=(20, 20, 30))
    y += 64
    section = 0
    while y < height - 60:
        kind = section % 4
        section += 1
        if kind == 0:
            heading = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
            draw.text(
                (left, y), f"{section}. {heading}", font=font(22, "Sans-Bold"), fill=(20, 20, 30)
            )
            y += 44
        if kind == 2:
            x, y0 = rng.randrange(0, 900), rng.randrange(0, 900)
            figure = photo.resize((width, 240), box=(x, y0, x + 1640, y0 + 480))
            page.paste(figure, (left, y))
            draw.text(
                (left, y + 248),
                "Figure: " + sentences(rng, 1),
                font=font(13, "Sans-Oblique"),
                fill=(90, 90, 100),
            )
            y += 290
        elif kind == 3:
            draw.rectangle((left, y, left + width, y + 8 * 20 + 20), fill=(244, 244, 246))
            for n in range(8):
                name, call = "_".join(rng.sample(WORDS, 2)), rng.choice(WORDS)
                code = f"    {name} = {call}({n}, {rng.randrange(100)})"
                draw.text(
                    (left + 14, y + 10 + n * 20), code, font=font(14, "SansMono"), fill=(60, 60, 90)
                )
            y += 8 * 20 + 40
        for line in wrap(draw, sentences(rng, rng.randint(4, 8)), font(16, "Serif"), width):
            if y > height - 40:
                break
            draw.text((left, y), line, font=font(16, "Serif"), fill=(30, 30, 36))
            y += 26
        y += 18
    return page


# -- the footage (video) ---------------------------------------------------------------


def fractal(rng: np.random.Generator, height: int, width: int, beta: float) -> np.ndarray:
    """Seeded 1/f**beta noise in [0, 1] (spectral synthesis)."""
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fx * fx + fy * fy)
    radius[0, 0] = 1.0
    spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius**beta
    spectrum[0, 0] = 0
    field = np.fft.irfft2(spectrum, s=(height, width))
    field -= field.min()
    return np.asarray(field / field.max())


@cache
def terrain() -> tuple[Image.Image, Image.Image]:
    """A 2560x1440 aerial picture and a cloud mask to drift over it."""
    rng = np.random.default_rng(7)
    height = fractal(rng, 1440, 2560, 1.6)
    clouds = fractal(rng, 1440, 2560, 1.8)
    stops = [0.0, 0.38, 0.42, 0.47, 0.62, 0.80, 0.92, 1.0]
    colours = np.array(
        [
            [10, 40, 110],
            [40, 100, 170],
            [200, 190, 140],
            [70, 140, 60],
            [40, 100, 40],
            [110, 95, 80],
            [150, 150, 150],
            [245, 245, 250],
        ],
        dtype=float,
    )
    levels = np.linspace(0, 1, 256)
    lut = np.stack([np.interp(levels, stops, colours[:, c]) for c in range(3)], axis=1)
    gy, gx = np.gradient(height)
    # Light from the top left on the land; water stays flat.
    shade = np.where(height > 0.42, np.clip(1 + (gx - gy) * 60, 0.6, 1.4), 1.0)
    rgb = np.clip(lut[(height * 255).astype(np.uint8)] * shade[..., None], 0, 255)
    mask = np.clip((clouds - 0.55) * 3, 0, 1) * 200
    return Image.fromarray(rgb.astype(np.uint8)), Image.fromarray(mask.astype(np.uint8), "L")


def aerial_view(
    ground: Image.Image,
    mask: Image.Image,
    white: Image.Image,
    view: tuple[float, float, float, float],
    clouds_at: tuple[float, float],
) -> Image.Image:
    """One frame of footage, the size of ``white``: the ``view`` box of the terrain
    (zoomed to fit), under the clouds of ``mask`` from ``clouds_at`` at 1:1."""
    size = white.size
    ground_view = ground.transform(size, Image.Transform.EXTENT, view, Image.Resampling.BILINEAR)
    cx, cy = clouds_at
    clouds = mask.transform(
        size,
        Image.Transform.EXTENT,
        (cx, cy, cx + size[0], cy + size[1]),
        Image.Resampling.BILINEAR,
    )
    return Image.composite(white, ground_view, clouds)


def footage(frames: int) -> list[bytes]:
    """``frames`` frames of the camera move, as BGRX (the X server's 24-bit layout)."""
    ground, mask = terrain()
    white = Image.new("RGB", (WIDTH, HEIGHT), (250, 250, 250))
    clip = []
    # As wide a view as the terrain allows for the whole move (1.4x the screen at 720p).
    span = min(1.4, (ground.width - 720) / WIDTH, (ground.height - 420) / HEIGHT)
    for k in range(frames):
        zoom = 1 + k * 0.003
        w, h = WIDTH * span / zoom, HEIGHT * span / zoom
        x, y = 200 + k * 3.3, 150 + k * 1.7
        frame = aerial_view(
            ground, mask, white, (x, y, x + w, y + h), (300 - k * 2.1, 400 + k * 0.8)
        )
        clip.append(frame.tobytes("raw", "BGRX"))
    return clip


# -- the X side --------------------------------------------------------------------------


class Screen:
    """One full-screen override-redirect window (no window manager needed) to paint on."""

    def __init__(self, display_name: str) -> None:
        self.conn = display.Display(display_name)
        screen = self.conn.screen()
        if screen.root_depth != 24 or self.conn.display.info.image_byte_order != X.LSBFirst:
            raise RuntimeError("needs a 24-bit, little-endian X server (Xvfb -screen 0 WxHx24)")
        self.window: Window = screen.root.create_window(
            0,
            0,
            WIDTH,
            HEIGHT,
            0,
            24,
            override_redirect=True,
            event_mask=X.StructureNotifyMask,
        )
        self.gc = self.window.create_gc()
        self.window.map()
        self.conn.flush()
        # Drawing into a window that is not mapped yet is lost: wait for MapNotify.
        deadline = time.monotonic() + 10
        while not self._mapped():
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("the window was not mapped")
            select.select([self.conn.fileno()], [], [], left)
        # A PutImage request is at most max_request_length 4-byte units: send strips.
        self._max_bytes = self.conn.display.info.max_request_length * 4 - 64

    def _mapped(self) -> bool:
        while self.conn.pending_events():
            if self.conn.next_event().type == X.MapNotify:
                return True
        return False

    def put(self, target: Drawable, bgrx: bytes, x: int, y: int, width: int, height: int) -> None:
        rows = max(1, self._max_bytes // (width * 4))
        for top in range(0, height, rows):
            n = min(rows, height - top)
            chunk = bgrx[top * width * 4 : (top + n) * width * 4]
            target.put_image(self.gc, x, y + top, width, n, X.ZPixmap, 24, 0, chunk)

    def show(self, image: Image.Image, x: int = 0, y: int = 0) -> None:
        self.put(self.window, image.tobytes("raw", "BGRX"), x, y, image.width, image.height)

    def close(self) -> None:
        self.window.destroy()
        self.conn.close()


class Scene:
    """``first`` paints the opening picture; ``frame(n)`` the n-th change, due at
    ``times(seconds)[n - 1]`` seconds into the scene. Slow rendering happens in
    ``__init__``, before the scene starts."""

    def __init__(self, screen: Screen, seconds: float) -> None:
        self.screen = screen

    def times(self, seconds: float) -> list[float]:
        return [n / FPS for n in range(1, int(seconds * FPS))]

    def first(self) -> None:
        raise NotImplementedError

    def frame(self, n: int) -> None:
        raise NotImplementedError


class Still(Scene):
    def times(self, seconds: float) -> list[float]:
        return []  # nothing happens

    def first(self) -> None:
        self.screen.show(desktop())

    def frame(self, n: int) -> None:
        raise AssertionError("a still screen has no frames")


class Typing(Scene):
    def __init__(self, screen: Screen, seconds: float) -> None:
        super().__init__(screen, seconds)
        self.text = TypedText()
        self.typed = 0

    def times(self, seconds: float) -> list[float]:
        # Keystrokes: about 8 a second, uneven like a person, the same every run.
        rng = random.Random(5)
        times: list[float] = []
        t = min(0.4, max(0.05, rng.gauss(0.125, 0.04)))
        while t < seconds:
            times.append(t)
            t += min(0.4, max(0.05, rng.gauss(0.125, 0.04)))
        return times

    def first(self) -> None:
        self.screen.show(desktop())
        self._draw(0)

    def _draw(self, typed: int) -> None:
        line, chars = self.text.locate(typed)
        if typed and line % self.text.rows == 0 and chars == 0:
            # The box is full: start on an empty one, as after sending a message.
            blank = Image.new("RGB", (COMPOSE.width, COMPOSE.height), (255, 255, 255))
            self.screen.show(blank, COMPOSE.x, COMPOSE.y)
        elif line and chars == 0:
            # The caret moved on: the previous line loses it.
            previous = self.text.render_line(line - 1, len(self.text.lines[line - 1]), False)
            self.screen.show(previous, *self.text.line_origin(line - 1))
        self.screen.show(self.text.render_line(line, chars, True), *self.text.line_origin(line))

    def frame(self, n: int) -> None:
        # Keystrokes that came due together (a late wake-up) are all typed, in order.
        while self.typed < n:
            self.typed += 1
            self._draw(self.typed)


class Scrolling(Scene):
    def __init__(self, screen: Screen, seconds: float) -> None:
        super().__init__(screen, seconds)
        self.view = HEIGHT - TOOLBAR
        # Long enough for the run (it wraps round past 12,000 px).
        height = min(12_000, self.view + int(seconds * FPS * SCROLL_PX) + SCROLL_PX)
        ground, _ = terrain()
        page = document(height, ground)
        self.pages = height - self.view
        self.pixmap = screen.window.create_pixmap(WIDTH, height, 24)
        screen.put(self.pixmap, page.tobytes("raw", "BGRX"), 0, 0, WIDTH, height)

    def first(self) -> None:
        self.screen.show(browser_toolbar())
        self.frame(0)

    def frame(self, n: int) -> None:
        top = (n * SCROLL_PX) % self.pages
        self.screen.window.copy_area(
            self.screen.gc, self.pixmap.id, 0, top, WIDTH, self.view, 0, TOOLBAR
        )


class Video(Scene):
    def __init__(self, screen: Screen, seconds: float) -> None:
        super().__init__(screen, seconds)
        self.clip = footage(max(2, min(int(seconds * FPS) + 1, 5 * FPS)))

    def first(self) -> None:
        self.frame(0)

    def frame(self, n: int) -> None:
        # Back and forth through the clip: continuous motion, no cut.
        period = 2 * (len(self.clip) - 1)
        index = n % period
        index = index if index < len(self.clip) else period - index
        self.screen.put(self.screen.window, self.clip[index], 0, 0, WIDTH, HEIGHT)


SCENE_TYPES: dict[str, Callable[[Screen, float], Scene]] = {
    "still": Still,
    "typing": Typing,
    "scrolling": Scrolling,
    "video": Video,
}


def play(scene: Scene, seconds: float) -> int:
    """Run the scene for ``seconds`` against deadlines; returns the changes painted."""
    start = time.monotonic()
    times = scene.times(seconds)
    painted = 0
    n = 0
    while n < len(times):
        now = time.monotonic()
        if start + times[n] > now:
            time.sleep(start + times[n] - now)
        else:
            # Late: skip to the newest change that is due rather than fall behind.
            while n + 1 < len(times) and start + times[n + 1] <= now:
                n += 1
        scene.frame(n + 1)
        scene.screen.conn.sync()  # painted means the X server has done it
        painted += 1
        n += 1
    time.sleep(max(0.0, start + seconds - time.monotonic()))
    return painted


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--display", required=True)
    parser.add_argument("--scene", choices=SCENES, required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--size", choices=SIZES, default="720p")
    parser.add_argument("--wait", action="store_true", help="paint, say ready, wait for a line")
    args = parser.parse_args()
    use_size(*SIZES[args.size])
    screen = Screen(args.display)
    try:
        scene = SCENE_TYPES[args.scene](screen, args.seconds)
        scene.first()
        screen.conn.sync()
        if args.wait:
            print(READY, flush=True)
            ready, _, _ = select.select([sys.stdin], [], [], GO_TIMEOUT_S)
            if not ready or not sys.stdin.readline():
                return 1
        started = time.monotonic()
        painted = play(scene, args.seconds)
        print(f"{DONE} {painted} {time.monotonic() - started:.3f}", flush=True)
        if args.wait:
            # The last picture stays up until the benchmark has compared it (settled
            # PSNR): closing the window would be one more change.
            select.select([sys.stdin], [], [], GO_TIMEOUT_S)
    finally:
        screen.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A minimal RFB 3.8 (VNC, RFC 6143) client that counts what a VNC server sends, for the
bandwidth comparison with x11vnc, and decodes it into a framebuffer (``picture``) so the
benchmark can compare what a VNC viewer would show with the host's screen (the settled
PSNR), not only the bytes.

Handshake: version 3.8, security type None, ClientInit shared, ServerInit, then
SetPixelFormat (32 bpp, depth 24, true colour, little-endian, red/green/blue shifts
16/8/0: a pixel's bytes are B, G, R, unused) and SetEncodings:

- Tight (7), then ZRLE (16), CopyRect (1), Raw (0): what the server may use, Tight first;
- Tight quality level 8 (pseudo-encoding -24) and compression level 2 (-254): TigerVNC's
  defaults. The quality level is what lets the server use JPEG for photo-like areas
  (without it libvncserver's Tight is lossless, which would be unfair against H.264);
- LastRect (-224): lets the server send an update before counting its rectangles.

No cursor-shape or desktop-size pseudo-encodings: the pointer does not move in the
scenes and the screen size does not change. Without cursor shapes x11vnc draws the
pointer into the pictures it sends (unless run with ``-nocursor``), so ``picture`` shows
it where a screen grab of the X display does not.

How updates are requested: like a real viewer, one incremental FramebufferUpdateRequest
for the whole screen right after each complete FramebufferUpdate (the first request is
not incremental: the initial picture). The server answers a request only once something
changed, so nothing is sent for a still screen and the server sets the update rate
itself. Blind pacing (a request every 1/60 s without reading) would have avoided parsing
the updates, but it would cap the update rate at the pacing and let unread data queue in
the socket, so it was not used.

Every rectangle is decoded into the framebuffer (an RGB ``uint8`` array of the ServerInit
size) as it arrives, as a viewer would:

- Raw: w*h pixels of 4 bytes;
- CopyRect: a copy of another area of the framebuffer (from a snapshot: areas may
  overlap);
- ZRLE: one zlib stream for the whole connection; 64x64 tiles of 3-byte CPIXELs (B, G,
  R) that are raw, solid, a packed palette, plain RLE or palette RLE;
- Tight (TightVNC's spec, as libvncserver and TigerVNC implement it): the control byte's
  low 4 bits reset zlib streams 0-3, then a fill colour, JPEG data (decoded with Pillow:
  lossy, quality level 8), or basic compression with the copy, palette (2 colours: 1 bit
  a pixel, rows padded to a byte; more: 1 byte a pixel) or gradient filter on 3-byte
  TPIXELs (R, G, B), sent raw below 12 bytes, else zlib-compressed on one of 4 streams
  that persist across rectangles and updates until reset.

Decoding uses numpy (the gradient filter loops over rows, and within a row only where
the prediction clamps) and Pillow, so it keeps up with full-screen video.

``bytes_received`` counts every byte read from the socket (RFB headers included), the
same thing the Porthole side counts (WebSocket message payloads, frame headers included).
Every read is bounded by the caller's timeout (the reader task is cancelled), and the
client connects only where it is told (the benchmark passes 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PIL import Image

ENC_RAW, ENC_COPYRECT, ENC_TIGHT, ENC_ZRLE = 0, 1, 7, 16
ENC_LASTRECT = -224
TIGHT_QUALITY, TIGHT_COMPRESSION = 8, 2
ENCODINGS = (
    ENC_TIGHT,
    ENC_ZRLE,
    ENC_COPYRECT,
    ENC_RAW,
    -32 + TIGHT_QUALITY,
    -256 + TIGHT_COMPRESSION,
    ENC_LASTRECT,
)
BYTES_PER_PIXEL = 4
TPIXEL = 3  # Tight sends 24-bit true colour pixels as 3 bytes: R, G, B
CPIXEL = 3  # ZRLE too, but as the pixel's 3 low bytes: B, G, R
TIGHT_MIN_TO_COMPRESS = 12
TIGHT_STREAMS = 4
ZRLE_TILE = 64
GRADIENT_WINDOW = 256  # pixels of a row predicted at once, between clamps
GRADIENT_MAX_CLAMPS = 8  # clamps in a row before the rest is done pixel by pixel
MAX_RECTS = 1_000_000  # an update ended by LastRect still has a bound
HANDSHAKE_TIMEOUT_S = 10.0

Pixels = npt.NDArray[np.uint8]


class RfbError(Exception):
    pass


def raw_pixels(data: bytes, w: int, h: int) -> Pixels:
    """Raw rectangle bytes (B, G, R, unused per pixel) as an RGB array."""
    return np.frombuffer(data, np.uint8).reshape(h, w, BYTES_PER_PIXEL)[:, :, 2::-1]


def indices(data: bytes | memoryview, w: int, h: int, bits: int) -> Pixels:
    """Palette indices of ``bits`` (1, 2, 4 or 8) each, packed MSB first, rows padded to
    a byte."""
    if bits == 8:
        return np.frombuffer(data, np.uint8, count=w * h).reshape(h, w)
    row_bytes = (w * bits + 7) // 8
    packed = np.frombuffer(data, np.uint8, count=row_bytes * h).reshape(h, row_bytes)
    if bits == 1:
        return np.unpackbits(packed, axis=1, count=w)
    unpacked = np.unpackbits(packed, axis=1)[:, : w * bits].reshape(h, w, bits)
    values: Pixels = np.packbits(unpacked, axis=2)[:, :, 0] >> np.uint8(8 - bits)
    return values


def palette_pixels(palette: Pixels, index: Pixels) -> Pixels:
    """RGB pixels of palette indices; an index beyond the palette reads as black."""
    full = np.zeros((256, 3), np.uint8)
    full[: len(palette)] = palette
    pixels: Pixels = full[index]
    return pixels


def gradient_pixels(data: bytes, w: int, h: int) -> Pixels:
    """Tight's gradient filter undone: each component is predicted from the decoded left,
    up and up-left ones (0 outside the rectangle), clamp(left + up - upleft, 0, 255), and
    the received byte is added modulo 256. Rows depend on the row above, so they are done
    in turn. Within a row the prediction is a running sum until it clamps: a cumulative
    sum per window of pixels, redone after each clamp; a row that clamps often (noisy
    content) is finished pixel by pixel, which is then cheaper."""
    residual = np.frombuffer(data, np.uint8).reshape(h, w, TPIXEL).astype(np.int32)
    out = np.empty((h, w, TPIXEL), np.uint8)
    up = np.zeros((w, TPIXEL), np.int32)
    up_left = np.zeros((w, TPIXEL), np.int32)
    row = np.empty((w, TPIXEL), np.int32)
    for y in range(h):
        up_left[1:] = up[:-1]
        step = up - up_left  # pred = clamp(left + step)
        received = residual[y]
        left = np.zeros(TPIXEL, np.int32)
        start = clamps = 0
        while start < w and clamps <= GRADIENT_MAX_CLAMPS:
            end = min(w, start + GRADIENT_WINDOW)
            guess = (left + np.cumsum(step[start:end] + received[start:end], axis=0)) & 0xFF
            before = np.concatenate((left[None], guess[:-1]))
            predicted = before + step[start:end]
            clamped = ((predicted < 0) | (predicted > 0xFF)).any(axis=1)
            if not clamped.any():
                row[start:end] = guess
                left = guess[-1]
                start = end
                continue
            first = int(clamped.argmax())  # the guess is right before it
            row[start : start + first] = guess[:first]
            at = start + first
            row[at] = (np.clip(predicted[first], 0, 0xFF) + received[at]) & 0xFF
            left = row[at].copy()
            start = at + 1
            clamps += 1
        if start < w:
            row[start:] = _gradient_tail(left, step[start:], received[start:])
        out[y] = row
        up, row = row, up
    return out


def _gradient_tail(
    left: npt.NDArray[np.int32], step: npt.NDArray[np.int32], received: npt.NDArray[np.int32]
) -> list[list[int]]:
    """The rest of a gradient row, pixel by pixel (ints are faster than numpy here)."""
    r, g, b = (int(value) for value in left)
    out = []
    for (step_r, step_g, step_b), (got_r, got_g, got_b) in zip(
        step.tolist(), received.tolist(), strict=True
    ):
        r = (min(max(r + step_r, 0), 0xFF) + got_r) & 0xFF
        g = (min(max(g + step_g, 0), 0xFF) + got_g) & 0xFF
        b = (min(max(b + step_b, 0), 0xFF) + got_b) & 0xFF
        out.append([r, g, b])
    return out


def jpeg_pixels(data: bytes) -> Pixels:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


class _Buffer:
    """Reads a decompressed ZRLE rectangle; running past its end is an RfbError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.array = np.frombuffer(data, np.uint8)
        self.pos = 0

    def take(self, size: int) -> int:
        """Skips ``size`` bytes; returns where they start."""
        start = self.pos
        self.pos += size
        if self.pos > len(self.data):
            raise RfbError("ZRLE data ends inside a tile")
        return start

    def cpixels(self, count: int) -> Pixels:
        start = self.take(count * CPIXEL)
        return self.array[start : self.pos].reshape(count, CPIXEL)[:, ::-1]

    def run_length(self) -> int:
        """1 + the sum of bytes up to and including the first one that is not 255."""
        data, pos, length = self.data, self.pos, 1
        try:
            while (byte := data[pos]) == 255:
                length += 255
                pos += 1
        except IndexError:
            raise RfbError("ZRLE data ends inside a run length") from None
        self.pos = pos + 1
        return length + byte


def zrle_tile(buffer: _Buffer, w: int, h: int) -> Pixels:
    subencoding = buffer.data[buffer.take(1)]
    count = w * h
    if subencoding == 0:  # raw
        return buffer.cpixels(count).reshape(h, w, 3)
    if subencoding == 1:  # solid
        return np.broadcast_to(buffer.cpixels(1)[0], (h, w, 3))
    if 2 <= subencoding <= 16:  # packed palette
        palette = buffer.cpixels(subencoding)
        bits = 1 if subencoding == 2 else 2 if subencoding <= 4 else 4
        start = buffer.take((w * bits + 7) // 8 * h)
        index = indices(memoryview(buffer.data)[start : buffer.pos], w, h, bits)
        return palette_pixels(palette, index)
    if subencoding == 128:  # plain RLE
        starts: list[int] = []
        lengths: list[int] = []
        total = 0
        while total < count:
            starts.append(buffer.take(CPIXEL))
            lengths.append(buffer.run_length())
            total += lengths[-1]
        if total != count:
            raise RfbError("ZRLE run beyond its tile")
        offsets = np.array(starts)[:, None] + np.arange(CPIXEL - 1, -1, -1)
        colours = buffer.array[offsets]
        return np.repeat(colours, lengths, axis=0).reshape(h, w, 3)
    if subencoding >= 130:  # palette RLE
        palette = palette_pixels(buffer.cpixels(subencoding - 128), np.arange(128, dtype=np.uint8))
        data = buffer.data
        runs: list[int] = []
        lengths = []
        total = 0
        try:
            while total < count:
                byte = data[buffer.pos]
                buffer.pos += 1
                runs.append(byte & 0x7F)
                lengths.append(buffer.run_length() if byte & 0x80 else 1)
                total += lengths[-1]
        except IndexError:
            raise RfbError("ZRLE data ends inside a tile") from None
        if total != count:
            raise RfbError("ZRLE run beyond its tile")
        return np.repeat(palette[runs], lengths, axis=0).reshape(h, w, 3)
    raise RfbError(f"bad ZRLE subencoding {subencoding}")


def zrle_pixels(data: bytes, w: int, h: int) -> Pixels:
    buffer = _Buffer(data)
    out = np.empty((h, w, 3), np.uint8)
    for ty in range(0, h, ZRLE_TILE):
        th = min(ZRLE_TILE, h - ty)
        for tx in range(0, w, ZRLE_TILE):
            tw = min(ZRLE_TILE, w - tx)
            out[ty : ty + th, tx : tx + tw] = zrle_tile(buffer, tw, th)
    return out


def fill_pixels(colour: Pixels, w: int, h: int) -> Pixels:
    return np.broadcast_to(colour, (h, w, TPIXEL))


def tight_pixels(data: bytes, w: int, h: int, tight_filter: int, palette: Pixels | None) -> Pixels:
    """The pixels of a basic-compression Tight rectangle, once inflated."""
    if palette is not None:
        return palette_pixels(palette, indices(data, w, h, 1 if len(palette) == 2 else 8))
    if tight_filter == 2:
        return gradient_pixels(data, w, h)
    return np.frombuffer(data, np.uint8).reshape(h, w, TPIXEL)


def inflate(stream: zlib._Decompress, data: bytes, size: int | None = None) -> bytes:
    try:
        out = stream.decompress(data)
    except zlib.error as error:
        raise RfbError(f"bad zlib data: {error}") from None
    if size is not None and len(out) != size:
        raise RfbError(f"zlib data gave {len(out)} bytes, not {size}")
    return out


class RfbClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.width = 0
        self.height = 0
        self.name = ""
        self.bytes_received = 0
        self.updates = 0
        self.rects = 0
        self.encodings_seen: dict[int, int] = {}
        self.first_update = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._framebuffer: Pixels = np.zeros((0, 0, 3), np.uint8)
        # Drawing waits until the picture is looked at (or a CopyRect reads it): decoding a
        # JPEG in Python takes ~20 ms at 1080p, and doing it before asking for the next
        # update would slow the server down and under-count its bytes, where a real viewer
        # decodes in C in a few milliseconds. Data is read and inflated in order as it comes.
        self._pending: list[tuple[int, int, Callable[[], Pixels]]] = []
        self._tight_streams = [zlib.decompressobj() for _ in range(TIGHT_STREAMS)]
        self._zrle_stream = zlib.decompressobj()

    @classmethod
    async def connect(cls, host: str, port: int) -> RfbClient:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(host, port)
            client = cls(reader, writer)
            await client._handshake()
        return client

    @property
    def picture(self) -> Pixels:
        """A copy of the framebuffer: (height, width, 3) RGB, as the updates so far drew
        it (black where nothing was drawn yet)."""
        self._draw_pending()
        return self._framebuffer.copy()

    def _draw_pending(self) -> None:
        pending, self._pending = self._pending, []
        for x, y, make in pending:
            self._put(x, y, make())

    async def _read(self, size: int) -> bytes:
        data = await self._reader.readexactly(size)
        self.bytes_received += size
        return data

    async def _u8(self) -> int:
        return (await self._read(1))[0]

    async def _u16(self) -> int:
        value: int = struct.unpack("!H", await self._read(2))[0]
        return value

    async def _u32(self) -> int:
        value: int = struct.unpack("!I", await self._read(4))[0]
        return value

    async def _reason(self) -> str:
        return (await self._read(await self._u32())).decode(errors="replace")

    async def _handshake(self) -> None:
        version = await self._read(12)
        if not version.startswith(b"RFB 003."):
            raise RfbError(f"not an RFB server: {version!r}")
        self._writer.write(b"RFB 003.008\n")
        count = await self._u8()
        if count == 0:
            raise RfbError(f"refused: {await self._reason()}")
        types = await self._read(count)
        if 1 not in types:
            raise RfbError(f"no security type None offered (offered {list(types)})")
        self._writer.write(bytes([1]))
        if await self._u32() != 0:
            raise RfbError(f"security failed: {await self._reason()}")
        self._writer.write(bytes([1]))  # ClientInit: shared
        self.width, self.height = await self._u16(), await self._u16()
        self._framebuffer = np.zeros((self.height, self.width, 3), np.uint8)
        await self._read(16)  # the server's pixel format: replaced just below
        self.name = (await self._read(await self._u32())).decode(errors="replace")
        pixel_format = struct.pack(
            "!BBBBHHHBBB3x", 32, 24, 0, 1, 255, 255, 255, 16, 8, 0
        )  # bpp, depth, big-endian, true colour, max r/g/b, shift r/g/b
        self._writer.write(struct.pack("!B3x", 0) + pixel_format)
        self._writer.write(struct.pack(f"!BxH{len(ENCODINGS)}i", 2, len(ENCODINGS), *ENCODINGS))
        self._request(incremental=False)
        await self._writer.drain()

    def _request(self, *, incremental: bool) -> None:
        self._writer.write(
            struct.pack("!BBHHHH", 3, int(incremental), 0, 0, self.width, self.height)
        )

    def start(self) -> None:
        """Read updates in the background (until ``close``), asking for the next one as
        each ends."""
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            kind = await self._u8()
            if kind == 0:
                await self._update()
                self.updates += 1
                self.first_update.set()
                self._request(incremental=True)
                await self._writer.drain()
            elif kind == 1:  # SetColourMapEntries (not sent for true colour)
                await self._read(3)
                await self._read(await self._u16() * 6)
            elif kind == 2:  # Bell
                pass
            elif kind == 3:  # ServerCutText
                await self._read(3)
                await self._read(await self._u32())
            else:
                raise RfbError(f"unknown server message {kind}")

    async def _update(self) -> None:
        await self._read(1)
        count = await self._u16()
        limit = MAX_RECTS if count == 0xFFFF else count
        for _ in range(limit):
            x, y, w, h, encoding = struct.unpack("!HHHHi", await self._read(12))
            self.encodings_seen[encoding] = self.encodings_seen.get(encoding, 0) + 1
            if encoding == ENC_LASTRECT:
                return
            self.rects += 1
            if encoding == ENC_RAW:
                raw = await self._read(w * h * BYTES_PER_PIXEL)
                self._later(x, y, functools.partial(raw_pixels, raw, w, h))
            elif encoding == ENC_COPYRECT:
                src_x, src_y = struct.unpack("!HH", await self._read(4))
                self._draw_pending()
                self._put(x, y, self._framebuffer[src_y : src_y + h, src_x : src_x + w].copy())
            elif encoding == ENC_ZRLE:
                data = inflate(self._zrle_stream, await self._read(await self._u32()))
                self._later(x, y, functools.partial(zrle_pixels, data, w, h))
            elif encoding == ENC_TIGHT:
                await self._tight(x, y, w, h)
            else:
                raise RfbError(f"unexpected encoding {encoding} in an update")

    def _later(self, x: int, y: int, make: Callable[[], Pixels]) -> None:
        """Draw what ``make`` returns at x, y, once the picture is looked at."""
        self._pending.append((x, y, make))

    def _put(self, x: int, y: int, pixels: Pixels) -> None:
        """Draws ``pixels`` at x, y, clipped to the framebuffer."""
        h = min(pixels.shape[0], self.height - y)
        w = min(pixels.shape[1], self.width - x)
        if w > 0 and h > 0:
            self._framebuffer[y : y + h, x : x + w] = pixels[:h, :w]

    async def _compact_length(self) -> int:
        length = 0
        for shift in (0, 7, 14):
            byte = await self._u8()
            length |= (byte & (0x7F if shift < 14 else 0xFF)) << shift
            if shift == 14 or not byte & 0x80:
                break
        return length

    async def _tight(self, x: int, y: int, w: int, h: int) -> None:
        control = await self._u8()
        for stream in range(TIGHT_STREAMS):
            if control & (1 << stream):  # reset: a new decompressor
                self._tight_streams[stream] = zlib.decompressobj()
        control >>= 4
        if control == 0x08:  # fill
            colour = np.frombuffer(await self._read(TPIXEL), np.uint8)
            self._later(x, y, functools.partial(fill_pixels, colour, w, h))
            return
        if control == 0x09:  # JPEG
            jpeg = await self._read(await self._compact_length())
            self._later(x, y, functools.partial(jpeg_pixels, jpeg))
            return
        if control > 0x09:
            raise RfbError(f"bad Tight control {control:#x}")
        tight_filter = await self._u8() if control & 0x04 else 0
        row_bytes = w * TPIXEL  # copy filter (and gradient): 24-bit pixels
        palette: Pixels | None = None
        if tight_filter == 1:  # palette
            colours = await self._u8() + 1
            palette = np.frombuffer(await self._read(colours * TPIXEL), np.uint8).reshape(
                colours, TPIXEL
            )
            row_bytes = (w + 7) // 8 if colours == 2 else w
        elif tight_filter not in (0, 2):
            raise RfbError(f"bad Tight filter {tight_filter}")
        size = row_bytes * h
        if size < TIGHT_MIN_TO_COMPRESS:
            data = await self._read(size)
        else:
            compressed = await self._read(await self._compact_length())
            data = inflate(self._tight_streams[control & 0x03], compressed, size)
        self._later(x, y, functools.partial(tight_pixels, data, w, h, tight_filter, palette))

    async def close(self) -> None:
        """Stop reading and disconnect (check ``failed()`` first to know how it went)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(
                asyncio.CancelledError, asyncio.IncompleteReadError, ConnectionError, RfbError
            ):
                await self._task
        self._writer.close()
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(5):
                await self._writer.wait_closed()

    def failed(self) -> BaseException | None:
        """The reader's error, if it stopped on one."""
        if self._task is None or not self._task.done() or self._task.cancelled():
            return None
        return self._task.exception()

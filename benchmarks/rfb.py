"""A minimal RFB 3.8 (VNC, RFC 6143) client that counts what a VNC server sends, for the
bandwidth comparison with x11vnc. It never decodes pixels; it only walks the framing.

Handshake: version 3.8, security type None, ClientInit shared, ServerInit, then
SetPixelFormat (32 bpp, depth 24, true colour, little-endian) and SetEncodings:

- Tight (7), then ZRLE (16), CopyRect (1), Raw (0): what the server may use, Tight first;
- Tight quality level 8 (pseudo-encoding -24) and compression level 2 (-254): TigerVNC's
  defaults. The quality level is what lets the server use JPEG for photo-like areas
  (without it libvncserver's Tight is lossless, which would be unfair against H.264);
- LastRect (-224): lets the server send an update before counting its rectangles.

No cursor-shape or desktop-size pseudo-encodings: the pointer does not move in the
scenes and the screen size does not change.

How updates are requested: like a real viewer, one incremental FramebufferUpdateRequest
for the whole screen right after each complete FramebufferUpdate (the first request is
not incremental: the initial picture). The server answers a request only once something
changed, so nothing is sent for a still screen and the server sets the update rate
itself. Knowing where an update ends needs the size of every rectangle, which each
encoding states without decoding: Raw is w*h*4, CopyRect 4 bytes, ZRLE a 4-byte length,
and Tight a control byte then a fill colour, a JPEG length, or a filter, a palette and
a zlib length (or up to 11 raw bytes). Blind pacing (a request every 1/60 s without
reading) would have avoided this parsing, but it would cap the update rate at the pacing
and let unread data queue in the socket, so it was not used.

``bytes_received`` counts every byte read from the socket (RFB headers included), the
same thing the Porthole side counts (WebSocket message payloads, frame headers included).
Every read is bounded by the caller's timeout (the reader task is cancelled), and the
client connects only where it is told (the benchmark passes 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

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
TPIXEL = 3  # Tight sends 24-bit true colour pixels as 3 bytes
TIGHT_MIN_TO_COMPRESS = 12
MAX_RECTS = 1_000_000  # an update ended by LastRect still has a bound
HANDSHAKE_TIMEOUT_S = 10.0


class RfbError(Exception):
    pass


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

    @classmethod
    async def connect(cls, host: str, port: int) -> RfbClient:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(host, port)
            client = cls(reader, writer)
            await client._handshake()
        return client

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
            _, _, w, h, encoding = struct.unpack("!HHHHi", await self._read(12))  # x, y unused
            self.encodings_seen[encoding] = self.encodings_seen.get(encoding, 0) + 1
            if encoding == ENC_LASTRECT:
                return
            self.rects += 1
            if encoding == ENC_RAW:
                await self._read(w * h * BYTES_PER_PIXEL)
            elif encoding == ENC_COPYRECT:
                await self._read(4)
            elif encoding == ENC_ZRLE:
                await self._read(await self._u32())
            elif encoding == ENC_TIGHT:
                await self._tight(w, h)
            else:
                raise RfbError(f"unexpected encoding {encoding} in an update")

    async def _compact_length(self) -> int:
        length = 0
        for shift in (0, 7, 14):
            byte = await self._u8()
            length |= (byte & (0x7F if shift < 14 else 0xFF)) << shift
            if shift == 14 or not byte & 0x80:
                break
        return length

    async def _tight(self, w: int, h: int) -> None:
        control = (await self._u8()) >> 4  # the low bits reset zlib streams: no data
        if control == 0x08:  # fill
            await self._read(TPIXEL)
            return
        if control == 0x09:  # JPEG
            await self._read(await self._compact_length())
            return
        if control > 0x09:
            raise RfbError(f"bad Tight control {control:#x}")
        row_bytes = w * TPIXEL  # copy filter (and gradient): 24-bit pixels
        if control & 0x04:
            tight_filter = await self._u8()
            if tight_filter == 1:  # palette
                colours = await self._u8() + 1
                await self._read(colours * TPIXEL)
                row_bytes = (w + 7) // 8 if colours == 2 else w
            elif tight_filter not in (0, 2):
                raise RfbError(f"bad Tight filter {tight_filter}")
        size = row_bytes * h
        if size < TIGHT_MIN_TO_COMPRESS:
            await self._read(size)
        else:
            await self._read(await self._compact_length())

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

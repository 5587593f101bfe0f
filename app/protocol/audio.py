"""Sound from the remote computer, in AUDIO frames (agent → viewer): each payload is one
Opus packet of FRAME_MS of 48 kHz stereo, stamped with when its first sample was
captured. The agent sends sound only while the viewer's heartbeats ask for it
(``Heartbeat.audio``) and says in its answers whether it has any (``HeartbeatAck.audio``).
"""

from __future__ import annotations

__all__ = ["CHANNELS", "FRAME_MS", "FRAME_SAMPLES", "MAX_PACKET_BYTES", "SAMPLE_RATE"]

SAMPLE_RATE = 48_000
CHANNELS = 2
#: Opus frames of 20 ms: its usual size, and a delay small next to the picture's.
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
#: Opus's own limit for one packet of one frame.
MAX_PACKET_BYTES = 1275 * 3

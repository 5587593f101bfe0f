"""A real PulseAudio server for the test run (one per worker), with one null output
("porthole") whose monitor the agent reads and where the viewer's QAudioSink plays, and a
way to play sound into it as an application would.

It is started before any test, and ``PULSE_SERVER`` names it for the whole run: Qt's
audio finds its server once per process, so every test must see the same one."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

REQUIRE_PULSEAUDIO = os.environ.get("PORTHOLE_REQUIRE_PULSEAUDIO") == "1"
SINK = "porthole"


def _missing(reason: str) -> None:
    if REQUIRE_PULSEAUDIO:
        pytest.fail(f"PulseAudio is required for this run: {reason}")
    pytest.skip(reason)


def require(server: str | None) -> str:
    """The run's server, or skip (fail where PulseAudio is required)."""
    if server is None:
        _missing("no PulseAudio server (install pulseaudio and pulseaudio-utils)")
    assert server is not None
    return server


@contextlib.contextmanager
def pulse_server(folder: Path) -> Iterator[str | None]:
    """The address of a fresh server (no configuration read, no D-Bus), stopped after;
    None where PulseAudio is not installed or does not start."""
    if shutil.which("pulseaudio") is None or shutil.which("pacat") is None:
        yield None
        return
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder)}
    env["PULSE_RUNTIME_PATH"] = str(folder)
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",  # no default.pa: only the modules below
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disable-shm=yes",
            "--log-target=stderr",
            "-L",
            f"module-native-protocol-unix socket={socket} auth-anonymous=1",
            "-L",
            f"module-null-sink sink_name={SINK} rate=48000",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = f"unix:{socket}"
    try:
        deadline = time.monotonic() + 15
        while not _answers(server):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate()
                print(f"PulseAudio did not start: {err[-500:]}")
                yield None
                return
            time.sleep(0.05)  # polling a process that has no readiness signal
        yield server
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        if process.poll() is None:
            process.kill()
            process.wait()


def _answers(server: str) -> bool:
    done = subprocess.run(
        ["pactl", "--server", server, "info"], capture_output=True, timeout=5, check=False
    )
    return done.returncode == 0


def tone(frequency: float, seconds: float, rate: int = 48_000) -> bytes:
    """A stereo s16le sine, loud enough to stand far above Opus's noise."""
    t = np.arange(int(rate * seconds)) / rate
    mono = (np.sin(2 * np.pi * frequency * t) * 12_000).astype("<i2")
    return np.repeat(mono[:, None], 2, axis=1).tobytes()


def play(server: str, pcm: bytes, folder: Path) -> subprocess.Popen[bytes]:
    """An application playing ``pcm`` (48 kHz stereo s16le) on the null output, from a
    file (a pipe would make the writer wait as long as the sound lasts)."""
    sound = folder / f"sound-{len(pcm)}.raw"
    sound.write_bytes(pcm)
    return subprocess.Popen(
        [
            "pacat",
            "--server",
            server,
            f"--device={SINK}",
            "--format=s16le",
            "--rate=48000",
            "--channels=2",
            str(sound),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def dominant_frequency(pcm: bytes, rate: int = 48_000) -> float:
    left = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2)[:, 0].astype(float)
    spectrum = np.abs(np.fft.rfft(left))
    return float(np.argmax(spectrum) * rate / len(left))

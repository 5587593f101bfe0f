"""The processes a benchmark starts: the cloud under test and the load generators."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, TextIO

import psutil

from app.cloud.server import READY_PREFIX

# Lines of the cloud's output that mean something went wrong inside it.
_TROUBLE = re.compile(r"\b(ERROR|CRITICAL|Traceback)\b")
_STREAM_LIMIT = 64 * 1024 * 1024  # result lines carry every latency sample


class CloudProcess:
    """``python -m app cloud serve --port 0`` on 127.0.0.1, as its own process so its
    memory and CPU are the cloud's alone. Its output is read all the time (a full pipe
    would stall it) and lines that look like errors are kept for the report."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self.log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.url = ""
        self.port = 0
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self.trouble: list[str] = []
        self.trouble_count = 0

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def start(self, timeout_s: float = 60) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            "cloud",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            env={**os.environ, **self._env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            limit=_STREAM_LIMIT,
        )
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read_output(ready))
        try:
            async with asyncio.timeout(timeout_s):
                self.url = await ready
        except (TimeoutError, EOFError):
            await self.stop()
            raise RuntimeError("the cloud did not start:\n" + "".join(self.tail)) from None
        self.port = int(self.url.rsplit(":", 1)[1])

    async def _read_output(self, ready: asyncio.Future[str]) -> None:
        assert self._process is not None and self._process.stdout is not None
        with self.log_path.open("w") as log:
            await self._follow(self._process.stdout, log, ready)
        if not ready.done():
            ready.set_exception(EOFError("the cloud exited"))

    async def _follow(
        self, stdout: asyncio.StreamReader, log: TextIO, ready: asyncio.Future[str]
    ) -> None:
        async for raw in stdout:
            line = raw.decode(errors="replace")
            log.write(line)
            self.tail.append(line)
            if line.startswith(READY_PREFIX) and not ready.done():
                ready.set_result(line[len(READY_PREFIX) :].strip())
            elif _TROUBLE.search(line):
                self.trouble_count += 1
                if len(self.trouble) < 20:
                    self.trouble.append(line.rstrip())

    def info(self) -> psutil.Process:
        return psutil.Process(self.pid)

    def rss_mb(self) -> float:
        return float(self.info().memory_info().rss) / 2**20

    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(20):
                    await process.wait()
            except TimeoutError:
                process.kill()
                async with asyncio.timeout(20):
                    await process.wait()
        if self._reader is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(5):
                    await self._reader


class LoadGenerator:
    """One ``python -m benchmarks.loadgen`` subprocess, driven over JSON lines."""

    def __init__(self, job: dict[str, Any], workdir: Path, name: str) -> None:
        self.name = name
        self._job_file = workdir / f"{name}.json"
        self._job_file.write_text(json.dumps(job))
        self.stderr_file = workdir / f"{name}.stderr"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.stderr_file.open("wb") as stderr:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.loadgen",
                str(self._job_file),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                limit=_STREAM_LIMIT,
            )

    async def next_event(self, timeout_s: float, wanted: str) -> dict[str, Any]:
        """The next event named ``wanted``, skipping progress reports; fails on error."""
        assert self._process is not None and self._process.stdout is not None
        async with asyncio.timeout(timeout_s):
            while True:
                line = await self._process.stdout.readline()
                if not line:
                    raise RuntimeError(f"{self.name} exited early: {self.stderr_tail()}")
                event: dict[str, Any] = json.loads(line)
                if event["event"] == "failed":
                    raise RuntimeError(f"{self.name} failed: {event['error']}")
                if event["event"] == wanted:
                    return event

    async def send(self, command: str) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(command.encode() + b"\n")
        await self._process.stdin.drain()

    def stderr_tail(self) -> str:
        text = self.stderr_file.read_text(errors="replace") if self.stderr_file.exists() else ""
        return text[-2000:]

    async def stop(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            async with asyncio.timeout(30):
                await process.wait()
        except TimeoutError:
            process.kill()
            async with asyncio.timeout(10):
                await process.wait()

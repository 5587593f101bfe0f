"""The real cloud under uvicorn on 127.0.0.1, in a thread of the test process (so tests can
inject the clock) or as a ``porthole cloud serve`` subprocess (so tests can kill it)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from app.cloud.clock import Clock
from app.cloud.server import READY_PREFIX, _Server, bind, build_server, run_loop
from app.cloud.settings import Settings

#: The operator credential of every test cloud (``/sandbox/v1`` calls send it).
OPERATOR_TOKEN = "op_test_only"
OPERATOR_HEADERS = {"X-Porthole-Operator": OPERATOR_TOKEN}
#: Test clouds run the payment sandbox, which a plain ``cloud serve`` never turns on, and
#: sign up more accounts from 127.0.0.1 than one address may in production (the limits
#: have tests of their own, with their defaults).
SANDBOX_ENV = {
    "PORTHOLE_PAYMENT_PROVIDER": "sandbox",
    "PORTHOLE_OPERATOR_TOKEN": OPERATOR_TOKEN,
    "PORTHOLE_SIGNUPS_PER_HOUR_PER_ADDRESS": "1000000",
    "PORTHOLE_ENROLLMENT_CODES_PER_HOUR": "1000000",
}


class CloudThread:
    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        """``host``: another address of this machine, for agents in a network namespace."""
        self.settings = settings
        self.clock = clock
        self._sock = bind(host, port)
        self.port = int(self._sock.getsockname()[1])
        scheme = "https" if settings.tls_certfile is not None else "http"
        self.url = f"{scheme}://{host}:{self.port}"
        self._server: _Server | None = None
        self._thread = threading.Thread(target=self._run, name="cloud", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server = build_server(self.settings, self._sock, clock=self.clock)
            run_loop(self._serve())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        assert self._server is not None
        serving = await self._server.serve_until_ready(self._sock)
        self._ready.set()
        await serving

    def start(self) -> CloudThread:
        self._thread.start()
        if not self._ready.wait(60) or self._error is not None:
            raise RuntimeError(f"cloud did not start: {self._error!r}")
        assert self._server is not None and self._server.started
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(30)


class CloudProcess:
    """``porthole cloud serve`` as a real subprocess."""

    def __init__(
        self,
        env: Mapping[str, str],
        port: int = 0,
        cwd: Path | None = None,
        *,
        unset: tuple[str, ...] = (),
    ) -> None:
        """``unset`` names variables the cloud must not see (a default it should take)."""
        full_env = {**os.environ, **SANDBOX_ENV, **env}
        for name in unset:
            full_env.pop(name, None)
        #: What the cloud printed up to its ready line.
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "cloud",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
        )
        self.url = self._wait_ready()
        self.port = int(self.url.rsplit(":", 1)[1])

    def _wait_ready(self) -> str:
        assert self.process.stdout is not None
        seen = self.output
        timer = threading.Timer(60, self.process.kill)
        timer.start()
        try:
            for line in self.process.stdout:
                seen.append(line)
                if line.startswith(READY_PREFIX):
                    self._drain()
                    return line[len(READY_PREFIX) :].strip()
        finally:
            timer.cancel()
        raise RuntimeError("cloud process did not start:\n" + "".join(seen[-30:]))

    def _drain(self) -> None:
        # Keep reading its output so a chatty server never blocks on a full pipe.
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(15)

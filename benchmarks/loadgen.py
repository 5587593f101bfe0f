"""Load-generator subprocess: ``python -m benchmarks.loadgen JOB.json``.

It talks to the orchestrator in JSON lines: it prints ``{"event": "ready", ...}`` once its
connections are open, starts measuring when it reads ``go`` on stdin, and prints
``{"event": "result", ...}`` with the raw samples so the orchestrator can merge several
generators into one set of percentiles. Two kinds of job:

``http``
    Every client owns one keep-alive connection and sends its prepared request in a
    closed loop (the next request leaves when the answer to the previous one arrived,
    after an optional pause, ``think_s``).
    Latency is measured per request with ``time.perf_counter``; requests that start
    during the warm-up are not counted.
``links``
    Agent control links, opened the way ``app.agent.link.ControlLink`` opens them (hello,
    welcome, a heartbeat every ``heartbeat_interval_s``), ramped up a batch at a time so
    the cloud never sees thousands of simultaneous connects. Each heartbeat's ack
    round-trip is measured; a link that closes before the orchestrator says ``close`` is
    counted as dropped.
``purchases``
    ``POST /api/v1/purchases`` in closed loops, each purchase with a fresh
    ``Idempotency-Key``, some sent twice at once to exercise the in-flight and replay
    paths (see ``run_purchases``). The result lists every purchase each key produced, so
    the orchestrator can check that no key was charged twice.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.protocol import (
    PROTOCOL_VERSION,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Welcome,
    decode_message,
    encode_message,
)
from benchmarks.rawhttp import KeepAliveConnection, build_request

GO_TIMEOUT_S = 600.0
# Heartbeats slower than this are reported with their time, to find what stalled the cloud.
LATE_S = 0.25
CLOSE_TIMEOUT_S = 600.0


def raise_fd_limit() -> int:
    """Raise the soft open-files limit to the hard one; return the new soft limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def emit(event: str, **fields: Any) -> None:
    """One JSON line for the orchestrator."""
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def error_name(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:80] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Commands:
    """Lines the orchestrator writes to our stdin."""

    def __init__(self) -> None:
        self._reader = asyncio.StreamReader()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        protocol = asyncio.StreamReaderProtocol(self._reader)
        await loop.connect_read_pipe(lambda: protocol, sys.stdin)

    async def expect(self, word: str, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):
            while True:
                line = await self._reader.readline()
                if not line:
                    raise EOFError(f"the orchestrator went away before saying {word!r}")
                if line.decode().strip() == word:
                    return


# --------------------------------------------------------------------------- http


async def run_http(job: dict[str, Any], commands: Commands) -> None:
    host, port = str(job["host"]), int(job["port"])
    prepared = [
        build_request(
            spec["method"],
            host,
            port,
            spec["path"],
            spec.get("headers", {}),
            spec.get("body", "").encode(),
        )
        for spec in job["requests"]
    ]
    connections = [KeepAliveConnection(host, port) for _ in prepared]
    opened = await asyncio.gather(*(c.open() for c in connections), return_exceptions=True)
    failures = Counter(error_name(r) for r in opened if isinstance(r, BaseException))
    emit("ready", up=len(connections) - failures.total(), failed=dict(failures))
    await commands.expect("go", GO_TIMEOUT_S)

    warmup_s, duration_s = float(job["warmup_s"]), float(job["duration_s"])
    think_s = float(job.get("think_s", 0.0))
    start = time.perf_counter()
    window_start, window_end = start + warmup_s, start + warmup_s + duration_s
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    cpu_before = time.process_time()

    async def client(connection: KeepAliveConnection, raw: bytes) -> None:
        while (sent := time.perf_counter()) < window_end:
            try:
                status, _body = await connection.request(raw)
            except Exception as exc:
                outcome = error_name(exc)
            else:
                outcome = "" if status < 400 else f"HTTP {status}"
            if sent >= window_start:
                if outcome:
                    errors[outcome] += 1
                else:
                    latencies.append(time.perf_counter() - sent)
            if outcome:
                await asyncio.sleep(0.05)  # do not spin on a refusing server
            elif think_s:
                # A person looking at the list before the next refresh; the jitter keeps
                # the clients from marching in step.
                await asyncio.sleep(think_s * random.uniform(0.5, 1.5))

    await asyncio.gather(*(client(c, raw) for c, raw in zip(connections, prepared, strict=True)))
    cpu_s = time.process_time() - cpu_before
    await asyncio.gather(*(c.close() for c in connections))
    emit(
        "result",
        latencies=[round(x, 6) for x in latencies],
        errors=dict(errors),
        window_s=duration_s,
        cpu_s=cpu_s,
    )


# ---------------------------------------------------------------------- purchases


@dataclass
class PurchaseStats:
    """What the purchase clients saw; see ``run_purchases``."""

    latencies: list[float] = field(default_factory=list)  # charging requests in the window
    replay_latencies: list[float] = field(default_factory=list)
    # [account index, key, purchase id] of every key answered 201, warm-up included.
    charges: list[tuple[int, str, str]] = field(default_factory=list)
    purchases: int = 0  # keys answered 201 whose request left inside the window
    duplicates: int = 0  # keys sent twice
    replays: int = 0  # duplicates answered 201 with the first answer's purchase
    in_flight: int = 0  # duplicates answered 409: the first was still running
    errors: Counter[str] = field(default_factory=Counter)


async def _timed(connection: KeepAliveConnection, raw: bytes) -> tuple[int, bytes, float]:
    sent = time.perf_counter()
    status, body = await connection.request(raw)
    return status, body, time.perf_counter() - sent


def _purchase_id(status: int, body: bytes) -> str | None:
    """The purchase a 201 answer describes; None for any other answer."""
    if status != 201:
        return None
    purchase_id = json.loads(body).get("id")
    return purchase_id if isinstance(purchase_id, str) else None


def _refusal(status: int, body: bytes) -> str:
    try:
        code = json.loads(body).get("error", "")
    except ValueError:
        code = ""
    return f"HTTP {status} {code}".rstrip()


async def run_purchases(job: dict[str, Any], commands: Commands) -> None:
    """Buy, each purchase with a fresh Idempotency-Key, from ``clients`` closed loops over
    ``tokens`` (one access token per account). Every ``duplicate_every``-th purchase is
    sent twice at once on two connections, as a double click or a retry after a lost
    answer would: one of the two charges, the other is answered either 409 (the first is
    still in flight; it is then sent again and must be replayed) or 201 with the same
    purchase (a replay). Two purchases for one key is an error."""
    host, port = str(job["host"]), int(job["port"])
    tokens: list[str] = list(job["tokens"])
    plans: list[str] = list(job["plans"])
    clients, every = int(job["clients"]), int(job["duplicate_every"])
    body = {"channel": "app", "payment_method": job["payment_method"]}
    pairs = [
        (KeepAliveConnection(host, port), KeepAliveConnection(host, port)) for _ in range(clients)
    ]
    opened = await asyncio.gather(
        *(c.open() for pair in pairs for c in pair), return_exceptions=True
    )
    failures = Counter(error_name(r) for r in opened if isinstance(r, BaseException))
    emit("ready", up=2 * clients - failures.total(), failed=dict(failures))
    await commands.expect("go", GO_TIMEOUT_S)

    warmup_s, duration_s = float(job["warmup_s"]), float(job["duration_s"])
    start = time.perf_counter()
    window_start, window_end = start + warmup_s, start + warmup_s + duration_s
    stats = PurchaseStats()
    cpu_before = time.process_time()

    def charged(account: int, key: str, purchase_id: str, sent: float, latency: float) -> None:
        stats.charges.append((account, key, purchase_id))
        if sent >= window_start:
            stats.purchases += 1
            stats.latencies.append(latency)

    async def single(first: KeepAliveConnection, raw: bytes, account: int, key: str) -> bool:
        sent = time.perf_counter()
        status, answer, latency = await _timed(first, raw)
        purchase_id = _purchase_id(status, answer)
        if purchase_id is None:
            stats.errors[_refusal(status, answer)] += 1
            return False
        charged(account, key, purchase_id, sent, latency)
        return True

    async def double(
        first: KeepAliveConnection, second: KeepAliveConnection, raw: bytes, account: int, key: str
    ) -> bool:
        stats.duplicates += 1
        sent = time.perf_counter()
        outcomes = await asyncio.gather(
            _timed(first, raw), _timed(second, raw), return_exceptions=True
        )
        answers = [o for o in outcomes if not isinstance(o, BaseException)]
        if len(answers) < 2:
            stats.errors.update(error_name(o) for o in outcomes if isinstance(o, BaseException))
            for status, answer, latency in answers:  # a charge made all the same
                if (purchase_id := _purchase_id(status, answer)) is not None:
                    charged(account, key, purchase_id, sent, latency)
            return False
        ids = [_purchase_id(status, answer) for status, answer, _latency in answers]
        bad = [
            _refusal(status, answer)
            for (status, answer, _latency), purchase_id in zip(answers, ids, strict=True)
            if purchase_id is None and status != 409
        ]
        if bad or ids == [None, None]:
            stats.errors.update(bad or ["both answered 409"])
            return False
        winner = 0 if ids[0] is not None else 1
        purchase_id = ids[winner]
        assert purchase_id is not None
        charged(account, key, purchase_id, sent, answers[winner][2])
        loser = 1 - winner
        if ids[loser] is not None:
            if ids[loser] != purchase_id:
                stats.errors["two purchases for one Idempotency-Key"] += 1
                stats.charges.append((account, key, str(ids[loser])))
                return False
            stats.replays += 1
            stats.replay_latencies.append(answers[loser][2])
            return True
        # Answered 409 while the first ran; the first has answered now, so a re-send
        # must get its stored answer.
        stats.in_flight += 1
        for _attempt in range(3):
            status, answer, latency = await _timed((first, second)[loser], raw)
            if status != 409:
                break
            stats.in_flight += 1
            await asyncio.sleep(0.2)
        again = _purchase_id(status, answer)
        if again is None:
            stats.errors[f"re-send after 409: {_refusal(status, answer)}"] += 1
            return False
        if again != purchase_id:
            stats.errors["two purchases for one Idempotency-Key"] += 1
            stats.charges.append((account, key, again))
            return False
        stats.replays += 1
        stats.replay_latencies.append(latency)
        return True

    async def client(index: int, first: KeepAliveConnection, second: KeepAliveConnection) -> None:
        turn = 0
        while time.perf_counter() < window_end:
            account = (index + turn * clients) % len(tokens)
            plan = plans[turn % len(plans)]
            turn += 1
            key = str(uuid.uuid4())
            raw = build_request(
                "POST",
                host,
                port,
                "/api/v1/purchases",
                {
                    "Authorization": f"Bearer {tokens[account]}",
                    "Idempotency-Key": key,
                    "Content-Type": "application/json",
                },
                json.dumps({**body, "plan": plan}).encode(),
            )
            try:
                if turn % every == 0:
                    ok = await double(first, second, raw, account, key)
                else:
                    ok = await single(first, raw, account, key)
            except Exception as exc:
                stats.errors[error_name(exc)] += 1
                ok = False
            if not ok:
                await asyncio.sleep(0.05)  # do not spin on a refusing server

    await asyncio.gather(*(client(i, *pair) for i, pair in enumerate(pairs)))
    cpu_s = time.process_time() - cpu_before
    await asyncio.gather(*(c.close() for pair in pairs for c in pair))
    emit(
        "result",
        latencies=[round(x, 6) for x in stats.latencies],
        replay_latencies=[round(x, 6) for x in stats.replay_latencies],
        charges=stats.charges,
        purchases=stats.purchases,
        duplicates=stats.duplicates,
        replays=stats.replays,
        in_flight=stats.in_flight,
        errors=dict(stats.errors),
        window_s=duration_s,
        cpu_s=cpu_s,
    )


# -------------------------------------------------------------------------- links


class Pending:
    """Heartbeats sent inside the window whose fate (ack or miss) is not known yet."""

    def __init__(self) -> None:
        self.count = 0
        self.settled = asyncio.Event()
        self.settled.set()

    def add(self) -> None:
        self.count += 1
        self.settled.clear()

    def done(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.settled.set()


@dataclass
class LinkStats:
    measuring: bool = False
    closing: bool = False
    rtts: list[float] = field(default_factory=list)
    sent: int = 0
    missed: int = 0
    dropped: int = 0
    drop_reasons: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    pending: Pending = field(default_factory=Pending)
    intervals_s: set[float] = field(default_factory=set)
    go_at: float = 0.0
    # (seconds after "go", round-trip) of every heartbeat slower than LATE_S.
    late: list[tuple[float, float]] = field(default_factory=list)


async def open_link(
    url: str, token: str, timeout_s: float, compression: str | None
) -> tuple[ClientConnection, float]:
    """Connect and say hello as an agent; return the link and its heartbeat interval.

    The options are the agent's (``ControlLink._run_once``), including the websockets
    default of offering permessage-deflate, so the cloud holds what real links cost."""
    ws = await connect(
        url,
        open_timeout=timeout_s,
        close_timeout=3,
        max_size=1024 * 1024,
        ping_interval=None,
        compression=compression,
    )
    try:
        hello = Hello(
            version=PROTOCOL_VERSION, role="agent", token=token, client="porthole-bench/0"
        )
        await ws.send(encode_message(hello))
        async with asyncio.timeout(timeout_s):
            welcome = decode_message(await ws.recv())
        if not isinstance(welcome, Welcome):
            raise RuntimeError(f"expected welcome, got {welcome.TYPE}")
        return ws, welcome.heartbeat_interval_s
    except BaseException:
        await ws.close()
        raise


async def heartbeats(ws: ClientConnection, interval_s: float, stats: LinkStats) -> None:
    """Heartbeat until cancelled, like the agent: one every interval, an ack expected
    within two. The first one waits a random part of an interval, as agents that came
    online at different moments would."""
    seq = 0
    next_at = time.perf_counter() + random.uniform(0, interval_s)
    try:
        while True:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            sent = time.perf_counter()
            next_at = sent + interval_s
            counted = stats.measuring
            if counted:
                stats.sent += 1
                stats.pending.add()
            try:
                await ws.send(encode_message(Heartbeat(seq=seq, sent_at_us=time.time_ns() // 1000)))
                rtt = await _await_ack(ws, seq, 2 * interval_s, stats)
            finally:
                if counted:
                    stats.pending.done()
            if counted:
                if rtt is None:
                    stats.missed += 1
                else:
                    stats.rtts.append(rtt)
                    if rtt > LATE_S:
                        stats.late.append((sent - stats.go_at, rtt))
            seq += 1
    except ConnectionClosed as exc:
        if not stats.closing:
            stats.dropped += 1
            code = exc.rcvd.code if exc.rcvd is not None else "none"
            reason = exc.rcvd.reason if exc.rcvd is not None else "no close frame"
            stats.drop_reasons[f"close {code} {reason}"[:100]] += 1


async def _await_ack(
    ws: ClientConnection, seq: int, timeout_s: float, stats: LinkStats
) -> float | None:
    """The round-trip of heartbeat ``seq``, or None if no ack came in time."""
    sent = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = decode_message(await ws.recv())
                if isinstance(message, HeartbeatAck) and message.seq == seq:
                    return time.perf_counter() - sent
                if isinstance(message, ErrorMessage):
                    stats.server_errors[message.code] += 1
    except TimeoutError:
        return None


async def run_links(job: dict[str, Any], commands: Commands) -> None:
    url, tokens = str(job["url"]), list(job["tokens"])
    batch, timeout_s = int(job["ramp_batch"]), float(job["connect_timeout_s"])
    compression: str | None = job.get("compression", "deflate")
    stats = LinkStats()
    links: list[ClientConnection] = []
    tasks: list[asyncio.Task[None]] = []
    failures: Counter[str] = Counter()
    ramp_started = time.perf_counter()
    for start in range(0, len(tokens), batch):
        chunk = tokens[start : start + batch]
        opened = await asyncio.gather(
            *(open_link(url, token, timeout_s, compression) for token in chunk),
            return_exceptions=True,
        )
        for outcome in opened:
            if isinstance(outcome, BaseException):
                failures[error_name(outcome)] += 1
                continue
            ws, interval_s = outcome
            stats.intervals_s.add(interval_s)
            links.append(ws)
            tasks.append(asyncio.create_task(heartbeats(ws, interval_s, stats)))
        emit("progress", up=len(links), failed=failures.total())
    emit(
        "ready",
        up=len(links),
        failed=dict(failures),
        ramp_s=time.perf_counter() - ramp_started,
        dropped=stats.dropped,
    )

    await commands.expect("go", GO_TIMEOUT_S)
    hold_s = float(job["hold_s"])
    stats.go_at = time.perf_counter()
    stats.measuring = True
    await asyncio.sleep(hold_s)
    stats.measuring = False
    interval_s = max(stats.intervals_s, default=5.0)
    try:
        async with asyncio.timeout(2 * interval_s + 10):
            await stats.pending.settled.wait()
    except TimeoutError:
        pass  # those heartbeats stay unanswered; they are reported as missed below
    emit(
        "result",
        rtts=[round(x, 6) for x in stats.rtts],
        late=[(round(at, 3), round(rtt, 3)) for at, rtt in stats.late],
        sent=stats.sent,
        missed=stats.missed + stats.pending.count,
        dropped=stats.dropped,
        drop_reasons=dict(stats.drop_reasons),
        server_errors=dict(stats.server_errors),
        window_s=hold_s,
        alive=sum(1 for task in tasks if not task.done()),
    )

    await commands.expect("close", CLOSE_TIMEOUT_S)
    stats.closing = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    limit = asyncio.Semaphore(200)

    async def close(ws: ClientConnection) -> None:
        async with limit:
            await ws.close()

    await asyncio.gather(*(close(ws) for ws in links), return_exceptions=True)
    emit("closed", dropped=stats.dropped, drop_reasons=dict(stats.drop_reasons))


# --------------------------------------------------------------------------- main

Runner = Callable[[dict[str, Any], Commands], Awaitable[None]]
RUNNERS: dict[str, Runner] = {"http": run_http, "purchases": run_purchases, "links": run_links}


async def _main(job: dict[str, Any]) -> None:
    commands = Commands()
    await commands.start()
    await RUNNERS[job["mode"]](job, commands)


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    # The cloud runs on uvloop (uvicorn picks it when installed); so does its load.
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


def main() -> None:
    raise_fd_limit()
    job = json.loads(Path(sys.argv[1]).read_text())
    try:
        _run(_main(job))
    except Exception as exc:
        emit("failed", error=error_name(exc))
        raise


if __name__ == "__main__":
    main()

"""HTTP load from load-generator subprocesses, and the rows a GET measurement adds to the
table. Shared by the presence part (``GET /computers``) and the billing part
(``GET /subscription``) of ``scripts/bench``."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import api
from benchmarks.processes import CloudProcess, LoadGenerator
from benchmarks.stats import Table, ms, percentile

GET_P99_GOAL_S = 0.050


def say(text: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(text, file=sys.stderr, flush=True)


def count_text(counter: Counter[str]) -> str:
    """The total and the three most common kinds, or "0"."""
    if not counter:
        return "0"
    total = counter.total()
    shown = "; ".join(f"{name} x{n}" for name, n in counter.most_common(3))
    return f"{total} ({shown})"


@dataclass
class HttpLoad:
    latencies: list[float]
    errors: Counter[str]
    window_s: float
    generator_cpu_s: float
    cloud_cpu_share: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.window_s


async def run_http_load(
    cloud: CloudProcess,
    requests: list[dict[str, Any]],
    warmup_s: float,
    duration_s: float,
    processes: int,
    workdir: Path,
    name: str,
    think_s: float = 0.0,
) -> HttpLoad:
    """Send ``requests`` (one per client) in closed loops from ``processes`` generators."""
    generators = [
        LoadGenerator(
            {
                "mode": "http",
                "host": "127.0.0.1",
                "port": cloud.port,
                "requests": requests[index::processes],
                "warmup_s": warmup_s,
                "duration_s": duration_s,
                "think_s": think_s,
            },
            workdir,
            f"{name}-{index}",
        )
        for index in range(processes)
        if requests[index::processes]
    ]
    try:
        await asyncio.gather(*(g.start() for g in generators))
        readies = await asyncio.gather(*(g.next_event(60, "ready") for g in generators))
        failed = sum(sum(r["failed"].values()) for r in readies)
        if failed:
            raise RuntimeError(f"{failed} client connections could not open: {readies}")
        cpu_before = cloud.info().cpu_times()
        started = time.perf_counter()
        await asyncio.gather(*(g.send("go") for g in generators))
        results = await asyncio.gather(
            *(g.next_event(warmup_s + duration_s + 60, "result") for g in generators)
        )
        wall = time.perf_counter() - started
        cpu_after = cloud.info().cpu_times()
    finally:
        await asyncio.gather(*(g.stop() for g in generators))
    errors: Counter[str] = Counter()
    for result in results:
        errors.update(result["errors"])
    cloud_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    return HttpLoad(
        latencies=[x for result in results for x in result["latencies"]],
        errors=errors,
        window_s=duration_s,
        generator_cpu_s=sum(result["cpu_s"] for result in results),
        cloud_cpu_share=cloud_cpu / wall,
    )


def get_request(path: str, account: api.Account) -> dict[str, Any]:
    """A signed-in ``GET path`` for the load generator."""
    return {
        "method": "GET",
        "path": path,
        "headers": {"Authorization": f"Bearer {account.access_token}"},
    }


@dataclass(frozen=True)
class GetLoad:
    """One GET endpoint measured alone, then under ``clients`` concurrent clients."""

    path: str  # "/api/v1/computers"
    title: str  # "GET /computers", as the table names it
    clients: int
    baseline_s: float  # one client, for comparison
    warmup_s: float
    duration_s: float
    think_s: float  # pause between one client's requests; 0 is a closed loop
    processes: int
    goal_p99_s: float = GET_P99_GOAL_S


async def measure_get(
    cloud: CloudProcess,
    load: GetLoad,
    accounts: list[api.Account],
    workdir: Path,
    name: str,
    table: Table,
) -> None:
    """``load.path`` latency: one client alone, then ``load.clients`` at once, the clients
    spread over ``accounts`` (signed in)."""
    say(f"GET {load.path}, 1 client, {load.baseline_s:.0f} s…")
    alone = await run_http_load(
        cloud,
        [get_request(load.path, accounts[0])],
        1,
        load.baseline_s,
        1,
        workdir,
        f"{name}-alone",
    )
    table.add(
        f"{load.title} p50 / p99, 1 client",
        f"{ms(percentile(alone.latencies, 50))} / {ms(percentile(alone.latencies, 99))}"
        f" ({alone.rate:.0f} req/s)",
    )

    say(f"GET {load.path}, {load.clients} clients, {load.duration_s:.0f} s…")
    requests = [get_request(load.path, accounts[i % len(accounts)]) for i in range(load.clients)]
    measured = await run_http_load(
        cloud,
        requests,
        load.warmup_s,
        load.duration_s,
        load.processes,
        workdir,
        name,
        load.think_s,
    )
    p99 = percentile(measured.latencies, 99)
    label = f"{load.clients} clients"
    if load.think_s:
        label += f" ~{load.think_s * 1000:.0f} ms apart"
    table.add(f"{load.title} p50, {label}", ms(percentile(measured.latencies, 50)))
    table.add(
        f"{load.title} p99, {label}",
        ms(p99),
        f"< {load.goal_p99_s * 1000:.0f} ms",
        p99 < load.goal_p99_s,
    )
    table.add(
        f"{load.title} throughput, {label}",
        f"{measured.rate:.0f} req/s (cloud CPU {measured.cloud_cpu_share:.0%} of a core, "
        f"generator {measured.generator_cpu_s / (load.warmup_s + load.duration_s):.0%})",
    )
    table.add(f"{load.title} errors", count_text(measured.errors), "0", not measured.errors)

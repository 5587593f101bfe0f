"""Cloud benchmark: ``scripts/bench [--database sqlite|postgres] [--agents N] [--clients N]
[--think-ms MS] [--only billing|presence|all] [--quick]``.

Starts the real cloud (``python -m app cloud serve --port 0`` on 127.0.0.1) as its own
process, on a fresh SQLite file or a throw-away PostgreSQL server, and measures:

1. **Sign-ins per second.** ``POST /api/v1/auth/token`` from a few concurrent clients.
   Each sign-in verifies an argon2id hash, which is slow on purpose; the rate tells how
   many people can sign in at once, so it is reported without a goal.
2. **The computers list under load.** ``GET /api/v1/computers`` from ``--clients``
   concurrent clients (keep-alive; each pauses ``--think-ms``, default ~1 s, between
   requests, to model people rather than scripts; ``--think-ms 0`` is a closed loop that
   measures saturation instead), each account holding ten computers.
   This is what every app and portal calls on opening and after each change; the goal is
   p99 < 50 ms. The load comes from a separate process so that generating it does not
   share an event loop with anything else.
3. **Idle agent links.** ``--agents`` enrolled computers hold their control link open and
   heartbeat every interval, as ``porthole agent run`` does. The cloud's resident memory
   (goal < 500 MB for one process), the heartbeat ack round-trip, dropped links and
   presence (every computer listed online) show whether one process can carry them.
4. **Billing** (``benchmarks/billing.py``). Purchases per second with idempotency keys
   (duplicates replayed, exactly one charge per key) and ``GET /api/v1/subscription``
   under ``--clients`` concurrent clients (``--think-ms`` applies), goal p99 < 50 ms.

``--only presence`` runs 1-3, ``--only billing`` runs 4; the default runs all four.
The table goes to stdout, progress to stderr. Exit status: 0 when every goal was met,
1 when one was missed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from benchmarks import api
from benchmarks.billing import BillingPlan, measure_billing
from benchmarks.httpload import GetLoad, count_text, measure_get, say
from benchmarks.loadgen import raise_fd_limit
from benchmarks.processes import CloudProcess, LoadGenerator
from benchmarks.stats import Table, ms, percentile

RSS_GOAL_MB = 500.0
ON_TIME_S = 1.0
ON_TIME_GOAL = 0.999
COMPUTERS_PER_ACCOUNT = 10
HINT = (
    "Hint: put this table, with the machine it ran on, in the README's benchmark section; "
    "compare with `scripts/bench --database postgres`."
)


@dataclass(frozen=True)
class Plan:
    """How big and how long each measurement is."""

    database: str
    agents: int
    clients: int
    accounts: int  # signed in during measurement 1, listed in measurement 2
    sign_in_clients: int
    sign_in_s: float
    list_warmup_s: float
    list_s: float
    think_s: float  # pause between one client's requests; 0 is a closed loop
    baseline_s: float  # the computers list with a single client, for comparison
    hold_s: float  # heartbeats measured after every link is up
    ramp_batch: int  # links connecting at the same time
    link_processes: int
    list_processes: int
    enrol_concurrency: int
    billing: BillingPlan
    only: str = "all"  # "presence" (1-3 above), "billing" (benchmarks/billing.py) or "all"
    connect_timeout_s: float = 30.0

    @property
    def presence(self) -> bool:
        return self.only in ("all", "presence")

    @property
    def with_billing(self) -> bool:
        return self.only in ("all", "billing")


def parse_args(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="Benchmark the Porthole cloud and print a table."
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--agents", type=int, help="idle agent links (default 5000; quick 200)")
    parser.add_argument(
        "--clients",
        type=int,
        help="concurrent GET /computers and GET /subscription clients (default 200; quick 20)",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000.0,
        help=(
            "pause of each of those clients between requests, jittered ±50%% (default 1000: "
            "people with the app open; 0: back to back, which measures saturation)"
        ),
    )
    parser.add_argument(
        "--only",
        choices=("billing", "presence", "all"),
        default="all",
        help="billing: purchases and GET /subscription; presence: sign-ins, GET /computers "
        "and agent links; all (default): both",
    )
    parser.add_argument("--quick", action="store_true", help="small numbers: a smoke run")
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    agents = args.agents if args.agents is not None else (200 if quick else 5000)
    clients = args.clients if args.clients is not None else (20 if quick else 200)
    if agents < 1 or clients < 1 or args.think_ms < 0:
        parser.error("--agents and --clients must be at least 1, --think-ms not negative")
    think_s = args.think_ms / 1000
    return Plan(
        database=args.database,
        only=args.only,
        agents=agents,
        clients=clients,
        accounts=min(clients, 5 if quick else 20),
        sign_in_clients=8,
        sign_in_s=3 if quick else 10,
        list_warmup_s=1 if quick else 2,
        list_s=5 if quick else 15,
        think_s=think_s,
        baseline_s=2 if quick else 5,
        hold_s=15 if quick else 30,
        ramp_batch=200,
        link_processes=1 if agents <= 1000 else 2,
        list_processes=1,
        enrol_concurrency=50,
        billing=BillingPlan(
            accounts=10 if quick else 50,
            purchase_clients=8,
            purchase_warmup_s=1,
            purchase_s=3 if quick else 10,
            duplicate_every=10,
            confirm_timeout_s=120,
            subscription=GetLoad(
                path="/api/v1/subscription",
                title="GET /subscription",
                clients=clients,
                baseline_s=2 if quick else 5,
                warmup_s=1 if quick else 2,
                duration_s=5 if quick else 15,
                think_s=think_s,
                processes=1,
            ),
        ),
    )


# ---------------------------------------------------------------- 1. sign-ins


async def measure_sign_ins(http: httpx.AsyncClient, plan: Plan, table: Table) -> list[api.Account]:
    """Sign in over and over for ``sign_in_s`` seconds; return the accounts, signed in."""
    say(f"creating {plan.accounts} accounts…")
    limit = asyncio.Semaphore(4)

    async def create(number: int) -> api.Account:
        async with limit:
            return await api.create_account(http, f"user{number}")

    accounts = list(await asyncio.gather(*(create(n) for n in range(plan.accounts))))

    say(f"signing in for {plan.sign_in_s:.0f} s from {plan.sign_in_clients} clients…")
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    end = started + plan.sign_in_s

    async def client(first: int) -> None:
        turn = first
        while time.perf_counter() < end:
            account = accounts[turn % len(accounts)]
            turn += plan.sign_in_clients
            sent = time.perf_counter()
            try:
                await api.sign_in(http, account)
            except (httpx.HTTPError, api.ApiError) as exc:
                errors[type(exc).__name__] += 1
                await asyncio.sleep(0.1)
            else:
                latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(client(n) for n in range(plan.sign_in_clients)))
    elapsed = time.perf_counter() - started
    table.add(
        f"sign-ins per second ({plan.sign_in_clients} clients, argon2id)",
        f"{len(latencies) / elapsed:.1f}/s ({len(latencies)} in {elapsed:.1f} s)",
    )
    table.add(
        "sign-in latency p50 / p99",
        f"{ms(percentile(latencies, 50))} / {ms(percentile(latencies, 99))}",
    )
    table.add("sign-in errors", count_text(errors), "0", not errors)
    # Every account ends with a fresh token from its last sign-in; make sure of it.
    for account in accounts:
        if not account.access_token:
            await api.sign_in(http, account)
    return accounts


# ------------------------------------------------------- 2. the computers list


async def measure_computers_list(
    http: httpx.AsyncClient,
    cloud: CloudProcess,
    plan: Plan,
    accounts: list[api.Account],
    workdir: Path,
    table: Table,
) -> None:
    """``GET /api/v1/computers`` latency: one client alone, then ``clients`` at once."""
    say(f"enrolling {COMPUTERS_PER_ACCOUNT} computers in each of {len(accounts)} accounts…")
    per_account = max(1, plan.enrol_concurrency // len(accounts))
    enrolments = await asyncio.gather(
        *(api.enroll_many(http, a, COMPUTERS_PER_ACCOUNT, per_account) for a in accounts)
    )
    dropped: Counter[str] = Counter()
    for enrolment in enrolments:
        dropped.update(enrolment.transport_errors)
    if dropped:
        table.add("enrolment requests dropped unanswered", count_text(dropped), "0", False)
    for account in accounts:
        listed = await api.computers(http, account)
        if len(listed) < COMPUTERS_PER_ACCOUNT:
            raise RuntimeError(f"{account.email} lists {len(listed)} computers")

    load = GetLoad(
        path="/api/v1/computers",
        title="GET /computers",
        clients=plan.clients,
        baseline_s=plan.baseline_s,
        warmup_s=plan.list_warmup_s,
        duration_s=plan.list_s,
        think_s=plan.think_s,
        processes=plan.list_processes,
    )
    await measure_get(cloud, load, accounts, workdir, "list", table)


# ------------------------------------------------------------ 3. agent links


class RssSampler:
    """Samples the cloud's RSS once a second in the background; keeps the peak."""

    def __init__(self, cloud: CloudProcess) -> None:
        self._cloud = cloud
        self.peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> float:
        rss = self._cloud.rss_mb()
        self.peak_mb = max(self.peak_mb, rss)
        return rss

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(1)

    def __enter__(self) -> RssSampler:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def measure_links(
    http: httpx.AsyncClient, cloud: CloudProcess, plan: Plan, workdir: Path, table: Table
) -> None:
    """Hold ``agents`` idle control links and watch the cloud's memory and heartbeats."""
    need = plan.agents + 1000
    soft_limit = cloud.info().rlimit(psutil.RLIMIT_NOFILE)[0]
    if soft_limit < need:
        raise RuntimeError(
            f"the cloud may open only {soft_limit} files, {plan.agents} links need ~{need}: "
            "raise the hard limit (ulimit -Hn) or use fewer --agents"
        )

    fleet = await api.create_account(http, "fleet")
    await api.sign_in(http, fleet)
    say(f"enrolling {plan.agents} computers, {plan.enrol_concurrency} at a time…")
    step = max(1, plan.agents // 10)

    def progress(done: int) -> None:
        if done % step == 0:
            say(f"  {done} enrolled")

    started = time.perf_counter()
    enrolled = await api.enroll_many(http, fleet, plan.agents, plan.enrol_concurrency, progress)
    tokens = enrolled.tokens
    enrol_s = time.perf_counter() - started
    table.add(
        "enrolment (code + POST /agents)",
        f"{plan.agents / enrol_s:.0f} computers/s ({plan.agents} in {enrol_s:.0f} s)",
    )
    table.add(
        "enrolment requests dropped unanswered",
        count_text(enrolled.transport_errors),
        "0",
        not enrolled.transport_errors,
    )

    rss_before = cloud.rss_mb()
    processes = min(plan.link_processes, plan.agents)
    batches = math.ceil(plan.agents / plan.ramp_batch)
    ramp_timeout_s = batches * (2 * plan.connect_timeout_s + 5) + 30
    ws_url = "ws://" + cloud.url.removeprefix("http://") + "/api/v1/agent/link"
    generators = [
        LoadGenerator(
            {
                "mode": "links",
                "url": ws_url,
                "tokens": tokens[index::processes],
                "ramp_batch": max(1, plan.ramp_batch // processes),
                "hold_s": plan.hold_s,
                "connect_timeout_s": plan.connect_timeout_s,
            },
            workdir,
            f"links-{index}",
        )
        for index in range(processes)
    ]
    say(f"opening {plan.agents} agent links, {plan.ramp_batch} at a time…")
    try:
        await asyncio.gather(*(g.start() for g in generators))
        with RssSampler(cloud) as rss:  # the peak while links open and heartbeat
            readies = await asyncio.gather(
                *(g.next_event(ramp_timeout_s, "ready") for g in generators)
            )
            rss_ramped = rss.sample()
            up = sum(r["up"] for r in readies)
            ramp_s = max(r["ramp_s"] for r in readies)
            say(f"{up} links up in {ramp_s:.0f} s; measuring heartbeats for {plan.hold_s:.0f} s…")
            cpu_before = cloud.info().cpu_times()
            await asyncio.gather(*(g.send("go") for g in generators))
            results = await asyncio.gather(
                *(g.next_event(plan.hold_s + 60, "result") for g in generators)
            )
            cpu_after = cloud.info().cpu_times()
            rss_held = rss.sample()
        fds = cloud.info().num_fds()
        say("checking presence…")
        listed = await api.computers(http, fleet)
        online = sum(1 for computer in listed if computer["online"])
        say("closing the links…")
        await asyncio.gather(*(g.send("close") for g in generators))
        closed = await asyncio.gather(*(g.next_event(120, "closed") for g in generators))
    finally:
        await asyncio.gather(*(g.stop() for g in generators))
    offline_after_s, still_online = await wait_offline(http, fleet, max(60.0, plan.agents / 20))

    rtts = [x for result in results for x in result["rtts"]]
    sent = sum(result["sent"] for result in results)
    missed = sum(result["missed"] for result in results)
    on_time = sum(1 for x in rtts if x <= ON_TIME_S)
    on_time_share = on_time / sent if sent else 0.0
    dropped = sum(c["dropped"] for c in closed)
    connect_errors: Counter[str] = Counter()
    for ready in readies:
        connect_errors.update(ready["failed"])
    drop_reasons: Counter[str] = Counter()
    server_errors: Counter[str] = Counter()
    for event in (*results, *closed):
        drop_reasons.update(event.get("drop_reasons", {}))
    for result in results:
        server_errors.update(result["server_errors"])
    window_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    per_link_kb = (rss_held - rss_before) * 1024 / up if up else math.nan
    late = sorted(tuple(x) for result in results for x in result["late"])
    if late:
        say(f"heartbeats slower than 250 ms: {len(late)}, sent {describe_bursts(late)}")

    table.add(
        "agent links up",
        f"{up} / {plan.agents} (ramp {ramp_s:.0f} s)",
        str(plan.agents),
        up == plan.agents,
    )
    if connect_errors:
        table.add("agent link connect errors", count_text(connect_errors), "0", False)
    table.add(
        f"cloud RSS holding {up} links",
        f"{rss_held:.0f} MB (peak {rss.peak_mb:.0f}, after ramp {rss_ramped:.0f}, "
        f"before links {rss_before:.0f})",
        f"< {RSS_GOAL_MB:.0f} MB",
        rss.peak_mb < RSS_GOAL_MB,
    )
    table.add("cloud memory per link", f"{per_link_kb:.0f} KB ({fds} open fds)")
    table.add(
        f"cloud CPU, idle links ({plan.hold_s:.0f} s)",
        f"{window_cpu / plan.hold_s:.0%} of a core",
    )
    worst = max(rtts, default=math.nan)
    table.add(
        "heartbeat ack p50 / p99 / max",
        f"{ms(percentile(rtts, 50))} / {ms(percentile(rtts, 99))} / {ms(worst)}",
    )
    table.add(
        f"heartbeats on time (ack <= {ON_TIME_S:.0f} s)",
        f"{on_time_share:.2%} of {sent} ({missed} unanswered)",
        f">= {ON_TIME_GOAL:.1%}",
        sent > 0 and on_time_share >= ON_TIME_GOAL,
    )
    table.add("links dropped", count_text(drop_reasons) if dropped else "0", "0", dropped == 0)
    if server_errors:
        table.add("error messages from the cloud", count_text(server_errors), "0", False)
    table.add(
        "computers online (GET /computers)",
        f"{online} / {plan.agents}",
        str(plan.agents),
        online == plan.agents,
    )
    table.add(
        "all shown offline after the links closed",
        f"in {offline_after_s:.0f} s"
        if still_online == 0
        else f"{still_online} still online after {offline_after_s:.0f} s",
    )


async def wait_offline(
    http: httpx.AsyncClient, account: api.Account, timeout_s: float
) -> tuple[float, int]:
    """Seconds until none of the account's computers is listed online (or the time
    out), and how many still were."""
    started = time.perf_counter()
    while True:
        online = sum(1 for c in await api.computers(http, account) if c["online"])
        elapsed = time.perf_counter() - started
        if online == 0 or elapsed > timeout_s:
            return elapsed, online
        await asyncio.sleep(1)


def describe_bursts(late: Sequence[tuple[float, float]], gap_s: float = 1.0) -> str:
    """Where in the window slow heartbeats were sent: "at 12.1-13.0 s (160), ..."."""
    bursts: list[list[float]] = []  # [first, last, count, worst]
    for at, rtt in late:
        if bursts and at - bursts[-1][1] <= gap_s:
            burst = bursts[-1]
            burst[1], burst[2], burst[3] = at, burst[2] + 1, max(burst[3], rtt)
        else:
            bursts.append([at, at, 1, rtt])
    shown = ", ".join(
        f"{first:.1f}-{last:.1f} s ({count:.0f}, worst {ms(worst)})"
        for first, last, count, worst in bursts[:8]
    )
    more = f" and {len(bursts) - 8} more bursts" if len(bursts) > 8 else ""
    return f"at {shown}{more} after the window opened"


# ------------------------------------------------------------------ running


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database that is gone afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'cloud.db'}"
        return
    from tests.support.postgres import start_postgres

    say("starting a throw-away PostgreSQL server…")
    server = start_postgres()
    try:
        server.psql("CREATE DATABASE porthole_bench")
        yield server.url("porthole_bench")
    finally:
        server.stop()


async def run(plan: Plan, database_url: str, log_path: Path, workdir: Path) -> tuple[Table, int]:
    """Every measurement into one table; also how many error lines the cloud logged."""
    table = Table()
    cloud = CloudProcess(
        {
            "PORTHOLE_DATABASE_URL": database_url,
            "PORTHOLE_LOG_LEVEL": "warning",
            # The accounts here hold more computers than one subscription allows (the
            # fleet account holds every agent): a rule of the product, not a cost of the
            # cloud, so it is lifted rather than spreading agents over a thousand accounts.
            "PORTHOLE_COMPUTERS_PER_SUBSCRIPTION": str(
                10 * (plan.agents + plan.accounts * COMPUTERS_PER_ACCOUNT)
            ),
        },
        log_path,
    )
    say("starting the cloud…")
    await cloud.start()
    try:
        # Idle connections are let go before uvicorn's 5 s keep-alive timeout, or a request
        # may race the server closing them and fail without an answer.
        limits = httpx.Limits(max_connections=plan.enrol_concurrency + 10, keepalive_expiry=2)
        async with httpx.AsyncClient(base_url=cloud.url, timeout=30, limits=limits) as http:
            if plan.presence:
                accounts = await measure_sign_ins(http, plan, table)
                await measure_computers_list(http, cloud, plan, accounts, workdir, table)
                await measure_links(http, cloud, plan, workdir, table)
            if plan.with_billing:
                await measure_billing(http, cloud, plan.billing, workdir, table)
        if not cloud.running():
            raise RuntimeError("the cloud exited during the benchmark")
    except BaseException:
        say("the cloud's last output:\n" + "".join(cloud.tail))
        raise
    finally:
        during_run = cloud.trouble_count
        await cloud.stop()
    table.add("errors in the cloud's log", str(during_run), "0", during_run == 0)
    at_stop = cloud.trouble_count - during_run
    table.add("errors in its log while stopping", str(at_stop), "0", at_stop == 0)
    for line in cloud.trouble[:5]:
        say(f"  cloud: {line}")
    return table, cloud.trouble_count


def describe(plan: Plan) -> str:
    cpus = os.cpu_count() or 0
    parts = {
        "all": f"{plan.agents} agents, {plan.clients} clients",
        "presence": f"{plan.agents} agents, {plan.clients} clients",
        "billing": f"billing only, {plan.clients} clients",
    }
    return (
        f"Porthole cloud benchmark: {plan.database}, {parts[plan.only]}; "
        f"{cpus} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(argv)
    # Inherited by the cloud and the load generators: each link is a file descriptor.
    raise_fd_limit()
    started = time.perf_counter()
    # The cloud's whole output; kept only if something went wrong in it.
    log_path = Path(tempfile.gettempdir()) / f"porthole-bench-cloud-{os.getpid()}.log"
    try:
        with (
            tempfile.TemporaryDirectory(prefix="porthole-bench-") as tmp,
            database(plan.database, Path(tmp)) as url,
        ):
            table, cloud_errors = asyncio.run(run(plan, url, log_path, Path(tmp)))
    except Exception as exc:
        say(f"benchmark failed: {type(exc).__name__}: {exc}")
        say(f"the cloud's output is in {log_path}")
        return 2
    if cloud_errors:
        say(f"the cloud's output is in {log_path}")
    else:
        log_path.unlink(missing_ok=True)
    print()
    print(describe(plan))
    print(table.render())
    print(f"({time.perf_counter() - started:.0f} s in all)")
    print(HINT)
    return 0 if table.all_met else 1


if __name__ == "__main__":
    sys.exit(main())

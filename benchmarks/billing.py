"""The billing part of ``scripts/bench`` (``--only billing``, or part of ``all``).

1. **Purchases per second.** ``POST /api/v1/purchases`` from a few concurrent clients
   over ``accounts`` signed-in accounts, each purchase with a fresh ``Idempotency-Key``,
   one in ``duplicate_every`` sent twice at once (a double click): the second copy gets
   either 409 (the first is in flight; sent again afterwards it must be replayed) or the
   first one's answer replayed. Afterwards ``GET /api/v1/purchases`` of every account must
   list exactly the purchases the keys were answered with: one charge per key.
   The sandbox provider keeps its default card delay (``PORTHOLE_SANDBOX_CARD_DELAY_S``,
   3 s), so card confirmations (a signed webhook the cloud sends itself, which extends
   the subscription) run during the measurement, as they do in production; the
   benchmark waits for every purchase to be confirmed before going on. Exporting
   ``PORTHOLE_SANDBOX_CARD_DELAY_S=3600`` (the cloud inherits the environment) measures
   purchases without confirmations; the wait is then skipped.
2. **The subscription under load.** ``GET /api/v1/subscription`` (what every app shows in
   its banner) from ``clients`` concurrent clients spread over the same accounts, measured
   like ``GET /computers``; the goal is p99 < 50 ms.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.cloud.settings import Settings
from benchmarks import api
from benchmarks.httpload import GetLoad, count_text, measure_get, say
from benchmarks.processes import CloudProcess, LoadGenerator
from benchmarks.stats import Table, ms, percentile

CARD = {
    "type": "card",
    "number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2030,
    "cvc": "123",
}
PLANS = ("month-1", "year-1")


def card_delay_s() -> float:
    """The sandbox card delay the cloud will use: its default, or the one exported."""
    return Settings().sandbox_card_delay_s


@dataclass(frozen=True)
class BillingPlan:
    accounts: int
    purchase_clients: int
    purchase_warmup_s: float
    purchase_s: float
    duplicate_every: int  # one purchase in this many is sent twice
    confirm_timeout_s: float  # for the card confirmations after the purchases
    subscription: GetLoad


async def signed_in_accounts(http: httpx.AsyncClient, count: int) -> list[api.Account]:
    """``count`` new accounts, each signed in once (argon2id: slow on purpose)."""
    say(f"creating and signing in {count} buyer accounts…")
    limit = asyncio.Semaphore(4)

    async def one(number: int) -> api.Account:
        async with limit:
            account = await api.create_account(http, f"buyer{number}")
            await api.sign_in(http, account)
            return account

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def measure_billing(
    http: httpx.AsyncClient,
    cloud: CloudProcess,
    plan: BillingPlan,
    workdir: Path,
    table: Table,
) -> None:
    accounts = await signed_in_accounts(http, plan.accounts)
    await measure_purchases(http, cloud, plan, accounts, workdir, table)
    await measure_get(cloud, plan.subscription, accounts, workdir, "subscription", table)


# ------------------------------------------------------------------- purchases


async def measure_purchases(
    http: httpx.AsyncClient,
    cloud: CloudProcess,
    plan: BillingPlan,
    accounts: list[api.Account],
    workdir: Path,
    table: Table,
) -> None:
    say(
        f"buying for {plan.purchase_s:.0f} s from {plan.purchase_clients} clients over "
        f"{len(accounts)} accounts…"
    )
    generator = LoadGenerator(
        {
            "mode": "purchases",
            "host": "127.0.0.1",
            "port": cloud.port,
            "tokens": [account.access_token for account in accounts],
            "plans": list(PLANS),
            "payment_method": CARD,
            "clients": plan.purchase_clients,
            "duplicate_every": plan.duplicate_every,
            "warmup_s": plan.purchase_warmup_s,
            "duration_s": plan.purchase_s,
        },
        workdir,
        "purchases",
    )
    try:
        await generator.start()
        ready = await generator.next_event(60, "ready")
        if ready["failed"]:
            raise RuntimeError(f"purchase connections could not open: {ready['failed']}")
        cpu_before = cloud.info().cpu_times()
        started = time.perf_counter()
        await generator.send("go")
        result = await generator.next_event(plan.purchase_warmup_s + plan.purchase_s + 60, "result")
        wall = time.perf_counter() - started
        cpu_after = cloud.info().cpu_times()
    finally:
        await generator.stop()
    ended = time.perf_counter()
    cloud_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)

    latencies: list[float] = result["latencies"]
    replay_latencies: list[float] = result["replay_latencies"]
    errors: Counter[str] = Counter(result["errors"])
    window_s = float(result["window_s"])
    table.add(
        f"purchases per second ({plan.purchase_clients} clients, {len(accounts)} accounts, card)",
        f"{result['purchases'] / window_s:.1f}/s ({result['purchases']} in {window_s:.0f} s; "
        f"cloud CPU {cloud_cpu / wall:.0%} of a core)",
    )
    table.add(
        "purchase latency p50 / p99",
        f"{ms(percentile(latencies, 50))} / {ms(percentile(latencies, 99))}",
    )
    table.add(
        f"same key sent twice at once (1 in {plan.duplicate_every})",
        f"{result['duplicates']} keys, {result['replays']} replayed the first answer; "
        f"{result['in_flight']} x 409 in flight (replay p50 "
        f"{ms(percentile(replay_latencies, 50))})",
    )
    table.add("purchase errors", count_text(errors), "0", not errors)

    keys: dict[str, set[str]] = {}
    for _account, key, purchase_id in result["charges"]:
        keys.setdefault(key, set()).add(purchase_id)
    answered = {purchase_id for ids in keys.values() for purchase_id in ids}
    listed = await listed_purchases(http, accounts)
    listed_ids = {str(purchase["id"]) for purchase in listed}
    one_each = (
        len(listed) == len(keys)
        and listed_ids == answered
        and all(len(ids) == 1 for ids in keys.values())
    )
    unknown = len(listed_ids - answered)
    table.add(
        "one charge per key (GET /purchases vs keys answered 201)",
        f"{len(listed)} listed / {len(keys)} keys"
        + (f" ({unknown} listed purchases no key was answered with)" if unknown else ""),
        "equal",
        one_each,
    )

    delay_s = card_delay_s()
    if delay_s > plan.confirm_timeout_s:
        table.add(
            "card payments confirmed",
            f"not waited for (PORTHOLE_SANDBOX_CARD_DELAY_S={delay_s:g})",
        )
        return
    say(f"waiting for the {len(listed)} card payments to be confirmed…")
    confirmed, waited_s = await wait_confirmed(http, accounts, len(listed), plan, ended)
    table.add(
        f"card payments confirmed (sandbox delay {delay_s:g} s)",
        f"{confirmed} / {len(listed)}, the last {waited_s:.1f} s after the purchases ended",
        "all",
        confirmed == len(listed),
    )
    described = await asyncio.gather(*(subscription(http, a) for a in accounts))
    states = Counter(str(body["state"]) for body in described)
    table.add(
        "subscriptions active afterwards",
        ", ".join(f"{n} {state}" for state, n in states.most_common()),
        f"{len(accounts)} active",
        states["active"] == len(accounts),
    )


async def listed_purchases(
    http: httpx.AsyncClient, accounts: list[api.Account]
) -> list[dict[str, Any]]:
    limit = asyncio.Semaphore(8)

    async def one(account: api.Account) -> list[dict[str, Any]]:
        async with limit:
            response = await http.get("/api/v1/purchases", headers=await account.headers(http))
            return list(api.expect(response, 200).json())

    return [p for listed in await asyncio.gather(*(one(a) for a in accounts)) for p in listed]


async def subscription(http: httpx.AsyncClient, account: api.Account) -> dict[str, Any]:
    response = await http.get("/api/v1/subscription", headers=await account.headers(http))
    return dict(api.expect(response, 200).json())


async def wait_confirmed(
    http: httpx.AsyncClient,
    accounts: list[api.Account],
    expected: int,
    plan: BillingPlan,
    since: float,
) -> tuple[int, float]:
    """How many purchases are confirmed once all are (or the time out), and the seconds
    from ``since`` to then."""
    deadline = time.perf_counter() + plan.confirm_timeout_s
    while True:
        listed = await listed_purchases(http, accounts)
        confirmed = sum(1 for p in listed if p["state"] == "confirmed")
        if confirmed >= expected or time.perf_counter() > deadline:
            return confirmed, time.perf_counter() - since
        await asyncio.sleep(0.5)

"""``porthole cloud payments receive`` and ``bundle issue`` against a running cloud process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import Api, EventStream
from tests.support.billing import BANK_TRANSFER, buy, subscription, wait_state
from tests.support.server import SANDBOX_ENV, CloudProcess


@pytest.fixture
def cloud_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
        "PORTHOLE_LOG_LEVEL": "warning",
        **SANDBOX_ENV,
    }


@pytest.fixture
def cloud_process(cloud_env: dict[str, str]) -> Iterator[CloudProcess]:
    process = CloudProcess(cloud_env)
    yield process
    process.stop()


def operator(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "cloud", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_transfer_marked_received_from_the_cli(
    cloud_process: CloudProcess, cloud_env: dict[str, str]
) -> None:
    async with Api(cloud_process.url) as api:
        user = await api.sign_up()
        bought = (await buy(api, user, "year-1", BANK_TRANSFER, channel="web")).json()
        async with EventStream(api, user) as events:
            partial = operator(
                cloud_env, "payments", "receive", bought["reference"], "--amount", "10"
            )
            assert partial.returncode == 0, partial.stderr
            assert "still missing" in partial.stdout
            rest = operator(cloud_env, "payments", "receive", bought["reference"])
            assert rest.returncode == 0 and "paid in full" in rest.stdout
            await wait_state(api, user, events, "active", timeout_s=20)
        unknown = operator(cloud_env, "payments", "receive", "PH-NONE-XXXX")
        assert unknown.returncode == 1 and "No PayPal or bank-transfer payment" in unknown.stderr


async def test_bundle_codes_from_the_cli(
    cloud_process: CloudProcess, cloud_env: dict[str, str]
) -> None:
    issued = operator(cloud_env, "bundle", "issue", "--months", "6", "--count", "3")
    assert issued.returncode == 0, issued.stderr
    codes = issued.stdout.split()
    assert len(codes) == 3 and len(set(codes)) == 3
    async with Api(cloud_process.url) as api:
        user = await api.sign_up()
        redeemed = await api.http.post(
            "/api/v1/bundles/redeem", headers=user.headers, json={"code": codes[1]}
        )
        assert redeemed.status_code == 200
        assert (await subscription(api, user))["state"] == "bundled"
    renew = operator(cloud_env, "billing", "renew")
    assert renew.returncode == 0 and "charged 0" in renew.stdout

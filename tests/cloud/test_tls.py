"""The cloud on HTTPS with a throw-away certificate authority (trustme): the viewer core and
a real agent process verify it and work over https/wss; a certificate nobody vouched for
is refused with a clear message; HSTS; X-Forwarded-* believed only from trusted proxies."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme

from app.tls import CA_FILE_ENV
from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import CloudUnreachable
from app.viewer.core.session import ViewerSession
from tests.conftest import fast_settings
from tests.support.agent_process import enroll_agent, start_agent
from tests.support.api import PASSWORD, Api, EventStream
from tests.support.server import CloudThread
from tests.support.sessions import entitled_online_host, entitled_user, open_session

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    files = Certificates(tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    authority.cert_pem.write_to_path(str(files.ca_file))
    issued.private_key_pem.write_to_path(str(files.key_file))
    for n, pem in enumerate(issued.cert_chain_pems):
        pem.write_to_path(str(files.cert_file), append=n > 0)
    return files


@pytest.fixture
def https_cloud(
    database_url: str, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CloudThread]:
    # The cloud trusts its own authority too: the sandbox's webhooks come back to it.
    monkeypatch.setenv(CA_FILE_ENV, str(certificates.ca_file))
    settings = fast_settings(
        database_url, tls_certfile=certificates.cert_file, tls_keyfile=certificates.key_file
    )
    cloud = CloudThread(settings).start()
    yield cloud
    cloud.stop()


@on_sqlite
async def test_viewer_and_agent_verify_an_https_cloud_and_work_over_it(
    https_cloud: CloudThread, tmp_path: Path
) -> None:
    assert https_cloud.url.startswith("https://127.0.0.1:")
    # PORTHOLE_CA_FILE names the test's authority, for this process and its children.
    async with Api(https_cloud.url) as api:
        user = await entitled_user(api)  # the sandbox's webhooks reach the cloud over HTTPS
        answer = await api.http.get("/api/v1/plans?channel=app")
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        async with CloudClient(https_cloud.url) as client:
            account = await client.sign_in(user.email, PASSWORD)
            assert account.email == user.email
        # A real agent process enrols over HTTPS and links over WSS, verifying the cloud.
        enroll_agent_output = await enroll_agent(api, user, tmp_path / "agent", "TLS host")
        assert "Enrolled 'TLS host'" in enroll_agent_output.stdout
        agent = start_agent(tmp_path / "agent", "--source", "demo")
        try:
            async with EventStream(api, user) as events:  # wss too
                online = await events.wait_for(20, type="computer.presence", online=True)
                assert online is not None
        finally:
            agent.terminate()
            agent.wait(15)
        # A session through the relay over wss, end-to-end encrypted inside.
        async with entitled_online_host(api) as host:
            granted = await open_session(api, host)
            assert (granted.relay_url or "").startswith("wss://127.0.0.1:")
            async with ViewerSession(https_cloud.url, granted) as session:
                assert session.path == "relay"
                await session.next_picture(timeout_s=20)


@on_sqlite
async def test_a_certificate_nobody_vouched_for_is_refused_clearly(
    https_cloud: CloudThread, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(CA_FILE_ENV, raising=False)
    async with CloudClient(https_cloud.url) as client:
        with pytest.raises(CloudUnreachable, match="could not prove its identity"):
            await client.sign_in("someone@example.com", PASSWORD)
    enrol = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "app",
            "agent",
            "--state-dir",
            str(tmp_path / "agent"),
            "enroll",
            "--cloud",
            https_cloud.url,
            "--name",
            "X",
            "--code",
            "ABCD-EFGH",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert enrol.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in enrol.stderr


@pytest.mark.parametrize("trusted", [True, False])
@on_sqlite
async def test_forwarded_headers_only_from_trusted_proxies(
    database_url: str, trusted: bool
) -> None:
    settings = fast_settings(
        database_url,
        address_free_failures=2,
        forwarded_allow_ips="127.0.0.1" if trusted else None,
    )
    cloud = CloudThread(settings).start()
    try:
        async with httpx.AsyncClient(base_url=cloud.url, timeout=30) as client:

            async def sign_in_from(address: str, n: int) -> httpx.Response:
                return await client.post(
                    "/api/v1/auth/token",
                    json={"email": f"nobody{n}@example.com", "password": "wrong password"},
                    headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
                )

            statuses = [(await sign_in_from("127.0.0.5", n)).status_code for n in range(6)]
            assert statuses[0] == 401 and statuses[-1] == 429  # that address is throttled
            other = await sign_in_from("127.0.0.6", 9)
            # Behind a trusted proxy, another client is another address; otherwise the
            # header is ignored and it is the same (real) address, still throttled.
            assert other.status_code == (401 if trusted else 429), other.text
            assert ("strict-transport-security" in other.headers) is trusted
    finally:
        cloud.stop()

"""Random bodies and tokens thrown at every endpoint: never a 5xx, always {error, message}."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.server import CloudThread

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["email", "password", "refresh_token", "enrollment_code", "name", "os", "screens", "code", "x"]
)
bodies = st.one_of(
    json_values,
    st.dictionaries(field_names, json_values, max_size=6),
    st.binary(max_size=200),
)
ENDPOINTS = [
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/enrollment-codes"),
    ("POST", "/api/v1/agents"),
    ("GET", "/api/v1/computers"),
    ("PATCH", "/api/v1/computers/{id}"),
    ("DELETE", "/api/v1/computers/{id}"),
]


@pytest.fixture
def http(cloud: CloudThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=30) as client:
        yield client


@on_sqlite
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=bodies,
    token=st.one_of(
        st.none(),
        st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=300),
    ),
    path_id=st.text(
        alphabet=st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=40
    ),
)
def test_no_input_breaks_the_api(
    http: httpx.Client, endpoint: tuple[str, str], body: object, token: str | None, path_id: str
) -> None:
    method, path = endpoint
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = http.request(method, path.replace("{id}", path_id), content=content, headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()
        assert set(error) == {"error", "message"} and error["message"]

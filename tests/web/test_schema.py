"""Schemathesis against the OpenAPI schema the app serves: no server error on any input.

Bounded: a few dozen generated requests per operation, as an anonymous visitor and as
registry staff (so the workspace's JSON is exercised past the login).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.web.conftest import PASSWORD, USERS, log_in
from tests.web.publication import write
from tests.web.register import populate
from victim_monitor.registry.register import open_register
from victim_monitor.web import WebSettings, accounts, create_app
from victim_monitor.web.accounts import create_user

EXAMPLES = 30


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("web_schema")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("schema")
    database = f"sqlite:///{folder / 'register.db'}"
    engine = open_register(database)
    populate(engine, folder / "files")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        for name, (role, org) in USERS.items():
            create_user(engine, name, PASSWORD, role, organisation=org)
        app = create_app(
            WebSettings(database, release_dir=write(folder / "release"), secret="s" * 32),
            engine,
        )
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            assert log_in(client, "staff") == 303
            cookies = dict(client.cookies)
        yield app, cookies
    engine.dispose()


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8
    return operations


def _each(app: Any, check: Callable[[Any], None]) -> None:
    """Run ``check`` on generated cases of every operation (the pytest plugin does not load)."""
    for operation in _operations(app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            check(case)

        run()


def test_no_server_errors(served: tuple[Any, dict[str, str]]) -> None:
    app, staff = served

    def check(case: Any) -> None:
        for cookies in ({}, staff):
            response = case.call(cookies=cookies)
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                response.text[:300],
            )

    _each(app, check)


def test_successful_responses_match_the_schema(served: tuple[Any, dict[str, str]]) -> None:
    app, staff = served

    def check(case: Any) -> None:
        response = case.call(cookies=staff)
        if response.status_code == 200:
            case.validate_response(response, checks=[response_schema_conformance])

    _each(app, check)

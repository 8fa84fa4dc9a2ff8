"""What the recorded GitHub tests share: vcrpy's settings, the `Accept` matcher, and the
`github` fixture that builds the stand-in (started only when recording) and a client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from commit_polish.github.client import GitHubClient
from tests.support import github_vcr
from tests.support.github_stub import GitHubStub
from tests.support.github_vcr import Setup
from tests.support.github_world import TOKEN, world


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return github_vcr.vcr_config()


@pytest.fixture(scope="module", autouse=True)
def _accept_matcher(pytestconfig: pytest.Config) -> Iterator[None]:
    yield from github_vcr.accept_matcher(pytestconfig)


@pytest.fixture
def github(record_mode: str, vcr: Any) -> Iterator[Callable[..., Setup]]:
    """Builds the stand-in (started only when recording) and a client that never sleeps.
    A module may define its own `github` (test_history.py does)."""
    started: list[GitHubStub] = []

    def make(*, token: str = TOKEN, prefix: str = "", **stub_settings: Any) -> Setup:
        stub = world(prefix=prefix, **stub_settings)
        if record_mode != "none":
            started.append(stub.start())
        waits: list[float] = []
        client = GitHubClient(token, base_url=stub.url, write_interval=0, sleep=waits.append)
        return Setup(stub, client, waits)

    yield make
    for stub in started:
        stub.stop()
    if record_mode == "none":
        assert vcr.all_played, "the client made fewer requests than were recorded"

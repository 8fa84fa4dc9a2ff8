"""Shared fixtures: a clean environment for every test, recorded HTTP, the real model server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from commit_polish.cli import keep_litellm_offline
from tests.support.paths import FIXTURES

if TYPE_CHECKING:
    from commit_polish.serve.server import RunningServer

__all__ = ["FIXTURES"]  # test modules import it from here

# Before any test module imports LiteLLM (the CLI's `main` does this for a real run).
keep_litellm_offline()

_LEAKY_PREFIXES = ("GITHUB_", "INPUT_", "COMMIT_POLISH_", "LLAMAFILE_", "LITELLM_")
_PROVIDER_KEYS = re.compile(r".*_(API_KEY|API_BASE|TOKEN)$")

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=50,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("default", deadline=None)
# `make fuzz`: 10,000 examples per property, a new random start each run, a blob to replay
# any failure with. Never in CI or `make test`: it takes minutes.
settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=10_000,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


# Hypothesis's own statistics line: "- 10000 passing, 0 failing, and 12 invalid test cases",
# once per phase; the shrink and explain phases replay a failure, they add no examples.
_PHASE = re.compile(
    r"during (?P<phase>\w+) phase.*?(?P<passing>\d+) passing, (?P<failing>\d+) failing, "
    r"and (?P<invalid>\d+) invalid",
    re.DOTALL,
)
_EXAMPLE_COUNTS = pytest.StashKey[list[tuple[str, int, int, int, float]]]()


def example_counts(statistics: str) -> tuple[int, int, int]:
    """(passing, failing, invalid) examples of one property, from Hypothesis's statistics."""
    totals = [0, 0, 0]
    for found in _PHASE.finditer(statistics):
        if found["phase"] not in ("shrink", "explain"):
            for i, key in enumerate(("passing", "failing", "invalid")):
                totals[i] += int(found[key])
    return totals[0], totals[1], totals[2]


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    statistics = getattr(item, "hypothesis_statistics", None)
    if PROFILE == "fuzz" and call.when == "call" and isinstance(statistics, str):
        counts = example_counts(statistics)
        item.config.stash.setdefault(_EXAMPLE_COUNTS, []).append(
            (item.nodeid, *counts, call.duration)
        )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Under the fuzz profile: how many examples each property ran, and in what time."""
    rows = config.stash.get(_EXAMPLE_COUNTS, [])
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("examples per property (HYPOTHESIS_PROFILE=fuzz)")
    write(f"{'examples':>9} {'failing':>7} {'invalid':>7} {'seconds':>8}  property")
    for nodeid, passing, failing, invalid, seconds in rows:
        write(f"{passing:>9,} {failing:>7} {invalid:>7} {seconds:>8.1f}  {nodeid}")
    write(
        f"{len(rows)} properties, {sum(r[1] for r in rows):,} examples "
        f"(fewest {min(r[1] for r in rows):,}), {sum(r[2] for r in rows)} failing, "
        f"{sum(r[4] for r in rows):.0f} s in the properties"
    )


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The developer's shell never leaks into a result: no GitHub, Action, provider settings,
    and no user config file."""
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES) or _PROVIDER_KEYS.match(name):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    # LiteLLM must never fetch price lists or tokenizers during tests.
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("LITELLM_OFFLINE_MODE", "true")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in {"set-cookie", "authorization", "x-api-key", "openai-organization"}:
            headers[name] = ["REDACTED"]
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["authorization", "x-api-key", "api-key", "openai-organization"],
        "filter_query_parameters": ["access_token", "key"],
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "record_mode": "none",
        # The local model server is real: only the cloud is replayed.
        "ignore_localhost": True,
    }


@pytest.fixture
def real_diff() -> Iterator[bytes]:
    yield (FIXTURES / "sample.diff").read_bytes()


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The real llama.cpp server with the tiny SmolLM2 model, once per test session."""
    from commit_polish.serve.gguf import resolve_model
    from commit_polish.serve.server import free_port, start_server

    model = resolve_model("smollm2")
    log = tmp_path_factory.mktemp("server") / "llama-server.log"
    with start_server(
        model.path, port=free_port(), ctx=2048, alias=model.alias, log_path=log
    ) as server:
        yield server


@pytest.fixture
def spare_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A second real server a test may kill or keep busy without disturbing the others."""
    from commit_polish.serve.gguf import resolve_model
    from commit_polish.serve.server import free_port, start_server

    model = resolve_model("smollm2")
    with start_server(
        model.path,
        port=free_port(),
        ctx=2048,
        threads=1,
        alias=model.alias,
        log_path=tmp_path / "spare.log",
    ) as server:
        yield server

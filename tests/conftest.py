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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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

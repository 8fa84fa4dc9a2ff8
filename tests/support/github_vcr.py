"""How the GitHub tests record and replay HTTP with vcrpy (see TESTING.md §6 and §8).

- Requests match on the `Accept` header too: PyGithub sends `*/*` for JSON and
  `application/vnd.github.diff` for the diff, to the same URL; without it a replay in another
  order hands the JSON to the diff call. They also match on the body, so a replay fails when
  the client would write something else than it wrote when recorded.
- `Authorization` never reaches a cassette, and the token is scrubbed from recorded answers
  (`filter_headers` only cleans requests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from commit_polish.github.client import GitHubClient
from tests.support.github_stub import GitHubStub
from tests.support.github_world import TOKEN

SECRET_SHAPE = re.compile(rb"gh[pousr]_[A-Za-z0-9]{8,}")
CASSETTE_MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "accept", "body"]


def match_accept(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same media type was asked for."""
    assert r1.headers.get("Accept") == r2.headers.get("Accept")


class AcceptMatcherPlugin:
    """Registers `accept` on each cassette's VCR (pytest-recording's configure hook)."""

    name = "commit-polish-accept-matcher"

    @staticmethod
    def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
        vcr.register_matcher("accept", match_accept)


def accept_matcher(config: pytest.Config) -> Iterator[None]:
    """Body of a module-scoped fixture: the plugin lives while the module's tests run."""
    if config.pluginmanager.has_plugin(AcceptMatcherPlugin.name):
        yield
        return
    plugin = AcceptMatcherPlugin()
    config.pluginmanager.register(plugin, AcceptMatcherPlugin.name)
    try:
        yield
    finally:
        config.pluginmanager.unregister(plugin)


def scrub(data: bytes) -> bytes:
    return SECRET_SHAPE.sub(b"REDACTED", data.replace(TOKEN.encode(), b"REDACTED"))


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Take the token (and anything shaped like a GitHub token) out of a recorded answer."""
    headers = response.get("headers", {})
    for name, values in headers.items():
        headers[name] = [scrub(v.encode()).decode() for v in values]
    body = response.get("body", {})
    if isinstance(body.get("string"), bytes):
        body["string"] = scrub(body["string"])
    elif isinstance(body.get("string"), str):
        body["string"] = scrub(body["string"].encode()).decode()
    return response


def vcr_config() -> dict[str, Any]:
    return {
        "match_on": CASSETTE_MATCH_ON,
        "filter_headers": ["authorization"],
        "filter_query_parameters": ["access_token"],
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


@dataclass
class Setup:
    """A recorded test's stand-in and client (tests/github/conftest.py builds them)."""

    stub: GitHubStub
    client: GitHubClient
    waits: list[float] = field(default_factory=list)
    """Every pause the retry policy asked for, in seconds (none is actually slept)."""


def sent(cassette: Any) -> list[str]:
    """`METHOD /path?query` of each request made, `(diff)` marking the diff media type."""
    made = [
        r
        for i, r in enumerate(cassette.requests)
        if cassette.play_counts[i] or not cassette.rewound
    ]
    lines = []
    for request in made:
        parts = urlsplit(request.uri)
        query = f"?{parts.query}" if parts.query else ""
        media = " (diff)" if "diff" in (request.headers.get("Accept") or "") else ""
        lines.append(f"{request.method} {parts.path}{query}{media}")
    return lines

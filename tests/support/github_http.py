"""The stand-in's HTTP vocabulary: requests, replies, GitHub's error bodies, paging and the
headers GitHub sends with every answer."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.support import github_payloads as payloads

if TYPE_CHECKING:
    from tests.support.github_stub import GitHubStub

_FAULTS = {
    401: ("Bad credentials", ""),
    403: ("Resource not accessible by integration", ""),
    404: ("Not Found", ""),
    409: ("Git Repository is empty.", ""),
    422: ("Validation Failed", ""),
    429: (
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    ),
    500: ("Server Error", ""),
    502: ("Server Error", ""),
    503: ("Service Unavailable", ""),
}


@dataclass
class Reply:
    status: int
    body: Any = None
    """JSON-able data, `str` for a text media type, or None for no body."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Comment:
    id: int
    body: str
    login: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str]


Handler = Callable[["GitHubStub", Request], "Reply"]


def not_found(doc: str = "") -> dict[str, Any]:
    return payloads.error(404, "Not Found", doc)


def secondary_limit_body() -> dict[str, Any]:
    return payloads.error(
        403,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
        "again. If you reach out to GitHub Support for help, please include the request ID "
        "C0DE:1:2:3:4.",
        "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    )


def primary_limit_body() -> dict[str, Any]:
    return payloads.error(
        403,
        "API rate limit exceeded for installation ID 4242.",
        "/overview/rate-limits-for-the-rest-api#about-rate-limits",
    )


def encode(reply: Reply) -> tuple[bytes, str | None]:
    if reply.body is None:
        return b"", None
    if isinstance(reply.body, str):
        return reply.body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(reply.body).encode("utf-8"), "application/json; charset=utf-8"


def standard_headers(stub: GitHubStub, reply: Reply, content_type: str | None) -> dict[str, str]:
    """The headers GitHub sends with every answer; the reply's own headers win."""
    used = len(stub.requests)
    headers = {
        "x-github-api-version-selected": "2022-11-28",
        "x-github-media-type": "github.v3; format=json",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(max(5000 - used, 0)),
        "x-ratelimit-reset": "4102444800",
        "x-ratelimit-used": str(used),
        "x-ratelimit-resource": "core",
        "x-github-request-id": f"C0DE:{used:05X}:1A2B3C:4D5E6F:6745A1B2",
    }
    if content_type:
        headers["content-type"] = content_type
    headers.update({k.lower(): v for k, v in reply.headers.items()})
    return headers


def fault_body(status: int) -> dict[str, Any] | None:
    """GitHub's error body for a status a test injects, when it has a usual one."""
    if status not in _FAULTS:
        return None
    message, doc = _FAULTS[status]
    return payloads.error(status, message, doc)


def reply(status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, body, dict(headers or {}))


def page(stub: GitHubStub, request: Request, items: list[Any]) -> Reply:
    """One page of `items` and GitHub's `Link` header (prev, next, last, first)."""
    per_page = min(max(int(request.query.get("per_page", "30")), 1), 100)
    current = max(int(request.query.get("page", "1")), 1)
    last = max(math.ceil(len(items) / per_page), 1)

    def link(number: int, rel: str) -> str:
        query = urlencode({**request.query, "page": str(number)})
        return f'<{stub.url}{request.path}?{query}>; rel="{rel}"'

    links = []
    if current > 1:
        links.append(link(current - 1, "prev"))
    if current < last:
        links += [link(current + 1, "next"), link(last, "last")]
    if current > 1:
        links.append(link(1, "first"))
    headers = {"link": ", ".join(links)} if links else {}
    return reply(200, items[(current - 1) * per_page : current * per_page], headers)

"""The GitHub stand-in cannot drift from GitHub's real shapes: every recorded request and
answer is checked against GitHub's REST description (tests/fixtures/github), and so are the
stand-in's fault answers. Also: no token in any cassette.

openapi-core knows the description's one server, https://api.github.com, so every request is
checked as if sent there, whatever host recorded it (TESTING.md §7).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

from tests.support import fault_github, github_http
from tests.support import github_payloads as payloads
from tests.support.github_vcr import SECRET_SHAPE, scrub_response
from tests.support.github_world import MARK, REPO, TOKEN, world

CASSETTES = Path(__file__).parent / "cassettes"
"""Every test module's recordings: `cassettes/<module>/<test>.yaml`."""
GITHUB = "https://api.github.com"
DIFF_MEDIA = "application/vnd.github.diff"
PROSE_MEDIA = {DIFF_MEDIA, "application/vnd.github.raw"}
_GHES_PREFIX = "/api/v3"


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its answer, as openapi-core reads them."""

    name: str
    method: str
    path: str
    query: dict[str, str]
    request_body: bytes | None
    status: int
    content_type: str
    body: bytes


@functools.cache
def api() -> OpenAPI:
    spec = _null_where_nullable(copy.deepcopy(payloads.spec()))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def _null_where_nullable(node: Any) -> Any:
    """Let `null` through where the description says `nullable: true` beside a `oneOf`.

    Read strictly, OAS 3.0.3 ignores `nullable` without a `type` in the same schema, and the
    validator does so; but GitHub sends `null` there (for example a commit's `author` when
    its address is linked to no account, octokit/octokit.js#1418), which is what the
    description means. The added branch matches `null` and nothing else."""
    if isinstance(node, dict):
        if node.get("nullable") is True and "oneOf" in node and "type" not in node:
            node["oneOf"].append({"type": "string", "nullable": True, "enum": [None]})
        for value in node.values():
            _null_where_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _null_where_nullable(value)
    return node


def _multi_segment(template: str) -> set[str]:
    """The path parameters the description marks `x-multi-segment`: they may hold slashes
    (the `path` of the contents API, `.github/commit-polish.toml`)."""
    names = set()
    for operation in payloads.spec()["paths"][template].values():
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter.get("x-multi-segment"):
                names.add(parameter["name"])
    return names


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in payloads.spec()["paths"]:
        multi = _multi_segment(template)

        def group(match: re.Match[str], multi: set[str] = multi) -> str:
            name = match.group(1)
            return f"(?P<{name}>.+)" if name in multi else f"(?P<{name}>[^/]+)"

        found.append((re.compile(re.sub(r"\{([^}]+)\}", group, template)), template))
    return found


def _template_of(method: str, path: str) -> tuple[re.Match[str], str]:
    for pattern, template in _templates():
        found = pattern.fullmatch(path)
        if found:
            return found, template
    raise AssertionError(f"{method} {path} is not in the REST description")


def documented(method: str, path: str, status: int) -> bool:
    """Whether GitHub's description lists this status for this operation."""
    _, template = _template_of(method, path)
    operation = payloads.spec()["paths"][template].get(method.lower(), {})
    return str(status) in operation.get("responses", {})


def one_segment(method: str, path: str) -> str:
    """The path with each multi-segment parameter's slashes percent-encoded: openapi-core
    matches a parameter within one segment only, and the value is the same."""
    found, template = _template_of(method, path)
    for name in sorted(_multi_segment(template), key=found.start, reverse=True):
        start, end = found.span(name)
        path = path[:start] + quote(found.group(name), safe="") + path[end:]
    return path


def _exchanges() -> list[Exchange]:
    found = []
    for cassette in sorted(CASSETTES.glob("*/*.yaml")):
        for n, item in enumerate(yaml.safe_load(cassette.read_text())["interactions"]):
            request, response = item["request"], item["response"]
            uri = urlsplit(request["uri"])
            headers = {k.lower(): v[0] for k, v in response["headers"].items()}
            body = response["body"]["string"]
            found.append(
                Exchange(
                    name=f"{cassette.parent.name}/{cassette.stem}[{n}]",
                    method=request["method"],
                    path=uri.path.removeprefix(_GHES_PREFIX),
                    query=dict(parse_qsl(uri.query)),
                    request_body=request["body"].encode() if request["body"] else None,
                    status=response["status"]["code"],
                    content_type=headers.get("content-type", "").split(";")[0],
                    body=body if isinstance(body, bytes) else body.encode(),
                )
            )
    return found


EXCHANGES = _exchanges()


def check(exchange: Exchange) -> None:
    """Validate the request, then the answer: against its documented status, or, for a status
    the description leaves out (401, 429, 502 on most operations), as GitHub's basic error."""
    path = one_segment(exchange.method, exchange.path)
    request = MockRequest(
        GITHUB, exchange.method, path, args=exchange.query, data=exchange.request_body
    )
    api().validate_request(request)
    if exchange.content_type in PROSE_MEDIA:
        return  # the description names the diff and raw media types in prose only
    if documented(exchange.method, exchange.path, exchange.status):
        response = MockResponse(exchange.body, exchange.status, content_type=exchange.content_type)
        api().validate_response(request, response)
    else:
        assert exchange.status >= 400, exchange
        schema = payloads.spec()["components"]["schemas"]["basic-error"]
        OAS30Validator(schema).validate(json.loads(exchange.body))


def test_the_cassettes_were_recorded() -> None:
    assert len(EXCHANGES) > 50
    assert {e.status for e in EXCHANGES} >= {200, 201, 204, 401, 403, 404, 406, 422, 429, 502}


@pytest.mark.parametrize("exchange", EXCHANGES, ids=[e.name for e in EXCHANGES])
def test_every_recorded_exchange_has_githubs_shape(exchange: Exchange) -> None:
    check(exchange)


def _fault_exchange(stub_settings: dict[str, Any], method: str, path: str, body: Any) -> Exchange:
    stub = world(**stub_settings)
    accept = DIFF_MEDIA if path.endswith("/pulls/8") else "*/*"
    data = json.dumps(body).encode() if body is not None else b""
    reply = stub.handle(method, path, {"authorization": f"token {TOKEN}", "accept": accept}, data)
    encoded, content_type = github_http.encode(reply)
    return Exchange(
        f"{method} {path}",
        method,
        path,
        {},
        data or None,
        reply.status,
        (content_type or "").split(";")[0],
        encoded,
    )


FAULTS = [
    ({"read_only": True}, "POST", f"/repos/{REPO}/issues/7/comments", {"body": MARK}, 403),
    ({}, "GET", "/user", None, 403),
    ({}, "GET", f"/repos/{REPO}/pulls/404", None, 404),
    ({}, "GET", f"/repos/{REPO}/collaborators/nobody/permission", None, 404),
    ({}, "GET", f"/repos/{REPO}/pulls/8", None, 406),
    ({}, "GET", f"/repos/{REPO}/contents/.github/commit-polish.toml", None, 404),
    ({}, "POST", f"/repos/{REPO}/issues/7/comments", {"body": "x" * 70_000}, 422),
    ({}, "POST", f"/repos/{REPO}/issues/7/comments", {"body": ""}, 422),
]


@pytest.mark.parametrize(("settings", "method", "path", "body", "status"), FAULTS)
def test_the_stand_ins_faults_match_the_documented_status(
    settings: dict[str, Any], method: str, path: str, body: Any, status: int
) -> None:
    exchange = _fault_exchange(settings, method, path, body)
    assert exchange.status == status
    assert documented(method, path, status)
    check(exchange)


def test_only_a_multi_segment_parameter_may_hold_slashes() -> None:
    config = f"/repos/{REPO}/contents/.github/commit-polish.toml"
    assert one_segment("GET", config) == f"/repos/{REPO}/contents/.github%2Fcommit-polish.toml"
    assert one_segment("GET", f"/repos/{REPO}/pulls/7") == f"/repos/{REPO}/pulls/7"
    with pytest.raises(AssertionError, match="not in the REST description"):
        one_segment("GET", f"/repos/{REPO}/pulls/7/extra/segment")


def test_githubs_pull_request_example_needed_its_fix() -> None:
    request = MockRequest(GITHUB, "get", f"/repos/{REPO}/pulls/1347")

    def errors(example: Any) -> list[Any]:
        response = MockResponse(json.dumps(example).encode(), 200)
        return list(api().iter_response_errors(request, response))

    assert errors(payloads.example("pull-request"))
    assert errors(payloads.fixed_pull_request_example()) == []


def test_no_cassette_carries_a_token() -> None:
    cassettes = sorted(CASSETTES.glob("*/*.yaml"))
    assert {c.parent.name for c in cassettes} >= {"test_client", "test_history"}
    for cassette in cassettes:
        data = cassette.read_bytes()
        assert not SECRET_SHAPE.search(data), cassette.name
        assert TOKEN.encode() not in data, cassette.name
        assert b"authorization" not in data.lower(), cassette.name


def test_the_recorder_scrubs_a_token_echoed_in_an_answer() -> None:
    leaked = "ghp_" + "L" * 36
    response = {
        "headers": {"x-echo": [f"token {TOKEN}"], "content-type": ["application/json"]},
        "body": {"string": f'{{"note": "{TOKEN} and {leaked}"}}'.encode()},
    }
    cleaned = scrub_response(response)
    assert cleaned["headers"]["x-echo"] == ["token REDACTED"]
    assert cleaned["body"]["string"] == b'{"note": "REDACTED and REDACTED"}'


def _injected(method: str, path: str, inject: Any) -> Exchange:
    """The stand-in's answer to `method path` after `inject(stub)` planted a fault."""
    stub = world()
    inject(stub)
    reply = stub.handle(method, path, {"authorization": f"token {TOKEN}", "accept": "*/*"}, b"")
    encoded, content_type = github_http.encode(reply)
    body = json.dumps({"body": MARK}).encode() if method == "POST" else None
    ctype = (content_type or "").split(";")[0]
    return Exchange(f"{method} {path}", method, path, {}, body, reply.status, ctype, encoded)


_PULL, _COMMENTS = f"/repos/{REPO}/pulls/7", f"/repos/{REPO}/issues/7/comments"
INJECTED = [
    ("GET", _PULL, lambda s: s.fail_next("GET", _PULL, 502), 502),
    ("GET", _PULL, lambda s: s.primary_rate_limit("GET", _PULL), 403),
    ("POST", _COMMENTS, lambda s: s.secondary_rate_limit("POST", _COMMENTS, retry_after=30), 403),
    ("POST", _COMMENTS, lambda s: s.fail_next("POST", _COMMENTS, 404), 404),
    ("POST", _COMMENTS, lambda s: s.fail_next("POST", _COMMENTS, 503), 503),
    (
        "POST",
        _COMMENTS,
        lambda s: s.fail_next("POST", _COMMENTS, 422, body=fault_github.TOO_LONG),
        422,
    ),
]


@pytest.mark.parametrize(("method", "path", "inject", "status"), INJECTED)
def test_the_fault_matrix_injections_have_githubs_shape(
    method: str, path: str, inject: Any, status: int
) -> None:
    """The faults tests/action/test_fault_matrix.py plants answer as GitHub would."""
    exchange = _injected(method, path, inject)
    assert exchange.status == status
    check(exchange)

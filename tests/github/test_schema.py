"""The GitHub stand-in cannot drift from GitHub's real shapes: every recorded request and
answer is checked against GitHub's REST description (tests/fixtures/github), and so are the
stand-in's fault answers and its merge, edit and commit answers; its GraphQL resolvers name
only fields of GitHub's GraphQL schema. Also: no token in any cassette.

openapi-core knows the description's one server, https://api.github.com, so every request is
checked as if sent there, whatever host recorded it (TESTING.md §7).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import yaml
from graphql import GraphQLObjectType, parse, validate
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

from tests.support import fault_github, github_graphql, github_http
from tests.support import github_payloads as payloads
from tests.support.github_stub import GitHubStub
from tests.support.github_vcr import SECRET_SHAPE, scrub_response
from tests.support.github_world import MARK, REPO, SMALL, TOKEN, world

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


def answered(stub: GitHubStub) -> list[Exchange]:
    """The REST requests a stand-in answered (its GraphQL left out), as `check` reads a
    recording: what tests that drive a live stand-in check afterwards."""
    found = []
    for method, target, body, reply in stub.answered:
        path, _, query = target.partition("?")
        if path == stub.graphql_path:
            continue
        encoded, content_type = github_http.encode(reply)
        media = reply.headers.get("content-type", content_type or "").split(";")[0]
        found.append(
            Exchange(
                f"{method} {target}",
                method,
                path.removeprefix(stub.prefix),
                dict(parse_qsl(query)),
                body or None,
                reply.status,
                media,
                encoded,
            )
        )
    return found


def graphql_problems(document: str) -> list[str]:
    """What GitHub's GraphQL schema finds wrong with `document`: [] for a valid one."""
    return [e.message for e in validate(github_graphql.schema(), parse(document))]


def _apply_answer(
    prepare: Callable[[GitHubStub], object], method: str, path: str, body: Any
) -> Exchange:
    stub = world(user="alice")
    prepare(stub)
    data = json.dumps(body).encode() if body is not None else b""
    stub.handle(method, path, {"authorization": f"token {TOKEN}", "accept": "*/*"}, data)
    return answered(stub)[-1]


_MERGE, _PULL7 = f"/repos/{REPO}/pulls/7/merge", f"/repos/{REPO}/pulls/7"
_SQUASH = {"merge_method": "squash", "commit_title": "Retry (#7)", "commit_message": "Why."}


def _nothing(stub: GitHubStub) -> None:
    pass


def _read_only(stub: GitHubStub) -> None:
    stub.read_only = True


def _conflicting(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].mergeable = False


def _squashed(stub: GitHubStub) -> None:
    stub.merge(REPO, 7, title="Retry (#7)", message="Why.", method="squash")


def _auto_merge_on(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].auto_merge = payloads.AutoMerge("alice", "squash", "Retry (#7)", "Why.")


APPLY = [
    (_nothing, "PUT", _MERGE, _SQUASH, 200),
    (_nothing, "PUT", _MERGE, {**_SQUASH, "sha": "0" * 40}, 409),
    (_conflicting, "PUT", _MERGE, _SQUASH, 405),
    (_squashed, "PUT", _MERGE, _SQUASH, 405),
    (_read_only, "PUT", _MERGE, _SQUASH, 403),
    (_nothing, "PUT", f"/repos/{REPO}/pulls/404/merge", _SQUASH, 404),
    (_squashed, "GET", f"/repos/{REPO}/commits/main", None, 200),
    (_nothing, "GET", f"/repos/{REPO}/commits/{SMALL.commits[0].sha}", None, 200),
    (_nothing, "GET", f"/repos/{REPO}/commits/{'0' * 40}", None, 422),
    (_nothing, "GET", "/repos/nobody/nothing/commits/main", None, 404),
    (_nothing, "PATCH", _PULL7, {"title": "Retry", "body": "Why."}, 200),
    (_read_only, "PATCH", _PULL7, {"body": "Why."}, 403),
    (_auto_merge_on, "GET", _PULL7, None, 200),
    (_squashed, "GET", _PULL7, None, 200),
    (_nothing, "GET", f"/repos/{REPO}", None, 200),
]


@pytest.mark.parametrize(("prepare", "method", "path", "body", "status"), APPLY)
def test_the_merge_edit_and_commit_answers_have_githubs_shape(
    prepare: Callable[[GitHubStub], object], method: str, path: str, body: Any, status: int
) -> None:
    exchange = _apply_answer(prepare, method, path, body)
    assert exchange.status == status
    assert documented(method, path, status)
    check(exchange)


def test_each_pull_request_has_its_own_node_id() -> None:
    ids = {payloads.pull_request(pr, GITHUB)["node_id"] for pr in world().prs.values()}
    assert len(ids) == 3
    assert all(i.startswith("PR_kwDO") for i in ids)


def _graphql(stub: GitHubStub, document: str) -> tuple[int, Any]:
    body = json.dumps({"query": document, "variables": {}}).encode()
    reply = stub.handle("POST", "/graphql", {"authorization": f"token {TOKEN}"}, body)
    return reply.status, reply.body


def test_a_wrong_field_gets_githubs_graphql_error_and_no_data() -> None:
    stub = world()
    document = '{ repository(owner: "o", name: "r") { pullRequest(number: 7) { idx } } }'
    status, body = _graphql(stub, document)
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": "Cannot query field 'idx' on type 'PullRequest'. Did you mean 'id'?",
                "locations": [{"line": 1, "column": 64}],
            }
        ]
    }
    assert stub.graphql_documents == [document]
    assert graphql_problems(document) == [body["errors"][0]["message"]]
    assert stub.writes == []  # a query, even an invalid one, changes nothing


def test_a_syntax_error_gets_githubs_graphql_error() -> None:
    status, body = _graphql(world(), "{ repository(")
    assert status == 200 and list(body) == ["errors"]
    assert body["errors"][0]["message"].startswith("Syntax Error")


def _resolved_types(stub: GitHubStub) -> list[tuple[str, dict[str, Any]]]:
    pr = stub.prs[(REPO, 7)]
    pr.auto_merge = payloads.AutoMerge("github-actions[bot]", "squash", "T", "M")
    stub.merge(REPO, 7, method="squash")
    root = github_graphql._root(stub)
    repository = github_graphql._repository(stub, REPO)
    pull = github_graphql._pull_request(stub, pr)
    return [
        ("Query", {k: v for k, v in root.items() if not k.endswith("AutoMerge")}),
        ("Mutation", {k: v for k, v in root.items() if k.endswith("AutoMerge")}),
        ("Repository", repository),
        ("PullRequest", pull),
        ("AutoMergeRequest", pull["autoMergeRequest"]),
        ("Commit", pull["mergeCommit"]),
        ("Bot", github_graphql.actor("github-actions[bot]")),
        ("User", github_graphql.actor("alice")),
        ("EnablePullRequestAutoMergePayload", github_graphql._payload(stub, pr, {})),
    ]


def test_the_graphql_resolvers_name_only_fields_of_githubs_schema() -> None:
    for name, resolved in _resolved_types(world()):
        kind = github_graphql.schema().get_type(name)
        assert isinstance(kind, GraphQLObjectType), name
        assert set(resolved) - {"__typename"} <= set(kind.fields), name
        typename = resolved.get("__typename", name)
        assert typename == name, name


def test_a_stub_change_leaves_other_stubs_alone() -> None:
    """`world()` hands each stand-in its own pull requests, and a merge or a push replaces
    the lists it would change: the module's records are shared by every test."""
    first, second = world(), world()
    first.merge(REPO, 7, method="squash")
    first.push(REPO, 8)
    assert (second.prs[(REPO, 7)].state, SMALL.state, SMALL.merged) == ("open", "open", False)
    assert len(second.history[(REPO, "main")]) == len(first.history[(REPO, "main")]) - 1
    assert len(second.prs[(REPO, 8)].commits) == len(first.prs[(REPO, 8)].commits) - 1

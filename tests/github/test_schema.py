"""The GitHub stand-in cannot drift from GitHub's real shapes: every recorded request and
answer is checked against GitHub's REST description (tests/fixtures/github), and so are the
stand-in's fault answers and its merge, edit and commit answers; every recorded `POST /graphql`
against GitHub's GraphQL schema (the document, its variables, the answer's shape); its GraphQL
resolvers name only fields of that schema. Also: no token in any cassette.

openapi-core knows the description's one server, https://api.github.com, so every request is
checked as if sent there, whatever host recorded it (TESTING.md §7).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import yaml
from graphql import (
    GraphQLAbstractType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    OperationDefinitionNode,
    execute_sync,
    get_operation_ast,
    get_variable_values,
    parse,
    validate,
)
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
GRAPHQL_PATHS = frozenset({"/graphql", "/api/graphql"})
"""Where PyGithub sends GraphQL: `/graphql`, or `/api/graphql` under a GHES-style `/api/v3`
(`Requester.get_graphql_prefix`). Not in the REST description: checked by `check_graphql`."""


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
    the description leaves out (401, 429, 502 on most operations), as GitHub's basic error.
    A GraphQL exchange is checked against GitHub's GraphQL schema instead."""
    if exchange.path in GRAPHQL_PATHS:
        check_graphql(exchange)
        return
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


# -- GraphQL ------------------------------------------------------------------------------------

_GRAPHQL_ERROR_KEYS = {"message", "type", "path", "locations", "extensions"}


def check_graphql(exchange: Exchange) -> None:
    """A `POST /graphql` as GitHub takes and answers it: a JSON request whose document GitHub's
    schema accepts and whose variables have the declared types; an answer (HTTP 200, JSON)
    with `data` and/or a non-empty `errors` list, GitHub's errors well formed (a typed one
    nulls the field its `path` names), and `data` exactly the shape the document selects. A
    request refused before GraphQL runs (401, 403, 5xx) gets REST's basic error."""
    problems = graphql_exchange_problems(exchange)
    assert problems == [], f"{exchange.name}: {problems}"


def graphql_exchange_problems(exchange: Exchange) -> list[str]:
    """What is wrong with a recorded GraphQL exchange; [] for one GitHub could have made."""
    if exchange.method != "POST":
        return [f"GraphQL is POSTed, not sent with {exchange.method}"]
    try:
        sent = json.loads(exchange.request_body or b"")
    except ValueError:
        return ["the request is not JSON"]
    if not isinstance(sent, dict) or not isinstance(sent.get("query"), str):
        return ["the request has no `query` string"]
    if set(sent) - {"query", "variables", "operationName"}:
        return [f"the request has unknown keys: {sorted(set(sent))}"]
    problems = graphql_problems(sent["query"])
    if problems:
        return problems
    variables = sent.get("variables") or {}
    operation = get_operation_ast(parse(sent["query"]), sent.get("operationName"))
    if operation is None or not isinstance(variables, dict):
        return ["no operation to run, or variables that are not an object"]
    coerced = get_variable_values(
        github_graphql.schema(), operation.variable_definitions or (), variables
    )
    if isinstance(coerced, list):
        return [error.message for error in coerced]
    if exchange.content_type != "application/json":
        return [f"the answer is {exchange.content_type}, not JSON"]
    try:
        answer = json.loads(exchange.body)
    except ValueError:
        return ["the answer is not JSON"]
    if exchange.status != 200:
        # Refused before GraphQL ran (a bad token, a rate limit, a 5xx): REST's basic error.
        if exchange.status < 400:
            return [f"a GraphQL answer other than 200 is an error, not {exchange.status}"]
        schema = payloads.spec()["components"]["schemas"]["basic-error"]
        return [error.message for error in OAS30Validator(schema).iter_errors(answer)]
    return _graphql_answer_problems(sent, operation, answer)


def _graphql_answer_problems(
    sent: dict[str, Any], operation: OperationDefinitionNode, answer: Any
) -> list[str]:
    if not isinstance(answer, dict) or not {"data", "errors"} & set(answer):
        return ["the answer has neither `data` nor `errors`"]
    if set(answer) - {"data", "errors", "extensions"}:
        return [f"the answer has unknown keys: {sorted(answer)}"]
    errors, data = answer.get("errors", []), answer.get("data")
    if not isinstance(errors, list) or ("errors" in answer and not errors):
        return ["`errors` is not a non-empty list"]
    problems = [p for error in errors for p in _graphql_error_problems(error, data)]
    if data is None:
        return problems + ([] if errors else ["an answer without data must say why"])
    if not isinstance(data, dict):
        return problems + ["`data` is not an object"]
    again = execute_sync(
        github_graphql.schema(),
        parse(sent["query"]),
        root_value=data,
        variable_values=sent.get("variables") or {},
        operation_name=sent.get("operationName"),
        field_resolver=_recorded_field,
        type_resolver=_recorded_type,
    )
    problems += [f"{error.path}: {error.message}" for error in again.errors or []]
    if again.data != data:
        name = operation.name.value if operation.name else "the document"
        problems.append(f"`data` is not the shape {name} selects: {data} != {again.data}")
    return problems


def _graphql_error_problems(error: Any, data: Any) -> list[str]:
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return [f"an error without a message: {error}"]
    problems = [f"unknown error key {key!r}" for key in set(error) - _GRAPHQL_ERROR_KEYS]
    path = error.get("path")
    if path is not None:
        if not isinstance(path, list) or not all(isinstance(p, str | int) for p in path):
            return [*problems, f"a malformed error path: {path}"]
        if _at(data, path) is not None:
            problems.append(f"the field at {path} failed but is not null")
    for at in error.get("locations", []):
        if not (isinstance(at, dict) and set(at) == {"line", "column"}):
            problems.append(f"a malformed error location: {at}")
    if not isinstance(error.get("type", ""), str):
        problems.append(f"a malformed error type: {error['type']}")
    return problems


def _at(data: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(data, Mapping) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _recorded_field(source: Any, info: GraphQLResolveInfo[Any], **_arguments: Any) -> Any:
    """Each field's recorded value, by its response key (an alias, or the field's name)."""
    return source.get(info.path.key) if isinstance(source, Mapping) else None


def _recorded_type(
    value: Any, info: GraphQLResolveInfo[Any], abstract_type: GraphQLAbstractType
) -> str | None:
    """An interface's or union's object type: the recorded `__typename`, else the first
    possible type (an interface's fields resolve alike on each; a fragment on another type
    then shows as a shape mismatch: select `__typename`)."""
    if isinstance(value, Mapping) and isinstance(value.get("__typename"), str):
        return str(value["__typename"])
    possible = info.schema.get_possible_types(abstract_type)
    return possible[0].name if possible else None


def _graphql_exchange(request: Any, answer: Any, *, status: int = 200) -> Exchange:
    body = json.dumps(request).encode()
    return Exchange(
        "made up",
        "POST",
        "/graphql",
        {},
        body,
        status,
        "application/json",
        json.dumps(answer).encode(),
    )


_QUEUE = (
    "query MergeQueue($owner: String!, $name: String!, $branch: String!) {"
    " repository(owner: $owner, name: $name) { mergeQueue(branch: $branch) { url } } }"
)
_QUEUE_VARIABLES = {"owner": "octo-org", "name": "widgets", "branch": "main"}
_QUEUE_ASKED: dict[str, Any] = {"query": _QUEUE, "variables": _QUEUE_VARIABLES}
_NO_QUEUE = {"data": {"repository": {"mergeQueue": None}}}
_ENABLE_ASKED: dict[str, Any] = {
    "query": "mutation Mutation($input: EnablePullRequestAutoMergeInput!) {"
    " enablePullRequestAutoMerge(input: $input) { clientMutationId } }",
    "variables": {"input": {"pullRequestId": "PR_1", "mergeMethod": "SQUASH"}},
}
_REFUSED = {
    "data": {"enablePullRequestAutoMerge": None},
    "errors": [
        {
            "type": "UNPROCESSABLE",
            "path": ["enablePullRequestAutoMerge"],
            "locations": [{"line": 1, "column": 63}],
            "message": "Pull request Pull request is in clean status",
        }
    ],
}
_BAD_CREDENTIALS = {
    "message": "Bad credentials",
    "documentation_url": "https://docs.github.com/graphql",
    "status": "401",
}
MADE_UP_GRAPHQL = [
    pytest.param(_QUEUE_ASKED, _NO_QUEUE, 200, [], id="a-query-answered"),
    pytest.param(_ENABLE_ASKED, _REFUSED, 200, [], id="a-mutation-refused"),
    pytest.param(_QUEUE_ASKED, _BAD_CREDENTIALS, 401, [], id="a-bad-token"),
    pytest.param(
        {**_QUEUE_ASKED, "query": _QUEUE.replace("url", "uri")},
        _NO_QUEUE,
        200,
        ["Cannot query field 'uri' on type 'MergeQueue'. Did you mean 'url'?"],
        id="a-field-GitHub-lacks",
    ),
    pytest.param(
        {**_QUEUE_ASKED, "variables": {**_QUEUE_VARIABLES, "branch": 7}},
        _NO_QUEUE,
        200,
        ["Variable '$branch' has invalid value: String cannot represent a non string value: 7"],
        id="a-variable-of-the-wrong-type",
    ),
    pytest.param(
        {**_ENABLE_ASKED, "variables": {"input": {"pullRequestId": "PR_1", "mergeMethod": "X"}}},
        _REFUSED,
        200,
        [
            "Variable '$input' has invalid value at .mergeMethod:"
            " Value 'X' does not exist in 'PullRequestMergeMethod' enum."
        ],
        id="an-input-GitHub-lacks",
    ),
    pytest.param(_QUEUE_ASKED, {}, 200, ["the answer has neither"], id="no-data-no-errors"),
    pytest.param(_QUEUE_ASKED, {"errors": []}, 200, ["`errors` is not"], id="empty-errors"),
    pytest.param(
        _QUEUE_ASKED,
        {"data": {"repository": {"mergeQueue": {"url": "u", "id": "MQ_1"}}}},
        200,
        ["`data` is not the shape MergeQueue selects"],
        id="a-field-not-asked-for",
    ),
    pytest.param(
        _QUEUE_ASKED,
        {"data": {"repository": {"mergeQueue": {"url": None}}}},
        200,
        [
            "['repository', 'mergeQueue', 'url']: Cannot return null for non-nullable field",
            "`data` is not the shape MergeQueue selects",
        ],
        id="null-where-the-schema-forbids-it",
    ),
    pytest.param(
        _ENABLE_ASKED,
        {**_REFUSED, "data": {"enablePullRequestAutoMerge": {"clientMutationId": None}}},
        200,
        ["the field at ['enablePullRequestAutoMerge'] failed but is not null"],
        id="a-failed-field-with-a-value",
    ),
    pytest.param(_QUEUE_ASKED, _NO_QUEUE, 302, ["a GraphQL answer other than 200"], id="a-302"),
]


@pytest.mark.parametrize(("request_body", "answer", "status", "wanted"), MADE_UP_GRAPHQL)
def test_the_graphql_check_finds_what_github_would_not_send(
    request_body: Any, answer: Any, status: int, wanted: list[str]
) -> None:
    """The GraphQL check is not vacuous: each made-up flaw is named, a sound exchange passes."""
    problems = graphql_exchange_problems(_graphql_exchange(request_body, answer, status=status))
    assert len(problems) == len(wanted), problems
    for problem, start in zip(problems, wanted, strict=True):
        assert problem.startswith(start), problem


def test_the_cassettes_were_recorded() -> None:
    assert len(EXCHANGES) > 50
    assert {e.status for e in EXCHANGES} >= {200, 201, 204, 401, 403, 404, 406, 409, 422, 429, 502}
    graphql = [e for e in EXCHANGES if e.path in GRAPHQL_PATHS]
    assert {e.name.split("/")[0] for e in graphql} == {"test_merge"}
    assert len(graphql) >= 4


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
    assert {c.parent.name for c in cassettes} >= {"test_client", "test_history", "test_merge"}
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
    """The requests a stand-in answered, GraphQL included, as `check` reads a recording: what
    tests that drive a live stand-in check afterwards."""
    found = []
    for method, target, body, reply in stub.answered:
        path, _, query = target.partition("?")
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

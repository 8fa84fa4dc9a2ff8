"""The stand-in's `POST /graphql`: GitHub's own schema (tests/fixtures/github/README-graphql.md)
executed by graphql-core against the stub's state, so each answer has exactly the shape its
document asked for, and a document GitHub would reject gets GitHub's `errors` (HTTP 200).

Resolvers are dicts: a key per field, holding the value or a callable `(info, **arguments)`;
an interface or union (`Actor`, `Node`) takes its type from the dict's `__typename`. A field
nobody set resolves to null, which is fine where the schema allows null.

    query { repository(owner: "o", name: "r") {
        autoMergeAllowed squashMergeAllowed viewerPermission mergeQueue(branch: "main") { url }
        pullRequest(number: 7) { id headRefOid mergeStateStatus isInMergeQueue merged
            autoMergeRequest { commitHeadline commitBody mergeMethod enabledBy { login } }
            mergeCommit { oid message } } } }
    mutation { enablePullRequestAutoMerge(input: {...}) { actor { login } } }
    mutation { disablePullRequestAutoMerge(input: {pullRequestId: ...}) { clientMutationId } }
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)

from tests.support import github_payloads as payloads
from tests.support.github_http import Reply, Request, reply
from tests.support.paths import FIXTURES

if TYPE_CHECKING:
    from tests.support.github_stub import GitHubStub

SCHEMA = FIXTURES / "github" / "graphql-schema.graphql.gz"
DOCS = "https://docs.github.com/graphql"
HTML = payloads.HTML
Resolved = dict[str, Any]

# GitHub's words. The clean/unstable one is widely reported, its doubled word included.
ALREADY_MERGEABLE = "Pull request Pull request is in {state} status"
NOT_ALLOWED = "Auto merge is not allowed for this repository"
FORBIDDEN = "Resource not accessible by integration"
# GitHub's REST (and mergePullRequest) wording for a moved head; assumed for this mutation.
HEAD_MOVED = "Head branch was modified. Review and try the merge again."
NO_NODE = "Could not resolve to a node with the global id of '{id}'"
NO_REPOSITORY = "Could not resolve to a Repository with the name '{name}'."
NO_PULL_REQUEST = "Could not resolve to a PullRequest with the number of {number}."
# Assumed wording: GitHub's answer to a closed or draft pull request is not on record here.
WRONG_STATE = "Pull request is not in the correct state to enable auto-merge"


class Refusal(Exception):
    """A resolver's refusal, answered as GitHub's typed error: `NOT_FOUND`, `FORBIDDEN` or
    `UNPROCESSABLE`, with the field's path and location."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@functools.cache
def schema() -> GraphQLSchema:
    """Built once per process (about 1 s). GitHub's SDL fails graphql-core's own schema
    checks (a field defined twice, deprecated fields implementing non-deprecated interface
    fields), which GitHub's server never runs: skip them."""
    text = gzip.decompress(SCHEMA.read_bytes()).decode("utf-8")
    return build_schema(text, assume_valid=True, assume_valid_sdl=True)


def answer(stub: GitHubStub, request: Request) -> Reply:
    if not request.headers.get("authorization"):
        doc = DOCS + "/guides/forming-calls-with-graphql#authenticating-with-graphql"
        message = "This endpoint requires you to be authenticated."
        return reply(401, {"message": message, "documentation_url": doc})
    try:
        sent = json.loads(request.body)
    except ValueError:
        return reply(400, {"message": "Problems parsing JSON", "documentation_url": DOCS})
    document = sent.get("query") if isinstance(sent, dict) else None
    if not isinstance(document, str):
        message = "A query attribute must be specified and must be a string."
        return reply(200, {"errors": [{"message": message}]})
    stub.graphql_documents.append(document)
    try:
        tree = parse(document)
    except GraphQLError as error:
        return reply(200, {"errors": [error.formatted]})
    invalid = validate(schema(), tree)
    if invalid:
        return reply(200, {"errors": [error.formatted for error in invalid]})
    result = execute_sync(
        schema(),
        tree,
        root_value=_root(stub),
        variable_values=sent.get("variables") or {},
        operation_name=sent.get("operationName"),
    )
    body: dict[str, Any] = {"data": result.data} if result.data is not None else {}
    if result.errors:
        body["errors"] = [_github_error(error) for error in result.errors]
    return reply(200, body)


def is_mutation(body: bytes) -> bool:
    """Whether a GraphQL request would run a mutation (which `stub.writes` records, a query
    being a read): a body that does not parse runs nothing."""
    try:
        sent = json.loads(body)
        tree = parse(sent["query"])
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    operation = get_operation_ast(tree, sent.get("operationName"))
    return operation is not None and operation.operation == OperationType.MUTATION


def _github_error(error: GraphQLError) -> dict[str, Any]:
    if not isinstance(error.original_error, Refusal):
        return dict(error.formatted)
    locations = [{"line": at.line, "column": at.column} for at in error.locations or []]
    return {
        "type": error.original_error.kind,
        "path": error.path,
        "locations": locations,
        "message": error.message,
    }


def _root(stub: GitHubStub) -> Resolved:
    """The query and mutation fields, read from the stub's state at this moment."""
    return {
        "repository": lambda _info, owner, name, **_: _repository(stub, f"{owner}/{name}"),
        "node": lambda _info, id: _pull_request(stub, _by_node_id(stub, id)),
        "enablePullRequestAutoMerge": lambda _info, input: _enable(stub, input),
        "disablePullRequestAutoMerge": lambda _info, input: _disable(stub, input),
    }


def actor(login: str) -> Resolved:
    """A user, or an app's bot: GraphQL names a bot without REST's `[bot]` suffix."""
    if login.endswith("[bot]"):
        slug = login.removesuffix("[bot]")
        kind, path, number = "Bot", f"/apps/{slug}", f"in/{payloads.database_id(slug)}"
    else:
        kind, path, number = "User", f"/{login}", f"u/{payloads.database_id(login)}"
    avatar = f"https://avatars.githubusercontent.com/{number}?v=4"
    return {
        "__typename": kind,
        "login": login.removesuffix("[bot]"),
        "avatarUrl": lambda _info, size=None: avatar if size is None else f"{avatar}&s={size}",
        "resourcePath": path,
        "url": HTML + path,
    }


def _repository(stub: GitHubStub, name: str) -> Resolved:
    if not stub.knows_repo(name):
        raise Refusal("NOT_FOUND", NO_REPOSITORY.format(name=name))
    settings = stub.repos.get(name) or payloads.StubRepo(name)

    def merge_queue(_info: Any, branch: str | None = None) -> Resolved | None:
        branch = branch or settings.default_branch
        if branch not in settings.merge_queue_branches:
            return None
        path = f"/{name}/queue/{branch}"
        return {"__typename": "MergeQueue", "id": f"MQ_{name}:{branch}", "url": HTML + path}

    def pull_request(_info: Any, number: int) -> Resolved:
        pr = stub.prs.get((name, number))
        if pr is None:
            raise Refusal("NOT_FOUND", NO_PULL_REQUEST.format(number=number))
        return _pull_request(stub, pr)

    return {
        "__typename": "Repository",
        "name": name.split("/")[1],
        "nameWithOwner": name,
        "url": f"{HTML}/{name}",
        "autoMergeAllowed": settings.allow_auto_merge,
        "squashMergeAllowed": settings.allow_squash_merge,
        "mergeCommitAllowed": settings.allow_merge_commit,
        "rebaseMergeAllowed": settings.allow_rebase_merge,
        "viewerPermission": stub.viewer_permission,
        "mergeQueue": merge_queue,
        "pullRequest": pull_request,
    }


def _pull_request(stub: GitHubStub, pr: payloads.StubPR) -> Resolved:
    state = "MERGED" if pr.merged else pr.state.upper()
    mergeable = {True: "MERGEABLE", False: "CONFLICTING", None: "UNKNOWN"}[pr.mergeable]
    return {
        "__typename": "PullRequest",
        "id": pr.node_id,
        "databaseId": pr.id,
        "number": pr.number,
        "title": pr.title,
        "body": pr.body or "",
        "url": f"{HTML}/{pr.repo}/pull/{pr.number}",
        "state": state,
        "closed": pr.state == "closed",
        "merged": pr.merged,
        "isDraft": pr.draft,
        "author": actor(pr.author),
        "headRefName": pr.head_ref,
        "headRefOid": pr.head_sha,
        "baseRefName": pr.base_ref,
        "mergeable": mergeable,
        "mergeStateStatus": pr.mergeable_state.upper(),
        # Not modelled: the stand-in's merge queues never hold a pull request.
        "isInMergeQueue": False,
        "autoMergeRequest": _auto_merge_request(stub, pr),
        "mergeCommit": _merge_commit(stub, pr),
        "repository": lambda _info: _repository(stub, pr.repo),
    }


def _auto_merge_request(stub: GitHubStub, pr: payloads.StubPR) -> Resolved | None:
    request = pr.auto_merge
    if request is None:
        return None
    return {
        "commitHeadline": request.commit_title,
        "commitBody": request.commit_message,
        "mergeMethod": request.merge_method.upper(),
        "enabledAt": request.enabled_at,
        "enabledBy": actor(request.enabled_by),
        "pullRequest": lambda _info: _pull_request(stub, pr),
    }


def _merge_commit(stub: GitHubStub, pr: payloads.StubPR) -> Resolved | None:
    found = stub.find_commit(pr.repo, pr.merge_commit_sha) if pr.merge_commit_sha else None
    if found is None:
        return None
    made = found[0]
    headline, _, body = made.message.partition("\n\n")
    return {
        "__typename": "Commit",
        "oid": made.sha,
        "message": made.message,
        "messageHeadline": headline,
        "messageBody": body,
        "url": f"{HTML}/{pr.repo}/commit/{made.sha}",
    }


def _by_node_id(stub: GitHubStub, node_id: str) -> payloads.StubPR:
    for pr in stub.prs.values():
        if pr.node_id == node_id:
            return pr
    raise Refusal("NOT_FOUND", NO_NODE.format(id=node_id))


def _writable(stub: GitHubStub, node_id: str) -> payloads.StubPR:
    pr = _by_node_id(stub, node_id)
    if not stub.may_write:
        raise Refusal("FORBIDDEN", FORBIDDEN)
    return pr


def _enable(stub: GitHubStub, given: dict[str, Any]) -> Resolved:
    pr = _writable(stub, given["pullRequestId"])
    if not (stub.repos.get(pr.repo) or payloads.StubRepo(pr.repo)).allow_auto_merge:
        raise Refusal("UNPROCESSABLE", NOT_ALLOWED)
    if pr.state != "open" or pr.draft:
        raise Refusal("UNPROCESSABLE", WRONG_STATE)
    if given.get("expectedHeadOid") not in (None, pr.head_sha):
        raise Refusal("UNPROCESSABLE", HEAD_MOVED)
    if pr.mergeable_state in {"clean", "unstable", "has_hooks"}:
        raise Refusal("UNPROCESSABLE", ALREADY_MERGEABLE.format(state=pr.mergeable_state))
    method = str(given.get("mergeMethod", "MERGE")).lower()
    title, message = payloads.default_merge_message(pr, method)
    pr.auto_merge = payloads.AutoMerge(
        enabled_by=stub.writer,
        merge_method=method,
        commit_title=_or(given.get("commitHeadline"), title),
        commit_message=_or(given.get("commitBody"), message),
        enabled_at=stub.tick(),
    )
    return _payload(stub, pr, given)


def _disable(stub: GitHubStub, given: dict[str, Any]) -> Resolved:
    pr = _writable(stub, given["pullRequestId"])
    pr.auto_merge = None
    return _payload(stub, pr, given)


def _or(value: Any, default: str) -> str:
    return default if value is None else str(value)


def _payload(stub: GitHubStub, pr: payloads.StubPR, given: dict[str, Any]) -> Resolved:
    return {
        "actor": actor(stub.writer),
        "clientMutationId": given.get("clientMutationId"),
        "pullRequest": lambda _info: _pull_request(stub, pr),
    }

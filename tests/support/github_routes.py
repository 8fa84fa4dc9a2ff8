"""The stand-in's endpoints: each turns a request and the stub's state into GitHub's answer.

Called with the stub's lock held, so handlers read and change its state freely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from tests.support import github_comments as comments
from tests.support import github_graphql as graphql
from tests.support import github_payloads as payloads
from tests.support.github_http import Handler, Reply, Request, not_found, page, reply

if TYPE_CHECKING:
    from tests.support.github_stub import GitHubStub

PR_COMMITS_CAP = 250
_REPO = r"/repos/(?P<repo>[^/]+/[^/]+)"
FORBIDDEN = "Resource not accessible by integration"
HEAD_MOVED = "Head branch was modified. Review and try the merge again."
NOT_MERGEABLE = "Pull Request is not mergeable"
_NOT_ALLOWED = {
    "merge": "Merge commits are not allowed on this repository.",
    "squash": "Squash merges are not allowed on this repository.",
    "rebase": "Rebase merges are not allowed on this repository.",
}


def route(
    stub: GitHubStub, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    path, _, query = target.partition("?")
    if stub.token is not None and headers.get("authorization", "").split(" ")[-1] != stub.token:
        return reply(401, payloads.error(401, "Bad credentials"))
    for verb, pattern, handler in _ROUTES:
        found = pattern.fullmatch(path)
        if verb == method and found:
            request = Request(
                method, path, dict(parse_qsl(query)), headers, body, found.groupdict()
            )
            return handler(stub, request)
    return reply(404, not_found())


def _pr(stub: GitHubStub, request: Request) -> payloads.StubPR | None:
    return stub.prs.get((request.params["repo"], int(request.params["n"])))


def _get_pull(stub: GitHubStub, request: Request) -> Reply:
    pr = _pr(stub, request)
    if pr is None:
        return reply(404, not_found("/pulls/pulls#get-a-pull-request"))
    if "diff" not in request.headers.get("accept", ""):
        return reply(200, _pull_json(stub, pr))
    too_large = pr.too_large
    if too_large is None:
        too_large = len(pr.files) > 300 or pr.changed_lines > 20_000
    if too_large:
        return reply(406, payloads.too_large(pr))
    headers = {
        "content-type": "application/vnd.github.diff; charset=utf-8",
        "x-github-media-type": "github.v3; param=diff",
    }
    return reply(200, pr.diff, headers)


def _pull_json(stub: GitHubStub, pr: payloads.StubPR) -> dict[str, Any]:
    settings = stub.repos.get(pr.repo) or payloads.StubRepo(pr.repo)
    return payloads.pull_request(pr, stub.url, settings)


def _json_body(request: Request) -> dict[str, Any] | None:
    """The request's JSON object (an empty body is `{}`), or None when it is not one."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _refusal(stub: GitHubStub, request: Request, doc: str) -> Reply | None:
    """403 for a token that may not write, 400 for a body that is not JSON, else None."""
    if not stub.may_write:
        return reply(403, payloads.error(403, FORBIDDEN, doc))
    if _json_body(request) is None:
        return reply(400, payloads.error(400, "Problems parsing JSON", doc))
    return None


def _get_repo(stub: GitHubStub, request: Request) -> Reply:
    name = request.params["repo"]
    if not stub.knows_repo(name):
        return reply(404, not_found("/repos/repos#get-a-repository"))
    settings = stub.repos.get(name) or payloads.StubRepo(name)
    rank = stub.viewer_permission
    permissions = {"pull": True, "push": stub.may_write, "admin": rank == "ADMIN"}
    return reply(200, payloads.repository(settings, stub.url, permissions))


def _edit_pull(stub: GitHubStub, request: Request) -> Reply:
    doc = "/pulls/pulls#update-a-pull-request"
    pr = _pr(stub, request)
    if pr is None:
        return reply(404, not_found(doc))
    refusal = _refusal(stub, request, doc)
    if refusal is not None:
        return refusal
    changes = _json_body(request) or {}
    if isinstance(changes.get("title"), str):
        pr.title = str(changes["title"])
    if "body" in changes:
        pr.body = None if changes["body"] is None else str(changes["body"])
    if changes.get("state") in {"open", "closed"} and not pr.merged:
        pr.state = str(changes["state"])
    return reply(200, _pull_json(stub, pr))


def _merge_pull(stub: GitHubStub, request: Request) -> Reply:
    doc = "/pulls/pulls#merge-a-pull-request"
    pr = _pr(stub, request)
    if pr is None:
        return reply(404, not_found(doc))
    refusal = _refusal(stub, request, doc)
    if refusal is not None:
        return refusal
    asked = _json_body(request) or {}
    method = str(asked.get("merge_method") or "merge")
    settings = stub.repos.get(pr.repo) or payloads.StubRepo(pr.repo)
    allowed = {
        "merge": settings.allow_merge_commit,
        "squash": settings.allow_squash_merge,
        "rebase": settings.allow_rebase_merge,
    }
    if not allowed.get(method, False):
        return reply(405, payloads.error(405, _NOT_ALLOWED.get(method, NOT_MERGEABLE), doc))
    if pr.state != "open" or pr.mergeable is False:
        return reply(405, payloads.error(405, NOT_MERGEABLE, doc))
    if asked.get("sha", pr.head_sha) != pr.head_sha:
        return reply(409, payloads.error(409, HEAD_MOVED, doc))
    title, message = asked.get("commit_title"), asked.get("commit_message")
    sha = stub.merge(
        pr.repo,
        pr.number,
        title=None if title is None else str(title),
        message=None if message is None else str(message),
        method=method,
    )
    return reply(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


def _get_commit(stub: GitHubStub, request: Request) -> Reply:
    doc = "/commits/commits#get-a-commit"
    repo, ref = request.params["repo"], request.params["ref"]
    if not stub.knows_repo(repo):
        return reply(404, not_found(doc))
    found = stub.find_commit(repo, ref)
    if found is None:
        return reply(422, payloads.error(422, f"No commit found for SHA: {ref}", doc))
    made, files = found
    return reply(200, payloads.full_commit(made, repo, stub.url, files))


def _get_files(stub: GitHubStub, request: Request) -> Reply:
    pr = _pr(stub, request)
    if pr is None:
        return reply(404, not_found("/pulls/pulls#list-pull-requests-files"))
    listed = pr.files[: stub.files_cap]
    api, repo = stub.url, pr.repo
    return page(stub, request, [payloads.diff_entry(f, repo, pr.head_sha, api) for f in listed])


def _get_pr_commits(stub: GitHubStub, request: Request) -> Reply:
    pr = _pr(stub, request)
    if pr is None:
        return reply(404, not_found("/pulls/pulls#list-commits-on-a-pull-request"))
    commits = pr.commits[:PR_COMMITS_CAP]
    return page(stub, request, [payloads.commit(c, pr.repo, stub.url) for c in commits])


def _get_history(stub: GitHubStub, request: Request) -> Reply:
    repo, branch = request.params["repo"], request.query.get("sha", "main")
    commits = stub.history.get((repo, branch))
    if commits is None:
        body = payloads.error(404, f"No commit found for SHA: {branch}", "/commits/commits")
        return reply(404, body)
    return page(stub, request, [payloads.commit(c, repo, stub.url) for c in commits])


def _get_permission(stub: GitHubStub, request: Request) -> Reply:
    login = request.params["login"]
    if login not in stub.permissions:
        doc = "/collaborators/collaborators#get-repository-permissions-for-a-user"
        return reply(404, not_found(doc))
    return reply(200, payloads.permission(login, stub.permissions[login], stub.url))


def _get_contents(stub: GitHubStub, request: Request) -> Reply:
    """Only the raw media type, as commit-polish asks: the file's bytes, or GitHub's 404."""
    key = (request.params["repo"], request.query.get("ref", "main"), request.params["path"])
    text = stub.files_at.get(key)
    if text is None:
        return reply(404, not_found("/repos/contents#get-repository-content"))
    return reply(200, text, {"content-type": "application/vnd.github.raw; charset=utf-8"})


def _get_user(stub: GitHubStub, request: Request) -> Reply:
    if stub.user is None:
        message = "Resource not accessible by integration"
        body = payloads.error(403, message, "/users/users#get-the-authenticated-user")
        return reply(403, body)
    return reply(200, payloads.authenticated_user(stub.user, stub.url))


_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (verb, re.compile(pattern), handler)
    for verb, pattern, handler in [
        ("GET", r"/user", _get_user),
        ("POST", r"/graphql", graphql.answer),
        ("GET", _REPO, _get_repo),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)", _get_pull),
        ("PATCH", _REPO + r"/pulls/(?P<n>\d+)", _edit_pull),
        ("PUT", _REPO + r"/pulls/(?P<n>\d+)/merge", _merge_pull),
        ("GET", _REPO + r"/commits/(?P<ref>.+)", _get_commit),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)/files", _get_files),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)/commits", _get_pr_commits),
        ("GET", _REPO + r"/commits", _get_history),
        ("GET", _REPO + r"/contents/(?P<path>.+)", _get_contents),
        ("GET", _REPO + r"/collaborators/(?P<login>[^/]+)/permission", _get_permission),
        ("GET", _REPO + r"/issues/(?P<n>\d+)/comments", comments.list_comments),
        ("POST", _REPO + r"/issues/(?P<n>\d+)/comments", comments.create_comment),
        ("GET", _REPO + r"/issues/comments/(?P<id>\d+)", comments.get_comment),
        ("PATCH", _REPO + r"/issues/comments/(?P<id>\d+)", comments.edit_comment),
        ("DELETE", _REPO + r"/issues/comments/(?P<id>\d+)", comments.delete_comment),
    ]
]

"""The stand-in's issue-comment endpoints: list, create, read, edit, delete."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.support import github_payloads as payloads
from tests.support.github_http import Comment, Reply, Request, not_found, page, reply

if TYPE_CHECKING:
    from tests.support.github_stub import GitHubStub

MAX_COMMENT = 65536
"""GitHub's limit on a comment's body, in characters."""


def _comment_json(stub: GitHubStub, repo: str, number: int, comment: Comment) -> dict[str, Any]:
    data = payloads.comment(
        comment.id, comment.body, comment.login, repo=repo, number=number, api=stub.url
    )
    return data | {"created_at": comment.created_at, "updated_at": comment.updated_at}


def list_comments(stub: GitHubStub, request: Request) -> Reply:
    repo, number = request.params["repo"], int(request.params["n"])
    thread = stub.threads.get((repo, number), [])
    if (repo, number) not in stub.prs and not thread:
        return reply(404, not_found("/issues/comments#list-issue-comments"))
    return page(stub, request, [_comment_json(stub, repo, number, c) for c in thread])


def _refuse_write(stub: GitHubStub, request: Request, doc: str) -> Reply | None:
    """403 for a read-only token, 422 for a missing or too long body, else None."""
    if stub.read_only:
        return reply(403, payloads.error(403, "Resource not accessible by integration", doc))
    try:
        text = json.loads(request.body or b"{}").get("body")
    except ValueError:
        return reply(400, payloads.error(400, "Problems parsing JSON", doc))
    if not isinstance(text, str) or not text:
        problem = {"resource": "IssueComment", "code": "missing_field", "field": "body"}
        return reply(422, payloads.error(422, "Validation Failed", doc, errors=[problem]))
    if len(text) > MAX_COMMENT:
        problem = {
            "resource": "IssueComment",
            "code": "custom",
            "field": "body",
            "message": f"body is too long (maximum is {MAX_COMMENT} characters)",
        }
        return reply(422, payloads.error(422, "Validation Failed", doc, errors=[problem]))
    return None


def _body(request: Request) -> str:
    return str(json.loads(request.body)["body"])


def create_comment(stub: GitHubStub, request: Request) -> Reply:
    repo, number = request.params["repo"], int(request.params["n"])
    doc = "/issues/comments#create-an-issue-comment"
    if (repo, number) not in stub.prs:
        return reply(404, not_found(doc))
    refusal = _refuse_write(stub, request, doc)
    if refusal is not None:
        return refusal
    made = stub.add_comment(repo, number, _body(request), stub.writer)
    data = _comment_json(stub, repo, number, made)
    return reply(201, data, {"location": data["url"]})


def _find(stub: GitHubStub, comment_id: int) -> tuple[str, int, Comment] | None:
    for (repo, number), thread in stub.threads.items():
        for comment in thread:
            if comment.id == comment_id:
                return repo, number, comment
    return None


def edit_comment(stub: GitHubStub, request: Request) -> Reply:
    doc = "/issues/comments#update-an-issue-comment"
    found = _find(stub, int(request.params["id"]))
    if found is None:
        return reply(404, not_found(doc))
    refusal = _refuse_write(stub, request, doc)
    if refusal is not None:
        return refusal
    repo, number, comment = found
    # GitHub lets a token with write access edit anyone's comment: only the client's own
    # care keeps it off other people's comments.
    comment.body = _body(request)
    comment.updated_at = stub.tick()
    return reply(200, _comment_json(stub, repo, number, comment))


def get_comment(stub: GitHubStub, request: Request) -> Reply:
    found = _find(stub, int(request.params["id"]))
    if found is None:
        return reply(404, not_found("/issues/comments#get-an-issue-comment"))
    return reply(200, _comment_json(stub, *found))


def delete_comment(stub: GitHubStub, request: Request) -> Reply:
    doc = "/issues/comments#delete-an-issue-comment"
    found = _find(stub, int(request.params["id"]))
    if found is None:
        return reply(404, not_found(doc))
    if stub.read_only:
        return reply(403, payloads.error(403, "Resource not accessible by integration", doc))
    repo, number, comment = found
    stub.threads[(repo, number)].remove(comment)
    return reply(204)

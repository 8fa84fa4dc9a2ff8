"""Putting a message into the squash commit: GitHub's auto-merge (GraphQL) and its merge
endpoint (REST), both pinned to the head the message was written for.

Nothing here is retried: a merge that failed with a 5xx may have happened, and a pinned
request that is repeated after a push is refused anyway. GitHub's refusals become
`MergeRefused` with a `kind` the Action turns into advice; GraphQL answers a refusal with
HTTP 200 and an `errors` list, which PyGithub raises as a 400 or, for NOT_FOUND, a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from github import GithubException

from commit_polish.github.errors import (
    APPLY_PERMISSIONS_YAML,
    UNEXPECTED_FIX,
    GitHubRequestError,
)
from commit_polish.github.session import Session

__all__ = ["MergeRefused", "Merges"]

SQUASH = "SQUASH"
_MERGE_QUEUE_QUERY = (
    "query MergeQueue($owner: String!, $name: String!, $branch: String!) {"
    " repository(owner: $owner, name: $name) { mergeQueue(branch: $branch) { url } } }"
)
# What GitHub says, lower-cased, and what it means; the first match wins. "Pull request is in
# clean status" (also "unstable", "has_hooks") is how GitHub refuses auto-merge for a pull
# request it could merge right now: there is nothing left to wait for.
_REFUSALS = (
    ("clean status", "mergeable"),
    ("unstable status", "mergeable"),
    ("has_hooks status", "mergeable"),
    ("auto merge is not allowed", "not_allowed"),
    ("head branch was modified", "head_moved"),
    ("resource not accessible", "forbidden"),
    ("must have admin rights", "forbidden"),
    ("not mergeable", "not_mergeable"),
    ("merge queue", "merge_queue"),
)
_FIXES = {
    "forbidden": "give the job's token write access:\n\n" + APPLY_PERMISSIONS_YAML,
    "not_allowed": "a repository admin turns on Settings > General > Pull Requests > "
    "Allow auto-merge",
    "head_moved": "let the run for the new head write its message, then apply that one",
    "mergeable": "merge it now instead: auto-merge only waits for requirements still pending",
    "not_mergeable": "resolve the conflict, or the required check or review that is missing, "
    "then try again",
    "merge_queue": "let the merge queue merge it, with the message in the pull request's "
    "title and description",
    "not_found": "check that the pull request is still open and that the token can see the "
    "repository",
}


class MergeRefused(GitHubRequestError):
    """GitHub did not take the message. `kind`: `mergeable` (auto-merge refused because the
    pull request can be merged now), `not_allowed` (auto-merge off in the repository),
    `head_moved`, `forbidden`, `not_mergeable`, `merge_queue`, `not_found`, or any kind of
    `GitHubRequestError` (rate limit, server, connection...)."""

    title = "commit-polish: the message was not applied"


class Merges:
    """The merge calls of one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enable_auto_merge(self, node_id: str, headline: str, body: str, head: str) -> None:
        """Squash-merge with this message once GitHub's requirements are met, only while the
        pull request's head is `head`."""
        self._mutate(
            "enablePullRequestAutoMerge",
            {
                "pullRequestId": node_id,
                "mergeMethod": SQUASH,
                "commitHeadline": headline,
                "commitBody": body,
                "expectedHeadOid": head,
            },
            "turning on auto-merge",
        )

    def disable_auto_merge(self, node_id: str) -> None:
        self._mutate(
            "disablePullRequestAutoMerge", {"pullRequestId": node_id}, "turning off auto-merge"
        )

    def merge(self, repo: str, number: int, headline: str, body: str, head: str) -> str:
        """Squash-merge now, only if the head is still `head`; the squash commit's sha."""
        doing = f"merging pull request #{number} of {repo}"
        url = f"{self._session.repo(repo).url}/pulls/{number}/merge"
        payload = {
            "merge_method": "squash",
            "commit_title": headline,
            "commit_message": body,
            "sha": head,
        }
        try:
            _, data = self._session.requester.requestJsonAndCheck("PUT", url, input=payload)
        except (GithubException, requests.RequestException) as exc:
            raise self._refused(exc, doing) from None
        return str(data.get("sha") or "")

    def edit_description(self, repo: str, number: int, body: str) -> None:
        """Set the pull request's description (our block in it: action/body_block.py)."""
        self._edit(repo, number, {"body": body}, "the description")

    def edit_title(self, repo: str, number: int, title: str) -> None:
        """Set the pull request's title (`write_title`: action/title.py)."""
        self._edit(repo, number, {"title": title}, "the title")

    def _edit(self, repo: str, number: int, fields: Mapping[str, str], what: str) -> None:
        doing = f"writing {what} of pull request #{number} of {repo}"
        url = f"{self._session.repo(repo).url}/pulls/{number}"
        try:
            self._session.requester.requestJsonAndCheck("PATCH", url, input=dict(fields))
        except (GithubException, requests.RequestException) as exc:
            raise self._refused(exc, doing) from None

    def merge_queue(self, repo: str, branch: str) -> bool:
        """Whether `branch` merges through a merge queue, which ignores a headline and body."""
        owner, _, name = repo.partition("/")
        variables = {"owner": owner, "name": name, "branch": branch}
        doing = f"asking whether {branch} of {repo} has a merge queue"
        try:
            _, data = self._session.requester.graphql_query(_MERGE_QUEUE_QUERY, variables)
        except (GithubException, requests.RequestException) as exc:
            raise self._refused(exc, doing) from None
        repository = (data.get("data") or {}).get("repository") or {}
        return repository.get("mergeQueue") is not None

    def commit_message(self, repo: str, sha: str) -> str:
        """The full message of commit `sha` (a squash commit, once merged)."""
        with self._session.translated(f"reading commit {sha[:12]} of {repo}"):
            return str(self._session.repo(repo).get_commit(sha).commit.message)

    def _mutate(self, name: str, payload: Mapping[str, Any], doing: str) -> None:
        try:
            self._session.requester.graphql_named_mutation(name, dict(payload), "clientMutationId")
        except (GithubException, requests.RequestException) as exc:
            raise self._refused(exc, doing) from None

    def _refused(
        self, exc: GithubException | requests.RequestException, doing: str
    ) -> GitHubRequestError:
        if not isinstance(exc, GithubException):
            return self._session.error(exc, doing)
        said = _github_says(exc.data)
        kind = _kind(exc.status, exc.data, said)
        if kind is None:  # rate limits, 5xx, a bad token: the common table says those
            return self._session.error(exc, doing)
        fix = _FIXES.get(kind, UNEXPECTED_FIX)
        text = f"GitHub refused {doing}: “{said}”" if said else f"GitHub refused {doing}"
        return MergeRefused(text, fix=fix, kind=kind, status=exc.status)


def _kind(status: int, data: Any, said: str) -> str | None:
    lowered = said.lower()
    for needle, kind in _REFUSALS:
        if needle in lowered:
            return kind
    types = {e.get("type") for e in _errors(data)}
    if "FORBIDDEN" in types:
        return "forbidden"
    if "NOT_FOUND" in types or status == 404:
        return "not_found"
    if status in (400, 405, 409, 422) or types:
        return "unexpected"
    return None


def _errors(data: Any) -> list[Mapping[str, Any]]:
    errors = data.get("errors") if isinstance(data, Mapping) else None
    return [e for e in errors or () if isinstance(e, Mapping)]


def _github_says(data: Any) -> str:
    """GraphQL's error messages, or REST's `message`."""
    messages = [str(e.get("message") or "") for e in _errors(data)]
    if not any(messages) and isinstance(data, Mapping):
        messages = [str(data.get("message") or "")]
    return "; ".join(m for m in messages if m)[:500]

"""GitHub's refusals, translated in one place into errors that say what happened and the fix.

No PyGithub here: session.py catches PyGithub's exceptions and hands over the status, GitHub's
JSON answer and the response headers, so this table can be read (and tested) on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from commit_polish.errors import GitHubError

PERMISSIONS_YAML = "permissions:\n  contents: read\n  pull-requests: write"
READ_PERMISSIONS_YAML = "permissions:\n  contents: read\n  pull-requests: read"
APPLY_PERMISSIONS_YAML = "permissions:\n  contents: write\n  pull-requests: write"
"""What putting the message into the commit needs: a merge writes the base branch."""
# The job-level block of .github/workflows/commit-polish.yml (tests/test_workflows.py holds
# them equal). On the job, not the workflow: a comment's run whose job is skipped never enters
# the group, and only the PR's own events cancel a suggestion in progress.
CONCURRENCY_YAML = (
    "concurrency:\n"
    "  group: commit-polish-${{ github.workflow }}-${{ github.event.pull_request.number"
    " || github.event.issue.number || github.event.inputs.pr-number || github.run_id }}\n"
    "  cancel-in-progress: ${{ github.event_name == 'pull_request'"
    " || github.event_name == 'pull_request_target' }}"
)
_FORK_FIX = (
    "A pull request from a fork gets a read-only token on `pull_request`, whatever "
    "`permissions:` says. Either trigger on `pull_request_target` (commit-polish reads the pull "
    "request through the API only and never checks out its code), or use two workflows: "
    "generate the message on `pull_request` and upload it as an artifact, then post it from a "
    "`workflow_run` job that has `pull-requests: write`."
)
_CREDENTIALS_FIX = (
    "keep the default `github-token: ${{ github.token }}`, or store a valid personal access "
    "token as a secret and pass `github-token: ${{ secrets.NAME }}` (a secret that does not "
    "exist, or is withheld from a fork's run, arrives as an empty string)"
)
_RATE_FIX = (
    "re-run the job later; a GitHub App or personal token has a higher limit, and a "
    "`concurrency:` group per pull request on the job (not the workflow, so that a comment "
    "never cancels a suggestion) keeps runs from piling up:"
    f"\n\n{CONCURRENCY_YAML}"
)
_SERVER_FIX = (
    "GitHub had a failure on its side: re-run the job later "
    "(https://www.githubstatus.com shows ongoing incidents)"
)
UNEXPECTED_FIX = "re-run the job; if it keeps failing, report it with this message"
_BY_STATUS = {
    401: ("auth", "GitHub rejected the token (401)", _CREDENTIALS_FIX),
    404: (
        "not_found",
        "not found (404)",
        "check the repository and the pull request number (the `pr-number` input of a "
        "`workflow_dispatch` run). GitHub also answers 404 when the token cannot see a "
        f"private repository: give the job read access:\n\n{READ_PERMISSIONS_YAML}",
    ),
    406: (
        "too_large",
        "GitHub will not produce this diff (406)",
        "this is a bug in commit-polish (it reads the files API when the diff is too "
        "large): please report it with this message",
    ),
    422: (
        "invalid",
        "GitHub refused the request as invalid (422)",
        "this is a bug in commit-polish (the comment is trimmed below GitHub's 65,536 "
        "characters): please report it with this message",
    ),
}
"""(kind, what happened, fix) of the statuses whose meaning does not depend on the answer."""
SECONDARY_RATE_WAIT = 60.0
"""GitHub's advice when a secondary rate limit comes without `Retry-After`: wait a minute."""
_SECRET_SHAPE = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,})")


class GitHubRequestError(GitHubError):
    """A GitHub request failed. `kind` is one of `auth`, `forbidden`, `not_found`,
    `too_large`, `invalid`, `rate_limit`, `server`, `connection`, `unexpected`."""

    def __init__(self, message: str, *, fix: str, kind: str, status: int | None = None) -> None:
        super().__init__(message, fix=fix)
        self.kind = kind
        self.status = status


class CommentError(GitHubRequestError):
    """Writing the sticky comment failed: the message can still go to the summary and outputs."""

    title = "commit-polish: could not write the pull request comment"


class CommentForbidden(CommentError):
    """403 on the comment write: a fork's read-only token or no `pull-requests: write`."""

    title = "commit-polish: not allowed to comment on the pull request"


def translate(
    status: int,
    data: Any,
    headers: Mapping[str, str],
    *,
    doing: str,
    write: bool = False,
    secret: str = "",
) -> GitHubRequestError:
    """The error for one failed request; `doing` says what we were doing, in a few words."""
    said = _github_says(data)
    kind, message, fix = _explain(status, said, _lower(headers), doing=doing, write=write)
    cls = GitHubRequestError
    if write:
        cls = CommentForbidden if kind == "forbidden" else CommentError
    return cls(_scrub(message, secret), fix=_scrub(fix, secret), kind=kind, status=status)


def error_body(text: str) -> dict[str, Any]:
    """GitHub's JSON error body, or an empty one when the answer is not JSON (a proxy's page)."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def is_too_large(data: Mapping[str, Any]) -> bool:
    """The 406 GitHub gives the diff media type past 300 files or 20,000 lines."""
    errors = data.get("errors") or ()
    return any(isinstance(e, Mapping) and e.get("code") == "too_large" for e in errors)


def retry_wait(status: int, data: Any, headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds GitHub asks us to wait before the same request can succeed, for a rate limit
    (its `retry-after`, the primary limit's reset, or GitHub's advised minute); None when the
    answer is not a rate limit. `now` is the Unix time."""
    lowered = _lower(headers)
    if not (status == 429 or (status == 403 and _is_rate_limit(_github_says(data), lowered))):
        return None
    if lowered.get("retry-after", "").isdigit():
        return float(lowered["retry-after"])
    reset = lowered.get("x-ratelimit-reset", "")
    if lowered.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - now, 0.0) + 1  # the reset lands somewhere in that second
    return SECONDARY_RATE_WAIT


def unreachable(
    base_url: str, doing: str, reason: str, *, write: bool, secret: str
) -> GitHubRequestError:
    cls = CommentError if write else GitHubRequestError
    return cls(
        _scrub(f"could not reach GitHub at {base_url} while {doing}: {reason}", secret),
        fix="check `GITHUB_API_URL` (GitHub Enterprise Server uses https://HOST/api/v3) and the "
        "runner's network and proxy settings, then re-run the job",
        kind="connection",
    )


def _explain(
    status: int, said: str, headers: Mapping[str, str], *, doing: str, write: bool
) -> tuple[str, str, str]:
    """(kind, message, fix) for one status; a 403 may be a rate limit, so that comes first."""
    where = f"while {doing}"
    quoted = f": GitHub says “{said}”" if said else ""
    if status == 429 or (status == 403 and _is_rate_limit(said, headers)):
        return (
            "rate_limit",
            f"GitHub's rate limit stopped us {where}{_wait_note(headers)}",
            _RATE_FIX,
        )
    if status == 403:
        summary = f"the token may not do this (403) {where}{quoted}"
        return "forbidden", summary, _forbidden_fix(said, write)
    if status in _BY_STATUS:
        kind, summary, fix = _BY_STATUS[status]
        return kind, f"{summary} {where}{quoted}", fix
    if status >= 500:
        return (
            "server",
            f"GitHub failed ({status}) {where}, even after retries{quoted}",
            _SERVER_FIX,
        )
    return "unexpected", f"GitHub answered {status} {where}{quoted}", UNEXPECTED_FIX


def _forbidden_fix(said: str, write: bool) -> str:
    if "saml" in said.lower():
        return (
            "the organization enforces SAML single sign-on: authorize the personal access "
            "token for it (GitHub settings, Tokens, Configure SSO)"
        )
    if write:
        return (
            "give the job's token write access to pull requests, in the workflow or the job:"
            f"\n\n{PERMISSIONS_YAML}\n\n{_FORK_FIX}"
        )
    return (
        "give the job's token read access to the repository and its pull requests:\n\n"
        f"{READ_PERMISSIONS_YAML}\n\n(a fine-grained personal token needs "
        '"Contents: read" and "Pull requests: read" on this repository)'
    )


def _is_rate_limit(said: str, headers: Mapping[str, str]) -> bool:
    lowered = said.lower()
    return (
        headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
        or "rate limit" in lowered
    )


def _wait_note(headers: Mapping[str, str]) -> str:
    if "retry-after" in headers:
        return f" (GitHub asked to wait {headers['retry-after']} s)"
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        when = datetime.fromtimestamp(int(reset), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f" (no requests left until {when})"
    return ""


def _github_says(data: Any) -> str:
    """GitHub's own message, with the details of a 422 (e.g. `body is too long ...`)."""
    if not isinstance(data, Mapping):
        return ""
    message = str(data.get("message") or "")
    details = [
        str(e.get("message") or e.get("code") or "")
        for e in data.get("errors") or ()
        if isinstance(e, Mapping)
    ]
    details = [d for d in details if d]
    return f"{message} ({'; '.join(details)})" if details else message


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _scrub(text: str, secret: str) -> str:
    """GitHub's answers never echo a token, but a message must not carry one even then."""
    if secret:
        text = text.replace(secret, "***")
    return _SECRET_SHAPE.sub("***", text)

"""Full GitHub REST objects for the stand-in, built from the examples in GitHub's own REST
description (`tests/fixtures/github/rest-api-subset.json`), so each answer has GitHub's shape.

The records a test fills in (`StubPR`, `StubFile`, `StubCommit`) live here too.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.support.paths import FIXTURES

SPEC = FIXTURES / "github" / "rest-api-subset.json"
HTML = "https://github.com"
_EXAMPLE_API = "https://api.github.com"
_EXAMPLE_REPO = "octocat/Hello-World"
_EXAMPLE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
_EPOCH = "2026-11-20T09:00:00Z"
DOCS = "https://docs.github.com/rest"


@dataclass
class StubCommit:
    message: str
    name: str
    email: str
    login: str | None = None
    """The GitHub account git's author address is linked to: None for an unlinked address
    (GitHub answers `null`), "" for the `{}` GitHub's description also allows."""
    sha: str = ""

    def __post_init__(self) -> None:
        self.sha = self.sha or sha_of(f"{self.email}:{self.message}")


@dataclass
class StubFile:
    filename: str
    status: str = "modified"
    patch: str | None = None
    additions: int = 0
    deletions: int = 0
    previous_filename: str | None = None


@dataclass
class AutoMerge:
    """A pull request's auto-merge request, as `enablePullRequestAutoMerge` stored it."""

    enabled_by: str
    merge_method: str
    """Lower-case, as the REST answer spells it: `merge`, `squash` or `rebase`."""
    commit_title: str
    commit_message: str
    enabled_at: str = _EPOCH


@dataclass
class StubRepo:
    """A repository's merge settings; a repository the stub is not told about has these
    defaults."""

    name: str
    allow_auto_merge: bool = True
    """GitHub's "Allow auto-merge" setting (off on a new repository; on here, so that tests
    of auto-merge need not say so)."""
    allow_squash_merge: bool = True
    allow_merge_commit: bool = True
    allow_rebase_merge: bool = True
    merge_queue_branches: tuple[str, ...] = ()
    """The branches whose ruleset requires a merge queue."""
    default_branch: str = "main"


@dataclass
class StubPR:
    repo: str
    number: int
    title: str
    author: str
    body: str | None = None
    diff: str = ""
    """What the diff media type answers (unless the pull request is too large)."""
    files: list[StubFile] = field(default_factory=list)
    commits: list[StubCommit] = field(default_factory=list)
    head_sha: str = ""
    head_ref: str = "feature"
    base_ref: str = "main"
    draft: bool = False
    state: str = "open"
    too_large: bool | None = None
    """None: as GitHub decides, past 300 files or 20,000 changed lines."""
    squash_title: str | None = None
    """The base repository's `squash_merge_commit_title` (`PR_TITLE`, `COMMIT_OR_PR_TITLE`)
    in the payload's `base.repo`; None leaves it out, as the example does."""
    mergeable: bool | None = True
    """GitHub's `mergeable`: False for a conflict, None while GitHub is still working it out.
    A REST merge of an unmergeable pull request gets 405."""
    mergeable_state: str = "blocked"
    """GitHub's `mergeable_state`: `blocked` (waiting for required checks or reviews, so
    auto-merge can be enabled), `clean`, `unstable` or `has_hooks` (mergeable now, so
    `enablePullRequestAutoMerge` refuses), `behind`, `dirty`, `draft`, `unknown`. GraphQL's
    `mergeStateStatus` is it upper-cased. A REST merge ignores it (branch protection is not
    modelled)."""
    merged: bool = False
    merge_commit_sha: str | None = None
    merged_by: str | None = None
    merged_at: str | None = None
    auto_merge: AutoMerge | None = None

    def __post_init__(self) -> None:
        self.head_sha = self.head_sha or sha_of(f"{self.repo}#{self.number}")

    @property
    def id(self) -> int:
        return database_id(f"{self.repo}#{self.number}")

    @property
    def node_id(self) -> str:
        """GitHub's global id: `PR_` and the base64 of the msgpack array [0, repository id,
        pull request id], which is why every real one starts `PR_kwDO`."""
        packed = b"\x93\x00\xce" + database_id(self.repo).to_bytes(4, "big")
        packed += b"\xce" + self.id.to_bytes(4, "big")
        return "PR_" + base64.urlsafe_b64encode(packed).decode()

    @property
    def changed_lines(self) -> int:
        return sum(f.additions + f.deletions for f in self.files)


def sha_of(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def database_id(text: str) -> int:
    return int(sha_of(text)[:7], 16)


def noreply(login: str) -> str:
    """The address GitHub commits as a user when it writes a commit for them."""
    return f"{database_id(login)}+{login}@users.noreply.github.com"


def default_merge_message(pr: StubPR, method: str) -> tuple[str, str]:
    """GitHub's title and message for a merge that names neither: for a squash the pull
    request's title and number, then each commit's message as a list item; for a merge
    commit, "Merge pull request #N from owner/branch", then the title. (A repository may
    choose other defaults; these are GitHub's own.)"""
    if method == "merge":
        owner = pr.repo.split("/")[0]
        return f"Merge pull request #{pr.number} from {owner}/{pr.head_ref}", pr.title
    return f"{pr.title} (#{pr.number})", "\n\n".join(f"* {c.message}" for c in pr.commits)


@functools.cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


def example(name: str) -> Any:
    return copy.deepcopy(spec()["components"]["examples"][name]["value"])


def fixed_pull_request_example() -> dict[str, Any]:
    """GitHub's own pull-request example fails its schema: its requested team lacks the
    required `type` (`enterprise` or `organization`). This is the example, fixed."""
    data: dict[str, Any] = example("pull-request")
    for team in data["requested_teams"]:
        team.setdefault("type", "organization")
    return data


def _rebased(value: Any, api: str, repo: str, **more: str) -> Any:
    """The example with GitHub's URLs, repository (and any other text) swapped for ours."""
    text = json.dumps(value).replace(_EXAMPLE_API, api).replace(_EXAMPLE_REPO, repo)
    for old, new in more.items():
        text = text.replace(old, new)
    return json.loads(text)


def user(login: str, api: str) -> dict[str, Any]:
    data: dict[str, Any] = _rebased(example("issue-comment")["user"], api, "", octocat=login)
    data["id"] = database_id(login)
    data["type"] = "Bot" if login.endswith("[bot]") else "User"
    if login.endswith("[bot]"):
        data["html_url"] = f"{HTML}/apps/{login.removesuffix('[bot]')}"
    return data


def authenticated_user(login: str, api: str) -> dict[str, Any]:
    """`GET /user` for a personal token. GitHub's example lacks `user_view_type`, which the
    schema's discriminator needs and GitHub's real answer carries."""
    name = "private-user-response-with-public-and-private-profile-information"
    data: dict[str, Any] = _rebased(example(name), api, "", octocat=login)
    data.update(id=int(sha_of(login)[:7], 16), user_view_type="private")
    return data


def pull_request(pr: StubPR, api: str, repo: StubRepo | None = None) -> dict[str, Any]:
    n = str(pr.number)
    swaps = {
        "/pulls/1347": f"/pulls/{n}",
        "/issues/1347": f"/issues/{n}",
        "/pull/1347": f"/pull/{n}",
    }
    data: dict[str, Any] = _rebased(fixed_pull_request_example(), api, pr.repo, **swaps)
    data = json.loads(json.dumps(data).replace(_EXAMPLE_SHA, pr.head_sha))
    owner = pr.repo.split("/")[0]
    data.update(
        id=pr.id,
        node_id=pr.node_id,
        number=pr.number,
        title=pr.title,
        body=pr.body,
        state=pr.state,
        draft=pr.draft,
        user=user(pr.author, api),
        locked=False,
        active_lock_reason=None,
        closed_at=None if pr.state == "open" else pr.merged_at or _EPOCH,
        merged_at=pr.merged_at,
        merged=pr.merged,
        merged_by=user(pr.merged_by, api) if pr.merged_by else None,
        merge_commit_sha=pr.merge_commit_sha,
        mergeable=pr.mergeable,
        mergeable_state=pr.mergeable_state,
        auto_merge=auto_merge(pr.auto_merge, api) if pr.auto_merge else None,
        commits=len(pr.commits),
        additions=sum(f.additions for f in pr.files),
        deletions=sum(f.deletions for f in pr.files),
        changed_files=len(pr.files),
        created_at=_EPOCH,
        updated_at=_EPOCH,
    )
    data["head"].update(ref=pr.head_ref, label=f"{owner}:{pr.head_ref}", user=user(pr.author, api))
    data["base"].update(
        ref=pr.base_ref, label=f"{owner}:{pr.base_ref}", sha=sha_of(f"{pr.repo}@{pr.base_ref}")
    )
    if pr.squash_title is not None:
        data["base"]["repo"]["squash_merge_commit_title"] = pr.squash_title
    if repo is not None:
        data["base"]["repo"].update(
            allow_auto_merge=repo.allow_auto_merge,
            allow_squash_merge=repo.allow_squash_merge,
            allow_merge_commit=repo.allow_merge_commit,
            allow_rebase_merge=repo.allow_rebase_merge,
        )
    return data


def repository(settings: StubRepo, api: str, permissions: dict[str, bool]) -> dict[str, Any]:
    """`GET /repos/{owner}/{repo}`: GitHub's example with the repository's merge settings
    and the token's `permissions` (`pull`, `push`, `admin`)."""
    owner, name = settings.name.split("/")
    example_name = "full-repository-default-response"
    data: dict[str, Any] = _rebased(example(example_name), api, settings.name, octocat=owner)
    # GitHub's example fails its schema: it lacks the required `language`, and so do the
    # `parent` and `source` it carries as a fork's answer. Ours is no fork (`fork` is false
    # in the example too), so it has neither, and its language is Python.
    del data["parent"], data["source"]
    data.update(
        language="Python",
        id=database_id(settings.name),
        name=name,
        default_branch=settings.default_branch,
        permissions=permissions,
        allow_auto_merge=settings.allow_auto_merge,
        allow_squash_merge=settings.allow_squash_merge,
        allow_merge_commit=settings.allow_merge_commit,
        allow_rebase_merge=settings.allow_rebase_merge,
    )
    return data


def auto_merge(request: AutoMerge, api: str) -> dict[str, Any]:
    """The description's `auto-merge` object (its example has none: GitHub's is `null`)."""
    return {
        "enabled_by": user(request.enabled_by, api),
        "merge_method": request.merge_method,
        "commit_title": request.commit_title,
        "commit_message": request.commit_message,
    }


def commit(c: StubCommit, repo: str, api: str) -> dict[str, Any]:
    data: dict[str, Any] = _rebased(example("commit-items")[0], api, repo, **{_EXAMPLE_SHA: c.sha})
    person = {"name": c.name, "email": c.email, "date": _EPOCH}
    data["commit"].update(author=person, committer=dict(person), message=c.message)
    data["author"] = user(c.login, api) if c.login else (None if c.login is None else {})
    data["committer"] = user("web-flow", api)
    parent = sha_of(f"parent of {c.sha}")
    data["parents"] = [{"sha": parent, "url": f"{api}/repos/{repo}/commits/{parent}"}]
    return data


def full_commit(c: StubCommit, repo: str, api: str, files: list[StubFile]) -> dict[str, Any]:
    """`GET /repos/{owner}/{repo}/commits/{ref}`: a listed commit plus its stats and files."""
    data = commit(c, repo, api)
    entries = [diff_entry(f, repo, c.sha, api) for f in files]
    added, deleted = sum(f.additions for f in files), sum(f.deletions for f in files)
    data.update(stats={"additions": added, "deletions": deleted, "total": added + deleted})
    data["files"] = entries
    return data


def diff_entry(f: StubFile, repo: str, head_sha: str, api: str) -> dict[str, Any]:
    data: dict[str, Any] = _rebased(example("diff-entry-items")[0], api, repo)
    path = quote(f.filename)
    data.update(
        sha=sha_of(f.filename),
        filename=f.filename,
        status=f.status,
        additions=f.additions,
        deletions=f.deletions,
        changes=f.additions + f.deletions,
        blob_url=f"{HTML}/{repo}/blob/{head_sha}/{path}",
        raw_url=f"{HTML}/{repo}/raw/{head_sha}/{path}",
        contents_url=f"{api}/repos/{repo}/contents/{path}?ref={head_sha}",
    )
    data.pop("patch")
    if f.patch is not None:
        data["patch"] = f.patch
    if f.previous_filename is not None:
        data["previous_filename"] = f.previous_filename
    return data


def comment(
    comment_id: int, body: str, login: str, *, repo: str, number: int, api: str
) -> dict[str, Any]:
    data: dict[str, Any] = _rebased(example("issue-comment"), api, repo)
    data.update(
        id=comment_id,
        node_id=f"IC_kwDO{comment_id:010d}",
        url=f"{api}/repos/{repo}/issues/comments/{comment_id}",
        html_url=f"{HTML}/{repo}/pull/{number}#issuecomment-{comment_id}",
        body=body,
        user=user(login, api),
        issue_url=f"{api}/repos/{repo}/issues/{number}",
        author_association="NONE" if login.endswith("[bot]") else "CONTRIBUTOR",
    )
    return data


def permission(login: str, level: str, api: str) -> dict[str, Any]:
    name = "repository-collaborator-permission-response-if-user-has-admin-permissions"
    data: dict[str, Any] = example(name)
    # The REST answer folds the newer roles into the older levels; `role_name` keeps them.
    legacy = {"maintain": "write", "triage": "read"}.get(level, level)
    # GitHub's example leaves out the collaborator's `role_name` and `permissions`, which its
    # schema requires and GitHub's real answer carries.
    ladder = ["read", "triage", "write", "maintain", "admin"]
    rank = ladder.index(level) if level in ladder else -1
    flags = {"pull": 0, "triage": 1, "push": 2, "maintain": 3, "admin": 4}
    collaborator = user(login, api) | {
        "permissions": {flag: rank >= needed for flag, needed in flags.items()},
        "role_name": level,
    }
    data.update(permission=legacy, role_name=level, user=collaborator)
    return data


def error(status: int, message: str, doc: str = "", **extra: Any) -> dict[str, Any]:
    """GitHub's error body: its message, a documentation link, the status as a string."""
    return {"message": message, **extra, "documentation_url": DOCS + doc, "status": str(status)}


def too_large(pr: StubPR) -> dict[str, Any]:
    """GitHub's 406 answer to the diff media type, word for word."""
    limit = "files (300)" if len(pr.files) > 300 else "lines (20000)"
    return error(
        406,
        f"Sorry, the diff exceeded the maximum number of {limit}. Consider using 'List pull "
        "requests files' API or locally cloning the repository instead.",
        "/pulls/pulls#list-pull-requests-files",
        errors=[{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
    )

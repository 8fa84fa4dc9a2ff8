"""What GitHub tells us: the pull request an event names, the pull request as read once, and
what the sticky comment upsert did."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PullRequestRef:
    """Which pull request an event asks us to describe, and how it asked."""

    repo: str
    """`owner/name`."""
    number: int
    event: str
    """`pull_request`, `pull_request_target`, `issue_comment` or `workflow_dispatch`."""
    instructions: str = ""
    """Text after `/commit-polish` in a comment: extra instructions, never settings."""
    commenter: str | None = None
    """Login of the user whose comment asked for a run: their permission must be checked."""
    command: str = ""
    """`apply` or `merge` when the comment asks to put the message into the commit; "" asks
    for a message (see action/apply.py). `merged` for a pull request GitHub has just merged:
    its commit is compared with the last suggestion, no message is written (action/merged.py)."""
    commenter_trusted: bool = False
    """The payload alone proves the commenter may ask (`author_association` OWNER, MEMBER or
    COLLABORATOR, or the PR's author): no permission lookup is needed."""
    from_fork: bool | None = None
    """The PR's head lives in another repository (or a deleted one): the token may be read-only.
    None when the event does not say (comments, manual runs)."""


@dataclass(frozen=True, slots=True)
class Skip:
    """Why this event gets no message; the Action prints it as one notice line."""

    reason: str


@dataclass(frozen=True, slots=True)
class AutoMerge:
    """A pending GitHub auto-merge on a pull request, as the REST API reports it."""

    enabled_by: str
    """The login that enabled it: ours when this Action did."""
    method: str
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class PullRequest:
    """What GitHub tells us about the pull request, read once."""

    repo: str
    number: int
    title: str
    body: str
    author: str
    """The PR author's login."""
    head_sha: str
    base_ref: str
    draft: bool
    state: str
    html_url: str
    diff: str
    commit_messages: tuple[str, ...] = ()
    co_authors: tuple[str, ...] = ()
    """`Name <email>` of commit authors other than the PR author, as GitHub adds them."""
    history: tuple[str, ...] = ()
    """Recent subjects on the base branch, newest first."""
    files_without_patch: tuple[str, ...] = ()
    """Files the API listed without a patch (binary, too large)."""
    title_is_default: bool = False
    """The repository squashes under the PR title even for one commit
    (`squash_merge_commit_title: PR_TITLE`, when the payload says so)."""
    files_unlisted: int = 0
    """How many changed files the API did not list at all (past its 3,000-file cap)."""
    head_repo: str | None = None
    """`owner/name` of the repository the head branch lives in, as the API says; None when
    it does not say (GitHub answers `null` once a fork is deleted)."""
    node_id: str = ""
    """The GraphQL id, for the auto-merge mutations."""
    auto_merge: AutoMerge | None = None
    mergeable_state: str = ""
    """GitHub's `mergeable_state` (`clean`, `blocked`, `behind`, `dirty`, `unstable`, ...),
    "" while GitHub is still computing it."""
    merged: bool = False
    merge_commit_sha: str = ""
    """Once `merged`: the commit the merge made (for a squash, the squash commit)."""


@dataclass(frozen=True, slots=True)
class Merged:
    """What the merged check reads of a pull request besides our comment: the title and the
    commits GitHub's default message is made of, and the commit the merge made."""

    title: str
    commit_messages: tuple[str, ...]
    """Oldest first, as GitHub lists them."""
    merge_commit_sha: str
    """Empty unless the pull request was merged."""


@dataclass(frozen=True, slots=True)
class CommentResult:
    """What the sticky comment upsert did."""

    action: str
    """`created`, `updated`, `unchanged`, or `stale` when nothing was written because the pull
    request moved on from the head the comment describes (then `url` is empty)."""
    url: str
    comment_id: int

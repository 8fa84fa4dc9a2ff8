"""The sticky comment: one marked comment per pull request, created, updated or left alone.

A thread may hold copies left by a race or an older version, and two runs may post at the same
moment: each write reads the thread first, and old copies go, so the thread keeps one. A failed
write is repeated only after reading the thread and the head again (never blindly, as
retry.py explains), within the session's retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import requests
from github import GithubException
from github.Issue import Issue
from github.IssueComment import IssueComment

from commit_polish.github.errors import retry_wait
from commit_polish.github.records import CommentResult
from commit_polish.github.session import Session

__all__ = ["Thread", "upsert"]


class Thread:
    """A pull request's comments, and which of them are ours: written by one of `authors`
    (the token's own logins, lower-cased) AND recognised by `is_ours` from the body (the
    caller's exact marker line). GitHub lets a token with write access edit anyone's comment,
    so this is the only thing that keeps every edit and deletion off other people's."""

    def __init__(
        self,
        issue: Issue,
        repo: str,
        number: int,
        authors: frozenset[str],
        is_ours: Callable[[str], bool],
    ) -> None:
        self.issue, self.repo, self.number = issue, repo, number
        self.authors, self.is_ours = authors, is_ours
        self.name = f"#{number} in {repo}"

    def ours(self) -> list[IssueComment]:
        """Our comments, oldest first; every page is read again at each call."""
        found = [c for c in self.issue.get_comments() if self._is_ours(c)]
        return sorted(found, key=lambda c: c.id)

    def _is_ours(self, comment: IssueComment) -> bool:
        user = comment.user
        login = user.login.lower() if user is not None else ""
        return login in self.authors and self.is_ours(comment.body or "")


def upsert(
    session: Session,
    thread: Thread,
    body: str,
    *,
    head: str | None,
    head_of: Callable[[str], str | None] | None,
    head_now: Callable[[], str],
) -> CommentResult:
    """Create, update or leave alone our one comment in `thread` (GitHubClient.upsert_comment
    says what each argument means); `head_now` reads the pull request's head."""
    writer = _Writer(session, thread, head_of, head_now)
    doing = f"writing the commit-polish comment on #{thread.number} in {thread.repo}"
    attempt = 0
    while True:
        attempt += 1
        try:
            return writer.once(body, head)
        except (GithubException, requests.RequestException) as exc:
            wait = _write_wait(session, exc, attempt)
            if wait is None:
                raise session.error(exc, doing, write=True) from None
            session.sleep(wait)


class _Writer:
    """One attempt at the comment: a read of the thread, then at most one write."""

    def __init__(
        self,
        session: Session,
        thread: Thread,
        head_of: Callable[[str], str | None] | None,
        head_now: Callable[[], str],
    ) -> None:
        self.session, self.thread = session, thread
        self.head_of, self.head_now = head_of, head_now

    def once(self, body: str, head: str | None) -> CommentResult:
        """One read of the thread, then at most one write (and the removal of old copies)."""
        ours = self._ours()
        newest = ours[-1] if ours else None
        if newest is not None and newest.body == body:
            _delete(ours[:-1])
            return CommentResult("unchanged", newest.html_url, newest.id)
        if head is not None and self.head_now() != head:
            return CommentResult("stale", "", 0)
        if newest is None:
            return self._settle(self.thread.issue.create_comment(body), head)
        newest.edit(body)
        # Older copies (a race, an older version's bug) go, so the thread holds one.
        _delete(ours[:-1])
        return CommentResult("updated", newest.html_url, newest.id)

    def _settle(self, created: IssueComment, head: str | None) -> CommentResult:
        """Two runs that found no comment both post one: each looks again right after, and
        both keep the same one (the newest for the current head), so the thread holds one."""
        ours = self._ours()
        if all(c.id == created.id for c in ours):
            return CommentResult("created", created.html_url, created.id)
        head_of = self.head_of
        if head is None or head_of is None:
            keep: IssueComment | None = max(ours, key=lambda c: c.id)
        elif self.head_now() == head:
            keep = max((c for c in ours if head_of(c.body or "") == head), key=lambda c: c.id)
        else:
            keep = None  # ours is the stale one: the newer run's comment stays
        _delete([c for c in ours if keep is None or c.id != keep.id])
        if keep is None:
            return CommentResult("stale", "", 0)
        return CommentResult("created", keep.html_url, keep.id)

    def _ours(self) -> list[IssueComment]:
        with self.session.translated(f"reading the comments of {self.thread.name}"):
            return self.thread.ours()


def _write_wait(
    session: Session, exc: GithubException | requests.RequestException, attempt: int
) -> float | None:
    """How long to wait before reading the thread again and retrying a failed write; None
    to give up. Only a rate limit GitHub will lift soon, a 5xx or a lost connection is
    worth it, within the client's retries."""
    if attempt > session.retries:
        return None
    backoff = min(session.backoff * 2.0 ** (attempt - 1), session.max_wait)
    if isinstance(exc, requests.RequestException):
        return backoff
    limited = retry_wait(exc.status, exc.data, dict(exc.headers or {}), now=time.time())
    if limited is not None:
        return limited if limited <= session.max_wait else None
    return backoff if exc.status >= 500 else None


def _delete(comments: Iterable[IssueComment]) -> None:
    for comment in comments:
        try:
            comment.delete()
        except GithubException as exc:
            if exc.status != 404:  # another run removed it first: the goal is met
                raise

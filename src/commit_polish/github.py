"""GitHub through PyGithub, the only module that imports it: read a pull request, check a
user's permission, and keep one marked comment up to date.

Every PyGithub or transport exception is translated in `_translated` (by `github_errors`), so
callers only ever see `GitHubRequestError` and its comment-write subclasses.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Commit import Commit
from github.GithubException import IncompletableObject
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest as GhPullRequest
from github.Repository import Repository
from github.Requester import Requester
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from .coauthors import CommitAuthor, co_authors
from .github_diff import MAX_FILES, FileEntry, rebuild_diff
from .github_errors import (
    SECONDARY_RATE_WAIT,
    CommentError,
    CommentForbidden,
    GitHubRequestError,
    error_body,
    is_too_large,
    retry_wait,
    translate,
    unreachable,
)
from .records import CommentResult, PullRequest

__all__ = ["CommentError", "CommentForbidden", "GitHubClient", "GitHubRequestError"]

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
"""One value for every list call: PyGithub puts it in each URL, and recordings match on it."""
API_VERSION = "2022-11-28"
DIFF_MEDIA_TYPE = "application/vnd.github.diff"
RAW_MEDIA_TYPE = "application/vnd.github.raw"
BOT_LOGINS = frozenset({"github-actions[bot]"})
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
TIMEOUT = 30
USER_AGENT = "commit-polish"


class RetryPolicy(GithubRetry):
    """PyGithub's retry (5xx, 429, rate-limited 403s, `Retry-After`) with three changes: each
    pause is bounded by `max_wait` and taken through `sleep` (tests pass a recorder); a longer
    wait asked by GitHub gives up at once and hands its answer back; and only reads are
    repeated here. A write is never repeated blindly: while it waited, a run for a newer head
    may have posted, and a POST that failed with a 5xx may have created the comment already,
    so `upsert_comment` reads the thread and the head again before it writes again."""

    def __init__(self, *, max_wait: float, sleep: Callable[[float], None], **kwargs: Any) -> None:
        self.max_wait = max_wait
        self.sleep_fn = sleep
        kwargs.setdefault("secondary_rate_wait", min(SECONDARY_RATE_WAIT, max_wait))
        kwargs.setdefault("max_rate_limit_wait", max_wait)
        kwargs.setdefault("status_forcelist", [*range(500, 600), 429])
        kwargs.setdefault("allowed_methods", frozenset({"GET"}))
        kwargs.setdefault("raise_on_status", False)  # PyGithub then raises on the last answer
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> Self:
        kw.update(max_wait=self.max_wait, sleep=self.sleep_fn)
        return super().new(**kw)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: HTTPResponse | None = None,  # type: ignore[override]
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait > self.max_wait:
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:g} s"))  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_backoff_time(self) -> float:
        failures = len(self.history)
        return min(self.backoff_factor * 2 ** (failures - 1), self.max_wait) if failures else 0.0

    def sleep(self, response: HTTPResponse | None = None) -> None:  # type: ignore[override]
        wait = self.get_retry_after(response) if response is not None else None
        wait = self.get_backoff_time() if wait is None else wait
        if wait > 0:
            self.sleep_fn(wait)


class GitHubClient:
    """One token's view of GitHub. Reads are not throttled (a run makes about six, one
    after another); writes keep GitHub's advised second apart."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        write_interval: float = 1.0,
        bot_logins: Iterable[str] = BOT_LOGINS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise GitHubRequestError(
                "no GitHub token was given",
                fix="keep the default `github-token: ${{ github.token }}` or pass a token",
                kind="auth",
            )
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._retries, self._backoff, self._max_wait = retries, backoff, max_wait
        self._sleep = sleep
        self._bot_logins = frozenset(login.lower() for login in bot_logins)
        self._own_logins: frozenset[str] | None = None
        # PyGithub logs each refused request at INFO on its own handler: the expected 403 of
        # `GET /user` with an Actions token would read like a failure in every job log.
        logging.getLogger("github").setLevel(logging.WARNING)
        retry = RetryPolicy(total=retries, backoff_factor=backoff, max_wait=max_wait, sleep=sleep)
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=self._base_url,
            per_page=PER_PAGE,
            retry=retry,
            timeout=TIMEOUT,
            user_agent=USER_AGENT,
            seconds_between_requests=0,
            seconds_between_writes=write_interval,
            lazy=True,  # no `GET /repos/{o}/{r}` or `.../issues/{n}` just to build a URL
            api_version=API_VERSION,
        )

    def close(self) -> None:
        self._gh.close()

    def read_pull_request(self, repo: str, number: int, *, history: int = 20) -> PullRequest:
        """The pull request, its diff, commits and the base branch's recent subjects."""
        with self._translated(f"reading pull request #{number} of {repo}"):
            pr = self._repo(repo).get_pull(number)
            title, author = pr.title, pr.user.login
            diff, without_patch, unlisted = self._diff(pr)
            commits = list(pr.get_commits())
            subjects = self._history(repo, pr.base.ref, history)
        return PullRequest(
            repo=repo,
            number=number,
            title=title,
            body=pr.body or "",
            author=author,
            head_sha=pr.head.sha,
            base_ref=pr.base.ref,
            draft=bool(pr.draft),
            state=pr.state,
            html_url=pr.html_url,
            diff=diff,
            commit_messages=tuple(c.commit.message for c in commits),
            co_authors=co_authors((_commit_author(c) for c in commits), author),
            history=subjects,
            files_without_patch=without_patch,
            files_unlisted=unlisted,
        )

    def head_sha(self, repo: str, number: int) -> str:
        """The pull request's head now: a push during a slow model call moves it on."""
        with self._translated(f"reading the head of pull request #{number} of {repo}"):
            return str(self._repo(repo).get_pull(number).head.sha)

    def can_write(self, repo: str, login: str) -> bool:
        """Whether `login` may push to `repo`; an unknown user or an unreadable answer is no."""
        try:
            with self._translated(f"reading {login}'s permission on {repo}"):
                permission = self._repo(repo).get_collaborator_permission(login)
        except GitHubRequestError as exc:
            if exc.status in (403, 404):
                return False
            raise
        return permission in WRITE_PERMISSIONS

    def read_file(self, repo: str, path: str, ref: str) -> str | None:
        """A file's text on `ref` (a branch), or None when it is not there."""
        url = f"{self._repo(repo).url}/contents/{path}"
        with self._translated(f"reading {path} on {ref} of {repo}"):
            status, headers, text = self._gh.requester.requestJson(
                "GET", url, parameters={"ref": ref}, headers={"Accept": RAW_MEDIA_TYPE}
            )
            if status == 404:
                return None
            if status >= 300:
                raise Requester.createException(status, headers, error_body(text))
        return str(text)

    def upsert_comment(
        self,
        repo: str,
        number: int,
        body: str,
        *,
        is_ours: Callable[[str], bool],
        head: str | None = None,
        head_of: Callable[[str], str | None] | None = None,
    ) -> CommentResult:
        """Create, update or leave alone our one comment. Ours means: `is_ours(body)` and
        written by this token's user (or, for an Actions or App token, a bot login).

        With `head`, the head sha `body` describes, nothing is written once the pull request
        has moved on from it (`stale`): the head is read right before each write, after any
        wait, so a run for an older head never overwrites a newer run's comment. `head_of`
        reads a comment's head back, to settle two runs that posted at the same moment."""
        authors = self._authors()
        thread = _Thread(self._repo(repo).get_issue(number), repo, number, authors, is_ours)
        doing = f"writing the commit-polish comment on #{number} in {repo}"
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._upsert_once(thread, body, head, head_of)
            except (GithubException, requests.RequestException) as exc:
                wait = self._write_wait(exc, attempt)
                if wait is None:
                    raise self._write_error(exc, doing) from None
                self._sleep(wait)

    def _upsert_once(
        self,
        thread: _Thread,
        body: str,
        head: str | None,
        head_of: Callable[[str], str | None] | None,
    ) -> CommentResult:
        """One read of the thread, then at most one write (and the removal of old copies)."""
        with self._translated(f"reading the comments of {thread.name}"):
            ours = thread.ours()
        newest = ours[-1] if ours else None
        if newest is not None and newest.body == body:
            _delete(ours[:-1])
            return CommentResult("unchanged", newest.html_url, newest.id)
        if head is not None and not self._is_head(thread, head):
            return CommentResult("stale", "", 0)
        if newest is None:
            return self._settle(thread, thread.issue.create_comment(body), head, head_of)
        newest.edit(body)
        # Older copies (a race, an older version's bug) go, so the thread holds one.
        _delete(ours[:-1])
        return CommentResult("updated", newest.html_url, newest.id)

    def _settle(
        self,
        thread: _Thread,
        created: IssueComment,
        head: str | None,
        head_of: Callable[[str], str | None] | None,
    ) -> CommentResult:
        """Two runs that found no comment both post one: each looks again right after, and
        both keep the same one (the newest for the current head), so the thread holds one."""
        with self._translated(f"reading the comments of {thread.name}"):
            ours = thread.ours()
        if all(c.id == created.id for c in ours):
            return CommentResult("created", created.html_url, created.id)
        if head is None or head_of is None:
            keep: IssueComment | None = max(ours, key=lambda c: c.id)
        elif self._is_head(thread, head):
            keep = max((c for c in ours if head_of(c.body or "") == head), key=lambda c: c.id)
        else:
            keep = None  # ours is the stale one: the newer run's comment stays
        _delete([c for c in ours if keep is None or c.id != keep.id])
        if keep is None:
            return CommentResult("stale", "", 0)
        return CommentResult("created", keep.html_url, keep.id)

    def _is_head(self, thread: _Thread, head: str) -> bool:
        return self.head_sha(thread.repo, thread.number) == head

    def _write_wait(
        self, exc: GithubException | requests.RequestException, attempt: int
    ) -> float | None:
        """How long to wait before reading the thread again and retrying a failed write; None
        to give up. Only a rate limit GitHub will lift soon, a 5xx or a lost connection is
        worth it, within the client's retries."""
        if attempt > self._retries:
            return None
        backoff = min(self._backoff * 2.0 ** (attempt - 1), self._max_wait)
        if isinstance(exc, requests.RequestException):
            return backoff
        limited = retry_wait(exc.status, exc.data, dict(exc.headers or {}), now=time.time())
        if limited is not None:
            return limited if limited <= self._max_wait else None
        return backoff if exc.status >= 500 else None

    def _write_error(
        self, exc: GithubException | requests.RequestException, doing: str
    ) -> GitHubRequestError:
        if isinstance(exc, GithubException):
            headers = dict(exc.headers or {})
            return translate(
                exc.status, exc.data, headers, doing=doing, write=True, secret=self._token
            )
        reason = f"{type(exc).__name__}: {exc}"
        return unreachable(self._base_url, doing, reason, write=True, secret=self._token)

    def _repo(self, full_name: str) -> Repository:
        return self._gh.get_repo(full_name)

    def _diff(self, pr: GhPullRequest) -> tuple[str, tuple[str, ...], int]:
        """(diff text, files without a patch, files past the API's cap)."""
        requester = self._gh.requester
        status, headers, text = requester.requestJson(
            "GET", pr.url, headers={"Accept": DIFF_MEDIA_TYPE}
        )
        if status < 300:
            return text, (), 0
        data = error_body(text)
        if status == 406 and is_too_large(data):
            return self._diff_from_files(pr)
        raise Requester.createException(status, headers, data)

    def _diff_from_files(self, pr: GhPullRequest) -> tuple[str, tuple[str, ...], int]:
        entries = [
            FileEntry(f.filename, f.status, f.patch, f.previous_filename, f.changes)
            for f in itertools.islice(pr.get_files(), MAX_FILES)
        ]
        text, without_patch = rebuild_diff(entries)
        return text, without_patch, max(pr.changed_files - len(entries), 0)

    def _history(self, repo: str, base_ref: str, count: int) -> tuple[str, ...]:
        if count <= 0:
            return ()
        params = {"sha": base_ref, "per_page": min(count, PER_PAGE)}
        try:
            _, data = self._gh.requester.requestJsonAndCheck(
                "GET", f"{self._repo(repo).url}/commits", parameters=params
            )
        except GithubException as exc:
            # The style hint is optional: a gone branch or an empty repository is no reason
            # to fail the run; anything else (auth, rate limit) is.
            if exc.status in (404, 409, 422):
                return ()
            raise
        messages = (item["commit"]["message"] for item in data[:count])
        return tuple(m.strip().split("\n", 1)[0].strip() for m in messages)

    def _authors(self) -> frozenset[str]:
        """Our login: `GET /user` answers for a personal token; an Actions or App token gets
        403 there, and then its comments are those of the configured bot logins."""
        if self._own_logins is None:
            try:
                with self._translated("asking GitHub who the token belongs to"):
                    self._own_logins = frozenset({self._gh.get_user().login.lower()})
            except GitHubRequestError as exc:
                if exc.status not in (403, 404):
                    raise
                self._own_logins = self._bot_logins
        return self._own_logins

    @contextmanager
    def _translated(self, doing: str, *, write: bool = False) -> Iterator[None]:
        """The one place where PyGithub's and the transport's exceptions become ours."""
        try:
            yield
        except GithubException as exc:
            headers = dict(exc.headers or {})
            raise translate(
                exc.status, exc.data, headers, doing=doing, write=write, secret=self._token
            ) from None
        except requests.RequestException as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise unreachable(
                self._base_url, doing, reason, write=write, secret=self._token
            ) from None


class _Thread:
    """A pull request's comments, and which of them are ours."""

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


def _delete(comments: Iterable[IssueComment]) -> None:
    for comment in comments:
        try:
            comment.delete()
        except GithubException as exc:
            if exc.status != 404:  # another run removed it first: the goal is met
                raise


def _commit_author(commit: Commit) -> CommitAuthor:
    git_author, account = commit.commit.author, commit.author
    login, bot = None, False
    # `{}` instead of null: GitHub's description allows it for "no account"; PyGithub then
    # cannot complete the user object.
    with contextlib.suppress(IncompletableObject):
        if account is not None:
            login, bot = account.login, account.type == "Bot"
    return CommitAuthor(git_author.name or "", git_author.email or "", login, bot)

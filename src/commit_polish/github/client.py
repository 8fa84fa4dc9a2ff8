"""GitHubClient, the one object the Action talks to: read a pull request, its head, a user's
permission and a file, and keep one marked comment up to date (through comments.py).

PyGithub is imported only inside this package; every PyGithub or transport exception is
translated by the session (session.py, with the table in errors.py), so callers only ever see
`GitHubRequestError` and its comment-write subclasses.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterable

from github import GithubException
from github.Commit import Commit
from github.GithubException import IncompletableObject
from github.PullRequest import PullRequest as GhPullRequest
from github.Requester import Requester

from commit_polish.github import comments
from commit_polish.github.coauthors import CommitAuthor, co_authors
from commit_polish.github.diff import MAX_FILES, FileEntry, rebuild_diff
from commit_polish.github.errors import (
    CommentError,
    CommentForbidden,
    GitHubRequestError,
    error_body,
    is_too_large,
)
from commit_polish.github.history import PathHistory
from commit_polish.github.merge import Merges
from commit_polish.github.records import AutoMerge, CommentResult, Merged, PullRequest
from commit_polish.github.session import PER_PAGE, Session
from commit_polish.records import PathCommit

__all__ = ["CommentError", "CommentForbidden", "GitHubClient", "GitHubRequestError"]

DEFAULT_API_URL = "https://api.github.com"
DIFF_MEDIA_TYPE = "application/vnd.github.diff"
RAW_MEDIA_TYPE = "application/vnd.github.raw"
BOT_LOGINS = frozenset({"github-actions[bot]"})
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})


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
        self._bot_logins = frozenset(login.lower() for login in bot_logins)
        self._own_logins: frozenset[str] | None = None
        self._session = Session(
            token,
            base_url=base_url,
            retries=retries,
            backoff=backoff,
            max_wait=max_wait,
            write_interval=write_interval,
            sleep=sleep,
        )
        self._paths = PathHistory(self._session)  # one per run: its answers are cached
        self.merges = Merges(self._session)

    def close(self) -> None:
        self._session.close()

    def read_pull_request(self, repo: str, number: int, *, history: int = 20) -> PullRequest:
        """The pull request, its diff, commits and the base branch's recent subjects."""
        with self._session.translated(f"reading pull request #{number} of {repo}"):
            pr = self._session.repo(repo).get_pull(number)
            title, author = pr.title, pr.user.login
            head_repo = pr.head.repo.full_name if pr.head.repo is not None else None
            # In the payload already: asking the repository for it would cost another call.
            base_repo = pr.raw_data.get("base", {}).get("repo") or {}
            title_is_default = base_repo.get("squash_merge_commit_title") == "PR_TITLE"
            auto_merge = _auto_merge(pr.raw_data.get("auto_merge"))
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
            head_repo=head_repo,
            title_is_default=title_is_default,
            node_id=pr.node_id,
            auto_merge=auto_merge,
            mergeable_state=str(pr.raw_data.get("mergeable_state") or ""),
            merged=pr.raw_data.get("merged") is True,
            merge_commit_sha=str(pr.raw_data.get("merge_commit_sha") or ""),
        )

    def path_history(
        self,
        repo: str,
        base_ref: str,
        changes: Iterable[tuple[str, int]],
        *,
        on_drop: Callable[[str], None] | None = None,
    ) -> tuple[PathCommit, ...]:
        """The base branch's last commits that touched the most changed files (`history`):
        what `suggest --range` reads through git. () when GitHub refuses, with `on_drop`."""
        return self._paths.read(repo, base_ref, changes, on_drop=on_drop)

    def head_sha(self, repo: str, number: int) -> str:
        """The pull request's head now: a push during a slow model call moves it on."""
        with self._session.translated(f"reading the head of pull request #{number} of {repo}"):
            return str(self._session.repo(repo).get_pull(number).head.sha)

    def can_write(self, repo: str, login: str) -> bool:
        """Whether `login` may push to `repo`; an unknown user or an unreadable answer is no."""
        try:
            with self._session.translated(f"reading {login}'s permission on {repo}"):
                permission = self._session.repo(repo).get_collaborator_permission(login)
        except GitHubRequestError as exc:
            if exc.status in (403, 404):
                return False
            raise
        return permission in WRITE_PERMISSIONS

    def read_file(self, repo: str, path: str, ref: str) -> str | None:
        """A file's text at `ref` (a branch, or a commit's sha to read exactly the commit a
        run describes), or None when it is not there."""
        url = f"{self._session.repo(repo).url}/contents/{path}"
        with self._session.translated(f"reading {path} on {ref} of {repo}"):
            status, headers, text = self._session.requester.requestJson(
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
        authors = self.own_logins()
        issue = self._session.repo(repo).get_issue(number)
        thread = comments.Thread(issue, repo, number, authors, is_ours)
        return comments.upsert(
            self._session,
            thread,
            body,
            head=head,
            head_of=head_of,
            head_now=lambda: self.head_sha(repo, number),
        )

    def own_comments(
        self, repo: str, number: int, *, is_ours: Callable[[str], bool]
    ) -> tuple[str, ...]:
        """The bodies of our comments, oldest first, found as `upsert_comment` finds them:
        `is_ours(body)` and written by this token's user (or a bot login)."""
        return self.comments_by(repo, number, self.own_logins(), is_ours=is_ours)

    def comments_by(
        self,
        repo: str,
        number: int,
        authors: Iterable[str],
        *,
        is_ours: Callable[[str], bool],
    ) -> tuple[str, ...]:
        """The bodies of the comments one of `authors` wrote and `is_ours(body)` recognises,
        oldest first: what a run whose token writes as one of `authors` finds as its own,
        read with any token (`eval --kept` reads the Action's comments with a person's)."""
        issue = self._session.repo(repo).get_issue(number)
        logins = frozenset(login.lower() for login in authors)
        thread = comments.Thread(issue, repo, number, logins, is_ours)
        with self._session.translated(f"reading the comments of {thread.name}"):
            return tuple(c.body or "" for c in thread.ours())

    def read_merged(self, repo: str, number: int) -> Merged:
        """What the merged check compares with besides our comment (records.Merged)."""
        with self._session.translated(f"reading pull request #{number} of {repo}"):
            pr = self._session.repo(repo).get_pull(number)
            title = pr.title
            merged = pr.raw_data.get("merged") is True
            sha = str(pr.raw_data.get("merge_commit_sha") or "") if merged else ""
            commits = tuple(c.commit.message for c in pr.get_commits())
        return Merged(title, commits, sha)

    def _diff(self, pr: GhPullRequest) -> tuple[str, tuple[str, ...], int]:
        """(diff text, files without a patch, files past the API's cap)."""
        status, headers, text = self._session.requester.requestJson(
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
            _, data = self._session.requester.requestJsonAndCheck(
                "GET", f"{self._session.repo(repo).url}/commits", parameters=params
            )
        except GithubException as exc:
            # The style hint is optional: a gone branch or an empty repository is no reason
            # to fail the run; anything else (auth, rate limit) is.
            if exc.status in (404, 409, 422):
                return ()
            raise
        messages = (item["commit"]["message"] for item in data[:count])
        return tuple(m.strip().split("\n", 1)[0].strip() for m in messages)

    def own_logins(self) -> frozenset[str]:
        """Our login: `GET /user` answers for a personal token; an Actions or App token gets
        403 there, and then its comments are those of the configured bot logins."""
        if self._own_logins is None:
            try:
                with self._session.translated("asking GitHub who the token belongs to"):
                    self._own_logins = frozenset({self._session.gh.get_user().login.lower()})
            except GitHubRequestError as exc:
                if exc.status not in (403, 404):
                    raise
                self._own_logins = self._bot_logins
        return self._own_logins


def _auto_merge(data: object) -> AutoMerge | None:
    """The payload's `auto_merge` object; None when off (GitHub sends `null`)."""
    if not isinstance(data, dict):
        return None
    enabled_by = data.get("enabled_by") or {}
    return AutoMerge(
        enabled_by=str(enabled_by.get("login") or ""),
        method=str(data.get("merge_method") or ""),
        title=str(data.get("commit_title") or ""),
        message=str(data.get("commit_message") or ""),
    )


def _commit_author(commit: Commit) -> CommitAuthor:
    git_author, account = commit.commit.author, commit.author
    login, bot = None, False
    # `{}` instead of null: GitHub's description allows it for "no account"; PyGithub then
    # cannot complete the user object.
    with contextlib.suppress(IncompletableObject):
        if account is not None:
            login, bot = account.login, account.type == "Bot"
    return CommitAuthor(git_author.name or "", git_author.email or "", login, bot)

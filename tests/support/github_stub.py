"""A local stand-in for the GitHub REST endpoints commit-polish uses, with GitHub's shapes.

    with GitHubStub(prs=[StubPR("o/r", 7, "Add retries", "alice", diff=...)]) as stub:
        client = GitHubClient("ghs_...", base_url=stub.url)
        stub.fail_next("GET", "/repos/o/r/pulls/7", 502)     # one 502, then the real answer
        stub.secondary_rate_limit("POST", "/repos/o/r/issues/7/comments", retry_after=1)
        held = stub.hold_next("GET", "/user")                # the next GET /user waits ...
        held.release.set()                                   # ... until the test lets it go
        stub.comments("o/r", 7)                              # what the thread holds now
        stub.writes                                          # every write, mutations too
        stub.push("o/r", 7)                                  # a new head commit
        stub.complete_auto_merge("o/r", 7)                   # checks passed: GitHub merges
        stub.graphql_documents                               # every GraphQL document sent

`POST /graphql` (`/api/graphql` under a GHES-style `/api/v3` prefix) executes each document
against GitHub's real schema (`github_graphql`), with `enablePullRequestAutoMerge` and
`disablePullRequestAutoMerge` changing the pull requests here.

It listens on a FIXED port (18765 unless told otherwise): PyGithub follows the absolute URLs in
its answers and refuses any whose host or port differs from its base URL, so recordings only
replay against the same address. Pass `port=0` for a free port when nothing is recorded.
Its state (comments above all) lives in memory, so two runs against one stub see each other.
It changes the `StubPR`s it is given (a merge, an edit, a push, auto-merge): give each stub
its own (`dataclasses.replace(pr)`), as `github_world.world()` does.
It serves on `local_http.LocalServer`; `handle` answers a request without the server too.
`python -m tests.support.github_stub` serves a demo pull request until interrupted.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support import github_graphql, github_http, github_routes, local_http
from tests.support import github_payloads as payloads
from tests.support.github_http import Comment, Reply
from tests.support.github_payloads import AutoMerge, StubCommit, StubFile, StubPR, StubRepo

__all__ = [
    "DEFAULT_PORT",
    "AutoMerge",
    "Comment",
    "Hold",
    "GitHubStub",
    "Reply",
    "StubCommit",
    "StubFile",
    "StubPR",
    "StubRepo",
]

DEFAULT_PORT = 18765
ACTIONS_BOT = "github-actions[bot]"
RATE_RESET = 4102444800
"""x-ratelimit-reset in every answer (2100-01-01), so a primary limit never looks near."""
_START = datetime(2026, 11, 20, 10, tzinfo=UTC)


@dataclass
class _Fault:
    method: str
    path: str
    reply: Reply
    times: int


@dataclass
class Hold:
    """One request held before it is answered: `arrived` is set when it comes in, and it is
    answered (from the state at that moment) once the test sets `release`."""

    method: str
    path: str
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class GitHubStub(local_http.LocalServer):
    """GitHub's pull request, commits, files, comments and permission endpoints, in memory.

    `user` is the token's login for `GET /user`; None behaves like an Actions token (403 there,
    comments written as github-actions[bot]). `read_only` makes every write a 403, as for a
    fork's token (for a GraphQL mutation, GitHub's FORBIDDEN). `permissions` maps a login to
    its role (`admin`, `maintain`, `write`, `triage`, `read`, `none`); other logins get 404
    like a user who does not exist. `files_cap` is the files API's listing limit (GitHub's is
    3,000). `files_at` maps (repo, ref, path) to a file's text for the contents API. `repos`
    holds repositories' merge settings (`StubRepo`); others have the defaults."""

    software = "github.com"
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")

    def __init__(
        self,
        *,
        prs: Iterable[StubPR] = (),
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        prefix: str = "",
        token: str | None = None,
        user: str | None = None,
        read_only: bool = False,
        permissions: Mapping[str, str] | None = None,
        history: Mapping[tuple[str, str], list[StubCommit]] | None = None,
        files_cap: int = 3000,
        files_at: Mapping[tuple[str, str, str], str] | None = None,
        repos: Iterable[StubRepo] = (),
    ) -> None:
        super().__init__(host=host, port=port)
        self.prs = {(pr.repo, pr.number): pr for pr in prs}
        self.prefix = prefix.rstrip("/")
        self.token, self.user, self.read_only = token, user, read_only
        self.permissions = dict(permissions or {})
        self.history = dict(history or {})
        self.files_cap = files_cap
        self.files_at = dict(files_at or {})
        self.repos = {repo.name: repo for repo in repos}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.writes: list[tuple[str, str, bytes]] = []
        """(method, path and query, body) of every request that may change something, in
        order: each REST POST, PUT, PATCH and DELETE, and each GraphQL mutation (a GraphQL
        query is a read, though POSTed)."""
        self.graphql_documents: list[str] = []
        """Every GraphQL document received, valid or not, in order."""
        self.answered: list[tuple[str, str, bytes, Reply]] = []
        """(method, path and query, body, reply) of every request, in order: what the
        schema test checks against GitHub's description."""
        self._holds: list[Hold] = []
        self.threads: dict[tuple[str, int], list[Comment]] = {}
        """The comments of each (repo, number), oldest first."""
        self._faults: list[_Fault] = []
        self._next_id = 2_400_000_001
        self._clock = 0
        # Reentrant: handlers run under the lock and call the public helpers below.
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        return self.origin + self.prefix

    @property
    def graphql_path(self) -> str:
        """Where PyGithub sends GraphQL for this base URL: `/graphql`, or `/api/graphql`
        under `/api/v3` (`Requester.get_graphql_prefix`)."""
        return self.prefix.removesuffix("/v3") + "/graphql"

    # -- state a test sets or reads ---------------------------------------------------------

    @property
    def writer(self) -> str:
        """Who this token's writes are attributed to."""
        return self.user or ACTIONS_BOT

    @property
    def viewer_permission(self) -> str:
        """GraphQL's `viewerPermission`: READ for a read-only token, else the user's role
        (upper-case) when `permissions` names it, else WRITE (an Actions token's)."""
        if self.read_only:
            return "READ"
        role = self.permissions.get(self.user or "", "write")
        return "READ" if role == "none" else role.upper()

    @property
    def may_write(self) -> bool:
        """Whether this token may merge, edit a pull request or set its auto-merge."""
        return self.viewer_permission in {"WRITE", "MAINTAIN", "ADMIN"}

    def repo(self, name: str) -> StubRepo:
        """A repository's merge settings, created with the defaults on first use, so a test
        may change them: `stub.repo("o/r").allow_auto_merge = False`."""
        with self._lock:
            return self.repos.setdefault(name, StubRepo(name))

    def knows_repo(self, name: str) -> bool:
        """Whether `name` exists here: it has a pull request, history or settings."""
        return (
            name in self.repos
            or any(repo == name for repo, _ in self.prs)
            or any(repo == name for repo, _ in self.history)
        )

    def find_commit(self, repo: str, ref: str) -> tuple[StubCommit, list[StubFile]] | None:
        """A commit by sha, or a branch's newest commit, with the files it changed where the
        stub knows them (a squash commit's are its pull request's)."""
        with self._lock:
            newest = self.history.get((repo, ref.removeprefix("heads/")))
            if newest:
                ref = newest[0].sha
            for pr in self.prs.values():
                if pr.repo != repo:
                    continue
                if pr.merge_commit_sha == ref:
                    squash = self._history_commit(repo, ref)
                    if squash is not None:
                        return squash, pr.files
                for c in pr.commits:
                    if c.sha == ref:
                        return c, []
            found = self._history_commit(repo, ref)
            return None if found is None else (found, [])

    def _history_commit(self, repo: str, sha: str) -> StubCommit | None:
        for (name, _), commits in self.history.items():
            for c in commits if name == repo else ():
                if c.sha == sha:
                    return c
        return None

    def push(self, repo: str, number: int, sha: str | None = None, *, writer: bool = True) -> str:
        """A new commit on the pull request's branch; returns its sha. GitHub keeps an
        auto-merge request across a push by someone with write access and drops it for
        anyone else (`writer=False`)."""
        with self._lock:
            pr = self.prs[(repo, number)]
            new = sha or payloads.sha_of(f"push onto {pr.head_sha}")
            pushed = StubCommit(
                f"Update {pr.head_ref}", pr.author, payloads.noreply(pr.author), pr.author, new
            )
            # A new list: the old one may be shared with other stubs' pull requests.
            pr.commits = [*pr.commits, pushed]
            pr.head_sha = new
            if not writer:
                pr.auto_merge = None
            return new

    def merge(
        self,
        repo: str,
        number: int,
        *,
        title: str | None = None,
        message: str | None = None,
        method: str = "merge",
        by: str | None = None,
    ) -> str:
        """Merge now, whatever the pull request's state, as GitHub does once it has decided
        to; returns the new commit's sha, which heads the base branch's history. A title or
        message left out is GitHub's default; an empty message leaves the title alone.
        (A rebase is modelled as one commit too.)"""
        with self._lock:
            pr = self.prs[(repo, number)]
            default_title, default_message = payloads.default_merge_message(pr, method)
            title = default_title if title is None else title
            message = default_message if message is None else message
            text = f"{title}\n\n{message}" if message else title
            sha = payloads.sha_of(f"{method} of {repo}#{number} at {pr.head_sha}")
            made = StubCommit(text, pr.author, payloads.noreply(pr.author), pr.author, sha)
            branch = (repo, pr.base_ref)
            # A new list: the old one may be shared with other stubs.
            self.history[branch] = [made, *self.history.get(branch, [])]
            pr.state, pr.merged, pr.merge_commit_sha = "closed", True, sha
            pr.merged_by, pr.merged_at = by or self.writer, self.tick()
            return sha

    def complete_auto_merge(self, repo: str, number: int) -> str:
        """What GitHub does once the checks pass: merge with the auto-merge request's method,
        title and message, as the user who enabled it. Returns the merge commit's sha."""
        with self._lock:
            pr = self.prs[(repo, number)]
            request = pr.auto_merge
            if request is None or pr.state != "open":
                raise ValueError(f"{repo}#{number} has no auto-merge request to complete")
            return self.merge(
                repo,
                number,
                title=request.commit_title,
                message=request.commit_message,
                method=request.merge_method,
                by=request.enabled_by,
            )

    def tick(self) -> str:
        """The stub's clock: one minute later at each call, so recordings are stable."""
        with self._lock:
            self._clock += 1
            return (_START + timedelta(minutes=self._clock)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_comment(self, repo: str, number: int, body: str, login: str) -> Comment:
        """A comment by anyone, as if posted on the web page."""
        with self._lock:
            stamp = self.tick()
            made = Comment(self._next_id, body, login, stamp, stamp)
            self._next_id += 1
            self.threads.setdefault((repo, number), []).append(made)
            return made

    def comments(self, repo: str, number: int) -> list[Comment]:
        with self._lock:
            return list(self.threads.get((repo, number), []))

    def remove_comment(self, comment_id: int) -> None:
        """What a user deleting the comment on the web page does."""
        with self._lock:
            for thread in self.threads.values():
                thread[:] = [c for c in thread if c.id != comment_id]

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        *,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests to `method path` (no query) with `status`;
        the body defaults to GitHub's own error body for that status."""
        if body is None:
            body = github_http.fault_body(status)
        reply = Reply(status, body, dict(headers or {}))
        with self._lock:
            self._faults.append(_Fault(method.upper(), self._full(path), reply, times))

    def secondary_rate_limit(self, method: str, path: str, *, retry_after: int = 1) -> None:
        """GitHub's secondary rate limit: 403, its message, `retry-after`, no quota left."""
        headers = {"retry-after": str(retry_after), "x-ratelimit-remaining": "0"}
        self.fail_next(method, path, 403, body=github_http.secondary_limit_body(), headers=headers)

    def primary_rate_limit(self, method: str, path: str, *, reset: int = RATE_RESET) -> None:
        """GitHub's primary rate limit: 403, no requests left until `reset` (Unix time)."""
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        self.fail_next(method, path, 403, body=github_http.primary_limit_body(), headers=headers)

    def hold_next(self, method: str, path: str) -> Hold:
        """Hold the next `method path` (no query) until the test releases it; two runs are
        ordered this way. Held outside the lock, so other requests go on meanwhile."""
        hold = Hold(method.upper(), self._full(path))
        with self._lock:
            self._holds.append(hold)
        return hold

    def _full(self, path: str) -> str:
        """The path as requested: `/graphql` is not under a GHES-style prefix."""
        return self.graphql_path if path == "/graphql" else self.prefix + path

    # -- request handling (`handle` is also callable without a server) -----------------------

    def respond(self, request: local_http.Request) -> local_http.Response:
        reply = self.handle(request.method, request.path, request.headers, request.body)
        data, content_type = github_http.encode(reply)
        headers = github_http.standard_headers(self, reply, content_type)
        return local_http.Response(reply.status, list(headers.items()), data)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        self._wait_if_held(method, target.split("?", 1)[0])
        with self._lock:
            reply = self._answer(method, target, headers, body)
            self.answered.append((method, target, body, reply))
            return reply

    def _answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Called with the lock held."""
        self.requests.append((method, target, dict(headers)))
        path = target.split("?", 1)[0]
        graphql = path == self.graphql_path
        if method != "GET" and (not graphql or github_graphql.is_mutation(body)):
            self.writes.append((method, target, body))
        fault = self._take_fault(method, path)
        if fault is not None:
            return fault
        if graphql:
            return github_routes.route(self, method, "/graphql", headers, body)
        if not path.startswith(self.prefix):
            return Reply(404, github_http.not_found())
        return github_routes.route(self, method, target[len(self.prefix) :], headers, body)

    def _wait_if_held(self, method: str, path: str) -> None:
        with self._lock:
            hold = next((h for h in self._holds if (h.method, h.path) == (method, path)), None)
            if hold is not None:
                self._holds.remove(hold)
        if hold is not None:
            hold.arrived.set()
            if not hold.release.wait(timeout=60):
                raise TimeoutError(f"{method} {path} was held and never released")

    def _take_fault(self, method: str, path: str) -> Reply | None:
        for fault in self._faults:
            if fault.method == method and fault.path == path:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault.reply
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    from tests.support.github_world import demo  # it imports this module

    stub = demo()
    stub.host, stub.port = args.host, args.port
    with stub:
        print(stub.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()

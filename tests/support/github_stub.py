"""A local stand-in for the GitHub REST endpoints commit-polish uses, with GitHub's shapes.

    with GitHubStub(prs=[StubPR("o/r", 7, "Add retries", "alice", diff=...)]) as stub:
        client = GitHubClient("ghs_...", base_url=stub.url)
        stub.fail_next("GET", "/repos/o/r/pulls/7", 502)     # one 502, then the real answer
        stub.secondary_rate_limit("POST", "/repos/o/r/issues/7/comments", retry_after=1)
        held = stub.hold_next("GET", "/user")                # the next GET /user waits ...
        held.release.set()                                   # ... until the test lets it go
        stub.comments("o/r", 7)                              # what the thread holds now
        stub.writes                                          # every POST, PATCH and DELETE

It listens on a FIXED port (18765 unless told otherwise): PyGithub follows the absolute URLs in
its answers and refuses any whose host or port differs from its base URL, so recordings only
replay against the same address. Pass `port=0` for a free port when nothing is recorded.
Its state (comments above all) lives in memory, so two runs against one stub see each other.
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

from tests.support import github_http, github_routes, local_http
from tests.support.github_http import Comment, Reply
from tests.support.github_payloads import StubCommit, StubFile, StubPR

__all__ = [
    "DEFAULT_PORT",
    "Comment",
    "Hold",
    "GitHubStub",
    "Reply",
    "StubCommit",
    "StubFile",
    "StubPR",
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
    fork's token. `permissions` maps a login to its role (`admin`, `maintain`, `write`,
    `triage`, `read`, `none`); other logins get 404 like a user who does not exist.
    `files_cap` is the files API's listing limit (GitHub's is 3,000). `files_at` maps
    (repo, ref, path) to a file's text for the contents API."""

    software = "github.com"

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
    ) -> None:
        super().__init__(host=host, port=port)
        self.prs = {(pr.repo, pr.number): pr for pr in prs}
        self.prefix = prefix.rstrip("/")
        self.token, self.user, self.read_only = token, user, read_only
        self.permissions = dict(permissions or {})
        self.history = dict(history or {})
        self.files_cap = files_cap
        self.files_at = dict(files_at or {})
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.writes: list[tuple[str, str, bytes]] = []
        """(method, path and query, body) of every request that is not a GET, in order."""
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

    # -- state a test sets or reads ---------------------------------------------------------

    @property
    def writer(self) -> str:
        """Who this token's writes are attributed to."""
        return self.user or ACTIONS_BOT

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
            self._faults.append(_Fault(method.upper(), self.prefix + path, reply, times))

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
        hold = Hold(method.upper(), self.prefix + path)
        with self._lock:
            self._holds.append(hold)
        return hold

    # -- request handling (`handle` is also callable without a server) -----------------------

    def respond(self, request: local_http.Request) -> local_http.Response:
        reply = self.handle(request.method, request.path, request.headers, request.body)
        data, content_type = github_http.encode(reply)
        headers = github_http.standard_headers(self, reply, content_type)
        return local_http.Response(reply.status, list(headers.items()), data)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        self._wait_if_held(method, target.split("?", 1)[0])
        with self._lock:
            self.requests.append((method, target, dict(headers)))
            if method != "GET":
                self.writes.append((method, target, body))
            path = target.split("?", 1)[0]
            fault = self._take_fault(method, path)
            if fault is not None:
                return fault
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

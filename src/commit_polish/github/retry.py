"""How reads are retried: PyGithub's retry policy (a urllib3 `Retry`), bounded in its waits.

Writes are never repeated here; comments.py repeats a failed write only after reading the
thread and the head again.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from github import GithubRetry
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from commit_polish.github.errors import SECONDARY_RATE_WAIT

__all__ = ["RetryPolicy"]


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

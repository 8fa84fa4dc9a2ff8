"""One token's connection to GitHub: PyGithub's `Github` built once (retry policy, timeout,
write pacing, API version), and the one place where PyGithub's and the transport's
exceptions become ours, through the table in errors.py.

client.py (reads) and comments.py (the sticky comment) both work through a `Session`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
from github import Auth, Github, GithubException
from github.Repository import Repository
from github.Requester import Requester

from commit_polish.github.errors import GitHubRequestError, translate, unreachable
from commit_polish.github.retry import RetryPolicy

__all__ = ["PER_PAGE", "Session"]

PER_PAGE = 100
"""One value for every list call: PyGithub puts it in each URL, and recordings match on it."""
API_VERSION = "2022-11-28"
TIMEOUT = 30
USER_AGENT = "commit-polish"


class Session:
    """PyGithub for one token, and the client's retry settings: reads are retried by
    `RetryPolicy`, a failed write by comments.py within the same `retries` and `max_wait`."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str,
        retries: int,
        backoff: float,
        max_wait: float,
        write_interval: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.retries, self.backoff, self.max_wait = retries, backoff, max_wait
        self.sleep = sleep
        # PyGithub logs each refused request at INFO on its own handler: the expected 403 of
        # `GET /user` with an Actions token would read like a failure in every job log.
        logging.getLogger("github").setLevel(logging.WARNING)
        retry = RetryPolicy(total=retries, backoff_factor=backoff, max_wait=max_wait, sleep=sleep)
        self.gh = Github(
            auth=Auth.Token(token),
            base_url=self.base_url,
            per_page=PER_PAGE,
            retry=retry,
            timeout=TIMEOUT,
            user_agent=USER_AGENT,
            seconds_between_requests=0,
            seconds_between_writes=write_interval,
            lazy=True,  # no `GET /repos/{o}/{r}` or `.../issues/{n}` just to build a URL
            api_version=API_VERSION,
        )

    @property
    def requester(self) -> Requester:
        return self.gh.requester

    def repo(self, full_name: str) -> Repository:
        """The repository, without a request (the session is lazy)."""
        return self.gh.get_repo(full_name)

    def close(self) -> None:
        self.gh.close()

    @contextmanager
    def translated(self, doing: str) -> Iterator[None]:
        """Whatever PyGithub or the transport raises while `doing` leaves as our error."""
        try:
            yield
        except (GithubException, requests.RequestException) as exc:
            raise self.error(exc, doing) from None

    def error(
        self,
        exc: GithubException | requests.RequestException,
        doing: str,
        *,
        write: bool = False,
    ) -> GitHubRequestError:
        """Our error for a refusal (`GithubException`) or a lost connection, token scrubbed."""
        if isinstance(exc, GithubException):
            headers = dict(exc.headers or {})
            return translate(
                exc.status, exc.data, headers, doing=doing, write=write, secret=self.token
            )
        reason = f"{type(exc).__name__}: {exc}"
        return unreachable(self.base_url, doing, reason, write=write, secret=self.token)

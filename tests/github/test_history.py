"""GitHubClient.path_history against recorded list-commits answers of the stand-in
(tests/github/history_world.py), and the first-parent rule on its own.

Replays by default; the stand-in starts only when recording, on its fixed port:

    .venv/bin/pytest tests/github/test_history.py --record-mode=rewrite

Each HTTP test checks the requests made, and on replay that every recorded one was played.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from commit_polish.action.run import path_reader
from commit_polish.digest.parse import parse_diff
from commit_polish.github.client import GitHubClient
from commit_polish.github.history import Listed, first_parent_only, most_changed
from commit_polish.records import PathCommit
from tests.github.history_world import Change, PathListStub
from tests.support.github_world import REPO, SMALL_DIFF, TOKEN

COMMITS = f"/repos/{REPO}/commits"
UPLOADER, TESTS, DOCS, INIT = (
    "widgets/uploader.py",
    "tests/test_uploader.py",
    "docs/uploads.md",
    "widgets/__init__.py",
)
CHANGES = [(UPLOADER, 40), (INIT, 2), (TESTS, 25), (DOCS, 12)]
"""The PR's files and changed lines: the three most changed are asked about, not INIT."""

RETRY = Change(
    "Retry uploads once on a timeout (#45)\n\n* retry\n* test it", "2026-11-14T09:02:45Z"
)
SQUASHED = {
    UPLOADER: [
        Change("Stream uploads in chunks (#48)", "2026-11-18T16:20:11Z", "bob"),
        RETRY,
        Change("Add upload progress callbacks (#41)", "2026-11-09T11:30:00Z", "carol"),
        Change("Rename upload_file to upload (#40)", "2026-11-06T14:00:00Z"),
        Change("Log the upload size (#36)", "2026-11-02T10:10:10Z", "bob"),
        Change("Use one session per upload (#33)", "2026-10-28T08:00:00Z"),
        Change("Type the uploader (#30)", "2026-10-21T17:45:00Z", "carol"),
        Change("Fix the MIME type of .gz uploads (#27)", "2026-10-15T12:00:00Z"),
        Change("Drop Python 3.8 (#24)", "2026-10-08T09:30:00Z"),
        Change("Add the uploader (#20)", "2026-10-01T09:00:00Z"),
        Change("Initial commit", "2026-09-30T08:00:00Z", web=False),
    ],
    TESTS: [
        Change("Test uploads against a flaky server (#47)", "2026-11-16T13:45:09Z", "carol"),
        RETRY,
        Change("Speed up the uploader tests (#38)", "2026-11-04T08:15:00Z", "bob"),
    ],
    DOCS: [
        Change("docs: describe the upload limits (#46)", "2026-11-15T10:00:00Z"),
        Change("docs: fix the upload example (#29)", "2026-10-19T12:00:00Z", "bob"),
    ],
}
"""A squash-merged `main`: every commit has one parent."""

SHARED_BASE = "Add the uploader"
MERGED = {
    UPLOADER: [
        Change(
            "Merge pull request #52 from bob/resume-uploads\n\nResume interrupted uploads",
            "2026-11-19T10:00:00Z",
            "bob",
            parents=("Cap the upload size", "Resume from the last uploaded chunk"),
        ),
        Change(
            "Resume from the last uploaded chunk",
            "2026-11-18T17:00:00Z",
            "bob",
            parents=("wip: resume",),
            web=False,
        ),
        Change("Cap the upload size", "2026-11-17T12:00:00Z", parents=(SHARED_BASE,), web=False),
        Change("wip: resume", "2026-11-16T15:00:00Z", "bob", parents=(SHARED_BASE,), web=False),
        Change(SHARED_BASE, "2026-10-01T09:00:00Z", web=False),
    ]
}
"""A `main` with merge commits: GitHub lists #52's merge (both sides touched the file, so it
differs from both parents) and bob's two branch commits with it, as `git log -- path` does."""


@pytest.fixture
def github(record_mode: str, vcr: Any) -> Iterator[Callable[..., GitHubClient]]:
    """A run's path history on the stand-in serving `lists` (started only when recording)."""
    started: list[PathListStub] = []

    def make(
        lists: dict[str, list[Change]],
        *,
        plant: Callable[[PathListStub], None] | None = None,
        **stub_settings: Any,
    ) -> GitHubClient:
        stub = PathListStub(lists, **stub_settings)
        if plant is not None:
            plant(stub)
        if record_mode != "none":
            started.append(stub.start())
        client = GitHubClient(TOKEN, base_url=stub.url, write_interval=0, sleep=_no_sleep)
        return client

    yield make
    for stub in started:
        stub.stop()
    if record_mode == "none":
        assert vcr.all_played, "the client made fewer requests than were recorded"


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"a path-history call waited {seconds} s")


def asked(cassette: Any) -> list[str]:
    """The `path` of each list-commits request made, after checking its other parameters."""
    paths = []
    for request in cassette.requests:
        parts = urlsplit(request.uri)
        query = dict(parse_qsl(parts.query))
        assert (request.method, parts.path) == ("GET", COMMITS)
        assert (query.pop("sha"), query.pop("per_page")) == ("main", "10")
        paths.append(query.pop("path"))
        assert not query
    return paths


def subjects(found: tuple[PathCommit, ...]) -> list[str]:
    return [c.subject for c in found]


# -- recorded ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_three_paths_lists_merge_newest_first_and_ten_are_kept(
    github: Callable[..., GitHubClient], vcr: Any
) -> None:
    found = github(SQUASHED).path_history(REPO, "main", CHANGES)
    assert asked(vcr) == [UPLOADER, TESTS, DOCS]  # three calls: INIT changed least
    assert [(c.subject, c.files) for c in found] == [
        ("Stream uploads in chunks (#48)", (UPLOADER,)),
        ("Test uploads against a flaky server (#47)", (TESTS,)),
        ("docs: describe the upload limits (#46)", (DOCS,)),
        ("Retry uploads once on a timeout (#45)", (UPLOADER, TESTS)),
        ("Add upload progress callbacks (#41)", (UPLOADER,)),
        ("Rename upload_file to upload (#40)", (UPLOADER,)),
        ("Speed up the uploader tests (#38)", (TESTS,)),
        ("Log the upload size (#36)", (UPLOADER,)),
        ("Use one session per upload (#33)", (UPLOADER,)),
        ("Type the uploader (#30)", (UPLOADER,)),
    ]


@pytest.mark.vcr
def test_a_commit_listed_for_two_paths_is_kept_once_with_both(
    github: Callable[..., GitHubClient], vcr: Any
) -> None:
    found = github(SQUASHED).path_history(REPO, "main", [(TESTS, 9), (UPLOADER, 3)])
    assert asked(vcr) == [TESTS, UPLOADER]
    retries = [c for c in found if c.subject.startswith("Retry uploads")]
    assert retries == [PathCommit("Retry uploads once on a timeout (#45)", (TESTS, UPLOADER))]
    assert len(found) == 10
    assert len(set(subjects(found))) == 10


@pytest.mark.vcr
def test_a_merged_branchs_commits_are_dropped(
    github: Callable[..., GitHubClient], vcr: Any
) -> None:
    found = github(MERGED).path_history(REPO, "main", [(UPLOADER, 30)])
    assert asked(vcr) == [UPLOADER]
    # What `git log --first-parent main -- widgets/uploader.py` shows: bob's branch is gone,
    # the commit it started from stays (`Cap the upload size` names it as its first parent).
    assert subjects(found) == [
        "Merge pull request #52 from bob/resume-uploads",
        "Cap the upload size",
        SHARED_BASE,
    ]


@pytest.mark.vcr
def test_a_403_gives_nothing_and_one_notice_and_stops_asking(
    github: Callable[..., GitHubClient], vcr: Any
) -> None:
    history = github(SQUASHED, refused={TESTS: 403})
    notices: list[str] = []
    assert history.path_history(REPO, "main", CHANGES, on_drop=notices.append) == ()
    assert asked(vcr) == [UPLOADER, TESTS]  # DOCS is not asked once TESTS was refused
    assert len(notices) == 1
    assert notices[0].startswith("the changed files' history was left out: the token may not")
    assert "(403)" in notices[0] and TESTS not in notices[0]
    # Off for the rest of the run: no further call, even for a path not asked yet.
    assert history.path_history(REPO, "main", [(INIT, 1)], on_drop=notices.append) == ()
    assert len(notices) == 2 and asked(vcr) == [UPLOADER, TESTS]


@pytest.mark.vcr
def test_a_rate_limit_gives_nothing_at_once(github: Callable[..., GitHubClient], vcr: Any) -> None:
    # GitHub's primary limit: 403, no request left until 2100; the client never waits for it.
    history = github(SQUASHED, plant=lambda stub: stub.primary_rate_limit("GET", COMMITS))
    notices: list[str] = []
    assert history.path_history(REPO, "main", CHANGES, on_drop=notices.append) == ()
    assert asked(vcr) == [UPLOADER]
    assert notices and "rate limit" in notices[0]


@pytest.mark.vcr
def test_each_path_is_asked_once_per_run(github: Callable[..., GitHubClient], vcr: Any) -> None:
    history = github(SQUASHED)
    first = history.path_history(REPO, "main", CHANGES)
    again = history.path_history(REPO, "main", CHANGES)
    assert again == first
    later = history.path_history(REPO, "main", [(UPLOADER, 5), ("setup.cfg", 1)])
    assert asked(vcr) == [UPLOADER, TESTS, DOCS, "setup.cfg"]
    assert subjects(later) == [c.message.split("\n")[0] for c in SQUASHED[UPLOADER][:10]]


# -- without HTTP ------------------------------------------------------------------------------


def test_a_call_that_times_out_gives_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    client = GitHubClient(TOKEN, base_url="http://127.0.0.1:9", retries=0)
    history = client

    def slow(*args: Any, **kwargs: Any) -> Any:
        raise requests.ReadTimeout("Read timed out. (read timeout=30)")

    monkeypatch.setattr(client._session.requester, "requestJsonAndCheck", slow)
    notices: list[str] = []
    assert history.path_history(REPO, "main", CHANGES, on_drop=notices.append) == ()
    assert len(notices) == 1 and "could not reach GitHub" in notices[0]


def test_no_changed_file_makes_no_call() -> None:
    client = GitHubClient(TOKEN, base_url="http://127.0.0.1:9", retries=0)
    history = client
    assert history.path_history(REPO, "main", []) == ()
    assert history.path_history(REPO, "main", [("", 4)]) == ()


def test_the_three_most_changed_paths_are_asked_about() -> None:
    assert most_changed(CHANGES) == (UPLOADER, TESTS, DOCS)
    assert most_changed([("a", 1), ("b", 1), ("c", 1), ("d", 1)]) == ("a", "b", "c")
    assert most_changed([("a", 1), ("a", 7), ("b", 3)]) == ("a", "b")


_T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _commits(*rows: tuple[str, tuple[str, ...]]) -> list[Listed]:
    """(sha, parents) rows, newest first."""
    return [Listed(s, s, _T0 - timedelta(hours=n), p) for n, (s, p) in enumerate(rows)]


def test_a_linear_branch_keeps_every_commit() -> None:
    rows = _commits(("c3", ("c2",)), ("c1", ("c0",)), ("c0", ()))
    assert [c.sha for c in first_parent_only(rows)] == ["c3", "c1", "c0"]


def test_main_merged_into_a_branch_keeps_main_and_drops_the_branch() -> None:
    # M merges the branch (X) into main; X merged main (A0) into the branch (B): A0 is on
    # main's line, so only X and B go.
    rows = _commits(
        ("M", ("A", "X")),
        ("X", ("B", "A0")),
        ("B", ("F",)),
        ("A", ("A0",)),
        ("A0", ("F",)),
        ("F", ("R",)),
    )
    assert [c.sha for c in first_parent_only(rows)] == ["M", "A", "A0", "F"]


def test_a_branch_is_followed_only_through_listed_commits() -> None:
    # B1 did not touch the path (not listed): B0 below it cannot be told from main's commits.
    rows = _commits(("M", ("A", "B2")), ("B2", ("B1",)), ("B0", ("F",)))
    assert [c.sha for c in first_parent_only(rows)] == ["M", "B0"]


RENAME = (
    "diff --git a/docs/uploads.md b/docs/upload-limits.md\n"
    "similarity index 90%\nrename from docs/uploads.md\nrename to docs/upload-limits.md\n"
    "--- a/docs/uploads.md\n+++ b/docs/upload-limits.md\n"
    "@@ -1 +1 @@\n-Uploads stop at 1 GB.\n+Uploads stop at 5 GB.\n"
)


@pytest.mark.vcr
def test_the_actions_reader_asks_about_the_diffs_files_a_renamed_one_by_its_old_path(
    github: Callable[..., GitHubClient], vcr: Any
) -> None:
    dropped: list[str] = []
    read = path_reader(github(SQUASHED), REPO, "main", dropped)
    found = read(parse_diff(SMALL_DIFF + RENAME))
    # Changed lines: the uploader 7, the new test 4, the renamed page 2.
    assert asked(vcr) == [UPLOADER, TESTS, DOCS]
    assert subjects(found)[:3] == [
        "Stream uploads in chunks (#48)",
        "Test uploads against a flaky server (#47)",
        "docs: describe the upload limits (#46)",
    ]
    assert dropped == []

"""GitHubClient against recorded answers of the local GitHub stand-in
(tests/support/github_stub.py).

Replays by default; the stand-in starts only when recording, on its fixed port:

    .venv/bin/pytest tests/github/test_client.py --record-mode=rewrite

Each test also checks which requests were made (the played or recorded interactions), and on
replay that every recorded one was played: a client that skipped or added a call fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from commit_polish.digest.parse import parse_diff
from commit_polish.github.client import (
    CommentError,
    CommentForbidden,
    GitHubClient,
    GitHubRequestError,
)
from commit_polish.github.errors import PERMISSIONS_YAML
from commit_polish.records import FileStatus
from tests.support.github_vcr import Setup, sent
from tests.support.github_world import BOT, MARK, REPO, SMALL, SMALL_CO_AUTHORS, TOKEN, world

PULL = f"/repos/{REPO}/pulls/7"
COMMENTS = f"/repos/{REPO}/issues/7/comments"


def ours(body: str) -> bool:
    return body.startswith(MARK)


# -- reading a pull request --------------------------------------------------------------------


@pytest.mark.vcr
def test_reads_the_pull_request_its_diff_commits_and_history(
    github: Callable[..., Setup], vcr: Any
) -> None:
    pr = github().client.read_pull_request(REPO, 7, history=5)
    assert (pr.title, pr.body, pr.author, pr.base_ref) == (SMALL.title, "", "alice", "main")
    assert (pr.head_sha, pr.draft, pr.state) == (SMALL.head_sha, False, "open")
    assert pr.html_url == f"https://github.com/{REPO}/pull/7"
    assert pr.diff == SMALL.diff
    assert pr.commit_messages == tuple(c.message for c in SMALL.commits)
    assert pr.co_authors == SMALL_CO_AUTHORS
    assert pr.history == tuple(f"Fix flaky upload test number {n} (#{100 - n})" for n in range(5))
    assert (pr.files_without_patch, pr.files_unlisted) == ((), 0)
    assert sent(vcr) == [
        f"GET {PULL}",
        f"GET {PULL} (diff)",
        f"GET {PULL}/commits?per_page=100",
        f"GET /repos/{REPO}/commits?per_page=5&sha=main",
    ]


@pytest.mark.vcr
def test_a_too_large_diff_is_rebuilt_from_the_paged_files_api(
    github: Callable[..., Setup], vcr: Any
) -> None:
    pr = github().client.read_pull_request(REPO, 8, history=0)
    files = {f.path: f for f in parse_diff(pr.diff)}
    assert len(files) == 305
    assert files["src/mod_299.py"].added == files["src/mod_299.py"].removed == 1
    assert (files["src/new_name.py"].status, files["src/new_name.py"].old_path) == (
        FileStatus.RENAMED,
        "src/old_name.py",
    )
    assert files["src/moved.py"].status is FileStatus.RENAMED
    assert (files["src/gone.py"].status, files["src/fresh.py"].status) == (
        FileStatus.DELETED,
        FileStatus.ADDED,
    )
    assert pr.files_without_patch == ("docs/logo.png",)
    assert pr.files_unlisted == 0
    files_calls = [line for line in sent(vcr) if "/files" in line]
    assert f"GET /repos/{REPO}/pulls/8 (diff)" in sent(vcr)
    assert files_calls == [f"GET /repos/{REPO}/pulls/8/files?per_page=100"] + [
        f"GET /repos/{REPO}/pulls/8/files?page={n}&per_page=100" for n in (2, 3, 4)
    ]


@pytest.mark.vcr
def test_files_past_the_listing_cap_are_counted(github: Callable[..., Setup]) -> None:
    pr = github(files_cap=150).client.read_pull_request(REPO, 9, history=0)
    assert len(parse_diff(pr.diff)) == 150
    assert pr.files_unlisted == 10


@pytest.mark.vcr
def test_enterprise_server_base_url_keeps_its_path(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github(prefix="/api/v3")
    assert setup.client.read_pull_request(REPO, 7, history=1).diff == SMALL.diff
    assert all(line.split(" ")[1].startswith("/api/v3/repos/") for line in sent(vcr))


# -- who may ask for a new message -------------------------------------------------------------


@pytest.mark.vcr
def test_can_write_follows_the_collaborator_permission(github: Callable[..., Setup]) -> None:
    setup = github()
    setup.stub.fail_next("GET", f"/repos/{REPO}/collaborators/hidden/permission", 403)
    logins = ["maintainer", "lead", "writer", "triager", "reader", "stranger", "hidden"]
    answers = {login: setup.client.can_write(REPO, login) for login in logins}
    assert answers == {
        "maintainer": True,
        "lead": True,
        "writer": True,
        "triager": False,
        "reader": False,
        "stranger": False,  # 404: no such user
        "hidden": False,  # 403: the token may not read permissions
    }


# -- the repository's config file ------------------------------------------------------------

CONFIG = ".github/commit-polish.toml"


@pytest.mark.vcr
def test_reads_a_file_at_a_commit_and_none_where_it_is_absent(
    github: Callable[..., Setup], vcr: Any
) -> None:
    """The config of a job without a checkout: the raw text at the PR's head commit; a
    branch without the file is a 404, which means no file."""
    text = 'style = "plain"\nlanguage = "Français"\n'
    setup = github(files_at={(REPO, SMALL.head_sha, CONFIG): text})
    assert setup.client.read_file(REPO, CONFIG, SMALL.head_sha) == text
    assert setup.client.read_file(REPO, CONFIG, "main") is None
    assert sent(vcr) == [
        f"GET /repos/{REPO}/contents/{CONFIG}?ref={SMALL.head_sha}",
        f"GET /repos/{REPO}/contents/{CONFIG}?ref=main",
    ]


@pytest.mark.vcr
def test_a_file_the_token_may_not_read_is_a_403_that_names_the_file(
    github: Callable[..., Setup],
) -> None:
    setup = github()
    setup.stub.fail_next("GET", f"/repos/{REPO}/contents/{CONFIG}", 403)
    with pytest.raises(GitHubRequestError) as caught:
        setup.client.read_file(REPO, CONFIG, "main")
    assert (caught.value.kind, caught.value.status) == ("forbidden", 403)
    assert f"reading {CONFIG} on main of {REPO}" in caught.value.message


# -- the sticky comment ------------------------------------------------------------------------


@pytest.mark.vcr
def test_creates_the_comment_and_leaves_a_forged_marker_alone(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    setup.stub.add_comment(REPO, 7, f"{MARK}\nforged by someone else", "mallory")
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: retry uploads", is_ours=ours)
    assert result.action == "created"
    assert result.url == f"https://github.com/{REPO}/pull/7#issuecomment-{result.comment_id}"
    # Read again after posting: a run that posted at the same moment is settled at once.
    assert sent(vcr) == [
        "GET /user",
        f"GET {COMMENTS}?per_page=100",
        f"POST {COMMENTS}",
        f"GET {COMMENTS}?per_page=100",
    ]


@pytest.mark.vcr
def test_updates_our_comment_in_place(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github()
    mine = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: old message", BOT)
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: new message", is_ours=ours)
    assert (result.action, result.comment_id) == ("updated", mine.id)
    assert sent(vcr)[-1] == f"PATCH /repos/{REPO}/issues/comments/{mine.id}"


@pytest.mark.vcr
def test_an_unchanged_message_sends_no_edit(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github()
    mine = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: same", BOT)
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: same", is_ours=ours)
    assert (result.action, result.comment_id) == ("unchanged", mine.id)
    assert [line.split(" ")[0] for line in sent(vcr)] == ["GET", "GET"]


@pytest.mark.vcr
def test_finds_our_comment_past_the_first_page(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github()
    for n in range(120):
        setup.stub.add_comment(REPO, 7, f"review note {n}", f"reviewer{n % 4}")
    mine = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: old", BOT)
    setup.stub.add_comment(REPO, 7, "thanks!", "alice")
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: new", is_ours=ours)
    assert (result.action, result.comment_id) == ("updated", mine.id)
    assert f"GET {COMMENTS}?page=2&per_page=100" in sent(vcr)


@pytest.mark.vcr
def test_a_personal_token_owns_only_its_users_comments(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github(user="polish-bot")
    setup.stub.add_comment(REPO, 7, f"{MARK}\nwritten by an Actions run", BOT)
    mine = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: old", "polish-bot")
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: new", is_ours=ours)
    assert (result.action, result.comment_id) == ("updated", mine.id)
    assert sent(vcr)[-1] == f"PATCH /repos/{REPO}/issues/comments/{mine.id}"


@pytest.mark.vcr
def test_older_copies_of_our_comment_are_deleted(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github()
    older = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: from a race", BOT)
    newer = setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: old", BOT)
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: new", is_ours=ours)
    assert (result.action, result.comment_id) == ("updated", newer.id)
    assert sent(vcr)[-2:] == [
        f"PATCH /repos/{REPO}/issues/comments/{newer.id}",
        f"DELETE /repos/{REPO}/issues/comments/{older.id}",
    ]


@pytest.mark.vcr
def test_a_comment_deleted_between_runs_is_posted_again(github: Callable[..., Setup]) -> None:
    setup = github()
    first = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: one", is_ours=ours)
    setup.stub.remove_comment(first.comment_id)
    second = setup.client.upsert_comment(REPO, 7, f"{MARK}\nfeat: one", is_ours=ours)
    assert (first.action, second.action) == ("created", "created")
    assert second.comment_id != first.comment_id


# -- failures ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_a_bad_token_is_a_401_with_the_fix(github: Callable[..., Setup]) -> None:
    wrong = "ghp_" + "wrongButWellFormed" * 2
    with pytest.raises(GitHubRequestError) as caught:
        github(token=wrong).client.read_pull_request(REPO, 7)
    assert (caught.value.kind, caught.value.status) == ("auth", 401)
    assert "github.token" in str(caught.value)
    assert wrong not in str(caught.value)


@pytest.mark.vcr
def test_a_read_only_token_cannot_comment(github: Callable[..., Setup]) -> None:
    with pytest.raises(CommentForbidden) as caught:
        github(read_only=True).client.upsert_comment(REPO, 7, f"{MARK}\nx", is_ours=ours)
    assert caught.value.status == 403
    assert "Resource not accessible by integration" in caught.value.message
    assert PERMISSIONS_YAML in (caught.value.fix or "")
    assert "pull_request_target" in (caught.value.fix or "")


@pytest.mark.vcr
def test_a_missing_pull_request_is_a_404(github: Callable[..., Setup]) -> None:
    with pytest.raises(GitHubRequestError) as caught:
        github().client.read_pull_request(REPO, 404)
    assert (caught.value.kind, caught.value.status) == ("not_found", 404)
    assert "#404" in caught.value.message


@pytest.mark.vcr
def test_a_comment_github_finds_too_long_is_a_422(github: Callable[..., Setup]) -> None:
    with pytest.raises(CommentError) as caught:
        github().client.upsert_comment(REPO, 7, MARK + "x" * 70_000, is_ours=ours)
    assert (caught.value.kind, caught.value.status) == ("invalid", 422)
    assert "body is too long (maximum is 65536 characters)" in caught.value.message


@pytest.mark.vcr
def test_a_5xx_is_retried_after_a_backoff(github: Callable[..., Setup], vcr: Any) -> None:
    setup = github()
    setup.stub.fail_next("GET", PULL, 502)
    assert setup.client.read_pull_request(REPO, 7, history=0).title == SMALL.title
    assert setup.waits == [1.0]
    assert sent(vcr)[:2] == [f"GET {PULL}", f"GET {PULL}"]


@pytest.mark.vcr
def test_persistent_5xx_gives_up_after_the_retries(github: Callable[..., Setup]) -> None:
    setup = github()
    setup.stub.fail_next("GET", PULL, 503, times=4)
    with pytest.raises(GitHubRequestError) as caught:
        setup.client.read_pull_request(REPO, 7)
    assert (caught.value.kind, caught.value.status) == ("server", 503)
    assert setup.waits == [1.0, 2.0, 4.0]


@pytest.mark.vcr
def test_a_post_that_failed_with_a_5xx_is_repeated_only_after_reading_the_thread(
    github: Callable[..., Setup], vcr: Any
) -> None:
    """The 5xx may hide a comment GitHub created: reading the thread again finds it, instead
    of posting a second one blindly."""
    setup = github()
    setup.stub.fail_next("POST", COMMENTS, 502)
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nx", is_ours=ours)
    assert result.action == "created"
    assert setup.waits == [1.0]
    listing = f"GET {COMMENTS}?per_page=100"
    assert sent(vcr)[1:] == [listing, f"POST {COMMENTS}", listing, f"POST {COMMENTS}", listing]


@pytest.mark.vcr
def test_a_rate_limited_write_waits_then_reads_the_thread_and_the_head_again(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    setup.stub.secondary_rate_limit("POST", COMMENTS, retry_after=5)
    result = setup.client.upsert_comment(
        REPO, 7, f"{MARK}\nx", is_ours=ours, head=SMALL.head_sha, head_of=lambda body: None
    )
    assert result.action == "created"
    assert setup.waits == [5.0]
    listing, head = f"GET {COMMENTS}?per_page=100", f"GET {PULL}"
    assert sent(vcr)[1:] == [
        listing,
        head,
        f"POST {COMMENTS}",
        listing,
        head,
        f"POST {COMMENTS}",
    ] + [listing]


@pytest.mark.vcr
def test_nothing_is_written_once_the_head_has_moved_on(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    setup.stub.add_comment(REPO, 7, f"{MARK}\nfeat: for the newer head", BOT)
    result = setup.client.upsert_comment(
        REPO, 7, f"{MARK}\nfeat: for an older head", is_ours=ours, head="0" * 40
    )
    assert (result.action, result.url) == ("stale", "")
    assert sent(vcr)[-1] == f"GET {PULL}"
    assert all(not line.startswith(("POST", "PATCH", "DELETE")) for line in sent(vcr))


@pytest.mark.vcr
def test_a_secondary_rate_limit_waits_what_retry_after_says(
    github: Callable[..., Setup],
) -> None:
    setup = github()
    setup.stub.secondary_rate_limit("GET", COMMENTS, retry_after=7)
    result = setup.client.upsert_comment(REPO, 7, f"{MARK}\nx", is_ours=ours)
    assert result.action == "created"
    assert setup.waits == [7.0]


@pytest.mark.vcr
def test_a_retry_after_beyond_the_bound_fails_at_once(github: Callable[..., Setup]) -> None:
    setup = github()
    setup.stub.fail_next("GET", PULL, 429, headers={"retry-after": "3600"})
    with pytest.raises(GitHubRequestError) as caught:
        setup.client.read_pull_request(REPO, 7)
    assert (caught.value.kind, caught.value.status) == ("rate_limit", 429)
    assert "3600 s" in caught.value.message
    assert setup.waits == []


@pytest.mark.vcr
def test_an_exhausted_primary_rate_limit_fails_at_once(github: Callable[..., Setup]) -> None:
    setup = github()
    setup.stub.primary_rate_limit("GET", PULL)
    with pytest.raises(GitHubRequestError) as caught:
        setup.client.read_pull_request(REPO, 7)
    assert caught.value.kind == "rate_limit"
    assert "2100-01-01" in caught.value.message
    assert setup.waits == []


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_an_unreachable_github_says_which_url() -> None:
    waits: list[float] = []
    client = GitHubClient(TOKEN, base_url="http://127.0.0.1:9", retries=2, sleep=waits.append)
    with pytest.raises(GitHubRequestError) as caught:
        client.read_pull_request(REPO, 7)
    assert caught.value.kind == "connection"
    assert "http://127.0.0.1:9" in caught.value.message
    assert TOKEN not in str(caught.value)
    assert waits == [1.0, 2.0]


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_two_runs_against_a_live_stand_in_leave_one_comment() -> None:
    """What the end-to-end Action test relies on: the stand-in keeps its state between runs."""
    with world(port=0) as stub:
        for message in ("feat: first", "feat: second", "feat: second"):
            client = GitHubClient(TOKEN, base_url=stub.url, write_interval=0)
            client.upsert_comment(REPO, 7, f"{MARK}\n{message}", is_ours=ours)
        (only,) = stub.comments(REPO, 7)
    assert (only.login, only.body) == (BOT, f"{MARK}\nfeat: second")
    assert [m for m, _, _ in stub.requests].count("PATCH") == 1

"""Closing the loop: once GitHub merges, how much of the suggestion the merged commit kept.

The comparison is a pure function of two messages (and GitHub's own defaults), tested first.
Then the Action's entry point runs against the GitHub stand-in on a `closed` event of a merged
pull request: the merge is made by the stand-in (`complete_auto_merge` after
`/commit-polish apply`, or `merge` with a maintainer's title and message, or with none:
GitHub's default). A dead model address proves that no model is asked.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commit_polish.action import merged
from commit_polish.action.merged import DEFAULT, EDITED, OTHER, SUGGESTION, compare
from tests.support.action_runner import (
    ADMIN,
    REPO,
    Runner,
    command,
    offline,
    payload_file,
    pr_event,
    shown,
    suggest,
)
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL

NUMBER = SMALL.number
SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
RETITLED = "Uploads: retry on reset"


# --- the comparison, pure ---------------------------------------------------------------------


def test_the_same_message_is_the_suggestion_whatever_github_adds() -> None:
    ours = "Retry uploads on reset (#7)\n\nThe uploader gave up.\n\nCo-authored-by: B <b@x.org>"
    # GitHub's ` (#N)`, a dropped trailer, CRLF line ends and trailing spaces change nothing.
    theirs = "Retry uploads on reset\r\n\r\nThe uploader gave up.  \r\n"
    result = compare(ours, theirs)
    assert (result.merged_with, result.kept, result.subject, result.body) == (
        SUGGESTION,
        100,
        100.0,
        100.0,
    )


def test_an_edited_message_keeps_a_share_below_100() -> None:
    ours = "Retry uploads when the connection resets\n\nThe uploader gave up on the first reset."
    theirs = "Retry uploads when a connection resets\n\nThe uploader gave up on the first reset."
    result = compare(ours, theirs)
    assert result.merged_with == EDITED and result.body == 100.0
    assert 0 < result.subject < 100
    assert result.kept == merged._percent((result.subject + 100.0) / 2)
    # B-Norm reads lower case: a change of case alone scores 100, and still is an edit.
    case_only = compare("Fix the parser", "fix the parser")
    assert (case_only.merged_with, case_only.subject, case_only.kept) == (EDITED, 100.0, 99)


def test_the_body_counts_only_when_ours_has_one() -> None:
    subject_only = compare("Retry uploads on reset", "Retry uploads on reset\n\nWhy it matters.")
    assert subject_only.body is None and subject_only.kept == 99
    dropped = compare("Retry uploads on reset\n\nWhy it matters.", "Retry uploads on reset")
    assert dropped.body == 0.0 and dropped.kept == 50


def test_nothing_of_ours_kept_is_other() -> None:
    result = compare("Retry uploads on reset\n\nWhy.", "Bump lodash\n\nSecurity release.")
    assert (result.merged_with, result.kept) == (OTHER, 0)


def test_githubs_default_is_told_apart_even_when_our_subject_is_the_title() -> None:
    commits = ("Retry uploads\n\nOn the first reset.", "Cap the backoff")
    defaults = merged.github_defaults("Retry uploads when the connection resets", 7, commits)
    listed = "* Retry uploads\n\nOn the first reset.\n\n* Cap the backoff"
    # Our subject is the pull request's own title: only GitHub's body shows nobody chose ours.
    same_subject = compare(
        "Retry uploads when the connection resets\n\nThe uploader gave up on the first reset.",
        f"Retry uploads when the connection resets (#7)\n\n{listed}",
        defaults,
    )
    assert same_subject.merged_with == DEFAULT and same_subject.subject == 100.0
    # Our own subject, and GitHub's title: the default whatever the body.
    other_subject = compare(
        "Retry uploads on connection resets", "Retry uploads (#7)\n\nMy own words.", defaults
    )
    assert other_subject.merged_with == DEFAULT
    merge_commit = compare(
        "Retry uploads on connection resets",
        "Merge pull request #7 from alice/retry\n\nRetry uploads when the connection resets",
        defaults,
    )
    assert merge_commit.merged_with == DEFAULT
    # Our subject under the title, with a body of the maintainer's own: an edit, not a default.
    edited = compare(
        "Retry uploads when the connection resets\n\nThe uploader gave up.",
        "Retry uploads when the connection resets (#7)\n\nThe uploader gave up at once.",
        defaults,
    )
    assert edited.merged_with == EDITED


def test_one_commits_default_is_its_own_message() -> None:
    defaults = merged.github_defaults("Uploads", 7, ("Retry uploads\n\nOn the first reset.",))
    result = compare(
        "Retry uploads on a reset\n\nThe uploader gave up.",
        "Retry uploads (#7)\n\nOn the first reset.",
        defaults,
    )
    assert result.merged_with == DEFAULT


def test_the_status_line_says_what_happened_in_numbers_only() -> None:
    same = merged.status(compare("A b", "A b"), SHA)
    assert same == f"**Merged with this message** as `{SHA[:12]}`."
    edited = merged.status(compare("Retry uploads now\n\nWhy.", "Retry uploads\n\nWhy."), SHA)
    assert edited.startswith("**Merged after edits:** ") and "% kept (subject " in edited
    assert ", body 100%)" in edited
    other = merged.status(compare("Retry uploads", "Bump lodash"), SHA)
    assert "none of this message was kept" in other
    assert "`" not in merged.status(compare("A b", "A b"), "not a sha <b>").replace("**", "")


def test_a_hostile_merged_message_is_scored_in_bounded_time() -> None:
    """A merged message is text a PR author may control: it is cut before ROUGE-L's table."""
    ours = "Retry uploads\n\n" + "a b " * 5000
    theirs = "Retry uploads\n\n" + "b a " * 500_000
    started = time.perf_counter()
    result = compare(ours, theirs)
    assert time.perf_counter() - started < 10
    assert result.merged_with == EDITED


# --- the Action, against the stand-in ---------------------------------------------------------


@pytest.fixture
def github() -> Iterator[GitHubStub]:
    with GitHubStub(prs=[copy.deepcopy(SMALL)], port=0, permissions={ADMIN: "admin"}) as stub:
        yield stub


@pytest.fixture
def run(tmp_path: Path, github: GitHubStub) -> Runner:
    return offline(tmp_path, github)


def merged_event(github: GitHubStub, *, merged_: bool = True) -> dict[str, Any]:
    """DERIVED from pull_request.closed.payload.json (the real one is closed unmerged):
    `pull_request.merged` set to true, and moved onto the stand-in's pull request (number,
    repository, `merge_commit_sha`)."""
    data = copy.deepcopy(payload_file("pull_request.closed.payload.json"))
    pr = github.prs[(REPO, NUMBER)]
    data["number"] = NUMBER
    data["pull_request"].update(
        number=NUMBER, merged=merged_, merge_commit_sha=pr.merge_commit_sha or SHA
    )
    data["repository"]["full_name"] = REPO
    return data


def check(run: Runner, github: GitHubStub, event: str = "pull_request") -> str:
    """The run on the merged pull request's `closed` event; its outputs and summary alone."""
    run.output.unlink(missing_ok=True)
    run.summary.unlink(missing_ok=True)
    run.event(event, merged_event(github))
    code, log = run.run()
    assert code == 0 and "::error" not in log and "::warning" not in log, log
    return log


def test_merged_with_our_message_after_apply(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    message = shown(run)
    command(run, "/commit-polish apply")
    sha = github.complete_auto_merge(REPO, NUMBER)
    log = check(run, github)
    outputs = run.outputs()
    assert (outputs["merged-with"], outputs["kept"]) == ("suggestion", "100")
    assert outputs["comment-url"].startswith("http") and set(outputs) == {
        "merged-with",
        "kept",
        "comment-url",
    }
    (body,) = run.ours()
    assert f"**Merged with this message** as `{sha[:12]}`." in body
    assert "Auto-merge is on" not in body  # the one status line is replaced
    assert shown(run) == message  # the message block itself is kept
    assert "Merged with this message" in run.summary.read_text()
    assert "::notice::commit-polish merged: Merged with this message" in log


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_merged_after_edits_says_how_much_was_kept(
    run: Runner, github: GitHubStub, event: str
) -> None:
    suggest(run)
    message = shown(run)
    github.merge(
        REPO,
        NUMBER,
        title="Retry uploads after a connection reset (#7)",
        message=message.body,
        method="squash",
        by=ADMIN,
    )
    check(run, github, event)
    outputs = run.outputs()
    assert outputs["merged-with"] == "edited"
    kept = int(outputs["kept"])
    assert 50 < kept < 100  # the body as suggested, the subject partly
    (body,) = run.ours()
    assert f"**Merged after edits:** {kept}% kept (subject " in body
    assert shown(run) == message


def test_merged_with_githubs_default_message(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    # Retitled on the web page after the suggestion, then merged as GitHub fills the box.
    github.prs[(REPO, NUMBER)].title = RETITLED
    github.merge(REPO, NUMBER, method="squash")  # no title, no message: GitHub's own
    check(run, github)
    assert run.outputs()["merged-with"] == "default"
    assert "**Merged with GitHub's default message**, not this one" in run.ours()[0]


def test_a_suggestion_that_is_githubs_default_merged_so_is_the_suggestion(
    run: Runner, github: GitHubStub
) -> None:
    """This pull request's own subject is kept, and `body: author` keeps GitHub's list of the
    commits: the suggestion is GitHub's default message, and merged as it is."""
    suggest(run)
    github.merge(REPO, NUMBER, method="squash")
    check(run, github)
    assert (run.outputs()["merged-with"], run.outputs()["kept"]) == ("suggestion", "100")


def test_no_suggestion_posted_is_a_notice_and_nothing_written(
    run: Runner, github: GitHubStub
) -> None:
    github.merge(REPO, NUMBER, method="squash")
    writes = len(github.writes)
    log = check(run, github)
    assert "nothing to compare" in log
    assert run.ours() == [] and len(github.writes) == writes
    assert not run.output.exists()


def test_a_pull_request_closed_without_a_merge_is_skipped(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    before = run.ours()
    github.prs[(REPO, NUMBER)].state = "closed"
    run.event("pull_request", merged_event(github, merged_=False))
    requests = len(github.requests)
    code, log = run.run()
    assert code == 0 and "::notice::commit-polish skipped: pull request #7 is closed" in log
    assert len(github.requests) == requests and run.ours() == before


def test_the_unmerged_closed_event_pointed_at_the_stand_in_is_skipped_too(
    run: Runner, github: GitHubStub
) -> None:
    """DERIVED from pull_request.opened (action_runner.pr_event): closed, merged false."""
    run.event("pull_request", pr_event("closed", state="closed"))
    code, log = run.run()
    assert code == 0 and "skipped" in log and github.requests == []


def test_a_dry_run_compares_without_writing(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    before = run.ours()
    github.prs[(REPO, NUMBER)].title = RETITLED
    github.merge(REPO, NUMBER, method="squash")
    run.env["INPUT_DRY-RUN"] = "true"
    writes = len(github.writes)
    check(run, github)
    assert run.outputs()["merged-with"] == "default" and run.outputs()["comment-url"] == ""
    assert run.ours() == before and len(github.writes) == writes

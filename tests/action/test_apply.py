"""Putting the message into the commit: `/commit-polish apply` and `merge`, `apply: auto-merge`,
and an auto-merge of ours turned off when the pull request moves on.

Each run is the Action's entry point against the GitHub stand-in, which answers the GraphQL
mutations by executing them on GitHub's published schema and the merge endpoint as its REST
description says. The suggestion runs need no model: the pull request's own subject fits, so
the message is the author's (and a dead model address proves nothing else is asked).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from commit_polish.action import stored
from commit_polish.action.marker import Marker
from tests.support.action_runner import (
    ADMIN,
    REPO,
    Runner,
    command,
    offline,
    shown,
    suggest,
)
from tests.support.github_graphql import schema
from tests.support.github_payloads import AutoMerge
from tests.support.github_stub import GitHubStub, StubRepo
from tests.support.github_world import SMALL

NUMBER = SMALL.number
READER = "rita"


@pytest.fixture
def github() -> Iterator[GitHubStub]:
    # A copy each: the stand-in changes its pull requests (merged, pushed to) in place.
    people = {ADMIN: "admin", READER: "read"}
    with GitHubStub(prs=[copy.deepcopy(SMALL)], port=0, permissions=people) as stub:
        yield stub


@pytest.fixture
def run(tmp_path: Path, github: GitHubStub) -> Runner:
    return offline(tmp_path, github)


def assert_valid_graphql(github: GitHubStub) -> None:
    from graphql import parse, validate

    assert github.graphql_documents
    for document in github.graphql_documents:
        assert validate(schema(), parse(document)) == [], document


def test_apply_turns_on_auto_merge_with_the_shown_message_for_its_head(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    message = shown(run)
    assert message.head == SMALL.head_sha and message.headline == SMALL.title
    assert "gh pr merge 7 " in run.ours()[0]
    command(run, "/commit-polish apply")
    auto = github.prs[(REPO, NUMBER)].auto_merge
    assert auto is not None and auto.merge_method == "squash"
    assert (auto.commit_title, auto.commit_message) == (message.headline, message.body)
    assert "Co-authored-by:" in auto.commit_message
    assert run.outputs()["applied"] == "auto-merge"
    (body,) = run.ours()
    assert "**Auto-merge is on** with this message" in body
    assert stored.latest(Marker(), [body]) == message  # the message block itself is kept
    assert_valid_graphql(github)
    # GitHub merges once the checks pass: the squash commit is the message shown.
    sha = github.complete_auto_merge(REPO, NUMBER)
    commit = github.find_commit(REPO, sha)
    assert commit is not None and commit[0].message == f"{message.headline}\n\n{message.body}"


def test_merge_merges_now_pinned_to_the_head(run: Runner, github: GitHubStub) -> None:
    github.prs[(REPO, NUMBER)].mergeable_state = "clean"
    suggest(run)
    message = shown(run)
    command(run, "/commit-polish merge")
    merged = github.prs[(REPO, NUMBER)]
    assert merged.merged and merged.merge_commit_sha
    commit = github.find_commit(REPO, merged.merge_commit_sha)
    assert commit is not None and commit[0].message == f"{message.headline}\n\n{message.body}"
    assert run.outputs()["applied"] == "merged"
    assert "**Merged** with this message" in run.ours()[0]


def test_apply_on_a_pull_request_github_could_merge_now_points_to_merge(
    run: Runner, github: GitHubStub
) -> None:
    github.prs[(REPO, NUMBER)].mergeable_state = "clean"
    suggest(run)
    log = command(run, "/commit-polish apply")
    assert github.prs[(REPO, NUMBER)].auto_merge is None
    body = run.ours()[0]
    assert "nothing for auto-merge to wait for" in body and "`/commit-polish merge`" in body
    assert run.outputs()["applied"] == "" and "::warning" in log


def test_a_push_after_the_message_was_written_is_never_applied(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    written_for = shown(run).head
    new_head = github.push(REPO, NUMBER)
    command(run, "/commit-polish merge")
    assert not github.prs[(REPO, NUMBER)].merged
    body = run.ours()[0]
    assert f"written for `{written_for[:12]}`" in body and f"now at `{new_head[:12]}`" in body
    assert not any("/merge" in path for _, path, _ in github.writes)


def test_only_users_with_write_access_may_apply(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    before, writes = run.ours(), len(github.writes)
    log = command(run, "/commit-polish merge", login=READER, association="CONTRIBUTOR")
    assert not github.prs[(REPO, NUMBER)].merged and "has no write access" in log
    # A stranger's command makes the bot write nothing, its comment included.
    assert run.ours() == before and len(github.writes) == writes
    # The pull request's author may ask for a new message, never for a merge.
    github.permissions[SMALL.author] = "read"
    command(run, "/commit-polish merge", login=SMALL.author, association="CONTRIBUTOR")
    assert not github.prs[(REPO, NUMBER)].merged and len(github.writes) == writes


def test_nothing_to_apply_before_a_message_was_written(run: Runner, github: GitHubStub) -> None:
    command(run, "/commit-polish apply")
    (body,) = run.ours()
    assert "no suggested message to apply yet" in body
    assert github.prs[(REPO, NUMBER)].auto_merge is None


def test_a_read_only_token_is_told_the_permissions(tmp_path: Path) -> None:
    with GitHubStub(prs=[copy.deepcopy(SMALL)], port=0, permissions={ADMIN: "admin"}) as github:
        run = offline(tmp_path, github)
        suggest(run)
        github.read_only = True
        log = command(run, "/commit-polish apply")
        assert github.prs[(REPO, NUMBER)].auto_merge is None
        # The comment cannot be written with that token either: the log and summary say it.
        assert "contents: write" in log and "may not merge" in run.summary.read_text()


def test_a_merge_queue_branch_is_refused_with_a_note(tmp_path: Path) -> None:
    queue = StubRepo(REPO, merge_queue_branches=(SMALL.base_ref,))
    prs = [copy.deepcopy(SMALL)]
    with GitHubStub(prs=prs, port=0, permissions={ADMIN: "admin"}, repos=[queue]) as github:
        run = offline(tmp_path, github)
        suggest(run)
        command(run, "/commit-polish apply")
        assert github.prs[(REPO, NUMBER)].auto_merge is None
        assert "merge queue" in run.ours()[0]
        assert_valid_graphql(github)


def test_auto_merge_setting_applies_the_authors_own_subject(
    run: Runner, github: GitHubStub
) -> None:
    run.env["INPUT_APPLY"] = "auto-merge"
    suggest(run)
    auto = github.prs[(REPO, NUMBER)].auto_merge
    assert auto is not None and auto.commit_title == shown(run).headline
    assert run.outputs()["applied"] == "auto-merge"
    assert "**Auto-merge is on**" in run.ours()[0]


def test_auto_merge_setting_holds_a_message_no_author_wrote(tmp_path: Path) -> None:
    weak = dataclasses.replace(
        SMALL, title="wip", commits=[dataclasses.replace(c, message="wip") for c in SMALL.commits]
    )
    with GitHubStub(prs=[weak], port=0, permissions={ADMIN: "admin"}) as github:
        run = offline(tmp_path, github)
        run.env["INPUT_APPLY"] = "auto-merge"
        run.env["COMMIT_POLISH_RETRIES"] = "0"
        suggest(run)
        assert github.prs[(REPO, NUMBER)].auto_merge is None
        assert "**Not applied automatically:**" in run.ours()[0]
        assert run.outputs()["applied"] == ""


def test_a_push_turns_off_our_auto_merge_and_sets_it_again_with_the_new_message(
    run: Runner, github: GitHubStub
) -> None:
    run.env["INPUT_APPLY"] = "auto-merge"
    suggest(run)
    github.push(REPO, NUMBER)
    mutations_before = len(github.graphql_documents)
    suggest(run, "synchronize")
    sent = github.graphql_documents[mutations_before:]
    assert any("disablePullRequestAutoMerge" in d for d in sent)
    assert any("enablePullRequestAutoMerge" in d for d in sent)
    auto = github.prs[(REPO, NUMBER)].auto_merge
    assert auto is not None and shown(run).head == github.prs[(REPO, NUMBER)].head_sha


def test_without_the_setting_a_push_turns_our_auto_merge_off(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    command(run, "/commit-polish apply")
    old = shown(run).head
    github.push(REPO, NUMBER)
    suggest(run, "synchronize")
    assert github.prs[(REPO, NUMBER)].auto_merge is None
    body = run.ours()[0]
    assert "**Auto-merge turned off:**" in body and f"`{old[:12]}`" in body


def test_a_rerun_for_the_same_head_keeps_our_auto_merge_when_the_message_is_the_same(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    command(run, "/commit-polish apply")
    documents = len(github.graphql_documents)
    assert "skipped" not in suggest(run, "ready_for_review")  # a new run, the same head
    assert github.prs[(REPO, NUMBER)].auto_merge is not None
    assert not any("AutoMerge" in d for d in github.graphql_documents[documents:])
    assert "**Auto-merge is on**" in run.ours()[0]


def test_a_new_message_for_the_same_head_turns_our_auto_merge_off(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    command(run, "/commit-polish apply")
    run.env["INPUT_STYLE"] = "conventional"  # the same head, a message in another form
    assert "skipped" not in suggest(run, "ready_for_review")
    assert github.prs[(REPO, NUMBER)].auto_merge is None
    assert "it was set with an earlier message for this head" in run.ours()[0]


def test_a_humans_auto_merge_is_never_touched(run: Runner, github: GitHubStub) -> None:
    run.env["INPUT_APPLY"] = "auto-merge"
    mine = AutoMerge("maria", "squash", "Maria's own title", "")
    github.prs[(REPO, NUMBER)].auto_merge = mine  # set in the web UI
    suggest(run)
    github.push(REPO, NUMBER)
    suggest(run, "synchronize")
    assert github.prs[(REPO, NUMBER)].auto_merge == mine
    assert not any("AutoMerge" in d for d in github.graphql_documents)
    assert "already set by `maria`" in run.ours()[0]


def test_auto_merge_off_in_the_repository_names_the_setting(
    run: Runner, github: GitHubStub
) -> None:
    github.repo(REPO).allow_auto_merge = False
    suggest(run)
    command(run, "/commit-polish apply")
    assert github.prs[(REPO, NUMBER)].auto_merge is None
    assert "Allow auto-merge" in run.ours()[0]


def test_a_pull_request_github_cannot_merge_is_left_open_with_the_reason(
    run: Runner, github: GitHubStub
) -> None:
    github.prs[(REPO, NUMBER)].mergeable = False
    suggest(run)
    command(run, "/commit-polish merge")
    assert not github.prs[(REPO, NUMBER)].merged
    assert "GitHub cannot merge it now" in run.ours()[0]

"""`write-to: pr-body`: the message's body kept in a marked block of the description, for merge
queues and merge bots, without touching a human's text, and never read back as the author's.

The Action's entry point against the GitHub stand-in, whose PATCH of a pull request changes
the description the next read returns, as GitHub's does.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commit_polish.action import body_block
from tests.support.action_runner import REPO, Runner, offline, pr_event, run_ok
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL

NUMBER = SMALL.number
HUMAN = "Fixes #12.\n\n<!-- the template's checklist -->\n- [x] tests"


@pytest.fixture
def github() -> Iterator[GitHubStub]:
    pr = dataclasses.replace(copy.deepcopy(SMALL), body=HUMAN)
    with GitHubStub(prs=[pr], port=0, permissions={"alice": "admin"}) as stub:
        yield stub


@pytest.fixture
def run(tmp_path: Path, github: GitHubStub) -> Runner:
    runner = offline(tmp_path, github)
    runner.env["INPUT_WRITE-TO"] = "pr-body"
    return runner


def suggest(run: Runner, payload: dict[str, Any] | None = None) -> str:
    return run_ok(run, "pull_request", payload or pr_event("opened"))


def description(github: GitHubStub) -> str:
    return github.prs[(REPO, NUMBER)].body or ""


def patches(github: GitHubStub) -> int:
    return sum(1 for method, path, _ in github.writes if method == "PATCH" and "/pulls/" in path)


def test_the_body_goes_into_a_block_after_the_humans_text(run: Runner, github: GitHubStub) -> None:
    suggest(run)
    text = description(github)
    assert text.startswith(HUMAN + "\n\n" + body_block.DELIMITER)
    assert body_block.without_block(text) == HUMAN
    outputs = run.outputs()
    inside = text.split(body_block.DELIMITER)[1].strip("\n")
    # The body and its trailers: what the bots commit under the pull request's title.
    assert inside == outputs["message"].split("\n\n", 1)[1] and "Co-authored-by:" in inside
    assert patches(github) == 1


def test_an_unchanged_message_sends_no_edit_and_the_block_is_not_read_as_the_authors(
    run: Runner, github: GitHubStub
) -> None:
    suggest(run)
    first = description(github)
    suggest(run, pr_event("synchronize"))
    assert description(github) == first and patches(github) == 1


def test_the_actions_own_edit_asks_for_no_new_message(run: Runner, github: GitHubStub) -> None:
    payload = pr_event("edited", changes={"body": {"from": HUMAN}})
    payload["sender"] = {**payload["sender"], "login": "github-actions[bot]", "type": "Bot"}
    log = suggest(run, payload)
    assert "edited by this action" in log and run.ours() == []


def test_the_default_leaves_the_description_alone(run: Runner, github: GitHubStub) -> None:
    del run.env["INPUT_WRITE-TO"]
    suggest(run)
    assert description(github) == HUMAN and patches(github) == 0

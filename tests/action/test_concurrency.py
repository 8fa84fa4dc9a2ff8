"""Two runs for one pull request at once, and re-runs: the thread ends with exactly one comment
of ours, holding the newest head's message, and a re-run that changes nothing writes nothing.

Each run is the real entry point (`action.main`) in its own thread, against the GitHub
stand-in and a scripted model. The stand-in holds chosen requests and the model holds chosen
answers, so the interleavings that matter are forced rather than hoped for.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from commit_polish.action import comment
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.fake_model import Answer, FakeModel, completion
from tests.support.github_stub import ACTIONS_BOT, GitHubStub, StubPR
from tests.support.github_world import SMALL

OLD_HEAD, NEW_HEAD = "a" * 40, "b" * 40
# The PR's title fits its repository, so it stays the subject: the bodies tell runs apart.
OLD = "The upload is retried once on a reset connection."
NEW = "The upload is retried up to three times on a reset connection."


def answer(body: str) -> Answer:
    return Answer(200, completion(f"Retry uploads on a reset connection\n\n{body}"))


COMMENTS = f"/repos/{REPO}/issues/{SMALL.number}/comments"


@pytest.fixture
def pr() -> StubPR:
    return dataclasses.replace(SMALL, head_sha=OLD_HEAD)


@pytest.fixture
def stub(pr: StubPR) -> Iterator[GitHubStub]:
    with GitHubStub(prs=[pr], port=0) as github:
        yield github


class Run(threading.Thread):
    """One job, run in a thread so that another can start while it waits."""

    def __init__(self, runner: Runner) -> None:
        super().__init__(daemon=True)
        self.runner = runner
        self.code: int | None = None
        self.log = ""

    def run(self) -> None:
        self.code, self.log = self.runner.run()

    def finish(self) -> Run:
        self.join(timeout=120)
        assert not self.is_alive(), "the run never finished"
        return self


def job(tmp_path: Path, name: str, stub: GitHubStub, model: FakeModel) -> Runner:
    folder = tmp_path / name
    folder.mkdir()
    runner = Runner(folder, stub, model.base)
    runner.env["INPUT_MODEL"] = "llamafile/smollm2-135m-instruct"
    runner.env["INPUT_BODY"] = "model"  # the model's bodies tell the runs apart
    runner.event("pull_request", pr_event("synchronize"))
    return runner


def only_comment(stub: GitHubStub) -> tuple[str, str]:
    """(head in its marker, body) of the thread's one comment, which must be ours."""
    (only,) = stub.comments(REPO, SMALL.number)
    assert only.login == ACTIONS_BOT
    head = comment.parse_marker(only.body)
    assert head is not None
    return head, only.body


def wait_for(event: threading.Event) -> None:
    assert event.wait(timeout=60), "the run never got there"


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.01)


def test_a_run_for_an_older_head_never_overwrites_a_newer_one(
    tmp_path: Path, stub: GitHubStub, pr: StubPR, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A push lands while the model writes, before the newer run has posted anything."""
    from commit_polish.action import run as action

    write = action._suggest

    def push_while_writing(*args: Any, **kwargs: Any) -> Any:
        suggestion = write(*args, **kwargs)
        pr.head_sha = NEW_HEAD
        return suggestion

    monkeypatch.setattr(action, "_suggest", push_while_writing)
    with FakeModel(default=answer(OLD)) as model:
        runner = job(tmp_path, "older", stub, model)
        code, log = runner.run()
    assert code == 0 and "moved on" in log
    assert stub.comments(REPO, SMALL.number) == [] and stub.writes == []
    assert OLD in runner.outputs()["message"]  # later steps still get this run's message
    assert runner.outputs()["comment-url"] == ""


def test_older_runs_answer_arrives_last_and_is_not_posted(
    tmp_path: Path, stub: GitHubStub, pr: StubPR
) -> None:
    """Push, push: the first run's model is still writing when the second run posts."""
    old_answer = threading.Event()
    asked = threading.Event()
    with FakeModel(dataclasses.replace(answer(OLD), gate=old_answer), default=answer(NEW)) as model:
        model.on_request = lambda seen: asked.set()
        older = Run(job(tmp_path, "older", stub, model))
        older.start()
        wait_for(asked)
        pr.head_sha = NEW_HEAD
        newer = Run(job(tmp_path, "newer", stub, model))
        newer.start()
        newer.finish()
        old_answer.set()
        older.finish()
    assert (older.code, newer.code) == (0, 0)
    assert "moved on" in older.log
    head, body = only_comment(stub)
    assert head == NEW_HEAD and NEW in body and OLD not in body
    assert [method for method, _, _ in stub.writes] == ["POST"]
    assert OLD in older.runner.outputs()["message"]  # its own later steps still get its message


def test_older_run_delayed_just_before_its_write_leaves_the_newer_comment(
    tmp_path: Path, stub: GitHubStub, pr: StubPR
) -> None:
    """The older run has its answer and its head still looked current, but GitHub holds its
    comment listing (a slow page, a rate-limit wait) while the newer run posts."""
    with FakeModel(answer(OLD), default=answer(NEW)) as model:
        held = stub.hold_next("GET", COMMENTS)
        older = Run(job(tmp_path, "older", stub, model))
        older.start()
        wait_for(held.arrived)
        pr.head_sha = NEW_HEAD
        newer = Run(job(tmp_path, "newer", stub, model))
        newer.start()
        newer.finish()
        held.release.set()
        older.finish()
    assert (older.code, newer.code) == (0, 0)
    head, body = only_comment(stub)
    assert head == NEW_HEAD and NEW in body and OLD not in body
    assert "PATCH" not in [method for method, _, _ in stub.writes]


def test_a_write_that_github_delays_is_checked_again_before_it_is_repeated(
    tmp_path: Path, stub: GitHubStub, pr: StubPR
) -> None:
    """The older run's POST meets a secondary rate limit; while it waits, the newer run posts.
    Repeating the POST blindly would add the stale message as a second, newer comment."""
    stub.secondary_rate_limit("POST", COMMENTS, retry_after=3)
    with FakeModel(answer(OLD), default=answer(NEW)) as model:
        older = Run(job(tmp_path, "older", stub, model))
        older.start()
        until(lambda: [method for method, _, _ in stub.writes] == ["POST"])  # refused, waiting
        pr.head_sha = NEW_HEAD
        newer = Run(job(tmp_path, "newer", stub, model))
        newer.start()
        newer.finish()
        older.finish()
    assert (older.code, newer.code) == (0, 0)
    head, body = only_comment(stub)
    assert head == NEW_HEAD and NEW in body and OLD not in body


def test_two_runs_for_the_same_head_at_once_leave_one_comment(
    tmp_path: Path, stub: GitHubStub
) -> None:
    """`opened` and an `edited` right after it: both find no comment and both post."""
    first = stub.hold_next("POST", COMMENTS)
    with FakeModel(default=answer(NEW)) as model:
        runs = [Run(job(tmp_path, name, stub, model)) for name in ("opened", "edited")]
        for run in runs:
            run.start()
        wait_for(first.arrived)
        # The second run lists the (still empty) thread and posts while the first POST is held.
        until(lambda: [method for method, _, _ in stub.writes] == ["POST"])
        first.release.set()
        for run in runs:
            run.finish()
    assert [run.code for run in runs] == [0, 0]
    head, body = only_comment(stub)
    assert head == OLD_HEAD and NEW in body


def test_unchanged_message_is_not_edited_again(tmp_path: Path, stub: GitHubStub) -> None:
    """A re-run of the job, with the same head and the same answer, writes nothing at all."""
    with FakeModel(default=answer(NEW)) as model:
        first = job(tmp_path, "first", stub, model)
        assert first.run()[0] == 0
        (posted,) = stub.comments(REPO, SMALL.number)
        writes = len(stub.writes)
        rerun = job(tmp_path, "rerun", stub, model)
        rerun.env["GITHUB_RUN_ATTEMPT"] = "2"
        code, log = rerun.run()
    assert code == 0 and "::warning" not in log
    assert stub.writes[writes:] == []
    (after,) = stub.comments(REPO, SMALL.number)
    assert (after.id, after.body, after.updated_at) == (posted.id, posted.body, posted.updated_at)
    assert rerun.outputs()["comment-url"].endswith(f"#issuecomment-{posted.id}")

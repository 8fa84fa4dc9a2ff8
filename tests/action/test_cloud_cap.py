"""The cap on cloud-model calls per pull request (`cloud-calls-per-pr`), kept across runs in
the Action's own comment.

Each run is the real entry point against the GitHub stand-in (whose comments persist from
one run to the next, as GitHub's do), with the local model down and a cloud model
(`openai/...`, served by the scripted endpoint, which records every request it gets) as the
fallback: a request the endpoint records is a cloud call the cap should have counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from commit_polish.action import cloud_cap, comment
from commit_polish.action.comment import Marker, render
from commit_polish.github.records import PullRequest
from commit_polish.records import Attempt, CommitMessage, DiffDigest, Suggestion
from commit_polish.serve.server import free_port
from tests.support.action_runner import REPO, Runner, comment_event, pr_event
from tests.support.fake_model import FakeModel
from tests.support.github_stub import ACTIONS_BOT, GitHubStub
from tests.support.github_world import SMALL

NUMBER = SMALL.number
COMMENTS = f"/repos/{REPO}/issues/{NUMBER}/comments"
CLOUD = "openai/gpt-4o-mini"
INPUT = "INPUT_CLOUD-CALLS-PER-PR"


def field(count: int | str) -> str:
    return f"<!-- commit-polish:cloud-calls={count} -->"


def ours(count: int | str, head: str = SMALL.head_sha) -> str:
    """A comment as this Action writes it (posted by our login in the tests that need it)."""
    return f"{comment.marker(head)}\n{field(count)}\n\n### Suggested squash-commit message\n"


@pytest.fixture
def cloud() -> Iterator[FakeModel]:
    with FakeModel() as host:
        yield host


@pytest.fixture
def github() -> Iterator[GitHubStub]:
    with GitHubStub(prs=[SMALL], port=0, permissions={"alice": "admin"}) as stub:
        yield stub


def runner(tmp_path: Path, github: GitHubStub, cloud: FakeModel, cap: int | None) -> Runner:
    """A same-repository PR's run: the local model down, `cloud` its one fallback."""
    run = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
    run.event("pull_request", pr_event("synchronize"))
    run.env["INPUT_FALLBACK-MODELS"] = json.dumps([{"model": CLOUD, "api_base": cloud.base}])
    run.env["INPUT_BODY"] = "model"  # the PR's title fits: only then is a model asked
    run.env["COMMIT_POLISH_RETRIES"] = "0"  # one call per model: the counts stay exact
    if cap is not None:
        run.env[INPUT] = str(cap)
    return run


def run_once(run: Runner) -> str:
    code, log = run.run()
    assert code == 0 and "::error" not in log, log
    return log


def written_count(github: GitHubStub) -> str:
    """The second line of the one comment that is ours: our login, our marker first."""
    thread = github.comments(REPO, NUMBER)
    (mine,) = [c.body for c in thread if c.login == ACTIONS_BOT and comment.parse_marker(c.body)]
    return mine.split("\n")[1]


def cap_notices(log: str) -> list[str]:
    return [line for line in log.splitlines() if "cloud-calls-per-pr" in line]


def comment_reads(github: GitHubStub) -> int:
    return sum(1 for m, t, _ in github.requests if m == "GET" and t.split("?")[0] == COMMENTS)


# --- across runs -------------------------------------------------------------------------------


def test_the_count_grows_run_after_run(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, None)  # the default cap, 10
    run_once(run)
    assert len(cloud.seen) == 1 and written_count(github) == field(1)
    log = run_once(run)
    assert len(cloud.seen) == 2 and written_count(github) == field(2)
    assert cap_notices(log) == [] and run.outputs()["model"] == CLOUD


def test_a_rerun_after_the_cap_asks_no_cloud_model(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, 2)
    run_once(run)
    run_once(run)
    assert len(cloud.seen) == 2 and written_count(github) == field(2)
    for _ in range(2):  # a rerun, and another: nothing reaches the cloud
        log = run_once(run)
        assert len(cloud.seen) == 2, "a cloud model was asked past the cap"
        (notice,) = cap_notices(log)
        assert notice.startswith("::notice::") and f"({CLOUD})" in notice
        assert "caused 2 cloud-model calls" in notice and "allows 2" in notice
        assert written_count(github) == field(2)
    assert run.outputs()["model"] == ""  # the local model is down: the diff-built message
    (mine,) = run.ours()
    for text in (mine, run.summary.read_text().split("### ")[-1]):
        assert "No cloud model was asked" in text and "`cloud-calls-per-pr` allows 2" in text


def test_comment_commands_count_and_are_capped(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, 2)
    run_once(run)
    run.event("issue_comment", comment_event("alice", "OWNER", "/commit-polish shorter"))
    run_once(run)
    assert len(cloud.seen) == 2 and written_count(github) == field(2)
    log = run_once(run)
    assert len(cloud.seen) == 2 and len(cap_notices(log)) == 1


def test_zero_never_asks_a_cloud_model(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, 0)
    log = run_once(run)
    assert cloud.seen == [] and written_count(github) == field(0)
    assert "is 0, so only the local model" in run.ours()[0] and len(cap_notices(log)) == 1


def test_a_cloud_primary_is_capped_too(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, 1)
    run.env["INPUT_MODEL"], run.env["INPUT_API-BASE"] = CLOUD, cloud.base
    run.env["INPUT_FALLBACK-MODELS"] = ""
    run_once(run)
    log = run_once(run)
    assert len(cloud.seen) == 1 and written_count(github) == field(1)
    assert f"({CLOUD})" in cap_notices(log)[0] and run.outputs()["model"] == ""


# --- which number is trusted --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "count", "then"),
    [
        ("mallory", 999_999_999, 1),  # a forged huge count would block the cloud: ignored
        ("mallory", 0, 1),
        ("other-app[bot]", 999_999_999, 1),  # another bot is not us either
        (ACTIONS_BOT, 4, 5),  # ours: it counts
    ],
)
def test_only_our_own_comment_carries_the_count(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel, login: str, count: int, then: int
) -> None:
    github.add_comment(REPO, NUMBER, ours(count), login)
    run_once(runner(tmp_path, github, cloud, 10))
    assert len(cloud.seen) == 1 and written_count(github) == field(then)


def test_a_forged_low_count_does_not_lift_the_cap(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    github.add_comment(REPO, NUMBER, ours(3), ACTIONS_BOT)
    github.add_comment(REPO, NUMBER, ours(0), "mallory")  # newer, with our exact marker
    github.add_comment(REPO, NUMBER, f"LGTM\n{field(0)}", ACTIONS_BOT)  # ours? no marker
    log = run_once(runner(tmp_path, github, cloud, 3))
    assert cloud.seen == [] and len(cap_notices(log)) == 1
    assert written_count(github) == field(3)


@pytest.mark.parametrize(
    "body",
    [
        f"{comment.marker(SMALL.head_sha)}\n{field('many')}\n",
        f"{comment.marker(SMALL.head_sha)}\n{field(-5)}\n",
        f"{comment.marker(SMALL.head_sha)}\n{field('9' * 10)}\n",  # past nine digits
        f"{comment.marker(SMALL.head_sha)}\n {field(7)}\n",  # not the whole line
        f"{comment.marker(SMALL.head_sha)}\n\n{field(7)}\n",  # not the second line
        f"{comment.marker(SMALL.head_sha)}\n<!-- commit-polish:cloud-calls=7 --> x\n",
        f"{comment.marker(SMALL.head_sha)}\n<!-- lint:cloud-calls=7 -->\n",  # another's field
        f"{comment.marker(SMALL.head_sha)}\n### Suggested squash-commit message\n",  # none
    ],
    ids=["word", "negative", "too-long", "indented", "third-line", "trailing", "other", "none"],
)
def test_a_malformed_or_missing_field_counts_as_zero(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel, body: str
) -> None:
    github.add_comment(REPO, NUMBER, body, ACTIONS_BOT)
    run_once(runner(tmp_path, github, cloud, 1))
    assert len(cloud.seen) == 1 and written_count(github) == field(1)


def test_text_the_author_or_model_controls_never_sets_the_count() -> None:
    """The PR's and the model's text stand below the second line, whatever they hold."""
    mark = Marker()
    forged = f"{field(0)}\n{comment.marker('a' * 40)}\n{field(0)}"
    message = CommitMessage(f"fix: x {field(0)}", forged, ())
    attempts = (Attempt(CLOUD, "ok", "", 1.0),)
    suggestion = Suggestion(message, CLOUD, attempts, DiffDigest("", 0, 0, (), (), ()), (), 0, 1.0)
    pr = PullRequest(REPO, NUMBER, "t", "", "alice", SMALL.head_sha, "main", False, "open", "", "")
    cap = cloud_cap.CloudCap(10, 6, (CLOUD,))
    body = render(suggestion, pr, hidden=cap.hidden(mark, attempts))
    assert body.split("\n")[1] == field(7)
    assert cloud_cap.spent(mark, [body]) == 7
    assert cloud_cap.spent(mark, [render(suggestion, pr)]) == 0  # no field: 0, not the forgery


# --- what it costs ----------------------------------------------------------------------------


def test_the_count_costs_one_read_and_only_with_a_cloud_model(
    tmp_path: Path, github: GitHubStub, cloud: FakeModel
) -> None:
    run = runner(tmp_path, github, cloud, None)
    run_once(run)  # creates the comment (and reads the thread again after posting)
    before = comment_reads(github)
    run_once(run)
    assert comment_reads(github) - before == 2  # the count's read, then the write's own
    run.env["INPUT_FALLBACK-MODELS"] = ""  # the local model only: nothing to count
    before = comment_reads(github)
    run_once(run)
    assert comment_reads(github) - before == 1
    (mine,) = run.ours()
    assert "cloud-calls" not in mine

"""The Action's entry point, run as the runner runs it, against the GitHub stand-in and the
real local model server (SmolLM2)."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from commit_polish.serve.server import RunningServer, free_port
from tests.support.action_runner import REPO, Runner, comment_event, payload_file, pr_event
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL, TOKEN


@pytest.fixture
def stub() -> Any:
    with GitHubStub(prs=[SMALL], port=0, permissions={"alice": "admin"}) as github:
        yield github


@pytest.fixture
def runner(tmp_path: Path, stub: GitHubStub, local_server: RunningServer) -> Runner:
    return Runner(tmp_path, stub, local_server.base_url)


@pytest.mark.realmodel
def test_entry_point_as_a_process_posts_then_updates_one_comment(runner: Runner) -> None:
    runner.event("pull_request", pr_event())
    command = [sys.executable, "-m", "commit_polish.cli", "action"]
    for _ in range(2):
        done = subprocess.run(
            command, env=runner.env, capture_output=True, text=True, check=False, cwd=runner.tmp
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"::add-mask::{TOKEN}" in done.stdout
        assert len(runner.ours()) == 1
    (body,) = runner.ours()
    assert body.startswith("<!-- commit-polish:sticky head=")
    outputs = runner.outputs()
    assert outputs["subject"] and outputs["message"].startswith(outputs["subject"])
    assert "#issuecomment-" in outputs["comment-url"]
    assert outputs["subject"] in runner.summary.read_text()
    assert TOKEN not in runner.output.read_text() + runner.summary.read_text() + body


@pytest.mark.realmodel
def test_every_model_down_still_comments_with_the_diff_built_message(runner: Runner) -> None:
    runner.event("pull_request", pr_event())
    runner.env["INPUT_API-BASE"] = f"http://127.0.0.1:{free_port()}/v1"
    runner.env["INPUT_BODY"] = "model"  # the PR's title fits: only then is a model asked
    code, log = runner.run()
    assert code == 0
    assert "::warning title=commit-polish%3A no model answered::" in log
    (body,) = runner.ours()
    assert "not written by a model" in body.lower() or "no model" in body.lower()
    runner.env["INPUT_FAIL-ON-ERROR"] = "true"
    assert runner.run()[0] == 4


@pytest.mark.realmodel
def test_read_only_token_warns_with_the_fix_and_keeps_the_summary(
    tmp_path: Path, local_server: RunningServer
) -> None:
    with GitHubStub(prs=[SMALL], port=0, read_only=True) as github:
        runner = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
        runner.event("pull_request", pr_event())
        code, log = runner.run()
        assert code == 0
        assert "::warning" in log and "pull-requests: write" in log
        assert runner.ours() == []
        assert runner.outputs()["subject"] and runner.outputs()["comment-url"] == ""
        assert runner.outputs()["subject"] in runner.summary.read_text()


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("pull_request", pr_event(draft=True), "draft"),
        ("pull_request", pr_event("closed", state="closed"), "closed"),
        ("pull_request", pr_event("labeled"), "labeled"),
        ("push", {}, "push"),
    ],
)
def test_skipped_events_say_why_in_one_notice(
    tmp_path: Path, stub: GitHubStub, name: str, payload: dict[str, Any], reason: str
) -> None:
    runner = Runner(tmp_path, stub, "http://127.0.0.1:9/v1")
    runner.event(name, payload)
    code, log = runner.run()
    assert code == 0
    notices = [line for line in log.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1 and reason in notices[0]
    assert stub.requests == [] and runner.ours() == []


def test_comment_from_a_user_without_write_access_is_refused(
    tmp_path: Path, stub: GitHubStub
) -> None:
    """Derived: the real issue_comment payload, moved onto the pull request."""
    payload = copy.deepcopy(payload_file("issue_comment.created.payload.json"))
    payload["issue"].update(number=SMALL.number, pull_request={"url": "x"})
    payload["comment"].update(body="/commit-polish mention the retry cap")
    payload["comment"]["user"].update(login="mallory", type="User")
    payload["comment"]["author_association"] = "NONE"
    payload["repository"]["full_name"] = REPO
    runner = Runner(tmp_path, stub, "http://127.0.0.1:9/v1")
    runner.event("issue_comment", payload)
    code, log = runner.run()
    assert code == 0
    assert "mallory" in log and "write access" in log
    assert runner.ours() == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "does not exist"),
        ({"INPUT_FAIL-ON-ERROR": "maybe"}, "fail-on-error"),
        ({"INPUT_MODEL": "qwen"}, "llamafile/qwen"),
        ({"INPUT_GITHUB-TOKEN": ""}, "github-token"),
    ],
)
def test_configuration_errors_fail_the_step_with_the_fix(
    tmp_path: Path, stub: GitHubStub, change: dict[str, str], says: str
) -> None:
    runner = Runner(tmp_path, stub, "http://127.0.0.1:9/v1")
    runner.event("pull_request", pr_event())
    runner.env.update(change)
    code, log = runner.run()
    assert code == 2
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and says in errors[0]
    assert says in runner.summary.read_text()


def test_unknown_input_is_a_warning_not_a_failure(tmp_path: Path, stub: GitHubStub) -> None:
    runner = Runner(tmp_path, stub, "http://127.0.0.1:9/v1")
    runner.event("pull_request", pr_event(draft=True))
    runner.env["INPUT_MODLE"] = "openai/x"
    code, log = runner.run()
    assert code == 0 and "unknown input 'modle'" in log


def test_pull_request_target_reads_config_from_the_base_branch_only(tmp_path: Path) -> None:
    """The checkout may be the PR's code: its config file must not steer the run."""
    head_config = tmp_path / ".github" / "commit-polish.toml"
    head_config.parent.mkdir()
    head_config.write_text('api_base = "http://attacker.example/v1"\nmodel = "bad"\n')
    base = {(REPO, "main", ".github/commit-polish.toml"): "timeout = -1\n"}
    with GitHubStub(prs=[SMALL], port=0, files_at=base) as github:
        runner = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
        runner.event("pull_request_target", pr_event())
        code, log = runner.run()
        assert code == 2  # the base branch's bad value, named with where it came from
        (error,) = [line for line in log.splitlines() if line.startswith("::error")]
        assert "'timeout'" in error and "on main" in error and "attacker" not in error
        github.files_at.clear()  # no file on the base branch: defaults and inputs only
        code, log = runner.run()
        assert code == 0 and "attacker" not in log
        assert len(runner.ours()) == 1


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("issue_comment", comment_event(SMALL.author, "CONTRIBUTOR", "/commit-polish")),
        ("issue_comment", comment_event("bob", "MEMBER", "/commit-polish be brief")),
        ("workflow_dispatch", {"inputs": {"pr-number": str(SMALL.number)}}),
        ("pull_request_target", pr_event("synchronize")),
    ],
)
def test_every_event_kind_posts_the_one_comment(
    tmp_path: Path, name: str, payload: dict[str, Any]
) -> None:
    with GitHubStub(prs=[SMALL], port=0, permissions={"bob": "write"}) as github:
        runner = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
        runner.event(name, payload)
        assert runner.run()[0] == 0
        assert runner.run()[0] == 0
        (body,) = runner.ours()
        assert body.startswith("<!-- commit-polish:sticky head=")


def test_org_member_with_read_access_only_is_refused(tmp_path: Path) -> None:
    """MEMBER proves membership, not write access: the permission API decides."""
    with GitHubStub(prs=[SMALL], port=0, permissions={"reader": "read"}) as github:
        runner = Runner(tmp_path, github, "http://127.0.0.1:9/v1")
        runner.event("issue_comment", comment_event("reader", "MEMBER", "/commit-polish"))
        code, log = runner.run()
        assert code == 0 and "reader" in log and "write access" in log
        assert runner.ours() == []


def test_app_token_finds_its_comment_by_the_bot_login_input(tmp_path: Path) -> None:
    """An App token writes as `<slug>[bot]`: without `bot-login` every run would add one."""
    with GitHubStub(prs=[SMALL], port=0) as github:
        github.add_comment(
            REPO, SMALL.number, "<!-- commit-polish:sticky head=abc -->\nold", "polish-app[bot]"
        )
        runner = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
        runner.event("pull_request", pr_event())
        runner.env["INPUT_BOT-LOGIN"] = "polish-app[bot]"
        assert runner.run()[0] == 0
        (only,) = github.comments(REPO, SMALL.number)
        assert only.body != "<!-- commit-polish:sticky head=abc -->\nold"


def test_error_text_in_the_summary_stays_inside_code_blocks() -> None:
    """An error may quote a config file, a PR or GitHub's answer: none of it renders."""
    from markdown_it import MarkdownIt

    from commit_polish.action.run import _error_summary
    from commit_polish.errors import ConfigError

    hostile = "bad value <img src=x onerror=alert(1)> @octocat\n```\n# heading\n```"
    summary = _error_summary(ConfigError(hostile, fix="remove [this](https://evil.example)"))
    tokens = MarkdownIt("commonmark").parse(summary)
    fences = [t.content for t in tokens if t.type == "fence"]
    assert [t.type for t in tokens if t.type not in {"fence"}] == [
        "heading_open",
        "inline",
        "heading_close",
        "paragraph_open",
        "inline",
        "paragraph_close",
    ]
    assert fences == [hostile + "\n", "remove [this](https://evil.example)\n"]


def test_a_title_that_fits_is_kept_with_the_commits_and_no_model(runner: Runner) -> None:
    """The PR's own words, as GitHub would pre-fill them but without its work notes: no model
    is asked (its endpoint is dead here), nothing failed, and the comment says whose words."""
    runner.event("pull_request", pr_event())
    runner.env["INPUT_API-BASE"] = f"http://127.0.0.1:{free_port()}/v1"
    code, log = runner.run()
    assert code == 0 and "::warning" not in log, log
    outputs = runner.outputs()
    assert outputs["model"] == "" and outputs["subject"] == SMALL.title
    assert "* Cap the backoff" in outputs["message"]
    (body,) = runner.ours()
    assert "the pull request's own, kept as written" in body and "failed" not in body.lower()


@pytest.mark.parametrize(("setting", "subject"), [(None, "Retry uploads"), ("PR_TITLE", None)])
def test_the_repositorys_squash_title_setting_picks_the_subject_to_keep(
    tmp_path: Path, setting: str | None, subject: str | None
) -> None:
    """One commit: GitHub squashes under its subject, unless the repository says the PR title
    (`squash_merge_commit_title` in the payload's base repository)."""
    pr = dataclasses.replace(SMALL, commits=SMALL.commits[:1], squash_title=setting)
    pr.commits = [dataclasses.replace(pr.commits[0], message="Retry uploads")]
    with GitHubStub(prs=[pr], port=0, token=TOKEN) as github:
        runner = Runner(tmp_path, github, f"http://127.0.0.1:{free_port()}/v1")
        runner.event("pull_request", pr_event())
        code, log = runner.run()
    assert code == 0, log
    assert runner.outputs()["subject"] == (subject or SMALL.title)


@pytest.mark.parametrize(
    ("model", "service"),
    [("llamafile/qwen2.5-coder-1.5b-instruct", True), ("openai/gpt-4o-mini", False)],
    ids=["local-model", "cloud-model"],
)
def test_a_local_model_that_does_not_answer_points_at_the_service_container(
    tmp_path: Path, stub: GitHubStub, model: str, service: bool
) -> None:
    """The CLI says to start `commit-polish serve`; in a job the model is the `services:`
    container that `api-base` names. A cloud model that cannot be reached is no service's."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    runner = Runner(tmp_path, stub, base)
    runner.event("pull_request", pr_event())
    runner.env.update({"INPUT_MODEL": model, "INPUT_BODY": "model"})
    code, log = runner.run()
    assert code == 0, log
    (warning,) = [line for line in log.splitlines() if "no model answered" in line]
    assert f"{model} (connection)" in warning
    if service:
        assert f"Nothing answers at {base}" in warning
        assert "`services:` block" in warning and f"port {port}," in warning
        assert "--health-cmd" in warning and "here: `127.0.0.1`" in warning
        assert "`api-base` names that service" in warning
    else:
        assert "Nothing answers" not in warning and "services:" not in warning

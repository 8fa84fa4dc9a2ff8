"""Which configuration a run trusts: a fork's files are never configuration, and no config file
may hand the runner's own credentials to a model.

The Action's entry point runs against the GitHub stand-in. A fork's pull request is the real
`pull_request` payload with its head moved to another repository (derived, as in the fault
matrix), and the stand-in answers as GitHub does for one: the head's `repo` is the fork, or
`null` once the fork is deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from commit_polish.action.inputs import from_fork
from commit_polish.github.records import PullRequest, PullRequestRef
from commit_polish.serve.server import free_port
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.fake_model import FakeModel
from tests.support.github_http import Reply
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL

FORK = "mallory/widgets"
PULL = f"/repos/{REPO}/pulls/{SMALL.number}"
CONFIG = ".github/commit-polish.toml"
SAME = object()
"""The stand-in's own answer: the head lives in the base repository."""


class ForkStub(GitHubStub):
    """The stand-in, answering that the pull request's head lives in `head_repo` (None: the
    fork was deleted and GitHub says `null`)."""

    def __init__(self, head_repo: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.head_repo = head_repo

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        answer = super().handle(method, target, headers, body)
        if method == "GET" and target.split("?")[0] == PULL and isinstance(answer.body, dict):
            head = answer.body["head"]
            if self.head_repo is None:
                head["repo"] = None
            else:
                owner, name = self.head_repo.split("/")
                head["repo"].update(full_name=self.head_repo, name=name, fork=True)
                head["repo"]["owner"]["login"] = owner
                head["label"] = f"{owner}:{head['ref']}"
        return answer


def _stub(head: object, **kwargs: Any) -> GitHubStub:
    if head is SAME:
        return GitHubStub(prs=[SMALL], port=0, **kwargs)
    assert head is None or isinstance(head, str)
    return ForkStub(head, prs=[SMALL], port=0, **kwargs)


def fork_event() -> dict[str, Any]:
    """Derived: the real `pull_request` payload, its head moved to a fork."""
    event = pr_event("synchronize")
    event["pull_request"]["head"]["repo"].update(full_name=FORK, fork=True)
    event["pull_request"]["base"]["repo"]["full_name"] = REPO
    return event


def same_repo_event() -> dict[str, Any]:
    event = pr_event("synchronize")
    event["pull_request"]["head"]["repo"]["full_name"] = REPO
    event["pull_request"]["base"]["repo"]["full_name"] = REPO
    return event


def _dead() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


def _checkout_config(tmp: Path, text: str) -> Path:
    path = tmp / CONFIG
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("::error")]


# --- who decides that a pull request comes from a fork ----------------------------------------


def _pr(head_repo: str | None) -> PullRequest:
    return PullRequest(
        REPO, 7, "t", "", "alice", "0" * 40, "main", False, "open", "", "", head_repo=head_repo
    )


@pytest.mark.parametrize(
    ("api_head", "payload_says", "fork"),
    [
        (REPO, False, False),
        (REPO, None, False),  # a manual run's payload does not say: the API's word decides
        (REPO.upper(), None, False),  # GitHub's names are case-insensitive
        (FORK, False, True),
        (FORK, None, True),
        (None, False, True),  # the head's repository is gone: unknown, so a fork
        (REPO, True, True),  # the payload can only make it stricter
    ],
)
def test_the_api_decides_and_unknown_counts_as_a_fork(
    api_head: str | None, payload_says: bool | None, fork: bool
) -> None:
    ref = PullRequestRef(REPO, 7, "pull_request", from_fork=payload_says)
    assert from_fork(_pr(api_head), ref) is fork


def test_the_client_reads_the_heads_repository_from_github(tmp_path: Path) -> None:
    from commit_polish.github.client import GitHubClient

    for head, expected in ((SAME, REPO), (FORK, FORK), (None, None)):
        with _stub(head) as github:
            client = GitHubClient("t", base_url=github.url)
            assert client.read_pull_request(REPO, SMALL.number).head_repo == expected


# --- where the config file is read from --------------------------------------------------------


@pytest.mark.parametrize(
    ("event_name", "event", "api_head", "read_from"),
    [
        ("pull_request", same_repo_event(), SAME, "checkout"),
        ("pull_request", fork_event(), FORK, "base"),
        ("pull_request", same_repo_event(), None, "base"),  # a deleted fork
        ("pull_request", fork_event(), SAME, "base"),
        ("workflow_dispatch", {"inputs": {"pr-number": str(SMALL.number)}}, SAME, "checkout"),
        ("workflow_dispatch", {"inputs": {"pr-number": str(SMALL.number)}}, FORK, "base"),
    ],
)
def test_a_forks_config_is_read_from_the_base_branch(
    tmp_path: Path, event_name: str, event: dict[str, Any], api_head: object, read_from: str
) -> None:
    """Each file holds a bad value of its own, so the error says which one was read."""
    checkout = _checkout_config(tmp_path, "timeout = -1\n")
    base = {(REPO, "main", CONFIG): "timeout = -2\n"}
    with _stub(api_head, files_at=base) as github:
        runner = Runner(tmp_path, github, _dead())
        runner.event(event_name, event)
        code, log = runner.run()
    assert code == 2, log
    (error,) = _errors(log)
    if read_from == "checkout":
        assert f"from repository config {checkout})" in error and "on main" not in error
    else:
        assert f"from repository config {CONFIG} on main)" in error and str(checkout) not in error
    contents = [t for _, t, _ in github.requests if "/contents/" in t]
    via_api = [f"/repos/{REPO}/contents/{CONFIG}?ref=main"]
    assert contents == ([] if read_from == "checkout" else via_api)


@pytest.mark.parametrize("fork", [True, False])
def test_a_forks_file_cannot_send_a_key_to_a_host_it_picked(tmp_path: Path, fork: bool) -> None:
    """The attack of the issue: the fork's config names its own host as a fallback and a
    provider key to send there. The same file on a branch of the repository is the
    repository's own choice, and is followed."""
    key = "sk-proj-" + "k" * 40
    with FakeModel(key=key) as host:
        _checkout_config(
            tmp_path,
            f'[[fallback_models]]\nmodel = "openai/gpt-4o-mini"\napi_base = "{host.base}"\n'
            'api_key_env = "OPENAI_API_KEY"\n',
        )
        with _stub(FORK if fork else SAME) as github:
            runner = Runner(tmp_path, github, _dead())
            runner.event("pull_request", fork_event() if fork else same_repo_event())
            runner.env["OPENAI_API_KEY"] = key
            runner.env["INPUT_BODY"] = "model"  # the PR's title fits: only then is one asked
            code, log = runner.run()
            (body,) = runner.ours()
    assert code == 0, log
    if fork:
        assert host.seen == []
        assert runner.outputs()["model"] == ""  # no model answered; the diff-built message
    else:
        assert host.authorizations() == [f"Bearer {key}"]
        assert runner.outputs()["model"] == "openai/gpt-4o-mini"
    assert key not in body + log.replace(f"::add-mask::{key}", "")


# --- no config names the runner's own credentials ----------------------------------------------


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "INPUT_GITHUB-TOKEN", "ACTIONS_RUNTIME_TOKEN"])
def test_a_config_naming_the_runners_token_fails_with_the_key_the_file_and_the_fix(
    tmp_path: Path, name: str
) -> None:
    with FakeModel() as host:
        config = _checkout_config(
            tmp_path,
            f'[[fallback_models]]\nmodel = "openai/gpt-4o-mini"\napi_base = "{host.base}"\n'
            f'api_key_env = "{name}"\n',
        )
        with _stub(SAME) as github:
            runner = Runner(tmp_path, github, _dead())
            runner.event("pull_request", same_repo_event())
            runner.env.setdefault(name, "ghs_" + "t" * 36)
            code, log = runner.run()
    assert code == 2
    (error,) = _errors(log)
    assert error.startswith("::error title=commit-polish%3A bad configuration::")
    assert f"api_key_env {name!r} names one of the runner's own credentials" in error
    assert f"(from repository config {config})" in error
    assert "name the variable that holds this model's own key" in error
    assert f"api_key_env {name!r}" in runner.summary.read_text()
    assert host.seen == [] and runner.ours() == []

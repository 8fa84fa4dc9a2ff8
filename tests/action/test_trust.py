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
from tests.support.action_runner import REPO, Runner, comment_event, pr_event
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


# --- a job without a checkout -------------------------------------------------------------------


HEAD_FILE = f"/repos/{REPO}/contents/{CONFIG}?ref={SMALL.head_sha}"


@pytest.mark.parametrize(
    ("event_name", "event"),
    [
        ("pull_request", same_repo_event()),
        ("workflow_dispatch", {"inputs": {"pr-number": str(SMALL.number)}}),
    ],
)
def test_without_a_checkout_a_branchs_config_is_read_at_the_prs_head(
    tmp_path: Path, event_name: str, event: dict[str, Any]
) -> None:
    """The issue: under `pull_request` with no checkout step the file was silently ignored.
    It is read through the API at the exact commit the message is written for."""
    files = {(REPO, SMALL.head_sha, CONFIG): "timeout = -3\n", (REPO, "main", CONFIG): "x = 1\n"}
    with _stub(SAME, files_at=files) as github:
        runner = Runner(tmp_path, github, _dead())
        runner.event(event_name, event)
        code, log = runner.run()
    assert code == 2, log
    (error,) = _errors(log)
    head = f"at {SMALL.head_sha[:12]}, the head of #{SMALL.number}"
    assert f"setting 'timeout' (from repository config {CONFIG} {head})" in error
    assert [t for _, t, _ in github.requests if "/contents/" in t] == [HEAD_FILE]


def test_without_a_checkout_or_a_file_the_run_has_the_defaults(tmp_path: Path) -> None:
    with _stub(SAME) as github:
        runner = Runner(tmp_path, github, _dead())
        runner.event("pull_request", same_repo_event())
        code, log = runner.run()
        assert code == 0 and _errors(log) == [] and len(runner.ours()) == 1
    assert [t for _, t, _ in github.requests if "/contents/" in t] == [HEAD_FILE]


@pytest.mark.parametrize("head", [SAME, FORK], ids=["head", "base"])
def test_a_token_that_may_not_read_contents_warns_with_the_fix_and_goes_on(
    tmp_path: Path, head: object
) -> None:
    with _stub(head) as github:
        github.fail_next("GET", f"/repos/{REPO}/contents/{CONFIG}", 403)
        runner = Runner(tmp_path, github, _dead())
        runner.event("pull_request", same_repo_event() if head is SAME else fork_event())
        code, log = runner.run()
        assert code == 0 and _errors(log) == [] and len(runner.ours()) == 1
    (warning,) = [line for line in log.splitlines() if "repository config not read" in line]
    assert f"repository config {CONFIG}" in warning and "(403)" in warning
    assert "contents: read" in warning


# --- cloud fallbacks and forks --------------------------------------------------------------


def _cloud_config(host: FakeModel, extra: str = "") -> str:
    """A cloud fallback (served by the fake, but an `openai/` model is a cloud model wherever
    it is served) beside a local one, as the base branch's config would name them."""
    return (
        f'{extra}[[fallback_models]]\nmodel = "llamafile/second-local"\n'
        f'api_base = "{_dead()}"\n'
        f'[[fallback_models]]\nmodel = "openai/gpt-4o-mini"\napi_base = "{host.base}"\n'
        'api_key_env = "OPENAI_API_KEY"\n'
    )


@pytest.mark.parametrize(
    ("head", "config_extra", "input_value", "asked"),
    [
        (FORK, "", None, False),  # the default: a fork's PR never reaches the cloud
        (FORK, "", "false", False),
        (FORK, "cloud_on_forks = true\n", None, True),  # the base branch's file turns it on
        (FORK, "", "true", True),  # or the workflow's input
        (None, "", None, False),  # a deleted fork counts as a fork
        (SAME, "", None, True),  # a branch of the repository: the setting does not apply
    ],
)
def test_a_forks_pr_gets_no_cloud_fallback_unless_cloud_on_forks(
    tmp_path: Path, head: object, config_extra: str, input_value: str | None, asked: bool
) -> None:
    key = "sk-proj-" + "c" * 40
    with FakeModel(key=key) as host:
        config = _cloud_config(host, config_extra)
        # A fork's file is the base branch's; a branch's, the head's (no checkout here).
        files = {(REPO, "main", CONFIG): config, (REPO, SMALL.head_sha, CONFIG): config}
        with _stub(head, files_at=files) as github:
            runner = Runner(tmp_path, github, _dead())
            runner.event("pull_request", fork_event() if head is not SAME else same_repo_event())
            runner.env["OPENAI_API_KEY"] = key
            runner.env["INPUT_BODY"] = "model"  # the PR's title fits: only then is one asked
            if input_value is not None:
                runner.env["INPUT_CLOUD-ON-FORKS"] = input_value
            code, log = runner.run()
            (body,) = runner.ours()
    assert code == 0 and _errors(log) == [], log
    notices = [line for line in log.splitlines() if "comes from a fork" in line]
    if asked:
        assert host.authorizations() == [f"Bearer {key}"] and notices == []
        assert runner.outputs()["model"] == "openai/gpt-4o-mini"
    else:
        assert host.seen == []
        assert runner.outputs()["model"] == ""  # the diff-built message
        (notice,) = notices
        assert notice.startswith("::notice::") and "(openai/gpt-4o-mini)" in notice
        assert "cloud-on-forks: true" in notice and "cloud_on_forks = true" in notice
        assert "llamafile/second-local" not in notice
        # The local fallback is still asked (its server is down here): only clouds go.
        assert "llamafile/second-local" in runner.summary.read_text()
    assert key not in body + log.replace(f"::add-mask::{key}", "")


def test_a_comment_command_on_a_forks_pr_gets_no_cloud_fallback(tmp_path: Path) -> None:
    """A maintainer's `/commit-polish` on a fork's PR: the event does not say it is a fork,
    the API does, and the policy is the same."""
    with FakeModel() as host:
        files = {(REPO, "main", CONFIG): _cloud_config(host)}
        with ForkStub(FORK, prs=[SMALL], port=0, files_at=files) as github:
            runner = Runner(tmp_path, github, _dead())
            runner.event("issue_comment", comment_event("alice", "OWNER", "/commit-polish"))
            runner.env["INPUT_BODY"] = "model"
            code, log = runner.run()
    assert code == 0 and host.seen == [] and "comes from a fork" in log
    # The key a fork's run never gets is not asked for: that model is not asked either.
    assert "OPENAI_API_KEY" not in log


# --- what the fork policy drops is not this run's concern --------------------------------------

PROXY_MODEL = "litellm_proxy/gateway"


def _fork_settings(
    tmp_path: Path, config: str, env: dict[str, str] | None = None, *, fork: bool = True
) -> tuple[Any, str]:
    """`step_settings` for a fork's pull request (`fork`), the base branch's file `config`:
    the Settings and everything the step wrote."""
    import io

    from commit_polish.action import workflow as gha
    from commit_polish.action.inputs import read_inputs, step_settings

    env = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        **(env or {}),
    }
    out = io.StringIO()
    step = gha.Step(out, outputs=None, summary=None)
    source = (f"repository config {CONFIG} on main", config)
    return step_settings(read_inputs(env), source, env, step, fork=fork), out.getvalue()


@pytest.mark.parametrize(
    ("fallback", "says"),
    [
        # LiteLLM's proxy variables (settings.proxy) say so as `model '…' …`
        (f'api_base = "{_dead()}"\n', f"model {PROXY_MODEL!r} at "),
        # the settings' own warning says so as `fallback model '…': …`
        (f'api_base = "{_dead()}"\napi_key_env = "GATEWAY_KEY"\n', "GATEWAY_KEY is not set"),
    ],
    ids=["proxy-warning", "settings-warning"],
)
def test_a_dropped_model_is_not_warned_about(tmp_path: Path, fallback: str, says: str) -> None:
    config = f'[[fallback_models]]\nmodel = "{PROXY_MODEL}"\n{fallback}'
    settings, written = _fork_settings(tmp_path, config)
    assert settings.fallback_models == () and "::warning" not in written, written
    (notice,) = written.splitlines()
    assert notice.startswith("::notice::") and f"({PROXY_MODEL})" in notice
    # The same file where the model is asked: the warning is still given.
    for env, fork in (({}, False), ({"INPUT_CLOUD-ON-FORKS": "true"}, True)):
        settings, written = _fork_settings(tmp_path, config, env, fork=fork)
        assert [f.model for f in settings.fallback_models] == [PROXY_MODEL]
        (warning,) = [line for line in written.splitlines() if line.startswith("::warning")]
        assert says in warning


def test_a_dropped_proxy_model_with_no_address_does_not_stop_a_forks_run(
    tmp_path: Path,
) -> None:
    """`litellm_proxy/` with no api_base and no LITELLM_PROXY_API_BASE is a configuration
    error (LiteLLM would send it to OpenAI's address), but only where it would be asked."""
    from commit_polish.errors import ConfigError

    config = f'[[fallback_models]]\nmodel = "{PROXY_MODEL}"\n'
    with pytest.raises(ConfigError, match="has no api_base and LITELLM_PROXY_API_BASE"):
        _fork_settings(tmp_path, config, {"INPUT_CLOUD-ON-FORKS": "true"})
    with pytest.raises(ConfigError, match="has no api_base and LITELLM_PROXY_API_BASE"):
        _fork_settings(tmp_path, config, fork=False)
    # The whole run on a fork's pull request: the model is dropped and the comment written.
    with _stub(FORK, files_at={(REPO, "main", CONFIG): config}) as github:
        runner = Runner(tmp_path, github, _dead())
        runner.event("pull_request", fork_event())
        runner.env["INPUT_BODY"] = "model"
        code, log = runner.run()
        assert code == 0 and _errors(log) == [] and len(runner.ours()) == 1, log
    (notice,) = [line for line in log.splitlines() if "comes from a fork" in line]
    assert f"({PROXY_MODEL})" in notice and "LITELLM_PROXY_API_BASE" not in log


def test_a_dropped_models_key_is_still_masked(tmp_path: Path) -> None:
    """Not sent anywhere, but a secret all the same (under pull_request_target it is set)."""
    key = "sk-gateway-" + "g" * 32
    config = (
        f'[[fallback_models]]\nmodel = "openai/gpt-4o-mini"\napi_base = "{_dead()}"\n'
        'api_key_env = "GATEWAY_KEY"\n'
    )
    settings, written = _fork_settings(tmp_path, config, {"GATEWAY_KEY": key})
    assert settings.fallback_models == ()
    assert written.splitlines()[0] == f"::add-mask::{key}"

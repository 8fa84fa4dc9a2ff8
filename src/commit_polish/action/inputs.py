"""What the step hands the Action: its `INPUT_*` variables, the runner's variables, the event
file, and the Settings built from them (secrets masked as soon as they are read).

The setting inputs and their names come from the settings' declaration; the inputs listed
here steer the Action itself. Everything is read from the `env` mapping `run.main` was given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commit_polish.action.comment import Marker
from commit_polish.errors import ConfigError
from commit_polish.github.errors import PERMISSIONS_YAML
from commit_polish.github.records import PullRequest, PullRequestRef
from commit_polish.settings.declared import INPUTS, input_spelling
from commit_polish.settings.load import REPO_CONFIG, load_settings
from commit_polish.settings.model import FallbackModel, Settings, is_local_model
from commit_polish.settings.proxy import KEY_ENV

if TYPE_CHECKING:
    from commit_polish.action.workflow import Step
    from commit_polish.github.client import GitHubClient

EDGE_INPUTS = {"github-token", "pr-number", "fail-on-error", "dry-run", "bot-login", "marker"}
"""The inputs that steer the Action itself; every other input is a setting's."""
KNOWN_INPUTS = set(INPUTS) | EDGE_INPUTS
# Keys LiteLLM reads for the cloud providers people use as fallbacks: mask them at once.
PROVIDER_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "MISTRAL_API_KEY",
    "GROQ_API_KEY",
    "AZURE_API_KEY",
    "COMMIT_POLISH_API_KEY",
    "LLAMAFILE_API_KEY",
    KEY_ENV,  # LITELLM_PROXY_API_KEY, LiteLLM's key for a `litellm_proxy/` model
)
# Events whose checkout may be trusted to hold the repository's own config file, unless the
# pull request comes from a fork.
CHECKOUT_CONFIG_EVENTS = {"pull_request", "workflow_dispatch"}
TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off", ""}


@dataclass(frozen=True)
class Inputs:
    settings: dict[str, str]
    token: str
    pr_number: str
    fail_on_error: bool
    dry_run: bool
    unknown: tuple[str, ...]
    bot_login: str = ""
    marker: Marker = Marker()


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """`INPUT_*` variables, with hyphenated names as the runner passes them."""
    raw: dict[str, str] = {}
    for name, value in env.items():
        if name.startswith("INPUT_"):
            raw[name.removeprefix("INPUT_").lower().replace("_", "-")] = value.strip()
    settings = {INPUTS[k]: v for k, v in raw.items() if k in INPUTS and v}
    return Inputs(
        settings=settings,
        token=raw.get("github-token", ""),
        pr_number=raw.get("pr-number", ""),
        fail_on_error=_flag(raw, "fail-on-error"),
        dry_run=_flag(raw, "dry-run"),
        unknown=tuple(sorted(k for k in raw if k not in KNOWN_INPUTS)),
        bot_login=raw.get("bot-login", ""),
        marker=_marker(raw),
    )


def _marker(raw: Mapping[str, str]) -> Marker:
    name = raw.get("marker", "")
    try:
        return Marker(name) if name else Marker()
    except ValueError as exc:
        raise ConfigError(
            f"input 'marker': {exc}",
            fix="set `marker:` to a short name of its own for each installation on the "
            "repository (for example `marker: commit-polish-docs`), or leave it out",
        ) from None


def _flag(raw: Mapping[str, str], name: str) -> bool:
    value = raw.get(name, "").lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise ConfigError(
        f"input {name!r} is {raw[name]!r}, not true or false",
        fix=f"set `{name}: true` or `{name}: false` in the step's `with:` block",
    )


def required(env: Mapping[str, str], name: str) -> str:
    """A runner variable the Action cannot run without."""
    value = env.get(name, "")
    if not value:
        raise ConfigError(
            f"{name} is not set: this does not look like a GitHub Actions runner",
            fix=f"run `commit-polish action` inside a workflow job, or set {name}",
        )
    return value


def load_event(env: Mapping[str, str]) -> dict[str, Any]:
    """The event payload the runner wrote to GITHUB_EVENT_PATH."""
    path = Path(required(env, "GITHUB_EVENT_PATH"))
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"the event file {path} (GITHUB_EVENT_PATH) does not exist",
            fix="run the action from a workflow trigger; the runner writes this file",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"the event file {path} is not valid JSON: {exc}",
            fix="run the action from a workflow trigger; the runner writes this file",
        ) from None
    if not isinstance(payload, dict):
        raise ConfigError(f"the event file {path} is not a JSON object", fix="see above")
    return payload


def mask_secrets(inputs: Inputs, env: Mapping[str, str], step: Step) -> None:
    """The secrets known before the settings are: the token and the provider keys (the
    primary's `COMMIT_POLISH_API_KEY` among them)."""
    step.mask(inputs.token)
    for name in PROVIDER_KEYS:
        step.mask(env.get(name, ""))


def step_settings(
    inputs: Inputs,
    repo_config: bool | tuple[str, str | None],
    env: Mapping[str, str],
    step: Step,
    *,
    fork: bool = False,
) -> Settings:
    """The Settings of this step: its inputs over the environment and the config files, and
    for a fork's pull request (`fork`) without the cloud models `fork_policy` drops."""
    dropped: tuple[FallbackModel, ...] = ()

    def policy(settings: Settings) -> Settings:
        # Before the endpoints are resolved, so a model it drops is neither warned about (its
        # key is withheld from a fork's run) nor an error (a `litellm_proxy/` one with no
        # address).
        nonlocal dropped
        if not fork:
            return settings
        kept, dropped = fork_policy(settings)
        return settings.model_copy(update={"fallback_models": kept}) if dropped else settings

    settings, warnings = load_settings(
        dict(inputs.settings),
        env=env,
        repo_root=Path(env.get("GITHUB_WORKSPACE") or Path.cwd()),
        repo_config=repo_config,
        flag_label=input_spelling,
        adjust=policy,
    )
    # Masked before any warning is written: a fallback's key is only known from here on
    # (a dropped one's too: it is a secret whether or not it is sent).
    if settings.api_key:
        step.mask(settings.api_key.get_secret_value())
    for fallback in (*settings.fallback_models, *dropped):
        if fallback.api_key_env:
            step.mask(env.get(fallback.api_key_env, ""))
    if dropped:
        step.notice(
            f"commit-polish: this pull request comes from a fork, so the cloud fallback models "
            f"({', '.join(f.model for f in dropped)}) are not asked: the local model and the "
            "message built from the diff only. To ask them for forks too, set the input "
            "`cloud-on-forks: true` or `cloud_on_forks = true` in .github/commit-polish.toml "
            "on the base branch."
        )
    for warning in warnings:
        step.warning(warning, title="commit-polish setting")
    return settings


def repo_config_source(
    event_name: str,
    client: GitHubClient,
    pr: PullRequest,
    ref: PullRequestRef,
    *,
    workspace: Path,
    step: Step,
) -> bool | tuple[str, str | None]:
    """Where `.github/commit-polish.toml` is read from.

    A branch of the repository itself, where the PR's author could already run code with the
    job's secrets: the checkout's file when the job checked one out, else the file at the
    PR's head through the API (a job without a checkout step would otherwise ignore it).
    Under pull_request_target and comment commands the checkout may be the PR's code, and a
    fork's files are the fork's, so its author could point requests that carry keys
    elsewhere: there the file is read from the base branch through the API instead.
    """
    if event_name in CHECKOUT_CONFIG_EVENTS and not from_fork(pr, ref):
        if (workspace / REPO_CONFIG).is_file():
            return True
        where = f"at {pr.head_sha[:12]}, the head of #{pr.number}"
        return _read_config(client, pr, pr.head_sha, where, step)
    return _read_config(client, pr, pr.base_ref, f"on {pr.base_ref}", step)


def _read_config(
    client: GitHubClient, pr: PullRequest, ref: str, where: str, step: Step
) -> bool | tuple[str, str | None]:
    """The file's text at `ref` through the API (None when absent). A token that may not read
    the repository's contents gets a warning that says the fix, and no repository config."""
    from commit_polish.github.client import GitHubRequestError

    label = f"repository config {REPO_CONFIG} {where}"
    try:
        return (label, client.read_file(pr.repo, str(REPO_CONFIG), ref))
    except GitHubRequestError as exc:
        if exc.kind != "forbidden":
            raise
        problem = exc.message
    step.warning(
        f"{label} was not read, so this run has the inputs and defaults only: {problem}. "
        f"Fix: give the job's token read access to the repository's contents:\n\n"
        f"{PERMISSIONS_YAML}",
        title="commit-polish: repository config not read",
    )
    return False


def fork_policy(
    settings: Settings,
) -> tuple[tuple[FallbackModel, ...], tuple[FallbackModel, ...]]:
    """For a fork's pull request: no cloud fallback model, unless the repository turned
    `cloud_on_forks` on, so a stranger's PR cannot spend its keys. Returns the fallback
    models to run with and those dropped."""
    if settings.cloud_on_forks:
        return settings.fallback_models, ()
    kept = tuple(f for f in settings.fallback_models if is_local_model(f.model))
    dropped = tuple(f for f in settings.fallback_models if not is_local_model(f.model))
    return kept, dropped


def from_fork(pr: PullRequest, ref: PullRequestRef) -> bool:
    """Whether the pull request's head may live outside its repository; unknown counts as yes.

    The API's answer, read for this run, is needed to say no: it names the head's repository
    (none for a deleted fork) for every event, where the payload's `from_fork` exists only for
    pull request events. The payload can still make the answer stricter, never laxer.
    """
    head = pr.head_repo
    same = head is not None and head.casefold() == pr.repo.casefold()
    return not same or ref.from_fork is True

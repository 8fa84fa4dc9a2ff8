"""The Action's edge: runner environment -> Settings -> pipeline -> one comment, outputs, exit.

`commit-polish action` is the container's ENTRYPOINT and runs as a plain process too. It reads
only the standard runner variables and the `INPUT_*` variables, masks secrets as soon as it
reads them, and maps every failure to an annotation, a job-summary note and an exit code.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import annotations as gha
from . import comment, event, pipeline
from .errors import AllModelsFailedError, CommitPolishError, ConfigError, GitHubError
from .records import ChangeContext, PullRequest, PullRequestRef, Skip, Suggestion
from .settings import REPO_CONFIG, Settings, load_settings
from .suggest import make_completer, pipeline_options

if TYPE_CHECKING:
    from .github import GitHubClient

# Action input -> Settings field; the other inputs steer the Action itself.
SETTING_INPUTS = {
    "model": "model",
    "api-base": "api_base",
    "fallback-models": "fallback_models",
    "max-prompt-tokens": "max_prompt_tokens",
    "timeout": "timeout",
    "style": "style",
    "language": "language",
    "instructions": "instructions",
    "ignore": "ignore",
}
EDGE_INPUTS = {"github-token", "pr-number", "fail-on-error", "dry-run", "bot-login"}
KNOWN_INPUTS = set(SETTING_INPUTS) | EDGE_INPUTS
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
)
# Events whose checkout may be trusted to hold the repository's own config file.
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


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """`INPUT_*` variables, with hyphenated names as the runner passes them."""
    raw: dict[str, str] = {}
    for name, value in env.items():
        if name.startswith("INPUT_"):
            raw[name.removeprefix("INPUT_").lower().replace("_", "-")] = value.strip()
    settings = {SETTING_INPUTS[k]: v for k, v in raw.items() if k in SETTING_INPUTS and v}
    return Inputs(
        settings=settings,
        token=raw.get("github-token", ""),
        pr_number=raw.get("pr-number", ""),
        fail_on_error=_flag(raw, "fail-on-error"),
        dry_run=_flag(raw, "dry-run"),
        unknown=tuple(sorted(k for k in raw if k not in KNOWN_INPUTS)),
        bot_login=raw.get("bot-login", ""),
    )


def _flag(raw: Mapping[str, str], name: str) -> bool:
    value = raw.get(name, "").lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise ConfigError(
        f"input {name!r} is {raw[name]!r}, not true or false",
        fix=f"set `{name}: true` or `{name}: false` in the step's `with:` block",
    )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ConfigError(
            f"{name} is not set: this does not look like a GitHub Actions runner",
            fix=f"run `commit-polish action` inside a workflow job, or set {name}",
        )
    return value


def _load_event(env: Mapping[str, str]) -> dict[str, Any]:
    path = Path(_required(env, "GITHUB_EVENT_PATH"))
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


def _mask_secrets(inputs: Inputs, env: Mapping[str, str], out: TextIO) -> None:
    gha.mask(inputs.token, out=out)
    for name in PROVIDER_KEYS:
        gha.mask(env.get(name, ""), out=out)


def _settings(
    inputs: Inputs,
    repo_config: bool | tuple[str, str | None],
    env: Mapping[str, str],
    out: TextIO,
) -> Settings:
    settings, warnings = load_settings(
        inputs.settings,
        repo_root=Path(env.get("GITHUB_WORKSPACE") or Path.cwd()),
        repo_config=repo_config,
        flag_label=lambda key: f"input {_input_name(key)!r}",
    )
    for warning in warnings:
        gha.warning(warning, title="commit-polish setting", out=out)
    if settings.api_key:
        gha.mask(settings.api_key.get_secret_value(), out=out)
    for fallback in settings.fallback_models:
        if fallback.api_key_env:
            gha.mask(env.get(fallback.api_key_env, ""), out=out)
    return settings


def _repo_config(
    event_name: str, client: GitHubClient, pr: PullRequest
) -> bool | tuple[str, str | None]:
    """Where `.github/commit-polish.toml` is read from.

    Under pull_request_target and comment commands the job holds secrets while the checkout
    may be the PR's code: a PR author must not point requests that carry cloud keys
    elsewhere, so the file is read from the base branch through the API instead.
    """
    if event_name in CHECKOUT_CONFIG_EVENTS:
        return True
    text = client.read_file(pr.repo, str(REPO_CONFIG), pr.base_ref)
    return (f"repository config {REPO_CONFIG} on {pr.base_ref}", text)


def _input_name(key: str) -> str:
    return next((name for name, field in SETTING_INPUTS.items() if field == key), key)


def _context(pr: PullRequest) -> ChangeContext:
    return ChangeContext(
        title=pr.title,
        description=pr.body,
        commit_messages=pr.commit_messages,
        history=pr.history,
        co_authors=pr.co_authors,
        number=pr.number,
    )


def _suggest(pr: PullRequest, settings: Settings, ref: PullRequestRef) -> Suggestion:
    from . import llm  # LiteLLM is imported only once a model will be asked

    options = pipeline_options(settings)
    # A comment's text is an instruction to the model, never a setting.
    extra = "\n".join(part for part in (options.instructions, ref.instructions) if part)
    return pipeline.run(
        pr.diff,
        _context(pr),
        dataclasses.replace(options, instructions=extra),
        count=llm.token_counter(settings.model),
        completer=make_completer(settings),
    )


def run(env: Mapping[str, str], out: TextIO = sys.stdout) -> int:
    inputs = read_inputs(env)
    _mask_secrets(inputs, env, out)
    for name in inputs.unknown:
        gha.warning(f"unknown input {name!r} is ignored", title="commit-polish input", out=out)
    event_name = _required(env, "GITHUB_EVENT_NAME")
    repo = _required(env, "GITHUB_REPOSITORY")
    target = event.read_event(
        event_name, _load_event(env), repo=repo, pr_number_input=inputs.pr_number
    )
    if isinstance(target, Skip):
        gha.notice(f"commit-polish skipped: {target.reason}", out=out)
        return 0
    if not inputs.token:
        raise ConfigError(
            "no GitHub token: the github-token input is empty",
            fix="keep the default `github-token: ${{ github.token }}` or pass a token",
        )
    from .github import GitHubClient, GitHubRequestError

    # A GitHub App's token writes as `<app-slug>[bot]`; an Actions token as github-actions[bot].
    bots = frozenset({inputs.bot_login or "github-actions[bot]"})
    client = GitHubClient(
        inputs.token,
        base_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        bot_logins=bots,
    )
    pr = client.read_pull_request(target.repo, target.number)
    refusal = _refusal(client, target, pr)
    if refusal:
        gha.notice(f"commit-polish skipped: {refusal}", out=out)
        return 0
    settings = _settings(inputs, _repo_config(event_name, client, pr), env, out)
    suggestion = _suggest(pr, settings, target)
    url, problem = "", None
    if not inputs.dry_run:
        try:
            url = _post(client, pr, comment.render(suggestion, pr), out)
        except GitHubRequestError as exc:  # also a read on the way: the message is kept below
            problem = exc
            gha.warning(str(exc), title=exc.title, out=out)
    _report(suggestion, pr, url, env, out)
    _missing_key_warnings(settings, suggestion, out)
    return _exit_code(suggestion, problem, inputs.fail_on_error)


def _post(client: GitHubClient, pr: PullRequest, body: str, out: TextIO) -> str:
    """The comment's URL, or "" when the PR moved on: a run for an older head must never
    overwrite the message of a newer one (the client checks the head right before writing)."""
    result = client.upsert_comment(
        pr.repo, pr.number, body, is_ours=_is_ours, head=pr.head_sha, head_of=comment.parse_marker
    )
    if result.action != "stale":
        return result.url
    gha.notice(
        f"commit-polish: #{pr.number} moved on from {pr.head_sha[:12]} while the message was "
        "written; the run for the new head updates the comment",
        out=out,
    )
    return ""


def _is_ours(body: str) -> bool:
    return comment.parse_marker(body) is not None


def _refusal(client: Any, target: PullRequestRef, pr: PullRequest) -> str | None:
    if pr.state != "open":
        return f"pull request #{pr.number} is {pr.state}"
    asker = target.commenter
    if asker and not target.commenter_trusted and not client.can_write(pr.repo, asker):
        return (
            f"{asker} asked for a new message but has no write access to {pr.repo} and is "
            "not the pull request's author"
        )
    return None


def _report(
    suggestion: Suggestion, pr: PullRequest, url: str, env: Mapping[str, str], out: TextIO
) -> None:
    message = suggestion.message
    cost = suggestion.cost_usd
    gha.set_outputs(
        {
            "message": message.text,
            "subject": message.subject,
            "body": message.body,
            "model": suggestion.model or "",
            "comment-url": url,
            "cost-usd": "" if cost is None else f"{cost:.6f}",
        },
        _path(env, "GITHUB_OUTPUT"),
        out=out,
    )
    gha.append_summary(comment.summary(suggestion, pr), _path(env, "GITHUB_STEP_SUMMARY"))
    if not message.from_model:
        tried = ", ".join(f"{a.model} ({a.outcome})" for a in suggestion.attempts)
        gha.warning(
            f"every model failed ({tried}); the suggested message was built from the diff",
            title="commit-polish: no model answered",
            out=out,
        )


def _missing_key_warnings(settings: Settings, suggestion: Suggestion, out: TextIO) -> None:
    """A fallback that was asked and refused for want of a key names the variable to set.

    One that was never reached stays quiet here: its key may be missing on purpose (a fork's
    run gets no secrets) and the run did not need it."""
    from . import llm

    refused = {a.model for a in suggestion.attempts if a.outcome == "auth"}
    for fallback in settings.fallback_models:
        if fallback.model not in refused:
            continue
        # The process environment, where `settings.endpoints` took the keys from.
        names: tuple[str, ...]
        if fallback.api_key_env:
            names = () if os.environ.get(fallback.api_key_env) else (fallback.api_key_env,)
        else:
            names = () if fallback.api_base else llm.missing_keys(fallback.model)
        if names:
            gha.warning(
                f"fallback model {fallback.model!r} was asked and refused: its key "
                f"{' or '.join(names)} is not set in the step's environment. Fix: add "
                f"`{names[0]}: ${{{{ secrets.{names[0]} }}}}` under the step's `env:`",
                title="commit-polish: missing API key",
                out=out,
            )


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name)
    return Path(value) if value else None


def _exit_code(suggestion: Suggestion, problem: GitHubError | None, fail_on_error: bool) -> int:
    if not fail_on_error:
        return 0
    if not suggestion.message.from_model:
        return AllModelsFailedError.exit_code
    return problem.exit_code if problem else 0


def main(env: Mapping[str, str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the Action; only a wrong configuration, or `fail-on-error`, fails the step."""
    env = os.environ if env is None else env
    try:
        return run(env, out)
    except CommitPolishError as exc:
        fail = isinstance(exc, ConfigError) or _fail_on_error(env)
        note = gha.error if fail else gha.warning
        note(str(exc), title=exc.title, out=out)
        gha.append_summary(
            f"### {exc.title}\n\n{exc.message}\n\n**Fix:** {exc.fix or 'see the log'}\n",
            _path(env, "GITHUB_STEP_SUMMARY"),
        )
        return exc.exit_code if fail else 0


def _fail_on_error(env: Mapping[str, str]) -> bool:
    """Read leniently here: a bad value has already been reported as a configuration error."""
    try:
        return read_inputs(env).fail_on_error
    except ConfigError:
        return False

"""The Action's edge: runner environment -> Settings -> pipeline -> one comment, outputs, exit.

`commit-polish action` is the container's ENTRYPOINT and runs as a plain process too. `main`
takes the environment (the process's when none is given) and hands it down; `action.inputs`
reads the standard runner variables and the `INPUT_*` variables from it and masks secrets as
soon as it reads them; everything the step writes (log, comment, outputs, summary) is scrubbed
of them. Every failure maps to an annotation, a job-summary note and an exit code.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from commit_polish import pipeline
from commit_polish.action import (
    advice,
    apply,
    body_block,
    cloud_cap,
    comment,
    event,
    merged,
    stored,
    title,
)
from commit_polish.action import workflow as gha
from commit_polish.action.inputs import (
    from_fork,
    load_event,
    mask_secrets,
    read_inputs,
    repo_config_source,
    required,
    step_settings,
)
from commit_polish.errors import AllModelsFailedError, CommitPolishError, ConfigError, GitHubError
from commit_polish.github.errors import GitHubRequestError
from commit_polish.github.records import PullRequest, PullRequestRef, Skip
from commit_polish.records import (
    ChangeContext,
    FileChange,
    PathCommit,
    Suggestion,
    tried_models,
)
from commit_polish.settings.model import Settings, is_local_model
from commit_polish.wiring import make_completer, pipeline_options, refused_server

if TYPE_CHECKING:
    from commit_polish.github.client import GitHubClient


def _context(pr: PullRequest, author_title: str) -> ChangeContext:
    return ChangeContext(
        # A title we wrote (write_title) is not the author's either: action/title.py.
        title=author_title,
        # Our own block (write_to: pr-body) is not the author's text.
        description=body_block.without_block(pr.body),
        commit_messages=pr.commit_messages,
        history=pr.history,
        co_authors=pr.co_authors,
        number=pr.number,
        title_is_default=pr.title_is_default,
    )


def _suggest(
    pr: PullRequest,
    settings: Settings,
    ref: PullRequestRef,
    env: Mapping[str, str],
    *,
    local_only: bool = False,
    author_title: str,
    read_paths: pipeline.PathReader | None = None,
) -> Suggestion:
    from commit_polish import llm  # LiteLLM is imported only once a model will be asked

    options = pipeline_options(settings)
    # A comment's text is an instruction to the model, never a setting.
    extra = "\n".join(part for part in (options.instructions, ref.instructions) if part)
    return pipeline.run(
        pr.diff,
        _context(pr, author_title),
        dataclasses.replace(options, instructions=extra),
        count=llm.token_counter(settings.model),
        completer=make_completer(settings, env, keep=is_local_model if local_only else None),
        read_paths=read_paths,
    )


def path_reader(
    client: GitHubClient, repo: str, base_ref: str, dropped: list[str]
) -> pipeline.PathReader:
    """The base branch's commits to the change's most changed files (a renamed one by its
    old path, the one the base branch has), through the API; a refusal only leaves them
    out, and says why in `dropped` for the job summary."""

    def read(files: Sequence[FileChange]) -> tuple[PathCommit, ...]:
        changes = ((f.old_path or f.path, f.added + f.removed) for f in files)
        return client.path_history(repo, base_ref, changes, on_drop=dropped.append)

    return read


def run(env: Mapping[str, str], step: gha.Step) -> int:
    inputs = read_inputs(env)
    mask_secrets(inputs, env, step)
    for name in inputs.unknown:
        step.warning(f"unknown input {name!r} is ignored", title="commit-polish input")
    event_name = required(env, "GITHUB_EVENT_NAME")
    repo = required(env, "GITHUB_REPOSITORY")
    # A GitHub App's token writes as `<app-slug>[bot]`; an Actions token as github-actions[bot].
    bots = frozenset({(inputs.bot_login or "github-actions[bot]").lower()})
    target = event.read_event(
        event_name, load_event(env), repo=repo, pr_number_input=inputs.pr_number, own_logins=bots
    )
    if isinstance(target, Skip):
        step.notice(f"commit-polish skipped: {target.reason}")
        return 0
    if not inputs.token:
        raise ConfigError(
            "no GitHub token: the github-token input is empty",
            fix="keep the default `github-token: ${{ github.token }}` or pass a token",
        )
    from commit_polish.github.client import GitHubClient

    client = GitHubClient(
        inputs.token,
        base_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        bot_logins=bots,
    )
    pr = client.read_pull_request(target.repo, target.number)
    if target.command == event.MERGED:  # compared with the last suggestion; no model is asked
        return merged.run(client, pr, inputs, step)
    if target.command:
        return apply.run_command(client, pr, target, inputs.marker, step, inputs.fail_on_error)
    refusal = _refusal(client, target, pr)
    if refusal:
        step.notice(f"commit-polish skipped: {refusal}")
        return 0
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    source = repo_config_source(event_name, client, pr, target, workspace=workspace, step=step)
    settings = step_settings(inputs, source, env, step, fork=from_fork(pr, target))
    mark = inputs.marker
    # Our comment is read before the model call only for the cap (with a cloud model in the
    # chain) and for whose title it is (write_title), once for both; otherwise only after the
    # model call, to be written.
    ours = functools.cache(lambda: client.own_comments(pr.repo, pr.number, is_ours=mark.owns))
    cap = cloud_cap.read(settings, mark, ours)
    titled = title.read(settings.write_title, mark, pr.title, ours)
    if cap.reached:
        step.notice(cap.notice())
    # A push must never merge under the message of an older head: off before the model call.
    before = apply.Outcome()
    if not inputs.dry_run and apply.ours(client, pr):
        before = apply.disarm(client, pr, mark)
    dropped: list[str] = []
    suggestion = _suggest(
        pr,
        settings,
        target,
        env,
        local_only=cap.reached,
        author_title=titled.author,
        read_paths=path_reader(client, pr.repo, pr.base_ref, dropped),
    )
    url, problem, outcome = "", before.problem, before
    if not inputs.dry_run:
        try:
            outcome = apply.after_suggestion(client, pr, suggestion, settings, before)
            problem = problem or outcome.problem
            message = stored.written(suggestion.message, pr)
            written = stored.field(mark, message)
            new_title = titled.wanted(suggestion, step.scrub)
            hidden = cap.hidden(mark, suggestion.attempts) + (f"\n{written}" if written else "")
            hidden += titled.hidden(mark, new_title)
            body = comment.render(
                suggestion, pr, mark=mark, hidden=hidden, note=cap.note(), status=outcome.status
            )
            url = _post(client, pr, body, inputs.marker, step)
            if url and settings.write_to == "pr-body":
                _write_block(client, pr, message, step)
                title.write(client, pr, new_title, step)
        except GitHubRequestError as exc:  # also a read on the way: the message is kept below
            problem = exc
            step.warning(str(exc), title=exc.title)
    down = refused_server(settings, env, suggestion, lambda e: is_local_model(e.model))
    note = " ".join(part for part in (cap.note(), *dropped) if part)
    _report(suggestion, pr, url, step, down=down, note=note, outcome=outcome)
    advice.missing_key_warnings(settings, suggestion, env, step)
    return _exit_code(suggestion, problem, inputs.fail_on_error)


def _post(
    client: GitHubClient, pr: PullRequest, body: str, mark: comment.Marker, step: gha.Step
) -> str:
    """The comment's URL, or "" when the PR moved on: a run for an older head must never
    overwrite the message of a newer one (the client checks the head right before writing).
    The body is scrubbed here, as every other text the step writes is by `step`."""
    result = client.upsert_comment(
        pr.repo,
        pr.number,
        step.scrub(body),
        is_ours=mark.owns,
        head=pr.head_sha,
        head_of=mark.head_of,
    )
    if result.action != "stale":
        return result.url
    step.notice(
        f"commit-polish: #{pr.number} moved on from {pr.head_sha[:12]} while the message was "
        "written; the run for the new head updates the comment",
    )
    return ""


def _write_block(
    client: GitHubClient, pr: PullRequest, message: stored.Written, step: gha.Step
) -> None:
    """The message's body into the description's block; nothing is sent when it is there."""
    text = step.scrub(body_block.with_block(pr.body, message.body))
    if text != pr.body:
        client.merges.edit_description(pr.repo, pr.number, text)
        step.notice(f"commit-polish: the message block in #{pr.number}'s description is updated")


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
    suggestion: Suggestion,
    pr: PullRequest,
    url: str,
    step: gha.Step,
    *,
    down: str | None,
    note: str = "",
    outcome: apply.Outcome | None = None,
) -> None:
    message = suggestion.message
    cost = suggestion.cost_usd
    outcome = outcome or apply.Outcome()
    step.set_outputs(
        {
            "applied": outcome.applied,
            "message": message.text,
            "subject": message.subject,
            "body": message.body,
            "model": suggestion.model or "",
            "comment-url": url,
            "cost-usd": "" if cost is None else f"{cost:.6f}",
        }
    )
    step.append_summary(comment.summary(suggestion, pr, note=note, status=outcome.status))
    if not message.from_model:
        step.warning(
            f"every model failed ({tried_models(suggestion.attempts)}); the suggested message "
            "was built from the diff" + (f". {advice.service_fix(down)}" if down else ""),
            title="commit-polish: no model answered",
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
    """Run the Action; only a wrong configuration, or `fail-on-error`, fails the step.

    `commit-polish action` passes the environment the CLI read; None reads the process's."""
    env = dict(os.environ) if env is None else env
    # The one writer of this run, and with it the one scrubber: created before anything is
    # read, so even an error about the first input is scrubbed of every secret known by then.
    step = gha.Step(
        out, outputs=_path(env, "GITHUB_OUTPUT"), summary=_path(env, "GITHUB_STEP_SUMMARY")
    )
    try:
        return run(env, step)
    except CommitPolishError as exc:
        fail = isinstance(exc, ConfigError) or _fail_on_error(env)
        note = step.error if fail else step.warning
        note(str(exc), title=exc.title)
        step.append_summary(_error_summary(exc))
        return exc.exit_code if fail else 0


def _error_summary(exc: CommitPolishError) -> str:
    """The error for the job summary. Its text may quote a PR, a config file or GitHub's
    answer, so it goes in code blocks like any other untrusted text; the title is ours."""
    message = comment.code_block(comment.clean(exc.message))
    fix = comment.code_block(comment.clean(exc.fix or "see the log"))
    return f"### {exc.title}\n\n{message}\n\n**Fix:**\n\n{fix}\n"


def _fail_on_error(env: Mapping[str, str]) -> bool:
    """Read leniently here: a bad value has already been reported as a configuration error."""
    try:
        return read_inputs(env).fail_on_error
    except ConfigError:
        return False

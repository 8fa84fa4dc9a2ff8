"""GitHub event payload -> the pull request to describe, or why not; pure.

The runner writes the webhook payload to `GITHUB_EVENT_PATH`; this module reads only that
mapping and the few values the edge hands in. It never calls the API: whether a commenter
may ask is decided later, and here only recorded (with what the payload already proves).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from commit_polish.errors import ConfigError
from commit_polish.github.records import PullRequestRef, Skip

PR_EVENTS = ("pull_request", "pull_request_target")
SUPPORTED = (*PR_EVENTS, "issue_comment", "workflow_dispatch")
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited")
# A retargeted PR (`base`) has a new diff, so it deserves a new message like a new title.
EDITS_THAT_MATTER = ("title", "body", "base")
COMMAND = "/commit-polish"
APPLY_COMMANDS = ("apply", "merge")
"""`/commit-polish apply` and `/commit-polish merge`, as the whole comment, put the message
into the commit; any other text after the command is instructions. Compared as the example
workflow's `if:` compares them (GitHub's `==` ignores case), so the job that runs a command
is always the job with the token it needs."""
MERGED = "merged"
"""The `command` of a `closed` event for a merged pull request: no message is written, the
merge commit is compared with the last suggestion (action/merged.py)."""
# Case-sensitive, a word of its own: `/commit-polishing` or `/Commit-Polish` is not ours.
_COMMAND = re.compile(r"\s*/commit-polish(?=\s|\Z)(.*)\Z", re.DOTALL)
# author_association values that already imply the commenter is trusted on this repository.
# Only OWNER proves write access by itself: MEMBER and COLLABORATOR may be read-only, so
# those commenters are checked through the API.
TRUSTED_ASSOCIATIONS = frozenset({"OWNER"})
MAX_INSTRUCTIONS = 500
PR_NUMBER_INPUTS = ("pr-number", "pr_number")

_T = TypeVar("_T")
_KINDS = {bool: "true or false", int: "an integer", str: "a string", dict: "an object"}
_PAYLOAD_FIX = (
    "run the action from the workflow trigger it was written for: the runner writes "
    "GITHUB_EVENT_PATH with GitHub's webhook payload; a hand-made event file must have the "
    "same shape (see GitHub's 'Webhook events and payloads' page)"
)
_DISPATCH_FIX = """pass the pull request's number as `pr-number`; declare it on the trigger:
  on:
    workflow_dispatch:
      inputs:
        pr-number:
          description: Number of the pull request to describe
          required: true
or pass `pr-number: 123` in the step's `with:` block"""


def read_event(
    event_name: str,
    payload: Mapping[str, Any],
    *,
    repo: str,
    pr_number_input: str = "",
    own_logins: frozenset[str] = frozenset(),
) -> PullRequestRef | Skip:
    """Which pull request `event_name` asks us to describe, or why it asks for nothing.
    `own_logins` (lower-case) are this Action's: its own edits of a pull request (the
    message block of `write_to: pr-body`) never ask for a new message.

    Raises ConfigError when the payload lacks what this event always carries, or a manual run
    names no valid pull request number.
    """
    if not isinstance(payload, Mapping):
        raise ConfigError(
            f"the {event_name} event payload is a {type(payload).__name__}, not a JSON object",
            fix=_PAYLOAD_FIX,
        )
    repo = repo or _get(payload, "repository.full_name", str, event_name)
    if event_name in PR_EVENTS:
        return _pull_request(event_name, payload, repo, own_logins)
    if event_name == "issue_comment":
        return _comment(payload, repo)
    if event_name == "workflow_dispatch":
        return PullRequestRef(repo, _dispatch_number(payload, pr_number_input), event_name)
    return Skip(
        f"event {event_name!r} is not handled: commit-polish runs on {', '.join(SUPPORTED)}"
    )


def _pull_request(
    event: str, payload: Mapping[str, Any], repo: str, own_logins: frozenset[str]
) -> PullRequestRef | Skip:
    action = _get(payload, "action", str, event)
    number = _get(payload, "pull_request.number", int, event)
    state = _get(payload, "pull_request.state", str, event)
    if action == "closed" and _optional(payload, "pull_request.merged", bool, event):
        from_fork = _from_fork(payload, event, repo)
        return PullRequestRef(repo, number, event, command=MERGED, from_fork=from_fork)
    if state != "open":
        return Skip(f"pull request #{number} is {state}: there is nothing left to merge")
    if _optional(payload, "pull_request.draft", bool, event):
        return Skip(f"draft PR #{number}: runs again when it is marked ready for review")
    if action not in PR_ACTIONS:
        return Skip(f"{event} action {action!r} does not change what #{number} would merge")
    if action == "edited":
        sender = (_optional(payload, "sender.login", str, event) or "").lower()
        if sender in own_logins:
            return Skip(f"PR #{number} edited by this action ({sender}): its own block")
        changes = _optional(payload, "changes", dict, event) or {}
        if not any(key in changes for key in EDITS_THAT_MATTER):
            return Skip(f"PR #{number} edited without a title, description or base change")
    return PullRequestRef(repo, number, event, from_fork=_from_fork(payload, event, repo))


def _from_fork(payload: Mapping[str, Any], event: str, repo: str) -> bool | None:
    head = _optional(payload, "pull_request.head", dict, event)
    if head is None:
        return None  # a trimmed payload: we cannot tell, so we do not claim either way
    if head.get("repo") is None:
        return True  # GitHub sends `repo: null` when the fork was deleted
    head_name = _optional(payload, "pull_request.head.repo.full_name", str, event)
    base_name = _optional(payload, "pull_request.base.repo.full_name", str, event) or repo
    return head_name != base_name


def _comment(payload: Mapping[str, Any], repo: str) -> PullRequestRef | Skip:
    event = "issue_comment"
    action = _get(payload, "action", str, event)
    if action not in ("created", "edited"):
        return Skip(f"comment {action}: only a new or edited comment can ask for a message")
    number = _get(payload, "issue.number", int, event)
    if _optional(payload, "issue.pull_request", dict, event) is None:
        return Skip(f"comment on an issue, not a pull request (#{number})")
    body = _optional(payload, "comment.body", str, event) or ""
    applying = next((v for v in APPLY_COMMANDS if body.casefold() == f"{COMMAND} {v}"), "")
    command = _COMMAND.match(body)
    if command is None and not applying:
        return Skip(f"comment on #{number} does not start with {COMMAND}")
    login = _get(payload, "comment.user.login", str, event)
    if _optional(payload, "comment.user.type", str, event) == "Bot" or login.endswith("[bot]"):
        return Skip(f"comment on #{number} by the bot {login}: bots cannot ask for a message")
    state = _get(payload, "issue.state", str, event)
    if state != "open":
        return Skip(f"pull request #{number} is {state}: there is nothing left to merge")
    association = _optional(payload, "comment.author_association", str, event)
    author = _optional(payload, "issue.user.login", str, event)
    rest = command.group(1) if command else ""
    if applying and action != "created":
        # Editing an old comment must not merge: only a new comment is a decision made now.
        return Skip(f"edited comment on #{number}: {COMMAND} {applying} acts on a new comment only")
    return PullRequestRef(
        repo,
        number,
        event,
        instructions="" if applying else _instructions(rest),
        command=applying,
        commenter=login,
        commenter_trusted=association in TRUSTED_ASSOCIATIONS or login == author,
    )


def _instructions(rest: str) -> str:
    """The text after the command; capped, because it goes into every prompt of this run."""
    text = rest.replace("\r\n", "\n").strip()
    return text[:MAX_INSTRUCTIONS].rstrip()


def _dispatch_number(payload: Mapping[str, Any], fallback: str) -> int:
    inputs = _optional(payload, "inputs", dict, "workflow_dispatch") or {}
    raw = next((inputs[n] for n in PR_NUMBER_INPUTS if inputs.get(n) not in (None, "")), None)
    source = "the workflow_dispatch input `pr-number`"
    if raw is None:
        raw, source = fallback, "the action's `pr-number` input"
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    text = raw.strip().removeprefix("#") if isinstance(raw, str) else ""
    if re.fullmatch(r"[0-9]+", text) and int(text) > 0:
        return int(text)
    if raw in (None, ""):
        problem = (
            "a workflow_dispatch run needs a `pr-number` input naming the pull request to "
            "describe, and none was given"
        )
    else:
        problem = f"{source} is {raw!r}, not a positive pull request number"
    raise ConfigError(problem, fix=_DISPATCH_FIX)


def _get(payload: Mapping[str, Any], path: str, kind: type[_T], event: str) -> _T:
    value = _optional(payload, path, kind, event)
    if value is None:
        raise ConfigError(
            f"the {event} event payload has no `{path}` ({_KINDS[kind]} expected)",
            fix=_PAYLOAD_FIX,
        )
    return value


def _optional(payload: Mapping[str, Any], path: str, kind: type[_T], event: str) -> _T | None:
    """The value at a dotted `path`, None when it (or an object on the way) is absent or null."""
    value: Any = payload
    for depth, key in enumerate(path.split(".")):
        if value is None:
            return None
        if not isinstance(value, Mapping):
            where = ".".join(path.split(".")[:depth])
            raise ConfigError(
                f"the {event} event payload's `{where}` is {_describe(value)}, not an object",
                fix=_PAYLOAD_FIX,
            )
        value = value.get(key)
    # bool is an int in Python: a JSON `true` must not pass for a PR number.
    if value is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    raise ConfigError(
        f"the {event} event payload's `{path}` is {_describe(value)}, not {_KINDS[kind]}",
        fix=_PAYLOAD_FIX,
    )


def _describe(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an array" if isinstance(value, list) else "an object"
    )

"""Putting the suggested message into the squash commit, never on a doubt.

Three ways in, one rule: the message applied is the one our comment shows, for the head it
was written for (`stored.py`), and GitHub is asked to refuse if the head has moved
(`expectedHeadOid`, `sha`).
- `/commit-polish apply` turns on GitHub's auto-merge (squash) with it; `/commit-polish
  merge` merges now. Both need write access: a pull request's author without it may ask for
  a new message, never for a merge.
- `apply: auto-merge` turns auto-merge on after each suggestion whose subject is the pull
  request's own, kept as written: docs/quality.md measures only those at GitHub's default (a
  subject put into the repository's form scored below it on dev2); any other subject waits
  for a maintainer's command.
- A pending auto-merge this Action turned on is turned off as soon as a run sees the pull
  request at another head than its message was written for (and turned on again with the new
  message under `apply: auto-merge`), so a push never merges under an old message.
Each outcome is one status line in the comment, the job summary and the `applied` output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commit_polish.action import handoff, stored
from commit_polish.action.event import COMMAND
from commit_polish.action.inert import code_span, sha_span
from commit_polish.action.marker import Marker
from commit_polish.github.errors import APPLY_PERMISSIONS_YAML, GitHubRequestError
from commit_polish.github.records import PullRequest, PullRequestRef
from commit_polish.records import SubjectSource, Suggestion
from commit_polish.settings.model import Settings

if TYPE_CHECKING:
    from commit_polish.action.workflow import Step
    from commit_polish.github.client import GitHubClient

AUTO = "auto-merge"
MERGED = "merged"
TRUSTED_SOURCES = frozenset({SubjectSource.AUTHOR})
"""Subjects `apply: auto-merge` applies unattended: the pull request's own, as written."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What applying did: `applied` is the output (`auto-merge`, `merged` or ""), `status`
    the comment's line (Markdown from our template), `problem` a refusal to report."""

    applied: str = ""
    status: str = ""
    problem: GitHubRequestError | None = None
    comment: str = ""
    """For a command: the body of our comment whose message it applied, to add the status."""
    refused: bool = False
    """The commenter may not apply: the log says so, and the comment is left alone (a
    stranger's commands must not make the bot write)."""


def command(client: GitHubClient, pr: PullRequest, ref: PullRequestRef, mark: Marker) -> Outcome:
    """`/commit-polish apply` or `/commit-polish merge` from `ref.commenter`."""
    asker = ref.commenter or ""
    if not client.can_write(pr.repo, asker):
        return Outcome(
            status=f"{code_span(asker)} asked to {ref.command} but has no write access to this "
            "repository: only users who could merge it themselves can. A pull request's "
            f"author may still ask for a new message with {code_span(COMMAND)}.",
            refused=True,
        )
    found = stored.shown(mark, client.own_comments(pr.repo, pr.number, is_ours=mark.owns))
    if found is None:
        return Outcome(
            status=f"There is no suggested message to {ref.command} yet: comment "
            f"{code_span(COMMAND)} to have one written, then {ref.command} it."
        )
    message, shown = found
    if message.head != pr.head_sha:
        return Outcome(status=_moved(message.head, pr.head_sha, ref.command), comment=shown)
    done = _put(client, pr, message, merge_now=ref.command == "merge")
    return dataclasses.replace(done, comment=shown)


def run_command(
    client: GitHubClient,
    pr: PullRequest,
    target: PullRequestRef,
    mark: Marker,
    step: Step,
    fail_on_error: bool,
) -> int:
    """`/commit-polish apply` or `merge`: no model is asked; our comment gets the outcome."""
    if pr.state != "open":
        step.notice(f"commit-polish skipped: pull request #{pr.number} is {pr.state}")
        return 0
    outcome = command(client, pr, target, mark)
    if outcome.refused:
        step.notice(f"commit-polish skipped: {handoff.plain(outcome.status)}")
        return 0
    url = ""
    try:
        body = (
            handoff.with_status(outcome.comment, outcome.status)
            if outcome.comment
            else handoff.status_only(mark, pr.head_sha, outcome.status)
        )
        result = client.upsert_comment(pr.repo, pr.number, step.scrub(body), is_ours=mark.owns)
        url = result.url
    except GitHubRequestError as exc:
        step.warning(str(exc), title=exc.title)
    step.set_outputs({"applied": outcome.applied, "comment-url": url})
    step.append_summary(handoff.status_summary(outcome.status))
    problem = outcome.problem
    if problem is not None:
        step.warning(str(problem), title=problem.title)
        return problem.exit_code if fail_on_error else 0
    step.notice(f"commit-polish {target.command}: {handoff.plain(outcome.status)}")
    return 0


def disarm(client: GitHubClient, pr: PullRequest, mark: Marker) -> Outcome:
    """Before a new message is written: turn off an auto-merge of ours whose message was
    written for another head. Called only when the pull request has one of ours."""
    bodies = client.own_comments(pr.repo, pr.number, is_ours=mark.owns)
    message = stored.latest(mark, bodies)
    if message is not None and message.head == pr.head_sha:
        return Outcome(AUTO)  # still the message for this head: leave it
    old = message.head if message else "an older head"
    try:
        client.merges.disable_auto_merge(pr.node_id)
    except GitHubRequestError as exc:
        return Outcome(status=_refusal("turn off the auto-merge set for " + old, exc), problem=exc)
    return Outcome(
        status=f"**Auto-merge turned off:** it was set with the message written for "
        f"{_sha(old)}, and the pull request has moved on to {_sha(pr.head_sha)}. "
        f"Comment {code_span(COMMAND + ' apply')} to merge with this message instead."
    )


def ours(client: GitHubClient, pr: PullRequest) -> bool:
    """Whether the pull request has an auto-merge this Action's token turned on."""
    pending = pr.auto_merge
    return pending is not None and pending.enabled_by.lower() in client.own_logins()


def after_suggestion(
    client: GitHubClient,
    pr: PullRequest,
    suggestion: Suggestion,
    settings: Settings,
    before: Outcome,
) -> Outcome:
    """After a new message: keep, move or turn off an auto-merge of ours for this head
    (`before` is what `disarm` left), then `apply: auto-merge`."""
    new = stored.written(suggestion.message, pr)
    pending = pr.auto_merge
    if before.applied == AUTO and pending is not None:  # ours, set for this head
        if (pending.title, pending.message) == (new.headline, new.body):
            return Outcome(AUTO, _auto_merge_on(new.head))
        # The same head, another message (new instructions, other settings): the pending
        # one is no longer what the comment shows.
        try:
            client.merges.disable_auto_merge(pr.node_id)
        except GitHubRequestError as exc:
            return Outcome(status=_refusal("turn off the earlier auto-merge", exc), problem=exc)
        before = Outcome(
            status="**Auto-merge turned off:** it was set with an earlier message for this "
            f"head. Comment {code_span(COMMAND + ' apply')} to merge with this one instead."
        )
    if settings.apply != AUTO:
        return before
    if pending is not None and not before.status:
        by = code_span(pending.enabled_by)
        return Outcome(status=f"Auto-merge was already set by {by}; it is left as it is.")
    if suggestion.subject_source not in TRUSTED_SOURCES or not suggestion.message.from_model:
        return Outcome(
            status=f"**Not applied automatically:** `apply: {AUTO}` applies only a subject that "
            "is the pull request's own, as written, the one kind commit-polish's evaluation "
            "measures at GitHub's default; this one was "
            + _SOURCE_WORDS.get(suggestion.subject_source, "written by a model")
            + f". Comment {code_span(COMMAND + ' apply')} to use it."
        )
    return _put(client, pr, new, merge_now=False)


def _put(
    client: GitHubClient, pr: PullRequest, message: stored.Written, *, merge_now: bool
) -> Outcome:
    verb = "merge" if merge_now else "turn on auto-merge"
    try:
        if client.merges.merge_queue(pr.repo, pr.base_ref):
            return Outcome(
                status=f"**Not applied:** {code_span(pr.base_ref)} merges through a merge "
                "queue, and GitHub's merge queue writes its own commit message. Copy this "
                "message into the pull request's title and description instead."
            )
        if merge_now:
            sha = client.merges.merge(
                pr.repo, pr.number, message.headline, message.body, message.head
            )
            return Outcome(MERGED, f"**Merged** with this message as {_sha(sha)}.")
        client.merges.enable_auto_merge(pr.node_id, message.headline, message.body, message.head)
    except GitHubRequestError as exc:
        return Outcome(status=_refusal(verb, exc), problem=exc)
    return Outcome(AUTO, _auto_merge_on(message.head))


def _auto_merge_on(head: str) -> str:
    return (
        f"**Auto-merge is on** with this message, for {_sha(head)}: GitHub squash-merges the "
        "pull request once its requirements are met. A push turns it off."
    )


_SOURCE_WORDS = {
    SubjectSource.REFORMATTED: "put into the repository's form",
    SubjectSource.NOTE: "the changelog entry it adds",
    SubjectSource.FALLBACK: "built from the diff alone",
}
_ADVICE = {
    "mergeable": "GitHub can merge the pull request right now, so there is nothing for "
    f"auto-merge to wait for. Comment {code_span(COMMAND + ' merge')} to merge it now.",
    "not_allowed": "auto-merge is off in this repository. An admin can turn on Settings > "
    "General > Pull Requests > Allow auto-merge; or comment "
    f"{code_span(COMMAND + ' merge')} once it can be merged.",
    "not_mergeable": "GitHub cannot merge it now (a conflict, or a required check or review "
    f"is missing). Comment {code_span(COMMAND + ' apply')} to merge it with this message "
    "once it can.",
    "head_moved": "the pull request moved on while this was asked. The run for the new head "
    "writes a new message; apply that one.",
    "forbidden": "the job's token may not merge. Give the job "
    + code_span(APPLY_PERMISSIONS_YAML.replace("\n", " "), 80)
    + " (a fork's pull request gets a read-only token).",
}


def _refusal(verb: str, exc: GitHubRequestError) -> str:
    why = _ADVICE.get(exc.kind, "see the job's log for GitHub's answer.")
    return f"**Not applied:** could not {verb}: {why}"


def _moved(written_for: str, head: str, verb: str) -> str:
    return (
        f"**Not applied:** the suggested message was written for {_sha(written_for)}, and the "
        f"pull request is now at {_sha(head)}. The run for the new head writes a new message; "
        f"comment {code_span(f'{COMMAND} {verb}')} again once it is there."
    )


def _sha(sha: str) -> str:
    return sha_span(sha, otherwise=sha)

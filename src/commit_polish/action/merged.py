"""After the merge: how much of the last suggestion the merged commit kept, as one status line.

On `pull_request` (or `pull_request_target`) `closed` with `merged: true` (event.py's
`command="merged"`), the merge commit's message is read (for a squash, the squash commit) and
compared with the message our comment holds (stored.py). No model is asked: the comment's
status line says what happened, and the step sets `merged-with` and `kept`.

`merged-with` is `suggestion` (the message as suggested), `default` (GitHub's own message, not
ours), `edited` (part of ours kept) or `other` (nothing of ours kept). `kept` is a share of
the suggestion, 0-100, measured as `commit-polish eval` scores a suggestion against the
maintainers' message (evaluation/metrics.py, with the merged message as the reference):

- both messages are read alike first: the subject is the first line without GitHub's ` (#N)`
  and with its spaces collapsed; the body is the rest without its `*-by:` trailers
  (`fields.split_body`, as the eval's data sets keep them apart);
- subject: the B-Norm BLEU of our subject against the merged one;
- body: the ROUGE-L F1 of our body against the merged one, counted only when ours has one;
- `kept` is the subject's score, or the mean of the two when our message has a body, rounded;
  100 only for the same subject and body (then `merged-with` is `suggestion`), at most 99 for
  any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from commit_polish.action import handoff, stored
from commit_polish.action.inert import sha_span
from commit_polish.evaluation import metrics
from commit_polish.evaluation.fields import split_body
from commit_polish.github.errors import GitHubRequestError
from commit_polish.github.records import PullRequest

if TYPE_CHECKING:
    from commit_polish.action.inputs import Inputs
    from commit_polish.action.workflow import Step
    from commit_polish.github.client import GitHubClient

SUGGESTION, EDITED, DEFAULT, OTHER = "suggestion", "edited", "default", "other"
MAX_MESSAGE = 200_000
"""Characters of a message read at all: a merged message is text a PR author may control."""
MAX_SCORED = 4_000
"""Characters of a subject or body scored: ROUGE-L's table grows with the product of the
two lengths, so each is cut to a fixed size first."""


@dataclass(frozen=True, slots=True)
class Parts:
    """A commit message as it is compared: subject without ` (#N)`, body without trailers."""

    subject: str
    body: str


def parts(message: str) -> Parts:
    text = message[:MAX_MESSAGE].replace("\r\n", "\n").strip()
    subject = " ".join(metrics.split_message(text)[0].split())
    return Parts(subject, split_body(text)[0])


@dataclass(frozen=True, slots=True)
class Defaults:
    """What GitHub writes by itself when nobody edits the merge box, in `parts` form: the
    squash title (the pull request's title, or its one commit's subject) and message (the
    commits as a `* ` list, or the one commit's body), or a merge commit's."""

    subjects: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()
    merge_subject: str = ""
    """A merge commit's subject starts so: `Merge pull request #N from `."""

    def has_subject(self, subject: str) -> bool:
        merge = self.merge_subject
        return subject in self.subjects or bool(merge and subject.startswith(merge))


def github_defaults(title: str, number: int, commit_messages: tuple[str, ...]) -> Defaults:
    """GitHub's default messages for a pull request, from what the pull request read gives."""
    commits = [parts(m) for m in commit_messages[:1]]
    listed = "\n\n".join(f"* {m}" for m in commit_messages)
    bodies = {parts(f"-\n\n{listed}").body, parts(f"-\n\n{title}").body}
    if len(commit_messages) == 1:
        bodies.add(commits[0].body)
    return Defaults(
        subjects=frozenset({parts(title).subject, *(c.subject for c in commits)}),
        bodies=frozenset(bodies),
        merge_subject=f"Merge pull request #{number} from ",
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """How the merged message relates to ours; scores 0-100 (see the module's docstring)."""

    merged_with: str
    kept: int
    subject: float
    body: float | None
    """None when our message has no body: then `kept` is the subject's score alone."""


def compare(ours: str, merged: str, defaults: Defaults | None = None) -> Comparison:
    """Our suggested message against the merged one; `defaults` tells GitHub's own apart."""
    mine, theirs = parts(ours), parts(merged)
    if mine == theirs:
        return Comparison(SUGGESTION, 100, 100.0, 100.0 if mine.body else None)
    subject = metrics.bnorm(theirs.subject[:MAX_SCORED], mine.subject[:MAX_SCORED])
    body = metrics.rouge_l(theirs.body[:MAX_SCORED], mine.body[:MAX_SCORED]) if mine.body else None
    kept = min(_percent(subject if body is None else (subject + body) / 2), 99)
    defaults = defaults or Defaults()
    # Our subject may be the pull request's own title: then only GitHub's own body tells
    # that nobody chose our message.
    if defaults.has_subject(theirs.subject) and (
        mine.subject != theirs.subject or theirs.body in defaults.bodies
    ):
        return Comparison(DEFAULT, kept, subject, body)
    return Comparison(EDITED if kept else OTHER, kept, subject, body)


def measure(
    ours: stored.Written, merged: str, title: str, number: int, commits: tuple[str, ...]
) -> Comparison:
    """The merged check's one comparison: the message our comment holds against the merged
    one, GitHub's defaults made of the pull request's title and commits (also what
    `eval --repo --kept` reports over a repository's history: merged_history.py)."""
    defaults = github_defaults(title, number, commits)
    return compare(f"{ours.headline}\n\n{ours.body}", merged, defaults)


def status(result: Comparison, sha: str) -> str:
    """The comment's one status line (Markdown of our template: numbers and a sha only)."""
    commit = sha_span(sha, otherwise="a commit")
    if result.merged_with == SUGGESTION:
        return f"**Merged with this message** as {commit}."
    if result.merged_with == DEFAULT:
        return (
            f"**Merged with GitHub's default message**, not this one, as {commit} "
            f"({result.kept}% of this message kept)."
        )
    if result.merged_with == OTHER:
        return f"**Merged with another message** as {commit}: none of this message was kept."
    scores = f"subject {_percent(result.subject)}%"
    if result.body is not None:
        scores += f", body {_percent(result.body)}%"
    return f"**Merged after edits:** {result.kept}% kept ({scores}) as {commit}."


def run(client: GitHubClient, pr: PullRequest, inputs: Inputs, step: Step) -> int:
    """A merged pull request: compare, update our comment's status line, set the outputs.

    Nothing is written when the pull request was not merged or has no message of ours."""
    if not (pr.merged and pr.merge_commit_sha):
        step.notice(f"commit-polish skipped: pull request #{pr.number} was closed, not merged")
        return 0
    mark = inputs.marker
    found = stored.shown(mark, client.own_comments(pr.repo, pr.number, is_ours=mark.owns))
    if found is None:
        step.notice(
            f"commit-polish: #{pr.number} was merged with no message of ours on it: "
            "nothing to compare"
        )
        return 0
    ours, shown = found
    merged = client.merges.commit_message(pr.repo, pr.merge_commit_sha)
    result = measure(ours, merged, pr.title, pr.number, pr.commit_messages)
    line = status(result, pr.merge_commit_sha)
    url, problem = "", None
    if not inputs.dry_run:
        body = step.scrub(handoff.with_status(shown, line))
        try:
            url = client.upsert_comment(pr.repo, pr.number, body, is_ours=mark.owns).url
        except GitHubRequestError as exc:
            problem = exc
            step.warning(str(exc), title=exc.title)
    outputs = {"merged-with": result.merged_with, "kept": str(result.kept), "comment-url": url}
    step.set_outputs(outputs)
    step.append_summary(handoff.status_summary(line))
    step.notice(f"commit-polish merged: {handoff.plain(line)}")
    return problem.exit_code if problem is not None and inputs.fail_on_error else 0


def _percent(score: float) -> int:
    """Rounded half up, 0-100."""
    return max(0, min(100, int(score + 0.5)))

"""GitHub's default squash message for an evaluation case: the message to beat; pure."""

from __future__ import annotations

from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation.cases import Case
from commit_polish.evaluation.fields import split_body
from commit_polish.message import anchor
from commit_polish.message.style import analyse_history
from commit_polish.records import ChangeContext


def default_message(case: Case) -> str | None:
    """What GitHub pre-fills in the squash-merge box, as the data set would record it.

    One commit: that commit's message. Several: the PR title over `* message` for each commit,
    oldest first (GitHub's defaults, `COMMIT_OR_PR_TITLE` and `COMMIT_MESSAGES`). The data sets
    hold no PR title (it would be a copy of the answer), so the first commit's subject stands
    in. The trailers go as they went from the maintainers' message (`split_body`), or the
    default would be scored on lines its reference never keeps. None without the commits.
    """
    messages = case.commit_messages
    if not messages:
        return None
    if len(messages) == 1:
        message = messages[0]
    else:
        title = messages[0].partition("\n")[0]
        message = "\n\n".join([title, *(f"* {m}" for m in messages)])
    subject = message.partition("\n")[0].strip()
    body, _ = split_body(message)
    return f"{subject}\n\n{body}" if body else subject


def author_fits(case: Case) -> bool:
    """Whether the PR's own subject already fits the repository's form, as the pipeline
    judges it with `style=auto`: where a suggestion below it is the failure to count. "Fits"
    is the issue's: at most `anchor.SUBJECT_LIMIT` characters, though a longer one is kept."""
    repo = analyse_history(case.history)
    context = ChangeContext(commit_messages=case.commit_messages, history=case.history)
    kept = anchor.keep(
        context, style=anchor.history_form(repo), repo=repo, files=parse_diff(case.diff)
    )
    return kept is not None and not kept.reason and len(kept.subject) <= anchor.SUBJECT_LIMIT

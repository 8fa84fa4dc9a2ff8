"""Score one `commit-polish eval` answer, and GitHub's default squash message beside it,
against the maintainers' message; the means over many such scores, and the groups of
cases they are taken over; pure."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commit_polish.evaluation import baseline, metrics
from commit_polish.evaluation.cases import Case
from commit_polish.evaluation.fields import split_body


def _commits(case: Case) -> str:
    count = len(case.commit_messages)
    return "no commits" if count == 0 else "1 commit" if count == 1 else "2+ commits"


GROUPS: dict[str, Callable[[Case], str]] = {
    "repo": lambda case: case.repo,
    "style": lambda case: case.style,
    "size": lambda case: case.size,
    # GitHub's default is the commit itself for one commit: the two groups differ most.
    "commits": _commits,
}
# The two sources an answer file may hold beside `records.SubjectSource`'s (`compare`).
ERROR, UNKNOWN = "error", "unknown"


@dataclass(frozen=True, slots=True)
class Score:
    """One case's scores, 0-100; the conventional ones are None on plain-style cases."""

    case: Case
    bnorm_subject: float
    bnorm_message: float
    bnorm_body: float | None
    """The body alone against the maintainers' body; None where they wrote none."""
    rouge_subject: float
    rouge_message: float
    exact_subject: bool
    subject_fits: bool
    type_agrees: bool | None
    """Our subject's Conventional-Commits type is the maintainers' (conventional cases)."""
    conventional_form: bool | None
    from_model: bool
    seconds: float
    github: Score | None = None
    """GitHub's default squash message for the same case, scored alike; None without the
    PR's commits."""
    source: str = "model"
    """Whose words the subject is (`records.SubjectSource`); `error` for a case the pipeline
    could not describe, `unknown` for an answer written before `eval` saved it."""
    scope_agrees: bool | None = None
    """Our subject's scope is the maintainers' (exactly); None where they wrote no scope."""
    predicted: str = ""
    """The message as scored (subject without ` (#N)`, body without trailers): the one
    the linters read, as they read the maintainers' `case.reference`."""


def score(case: Case, result: Mapping[str, Any]) -> Score:
    """An answer's scores, with GitHub's default's beside them."""
    return _score(
        case,
        str(result.get("message", "")),
        from_model=bool(result.get("from_model", True)),
        seconds=float(result.get("seconds", 0.0)),
        github=github_default(case),
        source=answer_source(result),
    )


def answer_source(result: Mapping[str, Any]) -> str:
    """Whose words an answer's subject is, as `--out` recorded it (`subject_source`)."""
    source = result.get("subject_source")
    if source:
        return str(source)
    # A case the pipeline refused (an empty diff) has no subject at all; older --out files
    # have no field: counting either as the model's would put its words where they are not.
    return ERROR if result.get("error") else UNKNOWN


def github_default(case: Case) -> Score | None:
    """GitHub's default squash message (`baseline`) scored like an answer; None when the
    case has no commits to build it from."""
    message = baseline.default_message(case)
    if message is None:
        return None
    return _score(case, message, from_model=False, seconds=0.0, github=None)


def _score(
    case: Case,
    message: str,
    *,
    from_model: bool,
    seconds: float,
    github: Score | None,
    source: str = "model",
) -> Score:
    subject = metrics.split_message(message)[0]
    # The data sets keep trailers apart from the body (and GitHub's default loses them the
    # same way, `baseline`): ours are scored without them too.
    body = split_body(message)[0]
    predicted = f"{subject}\n\n{body}" if body else subject
    conventional = case.style == "conventional"
    kind = metrics.commit_type(subject)
    their_scope = metrics.scope(case.subject)
    return Score(
        case=case,
        bnorm_subject=metrics.bnorm(case.subject, subject),
        bnorm_message=metrics.bnorm(case.reference, predicted),
        bnorm_body=metrics.bnorm(case.body, body) if case.body.strip() else None,
        rouge_subject=metrics.rouge_l(case.subject, subject),
        rouge_message=metrics.rouge_l(case.reference, predicted),
        exact_subject=subject == case.subject,
        subject_fits=metrics.subject_fits(subject),
        type_agrees=kind == metrics.commit_type(case.subject) if conventional else None,
        conventional_form=kind is not None if conventional else None,
        from_model=from_model,
        seconds=seconds,
        github=github,
        source=source,
        scope_agrees=metrics.scope(subject) == their_scope if their_scope else None,
        predicted=predicted,
    )


def mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def share(flags: Sequence[bool | None]) -> float | None:
    known = [float(flag) * 100 for flag in flags if flag is not None]
    return mean(known)


def message_scores(scores: Sequence[Score], prefix: str = "") -> dict[str, float | None]:
    """The scores every set of messages gets, ours or GitHub's default."""
    return {
        f"{prefix}bnorm_subject": mean([s.bnorm_subject for s in scores]),
        f"{prefix}bnorm_message": mean([s.bnorm_message for s in scores]),
        f"{prefix}bnorm_body": mean([s.bnorm_body for s in scores if s.bnorm_body is not None]),
        f"{prefix}rougeL_subject": mean([s.rouge_subject for s in scores]),
        f"{prefix}rougeL_message": mean([s.rouge_message for s in scores]),
        f"{prefix}exact_subject": share([s.exact_subject for s in scores]),
        f"{prefix}subject_le72": share([s.subject_fits for s in scores]),
        f"{prefix}conv_type_agree": share([s.type_agrees for s in scores]),
    }

"""Score `commit-polish eval` answers against the maintainers' messages; pure but for the
commit-message linters `grouped` runs once over every message (`lint`)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commit_polish.evaluation import baseline, lint, metrics, stats
from commit_polish.evaluation.cases import Case
from commit_polish.evaluation.repo import split_body


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
# Column key, heading, width: the order of the printed table and of the JSON summary.
COLUMNS = (
    ("n", "n", 4),
    ("bnorm_subject", "B-Norm subj", 11),
    ("bnorm_message", "B-Norm msg", 10),
    ("bnorm_body", "B-Norm body", 11),
    ("rougeL_subject", "ROUGE-L subj", 12),
    ("rougeL_message", "ROUGE-L msg", 11),
    ("exact_subject", "exact %", 7),
    ("subject_le72", "1-72 %", 6),
    ("conv_type_agree", "conv type %", 11),
    ("conv_format_rate", "conv form %", 11),
    ("n_conventional", "n conv", 6),
    ("scope_agree", "scope %", 7),
    ("n_scope", "n scope", 7),
    # commitlint over the conventional cases (`n conv`), gitlint over all; "maint" is the
    # maintainers' own messages, for comparison; "n/a" where the linter is not installed.
    ("commitlint_ours", "commitlint %", 12),
    ("commitlint_maintainers", "maint cl %", 10),
    ("gitlint_ours", "gitlint %", 9),
    ("gitlint_maintainers", "maint gl %", 10),
    ("fallback", "fallback", 8),
    ("median_seconds", "median s", 8),
)
# GitHub's default squash message on the PRs whose commits are known, and commit-polish
# ("ours") on those same PRs: the second table `eval` prints.
GITHUB_COLUMNS = (
    ("github_n", "n", 4),
    ("github_bnorm_subject", "B-Norm subj", 11),
    ("github_bnorm_message", "B-Norm msg", 10),
    ("github_bnorm_body", "B-Norm body", 11),
    ("github_rougeL_subject", "ROUGE-L subj", 12),
    ("github_rougeL_message", "ROUGE-L msg", 11),
    ("github_exact_subject", "exact %", 7),
    ("github_subject_le72", "1-72 %", 6),
    ("github_conv_type_agree", "conv type %", 11),
    ("ours_bnorm_subject", "ours subj", 9),
    ("ours_bnorm_message", "ours msg", 8),
    ("ours_bnorm_body", "ours body", 9),
    ("below_github_subject", "ours below %", 12),
    # Ours minus GitHub's, subject B-Norm per PR, and its bootstrap 95% interval (`stats`).
    ("subject_vs_github", "ours-GH", 7),
    ("subject_vs_github_low", "95% from", 8),
    ("subject_vs_github_high", "95% to", 6),
    ("author_fits_n", "fits n", 6),
    ("below_fitting_subject", "below fit %", 11),
    ("kept_subject", "kept %", 6),
)


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
    source: str = "model"
    """Whose words the subject is (`records.SubjectSource`)."""
    """GitHub's default squash message for the same case, scored alike; None without the
    PR's commits."""
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
        source=str(result.get("subject_source", "model")),
    )


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


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _share(flags: Sequence[bool | None]) -> float | None:
    known = [float(flag) * 100 for flag in flags if flag is not None]
    return _mean(known)


def _message_scores(scores: Sequence[Score], prefix: str = "") -> dict[str, float | None]:
    """The scores every set of messages gets, ours or GitHub's default."""
    return {
        f"{prefix}bnorm_subject": _mean([s.bnorm_subject for s in scores]),
        f"{prefix}bnorm_message": _mean([s.bnorm_message for s in scores]),
        f"{prefix}bnorm_body": _mean([s.bnorm_body for s in scores if s.bnorm_body is not None]),
        f"{prefix}rougeL_subject": _mean([s.rouge_subject for s in scores]),
        f"{prefix}rougeL_message": _mean([s.rouge_message for s in scores]),
        f"{prefix}exact_subject": _share([s.exact_subject for s in scores]),
        f"{prefix}subject_le72": _share([s.subject_fits for s in scores]),
        f"{prefix}conv_type_agree": _share([s.type_agrees for s in scores]),
    }


def summarise(
    scores: Sequence[Score], verdicts: lint.Verdicts = lint.ABSENT
) -> dict[str, float | int | str | None]:
    """Means over the cases; shares in percent; conventional shares over conventional cases;
    the linters' shares from `verdicts` ("n/a" for a linter not installed)."""
    return {
        "n": len(scores),
        **_message_scores(scores),
        "conv_format_rate": _share([s.conventional_form for s in scores]),
        "n_conventional": sum(s.type_agrees is not None for s in scores),
        "scope_agree": _share([s.scope_agrees for s in scores]),
        "n_scope": sum(s.scope_agrees is not None for s in scores),
        **_linted("commitlint", verdicts.commitlint, scores),
        **_linted("gitlint", verdicts.gitlint, scores),
        "fallback": sum(not s.from_model for s in scores),
        "median_seconds": (
            round(statistics.median(s.seconds for s in scores), 1) if scores else None
        ),
        **_versus_github(scores),
    }


def _linted(
    name: str, passed: Mapping[str, tuple[bool, bool]] | None, scores: Sequence[Score]
) -> dict[str, float | str | None]:
    """The share of ours and of the maintainers' messages that pass, over the cases linted."""
    if passed is None:
        return {f"{name}_ours": "n/a", f"{name}_maintainers": "n/a"}
    linted = [passed[s.case.id] for s in scores if s.case.id in passed]
    return {
        f"{name}_ours": _share([ours for ours, _ in linted]),
        f"{name}_maintainers": _share([theirs for _, theirs in linted]),
    }


def lint_pairs(scores: Sequence[Score]) -> list[lint.Pair]:
    """What the linters read: each case's scored message and the maintainers'."""
    return [
        lint.Pair(s.case.id, s.predicted, s.case.reference, s.case.style == "conventional")
        for s in scores
    ]


def _versus_github(scores: Sequence[Score]) -> dict[str, float | int | None]:
    """GitHub's default against the maintainers' messages, and commit-polish on the same PRs
    (those with commits): means over different PRs would compare different cases."""
    paired = [(s, s.github) for s in scores if s.github is not None]
    defaults = [github for _, github in paired]
    fitting = [(s, d) for s, d in paired if baseline.author_fits(s.case)]
    ours, theirs = [s.bnorm_subject for s, _ in paired], [d.bnorm_subject for _, d in paired]
    versus = stats.paired(ours, theirs) if paired else None
    return {
        "github_n": len(paired),
        **_message_scores(defaults, prefix="github_"),
        "ours_bnorm_subject": _mean([s.bnorm_subject for s, _ in paired]),
        "ours_bnorm_message": _mean([s.bnorm_message for s, _ in paired]),
        "ours_bnorm_body": _mean([s.bnorm_body for s, _ in paired if s.bnorm_body is not None]),
        # Per PR, not in the means: a suggestion worse than the author's own subject is the
        # failure a maintainer sees, however good the others are.
        "below_github_subject": _share([s.bnorm_subject < d.bnorm_subject for s, d in paired]),
        "subject_vs_github": versus.mean if versus else None,
        "subject_vs_github_low": versus.low if versus else None,
        "subject_vs_github_high": versus.high if versus else None,
        "subject_visible": versus.visible if versus else None,
        # The promise: never below the author's subject when that one already fits.
        "author_fits_n": len(fitting),
        "below_fitting_subject": _share([s.bnorm_subject < d.bnorm_subject for s, d in fitting]),
        "kept_subject": _share([s.source == "author" for s, _ in paired]),
    }


def grouped(
    scores: Sequence[Score], by: str | None, verdicts: lint.Verdicts | None = None
) -> dict[str, dict[str, float | int | str | None]]:
    """`all`, then one summary per group value (sorted) when `by` is given. The linters run
    once, over every case, unless their `verdicts` are given."""
    if verdicts is None:
        verdicts = lint.check(lint_pairs(scores))
    table = {"all": summarise(scores, verdicts)}
    if by is not None:
        key = GROUPS[by]
        for value in sorted({key(s.case) for s in scores}):
            table[value] = summarise([s for s in scores if key(s.case) == value], verdicts)
    return table


def format_table(
    table: Mapping[str, Mapping[str, float | int | str | None]],
    columns: Sequence[tuple[str, str, int]] = COLUMNS,
) -> str:
    """One line per group: `COLUMNS` (commit-polish) unless told, `GITHUB_COLUMNS` say."""
    width = max([5, *(len(name) for name in table)])
    lines = [" ".join([f"{'group':<{width}}", *(f"{h:>{w}}" for _, h, w in columns)])]
    for name, row in table.items():
        cells = [_cell(row.get(key), w) for key, _, w in columns]
        lines.append(" ".join([f"{name:<{width}}", *cells]))
    return "\n".join(lines)


def _cell(value: float | int | str | None, width: int) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, str):
        return f"{value:>{width}}"
    if isinstance(value, int):
        return f"{value:>{width}d}"
    return f"{value:>{width}.2f}"

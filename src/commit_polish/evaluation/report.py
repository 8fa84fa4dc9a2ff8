"""Score `commit-polish eval` answers against the maintainers' messages, and summarise them
per group; pure but for the commit-message linters `grouped` runs once over every message
(`lint`). Each answer's scores are `scoring`'s, the comparison with GitHub's default
`compare`'s, the text tables `table`'s: their names are here too, as `eval` reads them."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from commit_polish.evaluation import lint
from commit_polish.evaluation.compare import (
    FEW_PAIRED,
    GITHUB_COLUMNS,
    SOURCE_COLUMNS,
    SOURCES,
    by_source,
    format_sources,
    source_summary,
    versus_github,
)
from commit_polish.evaluation.scoring import (
    ERROR,
    GROUPS,
    UNKNOWN,
    Score,
    answer_source,
    github_default,
    message_scores,
    score,
    share,
)
from commit_polish.evaluation.table import COLUMNS, format_table

__all__ = [
    "COLUMNS",
    "ERROR",
    "FEW_PAIRED",
    "GITHUB_COLUMNS",
    "GROUPS",
    "SOURCES",
    "SOURCE_COLUMNS",
    "UNKNOWN",
    "Score",
    "answer_source",
    "by_source",
    "format_sources",
    "format_table",
    "github_default",
    "grouped",
    "lint_pairs",
    "score",
    "source_summary",
    "summarise",
]


def summarise(
    scores: Sequence[Score], verdicts: lint.Verdicts = lint.ABSENT
) -> dict[str, float | int | str | None]:
    """Means over the cases; shares in percent; conventional shares over conventional cases;
    the linters' shares from `verdicts` ("n/a" for a linter not installed)."""
    return {
        "n": len(scores),
        **message_scores(scores),
        "conv_format_rate": share([s.conventional_form for s in scores]),
        "n_conventional": sum(s.type_agrees is not None for s in scores),
        "scope_agree": share([s.scope_agrees for s in scores]),
        "n_scope": sum(s.scope_agrees is not None for s in scores),
        **_linted("commitlint", verdicts.commitlint, scores),
        **_linted("gitlint", verdicts.gitlint, scores),
        "fallback": sum(not s.from_model for s in scores),
        "median_seconds": (
            round(statistics.median(s.seconds for s in scores), 1) if scores else None
        ),
        **versus_github(scores),
    }


def _linted(
    name: str, passed: Mapping[str, tuple[bool, bool]] | None, scores: Sequence[Score]
) -> dict[str, float | str | None]:
    """The share of ours and of the maintainers' messages that pass, over the cases linted."""
    if passed is None:
        return {f"{name}_ours": "n/a", f"{name}_maintainers": "n/a"}
    linted = [passed[s.case.id] for s in scores if s.case.id in passed]
    return {
        f"{name}_ours": share([ours for ours, _ in linted]),
        f"{name}_maintainers": share([theirs for _, theirs in linted]),
    }


def lint_pairs(scores: Sequence[Score]) -> list[lint.Pair]:
    """What the linters read: each case's scored message and the maintainers'."""
    return [
        lint.Pair(s.case.id, s.predicted, s.case.reference, s.case.style == "conventional")
        for s in scores
    ]


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

"""commit-polish against GitHub's default squash message on the same PRs: the columns
`summarise` adds for it, and the table per subject source (whose words the subject is);
pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from commit_polish.evaluation import baseline, stats
from commit_polish.evaluation.scoring import (
    ERROR,
    GROUPS,
    UNKNOWN,
    Score,
    mean,
    message_scores,
    share,
)
from commit_polish.evaluation.table import format_table
from commit_polish.records import SubjectSource

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
# Whose words the subject is, in the pipeline's order (`records.SubjectSource`), then the
# two an answer file may also hold. A feature that applies the message without a person
# looking may trust only the sources whose subjects score at least GitHub's default: the
# third table `eval` prints, each source's PRs against GitHub's default on those same PRs.
FEW_PAIRED = 20
"""Below this many PRs a source's interval is printed but decides nothing: a percentile
bootstrap over a handful of differences only reshuffles them (two PRs give their own two
values as the bounds)."""
SOURCES = (*(source.value for source in SubjectSource), ERROR, UNKNOWN)
SOURCE_COLUMNS = (
    ("n", "n", 4),
    ("bnorm_subject", "B-Norm subj", 11),
    ("github_n", "GH n", 4),
    ("ours_bnorm_subject", "ours subj", 9),
    ("github_bnorm_subject", "GH subj", 7),
    ("subject_vs_github", "ours-GH", 7),
    ("subject_vs_github_low", "95% from", 8),
    ("subject_vs_github_high", "95% to", 6),
    ("subject_visible", "visible", 7),
    ("below_github_subject", "below %", 7),
)


def versus_github(scores: Sequence[Score]) -> dict[str, float | int | None]:
    """GitHub's default against the maintainers' messages, and commit-polish on the same PRs
    (those with commits): means over different PRs would compare different cases."""
    paired = _paired(scores)
    defaults = [github for _, github in paired]
    fitting = [(s, d) for s, d in paired if baseline.author_fits(s.case)]
    return {
        "github_n": len(paired),
        **message_scores(defaults, prefix="github_"),
        "ours_bnorm_subject": mean([s.bnorm_subject for s, _ in paired]),
        "ours_bnorm_message": mean([s.bnorm_message for s, _ in paired]),
        "ours_bnorm_body": mean([s.bnorm_body for s, _ in paired if s.bnorm_body is not None]),
        **_subject_versus(paired),
        # The promise: never below the author's subject when that one already fits.
        "author_fits_n": len(fitting),
        "below_fitting_subject": share([s.bnorm_subject < d.bnorm_subject for s, d in fitting]),
        "kept_subject": share([s.source == "author" for s, _ in paired]),
    }


def _paired(scores: Sequence[Score]) -> list[tuple[Score, Score]]:
    """Each case whose GitHub default is known, with it."""
    return [(s, s.github) for s in scores if s.github is not None]


def _subject_versus(paired: Sequence[tuple[Score, Score]]) -> dict[str, float | None]:
    """Ours against GitHub's default subject, PR by PR: the share below it, and the mean
    difference with its bootstrap 95% interval (`stats.paired`)."""
    ours, theirs = [s.bnorm_subject for s, _ in paired], [d.bnorm_subject for _, d in paired]
    versus = stats.paired(ours, theirs) if paired else None
    return {
        # Per PR, not in the means: a suggestion worse than the author's own subject is the
        # failure a maintainer sees, however good the others are.
        "below_github_subject": share([a < b for a, b in zip(ours, theirs, strict=True)]),
        "subject_vs_github": versus.mean if versus else None,
        "subject_vs_github_low": versus.low if versus else None,
        "subject_vs_github_high": versus.high if versus else None,
        # One PR has no spread: nothing it shows can be told apart from none (no `Infinity`
        # in the JSON either).
        "subject_visible": versus.visible if versus and math.isfinite(versus.visible) else None,
    }


def source_summary(scores: Sequence[Score]) -> dict[str, float | int | None]:
    """One source's PRs: our subject's mean B-Norm over all of them, and on those whose
    GitHub default is known, both means and the paired difference."""
    paired = _paired(scores)
    return {
        "n": len(scores),
        "bnorm_subject": mean([s.bnorm_subject for s in scores]),
        "github_n": len(paired),
        "ours_bnorm_subject": mean([s.bnorm_subject for s, _ in paired]),
        "github_bnorm_subject": mean([d.bnorm_subject for _, d in paired]),
        **_subject_versus(paired),
    }


def by_source(
    scores: Sequence[Score], by: str | None = None
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Per group (`all`, then each of `by`'s values as in `grouped`), per subject source
    present (`SOURCES`' order, any other after them), its `source_summary`."""
    groups = {"all": list(scores)}
    if by is not None:
        key = GROUPS[by]
        for value in sorted({key(s.case) for s in scores}):
            groups[value] = [s for s in scores if key(s.case) == value]
    order = {source: index for index, source in enumerate(SOURCES)}
    table: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for name, members in groups.items():
        present = sorted({s.source for s in members}, key=lambda x: (order.get(x, len(order)), x))
        table[name] = {
            source: source_summary([s for s in members if s.source == source]) for source in present
        }
    return table


def format_sources(table: Mapping[str, Mapping[str, Mapping[str, float | int | None]]]) -> str:
    """`by_source`'s rows as one table: `source` for all cases, `group: source` per group."""
    rows = {
        (source if group == "all" else f"{group}: {source}"): row
        for group, sources in table.items()
        for source, row in sources.items()
    }
    text = format_table(rows, SOURCE_COLUMNS, label="subject from")
    few = [
        name
        for name, row in rows.items()
        if 0 < int(row["github_n"] or 0) < FEW_PAIRED and row["subject_vs_github"] is not None
    ]
    if few:
        text += (
            f"\n(an interval over fewer than {FEW_PAIRED} PRs with commits decides nothing: "
            f"{'; '.join(few)})"
        )
    return text

"""`commit-polish eval`'s summaries as fixed-width text tables, one line per group; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def format_table(
    table: Mapping[str, Mapping[str, float | int | str | None]],
    columns: Sequence[tuple[str, str, int]] = COLUMNS,
    label: str = "group",
) -> str:
    """One line per group: `COLUMNS` (commit-polish) unless told, `GITHUB_COLUMNS` say."""
    width = max([len(label), *(len(name) for name in table)])
    lines = [" ".join([f"{label:<{width}}", *(f"{h:>{w}}" for _, h, w in columns)])]
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

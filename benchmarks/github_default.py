"""Score GitHub's default squash message against the maintainers' messages; no model.

The message `eval` now reports beside commit-polish's (`evaluation/baseline.py`): for a PR of
one commit, that commit's message; for several, the first commit's subject (the data sets hold
no PR title) over GitHub's `* message` list. Overall, per repository and by commit count:

    .venv/bin/python benchmarks/github_default.py ../shared/eval/dev.jsonl.gz \
        ../shared/eval/dev2.jsonl.gz
"""

from __future__ import annotations

import argparse
from pathlib import Path

from commit_polish.evaluation import report
from commit_polish.evaluation.cases import load_cases

# The columns that mean something for a message no model wrote (no fallback, no seconds).
COLUMNS = tuple(c for c in report.COLUMNS if c[0] not in ("fallback", "median_seconds"))


def table(dataset: Path) -> tuple[str, int, int]:
    """The default's scores by group, how many cases, and how many had no commits."""
    cases = load_cases(dataset)
    scores = [s for s in map(report.github_default, cases) if s is not None]
    groups = report.grouped(scores, "repo")
    for name, row in report.grouped(scores, "commits").items():
        if name != "all":
            groups[name] = row
    return report.format_table(groups, COLUMNS), len(cases), len(cases) - len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    args = parser.parse_args()
    for dataset in args.datasets:
        text, cases, without = table(dataset)
        print(f"{dataset.name}: GitHub's default on {cases - without} of {cases} PRs", end="")
        print(f" ({without} without pr_commits: n/a)" if without else "")
        print(text, end="\n\n")


if __name__ == "__main__":
    main()

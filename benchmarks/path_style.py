"""Whether a mixed repository's change should take the style of its files' own history
(`message.style.detect_style`), measured without a model.

A recent history that mixes both styles gives no clear answer, and `detect_style` falls
back on its majority. The files' own history (`path_history`) may say otherwise. For every
case of a mixed repository, each threshold (the fewest people's commits that may decide)
and each direction, this counts the times the files' history disagreed with the majority
and how often the maintainers' subject sided with it. There are few such PRs, so each
earlier commit of a `path_history` is also predicted from the older commits of the same
list (each subject once): the same question asked of more commits by the same people.

    .venv/bin/python benchmarks/path_style.py ../shared/eval/dev.jsonl.gz \\
        ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's own last 100 commits, `benchmarks/repo_records.py`;
docs/quality.md.)
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.style import (
    MIN_EXAMPLES,
    Style,
    analyse_history,
    detect_style,
    is_bot_subject,
    parse_prefix,
)

THRESHOLDS = (3, 4, 5)


def _paths_style(subjects: Sequence[str], fewest: int) -> Style | None:
    found = analyse_history(subjects)
    return found.style if len(found.examples) >= fewest else None


def _mixed(case: Case) -> Style | None:
    """The majority's style when the recent history is mixed; None when it is clear."""
    repo = analyse_history(case.history)
    if repo.style is not None or len(repo.examples) < MIN_EXAMPLES:
        return None
    return detect_style(case.history)


def _questions(case: Case) -> list[tuple[str, str, list[str]]]:
    """(kind, the subject to predict, the files' earlier subjects) for one case."""
    older = [commit.subject for commit in case.path_history]
    asked = [("PR", case.subject, older)]
    for index, subject in enumerate(older):
        if not is_bot_subject(subject):
            asked.append(("earlier commit", subject, older[index + 1 :]))
    return asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    tally: Counter[tuple[int, str, str, bool]] = Counter()
    seen: set[str] = set()
    for case in (c for path in args.datasets for c in load_cases(path)):
        majority = _mixed(case)
        if majority is None:
            continue
        for kind, subject, older in _questions(case):
            if kind != "PR" and subject in seen:
                continue
            seen.add(subject)
            conventional = parse_prefix(subject) is not None
            for fewest in THRESHOLDS:
                found = _paths_style(older, fewest)
                if found is not None and found is not majority:
                    right = conventional is (found is Style.CONVENTIONAL)
                    tally[fewest, kind, found.value, right] += 1
    print("fewest | asked of | files' history says | it was right | it was wrong")
    for fewest in THRESHOLDS:
        for kind in ("PR", "earlier commit"):
            for style in Style:
                said = (fewest, kind, style.value)
                print(" | ".join(map(str, (*said, tally[*said, True], tally[*said, False]))))


if __name__ == "__main__":
    main()

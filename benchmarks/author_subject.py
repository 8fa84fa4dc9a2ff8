"""How often the author's own subject is kept, put into form, or left to the model; no model.

`message.anchor` decides before any model is asked: a PR's own subject (its commit's, or the
title) that fits the repository's form is kept, one whose words are good is put into the
form, a weak one gives way to the one changelog entry the change adds (`digest.notes`), else
to the model. This prints, per data set and repository, how many
PRs take each road and the B-Norm of the subject each road gives against the maintainers'
subject, beside GitHub's default (the author's subject as written) on the same PRs:

    .venv/bin/python benchmarks/author_subject.py ../shared/eval/dev.jsonl.gz \\
        ../shared/eval/dev2.jsonl.gz [--examples]

"Weak" rows show GitHub's default only: there the subject is the model's (`eval` scores it).
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation import metrics
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message import anchor
from commit_polish.records import ChangeContext
from commit_polish.subject_rules import own_subject

ROADS = ("kept", "reformatted", "changelog", "weak")


def road(case: Case) -> tuple[str, str, str]:
    """(road, the subject it gives or "", GitHub's default subject) for one case."""
    context = ChangeContext(commit_messages=case.commit_messages, history=case.history)
    files = parse_diff(case.diff)
    kept = own_subject(context, "auto", files, files)
    written = anchor.default_subject(context)[0]
    if kept is None:
        return "weak", "", written
    if kept.note:
        return "changelog", kept.subject, written
    return ("reformatted" if kept.reason else "kept"), kept.subject, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--examples", action="store_true", help="list the reformatted and weak")
    args = parser.parse_args()
    for dataset in args.datasets:
        cases = [case for case in load_cases(dataset) if case.commit_messages]
        rows: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for case in cases:
            kind, ours, written = road(case)
            default = metrics.bnorm(case.subject, written)
            mine = metrics.bnorm(case.subject, ours) if ours else default
            for group in ("all", case.repo):
                rows[(group, kind)].append((mine, default))
            if args.examples and kind != "kept":
                print(f"  {kind:<11} {written!r} -> {ours!r} (theirs: {case.subject!r})")
        print(f"{dataset.name}: {len(cases)} PRs with commits")
        print(f"{'group':<40} {'road':<11} {'n':>4} {'ours':>6} {'GitHub':>6}")
        for group in ["all", *sorted({case.repo for case in cases})]:
            for kind in ROADS:
                pairs = rows.get((group, kind), [])
                if pairs:
                    ours_mean = statistics.fmean(p[0] for p in pairs)
                    github = statistics.fmean(p[1] for p in pairs)
                    shown = "-" if kind == "weak" else f"{ours_mean:.1f}"
                    print(f"{group:<40} {kind:<11} {len(pairs):>4} {shown:>6} {github:>6.1f}")
        print()


if __name__ == "__main__":
    main()

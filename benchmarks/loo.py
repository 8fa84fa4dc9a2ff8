"""Leave-one-repository-out: choose among candidate settings on eleven repositories, report
the twelfth, for each of the twelve, against a baseline on the same PRs.

Each candidate is a file of answers on the same fixed sample (`eval --out`, or a
`raw_model_baseline.py` predictions file): run `eval` once per candidate setting. For each
repository the candidate with the best mean subject B-Norm on the other repositories is
chosen, and its answers on the held-out one are what is reported; a candidate that only helps
where it was chosen never shows. The baseline is the plain prompt's answers kept in
benchmarks/data/:

    .venv/bin/python benchmarks/loo.py --baseline /tmp/plain.jsonl \\
        --candidate today=/tmp/ours.jsonl --candidate near=/tmp/near.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

from commit_polish.evaluation import metrics, stats
from commit_polish.evaluation.cases import load_cases
from commit_polish.evaluation.cases import read_subjects as subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--candidate", action="append", required=True, help="NAME=FILE")
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    named = dict(item.split("=", 1) for item in args.candidate)
    answers = {name: subjects(Path(path)) for name, path in named.items()}
    base = subjects(args.baseline)
    ids = set(base).intersection(*map(set, answers.values()))
    cases = [c for path in args.datasets for c in load_cases(path) if c.id in ids]
    score = {
        name: {c.id: metrics.bnorm(c.subject, found[c.id]) for c in cases}
        for name, found in answers.items()
    }
    chosen = held_out_scores(score, [(c.repo, c.id) for c in cases])
    order = [c.id for c in cases]
    ours = [chosen[i] for i in order]
    theirs = [metrics.bnorm(c.subject, base[c.id]) for c in cases]
    for name in score:
        mean = statistics.fmean(score[name][i] for i in order)
        print(f"candidate {name:<26} {mean:6.2f} on all {len(order)} (chosen everywhere)")
    line = f"{statistics.fmean(ours):6.2f} against {statistics.fmean(theirs):6.2f}"
    print(f"leave-one-repository-out: {line}, {stats.paired(ours, theirs)}")


def held_out_scores(
    score: dict[str, dict[str, float]], cases: list[tuple[str, str]]
) -> dict[str, float]:
    """Per PR id, the score of the candidate chosen on the other repositories' PRs;
    `cases` are (repository, id) pairs. Prints each repository's choice."""
    by_repo: dict[str, list[str]] = defaultdict(list)
    for repo, case_id in cases:
        by_repo[repo].append(case_id)
    chosen: dict[str, float] = {}
    for repo, held_out in by_repo.items():
        rest = [i for r, ids_ in by_repo.items() if r != repo for i in ids_]
        best = max(score, key=lambda name: statistics.fmean(score[name][i] for i in rest))
        chosen.update({i: score[best][i] for i in held_out})
        print(f"{repo:<36} chosen on the other {len(by_repo) - 1}: {best}")
    return chosen


if __name__ == "__main__":
    main()

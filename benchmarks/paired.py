"""Two sets of answers on the same PRs, compared PR by PR: subject B-Norm, ours minus theirs,
with a bootstrap 95% interval (`evaluation.stats`), overall and per repository.

Each answers file is an `eval --out` file or a `raw_model_baseline.py` predictions file (one
JSON line with `id` and `message` per PR). The plain prompt's answers on the fixed
leave-one-repository-out sample are kept in benchmarks/data/:

    cat benchmarks/data/plain_qwen15_dev_loo.jsonl benchmarks/data/plain_qwen15_dev2_loo.jsonl \\
        > /tmp/plain.jsonl
    .venv/bin/python benchmarks/paired.py benchmarks/data/ours_dev_loo.jsonl /tmp/plain.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz

`github` in place of the second file compares with GitHub's default squash message on the
PRs whose commits the data set holds (`evaluation.baseline`), and also splits the PRs by
whether that default's subject fits in 72 characters, the limit commit-polish keeps.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

from commit_polish.evaluation import baseline, metrics, stats
from commit_polish.evaluation.cases import load_cases
from commit_polish.evaluation.cases import read_subjects as subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours", type=Path)
    parser.add_argument("theirs", help="an answers file, or `github` for GitHub's default")
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    ours = subjects(args.ours)
    cases = [case for path in args.datasets for case in load_cases(path) if case.id in ours]
    if args.theirs == "github":
        defaults = {case.id: baseline.default_message(case) for case in cases}
        theirs = {k: metrics.split_message(v)[0] for k, v in defaults.items() if v is not None}
    else:
        theirs = subjects(Path(args.theirs))
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for case in (case for case in cases if case.id in theirs):
        score = (
            metrics.bnorm(case.subject, ours[case.id]),
            metrics.bnorm(case.subject, theirs[case.id]),
        )
        pairs["all"].append(score)
        if args.theirs == "github":
            fits = len(metrics.strip_pr_number(theirs[case.id])) <= 72
            pairs["default's subject <= 72" if fits else "default's subject > 72"].append(score)
        pairs[case.repo].append(score)
    for group, scored in pairs.items():
        a, b = [x for x, _ in scored], [y for _, y in scored]
        means = f"{statistics.fmean(a):6.2f} {statistics.fmean(b):6.2f}"
        print(f"{group:<36} {means} {stats.paired(a, b)}")


if __name__ == "__main__":
    main()

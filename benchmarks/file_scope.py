"""A model's scope that only names a changed file (`message.scope.without_file_scope`),
dropped or kept, chosen by leave-one-repository-out.

The rule edits the answer, so stored diff-only answers are rescored without a model: the
model-written subjects as they were, and without a file's name for a scope where neither the
history nor the paths' history used it; chosen on all repositories but one and reported on
that one (`loo.held_out_scores`). Also prints how many subjects each changes and how many of
the maintainers' scopes it keeps.

    cat benchmarks/data/rules_whole512_dev.jsonl benchmarks/data/rules_whole512_dev2.jsonl \\
        benchmarks/data/own100.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/file_scope.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's own last 100 commits, `benchmarks/repo_records.py`;
docs/quality.md.)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

from loo import held_out_scores

from commit_polish.evaluation import metrics, stats
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.scope import without_file_scope
from commit_polish.message.style import parse_prefix

_PATH = re.compile(r"^diff --git a/(\S+) b/", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="eval --out lines of the PRs, diff only")
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.answers.read_text().splitlines() if line]
    written = {r["id"]: r["message"].partition("\n")[0] for r in rows}
    by_model = {r["id"] for r in rows if r.get("subject_source") == "model"}
    cases = [c for path in args.datasets for c in load_cases(path) if c.id in written]
    subjects = {
        "as answered": written,
        "without a file's name": {
            c.id: _dropped(c, written[c.id]) if c.id in by_model else written[c.id] for c in cases
        },
    }
    score = {
        name: {c.id: metrics.bnorm(c.subject, found[c.id]) for c in cases}
        for name, found in subjects.items()
    }
    for name, found in subjects.items():
        changed = sum(found[c.id] != written[c.id] for c in cases)
        print(
            f"{name:<22} {statistics.fmean(score[name].values()):6.2f} B-Norm subject, "
            f"changed {changed}, maintainers' scope on {_scopes(cases, found)}"
        )
    chosen = held_out_scores(score, [(c.repo, c.id) for c in cases])
    ours = [chosen[c.id] for c in cases]
    before = [score["as answered"][c.id] for c in cases]
    print(
        f"leave-one-repository-out: {statistics.fmean(ours):6.2f} against "
        f"{statistics.fmean(before):6.2f} as answered, {stats.paired(ours, before)}"
    )


def _dropped(case: Case, subject: str) -> str:
    paths = _PATH.findall(case.diff)
    return without_file_scope(subject, paths, case.history, case.path_history)


def _scopes(cases: list[Case], found: dict[str, str]) -> str:
    scoped = [(c, theirs) for c in cases if (theirs := parse_prefix(c.subject)) and theirs.scope]
    same = sum(
        (mine := parse_prefix(found[c.id])) is not None and mine.scope == theirs.scope
        for c, theirs in scoped
    )
    return f"{same} of {len(scoped)}"


if __name__ == "__main__":
    main()

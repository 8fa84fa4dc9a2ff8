"""The type a model's subject gets from its files alone (`retype.certain_type`), chosen by
leave-one-repository-out.

A change of tests alone takes `test`, a dependency update (a lockfile, and otherwise only
manifests: `digest.kinds.only_dependencies`) takes `chore`, where the model wrote a code type.
The rule edits the answer, so stored diff-only answers are rescored without a model: each
candidate is applied to the model-written subjects, chosen on all repositories but one and
reported on that one (`loo.held_out_scores`), against the answers as they were. Also prints,
per candidate, how many subjects it retypes and how many conventional types then agree with
the maintainers'.

    cat benchmarks/data/rules_whole512_dev.jsonl benchmarks/data/rules_whole512_dev2.jsonl \\
        benchmarks/data/own40_fixed.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/type_rules.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own40.jsonl.gz

(/tmp/own40.jsonl.gz: this project's own history, `benchmarks/repo_records.py`; docs/quality.md.)
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from loo import held_out_scores

from commit_polish.digest.kinds import only_dependencies
from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation import metrics, stats
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.retype import retyped
from commit_polish.message.style import parse_prefix

CANDIDATES = {"tests alone": False, "tests alone and dependency updates": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="eval --out lines of the PRs, diff only")
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.answers.read_text().splitlines() if line]
    written = {r["id"]: r["message"].partition("\n")[0] for r in rows}
    by_model = {r["id"] for r in rows if r.get("subject_source") == "model"}
    cases = [c for path in args.datasets for c in load_cases(path) if c.id in written]
    subjects = {"as answered": written}
    for name, dependencies in CANDIDATES.items():
        subjects[name] = {
            c.id: _retyped(c, written[c.id], dependencies) if c.id in by_model else written[c.id]
            for c in cases
        }
    score = {
        name: {c.id: metrics.bnorm(c.subject, found[c.id]) for c in cases}
        for name, found in subjects.items()
    }
    for name, found in subjects.items():
        changed = sum(found[c.id] != written[c.id] for c in cases)
        print(
            f"{name:<36} {statistics.fmean(score[name].values()):6.2f} B-Norm subject, "
            f"retyped {changed}, maintainers' type on {_types(cases, found)}"
        )
    chosen = held_out_scores(score, [(c.repo, c.id) for c in cases])
    ours = [chosen[c.id] for c in cases]
    before = [score["as answered"][c.id] for c in cases]
    print(
        f"leave-one-repository-out: {statistics.fmean(ours):6.2f} against "
        f"{statistics.fmean(before):6.2f} as answered, {stats.paired(ours, before)}"
    )


def _retyped(case: Case, subject: str, dependencies: bool) -> str:
    files = parse_diff(case.diff) if case.diff else []
    deps = dependencies and only_dependencies([change.path for change in files])
    return retyped(subject, files, model=True, dependencies=deps)[0]


def _types(cases: list[Case], found: dict[str, str]) -> str:
    typed = [(c, theirs) for c in cases if (theirs := parse_prefix(c.subject))]
    same = sum(
        (mine := parse_prefix(found[c.id])) is not None and mine.type.lower() == theirs.type.lower()
        for c, theirs in typed
    )
    return f"{same} of {len(typed)}"


if __name__ == "__main__":
    main()

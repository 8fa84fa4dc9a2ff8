"""The usual scope of a change's paths (`message.scope`), chosen by leave-one-repository-out.

The rule edits a model's subject after the answer, so stored answers can be rescored without
a model: each candidate threshold is applied to the model-written subjects of `eval --out`
files made without it (diff only, where every subject is the model's), a candidate is chosen
on eleven repositories and reported on the twelfth (`loo.held_out_scores`), against the
answers as they were. Also prints, per candidate, on how many PRs it changes the scope and
how many of the maintainers' scopes it then matches.

    cat benchmarks/data/whole512_dev.jsonl benchmarks/data/whole512_dev2.jsonl > /tmp/whole.jsonl
    .venv/bin/python benchmarks/path_scope.py /tmp/whole.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz

The stored answers are the whole of both sets at the 512-token default, diff only, from the
code before the rule (docs/quality.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from loo import held_out_scores

from commit_polish.evaluation import metrics, stats
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.anchor import SUBJECT_LIMIT
from commit_polish.message.scope import with_usual_scope
from commit_polish.message.style import parse_prefix

CANDIDATES = [(commits, share) for commits in (2, 3) for share in (0.0, 1 / 3, 0.5)]


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
    for commits, share in CANDIDATES:
        subjects[f"{commits} commits, share {share:.2f}"] = {
            c.id: with_usual_scope(
                written[c.id], c.path_history, SUBJECT_LIMIT, min_commits=commits, min_share=share
            )
            if c.id in by_model
            else written[c.id]
            for c in cases
        }
    score = {
        name: {c.id: metrics.bnorm(c.subject, found[c.id]) for c in cases}
        for name, found in subjects.items()
    }
    for name, found in subjects.items():
        changed = sum(found[c.id] != written[c.id] for c in cases)
        print(
            f"{name:<26} {statistics.fmean(score[name].values()):6.2f} B-Norm subject, "
            f"scope changed on {changed}, maintainers' scope on {_scopes(cases, found)}"
        )
    chosen = held_out_scores(score, [(c.repo, c.id) for c in cases])
    ours = [chosen[c.id] for c in cases]
    before = [score["as answered"][c.id] for c in cases]
    print(
        f"leave-one-repository-out: {statistics.fmean(ours):6.2f} against "
        f"{statistics.fmean(before):6.2f} as answered, {stats.paired(ours, before)}"
    )


def _scopes(cases: list[Case], found: dict[str, str]) -> str:
    scoped = [c for c in cases if (p := parse_prefix(c.subject)) and p.scope]
    same = sum(
        (mine := parse_prefix(found[c.id])) is not None
        and mine.scope == parse_prefix(c.subject).scope  # type: ignore[union-attr]
        for c in scoped
    )
    return f"{same} of {len(scoped)}"


if __name__ == "__main__":
    main()

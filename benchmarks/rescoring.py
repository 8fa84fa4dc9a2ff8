"""Rescore stored diff-only answers under a rule that edits a model's subject, and choose by
leave-one-repository-out whether the rule is worth having.

A rule applied after the answer (`path_scope.py`, `type_rules.py`, `file_scope.py`) needs
no model: the stored subjects are edited as the pipeline would edit them, each candidate is
scored against the maintainers' subjects, and `loo.held_out_scores` reports each repository
under the candidate chosen on the others, against the answers as they were.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path

from loo import held_out_scores

from commit_polish.evaluation import metrics, stats
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.style import Prefix, parse_prefix

Rule = Callable[[Case, str], str]
"""A candidate: the subject a model's stored answer becomes for one case."""

_DIFF_PATH = re.compile(r"^diff --git a/(\S+) b/", re.MULTILINE)


def changed_paths(case: Case) -> list[str]:
    """The paths the case's diff changes, as a rule reads them from the pipeline's files."""
    return _DIFF_PATH.findall(case.diff)


def main(doc: str, candidates: dict[str, Rule], agreement: str) -> None:
    """Read the answers and data sets named on the command line; print each candidate's
    mean subject B-Norm, the subjects it changes and how many of the maintainers' `type` or
    `scope` it then matches; then the held-out result against the answers as they were."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("answers", type=Path, help="eval --out lines of the PRs, diff only")
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.answers.read_text().splitlines() if line]
    written = {r["id"]: r["message"].partition("\n")[0] for r in rows}
    by_model = {r["id"] for r in rows if r.get("subject_source") == "model"}
    cases = [c for path in args.datasets for c in load_cases(path) if c.id in written]
    subjects = {"as answered": written}
    for name, rule in candidates.items():
        subjects[name] = {
            c.id: rule(c, written[c.id]) if c.id in by_model else written[c.id] for c in cases
        }
    score = {
        name: {c.id: metrics.bnorm(c.subject, found[c.id]) for c in cases}
        for name, found in subjects.items()
    }
    for name, found in subjects.items():
        changed = sum(found[c.id] != written[c.id] for c in cases)
        print(
            f"{name:<36} {statistics.fmean(score[name].values()):6.2f} B-Norm subject, "
            f"changed {changed}, maintainers' {agreement} on {_agreeing(cases, found, agreement)}"
        )
    chosen = held_out_scores(score, [(c.repo, c.id) for c in cases])
    ours = [chosen[c.id] for c in cases]
    before = [score["as answered"][c.id] for c in cases]
    print(
        f"leave-one-repository-out: {statistics.fmean(ours):6.2f} against "
        f"{statistics.fmean(before):6.2f} as answered, {stats.paired(ours, before)}"
    )


def _agreeing(cases: list[Case], found: dict[str, str], part: str) -> str:
    """ "n of m": of the maintainers' conventional subjects (with a scope, for `scope`), how
    many of `found` carry the same type or scope."""

    def field(prefix: Prefix) -> str | None:
        return prefix.type.lower() if part == "type" else prefix.scope

    theirs = [(c, field(p)) for c in cases if (p := parse_prefix(c.subject)) and field(p)]
    same = sum(
        (mine := parse_prefix(found[c.id])) is not None and field(mine) == wanted
        for c, wanted in theirs
    )
    return f"{same} of {len(theirs)}"

"""The type the pipeline gives an author's untyped subject in a conventional repository, when
its words do not decide it: `fix` (today), `feat`, or the type the paths' earlier commits or
the recent subjects mostly had (each also in a variant that takes `docs` or `test` only for a
change of such files alone). Kept so that it is not tried again without new data
(docs/quality.md, "The type given to an author's plain subject").

No model is asked. Each maintainer's own typed subject stands in for an author's: its type is
taken off, the candidate types the description as `anchor.in_form` would (`infer_type`, then
`retype` on the change's files), and it counts when the type is the maintainers'. Then
leave-one-repository-out chooses among the candidates:

    .venv/bin/python benchmarks/added_type.py \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's 100 commits before `2f90fc6`, written by
`benchmarks/repo_records.py` from a worktree at that commit; docs/quality.md.)
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from loo import held_out_scores

from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation import stats
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.message.imperative import imperative
from commit_polish.message.retype import retyped
from commit_polish.message.style import infer_type, is_bot_subject, parse_prefix
from commit_polish.records import FileChange, FileKind

Default = Callable[[Case, Sequence[FileChange]], str | None]
"""A candidate: the type to fall back on for a case when the words do not tell."""
_KIND_TYPES = {"docs": FileKind.DOCS, "test": FileKind.TEST}


def _usual_type(subjects: Iterable[str]) -> str | None:
    kinds = Counter(
        found.type.lower()
        for subject in subjects
        if not is_bot_subject(subject) and (found := parse_prefix(subject))
    )
    return kinds.most_common(1)[0][0] if kinds else None


def _fitting(kind: str | None, files: Sequence[FileChange]) -> str | None:
    """`kind`, unless it is `docs` or `test` and the change holds other files."""
    wanted = _KIND_TYPES.get(kind or "")
    return None if wanted and any(f.kind is not wanted for f in files) else kind


CANDIDATES: dict[str, Default] = {
    "fix (today)": lambda case, files: None,
    "feat": lambda case, files: "feat",
    "the paths' usual type": lambda case, files: _usual_type(c.subject for c in case.path_history),
    "the paths' usual type, fitting the files": lambda case, files: _fitting(
        _usual_type(c.subject for c in case.path_history), files
    ),
    "the recent subjects' usual type": lambda case, files: _usual_type(case.history),
    "the recent subjects' usual type, fitting": lambda case, files: _fitting(
        _usual_type(case.history), files
    ),
}


def _typed(description: str, default: str | None, files: Sequence[FileChange]) -> str:
    words = imperative(description)
    kind = infer_type(words, default=default) if default else infer_type(words)
    found = parse_prefix(retyped(f"{kind}: {words}", files)[0])
    return found.type if found else kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    score: dict[str, dict[str, float]] = {name: {} for name in CANDIDATES}
    cases: list[tuple[str, str]] = []
    for case in (c for path in args.datasets for c in load_cases(path)):
        theirs = parse_prefix(case.subject)
        if case.style != "conventional" or theirs is None:
            continue
        files = parse_diff(case.diff) if case.diff else []
        cases.append((case.repo, case.id))
        for name, default in CANDIDATES.items():
            mine = _typed(theirs.description, default(case, files), files)
            score[name][case.id] = 100.0 * (mine == theirs.type.lower())
    for name, found in score.items():
        share = statistics.fmean(found.values())
        print(f"{name:<42} the maintainers' type on {share:5.1f}% of {len(found)}")
        per_repo: dict[str, list[float]] = defaultdict(list)
        for repo, case_id in cases:
            per_repo[repo.rsplit("/")[-1]].append(found[case_id])
        print("   ", ", ".join(f"{r} {statistics.fmean(v):.0f}" for r, v in per_repo.items()))
    chosen = held_out_scores(score, cases)
    ours = [chosen[case_id] for _, case_id in cases]
    today = [score["fix (today)"][case_id] for _, case_id in cases]
    print(
        f"leave-one-repository-out: {statistics.fmean(ours):5.1f}% against "
        f"{statistics.fmean(today):5.1f}% today, {stats.paired(ours, today)} (n: subjects)"
    )


if __name__ == "__main__":
    main()

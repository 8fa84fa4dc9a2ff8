"""The usual scope of a change's paths (`message.scope`), chosen by leave-one-repository-out.

The rule edits a model's subject after the answer, so stored answers are rescored without a
model (`rescoring.py`): each candidate threshold is applied to the model-written subjects of
`eval --out` files made without it (diff only, where every subject is the model's).

    cat benchmarks/data/whole512_dev.jsonl benchmarks/data/whole512_dev2.jsonl > /tmp/whole.jsonl
    .venv/bin/python benchmarks/path_scope.py /tmp/whole.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz

The stored answers are the whole of both sets at the 512-token default, diff only, from the
code before the rule (docs/quality.md).
"""

from __future__ import annotations

from functools import partial

import rescoring

from commit_polish.evaluation.cases import Case
from commit_polish.message.anchor import SUBJECT_LIMIT
from commit_polish.message.scope import with_usual_scope

CANDIDATES = [(commits, share) for commits in (2, 3) for share in (0.0, 1 / 3, 0.5)]


def _scoped(case: Case, subject: str, *, commits: int, share: float) -> str:
    return with_usual_scope(
        subject, case.path_history, SUBJECT_LIMIT, min_commits=commits, min_share=share
    )


if __name__ == "__main__":
    rescoring.main(
        __doc__,
        {
            f"{commits} commits, share {share:.2f}": partial(_scoped, commits=commits, share=share)
            for commits, share in CANDIDATES
        },
        "scope",
    )

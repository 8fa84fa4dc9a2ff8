"""The type a model's subject gets from its files alone (`retype.certain_type`), chosen by
leave-one-repository-out.

A change of tests alone takes `test`, a dependency update (a lockfile, and otherwise only
manifests: `digest.kinds.only_dependencies`) takes `chore`, where the model wrote a code type.
Stored diff-only answers are rescored without a model (`rescoring.py`):

    cat benchmarks/data/rules_whole512_dev.jsonl benchmarks/data/rules_whole512_dev2.jsonl \\
        benchmarks/data/own40_fixed.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/type_rules.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own40.jsonl.gz

(/tmp/own40.jsonl.gz: this project's own history, `benchmarks/repo_records.py`; docs/quality.md.)
"""

from __future__ import annotations

from functools import partial

import rescoring

from commit_polish.digest.kinds import only_dependencies
from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation.cases import Case
from commit_polish.message.retype import retyped


def _retyped(case: Case, subject: str, *, dependencies: bool) -> str:
    files = parse_diff(case.diff) if case.diff else []
    deps = dependencies and only_dependencies([change.path for change in files])
    return retyped(subject, files, model=True, dependencies=deps)[0]


if __name__ == "__main__":
    rescoring.main(
        __doc__,
        {
            "tests alone": partial(_retyped, dependencies=False),
            "tests alone and dependency updates": partial(_retyped, dependencies=True),
        },
        "type",
    )

"""A scope the maintainers wrote that names a folder holding every changed file
(`message.scope.with_folder_scope`), applied or not, chosen by leave-one-repository-out.

Stored diff-only answers are rescored without a model (`rescoring.py`): the model-written
subjects as the pipeline wrote them before the rule, and under the rule.

    cat benchmarks/data/prose_whole512_dev.jsonl benchmarks/data/prose_whole512_dev2.jsonl \\
        benchmarks/data/own100.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/folder_scope.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's own last 100 commits, `benchmarks/repo_records.py`;
docs/quality.md.)
"""

from __future__ import annotations

import re

import rescoring

from commit_polish.evaluation.cases import Case
from commit_polish.message.anchor import SUBJECT_LIMIT
from commit_polish.message.scope import with_folder_scope

_PATH = re.compile(r"^diff --git a/(\S+) b/", re.MULTILINE)


def _folder(case: Case, subject: str) -> str:
    paths = _PATH.findall(case.diff)
    return with_folder_scope(subject, paths, case.history, case.path_history, SUBJECT_LIMIT)


if __name__ == "__main__":
    rescoring.main(__doc__, {"a folder's scope": _folder}, "scope")

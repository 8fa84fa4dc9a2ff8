"""A model's scope that only names a changed file (`message.scope.without_file_scope`),
dropped or kept, chosen by leave-one-repository-out.

Stored diff-only answers are rescored without a model (`rescoring.py`): the model-written
subjects as they were, and without a file's name for a scope where neither the history nor
the paths' history used it.

    cat benchmarks/data/rules_whole512_dev.jsonl benchmarks/data/rules_whole512_dev2.jsonl \\
        benchmarks/data/own100.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/file_scope.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's own last 100 commits, `benchmarks/repo_records.py`;
docs/quality.md.)
"""

from __future__ import annotations

import rescoring

from commit_polish.evaluation.cases import Case
from commit_polish.message.scope import without_file_scope


def _dropped(case: Case, subject: str) -> str:
    paths = rescoring.changed_paths(case)
    return without_file_scope(subject, paths, case.history, case.path_history)


if __name__ == "__main__":
    rescoring.main(__doc__, {"without a file's name": _dropped}, "scope")

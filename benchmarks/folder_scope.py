"""A scope the maintainers wrote that names a folder holding every changed file
(`message.scope.with_folder_scope`), in four variants, applied or not, chosen by
leave-one-repository-out.

Stored diff-only answers are rescored without a model (`rescoring.py`): the model-written
subjects as the pipeline wrote them before the rule, and under each variant. The variants:
the names the paths' history used, or also those of the recent subjects; a used scope of the
model's own that names a folder of some changed file kept, or replaced; files at the root
counted (a root manifest aside), or all skipped.

    cat benchmarks/data/prose_whole512_dev.jsonl benchmarks/data/prose_whole512_dev2.jsonl \\
        benchmarks/data/own100.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/folder_scope.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's own last 100 commits, `benchmarks/repo_records.py`;
docs/quality.md.)
"""

from __future__ import annotations

import itertools
from functools import partial

import rescoring

from commit_polish.digest import kinds
from commit_polish.evaluation.cases import Case
from commit_polish.message.anchor import SUBJECT_LIMIT
from commit_polish.message.scope import with_folder_scope


def _folder(case: Case, subject: str, *, recent: bool, keep: bool, root: bool) -> str:
    paths = [
        path
        for path in rescoring.changed_paths(case)
        if not kinds.is_bookkeeping(path) and (root or "/" in path)
    ]
    return with_folder_scope(
        subject,
        paths,
        case.history,
        case.path_history,
        SUBJECT_LIMIT,
        recent_names=recent,
        keep_own=keep,
    )


def _name(recent: bool, keep: bool, root: bool) -> str:
    names = "recent and paths'" if recent else "paths' only"
    return f"{names}, {'keep' if keep else 'replace'} own, root {'counted' if root else 'skipped'}"


if __name__ == "__main__":
    rescoring.main(
        __doc__,
        {
            _name(*flags): partial(_folder, recent=flags[0], keep=flags[1], root=flags[2])
            for flags in itertools.product((False, True), repeat=3)
        },
        "scope",
    )

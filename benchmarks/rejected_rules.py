"""Three more rules on a model's subject that did not hold up held out; kept so that they are
not tried again without new data (docs/quality.md, "Three rules that did not hold up").

- a path-like scope no earlier subject used (`examples/file-picker`) cut to its first folder;
- the scope read from the folder level that the paths' history's scopes name (commitlint's
  `@commitlint/<scope>/`), where the paths have no usual scope;
- a trailing phrase that only names a file (`... in command.go`) dropped.

Stored diff-only answers are rescored without a model (`rescoring.py`):

    cat benchmarks/data/prose_whole512_dev.jsonl benchmarks/data/prose_whole512_dev2.jsonl \\
        benchmarks/data/own100.jsonl > /tmp/answers.jsonl
    .venv/bin/python benchmarks/rejected_rules.py /tmp/answers.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz /tmp/own100.jsonl.gz

(/tmp/own100.jsonl.gz: this project's 100 commits before `2f90fc6`, written by
`benchmarks/repo_records.py` from a worktree at that commit; docs/quality.md.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import rescoring

from commit_polish.evaluation.cases import Case
from commit_polish.message.scope import used_scopes, usual_scope, with_scope
from commit_polish.message.style import is_bot_subject, parse_prefix
from commit_polish.records import PathCommit

_BOOKKEEPING = re.compile(
    r"(?:^|/)(?:\.changeset/|CHANGELOG|pnpm-lock|yarn\.lock|package-lock|Cargo\.lock|go\.sum)"
)
_FILE = r"[`'\"]?(?:[\w.@-]*/[\w./@-]*|[\w@-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]{0,7})[`'\"]?"


def _bare(subject: str) -> str:
    prefix = parse_prefix(subject)
    if prefix is None:
        return subject
    return f"{prefix.type}{'!' if prefix.breaking else ''}: {prefix.description}"


def first_folder(case: Case, subject: str) -> str:
    prefix = parse_prefix(subject)
    if prefix is None or not prefix.scope or "/" not in prefix.scope:
        return subject
    if prefix.scope in used_scopes(case.history, case.path_history):
        return subject
    return with_scope(_bare(subject), prefix.scope.strip("/").split("/")[0], 72)


def _scope_level(path_history: Sequence[PathCommit]) -> int | None:
    """The folder level (0: top) whose names the paths' earlier scopes most often were."""
    votes: Counter[int] = Counter()
    for commit in path_history:
        found = parse_prefix(commit.subject)
        if is_bot_subject(commit.subject) or found is None or not found.scope:
            continue
        votes.update(
            {
                level
                for path in commit.files
                for level, folder in enumerate(path.split("/")[:-1])
                if folder == found.scope
            }
        )
    return votes.most_common(1)[0][0] if votes else None


def folder_level(case: Case, subject: str) -> str:
    prefix = parse_prefix(subject)
    if prefix is None or prefix.scope or usual_scope(case.path_history):
        return subject
    level = _scope_level(case.path_history)
    if level is None:
        return subject
    paths = [p for p in rescoring.changed_paths(case) if not _BOOKKEEPING.search(p)]
    folders = {p.split("/")[level] if p.count("/") > level else None for p in paths}
    if len(folders) != 1 or None in folders:
        return subject
    return with_scope(subject, folders.pop(), 72)


def _without_file_phrase(prepositions: str) -> rescoring.Rule:
    tail = re.compile(rf"\s+(?:{prepositions})\s+(?:the\s+)?{_FILE}(?:\s+(?:file|directory))?$")

    def rule(case: Case, subject: str) -> str:
        found = tail.search(subject)
        if found is None or len(subject[: found.start()].split(": ")[-1].split()) < 3:
            return subject
        return subject[: found.start()]

    return rule


if __name__ == "__main__":
    rescoring.main(
        __doc__,
        {
            "path-like scope, first folder": first_folder,
            "scope from the folder level": folder_level,
            "no trailing 'in <file>'": _without_file_phrase("in"),
            "no trailing 'in/for/of/on <file>'": _without_file_phrase("in|for|of|on"),
        },
        "scope",
    )

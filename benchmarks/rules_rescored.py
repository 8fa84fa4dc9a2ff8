"""Stored diff-only answers with the subject rules added since they were written: the one
changelog entry a change adds (`digest.notes`), the type the files alone decide
(`retype.certain_type`) and the scope of its paths or their folder (`message.scope`). All
are decided without a model, so an older `eval --out` file becomes what today's pipeline
writes for the subject from the same model answers; the body stays as it was. Use it to
compare settings whose runs predate the rules without running them again:

    cat benchmarks/data/whole512_dev.jsonl benchmarks/data/whole512_dev2.jsonl > /tmp/512.jsonl
    cat benchmarks/data/whole768_dev.jsonl benchmarks/data/whole768_dev2.jsonl > /tmp/768.jsonl
    for cap in 512 768; do
        .venv/bin/python benchmarks/rules_rescored.py /tmp/$cap.jsonl /tmp/${cap}r.jsonl \\
            ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz
    done
    .venv/bin/python benchmarks/paired.py /tmp/512r.jsonl /tmp/768r.jsonl \\
        ../shared/eval/dev.jsonl.gz ../shared/eval/dev2.jsonl.gz
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.records import ChangeContext, SubjectSource
from commit_polish.subject_rules import own_subject, settled_subject


def subject(case: Case, answered: str, source: str) -> tuple[str, str]:
    """(subject, source) as today's rules give them over the model's `answered` subject."""
    files = parse_diff(case.diff)
    kept = own_subject(ChangeContext(history=case.history), "auto", files, files)
    if kept is not None:
        return kept.subject, SubjectSource.NOTE.value
    if source != SubjectSource.MODEL.value:
        return answered, source
    settled = settled_subject(
        answered, files, ignored=False, history=case.history, paths=lambda: case.path_history
    )
    return settled, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="eval --out lines written with --diff-only")
    parser.add_argument("out", type=Path)
    parser.add_argument("datasets", type=Path, nargs="+")
    args = parser.parse_args()
    cases = {c.id: c for path in args.datasets for c in load_cases(path)}
    with args.out.open("w", encoding="utf-8") as out:
        for line in args.answers.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            first, newline, rest = str(row["message"]).partition("\n")
            if row["id"] in cases and not row.get("error"):
                first, row["subject_source"] = subject(
                    cases[row["id"]], first, str(row.get("subject_source", ""))
                )
            row["message"] = first + newline + rest
            out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()

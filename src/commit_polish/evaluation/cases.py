"""Evaluation cases: read a data set of squash-merged PRs, and the results already written."""

from __future__ import annotations

import ast
import gzip
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commit_polish.errors import InputError
from commit_polish.evaluation.metrics import split_message
from commit_polish.records import PathCommit

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Case:
    """One PR to describe, and what its maintainers wrote."""

    id: str
    repo: str
    style: str
    size: str
    diff: str
    history: tuple[str, ...]
    subject: str
    body: str
    path_history: tuple[PathCommit, ...] = ()
    """The record's `path_history`; empty where it has none."""
    commit_messages: tuple[str, ...] = ()
    """The PR's own commits, oldest first, each whole (`subject` or `subject\n\nbody`) as
    GitHub's commits endpoint gives them to the Action; empty when the record has none."""
    pr: int = 0
    """The PR's number; 0 for a commit no PR made (`eval --every-commit`) or none recorded."""

    @property
    def reference(self) -> str:
        return f"{self.subject}\n\n{self.body}" if self.body else self.subject


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open("rb") as probe:
            zipped = probe.read(2) == _GZIP_MAGIC
        opener = gzip.open if zipped else open
        with opener(path, "rt", encoding="utf-8") as handle:
            yield from handle
    except (OSError, EOFError) as exc:
        raise InputError(
            f"cannot read --dataset {path}: {exc}", fix="give a readable file"
        ) from None


def _history(value: Any) -> tuple[str, ...]:
    # Some exports store the list as its Python repr; literal_eval reads it without running code.
    if isinstance(value, str):
        value = ast.literal_eval(value) if value.strip().startswith("[") else [value]
    return tuple(str(item) for item in value or ())


def _path_history(value: Any) -> tuple[PathCommit, ...]:
    return tuple(
        PathCommit(str(item["subject"]), tuple(str(f) for f in item.get("files") or ()))
        for item in value or ()
    )


def _commit_messages(value: Any) -> tuple[str, ...]:
    # `pr_commits` holds {subject, body} pairs; joined back, each is the whole message the
    # Action reads (`commit.message`), so eval hands the pipeline what the Action would.
    messages = []
    for commit in value or ():
        subject, body = str(commit["subject"]), str(commit.get("body") or "")
        messages.append(f"{subject}\n\n{body}" if body else subject)
    return tuple(messages)


def case_from_record(record: Mapping[str, Any]) -> Case:
    """A data set record (or one `eval --repo` built) as a case."""
    return Case(
        id=str(record["id"]),
        repo=str(record.get("repo", record["id"].partition("@")[0])),
        style=str(record.get("style", "")),
        size=str(record.get("size_bucket", "")),
        diff=str(record["diff"]),
        history=_history(record.get("history", ())),
        path_history=_path_history(record.get("path_history")),
        subject=str(record.get("subject", "")),
        body=str(record.get("body", "")),
        # Older records have no `pr_commits`, and it is null where the PR's head is unknown.
        commit_messages=_commit_messages(record.get("pr_commits")),
        pr=int(record.get("pr") or 0),
    )


def load_cases(
    path: Path, *, ids: Sequence[str] | None = None, limit: int | None = None
) -> list[Case]:
    """The data set's cases in file order, only those in `ids` when given, the first `limit`."""
    cases: list[Case] = []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            cases.append(case_from_record(json.loads(line)))
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            raise InputError(
                f"{path}:{number} is not a data set record ({type(exc).__name__}: {exc})",
                fix="each line must be a JSON object with at least `id` and `diff`",
            ) from None
    return pick_cases(cases, ids=ids, limit=limit, source=str(path))


def pick_cases(
    cases: list[Case], *, ids: Sequence[str] | None, limit: int | None, source: str
) -> list[Case]:
    """Only those in `ids` (in the cases' order) when given, then the first `limit`."""
    if ids is not None:
        wanted = set(ids)
        missing = sorted(wanted - {case.id for case in cases})
        if missing:
            raise InputError(
                f"{len(missing)} of the --ids are not in {source}: {', '.join(missing[:3])}",
                fix="check that the ids file belongs to these cases",
            )
        cases = [case for case in cases if case.id in wanted]
    return cases[:limit] if limit is not None else cases


def read_ids(path: Path) -> list[str]:
    """One id a line; blank lines and `#` comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot read --ids {path}: {exc.strerror}", fix="give a readable file"
        ) from None
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def read_results(path: Path | None, key: str) -> dict[str, dict[str, Any]]:
    """Lines already in `--out`, by case id: a restarted run skips them.

    `key` is `message` for a real run and `messages` for a dry run: mixing the two in one file
    would make a later run skip cases it never answered.
    """
    if path is None or not path.exists():
        return {}
    done: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            # A run killed mid-write leaves a cut last line: that case is simply run again.
            continue
        if key not in row:
            raise InputError(
                f"--out {path}:{number} has no `{key}`: it was written by another kind of run",
                fix="give --out a new file (dry runs and real runs cannot share one)",
            )
        done[str(row["id"])] = row
    return done


def read_subjects(path: Path) -> dict[str, str]:
    """The subject of each answer in an `--out` (or predictions) file, by case id: what the
    benchmarks compare PR by PR."""
    rows = read_results(path, "message")
    return {case: split_message(row["message"] or "")[0] for case, row in rows.items()}

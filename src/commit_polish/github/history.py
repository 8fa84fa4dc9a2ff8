"""The changed files' recent history on the base branch, read through GitHub's list-commits
API: the Action's `ChangeContext.path_history`, as `localgit.path_history` reads it from git.

Cost: one `GET /repos/{owner}/{repo}/commits?sha=<base>&path=<p>&per_page=10` per path, for
the PATH_CALLS most changed paths only. Calls are the cost: each is a round trip of up to the
session's timeout and one request of the token's hourly quota (an Actions token has 1,000 per
repository), against about six for the rest of a run; the few most changed files carry most
of a change's lines, so three calls at most, and each path is asked once per run (cached).

First parent. GitHub lists a path's commits much as `git log <base> -- <path>` does, through
every parent: a merged branch's own commits come too, where `localgit` (`--first-parent`)
shows only the base branch's. Every listed commit names its parents, and that is all the
answer tells, so `first_parent_only` walks the merged list newest first (by committer date):
- it keeps a commit unless it is known to be on a merged branch; a kept commit's first parent
  is then on the base branch's line, and a kept merge's other parents head merged branches;
- it drops a commit that heads a merged branch, or is the first parent of a dropped one (the
  branch goes on below it), unless a kept commit names it as its first parent.
Exact for a squash- or rebase-merged base branch (no merges: every commit is first-parent).
Its limits: git's default simplification, which GitHub's lists follow as far as we have seen,
leaves out a merge whose result equals one parent's for that path (the usual merge of a branch
that alone touched it); nothing in the answer then marks that branch's commits, which stay. A
branch is followed down only through listed commits. A page holds 10 commits per path, so a
dropped commit is not replaced by an older one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from commit_polish.github.errors import GitHubRequestError
from commit_polish.github.session import Session
from commit_polish.localgit import FILES_PER_COMMIT, PATH_HISTORY
from commit_polish.records import PathCommit

__all__ = ["PATH_CALLS", "PathHistory", "first_parent_only", "most_changed"]

PATH_CALLS = 3
"""Paths asked about per run: one call each (see the module's docstring)."""
PER_PATH = PATH_HISTORY
_LONG_AGO = datetime.min.replace(tzinfo=UTC)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Listed:
    """One commit of a list-commits answer, as far as the history needs it."""

    sha: str
    subject: str
    date: datetime
    """The committer date: when the commit reached its branch (a squash's is the merge's)."""
    parents: tuple[str, ...]


class PathHistory:
    """The list-commits answers of one run, by (repo, base, path): make one per run
    (`GitHubClient` holds one). Once a call fails, the feature is off for the rest of the run
    and no further call is made."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._answers: dict[tuple[str, str, str], tuple[Listed, ...]] = {}
        self._dropped: str | None = None

    def read(
        self,
        repo: str,
        base_ref: str,
        changes: Iterable[tuple[str, int]],
        *,
        on_drop: Callable[[str], None] | None = None,
    ) -> tuple[PathCommit, ...]:
        """The last PATH_HISTORY first-parent commits on `base_ref` that touched the most
        changed of `changes` ((path on the base branch, changed lines) pairs), newest first,
        each with the paths it was listed for. () when a call fails: `on_drop` gets one line
        saying why, for the caller's notice; the run goes on without it."""
        paths = most_changed(changes)
        answers = []
        for path in paths:
            listed = self._listed(repo, base_ref, path)
            if listed is None:
                if on_drop is not None and self._dropped is not None:
                    on_drop(self._dropped)
                return ()
            answers.append((path, listed))
        return merge(answers)

    def _listed(self, repo: str, base_ref: str, path: str) -> tuple[Listed, ...] | None:
        if self._dropped is not None:
            return None
        key = (repo, base_ref, path)
        if key not in self._answers:
            # The path stays out of the message: PR authors choose paths, and it goes to a log.
            doing = f"listing the commits of the changed files on {base_ref}"
            url = f"{self._session.repo(repo).url}/commits"
            params = {"sha": base_ref, "path": path, "per_page": PER_PATH}
            try:
                with self._session.translated(doing):
                    _, data = self._session.requester.requestJsonAndCheck(
                        "GET", url, parameters=params
                    )
            except GitHubRequestError as exc:
                self._dropped = f"the changed files' history was left out: {exc.message}"
                return None
            self._answers[key] = _parse(data)
        return self._answers[key]


def most_changed(changes: Iterable[tuple[str, int]]) -> tuple[str, ...]:
    """The PATH_CALLS paths with the most changed lines; a tie keeps the given order."""
    counts: dict[str, int] = {}
    for path, lines in changes:
        if path:
            counts[path] = max(counts.get(path, 0), lines)
    ranked = sorted(counts, key=lambda path: -counts[path])
    return tuple(ranked[:PATH_CALLS])


def merge(answers: Sequence[tuple[str, Sequence[Listed]]]) -> tuple[PathCommit, ...]:
    """One list from the per-path answers (most changed path first): each commit once, newest
    first by committer date (a tie keeps the answers' order), first-parent only, PER_PATH at
    most, each with the paths it was listed for in the answers' order."""
    found: dict[str, Listed] = {}
    paths: dict[str, list[str]] = {}
    for path, listed in answers:
        for commit in listed:
            found.setdefault(commit.sha, commit)
            if path not in paths.setdefault(commit.sha, []):
                paths[commit.sha].append(path)
    newest = sorted(found.values(), key=lambda c: c.date, reverse=True)  # stable
    kept = first_parent_only(newest)[:PER_PATH]
    return tuple(PathCommit(c.subject, tuple(paths[c.sha][:FILES_PER_COMMIT])) for c in kept)


def first_parent_only(newest_first: Sequence[Listed]) -> list[Listed]:
    """The commits the answer does not show to be on a merged branch (the module's rule)."""
    line: set[str] = set()
    side: set[str] = set()
    kept = []
    for commit in newest_first:
        first, *others = commit.parents or ("",)
        if commit.sha in side and commit.sha not in line:
            side.add(first)
            continue
        kept.append(commit)
        line.add(first)
        side.update(others)
    return kept


def _parse(data: Any) -> tuple[Listed, ...]:
    """The commits of one answer; anything not shaped like GitHub's commit is skipped."""
    found = []
    for item in data if isinstance(data, list) else ():
        sha = _field(item, "sha", str)
        if sha is None:
            continue
        commit = _field(item, "commit", dict) or {}
        message = _field(commit, "message", str) or ""
        parents = (_field(p, "sha", str) for p in _field(item, "parents", list) or ())
        found.append(
            Listed(
                sha=sha,
                subject=message.strip().split("\n", 1)[0].strip(),
                date=_date(commit.get("committer")) or _date(commit.get("author")) or _LONG_AGO,
                parents=tuple(p for p in parents if p is not None),
            )
        )
    return tuple(found)


def _field(data: Any, name: str, kind: type[_T]) -> _T | None:
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, kind) else None


def _date(person: Any) -> datetime | None:
    stamp = _field(person, "date", str)
    if stamp is None:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

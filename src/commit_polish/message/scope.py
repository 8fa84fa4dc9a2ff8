"""The scope a change's files have had, read from their own history (`path_history`).

Maintainers of a scoped repository give a package's changes the scope its earlier changes
had (`fix(lsp): ...` for the language server's files), where a 1.5B model guesses one from a
file name or writes none. The usual scope is the one the most of the recent conventional
commits to these paths carried, if at least two and a third of them did; bots' subjects do
not count (a dependency bump touches every manifest under its own `deps` scope).

A scope the maintainers have written that names a folder holding every changed file is
the change's scope (`with_folder_scope`): `examples` for a change under `examples/`, a
package's name in a monorepo, where the model guessed another or none.

A model's scope that only names a file the change touches (`cursed_renderer` for
`cursed_renderer.go`) is a guess no maintainer wrote: where the history never used it, it
goes (`without_file_scope`). Pure; linear in the subjects and paths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from commit_polish.message.style import is_bot_subject, parse_prefix
from commit_polish.records import PathCommit

# Chosen by leave-one-repository-out among 2 or 3 commits and a share of 0, 1/3 or 1/2 of
# the paths' conventional commits (benchmarks/path_scope.py, docs/quality.md).
MIN_COMMITS = 2
MIN_SHARE = 1 / 3


def usual_scope(
    path_history: Sequence[PathCommit],
    *,
    min_commits: int = MIN_COMMITS,
    min_share: float = MIN_SHARE,
) -> str | None:
    """The scope these paths' commits mostly had; None when none is usual."""
    typed = [
        prefix
        for commit in path_history
        if not is_bot_subject(commit.subject) and (prefix := parse_prefix(commit.subject))
    ]
    scopes = Counter(prefix.scope for prefix in typed if prefix.scope)
    if not scopes:
        return None
    scope, count = scopes.most_common(1)[0]  # a tie goes to the newer commit's
    return scope if count >= max(min_commits, min_share * len(typed)) else None


def with_usual_scope(
    subject: str,
    path_history: Sequence[PathCommit],
    limit: int,
    *,
    min_commits: int = MIN_COMMITS,
    min_share: float = MIN_SHARE,
) -> str:
    """A conventional `subject` under the paths' usual scope (`with_scope`)."""
    scope = usual_scope(path_history, min_commits=min_commits, min_share=min_share)
    return with_scope(subject, scope, limit)


def with_scope(subject: str, scope: str | None, limit: int) -> str:
    """A conventional `subject` under `scope`; as it was when there is none, when the scope
    would only repeat the type, or when the subject would pass `limit`."""
    prefix = parse_prefix(subject)
    if prefix is None or scope is None or scope.casefold() == prefix.type.casefold():
        return subject
    bang = "!" if prefix.breaking else ""
    scoped = f"{prefix.type}({scope}){bang}: {prefix.description}"
    return scoped if len(scoped) <= limit else subject


def with_folder_scope(
    subject: str,
    paths: Sequence[str],
    history: Sequence[str],
    path_history: Sequence[PathCommit],
    limit: int,
    *,
    recent_names: bool = True,
    keep_own: bool = True,
) -> str:
    """A conventional `subject` under the scope the recent subjects or the paths' history
    used that names a folder every one of `paths` lies in (the changed files bookkeeping
    aside: `digest.kinds.is_bookkeeping`); the one the paths' history used most, a tie to
    the newer. A scope of the subject's own that was used and names a folder of some changed
    path stays: it may be the more precise one. As it was otherwise (`with_scope`).
    `recent_names` and `keep_own` off are candidates `benchmarks/folder_scope.py` scored."""
    prefix = parse_prefix(subject)
    if prefix is None or not paths:
        return subject
    folders = [{_folder(name) for name in path.split("/")[:-1]} for path in paths]
    used = Counter(_scopes(path_history))
    for recent in _scopes(PathCommit(written) for written in history if recent_names):
        used.setdefault(recent, 0)  # a name the maintainers write, though not for these paths
    mine = prefix.scope
    if keep_own and mine and mine in used and any(_folder(mine) in names for names in folders):
        return subject
    fitting = [
        scope
        for scope in used
        if all(
            _folder(scope) in names or _under(path, scope)
            for names, path in zip(folders, paths, strict=True)
        )
    ]
    if not fitting:
        return subject
    return with_scope(subject, max(fitting, key=used.__getitem__), limit)


def _folder(name: str) -> str:
    """A folder's name as a scope writes it: `.github` is `github`, `_experimental`
    `experimental`."""
    return name.lstrip("._").casefold()


def _under(path: str, scope: str) -> bool:
    """Whether a scope that is itself a folder path (`examples/file-picker`) holds `path`."""
    return "/" in scope and f"/{scope.casefold()}/" in f"/{path.casefold()}"


def without_file_scope(
    subject: str,
    paths: Sequence[str],
    history: Sequence[str],
    path_history: Sequence[PathCommit],
) -> str:
    """A conventional `subject` without its scope when that scope is the name of a changed
    file (its stem) and not of a directory, and neither the recent subjects (`history`) nor
    the paths' own history ever used it; as it was otherwise."""
    prefix = parse_prefix(subject)
    if prefix is None or not prefix.scope:
        return subject
    stems = {path.rsplit("/", 1)[-1].split(".", 1)[0] for path in paths}
    folders = {folder for path in paths for folder in path.split("/")[:-1]}
    if prefix.scope not in stems or prefix.scope in folders:
        return subject
    if prefix.scope in used_scopes(history, path_history):
        return subject
    bang = "!" if prefix.breaking else ""
    return f"{prefix.type}{bang}: {prefix.description}"


def used_scopes(history: Sequence[str], path_history: Sequence[PathCommit]) -> set[str]:
    """The scopes people (not bots) wrote in the recent subjects and the paths' history."""
    return {*_scopes(PathCommit(written) for written in history), *_scopes(path_history)}


def _scopes(commits: Iterable[PathCommit]) -> Iterator[str]:
    """The scopes people (not bots) wrote on these commits, in order."""
    for commit in commits:
        found = None if is_bot_subject(commit.subject) else parse_prefix(commit.subject)
        if found and found.scope:
            yield found.scope

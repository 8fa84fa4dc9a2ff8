"""Read a change from a local git repository: the `suggest --range` source."""

from __future__ import annotations

import subprocess
from pathlib import Path

from commit_polish.errors import InputError
from commit_polish.records import ChangeContext, PathCommit

HISTORY = 20
PATH_HISTORY = 10
"""Earlier commits that touched the change's files, as the evaluation sets hold them."""
PATH_LIMIT = 200
"""Paths asked about (the most changed first), and files kept per commit: the data sets'."""
FILES_PER_COMMIT = 5
# Unit and record separators: they cannot appear in names or commit messages.
_FIELD, _RECORD = "\x1f", "\x1e"


_RANGE_FIX = "run inside a git repository and give an existing range such as main..HEAD"


def git(repo: Path, *args: str, fix: str = _RANGE_FIX) -> bytes:
    """git's standard output; a failure is an InputError with git's last line and `fix`."""
    try:
        # git from PATH, with fixed arguments: nothing here runs input as a command.
        done = subprocess.run(  # noqa: S603
            ["git", "-C", str(repo), *args],  # noqa: S607
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise InputError("git is not installed", fix="install git, or pass --diff-file") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"git {' '.join(args[:2])} failed: {error[-1] if error else 'no output'}",
            fix=fix,
        )
    return done.stdout


def split_range(spec: str) -> tuple[str, str]:
    base, dots, head = spec.partition("..")
    head = head.lstrip(".")
    if not dots or not base or not head:
        raise InputError(
            f"--range {spec!r} is not BASE..HEAD", fix="write it like main..HEAD or HEAD~3..HEAD"
        )
    return base, head


def range_diff(repo: Path, spec: str) -> bytes:
    base, head = split_range(spec)
    # The squash of a PR is its merge base to its head: what `...` means to git diff.
    return git(repo, "diff", "-M", "--no-color", "--no-ext-diff", f"{base}...{head}")


def history(repo: Path, ref: str = "HEAD", count: int = HISTORY) -> tuple[str, ...]:
    """Recent subjects on `ref`, newest first: the repository's own style."""
    try:
        out = git(repo, "log", f"-n{count}", "--no-merges", "--format=%s", ref, "--")
    except InputError:
        return ()
    return tuple(line for line in out.decode("utf-8", "replace").splitlines() if line.strip())


def range_context(repo: Path, spec: str) -> ChangeContext:
    """Commit messages, co-authors and the base branch's style for BASE..HEAD."""
    base, head = split_range(spec)
    fmt = _FIELD.join(("%an <%ae>", "%B")) + _RECORD
    out = git(repo, "log", "--reverse", f"--format={fmt}", f"{base}..{head}", "--")
    commits = [
        record.strip("\n").split(_FIELD, 1)
        for record in out.decode("utf-8", "replace").split(_RECORD)
        if _FIELD in record
    ]
    authors = [author for author, _ in commits]
    # As GitHub does for a PR: the branch's author (of its first commit) authors the squash,
    # and every other commit author becomes a co-author.
    main = _email(authors[0]) if authors else ""
    co_authors = tuple(dict.fromkeys(a for a in authors if _email(a) != main))
    return ChangeContext(
        commit_messages=tuple(message.strip() for _, message in commits),
        history=history(repo, base),
        co_authors=co_authors,
        path_history=path_history(repo, base, changed_paths(repo, base, head)),
    )


def changed_paths(repo: Path, base: str, head: str) -> tuple[str, ...]:
    """The paths `base...head` changes, the most changed lines first, at most PATH_LIMIT."""
    out = git(repo, "diff", "--numstat", "-z", "--no-renames", f"{base}...{head}")
    rows = []
    for row in out.decode("utf-8", "replace").split("\0"):
        added, _, rest = row.partition("\t")
        removed, _, path = rest.partition("\t")
        if path:  # a binary file counts its lines as "-"
            lines = sum(int(n) for n in (added, removed) if n.isdigit())
            rows.append((-lines, path))
    return tuple(path for _, path in sorted(rows)[:PATH_LIMIT])


def path_history(
    repo: Path, ref: str, paths: tuple[str, ...], count: int = PATH_HISTORY
) -> tuple[PathCommit, ...]:
    """The last `count` first-parent commits on `ref` that touched any of `paths`, newest
    first, each with the paths of those it touched; () where git cannot tell."""
    if not paths:
        return ()
    try:
        out = git(
            repo, "log", "--first-parent", f"-n{count}", f"--format={_RECORD}%s",
            "--name-only", "-z", ref, "--", *paths,
        )  # fmt: skip
    except InputError:
        return ()
    wanted, commits = set(paths), []
    for record in out.decode("utf-8", "replace").split(_RECORD)[1:]:
        # -z: `subject NUL`, a newline, then each name NUL-terminated.
        subject, *names = (field.strip("\n") for field in record.split("\0"))
        touched = tuple(name for name in names if name in wanted)[:FILES_PER_COMMIT]
        commits.append(PathCommit(subject.strip(), touched))
    return tuple(commits)


def _email(author: str) -> str:
    return author.rpartition("<")[2].rstrip(">").strip().lower()


def pull_heads(repo: Path) -> dict[int, str]:
    """The head commit of each pull request the clone has fetched (`refs/pull/N/head`, as
    `git fetch origin '+refs/pull/*/head:refs/pull/*/head'` writes them), by N; {} where
    there are none or git cannot tell."""
    try:
        out = git(repo, "for-each-ref", "--format=%(objectname) %(refname)", "refs/pull/")
    except InputError:
        return {}
    heads: dict[int, str] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        sha, _, ref = line.partition(" ")
        number, _, rest = ref.removeprefix("refs/pull/").partition("/")
        if rest == "head" and number.isdigit():
            heads[int(number)] = sha
    return heads


def range_messages(repo: Path, base: str, head: str) -> tuple[str, ...]:
    """The whole message of each commit in `base..head`, oldest first, merge commits left
    out: a pull request's own commits, as the evaluation sets' `pr_commits` hold them."""
    out = git(
        repo, "log", "--reverse", "--no-merges", "--no-show-signature",
        f"--format=%B{_RECORD}", f"{base}..{head}", "--",
    )  # fmt: skip
    # Each message ends in the separator; what follows the last one is its newline.
    return tuple(m.strip() for m in out.decode("utf-8", "replace").split(_RECORD)[:-1])

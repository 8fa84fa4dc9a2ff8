"""`commit-polish eval --repo`: cases from a local repository's own squash-merged PRs, or
with `--every-commit` from every commit a person wrote on its line.

Each record has the data set's format (shared/eval/README.md), so a team can measure the tool
on its own history exactly as on the published set. Four git calls whatever N is (more
only where PRs are rare in the log): where the repository is, one first-parent log for the
candidates and their history, one `log -p` for every picked diff, and the PR heads the
clone has fetched; then per PR two for its files' own history (`path_history`) and, where
`refs/pull/N/head` is there, one for the PR's own commits (`pr_commits`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypedDict

from commit_polish import localgit
from commit_polish.errors import InputError
from commit_polish.evaluation.fields import body_kind, diff_stats, size_bucket, split_body
from commit_polish.evaluation.metrics import CONVENTIONAL
from commit_polish.message.style import pr_number_start

HISTORY = localgit.HISTORY
READ_AHEAD = 200
PR_COMMITS = 50
"""A PR's commits kept, oldest first, and each body's length: the data sets' limits."""
COMMIT_BODY = 4000
GITHUB_PR_COMMITS = 250
"""The most commits GitHub lists for one PR: a longer range is not the PR's own."""
FETCH_PULL_HEADS = "git fetch origin '+refs/pull/*/head:refs/pull/*/head'"
_FIX = "give --repo a git repository whose current branch squash-merges its pull requests"
# NUL cannot occur in a commit's fields; with -z every commit ends in one too.
_LOG_FORMAT = "%H%x00%P%x00%an <%ae>%x00%aI%x00%B"
_FIELDS = 5
# Explicit where a user's config could change the text: `git diff -M parent sha` as the data
# set has it, with a/ b/ prefixes and 3 lines of context.
_DIFF_OPTIONS = (
    "-p",
    "-M",
    "-U3",
    "--no-color",
    "--no-ext-diff",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_BOT = re.compile(
    r"\[bot\]|dependabot|renovate|github-actions|pre-commit-ci|greenkeeper|snyk-bot|mergify"
    r"|allcontributors|imgbot",
    re.IGNORECASE,
)
# Releases, version bumps and dependency bumps: templated text, not a person describing a change.
_NOT_WRITTEN = re.compile(
    r"""^(?:
        v?\d+\.\d\S*$
      | (?:releas(?:e|ing)|version|prepare(?:\s+for)?\s+release)\b\W*v?\d+(?:\.\d+)+
      | bump(?:\s+the)?\s+version\b
      | chore\(release\)
      | chore(?:\([^)]*\))?!?:\s*(?:release|bump\s+version)\b
      | (?:build|chore)\(deps(?:-dev)?\):
      | bump\s+\S+\s+from\s+\S+\s+to\s+\S+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


class PathEntry(TypedDict):
    """An earlier commit that touched the PR's files, as `path_history` lists it."""

    subject: str
    files: list[str]


class PrCommit(TypedDict):
    """One of the PR's own commits, as `pr_commits` lists them."""

    subject: str
    body: str


class Record(TypedDict):
    """One case, in the data set's format."""

    id: str
    repo: str
    sha: str
    parent: str
    pr: int
    date: str
    subject: str
    subject_raw: str
    body: str
    trailers: list[str]
    diff: str
    files_changed: int
    additions: int
    deletions: int
    diff_bytes: int
    size_bucket: str
    style: str
    body_kind: str
    history: list[str]
    path_history: list[PathEntry]
    pr_commits: list[PrCommit] | None
    """None where the clone has no `refs/pull/N/head` or its range is not the PR's own."""


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    date: str
    message: str

    @property
    def subject(self) -> str:
        return self.message.partition("\n")[0]


class SquashPR(NamedTuple):
    subject: str
    """The subject without GitHub's ` (#N)`."""
    pr: int
    """0 for a commit that is no PR's (`written_commit`)."""


Pick = Callable[[Commit], SquashPR | None]


def squash_pr(commit: Commit) -> SquashPR | None:
    """The subject and PR number of a squash-merged PR a person wrote, else None."""
    match = written_commit(commit)
    return match if match is not None and match.pr else None


def written_commit(commit: Commit) -> SquashPR | None:
    """Any commit a person wrote on the line, a squash-merged PR or not (`eval --repo
    --every-commit`): its subject without GitHub's ` (#N)`, and the PR's number, or 0 where
    there is none. None for a merge, a bot's commit, a release or a version bump."""
    if len(commit.parents) != 1 or _BOT.search(commit.author):
        return None
    match = _squash_suffix(commit.subject) or SquashPR(commit.subject.strip(), 0)
    return None if not match.subject or _NOT_WRITTEN.match(match.subject) else match


def _squash_suffix(subject: str) -> SquashPR | None:
    r"""`Subject (#12)` -> ("Subject", 12): what `^(.*?\S)(?: \(#\d+\))* \(#(\d+)\)$` took,
    in linear time (that pattern tried each suffix again from every position before it).

    A PR squashed twice gets the suffix twice: the data set strips every one, each after
    exactly one space, and keeps the last number. What is left must end in a non-space.
    """
    text = subject.removesuffix("\n")
    if "\n" in text:
        return None
    ends: list[int] = []  # where the text before each suffix ends, the last suffix first
    number = ""
    end = len(text)
    while (start := pr_number_start(text, end)) > 0 and text[start - 1] == " ":
        number = number or text[start + 2 : end - 1]
        end = start - 1
        ends.append(end)
    # Each text but the shortest ends in a suffix's `)`; the shortest may end in a space.
    ends = [end for end in ends[-2:] if end > 0 and not text[end - 1].isspace()]
    return SquashPR(text[: ends[-1]], int(number)) if ends else None


def records(repo: Path, last: int, *, every_commit: bool = False) -> list[Record]:
    """The `last` most recent squash-merged PRs on HEAD's first-parent history, newest first;
    with `every_commit`, the last commits a person wrote there, PRs or not."""
    top, commits, picked = _picked(repo, last, written_commit if every_commit else squash_pr)
    diffs = _diffs(repo, [commits[index].sha for index, _ in picked])
    subjects = [commit.subject for commit in commits]
    heads = localgit.pull_heads(repo)
    return [
        _record(
            top.name,
            commits[index],
            match,
            diffs.get(commits[index].sha, b""),
            subjects[index + 1 : index + 1 + HISTORY],
            earlier=path_history(repo, commits[index]),
            own=pr_commits(repo, commits[index].parents[0], heads.get(match.pr)),
        )
        for index, match in picked
    ]


def squash_commits(repo: Path, last: int) -> list[tuple[Commit, SquashPR]]:
    """The commits `records` makes its cases of, newest first, and nothing else read: for
    `eval --repo --kept`, which compares their messages and asks for no diff."""
    _, commits, picked = _picked(repo, last, squash_pr)
    return [(commits[index], match) for index, match in picked]


def _picked(
    repo: Path, last: int, pick: Pick
) -> tuple[Path, list[Commit], list[tuple[int, SquashPR]]]:
    top = Path(localgit.git(repo, "rev-parse", "--show-toplevel", fix=_FIX).decode().strip())
    commits, picked = _candidates(repo, last, pick)
    if not picked:
        what, fix = "squash-merged PR commit (one parent, subject ending in ` (#N)`,", _FIX
        if pick is written_commit:
            what, fix = "commit a person wrote (one parent,", "give --repo a repository with one"
        raise InputError(
            f"no {what} not a bot's or a release's) in the first-parent history of HEAD in {top}",
            fix=fix,
        )
    return top, commits, picked


def path_history(repo: Path, commit: Commit) -> list[PathEntry]:
    """The first-parent commits before `commit` that touched its files, newest first, as
    `suggest --range` reads them (`localgit.path_history`)."""
    parent = commit.parents[0]
    paths = localgit.changed_paths(repo, parent, commit.sha)
    return [
        PathEntry(subject=earlier.subject, files=list(earlier.files))
        for earlier in localgit.path_history(repo, parent, paths)
    ]


def pr_commits(repo: Path, parent: str, head: str | None) -> list[PrCommit] | None:
    """The PR's own commits, `parent..head`, oldest first, merges left out, as the data sets
    keep them (the first PR_COMMITS, bodies cut at COMMIT_BODY). None without a head, or
    where the range is empty or longer than GitHub lists for a PR: then it is not the
    PR's own (a head rewritten after the merge), and the case has the diff alone."""
    if head is None:
        return None
    try:
        messages = localgit.range_messages(repo, parent, head)
    except InputError:
        return None
    if not messages or len(messages) > GITHUB_PR_COMMITS:
        return None
    kept = []
    for message in messages[:PR_COMMITS]:
        subject, _, body = message.partition("\n")
        kept.append(PrCommit(subject=subject.strip(), body=body.strip()[:COMMIT_BODY]))
    return kept


def _candidates(
    repo: Path, last: int, pick: Pick
) -> tuple[list[Commit], list[tuple[int, SquashPR]]]:
    # One read is enough where most commits are PRs; it grows only when they are rare.
    count = max(READ_AHEAD, 2 * last + HISTORY)
    while True:
        commits = _log(repo, count)
        picked = [(i, m) for i, c in enumerate(commits) if (m := pick(c))][:last]
        exhausted = len(commits) < count
        if exhausted or (len(picked) == last and picked[-1][0] + HISTORY < len(commits)):
            return commits, picked
        count *= 4


def _log(repo: Path, count: int) -> list[Commit]:
    # --no-merges as `suggest` reads history; --first-parent: the branch's own line, not the
    # commits of branches merged into it.
    args = ("--first-parent", "--no-merges", "--no-show-signature", "-z", f"-n{count}")
    out = localgit.git(repo, "log", *args, f"--format={_LOG_FORMAT}", "HEAD", "--", fix=_FIX)
    fields = out.decode("utf-8", "replace").split("\0")
    return [
        Commit(sha, tuple(parents.split()), author, date, message)
        for sha, parents, author, date, message in (
            fields[i : i + _FIELDS] for i in range(0, len(fields) - _FIELDS + 1, _FIELDS)
        )
    ]


def _diffs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    # One commit's `log -p` against its single parent is `git diff -M parent sha`.
    args = ("--no-walk=unsorted", "--no-show-signature", *_DIFF_OPTIONS, "--format=%x00%H")
    out = localgit.git(repo, "log", *args, *shas, "--", fix=_FIX)
    diffs: dict[str, bytes] = {}
    for section in out.split(b"\0")[1:]:
        sha, _, rest = section.partition(b"\n")
        diffs[sha.decode()] = rest.removeprefix(b"\n")
    return diffs


def _record(
    name: str,
    commit: Commit,
    match: SquashPR,
    raw: bytes,
    history: list[str],
    *,
    earlier: list[PathEntry],
    own: list[PrCommit] | None,
) -> Record:
    body, trailers = split_body(commit.message)
    diff = raw.decode("utf-8", "replace")
    files, additions, deletions = diff_stats(diff)
    return Record(
        id=f"{name}@{commit.sha[:12]}",
        repo=name,
        sha=commit.sha,
        parent=commit.parents[0],
        pr=match.pr,
        date=commit.date,
        subject=match.subject,
        subject_raw=commit.subject,
        body=body,
        trailers=trailers,
        diff=diff,
        files_changed=files,
        additions=additions,
        deletions=deletions,
        diff_bytes=len(raw),
        size_bucket=size_bucket(additions + deletions),
        style="conventional" if CONVENTIONAL.match(match.subject) else "plain",
        body_kind=body_kind(body),
        history=history,
        path_history=earlier,
        pr_commits=own,
    )

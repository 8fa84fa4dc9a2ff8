"""A data-set record's fields read from a commit's own text, as the data sets derive them:
the body apart from its trailers, the diff's size and its bucket, the body's kind; pure."""

from __future__ import annotations

import re

from commit_polish.message.body import is_trailer

_SEPARATOR = re.compile(r"^-{3,}$")


def split_body(message: str) -> tuple[str, list[str]]:
    """The message's body without its `*-by:` trailers, and the trailers in order.

    GitHub's squash message repeats each commit's trailers inside the commit list and puts the
    co-authors after a `---------` line: trailers are taken from every line, that line dropped.
    """
    lines = message.strip("\n").split("\n")[1:]
    trailers = [line.strip() for line in lines if is_trailer(line)]
    kept = [line.rstrip() for line in lines if not is_trailer(line)]
    while kept and (not kept[-1] or (trailers and _SEPARATOR.match(kept[-1]))):
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n"), trailers


def diff_stats(diff: str) -> tuple[int, int, int]:
    """Files, added and removed lines, as the data set counts them (`+`/`-` lines in hunks)."""
    files = additions = deletions = 0
    in_hunk = False
    for line in diff.split("\n"):
        if line.startswith("diff --git "):
            files, in_hunk = files + 1, False
        elif line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line.startswith("+"):
            additions += 1
        elif in_hunk and line.startswith("-"):
            deletions += 1
    return files, additions, deletions


def size_bucket(changed: int) -> str:
    return "small" if changed < 200 else "medium" if changed <= 2000 else "large"


def body_kind(body: str) -> str:
    """`empty`, `prose`, or `commit_list`: GitHub's default `* commit` list and nothing else."""
    lines = [line for line in body.splitlines() if line.strip()]
    if not lines:
        return "empty"
    return "commit_list" if all(line.startswith("* ") for line in lines) else "prose"

"""Who else wrote a pull request's commits: the `Co-authored-by:` candidates. Pure.

GitHub's squash merge credits the pull request's other commit authors with `Co-authored-by:`
trailers; we suggest the same list. One person is one entry, however many addresses they
committed with: commits are grouped by the GitHub account they are linked to (or that a
`users.noreply.github.com` address names), else by address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@\s]+)@users\.noreply\.github\.com$", re.I)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_UNSAFE = re.compile(r"[<>\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class CommitAuthor:
    """The git author of one commit, and the GitHub account it is linked to (if any)."""

    name: str
    email: str
    login: str | None = None
    bot: bool = False
    """GitHub says the linked account is a bot (`type: Bot`)."""


def co_authors(authors: Iterable[CommitAuthor], pr_author: str) -> tuple[str, ...]:
    """`Name <email>` of each distinct human author other than `pr_author`, in commit order."""
    found: dict[str, str] = {}
    for author in authors:
        email = author.email.strip()
        login = _login(author)
        if not _EMAIL.match(email) or _is_bot(author, login):
            continue
        if login is not None and login == pr_author.lower():
            continue
        key = login or email.lower()
        entry = f"{_clean_name(author.name) or email} <{email}>"
        # A real address reads better than a noreply one for the same person.
        if key not in found or (_NOREPLY.match(_address(found[key])) and not _NOREPLY.match(email)):
            found[key] = entry
    return tuple(found.values())


def _login(author: CommitAuthor) -> str | None:
    if author.login:
        return author.login.lower()
    noreply = _NOREPLY.match(author.email.strip())
    return noreply.group("login").lower() if noreply else None


def _is_bot(author: CommitAuthor, login: str | None) -> bool:
    return author.bot or (login or "").endswith("[bot]") or author.name.endswith("[bot]")


def _clean_name(name: str) -> str:
    """Git forbids `<`, `>` and line breaks in a name; an API answer is not trusted to."""
    return " ".join(_UNSAFE.sub(" ", name).split())


def _address(entry: str) -> str:
    return entry.rsplit("<", 1)[-1].rstrip(">")

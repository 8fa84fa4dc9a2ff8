"""The message as it would be committed, kept in our comment for `/commit-polish apply`.

A later run (the command's) must apply exactly what the comment showed, for the head it was
written for, without asking a model again: so the headline and body go into a hidden field
(marker.py), compressed and base64url-encoded, and the head is the marker line's. Only our own
comments are read, so only our own template wrote the field.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from commit_polish.action.marker import MAX_FIELD, Marker
from commit_polish.action.visible import clean
from commit_polish.github.records import PullRequest
from commit_polish.message.style import analyse_history
from commit_polish.records import CommitMessage

KEY = "message"
_MAX_TEXT = 200_000
"""Characters a decoded message may have: more is not a message we wrote."""


@dataclass(frozen=True, slots=True)
class Written:
    """A squash commit's message, for one head."""

    headline: str
    body: str
    head: str


def written(message: CommitMessage, pr: PullRequest) -> Written:
    """The commit GitHub would make: the subject, with ` (#N)` when the repository's history
    ends its subjects so (GitHub's own squash title does; the API takes a headline as is),
    and the rest of the message, trailers included."""
    headline = subject_line(message)
    if analyse_history(pr.history).pr_suffix:
        headline = f"{headline} (#{pr.number})"
    body = clean(message.text[len(message.subject) :].lstrip("\n"))
    return Written(headline, body, pr.head_sha)


def subject_line(message: CommitMessage) -> str:
    """The subject as the comment shows it (visible.py), on one line, without ` (#N)`: what a
    maintainer read is what gets committed, and what `write_title` makes the title."""
    return " ".join(clean(message.subject).split())


def field(mark: Marker, message: Written) -> str:
    """The hidden field line, or "" when the message is too long for one (then the command
    says so, and the step's outputs still carry the message)."""
    data = json.dumps({"h": message.headline, "b": message.body}, ensure_ascii=False)
    value = base64.urlsafe_b64encode(zlib.compress(data.encode(), 9)).decode()
    return mark.field(KEY, value) if len(value) <= MAX_FIELD else ""


def latest(mark: Marker, bodies: Sequence[str]) -> Written | None:
    """The message of the newest of our comments that holds one (`bodies` oldest first)."""
    found = shown(mark, bodies)
    return found[0] if found else None


def shown(mark: Marker, bodies: Sequence[str]) -> tuple[Written, str] | None:
    """That message and the comment that shows it (to give it a status line)."""
    for body in reversed(bodies):
        head = mark.head_of(body)
        value = mark.fields(body).get(KEY)
        found = _decode(value) if value and head else None
        if found and head:
            return Written(found[0], found[1], head), body
    return None


def _decode(value: str) -> tuple[str, str] | None:
    try:
        packed = base64.urlsafe_b64decode(value)
        inflater = zlib.decompressobj()
        # Bounded: a field is ours, but a bug must not become a memory bomb.
        text = inflater.decompress(packed, _MAX_TEXT * 4).decode()
        data = json.loads(text)
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    headline, body = data.get("h"), data.get("b")
    if not (isinstance(headline, str) and isinstance(body, str) and headline.strip()):
        return None
    return headline, body

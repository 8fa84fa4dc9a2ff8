"""The pull request's title as the suggested headline (`write_title`), and whose title the
pipeline reads.

A title we wrote is not the author's: read back as theirs, the next run would keep it as "the
PR's own subject, as written" (message/anchor.py), the comment would drop its caution and
`apply: auto-merge` would apply it. So our comment keeps, in a hidden field (marker.py: no
author can write one), the author's title from before our first write and the titles of ours
the pull request may have: the one sent in this run and, if the PR still had one of ours, that
one (so a refused write leaves the title read as before). Each run then reads:

- no field: the title is the author's, and it may be replaced;
- the PR's title is one of ours: the author's is the one kept; it may be replaced again;
- else a person changed the title after we wrote one: theirs is the author's, and the field is
  carried on, so no later run of this pull request writes the title again (nor after a first
  write GitHub refused: the title is then the author's, left as it is).

The headline is written only when it differs from the title, after the comment (so never for a
head that moved on), and never from a message no model wrote. A refusal is one warning line:
the comment, the description's block and the step's outputs already hold the message.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commit_polish.action import stored
from commit_polish.action.marker import MAX_FIELD, Marker
from commit_polish.github.errors import GitHubRequestError
from commit_polish.records import SubjectSource, Suggestion

if TYPE_CHECKING:
    from commit_polish.action.workflow import Step
    from commit_polish.github.client import GitHubClient
    from commit_polish.github.records import PullRequest

KEY = "title"
_MAX_OURS = 2
"""Titles of ours a field holds: the one sent, and the one the PR had if it was ours."""
_FORBIDDEN_FIX = (
    "give the job's token `pull-requests: write` (a fork's `pull_request` run never gets it)"
)


@dataclass(frozen=True, slots=True)
class Title:
    """This run's view of the title. `current` is the PR's; `kept` the author's title as
    our field keeps it; `ours` the titles we wrote that it may still be (empty: none yet)."""

    current: str
    kept: str = ""
    ours: tuple[str, ...] = ()
    enabled: bool = False

    @property
    def held(self) -> bool:
        """A person changed the title after we wrote one: it is theirs from now on."""
        return bool(self.ours) and _one_line(self.current) not in self.ours

    @property
    def author(self) -> str:
        """The title the pipeline reads as the author's."""
        return self.kept if self.ours and not self.held else self.current

    def wanted(self, suggestion: Suggestion, scrub: Callable[[str], str] = str) -> str:
        """The title to write in this run; "" for none."""
        fallback = suggestion.subject_source is SubjectSource.FALLBACK
        if not self.enabled or self.held or fallback:
            return ""
        text = scrub(stored.subject_line(suggestion.message))
        return text if text and text != _one_line(self.current) else ""

    def hidden(self, mark: Marker, sent: str) -> str:
        """The field line our comment carries after this run, after a newline, for
        `comment.render`; "" when no title of ours is (or is to be) in the PR."""
        if not self.enabled:
            return ""
        ours = self.ours
        if not self.held:
            mine = (_one_line(self.current),) if self.ours else ()
            ours = tuple(dict.fromkeys((sent, *mine) if sent else mine))[:_MAX_OURS]
        if not ours:
            return ""
        author = self.kept if self.ours else self.current
        data = json.dumps({"a": author, "w": list(ours)}, ensure_ascii=False)
        value = base64.urlsafe_b64encode(data.encode()).decode()
        return f"\n{mark.field(KEY, value)}" if len(value) <= MAX_FIELD else ""


def read(enabled: bool, mark: Marker, current: str, ours: Callable[[], Sequence[str]]) -> Title:
    """The title's view for this run; `ours` (an API call) reads our comments' bodies, oldest
    first, and is called only when `enabled`."""
    if not enabled:
        return Title(current)
    for body in reversed(ours()):
        found = _decode(mark.fields(body).get(KEY, ""))  # a stranger's comment has no fields
        if found is not None:
            return Title(current, *found, enabled=True)
    return Title(current, enabled=True)


def write(client: GitHubClient, pr: PullRequest, text: str, step: Step) -> None:
    """Set the title to `text` ("" sends nothing); a refusal is one warning, never an error."""
    if not text:
        return
    try:
        client.merges.edit_title(pr.repo, pr.number, text)
    except GitHubRequestError as exc:
        fix = _FORBIDDEN_FIX if exc.kind == "forbidden" else " ".join((exc.fix or "").split())
        step.warning(
            f"the title of #{pr.number} was not changed: {exc.message}. The message is in the "
            f"comment and the step's outputs. Fix: {fix}",
            title="commit-polish: the title was not written",
        )
        return
    step.notice(f"commit-polish: the title of #{pr.number} is now the suggested headline")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _decode(value: str) -> tuple[str, tuple[str, ...]] | None:
    """(the author's title, our titles) of a field; None for no field or a malformed one."""
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    author, written = (data.get("a"), data.get("w")) if isinstance(data, dict) else (None, None)
    if not (isinstance(author, str) and isinstance(written, list)):
        return None
    titles = tuple(_one_line(t) for t in written[:_MAX_OURS] if isinstance(t, str) and t.strip())
    return (author, titles) if titles else None

"""The small frozen records that travel between the pipeline's stages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class FileKind(StrEnum):
    """What a changed file is, which decides how much of the prompt it deserves."""

    SOURCE = "source"
    TEST = "test"
    DOCS = "docs"
    LOCKFILE = "lockfile"
    GENERATED = "generated"
    VENDORED = "vendored"
    BINARY = "binary"


class FileStatus(StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class Hunk:
    header: str
    """The whole `@@ -a,b +c,d @@ section` line."""
    lines: tuple[str, ...]
    """Each line with its ' ', '+', '-' or '\\' prefix and no line ending."""
    added: int
    removed: int


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    """The path after the change (the old path for a deletion)."""
    status: FileStatus
    kind: FileKind
    added: int
    removed: int
    hunks: tuple[Hunk, ...] = ()
    old_path: str | None = None
    """Set for renames and copies."""
    mode_change: str | None = None
    """For example `100644 -> 100755`."""
    masked: int = 0
    """Secrets in the hunks replaced by a placeholder when the diff was parsed."""


@dataclass(frozen=True, slots=True)
class DiffDigest:
    """What of the diff fits the token budget, and what was left out."""

    text: str
    tokens: int
    budget: int
    included: tuple[str, ...]
    """Files shown with every hunk."""
    condensed: tuple[str, ...]
    """Files shown with some of their hunks, or with hunks cut short."""
    omitted: tuple[str, ...]
    """Files named (or counted in a summary line) without any hunk."""
    masked: int = 0
    """Secrets masked in the files' hunks and the PR's own text: none of them reached the
    prompt or the message."""


@dataclass(frozen=True, slots=True)
class PathCommit:
    """An earlier commit on the target branch that touched some of the change's files."""

    subject: str
    files: tuple[str, ...] = ()
    """The change's paths it touched (a few at most)."""


@dataclass(frozen=True, slots=True)
class ChangeContext:
    """What we know about the change besides its diff; every part is optional."""

    title: str = ""
    description: str = ""
    commit_messages: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    """Recent subjects on the target branch, newest first: the repository's style."""
    path_history: tuple[PathCommit, ...] = ()
    """The last first-parent commits on the target branch that touched the change's files,
    newest first: how these files' changes were described. Their usual scope goes on a
    model's subject (`message.scope`); as examples in the prompt they did not help
    (docs/quality.md)."""
    co_authors: tuple[str, ...] = ()
    """`Name <email>` of the other commit authors, for `Co-authored-by:` trailers."""
    number: int | None = None
    title_is_default: bool = False
    """GitHub squashes under the title even for one commit (the repository's
    `squash_merge_commit_title` is `PR_TITLE`): the title is the subject to beat."""
    changelog: str = ""
    """The change's only new changelog entry in its author's words
    (`digest.notes.changelog_prose`), set by the pipeline when the model writes the subject."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One model to try: a LiteLLM model string, its api_base and its own key."""

    model: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One call to one model and how it ended."""

    model: str
    outcome: str
    """`ok`, `unusable`, or the failure kind: `connection`, `timeout`, `rate_limit`,
    `server_error`, `context_window`, `auth`, `not_found`, `bad_request`."""
    detail: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None


def tried_models(
    attempts: Iterable[Attempt],
    *,
    show_model: Callable[[str], str] = str,
    show_outcome: Callable[[str], str] = str,
) -> str:
    """`model (outcome), ...`: the models asked and how each ended, as warnings and the PR
    comment list them (`show_*` quote each part, e.g. as inline code)."""
    return ", ".join(f"{show_model(a.model)} ({show_outcome(a.outcome)})" for a in attempts)


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    attempts: tuple[Attempt, ...]
    truncated: bool = False
    """The answer stopped at max_tokens, maybe mid-sentence."""

    @property
    def fallback_used(self) -> bool:
        return bool(self.attempts) and self.attempts[0].model != self.model


@dataclass(frozen=True, slots=True)
class CommitMessage:
    subject: str
    body: str = ""
    trailers: tuple[str, ...] = ()
    from_model: bool = True
    """False only for the deterministic message written when every model failed (a message
    kept from the author is not a failure, though no model wrote it)."""

    @property
    def text(self) -> str:
        parts = [self.subject]
        if self.body:
            parts.append(self.body)
        if self.trailers:
            parts.append("\n".join(self.trailers))
        return "\n\n".join(parts)


class SubjectSource(StrEnum):
    """Whose words the subject is: a reader trusts the author's own more than a model's."""

    AUTHOR = "author"
    """The PR's own subject (its commit's or title), as written."""
    REFORMATTED = "author, reformatted"
    """The PR's own subject, put into the repository's form."""
    NOTE = "changelog entry"
    """The one entry the change adds to its changelog or change fragments, in the form."""
    MODEL = "model"
    FALLBACK = "fallback"
    """Built from the diff's files when every model failed."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The pipeline's result: the message and everything a reader may want to know."""

    message: CommitMessage
    model: str | None
    attempts: tuple[Attempt, ...]
    digest: DiffDigest
    messages: tuple[ChatMessage, ...]
    prompt_tokens: int
    seconds: float
    subject_source: SubjectSource = SubjectSource.MODEL

    @property
    def fallback_used(self) -> bool:
        return bool(self.attempts) and self.attempts[0].model != self.model

    @property
    def completion_tokens(self) -> int:
        return sum(a.completion_tokens or 0 for a in self.attempts)

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.attempts if a.cost_usd is not None]
        return sum(costs) if costs else None

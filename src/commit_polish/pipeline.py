"""The order of the stages; the only place that knows it. No printing, no exiting."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from commit_polish import prompt, subject_rules
from commit_polish.digest import fit, notes, parse, secrets
from commit_polish.errors import AllModelsFailedError, ConfigError, InputError
from commit_polish.message import anchor, fallback, repair
from commit_polish.message.style import Style, detect_style
from commit_polish.records import (
    Attempt,
    ChangeContext,
    ChatMessage,
    CommitMessage,
    Completion,
    DiffDigest,
    FileChange,
    PathCommit,
    SubjectSource,
    Suggestion,
)

Counter = Callable[[str], int]
PathReader = Callable[[Sequence[FileChange]], tuple[PathCommit, ...]]
"""The base branch's last commits to the change's files, read only when a model writes the
subject, `context.path_history` is empty, and the subject is conventional or the recent
history mixed: for the Action they cost API calls."""
# Chat formats wrap each message in a few tokens of markup, and prime the reply with a few.
PER_MESSAGE_TOKENS = 4
REPLY_TOKENS = 3
MIN_DIFF_TOKENS = 64
SHORT_DESCRIPTION = 600  # characters of a description kept when room is short
FIT_ROUNDS = 4
MAX_PR_LINE = 256
"""GitHub's limit on a pull request title, applied to a title or commit subject in the way."""


class Completer(Protocol):
    def __call__(
        self,
        messages: Sequence[ChatMessage],
        *,
        check: Callable[[str], str | None],
        shrink: Callable[[], Sequence[ChatMessage] | None],
    ) -> Completion: ...


@dataclass(frozen=True)
class Options:
    """The few settings the pipeline needs, taken from Settings at the edge."""

    max_prompt_tokens: int
    style: str = "auto"
    body: str = "author"
    """`author`: a kept subject keeps the author's words for the body too, and no model is
    asked; `model`: the model writes the body under it."""
    language: str = "English"
    instructions: str = ""
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a model is called: what `--dry-run` shows."""

    files: tuple[FileChange, ...]
    ignored: tuple[str, ...]
    style: Style | None
    digest: DiffDigest
    messages: tuple[ChatMessage, ...]
    prompt_tokens: int
    kept: anchor.Kept | None = None
    """The author's subject, kept in the repository's form; None leaves it to the model."""
    context: ChangeContext = ChangeContext()
    """The PR's own text with its secrets masked: what the message may quote."""
    prompt_context: ChangeContext = ChangeContext()
    """The same, cut to leave the diff its room: what the prompt holds."""
    paths: Callable[[], Sequence[PathCommit]] = tuple
    """The files' own history (`context.path_history`, else read once when first asked)."""


def prompt_tokens(messages: Sequence[ChatMessage], count: Counter) -> int:
    return sum(count(m.content) + PER_MESSAGE_TOKENS for m in messages) + REPLY_TOKENS


def prepare(
    diff_text: str | bytes,
    context: ChangeContext,
    options: Options,
    count: Counter,
    read_paths: PathReader | None = None,
) -> Prepared:
    files = parse.parse_diff(diff_text)
    kept_files, ignored = parse.drop_ignored(files, options.ignore)
    if not kept_files:
        raise InputError(
            f"every changed file ({len(files)}) matches the ignore globs",
            fix="narrow the `ignore` setting so some of the change is left to describe",
        )
    # The author's words reach the prompt and, kept, the comment: masked as the diff is.
    context, in_text = secrets.mask_context(context)

    @functools.cache  # asked for a mixed history's style, the scope and its vocabulary
    def paths() -> tuple[PathCommit, ...]:
        return context.path_history or (read_paths(kept_files) if read_paths else ())

    kept = subject_rules.own_subject(context, options.style, files, kept_files)
    # A kept subject's form is decided (`own_subject`): the Action need not read the paths.
    style = _style(options.style, context.history, tuple if kept else paths)
    if kept is None:  # the model writes the subject: a prose entry says what to write
        context = replace(context, changelog=notes.changelog_prose(kept_files))
    brief, fixed = _make_room(context, style, options, count, kept)
    room = options.max_prompt_tokens - fixed
    if room < MIN_DIFF_TOKENS:
        raise ConfigError(
            f"max_prompt_tokens {options.max_prompt_tokens} leaves no room for the diff: "
            f"the instructions and PR text alone take {fixed} tokens",
            fix=f"raise max_prompt_tokens to at least {fixed + 4 * MIN_DIFF_TOKENS}",
        )
    digest, messages, total = _fit(kept_files, brief, style, options, count, room, kept)
    digest = replace(digest, masked=digest.masked + in_text)
    files_kept, names = tuple(kept_files), tuple(f.path for f in ignored)
    return Prepared(files_kept, names, style, digest, messages, total, kept, context, brief, paths)


def _make_room(
    context: ChangeContext,
    style: Style | None,
    options: Options,
    count: Counter,
    kept: anchor.Kept | None,
) -> tuple[ChangeContext, int]:
    """The PR text that leaves room for the diff, with the tokens it takes without a diff.

    The PR's text is the author's to size (a commit subject can be 100,000 characters long),
    so when it leaves the diff less than half the prompt it gives way, least useful first:
    long commit subjects and the title are cut to GitHub's title length, the description to
    its first paragraphs, then the commit list goes, then the description. A prose changelog
    entry scored above the diff lines it displaces (docs/quality.md): it goes only to leave
    the diff its minimum.
    Only the instructions and settings, which the workflow owns, can make this an error."""
    short = tuple(m.partition("\n")[0][:MAX_PR_LINE] for m in context.commit_messages)
    title = context.title[:MAX_PR_LINE]
    brief = context.description[:SHORT_DESCRIPTION]
    shorter = (
        replace(context, title=title, commit_messages=short),
        replace(context, title=title, commit_messages=short, description=brief),
        replace(context, title=title, commit_messages=(), description=brief),
        replace(context, title=title, commit_messages=(), description=""),
    )
    # The diff is what the message must describe: the PR's text gives way until the diff
    # has half of the prompt, and only the settings can leave it less than the minimum.
    wanted = max(MIN_DIFF_TOKENS, options.max_prompt_tokens // 2)
    fixed = prompt_tokens(_build(context, "", style, options, kept), count)
    for smaller in shorter:
        if options.max_prompt_tokens - fixed >= wanted:
            break
        context, fixed = smaller, prompt_tokens(_build(smaller, "", style, options, kept), count)
    if options.max_prompt_tokens - fixed < MIN_DIFF_TOKENS and context.changelog:
        context = replace(context, changelog="")
        fixed = prompt_tokens(_build(context, "", style, options, kept), count)
    return context, fixed


def _fit(
    files: Sequence[FileChange],
    context: ChangeContext,
    style: Style | None,
    options: Options,
    count: Counter,
    room: int,
    kept: anchor.Kept | None,
) -> tuple[DiffDigest, tuple[ChatMessage, ...], int]:
    """Fit the diff into `room`; the whole prompt must stay within the hard cap."""
    for _ in range(FIT_ROUNDS):
        digest = fit.fit(files, room, count)
        messages = _build(context, digest.text, style, options, kept)
        total = prompt_tokens(messages, count)
        if total <= options.max_prompt_tokens:
            return digest, messages, total
        # Token counts do not add up exactly across a join: take the overshoot off and refit.
        room = max(0, room - (total - options.max_prompt_tokens) - 8)
    digest = fit.fit(files, 0, count)
    messages = _build(context, digest.text, style, options, kept)
    return digest, messages, prompt_tokens(messages, count)


def _build(
    context: ChangeContext,
    diff_text: str,
    style: Style | None,
    options: Options,
    kept: anchor.Kept | None,
) -> tuple[ChatMessage, ...]:
    if kept is not None and " ".join(context.title.split()) == kept.written:
        context = replace(context, title="")  # the decided subject says it already
    return prompt.build(
        context,
        diff_text,
        style=style,
        language=options.language,
        instructions=options.instructions,
        subject=kept.subject if kept else "",
    )


def _style(
    setting: str, history: Sequence[str], paths: Callable[[], Sequence[PathCommit]]
) -> Style | None:
    if setting == "auto":
        return detect_style(history, lambda: [commit.subject for commit in paths()])
    return Style(setting)


def run(
    diff_text: str | bytes,
    context: ChangeContext,
    options: Options,
    *,
    count: Counter,
    completer: Completer,
    read_paths: PathReader | None = None,
) -> Suggestion:
    """Prepare, ask the models, repair the answer; every model failing is not an error.

    A PR whose own subject is kept (`message.anchor`) gets its author's words for the body
    too, and no model is asked, unless `body` is `model`: on the evaluation sets the
    authors' words score far above a model's rewrite.
    """
    started = time.monotonic()
    ready = prepare(diff_text, context, options, count, read_paths)
    context = ready.context
    sent = _Sent(ready.digest.budget, ready.digest, ready.messages, ready.prompt_tokens)
    kept = ready.kept
    source = SubjectSource.MODEL
    if kept is not None:
        source = kept.source
        whole = anchor.whole_message(kept, context)
        # A commit's own body is its author's explanation: `model` only writes a missing one.
        # Under a changelog entry with no commits to take a body from, a model writes it.
        authors = options.body == "author" and (bool(context.commit_messages) or not kept.note)
        if authors or (kept.body and whole.body):
            return sent.suggestion(whole, None, (), started, source)

    def shrink() -> tuple[ChatMessage, ...] | None:
        room = sent.room // 2
        if room < MIN_DIFF_TOKENS:
            return None
        digest = replace(fit.fit(ready.files, room, count), masked=ready.digest.masked)
        messages = _build(ready.prompt_context, digest.text, ready.style, options, kept)
        sent.update(room, digest, messages, prompt_tokens(messages, count))
        return messages

    weak_told: list[str] = []

    def check(text: str) -> str | None:
        # With a kept subject only the body is the model's: repeating history is no fault.
        history = () if kept else context.history
        reason = repair.unusable_reason(text, history, options.language)
        if reason is not None or kept:
            return reason
        # Shortening can turn a longer subject into a recent commit's exact one.
        fixed = repair.repair(text, style=ready.style, history=history).subject
        reason = repair.copied_reason(fixed, history)
        weak = anchor.weak_reason(fixed)
        if reason is None and weak is not None and not weak_told:
            # Asked once more with the reason; a second weak subject beats no model answer.
            weak_told.append(weak)
            return f"the subject says too little about what the change does: {weak}"
        return reason

    try:
        completion = completer(ready.messages, check=check, shrink=shrink)
    except AllModelsFailedError as failed:
        written = fallback.fallback_message(ready.files, context, style=ready.style)
        if kept is None:
            written = _authors(written, context, options)
            return sent.suggestion(written, None, failed.attempts, started, SubjectSource.FALLBACK)
        written = replace(written, subject=kept.subject)
        return sent.suggestion(written, None, failed.attempts, started, source)
    repaired = repair.repair(
        completion.text,
        style=ready.style,
        history=context.history,
        co_authors=context.co_authors,
        cut_short=completion.truncated,
    )
    if kept is not None:
        repaired = replace(repaired, subject=kept.subject)
    else:
        settled = _settled(repaired, ready, context.history, ready.paths)
        repaired = _authors(settled, context, options)
    return sent.suggestion(repaired, completion.model, completion.attempts, started, source)


def _settled(
    message: CommitMessage,
    ready: Prepared,
    history: Sequence[str],
    paths: Callable[[], Sequence[PathCommit]],
) -> CommitMessage:
    ignored = bool(ready.ignored)
    subject = subject_rules.settled_subject(
        message.subject, ready.files, ignored=ignored, history=history, paths=paths
    )
    return replace(message, subject=subject)


def _authors(message: CommitMessage, context: ChangeContext, options: Options) -> CommitMessage:
    """With `body: author` only the subject is written for the author: the body and trailers
    stay theirs (GitHub's list, or the commit's own body) wherever there are commits."""
    if options.body != "author" or not context.commit_messages:
        return message
    return anchor.author_words(message, context)


class _Sent:
    """What was last sent to a model; a context-window shrink replaces it."""

    def __init__(
        self, room: int, digest: DiffDigest, messages: tuple[ChatMessage, ...], tokens: int
    ) -> None:
        self.update(room, digest, messages, tokens)

    def update(
        self, room: int, digest: DiffDigest, messages: tuple[ChatMessage, ...], tokens: int
    ) -> None:
        self.room, self.digest, self.messages, self.tokens = room, digest, messages, tokens

    def suggestion(
        self,
        commit: CommitMessage,
        model: str | None,
        attempts: tuple[Attempt, ...],
        started: float,
        source: SubjectSource,
    ) -> Suggestion:
        seconds = round(time.monotonic() - started, 3)
        return Suggestion(
            commit, model, attempts, self.digest, self.messages, self.tokens, seconds, source
        )

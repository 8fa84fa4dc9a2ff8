"""The order of the stages; the only place that knows it. No printing, no exiting."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from commit_polish import prompt
from commit_polish.digest import fit, parse
from commit_polish.errors import AllModelsFailedError, ConfigError, InputError
from commit_polish.message import fallback, repair
from commit_polish.message.style import Style, detect_style
from commit_polish.records import (
    Attempt,
    ChangeContext,
    ChatMessage,
    CommitMessage,
    Completion,
    DiffDigest,
    FileChange,
    Suggestion,
)

Counter = Callable[[str], int]
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


def prompt_tokens(messages: Sequence[ChatMessage], count: Counter) -> int:
    return sum(count(m.content) + PER_MESSAGE_TOKENS for m in messages) + REPLY_TOKENS


def prepare(
    diff_text: str | bytes, context: ChangeContext, options: Options, count: Counter
) -> Prepared:
    files = parse.parse_diff(diff_text)
    kept, ignored = parse.drop_ignored(files, options.ignore)
    if not kept:
        raise InputError(
            f"every changed file ({len(files)}) matches the ignore globs",
            fix="narrow the `ignore` setting so some of the change is left to describe",
        )
    style = _style(options.style, context.history)
    context, fixed = _make_room(context, style, options, count)
    room = options.max_prompt_tokens - fixed
    if room < MIN_DIFF_TOKENS:
        raise ConfigError(
            f"max_prompt_tokens {options.max_prompt_tokens} leaves no room for the diff: "
            f"the instructions and PR text alone take {fixed} tokens",
            fix=f"raise max_prompt_tokens to at least {fixed + 4 * MIN_DIFF_TOKENS}",
        )
    digest, messages, total = _fit(kept, context, style, options, count, room)
    return Prepared(tuple(kept), tuple(f.path for f in ignored), style, digest, messages, total)


def _make_room(
    context: ChangeContext, style: Style | None, options: Options, count: Counter
) -> tuple[ChangeContext, int]:
    """The PR text that leaves room for the diff, with the tokens it takes without a diff.

    The PR's text is the author's to size (a commit subject can be 100,000 characters long),
    so when it leaves the diff less than half the prompt it gives way, least useful first:
    long commit subjects and the title are cut to GitHub's title length, the description to
    its first paragraphs, then the commit list goes, then the description.
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
    fixed = prompt_tokens(_build(context, "", style, options), count)
    for smaller in shorter:
        if options.max_prompt_tokens - fixed >= wanted:
            break
        context, fixed = smaller, prompt_tokens(_build(smaller, "", style, options), count)
    return context, fixed


def _fit(
    files: Sequence[FileChange],
    context: ChangeContext,
    style: Style | None,
    options: Options,
    count: Counter,
    room: int,
) -> tuple[DiffDigest, tuple[ChatMessage, ...], int]:
    """Fit the diff into `room`; the whole prompt must stay within the hard cap."""
    for _ in range(FIT_ROUNDS):
        digest = fit.fit(files, room, count)
        messages = _build(context, digest.text, style, options)
        total = prompt_tokens(messages, count)
        if total <= options.max_prompt_tokens:
            return digest, messages, total
        # Token counts do not add up exactly across a join: take the overshoot off and refit.
        room = max(0, room - (total - options.max_prompt_tokens) - 8)
    digest = fit.fit(files, 0, count)
    messages = _build(context, digest.text, style, options)
    return digest, messages, prompt_tokens(messages, count)


def _build(
    context: ChangeContext, diff_text: str, style: Style | None, options: Options
) -> tuple[ChatMessage, ...]:
    return prompt.build(
        context,
        diff_text,
        style=style,
        language=options.language,
        instructions=options.instructions,
    )


def _style(setting: str, history: Sequence[str]) -> Style | None:
    if setting == "auto":
        return detect_style(history)
    return Style(setting)


def run(
    diff_text: str | bytes,
    context: ChangeContext,
    options: Options,
    *,
    count: Counter,
    completer: Completer,
) -> Suggestion:
    """Prepare, ask the models, repair the answer; every model failing is not an error."""
    started = time.monotonic()
    ready = prepare(diff_text, context, options, count)
    sent = _Sent(ready.digest.budget, ready.digest, ready.messages, ready.prompt_tokens)

    def shrink() -> tuple[ChatMessage, ...] | None:
        room = sent.room // 2
        if room < MIN_DIFF_TOKENS:
            return None
        digest = fit.fit(ready.files, room, count)
        messages = _build(context, digest.text, ready.style, options)
        sent.update(room, digest, messages, prompt_tokens(messages, count))
        return messages

    def check(text: str) -> str | None:
        reason = repair.unusable_reason(text, context.history, options.language)
        if reason is not None:
            return reason
        # Shortening can turn a longer subject into a recent commit's exact one.
        fixed = repair.repair(text, style=ready.style, history=context.history).subject
        return repair.copied_reason(fixed, context.history)

    try:
        completion = completer(ready.messages, check=check, shrink=shrink)
    except AllModelsFailedError as failed:
        written = fallback.fallback_message(ready.files, context, style=ready.style)
        return sent.suggestion(written, None, failed.attempts, started)
    repaired = repair.repair(
        completion.text,
        style=ready.style,
        history=context.history,
        co_authors=context.co_authors,
        cut_short=completion.truncated,
    )
    return sent.suggestion(repaired, completion.model, completion.attempts, started)


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
    ) -> Suggestion:
        seconds = round(time.monotonic() - started, 3)
        return Suggestion(commit, model, attempts, self.digest, self.messages, self.tokens, seconds)

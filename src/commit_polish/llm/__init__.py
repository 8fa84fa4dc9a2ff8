"""The only package that imports LiteLLM: calls and their cost here, LiteLLM loaded and
asked about a model in library.py, its exceptions mapped to failure kinds in failures.py.

The retry and fallback policy is ours, because LiteLLM's own fallbacks can neither move on
after an unusable answer nor tell us about each attempt:
- every call passes `max_retries=0`, so one attempt is one request;
- the same model is retried (up to `retries` times) only on transient faults: a 5xx, a reset
  connection, a 429 whose Retry-After is short;
- a context-window error shrinks the prompt once and tries the same model again;
- anything else that is the model's fault (refused connection, timeout, auth, quota, not
  found, a bad request, an unusable answer) moves on to the next model at once. A timeout is
  not retried: a model that was too slow once will be too slow again, and the next model is
  the remedy;
- exceptions that are not LiteLLM's (our own bugs) propagate untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from commit_polish.errors import AllModelsFailedError
from commit_polish.llm.failures import classify as classify
from commit_polish.llm.failures import kind_for as kind_for
from commit_polish.llm.library import load
from commit_polish.llm.library import missing_keys as missing_keys
from commit_polish.llm.library import token_counter as token_counter
from commit_polish.records import Attempt, ChatMessage, Completion, Endpoint

Check = Callable[[str], str | None]
"""Returns why an answer is unusable, or None when it can be used."""
Shrink = Callable[[], Sequence[ChatMessage] | None]
"""Returns a smaller prompt after a context-window error, or None when it cannot shrink."""

TRANSIENT = frozenset({"server_error", "connection_reset", "rate_limit"})
MAX_RETRY_AFTER = 20.0
"""A 429 asking us to wait longer than this moves on to the next model instead."""
REDO_TEMPERATURE = 0.7
"""An unusable answer is asked for again once, warmer, so the model does not repeat it."""
LOCAL_PREFIX = "llamafile/"
SEED = 42
"""Sent with every `llamafile/` request: the same PR gets the same answer."""
FRESH = {"cache_prompt": False}
"""Sent with a `llamafile/` model's first ask for a PR. A server reusing the prompt prefix of
the previous PR answers differently from one that reads the whole prompt, as the Action's new
service container does (docs/quality.md, "A fresh server"); the ask again with the reason
keeps the cache, whose prefix is then this PR's own."""
NO_KEY = "no-key"
"""Sent to a custom api_base that was given no key, so LiteLLM never borrows a cloud key."""


@dataclass(frozen=True)
class CallOptions:
    timeout: float
    retries: int
    max_tokens: int
    temperature: float


def complete(
    endpoints: Sequence[Endpoint],
    messages: Sequence[ChatMessage],
    options: CallOptions,
    *,
    check: Check,
    shrink: Shrink | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Completion:
    """Ask each model in turn until one gives a usable answer."""
    attempts: list[Attempt] = []
    for endpoint in endpoints:
        retries_left, shrunk, asked, call = options.retries, False, messages, options
        while True:
            fresh = asked is messages
            attempt, text, retry_after, cut = _attempt(endpoint, asked, call, check, fresh=fresh)
            attempts.append(attempt)
            if attempt.outcome == "ok":
                return Completion(text, endpoint.model, tuple(attempts), truncated=cut)
            if attempt.outcome == "context_window" and shrink and not shrunk:
                smaller, shrunk = shrink(), True
                if smaller:
                    messages = asked = smaller
                    continue
            if attempt.outcome == "unusable" and text.strip() and asked is messages:
                # Told what was wrong, a model usually gets it right at once, and a server
                # that caches the prompt reads only the few new tokens. A warmer sampling
                # keeps it from landing on the same answer again.
                asked = [*messages, ChatMessage("assistant", text), _redo(attempt.detail)]
                call = replace(options, temperature=max(options.temperature, REDO_TEMPERATURE))
                continue
            if attempt.outcome in TRANSIENT and retries_left > 0:
                wait = _backoff(retry_after, options.retries - retries_left)
                if wait is not None:
                    retries_left -= 1
                    sleep(wait)
                    continue
            break
    raise AllModelsFailedError(
        "no model gave a usable answer: "
        + "; ".join(f"{a.model}: {a.outcome} ({a.detail})" for a in attempts),
        fix="start the local model (`commit-polish serve`) or add a fallback model",
        attempts=tuple(attempts),
    )


def _redo(reason: str) -> ChatMessage:
    return ChatMessage(
        "user",
        f"That answer cannot be used: {reason}. The examples only show the format. Write a "
        "new commit message that describes this diff, following the rules. Reply with the "
        "message only.",
    )


def _backoff(retry_after: float | None, tries: int) -> float | None:
    """Seconds to wait before retrying the same model, or None to move on."""
    if retry_after is not None:
        return retry_after if retry_after <= MAX_RETRY_AFTER else None
    return float(min(2.0**tries, 8.0))


def _attempt(
    endpoint: Endpoint,
    messages: Sequence[ChatMessage],
    options: CallOptions,
    check: Check,
    *,
    fresh: bool,
) -> tuple[Attempt, str, float | None, bool]:
    """The attempt, the answer, the Retry-After seconds, and whether max_tokens cut it."""
    litellm = load()
    started = time.monotonic()
    try:
        response = litellm.completion(**_call_kwargs(endpoint, messages, options, fresh=fresh))
    except Exception as exc:
        failure = classify(exc)
        if failure is None:
            raise
        attempt = Attempt(
            endpoint.model,
            failure.kind,
            _redact(failure.detail, endpoint),
            round(time.monotonic() - started, 3),
        )
        return attempt, "", failure.retry_after, False
    seconds = round(time.monotonic() - started, 3)
    text, cut = _content(response)
    usage = getattr(response, "usage", None)
    reason = check(text)
    attempt = Attempt(
        endpoint.model,
        "ok" if reason is None else "unusable",
        "" if reason is None else reason,
        seconds,
        getattr(usage, "prompt_tokens", None),
        getattr(usage, "completion_tokens", None),
        _cost(response),
    )
    return attempt, text, None, cut


def _call_kwargs(
    endpoint: Endpoint,
    messages: Sequence[ChatMessage],
    options: CallOptions,
    *,
    fresh: bool = False,
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": endpoint.model,
        "messages": [message.as_dict() for message in messages],
        "timeout": options.timeout,
        "max_retries": 0,
        "max_tokens": options.max_tokens,
        "temperature": options.temperature,
    }
    if endpoint.model.startswith(LOCAL_PREFIX):
        # A fixed seed makes the local model answer the same PR the same way, so a re-run
        # edits nothing; cloud providers differ in whether they take one.
        kwargs["seed"] = SEED
        if fresh:
            kwargs["extra_body"] = dict(FRESH)  # LiteLLM may add to it
    if endpoint.api_base:
        kwargs["api_base"] = endpoint.api_base
        kwargs["api_key"] = endpoint.api_key or NO_KEY
    elif endpoint.api_key:
        kwargs["api_key"] = endpoint.api_key
    return kwargs


def _content(response: Any) -> tuple[str, bool]:
    """The answer's text, and whether it stopped at max_tokens."""
    try:
        choice = response.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError):
        return "", False
    cut = getattr(choice, "finish_reason", None) == "length"
    return (content, cut) if isinstance(content, str) else ("", False)


def _cost(response: Any) -> float | None:
    hidden = getattr(response, "_hidden_params", None) or {}
    cost = hidden.get("response_cost")
    return float(cost) if isinstance(cost, int | float) else None


def _redact(detail: str, endpoint: Endpoint) -> str:
    first = detail.strip().splitlines()[0] if detail.strip() else ""
    if endpoint.api_key:
        first = first.replace(endpoint.api_key, "***")
    return first[:200]

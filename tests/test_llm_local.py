"""The LLM stage against a real llama.cpp server (SmolLM2-135M): assert on form, not content."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from commit_polish import llm
from commit_polish.errors import AllModelsFailedError
from commit_polish.records import ChatMessage, Endpoint
from commit_polish.serve.server import RunningServer, free_port

pytestmark = pytest.mark.realmodel

MESSAGES = (
    ChatMessage("system", "You write git commit messages. Reply with the message only."),
    ChatMessage("user", "diff --git a/app.py b/app.py\n-TIMEOUT = 5\n+TIMEOUT = 30\n"),
)
OPTIONS = llm.CallOptions(timeout=60, retries=1, max_tokens=24, temperature=0.0)
OPENAI = Endpoint("openai/gpt-4o-mini", None, "sk-test-sentinel")


def usable(text: str) -> str | None:
    return None if text.strip() else "empty"


def local(server: RunningServer) -> Endpoint:
    return Endpoint("llamafile/smollm2-135m-instruct", server.base_url)


def test_real_server_answers_with_usage(local_server: RunningServer) -> None:
    result = llm.complete([local(local_server)], MESSAGES, OPTIONS, check=usable)
    (attempt,) = result.attempts
    assert attempt.outcome == "ok" and not result.fallback_used
    assert result.text.strip()
    assert attempt.prompt_tokens is not None and attempt.prompt_tokens > 20
    assert attempt.completion_tokens is not None and 1 <= attempt.completion_tokens <= 24
    assert attempt.cost_usd is None  # a local model has no price: unknown, never made up


def test_nothing_listening_falls_back_within_the_target(local_server: RunningServer) -> None:
    dead = Endpoint("llamafile/dead", f"http://127.0.0.1:{free_port()}/v1")
    result = llm.complete([dead, local(local_server)], MESSAGES, OPTIONS, check=usable)
    assert [a.outcome for a in result.attempts] == ["connection", "ok"]
    assert result.fallback_used and result.model == local(local_server).model
    assert result.attempts[0].seconds < 1.5


def test_stopped_server_falls_back(
    spare_server: RunningServer, local_server: RunningServer
) -> None:
    gone = local(spare_server)
    spare_server.stop()
    result = llm.complete([gone, local(local_server)], MESSAGES, OPTIONS, check=usable)
    assert [a.outcome for a in result.attempts] == ["connection", "ok"]


def test_server_killed_mid_request_falls_back(
    spare_server: RunningServer, local_server: RunningServer
) -> None:
    # Long enough to be killed mid-answer, short enough for the fallback on 2 busy cores.
    long = llm.CallOptions(timeout=120, retries=1, max_tokens=150, temperature=0.0)
    story = (ChatMessage("user", "Write a very long story about a lighthouse keeper."),)
    killer = threading.Timer(0.3, os.kill, (spare_server.pid, signal.SIGKILL))
    killer.start()
    try:
        result = llm.complete([local(spare_server), local(local_server)], story, long, check=usable)
    finally:
        killer.cancel()
    outcomes = [a.outcome for a in result.attempts]
    assert outcomes[-1] == "ok" and result.model == local(local_server).model
    assert outcomes[0] in {"connection_reset", "server_error"}, outcomes
    assert set(outcomes[1:-1]) <= {"connection"}  # a retry finds nothing listening


@pytest.mark.vcr
def test_slow_local_model_times_out_to_the_cloud(spare_server: RunningServer) -> None:
    impatient = llm.CallOptions(timeout=0.5, retries=1, max_tokens=400, temperature=0.0)
    story = (ChatMessage("user", "Write a very long story about a lighthouse keeper."),)
    result = llm.complete([local(spare_server), OPENAI], story, impatient, check=usable)
    assert [a.outcome for a in result.attempts] == ["timeout", "ok"]
    assert result.attempts[0].seconds < 5
    assert result.model == OPENAI.model


def test_context_window_error_shrinks_and_retries(local_server: RunningServer) -> None:
    huge = (ChatMessage("user", "Describe this change:\n" + "+x = compute(y)\n" * 2500),)
    shrinks: list[int] = []

    def shrink() -> tuple[ChatMessage, ...]:
        shrinks.append(1)
        return MESSAGES

    result = llm.complete([local(local_server)], huge, OPTIONS, check=usable, shrink=shrink)
    assert [a.outcome for a in result.attempts] == ["context_window", "ok"]
    assert shrinks == [1]


@pytest.mark.vcr
def test_unusable_local_answer_falls_back_to_the_cloud(local_server: RunningServer) -> None:
    """The real answer is judged unusable twice (as a copy of a history subject would be)."""
    seen: list[str] = []

    def check(text: str) -> str | None:
        seen.append(text)
        return "repeats a history subject" if len(seen) <= 2 else None

    result = llm.complete([local(local_server), OPENAI], MESSAGES, OPTIONS, check=check)
    assert [a.outcome for a in result.attempts] == ["unusable", "unusable", "ok"]
    assert result.attempts[0].detail == "repeats a history subject"
    assert result.attempts[0].completion_tokens  # a real answer was produced, then refused
    assert seen[0].strip() and result.model == OPENAI.model


def test_a_model_told_why_its_answer_was_refused_gets_one_more_try(
    local_server: RunningServer,
) -> None:
    seen: list[str] = []

    def check(text: str) -> str | None:
        seen.append(text)
        return "the subject copies a recent commit: 'Bump timeout'" if len(seen) == 1 else None

    result = llm.complete([local(local_server)], MESSAGES, OPTIONS, check=check)
    assert [a.outcome for a in result.attempts] == ["unusable", "ok"]
    assert result.model == local(local_server).model and result.text == seen[1]
    # The second request carried the first answer and the reason; the server reused the
    # prompt it had already read, so it read far fewer new tokens than the first time.
    first, second = result.attempts
    assert first.prompt_tokens and second.prompt_tokens
    assert second.prompt_tokens > first.prompt_tokens


def test_every_model_failing_reports_each_attempt(local_server: RunningServer) -> None:
    dead = Endpoint("llamafile/dead", f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(AllModelsFailedError) as caught:
        llm.complete([dead, local(local_server)], MESSAGES, OPTIONS, check=lambda t: "junk")
    assert [a.outcome for a in caught.value.attempts] == ["connection", "unusable", "unusable"]
    assert "llamafile/dead" in str(caught.value)

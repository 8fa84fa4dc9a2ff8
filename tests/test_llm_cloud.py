"""Cloud fallbacks through LiteLLM, replayed from cassettes in the providers' wire formats."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from commit_polish import llm
from commit_polish.errors import AllModelsFailedError
from commit_polish.records import ChatMessage, Endpoint

MESSAGES = (
    ChatMessage("system", "You write git commit messages."),
    ChatMessage("user", "diff --git a/a.go b/a.go\n+copy(trimmedArgs, args)"),
)
OPTIONS = llm.CallOptions(timeout=5, retries=1, max_tokens=120, temperature=0.2)


def usable(text: str) -> str | None:
    return None if text.strip() else "empty"


@pytest.fixture
def dead_local() -> Iterator[Endpoint]:
    """A llamafile endpoint on a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield Endpoint("llamafile/qwen", f"http://127.0.0.1:{port}/v1")


@pytest.mark.vcr
def test_dead_local_model_falls_back_to_openai(dead_local: Endpoint) -> None:
    cloud = Endpoint("openai/gpt-4o-mini", None, "sk-test-sentinel")
    result = llm.complete([dead_local, cloud], MESSAGES, OPTIONS, check=usable)
    assert result.model == "openai/gpt-4o-mini"
    assert result.fallback_used
    assert result.text.startswith("fix: copy completion args")
    first, second = result.attempts
    assert (first.outcome, second.outcome) == ("connection", "ok")
    assert (second.prompt_tokens, second.completion_tokens) == (612, 58)
    assert second.cost_usd is not None and second.cost_usd > 0
    assert all("sk-test-sentinel" not in a.detail for a in result.attempts)


@pytest.mark.vcr
def test_dead_local_model_falls_back_to_anthropic(dead_local: Endpoint) -> None:
    cloud = Endpoint("anthropic/claude-haiku-4-5-20251001", None, "sk-ant-test-sentinel")
    result = llm.complete([dead_local, cloud], MESSAGES, OPTIONS, check=usable)
    assert result.model == cloud.model
    assert "os.Args" in result.text
    assert result.attempts[-1].prompt_tokens == 640


@pytest.mark.vcr
def test_openai_rate_limit_is_retried_after_retry_after() -> None:
    waits: list[float] = []
    cloud = Endpoint("openai/gpt-4o-mini", None, "sk-test-sentinel")
    result = llm.complete([cloud], MESSAGES, OPTIONS, check=usable, sleep=waits.append)
    assert [a.outcome for a in result.attempts] == ["rate_limit", "ok"]
    assert waits == [1.0]


@pytest.mark.vcr
def test_openai_auth_error_moves_on_to_anthropic() -> None:
    waits: list[float] = []
    chain = [
        Endpoint("openai/gpt-4o-mini", None, "sk-invalid"),
        Endpoint("anthropic/claude-haiku-4-5-20251001", None, "sk-ant-test"),
    ]
    result = llm.complete(chain, MESSAGES, OPTIONS, check=usable, sleep=waits.append)
    assert [a.outcome for a in result.attempts] == ["auth", "ok"]
    assert waits == []  # an auth error is not worth retrying


@pytest.mark.vcr
def test_unusable_cloud_answer_exhausts_the_chain(dead_local: Endpoint) -> None:
    """Replays the OpenAI answer but judges it unusable: every model failed, nothing raised
    but our own error carrying each attempt."""
    cloud = Endpoint("openai/gpt-4o-mini", None, "sk-test")
    with pytest.raises(AllModelsFailedError) as caught:
        llm.complete([dead_local, cloud], MESSAGES, OPTIONS, check=lambda text: "junk")
    assert [a.outcome for a in caught.value.attempts] == ["connection", "unusable", "unusable"]
    assert caught.value.attempts[1].detail == caught.value.attempts[2].detail == "junk"

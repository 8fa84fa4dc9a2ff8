"""What goes over the wire: the seed that makes the local model repeatable, and the second
request that tells a model why its first answer was refused."""

from __future__ import annotations

from commit_polish import llm
from commit_polish.records import ChatMessage, Endpoint
from tests.support.fake_model import Answer, FakeModel, completion

MESSAGES = (ChatMessage("system", "Write commit messages."), ChatMessage("user", "diff here"))
OPTIONS = llm.CallOptions(timeout=10, retries=0, max_tokens=64, temperature=0.2)


def test_a_local_model_gets_a_fixed_seed_and_a_custom_openai_endpoint_none() -> None:
    with FakeModel() as model:
        local = Endpoint("llamafile/qwen", model.base)
        other = Endpoint("openai/gpt-4o-mini", model.base, "sk-test")
        llm.complete([local], MESSAGES, OPTIONS, check=lambda text: None)
        llm.complete([other], MESSAGES, OPTIONS, check=lambda text: None)
        sent = [seen.json() for seen in model.seen]
    assert sent[0]["seed"] == llm.SEED
    assert "seed" not in sent[1]
    # The first ask reads the whole prompt, as a new service container does; a cloud model
    # is not told about a llama.cpp option.
    assert sent[0]["cache_prompt"] is False
    assert "cache_prompt" not in sent[1]


def test_a_refused_answer_goes_back_with_the_reason_then_the_next_model_is_asked() -> None:
    copied = completion("Improve 'Custom transports' docs")
    with FakeModel(Answer(200, copied), Answer(200, copied)) as model:
        local = Endpoint("llamafile/qwen", model.base)
        fallback = Endpoint("openai/gpt-4o-mini", model.base, "sk-test")

        def check(text: str) -> str | None:
            return "the subject copies a recent commit" if "Custom transports" in text else None

        result = llm.complete([local, fallback], MESSAGES, OPTIONS, check=check)
        sent = [seen.json() for seen in model.seen]
    assert [a.outcome for a in result.attempts] == ["unusable", "unusable", "ok"]
    assert result.model == "openai/gpt-4o-mini"
    first, second, third = sent
    assert second["messages"][: len(first["messages"])] == first["messages"]  # a cached prefix
    assert second["messages"][-2] == {
        "role": "assistant",
        "content": "Improve 'Custom transports' docs",
    }
    assert "the subject copies a recent commit" in second["messages"][-1]["content"]
    assert first["temperature"] == 0.2 and second["temperature"] == llm.REDO_TEMPERATURE
    # The ask again reuses this PR's own prompt, cached by the first ask.
    assert first["cache_prompt"] is False and "cache_prompt" not in second
    # The next model starts afresh: the original messages at the configured temperature.
    assert third["messages"] == first["messages"] and third["temperature"] == 0.2

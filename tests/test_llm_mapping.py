"""Every exception LiteLLM can raise has a deliberate place in the fallback policy."""

from __future__ import annotations

import inspect

import httpx
import pytest

from commit_polish import llm


def _litellm_exceptions() -> list[type[BaseException]]:
    import litellm.exceptions as x

    return [
        cls
        for _, cls in inspect.getmembers(x, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__.startswith("litellm")
    ]


NOT_FROM_A_MODEL = {
    # Raised by LiteLLM's own proxy features or our misuse, never by a model call we make.
    "BlockedPiiEntityError",
    "GuardrailRaisedException",
    "ModelNotMappedError",
    "ModifyResponseException",
    "SensitiveDataRouteException",
    "MockException",
}


def test_mapping_is_complete() -> None:
    unmapped = [
        cls.__name__
        for cls in _litellm_exceptions()
        if cls.__name__ not in NOT_FROM_A_MODEL and llm.kind_for(cls) is None
    ]
    assert unmapped == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ContextWindowExceededError", "context_window"),
        ("Timeout", "timeout"),
        ("RateLimitError", "rate_limit"),
        ("AuthenticationError", "auth"),
        ("PermissionDeniedError", "auth"),
        ("NotFoundError", "not_found"),
        ("BadRequestError", "bad_request"),
        ("InternalServerError", "server_error"),
        ("ServiceUnavailableError", "server_error"),
        ("MidStreamFallbackError", "server_error"),
        ("BudgetExceededError", "quota"),
    ],
)
def test_kinds(name: str, kind: str) -> None:
    import litellm.exceptions as x

    assert llm.kind_for(getattr(x, name)) == kind


def test_our_own_bugs_are_not_classified() -> None:
    assert llm.classify(TypeError("bug")) is None
    assert llm.classify(KeyError("bug")) is None


def test_refused_connection_is_told_from_a_reset_one() -> None:
    import litellm.exceptions as x

    def wrapped(cause: BaseException) -> BaseException:
        error = x.InternalServerError("Connection error.", llm_provider="llamafile", model="m")
        error.__cause__ = cause
        return error

    refused = llm.classify(wrapped(httpx.ConnectError("[Errno 111] Connection refused")))
    reset = llm.classify(wrapped(httpx.RemoteProtocolError("peer closed connection")))
    assert refused is not None and refused.kind == "connection"
    assert reset is not None and reset.kind == "connection_reset"
    assert "connection_reset" in llm.TRANSIENT and "connection" not in llm.TRANSIENT

"""LiteLLM's exceptions mapped to the failure kinds the retry and fallback policy acts on;
an exception that is not LiteLLM's (our own bug) is no model's failure and maps to None."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from commit_polish.llm.library import load


@dataclass(frozen=True)
class Failure:
    kind: str
    detail: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure | None:
    """Map a LiteLLM exception to a failure kind; None for anything that is not LiteLLM's."""
    litellm = load()
    detail = f"{type(exc).__name__}: {exc}"
    import openai  # LiteLLM's exceptions extend the OpenAI SDK's; ours and Python's do not

    if not isinstance(exc, (openai.OpenAIError, *_non_api_errors(litellm))):
        return None
    # An OpenAI-SDK error LiteLLM did not map is the server's fault.
    kind = kind_for(type(exc)) or "server_error"
    if kind == "server_error":
        kind = _connection_kind(exc) or kind
    return Failure(kind, detail, _retry_after(exc) if kind == "rate_limit" else None)


def kind_for(cls: type[BaseException]) -> str | None:
    """The failure kind for an exception class, or None when no rule names it."""
    for kind, classes in _kinds(load()):
        if issubclass(cls, classes):
            return kind
    return None


def _kinds(litellm: ModuleType) -> tuple[tuple[str, tuple[type[BaseException], ...]], ...]:
    x = litellm.exceptions
    # Order matters: subclasses before the classes they extend.
    return (
        ("context_window", (x.ContextWindowExceededError,)),
        ("timeout", (x.Timeout,)),
        ("rate_limit", (x.RateLimitError,)),
        ("auth", (x.AuthenticationError, x.PermissionDeniedError)),
        ("quota", (x.BudgetExceededError, x.PaymentRequiredError)),
        ("not_found", (x.NotFoundError,)),
        ("bad_request", (x.BadRequestError, x.InvalidRequestError, x.UnprocessableEntityError)),
        (
            "server_error",
            (
                x.InternalServerError,
                x.ServiceUnavailableError,
                x.BadGatewayError,
                x.APIConnectionError,
                x.APIResponseValidationError,
                x.APIError,
                x.OpenAIError,
            ),
        ),
    )


def _non_api_errors(litellm: ModuleType) -> tuple[type[BaseException], ...]:
    return (litellm.exceptions.BudgetExceededError,)


def _connection_kind(exc: BaseException) -> str | None:
    """LiteLLM reports a refused or dropped connection as a 500; the cause tells which."""
    import httpx

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.ConnectError | ConnectionRefusedError):
            return "connection"
        if isinstance(seen, httpx.RemoteProtocolError | httpx.ReadError | ConnectionResetError):
            return "connection_reset"
        seen = seen.__cause__ or seen.__context__
    return None


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None

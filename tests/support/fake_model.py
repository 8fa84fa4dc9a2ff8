"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1, for faults a real server will not
produce on demand (a 429, a cut body, a stall) and for answers a test chooses.

    with FakeModel(Answer(503, llama_error(503)), Answer(200, completion("fix: x"))) as model:
        ...  # api_base=model.base; the first request gets 503, the second the answer

Answers are played in order, then `default` for every later request. The error bodies are
those llama-server (this repository's llama.cpp build) and OpenAI really send; the success
body is llama-server's, with its `timings` block. It serves on `local_http.LocalServer`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.local_http import LocalServer, Request, Response

__all__ = [
    "Answer",
    "FakeModel",
    "Seen",
    "completion",
    "context_error",
    "llama_error",
    "openai_error",
]

_LLAMA_ERRORS = {
    400: ("invalid_request_error", "Expected 'messages' to be an array"),
    401: ("authentication_error", "Invalid API Key"),
    404: ("not_found_error", "File Not Found"),
    500: ("server_error", "Internal server error"),
    503: ("unavailable_error", "Loading model"),
}


def completion(content: str, *, model: str = "smollm2-135m-instruct") -> dict[str, Any]:
    """llama-server's answer to `POST /v1/chat/completions` (shape captured from the real one)."""
    return {
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "created": 1795810146,
        "model": model,
        "system_fingerprint": "b0-unknown",
        "object": "chat.completion",
        "usage": {
            "completion_tokens": 42,
            "prompt_tokens": 512,
            "total_tokens": 554,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
        "id": "chatcmpl-KXfDzwZqB0T4P7fE8rrK3UxwnglunTvY",
        "timings": {"prompt_n": 512, "prompt_ms": 410.2, "predicted_n": 42, "predicted_ms": 880.5},
    }


def llama_error(status: int, message: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """llama-server's error body: `{"error": {"code", "message", "type"}}`."""
    default_kind, default_message = _LLAMA_ERRORS.get(status, ("server_error", "error"))
    return {
        "error": {
            "code": status,
            "message": message or default_message,
            "type": kind or default_kind,
        }
    }


def context_error(prompt_tokens: int = 3102, n_ctx: int = 2048) -> dict[str, Any]:
    """The exact 400 llama-server sends for a prompt larger than its context."""
    body = llama_error(
        400,
        f"request ({prompt_tokens} tokens) exceeds the available context size ({n_ctx} "
        "tokens), try increasing it",
        "exceed_context_size_error",
    )
    body["error"].update(n_prompt_tokens=prompt_tokens, n_ctx=n_ctx)
    return body


def openai_error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error body, which LiteLLM proxies and most OpenAI-compatible servers copy."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    """A dict is sent as JSON, `str` or `bytes` as they are (with `content_type`)."""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    cut: int | None = None
    """Announce the whole body but send only this many bytes, then close the connection."""
    stall: float = 0.0
    """Send the headers and the first bytes of a chunked body, then go silent this long."""
    gate: threading.Event | None = None
    """Hold the answer until this is set (a test orders two runs with it)."""


Seen = Request
"""What the model was sent: `path`, `headers` (lower-cased), `body`, `at`, and `json()`."""


class FakeModel(LocalServer):
    """`key`, when given, is the only key accepted: any other gets OpenAI's 401."""

    software = "llama.cpp"
    methods = ("POST",)

    def __init__(
        self, *script: Answer, default: Answer | None = None, key: str | None = None
    ) -> None:
        super().__init__()
        self.key = key
        self.script = list(script)
        self.default = default or Answer(200, completion("Retry uploads on connection resets"))
        self.seen: list[Seen] = []
        self.on_request: Callable[[Seen], None] | None = None
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        assert self.running, "start the fake model first"
        return f"{self.origin}/v1"

    def next_answer(self, seen: Seen) -> Answer:
        with self._lock:
            self.seen.append(seen)
            sent = seen.headers.get("authorization", "").removeprefix("Bearer ")
            if self.key is not None and sent != self.key:
                return Answer(401, _wrong_key(sent))
            answer = self.script.pop(0) if self.script else self.default
        if self.on_request is not None:
            self.on_request(seen)
        return answer

    def respond(self, request: Request) -> Response:
        answer = self.next_answer(request)
        if answer.gate is not None:
            answer.gate.wait(timeout=60)
        headers = [("Content-Type", answer.content_type), *answer.headers.items()]
        data = _encoded(answer)
        return Response(answer.status, headers, data, cut=answer.cut, stall=answer.stall)

    def authorizations(self) -> list[str]:
        return [s.headers.get("authorization", "") for s in self.seen]


def _wrong_key(sent: str) -> dict[str, Any]:
    shown = f"{sent[:3]}****{sent[-4:]}" if len(sent) > 8 else sent
    return openai_error(
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    )


def _encoded(answer: Answer) -> bytes:
    if isinstance(answer.body, bytes):
        return answer.body
    if isinstance(answer.body, str):
        return answer.body.encode("utf-8")
    return json.dumps(answer.body).encode("utf-8")

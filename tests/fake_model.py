"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1, for faults a real server will not
produce on demand (a 429, a cut body, a stall) and for answers a test chooses.

    with FakeModel(Answer(503, llama_error(503)), Answer(200, completion("fix: x"))) as model:
        ...  # api_base=model.base; the first request gets 503, the second the answer

Answers are played in order, then `default` for every later request. The error bodies are
those llama-server (this repository's llama.cpp build) and OpenAI really send; the success
body is llama-server's, with its `timings` block.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

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


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class FakeModel:
    """`key`, when given, is the only key accepted: any other gets OpenAI's 401."""

    def __init__(
        self, *script: Answer, default: Answer | None = None, key: str | None = None
    ) -> None:
        self.key = key
        self.script = list(script)
        self.default = default or Answer(200, completion("Retry uploads on connection resets"))
        self.seen: list[Seen] = []
        self.on_request: Callable[[Seen], None] | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._released = threading.Event()

    @property
    def base(self) -> str:
        assert self._server is not None, "start the fake model first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

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

    def authorizations(self) -> list[str]:
        return [s.headers.get("authorization", "") for s in self.seen]

    def start(self) -> FakeModel:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()  # a stalled answer must not keep its thread alive
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeModel:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


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


def _handler_for(model: FakeModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "llama.cpp"
        sys_version = ""

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = model.next_answer(Seen(self.path, headers, body, time.monotonic()))
            if answer.gate is not None:
                answer.gate.wait(timeout=60)
            data = _encoded(answer)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.stall:
                self._stall(data, answer.stall)
                return
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data if answer.cut is None else data[: answer.cut])
            self.wfile.flush()
            if answer.cut is not None:
                self.close_connection = True

        def _stall(self, data: bytes, seconds: float) -> None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            first = data[: len(data) // 2]
            self.wfile.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
            self.wfile.flush()
            model._released.wait(timeout=seconds)
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test reads `model.seen` instead."""

    return Handler

"""The one small HTTP server every local stand-in runs on: 127.0.0.1, a background thread, a
clean stop, and one hook that turns a request into a response.

    class Teapot(LocalServer):
        methods = ("GET",)

        def respond(self, request: Request) -> Response:
            return Response(418, [("Content-Type", "text/plain")], b"short and stout")

    with Teapot() as pot:  # a free port unless `port=` says otherwise
        ...  # pot.origin is "http://127.0.0.1:<port>"

Each request is answered on its own thread, HTTP/1.1 with keep-alive. The server adds only the
status line, `Server`, `Date` and the framing (`Content-Length`, or `Transfer-Encoding` for a
stall); every other header is the response's, sent in its order. A method not in `methods` gets
http.server's own 501, and an exception in `respond` drops the connection unanswered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self

__all__ = ["LocalServer", "Request", "Response"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """The request target as sent, query included."""
    headers: dict[str, str]
    """Names lower-cased; a repeated header keeps its last value."""
    body: bytes
    at: float
    """`time.monotonic()` once the body was read."""

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    cut: int | None = None
    """Announce the whole body but send only this many bytes, then close the connection."""
    stall: float = 0.0
    """Chunked: send the first half of the body as one chunk, then go silent this long (or
    until the server stops) and close the connection."""


class LocalServer:
    """Subclasses override `respond`, and set `software` (the `Server` header; None keeps
    http.server's) and `methods` (the ones answered) as class attributes."""

    software: ClassVar[str | None] = None
    methods: ClassVar[tuple[str, ...]] = ("GET", "POST", "PATCH", "DELETE")

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port  # 0 picks a free one; the bound port once started
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    def respond(self, request: Request) -> Response:
        """The answer to one request, called on that request's thread."""
        raise NotImplementedError

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # a stalled answer must not keep its thread alive
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: ClassVar[LocalServer]

    def serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, self.path, headers, body, time.monotonic())
        response = self.owner.respond(request)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stall:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            first = response.body[: len(response.body) // 2]
            self.wfile.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
            self.wfile.flush()
            self.owner._stopping.wait(timeout=response.stall)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        cut = response.cut
        self.wfile.write(response.body if cut is None else response.body[:cut])
        self.wfile.flush()
        if cut is not None:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: each stand-in records what it was sent."""


def _handler_for(owner: LocalServer) -> type[_Handler]:
    """A handler class bound to `owner`, with a `do_<METHOD>` for each method it answers."""
    attributes: dict[str, Any] = {f"do_{method}": _Handler.serve for method in owner.methods}
    attributes["owner"] = owner
    if owner.software is not None:
        attributes |= {"server_version": owner.software, "sys_version": ""}
    return type("Handler", (_Handler,), attributes)

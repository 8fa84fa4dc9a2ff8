"""`make demo`: start the embedded model, suggest two messages, stop the model.

Set DEMO_MODEL=smollm2 for the tiny test model (fast, but its messages are not worth reading).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from commit_polish.cli import main as commit_polish
from commit_polish.serve.gguf import cache_root, resolve_model
from commit_polish.serve.server import free_port, start_server

ROOT = Path(__file__).resolve().parent.parent


def demo() -> int:
    cache = cache_root(os.environ)
    model = resolve_model(os.environ.get("DEMO_MODEL", "qwen"), cache=cache)
    print(f"Starting {model.label} (the first start assembles and checks the model) ...")
    with start_server(model.path, port=free_port(), alias=model.alias, cache=cache) as server:
        print(f"Serving at {server.base_url}\n")
        common = ["--api-base", server.base_url, "--repo", str(ROOT)]
        print("== A real change from spf13/cobra: examples/sample.diff ==\n", flush=True)
        first = commit_polish(
            ["suggest", "--diff-file", str(ROOT / "examples/sample.diff"), *common]
        )
        # A commit whose own message fits is kept in its words; the model writes the others.
        print("\n== This repository's last commit, HEAD~1..HEAD ==\n", flush=True)
        second = commit_polish(["suggest", "--range", "HEAD~1..HEAD", *common])
    print("\nStopped the model server.")
    return first or second


if __name__ == "__main__":
    sys.exit(demo())

"""Print the start-up and fallback numbers the core issue sets targets for.

    .venv/bin/python benchmarks/cli_speed.py [--runs 5] [--real-model]

- wall time of `commit-polish --help` (target: under 0.6 s; importing LiteLLM alone is > 2 s);
- `suggest --dry-run` on the sample diff (process start to exit: LiteLLM import included);
- a dead local model given up and the fallback started (target: within 1.5 s), measured in
  one process after LiteLLM is imported: a port with nothing listening, then a real
  llama.cpp server with SmolLM2 as the fallback;
- with --real-model: a real `suggest` on the sample diff with the embedded Qwen model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from commit_polish.cli import keep_litellm_offline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample.diff"
CLI = [sys.executable, "-m", "commit_polish.cli"]


def _wall(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _fallback_seconds() -> tuple[float, float]:
    from commit_polish import llm
    from commit_polish.records import ChatMessage, Endpoint
    from commit_polish.serve.gguf import resolve_model
    from commit_polish.serve.server import free_port, start_server

    llm.token_counter("llamafile/x")  # import LiteLLM before the clock starts
    model = resolve_model("smollm2")
    messages = (ChatMessage("user", "Write a commit subject for: fix a typo in README"),)
    options = llm.CallOptions(timeout=60, retries=1, max_tokens=8, temperature=0.0)
    with start_server(model.path, port=free_port(), alias=model.alias) as server:
        dead = Endpoint("llamafile/dead", f"http://127.0.0.1:{free_port()}/v1")
        live = Endpoint("llamafile/live", server.base_url)
        llm.complete([live], messages, options, check=lambda t: None)  # warm the server
        result = llm.complete([dead, live], messages, options, check=lambda t: None)
    dead_attempt, live_attempt = result.attempts
    return dead_attempt.seconds, live_attempt.seconds


def _real_suggest() -> float:
    from commit_polish.serve.gguf import cache_root, resolve_model
    from commit_polish.serve.server import free_port, start_server

    cache = cache_root(os.environ)
    model = resolve_model("qwen", cache=cache)
    with start_server(model.path, port=free_port(), alias=model.alias, cache=cache) as server:
        args = [*CLI, "suggest", "--diff-file", str(SAMPLE), "--api-base", server.base_url]
        return _wall(args, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real-model", action="store_true")
    args = parser.parse_args()
    keep_litellm_offline()  # before `_fallback_seconds` imports LiteLLM
    rows = [
        ("commit-polish --help", _wall([*CLI, "--help"], args.runs), "< 0.6 s"),
        (
            "suggest --dry-run (sample diff)",
            _wall([*CLI, "suggest", "--dry-run", "--diff-file", str(SAMPLE)], args.runs),
            "",
        ),
    ]
    dead, live = _fallback_seconds()
    rows.append(("dead local model given up", dead, "< 1.5 s"))
    rows.append(("fallback answered (SmolLM2, 8 tokens)", live, ""))
    if args.real_model:
        rows.append(("real suggest, Qwen2.5-Coder-1.5B (sample diff)", _real_suggest(), ""))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'measure':<{width}}  seconds  target")
    for name, seconds, target in rows:
        print(f"{name:<{width}}  {seconds:7.3f}  {target}")


if __name__ == "__main__":
    main()

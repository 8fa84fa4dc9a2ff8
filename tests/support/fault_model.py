"""Model-side faults of the fault matrix. The primary is the local endpoint: the real
llama.cpp server (SmolLM2) where a real fault can be made (killed, slow), else a scripted
endpoint answering llama-server's own bodies (tests/support/fake_model.py). The fallback is an
OpenAI-compatible cloud stand-in on 127.0.0.1 that answers well."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from typing import TYPE_CHECKING

import httpx

from tests.support.action_runner import pr_event
from tests.support.fake_model import Answer, completion, context_error, llama_error, openai_error
from tests.support.fault_harness import (
    CLOUD,
    CLOUD_ANSWER,
    LOCAL,
    LOCAL_ANSWER,
    LOCAL_SUBJECT,
    Done,
    Job,
    dead_base,
)
from tests.support.github_world import MANY_FILES

if TYPE_CHECKING:
    from commit_polish.serve.server import RunningServer

RATE_LIMITED = openai_error(
    "Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"
)
CODE_DUMP = (
    "def upload(path):\n    for attempt in range(3):\n        try:\n"
    "            return post(path)\n        except ConnectionResetError:\n"
    "            time.sleep(2 ** attempt)\n"
)
LOOP = "Retry uploads\n\n" + "Retry the upload again.\n" * 8
CHINESE = "修复连接重置时上传失败的问题\n\n上传器在第一次重置时就放弃了，现在会重试三次。"
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def falls_back(job: Job, fault: Answer, outcome: str, *, asked: int, **inputs: str) -> Done:
    """Every request to the local endpoint meets `fault`; the fallback answers instead."""
    local = job.local(default=fault)
    done = job.go(**inputs)
    done.answered_by(CLOUD, CLOUD_ANSWER)
    assert done.tried() == [(LOCAL, outcome)] * asked + [(CLOUD, "ok")]
    assert len(local.seen) == asked and len(job.cloud.seen) == 1
    return done


def judged_unusable(job: Job, answer: str) -> None:
    """Every local answer is `answer`; the model may be told why and asked once more."""
    local = job.local(default=Answer(200, completion(answer)))
    done = job.go()
    done.answered_by(CLOUD, CLOUD_ANSWER)
    *refused, last = done.tried()
    assert last == (CLOUD, "ok") and set(refused) == {(LOCAL, "unusable")}, done.tried()
    assert len(local.seen) == len(refused) <= 2


def recovers(job: Job, fault: Answer, outcome: str) -> float:
    """The first request meets `fault`, the retry is answered: seconds between the two."""
    local = job.local(fault)
    done = job.go()
    done.answered_by(LOCAL, LOCAL_ANSWER)
    assert done.tried() == [(LOCAL, outcome), (LOCAL, "ok")]
    assert job.cloud.seen == []
    return local.seen[1].at - local.seen[0].at


def refused(job: Job) -> None:
    job.env["INPUT_API-BASE"] = dead_base()
    done = job.go()
    done.answered_by(CLOUD, CLOUD_ANSWER)
    assert done.tried() == [(LOCAL, "connection"), (CLOUD, "ok")]


def _kill_once_busy(server: RunningServer, done: threading.Event) -> None:
    """SIGKILL the server a moment after its log says a request is being processed."""
    assert server.log_path is not None
    while not done.wait(0.02):
        if "processing task" in server.log_path.read_text(errors="replace"):
            time.sleep(0.1)  # inside the prompt's processing, well before any answer
            os.kill(server.pid, signal.SIGKILL)
            return


def killed_mid_answer(job: Job) -> None:
    server = job.servers["spare_server"]
    job.env["INPUT_API-BASE"] = server.base_url
    finished = threading.Event()
    killer = threading.Thread(target=_kill_once_busy, args=(server, finished), daemon=True)
    killer.start()
    try:
        done = job.go()
    finally:
        finished.set()
        killer.join(timeout=5)
    done.answered_by(CLOUD, CLOUD_ANSWER)
    tried = done.tried()
    assert [model for model, _ in tried] == [LOCAL, LOCAL, CLOUD], tried
    assert tried[0][1] in {"connection_reset", "server_error"}, tried
    assert [outcome for _, outcome in tried[1:]] == ["connection", "ok"]  # nobody home


def _keep_busy(base_url: str, started: threading.Event, enough: threading.Event) -> None:
    """A long streamed answer that holds the server's one slot, as another job's would; it
    hangs up once `enough` is set, so the server stops at once afterwards."""
    story = {
        "messages": [{"role": "user", "content": "Write a long story about a lighthouse."}],
        "max_tokens": 400,
        "stream": True,
    }
    try:
        with httpx.stream("POST", f"{base_url}/chat/completions", json=story, timeout=300) as r:
            for _ in r.iter_lines():
                started.set()
                if enough.is_set():
                    return
    except httpx.HTTPError:
        started.set()  # the server went away under it: that is the end of the story


def slower_than_the_timeout(job: Job) -> None:
    server = job.servers["spare_server"]
    started, enough = threading.Event(), threading.Event()
    busy = threading.Thread(target=_keep_busy, args=(server.base_url, started, enough))
    busy.start()
    try:
        assert started.wait(timeout=120), "the real server never started answering"
        job.env["INPUT_API-BASE"] = server.base_url
        done = job.go(timeout="1")
    finally:
        enough.set()
        busy.join(timeout=60)
    done.answered_by(CLOUD, CLOUD_ANSWER)
    assert done.tried() == [(LOCAL, "timeout"), (CLOUD, "ok")]
    waited = re.search(r"`timeout` \((\d+\.\d) s\)", done.summary)
    assert waited is not None and float(waited.group(1)) < 5, done.summary


def bad_request(job: Job) -> None:
    falls_back(job, Answer(400, llama_error(400)), "bad_request", asked=1)


def unauthorized(job: Job) -> None:
    falls_back(job, Answer(401, llama_error(401)), "auth", asked=1)


def not_found(job: Job) -> None:
    falls_back(job, Answer(404, llama_error(404)), "not_found", asked=1)


def rate_limited_with_retry_after(job: Job) -> None:
    fault = Answer(429, RATE_LIMITED, {"retry-after": "2"})
    assert recovers(job, fault, "rate_limit") >= 2.0


def rate_limited_without_retry_after(job: Job) -> None:
    assert recovers(job, Answer(429, RATE_LIMITED), "rate_limit") >= 1.0


def rate_limited_for_an_hour(job: Job) -> None:
    falls_back(job, Answer(429, RATE_LIMITED, {"retry-after": "3600"}), "rate_limit", asked=1)


def server_error_once(job: Job) -> None:
    assert recovers(job, Answer(500, llama_error(500)), "server_error") >= 1.0


def unavailable(job: Job) -> None:
    falls_back(job, Answer(503, llama_error(503)), "server_error", asked=2)


def truncated_body(job: Job) -> None:
    recovers(job, Answer(200, completion(LOCAL_ANSWER), cut=60), "connection_reset")


def not_json(job: Job) -> None:
    page = Answer(200, PROXY_PAGE, content_type="text/html; charset=utf-8")
    falls_back(job, page, "server_error", asked=2)


def stream_stops(job: Job) -> None:
    stalled = Answer(200, completion(LOCAL_ANSWER), stall=30)
    falls_back(job, stalled, "timeout", asked=1, timeout="1")


def empty_answer(job: Job) -> None:
    judged_unusable(job, "")


def context_window(job: Job) -> None:
    """On the 305-file pull request, so that half the room really is a smaller prompt."""
    job.event("pull_request", pr_event("synchronize", number=MANY_FILES.number))
    local = job.local(Answer(400, context_error()))
    done = job.go()
    assert done.code == 0 and done.annotations("warning") == [], done.log
    body = done.comment(MANY_FILES.number)
    assert LOCAL_SUBJECT in body and done.outputs["model"] == LOCAL
    assert done.tried(body) == [(LOCAL, "context_window"), (LOCAL, "ok")]
    first, second = (
        sum(len(message["content"]) for message in seen.json()["messages"]) for seen in local.seen
    )
    assert second < first * 0.75, (first, second)


def code_dump(job: Job) -> None:
    judged_unusable(job, CODE_DUMP)


def repeated_line(job: Job) -> None:
    judged_unusable(job, LOOP)


def other_language(job: Job) -> None:
    judged_unusable(job, CHINESE)


def every_model_fails(job: Job) -> None:
    job.local(default=Answer(503, llama_error(503)))
    job.cloud.default = Answer(200, completion(""))
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "every model failed" in warning
    assert f"{LOCAL} (server_error)" in warning and f"{CLOUD} (unusable)" in warning
    body = done.comment()
    assert "Not written by a model" in body and done.outputs["model"] == ""
    assert done.outputs["subject"] in body and done.outputs["subject"] in done.summary
    assert job.go(fail_on_error="true").code == 4

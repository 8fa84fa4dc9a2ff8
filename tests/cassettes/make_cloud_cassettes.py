"""Write the cloud-provider cassettes replayed by the LLM tests.

No cloud API is reachable from these machines, so these interactions are not recordings: they
are written here in the providers' documented wire formats (OpenAI `chat.completion` and error
objects, Anthropic `message`), with the headers those APIs send. Rerun after changing a case:

    .venv/bin/python tests/cassettes/make_cloud_cassettes.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
OPENAI = "https://api.openai.com/v1/chat/completions"
ANTHROPIC = "https://api.anthropic.com/v1/messages"
MESSAGE = (
    "fix: copy completion args before appending the -- sentinel\n\n"
    'getCompletions appended "--" to a sub-slice of os.Args, which could\n'
    "write into the caller's backing array when it had spare capacity.\n"
    "Copy the arguments first so completions never mutate os.Args."
)
RATE_LIMITED = (
    "Rate limit reached for gpt-4o-mini in organization org-xxxx on requests per min (RPM): "
    "Limit 3, Used 3, Requested 1. Please try again in 1s."
)
BAD_KEY = (
    "Incorrect API key provided: sk-inval*****alid. You can find your API key at "
    "https://platform.openai.com/account/api-keys."
)
Response = dict[str, Any]


def _json(status: int, reason: str, body: object, headers: dict[str, str]) -> Response:
    all_headers = {"Content-Type": ["application/json"]}
    all_headers.update({name: [value] for name, value in headers.items()})
    return {
        "status": {"code": status, "message": reason},
        "headers": all_headers,
        "body": {"string": json.dumps(body)},
    }


def openai_ok(content: str = MESSAGE) -> Response:
    usage = {
        "prompt_tokens": 612,
        "completion_tokens": 58,
        "total_tokens": 670,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []},
        "logprobs": None,
        "finish_reason": "stop",
    }
    body = {
        "id": "chatcmpl-AbC123dEf456GhI789jKl0",
        "object": "chat.completion",
        "created": 1764230400,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_0ba0d124f1",
        "choices": [choice],
        "usage": usage,
        "service_tier": "default",
    }
    headers = {"openai-processing-ms": "412", "x-request-id": "req_7f3c0d9a1b2e4f5a8c6d"}
    return _json(200, "OK", body, headers)


def openai_error(
    status: int, reason: str, message: str, kind: str, code: str, **headers: str
) -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return _json(status, reason, body, {"x-request-id": "req_9a8b7c6d5e4f3a2b1c0d", **headers})


def anthropic_ok(content: str = MESSAGE) -> Response:
    body = {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5-20251001",
        "content": [{"type": "text", "text": content}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 640,
            "output_tokens": 61,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        },
    }
    return _json(200, "OK", body, {"request-id": "req_011CVb3hX5fYz2Lm8QwErTyU"})


CASES: dict[str, list[tuple[str, Response]]] = {
    "test_llm_cloud/test_dead_local_model_falls_back_to_openai": [(OPENAI, openai_ok())],
    "test_llm_cloud/test_dead_local_model_falls_back_to_anthropic": [(ANTHROPIC, anthropic_ok())],
    # Refused, then told why and refused again.
    "test_llm_cloud/test_unusable_cloud_answer_exhausts_the_chain": [
        (OPENAI, openai_ok()),
        (OPENAI, openai_ok()),
    ],
    "test_llm_cloud/test_openai_rate_limit_is_retried_after_retry_after": [
        (
            OPENAI,
            openai_error(
                429,
                "Too Many Requests",
                RATE_LIMITED,
                "requests",
                "rate_limit_exceeded",
                **{"retry-after": "1", "x-ratelimit-reset-requests": "1s"},
            ),
        ),
        (OPENAI, openai_ok()),
    ],
    "test_llm_cloud/test_openai_auth_error_moves_on_to_anthropic": [
        (
            OPENAI,
            openai_error(401, "Unauthorized", BAD_KEY, "invalid_request_error", "invalid_api_key"),
        ),
        (ANTHROPIC, anthropic_ok()),
    ],
    "test_llm_local/test_slow_local_model_times_out_to_the_cloud": [(OPENAI, openai_ok())],
    "test_llm_local/test_unusable_local_answer_falls_back_to_the_cloud": [(OPENAI, openai_ok())],
}


def main() -> None:
    for name, exchanges in CASES.items():
        interactions = [
            {
                "request": {
                    "method": "POST",
                    "uri": uri,
                    "body": None,
                    "headers": {"Content-Type": ["application/json"]},
                },
                "response": response,
            }
            for uri, response in exchanges
        ]
        path = HERE / f"{name}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump({"version": 1, "interactions": interactions}, width=100))


if __name__ == "__main__":
    main()

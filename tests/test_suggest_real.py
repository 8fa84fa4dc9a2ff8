"""`commit-polish suggest` end to end against the real llama.cpp server (SmolLM2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commit_polish.cli import main
from commit_polish.serve.server import RunningServer, free_port
from commit_polish.settings.model import Settings
from tests.support.paths import FIXTURES

pytestmark = pytest.mark.realmodel
SAMPLE = str(FIXTURES / "sample.diff")


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["suggest", "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_suggest_end_to_end(
    local_server: RunningServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _json(
        capsys,
        "--diff-file",
        SAMPLE,
        "--api-base",
        local_server.base_url,
        "--repo",
        str(tmp_path),
    )
    assert code == 0
    subject = str(out["subject"])
    assert 1 <= len(subject) <= 72 and not subject.endswith(".")
    body = str(out["body"])
    assert out["message"] == (f"{subject}\n\n{body}" if body else subject)
    attempts = out["attempts"]
    assert isinstance(attempts, list) and attempts
    # SmolLM2 is tiny: its answer is either used, or refused as unusable and replaced by the
    # diff-built message. Both are correct outcomes of the same pipeline.
    if out["from_model"]:
        assert out["model"] == "llamafile/qwen2.5-coder-1.5b-instruct"
        assert attempts[-1]["outcome"] == "ok"
    else:
        assert attempts[-1]["outcome"] == "unusable"
    budget = Settings.model_fields["max_prompt_tokens"].default
    assert isinstance(out["prompt_tokens"], int) and 0 < out["prompt_tokens"] <= budget
    files = out["files"]
    assert isinstance(files, dict) and files["omitted"] == []
    assert sorted(files["included"] + files["condensed"]) == [
        "completions.go",
        "completions_test.go",
    ]


def test_every_model_down_still_prints_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    args = ("--diff-file", SAMPLE, "--api-base", dead, "--repo", str(tmp_path))
    code, out, err = _json(capsys, *args)
    assert code == 0
    assert out["from_model"] is False and out["model"] is None
    assert "completions.go" in str(out["body"])
    assert "written from the diff without a model" in err
    code, _, _ = _json(capsys, *args, "--fail-on-error")
    assert code == 4

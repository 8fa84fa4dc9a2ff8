from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from commit_polish import __version__
from commit_polish.cli import main
from commit_polish.serve.server import free_port
from commit_polish.settings.declared import SETTINGS
from commit_polish.settings.model import Settings
from tests.support.fake_model import Answer, FakeModel, completion
from tests.support.paths import FIXTURES

DEFAULT_BUDGET = Settings.model_fields["max_prompt_tokens"].default


class Ran:
    def __init__(self, returncode: int, out: str, err: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, out, err


def _run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: bytes | None = None,
    cwd: Path | None = None,
) -> Ran:
    """Run the CLI in this process: LiteLLM is imported once for the whole module."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    if cwd is not None:
        monkeypatch.chdir(cwd)
    code = main(list(args))
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["suggest", "--help"], ["eval", "--help"]]
)
def test_help_and_version_do_not_import_litellm(args: list[str]) -> None:
    code = (
        "import sys\nfrom commit_polish.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "assert 'litellm' not in sys.modules, 'litellm imported'\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "commit-polish" in done.stdout


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"commit-polish {__version__}"


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["suggest", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "--fallback-model" in out and "--dry-run" in out


@pytest.mark.parametrize("command", ["suggest", "eval"])
def test_every_setting_with_a_flag_is_in_the_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`suggest` and `eval` share the flags generated from the settings' declaration."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    flags = [s.flag for s in SETTINGS if s.flag]
    assert "--ignore" in flags and "--instructions" in flags
    missing = [flag for flag in flags if f"  {flag} " not in out]
    assert not missing, f"{command} --help lacks {missing}"


def test_ignore_flags_leave_files_out_of_the_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    done = _run(
        capsys,
        monkeypatch,
        "suggest",
        "--diff-file",
        str(FIXTURES / "sample.diff"),
        "--dry-run",
        "--json",
        "--ignore",
        "*_test.go",
        "--ignore",
        "docs/**",
        "--repo",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["ignored"] == ["completions_test.go"]
    assert "completions_test.go" not in out["messages"][1]["content"]


def test_settings_come_from_the_environment_main_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`main` reads the process environment only when it is given none."""
    monkeypatch.setenv("COMMIT_POLISH_MAX_PROMPT_TOKENS", "300")
    args = ["suggest", "--diff-file", str(FIXTURES / "sample.diff"), "--dry-run", "--json"]
    args += ["--repo", str(tmp_path)]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["budget"] == 300
    env = {"COMMIT_POLISH_MAX_PROMPT_TOKENS": "400", "XDG_CONFIG_HOME": str(tmp_path)}
    assert main(args, env) == 0
    assert json.loads(capsys.readouterr().out)["budget"] == 400


def test_dry_run_json_prints_the_exact_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    done = _run(
        capsys,
        monkeypatch,
        "suggest",
        "--diff-file",
        str(FIXTURES / "sample.diff"),
        "--dry-run",
        "--json",
        "--title",
        "Stop completions from mutating os.Args",
        "--repo",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [m["role"] for m in out["messages"]] == ["system", "user"]
    assert "completions.go" in out["messages"][1]["content"]
    assert "Stop completions from mutating os.Args" in out["messages"][1]["content"]
    assert 0 < out["prompt_tokens"] <= out["budget"] == DEFAULT_BUDGET
    shown = out["files"]["included"] + out["files"]["condensed"]
    assert sorted(shown) == ["completions.go", "completions_test.go"]
    assert out["files"]["omitted"] == []


def test_dry_run_reads_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    diff = (FIXTURES / "sample.diff").read_bytes()
    done = _run(capsys, monkeypatch, "suggest", "--dry-run", "--repo", str(tmp_path), stdin=diff)
    assert done.returncode == 0, done.stderr
    assert "===== user =====" in done.stdout and "completions.go" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--model", "qwen"], 2, "llamafile/qwen"),
        (["--api-base", "http://127.0.0.1:8080"], 2, "/v1"),
        (["--diff-file", "/nonexistent.diff"], 3, "cannot read --diff-file"),
        (["--range", "nope"], 3, "BASE..HEAD"),
    ],
)
def test_errors_map_to_documented_exit_codes(
    args: list[str],
    code: int,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = (
        []
        if "--diff-file" in args or "--range" in args
        else ["--diff-file", str(FIXTURES / "sample.diff")]
    )
    done = _run(capsys, monkeypatch, "suggest", "--dry-run", *base, *args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_empty_diff_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.diff"
    empty.write_bytes(b"")
    done = _run(
        capsys, monkeypatch, "suggest", "--dry-run", "--diff-file", str(empty), cwd=tmp_path
    )
    assert done.returncode == 3
    assert "empty" in done.stderr.lower() and "Traceback" not in done.stderr


def test_a_config_key_that_is_not_ours_is_a_warning_with_the_near_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / ".github" / "commit-polish.toml"
    config.parent.mkdir()
    config.write_text('max_prompt_token = 300\nlanguage = "French"\n[tool.black]\nline = 99\n')
    done = _run(
        capsys,
        monkeypatch,
        "suggest",
        *("--diff-file", str(FIXTURES / "sample.diff"), "--dry-run", "--json"),
        *("--repo", str(tmp_path)),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["budget"] == DEFAULT_BUDGET  # the near miss set nothing
    assert done.stderr.splitlines()[:2] == [
        f"commit-polish: warning: repository config {config}: key `max_prompt_token` is not a "
        "commit-polish setting and is ignored; did you mean `max_prompt_tokens`?",
        f"commit-polish: warning: repository config {config}: section [tool] is not a "
        "commit-polish setting and is ignored",
    ]


def test_a_local_server_that_is_not_running_is_named_with_how_to_start_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    args = ["--diff-file", str(FIXTURES / "sample.diff"), "--repo", str(tmp_path)]
    done = _run(capsys, monkeypatch, "suggest", *args, "--api-base", f"http://127.0.0.1:{port}/v1")
    assert done.returncode == 0 and done.stdout.strip()  # the diff-built message
    assert done.stderr.splitlines()[-1] == (
        f"commit-polish: nothing answers at http://127.0.0.1:{port}/v1. Fix: start the local "
        f"model with `commit-polish serve --port {port}` in another terminal, or add a "
        "--fallback-model"
    )


def test_a_model_that_answers_badly_is_no_reason_to_start_a_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeModel(default=Answer(200, completion(""))) as model:
        args = ["--diff-file", str(FIXTURES / "sample.diff"), "--repo", str(tmp_path)]
        done = _run(capsys, monkeypatch, "suggest", *args, "--api-base", model.base)
    assert done.returncode == 0 and "every model failed" in done.stderr
    assert "commit-polish serve" not in done.stderr

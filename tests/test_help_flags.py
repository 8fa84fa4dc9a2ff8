"""Every flag a command's `--help` shows is one the command takes, and runs with.

The flags are read from the help text itself (usage, options, description and epilog), so a
flag named anywhere in it, such as an exit code's `--fail-on-error`, must exist; then `eval`
runs with every one of its options at once (`--dry-run`: no model is called).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from commit_polish.cli import main
from tests.support.evalcli import out_rows, run_eval
from tests.support.github_stub import GitHubStub
from tests.support.github_world import TOKEN
from tests.support.paths import FIXTURES

SHOWN = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# An option line of argparse's help: the flag, then its metavar or {choices} if it takes one.
OPTION = re.compile(r"^  (--[a-z][a-z0-9-]*)(?: (\S+))?", re.MULTILINE)
DATASET = FIXTURES / "eval_sample.jsonl"


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    return capsys.readouterr().out


def options(text: str) -> dict[str, str | None]:
    """The options the help lists, each with what it takes (None for a switch)."""
    listed = text.split("\noptions:\n", 1)[1]
    return {flag: takes or None for flag, takes in OPTION.findall(listed)}


@pytest.mark.parametrize("command", ["suggest", "eval"])
def test_every_flag_the_help_names_is_an_option(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    unknown = set(SHOWN.findall(text)) - set(options(text)) - {"--help"}
    assert not unknown, f"`{command} --help` names flags `{command}` refuses: {unknown}"


def squash_merged_repo(path: Path) -> Path:
    """A repository with one squash-merged pull request, as `eval --repo` reads them."""
    path.mkdir()
    (path / "app.py").write_text("TIMEOUT = 5\n")
    for step in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "Start"]):
        subprocess.run(["git", "-C", str(path), *step], check=True)
    (path / "app.py").write_text("TIMEOUT = 30\n")
    message = "Raise the upload timeout (#1)"
    subprocess.run(["git", "-C", str(path), "commit", "-qam", message], check=True)
    return path


def test_eval_runs_with_every_option_its_help_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("NAME", "Ada"), ("EMAIL", "ada@example.com")):
        monkeypatch.setenv(f"GIT_AUTHOR_{name}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{name}", value)
    first_id = json.loads(DATASET.read_text().splitlines()[0])["id"]
    (tmp_path / "ids").write_text(f"{first_id}\n")
    # A value for each option that takes one; one with {choices} takes its first choice.
    values = {
        "--dataset": str(DATASET),
        "--repo": str(squash_merged_repo(tmp_path / "repo")),
        "--last": "1",
        "--ids": str(tmp_path / "ids"),
        "--limit": "1",
        "--out": str(tmp_path / "dataset.jsonl"),
        "--jobs": "1",
        "--model": "llamafile/qwen2.5-coder-1.5b-instruct",
        "--api-base": "http://127.0.0.1:8080/v1",
        "--fallback-model": "openai/gpt-4o-mini",
        "--timeout": "30",
        "--max-prompt-tokens": "512",
        "--language": "English",
        "--instructions": "Name the setting that changed.",
        "--ignore": "*.lock",
        "--kept": "octo-org/widgets",
        "--marker": "commit-polish",
        "--bot-login": "github-actions[bot]",
    }
    shown = options(help_of("eval", capsys))
    argv: dict[str, list[str]] = {}
    for flag, takes in shown.items():
        if takes is None:
            argv[flag] = [flag]
        elif takes.startswith("{"):
            argv[flag] = [flag, takes.strip("{}").split(",")[0]]
        else:
            assert flag in values, f"give {flag} a value to run `eval` with"
            argv[flag] = [flag, values[flag]]

    # --dataset and --repo exclude each other; --ids belongs to one, --last and --every-commit
    # to the other; --kept (and its --marker, --bot-login) asks GitHub, not a model, and goes
    # with --repo alone.
    with_repo = {"--repo", "--last", "--every-commit"}
    with_kept = {"--kept", "--marker", "--bot-login"}
    runs = {
        "dataset": [
            part for flag in shown if flag not in with_repo | with_kept for part in argv[flag]
        ],
        "repo": [
            *argv["--repo"],
            *argv["--last"],
            *argv["--every-commit"],
            "--dry-run",
            "--out",
            str(tmp_path / "repo.jsonl"),
        ],
    }
    for args in runs.values():
        code, _, err = run_eval(capsys, *args)
        assert code == 0, f"eval {' '.join(args)}: {err}"
        out = Path(args[args.index("--out") + 1])
        assert len(out_rows(out)) == 1 and out_rows(out)[0]["prompt_tokens"] > 0
    with GitHubStub(port=0) as github:  # it knows no pull request: #1 is counted unreadable
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        kept = [*argv["--repo"], *argv["--last"], "--json"]
        kept += [part for flag in sorted(with_kept) for part in argv[flag]]
        code, out_text, err = run_eval(capsys, *kept)
    assert code == 0, f"eval {' '.join(kept)}: {err}"
    assert json.loads(out_text)["unreadable"] == 1

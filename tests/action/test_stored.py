"""The message kept in our comment for `/commit-polish apply`, and the `gh` command shown.

The command is run by a real shell, with a stand-in `gh` on PATH that writes down the
arguments and the standard input it got: a subject or body that could end the quoting would
show up as a different argument list, or run something.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from commit_polish.action import stored
from commit_polish.action.comment import render
from commit_polish.action.handoff import gh_merge
from commit_polish.action.marker import MAX_FIELD, Marker
from commit_polish.github.records import PullRequest
from commit_polish.records import CommitMessage, DiffDigest, Suggestion

SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
MARK = Marker()
RECORDER = """#!/usr/bin/env python3
import json, sys
print(json.dumps({"argv": sys.argv[1:], "stdin": sys.stdin.read()}))
"""


def pull_request(history: tuple[str, ...] = ()) -> PullRequest:
    return PullRequest(
        repo="octo/hello",
        number=7,
        title="t",
        body="",
        author="alice",
        head_sha=SHA,
        base_ref="main",
        draft=False,
        state="open",
        html_url="https://github.com/octo/hello/pull/7",
        diff="",
        history=history,
    )


def suggestion(message: CommitMessage) -> Suggestion:
    return Suggestion(message, "m", (), DiffDigest("", 0, 768, (), (), ()), (), 0, 0.0)


@pytest.fixture
def fake_gh(tmp_path: Path) -> Path:
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(RECORDER)
    gh.chmod(0o755)
    return gh.parent


def run_shown(command: str, bin_dir: Path) -> dict[str, object]:
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["sh", "-c", command], env=env, capture_output=True, text=True, check=True, timeout=30
    )
    return dict(json.loads(done.stdout))


HOSTILE_SUBJECTS = (
    'fix: it\'s $(touch pwned) `id` and "quotes"',
    "feat: a; rm -rf / && echo done | cat > x",
    "fix: end' --admin --subject 'evil",
)
HOSTILE_BODIES = (
    "",
    "line $(id)\n'\n\"\nCOMMIT_POLISH_BODY\nafter the delimiter\n`whoami`",
    "Co-authored-by: Grace <grace@example.com>",
)


@pytest.mark.parametrize("subject", HOSTILE_SUBJECTS)
@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_the_gh_command_passes_the_message_through_a_shell_unchanged(
    fake_gh: Path, tmp_path: Path, subject: str, body: str
) -> None:
    message = stored.Written(subject, body, SHA)
    seen = run_shown(f"cd {tmp_path} && " + gh_merge(pull_request(), message), fake_gh)
    argv = seen["argv"]
    assert isinstance(argv, list)
    assert argv[:8] == ["pr", "merge", "7", "--repo", "octo/hello", "--squash",
                        "--match-head-commit", SHA]  # fmt: skip
    assert argv[8:10] == ["--subject", subject]
    if body:
        assert argv[10:] == ["--body-file", "-"] and seen["stdin"] == body + "\n"
    else:
        assert argv[10:] == ["--body", ""]
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "x").exists()


def test_the_headline_gets_the_pr_number_exactly_when_the_history_ends_subjects_so() -> None:
    message = CommitMessage("Fix the cache", "Why.", ("Co-authored-by: G <g@example.com>",))
    suffixed = ("Add a flag (#3)", "Drop py3.8 (#2)", "Fix a typo (#1)")
    assert stored.written(message, pull_request(suffixed)).headline == "Fix the cache (#7)"
    assert stored.written(message, pull_request(("Add a flag", "Drop py3.8"))).headline == (
        "Fix the cache"
    )
    assert stored.written(message, pull_request()).body == (
        "Why.\n\nCo-authored-by: G <g@example.com>"
    )


def test_what_is_stored_is_what_the_comment_shows() -> None:
    # A zero-width space and a bidi override are shown as nothing or reordered text: the
    # comment drops them (visible.py), so the commit must not carry them either.
    message = CommitMessage("fix: a\u200bb", "body \u202eevil")
    written = stored.written(message, pull_request())
    assert written.headline == "fix: ab" and written.body == "body evil"


def test_the_message_field_round_trips_from_our_comment() -> None:
    message = CommitMessage("feat: ünïcode — and `ticks`", "Body\n\n- a\n- b")
    written = stored.written(message, pull_request())
    body = render(suggestion(message), pull_request(), hidden="\n" + stored.field(MARK, written))
    assert stored.latest(MARK, [body]) == written


def test_the_newest_comment_with_a_message_wins_and_others_are_ignored() -> None:
    old = stored.Written("fix: old", "", "a" * 40)
    new = stored.Written("fix: new", "b", SHA)
    bodies = [
        f"{MARK.line(old.head)}\n{stored.field(MARK, old)}\n",
        f"{MARK.line(new.head)}\n{stored.field(MARK, new)}\n",
        f"{MARK.line(SHA)}\n\n{stored.field(MARK, old)}\n",  # not right under the marker
        f"quoting: {MARK.line(SHA)}\n{stored.field(MARK, old)}\n",  # not our first line
    ]
    assert stored.latest(MARK, bodies[:2]) == new
    assert stored.latest(MARK, bodies[2:]) is None
    assert stored.latest(Marker("other"), bodies) is None


def test_a_malformed_field_is_no_message() -> None:
    bodies = [
        f"{MARK.line(SHA)}\n{MARK.field('message', 'not-base64-zlib')}\n",
        f"{MARK.line(SHA)}\n{MARK.field('message', '')}\n",
    ]
    assert stored.latest(MARK, bodies) is None


def test_a_message_too_long_for_a_field_is_not_stored() -> None:
    body = os.urandom(MAX_FIELD).hex()  # random: it does not compress
    assert stored.field(MARK, stored.Written("fix: x", body, SHA)) == ""

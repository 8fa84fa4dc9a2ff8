"""Only our own comment is ever edited or deleted: one written by the token's own login whose
whole first line is our exact marker line. GitHub lets a token with write access edit anyone's
comment, so look-alikes are posted to the GitHub stand-in and must receive no PATCH and no
DELETE while our comment is updated. The `marker` input gives a second installation on the
same repository a comment of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from commit_polish.action.comment import DEFAULT, DEFAULT_MARKER, Marker, marker
from commit_polish.action.inputs import read_inputs
from commit_polish.errors import ConfigError, ExitCode
from commit_polish.github.client import GitHubClient
from commit_polish.serve.server import free_port
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.github_stub import ACTIONS_BOT, Comment, GitHubStub
from tests.support.github_world import SMALL, TOKEN
from tests.support.paths import ROOT

OLD = "0" * 40
NUMBER = SMALL.number
LOOK_ALIKES = {
    "marker quoted later": (f"Thanks!\n\n> {marker(OLD)}\n> feat: old", ACTIONS_BOT),
    "marker on the second line": (f"Note:\n{marker(OLD)}\nfeat: old", ACTIONS_BOT),
    "marker after a blank line": (f"\n{marker(OLD)}\nfeat: old", ACTIONS_BOT),
    "another login, exact marker": (f"{marker(OLD)}\nforged", "mallory"),
    "another bot, exact marker": (f"{marker(OLD)}\nanother app's", "other-app[bot]"),
    "a user named like the bot": (f"{marker(OLD)}\nforged", "github-actions"),
    "text after the marker on its line": (f"{marker(OLD)}x\nfeat: old", ACTIONS_BOT),
    "extra space inside": (f"<!--  commit-polish:sticky head={OLD} -->\nx", ACTIONS_BOT),
    "space before": (f" {marker(OLD)}\nfeat: old", ACTIONS_BOT),
    "space after": (f"{marker(OLD)} \nfeat: old", ACTIONS_BOT),
    "different case": (f"<!-- Commit-Polish:sticky head={OLD} -->\nx", ACTIONS_BOT),
    "our login without the marker": ("Deployed to staging.", ACTIONS_BOT),
    "a second installation's marker": (f"{Marker('lint').line(OLD)}\nfeat: old", ACTIONS_BOT),
    "an older bare marker": ("<!-- commit-polish -->\nfeat: old", ACTIONS_BOT),
}


@pytest.fixture
def stub() -> Iterator[GitHubStub]:
    with GitHubStub(prs=[SMALL], port=0) as github:
        yield github


def upsert(stub: GitHubStub, body: str, mark: Marker = DEFAULT) -> str:
    client = GitHubClient(TOKEN, base_url=stub.url, write_interval=0, sleep=lambda _: None)
    try:
        result = client.upsert_comment(
            REPO, NUMBER, body, is_ours=mark.owns, head=SMALL.head_sha, head_of=mark.head_of
        )
    finally:
        client.close()
    return result.action


def post(stub: GitHubStub, name: str) -> Comment:
    body, login = LOOK_ALIKES[name]
    return stub.add_comment(REPO, NUMBER, body, login)


def writes(stub: GitHubStub) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in stub.writes]


def edit(comment: Comment) -> tuple[str, str]:
    return ("PATCH", f"/repos/{REPO}/issues/comments/{comment.id}")


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_a_look_alike_beside_our_comment_is_never_written(stub: GitHubStub, name: str) -> None:
    # One copy older and one newer than ours: taken for ours, one would be deleted (older
    # copies go) or edited (the newest is kept).
    before = post(stub, name)
    ours = stub.add_comment(REPO, NUMBER, f"{marker(OLD)}\nfeat: old", ACTIONS_BOT)
    after = post(stub, name)
    new = f"{marker(SMALL.head_sha)}\nfeat: new"
    assert upsert(stub, new) == "updated"
    assert writes(stub) == [edit(ours)]
    thread = stub.comments(REPO, NUMBER)
    assert [c.id for c in thread] == [before.id, ours.id, after.id]
    assert thread[0].body == thread[2].body == LOOK_ALIKES[name][0]
    assert thread[1].body == new


def test_with_only_look_alikes_in_the_thread_ours_is_posted_beside_them(
    stub: GitHubStub,
) -> None:
    posted = [post(stub, name) for name in LOOK_ALIKES]
    assert upsert(stub, f"{marker(SMALL.head_sha)}\nfeat: new") == "created"
    assert [method for method, _ in writes(stub)] == ["POST"]
    thread = stub.comments(REPO, NUMBER)
    assert [(c.id, c.body) for c in thread[:-1]] == [(c.id, c.body) for c in posted]
    assert thread[-1].body.startswith(marker(SMALL.head_sha) + "\n")


def test_two_installations_keep_a_comment_each(stub: GitHubStub) -> None:
    docs = Marker("docs")
    default = stub.add_comment(REPO, NUMBER, f"{marker(OLD)}\nfeat: old", ACTIONS_BOT)
    assert upsert(stub, f"{docs.line(SMALL.head_sha)}\ndocs: one", docs) == "created"
    created = stub.comments(REPO, NUMBER)[-1]
    assert upsert(stub, f"{docs.line(SMALL.head_sha)}\ndocs: two", docs) == "updated"
    assert upsert(stub, f"{marker(SMALL.head_sha)}\nfeat: new") == "updated"
    assert writes(stub) == [
        ("POST", f"/repos/{REPO}/issues/{NUMBER}/comments"),
        edit(created),
        edit(default),
    ]
    assert [c.body.split("\n")[1] for c in stub.comments(REPO, NUMBER)] == [
        "feat: new",
        "docs: two",
    ]


# --- the `marker` input ----------------------------------------------------------------------


def action_input(name: str) -> dict[str, str]:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    declared: dict[str, str] = data["inputs"][name]
    return declared


def test_the_marker_input_defaults_to_the_marker_existing_comments_carry() -> None:
    assert action_input("marker")["default"] == DEFAULT_MARKER
    assert marker(OLD) == f"<!-- commit-polish:sticky head={OLD} -->"
    assert read_inputs({}).marker == read_inputs({"INPUT_MARKER": " "}).marker == DEFAULT
    assert read_inputs({"INPUT_MARKER": "docs"}).marker == Marker("docs")


@pytest.mark.parametrize("bad", ["two words", "docs-->", "<!--", "a" * 41, "ünï", "-docs"])
def test_a_bad_marker_input_names_the_input_and_the_fix(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_inputs({"INPUT_MARKER": bad})
    assert "input 'marker'" in caught.value.message
    assert "`marker:" in (caught.value.fix or "")


def runner(tmp_path: Path, stub: GitHubStub, name: str) -> Runner:
    """A job whose model is down, so the message comes from the diff without waiting."""
    folder = tmp_path / name
    folder.mkdir()
    job = Runner(folder, stub, f"http://127.0.0.1:{free_port()}/v1")
    job.event("pull_request", pr_event())
    return job


def test_the_action_keeps_its_hands_off_look_alikes_and_the_other_installation(
    tmp_path: Path, stub: GitHubStub
) -> None:
    posted = [post(stub, name) for name in LOOK_ALIKES]
    ours = stub.add_comment(REPO, NUMBER, f"{marker(OLD)}\nfeat: old", ACTIONS_BOT)
    docs = runner(tmp_path, stub, "docs")
    docs.env["INPUT_MARKER"] = "docs"
    assert docs.run()[0] == 0
    assert runner(tmp_path, stub, "default").run()[0] == 0
    thread = stub.comments(REPO, NUMBER)
    created = thread[-1]
    assert created.body.startswith(Marker("docs").line(SMALL.head_sha) + "\n")
    assert writes(stub) == [("POST", f"/repos/{REPO}/issues/{NUMBER}/comments"), edit(ours)]
    assert [(c.id, c.body) for c in thread[: len(posted)]] == [(c.id, c.body) for c in posted]
    assert thread[len(posted)].body.startswith(marker(SMALL.head_sha) + "\n")


def test_a_bad_marker_input_fails_the_step_before_anything_is_written(
    tmp_path: Path, stub: GitHubStub
) -> None:
    job = runner(tmp_path, stub, "bad")
    job.env["INPUT_MARKER"] = "my marker"
    code, log = job.run()
    assert code == ExitCode.CONFIG
    assert "::error" in log and "input 'marker'" in log
    assert "input 'marker'" in job.summary.read_text()
    assert stub.requests == []

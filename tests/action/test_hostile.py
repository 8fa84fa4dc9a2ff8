"""Hostile pull requests, end to end: each case of tests/support/hostile_corpus.py is put in a pull
request's title, description, commit message and diff, and in the model's answer; the whole
Action runs against the GitHub stand-in; then what was POSTED and PATCHED is read with a real
CommonMark parser (markdown-it-py), as GitHub renders it.

What the bot writes must never ping a user or team, link an issue, commit or URL, embed an
image or raw HTML, leave its code blocks, carry hidden characters, or touch a comment it did
not create, and the message must still read as written (a mention as plain `@name` inside the
code block, not broken up by invisible characters).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from commit_polish.action import comment
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.fake_model import Answer, FakeModel, completion
from tests.support.github_stub import ACTIONS_BOT, GitHubStub, StubCommit, StubFile, StubPR
from tests.support.github_world import TOKEN
from tests.support.hostile_corpus import CORPUS, Hostile

NUMBER = 7
HEAD = "c0ffee" + "0" * 34
FORGERS = ("mallory", "dependabot[bot]")
TEMPLATE_HTML = {
    "<details>\n<summary>How this message was made</summary>",
    "</details>",
}
# What GitHub turns into a ping, a link or a reference when it is in rendered text.
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
REFERENCE = re.compile(r"#\d|\bGH-\d|\b[0-9a-f]{7,40}\b|[\w.-]+/[\w.-]+[#@]\w")
URL = re.compile(r"https?:|www\.|mailto:", re.IGNORECASE)
HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co"})
VENDORED_LINES = 2000
SPANS = next(c for c in CORPUS if c.name == "code-span-breakout")


def _lines(text: str) -> list[str]:
    return text.splitlines() or [""]


def vendored_path(case: Hostile) -> str:
    """A file name carrying the attack's first line, as far as a path in a diff can."""
    first = _lines(case.text)[0]
    return (
        "vendor/"
        + "".join(c for c in first if c.isprintable() and c not in '"\\')[:80].strip()
        + "/index.js"
    )


def hostile_pr(case: Hostile) -> StubPR:
    """The pull request an attacker opens: the text everywhere they control."""
    lines = _lines(case.text)
    path = vendored_path(case)
    added = [f"+{line}" for line in lines]
    # A vendored file too big for the prompt, so its (hostile) name is listed in the comment.
    bulk = "".join(f"+exports.v{n} = {n};\n" for n in range(VENDORED_LINES))
    diff = (
        "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n"
        f"@@ -1,2 +1,{2 + len(added)} @@\n import os\n" + "\n".join(added) + "\n x = 1\n"
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{VENDORED_LINES} @@\n{bulk}"
    )
    return StubPR(
        REPO,
        NUMBER,
        " ".join(lines)[:256],
        "mallory",
        body=case.text,
        diff=diff,
        files=[StubFile("src/app.py", patch="", additions=len(added))],
        commits=[StubCommit(case.text, "Mallory", "mallory@evil.example", "mallory")],
        head_sha=HEAD,
    )


@pytest.fixture(params=CORPUS, ids=[c.name for c in CORPUS])
def case(request: pytest.FixtureRequest) -> Hostile:
    hostile: Hostile = request.param
    return hostile


@pytest.fixture
def stub(case: Hostile) -> Iterator[GitHubStub]:
    with GitHubStub(prs=[hostile_pr(case)], port=0, token=TOKEN) as github:
        for login in FORGERS:  # our exact marker, for this very head, by someone else
            github.add_comment(REPO, NUMBER, f"{comment.marker(HEAD)}\n{case.text}", login)
        github.add_comment(REPO, NUMBER, f"quoting the bot:\n{comment.marker(HEAD)}", "mallory")
        yield github


def render_tokens(markdown: str) -> list[Token]:
    """Every token of the document, inline children included, in order."""
    parser = MarkdownIt("commonmark", {"html": True})
    flat: list[Token] = []
    for token in parser.parse(markdown):
        flat.append(token)
        flat.extend(token.children or ())
    return flat


def assert_inert(markdown: str, *, marker: str | None) -> tuple[list[str], list[str]]:
    """Check what GitHub would render; return the contents of the fenced code blocks and of
    the code spans."""
    hidden = {c for c in markdown if c != "\n" and unicodedata.category(c) in HIDDEN}
    assert not hidden, [unicodedata.name(c, hex(ord(c))) for c in hidden]
    allowed_html = TEMPLATE_HTML | ({marker} if marker else set())
    fences: list[str] = []
    spans: list[str] = []
    for token in render_tokens(markdown):
        kind = token.type
        assert kind not in {"image", "link_open", "html_inline", "code_block"}, token
        if kind == "html_block":
            content = token.content.strip()
            # Our own hidden fields (base64 and digits only) may follow the marker line.
            ours = marker is not None and comment.DEFAULT.fields(f"{marker}\n{content}")
            assert content in allowed_html or ours, token.content
        elif kind == "fence":
            assert token.info in ("text", "sh") and token.markup.startswith("```"), token
            fences.append(token.content)
        elif kind == "code_inline":
            spans.append(token.content)
        elif kind == "text":
            for pattern in (MENTION, REFERENCE, URL):
                assert not pattern.search(token.content), (pattern.pattern, token.content)
            assert "<" not in token.content and "![" not in token.content, token.content
    return fences, spans


def expected_blocks(message: str) -> str:
    """The message as the first code block must hold it: hidden characters removed."""
    subject, _, rest = message.partition("\n")
    subject = " ".join(comment.clean(subject).split())
    description = comment.clean(rest.lstrip("\n"))
    return f"{subject}\n\n{description}" if description else subject


def written(stub: GitHubStub) -> list[tuple[str, str, str]]:
    """(method, path, body text) of every write the bot sent."""
    return [
        (method, path, json.loads(body)["body"] if body else "")
        for method, path, body in stub.writes
    ]


def run_job(
    stub: GitHubStub, folder: Path, api_base: str, body: str = "model"
) -> tuple[Runner, str]:
    folder.mkdir()
    runner = Runner(folder, stub, api_base)
    runner.env["INPUT_MODEL"] = "llamafile/smollm2-135m-instruct"
    runner.env["INPUT_BODY"] = body
    runner.event("pull_request", pr_event("synchronize"))
    code, log = runner.run()
    assert code == 0, log
    return runner, log


def test_hostile_pull_request(case: Hostile, stub: GitHubStub, tmp_path: Path) -> None:
    forged = [dataclasses.replace(c) for c in stub.comments(REPO, NUMBER)]
    answer = f"Handle hostile input safely\n\n{case.text}"
    with FakeModel(default=Answer(200, completion(answer))) as model:
        # The model repeats the attack; then no model answers and the message is built from
        # the PR's title and file names instead; then the PR's own words are the message.
        for label, base, body in (
            ("model", model.base, "model"),
            ("no-model", "http://127.0.0.1:9/v1", "model"),
            ("author", "http://127.0.0.1:9/v1", "author"),
        ):
            runner, log = run_job(stub, tmp_path / label, base, body)
            fences, _ = check_run(runner, log, vendored_path(case))
            if label == "model" and runner.outputs()["model"]:
                assert case.readable in fences[0], (case.readable, fences[0][:300])
    mine = [c for c in stub.comments(REPO, NUMBER) if c.login == ACTIONS_BOT]
    assert len(mine) == 1
    for method, path, _ in stub.writes:  # edits and deletions only ever hit our comment
        if method != "POST":
            assert path == f"/repos/{REPO}/issues/comments/{mine[0].id}", (method, path)
    for old in forged:
        now = next(c for c in stub.comments(REPO, NUMBER) if c.id == old.id)
        assert (now.body, now.updated_at) == (old.body, old.updated_at), f"touched {old.login}'s"


@pytest.mark.parametrize("case", [SPANS], ids=[SPANS.name], indirect=True)
def test_the_attackers_file_name_is_listed_as_code(
    case: Hostile, stub: GitHubStub, tmp_path: Path
) -> None:
    """The file-name route reaches the comment (the suite above checks it stays inert)."""
    runner, log = run_job(stub, tmp_path / "run", "http://127.0.0.1:9/v1")
    _, listed = check_run(runner, log, vendored_path(case))
    assert listed == [" ".join(comment.clean(vendored_path(case)).split())]


def check_run(runner: Runner, log: str, vendored: str) -> tuple[list[str], list[str]]:
    """What one run wrote is inert, whole and readable: the comment's code blocks, and the
    file names it lists."""
    outputs = runner.outputs()
    (method, _, body), *_ = reversed(written(runner.stub))
    assert method in {"POST", "PATCH"}
    assert comment.parse_marker(body) == HEAD
    fences, spans = assert_inert(body, marker=comment.marker(HEAD))
    name = " ".join(comment.clean(vendored).split())
    # Files left out of the prompt are named, in code spans only, and named as they are.
    listed = [span for span in spans if span.endswith("/index.js") or span == "src/app.py"]
    assert all(span in {name, "src/app.py"} for span in listed), listed
    full = expected_blocks(outputs["message"])
    if comment.TRIMMED in body:
        assert fences[0].startswith(full[:1000])
    else:
        assert fences[0] == full + "\n", "the message is not whole in its code block"
    assert fences[1] == expected_blocks(outputs["subject"]) + "\n"
    summary = runner.summary.read_text()
    assert_inert(summary, marker=None)
    assert expected_blocks(outputs["subject"]) in summary
    for line in log.splitlines():  # no attacker text becomes a runner command
        if line.startswith("::"):
            assert re.match(r"::(warning|notice|error)[ :]", line) or line == f"::add-mask::{TOKEN}"
    assert "pwned" not in log
    return fences, listed

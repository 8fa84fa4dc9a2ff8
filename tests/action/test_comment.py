"""The sticky comment: marker, copyable blocks, details, trimming, and safety on hostile text.

Safety is checked by parsing the output the way CommonMark does for the two constructs that
make text inert (fenced code blocks and code spans) and asserting that what is left, the part
GitHub renders as Markdown, carries none of the untrusted text.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from commit_polish.action import comment
from commit_polish.action.comment import (
    COMMENT_LIMIT,
    DEFAULT_MARKER,
    TRIMMED,
    Marker,
    marker,
    parse_marker,
    render,
    summary,
)
from commit_polish.github.records import PullRequest
from commit_polish.records import Attempt, CommitMessage, DiffDigest, SubjectSource, Suggestion

SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
SUBJECT = "fix: copy trimmed args so completion never mutates os.Args"
BODY = (
    "getCompletions appended to a sub-slice of os.Args and could overwrite the\n"
    "caller's arguments when the backing array had spare capacity.\n\n"
    "  - indented lines and    spacing stay as written"
)
TRAILERS = ("Co-authored-by: Grace <grace@example.com>",)
HOSTILE = (
    "@octo-org/security-team",
    "@mallory",
    "<img src=https://evil.example/t.png>",
    "![pixel](https://evil.example/p.png)",
    "<!-- commit-polish:sticky head=evil -->",
    "#123",
    "octo-org/other#9",
    "<script>alert(1)</script>",
    "[click](https://evil.example)",
)
ALLOWED_TAGS = {"<details>", "</details>", "<summary>", "</summary>", marker(SHA)}


def pull_request(**changes: object) -> PullRequest:
    pr = PullRequest(
        repo="Codertocat/Hello-World",
        number=2,
        title="Update the README with new information.",
        body="This is a pretty simple change that we need to pull into master.",
        author="Codertocat",
        head_sha=SHA,
        base_ref="master",
        draft=False,
        state="open",
        html_url="https://github.com/Codertocat/Hello-World/pull/2",
        diff="",
    )
    return replace(pr, **changes)  # type: ignore[arg-type]


def digest(
    included: tuple[str, ...] = ("completions.go",),
    condensed: tuple[str, ...] = ("completions_test.go",),
    omitted: tuple[str, ...] = ("go.sum",),
) -> DiffDigest:
    return DiffDigest("diff --git ...", 900, 1000, included, condensed, omitted)


def suggestion(
    message: CommitMessage | None = None,
    *,
    model: str | None = "openai/gpt-4o-mini",
    attempts: tuple[Attempt, ...] | None = None,
    files: DiffDigest | None = None,
) -> Suggestion:
    if attempts is None:
        attempts = (
            Attempt("llamafile/qwen2.5-coder", "timeout", "read timed out", 30.04),
            Attempt("openai/gpt-4o-mini", "ok", "", 2.51, 1180, 64, 0.00123),
        )
    return Suggestion(
        message=message or CommitMessage(SUBJECT, BODY, TRAILERS),
        model=model,
        attempts=attempts,
        digest=files or digest(),
        messages=(),
        prompt_tokens=1190,
        seconds=32.7,
    )


# --- a small CommonMark reader for the two inert constructs ---------------------------------

_OPEN = re.compile(r"^ {0,3}(`{3,})([^`]*)$")
_RUN = re.compile(r"`+")


def split_code(markdown: str) -> tuple[str, list[str]]:
    """(the text GitHub renders as Markdown, the contents of the fenced blocks)."""
    rendered: list[str] = []
    blocks: list[str] = []
    fence, content = "", list[str]()
    for line in markdown.split("\n"):
        if fence:
            closing = re.fullmatch(r" {0,3}(`+)[ \t]*", line)
            if closing and len(closing.group(1)) >= len(fence):
                blocks.append("\n".join(content))
                fence, content = "", []
            else:
                content.append(line)
        elif opening := _OPEN.match(line):
            fence = opening.group(1)
        else:
            rendered.append(without_spans(line))
    assert not fence, "a fenced block is never closed"
    return "\n".join(rendered), blocks


def without_spans(line: str) -> str:
    """A line without its code spans: a run of N backticks is closed by the next run of N."""
    kept, position = [], 0
    while opening := _RUN.search(line, position):
        kept.append(line[position : opening.start()])
        closing = next(
            (
                r
                for r in _RUN.finditer(line, opening.end())
                if len(r.group()) == len(opening.group())
            ),
            None,
        )
        if closing is None:
            kept.append(opening.group())
            position = opening.end()
        else:
            position = closing.end()
    return "".join(kept) + line[position:]


def assert_inert(output: str) -> None:
    """Nothing GitHub renders as Markdown can ping, link, embed or carry HTML."""
    rendered, _ = split_code(output)
    assert set(re.findall(r"<[^>]*>", rendered)) <= ALLOWED_TAGS
    assert "@" not in rendered
    assert not re.search(r"#\d|\]\(|https?:", rendered)
    for hostile in HOSTILE:
        assert hostile not in rendered


# --- the marker ------------------------------------------------------------------------------


def test_marker_round_trips_the_head_sha() -> None:
    assert marker(SHA) == f"<!-- commit-polish:sticky head={SHA} -->"
    assert marker(SHA).startswith(comment.MARKER_PREFIX)
    assert parse_marker(marker(SHA) + "\n\nanything") == SHA


@pytest.mark.parametrize(
    "body",
    [
        f"> {marker(SHA)}\n\nquoted in a reply",
        f"Thanks!\n{marker(SHA)}",
        f" {marker(SHA)}",
        f"\n{marker(SHA)}",
        f"{marker(SHA)}x\nmore on the next line",
        f"{marker(SHA)} \nthe marker line with a space after it",
        f"<!--  commit-polish:sticky head={SHA} -->",
        f"<!-- commit-polish:sticky  head={SHA} -->",
        f"<!-- Commit-Polish:sticky head={SHA} -->",
        f"<!-- COMMIT-POLISH:STICKY HEAD={SHA} -->",
        f"<!-- commit-polish-docs:sticky head={SHA} -->",
        f"<!-- commit-polish:sticky head={SHA} --><!-- commit-polish:sticky head={SHA} -->",
        "<!-- commit-polish:sticky head= -->",
        "<!-- commit-polish -->",
        "",
    ],
)
def test_a_marker_counts_only_as_the_whole_first_line(body: str) -> None:
    assert parse_marker(body) is None


def test_each_installation_recognises_only_its_own_marker() -> None:
    docs = Marker("commit-polish.docs_2")
    assert docs.line(SHA) == f"<!-- commit-polish.docs_2:sticky head={SHA} -->"
    assert docs.head_of(docs.line(SHA) + "\nbody") == SHA
    assert not docs.owns(marker(SHA) + "\nbody")
    assert not Marker().owns(docs.line(SHA) + "\nbody")
    # Regex characters in a name are plain text: `.` is no wildcard.
    assert not docs.owns(f"<!-- commit-polishXdocs_2:sticky head={SHA} -->")
    output = render(suggestion(), pull_request(), mark=docs)
    assert output.startswith(docs.line(SHA) + "\n") and parse_marker(output) is None
    assert Marker().name == DEFAULT_MARKER == "commit-polish"


@pytest.mark.parametrize("name", ["", "two words", "-->", "<!--", "a" * 41, "x\ny", "ünï", "-a"])
def test_a_marker_name_is_a_short_identifier(name: str) -> None:
    with pytest.raises(ValueError, match="1 to 40 letters"):
        Marker(name)


@pytest.mark.parametrize("bad", ["", "abc -->", "evil --><img src=x>", "a" * 65])
def test_marker_refuses_what_is_not_a_sha(bad: str) -> None:
    with pytest.raises(ValueError, match="not a commit sha"):
        marker(bad)


def test_rendered_comment_starts_with_the_marker_for_its_head() -> None:
    output = render(suggestion(), pull_request())
    assert output.startswith(marker(SHA) + "\n")
    assert parse_marker(output) == SHA


# --- content ---------------------------------------------------------------------------------


def test_message_subject_and_description_each_have_a_copyable_block() -> None:
    message = CommitMessage(SUBJECT, BODY, TRAILERS)
    _, blocks = split_code(render(suggestion(message), pull_request()))
    description = BODY + "\n\n" + TRAILERS[0]
    assert blocks[:3] == [message.text, SUBJECT, description]
    assert blocks[3].startswith("gh pr merge 2 ")
    assert blocks[3].endswith(description + "\nCOMMIT_POLISH_BODY")


def test_subject_only_message_says_to_leave_the_description_empty() -> None:
    output = render(suggestion(CommitMessage("docs: fix a typo")), pull_request())
    assert split_code(output)[1][:2] == ["docs: fix a typo", "docs: fix a typo"]
    assert "leave the description field empty" in output


def test_details_name_model_attempts_tokens_cost_and_files() -> None:
    output = render(suggestion(), pull_request())
    details = output[output.index("<details>") :]
    assert "**Model that answered:** `openai/gpt-4o-mini`" in details
    # No timings in the comment: a rerun with the same message must not edit it.
    assert "`llamafile/qwen2.5-coder` → `timeout`;" in details and " s)" not in details
    assert "`openai/gpt-4o-mini` → `ok`" in details
    timed = summary(suggestion(), pull_request())
    assert "`llamafile/qwen2.5-coder` → `timeout` (30.0 s)" in timed
    assert "`openai/gpt-4o-mini` → `ok` (2.5 s)" in timed
    assert "**Tokens:** 1,190 prompt, 64 completion" in details
    assert "**Cost:** $0.00123" in details
    assert "**Based on:** 2 of 3 files" in details
    assert "condensed (1): `completions_test.go`" in details
    assert "left out of the prompt (1): `go.sum`" in details
    assert "`/commit-polish`" in details and "write access" in details
    assert details.rstrip().endswith("</details>")


def test_unknown_cost_is_never_a_figure() -> None:
    attempts = (Attempt("llamafile/qwen2.5-coder", "ok", "", 3.0, 900, 40, None),)
    output = render(suggestion(model="llamafile/qwen2.5-coder", attempts=attempts), pull_request())
    assert "**Cost:** unknown" in output
    assert "$" not in output


def test_message_not_written_by_a_model_says_so_and_which_were_tried() -> None:
    attempts = (
        Attempt("llamafile/qwen2.5-coder", "connection", "refused", 0.01),
        Attempt("openai/gpt-4o-mini", "auth", "401", 0.2),
    )
    message = CommitMessage("Update completions.go", from_model=False)
    output = render(suggestion(message, model=None, attempts=attempts), pull_request())
    note = next(line for line in output.splitlines() if "Not written by a model" in line)
    assert "`llamafile/qwen2.5-coder` (`connection`)" in note
    assert "`openai/gpt-4o-mini` (`auth`)" in note
    assert "none (every model failed)" in output
    assert "Not written by a model" not in render(suggestion(), pull_request())


def test_files_github_sent_without_a_diff_are_listed() -> None:
    pr = pull_request(files_without_patch=("logo.png",))
    assert "listed by GitHub without a diff (1): `logo.png`" in render(suggestion(), pr)


def test_files_github_did_not_list_count_as_left_out() -> None:
    output = render(suggestion(), pull_request(files_unlisted=1_200))
    assert "**Based on:** 2 of 1,203 files" in output
    assert "past its 3,000-file limit (1,200)" in output


def test_long_file_lists_name_twenty_then_count() -> None:
    names = tuple(f"vendor/pkg{i}.go" for i in range(57))
    output = render(suggestion(files=digest(omitted=names)), pull_request())
    assert "`vendor/pkg19.go` and 37 more" in output
    assert "vendor/pkg20.go" not in output


def test_summary_is_the_same_content_without_marker_or_commands() -> None:
    text = summary(suggestion(), pull_request())
    assert "<!--" not in text and "Regenerate" not in text and "gh pr merge" not in text
    # The comment's blocks, less the last: its `gh pr merge` command.
    assert split_code(text)[1] == split_code(render(suggestion(), pull_request()))[1][:-1]
    assert "**Cost:** $0.00123" in text


# --- safety ----------------------------------------------------------------------------------


def test_backtick_fences_in_the_message_cannot_escape_their_block() -> None:
    body = "```\n<img src=x>\n```\n````\n@mallory\n````\n`````text\n#123"
    message = CommitMessage("fix: ``` and ```` in the subject", body)
    output = render(suggestion(message), pull_request())
    rendered, blocks = split_code(output)
    assert blocks[0] == message.text
    assert_inert(output)
    assert "<img" not in rendered and "mallory" not in rendered


def test_hostile_text_everywhere_stays_inside_code() -> None:
    hostile = " ".join(HOSTILE)
    message = CommitMessage(f"feat: {hostile}", f"{hostile}\n\n{hostile}", (hostile,))
    attempts = (Attempt(f"openai/{hostile}", f"bad `x` {hostile}", hostile, 1.0),)
    files = digest((hostile, "a`b``c"), (f"`{hostile}`",), ("x\n" + hostile,))
    output = render(
        suggestion(message, model=hostile, attempts=attempts, files=files),
        pull_request(files_without_patch=(hostile,)),
    )
    assert_inert(output)
    assert parse_marker(output) == SHA
    assert output.count(comment.MARKER_PREFIX) == 1 + output.count(HOSTILE[4])


@pytest.mark.parametrize(
    "hidden",
    ["\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\x00", "\x1b", "\U000e0041"],
)
def test_hidden_characters_are_removed(hidden: str) -> None:
    message = CommitMessage(f"fix: a{hidden}b", f"body{hidden}text")
    files = digest(omitted=(f"src/{hidden}evil.go",))
    output = render(suggestion(message, files=files), pull_request())
    assert hidden not in output
    assert "fix: ab" in output and "bodytext" in output and "`src/evil.go`" in output


def test_carriage_returns_become_newlines_not_line_breaks_github_sees_differently() -> None:
    message = CommitMessage("fix: x", "one\r\ntwo\rthree")
    assert split_code(render(suggestion(message), pull_request()))[1][2] == "one\ntwo\nthree"


# --- GitHub's size limit ---------------------------------------------------------------------


def test_a_huge_message_and_file_list_are_trimmed_under_the_limit() -> None:
    body = ("A paragraph of the description that goes on. " * 20 + "\n\n") * 230  # over 200 KB
    names = tuple(f"src/generated/file_{i:05}.py" for i in range(10_000))
    message = CommitMessage(SUBJECT, body)
    output = render(suggestion(message, files=digest(omitted=names)), pull_request())
    assert len(body) > 200_000
    assert len(output) <= COMMENT_LIMIT
    assert len(output) > COMMENT_LIMIT - 2_000  # trimmed to fit, not emptied
    _, blocks = split_code(output)
    assert blocks[2].endswith("\n" + TRIMMED)
    assert body.startswith(blocks[2].removesuffix("\n" + TRIMMED))
    assert "left out of the prompt (10,000)" in output and "file_00000" not in output
    assert "trimmed to fit" in output
    assert_inert(output)


def test_file_lists_shrink_before_the_description_is_cut() -> None:
    names = tuple(f"src/{'deep/' * 30}file_{i}.py" for i in range(10_000))
    files = digest(omitted=names)
    overhead = len(render(suggestion(CommitMessage("fix: x"), files=files), pull_request()))
    # A description that fits beside five names but not beside twenty.
    body = "y" * ((COMMENT_LIMIT - overhead + 2_000) // 2)
    output = render(suggestion(CommitMessage("fix: x", body), files=files), pull_request())
    assert len(output) <= COMMENT_LIMIT
    assert TRIMMED not in output and split_code(output)[1][2] == body
    assert "file_4.py` and 9,995 more" in output


def test_a_long_file_name_is_shortened_in_its_span() -> None:
    name = f"{'deep/' * 500}file.py"
    output = render(suggestion(files=digest(omitted=(name,))), pull_request())
    assert f"`{name[: comment.MAX_SPAN - 1]}…`" in output


def test_wide_characters_count_as_github_counts_them() -> None:
    message = CommitMessage("feat: emoji", "\U0001f600" * 70_000)
    output = render(suggestion(message), pull_request())
    assert len(output.encode("utf-16-le")) // 2 <= COMMENT_LIMIT


def test_pathological_input_still_fits_and_stays_closed() -> None:
    message = CommitMessage("`" * 5_000 + "x" * 100_000, "`" * 70_000, ("@team " * 10_000,))
    attempts = tuple(Attempt("m" * 5_000, "timeout", "", 1.0) for _ in range(10_000))
    output = render(suggestion(message, model="x" * 100_000, attempts=attempts), pull_request())
    assert len(output) <= COMMENT_LIMIT
    assert_inert(output)
    assert "and 9,980 more" in output


def test_the_comment_says_whose_words_the_subject_is() -> None:
    kept = replace(suggestion(model=None, attempts=()), subject_source=SubjectSource.AUTHOR)
    body = comment.render(kept, pull_request())
    assert "**Model that answered:** none needed (the pull request's own words already fit)" in body
    assert "**Subject:** the pull request's own, kept as written" in body
    assert "Every model failed" not in body
    reformatted = replace(suggestion(), subject_source=SubjectSource.REFORMATTED)
    assert "put into this repository's form" in comment.render(reformatted, pull_request())
    assert "**Subject:**" not in comment.render(suggestion(), pull_request())


def test_the_comment_and_the_summary_say_how_many_secrets_were_masked() -> None:
    masked = suggestion(files=replace(digest(), masked=2))
    line = "- **Secrets masked:** 2"
    assert line in render(masked, pull_request())
    assert line in summary(masked, pull_request())
    rendered, _ = split_code(render(masked, pull_request()))
    assert line in rendered  # our own line, outside any code block
    for clean in (render(suggestion(), pull_request()), summary(suggestion(), pull_request())):
        assert "Secrets masked" not in clean


@pytest.mark.parametrize(
    ("source", "cautioned"),
    [
        (SubjectSource.AUTHOR, False),
        (SubjectSource.REFORMATTED, True),
        (SubjectSource.MODEL, True),
        (SubjectSource.FALLBACK, True),
    ],
)
def test_a_subject_not_shown_as_good_as_githubs_is_flagged_beside_the_commands(
    source: SubjectSource, cautioned: bool
) -> None:
    output = render(replace(suggestion(), subject_source=source), pull_request())
    commands = output.index("/commit-polish apply")
    flagged = output.find("read it before you apply it", commands)
    assert (flagged > commands) == cautioned

"""Property-based fuzzing of the pure stages: diff parser, budgeter, message repair, renderer.

Seeds are the real diffs under tests/fixtures/diffs/ plus tests/fixtures/sample.diff, and the
real model answers in tests/fixtures/qwen_answers.jsonl; each is mutated at random. Every
property must hold for every example: no crash, no broken invariant.

How many examples ran is reported by Hypothesis itself:

    HYPOTHESIS_PROFILE=ci .venv/bin/pytest tests/test_fuzz.py --hypothesis-show-statistics -q

(the `ci` profile of tests/conftest.py runs 50 derandomized examples per property;
`make fuzz` runs 10,000 per property here and in tests/test_fuzz_cleaners.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from commit_polish.action.comment import MARKER_PREFIX, marker, parse_marker, render
from commit_polish.digest.fit import fit
from commit_polish.digest.parse import parse_diff
from commit_polish.errors import InputError
from commit_polish.github.records import PullRequest
from commit_polish.message.body import looks_like_code
from commit_polish.message.repair import repair, unusable_reason
from commit_polish.message.style import Style
from commit_polish.records import (
    Attempt,
    CommitMessage,
    DiffDigest,
    FileChange,
    FileKind,
    FileStatus,
    Suggestion,
)
from tests.action.test_comment import split_code
from tests.support.paths import FIXTURES

SEED_DIFFS: tuple[bytes, ...] = tuple(
    path.read_bytes()
    for path in [*sorted((FIXTURES / "diffs").glob("*.diff")), FIXTURES / "sample.diff"]
)
SEED_FILES: tuple[tuple[FileChange, ...], ...] = tuple(
    tuple(parse_diff(seed)) for seed in SEED_DIFFS
)
ANSWERS: tuple[str, ...] = tuple(
    json.loads(line)["message"]
    for line in (FIXTURES / "qwen_answers.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
)
WIDTH = 72
SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
COMMENT_LIMIT_UNITS = 65_536
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies -------------------------------------------------------------------------------

_byte_line = st.binary(max_size=40) | st.sampled_from(
    [b"\xff\xfe", b"\x00", b"\r", b"\x1b[31m", b"\xc3", b"\xe2\x80\xae", b"\\ No newline at end"]
)
_number = st.integers(min_value=0, max_value=10**6).map(str)


@st.composite
def mutated_diffs(draw: st.DrawFn) -> bytes:
    """A real diff after a few random edits of its lines (or a cut at a random byte)."""
    seed = draw(st.sampled_from(SEED_DIFFS))
    lines = seed.split(b"\n")
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "prefix", "insert", "hunk", "truncate", "blank"]
            )
        )
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "prefix":
            lines[i] = draw(st.sampled_from([b"+", b"-", b" ", b"\\", b"@", b""])) + lines[i][1:]
        elif op == "insert":
            lines.insert(i, draw(_byte_line))
        elif op == "hunk":
            lines[i] = (
                f"@@ -{draw(_number)},{draw(_number)} +{draw(_number)},{draw(_number)} @@".encode()
            )
        elif op == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(min_value=0, max_value=len(lines[-1])))]
        else:
            lines[i] = b""
    return b"\n".join(lines)


@st.composite
def synthetic_diffs(draw: st.DrawFn) -> str:
    """A diff-shaped text built from random headers and hunk lines."""
    out: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12))
        name = name.replace("\n", "_")
        out += [f"diff --git a/{name} b/{name}", f"--- a/{name}", f"+++ b/{name}"]
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            body = draw(
                st.lists(
                    st.tuples(st.sampled_from(" +-\\"), st.text(max_size=20)).map(
                        lambda t: t[0] + t[1].replace("\n", "")
                    ),
                    max_size=6,
                )
            )
            old = sum(not line.startswith(("+", "\\")) for line in body)
            new = sum(not line.startswith(("-", "\\")) for line in body)
            old += draw(st.sampled_from([0, 0, 0, -1, 1]))
            out.append(f"@@ -1,{max(old, 0)} +1,{new} @@")
            out += body
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\r\n"]))


untrusted = st.text(max_size=120) | st.sampled_from(
    [
        "@octo-org/security-team",
        "@mallory hi",
        "<img src=https://evil.example/t.png>",
        "<!-- commit-polish:sticky head=evil -->",
        "```\n@mallory\n```",
        "`` ` ``<b>x</b>",
        "~~~\n<script>alert(1)</script>",
        "\u202e@admin\u2066<a>",
        "x\r<b>\u2028@y\x85</details>",
        "a" * 70_000,
    ]
)


# --- 1. the diff parser -----------------------------------------------------------------------


def _parses_or_refuses(data: str | bytes) -> None:
    try:
        files = parse_diff(data)
    except InputError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event("parsed")
    assert files
    for change in files:
        assert isinstance(change, FileChange)
        assert isinstance(change.status, FileStatus)
        assert isinstance(change.kind, FileKind)
        assert change.added == sum(h.added for h in change.hunks) >= 0
        assert change.removed == sum(h.removed for h in change.hunks) >= 0


@SLOW
@given(mutated_diffs())
def test_parse_diff_on_mutated_real_diffs_returns_files_or_input_error(data: bytes) -> None:
    _parses_or_refuses(data)


@SLOW
@given(synthetic_diffs() | st.text() | st.binary())
def test_parse_diff_on_random_text_returns_files_or_input_error(data: str | bytes) -> None:
    _parses_or_refuses(data)


# --- 2. the budgeter --------------------------------------------------------------------------


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a BPE tokenizer: each word and punctuation mark counts."""
    return len(re.findall(r"\w+|[^\w\s]", text))


@st.composite
def file_sets(draw: st.DrawFn) -> list[FileChange]:
    files = list(draw(st.sampled_from(SEED_FILES)))
    if draw(st.booleans()):
        return files
    picked = draw(st.lists(st.sampled_from(files), max_size=len(files), unique_by=id))
    return picked


@SLOW
@given(file_sets(), st.integers(min_value=0, max_value=5000))
def test_fit_stays_within_budget_and_partitions_the_files(
    files: list[FileChange], budget: int
) -> None:
    digest = fit(files, budget, count_tokens)
    event("every file whole" if len(digest.included) == len(files) else "cut to fit")
    assert count_tokens(digest.text) <= budget
    assert digest.tokens == count_tokens(digest.text)
    assert Counter(digest.included + digest.condensed + digest.omitted) == Counter(
        f.path for f in files
    )


# --- 3. message repair ------------------------------------------------------------------------

_LINK_REF_OR_LONE_TOKEN = re.compile(r"\s*(?:\[[^\]]+\]:\s+\S+|\S+)\s*$")


def body_line_ok(line: str) -> bool:
    """body.wrap's promise: lines fit 72 columns, except lines kept as written (code, an
    indented block, a link reference, a lone URL or path) and a line holding one word too
    long for any line, after a short start ("See <url>")."""
    if len(line) <= WIDTH:
        return True
    if line.startswith(("    ", "\t")) or looks_like_code(line):
        return True
    if _LINK_REF_OR_LONE_TOKEN.match(line):
        return True
    longest = max(line.split(), key=len)
    return len(longest) > WIDTH // 3 and len(line) - len(longest) <= WIDTH // 3


@st.composite
def mutated_answers(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(ANSWERS)).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        i = draw(st.integers(min_value=0, max_value=len(lines)))
        op = draw(st.sampled_from(["insert", "duplicate", "delete", "long", "wrap"]))
        if op == "insert":
            lines.insert(i, draw(st.text(max_size=40)))
        elif op == "duplicate" and i < len(lines):
            lines.insert(i, lines[i])
        elif op == "delete" and i < len(lines) and len(lines) > 1:
            del lines[i]
        elif op == "long":
            word = draw(st.sampled_from(["word", "https://example.com/" + "p" * 90, "`x`", "é"]))
            lines.insert(i, " ".join([word] * draw(st.integers(min_value=1, max_value=40))))
        elif op == "wrap":
            ticks = draw(st.sampled_from(["`", "```", '"', "**", "<think>"]))
            lines = [ticks + lines[0], *lines[1:]] if lines else [ticks]
    return "\n".join(lines)


answers = mutated_answers() | st.text(max_size=400) | st.sampled_from(ANSWERS)


@SLOW
@given(answers, st.sampled_from([Style.CONVENTIONAL, Style.PLAIN, None]))
def test_repair_of_a_usable_answer_gives_a_valid_message(text: str, style: Style | None) -> None:
    reason = unusable_reason(text)
    event("usable" if reason is None else "unusable (skipped)")
    assume(reason is None)
    message = repair(text, style=style)
    subject = message.subject
    assert 1 <= len(subject) <= WIDTH, subject
    assert len(subject.splitlines()) == 1 and "\n" not in subject, subject
    assert not subject.endswith("."), subject
    assert subject == subject.strip(), subject
    for line in message.body.split("\n"):
        assert body_line_ok(line), line


# --- 4. the comment renderer ------------------------------------------------------------------


@st.composite
def suggestions(draw: st.DrawFn) -> Suggestion:
    names = st.lists(untrusted, max_size=4).map(tuple)
    attempts = st.lists(
        st.builds(Attempt, untrusted, untrusted, untrusted, st.floats(0, 1e4)), max_size=3
    ).map(tuple)
    return Suggestion(
        message=CommitMessage(
            draw(untrusted),
            draw(untrusted),
            draw(st.lists(untrusted, max_size=2).map(tuple)),
            from_model=draw(st.booleans()),
        ),
        model=draw(st.none() | untrusted),
        attempts=draw(attempts),
        digest=DiffDigest("", 0, 0, draw(names), draw(names), draw(names)),
        messages=(),
        prompt_tokens=draw(st.integers(0, 10**6)),
        seconds=0.0,
    )


ALLOWED_TAGS = {"<details>", "</details>", "<summary>", "</summary>", marker(SHA)}


@st.composite
def pull_requests(draw: st.DrawFn) -> PullRequest:
    return PullRequest(
        repo="o/r",
        number=1,
        title=draw(untrusted),
        body=draw(untrusted),
        author="a",
        head_sha=SHA,
        base_ref="main",
        draft=False,
        state="open",
        html_url="https://github.com/o/r/pull/1",
        diff="",
        files_without_patch=draw(st.lists(untrusted, max_size=3).map(tuple)),
        files_unlisted=draw(st.integers(0, 10**4)),
    )


@SLOW
@given(suggestions(), pull_requests())
def test_render_is_bounded_and_inert_for_untrusted_text(
    suggestion: Suggestion, pr: PullRequest
) -> None:
    output = render(suggestion, pr)
    assert len(output.encode("utf-16-le")) // 2 <= COMMENT_LIMIT_UNITS
    assert output.startswith(marker(SHA) + "\n")
    assert parse_marker(output) == SHA
    rendered, _ = split_code(output)
    assert set(re.findall(r"<[^>]*>", rendered)) <= ALLOWED_TAGS, rendered
    assert "<" not in re.sub(r"<[^>]*>", "", rendered), rendered
    assert not re.search(r"@\w", rendered), rendered
    assert rendered.count(MARKER_PREFIX) == 1, rendered

"""Property-based fuzzing of every text cleaner that sees PR-controlled text.

Each cleaner gets hostile text: Markdown and HTML openers left open, format, private-use and
space characters (Cf, Co, Zs), emoji sequences, long whitespace runs, real model answers and
the renderer's attack strings (tests/test_fuzz.py). Every property asserts more than "no
crash": output bounded by the input, invariants the function promises in its docstring, and,
where a linear-time rewrite replaced a pattern, the same result as that pattern.

The default profile runs 100 examples per property; `make fuzz` (the `fuzz` profile of
tests/conftest.py) runs 10,000 and prints the count per property.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from commit_polish.action import visible
from commit_polish.action.comment import MAX_SPAN, code_block, code_span
from commit_polish.action.event import COMMAND, MAX_INSTRUCTIONS, read_event
from commit_polish.digest.secrets import PLACEHOLDER, mask, mask_hunk
from commit_polish.github.records import PullRequestRef, Skip
from commit_polish.message import anchor
from commit_polish.message.body import is_trailer, tidy_body, wrap
from commit_polish.message.markdown import plain_links, strip_images, unbold
from commit_polish.message.style import RepoStyle, Style, analyse_history
from commit_polish.message.subject import fix_subject, shorten
from commit_polish.prompt import DESCRIPTION_LIMIT, clean_description
from commit_polish.records import ChangeContext
from tests.action.test_event import REPO, pr_comment
from tests.test_fuzz import ANSWERS, WIDTH, body_line_ok, untrusted

SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies -------------------------------------------------------------------------------

OPENERS = (
    "![", "](", "[", "]", "(", ")", "![alt](", "](https://evil.example/x.png)", "[link](",
    "https://example.com/a", "<img ", "<IMG src=x>", "<!--", "-->", "<b>", "</details>",
    "**", "__", "*", "_", "`", "``", "```", "~~~", "# ", "## ", "#", "- [ ] ", "* [x] ",
    "-", "- ", "* ", "1. ", "> ", "---", "===", "\\", "<", ">", "@mallory", "#123", ":",
    "feat: ", "fix(scope): ", "chore(deps)!: ", "Co-authored-by: A <a@b.co>",
    "Signed-off-by: B <b@c.io>", "(#42)", "...", ". ", ", ", "Summary:", "diff --git a/x b/x",
    "    ", "\t", "\r\n", "\r", "\n", "\n\n", PLACEHOLDER,
)  # fmt: skip
EMOJI = (
    "\u2728", "\u267b\ufe0f", "\U0001f41b", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f44d\U0001f3fd", "\U0001f1eb\U0001f1f7", "1\ufe0f\u20e3",
    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "\u0633\u0644\u0627\u0645 \u0628\u0645\u200c\u0627", "\u0915\u094d\u200d\u0937",
)  # fmt: skip
INVISIBLE = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u2069", "\u061c",
    "\u200e", "\u3164", "\u2800", "\u034f", "\u115f", "\ufe0f", "\ufe00", "\U000e0041",
    "\U000e007f", "\U000e0100", "\U000f0000", "\ue000", "\x00", "\x1b[31m", "\x7f", "\x85",
    "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\u00ad", "\U0001fa99", "\U0010ffff",
)  # fmt: skip
WORDS = (
    "Add", "added", "fixes", "Fixed", "update", "the", "parser", "to", "and", "with", "so",
    "that", "README.md", "src/app/main.py", "e.g.", "i.e.", "because", "instead", "wip",
    "typo", "(#12)", "`code`", "x = 1", "def f(x):", "\u00e9t\u00e9", "\u4e2d\u6587",
)  # fmt: skip


def _run(char: str) -> st.SearchStrategy[str]:
    return st.integers(min_value=1, max_value=300).map(lambda n: char * n)


fragments = st.one_of(
    st.sampled_from(OPENERS),
    st.sampled_from(WORDS),
    st.text(max_size=12),
    st.text(st.characters(categories=["Cf", "Co", "Zs"]), min_size=1, max_size=4),
    st.sampled_from(EMOJI),
    st.sampled_from(INVISIBLE),
    st.sampled_from(" \n\t\u3000").flatmap(_run),
)
hostile = st.lists(fragments, max_size=24).map("".join)
"""Surrogate-free hostile text: what a PR's title, description or commits can hold."""
texts = hostile | untrusted | st.sampled_from(ANSWERS)
with_surrogates = st.lists(
    fragments | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2), max_size=24
).map("".join)
"""Text as a JSON payload or a model answer can carry it: lone surrogates too."""
one_line = hostile.map(lambda text: " ".join(text.split()))

HISTORIES = {
    "unknown": (),
    "conventional": tuple(f"{kind}: change number {n}" for n, kind in enumerate(["feat"] * 12)),
    "scoped": tuple(f"fix(core): change number {n} (#{n})" for n in range(12)),
    "plain": tuple(f"Change number {n} of the code" for n in range(12)),
    "mixed": tuple(f"feat: change {n}" for n in range(6))
    + tuple(f"Change {n} of it" for n in range(6)),
    "gitmoji": tuple(f"\u2728 Add feature number {n}" for n in range(12)),
}
REPOS = {name: analyse_history(history) for name, history in HISTORIES.items()}
repos = st.sampled_from(sorted(REPOS)).map(REPOS.__getitem__) | st.just(RepoStyle(None))
styles = st.sampled_from([None, Style.PLAIN, Style.CONVENTIONAL])

_HIDDEN_ALWAYS = frozenset({"Cc", "Co", "Cs"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORMAT_ALLOWED = frozenset(
    "\u200c\u200d\U000e007f" + "".join(chr(c) for c in range(0xE0030, 0xE007B))
)
_BLANK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_SELECTORS = frozenset(
    "\u180b\u180c\u180d\u180f"
    + "".join(map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]))
)
"""Variation selectors: kept only after the character they select a form of."""
_EMOJI_BLOCKS = ("\U0001f000", "\U0001faff")
_LINE_BREAKS = ("\r\n", "\r", "\x85", "\u2028", "\u2029")
_OTHER_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Line boundaries of `str.splitlines` other than `\\n`."""


def _shown(char: str) -> bool:
    """A character a reader sees (or a plain newline or tab)."""
    category = unicodedata.category(char)
    if char in _BLANK or char in _SELECTORS:
        return False
    return char in "\n\t" or category[0] not in "CZ" or category == "Zs"


def _normalized_breaks(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")
    for line_break in _LINE_BREAKS:
        text = text.replace(line_break, "\n")
    return text


# --- 1. visible.clean: what the comment and the job summary show ------------------------------


@SLOW
@given(with_surrogates | texts)
def test_visible_clean_shows_all_and_only_visible_text(text: str) -> None:
    out = visible.clean(text)
    out.encode("utf-8")  # valid Unicode: no lone surrogate left
    assert len(out) <= len(text)
    for char in out:
        category = unicodedata.category(char)
        assert char in "\n\t" or category not in _HIDDEN_ALWAYS, ascii(char)
        assert char not in _BIDI and char not in _BLANK, ascii(char)
        assert category != "Cf" or char in _FORMAT_ALLOWED, ascii(char)
        assert category != "Cn" or _EMOJI_BLOCKS[0] <= char <= _EMOJI_BLOCKS[1], ascii(char)
    assert not set(_LINE_BREAKS) & set(out), ascii(out)  # `\n` is the only line break
    # Nothing visible is lost, reordered or added: only hidden characters go.
    normalized = _normalized_breaks(text)
    assert [c for c in out if _shown(c)] == [c for c in normalized if _shown(c)]
    assert visible.clean(out) == out  # idempotent


# --- 2. comment.code_span and comment.code_block: inert ---------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": True})


def _inline(markdown: str) -> list[tuple[str, str]]:
    """The inline tokens of a one-paragraph Markdown text, as CommonMark reads it."""
    blocks = _MARKDOWN.parse(markdown)
    assert [t.type for t in blocks] == ["paragraph_open", "inline", "paragraph_close"], markdown
    return [(child.type, child.content) for child in blocks[1].children or []]


@SLOW
@given(with_surrogates | texts, st.sampled_from([MAX_SPAN, 40, 5, 1]))
def test_code_span_is_one_inline_code_span_with_the_visible_text(text: str, limit: int) -> None:
    span = code_span(text, limit)
    assert "\n" not in span and "\r" not in span
    assert len(span) <= 3 * limit + 4
    expected = " ".join(visible.clean(text).split())
    if len(expected) > limit:
        expected = expected[: limit - 1] + "\u2026"
    shown = expected or " "
    # Alone on a line (never a fence opener) and inside a sentence: one span, all of the text.
    assert _inline(span) == [("code_inline", shown)]
    assert _inline(f"x {span} y") == [("text", "x "), ("code_inline", shown), ("text", " y")]


@SLOW
@given(with_surrogates | texts)
def test_code_block_is_one_fenced_block_holding_the_text(text: str) -> None:
    text = visible.clean(text)  # as the renderer calls it
    block = code_block(text)
    assert len(block) <= 3 * len(text) + 12  # fences one backtick longer than any run
    tokens = _MARKDOWN.parse(block)
    assert [(t.type, t.info) for t in tokens] == [("fence", "text")], block
    assert tokens[0].content == text.replace("\0", "\ufffd") + "\n"


# --- 3. markdown.strip_images / plain_links / unbold: the patterns they replaced ---------------

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_IMAGE_OR_TAG = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


@SLOW
@given(texts, st.booleans())
def test_strip_images_removes_what_the_image_pattern_matched(text: str, html: bool) -> None:
    out = strip_images(text, html=html)
    assert out == (_IMAGE_OR_TAG if html else _IMAGE).sub("", text)
    assert len(out) <= len(text)


@SLOW
@given(texts)
def test_plain_links_rewrites_what_the_link_pattern_matched(text: str) -> None:
    out = plain_links(text)
    assert out == _LINK.sub(r"\1 (\2)", text)
    assert len(out) <= len(text)


@SLOW
@given(texts)
def test_unbold_removes_what_the_bold_pattern_matched(text: str) -> None:
    out = unbold(text)
    assert out == _BOLD.sub(r"\2", text)
    assert len(out) <= len(text)


# --- 4. prompt.clean_description: the PR description in the prompt ----------------------------

_OLD_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\].*$", re.MULTILINE)
_OLD_HEADING_ONLY = re.compile(r"^(?:\s*#{1,6}\s.*\n?)+$")
"""Exponential on `# # # ... a\\nx`: only ever given the short texts below."""


def _old_clean_description(text: str, limit: int) -> str:
    """clean_description as it was with the patterns the linear-time code replaced."""
    text = _IMAGE_OR_TAG.sub("", re.sub(r"<!--.*?(?:-->|$)", "", text, flags=re.DOTALL))
    text = _OLD_CHECKBOX.sub("", text.replace("\r\n", "\n"))
    lines = [re.sub(r"(?<=\S)[ \t]{2,}", " ", line.rstrip()) for line in text.splitlines()]
    paragraphs = re.split(r"\n{2,}", "\n".join(lines))
    kept = [p.strip("\n") for p in paragraphs if p.strip() and not _OLD_HEADING_ONLY.match(p)]
    text = "\n\n".join(kept)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("\n\n"), cut.rfind(". "))
    cut = cut[: end + 1] if end > limit // 2 else cut[: cut.rfind(" ")]
    return cut.rstrip() + " [...]"


limits = st.sampled_from([DESCRIPTION_LIMIT, 200, 40, 10])


@SLOW
@given(texts, limits)
def test_clean_description_is_bounded_plain_and_invents_nothing(text: str, limit: int) -> None:
    out = clean_description(text, limit)
    assert len(out) <= limit + len(" [...]")
    assert not _OTHER_BREAKS & set(out), ascii(out)
    assert "\n\n\n" not in out and out == out.strip("\n")
    lines = out.removesuffix(" [...]").split("\n")
    assert all(line == line.rstrip() for line in lines), ascii(out)
    assert set(out) <= set(text) | set(" \n[.]"), ascii(out)


@SLOW
@given(st.lists(fragments, max_size=12).map("".join), limits)
def test_clean_description_does_what_its_old_patterns_did(text: str, limit: int) -> None:
    assume(text.count("#") <= 12)  # the old heading pattern is exponential in them
    assert clean_description(text, limit) == _old_clean_description(text, limit)


prose_words = st.text("abcdefg0123456789", min_size=1, max_size=8)
prose_lines = st.lists(prose_words, min_size=1, max_size=8).map(" ".join)
prose_paragraphs = st.lists(prose_lines, min_size=1, max_size=4).map("\n".join)
prose = st.lists(prose_paragraphs, min_size=1, max_size=4).map("\n\n".join)
"""Plain prose: no Markdown, no label a cleaner would take for noise."""


@SLOW
@given(prose)
def test_clean_description_and_tidy_body_keep_plain_prose_as_written(text: str) -> None:
    assert clean_description(text, len(text)) == text
    assert tidy_body(text) == text


# --- 5. body.tidy_body and body.wrap: the commit message's body --------------------------------


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


_BULLET = re.compile(r"^(\s*)([-*+\u2022]|\d{1,2}[.)])\s+")


@SLOW
@given(texts, st.lists(one_line, max_size=2))
def test_tidy_body_is_plain_bounded_and_drops_echoes(text: str, echoes: list[str]) -> None:
    out = tidy_body(text, echoes)
    assert not _OTHER_BREAKS & set(out), ascii(out)
    # A fenced line gains a four-space indent; nothing else grows.
    assert len(out) <= len(text) + 4 * (text.count("\n") + 1)
    echoed = {_key(echo) for echo in echoes}
    for line in out.split("\n"):
        if line:
            assert _key(_BULLET.sub("", line)) not in echoed, (line, echoes)


def _line_ok(line: str) -> bool:
    """body_line_ok, and two lines wrap cannot shorten: a blank line (kept as given) and one
    word after an indent or bullet wider than half the line. wrap keeps indents; four ASCII
    spaces make a code line, kept as written, but an indent of other spaces (U+3000) is a
    bullet's or paragraph's, and its one word then overflows (`\u3000` + 67 spaces + `* [x]`)."""
    if not line.strip() or body_line_ok(line):
        return True
    bullet = _BULLET.match(line)
    indent = bullet.end() if bullet else len(line) - len(line.lstrip())
    if indent > WIDTH // 2 and len(line[indent:].split()) == 1:
        event("one word after a wide indent")
        return True
    return False


@SLOW
@given(texts | prose, st.sampled_from([WIDTH, 50]))
def test_wrap_keeps_every_word_and_fits_the_width(text: str, width: int) -> None:
    out = wrap(text, width)
    assert out.split() == text.split()  # no word lost, split or reordered
    if width == WIDTH:
        for line in out.split("\n"):
            assert _line_ok(line), line
    if all(len(line) <= width for line in text.splitlines()):
        assert out == "\n".join(text.splitlines())  # a wrapped message stays as written
    assert wrap(out, width) == "\n".join(out.splitlines())  # idempotent


# --- 6. subject.fix_subject and subject.shorten: the subject line ------------------------------


subjects = one_line | texts | st.sampled_from(EMOJI).map(lambda e: e * 40 + " fix the parser")


@SLOW
@given(subjects, styles, repos, st.sampled_from([None, "feat", "fix", "docs"]))
def test_fix_subject_is_one_tidy_line_of_at_most_72(
    subject: str, style: Style | None, repo: RepoStyle, type_hint: str | None
) -> None:
    out = fix_subject(subject, style=style, repo=repo, type_hint=type_hint)
    assert "\n" not in out and not _OTHER_BREAKS & set(out), ascii(out)
    assert "  " not in out, ascii(out)
    assert out == out.strip(), ascii(out)
    assert len(out) <= WIDTH, (len(out), out)


@SLOW
@given(subjects, st.sampled_from([WIDTH, 50, 30]))
def test_shorten_is_at_most_width_and_only_cuts(subject: str, width: int) -> None:
    out = shorten(subject, width)
    if len(subject) <= width:
        assert out == subject
        return
    assert set(out) <= set(subject) | {" "}, ascii(out)
    assert len(out) <= width, (len(out), out)


@pytest.mark.parametrize("style", [None, Style.PLAIN])
def test_fix_subject_holds_a_long_emoji_lead_to_72(style: Style | None) -> None:
    subject = "\u2192" * 80 + " fix the thing"
    assert len(fix_subject(subject, style=style, repo=RepoStyle(None))) <= WIDTH


@pytest.mark.parametrize(
    "subject",
    ["\u2192" * 80 + " fix it", "\u2728" + " " * 80 + "fix it", "feat:" + " " * 80 + "fix it"],
    ids=["80 arrows", "sparkles and 80 spaces", "type and 80 spaces"],
)
def test_shorten_holds_a_long_lead_to_the_width(subject: str) -> None:
    assert len(shorten(subject, WIDTH)) <= WIDTH


@pytest.mark.parametrize(
    "subject", ["", "...", "(#12)", "\u2728"], ids=["empty", "dots", "pr number", "sparkles"]
)
def test_fix_subject_never_ends_in_a_bare_type(subject: str) -> None:
    out = fix_subject(subject, style=Style.CONVENTIONAL, repo=RepoStyle(None))
    assert out == out.strip()


# --- 7. anchor.keep / weak_reason / whole_message: the author's own words ----------------------

contexts = st.builds(
    ChangeContext,
    title=one_line | texts,
    commit_messages=st.lists(texts, min_size=1, max_size=3).map(tuple),
    co_authors=st.lists(st.sampled_from(["Ann <ann@example.org>", "Bo <bo@b.io>"]) | one_line)
    .map(tuple)
    .filter(lambda names: len(names) <= 3),
)


@SLOW
@given(subjects)
def test_weak_reason_depends_on_the_words_only(subject: str) -> None:
    reason = anchor.weak_reason(subject)
    assert (reason is None) == (anchor.weak_reason(" ".join(subject.split())) is None)
    if reason is not None:
        assert len(reason) <= 60 * 10 + 50  # quotes at most 60 characters, escaped


@SLOW
@given(contexts, styles, repos)
def test_keep_gives_a_subject_that_fits_or_none(
    context: ChangeContext, style: Style | None, repo: RepoStyle
) -> None:
    kept = anchor.keep(context, style=style, repo=repo)
    event("kept" if kept else "left to the model")
    if kept is None:
        return
    assert 1 <= len(kept.subject) <= anchor.AUTHOR_LIMIT, kept
    assert "\n" not in kept.subject and "\n" not in kept.written
    assert anchor.weak_reason(kept.subject) is None, kept
    assert anchor.form_problem(kept.subject, style, repo, limit=anchor.AUTHOR_LIMIT) is None


@SLOW
@given(contexts, repos, subjects)
def test_whole_message_keeps_the_subject_and_a_wrapped_plain_body(
    context: ChangeContext, repo: RepoStyle, subject: str
) -> None:
    kept = anchor.keep(context, style=repo.style, repo=repo)
    event("kept" if kept else "left to the model")
    if kept is None:  # judge the body's handling anyway, under any subject
        line = " ".join(subject.split())[: anchor.SUBJECT_LIMIT] or "x"
        kept = anchor.Kept(line, line, context.commit_messages[0])
    message = anchor.whole_message(kept, context)
    assert message.subject == kept.subject
    assert not _OTHER_BREAKS & set(message.body), ascii(message.body)
    assert "\t" not in message.body
    for body_line in message.body.split("\n"):
        assert _line_ok(body_line), body_line
    for trailer in message.trailers:
        assert "\n" not in trailer
        assert trailer.startswith("Co-authored-by: ") or is_trailer(trailer), trailer


def test_a_body_that_starts_with_a_screenshot_starts_with_its_text() -> None:
    body = "![screenshot](https://example.com/header.png)\nThe header now wraps."
    assert tidy_body(body) == "The header now wraps."
    context = ChangeContext(commit_messages=("Fix the layout of the page header\n\n" + body,))
    kept = anchor.keep(context, style=None, repo=RepoStyle(None))
    assert kept is not None
    assert anchor.whole_message(kept, context).body == "The header now wraps."


# --- 8. secrets.mask / mask_hunk: the diff before anything reads it ----------------------------

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
tokens = st.one_of(
    st.text(_ALNUM, min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text(_ALNUM[:36], min_size=16, max_size=16).map(lambda s: "AKIA" + s.upper()),
    st.text(_ALNUM, min_size=20, max_size=40).map(lambda s: "glpat-" + s),
    st.text(_ALNUM, min_size=18, max_size=30).map(lambda s: "sk-proj-A1" + s),
)


@SLOW
@given(texts | st.lists(fragments | tokens, max_size=12).map(" ".join))
def test_mask_keeps_lines_counts_truly_and_leaves_nothing_to_mask(text: str) -> None:
    out, found = mask(text)
    event("masked" if found else "nothing to mask")
    assert found >= 0
    assert (found == 0) == (out == text)
    assert out.count("\n") == text.count("\n")  # masking never joins or splits lines
    assert out.count(PLACEHOLDER) >= min(found, 1)
    assert mask(out) == (out, 0), ascii(out)  # nothing left to mask


@SLOW
@given(hostile, tokens, hostile)
def test_mask_hides_a_planted_token_in_any_surroundings(
    before: str, token: str, after: str
) -> None:
    out, found = mask(f"{before} {token} {after}")
    assert token not in out
    assert found >= 1


diff_lines = st.lists(
    st.tuples(st.sampled_from([" ", "+", "-", "\\", ""]), texts | tokens).map(
        lambda pair: pair[0] + pair[1].replace("\n", "")
    ),
    max_size=8,
)


hunk_headers = st.tuples(
    st.sampled_from(["@@ -1,3 +1,4 @@", "@@ -1 +1 @@ API_KEY=", "@@ -5,2 +5,2 @@ def f():"]),
    (texts | tokens).map(lambda tail: tail.replace("\n", " ")),
).map("".join)
"""A hunk header; git fills the section after it from the file, so it is PR text too."""


@SLOW
@given(hunk_headers, diff_lines)
def test_mask_hunk_keeps_the_header_prefixes_and_line_count(header: str, lines: list[str]) -> None:
    new_header, new_lines, found = mask_hunk(header, lines)
    assert len(new_lines) == len(lines)
    assert [line[:1] for line in new_lines] == [line[:1] for line in lines]
    assert new_header.startswith(header[: header.find("@@", 2) + 2])
    assert "\n" not in new_header and not any("\n" in line for line in new_lines)
    assert (found == 0) == (new_header == header and list(new_lines) == lines)


# --- 9. event.read_event: the `/commit-polish` comment ----------------------------------------


def _expected_instructions(body: str) -> str | None:
    """The instructions after the command, read without a pattern; None when not asked."""
    rest = body.lstrip()
    after = rest[len(COMMAND) :]
    if not rest.startswith(COMMAND) or (after and not after[0].isspace()):
        return None
    return after.replace("\r\n", "\n").strip()[:MAX_INSTRUCTIONS].rstrip()


commands = st.tuples(
    st.sampled_from(["", " ", "\n", "\u3000", "> ", "x"]),
    st.sampled_from([COMMAND, COMMAND, COMMAND, "/commit-polishing", "/Commit-Polish", ""]),
    st.sampled_from(["", " ", "\n", "\t", "\r\n", "\u3000", "\x85"]),
    with_surrogates | texts | st.text(min_size=490, max_size=520),
).map("".join)


@SLOW
@given(commands, st.sampled_from(["created", "edited", "deleted"]))
def test_read_event_takes_only_the_command_and_caps_the_rest(body: str, action: str) -> None:
    data = pr_comment(body)
    data["action"] = action
    # As the runner hands it over: a JSON file (a lone surrogate survives as an escape, a
    # pair of surrogates is read back as the one character it encodes).
    data = json.loads(json.dumps(data))
    result = read_event("issue_comment", data, repo=REPO)
    body = data["comment"]["body"]
    expected = _expected_instructions(body) if action != "deleted" else None
    event("skipped" if expected is None else "asked")
    if expected is None:
        assert isinstance(result, Skip), result
        return
    assert isinstance(result, PullRequestRef), result
    assert result.instructions == expected
    assert len(result.instructions) <= MAX_INSTRUCTIONS
    assert result.instructions == result.instructions.strip()
    assert result.commenter == "Codertocat"

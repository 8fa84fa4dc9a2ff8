"""Every function that reads text a pull request's author (or a model) controls runs in time
linear in it: a hostile title, description, commit message, history subject, answer or comment
cannot hold a runner.

Each case feeds one function an adversarial input (repeated openers, whitespace runs, unclosed
constructs, many banner prefixes, long single lines, many blank lines) at a size n and at 8n in
the same run, and fails when the time grows more than 30 times: linear code grows about 8 times,
quadratic code 64 times. Times are never compared with a fixed bound, only with each other.
n grows until the small input takes a few milliseconds; past MAX_CHARS the calls are repeated
instead. On the patterns these cases replaced, 48 of them fail (25 s on 64k blank lines,
and `"# " * 40` never finished).

The second part holds the linear code to the results of the patterns it replaced.
`benchmarks/hostile_text.py` prints the same cases' times at 100 kB and 1 MB.
"""

from __future__ import annotations

import gc
import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commit_polish import prompt
from commit_polish.action.comment import COMMENT_LIMIT, render
from commit_polish.action.event import read_event
from commit_polish.digest import notes, secrets
from commit_polish.evaluation import metrics
from commit_polish.evaluation.repo import Commit, _squash_suffix, squash_pr
from commit_polish.github.records import PullRequest
from commit_polish.message import (
    anchor,
    body,
    fallback,
    markdown,
    repair,
    scope,
    style,
    subject,
)
from commit_polish.message.style import RepoStyle, Style, analyse_history
from commit_polish.records import (
    Attempt,
    ChangeContext,
    CommitMessage,
    DiffDigest,
    FileChange,
    FileKind,
    FileStatus,
    Hunk,
    PathCommit,
    Suggestion,
)

GROWTH = 8
SLACK = 30
MIN_SECONDS = 0.003
MAX_CHARS = 1 << 18
HISTORY = (
    "feat(cli): add a --dry-run flag (#41)",
    "fix(parser): keep quoted paths (#40)",
    "docs: explain the token budget (#39)",
    "refactor(llm): split the retry loop (#38)",
    "test: cover renamed files (#37)",
)
CONVENTIONAL = analyse_history(HISTORY)
PLAIN = analyse_history(("Add a flag", "Fix quoted paths", "Explain the budget", "Split it"))


class Case(NamedTuple):
    run: Callable[[str], object]
    make: Callable[[int], str]
    """The hostile input with its unit repeated n times."""
    min_chars: int = 0
    """The smallest input measured: a function that changes road at some size (the comment
    is trimmed past GitHub's limit) is timed past it, where a step in time is not growth."""


def _times(unit: str, before: str = "", after: str = "") -> Callable[[int], str]:
    return lambda n: before + unit * n + after


INPUTS = {
    # descriptions, and any text
    "heading openers": _times("# ", after="a\nx"),
    "heading lines": _times("# a\n", after="x"),
    "run-on heading lines": _times("#\n"),
    "blank lines": _times("\n", "a", "b"),
    "blank lines with spaces": _times(" \n", "- ", "x"),
    "checkboxes": _times("- [ ] task\n"),
    "image openers": _times("!["),
    "images without a url end": _times("![a]("),
    "images without a url": _times("![a]x"),
    "img tags": _times("<img "),
    "comment openers": _times("<!--"),
    "one long line": _times("word "),
    "space run": _times(" ", "a", "b"),
    # subjects: titles, commit subjects, the history's subjects
    "space run before a tag": _times(" ", "Fix x", "[x"),
    "trailing punctuation": _times(" .", "Fix x", "y"),
    "trailing adverbs": _times(" too", "Add x"),
    "parentheses": _times(" (", "Add x"),
    "tags": _times(" [a]", "Add x"),
    "pr numbers": _times(" (#1)", "Add x"),
    "pr number after spaces": _times(" ", "Add x", "(#1) y"),
    "abbreviations": _times("e.g. "),
    "bold markers": _times("**"),
    "backticks": _times("`", "Add x "),
    "clauses": _times(", so that "),
    "bump from": _times("a from ", "bump "),
    "bump from across lines": _times("\nfrom\n", "bump x"),
    "versions": _times("1."),
    "version then a word": _times(".1", "1", " x (#1)"),
    "scopes": _times("feat("),
    "emoji": _times("\u2728"),
    "brackets": _times("["),
    "paths": _times("src/a.py and ", "Update "),
    "dotted names": _times("a.", "Update ", "x"),
    # model answers
    "unclosed think": _times("<think>", "Fix x\n"),
    "think near-misses": _times("</think", "<think>"),
    "fences": _times("```\n", "Fix x\n"),
    "label and spaces": _times(" ", "commit", "x"),
    "preamble lines": _times(" \n", after="Fix x"),
    "bold openers": _times("**a ", "Fix x\n\n"),
    "link openers": _times("[", "Fix x\n\n"),
    "links without an end": _times("[a](http://", "Fix x\n\n"),
    "body label and spaces": _times(" ", "Fix x\n\nsummary", "x"),
    "co-author and spaces": _times(" ", "Fix x\n\nCo-authored-by: ", "x"),
    "co-author domain dots": _times(".c", "Fix x\n\nCo-authored-by: A <a@b", " x>"),
    "long paragraph": lambda n: "Fix x\n\n" + "word " * (8 * n) + "\n" + "more words\n" * n,
    "bullets": _times("- item\n", "Fix x\n\n"),
    "loops": _times("the same words ", "Fix x\n\n"),
    # comments
    "command and spaces": _times(" ", "/commit-polish", "x"),
    "spaces and command": _times(" ", after="/commit-polish x"),
    "command and blank lines": _times("\r\n", "/commit-polish"),
    "command near misses": _times("/commit-polis "),
    "line breaks": _times("\r"),
    "hidden characters": _times("\u202e\u200b"),
    # diff lines: key prefixes, assignments, URLs and private key blocks, cut short or repeated
    "key prefixes": _times("ghp_AKIAsk-A1xoxb-AIzaeyJ"),
    "token openers": _times("eyJabcdefghijk.", "x "),
    "hint words": _times("secret_token_key"),
    "assignment openers": _times("key=", "x "),
    "hint and spaces": _times(" ", "token", "=x"),
    "secret values": _times("token=Zq8Lm2Xp9Rt4Vb7Nc1Wd6Ye3 "),
    "word values": _times("api_key = get_api_key_from_environment_value\n"),
    "one long value": _times("Zq8Lm2Xp9Rt4", "password: "),
    "url openers": _times("://user:", after="x"),
    "url passwords": _times("://u:p", after="@"),
    "key block openers": _times("-----BEGIN RSA PRIVATE KEY-----\n"),
    "key block ends": _times("-----END RSA PRIVATE KEY-----\n"),
    "key lines after a begin": _times(
        "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBj\n", "-----BEGIN PRIVATE KEY-----\n"
    ),
    "key lines before an end": _times(
        "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBj\n", after="-----END PRIVATE KEY-----"
    ),
    "key marker near misses": _times("-----BEGIN RSA PRIVATE KE"),
    "reference openers": _times(" ([#1](u)", "- Fix x"),
    "front matter lines": _times("---\n", after="Fix x"),
}
SUBJECTS = (
    "space run, space run before a tag, trailing punctuation, trailing adverbs, parentheses, "
    "tags, pr numbers, abbreviations, heading openers, bold markers, backticks, clauses"
)
HISTORY_SUBJECTS = (
    "bump from, bump from across lines, pr number after spaces, pr numbers, versions, scopes, "
    "emoji, brackets"
)


def _prompt(text: str) -> object:
    context = ChangeContext(
        title=text, description=text, commit_messages=(text, text), history=(text, *HISTORY)
    )
    return prompt.build(context, "", style=None)


def _anchor(text: str) -> object:
    """The author's subject judged and kept, as one commit (with its body) and as a title."""
    one = ChangeContext(commit_messages=(f"{text}\n\n{text}",), history=HISTORY)
    kept = anchor.keep(one, style=Style.CONVENTIONAL, repo=CONVENTIONAL)
    whole = anchor.whole_message(kept, one) if kept else None
    titled = ChangeContext(title=text, commit_messages=(text, text), history=HISTORY)
    return whole, anchor.keep(titled, style=Style.PLAIN, repo=PLAIN)


def _changelog(text: str) -> object:
    """The text as a changelog's added lines, as one item of it, and as a new fragment."""
    lines = tuple("+" + line for line in text.split("\n"))
    log = FileChange(
        "CHANGELOG.md", FileStatus.MODIFIED, FileKind.DOCS, len(lines), 0,
        (Hunk("@@ -0,0 +1 @@", lines, len(lines), 0),),
    )  # fmt: skip
    item = Hunk("@@ -0,0 +1 @@", ("+- " + " ".join(text.split()),), 1, 0)
    fragment = replace(log, path=".changeset/a.md", status=FileStatus.ADDED)
    entries = (replace(log, hunks=(item,)), log, fragment)
    return [(notes.changelog_entry((c,)), notes.changelog_prose((c,))) for c in entries]


def _repair(text: str) -> object:
    if not repair.clean(text):
        return None
    return repair.repair(text, style=Style.CONVENTIONAL, history=HISTORY, co_authors=(text,))


def _event(text: str) -> object:
    payload = {
        "action": "created",
        "repository": {"full_name": "octo/repo"},
        "issue": {"number": 7, "state": "open", "pull_request": {}, "user": {"login": "ann"}},
        "comment": {"body": text, "user": {"login": "bob", "type": "User"}},
    }
    return read_event("issue_comment", payload, repo="octo/repo")


def _comment(text: str) -> object:
    message = CommitMessage(text, text, (text,))
    files = (text[:300], text[-300:])
    suggestion = Suggestion(
        message=message,
        model=text[:500],
        attempts=(Attempt(text[:500], "unusable", text, 1.0),),
        digest=DiffDigest("", 0, 0, files, files, files),
        messages=(),
        prompt_tokens=0,
        seconds=0.0,
    )
    pr = PullRequest(
        repo="octo/repo",
        number=7,
        title=text,
        body=text,
        author="ann",
        head_sha="9049f1265b7d61be4a8904a9a27120d2064dab3b",
        base_ref="main",
        draft=False,
        state="open",
        html_url="https://github.com/octo/repo/pull/7",
        diff="",
        files_without_patch=files,
    )
    return render(suggestion, pr)


def _subject(repo: RepoStyle, chosen: Style) -> Callable[[str], object]:
    return lambda text: subject.fix_subject(text, style=chosen, repo=repo)


FUNCTIONS: tuple[tuple[str, Callable[[str], object], str], ...] = (
    (
        "clean_description",
        prompt.clean_description,
        "heading openers, heading lines, run-on heading lines, blank lines, "
        "blank lines with spaces, checkboxes, image openers, images without a url end, "
        "images without a url, img tags, comment openers, one long line, space run",
    ),
    (
        "build",
        _prompt,
        "heading openers, blank lines, checkboxes, space run, pr number after spaces, "
        "bump from, versions, scopes",
    ),
    (
        "repair.clean",
        repair.clean,
        "unclosed think, think near-misses, fences, label and spaces, preamble lines, "
        "bold openers, link openers, links without an end, body label and spaces, "
        "co-author and spaces",
    ),
    (
        "unusable_reason",
        repair.unusable_reason,
        "unclosed think, fences, long paragraph, bullets, loops, one long line",
    ),
    (
        "repair",
        _repair,
        "bold openers, link openers, links without an end, image openers, "
        "body label and spaces, co-author and spaces, co-author domain dots, long paragraph, "
        "space run, trailing punctuation, trailing adverbs, parentheses, tags, pr numbers",
    ),
    ("fix_subject conventional", _subject(CONVENTIONAL, Style.CONVENTIONAL), SUBJECTS),
    (
        "anchor.keep",
        _anchor,
        f"{SUBJECTS}, one long line, scopes, emoji, paths, dotted names, blank lines",
    ),
    ("fix_subject plain", _subject(PLAIN, Style.PLAIN), SUBJECTS),
    (
        "with_usual_scope",
        lambda text: scope.with_usual_scope(text, (PathCommit(text),) * 3, 72),
        f"{HISTORY_SUBJECTS}, space run",
    ),
    (
        "with_folder_scope",
        lambda text: scope.with_folder_scope(
            "fix: x", [text, *text.split()], (text, *HISTORY), (PathCommit(text),) * 3, 72
        ),
        f"{HISTORY_SUBJECTS}, paths, dotted names, one long line, space run",
    ),
    (
        "changelog_entry and _prose",
        _changelog,
        "bullets, blank lines, one long line, space run, pr numbers, link openers, "
        "links without an end, reference openers, front matter lines, abbreviations, "
        "bold markers",
    ),
    (
        "fallback_message",
        lambda text: fallback.fallback_message((), ChangeContext(title=text), style=None),
        "space run, trailing adverbs, parentheses, heading openers",
    ),
    (
        "tidy_body",
        body.tidy_body,
        "bold openers, link openers, links without an end, image openers, "
        "body label and spaces, fences, comment openers",
    ),
    ("wrap", body.wrap, "long paragraph, bullets, one long line, blank lines with spaces"),
    (
        "co_author_trailers",
        lambda text: body.co_author_trailers([text], text.splitlines()),
        "co-author and spaces, co-author domain dots, space run",
    ),
    ("analyse_history", lambda text: analyse_history([text] * 3), HISTORY_SUBJECTS),
    ("is_bot_subject", style.is_bot_subject, "bump from, bump from across lines, brackets, emoji"),
    ("strip_pr_number", style.strip_pr_number, "pr numbers, pr number after spaces, space run"),
    ("metrics.split_message", metrics.split_message, "pr numbers, pr number after spaces"),
    (
        "squash_pr",
        lambda text: squash_pr(Commit("sha", ("parent",), "Ann <a@b.c>", "date", text)),
        "pr numbers, pr number after spaces, versions, version then a word",
    ),
    (
        "read_event",
        _event,
        "command and spaces, spaces and command, command and blank lines, command near misses",
    ),
    ("render", _comment, "backticks, fences, line breaks, hidden characters"),
    (
        "secrets.mask",
        secrets.mask,
        "key prefixes, token openers, hint words, assignment openers, hint and spaces, "
        "secret values, word values, one long value, url openers, url passwords, "
        "key block openers, key block ends, key lines after a begin, key lines before an end, "
        "key marker near misses, one long line, space run, blank lines",
    ),
    (
        "secrets.mask_hunk",
        lambda text: secrets.mask_hunk(
            "@@ -1 +1 @@ " + text[:200].partition("\n")[0], text.split("\n")
        ),
        "key block openers, key block ends, key lines after a begin, key lines before an end, "
        "secret values, word values, blank lines",
    ),
)
CASES = {
    f"{function}: {name}": Case(run, INPUTS[name], COMMENT_LIMIT if function == "render" else 0)
    for function, run, names in FUNCTIONS
    for name in names.split(", ")
}


def _seconds(run: Callable[[str], object], text: str, calls: int) -> float:
    """The best of three timings of `calls` calls, without garbage collection pauses."""
    gc.disable()
    try:
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(calls):
                run(text)
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        gc.enable()


def growth(case: Case) -> tuple[float, int]:
    """How many times longer the 8n input takes than the n one, and n."""
    n, calls = 8, 1
    while len(case.make(n)) < case.min_chars:
        n *= 2
    seconds = _seconds(case.run, case.make(n), calls)
    while seconds < MIN_SECONDS:
        if len(case.make(n)) >= MAX_CHARS:  # fast at this size: repeat the calls instead
            calls = math.ceil(MIN_SECONDS / max(seconds, 1e-7))
            seconds = _seconds(case.run, case.make(n), calls)
            break
        doubled = _seconds(case.run, case.make(2 * n), calls)
        if doubled > 0.002 and doubled > 64 * seconds:
            return math.inf, 2 * n  # exploding: 8n might never finish
        n, seconds = 2 * n, doubled
    return _seconds(case.run, case.make(GROWTH * n), calls) / seconds, n


@pytest.mark.parametrize("name", CASES)
def test_time_grows_linearly_with_hostile_input(name: str) -> None:
    ratio, n = growth(CASES[name])
    if ratio > SLACK:  # measured again: other work on the machine can slow one timing down
        ratio, n = min((ratio, n), growth(CASES[name]))
    print(f"{name}: n={n} x{GROWTH} input -> x{ratio:.1f} time")
    assert ratio <= SLACK, f"{GROWTH}x the input took {ratio:.0f}x the time (n={n})"


# --- the same results as the patterns they replace -----------------------------------------
# On short text the old patterns are quick, so they stay here as the specification: for any
# text made of the characters that matter to each one, the linear code gives what they gave.

OLD = {
    "headings": re.compile(r"^(?:\s*#{1,6}\s.*\n?)+$"),
    "checkbox": re.compile(r"^\s*[-*]\s*\[[ xX]\].*$", re.MULTILINE),
    "image": re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE),
    "link": re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"),
    "bold": re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    "co-author": re.compile(
        r"^co-authored-by:\s*(.*?)\s*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>\s*$", re.IGNORECASE
    ),
    "pr number": re.compile(r"\s*\(#\d+\)\s*$"),
    "squash": re.compile(r"^(?P<subject>.*?\S)(?: \(#\d+\))* \(#(?P<pr>\d+)\)$"),
    "bot": re.compile(
        r"^\W*(?:bump\s.+\sfrom\s.+\sto\s|bump the\s.+\sgroup|\[pre-commit\.ci\]"
        r"|update dependency\s|(?:chore|build|fix|ci)\(deps(?:-dev)?\))|\[bot\]|\bdependabot\b"
        r"|\brenovate\b",
        re.IGNORECASE,
    ),
    "trailing": re.compile(r"[\s.,;:\u2026]+$"),
    "tag": re.compile(r"\s+\[[\w .-]{1,20}\]$"),
    "parenthetical": re.compile(r"\s+\([^()`]*\)"),
}


def texts(*parts: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(parts), max_size=16).map("".join)


@given(texts("#", "##", "#######", " ", "\t", "\n", "\r", "a", "\u2028"))
def test_headings_only_as_the_pattern(text: str) -> None:
    assert prompt._headings_only(text) == bool(OLD["headings"].match(text))


@given(texts("-", "*", " ", "\t", "\n", "[", "]", "[ ]", "[x]", "X", "a", "\x0c"))
def test_checkboxes_dropped_as_the_pattern(text: str) -> None:
    assert prompt._drop_checkboxes(text) == OLD["checkbox"].sub("", text)


@given(texts("!", "[", "]", "(", ")", "![", "<img", "<IMG", "<im", ">", " ", "a", "\n"))
def test_images_stripped_as_the_pattern(text: str) -> None:
    assert markdown.strip_images(text, html=True) == OLD["image"].sub("", text)


@given(texts("[", "]", "(", ")", "](", "http://", "https://", "htt", " ", "a", "\n"))
def test_links_as_the_pattern(text: str) -> None:
    assert markdown.plain_links(text) == OLD["link"].sub(r"\1 (\2)", text)


@given(texts("**", "__", "*", "_", "***", " ", "a", "\n"))
def test_bold_as_the_pattern(text: str) -> None:
    assert markdown.unbold(text) == OLD["bold"].sub(r"\2", text)


@given(texts("Co-authored-by:", " ", "\t", "\n", "<", ">", "@", ".", "a", "b"))
def test_co_authors_as_the_pattern(text: str) -> None:
    old = OLD["co-author"].match(text)
    label = re.match("co-authored-by:", text, re.IGNORECASE)
    new = body._name_email(text, label.end(), body._TRAILER_EMAIL) if label else None
    assert new == (old.groups() if old else None)


@given(texts("(#", "(", "#", ")", "1", "23", "\u0663", " ", "\t", "\n", "a", " (#1)"))
def test_pr_number_suffix_as_the_patterns(text: str) -> None:
    assert style.strip_pr_number(text) == OLD["pr number"].sub("", text).strip()
    assert metrics.strip_pr_number(text) == OLD["pr number"].sub("", text)
    assert style.has_pr_number(text) == bool(OLD["pr number"].search(text))
    old = OLD["squash"].match(text)
    assert _squash_suffix(text) == ((old["subject"], int(old["pr"])) if old else None)


@given(texts("bump", "bump ", " from ", "from", " to ", "to", "FROM", " ", "\n", "a", "-"))
def test_bot_subjects_as_the_pattern(text: str) -> None:
    assert style.is_bot_subject(text) == bool(OLD["bot"].search(text))


@given(texts(" ", "\n", ".", ",", ":", "\u2026", "[", "]", "[a]", "(", ")", "`", "a", "-"))
def test_subject_patterns_as_before(text: str) -> None:
    for name, new in (
        ("trailing", subject._TRAILING),
        ("tag", subject._TAG),
        ("parenthetical", subject._PARENTHETICAL),
    ):
        assert new.sub("", text) == OLD[name].sub("", text), name


# --- the cleaner of everything the comment and the job summary show ---------------------------
# Joiners, selectors and tags are judged by their neighbours: runs of them, and flags followed
# by near-miss tag sequences, must never make it look further than a few characters.

CLEAN_INPUTS = {
    "joiner runs between emoji": _times("\u200d", "\U0001f468", "\U0001f4bb"),
    "emoji sequences": _times("\U0001f468\u200d\U0001f4bb\ufe0f"),
    "joiners between arabic letters": _times("\u0628\u200c"),
    "joiner runs in arabic": _times("\u200c", "\u0628", "\u0628"),
    "joiners after a virama": _times("\u0915\u094d\u200d"),
    "selector runs": _times("\ufe0f", "\u2728"),
    "ideographic selectors": _times("\u845b\U000e0100\U000e0101"),
    "flags with unclosed tags": _times("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e"),
    "tag runs after a flag": _times("\U000e0067", "\U0001f3f4", "\U000e007f"),
    "subdivision flags": _times("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e007f"),
    "mixed hidden characters": _times("\u202e\u200b\u3164\ue000\u2800\U000e0041a"),
    "lone surrogates": _times("\ud800a"),
    "line separators": _times("\r\n\u2028\x85\r"),
}


@pytest.mark.parametrize("name", CLEAN_INPUTS)
def test_the_comment_cleaner_grows_linearly(name: str) -> None:
    from commit_polish.action.visible import clean

    case = Case(clean, CLEAN_INPUTS[name])
    ratio, n = growth(case)
    if ratio > SLACK:  # measured again: other work on the machine can slow one timing down
        ratio, n = min((ratio, n), growth(case))
    print(f"clean: {name}: n={n} x{GROWTH} input -> x{ratio:.1f} time")
    assert ratio <= SLACK, f"{GROWTH}x the input took {ratio:.0f}x the time (n={n})"

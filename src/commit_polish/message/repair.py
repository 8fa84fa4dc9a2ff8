"""Clean, judge and repair a model's answer into a commit message; pure.

Small local models wrap subjects in backticks, add "Here is the commit message:", explain
their answer, dump code, loop, or copy a history subject. `unusable_reason` says when an
answer is beyond repair (the LLM stage then tries the next model); `repair` fixes the rest;
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Sequence

from commit_polish.message.body import (
    allowed,
    co_author_trailers,
    drop_unfinished,
    is_meta,
    is_trailer,
    looks_like_code,
    paragraphs,
    split_trailers,
    tidy_body,
    wrap,
)
from commit_polish.message.style import (
    Style,
    analyse_history,
    strip_pr_number,
)
from commit_polish.message.subject import fix_subject, tidy
from commit_polish.records import CommitMessage

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")
# `Squash:` alone is the instructions' "squash-commit" leaking into the answer as a label;
# it is stripped only as a label (with its colon): "Squash the migrations" is a subject.
_LABELS = (
    r"(?:(?:suggested |proposed |final )?(?:squash[- ]?)?commit(?: message| title)?"
    r"|squash(?:ed)?|subject(?: line)?|title)"
)
# A line that only introduces the answer; "OK button ..." or "Here-docs ..." are subjects.
# `[\s*_]*(?::[\s*_]*)?` is `[\s*_]*:?[\s*_]*` written so that a run of spaces is not split
# between two repeats in every way before a `$` that is not there (quadratic time).
_PREAMBLE = re.compile(
    rf"^[\s*_#>]*(?:(?:sure|certainly|of course)[\s,!.].*|ok(?:ay)?[,!.].*"
    rf"|here(?:'s| is| are)\b.*(?::|\b(?:message|commit|subject)\b.*)"
    rf"|{_LABELS}[\s*_]*(?::[\s*_]*)?)$",
    re.IGNORECASE,
)
_INLINE_LABEL = re.compile(rf"^[\s*_#>]*{_LABELS}[\s*_]*:[\s*_]*(?=\S)", re.IGNORECASE)


def clean(text: str) -> str:
    """The answer without thinking, fences, preambles, wrappers and trailing explanations.

    Returns `subject` or `subject\\n\\nbody`; "" when nothing is left.
    """
    text = _THINK.sub("", text)
    if "</think>" in text.lower():  # the template opened the thinking block for the model
        text = text[text.lower().rindex("</think>") + len("</think>") :]
    lines = text.strip("\n").splitlines()
    first = 0
    while first < len(lines) and (not lines[first].strip() or _PREAMBLE.match(lines[first])):
        first += 1
    lines = lines[first:]
    if lines and _FENCE.match(lines[0]):  # the whole answer fenced: keep the fence's content
        closing = next((i for i, ln in enumerate(lines[1:], 1) if _FENCE.match(ln)), len(lines))
        lines = lines[1:closing]
    kept: list[str] = []
    explaining = False
    for paragraph in paragraphs(textwrap.dedent("\n".join(lines))):
        # Once the model explains its answer, only trailers are still worth keeping.
        explaining = explaining or (bool(kept) and is_meta(paragraph))
        if not explaining or all(map(is_trailer, paragraph.splitlines())):
            kept.append(paragraph)
    if not kept or is_meta(kept[0]):
        return ""
    head, _, rest = kept[0].partition("\n")
    subject = tidy(_INLINE_LABEL.sub("", head))
    body = "\n\n".join([rest.strip("\n"), *kept[1:]] if rest.strip() else kept[1:])
    return f"{subject}\n\n{body}" if subject and body else subject


def unusable_reason(
    text: str, history: Sequence[str] = (), language: str = "English"
) -> str | None:
    """Why the answer cannot be used as a commit message; None when it can."""
    if not text.strip():
        return "empty answer"
    cleaned = clean(text)
    if not cleaned:
        return "no commit subject in the answer"
    subject = cleaned.partition("\n")[0]
    lines = [line for line in cleaned.splitlines() if line.strip()]
    code = sum(looks_like_code(line) or line.startswith(("    ", "\t")) for line in lines)
    if looks_like_code(subject) or (len(lines) >= 3 and code * 2 >= len(lines)):
        return f"code or a diff instead of a message ({code} of {len(lines)} lines)"
    prose = [line.strip() for line in lines if not is_trailer(line)]
    line, count = Counter(prose).most_common(1)[0] if prose else ("", 0)
    if count >= 3 and count * 3 >= len(lines):
        return f"a degenerate loop: the line {line[:60]!r} appears {count} times"
    loop = _repeated_phrase(re.findall(r"\w+", cleaned.lower()))
    if loop:
        return f"a degenerate loop: {loop!r} repeats"
    copied = copied_reason(subject, history)
    if copied is not None:
        return copied
    letters = sum(c.isalpha() for c in subject)
    if letters < 3 or letters * 2 < len(subject.replace(" ", "")):
        return f"the subject is mostly symbols or numbers: {subject[:60]!r}"
    return _wrong_script(subject, language)


# The scripts each language is written in, by the first word of Unicode's character names.
# Only the subject's script is judged: a small model that drifts into Chinese is caught, while
# French asked and Spanish answered is not, and a body may quote text in any script (a
# translation's strings). Languages not listed here are not judged at all.
_LATIN = frozenset({"LATIN"})
_LATIN_LANGUAGES = (
    "english french german spanish portuguese italian dutch polish czech swedish danish "
    "norwegian finnish turkish indonesian vietnamese romanian hungarian"
)
_SCRIPTS = {
    **dict.fromkeys(_LATIN_LANGUAGES.split(), _LATIN),
    **dict.fromkeys(("russian", "ukrainian", "bulgarian", "serbian"), frozenset({"CYRILLIC"})),
    "chinese": frozenset({"CJK"}),
    "japanese": frozenset({"CJK", "HIRAGANA", "KATAKANA"}),
    "korean": frozenset({"HANGUL"}),
    "greek": frozenset({"GREEK"}),
    "arabic": frozenset({"ARABIC"}),
    "hebrew": frozenset({"HEBREW"}),
}


def _wrong_script(text: str, language: str) -> str | None:
    """The answer is mostly written in another script than `language` uses. Code names in a
    message are Latin whatever the language, so a non-Latin language is judged only by
    whether its script appears at all."""
    words = language.strip().lower().split()
    expected = _SCRIPTS.get(words[0]) if words else None
    if expected is None:
        return None
    scripts = Counter(_script(c) for c in text if c.isalpha())
    letters = sum(scripts.values())
    mine = sum(scripts[name] for name in expected)
    if letters < 3 or (mine * 2 >= letters if expected == _LATIN else mine > 0):
        return None
    other = next(name for name, _ in scripts.most_common() if name not in expected)
    return f"written in {other if other == 'CJK' else other.title()} script, not {language}"


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def copied_reason(subject: str, history: Sequence[str]) -> str | None:
    """Why a subject is unusable when it is one of the recent commits' subjects, else None."""
    key = _key(subject)
    copied = next((h for h in history if _key(strip_pr_number(h)) == key), None)
    if copied is None:
        return None
    return f"the subject copies a recent commit: {strip_pr_number(copied)!r}"


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _repeated_phrase(words: list[str]) -> str | None:
    """A phrase of 1-4 words said five times in a row: a model stuck in a loop."""
    for size in range(1, 5):
        run = 0
        for i in range(size, len(words)):
            run = run + 1 if words[i] == words[i - size] else 0
            if run >= 4 * size:
                return " ".join(words[i - size + 1 : i + 1])
    return None


def repair(
    text: str,
    *,
    style: Style | None,
    history: Sequence[str] = (),
    co_authors: Sequence[str] = (),
    width: int = 72,
    allowed_trailers: Sequence[str] = (),
    cut_short: bool = False,
) -> CommitMessage:
    """The answer as a commit message in the repository's style.

    `cut_short` says the model stopped at its token limit: the body then ends at its last
    finished sentence.

    `co_authors` are `Name <email>` entries; the model's own well-formed `Co-authored-by`
    lines are kept too, one per email. Other `*-by:` trailers the model wrote (Signed-off-by,
    Reviewed-by...) are identity claims it cannot make: they are kept only when they repeat
    one of `allowed_trailers` (for example the trailers of the PR's own commits).
    Raises ValueError for an answer with no subject: check `unusable_reason` first.
    """
    cleaned = clean(text)
    if not cleaned:
        raise ValueError("the answer has no commit subject; check unusable_reason() first")
    head, _, rest = cleaned.partition("\n")
    body, written, others = split_trailers(rest)
    repo = analyse_history(history)
    subject = fix_subject(head, style=style, repo=repo, width=width, agree=True)
    body = tidy_body(body, (head, subject))
    return CommitMessage(
        subject=subject,
        body=wrap(drop_unfinished(body) if cut_short else body, width),
        trailers=(*co_author_trailers(co_authors, written), *allowed(others, allowed_trailers)),
    )

"""Clean, judge and repair a model's answer into a commit message; pure.

Small local models wrap subjects in backticks, add "Here is the commit message:", explain
their answer, dump code, loop, or copy a history subject. `unusable_reason` says when an
answer is beyond repair (the LLM stage then tries the next model); `repair` fixes the rest;
`fallback_message` is the deterministic message used when every model failed.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Sequence

from commit_polish.body import (
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
from commit_polish.records import ChangeContext, CommitMessage, FileChange, FileKind, FileStatus
from commit_polish.style import (
    RepoStyle,
    Style,
    analyse_history,
    detect_style,
    infer_type,
    strip_pr_number,
)
from commit_polish.subject import fix_subject, tidy

__all__ = [
    "RepoStyle",
    "Style",
    "analyse_history",
    "clean",
    "copied_reason",
    "detect_style",
    "fallback_message",
    "repair",
    "unusable_reason",
]

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")
_LABELS = (
    r"(?:(?:suggested |proposed |final )?(?:squash[- ]?)?commit(?: message| title)?"
    r"|subject(?: line)?|title)"
)
# A line that only introduces the answer; "OK button ..." or "Here-docs ..." are subjects.
_PREAMBLE = re.compile(
    rf"^[\s*_#>]*(?:(?:sure|certainly|of course)[\s,!.].*|ok(?:ay)?[,!.].*"
    rf"|here(?:'s| is| are)\b.*(?::|\b(?:message|commit|subject)\b.*)"
    rf"|{_LABELS}[\s*_]*:?[\s*_]*)$",
    re.IGNORECASE,
)
_INLINE_LABEL = re.compile(rf"^[\s*_#>]*{_LABELS}[\s*_]*:[\s*_]*(?=\S)", re.IGNORECASE)
_WIP = re.compile(r"^\s*(?:\[(?:wip|draft)\]|(?:wip|draft)\s*:)\s*", re.IGNORECASE)
_SET_APART = frozenset({FileKind.LOCKFILE, FileKind.GENERATED, FileKind.VENDORED})


def clean(text: str) -> str:
    """The answer without thinking, fences, preambles, wrappers and trailing explanations.

    Returns `subject` or `subject\\n\\nbody`; "" when nothing is left.
    """
    text = _THINK.sub("", text)
    if "</think>" in text.lower():  # the template opened the thinking block for the model
        text = text[text.lower().rindex("</think>") + len("</think>") :]
    lines = text.strip("\n").splitlines()
    while lines and (not lines[0].strip() or _PREAMBLE.match(lines[0])):
        lines.pop(0)
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
    copied = next((h for h in history if _key(strip_pr_number(h)) == _key(subject)), None)
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
    subject = fix_subject(head, style=style, repo=analyse_history(history), width=width)
    body = tidy_body(body, (head, subject))
    return CommitMessage(
        subject=subject,
        body=wrap(drop_unfinished(body) if cut_short else body, width),
        trailers=(*co_author_trailers(co_authors, written), *allowed(others, allowed_trailers)),
    )


def fallback_message(
    files: Sequence[FileChange],
    context: ChangeContext,
    *,
    style: Style | None,
    width: int = 72,
) -> CommitMessage:
    """A deterministic message from the PR title (or the diff) and the list of files."""
    repo = analyse_history(context.history)
    title = _WIP.sub("", context.title).strip()
    if title:
        subject = fix_subject(title, style=style, repo=repo, width=width)
    else:
        summary = _diff_subject(files)
        hint = _kind_type(files) or infer_type(summary, default="chore")
        subject = fix_subject(summary, style=style, repo=repo, width=width, type_hint=hint)
    return CommitMessage(
        subject=subject,
        body=_file_list(files),
        trailers=co_author_trailers(context.co_authors, ()),
        from_model=False,
    )


def _relevant(files: Sequence[FileChange]) -> list[FileChange]:
    """Files a reader cares about, the most changed first; lockfiles and the like last."""
    return sorted(files, key=lambda f: (f.kind in _SET_APART, -(f.added + f.removed), f.path))


def _diff_subject(files: Sequence[FileChange]) -> str:
    main = [f for f in _relevant(files) if f.kind not in _SET_APART] or _relevant(files)
    if not main:
        return "Update files"
    first = main[0]
    name = posixpath.basename(first.path)
    if len(main) == 1:
        if first.status is FileStatus.RENAMED and first.old_path:
            return f"Rename {posixpath.basename(first.old_path)} to {name}"
        verbs = {FileStatus.ADDED: "Add", FileStatus.DELETED: "Remove"}
        return f"{verbs.get(first.status, 'Update')} {name}"
    statuses = {f.status for f in main}
    verb = {FileStatus.ADDED: "Add", FileStatus.DELETED: "Remove"}.get(statuses.pop(), "Update")
    verb = verb if not statuses else "Update"
    folder = posixpath.commonpath([posixpath.dirname(f.path) for f in main])
    if folder:
        return f"{verb} {len(main)} files in {folder}"
    others = len(main) - 1
    return f"{verb} {name} and {others} other file{'s' if others > 1 else ''}"


def _kind_type(files: Sequence[FileChange]) -> str | None:
    kinds = {f.kind for f in files}
    if kinds == {FileKind.DOCS}:
        return "docs"
    if kinds == {FileKind.TEST}:
        return "test"
    if kinds and kinds <= _SET_APART:
        return "chore"
    return None


def _file_list(files: Sequence[FileChange], shown: int = 5) -> str:
    lines = [f"- {_describe(f)}" for f in _relevant(files)[:shown]]
    if len(files) > shown:
        lines.append(f"- and {len(files) - shown} more files")
    return "\n".join(lines)


def _describe(change: FileChange) -> str:
    if change.kind is FileKind.BINARY:
        return f"{change.path} (binary, {change.status.value})"
    stats = " ".join(s for s in (f"+{change.added}", f"-{change.removed}") if s[1:] != "0")
    label = {FileStatus.ADDED: "new", FileStatus.DELETED: "deleted"}.get(change.status)
    if change.status is FileStatus.RENAMED and change.old_path:
        label = f"renamed from {change.old_path}"
    details = ", ".join(part for part in (label, stats) if part)
    return f"{change.path} ({details})" if details else change.path

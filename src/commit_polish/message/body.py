"""The body and trailers of a commit message: plain text, wrapped at 72, trailers last; pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from commit_polish.message.markdown import plain_links, strip_images, unbold

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# `\s*(?::\s*)?$`, not `\s*:?\s*$`: one way to match a run of spaces, not one per split of it.
_LABEL = re.compile(
    r"^(?:summary|changes|description|body|details|motivation|commit message|subject|why|what)"
    r"\s*(?::\s*)?$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(?:[-=*_]\s*){3,}$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BULLET = re.compile(r"^(\s*)([-*+\u2022]|\d{1,2}[.)])\s+")
# Identity trailers (Signed-off-by, Reviewed-by, ...): a model must not invent who did what.
_BY_TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*-by:\s+\S", re.IGNORECASE)
_CO_AUTHOR = re.compile(r"co-authored-by:", re.IGNORECASE)
# The address in `Name <address>`; a trailer's has a dot inside its domain. (The dot is the
# first one after the domain's first character: one way to split the domain, not one per dot.)
_EMAIL = re.compile(r"[^<>\s@]+@[^<>\s@]+")
_TRAILER_EMAIL = re.compile(r"[^<>\s@]+@[^<>\s@][^<>\s@.]*\.[^<>\s@]+")
# Placeholders a model invents when it has no real address to copy.
_PLACEHOLDER_EMAIL = re.compile(r"@(?:example\.(?:com|org|net)|email\.com|domain\.com)$", re.I)
_CODE_START = re.compile(
    r"^(?:diff --git |index [0-9a-f]{7,}|@@ |\+\+\+ |--- [ab/]|#include|package \w+$|[{}()\];,]+$"
    r"|def \w+\(|func (?:\([^)]*\) )?\w+\(|class \w+[:({]|fn \w+|pub (?:fn|struct|enum|mod) "
    r"|import (?:[\w.]+$|[\w.]+ as |[({\"'*]|\w+ from )|from [\w.]+ import "
    r"|(?:const|let|var)\s+\w+(?:\s*:\s*\S+)?\s*:?=|(?:public|private|protected)\s+\w+\s+\w+\s*\("
    r"|[\w.\[\]]+\s*[-+*/|]?=\s*\S|(?:if|elif|for|while|with|try|except|else)\b.*:$)"
)


def looks_like_code(line: str) -> bool:
    """True for diff lines and source lines: what a commit message should not be made of."""
    stripped = line.strip()
    if not stripped:
        return False
    if re.match(r"^[+-](?:\S|\s{2,}|\t)", line) and not re.match(r"^[-+]{1,2}\s*$", line):
        return True  # a diff line; a bullet is "- " followed by a single space
    if _CODE_START.match(stripped):
        return True
    punctuation = sum(stripped.count(c) for c in "{}();=<>[]")
    return stripped.endswith((";", "{", "};")) or punctuation > max(4, len(stripped) // 5)


def is_trailer(line: str) -> bool:
    """A `Co-authored-by:`, `Signed-off-by:` ... line."""
    return bool(_BY_TRAILER.match(line.strip()))


def is_meta(paragraph: str) -> bool:
    """A paragraph in which the model talks about its answer instead of the change."""
    return bool(
        re.match(
            r"\s*(?:this (?:commit )?message\b|the (?:above |commit )?message\b|the subject\b"
            r"|this follows\b|explanation\s*:|notes?\s*:\s*(?:this|the) (?:commit |above )?message"
            r"|here(?: is|'s)\b|feel free\b"
            r"|let me know\b|i hope\b|i have (?:written|provided|followed)\b)",
            paragraph,
            re.IGNORECASE,
        )
    )


def paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def _unfence(text: str) -> str:
    """Code fences become an indented block: git's own way to show code in a message."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if _FENCE.match(line):
            inside = not inside
        else:
            out.append("    " + line if inside and line.strip() else line)
    return "\n".join(out)


def _plain_line(line: str) -> str | None:
    """A Markdown line as plain text; None for a line that carries nothing."""
    if _SEPARATOR.match(line):
        return None
    if _HEADING.match(line):
        line = _HEADING.sub("", line)
        if _LABEL.match(line.strip()):
            return None
    elif _LABEL.match(line.strip()):
        return None
    line = unbold(plain_links(strip_images(line)))
    line = re.sub(r"^(\s*)\u2022\s+", r"\1- ", line)
    line = re.sub(r"^(body|description)\s*:\s+", "", line, flags=re.IGNORECASE)
    return line.rstrip()


def tidy_body(body: str, echoes: Sequence[str] = ()) -> str:
    """Plain text: no Markdown markers or HTML comments, no echo of the subject."""
    body = _HTML_COMMENT.sub("", _unfence(body))
    echo = {_key(text) for text in echoes}
    kept: list[str] = []
    for paragraph in paragraphs(body):
        lines = [_plain_line(line) for line in paragraph.splitlines()]
        # A body line that only repeats the subject adds nothing (small models do it often);
        # one emptied by the cleaning (a screenshot) would open the body with a blank line.
        text = "\n".join(
            line
            for line in lines
            if line is not None and line.strip() and _key(_BULLET.sub("", line)) not in echo
        )
        if text.strip():
            kept.append(text)
    return "\n\n".join(kept)


def drop_unfinished(body: str) -> str:
    """A body cut off by max_tokens, ended at its last finished sentence or item.

    A paragraph that stops mid-sentence goes back to the last full stop in it, or goes
    altogether when it has none; a cut-off list item is dropped.
    """
    parts = paragraphs(body)
    while parts:
        last = parts[-1].rstrip()
        if last.endswith((".", "!", "?", ")", "`", '"')):
            break
        lines = last.splitlines()
        if len(lines) > 1 and _BULLET.match(lines[-1]):
            parts[-1] = "\n".join(lines[:-1])
            break
        stop = max(last.rfind(". "), last.rfind(".\n"))
        if stop > 0:
            parts[-1] = last[: stop + 1]
            break
        parts.pop()
    return "\n\n".join(parts)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def wrap(body: str, width: int = 72) -> str:
    """Reflow the paragraphs and bullets that have a line longer than `width`.

    Everything else keeps its line breaks, so a message that is already wrapped stays as
    written; code lines are never touched and a URL or path is never broken.
    """
    out: list[str] = []
    for item in _items(body):
        if len(item) == 1 and _is_code(item[0]) or all(len(line) <= width for line in item):
            out.extend(item)
            continue
        bullet = _BULLET.match(item[0])
        indent = item[0][: len(item[0]) - len(item[0].lstrip())]
        first = bullet.group(0) if bullet else indent
        hanging = " " * len(first) if bullet else first
        words = " ".join(line.strip() for line in [item[0][len(first) :], *item[1:]]).split()
        out.extend(_fill(words, width, first, hanging))
    return "\n".join(out)


def _is_code(line: str) -> bool:
    """Lines to keep exactly as written: code, link references (`[1]: url`), a lone URL."""
    return (
        line.startswith(("    ", "\t"))
        or looks_like_code(line)
        or bool(re.match(r"\s*(?:\[[^\]]+\]:\s+\S+|\S+)\s*$", line))
    )


def _items(body: str) -> list[list[str]]:
    """Lines grouped into prose paragraphs, bullet items (with their continuation lines),
    single code lines and single blank lines."""
    items: list[list[str]] = []
    joins = False  # whether the last item (by its first line) takes continuation lines
    for line in body.splitlines():
        blank = not line.strip()
        code = not blank and _is_code(line)
        if blank or code or _BULLET.match(line) or not joins:
            items.append([line])
            joins = not blank and not code
        else:
            items[-1].append(line)
    return items


def _fill(words: list[str], width: int, first: str, hanging: str) -> list[str]:
    """Greedy fill; a word too long for any line stays after a short start ("See <url>")."""
    lines: list[str] = []
    line, empty = first, True
    for word in words:
        fits = len(line) + 1 + len(word) <= width
        overlong = len(word) > width - len(hanging) and len(line) < width // 3
        if empty:
            line += word
        elif fits or overlong:
            line += " " + word
        else:
            lines.append(line)
            line = hanging + word
        empty = False
    lines.append(line)
    return lines


def split_trailers(body: str) -> tuple[str, list[str], list[str]]:
    """The body without identity trailers, the co-author lines, the other `*-by:` lines.

    They are looked for on every line: a model does not always put them last.
    """
    kept: list[str] = []
    co_authors: list[str] = []
    others: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith("co-authored-by:"):
            co_authors.append(stripped)
        elif is_trailer(stripped):
            others.append(stripped)
        else:
            kept.append(line)
    return "\n\n".join(paragraphs("\n".join(kept))), co_authors, others


def co_author_trailers(given: Iterable[str], written: Iterable[str]) -> tuple[str, ...]:
    """`Co-authored-by:` lines, the given ones first, one per email (case-insensitive).

    `given` holds `Name <email>` (or whole trailer lines); `written` holds the model's lines,
    kept only when well formed and not a placeholder address.
    """
    trailers: dict[str, str] = {}
    for entry in given:
        found = _name_email(re.sub(r"^co-authored-by:\s*", "", entry, flags=re.I), 0, _EMAIL)
        if found and found[0]:
            trailers.setdefault(found[1].casefold(), f"Co-authored-by: {found[0]} <{found[1]}>")
    for line in written:
        label = _CO_AUTHOR.match(line.strip())
        found = _name_email(line.strip(), label.end(), _TRAILER_EMAIL) if label else None
        if found and found[0] and not _PLACEHOLDER_EMAIL.search(found[1]):
            trailers.setdefault(found[1].casefold(), f"Co-authored-by: {found[0]} <{found[1]}>")
    return tuple(trailers.values())


def _name_email(text: str, start: int, email: re.Pattern[str]) -> tuple[str, str] | None:
    r"""`(name, address)` of `Name <address>` from `start` to the end of `text`.

    What `\s*(.*?)\s*<(address)>\s*$` found, in linear time: that pattern tried every split of
    the spaces before `<` between `(.*?)` and `\s*`. The address holds no `<`, so its `<` is
    the last one; the name may hold anything but a newline (`Ann <ann> <a@b.c>` names `Ann <ann>`).
    """
    end = len(text.rstrip()) - 1
    if end < 0 or text[end] != ">":
        return None
    opening = text.rfind("<", start, end)
    if opening < 0 or not email.fullmatch(text, opening + 1, end):
        return None
    name = text[start:opening].strip()
    return None if "\n" in name else (name, text[opening + 1 : end])


def allowed(trailers: Iterable[str], permitted: Sequence[str]) -> list[str]:
    """The model's non-co-author trailers that repeat one of the `permitted` ones."""
    known = {" ".join(t.split()).casefold() for t in permitted}
    return [t for t in trailers if " ".join(t.split()).casefold() in known]

"""Mask the secrets in a diff's lines, and count them, before anything else reads the lines.

A pull request can carry a secret in its diff: a committed `.env`, a key in a test fixture, a
private key file. The prompt may go to a cloud model and the comment is public, so parse.py
masks each hunk here as it builds the records: nothing downstream (the digest, the prompt, the
fallback message, the comment) ever sees a secret, only PLACEHOLDER. Three kinds are found:

- a token of a known format, by a prefix ordinary text never has (AWS, GitHub, OpenAI and
  Anthropic, Slack, Google, Stripe, GitLab, npm, Hugging Face and SendGrid keys, JSON web
  tokens), and the password in a URL (`scheme://user:password@host`);
- a private key block (PEM): every line between its BEGIN and END lines;
- a long, random-looking value assigned to a name that says secret (`API_KEY=...`,
  `"password": "..."`, `secret: ...`, `token = '...'`); secret_values.py judges the value.

Shas, digests, UUIDs, lockfile hashes, image data, identifiers and URLs are not secrets: the
diff is full of them. Each pattern here runs in time linear in its input: a token starts only
at a word boundary, no quantifier is nested or next to an overlapping one, a value ends at
whitespace, a quote or a delimiter, and a value that is not masked is read only to a fixed
length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from commit_polish.digest.secret_values import MIN_ENTROPY, entropy, looks_secret, reads_as_words
from commit_polish.records import ChangeContext

__all__ = [
    "MIN_ENTROPY",
    "MIN_LENGTH",
    "PLACEHOLDER",
    "entropy",
    "mask",
    "mask_context",
    "mask_hunk",
]

PLACEHOLDER = "[secret masked]"
"""What a secret becomes. Brackets and a space: no pattern here matches it again."""
MIN_LENGTH = 20
"""Characters an assigned value needs before its entropy tells anything: shorter random
strings vary too much, and a 20-character key already has about 119 bits."""
_MAX_VALUE = 256
"""A value is judged on at most this many characters; a longer secret is masked whole."""

_WORD_CHARS = "A-Za-z0-9_-"
# prefix -> what follows it. Only prefixes no ordinary word starts with; the token must
# start and end at a word boundary (not inside `task-...` or a longer name).
_FORMATS: dict[str, str] = {
    "AKIA": "[0-9A-Z]{16}",  # AWS access key id
    "ASIA": "[0-9A-Z]{16}",  # AWS temporary access key id
    **{f"gh{kind}_": "[A-Za-z0-9]{36,251}" for kind in "pousr"},  # GitHub tokens
    "github_pat_": "[A-Za-z0-9_]{22,255}",  # GitHub fine-grained token
    # OpenAI (`sk-`, `sk-proj-`) and Anthropic (`sk-ant-`): a digit and a capital tell them
    # from kebab-case names (`sk-learn-...`, `sk-kogptv2-...`).
    "sk-": "(?=[A-Za-z_-]*[0-9])(?=[a-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}",
    **{f"xox{kind}-": "[A-Za-z0-9-]{10,}" for kind in "abprs"},  # Slack tokens
    "AIza": "[A-Za-z0-9_-]{35}",  # Google API key
    "sk_live_": "[A-Za-z0-9]{20,}",  # Stripe secret key
    "rk_live_": "[A-Za-z0-9]{20,}",  # Stripe restricted key
    "glpat-": "[A-Za-z0-9_-]{20,}",  # GitLab personal access token
    "npm_": "[A-Za-z0-9]{36}",  # npm access token
    "hf_": "[A-Za-z0-9]{34}",  # Hugging Face token
    "SG.": r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",  # SendGrid key
    "eyJ": r"[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",  # JSON web token
}
_KNOWN = re.compile(
    f"(?<![{_WORD_CHARS}])(?:"
    + "|".join(re.escape(prefix) + rest for prefix, rest in _FORMATS.items())
    + f")(?![{_WORD_CHARS}])"
)
# The password of `scheme://user:password@`; each part stops at the next `/`, so a scan
# never runs into the next URL.
MIN_URL_PASSWORD = 8
"""Shorter passwords in URLs are examples (`a:b@c`, `u:p@host`) far more often than keys."""
_URL_PASSWORD = re.compile(r"(?<=://)[^\s/:@\"'`]{1,256}:([^\s/@\"'`]{1,256})@")
_PEM = re.compile(r"-----(BEGIN|END)[A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,8}-----")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
_KEY_LINE = 16
"""Base64 characters on one line of a block's body that make it key material: code between
a BEGIN and an END constant, or a `...` placeholder, has no such line."""
_QUOTING = " \t\"'`+,;\\"  # what wraps a key's line in code: `"MIIE...\n" +`
# Names that say the value is a secret. `auth` is in `authorization`, not in `author`; `pass`
# alone would be `bypass`, `passthrough`, `compass`.
_HINTS = ("secret", "token", "passw", "passphrase", "pwd", "key", "auth", "credential",
          "private", "session", "cookie", "salt")  # fmt: skip
_VALUE = r"[^\s\"'`,;&<>()\[\]{}=]"  # `=` ends a value too: the next assignment starts
# From the hint word to the value; the value is looked at, not consumed, so that a name
# inside a value that is not masked (`url=https://h/?token=...`) is still found.
_ASSIGNED = re.compile(
    "(?i:" + "|".join("auth(?!or(?!i[sz]))" if h == "auth" else h for h in _HINTS) + ")"
    r"[A-Za-z0-9_.-]{0,40}[\"'`]?\]?[ \t]*(?::=|=>|=(?!=)|:(?!:))[ \t]*"
    r"(?:(?:[Bb]earer|[Bb]asic|[Tt]oken)[ \t]+)?[\"'`]?"
    f"(?=({_VALUE}{{{MIN_LENGTH},{_MAX_VALUE}}}))"
)
_REST_OF_VALUE = re.compile(f"{_VALUE}*={{0,2}}")  # past _MAX_VALUE, and base64 padding


def mask(text: str) -> tuple[str, int]:
    """`text` (one line or many) with each secret replaced by PLACEHOLDER, and how many."""
    total = 0
    for step in (_private_keys, _known, _url_passwords, _assigned):
        text, found = step(text)
        total += found
    return text, total


def mask_context(context: ChangeContext) -> tuple[ChangeContext, int]:
    """The PR's title, description and commit messages masked like the diff, and how many
    secrets were: the author's words reach the prompt and, kept, the comment."""
    title, in_title = mask(context.title)
    description, in_description = mask(context.description)
    commits = [mask(message) for message in context.commit_messages]
    found = in_title + in_description + sum(count for _, count in commits)
    if not found:
        return context, 0
    messages = tuple(message for message, _ in commits)
    return replace(context, title=title, description=description, commit_messages=messages), found


def mask_hunk(header: str, lines: Sequence[str]) -> tuple[str, tuple[str, ...], int]:
    """A hunk's `@@` header and lines (each with its ' ', '+', '-' or '\\' prefix) masked as
    one text, so that a private key across lines is found; prefixes and line count are kept.

    The header's section is masked too: git fills it with the nearest line above the hunk
    that starts with a letter, which in a `.env` file is an assignment."""
    end = header.find("@@", 2)
    head, section = (header, "") if end < 0 else (header[: end + 2], header[end + 2 :])
    masked, found = mask("\n".join([section, *(line[1:] for line in lines)]))
    if not found:
        return header, tuple(lines), 0
    section, *rest = masked.split("\n")
    return head + section, tuple(old[:1] + new for old, new in zip(lines, rest, strict=True)), found


def _known(text: str) -> tuple[str, int]:
    # A plain substring test first: most hunks hold no prefix, and then no pattern runs.
    if not any(prefix in text for prefix in _FORMATS):
        return text, 0
    return _KNOWN.subn(PLACEHOLDER, text)


def _url_passwords(text: str) -> tuple[str, int]:
    if "://" not in text:
        return text, 0
    found = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        if match[1].startswith(("$", "%", "{", "<", "*")):  # a template, not a password
            return match[0]
        # Tests and docs are full of `user:pass@host` and `password123`: words are examples.
        if len(match[1]) < MIN_URL_PASSWORD or reads_as_words(match[1]):
            return match[0]
        found += 1
        return match[0][: match.start(1) - match.start()] + PLACEHOLDER + "@"

    return _URL_PASSWORD.sub(replace, text), found


def _assigned(text: str) -> tuple[str, int]:
    lowered = text.lower()
    starts = sorted({i for hint in _HINTS for i in _occurrences(lowered, hint)})
    if not starts:
        return text, 0
    # The pattern is tried only where a hint word is (str.find is many times faster than a
    # search), unless lowering moved the positions (a few letters lower to two).
    aligned = len(lowered) == len(text)
    matches = (_ASSIGNED.match(text, i) for i in starts) if aligned else _ASSIGNED.finditer(text)
    out: list[str] = []
    at = found = 0
    for match in matches:
        if match is None or match.end() < at or not looks_secret(match[1]):
            continue  # no assignment, inside a value masked already, or not a secret
        start = match.end()
        rest = _REST_OF_VALUE.match(text, start + len(match[1]))
        end = rest.end() if rest else start + len(match[1])
        out += (text[at:start], PLACEHOLDER)
        at = end
        found += 1
    out.append(text[at:])
    return "".join(out), found


def _occurrences(text: str, word: str) -> list[int]:
    found = []
    at = text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _private_keys(text: str) -> tuple[str, int]:
    """The body of each private key block masked, line by line; the BEGIN and END lines stay,
    they say what the file is. A hunk can start or end inside a block: then the base64 lines
    before its END, or after its BEGIN, are the body."""
    if "PRIVATE KEY" not in text:
        return text, 0
    out: list[str] = []
    at = found = 0
    opened: int | None = None  # where the open block's body starts
    for marker in _PEM.finditer(text):
        if marker[1] == "BEGIN":
            opened = marker.end() if opened is None else opened
            continue
        start = _key_lines_start(text, at, marker.start()) if opened is None else opened
        body, masked = _masked_body(text[start : marker.start()])
        out += (text[at:start], body)
        at, opened, found = marker.start(), None, found + masked
    if opened is not None:
        end = _key_lines_end(text, opened)
        body, masked = _masked_body(text[opened:end])
        out += (text[at:opened], body)
        at, found = end, found + masked
    out.append(text[at:])
    return "".join(out), found


def _key_lines_start(text: str, low: int, end: int) -> int:
    """Where the unbroken run of base64 lines that ends at `end` starts (not before `low`);
    the END line's own text before the marker may be empty."""
    lines = text[low:end].split("\n")
    start = end - len(lines[-1])
    if _key_text(lines[-1]) and not _is_base64(lines[-1]):
        return end
    for line in reversed(lines[:-1]):
        if not _is_base64(line):  # a blank line ends the run too
            break
        start -= len(line) + 1
    return start


def _key_lines_end(text: str, start: int) -> int:
    """Where the run of base64 lines after a BEGIN ends; `start` is just after the marker."""
    end = text.find("\n", start)
    if end < 0:
        return len(text) if _is_base64(text[start:]) else start
    if _key_text(text[start:end]) and not _is_base64(text[start:end]):
        return start  # the BEGIN line goes on with something else, such as code
    while end < len(text):
        following = text.find("\n", end + 1)
        following = len(text) if following < 0 else following
        if not _is_base64(text[end + 1 : following]):
            break
        end = following
    return end


def _masked_body(body: str) -> tuple[str, int]:
    """`body` with each line that holds a letter or digit made PLACEHOLDER (its indent kept),
    and 1; or unchanged and 0 when no line of it is key material."""
    lines = body.split("\n")
    if not any(len(_key_text(line)) >= _KEY_LINE and _is_base64(line) for line in lines):
        return body, 0
    for i, line in enumerate(lines):
        if any(c.isalnum() for c in line):
            lines[i] = line[: len(line) - len(line.lstrip())] + PLACEHOLDER
    return "\n".join(lines), 1


def _key_text(line: str) -> str:
    """A line of a key's body without what quotes it in code (`"MIIE...\\n" +`)."""
    return line.replace("\\n", "").strip(_QUOTING)


def _is_base64(line: str) -> bool:
    return _BASE64_LINE.fullmatch(_key_text(line)) is not None

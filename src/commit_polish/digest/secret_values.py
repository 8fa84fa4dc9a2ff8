"""Judge a value by its characters alone: is it a secret (`looks_secret`), or does it read
as words (`reads_as_words`)? secrets.py masks by these judgements the values assigned to a
name that says secret, and the passwords in URLs."""

from __future__ import annotations

import math
import re
from collections import Counter

MIN_ENTROPY = 3.5
"""Bits per character (Shannon, over the value's own characters). Random keys of 20+
characters over letters and digits reach it about 97 to 99.9% of the time; placeholders
(`xxxx...`, `changeme`), numbers (at most log2(10) = 3.3) and repeated text do not. Secret
scanners that pair a name with entropy (gitleaks' generic rule) use the same 3.5 to 3.7."""
WORD_PIECE = 3.5
"""Average length, in a run of letters and digits, of the pieces between case and digit
changes at which it reads as words (with WORD_VOWELS): `OAuth2PasswordRequestForm` (4.4)
does, a random key (1.6 to 2.5) does not."""
WORD_VOWELS = 0.25
"""Share of vowels among a run's letters at which it reads as words (English about 0.4,
random letters 0.2). With the other rules of `looks_secret`: of 66,500 names of 20+
characters and entropy >= MIN_ENTROPY in six installed packages, 99.5% are not taken for
secrets (most of the rest are random tokens); of random 20-40 character keys, 0.2% of
mixed-case ones and 3 to 8% of one-case-and-digit ones are missed."""
_MAX_WORD = 20
"""The longest piece of a snake_case name: a longer one is a random tail (`dop_v1_<hex>`)."""
_DIGEST = re.compile(r"(?:sha\d{1,3}|md5|h1)[-:]", re.IGNORECASE)  # sha512-..., sha256:...
_HEX = re.compile(r"[0-9a-fA-F-]+")  # shas, digests, UUIDs
_PART = re.compile("[A-Za-z0-9]+")
_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def entropy(text: str) -> float:
    """Shannon entropy of `text`'s characters, in bits per character."""
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values()) if size else 0.0


def looks_secret(value: str) -> bool:
    """A random-looking value, not a reference, digest, URL, path, code or words."""
    return not (
        value.startswith(("$", "%", "#", "*", "@"))  # a variable, template or comment
        or "://" in value  # a URL; its password is masked on its own
        # Code (`a ? b : c`, `a || b`, `a.b + c.d`), a query string or a path: base64 has
        # `+` and `/`, never `.`, `?` or `|`.
        or any(mark in value for mark in "?|")
        or ("." in value and ("/" in value or "+" in value))
        or ("." in value and all(p.isidentifier() for p in value.split(".")))  # a.b.c
        or _HEX.fullmatch(value) is not None
        or _DIGEST.match(value) is not None
        or entropy(value) < MIN_ENTROPY
        or reads_as_words(value)
    )


def reads_as_words(value: str) -> bool:
    """Names, not noise: each run of letters and digits is a word in one case
    (`user_api_key_obj`, `us-west-2`) or has pieces long and voweled enough for words
    (`OAuth2PasswordRequestForm`); see WORD_PIECE. A random key has neither."""
    parts = _PART.findall(value)
    return bool(parts) and all(_is_word(part, alone=len(parts) == 1) for part in parts)


def _is_word(part: str, *, alone: bool) -> bool:
    pieces = _PIECE.findall(part)
    # Between separators, a word is in one case or capitalized (`Key`), with at most one
    # number (`v2`, `k8s`, `sha256`); random letters and digits mix more (`6s4i1j1l8em`).
    numbers = len([piece for piece in pieces if piece.isdigit()])
    one_word = part.islower() or part.isupper() or len(pieces) - numbers <= 1
    if not alone and one_word and len(part) <= _MAX_WORD:
        return numbers <= 1
    letters = [c for c in part if c.isalpha()]
    vowels = sum(c in "aeiouyAEIOUY" for c in letters)
    return (
        bool(pieces)
        and sum(map(len, pieces)) >= WORD_PIECE * len(pieces)
        and vowels >= WORD_VOWELS * len(letters)
    )

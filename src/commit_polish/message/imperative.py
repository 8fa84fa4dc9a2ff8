"""The imperative of the verbs commit subjects start with: `Added x` -> `Add x`, from a
table of each verb's third person, past and `-ing` forms."""

from __future__ import annotations

import re


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_VERBS = _words(
    "add fix update remove delete improve refactor rename move change use make allow support "
    "handle implement introduce replace enable disable create bump upgrade downgrade drop clean "
    "simplify extend document correct prevent avoid ensure convert expose export return optimize "
    "revert release deprecate migrate adjust tweak reduce increase restore split pass check "
    "validate apply include exclude ignore skip show hide raise catch install configure resolve "
    "clarify rewrite format cache load parse read write build run call wrap register unify "
    "generate emit respect preserve keep limit accept reject require provide store detect set "
    "merge test log print modify reorganize standardize"
)
# "-ing" is left alone for verbs whose gerund is also a common noun ("Logging of x",
# "Caching layer", "Testing utilities"): changing those would change the meaning.
_GERUND_NOUNS = frozenset(
    _words(
        "log cache test build format parse load merge release document run read write install "
        "configure print check set pass call wrap store keep"
    )
)
_IRREGULAR = {
    "make": ("made",),
    "run": ("ran",),
    "write": ("wrote", "written"),
    "rewrite": ("rewrote", "rewritten"),
    "build": ("built",),
    "keep": ("kept",),
    "catch": ("caught",),
    "show": ("shown",),
    "hide": ("hid", "hidden"),
}
_DOUBLED = frozenset(_words("drop skip wrap log emit plan ship strip pin run set split"))
_SAME_PAST = frozenset(_words("set split read"))


def _forms(verb: str) -> set[str]:
    stem = verb + verb[-1] if verb in _DOUBLED else verb
    if verb.endswith(("s", "x", "z", "ch", "sh")):
        third = verb + "es"
    elif re.search(r"[^aeiou]y$", verb):
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    if verb in _SAME_PAST:
        past = verb
    elif verb.endswith("e"):
        past = verb + "d"
    elif re.search(r"[^aeiou]y$", verb):
        past = verb[:-1] + "ied"
    else:
        past = stem + "ed"
    forms = {third, past, *_IRREGULAR.get(verb, ())}
    if verb not in _GERUND_NOUNS:
        forms.add((verb[:-1] if verb.endswith("e") and not verb.endswith("ee") else stem) + "ing")
    forms.discard(verb)
    return forms


IMPERATIVE: dict[str, str] = {form: verb for verb in _VERBS for form in _forms(verb)}
"""Inflected form (lowercase) -> imperative, for the verbs commit subjects start with."""


def imperative(text: str) -> str:
    """`Added x` -> `Add x`, keeping the rest of the text and the first word's case."""
    match = re.match(r"([A-Za-z]+)\b", text)
    if match is None or match[1].lower() not in IMPERATIVE:
        return text
    verb = IMPERATIVE[match[1].lower()]
    if match[1][0].isupper():
        verb = verb.capitalize()
    return verb + text[match.end() :]

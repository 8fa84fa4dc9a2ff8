"""Text made fit to show a reviewer: valid Unicode, `\\n` line breaks, nothing invisible.

The comment and the job summary are read, not parsed, so what they show must be all there is.
Characters drawn as nothing (controls, format characters, private use, unassigned code points,
blank letters such as U+3164, variation selectors and tags out of place) could hide text or
make it read as something else; the bidi controls Trojan Source relies on always go. The few
invisible characters real text needs stay, once, where they belong to a valid sequence: a
presentation selector after an emoji (gitmoji subjects), ZWJ inside an emoji sequence, ZWJ and
ZWNJ between letters of the scripts that join (Arabic, Persian, Indic, ...), a variation
selector after a Han ideograph or a Mongolian letter, and the tags of a subdivision flag.
One pass with one character of look-behind and at most eight of look-ahead: linear time.
"""

from __future__ import annotations

import unicodedata

from commit_polish.action.workflow import valid_text

_ZWNJ, _ZWJ = "\u200c", "\u200d"
_TEXT_STYLE, _EMOJI_STYLE = "\ufe0e", "\ufe0f"
_BLACK_FLAG, _CANCEL_TAG = "\U0001f3f4", "\U000e007f"
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
_LINE_BREAKS = ("\r\n", "\r", "\x85", "\u2028", "\u2029")


def _chars(first: int, last: int) -> str:
    return "".join(map(chr, range(first, last + 1)))


_VARIATION = frozenset(_chars(0xFE00, 0xFE0F) + _chars(0xE0100, 0xE01EF))
_MONGOLIAN_VARIATION = frozenset("\u180b\u180c\u180d\u180f")
# Letters and marks that are not format characters yet are drawn as nothing: Unicode's
# default-ignorable ones (Hangul fillers, U+034F, Khmer inherent vowels) and the braille blank.
_BLANK = (
    frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
    | _VARIATION
    | _MONGOLIAN_VARIATION
)
_LETTER_TAGS = frozenset(_chars(0xE0061, 0xE007A))
_SUBDIVISION_TAGS = _LETTER_TAGS | frozenset(_chars(0xE0030, 0xE0039))
_CONTEXTUAL = _VARIATION | _MONGOLIAN_VARIATION | _SUBDIVISION_TAGS | {_ZWNJ, _ZWJ, _CANCEL_TAG}
# Emoji outside the category of other symbols: keycaps, a few punctuation marks, a letter,
# and math symbols (arrows, squares) that also have an emoji style.
_OTHER_EMOJI = frozenset(
    "#*0123456789\u203c\u2049\u2139\u3030\u303d\u2194\u2934\u2935\u25fb\u25fc\u25fd\u25fe"
)
_SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")
# Unicode keeps these blocks' free code points for future emoji: a newer emoji than this
# Python knows is still an emoji, not an unassigned character.
_EMOJI_BLOCKS = ("\U0001f000", "\U0001faff")
# Scripts whose letters join or form conjuncts, where ZWJ and ZWNJ change the spelling:
# Arabic (with Persian and Urdu), Syriac, Thaana, N'Ko, Indic, Myanmar, Khmer, Mongolian.
_JOINING = (
    ("\u0600", "\u08ff"),
    ("\u0900", "\u0dff"),
    ("\u1000", "\u109f"),
    ("\u1780", "\u18af"),
    ("\ua8e0", "\ua8ff"),
    ("\ufb50", "\ufdff"),
    ("\ufe70", "\ufefe"),
)
_HAN = (
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uf900", "\ufaff"),
    ("\U00020000", "\U0003ffff"),
)
_MONGOLIAN_LETTERS = ("\u1820", "\u18aa")
_VIRAMA = 9
"""The canonical combining class of a virama (halant)."""
_FLAG_TAGS = range(3, 7)
"""A subdivision flag's tags: a region's two letters and one to four letters or digits."""


def clean(text: str) -> str:
    """`text` as valid Unicode with `\\n` line breaks and no invisible characters outside
    the sequences they belong to; tabs stay, lone surrogates become `?`."""
    text = valid_text(text)
    for line_break in _LINE_BREAKS:
        text = text.replace(line_break, "\n")
    hidden = {c for c in set(text) if _hidden(c)}
    if not hidden:
        return text
    if hidden.isdisjoint(_CONTEXTUAL):
        return text.translate(dict.fromkeys(map(ord, hidden)))
    kept: list[str] = []
    before = ""  # the last character kept
    tags_end = 0  # the end of a valid flag's tag sequence
    for at, char in enumerate(text):
        if char in hidden and at >= tags_end:
            after = text[at + 1] if at + 1 < len(text) else ""
            if not _belongs(char, before, "" if after in hidden else after):
                continue
        if char == _BLACK_FLAG:
            tags_end = _flag_end(text, at)
        kept.append(char)
        before = char
    return "".join(kept)


def _hidden(char: str) -> bool:
    if char in "\n\t":
        return False
    if char in _BLANK:
        return True
    category = unicodedata.category(char)
    if category == "Cn":
        return not _EMOJI_BLOCKS[0] <= char <= _EMOJI_BLOCKS[1]
    return category in _HIDDEN_CATEGORIES


def _belongs(char: str, before: str, after: str) -> bool:
    """Whether the hidden `char` between the kept `before` and the visible `after` (each ""
    when there is none) is part of a valid sequence."""
    if char in (_ZWJ, _ZWNJ):
        # After a virama the joiner picks a half form or a chillu, at the end of a word too.
        if _joins(before) and (_joins(after) or unicodedata.combining(before) == _VIRAMA):
            return True
        return char == _ZWJ and _emoji_part(before) and _pictograph(after)
    if char in (_TEXT_STYLE, _EMOJI_STYLE) and (_pictograph(before) or before in _OTHER_EMOJI):
        return True
    if char in _VARIATION:
        return _within(before, _HAN)
    if char in _MONGOLIAN_VARIATION:
        return _within(before, (_MONGOLIAN_LETTERS,))
    return False


def _flag_end(text: str, flag: int) -> int:
    """Where the tag sequence after the black flag at `flag` ends, if it spells a
    subdivision flag (England: gbeng); else `flag`, and its tags go like any others."""
    end = flag + 1
    while end < len(text) and end - flag <= _FLAG_TAGS.stop and text[end] in _SUBDIVISION_TAGS:
        end += 1
    tags = text[flag + 1 : end]
    if (
        len(tags) in _FLAG_TAGS
        and tags[0] in _LETTER_TAGS
        and tags[1] in _LETTER_TAGS
        and text[end : end + 1] == _CANCEL_TAG
    ):
        return end + 1
    return flag


def _joins(char: str) -> bool:
    return char != "" and unicodedata.category(char)[0] in "LM" and _within(char, _JOINING)


def _pictograph(char: str) -> bool:
    if char == "":
        return False
    return unicodedata.category(char) == "So" or _EMOJI_BLOCKS[0] <= char <= _EMOJI_BLOCKS[1]


def _emoji_part(char: str) -> bool:
    """What may come right before the ZWJ of an emoji sequence."""
    return _pictograph(char) or char == _EMOJI_STYLE or _within(char, (_SKIN_TONES,))


def _within(char: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    return char != "" and any(first <= char <= last for first, last in ranges)

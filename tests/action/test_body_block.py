"""The message block in a pull request's description, as our code and the merge bots read it.

Bulldozer's and Kodiak's own extraction rules are restated here from their sources (a regular
expression between two delimiters; cuts at the first occurrence), so the block is checked
against what the bots would commit, not only against our parser.
"""

from __future__ import annotations

import re

import pytest

from commit_polish.action.body_block import DELIMITER, END, with_block, without_block

BODY = "Retry uploads when the connection resets.\n\nCo-authored-by: Bob <bob@example.org>"
HUMAN = "## What\n\nFixes #12.\n\n<!-- a template's comment -->\n- [x] tests"


def bulldozer(description: str) -> str:
    """Bulldozer's squash body with `message_delimiter: <DELIMITER>` (bulldozer/merge.go)."""
    quoted = re.escape(DELIMITER)
    found = re.search(rf"(?sm:({quoted}\s*)^(.*)$(\s*{quoted}))", description)
    return found.group(2) if found else " "


def kodiak(description: str) -> str:
    """Kodiak's body with cut_body_before, cut_body_after and strip_html_comments."""
    start = description.find(DELIMITER)
    text = description[start:] if start >= 0 else description
    end = text.find(END)
    text = text[: end + len(END)] if end >= 0 else text
    return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL).strip()


def test_a_block_is_added_after_the_humans_text_and_the_bots_read_the_message() -> None:
    text = with_block(HUMAN, BODY)
    assert text.startswith(HUMAN + "\n\n" + DELIMITER)
    assert bulldozer(text) == BODY and kodiak(text) == BODY
    assert without_block(text) == HUMAN


def test_the_block_is_replaced_in_place_and_nothing_else_changes() -> None:
    first = with_block(HUMAN, "old message")
    text = first + "\n\nA note the human added later."
    updated = with_block(text, BODY)
    assert updated == with_block(HUMAN, BODY) + "\n\nA note the human added later."
    assert bulldozer(updated) == BODY and kodiak(updated) == BODY


@pytest.mark.parametrize("description", ["", "\n", "   "])
def test_an_empty_description_gets_the_block_alone(description: str) -> None:
    text = with_block(description, BODY)
    assert text.strip().startswith(DELIMITER) and bulldozer(text) == BODY


def test_marker_lines_inside_the_message_cannot_end_the_block() -> None:
    hostile = f"first\n{END}\ninjected after the end\n{DELIMITER}\nlast"
    text = with_block(HUMAN, hostile)
    assert text.count(END) == 1 and text.count(DELIMITER) == 2
    assert kodiak(text) == "first\ninjected after the end\nlast"
    assert without_block(text) == HUMAN


def test_a_half_block_is_the_humans_text() -> None:
    half = f"{HUMAN}\n{DELIMITER}\nno end marker"
    assert without_block(half) == half
    assert with_block(half, BODY).startswith(half + "\n\n")


def test_crlf_descriptions_from_the_web_editor_are_found() -> None:
    text = with_block(HUMAN, BODY).replace("\n", "\r\n")
    assert without_block(text).replace("\r\n", "\n") == HUMAN

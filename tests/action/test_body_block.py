"""The message block in a pull request's description, as our code and the merge bots read it.

Bulldozer's and Kodiak's own extraction rules are restated here from their sources (a regular
expression between two delimiters; cuts at the first occurrence), and Mergify's template is
rendered by Jinja2's sandbox as Mergify renders it, so the block and README.md's settings for
each bot are checked against what the bots would commit, not only against our parser.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from commit_polish.action.body_block import DELIMITER, END, with_block, without_block
from tests.support.paths import ROOT

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


def _readme_snippet(first_line: str) -> str:
    """The fenced snippet of README.md whose first line is `first_line`."""
    fenced = re.finditer(r"```(?:yaml|toml)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(b[1] for b in fenced if b[1].startswith(first_line))


def test_the_readmes_bot_settings_name_our_delimiters() -> None:
    bulldozer_settings = yaml.safe_load(_readme_snippet("# .bulldozer.yml"))
    assert bulldozer_settings["message_delimiter"] == DELIMITER
    kodiak_settings = tomllib.loads(_readme_snippet("# .kodiak.toml"))["merge"]["message"]
    assert kodiak_settings["cut_body_before"] == DELIMITER
    assert kodiak_settings["cut_body_after"] == END
    assert kodiak_settings["strip_html_comments"] is True


@pytest.mark.parametrize("description", [HUMAN, ""])
def test_the_readmes_mergify_template_commits_the_block(description: str) -> None:
    template = yaml.safe_load(_readme_snippet("# .mergify.yml"))["commit_message_template"]
    render = SandboxedEnvironment().from_string(template).render
    text = with_block(description, BODY)
    assert render(title="Retry uploads", number=12, body=text) == f"Retry uploads (#12)\n\n{BODY}"
    # Without a block (write-to: comment) the template still renders: the title alone.
    assert (
        render(title="Retry uploads", number=12, body=description).strip() == "Retry uploads (#12)"
    )

"""The suggested message as a marked block of the pull request's description, for merge
queues and merge bots that build the squash commit from the description (`write_to`).

    <!-- commit-polish:message -->
    the message's body
    <!-- commit-polish:message -->
    <!-- commit-polish:end -->

Bulldozer takes the text between two copies of its `message_delimiter` (the first line, used
twice); Kodiak keeps what lies between `cut_body_before` (the first line) and
`cut_body_after` (the last), and `strip_html_comments` drops the markers. Only the block is
ever replaced; every other line of the description, a human's, stays byte for byte. The
block's lines are found by exact comparison, one pass over the lines: linear in the text.
"""

from __future__ import annotations

DELIMITER = "<!-- commit-polish:message -->"
END = "<!-- commit-polish:end -->"
_MARKERS = frozenset({DELIMITER, END})


def with_block(description: str, body: str) -> str:
    """`description` with our block holding `body`: in place of the old block, else after the
    human's text."""
    # A marker line inside the message would end the block early for us and for the bots.
    lines = [line for line in body.strip("\n").split("\n") if line.strip() not in _MARKERS]
    block = "\n".join((DELIMITER, *lines, DELIMITER, END))
    before, after = _split(description)
    if before is None:
        text = description.rstrip("\n")
        return f"{text}\n\n{block}" if text else block
    return before + block + after


def without_block(description: str) -> str:
    """The human's part of the description: what the pipeline reads as the PR's own words,
    so a message we wrote never comes back to the model as the author's."""
    before, after = _split(description)
    if before is None:
        return description
    parts = (before.rstrip("\r\n"), after.lstrip("\r\n"))
    return "\n\n".join(part for part in parts if part.strip())


def _split(description: str) -> tuple[str | None, str]:
    """(text before our block, text after it from the END line's own line break on); (None,
    "") when there is no whole block. A block starts at a line that is exactly DELIMITER and
    ends at the next line that is exactly END."""
    start = end = None
    offset = 0
    for line in description.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if start is None and bare == DELIMITER:
            start = offset
        elif start is not None and bare == END:
            end = offset + len(bare)
            break
        offset += len(line)
    if start is None or end is None:
        return None, ""
    return description[:start], description[end:]

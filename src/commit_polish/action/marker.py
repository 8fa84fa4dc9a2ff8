"""Our comment's hidden lines: the marker that makes a comment ours, and the fields after it.

The first line, `<!-- NAME:sticky head=SHA -->`, finds our comment again and tells which head
it describes. Right under it, our template alone may write hidden fields, one a line,
`<!-- NAME:KEY=VALUE -->`: the state a later run needs (the cloud-call count, the message as
written, what was applied). They are read only from the lines right after the marker, up to
the first line that is not a field, and only from comments that are ours (our login AND our
exact marker): the message, the PR's text and every file name start further down, after the
heading, so no author can write a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MARKER = "commit-polish"
"""The name in our marker line; the `marker` input gives an installation a name of its own."""
MARKER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_MARKER_LINE = "<!-- {name}:sticky head={head} -->"
_FIELD_LINE = "<!-- {name}:{key}={value} -->"
_SHA = "[0-9A-Za-z]{1,64}"
_KEY = re.compile(r"[a-z][a-z-]{0,19}")
MAX_FIELD = 40_000
"""Characters of one field's value: the encoded message is the longest (action/stored.py)."""
_VALUE = re.compile(f"[A-Za-z0-9+/=_.:-]{{0,{MAX_FIELD}}}")
"""No `-->`, no space, no `<`: a value can neither end the HTML comment nor start markup."""
MAX_FIELDS = 8
MARKER_PREFIX = _MARKER_LINE.split("{name}", 1)[0] + DEFAULT_MARKER


@dataclass(frozen=True)
class Marker:
    """Our comment's hidden first line, `<!-- NAME:sticky head=SHA -->`. Two installations on
    one repository with different names keep a comment each."""

    name: str = DEFAULT_MARKER

    def __post_init__(self) -> None:
        if not MARKER_NAME.fullmatch(self.name):
            raise ValueError(
                f"{self.name[:60]!r} is not 1 to 40 letters, digits, '.', '_' or '-' "
                "starting with a letter or digit"
            )

    def line(self, head_sha: str) -> str:
        """The marker line for a comment describing `head_sha`."""
        if not re.fullmatch(_SHA, head_sha):
            raise ValueError(f"not a commit sha: {head_sha!r}")
        return _MARKER_LINE.format(name=self.name, head=head_sha)

    def head_of(self, body: str) -> str | None:
        """The head sha of a comment whose whole first line is this marker line. A marker
        quoted later, or with anything before or after it on that line, or almost ours
        (another name, case or spacing) does not make anyone's comment ours."""
        found = self._pattern().fullmatch(body.partition("\n")[0])
        return found.group(1) if found else None

    def owns(self, body: str) -> bool:
        """Whether `body` is one of our comments by its text; the GitHub adapter also
        requires our login as its author."""
        return self.head_of(body) is not None

    def field(self, key: str, value: str) -> str:
        """One hidden field line. Raises ValueError for a key or value the reader would not
        take back: a field is our own state, so that is our bug."""
        if not _KEY.fullmatch(key) or not _VALUE.fullmatch(value):
            raise ValueError(f"not a field: {key[:20]!r}={value[:40]!r}")
        return _FIELD_LINE.format(name=self.name, key=key, value=value)

    def fields(self, body: str) -> dict[str, str]:
        """The fields of one of our comments (empty for anyone else's): the lines right after
        the marker line that are whole field lines of this installation, the first of a key
        winning."""
        if not self.owns(body):
            return {}
        found: dict[str, str] = {}
        before = f"<!-- {self.name}:"
        # At most MAX_FIELDS lines are split off: the body is never split whole.
        for line in body.split("\n", MAX_FIELDS + 1)[1 : MAX_FIELDS + 1]:
            if not (line.startswith(before) and line.endswith(" -->")):
                break
            key, sep, value = line[len(before) : -len(" -->")].partition("=")
            if not (sep and _KEY.fullmatch(key) and _VALUE.fullmatch(value)):
                break
            found.setdefault(key, value)
        return found

    def _pattern(self) -> re.Pattern[str]:
        before, _, after = _MARKER_LINE.format(name=self.name, head="\0").partition("\0")
        return re.compile(f"{re.escape(before)}({_SHA}){re.escape(after)}")


DEFAULT = Marker()


def marker(head_sha: str) -> str:
    """The default installation's marker line for `head_sha`."""
    return DEFAULT.line(head_sha)


def parse_marker(body: str) -> str | None:
    """The head sha of a comment of the default installation, by its first line."""
    return DEFAULT.head_of(body)

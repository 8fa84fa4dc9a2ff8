"""The one scrubber: every secret the Action knows is replaced in everything it writes.

`::add-mask::` hides a secret in the job's log only. The PR comment, the job summary and the
step outputs outlive the log and are read by anyone who can read the pull request, and a model
endpoint can echo the key it was sent, or an error quote one. So each writer in
`action.workflow` (and the comment's poster) passes its text through one `Scrubber`, which
learns each secret where the Action masks it.
"""

from __future__ import annotations

REDACTED = "***"
"""What the runner's own masking shows in a secret's place."""
MIN_SECRET = 8
"""Shorter values are not scrubbed. A key that short is a placeholder ("none", "dummy",
"sk-1234") or guessed in no time anyway, while replacing it would cut ordinary words out of a
commit message; every real key format (sk-..., ghs_..., GitHub's 40-character tokens) is far
longer. The log's `::add-mask::` still masks them."""


class Scrubber:
    """The secrets known so far, and `scrub(text)` to replace each of them.

    One instance lives for the whole run; secrets are added as they are read (the token at
    once, a fallback's key once the settings name its variable), so text written early is
    scrubbed of every secret known by then, which are all that could be in it.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._order: tuple[str, ...] = ()

    def add(self, secret: str) -> None:
        """Learn `secret`, and each of its lines: a multi-line key (PEM) may be quoted in part."""
        for part in (secret, *secret.splitlines()):
            value = part.strip()
            if len(value) >= MIN_SECRET and value not in self._secrets:
                self._secrets.add(value)
                # Longest first, so a secret that contains another is replaced whole.
                self._order = tuple(sorted(self._secrets, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        """`text` with every known secret replaced; plain `str.replace`, linear in `text`."""
        for secret in self._order:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def __len__(self) -> int:
        return len(self._secrets)

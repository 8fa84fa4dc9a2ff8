"""How the rehearsal speaks: progress lines on stderr, and the one error that says what went
wrong and the fix."""

from __future__ import annotations

import sys


class RehearsalError(Exception):
    """What went wrong, and the fix."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what, self.fix = what, fix

    def __str__(self) -> str:
        return f"{self.what}\n  fix: {self.fix}"


def say(text: str) -> None:
    print(f"    {text}", file=sys.stderr, flush=True)

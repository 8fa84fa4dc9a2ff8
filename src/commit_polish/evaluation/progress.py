"""How far `commit-polish eval` has got, on standard error.

A terminal gets one bar redrawn in place; a log (CI, a file) gets one plain line per case,
because carriage returns turn a CI log into one unreadable line.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import IO

BAR_WIDTH = 24


class Progress:
    """Counts finished cases; `step` once per case, `close` once at the end."""

    def __init__(
        self,
        total: int,
        stream: IO[str],
        *,
        bar: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.stream, self.clock = total, stream, clock
        self.bar = stream.isatty() if bar is None else bar
        self.done = 0
        self.started = clock()
        if self.bar and total:
            # The first case can take half a minute: show at once that the run has started.
            self._draw("")

    def step(self, case_id: str, seconds: float, note: str = "") -> None:
        self.done += 1
        if self.bar:
            self._draw(case_id)
        else:
            line = f"{self.done}/{self.total} {case_id} {seconds:.1f} s"
            print(f"{line} {note}" if note else line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar and self.total:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, case_id: str) -> None:
        filled = BAR_WIDTH * self.done // self.total
        elapsed = self.clock() - self.started
        text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
        text += f" {elapsed:.0f} s"
        if self.done:
            left = elapsed / self.done * (self.total - self.done)
            text += f", ~{left:.0f} s left {case_id}"
        # A line wider than the terminal wraps, and `\r` then redraws only its last part.
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(f"\r{text[:width]}\x1b[K")
        self.stream.flush()

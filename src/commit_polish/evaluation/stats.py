"""How sure a difference is: a bootstrap interval over paired per-PR scores; pure.

Two scorers on the same PRs differ PR by PR; the mean of those differences is the figure,
and resampling the PRs (with replacement, a fixed seed so a rerun prints the same) says how
far it could move on another sample of the same kind. An interval that holds zero is a
difference this sample cannot tell apart from none.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

ROUNDS = 2000
SEED = 14  # any fixed seed: the interval must not change between two runs on the same rows


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int
    visible: float
    """The smallest mean difference a sample of this size and spread tells apart from none
    at 95% (two standard errors of the mean difference)."""

    def __str__(self) -> str:
        return f"{self.mean:+.2f} (95% {self.low:+.2f} to {self.high:+.2f}, n={self.n})"


def paired(ours: Sequence[float], theirs: Sequence[float], rounds: int = ROUNDS) -> Interval:
    """The mean of `ours - theirs` per PR and its bootstrap 95% percentile interval."""
    if len(ours) != len(theirs):
        raise ValueError(f"paired scores differ in length: {len(ours)} and {len(theirs)}")
    diffs = [a - b for a, b in zip(ours, theirs, strict=True)]
    if not diffs:
        return Interval(0.0, 0.0, 0.0, 0, math.inf)
    draw = random.Random(SEED).choices  # noqa: S311 - resampling, not secrets
    means = sorted(statistics.fmean(draw(diffs, k=len(diffs))) for _ in range(rounds))
    low, high = means[int(0.025 * rounds)], means[min(rounds - 1, int(0.975 * rounds))]
    spread = statistics.stdev(diffs) if len(diffs) > 1 else math.inf
    return Interval(statistics.fmean(diffs), low, high, len(diffs), 2 * spread / len(diffs) ** 0.5)

"""How long each function that reads pull-request or model text takes on hostile input.

Run from the repository root:

    .venv/bin/python benchmarks/hostile_text.py             # every case
    .venv/bin/python benchmarks/hostile_text.py clean_description

The cases are tests/test_linear_time.py's (repeated openers, whitespace runs, unclosed
constructs, banner prefixes, long lines, blank lines). Each is timed at 100 kB and at 1 MB of
input, best of three; linear code takes about 10 times longer on the larger input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_linear_time import CASES  # noqa: E402

SIZES = (100_000, 1_000_000)


def sized(make: Callable[[int], str], chars: int) -> str:
    """The input with as many repeats as make it about `chars` long."""
    unit = len(make(2)) - len(make(1))
    return make(max(1, (chars - len(make(1))) // unit + 1))


def seconds(run: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("match", nargs="?", default="", help="only cases whose name has this")
    args = parser.parse_args()
    print(f"{'case':58} {'100 kB':>9} {'1 MB':>9} {'ratio':>6}")
    for name, case in CASES.items():
        if args.match not in name:
            continue
        small, large = (seconds(case.run, sized(case.make, size)) for size in SIZES)
        print(f"{name:58} {small * 1000:7.1f}ms {large * 1000:7.1f}ms {large / small:6.1f}")


if __name__ == "__main__":
    main()

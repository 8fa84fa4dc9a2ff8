"""The bootstrap interval of a paired difference."""

from __future__ import annotations

import pytest

from commit_polish.evaluation import stats


def test_a_clear_difference_keeps_zero_out_of_its_interval() -> None:
    ours = [60.0 + (n % 7) for n in range(80)]
    theirs = [50.0 + (n % 5) for n in range(80)]
    interval = stats.paired(ours, theirs)
    assert interval.low > 0 and interval.low <= interval.mean <= interval.high
    assert interval.n == 80


def test_no_difference_holds_zero_and_reruns_print_the_same() -> None:
    ours = [float(n % 11) for n in range(55)]
    theirs = [float((n * 7) % 11) for n in range(55)]
    first, second = stats.paired(ours, theirs), stats.paired(ours, theirs)
    assert first.low < 0 < first.high
    assert first == second
    assert str(first).startswith("+0.00 (95% ")


def test_unpaired_scores_are_refused_and_none_give_an_empty_interval() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        stats.paired([1.0], [1.0, 2.0])
    assert stats.paired([], []).n == 0


def test_the_smallest_visible_difference_shrinks_with_the_sample() -> None:
    small = stats.paired([float(n % 2) * 40 for n in range(100)], [0.0] * 100)
    large = stats.paired([float(n % 2) * 40 for n in range(400)], [0.0] * 400)
    assert small.visible == pytest.approx(2 * 20.1 / 10, rel=0.01)
    assert large.visible == pytest.approx(small.visible / 2, rel=0.01)

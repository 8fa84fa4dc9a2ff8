"""The evaluation metrics against the published worked example and small hand-computed cases."""

from __future__ import annotations

import math

import pytest

from commit_polish.evaluation import metrics
from tests.support.paths import FIXTURES

CHECK = FIXTURES / "metric-check"


def _lines(name: str) -> list[str]:
    return (CHECK / name).read_text(encoding="utf-8").split("\n")


def test_worked_example_reproduces_the_published_means() -> None:
    refs, gens = _lines("example.ref.msg"), _lines("example.gen.msg")
    # split("\n") leaves the empty string after the final newline as the last pair.
    assert len(refs) == len(gens) == 2522 and refs[-1] == gens[-1] == ""
    pairs = list(zip(refs[:-1], gens[:-1], strict=True))
    bleu = [metrics.bnorm(ref, gen) for ref, gen in pairs]
    # Tao et al.'s tool scores that trailing empty-vs-empty pair as a perfect 100.
    bleu.append(100.0)
    rouge = [metrics.rouge_l(ref, gen) for ref, gen in pairs]
    assert math.fsum(bleu) / len(bleu) == pytest.approx(23.07485193493874, abs=1e-9)
    assert math.fsum(rouge) / len(rouge) == pytest.approx(26.996306706020356, abs=1e-9)


def test_tokens_split_words_from_single_punctuation_marks_lowercased() -> None:
    assert metrics.bnorm_tokens("Fix foo.bar() in v1.5-rc") == [
        "fix", "foo", ".", "bar", "(", ")", "in", "v1", ".", "5", "-", "rc",
    ]  # fmt: skip
    assert metrics.bnorm_tokens("a &amp; b") == ["a", "&", "amp", ";", "b"]
    # NIST leaves apostrophes alone: only the first split keeps a run of them apart.
    assert metrics.bnorm_tokens("can''t") == ["can", "'", "'", "t"]


def test_identical_messages_score_100() -> None:
    text = "Add retries to the HTTP client\n\nRetry on 503 and on connection resets."
    assert metrics.bnorm(text, text) == pytest.approx(100.0)
    assert metrics.rouge_l(text, text) == pytest.approx(100.0)


def test_empty_prediction_scores_0() -> None:
    assert metrics.bnorm("Fix the parser", "") == 0.0
    assert metrics.bnorm("Fix the parser", "  \n ") == 0.0
    assert metrics.rouge_l("Fix the parser", "") == 0.0


def test_brevity_penalty_uses_plus_one_lengths() -> None:
    # Every n-gram of the 4-token prediction is in the 6-token reference: precision is 1,
    # so the score is the brevity penalty alone, exp(1 - (6+1)/(4+1)).
    assert metrics.bnorm("a b c d e f", "a b c d") == pytest.approx(100 * math.exp(-0.4))
    # A longer prediction is never penalised for length.
    assert metrics.bnorm("a b", "a b a b") < 100 and metrics.bnorm("a b", "a b") == 100


def test_add_one_smoothing_applies_to_2_to_4_grams_only() -> None:
    # Unigrams 1/2, bigrams (0+1)/(1+1), trigrams and 4-grams (0+1)/(0+1): (1/4) ** (1/4).
    assert metrics.bnorm("a y", "a x") == pytest.approx(100 * 0.25**0.25)
    # No unigram in common: the unsmoothed unigram precision sends the score to nearly 0.
    assert metrics.bnorm("a b", "c d") < 1e-60


def test_rouge_l_is_the_lcs_f1_of_alphanumeric_tokens() -> None:
    # LCS of [a b c d] and [a c e] is [a c]: P = 2/3, R = 2/4, F1 = 4/7.
    assert metrics.rouge_l("a b c d", "a c e") == pytest.approx(100 * 4 / 7)
    # Order matters: a subsequence, not a bag of words.
    assert metrics.rouge_l("alpha beta", "beta alpha") == pytest.approx(50.0)
    # Punctuation and case are ignored.
    assert metrics.rouge_l("Fix: the_parser", "fix the parser") == pytest.approx(100.0)


def test_split_message_drops_a_trailing_pr_number() -> None:
    assert metrics.split_message("Fix the parser (#123)\n\nBody\nmore\n") == (
        "Fix the parser",
        "Body\nmore",
    )
    assert metrics.split_message("Fix (#12) in the middle") == ("Fix (#12) in the middle", "")


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("feat(api)!: drop Python 3.8", "feat"),
        ("fix: a typo", "fix"),
        ("Fix: a typo", None),
        ("feature: nope", None),
        ("docs(readme) missing colon", None),
    ],
)
def test_commit_type(subject: str, kind: str | None) -> None:
    assert metrics.commit_type(subject) == kind


def test_subject_fits_1_to_72_characters() -> None:
    assert metrics.subject_fits("x") and metrics.subject_fits("x" * 72)
    assert not metrics.subject_fits("") and not metrics.subject_fits("x" * 73)

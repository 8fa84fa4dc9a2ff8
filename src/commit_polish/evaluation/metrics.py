"""Message-quality metrics for `commit-polish eval`; pure, no third-party code.

Definitions follow the evaluation set's README: B-Norm BLEU as in Tao et al., ICSME 2021
("On the Evaluation of Commit Message Generation Models"), ROUGE-L F1, and format checks.
Every score is on a 0-100 scale.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Sequence

from commit_polish.message.style import split_pr_number

MAX_NGRAM = 4
SUBJECT_LIMIT = 72
# The smallest float keeps log() defined for zero counts, exactly as the reference script does.
_TINY = sys.float_info.min

_SPLIT = re.compile(r"[\w]+|[^\s\w]")
# NIST mteval-v11a's language-dependent tokenisation, in the order it applies them.
_NIST = tuple(
    (re.compile(pattern), replace)
    for pattern, replace in (
        (r"([\{-\~\[-\` -\&\(-\+\:-\@\/])", r" \1 "),
        (r"([^0-9])([\.,])", r"\1 \2 "),
        (r"([\.,])([^0-9])", r" \1 \2"),
        (r"([0-9])(-)", r"\1 \2 "),
    )
)
_XML_ENTITIES = (("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")
_TYPES = "feat|fix|docs|chore|refactor|perf|test|build|ci|style|revert"
CONVENTIONAL = re.compile(rf"^({_TYPES})(\(.+\))?!?:")
# The scope alone: no parenthesis inside, so `fix(a): b (c):` reads scope `a`.
_SCOPE = re.compile(rf"^(?:{_TYPES})\(([^()]+)\)!?:")


def bnorm_tokens(text: str) -> list[str]:
    """Lowercase, split words from single punctuation marks, then NIST-normalise."""
    text = " ".join(_SPLIT.findall(text.strip().lower()))
    # The reference script unescapes XML entities after joining lines.
    for entity, char in _XML_ENTITIES:
        text = text.replace(entity, char)
    text = f" {text} "
    for pattern, replace in _NIST:
        text = pattern.sub(replace, text)
    return text.split()


def _ngrams(words: Sequence[str]) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    for size in range(1, MAX_NGRAM + 1):
        for start in range(len(words) - size + 1):
            counts[tuple(words[start : start + size])] += 1
    return counts


def bnorm(reference: str, prediction: str) -> float:
    """Sentence BLEU-4 with add-one smoothing on 2- to 4-grams (Lin and Och 2004)."""
    hyp = bnorm_tokens(prediction)
    if not hyp:
        return 0.0
    ref = bnorm_tokens(reference)
    ref_counts, hyp_counts = _ngrams(ref), _ngrams(hyp)
    correct = [0] * MAX_NGRAM
    for ngram, count in hyp_counts.items():
        correct[len(ngram) - 1] += min(count, ref_counts.get(ngram, 0))
    log_bleu = 0.0
    for k in range(MAX_NGRAM):
        guess = max(len(hyp) - k, 0)
        add = 1 if k > 0 else 0
        log_bleu += math.log(correct[k] + add + _TINY) - math.log(guess + add + _TINY)
    brevity = min(0.0, 1 - (len(ref) + 1) / (len(hyp) + 1))
    return 100 * math.exp(log_bleu / MAX_NGRAM + brevity)


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j, y in enumerate(b, start=1):
            diagonal, row[j] = row[j], diagonal + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(reference: str, prediction: str) -> float:
    """ROUGE-L F1: longest common subsequence of lowercased `[a-z0-9]+` tokens."""
    ref = _ROUGE_TOKEN.findall(reference.lower())
    hyp = _ROUGE_TOKEN.findall(prediction.lower())
    common = _lcs(ref, hyp) if ref and hyp else 0
    if common == 0:
        return 0.0
    precision, recall = common / len(hyp), common / len(ref)
    return 100 * 2 * precision * recall / (precision + recall)


def strip_pr_number(subject: str) -> str:
    """A predicted subject's trailing ` (#N)` is GitHub's, not the writer's: drop it."""
    found = split_pr_number(subject)
    return found[0].rstrip() if found else subject


def split_message(text: str) -> tuple[str, str]:
    """Subject (first line, without ` (#N)`) and body of a commit message."""
    subject, _, body = text.strip().partition("\n")
    return strip_pr_number(subject.strip()), body.strip()


def commit_type(subject: str) -> str | None:
    """The Conventional-Commits type of a subject, or None when it is not in that form."""
    match = CONVENTIONAL.match(subject)
    return match.group(1) if match else None


def scope(subject: str) -> str | None:
    """The Conventional-Commits scope of a subject (`api` in `fix(api): ...`), stripped; None
    when it has none or is not in that form."""
    match = _SCOPE.match(subject)
    return (match.group(1).strip() or None) if match else None


def subject_fits(subject: str) -> bool:
    return 1 <= len(subject) <= SUBJECT_LIMIT

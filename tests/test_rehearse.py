"""scripts/rehearse.py and its package, scripts/rehearsal/, without Docker: the runner's
INPUT_* names and argument splitting, the health options, the substitutions, and the plan it
makes from the workflow files users copy."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from commit_polish.action.inputs import read_inputs
from tests.support.paths import FIXTURES, ROOT, load_script

load_script("rehearse")  # puts its package, scripts/rehearsal/, on the import path
from rehearsal.containers import service_create_args  # noqa: E402
from rehearsal.health import first_pass_seconds, runner_backoff, unhealthy_error  # noqa: E402
from rehearsal.options import (  # noqa: E402
    Health,
    effective_health,
    go_duration,
    parse_options,
    runner_split,
)
from rehearsal.plan import make_plan, triggered  # noqa: E402
from rehearsal.report import RehearsalError  # noqa: E402
from rehearsal.runner import input_env_name  # noqa: E402
from rehearsal.substitutions import llamafile_standin, substitute_model  # noqa: E402

EXAMPLE = ROOT / "examples" / "workflows" / "commit-polish-llama-server.yml"
LLAMAFILE = ROOT / ".github" / "workflows" / "commit-polish.yml"
PAYLOADS = FIXTURES / "github" / "payloads"
MODEL = Path("/cache/SmolLM2-135M-Instruct.Q4_1.gguf")
OPTIONS = (
    '--health-cmd "curl -fsS http://localhost:8080/health || exit 1" --health-interval 10s '
    "--health-timeout 5s --health-retries 12 --health-start-period 600s"
)


def _event(name: str = "pull_request.opened.payload.json", **pr: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    event["pull_request"].update(pr)
    return event


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def _plan(workflow: Path = EXAMPLE, event: dict[str, Any] | None = None, **kw: Any) -> Any:
    return make_plan(
        workflow,
        event_name=kw.pop("event_name", "pull_request"),
        event=event or _event(),
        action_yml=_action(),
        action_image="commit-polish:smoke",
        service_image={"llama-server": "llama-server-standin:local", "llamafile": "lf:local"},
        model_file=MODEL,
        **kw,
    )


def _edited(tmp_path: Path, edit: Any, source: Path = EXAMPLE) -> Path:
    """A copy of a workflow with one edit applied to its parsed YAML."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _service(data: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = data["jobs"]["suggest"]["services"]["llama-server"]
    return service


# -- the runner's names and command line ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("pr-number", "INPUT_PR-NUMBER"),  # dashes are kept
        ("api-base", "INPUT_API-BASE"),
        ("my input", "INPUT_MY_INPUT"),  # spaces become underscores
        ("Mixed_Case", "INPUT_MIXED_CASE"),
        ("straße", "INPUT_STRAßE"),  # ToUpperInvariant has no one-letter capital for ß
    ],
)
def test_input_names_follow_the_runner(name: str, variable: str) -> None:
    assert input_env_name(name) == variable


def test_every_input_of_action_yml_reads_back_under_its_own_name() -> None:
    declared = _action()["inputs"].items()
    env = {input_env_name(name): str(spec["default"]) for name, spec in declared}
    assert read_inputs(env).unknown == ()


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (OPTIONS, [
            "--health-cmd", "curl -fsS http://localhost:8080/health || exit 1",
            "--health-interval", "10s", "--health-timeout", "5s", "--health-retries", "12",
            "--health-start-period", "600s",
        ]),
        ('--label "a b"\t--cpus 1', ["--label", "a b", "--cpus", "1"]),
        (r'--label a\"b', ['--label', 'a"b']),  # a backslash escapes a double quote only
        (r"--label C:\dir\\", ["--label", "C:\\dir\\\\"]),
        ('--label "say ""hi"""', ["--label", 'say "hi"']),
        ("--label 'a b'", ["--label", "'a", "b'"]),  # single quotes do not group
        ("", []),
    ],
)  # fmt: skip
def test_options_split_like_the_runner_command_line(text: str, args: list[str]) -> None:
    assert runner_split(text) == args


def test_an_unclosed_double_quote_is_an_error() -> None:
    with pytest.raises(RehearsalError, match="never closed"):
        runner_split('--health-cmd "curl -f http://localhost:8080/health')


# -- health options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10s", 10), ("1m30s", 90), ("500ms", 0.5), ("1h", 3600), ("0", 0), ("1.5s", 1.5)],
)
def test_durations_read_like_docker(text: str, seconds: float) -> None:
    assert go_duration(text, "--health-interval") == seconds


@pytest.mark.parametrize("text", ["10", "ten", "10 s", "", "10sec"])
def test_a_duration_without_a_unit_names_the_fix(text: str) -> None:
    with pytest.raises(RehearsalError) as caught:
        go_duration(text, "--health-interval")
    assert "--health-interval 10s" in caught.value.fix


def test_the_examples_health_options_are_read_with_their_budget() -> None:
    options = parse_options(OPTIONS)
    health = options.health
    assert health is not None
    assert (health.interval, health.timeout, health.retries, health.start_period) == (
        10,
        5,
        12,
        600,
    )
    assert health.cmd == "curl -fsS http://localhost:8080/health || exit 1"
    assert health.budget == 600 + 12 * (10 + 5)
    assert options.args == tuple(runner_split(OPTIONS))


def test_equals_forms_other_options_and_docker_defaults() -> None:
    options = parse_options("--cpus 2 --health-retries=4 --health-cmd=true")
    assert options.args == ("--cpus", "2", "--health-retries=4", "--health-cmd=true")
    health = options.health
    assert health is not None
    assert (health.cmd, health.retries, health.interval, health.timeout) == ("true", 4, 30, 30)
    assert health.start_period == 0
    assert health.given == ("--health-retries", "--health-cmd")
    assert parse_options("--no-healthcheck").health is None
    assert parse_options(None).health == Health(cmd=None)


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("--health-cmd 'curl -f http://localhost:8080/health'", "double quotes"),
        ("--health-retries twelve", "--health-retries 12"),
        ("--health-retries --health-interval 10s", "--health-retries VALUE"),
        ("--health-interval", "--health-interval VALUE"),
    ],
)
def test_bad_options_name_the_fix(text: str, fix: str) -> None:
    with pytest.raises(RehearsalError) as caught:
        parse_options(text)
    assert fix in caught.value.fix


def _inspected(**fields: Any) -> dict[str, Any]:
    """`docker inspect --format={{json .Config.Healthcheck}}` of the example's service."""
    config = {
        "Test": ["CMD-SHELL", "curl -fsS http://localhost:8080/health || exit 1"],
        "Interval": 10_000_000_000,
        "Timeout": 5_000_000_000,
        "StartPeriod": 600_000_000_000,
        "Retries": 12,
    }
    return config | fields


def test_docker_must_read_the_health_options_as_the_script_did() -> None:
    health = parse_options(OPTIONS).health
    assert health is not None
    assert effective_health(health, _inspected()) == health
    with pytest.raises(RehearsalError, match="--health-retries"):
        effective_health(health, _inspected(Retries=3))


def test_an_option_left_out_takes_the_images_own_value() -> None:
    # .github/workflows/commit-polish.yml sets no start period; the llamafile image's
    # HEALTHCHECK has --start-period=120s, and Docker merges the two field by field.
    health = parse_options(
        '--health-cmd "curl -fsS http://localhost:8080/health || exit 1" --health-retries 30'
    ).health
    assert health is not None
    merged = effective_health(health, _inspected(Retries=30, StartPeriod=120 * 10**9))
    assert merged.start_period == 120
    assert "--health-start-period" in merged.describe()


def test_runner_backoff_and_docker_times() -> None:
    assert [runner_backoff(n) for n in range(7)] == [2, 4, 8, 16, 32, 32, 32]
    log = [
        {"End": "2026-12-07T05:33:43.962027943Z", "ExitCode": 1},
        {"End": "2026-12-07T05:33:48.161082038Z", "ExitCode": 0},
    ]
    assert first_pass_seconds("2026-12-07T05:33:41.841335564Z", log) == 6.3
    assert first_pass_seconds("2026-12-07T05:33:41Z", log[:1]) is None


def test_a_service_never_healthy_says_which_option_to_raise() -> None:
    plan = _plan()
    health = plan.options.health
    loading = "load_model: loading model '/models/x.gguf'\n\n"
    error = unhealthy_error(plan, health, "unhealthy", 780, loading, "curl: (7)")
    assert "--health-start-period (now 600s)" in error.fix
    assert "timeout-minutes (30)" in error.fix
    assert "12 failed checks (--health-retries)" in error.what
    assert "    | load_model" in error.what and "last health check: curl: (7)" in error.what

    listening = "llama_server: listening on http://0.0.0.0:8080\n"
    error = unhealthy_error(plan, health, "unhealthy", 30, listening, "")
    assert "--health-cmd" in error.fix and "(8080)" in error.fix

    crashed = 'error while handling environment variable "LLAMA_ARG_CTX_SIZE": stoi\n'
    error = unhealthy_error(plan, health, "exited with code 1", 1, crashed, "")
    assert "exited with code 1" in error.what and "LLAMA_ARG_*" in error.fix


# -- substitutions ----------------------------------------------------------------------------


def test_only_the_model_source_is_replaced_in_the_env() -> None:
    env = {
        "LLAMA_ARG_HF_REPO": "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        "LLAMA_ARG_HF_FILE": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "LLAMA_ARG_PORT": "8080",
    }
    new, subs, inside = substitute_model(env, MODEL, {("env", "LLAMA_ARG_HF_REPO"): 9}, ("env",))
    assert new == {"LLAMA_ARG_PORT": "8080", "LLAMA_ARG_MODEL": inside}
    assert inside == "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert [(s.where, s.line, s.now) for s in subs] == [
        ("env.LLAMA_ARG_HF_REPO", 9, f"LLAMA_ARG_MODEL={inside}"),
        ("env.LLAMA_ARG_HF_FILE", None, "(dropped)"),
    ]
    with pytest.raises(RehearsalError, match="names no model"):
        substitute_model({"LLAMA_ARG_PORT": "8080"}, MODEL, {}, ("env",))


def test_the_examples_plan_substitutes_four_lines_and_keeps_the_rest() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    service = _service(yaml.safe_load(text))
    plan = _plan()
    line_of = {key: n for n, line in enumerate(text.splitlines(), 1) for key in [line.strip()]}
    image_line = next(n for key, n in line_of.items() if key.startswith("image: ghcr.io/ggml"))
    url_line = next(n for key, n in line_of.items() if key.startswith("LLAMA_ARG_MODEL_URL:"))
    uses_line = next(n for key, n in line_of.items() if key.startswith("uses: commit-polish/"))
    assert [(s.where, s.line) for s in plan.substitutions] == [
        ("jobs.suggest.services.llama-server.image", image_line),
        ("jobs.suggest.services.llama-server.env.LLAMA_ARG_MODEL_URL", url_line),
        ("jobs.suggest.steps[0].uses", uses_line),
        ("GITHUB_API_URL", None),
    ]
    kept = {k: v for k, v in service["env"].items() if k != "LLAMA_ARG_MODEL_URL"}
    assert plan.service_env == kept | {"LLAMA_ARG_MODEL": f"/models/{MODEL.name}"}
    assert plan.options.args == tuple(runner_split(service["options"]))
    assert plan.volumes == [f"{MODEL}:/models/{MODEL.name}:ro"]
    assert (plan.service, plan.ports, plan.timeout_minutes) == ("llama-server", [], 30)


def test_the_service_is_created_as_the_runner_writes_it() -> None:
    args = service_create_args(_plan(), "github_network_x", "llama-server_x")
    text = " ".join(args)
    assert "--network github_network_x --network-alias llama-server" in text
    assert "--health-cmd curl -fsS http://localhost:8080/health || exit 1" in text
    assert f"-e LLAMA_ARG_MODEL=/models/{MODEL.name}" in text
    assert "-e LLAMA_ARG_CTX_SIZE=4096 -e LLAMA_ARG_N_PARALLEL=1" in text
    assert "-e GITHUB_ACTIONS=true -e CI=true" in text
    assert "LLAMA_ARG_MODEL_URL" not in text
    assert args[-1] == "llama-server-standin:local"


def test_a_service_without_a_stand_in_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(RehearsalError) as caught:
        make_plan(
            EXAMPLE,
            event_name="pull_request",
            event=_event(),
            action_yml=_action(),
            action_image="commit-polish:smoke",
            service_image={"llamafile": "lf:local"},
            model_file=MODEL,
        )
    assert caught.value.fix == "pass --service-image llama-server=IMAGE"


def test_the_llamafile_images_stand_in_keeps_its_runtime_lines() -> None:
    source = (ROOT / "docker" / "llamafile" / "Dockerfile").read_text(encoding="utf-8")
    text, changes = llamafile_standin(source, "base:local")
    lines = text.splitlines()
    assert lines[:2] == ["FROM base:local", "COPY model.gguf /models/model.gguf"]
    for kept in ("USER 10001:10001", "EXPOSE 8080", 'CMD ["-c", "4096", "-np", "1", "--no-webui"]'):
        assert kept in lines
    health = next(line for line in lines if line.startswith("HEALTHCHECK"))
    assert "--start-period=120s" in health and "http://127.0.0.1:8080/health" in health
    entrypoint = json.loads(lines[-1].removeprefix("ENTRYPOINT "))
    assert entrypoint[0] == "/app/llama-server"
    assert entrypoint[1:] == [
        "-m", "/models/model.gguf", "--alias", "qwen2.5-coder-1.5b-instruct",
        "--host", "0.0.0.0", "--port", "8080",  # noqa: S104
    ]  # fmt: skip
    assert "--server --gpu disable -> /app/llama-server" in changes[0]
    assert len(changes) == 2


def test_the_action_env_is_what_the_action_reads() -> None:
    env = _plan(api_url="http://github-api:4000").action_env()
    inputs = read_inputs(env)
    assert inputs.unknown == ()
    assert inputs.token == "smoke-token"  # noqa: S105 - action.yml's default, ${{ github.token }}
    assert env["INPUT_API-BASE"] == "http://llama-server:8080/v1"
    assert env["INPUT_PR-NUMBER"] == ""  # ${{ inputs.pr-number }} on a pull_request event
    assert env["GITHUB_API_URL"] == "http://github-api:4000"
    assert env["GITHUB_EVENT_NAME"] == "pull_request"
    assert env["GITHUB_REF"] == "refs/pull/2/merge"
    assert env["GITHUB_REPOSITORY"] == "Codertocat/Hello-World"
    assert env["HOME"] == "/github/home"


def test_the_runners_variables_win_over_the_steps_env(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["jobs"]["suggest"]["steps"][0]["env"] = {"GITHUB_API_URL": "x", "EXTRA": "kept"}
        data["jobs"]["suggest"]["steps"][0]["with"]["marker"] = "team-a"

    plan = _plan(_edited(tmp_path, edit), api_url="http://github-api:4000")
    env = plan.action_env()
    assert (env["GITHUB_API_URL"], env["EXTRA"]) == ("http://github-api:4000", "kept")
    assert plan.marker == "team-a"


def test_the_llamafile_workflow_keeps_its_env_and_skips_the_checkout() -> None:
    plan = _plan(LLAMAFILE)
    assert plan.service == "llamafile"
    assert plan.ports == ["8080:8080"]
    assert plan.service_env == {} and plan.volumes == []
    assert [s.where for s in plan.substitutions] == [
        "jobs.suggest.services.llamafile.image",
        "jobs.suggest.steps[1].uses",
        "GITHUB_API_URL",
    ]
    assert plan.not_run == [f"steps[0] {plan_checkout()}: not run here"]
    assert plan.step_env == {"OPENAI_API_KEY": ""}  # no secrets here
    assert plan.inputs["fallback-models"] == "openai/gpt-4o-mini"


def plan_checkout() -> str:
    data = yaml.safe_load(LLAMAFILE.read_text(encoding="utf-8"))
    uses: str = data["jobs"]["suggest"]["steps"][0]["uses"]
    return uses


# -- bad workflows: one error each, with the fix ----------------------------------------------


def test_a_draft_pr_is_skipped_by_the_jobs_if() -> None:
    with pytest.raises(RehearsalError, match="GitHub would skip the job"):
        _plan(event=_event(draft=True))


def test_an_event_the_workflow_does_not_take() -> None:
    event = copy.deepcopy(_event())
    event["action"] = "labeled"
    with pytest.raises(RehearsalError, match="does not run for pull_request") as caught:
        _plan(event=event)
    assert "labeled" in caught.value.fix


@pytest.mark.parametrize(
    ("edit", "match", "fix"),
    [
        (
            lambda d: d["jobs"]["suggest"]["steps"][0]["with"].update({"api-base": "http://x:8080/v1"}),
            "names host 'x'",
            "http://llama-server:PORT/v1",
        ),
        (
            lambda d: d["jobs"]["suggest"]["steps"][0]["with"].update({"modle": "x"}),
            "does not declare",
            "api-base",
        ),
        (
            lambda d: _service(d)["env"].pop("LLAMA_ARG_MODEL_URL"),
            "names no model",
            "LLAMA_ARG_MODEL_URL",
        ),
        (
            lambda d: _service(d).update(options="--health-interval 10"),
            "not a duration",
            "--health-interval 10s",
        ),
        (
            lambda d: d["jobs"]["suggest"]["steps"].append({"uses": "./"}),
            "2 steps that use this action",
            "exactly one step",
        ),
    ],
)  # fmt: skip
def test_a_bad_workflow_gives_one_error_with_its_fix(
    tmp_path: Path, edit: Any, match: str, fix: str
) -> None:
    with pytest.raises(RehearsalError, match=match) as caught:
        _plan(_edited(tmp_path, edit))
    assert fix in caught.value.fix


def test_triggers_follow_githubs_defaults() -> None:
    assert triggered({"pull_request": None}, "pull_request", "synchronize")
    assert not triggered({"pull_request": None}, "pull_request", "edited")
    assert triggered(["push", "pull_request"], "pull_request", "edited")
    assert triggered("pull_request", "pull_request", "opened")
    assert not triggered({"push": None}, "pull_request", "opened")

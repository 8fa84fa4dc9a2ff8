"""One declaration per setting: what it is called wherever a user can spell it.

Each `Setting` names a field of `settings.model.Settings` (which holds its type, default and
checks) and says its help, its command-line flag, its Action input and its environment
variables. Everything that spells a setting is generated from `SETTINGS`: the flags `suggest`
and `eval` share, the dictionary of flags given, the Action's input map, the environment
source and the names error messages use. action.yml stays hand-written and is tested against
it. Pure data, no pydantic: the CLI builds `--help` from it and stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Style = Literal["auto", "conventional", "plain"]
Body = Literal["author", "model"]
Apply = Literal["off", "auto-merge"]
WriteTo = Literal["comment", "pr-body"]
ENV_PREFIX = "COMMIT_POLISH_"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting's names: `flag` and `input` are None when it is not one."""

    name: str
    help: str
    flag: str | None = None
    """The command-line flag of `suggest` and `eval`."""
    input: str | None = None
    """The Action's input."""
    more_env: tuple[str, ...] = ()
    """Environment variables read after COMMIT_POLISH_<NAME>, in order."""
    parse: Callable[[str], Any] = str
    """How the flag's text becomes a value (argparse's `type`)."""
    choices: tuple[str, ...] = ()
    repeatable: bool = False
    """The flag may be given many times; the values keep their order."""
    metavar: str | None = None

    @property
    def env(self) -> tuple[str, ...]:
        """The environment variables that set it, the first one found winning."""
        return (ENV_PREFIX + self.name.upper(), *self.more_env)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "model",
        "LiteLLM model, e.g. llamafile/qwen2.5-coder-1.5b-instruct",
        flag="--model",
        input="model",
    ),
    Setting(
        "api_base",
        "the model's API root, e.g. http://127.0.0.1:8080/v1",
        flag="--api-base",
        input="api-base",
        more_env=("LLAMAFILE_API_BASE",),
    ),
    Setting("api_key", "the first model's key, only for one that needs one"),
    Setting(
        "fallback_models",
        "a model to try when the previous ones fail (repeatable, in order)",
        flag="--fallback-model",
        input="fallback-models",
        repeatable=True,
        metavar="MODEL",
    ),
    Setting(
        "cloud_on_forks",
        "also ask the cloud fallback models (every one not `llamafile/`) for a fork's pull "
        "request; off, a fork's gets the local model and the message built from the diff only",
        input="cloud-on-forks",
    ),
    Setting(
        "cloud_calls_per_pr",
        "the most calls to cloud models (every one not `llamafile/`) one pull request may "
        "cause over all its runs, reruns and /commit-polish commands, counted in the bot's own "
        "comment; past it only the local model is asked. 10 leaves room for a long PR's pushes "
        "when the local model fails now and then, yet bounds what a stranger's PR or a loop of "
        "reruns can spend; 0 never asks a cloud model",
        input="cloud-calls-per-pr",
    ),
    Setting(
        "timeout",
        "seconds to wait for one model answer",
        flag="--timeout",
        input="timeout",
        parse=float,
    ),
    Setting("retries", "retries of the same model on a 5xx, a dropped connection or a short 429"),
    Setting(
        "max_prompt_tokens",
        "hard cap on the prompt's size",
        flag="--max-prompt-tokens",
        input="max-prompt-tokens",
        parse=int,
    ),
    Setting("max_output_tokens", "cap on the answer's size"),
    Setting("temperature", "the model's sampling temperature"),
    Setting(
        "style",
        "auto follows the branch's recent subjects (where they mix both styles, a clearly "
        "conventional history of the changed files decides); conventional or plain force one",
        flag="--style",
        input="style",
        choices=get_args(Style),
    ),
    Setting(
        "body",
        "when the PR's own subject is kept: author keeps its words for the body (the commit's "
        "body, or its commits as a list), model has the model write one",
        flag="--body",
        input="body",
        choices=get_args(Body),
    ),
    Setting(
        "language",
        "language of the message (default: English)",
        flag="--language",
        input="language",
    ),
    Setting(
        "instructions",
        "extra instructions for the model",
        flag="--instructions",
        input="instructions",
    ),
    Setting(
        "ignore",
        "a gitignore-style glob of files to leave out of the prompt (repeatable)",
        flag="--ignore",
        input="ignore",
        repeatable=True,
        metavar="GLOB",
    ),
    Setting(
        "apply",
        "the Action only: auto-merge turns on GitHub's auto-merge (squash) with the suggested "
        "message, pinned to the head it was written for, whenever the subject is the pull "
        "request's own, as written; off leaves it to `/commit-polish apply` or "
        "`/commit-polish merge`",
        input="apply",
        choices=get_args(Apply),
    ),
    Setting(
        "write_to",
        "the Action only: pr-body also keeps the message's body in a marked block of the pull "
        "request's description, for merge queues and merge bots (Bulldozer, Kodiak) that "
        "build the squash commit from it; the rest of the description is never changed",
        input="write-to",
        choices=get_args(WriteTo),
    ),
    Setting(
        "write_title",
        "the Action only, with write_to pr-body: also sets the pull request's title to the "
        "suggested headline (without GitHub's ` (#N)`), until a person changes the title",
        input="write-title",
    ),
)
BY_NAME: Mapping[str, Setting] = {setting.name: setting for setting in SETTINGS}
INPUTS: Mapping[str, str] = {s.input: s.name for s in SETTINGS if s.input}
"""Action input -> setting."""


def given_flags(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a command line gave (`vars(args)`): only the flags the user passed."""
    return {s.name: values[s.name] for s in SETTINGS if s.flag and values.get(s.name) is not None}


def flag_spelling(name: str) -> str:
    """How a command line spells the setting, for error messages: `--fallback-model`."""
    setting = BY_NAME.get(name)
    return setting.flag if setting and setting.flag else name


def input_spelling(name: str) -> str:
    """How the Action's step spells the setting, for error messages: `input 'api-base'`."""
    setting = BY_NAME.get(name)
    return f"input {(setting.input if setting and setting.input else name)!r}"

"""The command line: `main(argv) -> int`, and one of the two edges that read the environment.

`main` reads the process environment once and hands it to the command it runs; nothing below
reads or writes it. Only argparse and the settings' declaration (pure data) are imported up
front, so `--help` and `--version` stay fast; each command imports what it needs (LiteLLM
only on paths that call or count for a model).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence

from commit_polish import __version__
from commit_polish.errors import CommitPolishError, ConfigError, ExitCode
from commit_polish.settings.declared import SETTINGS

# LiteLLM reads these when it is imported: no price list fetched, no tokenizer downloaded.
LITELLM_OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true"}


def _exit_codes(meanings: Mapping[ExitCode, str] | None = None) -> str:
    """The exit-code table for `--help`: every code, or only the `meanings` given."""
    lines = ["exit codes:"]
    for code, meaning in (meanings or {code: code.meaning for code in ExitCode}).items():
        lines += textwrap.wrap(
            meaning.replace("`", ""),
            width=79,
            initial_indent=f"  {code:<4}",
            subsequent_indent=" " * 6,
        )
    return "\n".join(lines)


EXIT_CODES = _exit_codes()
EVAL_EXIT_CODES = {
    ExitCode.OK: "every case ran (a case no model answered is scored on its diff-built message)",
    ExitCode.INTERNAL: "a case met an internal error (a bug, please report it); the others ran",
    ExitCode.CONFIG: ExitCode.CONFIG.meaning,
    ExitCode.INPUT: "the data set, the repository, or the --ids or --out file cannot be used",
    ExitCode.INTERRUPTED: ExitCode.INTERRUPTED.meaning,
}
"""The codes `eval` returns: it never fails on models (it scores), and with --kept a PR GitHub
refuses is counted unreadable (a rejected token or an unreachable API is a configuration)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commit-polish",
        description="Suggest the squash-commit message a change deserves.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"commit-polish {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _suggest_parser(commands)
    _eval_parser(commands)
    _serve_parser(commands)
    action = commands.add_parser(
        "action",
        help="run as the GitHub Action (reads the runner's environment)",
        description="The container's entry point: reads GITHUB_* and INPUT_* variables, "
        "posts or updates one PR comment, writes outputs and the job summary.",
    )
    action.set_defaults(handler=_run_action)
    return parser


def _suggest_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "suggest",
        help="suggest a commit message for a diff or a git range",
        description="Suggest a squash-commit message for a diff file, standard input, "
        "or a git range.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--diff-file", metavar="PATH", help="a unified diff ('-' for stdin)")
    source.add_argument("--range", metavar="BASE..HEAD", help="a git range in --repo")
    p.add_argument("--repo", default=".", metavar="PATH", help="git repository (default: .)")
    p.add_argument("--title", default="", help="the pull request's title")
    p.add_argument("--description", default="", help="the pull request's description")
    _setting_flags(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--dry-run", action="store_true", help="print the prompt; call no model")
    p.add_argument("--fail-on-error", action="store_true", help="exit 4 when every model fails")
    p.set_defaults(handler=_run_suggest)


def _setting_flags(p: argparse.ArgumentParser) -> None:
    """The settings `suggest` and `eval` share, so an evaluation measures what users run; each
    value lands under the setting's name (`settings.declared.given_flags` reads them)."""
    for setting in SETTINGS:
        if setting.flag is None:
            continue
        p.add_argument(
            setting.flag,
            dest=setting.name,
            action="append" if setting.repeatable else "store",
            type=setting.parse,
            choices=setting.choices or None,
            metavar=setting.metavar,
            help=setting.help,
        )


def _eval_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "eval",
        help="measure suggestions against the messages maintainers wrote",
        description="Run the suggest pipeline on every case of a data set of squash-merged "
        "PRs (JSON lines, optionally gzipped) or of a repository's own squash-merged PRs, "
        "write one result line per case to --out (a restarted run skips the cases already "
        "there), and print B-Norm BLEU, ROUGE-L and format scores, beside those of GitHub's "
        "default squash message on the PRs whose commits are known.",
        epilog=_exit_codes(EVAL_EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", metavar="FILE", help="records, .jsonl or .jsonl.gz")
    source.add_argument(
        "--repo",
        metavar="PATH",
        help="build the cases from this git repository's squash-merged PRs (one parent, "
        "subject ending in ' (#N)'; bots and releases left out)",
    )
    p.add_argument(
        "--last", type=_positive, metavar="N", help="with --repo: the N most recent (default 20)"
    )
    p.add_argument(
        "--every-commit",
        action="store_true",
        help="with --repo: a case of every commit a person wrote on the first-parent line, "
        "not only of squash-merged PRs (for a repository that commits directly or merges "
        "without squashing); such a commit has no PR's commits, so its case is diff only",
    )
    p.add_argument("--ids", metavar="FILE", help="only the case ids listed in FILE, one a line")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N cases")
    p.add_argument("--out", metavar="FILE", help="results, one JSON line per case (resumable)")
    p.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="cases asked at once, for a server that answers in parallel (default 1)",
    )
    p.add_argument(
        "--by", choices=("repo", "style", "size", "commits"), help="also score per group"
    )
    _setting_flags(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--dry-run", action="store_true", help="write each case's prompt (to --out or stdout)"
    )
    p.add_argument(
        "--kept",
        metavar="OWNER/NAME",
        help="with --repo: ask no model; read each PR's comment on GitHub repository "
        "OWNER/NAME (token: GITHUB_TOKEN; API: GITHUB_API_URL) and report how much of the "
        "suggestion it holds the squash commit kept, as the Action's merged check does",
    )
    p.add_argument(
        "--marker",
        metavar="NAME",
        help="with --kept: the Action's `marker` input, if it set one (default commit-polish)",
    )
    p.add_argument(
        "--bot-login",
        metavar="LOGIN",
        help="with --kept: the login the Action comments as, its `bot-login` input or the "
        "token's user (default github-actions[bot]); others' comments never count",
    )
    p.add_argument(
        "--diff-only",
        action="store_true",
        help="leave out the PR's commit messages (records' `pr_commits`), which the pipeline "
        "otherwise gets as the Action does: the diff and history alone, as eval measured "
        "before; an --out file holds one kind only",
    )
    p.set_defaults(handler=_run_eval)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "serve",
        help="run the embedded local model server (llamafile-compatible)",
        description="Start a llamafile or llama.cpp server with the embedded model, "
        "wait until it is healthy, and serve until Ctrl-C.",
    )
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--model",
        default="qwen",
        choices=("qwen", "smollm2"),
        help="embedded model: qwen (Qwen2.5-Coder-1.5B, default) or smollm2 (tiny, for tests)",
    )
    p.add_argument("--model-file", metavar="GGUF", help="serve this GGUF file instead")
    p.set_defaults(handler=_run_serve)


def _run_suggest(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from commit_polish.suggest import run_suggest

    return run_suggest(args, env)


def _run_eval(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if args.kept is not None:  # the Action's merged check over history: no model
        from commit_polish.action.merged_history import run_kept

        return run_kept(args, env)
    for flag, value in (("--marker", args.marker), ("--bot-login", args.bot_login)):
        if value is not None:
            raise ConfigError(f"{flag} needs --kept", fix=f"drop {flag}, or add --kept OWNER/NAME")
    from commit_polish.evaluation.command import run_eval

    return run_eval(args, env)


def _run_action(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from commit_polish.action.run import main as action_main

    return action_main(env)


def _run_serve(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from commit_polish.serve.gguf import cache_root
    from commit_polish.serve.server import run_serve

    return run_serve(
        port=args.port,
        model=args.model,
        model_file=args.model_file,
        host=args.host,
        cache=cache_root(env),
    )


def keep_litellm_offline() -> None:
    """Set LiteLLM's offline switches in this process unless the user set them: call it before
    LiteLLM is imported. `main` does; so must any script that imports `commit_polish.llm`
    without going through `main` (the benchmarks)."""
    for name, value in LITELLM_OFFLINE.items():
        os.environ.setdefault(name, value)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run one command; `env` defaults to the process environment, read here once."""
    args = _parser().parse_args(argv)
    keep_litellm_offline()
    env = dict(os.environ) if env is None else env
    try:
        code: int = args.handler(args, env)
    except CommitPolishError as exc:
        print(f"commit-polish: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("commit-polish: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The pipeline's order and contracts, with a fake completer standing in for the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from commit_polish import pipeline
from commit_polish.errors import AllModelsFailedError, ConfigError, InputError
from commit_polish.records import (
    Attempt,
    ChangeContext,
    ChatMessage,
    Completion,
    FileChange,
    PathCommit,
    SubjectSource,
)
from tests.support.paths import FIXTURES

SAMPLE = (FIXTURES / "sample.diff").read_bytes()
ANSWER = (
    "```\nFixed: completions mutating os.Args.\n\n"
    "getCompletions appended to a sub-slice of os.Args and could overwrite the caller's "
    "arguments when the backing array had spare capacity.\n```"
)
CONVENTIONAL = ("fix: quote args in fish completion (#2285)", "feat: add Ollama (#2389)") * 5


def chars(text: str) -> int:
    """A stand-in token counter: about four characters a token, like English text."""
    return (len(text) + 3) // 4


class FakeCompleter:
    def __init__(self, answer: str = ANSWER, *, shrink_first: bool = False) -> None:
        self.answer = answer
        self.shrink_first = shrink_first
        self.sent: list[Sequence[ChatMessage]] = []

    def __call__(
        self,
        messages: Sequence[ChatMessage],
        *,
        check: Callable[[str], str | None],
        shrink: Callable[[], Sequence[ChatMessage] | None],
    ) -> Completion:
        self.sent.append(messages)
        if self.shrink_first:
            smaller = shrink()
            assert smaller is not None
            self.sent.append(smaller)
        assert check(self.answer) is None
        attempt = Attempt("llamafile/test", "ok", "", 0.5, 100, 20, None)
        return Completion(self.answer, "llamafile/test", (attempt,))


def test_run_repairs_the_answer_into_the_repository_style() -> None:
    context = ChangeContext(history=CONVENTIONAL, co_authors=("Grace <grace@example.com>",))
    options = pipeline.Options(max_prompt_tokens=1536)
    completer = FakeCompleter()
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=completer)
    message = result.message
    assert message.from_model and result.model == "llamafile/test"
    assert message.subject.startswith("fix")
    assert ":" in message.subject and not message.subject.endswith(".")
    assert len(message.subject) <= 72
    assert "```" not in message.text
    assert message.trailers == ("Co-authored-by: Grace <grace@example.com>",)
    assert all(len(line) <= 72 for line in message.body.splitlines())
    assert result.messages == tuple(completer.sent[0])


def test_every_model_failing_gives_the_diff_built_message() -> None:
    attempts = (Attempt("llamafile/q", "connection", "refused", 0.01),)

    def failing(messages: Sequence[ChatMessage], **_: object) -> Completion:
        raise AllModelsFailedError("no model", attempts=attempts)

    context = ChangeContext(title="Stop completions from mutating os.Args")
    options = pipeline.Options(max_prompt_tokens=1536, body="model")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=failing)
    assert not result.message.from_model
    assert result.model is None and result.attempts == attempts
    assert "os.Args" in result.message.subject
    assert "completions.go" in result.message.body


@pytest.mark.parametrize("budget", [256, 400, 700, 1000, 1536, 4000])
def test_prompt_never_exceeds_the_budget(budget: int) -> None:
    big = b"".join(path.read_bytes() for path in sorted((FIXTURES / "diffs").glob("*.diff")))
    context = ChangeContext(title="A title", description="Why. " * 40, history=CONVENTIONAL)
    try:
        ready = pipeline.prepare(big, context, pipeline.Options(max_prompt_tokens=budget), chars)
    except ConfigError as exc:
        assert budget < 700, exc  # only a budget smaller than the fixed prompt may refuse
        assert "max_prompt_tokens" in str(exc)
        return
    assert ready.prompt_tokens <= budget
    assert ready.prompt_tokens == pipeline.prompt_tokens(ready.messages, chars)


def test_real_token_counter_keeps_the_hard_cap() -> None:
    from commit_polish.llm import token_counter

    count = token_counter("llamafile/qwen2.5-coder-1.5b-instruct")
    big = b"".join(path.read_bytes() for path in sorted((FIXTURES / "diffs").glob("*.diff")))
    ready = pipeline.prepare(big, ChangeContext(), pipeline.Options(max_prompt_tokens=900), count)
    assert ready.prompt_tokens <= 900
    assert ready.digest.omitted or ready.digest.condensed  # it really had to leave some out


def test_context_window_shrink_sends_a_smaller_prompt() -> None:
    completer = FakeCompleter(shrink_first=True)
    big = b"".join(path.read_bytes() for path in sorted((FIXTURES / "diffs").glob("*.diff")))
    result = pipeline.run(
        big,
        ChangeContext(),
        pipeline.Options(max_prompt_tokens=3000),
        count=chars,
        completer=completer,
    )
    first, smaller = completer.sent
    assert pipeline.prompt_tokens(smaller, chars) < pipeline.prompt_tokens(first, chars)
    assert result.messages == tuple(smaller)
    assert result.prompt_tokens == pipeline.prompt_tokens(smaller, chars)


def test_ignore_globs_leave_files_out(tmp_path: Path) -> None:
    options = pipeline.Options(max_prompt_tokens=1536, ignore=("*_test.go",))
    ready = pipeline.prepare(SAMPLE, ChangeContext(), options, chars)
    assert ready.ignored == ("completions_test.go",)
    assert [f.path for f in ready.files] == ["completions.go"]
    assert "completions_test.go" not in ready.messages[-1].content


def test_everything_ignored_is_a_clear_error() -> None:
    options = pipeline.Options(max_prompt_tokens=1536, ignore=("*.go",))
    with pytest.raises(InputError, match="ignore"):
        pipeline.prepare(SAMPLE, ChangeContext(), options, chars)


def test_forced_plain_style_drops_a_conventional_prefix() -> None:
    completer = FakeCompleter("fix(completions.go): copy args before appending")
    options = pipeline.Options(max_prompt_tokens=1536, style="plain")
    result = pipeline.run(SAMPLE, ChangeContext(), options, count=chars, completer=completer)
    assert result.message.subject == "Copy args before appending"


def test_pr_text_of_any_size_gives_way_to_the_diff() -> None:
    """The PR's title and commit subjects are its author's to size: however long, they are
    cut before the diff loses its room, and never make a configuration error."""
    huge = "Fix " + "".join(f"w{n}-" for n in range(30_000))
    context = ChangeContext(title=huge, description=huge, commit_messages=(huge,) * 3)
    ready = pipeline.prepare(SAMPLE, context, pipeline.Options(max_prompt_tokens=1536), chars)
    assert ready.prompt_tokens <= 1536
    assert ready.digest.included  # the diff still reaches the model
    assert huge[:200] in ready.messages[-1].content and huge[:300] not in ready.messages[-1].content


def test_a_long_description_is_cut_so_the_diff_keeps_half_the_prompt() -> None:
    first = "Completions appended to os.Args and broke the caller's slice."
    description = first + "\n\n" + "More background on the history of this bug. " * 60
    context = ChangeContext(title="Copy args", description=description, history=CONVENTIONAL)
    ready = pipeline.prepare(SAMPLE, context, pipeline.Options(max_prompt_tokens=768), chars)
    assert ready.digest.budget >= 768 // 2
    assert first in ready.messages[-1].content  # the description's start is kept
    assert description[:900] not in ready.messages[-1].content


def test_only_the_workflow_own_text_can_leave_no_room() -> None:
    options = pipeline.Options(max_prompt_tokens=256, instructions="Be brief. " * 200)
    with pytest.raises(ConfigError, match="leaves no room for the diff"):
        pipeline.prepare(SAMPLE, ChangeContext(), options, chars)


def test_an_answer_that_shortens_into_a_recent_subject_is_sent_back() -> None:
    history = ("Refactor the handling of completion arguments (#2301)",) + tuple(
        f"Fix issue number {n} in the parser (#{2200 + n})" for n in range(6)
    )
    long_answer = (
        "Refactor the handling of completion arguments in the shell completion code "
        "paths\n\nKeeps os.Args intact."
    )
    seen: list[str | None] = []

    def completer(
        messages: Sequence[ChatMessage],
        *,
        check: Callable[[str], str | None],
        shrink: Callable[[], Sequence[ChatMessage] | None],
    ) -> Completion:
        seen.append(check(long_answer))
        seen.append(check("Stop completions from mutating os.Args"))
        attempt = Attempt("llamafile/test", "ok", "", 0.5, 100, 20, None)
        return Completion("Stop completions from mutating os.Args", "llamafile/test", (attempt,))

    context = ChangeContext(history=history)
    pipeline.run(
        SAMPLE, context, pipeline.Options(max_prompt_tokens=768), count=chars, completer=completer
    )
    assert seen[0] == (
        "the subject copies a recent commit: 'Refactor the handling of completion arguments'"
    )
    assert seen[1] is None


class NoModel:
    """A completer that must not be called."""

    def __call__(self, messages: Sequence[ChatMessage], **_: object) -> Completion:
        raise AssertionError("no model should be asked for a message that already fits")


def test_one_commit_whose_message_fits_is_kept_without_a_model() -> None:
    commit = "fix: keep completions from mutating os.Args\n\nThey appended to a sub-slice."
    context = ChangeContext(
        commit_messages=(commit,), history=CONVENTIONAL, co_authors=("Grace <g@example.org>",)
    )
    result = pipeline.run(
        SAMPLE, context, pipeline.Options(max_prompt_tokens=1536), count=chars, completer=NoModel()
    )
    assert result.message.subject == "fix: keep completions from mutating os.Args"
    assert result.message.body == "They appended to a sub-slice."
    assert result.message.trailers == ("Co-authored-by: Grace <g@example.org>",)
    assert result.model is None and result.attempts == () and result.message.from_model


def test_a_kept_subject_without_a_body_is_the_whole_message_by_default() -> None:
    context = ChangeContext(
        commit_messages=("feat: stop mutating os.Args in completions",), history=CONVENTIONAL
    )
    result = pipeline.run(
        SAMPLE, context, pipeline.Options(max_prompt_tokens=1536), count=chars, completer=NoModel()
    )
    assert result.message.text == "feat: stop mutating os.Args in completions"


def test_body_model_asks_the_model_for_the_body_under_a_kept_subject() -> None:
    context = ChangeContext(
        commit_messages=("feat: stop mutating os.Args in completions",), history=CONVENTIONAL
    )
    completer = FakeCompleter()
    options = pipeline.Options(max_prompt_tokens=1536, body="model")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=completer)
    # The verb and the type agreed, so the words and the type stay the author's.
    assert result.message.subject == "feat: stop mutating os.Args in completions"
    assert "getCompletions appended" in result.message.body
    user = completer.sent[0][-1].content
    assert "Use this subject line as it is" in user
    assert "feat: stop mutating os.Args in completions" in user


def test_a_weak_commit_subject_is_left_to_the_model() -> None:
    context = ChangeContext(commit_messages=("wip", "fix tests"), history=CONVENTIONAL)
    completer = FakeCompleter()
    result = pipeline.run(
        SAMPLE, context, pipeline.Options(max_prompt_tokens=1536), count=chars, completer=completer
    )
    assert "os.Args" in result.message.subject
    assert "Use this subject line" not in completer.sent[0][-1].content
    # Only the subject is the model's: the body stays GitHub's list of the commits.
    assert result.message.body == "* wip\n\n* fix tests"
    model_body = pipeline.Options(max_prompt_tokens=1536, body="model")
    result = pipeline.run(SAMPLE, context, model_body, count=chars, completer=FakeCompleter())
    assert result.message.body and "* wip" not in result.message.body


def test_a_kept_subject_survives_every_model_failing() -> None:
    def failing(messages: Sequence[ChatMessage], **_: object) -> Completion:
        raise AllModelsFailedError("no model", attempts=())

    context = ChangeContext(commit_messages=("fix: stop mutating os.Args",), history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536, body="model")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=failing)
    assert result.message.subject == "fix: stop mutating os.Args"
    assert not result.message.from_model


class Answers(FakeCompleter):
    """Answers in turn until the pipeline accepts one; records each verdict."""

    def __init__(self, *answers: str) -> None:
        super().__init__()
        self.answers = list(answers)
        self.verdicts: list[str | None] = []

    def __call__(
        self,
        messages: Sequence[ChatMessage],
        *,
        check: Callable[[str], str | None],
        shrink: Callable[[], Sequence[ChatMessage] | None],
    ) -> Completion:
        for answer in self.answers:
            self.verdicts.append(check(answer))
            if self.verdicts[-1] is None:
                return Completion(answer, "llamafile/test", ())
        raise AssertionError("no answer accepted")


def test_a_subject_that_only_names_files_is_sent_back_once() -> None:
    context = ChangeContext(history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536)
    better = Answers("Update completions.go", "fix: stop mutating os.Args in completions")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=better)
    assert result.message.subject == "fix: stop mutating os.Args in completions"
    assert better.verdicts[0] is not None and "says too little" in better.verdicts[0]
    # Weak twice: the second is taken, a model's answer is better than none.
    stubborn = Answers("Update completions.go", "Update completions.go and more.go")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=stubborn)
    assert stubborn.verdicts[1] is None and "completions.go" in result.message.subject


DOCS_DIFF = (
    "diff --git a/docs/local-setup.md b/docs/local-setup.md\n"
    "--- a/docs/local-setup.md\n+++ b/docs/local-setup.md\n"
    "@@ -1,2 +1,3 @@\n # Local setup\n-Run npm install.\n+Run npm install, then:\n+npx husky init\n"
)


@pytest.mark.parametrize(
    ("answer", "subject"),
    [
        ("feat: add the husky init step", "docs: add the husky init step"),
        ("fix(docs): add the husky init step", "docs: add the husky init step"),
        ("fix(setup): add the husky init step", "docs(setup): add the husky init step"),
        ("chore: add the husky init step", "chore: add the husky init step"),
    ],
)
def test_a_models_code_type_on_a_docs_only_change_becomes_docs(answer: str, subject: str) -> None:
    context = ChangeContext(history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536)
    result = pipeline.run(DOCS_DIFF, context, options, count=chars, completer=FakeCompleter(answer))
    assert result.message.subject == subject


def _diff(*paths: str) -> str:
    return "".join(
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"
        for path in paths
    )


@pytest.mark.parametrize(
    ("paths", "answer", "subject"),
    [
        (("tests/test_cli.py",), "fix(test): cover the cli flags", "test: cover the cli flags"),
        (("src/cli_test.go",), "feat(cli): add tests", "test(cli): add tests"),
        (("package.json", "yarn.lock"), "fix: bump lodash", "chore: bump lodash"),
        (("src/app.py", "yarn.lock"), "fix: bump lodash", "fix: bump lodash"),
        (("tests/test_cli.py",), "docs: explain the tests", "docs: explain the tests"),
    ],
)
def test_a_models_code_type_on_tests_alone_or_a_dependency_update_gives_way(
    paths: tuple[str, ...], answer: str, subject: str
) -> None:
    context = ChangeContext(history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536)
    diff = _diff(*paths)
    result = pipeline.run(diff, context, options, count=chars, completer=FakeCompleter(answer))
    assert result.message.subject == subject


def test_an_authors_type_on_tests_alone_stands() -> None:
    # cobra's maintainers merged `fix:` for a change of tests alone (docs/quality.md).
    own = ChangeContext(commit_messages=("fix: remove deprecated io/ioutil",), history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536)
    result = pipeline.run(_diff("cmd_test.go"), own, options, count=chars, completer=NoModel())
    assert result.message.subject == "fix: remove deprecated io/ioutil"


def test_an_ignored_file_leaves_the_models_type_alone() -> None:
    code = "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n"
    diff = DOCS_DIFF + code + "@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    options = pipeline.Options(max_prompt_tokens=1536, ignore=("src/**",))
    answer = FakeCompleter("feat: add the husky init step")
    result = pipeline.run(
        diff, ChangeContext(history=CONVENTIONAL), options, count=chars, completer=answer
    )
    assert result.message.subject == "feat: add the husky init step"


CHANGESET = (
    "diff --git a/.changeset/odd-wasps-smoke.md b/.changeset/odd-wasps-smoke.md\n"
    "new file mode 100644\n--- /dev/null\n+++ b/.changeset/odd-wasps-smoke.md\n"
    "@@ -0,0 +1,5 @@\n+---\n+'cobra': patch\n+---\n+\n"
    "+Keep completions from mutating os.Args\n"
)


def test_the_changes_own_changelog_entry_is_the_subject_and_a_model_writes_the_body() -> None:
    completer = FakeCompleter()
    context = ChangeContext(history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=1536)
    result = pipeline.run(
        SAMPLE + CHANGESET.encode(), context, options, count=chars, completer=completer
    )
    assert result.message.subject == "fix: keep completions from mutating os.Args"
    assert result.subject_source is SubjectSource.NOTE
    assert "getCompletions appended" in result.message.body
    assert "Use this subject line as it is" in completer.sent[0][-1].content


def test_with_commits_the_entry_stands_in_only_for_a_weak_subject() -> None:
    diff = SAMPLE + CHANGESET.encode()
    options = pipeline.Options(max_prompt_tokens=1536)
    weak = ChangeContext(commit_messages=("wip", "fix tests"), history=CONVENTIONAL)
    result = pipeline.run(diff, weak, options, count=chars, completer=NoModel())
    assert result.message.subject == "fix: keep completions from mutating os.Args"
    assert result.message.body == "* wip\n\n* fix tests"
    assert result.subject_source is SubjectSource.NOTE
    own = ChangeContext(commit_messages=("fix: copy the completion args",), history=CONVENTIONAL)
    result = pipeline.run(diff, own, options, count=chars, completer=NoModel())
    assert result.message.subject == "fix: copy the completion args"
    assert result.subject_source is SubjectSource.AUTHOR


PROSE = (
    "diff --git a/.changeset/odd-wasps-smoke.md b/.changeset/odd-wasps-smoke.md\n"
    "new file mode 100644\n--- /dev/null\n+++ b/.changeset/odd-wasps-smoke.md\n"
    "@@ -0,0 +1,6 @@\n+---\n+'cobra': patch\n+---\n+\n"
    "+Completions no longer mutate os.Args. They work on a copy, so a second\n"
    "+call sees the arguments the shell gave.\n"
)


def test_a_prose_entry_reaches_the_prompt_when_the_model_writes_the_subject() -> None:
    options = pipeline.Options(max_prompt_tokens=1536)
    diff = SAMPLE + PROSE.encode()
    told = "The change's changelog entry, in its author's words:\nCompletions no longer mutate"
    weak = FakeCompleter("fix: keep completions from mutating os.Args")
    context = ChangeContext(commit_messages=("wip",), history=CONVENTIONAL)
    result = pipeline.run(diff, context, options, count=chars, completer=weak)
    assert result.subject_source is SubjectSource.MODEL
    assert told in weak.sent[0][-1].content
    # An author's subject that is kept needs no help from it, nor does a diff without one.
    own = ChangeContext(commit_messages=("fix: copy the completion args",), history=CONVENTIONAL)
    body = FakeCompleter()
    result = pipeline.run(diff, own, replace(options, body="model"), count=chars, completer=body)
    assert result.subject_source is SubjectSource.AUTHOR
    assert "changelog entry" not in body.sent[0][-1].content
    plain = FakeCompleter("fix: keep completions from mutating os.Args")
    pipeline.run(SAMPLE, context, options, count=chars, completer=plain)
    assert "changelog entry" not in plain.sent[0][-1].content


def test_a_prose_entry_gives_way_to_the_diff_too() -> None:
    # It is the PR author's text: it never turns a prompt that fits into a settings error.
    context = ChangeContext(commit_messages=("wip",), history=CONVENTIONAL)
    options = pipeline.Options(max_prompt_tokens=300)
    ready = pipeline.prepare(SAMPLE + PROSE.encode(), context, options, chars)
    assert ready.prompt_tokens <= 300 and ready.digest.included
    assert "changelog entry" not in ready.messages[-1].content


def test_a_conventional_changelog_item_gives_its_scope_where_the_history_has_scopes() -> None:
    item = "- **completions:** keep completions from mutating os.Args (a5ab87d)"
    diff = (
        "diff --git a/CHANGELOG.md b/CHANGELOG.md\n--- a/CHANGELOG.md\n+++ b/CHANGELOG.md\n"
        f"@@ -1,2 +1,3 @@\n ## Unreleased\n \n+{item}\n"
    )
    options = pipeline.Options(max_prompt_tokens=1536)
    scoped = tuple(f"fix(part{n}): quote args {n}" for n in range(6))
    unscoped = tuple(f"fix: quote args {n}" for n in range(6))
    subjects = {}
    for name, history in (("scoped", scoped), ("unscoped", unscoped)):
        context = ChangeContext(history=history)
        result = pipeline.run(
            SAMPLE + diff.encode(), context, options, count=chars, completer=FakeCompleter()
        )
        assert result.subject_source is SubjectSource.NOTE
        subjects[name] = result.message.subject
    assert subjects == {
        "scoped": "fix(completions): keep completions from mutating os.Args",
        "unscoped": "fix: keep completions from mutating os.Args",
    }


def test_an_ignored_changelog_gives_no_subject() -> None:
    options = pipeline.Options(max_prompt_tokens=1536, ignore=(".changeset/**",))
    completer = FakeCompleter("fix: stop mutating os.Args")
    context = ChangeContext(history=CONVENTIONAL)
    diff = SAMPLE + CHANGESET.encode()
    result = pipeline.run(diff, context, options, count=chars, completer=completer)
    assert result.message.subject == "fix: stop mutating os.Args"
    assert result.subject_source is SubjectSource.MODEL


def test_a_models_subject_takes_the_scope_its_paths_have_had() -> None:
    paths = ("completions.go",)
    context = ChangeContext(
        history=CONVENTIONAL,
        path_history=(
            PathCommit("fix(completions): quote args in fish", paths),
            PathCommit("feat(completions): add a directive", paths),
        ),
    )
    options = pipeline.Options(max_prompt_tokens=1536)
    answer = FakeCompleter("fix(cmd): stop mutating os.Args")
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=answer)
    assert result.message.subject == "fix(completions): stop mutating os.Args"
    # An author's subject is theirs: no scope is added to it.
    kept = replace(context, commit_messages=("fix: stop mutating os.Args",))
    result = pipeline.run(SAMPLE, kept, options, count=chars, completer=NoModel())
    assert result.message.subject == "fix: stop mutating os.Args"


def test_a_models_scope_that_only_names_a_changed_file_goes() -> None:
    options = pipeline.Options(max_prompt_tokens=1536)
    answer = FakeCompleter("fix(completions_test): stop mutating os.Args")
    context = ChangeContext(history=CONVENTIONAL)
    result = pipeline.run(SAMPLE, context, options, count=chars, completer=answer)
    assert result.message.subject == "fix: stop mutating os.Args"


def test_a_models_subject_takes_the_used_scope_of_the_folder_holding_its_files() -> None:
    # Bookkeeping (a change note, a lockfile, a manifest at the root) is in no folder.
    diff = _diff("examples/grid/main.go", ".changeset/grid.md", "go.sum", "go.mod").encode()
    context = ChangeContext(history=("fix(examples): handle resize", *CONVENTIONAL))
    options = pipeline.Options(max_prompt_tokens=1536)
    answer = FakeCompleter("feat(grid): add a cellular grid example")
    result = pipeline.run(diff, context, options, count=chars, completer=answer)
    assert result.message.subject == "feat(examples): add a cellular grid example"


def test_the_paths_history_is_read_only_for_a_model_subject() -> None:
    asked: list[tuple[str, ...]] = []

    def read_paths(files: Sequence[FileChange]) -> tuple[PathCommit, ...]:
        asked.append(tuple(f.path for f in files))
        return (PathCommit("fix(completions): a"), PathCommit("feat(completions): b"))

    options = pipeline.Options(max_prompt_tokens=1536)
    kept = ChangeContext(commit_messages=("fix: stop mutating os.Args",), history=CONVENTIONAL)
    pipeline.run(SAMPLE, kept, options, count=chars, completer=NoModel(), read_paths=read_paths)
    assert asked == []  # the author's subject is kept: no call is worth making
    answer = FakeCompleter("fix: stop mutating os.Args")
    context = ChangeContext(history=CONVENTIONAL)
    result = pipeline.run(
        SAMPLE, context, options, count=chars, completer=answer, read_paths=read_paths
    )
    assert asked == [("completions.go", "completions_test.go")]
    assert result.message.subject == "fix(completions): stop mutating os.Args"
    # A plain subject takes no scope: its history is not worth a call.
    plain = FakeCompleter("Stop mutating os.Args in completions")
    plain_context = ChangeContext(history=("Add a flag", "Fix quoted paths") * 5)
    pipeline.run(
        SAMPLE, plain_context, options, count=chars, completer=plain, read_paths=read_paths
    )
    assert len(asked) == 1


def test_a_mixed_history_reads_the_paths_once_for_the_style_and_the_scope() -> None:
    asked: list[int] = []

    def read_paths(files: Sequence[FileChange]) -> tuple[PathCommit, ...]:
        asked.append(len(files))
        paths = tuple(f.path for f in files)
        return tuple(PathCommit(f"fix(completions): change {i}", paths) for i in range(3))

    mixed = tuple(f"fix: quote args {i}" for i in range(5)) + tuple(
        f"Add flag {i}" for i in range(5)
    )
    options = pipeline.Options(max_prompt_tokens=1536)
    answer = FakeCompleter("fix: stop mutating os.Args")
    context = ChangeContext(history=mixed)
    result = pipeline.run(
        SAMPLE, context, options, count=chars, completer=answer, read_paths=read_paths
    )
    assert asked == [2]
    assert result.message.subject == "fix(completions): stop mutating os.Args"
    kept = replace(context, commit_messages=("fix: stop mutating os.Args",))
    pipeline.run(SAMPLE, kept, options, count=chars, completer=NoModel(), read_paths=read_paths)
    assert asked == [2]  # the author's subject decides its own form: no call is worth making
    assert "where type is one of" in " ".join(m.content for m in answer.sent[0])
    # Without the paths' history the tie goes to plain, and the model's prefix is dropped.
    plain = pipeline.run(SAMPLE, context, options, count=chars, completer=answer)
    assert "where type is one of" not in " ".join(m.content for m in answer.sent[1])
    assert plain.message.subject == "Stop mutating os.Args"

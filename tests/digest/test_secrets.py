"""Secrets in the diff are masked where it is parsed, counted, and never reach the prompt;
the shas, digests, UUIDs, lockfile hashes, image data, names and URLs a diff is full of stay.

Every fake secret is built from parts at run time, so no secret scanner takes this file for a
leak and no fake is a real key.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commit_polish import pipeline
from commit_polish.digest.fit import fit
from commit_polish.digest.parse import parse_diff
from commit_polish.digest.secrets import MIN_ENTROPY, PLACEHOLDER, entropy, mask, mask_hunk
from commit_polish.records import (
    ChangeContext,
    CommitMessage,
    Completion,
    FileChange,
    Suggestion,
)
from commit_polish.suggest import suggestion_json

_RANDOM = random.Random(15)  # noqa: S311 - reproducible fakes, not keys
ALNUM = string.ascii_letters + string.digits


def noise(size: int, alphabet: str = ALNUM) -> str:
    """A random key's body; with a digit and a capital when the alphabet has them, as real
    keys of that size do."""
    wanted = [kind for kind in (string.digits, string.ascii_uppercase) if set(kind) & set(alphabet)]
    while True:
        text = "".join(_RANDOM.choices(alphabet, k=size))
        if all(set(kind) & set(text) for kind in wanted):
            return text


def chars(text: str) -> int:
    """A stand-in token counter: about four characters a token."""
    return (len(text) + 3) // 4


KNOWN = {
    "AWS access key id": "AKIA" + noise(16, string.ascii_uppercase + string.digits),
    "AWS temporary key id": "ASIA" + noise(16, string.ascii_uppercase + string.digits),
    "GitHub classic token": "ghp_" + noise(36),
    "GitHub OAuth token": "gho_" + noise(36),
    "GitHub user-to-server token": "ghu_" + noise(36),
    "GitHub server-to-server token": "ghs_" + noise(36),
    "GitHub refresh token": "ghr_" + noise(36),
    "GitHub fine-grained token": "github" + "_pat_" + noise(22) + "_" + noise(59),
    "OpenAI key": "sk-" + noise(48),
    "OpenAI project key": "sk-" + "proj-" + noise(40, ALNUM + "_-"),
    "Anthropic key": "sk-" + "ant-api03-" + noise(93, ALNUM + "_-"),
    "Slack bot token": "xox" + "b-" + noise(12, string.digits) + "-" + noise(24),
    "Slack user token": "xox" + "p-" + noise(12, string.digits) + "-" + noise(24),
    "Google API key": "AI" + "za" + noise(35, ALNUM + "_-"),
    "Stripe secret key": "sk" + "_live_" + noise(24),
    "Stripe restricted key": "rk" + "_live_" + noise(24),
    "GitLab token": "glpat" + "-" + noise(20),
    "npm token": "npm" + "_" + noise(36),
    "Hugging Face token": "hf" + "_" + noise(34),
    "SendGrid key": "SG" + "." + noise(22) + "." + noise(43),
    "JSON web token": "eyJ" + noise(30) + ".eyJ" + noise(40) + "." + noise(43, ALNUM + "_-"),
}


def one_file(path: str, body: Sequence[str], *, new: bool = False) -> str:
    """A `git diff` of one file whose single hunk is `body` (lines with their prefix)."""
    old = sum(1 for line in body if line[0] in " -")
    added = sum(1 for line in body if line[0] in " +")
    head = [f"diff --git a/{path} b/{path}"]
    if new:
        head += ["new file mode 100644", "--- /dev/null"]
    else:
        head.append(f"--- a/{path}")
    head += [f"+++ b/{path}", f"@@ -{0 if new else 1},{old} +1,{added} @@"]
    return "\n".join([*head, *body]) + "\n"


def every_line(change: FileChange) -> list[str]:
    return [line for hunk in change.hunks for line in (hunk.header, *hunk.lines)]


# --- known formats --------------------------------------------------------------------------


@pytest.mark.parametrize("name", KNOWN)
def test_a_known_format_is_masked_on_added_removed_and_context_lines(name: str) -> None:
    secret = KNOWN[name]
    body = [
        f" CONTEXT_SETTING = {secret}",
        f'-    client = Client("{secret}")',
        f"+    headers = {{'Authorization': 'Bearer {secret}'}}",
        "+    client = Client(headers=headers)",
    ]
    [change] = parse_diff(one_file("app/client.py", body))
    lines = every_line(change)
    assert not any(secret in line for line in lines), name
    assert change.masked == 3
    assert change.hunks[0].lines == (
        f" CONTEXT_SETTING = {PLACEHOLDER}",
        f'-    client = Client("{PLACEHOLDER}")',
        f"+    headers = {{'Authorization': 'Bearer {PLACEHOLDER}'}}",
        "+    client = Client(headers=headers)",
    )


@pytest.mark.parametrize("name", KNOWN)
def test_a_known_format_inside_a_longer_word_is_not_cut_out(name: str) -> None:
    """A prefix must start a word: `task-`, `mask-` or `xsk-...` are not keys."""
    text = f"prefix{KNOWN[name]}"
    assert mask(text) == (text, 0)


# --- random values assigned to a name that says secret ------------------------------------

VALUE = noise(32, ALNUM + "+/")
ASSIGNMENTS = [
    f'  "password": "{VALUE}",',
    f"  client_secret: {VALUE}",
    f"token = '{VALUE}'",
    f"export SERVICE_API_KEY={VALUE}",
    f"spring.datasource.password={VALUE}",
    f"curl -H 'Authorization: Bearer {VALUE}' https://api.example.com",
    f"redirect: https://app.example.com/callback?access_token={VALUE}&state=1",
    f"run --db-passwd={VALUE} --verbose",
    f'headers["X-Api-Key"] = "{VALUE}"',
    f"const sessionSecret = `{VALUE}`;",
    f"$settings['hash_salt'] = '{VALUE}';",
]


@pytest.mark.parametrize("line", ASSIGNMENTS)
def test_a_random_value_assigned_to_a_secret_name_is_masked(line: str) -> None:
    masked, found = mask(line)
    assert (found, VALUE in masked) == (1, False)
    assert masked == line.replace(VALUE, PLACEHOLDER)


# --- a committed .env, a private key -----------------------------------------------------------

DB_PASSWORD = noise(18)
ENV_SECRETS = {
    "SECRET_KEY": noise(50, ALNUM + "!@#%^*-_"),
    "STRIPE_API_KEY": KNOWN["Stripe secret key"],
    "OPENAI_API_KEY": KNOWN["OpenAI project key"],
    "AWS_ACCESS_KEY_ID": KNOWN["AWS access key id"],
    "AWS_SECRET_ACCESS_KEY": noise(40, ALNUM + "+/"),
    "SESSION_COOKIE_SECRET": noise(32, string.ascii_lowercase + string.digits + "-_"),
}
ENV = one_file(
    ".env",
    [
        "+# local settings, never commit",
        "+DEBUG=true",
        f"+DATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal:5432/app",
        *(f"+{name}={value}" for name, value in ENV_SECRETS.items()),
        "+SESSION_TIMEOUT_SECONDS=3600",
        "+APP_NAME=commit-polish-demo-application",
        "+PUBLIC_URL=https://commit-polish.example.com/app/dashboard",
    ],
    new=True,
)


def test_a_committed_env_file_keeps_its_names_and_loses_its_values() -> None:
    [change] = parse_diff(ENV)
    text = "\n".join(every_line(change))
    for value in (DB_PASSWORD, *ENV_SECRETS.values()):
        assert value not in text
    assert change.masked == 1 + len(ENV_SECRETS)
    assert f"postgres://app:{PLACEHOLDER}@db.internal:5432/app" in text
    for name in ENV_SECRETS:
        assert f"+{name}={PLACEHOLDER}" in change.hunks[0].lines
    for kept in ("DEBUG=true", "SESSION_TIMEOUT_SECONDS=3600", "commit-polish-demo-application"):
        assert kept in text
    assert "https://commit-polish.example.com/app/dashboard" in text


def test_the_hunk_header_section_is_masked_too() -> None:
    """git writes the nearest line above the hunk that starts with a letter after `@@`."""
    secret = noise(40)
    header, lines, found = mask_hunk(f"@@ -4,2 +4,3 @@ API_TOKEN={secret}", [" A=1", "+B=2"])
    assert (header, lines, found) == (
        f"@@ -4,2 +4,3 @@ API_TOKEN={PLACEHOLDER}",
        (" A=1", "+B=2"),
        1,
    )


KEY_BODY = [noise(64, ALNUM + "+/") for _ in range(5)] + [noise(20, ALNUM + "+/") + "=="]


def test_a_private_key_block_keeps_its_begin_and_end_lines_only() -> None:
    body = [
        "+-----BEGIN RSA PRIVATE KEY-----",
        *(f"+{line}" for line in KEY_BODY),
        "+-----END RSA PRIVATE KEY-----",
    ]
    [change] = parse_diff(one_file("deploy/id_rsa", body, new=True))
    assert change.hunks[0].lines == (
        "+-----BEGIN RSA PRIVATE KEY-----",
        *(f"+{PLACEHOLDER}" for _ in KEY_BODY),
        "+-----END RSA PRIVATE KEY-----",
    )
    assert change.masked == 1  # one key, however many lines


def test_a_replaced_key_and_a_hunk_that_starts_inside_a_block() -> None:
    replaced = [
        " -----BEGIN OPENSSH PRIVATE KEY-----",
        *(f"-{line}" for line in KEY_BODY[:3]),
        *(f"+{line[::-1]}" for line in KEY_BODY[:3]),
        " -----END OPENSSH PRIVATE KEY-----",
    ]
    header, lines, found = mask_hunk("@@ -1,5 +1,5 @@", replaced)
    assert found == 1 and not any(key in "".join(lines) for key in KEY_BODY[:3])
    # git names the hunk after a key line above it, and the hunk has no BEGIN line.
    inside = [*(f" {line}" for line in KEY_BODY[2:4]), f"-{KEY_BODY[4]}", "+" + noise(64)]
    inside += [" -----END PRIVATE KEY-----"]
    header, lines, found = mask_hunk(f"@@ -20,4 +20,4 @@ {KEY_BODY[1]}", inside)
    assert found == 1
    assert header == f"@@ -20,4 +20,4 @@ {PLACEHOLDER}"
    assert lines[-1] == " -----END PRIVATE KEY-----"
    assert all(line[1:] == PLACEHOLDER for line in lines[:-1])


def test_a_key_quoted_on_one_line_as_in_a_service_account_file() -> None:
    begin, end = "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"
    escaped = "\\n".join(KEY_BODY)
    line = f'  "private_key": "{begin}\\n{escaped}\\n{end}\\n",'
    assert mask(line) == (f'  "private_key": "{begin}{PLACEHOLDER}{end}\\n",', 1)


def test_code_that_names_the_markers_is_not_a_key() -> None:
    code = (
        'if not pem.startswith("-----BEGIN PRIVATE KEY-----"):\n'
        '    raise ConfigurationError("the deploy key is not a PKCS8 private key")\n'
        'if not pem.rstrip().endswith("-----END PRIVATE KEY-----"):\n'
        '    placeholder = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"'
    )
    assert mask(code) == (code, 0)


# --- what is not a secret ---------------------------------------------------------------------

SHA1 = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UUID = "123e4567-e89b-12d3-a456-426614174000"
INTEGRITY = "sha512-" + noise(86, ALNUM + "+/") + "=="
GO_SUM = "h1:" + noise(43, ALNUM + "+/") + "="
PNG = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9h" + noise(300, ALNUM + "+/") + "=="
NOT_SECRETS = [
    f'     "commit": "{SHA1}",',
    f"-head_sha = {SHA1}",
    f"+secret_sha256: {SHA256}",  # a hint word, but a hex digest
    f'+request_token_id = "{UUID}"',
    f'+      "integrity": "{INTEGRITY}",',
    f"+  integrity {INTEGRITY}",
    f"+    resolution: {{integrity: {INTEGRITY}, tarball: https://registry.npmjs.org/a.tgz}}",
    f"+github.com/acme/auth-token v1.4.2 {GO_SUM}",
    f'+checksum = "{SHA256}"',
    f"+FROM python:3.12-slim@sha256:{SHA256}",
    f'+  <image width="16" height="16" href="data:image/png;base64,{PNG}"/>',
    f'+  "icon_key": "data:image/png;base64,{PNG}",',
    "+api_key = load_api_key_from_environment_or_keyring()",
    "+form_token = OAuth2PasswordRequestFormStrict",
    "+user_api_key_auth = user_api_key_auth_from_request_headers",
    "+    return compute_authentication_token_refresh_interval_seconds(config)",
    '+TOKEN_URL = "https://oauth2.googleapis.com/token"',
    '+homepage = "https://github.com/octo-org/commit-polish/blob/main/docs/architecture.md#rules"',
    '+secret_file = "config/credentials/production-service-account.json"',
    "+password: ${DB_PASSWORD_FROM_THE_VAULT_2024}",
    '+api_key = os.environ["OPENAI_API_KEY_FOR_THE_PROXY"]',
    '+grant_type = "urn:ietf:params:oauth:grant-type:device_code"',
    "+CACHE_KEY = 'litellm:health_check:deployment_health_state'",
    '+azure_apim_authorization = "Ocp-Apim-Subscription-Key"',
    '+    "client_secret_setting_name": "OIDC_CLIENT_SECRET_FOR_STAGING2",',
    '+author_email = "someone.with.a.long.name@example.com"',
    '+<div class="sk-folding-cube-animation-delay-2 task-force-mask-12">',
    "+session_token = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "+key = 12345678901234567890123456",
    "+if token == expected_token_for_this_session:",
    "+DATABASE_URL=postgres://user@localhost:5432/app",
    "+DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost:5432/app",
]


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_what_is_not_a_secret_is_left_alone(line: str) -> None:
    assert mask(line[1:]) == (line[1:], 0)


def test_a_diff_of_non_secrets_parses_as_it_reads() -> None:
    [change] = parse_diff(one_file("package-lock.json", NOT_SECRETS))
    assert change.masked == 0
    assert change.hunks[0].lines == tuple(NOT_SECRETS)


def test_entropy_in_bits_per_character() -> None:
    assert entropy("") == 0 and entropy("aaaa") == 0
    assert entropy("abcd") == 2
    assert entropy("12345678901234567890") < MIN_ENTROPY  # digits reach log2(10) at most


# --- the count, and nothing downstream sees a secret -------------------------------------------


def test_each_secret_counts_once_and_masking_twice_finds_nothing_more() -> None:
    line = f"token={KNOWN['OpenAI key']} other={KNOWN['GitHub classic token']} x=1"
    masked, found = mask(line)
    assert found == 2
    assert masked == f"token={PLACEHOLDER} other={PLACEHOLDER} x=1"
    assert mask(masked) == (masked, 0)


def test_a_long_secret_is_masked_whole() -> None:
    value = noise(1000, ALNUM + "+/")
    assert mask(f"PRIVATE_KEY_DER={value} # rest") == (f"PRIVATE_KEY_DER={PLACEHOLDER} # rest", 1)


SOURCE = one_file(
    "app/settings.py",
    [
        " import os",
        "-API_KEY = os.environ['API_KEY']",
        f'+API_KEY = "{KNOWN["Anthropic key"]}"',
        f'+GITHUB_TOKEN = "{KNOWN["GitHub fine-grained token"]}"',
        "+TIMEOUT = 30",
    ],
)


def test_no_secret_reaches_the_prompt_and_the_digest_counts_them() -> None:
    diff = SOURCE + ENV
    ready = pipeline.prepare(diff, ChangeContext(), pipeline.Options(max_prompt_tokens=1536), chars)
    prompt = "\n".join(message.content for message in ready.messages)
    secrets = [
        KNOWN["Anthropic key"],
        KNOWN["GitHub fine-grained token"],
        DB_PASSWORD,
        *ENV_SECRETS.values(),
    ]
    for secret in secrets:
        assert secret not in prompt
    assert PLACEHOLDER in prompt  # the model sees where a value was
    assert ready.digest.masked == len(secrets)
    assert sum(change.masked for change in ready.files) == len(secrets)


def test_a_key_in_the_pr_text_reaches_neither_the_prompt_nor_the_message() -> None:
    key, token = KNOWN["OpenAI key"], KNOWN["GitHub classic token"]
    context = ChangeContext(
        title=f"Use {key} for the tests",
        description=f"Set OPENAI_API_KEY={key} before running them.",
        commit_messages=(
            "Read the key from the environment",
            f"Load the settings\n\nThe CI token is {token}.",
        ),
    )
    for body in ("author", "model"):
        options = pipeline.Options(max_prompt_tokens=1536, body=body)
        ready = pipeline.prepare(SOURCE, context, options, chars)
        prompt = "\n".join(message.content for message in ready.messages)
        assert key not in prompt and token not in prompt
        assert PLACEHOLDER in prompt
        assert ready.digest.masked == 2 + 3  # the diff's two, then title, description, commit
    result = pipeline.run(
        SOURCE, context, pipeline.Options(max_prompt_tokens=1536), count=chars, completer=_unused
    )
    assert token not in result.message.text and PLACEHOLDER in result.message.body
    assert result.digest.masked == 2 + 3


def _unused(*_: object, **__: object) -> Completion:
    raise AssertionError("the author's subject is kept: no model is asked")


def test_the_count_is_the_whole_diff_even_when_little_of_it_fits() -> None:
    files = parse_diff(SOURCE + ENV)
    assert fit(files, 40, chars).masked == fit(files, 4000, chars).masked == 2 + 7


def test_suggest_json_says_how_many_were_masked() -> None:
    ready = pipeline.prepare(ENV, ChangeContext(), pipeline.Options(max_prompt_tokens=1536), chars)
    suggestion = Suggestion(
        CommitMessage("Add local settings"), None, (), ready.digest, ready.messages, 0, 0.0
    )
    assert suggestion_json(suggestion)["secrets_masked"] == 1 + len(ENV_SECRETS)


PIECES = (
    "\n",
    " ",
    "=",
    ": ",
    '"',
    "'",
    "://u:",
    "@",
    "key",
    "token=",
    "PASSWORD",
    "sk-",
    "AKIA",
    "eyJ",
    ".",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "\\n",
    noise(24),
    noise(16, ALNUM + "+/"),
    "x",
    PLACEHOLDER,
)


@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join))
def test_masking_keeps_every_line_and_its_prefix(text: str) -> None:
    masked, found = mask(text)
    assert masked.count("\n") == text.count("\n")
    assert masked.count(PLACEHOLDER) >= text.count(PLACEHOLDER) + found
    lines = ["+" + line for line in text.split("\n")]
    header, kept, _ = mask_hunk("@@ -1 +1 @@", lines)
    assert header == "@@ -1 +1 @@" and len(kept) == len(lines)
    assert all(line.startswith("+") for line in kept)

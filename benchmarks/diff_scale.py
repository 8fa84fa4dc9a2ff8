"""How parse_diff + fit scale: a synthetic 10,000-file, ~50 MB diff against a bare unidiff parse.

Run from the repository root:

    .venv/bin/python benchmarks/diff_scale.py            # 10,000 files, ~50 MB
    .venv/bin/python benchmarks/diff_scale.py --files 1000 --mb 5

Each measurement runs in a fresh interpreter, so peak RSS (ru_maxrss) is its own. The targets
are ratios measured in the same run (machines here are shared and noisy): parse + fit within
3x a bare `PatchSet(text)`, and under 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODEL = "llamafile/qwen2.5-coder-1.5b-instruct"
BUDGET = 4000
VOCABULARY = (
    "self ctx err value result config request response handler buffer index count item "
    "items name path data options client server token offset length parse render update "
    "return if else for while def func let const var import from None nil true false"
)
WORDS = tuple(VOCABULARY.split())
# (share of files, status, directory, suffix, size weight)
KINDS = (
    (0.50, "M", "src/pkg{d}", ".go", 1.0),
    (0.15, "M", "tests/unit{d}", "_test.py", 1.0),
    (0.14, "A", "vendor/github.com/acme/lib{d}", ".go", 2.0),
    (0.06, "M", "api/gen{d}", ".pb.go", 2.5),
    (0.03, "M", "web{d}", "/package-lock.json", 3.0),
    (0.05, "M", "docs/guide{d}", ".md", 0.6),
    (0.04, "D", "old/module{d}", ".py", 0.8),
    (0.03, "B", "assets{d}", ".png", 0.0),
)


def _code_line(rng: random.Random) -> str:
    indent = "\t" * rng.randint(0, 3)
    words = rng.choices(WORDS, k=rng.randint(2, 12))
    return indent + " ".join(words) + rng.choice(("", "", "()", " {", ":", ","))


def _hunk(rng: random.Random, start: int, lines: int) -> list[str]:
    removed = rng.randint(0, max(1, lines // 3))
    added = max(1, lines - removed - 6)
    before = [_code_line(rng) for _ in range(3)]
    after = [_code_line(rng) for _ in range(3)]
    header = f"@@ -{start},{6 + removed} +{start},{6 + added} @@ func {rng.choice(WORDS)}()"
    body = [" " + x for x in before]
    body += ["-" + _code_line(rng) for _ in range(removed)]
    body += ["+" + _code_line(rng) for _ in range(added)]
    return [header, *body, *(" " + x for x in after)]


def _file(rng: random.Random, i: int, kind: tuple[float, str, str, str, float], lines: int) -> str:
    _, status, folder, suffix, _ = kind
    path = folder.format(d=i % 97) + (suffix if suffix.startswith("/") else f"/f{i}{suffix}")
    head = [f"diff --git a/{path} b/{path}"]
    if status == "B":
        binary = f"Binary files a/{path} and b/{path} differ"
        return "\n".join([*head, "index 1111111..2222222 100644", binary]) + "\n"
    if status in "AD":
        return "\n".join([*head, *_whole_file(rng, path, status == "A", lines)]) + "\n"
    out = [*head, "index 1234567..89abcde 100644", f"--- a/{path}", f"+++ b/{path}"]
    start, hunks = 10, rng.randint(1, 4)
    for _ in range(hunks):
        out += _hunk(rng, start, max(8, lines // hunks))
        start += lines + 40
    return "\n".join(out) + "\n"


def _whole_file(rng: random.Random, path: str, added: bool, lines: int) -> list[str]:
    """The header and single hunk of a file added (or deleted) whole."""
    if added:
        head = ["new file mode 100644", "index 0000000..1234567", "--- /dev/null", f"+++ b/{path}"]
        return [*head, f"@@ -0,0 +1,{lines} @@", *("+" + _code_line(rng) for _ in range(lines))]
    head = ["deleted file mode 100644", "index 1234567..0000000", f"--- a/{path}", "+++ /dev/null"]
    return [*head, f"@@ -1,{lines} +0,0 @@", *("-" + _code_line(rng) for _ in range(lines))]


def generate(path: Path, files: int, megabytes: float, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    mean_weight = sum(share * weight for share, *_, weight in KINDS)
    per_file_lines = megabytes * 1e6 / files / 45 / mean_weight
    cumulative = [sum(k[0] for k in KINDS[: i + 1]) for i in range(len(KINDS))]
    with path.open("w", encoding="utf-8") as out:
        for i in range(files):
            kind = KINDS[next(j for j, c in enumerate(cumulative) if i / files < c)]
            lines = max(4, int(rng.gauss(per_file_lines * kind[4], per_file_lines * kind[4] / 3)))
            out.write(_file(rng, i, kind, lines))


def _measure(which: str, diff_path: str) -> dict[str, float]:
    import resource

    text = Path(diff_path).read_text(encoding="utf-8")
    result: dict[str, float] = {}
    if which == "cli":
        import contextlib
        import io

        started = time.perf_counter()  # the whole command: LiteLLM's import included
        from commit_polish.cli import main as cli

        with contextlib.redirect_stdout(io.StringIO()):
            code = cli(["suggest", "--dry-run", "--json", "--diff-file", diff_path])
        result.update(parse_s=time.perf_counter() - started, code=code)
    elif which == "bare":
        from unidiff.patch import PatchSet

        started = time.perf_counter()
        patch = PatchSet(text)
        result["parse_s"] = time.perf_counter() - started
        result["files"] = len(patch)
    else:
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm

        from commit_polish.digest.fit import fit
        from commit_polish.digest.parse import parse_diff

        def count(text: str) -> int:
            return int(litellm.token_counter(model=MODEL, text=text))

        count("warm up the tokenizer")  # loading the encoding is not fit's cost
        started = time.perf_counter()
        changes = parse_diff(text)
        parsed = time.perf_counter()
        digest = fit(changes, BUDGET, count)
        done = time.perf_counter()
        result.update(parse_s=parsed - started, fit_s=done - parsed, files=len(changes))
        result.update(tokens=digest.tokens, named=len(digest.included) + len(digest.condensed))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run_child(which: str, diff_path: Path) -> dict[str, float]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, __file__, "--measure", which, str(diff_path)]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    parsed: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--measure", nargs=2, metavar=("WHICH", "DIFF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        diff_path = Path(tmp) / "big.diff"
        generate(diff_path, args.files, args.mb)
        size_mb = diff_path.stat().st_size / 1e6
        bare = _run_child("bare", diff_path)
        ours = _run_child("ours", diff_path)
        cli = _run_child("cli", diff_path)
    total = ours["parse_s"] + ours["fit_s"]
    print(f"diff: {args.files:,} files, {size_mb:.1f} MB; fit budget {BUDGET} tokens ({MODEL})")
    print(f"{'step':<28}{'seconds':>10}{'peak RSS MB':>14}")
    print(f"{'bare PatchSet(text)':<28}{bare['parse_s']:>10.2f}{bare['peak_mb']:>14.0f}")
    print(f"{'parse_diff':<28}{ours['parse_s']:>10.2f}")
    print(f"{'fit':<28}{ours['fit_s']:>10.2f}")
    print(f"{'parse_diff + fit':<28}{total:>10.2f}{ours['peak_mb']:>14.0f}")
    print(f"{'suggest --dry-run (command)':<28}{cli['parse_s']:>10.2f}{cli['peak_mb']:>14.0f}")
    print(f"ratio parse_diff / bare: {ours['parse_s'] / bare['parse_s']:.2f}x")
    print(f"ratio parse_diff + fit / bare: {total / bare['parse_s']:.2f}x (target <= 3x)")
    print(f"ratio suggest --dry-run / bare: {cli['parse_s'] / bare['parse_s']:.2f}x (target <= 3x)")
    print(f"digest: {ours['tokens']:.0f} tokens; {ours['named']:.0f} files shown, whole or cut")
    ok = cli["code"] == 0 and cli["parse_s"] <= 3 * bare["parse_s"]
    ok = ok and total <= 3 * bare["parse_s"] and max(ours["peak_mb"], cli["peak_mb"]) < 1536
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

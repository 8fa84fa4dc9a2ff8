"""`serve` with a `llamafile` on PATH: the command line it runs, through a stand-in.

The stand-in starts as an Actually Portable Executable does, with a shell string where an ELF
header would be, so the kernel refuses to exec it just as it refuses the real llamafile; run
through `sh`, it records its arguments and then answers `/health` like a server that loaded.
It needs no llama.cpp and no model, so these tests run everywhere.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commit_polish.serve.server import SHELL, ServerBinary, find_server_binary, free_port
from commit_polish.serve.server import start_server as start

# Answers 200 on /health until SIGTERM, on the --host and --port it was given.
HEALTH = """\
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

args = sys.argv[1:]
address = (args[args.index("--host") + 1], int(args[args.index("--port") + 1]))


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()


HTTPServer(address, Health).serve_forever()
"""


def stand_in(folder: Path, mode: int) -> tuple[Path, Path]:
    """A `llamafile` in `folder`, and the file where it writes `$0` and its arguments."""
    folder.mkdir()
    argv, health = folder / "argv.txt", folder / "health.py"
    health.write_text(HEALTH)
    llamafile = folder / "llamafile"
    llamafile.write_text(
        # The APE magic: to sh an assignment of a quoted string; to the kernel no known format.
        "MZqFpD='\nthe loader would start here'\n"
        f"printf '%s\\n' \"$0\" \"$@\" > '{argv}'\n"
        f"exec '{sys.executable}' '{health}' \"$@\"\n"
    )
    llamafile.chmod(mode)
    return llamafile, argv


@pytest.mark.parametrize("mode", [0o755, 0o644], ids=["executable", "only-readable"])
def test_llamafile_on_path_runs_through_sh_with_0_10_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    llamafile, argv = stand_in(tmp_path / "bin", mode)
    monkeypatch.setenv("PATH", f"{llamafile.parent}{os.pathsep}{os.environ['PATH']}")
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    port = free_port()

    binary = find_server_binary()
    assert binary == ServerBinary(llamafile, "llamafile")
    with start(model, port=port, ctx=1024, threads=2, alias="smol", binary=binary) as server:
        assert server.health() == 200
        started = server.process.args
        assert isinstance(started, list) and started[:2] == [SHELL, str(llamafile)]

    assert argv.read_text().splitlines() == [
        str(llamafile),  # `$0`: the shell ran the file, as `sh llamafile ...`
        "--server",
        *("-m", str(model), "--host", "127.0.0.1", "--port", str(port), "-c", "1024"),
        *("--alias", "smol", "-t", "2", "-np", "1"),
        "--no-webui",  # llama.cpp's; llamafile 0.10 would refuse 0.9's --nobrowser
    ]


def test_the_stand_in_cannot_be_exec_ed_like_the_real_llamafile(tmp_path: Path) -> None:
    """Why the shell is needed: exec-ing the file itself is what failed before."""
    llamafile, _ = stand_in(tmp_path / "bin", 0o755)
    with pytest.raises(OSError) as caught:
        subprocess.run([str(llamafile), "--version"], check=False, timeout=10)
    assert caught.value.errno == errno.ENOEXEC

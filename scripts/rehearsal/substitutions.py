"""The lines of the file the rehearsal does not run as written (no registry can be reached
here), each printed with its line: among them the service's model source, a local GGUF, and
the stand-in for the llamafile image, built from its Dockerfile."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from rehearsal.report import RehearsalError

# What picks llama-server's model; the rehearsal replaces all of them by one local file.
MODEL_SOURCE = (
    "LLAMA_ARG_MODEL",
    "LLAMA_ARG_MODEL_URL",
    "LLAMA_ARG_HF_REPO",
    "LLAMA_ARG_HF_FILE",
    "HF_TOKEN",
)
MODEL_DIR = "/models"


@dataclass(frozen=True)
class Substitution:
    """One line of the file the rehearsal does not run as written."""

    where: str
    """The YAML path, e.g. `jobs.suggest.services.llama-server.image`."""
    line: int | None
    was: str
    now: str
    why: str

    def describe(self) -> str:
        at = f"line {self.line:>3}" if self.line else "runner  "
        return f"{at}  {self.where}: {_short(self.was)} -> {self.now} ({self.why})"


def _short(text: str, limit: int = 72) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every mapping key in a YAML document, by its path of keys
    (a sequence item's index is written as a string)."""
    found: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                found[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                sub = (*path, str(index))
                found[sub] = item.start_mark.line + 1
                walk(item, sub)

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return found


def substitute_model(
    env: Mapping[str, str],
    model_file: Path,
    lines: Mapping[tuple[str, ...], int],
    base: tuple[str, ...],
) -> tuple[dict[str, str], list[Substitution], str]:
    """The service's env with its model source replaced by LLAMA_ARG_MODEL at the mounted
    file. Returns the new env, what was substituted and the path inside the container."""
    sources = [name for name in env if name in MODEL_SOURCE]
    if not sources:
        raise RehearsalError(
            f"{'.'.join(base)} names no model (none of {', '.join(MODEL_SOURCE[:4])}): "
            "llama-server would start without one and never be healthy",
            "set LLAMA_ARG_MODEL_URL to a Hugging Face resolve/<commit>/<file>.gguf URL",
        )
    inside = f"{MODEL_DIR}/{model_file.name}"
    new = {name: value for name, value in env.items() if name not in MODEL_SOURCE}
    new["LLAMA_ARG_MODEL"] = inside
    subs = [
        Substitution(
            ".".join((*base, name)),
            lines.get((*base, name)),
            env[name],
            f"LLAMA_ARG_MODEL={inside}" if i == 0 else "(dropped)",
            f"the local {model_file.name}, mounted read-only; nothing is downloaded here",
        )
        for i, name in enumerate(sources)
    ]
    return new, subs, inside


# llamafile's own flags, which llama-server does not take: `--server` and `--gpu MODE`.
_LLAMAFILE_ONLY = {"--server": 0, "--gpu": 1}


def llamafile_standin(dockerfile: str, base: str) -> tuple[str, list[str]]:
    """A stand-in for the image docker/llamafile/Dockerfile builds, from that file: its USER,
    WORKDIR, EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD on `base` (the llama-server stand-in),
    with two changes, both returned as lines to print: llamafile (cannot be fetched here)
    becomes /app/llama-server, and the model its RUN downloads is a local file (`model.gguf`
    in the build context) copied to the path its `-m` names."""
    text = re.sub(r"\\\n", " ", dockerfile)
    kept: list[str] = []
    entrypoint: list[str] = []
    for line in text.splitlines():
        word = line.split(None, 1)[0].upper() if line.strip() else ""
        if word == "ENTRYPOINT":
            entrypoint = json.loads(line.split(None, 1)[1])
        elif word in ("USER", "WORKDIR", "EXPOSE", "HEALTHCHECK", "CMD"):
            kept.append(" ".join(line.split()))
    program = next((i for i, arg in enumerate(entrypoint) if arg.endswith("/llamafile")), None)
    if program is None or "-m" not in entrypoint:
        raise RehearsalError(
            "docker/llamafile/Dockerfile: no exec-form ENTRYPOINT running llamafile -m MODEL",
            'keep ENTRYPOINT ["/bin/sh", "/usr/local/bin/llamafile", "--server", ..., "-m", PATH]',
        )
    args: list[str] = []
    skip = 0
    for arg in entrypoint[program + 1 :]:
        if skip:
            skip -= 1
        elif arg in _LLAMAFILE_ONLY:
            skip = _LLAMAFILE_ONLY[arg]
        else:
            args.append(arg)
    model = entrypoint[entrypoint.index("-m") + 1]
    dropped = [a for a in entrypoint[program + 1 :] if a not in args]
    lines = [f"FROM {base}", f"COPY model.gguf {model}", *kept]
    lines.append(f"ENTRYPOINT {json.dumps(['/app/llama-server', *args])}")
    changes = [
        f"ENTRYPOINT {' '.join(entrypoint[: program + 1])} {' '.join(dropped)} -> "
        "/app/llama-server (llamafile cannot be fetched here; those flags are its own)",
        f"RUN curl -o {model} $MODEL_URL -> COPY of the local GGUF (nothing is downloaded here)",
    ]
    return "\n".join(lines) + "\n", changes

"""Atomic outputs: every file or folder a command writes appears whole, or not at all.

Writers fill a temporary file or folder beside the target (same file system) and it is
renamed into place only when everything was written, so an interrupted or failed run
leaves the previous output intact. The checks run before any work: `--out` naming an
input is refused, an existing file is replaced only with `force`, and an existing
folder only when it is empty or was written by followsun (it holds `MARKER`), because
a folder is replaced whole. docs/RELIABILITY.md states the guarantees.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from forecasting.errors import InputError

# The empty file marking a folder as followsun's output, so replacing it loses nothing else.
MARKER = ".followsun-output"


def check_output_file(
    path: Path, *, force: bool = False, inputs: Iterable[Path | None] = ()
) -> None:
    """Refuse `path` as an output file if it is an input, a folder, or exists without `force`."""
    _refuse_inputs(path, inputs, "--out")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; expected a file to write")
    if path.exists() and not force:
        raise InputError(f"{path} exists: pass --force to replace it")


def check_output_folder(path: Path, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse `path` as an output folder unless it is new, empty or followsun's, and holds no input."""
    _refuse_inputs(path, inputs, "--out")
    if not path.exists():
        return
    if not path.is_dir():
        raise InputError(f"{path}: is a file; expected an output folder")
    resolved = path.resolve()
    for given in inputs:
        if given is not None and resolved in given.resolve().parents:
            raise InputError(
                f"{given} is inside the output folder {path}, which is replaced whole: "
                "choose another --out"
            )
    if any(path.iterdir()) and not (path / MARKER).exists():
        raise InputError(
            f"{path}: a folder followsun did not write (no {MARKER}); its whole content "
            "would be replaced: choose a new or empty --out folder, or remove it"
        )


def _refuse_inputs(path: Path, inputs: Iterable[Path | None], flag: str) -> None:
    resolved = path.resolve()
    for given in inputs:
        if given is not None and given.resolve() == resolved:
            raise InputError(f"{flag} {path} is also an input: choose another {flag}")


@contextlib.contextmanager
def replacing_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, else it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _beside(path, "partial")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _beside(target: Path, kind: str) -> Path:
    """A fresh hidden name in `target`'s folder (same file system, so renames are atomic).

    Created by the caller with the default permissions (`tempfile`'s are owner-only).
    """
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{kind}")


class StagedFolder:
    """A temporary folder beside `target`; `commit()` swaps it into place (once)."""

    def __init__(self, target: Path) -> None:
        """Make the temporary folder beside `target` (its parents are created)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        self.target = target
        self.path = _beside(target, "partial")
        self.path.mkdir()
        (self.path / MARKER).touch()
        self.committed = False

    def commit(self) -> None:
        """Replace `target` with the staged folder: the old one is renamed aside, then removed."""
        if self.committed:
            return
        old = None
        if self.target.exists():
            old = _beside(self.target, "old")
            os.replace(self.target, old)
        try:
            os.replace(self.path, self.target)
        except BaseException:
            if old is not None:
                os.replace(old, self.target)
            raise
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staged folder (after a failure)."""
        shutil.rmtree(self.path, ignore_errors=True)


@contextlib.contextmanager
def replacing_folder(path: Path) -> Iterator[StagedFolder]:
    """Stage a folder for `path`: write into `.path`; it replaces `path` on success.

    The block may call `commit()` itself to swap the folder in at a chosen moment (inside
    a store transaction, so a stored run never points at files it did not write).
    """
    staged = StagedFolder(path)
    try:
        yield staged
        staged.commit()
    finally:
        if not staged.committed:
            staged.discard()

"""Writing a file the person chose (an export of a session or a template, a report's
PDF): the app's own files are refused as targets (the database, its -wal/-shm and the
backups, through symlinks and hard links too), an existing file is replaced only when
the caller says so (the GUI after its dialog asked, the CLI with --force), and the
content is written to a temporary file in the same folder and renamed, so a failed
write never leaves half a file under the chosen name."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from wizard_desktop.store.backups import backups_dir
from wizard_desktop.store.database import database_file
from wizard_desktop.store.files import with_sidecars


class OutputFileError(ValueError):
    """A target the app refuses to write; the message says why, for a person."""


class OutputFileExistsError(OutputFileError):
    """The target exists and the caller did not ask to replace it."""


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_target(target: Path, *, overwrite: bool) -> None:
    """Raise OutputFileError when `target` is one of the app's own files, or
    OutputFileExistsError when it exists and `overwrite` is False."""
    database = database_file()
    resolved = Path(os.path.realpath(target))
    protected = [Path(os.path.realpath(p)) for p in with_sidecars(database)]
    backups = Path(os.path.realpath(backups_dir(database.parent)))
    same_file = target.exists() and any(
        p.exists() and os.path.samefile(target, p) for p in protected
    )
    if resolved in protected or same_file or _is_inside(resolved, backups):
        raise OutputFileError(
            f"{target} is one of Wizard Desktop's own files (the database or its backups); "
            "choose another file."
        )
    if target.exists() and not overwrite:
        raise OutputFileExistsError(f"{target} already exists.")


@contextlib.contextmanager
def atomic_output(target: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """After `check_output_target`, the path of an empty temporary file beside `target`
    for the caller to write; when the block ends normally it is flushed to disk and
    renamed to `target`, when it raises (a failure, a cancellation) it is removed."""
    check_output_target(target, overwrite=overwrite)
    descriptor, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def write_output_file(target: Path, content: str | bytes, *, overwrite: bool = False) -> None:
    """Write `content` (text as UTF-8, or bytes: a PDF) to `target` through
    `atomic_output`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with atomic_output(target, overwrite=overwrite) as temporary:
        temporary.write_bytes(data)

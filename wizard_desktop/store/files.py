"""The database's files on disk: their names (the database and its -wal/-shm
companions), private creation (folders 0700, files 0600 on POSIX), and opening an
SQLite file read-only by its path, whatever characters the path holds."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import urllib.parse
from pathlib import Path

DB_FILENAME = "wizard-desktop.sqlite3"
FILE_MODE = 0o600
DIR_MODE = 0o700
SIDECAR_SUFFIXES = ("-wal", "-shm")


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def with_sidecars(path: Path) -> list[Path]:
    """The database file and the -wal/-shm files SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SIDECAR_SUFFIXES)]


def make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists, then enforce the mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    if os.name == "posix":
        os.chmod(path, FILE_MODE)


def timestamp(now: dt.datetime | None = None) -> str:
    """A UTC stamp for file names that sorts as text: 20261125T144409Z."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def sqlite_uri(path: Path, **parameters: str) -> str:
    """The `file:` URI of `path` with query `parameters`. The path is percent-encoded:
    unencoded, SQLite cuts it at `#` or `?` (and decodes `%xx`), then opens, or
    creates, another file."""
    query = urllib.parse.urlencode(parameters)
    return f"file:{urllib.parse.quote(str(path.absolute()))}" + (f"?{query}" if query else "")


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the existing SQLite file `path` (never creates one)."""
    return sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)

"""Storage errors, sorted into what the caller can act on.

`classify()` turns any exception raised by SQLite or Peewee into a `StorageError`
whose `kind` says what happened. Environmental kinds (busy, read-only, disk full,
I/O) are worth telling the person about and retrying; `corrupt` needs the recovery
path; everything else is a bug and is re-raised as such by the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import peewee


class StorageErrorKind(StrEnum):
    BUSY = "busy"
    READ_ONLY = "read_only"
    FULL = "full"
    IO = "io"
    CORRUPT = "corrupt"
    BUG = "bug"


ENVIRONMENTAL_KINDS = frozenset(
    {StorageErrorKind.BUSY, StorageErrorKind.READ_ONLY, StorageErrorKind.FULL, StorageErrorKind.IO}
)

# Primary result codes (https://sqlite.org/rescode.html).
_KIND_BY_CODE = {
    3: StorageErrorKind.READ_ONLY,  # SQLITE_PERM
    5: StorageErrorKind.BUSY,  # SQLITE_BUSY
    6: StorageErrorKind.BUSY,  # SQLITE_LOCKED
    8: StorageErrorKind.READ_ONLY,  # SQLITE_READONLY
    10: StorageErrorKind.IO,  # SQLITE_IOERR
    11: StorageErrorKind.CORRUPT,  # SQLITE_CORRUPT
    13: StorageErrorKind.FULL,  # SQLITE_FULL
    14: StorageErrorKind.IO,  # SQLITE_CANTOPEN
    26: StorageErrorKind.CORRUPT,  # SQLITE_NOTADB
}

_MESSAGES = {
    StorageErrorKind.BUSY: "The database is busy (another program is writing to it).",
    StorageErrorKind.READ_ONLY: "The database cannot be written (it is read-only).",
    StorageErrorKind.FULL: "The disk is full.",
    StorageErrorKind.IO: "The disk could not be read or written.",
    StorageErrorKind.CORRUPT: "The database file is damaged.",
    StorageErrorKind.BUG: "An unexpected database error occurred.",
}


class StorageError(Exception):
    """A failed storage operation. `kind` says which; `str()` is for a person."""

    def __init__(self, kind: StorageErrorKind, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(_MESSAGES[kind] + (f" ({detail})" if detail else ""))

    @property
    def is_environmental(self) -> bool:
        """True when waiting or freeing space may fix it: keep the data and retry."""
        return self.kind in ENVIRONMENTAL_KINDS


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of the app; it is left untouched."""

    def __init__(self, unknown_migrations: list[str]) -> None:
        super().__init__(StorageErrorKind.BUG)
        self.unknown_migrations = unknown_migrations
        self.args = (
            "This database was created by a newer version of Wizard Desktop "
            f"(unknown schema changes: {', '.join(unknown_migrations)}). "
            "Update the app to open it; the file has not been changed.",
        )

    def __str__(self) -> str:
        return str(self.args[0])


class DatabasePathError(StorageError):
    """The database's path cannot hold an SQLite file (a folder is there, or it is too
    long); nothing was opened or created. `str()` says which, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(StorageErrorKind.BUG)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


class DatabaseCorruptError(StorageError):
    """The database file was damaged. It has been moved aside (never deleted) so a
    fresh one can be created; the newest backup, if any, can be restored."""

    def __init__(self, moved_to: Path | None, backup: Path | None, detail: str = "") -> None:
        super().__init__(StorageErrorKind.CORRUPT, detail)
        self.moved_to = moved_to
        self.backup = backup
        where = f" It was moved aside to {moved_to}." if moved_to else ""
        offer = (
            f" The most recent backup is {backup}; restore it with `wizard-desktop restore-backup`."
            if backup
            else " There is no backup to restore."
        )
        reason = detail or "it failed its integrity check"
        self.args = (f"The database file was damaged ({reason}).{where}{offer}",)

    def __str__(self) -> str:
        return str(self.args[0])


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (Peewee keeps the driver error in `orig`) and what
    it happened during (`__context__`: a failed ROLLBACK hides the real error there)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(a for a in current.args if isinstance(a, BaseException))
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                todo.append(linked)


def _kind_of(exc: BaseException) -> StorageErrorKind | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _KIND_BY_CODE.get(code & 0xFF)
    text = str(exc).lower()
    if "database is locked" in text or "database is busy" in text:
        return StorageErrorKind.BUSY
    if "readonly" in text or "read-only" in text:
        return StorageErrorKind.READ_ONLY
    if "disk is full" in text or "database or disk is full" in text:
        return StorageErrorKind.FULL
    if "disk i/o error" in text:
        return StorageErrorKind.IO
    if "malformed" in text or "not a database" in text:
        return StorageErrorKind.CORRUPT
    return None


def classify(exc: BaseException) -> StorageError:
    """The `StorageError` for `exc`: the first known kind found along its chain, the
    most specific wins over a generic wrapper, `BUG` when none is known."""
    if isinstance(exc, StorageError):
        return exc
    for link in _chain(exc):
        kind = _kind_of(link)
        if kind is not None:
            return StorageError(kind, str(link))
    return StorageError(StorageErrorKind.BUG, f"{type(exc).__name__}: {exc}")


DRIVER_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, peewee.PeeweeException)

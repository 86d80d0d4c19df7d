"""Attachments in the core: reading a file the person chose (bounded, checked, off the
UI thread), holding its content until the answer naming it is stored, and storing
and deleting contents in the answers' own transactions.

Reading refuses, with one sentence for a person and before reading a byte where it
can: a path that is not there, a folder, anything that is not a regular file (a FIFO
would block a read forever; it is opened with O_NONBLOCK and checked again on the
open descriptor), a file larger than the field takes (by its size, so a 2 GB file
costs one stat), and a file that changes while it is read (size and modification
time before and after, and the bytes read must be the size announced).

A file read is *staged*: its content waits here, by SHA-256, until a write stores an
answer naming it (`store_named_contents`, in that write's transaction: the content's
file is written and made durable first, then its row goes in with the answer). Staged
contents already stored are dropped at the next write; at most STAGED_LIMIT bytes
wait at once (beyond, a new file is refused until the pending saves are done).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from wizard_desktop.definition.attachments import (
    PNG,
    SIGNATURE_NAME,
    accept_text,
    accepted,
    attachment_sha256,
    attachment_value,
    max_size,
    media_type,
    name_problem,
    size_text,
)
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.store import attachments as store
from wizard_desktop.store.attachment_files import ATTACHMENTS_DIRNAME, AttachmentFileError

CHUNK = 1024 * 1024
STAGED_LIMIT = 512 * 1024 * 1024
MISSING = "This file is no longer available to save; choose it again."


class AttachmentRefusedError(ValueError):
    """A file that cannot be this field's answer; `message` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StagedFile:
    sha256: str
    name: str
    media_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    def value(self) -> dict[str, str | int]:
        """The answer that names this content."""
        return attachment_value(self.sha256, self.name, self.size, self.media_type)


_staged: dict[str, StagedFile] = {}
_staged_lock = threading.Lock()


def _stage(staged: StagedFile) -> StagedFile:
    with _staged_lock:
        waiting = sum(s.size for s in _staged.values())
        if staged.sha256 not in _staged and waiting + staged.size > STAGED_LIMIT:
            raise AttachmentRefusedError(
                "Too many files are waiting to be saved; try again in a moment."
            )
        _staged[staged.sha256] = staged
    return staged


def staged_content(sha256: str) -> bytes | None:
    """A content read and not stored yet (the player's thumbnail of a new file)."""
    with _staged_lock:
        staged = _staged.get(sha256)
    return None if staged is None else staged.content


def _too_large(field: Field, size: int) -> AttachmentRefusedError:
    return AttachmentRefusedError(
        f"This file is {size_text(size)}; this field takes files up to "
        f"{size_text(max_size(field))}."
    )


def _refuse_kind(mode: int, shown: str) -> None:
    if stat.S_ISDIR(mode):
        raise AttachmentRefusedError(f"“{shown}” is a folder, not a file.")
    if not stat.S_ISREG(mode):
        raise AttachmentRefusedError(
            f"“{shown}” is not a regular file (a pipe, a device or a socket)."
        )


def _changed(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_size, before.st_mtime_ns, before.st_ino) != (
        after.st_size,
        after.st_mtime_ns,
        after.st_ino,
    )


def read_file(
    path: str | os.PathLike[str], field: Field, progress: Callable[[int, int], None] | None = None
) -> StagedFile:
    """Read the file at `path` as an answer to `field` (file or image) and stage it.
    `progress(read, total)` is called after each chunk (the player shows it). Raises
    `AttachmentRefusedError` with a sentence for a person."""
    path = Path(path)
    shown = path.name or str(path)
    problem = name_problem(path.name)
    if problem is not None:
        raise AttachmentRefusedError(f"This file cannot be used: {problem}.")
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise AttachmentRefusedError(f"“{shown}” was not found.") from None
    except OSError as exc:
        raise AttachmentRefusedError(f"“{shown}” cannot be read ({exc.strerror}).") from None
    _refuse_kind(before.st_mode, shown)
    limit = max_size(field)
    if before.st_size > limit:
        raise _too_large(field, before.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise AttachmentRefusedError(f"“{shown}” cannot be read ({exc.strerror}).") from None
    digest = hashlib.sha256()
    parts: list[bytes] = []
    read = 0
    try:
        opened = os.fstat(fd)
        _refuse_kind(opened.st_mode, shown)
        if _changed(before, opened):
            raise _changed_error(shown)
        while read <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - read))
            if not chunk:
                break
            digest.update(chunk)
            parts.append(chunk)
            read += len(chunk)
            if progress is not None:
                progress(read, before.st_size)
        after = os.fstat(fd)
    except OSError as exc:
        raise AttachmentRefusedError(f"“{shown}” cannot be read ({exc.strerror}).") from None
    finally:
        os.close(fd)
    if read > limit:
        raise _too_large(field, read)
    try:
        on_disk = os.stat(path)
    except OSError:
        raise _changed_error(shown) from None
    if read != before.st_size or _changed(before, after) or _changed(before, on_disk):
        raise _changed_error(shown)
    content = b"".join(parts)
    kind = media_type(path.name, content[:16])
    if not accepted(field, path.name, kind):
        raise AttachmentRefusedError(f"This field takes {accept_text(field)}; “{shown}” is {kind}.")
    return _stage(StagedFile(digest.hexdigest(), path.name, kind, content))


def _changed_error(shown: str) -> AttachmentRefusedError:
    return AttachmentRefusedError(
        f"“{shown}” changed while it was being read; choose it again once it is saved."
    )


def stage_signature(png: bytes, field: Field) -> StagedFile:
    """A signature drawn in the player (PNG bytes), staged as its answer."""
    if field.type is not FieldType.SIGNATURE or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise AttachmentRefusedError("A signature is stored as a PNG image.")
    if len(png) > max_size(field):
        raise _too_large(field, len(png))
    return _stage(StagedFile(hashlib.sha256(png).hexdigest(), SIGNATURE_NAME, PNG, png))


def _named(values: Iterable[object]) -> set[str]:
    return {sha for value in values if (sha := attachment_sha256(value)) is not None}


def store_named_contents(answers: Mapping[str, AnswerValue | None]) -> dict[str, str]:
    """Inside a write transaction: store the content each attachment answer names,
    from what was staged. The fields whose content is neither stored nor staged, with
    why (the caller refuses the write)."""
    wanted = {
        field_id: sha for field_id, value in answers.items() if (sha := attachment_sha256(value))
    }
    with _staged_lock:
        waiting = list(_staged)
    known = store.stored({*wanted.values(), *waiting})
    with _staged_lock:
        for sha in known:  # stored by an earlier, committed write
            _staged.pop(sha, None)
        pending = {sha: _staged[sha] for sha in wanted.values() if sha in _staged}
    for staged in pending.values():
        store.store_content(staged.sha256, staged.media_type, staged.content)
    return {f: MISSING for f, sha in wanted.items() if sha not in known and sha not in pending}


def named_contents(session_id: str, field_ids: Iterable[str] | None = None) -> set[str]:
    """The contents a session's stored answers name (before a write replaces them)."""
    return store.named_by_session(session_id, field_ids)


def delete_unnamed(sha256s: Iterable[str] | None = None) -> int:
    """Inside a write transaction: delete the contents no answer names any more."""
    return store.delete_unnamed(sha256s)


def attachment_content(value: object) -> bytes | None:
    """The content an answer names: stored, else staged, else None. Raises
    AttachmentFileError, one sentence naming the answer, when its stored file is
    missing from the data folder or damaged."""
    sha = attachment_sha256(value)
    if sha is None:
        return None
    try:
        stored = store.content(sha)
    except AttachmentFileError as error:
        name = value.get("name") if isinstance(value, dict) else None
        raise AttachmentFileError(
            f"The file of the answer “{name}” is {error} in the data folder "
            f"({ATTACHMENTS_DIRNAME}/{sha[:2]}/{sha})."
        ) from None
    return stored if stored is not None else staged_content(sha)


def named_in(values: Iterable[object]) -> set[str]:
    """The content hashes a set of answer values names."""
    return _named(values)

"""The files that hold attachment contents (migration 0008): one file per content, named
by its SHA-256, in `<data folder>/attachments/<sha256[:2]>/<sha256>`; the `attachment`
table keeps only what names them (hash, size, media type).

The order of writes is what keeps the guarantees of a content stored in the database:
a content's file is complete and durable (temporary file, fsync, rename, fsync of the
folder) before the transaction that inserts its row commits, and it is unlinked only
after the transaction that deleted its row committed (`release`, then
`store.database.write_transaction` unlinks under the write lock the released files no
row names). A crash therefore leaves at worst a file no row names, which the start-up
`sweep` removes once it is older than SWEEP_MARGIN_SECONDS; never a row without its
file. A file read back is checked against its size and hash: a missing or changed file
is an `AttachmentFileError`, one sentence.

Nothing here opens the database: callers hand in the hashes that rows name."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from wizard_desktop.store.files import FILE_MODE, make_private_dir

ATTACHMENTS_DIRNAME = "attachments"
TEMPORARY_PREFIX = ".tmp-"
CHUNK = 1024 * 1024
SWEEP_MARGIN_SECONDS = 10 * 60
"""A file no row names is removed only once it is this old: a save in progress in
another process (its file written, its row not yet committed) is never raced."""


class AttachmentFileError(LookupError):
    """The file of a stored content is missing or no longer holds that content."""


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / ATTACHMENTS_DIRNAME


def content_path(folder: Path, sha256: str) -> Path:
    """Where the content `sha256` lives under the attachments `folder`."""
    return folder / sha256[:2] / sha256


def fsync_dir(path: Path) -> None:
    """Make a rename or an unlink in the folder `path` durable (POSIX; elsewhere the
    file system does not offer it)."""
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_problem(folder: Path, sha256: str, size: int) -> str | None:
    """Why the file of content `sha256` (of `size` bytes) is not sound, or None:
    'missing' or 'damaged' (another size or another hash)."""
    path = content_path(folder, sha256)
    try:
        if path.stat().st_size != size:
            return "damaged"
        found = _file_digest(path)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    return None if found == (size, sha256) else "damaged"


def _subfolder(folder: Path, sha256: str) -> Path:
    """The content's folder, made (and made durable) when missing."""
    sub = content_path(folder, sha256).parent
    if not sub.is_dir():
        created_root = not folder.is_dir()
        make_private_dir(sub)
        fsync_dir(folder)
        if created_root:
            fsync_dir(folder.parent)
    return sub


def _temporary_name(final: Path) -> Path:
    return final.with_name(f"{TEMPORARY_PREFIX}{final.name}-{secrets.token_hex(4)}")


def _write_durably(final: Path, chunks: Iterable[bytes], sha256: str | None) -> None:
    """Write `chunks` to a new private temporary file beside `final`, fsync it and
    rename it to `final` (then fsync the folder). With `sha256`, content that does not
    hash to it is refused (ValueError, nothing left behind). The written pages are
    then dropped from the page cache (POSIX_FADV_DONTNEED, where there is one): a
    content is written once and seldom read, and the database's pages are worth more
    there (and on a virtual machine the kernel then reuses those pages for the next
    file instead of touching fresh memory: 12 ms per 5 MB new file here)."""
    temporary = _temporary_name(final)
    try:
        with open(temporary, "xb") as file:
            if os.name == "posix":
                os.fchmod(file.fileno(), FILE_MODE)
            digest = hashlib.sha256() if sha256 is not None else None
            for chunk in chunks:
                if digest is not None:
                    digest.update(chunk)
                file.write(chunk)
            if digest is not None and digest.hexdigest() != sha256:
                raise ValueError(f"the content does not hash to {sha256}")
            file.flush()
            os.fsync(file.fileno())
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_dir(final.parent)


def write_content(
    folder: Path, sha256: str, chunks: Iterable[bytes], *, hashed: bool = False
) -> None:
    """Store the content `sha256` as its file, durably, unless a sound file is there
    already. `chunks` is the content; unless the caller `hashed` these very bytes,
    one that does not hash to `sha256` is refused (ValueError, nothing written).
    Raises OSError."""
    final = content_path(folder, sha256)
    with contextlib.suppress(OSError):
        if final.is_file() and _file_digest(final)[1] == sha256:
            return
    _subfolder(folder, sha256)
    _write_durably(final, chunks, None if hashed else sha256)


def read_content(folder: Path, sha256: str, size: int) -> bytes:
    """The content `sha256` from its file, checked against `size` and the hash.
    Raises AttachmentFileError ('missing' or 'damaged')."""
    path = content_path(folder, sha256)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise AttachmentFileError("missing") from None
    except OSError as exc:
        raise AttachmentFileError(f"unreadable ({exc.strerror})") from None
    if len(content) != size or hashlib.sha256(content).hexdigest() != sha256:
        raise AttachmentFileError("damaged")
    return content


def link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source` (a hard link; a durable copy where
    the file system refuses one). Contents are never changed in place, so a link
    shares nothing that can change."""
    make_private_dir(target.parent)
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except OSError:
        with source.open("rb") as original:
            _write_durably(target, iter(lambda: original.read(CHUNK), b""), None)


def install(source: Path, folder: Path) -> None:
    """Put the content file `source` (named by its hash, checked by the caller) into
    the attachments `folder`, linked or copied, durably; a sound file there is kept."""
    sha256 = source.name
    if file_problem(folder, sha256, source.stat().st_size) is None:
        return
    final = content_path(folder, sha256)
    temporary = _temporary_name(final)
    _subfolder(folder, sha256)
    try:
        link_or_copy(source, temporary)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_dir(final.parent)


def files_in(folder: Path) -> Iterator[Path]:
    """Every content file and temporary file under the attachments `folder`."""
    if not folder.is_dir():
        return
    for sub in folder.iterdir():
        if sub.is_dir() and len(sub.name) == 2:
            yield from (path for path in sub.iterdir() if path.is_file())


def orphans(folder: Path, named: set[str], now: float | None = None) -> list[Path]:
    """The files under `folder` that no row names (`named`: every hash the
    `attachment` table holds) and the temporary files of interrupted writes, once
    they are SWEEP_MARGIN_SECONDS old."""
    stale_before = (time.time() if now is None else now) - SWEEP_MARGIN_SECONDS
    found: list[Path] = []
    for path in files_in(folder):
        if path.name in named:
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < stale_before:
                found.append(path)
    return found


def sweep(folder: Path, named: set[str], now: float | None = None) -> list[Path]:
    """Remove the `orphans`. The caller holds the database's write lock, so no save
    of this or another process writes a file meanwhile. The files removed."""
    removed: list[Path] = []
    for path in orphans(folder, named, now):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    for parent in {path.parent for path in removed}:
        fsync_dir(parent)
    return removed


_released = threading.local()


def release(sha256s: Iterable[str]) -> None:
    """Note contents whose rows this thread's open transaction deleted: their files
    are unlinked once it commits (`take_released`)."""
    pending: set[str] = getattr(_released, "pending", set())
    pending.update(sha256s)
    _released.pending = pending


def take_released() -> set[str]:
    """The contents released since the last call (and forget them)."""
    pending: set[str] = getattr(_released, "pending", set())
    _released.pending = set()
    return pending


def unlink_contents(folder: Path, sha256s: Iterable[str]) -> None:
    """Remove the files of `sha256s` (those there)."""
    parents = set()
    for sha256 in sha256s:
        path = content_path(folder, sha256)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            parents.add(path.parent)
    for parent in parents:
        fsync_dir(parent)

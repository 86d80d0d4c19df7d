"""`attachment_save`: storing a 5 MB image answer through the core
(`core.sessions.save_draft` of an image field whose content was read and staged by
`core.attachments.read_file`), against writing the same bytes to a file with fsync
(open, write, fsync, close). The save is all of it: the content's file written in
the attachments folder (temporary file, write, fsync, rename, fsync of the folder),
then one BEGIN IMMEDIATE transaction inserting its metadata row and upserting the
answer, committed with WAL + synchronous=FULL (an fsync of the log). A new session
and new bytes each round (a counter in the content), so nothing is deduplicated.

Between two saves the app's writer thread checkpoints the WAL once its queue has been
idle a moment (`store.database.checkpoint`, PASSIVE): each round does the same after
its save, timed apart and reported beside (`idle_checkpoint_ms`; a few pages now that
the bytes are not in the database), and so are saves in a burst with no idle moment
(`burst_save_ms`), reading and hashing the file (`read_file`), the anchor's write
into a new file each time with its pages left in the page cache
(`new_file_cached_ms`: the content files drop theirs, see
`store.attachment_files._write_durably`), and raw `sqlite3`
inserting the same bytes as a BLOB with the same pragmas and idle checkpoint (what
storing contents in the database cost at best, before migration 0008).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, interleaved_runs

SIZE = 5 * 1024 * 1024
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
WIZARD = """\
format_version: 2
id: bench-attachments
title: Bench attachments
steps:
  - id: one
    title: One
    fields:
      - {id: photo, type: image, label: Photo, accept: [image/*], max_size: 10485760}
"""


def attachment_save(quick: bool) -> Figure:
    from wizard_desktop.core.attachments import read_file
    from wizard_desktop.core.sessions import get_session, save_draft, start_session
    from wizard_desktop.core.wizards import definition_of_version, import_wizard_file
    from wizard_desktop.store.database import (
        WAL_AUTOCHECKPOINT_PAGES,
        WAL_SIZE_LIMIT_BYTES,
        checkpoint,
        close_database,
        open_database,
    )

    rounds = 15 if quick else 40
    base = os.urandom(SIZE)
    read_ms: list[float] = []
    checkpoint_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-attachment-") as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        open_database(data_dir)
        wizard_file = Path(folder) / "wizard.yaml"
        wizard_file.write_text(WIZARD, encoding="utf-8")
        wizard_id = import_wizard_file(wizard_file).wizard_id
        sessions = [start_session(wizard_id).id for _ in range(2 * rounds + 3)]  # one each
        definition = definition_of_version(get_session(sessions[0]).version_id)
        photo = definition.field("photo")
        assert photo is not None
        source = Path(folder) / "photo.png"
        target = Path(folder) / "copy.png"
        counter = iter(range(10**9))

        def content() -> bytes:
            return PNG_HEADER + next(counter).to_bytes(8, "big") + base[16:]

        def save() -> float:
            source.write_bytes(content())
            start = time.perf_counter()
            staged = read_file(source, photo)
            read_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            save_draft(sessions.pop(), {"photo": staged.value()})
            return (time.perf_counter() - start) * 1000

        def ours() -> float:
            taken = save()
            start = time.perf_counter()
            checkpoint()  # what the writer thread does once its queue is idle
            checkpoint_ms.append((time.perf_counter() - start) * 1000)
            return taken

        def write_fsync(path: Path, flags: int) -> float:
            data = content()
            start = time.perf_counter()
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)
            try:
                os.write(descriptor, data)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            return (time.perf_counter() - start) * 1000

        def anchor() -> float:
            return write_fsync(target, os.O_TRUNC)

        def new_file(path: Path) -> float:
            """The anchor's write into a new file each time, its pages left cached."""
            return write_fsync(path, os.O_EXCL)

        raw = sqlite3.connect(Path(folder) / "raw.sqlite3", isolation_level=None)
        raw.execute("PRAGMA journal_mode = wal")
        raw.execute("PRAGMA synchronous = full")
        raw.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        raw.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        raw.execute("CREATE TABLE blob (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL)")

        def sqlite_alone() -> float:
            data = content()
            start = time.perf_counter()
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO blob VALUES (?, ?)", (hashlib.sha256(data).hexdigest(), data))
            raw.execute("COMMIT")
            taken = (time.perf_counter() - start) * 1000
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return taken

        try:
            anchor_samples, value, raw_samples = interleaved_runs(
                [anchor, ours, sqlite_alone], rounds, warmup=3
            )
            burst_ms = sorted(save() for _ in range(rounds))
            new_file_ms = sorted(new_file(Path(folder) / f"new-{i}.png") for i in range(rounds))
        finally:
            raw.close()
            close_database()
    return Figure(
        "attachment_save",
        "ms",
        1.5,
        value,
        anchor_samples,
        "core.sessions.save_draft of a 5 MB image answer (the content's file written,"
        " fsynced, renamed, folder fsynced; then metadata row + answer upsert in one"
        " transaction, WAL + synchronous=FULL), a new session each round, the"
        " writer's idle checkpoint run after each save and timed apart, on"
        f" {Path(folder).parent}; anchor: the same bytes written to a file with fsync",
        extra={
            "idle_checkpoint_ms_median": statistics.median(checkpoint_ms),
            "idle_checkpoint_ms_max": max(checkpoint_ms),
            "burst_save_ms_median": statistics.median(burst_ms),
            "burst_save_ms_max": burst_ms[-1],
            "read_file_ms_median": statistics.median(read_ms),
            "new_file_cached_ms_median": statistics.median(new_file_ms),
        },
        second_anchor=("raw sqlite3 INSERT of the bytes as a BLOB, same pragmas", raw_samples),
    )

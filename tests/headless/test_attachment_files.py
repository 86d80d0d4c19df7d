"""Attachment contents as files of the data folder (store.attachment_files, migration
0008), on real folders and real SQLite: where a content lives, that deleting the last
answer naming it unlinks its file, the start-up sweep, a missing or damaged file read
as one line (in the core, the integrity check and the CLI), backups that link the
files and restore them (also a backup from the BLOB era), and the migration from
schema 7 with real BLOBs."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.wizard_files import ATTACH, PNG_1PX, import_text
from wizard_desktop.core import attachments, sessions
from wizard_desktop.core.attachments import read_file
from wizard_desktop.core.export import write_export
from wizard_desktop.core.wizards import definition_of_version
from wizard_desktop.definition.model import Field
from wizard_desktop.store import attachments as attachment_store
from wizard_desktop.store.attachment_files import (
    SWEEP_MARGIN_SECONDS,
    TEMPORARY_PREFIX,
    AttachmentFileError,
    attachments_dir,
    content_path,
)
from wizard_desktop.store.backups import (
    ATTACHMENTS_SUFFIX,
    DAILY_KEEP,
    STALE_PARTIAL_SECONDS,
    backup_files_dir,
    backups_dir,
    remove_stale_partials,
    restore_backup,
    run_daily_backup,
)
from wizard_desktop.store.database import (
    close_database,
    db,
    open_database,
    raw_connection,
    write_transaction,
)
from wizard_desktop.store.files import database_path

SCHEMA_7_ATTACHMENT = importlib.import_module("wizard_desktop.store.migrations.0006_attachments")


def field(field_id: str, session_id: str) -> Field:
    definition = definition_of_version(sessions.get_session(session_id).version_id)
    found = definition.field(field_id)
    assert found is not None
    return found


def saved_receipt(data_dir: Path, folder: Path, content: bytes) -> tuple[str, dict[str, object]]:
    """A new session whose receipt is `content`; its id and the answer."""
    session_id = sessions.start_session(import_text(data_dir, ATTACH)).id
    source = folder / "receipt.pdf"
    source.write_bytes(content)
    value = read_file(source, field("receipt", session_id)).value()
    sessions.save_draft(session_id, {"receipt": value})
    return session_id, dict(value)


def aged(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_content_is_one_private_file_named_by_its_hash_and_the_row_keeps_no_bytes(
    store: Path, tmp_path: Path
) -> None:
    content = b"%PDF-1.4 " + os.urandom(100_000)
    _, value = saved_receipt(store, tmp_path, content)
    sha = hashlib.sha256(content).hexdigest()
    path = attachments_dir(store) / sha[:2] / sha
    assert path.read_bytes() == content
    assert os.name != "posix" or path.stat().st_mode & 0o777 == 0o600
    columns = {row[1] for row in raw_connection().execute("PRAGMA table_info(attachment)")}
    assert columns == {"sha256", "size", "media_type", "created_at"}
    assert attachments.attachment_content(value) == content
    assert list(path.parent.glob(f"{TEMPORARY_PREFIX}*")) == []


def test_deleting_the_last_answer_naming_a_content_unlinks_its_file(
    store: Path, tmp_path: Path
) -> None:
    content = b"%PDF-1.4 kept until the last answer goes"
    session_id, value = saved_receipt(store, tmp_path, content)
    path = content_path(attachments_dir(store), str(value["sha256"]))
    sessions.save_draft(session_id, {"copy": value})
    sessions.save_draft(session_id, {"receipt": None})
    assert path.exists()  # still named by "copy"
    sessions.delete_session(session_id)
    assert not path.exists()
    assert attachment_store.count() == (0, 0)


def test_a_write_that_rolls_back_after_deleting_a_row_unlinks_nothing(
    store: Path, tmp_path: Path
) -> None:
    content = b"%PDF-1.4 named"
    session_id, value = saved_receipt(store, tmp_path, content)
    path = content_path(attachments_dir(store), str(value["sha256"]))
    with pytest.raises(RuntimeError), write_transaction():
        db.execute_sql("DELETE FROM answer WHERE session_id = ?", (session_id,))
        assert attachment_store.delete_unnamed() == 1  # released, to unlink after COMMIT
        raise RuntimeError("the write fails before its commit")
    sessions.save_draft(session_id, {"note": "a later write commits"})
    assert path.read_bytes() == content
    assert attachments.attachment_content(sessions.load_session(session_id).answers["receipt"])


def test_the_start_up_sweep_removes_old_orphans_and_keeps_young_and_named_files(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    _, value = saved_receipt(data_dir, tmp_path, b"%PDF-1.4 named")
    close_database()
    folder = attachments_dir(data_dir)
    named = content_path(folder, str(value["sha256"]))
    aged(named, 2 * SWEEP_MARGIN_SECONDS)
    orphan = content_path(folder, "ab" * 32)
    young = content_path(folder, "cd" * 32)
    temporary = named.with_name(f"{TEMPORARY_PREFIX}{named.name}-dead")
    for path in (orphan, young, temporary):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left by a crash")
    aged(orphan, SWEEP_MARGIN_SECONDS + 60)
    aged(temporary, SWEEP_MARGIN_SECONDS + 60)
    open_database(data_dir)
    try:
        assert named.exists() and young.exists()
        assert not orphan.exists() and not temporary.exists()
        assert attachments.attachment_content(value) == b"%PDF-1.4 named"
    finally:
        close_database()


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_missing_or_damaged_file_reads_as_one_line_everywhere(
    data_dir: Path, tmp_path: Path, damage: str
) -> None:
    open_database(data_dir)
    session_id, value = saved_receipt(data_dir, tmp_path, b"%PDF-1.4 " + os.urandom(1000))
    path = content_path(attachments_dir(data_dir), str(value["sha256"]))
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"%PDF-1.4 " + os.urandom(1000))  # same size, other bytes
    try:
        with pytest.raises(AttachmentFileError) as error:
            attachments.attachment_content(value)
        message = str(error.value)
        assert message.startswith(f"The file of the answer “receipt.pdf” is {damage}")
        assert "\n" not in message
        with pytest.raises(AttachmentFileError):
            write_export(session_id, tmp_path / "out.json")
        assert not (tmp_path / "out.zip").exists()
        assert attachment_store.file_problems() == [(value["sha256"], damage)]
    finally:
        close_database()
    command = [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), "export"]
    run = subprocess.run(
        [*command, session_id, "--output", str(tmp_path / "cli.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert f"is {damage}" in line and "receipt.pdf" in line


def test_a_backup_links_the_files_and_a_restore_puts_them_back(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    content = PNG_1PX + os.urandom(300_000)
    session_id, value = saved_receipt(data_dir, tmp_path, content)
    backup = run_daily_backup(raw_connection(), data_dir)
    assert backup is not None
    sha = str(value["sha256"])
    linked = content_path(backup_files_dir(backup), sha)
    live = content_path(attachments_dir(data_dir), sha)
    assert linked.read_bytes() == content
    assert os.name != "posix" or linked.stat().st_ino == live.stat().st_ino  # a hard link
    sessions.delete_session(session_id)
    assert not live.exists()
    close_database()
    replaced = restore_backup(data_dir, backup)
    assert replaced is not None and backup_files_dir(replaced).is_dir()
    open_database(data_dir)
    try:
        stored = sessions.load_session(session_id).answers["receipt"]
        assert attachments.attachment_content(stored) == content
    finally:
        close_database()


def test_a_backup_whose_file_is_damaged_is_refused_and_nothing_replaced(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    session_id, value = saved_receipt(data_dir, tmp_path, b"%PDF-1.4 " + os.urandom(1000))
    backup = run_daily_backup(raw_connection(), data_dir)
    assert backup is not None
    sessions.delete_session(session_id)
    close_database()
    linked = content_path(backup_files_dir(backup), str(value["sha256"]))
    linked.unlink()
    linked.write_bytes(b"not it")
    before = database_path(data_dir).read_bytes()
    with pytest.raises(OSError, match="is damaged"):
        restore_backup(data_dir, backup)
    assert database_path(data_dir).read_bytes() == before
    assert list(data_dir.glob(".restore-*")) == []


def make_schema_7(data_dir: Path, contents: list[bytes]) -> tuple[str, list[dict[str, object]]]:
    """A database as schema 7 left it: contents as BLOBs in `attachment`, a session
    whose answers name them, no attachment files."""
    open_database(data_dir)
    session_id = sessions.start_session(import_text(data_dir, ATTACH)).id
    sessions.save_draft(session_id, {"note": "before"})
    close_database()
    values = [
        {
            "sha256": hashlib.sha256(content).hexdigest(),
            "name": f"f{i}.txt",
            "size": len(content),
            "type": "text/plain",
        }
        for i, content in enumerate(contents)
    ]
    with contextlib.closing(sqlite3.connect(database_path(data_dir))) as connection:
        connection.execute("DROP TABLE attachment")
        connection.execute("DROP INDEX IF EXISTS answer_attachment")
        for statement in SCHEMA_7_ATTACHMENT.STATEMENTS:  # the table as 0006 made it
            connection.execute(statement)
        for value, content in zip(values, contents, strict=True):
            connection.execute(
                "INSERT INTO attachment VALUES (?, ?, 'text/plain', ?, '2026-12-01T00:00+00:00')",
                (value["sha256"], len(content), content),
            )
        for i, value in enumerate(values):
            connection.execute(
                "INSERT INTO answer (session_id, field_id, value, updated_at) "
                "VALUES (?, ?, json(?), '2026-12-01T00:00:00+00:00')",
                (session_id, ("receipt", "copy")[i % 2], json.dumps(value)),
            )
        connection.execute("DELETE FROM schema_migration WHERE name = '0008_attachment_files'")
        connection.commit()
    for stale in attachments_dir(data_dir).rglob("*"):
        if stale.is_file():
            stale.unlink()
    return session_id, values


def test_the_migration_from_schema_7_moves_every_blob_into_its_file(
    data_dir: Path, tmp_path: Path
) -> None:
    contents = [os.urandom(3 * 1024 * 1024 + 17), b"small one"]
    session_id, values = make_schema_7(data_dir, contents)
    # What a crash in an earlier run of the migration may have left: one file already
    # in place, a temporary file, and a file whose content is not what its name says.
    folder = attachments_dir(data_dir)
    done = content_path(folder, str(values[1]["sha256"]))
    done.parent.mkdir(parents=True, exist_ok=True)
    done.write_bytes(contents[1])
    wrong = content_path(folder, str(values[0]["sha256"]))
    wrong.parent.mkdir(parents=True, exist_ok=True)
    wrong.write_bytes(b"half written")
    open_database(data_dir)
    try:
        answers = sessions.load_session(session_id).answers
        assert answers["note"] == "before"
        assert attachments.attachment_content(answers["receipt"]) == contents[0]
        assert attachments.attachment_content(answers["copy"]) == contents[1]
        assert attachment_store.file_problems() == []
        assert attachment_store.count() == (2, sum(map(len, contents)))
        columns = {row[1] for row in raw_connection().execute("PRAGMA table_info(attachment)")}
        assert "content" not in columns
        (before,) = backups_dir(data_dir).glob("before-migration-v7-*.sqlite3")
    finally:
        close_database()
    # The backup made before the migration holds the BLOBs; restoring it runs the
    # migration again on it, and the files it finds are sound.
    restore_backup(data_dir, before)
    open_database(data_dir)
    try:
        answers = sessions.load_session(session_id).answers
        assert attachments.attachment_content(answers["receipt"]) == contents[0]
    finally:
        close_database()


def test_old_daily_backups_go_with_their_files_and_stray_folders_are_cleared(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    session_id, _ = saved_receipt(data_dir, tmp_path, b"%PDF-1.4 in every backup")
    day = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    try:
        for n in range(DAILY_KEEP + 2):
            an_hour_ago = time.time() - 3600
            for old in backups_dir(data_dir).glob("*.sqlite3"):
                os.utime(old, (an_hour_ago, an_hour_ago))
            sessions.save_draft(session_id, {"note": f"change {n}"})
            assert run_daily_backup(raw_connection(), data_dir, now=day + dt.timedelta(days=n))
    finally:
        close_database()
    kept = sorted(backups_dir(data_dir).glob("*.sqlite3"))
    folders = sorted(backups_dir(data_dir).glob(f"*.sqlite3{ATTACHMENTS_SUFFIX}"))
    assert len(kept) == DAILY_KEEP and folders == [backup_files_dir(k) for k in kept]
    stray = backups_dir(data_dir) / f"daily-gone.sqlite3{ATTACHMENTS_SUFFIX}"
    (stray / "ab").mkdir(parents=True)
    aged(stray, STALE_PARTIAL_SECONDS + 60)
    remove_stale_partials(data_dir)
    assert not stray.exists() and all(f.is_dir() for f in folders)


def test_the_sweep_waits_for_the_next_start_while_another_process_writes(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    close_database()
    orphan = content_path(attachments_dir(data_dir), "ef" * 32)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a crash")
    aged(orphan, SWEEP_MARGIN_SECONDS + 60)
    with contextlib.closing(
        sqlite3.connect(database_path(data_dir), isolation_level=None)
    ) as other:
        other.execute("BEGIN IMMEDIATE")  # another process's long write
        open_database(data_dir, busy_timeout_ms=100)  # opens all the same
        close_database()
        assert orphan.exists()
        other.execute("ROLLBACK")
    open_database(data_dir)
    close_database()
    assert not orphan.exists()

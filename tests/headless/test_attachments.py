"""Attachments (file, image, signature) without Qt: the format's keys and limits, the
answer's shape, content stored once by SHA-256, no orphan after any delete, backups
and restore, templates that never copy them, and hostile files refused by
`core.attachments.read_file` with one sentence (a 2 GB sparse file, a FIFO, a folder,
a file changed while it is read)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from tests.wizard_files import ATTACH, PNG_1PX, import_text, text_problems
from wizard_desktop.core import attachments, sessions, templates
from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.attachments import AttachmentRefusedError, read_file
from wizard_desktop.core.export import write_export
from wizard_desktop.core.report import session_report
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions_export import ExportCancelled, SessionsExport, export_sessions
from wizard_desktop.core.wizards import definition_of_version, remove_wizard
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.attachments import DEFAULT_MAX_SIZE, MAX_SIZE_LIMIT
from wizard_desktop.definition.loader import parse_wizard_text
from wizard_desktop.definition.model import Field, FieldType
from wizard_desktop.store import attachments as attachment_store
from wizard_desktop.store.backups import restore_backup, run_daily_backup
from wizard_desktop.store.database import close_database, open_database, raw_connection


def field(definition_field_id: str, session_id: str) -> Field:
    definition = definition_of_version(sessions.get_session(session_id).version_id)
    found = definition.field(definition_field_id)
    assert found is not None
    return found


def start(data_dir: Path) -> str:
    return sessions.start_session(import_text(data_dir, ATTACH)).id


def write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def test_the_format_takes_attachments_and_refuses_sizes_beyond_50_mb() -> None:
    assert parse_wizard_text(ATTACH, "a.yaml", "yaml").field("photo") is not None
    too_big = ATTACH.replace("max_size: 2000000", f"max_size: {MAX_SIZE_LIMIT + 1}")
    (problem,) = text_problems(too_big)
    assert "max_size: expected a size in bytes from 1 to 52428800 (50.0 MB)" in problem
    bad_accept = ATTACH.replace("accept: [.pdf, .txt, image/*]", "accept: [pdf]")
    assert "accept[0]: expected an extension such as .pdf" in text_problems(bad_accept)[0]
    signature_size = ATTACH.replace(
        "type: signature, label: Signature", "type: signature, label: Signature, max_size: 10"
    )
    assert "'max_size' is not used by a signature field" in text_problems(signature_size)[0]
    v1 = ATTACH.replace("format_version: 2", "format_version: 1")
    assert any("format_version: 2" in p or "format 2" in p for p in text_problems(v1))


def test_same_content_is_stored_once_and_answers_read_as_name_and_size(
    store: Path, tmp_path: Path
) -> None:
    session_id = start(store)
    content = b"%PDF-1.4 receipt " * 1000
    receipt = read_file(write(tmp_path, "receipt.pdf", content), field("receipt", session_id))
    copy = read_file(write(tmp_path, "copy.pdf", content), field("copy", session_id))
    assert receipt.sha256 == copy.sha256 == hashlib.sha256(content).hexdigest()
    sessions.save_draft(session_id, {"receipt": receipt.value(), "copy": copy.value()})
    other = start(store)
    sessions.save_draft(other, {"receipt": receipt.value()})
    assert attachment_store.count() == (1, len(content))
    assert attachments.attachment_content(copy.value()) == content
    values = sessions.load_session(session_id).answers
    assert values["copy"] == {
        "sha256": receipt.sha256,
        "name": "copy.pdf",
        "size": len(content),
        "type": "application/pdf",
    }
    assert format_answer(field("copy", session_id), values["copy"]) == "copy.pdf (16.6 KB)"
    signed = attachments.stage_signature(PNG_1PX, field("sign", session_id))
    assert format_answer(field("sign", session_id), signed.value()) == "Signed"


def test_no_content_is_left_orphaned_by_changes_or_deletes(store: Path, tmp_path: Path) -> None:
    session_id = start(store)
    first = read_file(write(tmp_path, "a.txt", b"first"), field("receipt", session_id))
    second = read_file(write(tmp_path, "b.txt", b"second"), field("receipt", session_id))
    sessions.save_draft(session_id, {"receipt": first.value()})
    sessions.save_draft(session_id, {"receipt": second.value()})  # replaces the first
    assert attachment_store.stored([first.sha256, second.sha256]) == {second.sha256}
    sessions.save_draft(session_id, {"receipt": None})  # removed
    assert attachment_store.count() == (0, 0)
    second = read_file(tmp_path / "b.txt", field("receipt", session_id))  # picked again
    sessions.save_draft(session_id, {"receipt": second.value(), "copy": second.value()})
    sessions.save_draft(session_id, {"receipt": None})  # still named by "copy"
    assert attachment_store.count() == (1, len(b"second"))
    sessions.delete_session(session_id)
    assert attachment_store.count() == (0, 0)
    kept = start(store)
    first = read_file(tmp_path / "a.txt", field("receipt", kept))
    sessions.save_draft(kept, {"copy": first.value()})
    wizard_id = sessions.get_session(kept).wizard_id
    remove_wizard(wizard_id, with_sessions=True)
    assert attachment_store.count() == (0, 0)


def test_an_answer_naming_a_content_never_read_is_refused_and_nothing_stored(store: Path) -> None:
    session_id = start(store)
    ghost = {"sha256": "0" * 64, "name": "x.txt", "size": 3, "type": "text/plain"}
    with pytest.raises(sessions.InvalidAnswersError) as refused:
        sessions.save_draft(session_id, {"copy": ghost, "note": "typed"})
    assert refused.value.problems == {"copy": attachments.MISSING}
    assert "note" not in sessions.load_session(session_id).answers


def test_answer_rules_check_the_reference(store: Path) -> None:
    session_id = start(store)
    photo = field("photo", session_id)
    good = {"sha256": "a" * 64, "name": "p.png", "size": 10, "type": "image/png"}
    assert answer_problem(photo, good) is None
    assert answer_problem(photo, {**good, "type": "application/pdf"}) is not None
    assert answer_problem(photo, {**good, "size": 2_000_001}) == ("The file is larger than 1.9 MB.")
    assert answer_problem(photo, {**good, "name": "../p.png"}) is not None
    assert answer_problem(photo, "p.png") is not None
    sign = field("sign", session_id)
    assert answer_problem(sign, {**good, "type": "image/jpeg"}) == "A signature is a PNG image."


def test_templates_never_copy_files_or_signatures(store: Path, tmp_path: Path) -> None:
    session_id = start(store)
    receipt = read_file(write(tmp_path, "r.txt", b"r"), field("receipt", session_id))
    signed = attachments.stage_signature(PNG_1PX, field("sign", session_id))
    sessions.complete_session(
        session_id, "one", {"receipt": receipt.value(), "sign": signed.value(), "note": "kept"}
    )
    saved = templates.save_as_template(session_id, "Mine")
    assert saved.answers == {"note": "kept"}
    preview = templates.template_preview(session_id).text()
    assert "never copied into a template" in preview


def test_backup_and_restore_keep_attachments(data_dir: Path, tmp_path: Path) -> None:
    open_database(data_dir)
    session_id = start(data_dir)
    content = os.urandom(300_000)
    photo_file = write(tmp_path, "p.png", PNG_1PX + content)
    photo = read_file(photo_file, field("photo", session_id))
    sessions.save_draft(session_id, {"photo": photo.value()})
    backup = run_daily_backup(raw_connection(), data_dir)
    assert backup is not None
    sessions.delete_session(session_id)
    assert attachment_store.count() == (0, 0)
    close_database()
    restore_backup(data_dir, backup)
    open_database(data_dir)
    try:
        value = sessions.load_session(session_id).answers["photo"]
        assert attachments.attachment_content(value) == PNG_1PX + content
    finally:
        close_database()


def test_the_migration_keeps_every_answer(data_dir: Path) -> None:
    """0006 adds its table and index to a database of 0005's time with answers (and
    0008 then takes its content column out again)."""
    open_database(data_dir)
    session_id = start(data_dir)
    sessions.save_draft(session_id, {"note": "before"})
    close_database()
    database = next(data_dir.glob("*.sqlite3"))
    with sqlite3.connect(database) as connection:
        connection.execute("DROP INDEX answer_attachment")
        connection.execute("DROP TABLE attachment")
        connection.execute(
            "DELETE FROM schema_migration WHERE name LIKE '0006%' OR name LIKE '0008%'"
        )
    connection.close()
    open_database(data_dir)
    try:
        assert sessions.load_session(session_id).answers["note"] == "before"
        assert attachment_store.count() == (0, 0)
    finally:
        close_database()


# --- Hostile files -----------------------------------------------------------------


def copy_field() -> Field:
    return Field(id="copy", type=FieldType.FILE, label="Copy")


def refusal(path: Path, target: Field | None = None) -> str:
    with pytest.raises(AttachmentRefusedError) as refused:
        read_file(path, target or copy_field())
    message = refused.value.message
    assert "\n" not in message
    return message


def test_a_2_gb_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: no disk used
    assert refusal(big) == "This file is 2.0 GB; this field takes files up to 10.0 MB."
    limit = write(tmp_path, "edge.bin", b"x" * (DEFAULT_MAX_SIZE + 1))
    assert "takes files up to 10.0 MB" in refusal(limit)


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs on Windows")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert refusal(fifo) == "“pipe” is not a regular file (a pipe, a device or a socket)."


def test_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert refusal(folder) == "“folder” is a folder, not a file."
    assert refusal(tmp_path / "gone.txt") == "“gone.txt” was not found."


def test_a_file_changed_while_it_is_read_is_refused_and_nothing_staged(tmp_path: Path) -> None:
    path = write(tmp_path, "growing.bin", b"a" * (3 * attachments.CHUNK))
    content_before = path.read_bytes()

    def change_it(read: int, total: int) -> None:
        if read == attachments.CHUNK:  # after the first chunk: someone writes to it
            with path.open("r+b") as f:
                f.seek(total - 1)
                f.write(b"b")
            os.utime(path, ns=(1, 1))

    with pytest.raises(AttachmentRefusedError) as refused:
        read_file(path, copy_field(), change_it)
    assert refused.value.message == (
        "“growing.bin” changed while it was being read; choose it again once it is saved."
    )
    assert attachments.staged_content(hashlib.sha256(content_before).hexdigest()) is None


def test_a_file_of_a_type_the_field_does_not_take_is_refused(tmp_path: Path) -> None:
    photo = Field(id="photo", type=FieldType.IMAGE, label="Photo")
    text = write(tmp_path, "notes.png", b"just text, not an image")
    assert refusal(text, photo) == (
        "This field takes PNG, JPEG, GIF, WebP or BMP images; "
        "“notes.png” is application/octet-stream."
    )
    pdf_only = Field(id="r", type=FieldType.FILE, label="R", accept=(".pdf",))
    assert refusal(write(tmp_path, "a.docx", b"PK\x03\x04..."), pdf_only).startswith(
        "This field takes .pdf; “a.docx” is"
    )


# --- Exports and the report ----------------------------------------------------------


def answered_session(data_dir: Path, folder: Path) -> tuple[str, bytes, bytes]:
    session_id = start(data_dir)
    pdf = b"%PDF-1.4 " + os.urandom(5_000)
    receipt = read_file(write(folder, "Receipt March.pdf", pdf), field("receipt", session_id))
    photo = read_file(write(folder, "p.png", PNG_1PX), field("photo", session_id))
    signed = attachments.stage_signature(PNG_1PX, field("sign", session_id))
    sessions.save_draft(
        session_id,
        {
            "receipt": receipt.value(),
            "photo": photo.value(),
            "sign": signed.value(),
            "note": "<b>x</b>",
        },
    )
    return session_id, pdf, PNG_1PX


def test_json_export_with_attachments_is_a_zip_named_by_field(store: Path, tmp_path: Path) -> None:
    session_id, pdf, png = answered_session(store, tmp_path)
    (tmp_path / "out").mkdir()
    written = write_export(session_id, tmp_path / "out" / "run.json")
    assert written == tmp_path / "out" / "run.zip"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run.zip"]
    with zipfile.ZipFile(written) as archive:
        assert archive.namelist() == [
            "session.json",
            "files/receipt.pdf",
            "files/photo.png",
            "files/sign.png",
        ]
        assert archive.read("files/receipt.pdf") == pdf
        assert archive.read("files/sign.png") == png
        document = json.loads(archive.read("session.json"))
    assert document["answers"]["receipt"]["file"] == "files/receipt.pdf"
    assert document["answers"]["receipt"]["name"] == "Receipt March.pdf"
    assert document["answers"]["note"] == "<b>x</b>"


def test_csv_export_names_the_files_and_writes_them_into_a_folder_beside(
    store: Path, tmp_path: Path
) -> None:
    session_id, pdf, _png = answered_session(store, tmp_path)
    target = tmp_path / "run.csv"
    assert write_export(session_id, target) == target
    assert (tmp_path / "run_files" / "receipt.pdf").read_bytes() == pdf
    assert sorted(p.name for p in (tmp_path / "run_files").iterdir()) == [
        "photo.png",
        "receipt.pdf",
        "sign.png",
    ]
    rows = {row["field_id"]: row for row in csv.DictReader(io.StringIO(target.read_text()))}
    assert rows["receipt"]["value"] == "run_files/receipt.pdf"
    assert rows["receipt"]["answer"] == "Receipt March.pdf (4.9 KB)"
    assert rows["sign"]["answer"] == "Signed"


def test_the_report_embeds_images_and_signatures_by_hash_and_escapes_names(
    store: Path, tmp_path: Path
) -> None:
    session_id = start(store)
    photo = read_file(write(tmp_path, "<img src=x>.png", PNG_1PX), field("photo", session_id))
    sessions.save_draft(session_id, {"photo": photo.value(), "receipt": None})
    report = session_report(session_id)
    assert report.images == {photo.sha256: PNG_1PX}
    page = report.html()
    assert f'<img src="attachment:{photo.sha256}" width="240"/>' in page
    assert "&lt;img src=x&gt;.png (70 bytes)" in page
    assert page.count("<img") == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_sessions_spreadsheet_names_files_and_writes_them_beside(
    store: Path, tmp_path: Path, fmt: str
) -> None:
    session_id, pdf, _png = answered_session(store, tmp_path)
    other = start(store)
    sessions.save_draft(other, {"note": "no files"})
    target = tmp_path / f"all.{fmt}"
    request = SessionsExport(SessionListQuery(wizard_id="attach"), fmt)  # type: ignore[arg-type]
    assert export_sessions(request, target) == 2
    folder = tmp_path / "all_files"
    assert sorted(p.name for p in folder.iterdir()) == [session_id]
    assert (folder / session_id / "receipt.pdf").read_bytes() == pdf
    assert sorted(p.name for p in (folder / session_id).iterdir()) == [
        "photo.png",
        "receipt.pdf",
        "sign.png",
    ]
    if fmt == "csv":
        text = target.read_text(encoding="utf-8-sig")
        assert "Receipt March.pdf (4.9 KB)" in text and "Signed" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".all_files")]


def test_a_cancelled_sessions_spreadsheet_leaves_no_files(store: Path, tmp_path: Path) -> None:
    answered_session(store, tmp_path)
    target = tmp_path / "all.csv"
    request = SessionsExport(SessionListQuery(wizard_id="attach"), "csv")
    with pytest.raises(ExportCancelled):
        export_sessions(request, target, cancelled=lambda: True)
    assert not target.exists() and not (tmp_path / "all_files").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".all")]

"""The files of a session's attachments in its exports: which answers have one, the
name each file gets (named by field: `receipt.pdf` for the field `receipt`, the
extension kept from the original name), a .zip holding `session.json` and the files
(`files/receipt.pdf`), and a folder of them beside a CSV or XLSX (`run_files/`).
Every file goes through `output_files`: nothing half written under a chosen name."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard_desktop.core.attachments import attachment_content
from wizard_desktop.core.output_files import (
    OutputFileExistsError,
    atomic_output,
    check_output_target,
    write_output_file,
)
from wizard_desktop.core.sessions import SessionState
from wizard_desktop.definition.attachments import ATTACHMENT_TYPES, attachment_sha256
from wizard_desktop.definition.model import Field

ZIP_FILES_FOLDER = "files"
SESSION_JSON = "session.json"
MISSING_CONTENT = "the stored content of {field} is missing"


@dataclass(frozen=True)
class AttachedFile:
    field_id: str
    value: dict[str, str | int]
    archive_name: str  # the field's id, then the original extension

    def content(self) -> bytes:
        data = attachment_content(self.value)
        if data is None:  # the store keeps every content an answer names
            raise LookupError(MISSING_CONTENT.format(field=self.field_id))
        return data


def exported_name(field_id: str, original: str) -> str:
    """`field_id` made a safe file name, with `original`'s extension (if a plain one)."""
    suffix = Path(original).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,16}", suffix):
        suffix = ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", field_id).strip("._") or "file"
    return f"{stem}{suffix}"


def attached_files(state: SessionState, fields: Iterable[Field]) -> list[AttachedFile]:
    """The attachment answers among `fields` (those exported), in their order."""
    values = state.path_values()
    attached: list[AttachedFile] = []
    for field in fields:
        value = values.get(field.id)
        if field.type in ATTACHMENT_TYPES and isinstance(value, dict) and attachment_sha256(value):
            name = exported_name(field.id, str(value["name"]))
            attached.append(AttachedFile(field.id, value, name))
    return attached


def files_folder(target: Path) -> Path:
    """The folder beside a spreadsheet `target` its files go into: `<stem>_files`."""
    return target.with_name(f"{target.stem}_files")


def write_zip(
    target: Path, session_json: str, attached: Sequence[AttachedFile], *, overwrite: bool
) -> None:
    """`target` (a .zip): `session.json` then each file under `files/`."""
    with (
        atomic_output(target, overwrite=overwrite) as temporary,
        zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):  # the archive is closed before the file is flushed and renamed
        archive.writestr(SESSION_JSON, session_json)
        for item in attached:
            archive.writestr(f"{ZIP_FILES_FOLDER}/{item.archive_name}", item.content())


def write_folder(folder: Path, attached: Sequence[AttachedFile], *, overwrite: bool) -> None:
    """Each file into `folder` (made when missing; a file there is replaced only when
    `overwrite`)."""
    if folder.exists() and not folder.is_dir():
        raise OutputFileExistsError(f"{folder} exists and is not a folder.")
    for item in attached:
        check_output_target(folder / item.archive_name, overwrite=overwrite)
    folder.mkdir(exist_ok=True)
    for item in attached:
        write_output_file(folder / item.archive_name, item.content(), overwrite=overwrite)

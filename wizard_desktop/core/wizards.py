"""Wizards in the store: importing definition files (idempotently, one version per
distinct content), listing them, and reading back the definition a version holds.

Listing reads the stored rows only (the step count comes from the stored JSON in SQL),
and the bundled files are parsed only when they differ from the ones last imported,
so the main window's first screen needs neither the loader nor PyYAML."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

from peewee import fn

from wizard_desktop.paths import bundled_wizards_dir
from wizard_desktop.store.attachments import delete_unnamed as delete_unnamed_attachments
from wizard_desktop.store.compiled import CompiledQuery, placeholder
from wizard_desktop.store.database import is_read_only, storage_errors, write_transaction
from wizard_desktop.store.models import (
    Answer,
    AppState,
    Session,
    Template,
    Wizard,
    WizardVersion,
    utc_now,
)

if TYPE_CHECKING:
    from wizard_desktop.definition.model import WizardDefinition

WIZARD_FILE_SUFFIXES = (".yaml", ".yml", ".json")


class UnknownWizardError(LookupError):
    def __init__(self, wizard_id: str) -> None:
        super().__init__(f"No wizard with id {wizard_id!r}.")


@dataclass(frozen=True)
class WizardSummary:
    id: str
    title: str
    description: str | None
    step_count: int
    completed_count: int
    version: int
    """How many versions were imported; the latest one is used for new sessions."""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "step_count": self.step_count,
            "completed_count": self.completed_count,
            "version": self.version,
        }


@dataclass(frozen=True)
class ImportResult:
    wizard_id: str
    version_id: int
    created: bool
    """False when this exact content was already stored (nothing written)."""


def import_definition(definition: WizardDefinition) -> ImportResult:
    """Store `definition` as the wizard's latest version, unless identical content is
    already stored. Title and description follow the latest import."""
    content_hash = definition.content_hash()
    with write_transaction():
        wizard = Wizard.get_or_none(Wizard.id == definition.id)
        if wizard is None:
            wizard = Wizard.create(
                id=definition.id, title=definition.title, description=definition.description
            )
        existing = WizardVersion.get_or_none(
            (WizardVersion.wizard == definition.id) & (WizardVersion.content_hash == content_hash)
        )
        if existing is not None:
            return ImportResult(definition.id, existing.id, created=False)
        version = WizardVersion.create(
            wizard=definition.id, content_hash=content_hash, definition=definition.to_dict()
        )
        Wizard.update(
            title=definition.title,
            description=definition.description,
            latest_version=version.id,
            imported_at=utc_now(),
        ).where(Wizard.id == definition.id).execute()
    return ImportResult(definition.id, version.id, created=True)


def import_wizard_file(
    path: str | os.PathLike[str], *, skip_unsupported: bool = False
) -> ImportResult:
    """Validate and store one file (a SurveyJS or XLSForm file through its importer,
    `skip_unsupported` as there). Raises `WizardFileError` (nothing stored) or
    `StorageError`. Text that is not valid Unicode (a lone surrogate, which JSON can
    spell as "\\ud800") is refused: SQLite stores only UTF-8."""
    from wizard_desktop.definition.loader import Problem, WizardFileError
    from wizard_desktop.importers import load_any_wizard_file

    definition = load_any_wizard_file(path, skip_unsupported=skip_unsupported)
    try:
        definition.canonical_json().encode("utf-8")
    except UnicodeEncodeError as exc:
        message = "the text holds a lone surrogate (U+D800 to U+DFFF), which is not a character"
        raise WizardFileError([Problem(str(path), None, "", message)]) from exc
    return import_definition(definition)


def bundled_wizard_files() -> list[Path]:
    folder = bundled_wizards_dir()
    return sorted(p for p in folder.iterdir() if p.suffix in WIZARD_FILE_SUFFIXES)


BUNDLED_FINGERPRINT_KEY = "bundled_wizards_sha256"


def _fingerprint(files: list[Path]) -> str:
    """One digest of the files' names and bytes."""
    digest = hashlib.sha256()
    for path in files:
        for part in (path.name.encode("utf-8"), path.read_bytes()):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def import_bundled_wizards() -> list[ImportResult]:
    """Import the wizards shipped in resources/wizards. Returns what was imported:
    nothing, without parsing a file, when these exact files were imported into this
    database before (each import is idempotent anyway) or the database is read-only."""
    files = bundled_wizard_files()
    fingerprint = _fingerprint(files)
    with storage_errors():
        stored = AppState.get_or_none(AppState.key == BUNDLED_FINGERPRINT_KEY)
    if (stored is not None and stored.value == fingerprint) or is_read_only():
        return []  # read-only: the wizards stored before are all there is
    results = [import_wizard_file(path) for path in files]
    with write_transaction():
        AppState.insert(
            key=BUNDLED_FINGERPRINT_KEY, value=fingerprint
        ).on_conflict_replace().execute()
    return results


@lru_cache(maxsize=64)
def _definition_of_version(version_id: int, content_hash: str) -> WizardDefinition:
    # Keyed by hash too: a version's content never changes, but ids restart in a new database.
    from wizard_desktop.definition.loader import stored_definition

    with storage_errors():
        row = WizardVersion.get_by_id(version_id)
    return stored_definition(row.definition, source=f"stored version {version_id}")


# (compiled: every step save reads it)
_CONTENT_HASH_OF_VERSION = CompiledQuery(
    lambda: WizardVersion.select(WizardVersion.content_hash).where(
        WizardVersion.id == placeholder("version_id")
    )
)


def definition_of_version(version_id: int) -> WizardDefinition:
    with storage_errors():
        row = _CONTENT_HASH_OF_VERSION.execute(version_id=version_id).fetchone()
    if row is None:
        raise LookupError(f"No wizard version {version_id}.")
    return _definition_of_version(version_id, str(row[0]))


@dataclass(frozen=True)
class VersionInfo:
    """Which of its wizard's imported versions a version is, for a person."""

    number: int
    """1 for the first version of the wizard imported, 2 for the next…"""
    imported_at: dt.datetime


def version_info(version_id: int) -> VersionInfo:
    """The number and import time of a stored version; LookupError when there is none."""
    with storage_errors():
        row = WizardVersion.get_or_none(WizardVersion.id == version_id)
        if row is None:
            raise LookupError(f"No wizard version {version_id}.")
        number = (
            WizardVersion.select()
            .where((WizardVersion.wizard == row.wizard_id) & (WizardVersion.id <= version_id))
            .count()
        )
    return VersionInfo(number, row.imported_at)


def latest_version_id(wizard_id: str) -> int:
    with storage_errors():
        wizard = Wizard.get_or_none(Wizard.id == wizard_id)
    if wizard is None or wizard.latest_version_id is None:
        raise UnknownWizardError(wizard_id)
    return wizard.latest_version_id


def list_wizards() -> list[WizardSummary]:
    """Every wizard with its latest version's step count, by title."""
    latest = WizardVersion.alias()
    versions = WizardVersion.alias()
    version_count = versions.select(fn.COUNT(versions.id)).where(versions.wizard == Wizard.id)
    query = (
        Wizard.select(
            Wizard.id,
            Wizard.title,
            Wizard.description,
            fn.json_array_length(latest.definition, "$.steps").alias("step_count"),
            Wizard.completed_count,
            version_count.alias("version_count"),
        )
        .join(latest, on=latest.id == Wizard.latest_version)
        .order_by(Wizard.title)
    )
    rows = cast(Iterable[tuple[str, str, str | None, int, int, int]], query.tuples())
    with storage_errors():
        return [WizardSummary(*row) for row in rows]


# --- Removing a wizard.


@dataclass(frozen=True)
class WizardUsage:
    """What removing a wizard takes with it, besides its imported versions."""

    sessions: int
    templates: int


class WizardHasSessionsError(ValueError):
    def __init__(self, wizard_id: str, usage: WizardUsage) -> None:
        super().__init__(
            f"The wizard {wizard_id!r} has {usage.sessions} session"
            f"{'s' if usage.sessions != 1 else ''}; remove it with its sessions "
            "(--with-sessions) or delete them first."
        )
        self.usage = usage


@dataclass(frozen=True)
class RemovedWizard:
    wizard_id: str
    session_ids: tuple[str, ...]
    templates: int
    versions: int


def wizard_usage(wizard_id: str) -> WizardUsage:
    """How many sessions and templates the wizard has (for the confirmation)."""
    with storage_errors():
        if Wizard.get_or_none(Wizard.id == wizard_id) is None:
            raise UnknownWizardError(wizard_id)
        return WizardUsage(
            sessions=Session.select().where(Session.wizard == wizard_id).count(),
            templates=Template.select().where(Template.wizard == wizard_id).count(),
        )


def remove_wizard(wizard_id: str, *, with_sessions: bool = False) -> RemovedWizard:
    """Remove the wizard, every imported version and its templates, in one transaction.
    Refused (`WizardHasSessionsError`, nothing removed) while it has sessions, unless
    with_sessions: then its sessions and their answers go too. A bundled wizard comes
    back only when a new app version bundles a changed file."""
    with write_transaction():
        if Wizard.get_or_none(Wizard.id == wizard_id) is None:
            raise UnknownWizardError(wizard_id)
        sessions = Session.select(Session.id).where(Session.wizard == wizard_id)
        session_ids = tuple(row.id for row in sessions)
        if session_ids and not with_sessions:
            raise WizardHasSessionsError(wizard_id, wizard_usage(wizard_id))
        Answer.delete().where(Answer.session.in_(sessions)).execute()
        Session.delete().where(Session.wizard == wizard_id).execute()
        delete_unnamed_attachments()  # the contents only these sessions named
        templates = Template.delete().where(Template.wizard == wizard_id).execute()
        Wizard.update(latest_version=None).where(Wizard.id == wizard_id).execute()
        versions = WizardVersion.delete().where(WizardVersion.wizard == wizard_id).execute()
        Wizard.delete().where(Wizard.id == wizard_id).execute()
    return RemovedWizard(wizard_id, session_ids, templates, versions)

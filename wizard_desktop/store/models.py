"""The Peewee models: wizards and their versions, sessions, answers, templates.

Timestamps are stored as ISO 8601 text in UTC with their offset, so they sort as text
and read back timezone-aware. The schema itself is created by the numbered scripts in
`store/migrations/`, never by `create_tables()` on these models.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from wizard_desktop.store.database import db


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTimeField(peewee.TextField):
    """An aware datetime stored as ISO 8601 UTC text, e.g. 2026-11-25T14:44:09.123456+00:00."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetimes are not stored; use an aware UTC time")
            return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        return value

    def python_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        return value


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


class Wizard(BaseModel):
    id = peewee.CharField(primary_key=True)
    title = peewee.TextField()
    description = peewee.TextField(null=True)
    latest_version = peewee.DeferredForeignKey("WizardVersion", null=True, on_delete="SET NULL")
    latest_version_id: int | None  # Peewee's accessors for the foreign keys' raw ids
    completed_count = peewee.IntegerField(default=0)
    imported_at = UTCDateTimeField(default=utc_now)


class WizardVersion(BaseModel):
    id = peewee.AutoField()
    wizard = peewee.ForeignKeyField(Wizard, backref="versions", on_delete="CASCADE")
    wizard_id: str
    content_hash = peewee.CharField()
    definition = peewee.JSONField()
    imported_at = UTCDateTimeField(default=utc_now)

    class Meta:
        indexes = ((("wizard", "content_hash"), True),)


class Template(BaseModel):
    id = peewee.AutoField()
    name = peewee.TextField()
    wizard = peewee.ForeignKeyField(Wizard, backref="templates", on_delete="CASCADE")
    wizard_id: str
    answers = peewee.JSONField()
    source_session_id = peewee.CharField(null=True)
    created_at = UTCDateTimeField(default=utc_now)


# The values of `Session.status` (the schema's CHECK constraint allows just these).
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
STATUSES = (IN_PROGRESS, COMPLETED)


class Session(BaseModel):
    id = peewee.CharField(primary_key=True)
    name = peewee.TextField()
    wizard = peewee.ForeignKeyField(Wizard, backref="sessions", on_delete="CASCADE")
    version = peewee.ForeignKeyField(WizardVersion, backref="sessions", on_delete="CASCADE")
    status = peewee.CharField(default=IN_PROGRESS)
    current_step_id = peewee.CharField(null=True)
    completed_step_ids = peewee.JSONField(default=list)
    progress_percentage = peewee.FloatField(default=0.0)
    started_at = UTCDateTimeField(default=utc_now)
    updated_at = UTCDateTimeField(default=utc_now)
    completed_at = UTCDateTimeField(null=True)
    total_time_seconds = peewee.FloatField(null=True)
    active_seconds = peewee.FloatField(default=0.0)
    template = peewee.ForeignKeyField(Template, null=True, backref="sessions", on_delete="SET NULL")
    language = peewee.CharField(null=True)  # a wizard in several languages: answered in
    wizard_id: str
    version_id: int
    template_id: int | None


class Answer(BaseModel):
    session = peewee.ForeignKeyField(Session, backref="answers", on_delete="CASCADE")
    field_id = peewee.CharField()
    value = peewee.JSONField()
    updated_at = UTCDateTimeField(default=utc_now)

    class Meta:
        indexes = ((("session", "field_id"), True),)


class AppState(BaseModel):
    """What the app records about this database (see migration 0004), by key."""

    key = peewee.CharField(primary_key=True)
    value = peewee.TextField()

"""The SQL behind the sessions table: filtering, sorting and keyset pagination.

A `SessionListQuery` says which sessions (status, search text) in which order (one
column, ascending or descending); `fetch_page()` reads one page after a given row,
ordered by the column's key and the session id as tiebreak, so pages never overlap
or skip rows, and a page of an indexed column reads only its own rows (the other
columns cost one scan and sort per page). Nothing here loads every row: the table asks page by page.

NULL sort keys (only "Completed" for unfinished sessions) sort first ascending and
last descending, as SQLite orders them. Text columns sort case-insensitively.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from wizard_desktop.store.database import db, storage_errors
from wizard_desktop.store.models import COMPLETED, STATUSES, Session

DEFAULT_PAGE_SIZE = 100


class SortColumn(StrEnum):
    """The table's columns, in display order; each one sorts."""

    NAME = "name"
    WIZARD = "wizard"
    STATUS = "status"
    PROGRESS = "progress"
    CURRENT_STEP = "current_step"
    STARTED = "started"
    UPDATED = "updated"
    COMPLETED = "completed"
    TIME_SPENT = "time_spent"


@dataclass(frozen=True)
class SessionListQuery:
    status: str | None = None
    """None for every session, else "in_progress" or "completed"."""
    search: str = ""
    """Matched case-insensitively anywhere in the session name or the wizard title."""
    wizard_id: str | None = None
    """None for every wizard, else only this wizard's sessions."""
    sort: SortColumn = SortColumn.UPDATED
    descending: bool = True

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"Unknown status {self.status!r}; expected one of {STATUSES}.")


@dataclass(frozen=True)
class SessionRow:
    """What the table shows of one session."""

    id: str
    name: str
    wizard_title: str
    status: str
    progress_percentage: float
    current_step_title: str | None
    """None for a completed session (it has no step left) or an unknown step."""
    started_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    time_spent_seconds: float
    """Time the player was open on the session."""

    @property
    def is_completed(self) -> bool:
        return self.status == COMPLETED


# CROSS JOIN keeps session as the outer loop (SQLite's hint): with ANALYZE statistics
# the planner may otherwise walk wizards first and fetch sessions in random order
# through an index, several times slower on a full scan.
_SELECT_FROM = "FROM session AS s CROSS JOIN wizard AS w ON w.id = s.wizard_id"
_SELECT = (
    "SELECT s.id, s.name, w.title, s.status, s.progress_percentage, s.version_id,"
    " s.current_step_id, s.started_at, s.updated_at, s.completed_at, s.active_seconds,"
    " s.language " + _SELECT_FROM
)

# Sort key expressions; "{step_title}" is filled in for the current step column.
_SORT_KEYS: dict[SortColumn, str] = {
    SortColumn.NAME: "s.name COLLATE NOCASE",
    SortColumn.WIZARD: "w.title COLLATE NOCASE",
    SortColumn.STATUS: "s.status",
    SortColumn.PROGRESS: "s.progress_percentage",
    SortColumn.CURRENT_STEP: "({step_title}) COLLATE NOCASE",
    SortColumn.STARTED: "s.started_at",
    SortColumn.UPDATED: "s.updated_at",
    SortColumn.COMPLETED: "s.completed_at",
    SortColumn.TIME_SPENT: "s.active_seconds",
}
_NULLABLE_KEYS = frozenset({SortColumn.COMPLETED})


_VERSION_SQL = (
    "SELECT json_extract(definition, '$.format_version'),"
    " json_extract(definition, '$.default_language'), json_extract(definition, '$.repeats')"
    " FROM wizard_version WHERE id = ?"
)
_STEP_TITLES_SQL = (
    "SELECT json_extract(step.value, '$.id'), json_type(step.value, '$.title'),"
    " json_extract(step.value, '$.title')"
    " FROM wizard_version AS v, json_each(v.definition, '$.steps') AS step WHERE v.id = ?"
)
NUMBER_MARK = "\x01"
"""Where an instance's number goes in its title, filled in per row (SQL's `char(1)`): a
title holds no control character."""

# (language, step id) -> title; None for the default language.
_TitleMap = dict[tuple[str | None, str], str]


@dataclass(frozen=True)
class _Titles:
    """One version's step titles as the lists show them: in each language (a language's
    only where it differs from the default's), `{field}` placeholders outlined."""

    plain: _TitleMap
    instance: _TitleMap
    """A repeat's step in an instance: its item label (else its title numbered),
    NUMBER_MARK where the instance's number goes."""

    def shown(self, language: str | None, step_id: str) -> str | None:
        """What SQL's `_step_title_expression` gives, for one row."""
        if not self.instance:  # no repeat, so no instance step
            return self.plain.get((language, step_id), self.plain.get((None, step_id)))
        from wizard_desktop.definition.repeats import split_path

        split = split_path(step_id)
        titles, key = (self.plain, step_id) if split is None else (self.instance, split[2])
        title = titles.get((language, key), titles.get((None, key)))
        if title is None or split is None:
            return title
        return title.replace(NUMBER_MARK, str(split[1] + 1))


def _outlined(text: str, format_version: int, known: dict[str, str] | None = None) -> str:
    """`expressions.outline_text`; a text without a placeholder reads as written, so
    the expression code (and the definition model it loads) is loaded only for one
    that has any: the first screen's lists seldom need it."""
    if "{" not in text:
        return text
    from wizard_desktop.definition.expressions import outline_text

    return outline_text(text, format_version, known)


def _instance_title(title: str, repeat: dict[str, Any]) -> str:
    """A repeat's step title in an instance, as `repeats._copy_step` writes it."""
    label = repeat.get("item_label")
    if isinstance(label, str):
        title = label if len(repeat.get("steps", ())) == 1 else f"{label} · {title}"
    shown = _outlined(title, 2, {f"{repeat.get('id')}.number": NUMBER_MARK})
    return shown if NUMBER_MARK in shown else f"{shown} ({NUMBER_MARK})"


@lru_cache(maxsize=256)
def _step_titles(version_id: int, content_hash: str) -> _Titles:
    """Read from the stored canonical definition by SQLite's JSON functions: building
    the whole definition costs some 7 ms a version, on the first screen too."""
    # Keyed by the hash too: a version never changes, but ids restart in another database.
    with storage_errors():
        format_version, default_language, repeats_json = db.execute_sql(
            _VERSION_SQL, [version_id]
        ).fetchone()
        rows = db.execute_sql(_STEP_TITLES_SQL, [version_id]).fetchall()
    repeats = json.loads(repeats_json) if repeats_json else []
    repeat_of = {step: r for r in repeats for step in r.get("steps", ())}
    plain: _TitleMap = {}
    instance: _TitleMap = {}
    for step_id, kind, raw in rows:
        texts: dict[str, str] = json.loads(raw) if kind == "object" else {}
        default = texts.get(default_language, "") if kind == "object" else str(raw)
        repeat = repeat_of.get(step_id)
        in_languages: list[tuple[str | None, str]] = [(None, default), *texts.items()]
        for language, text in in_languages:
            if language is not None and text == default:
                continue
            plain[language, step_id] = _outlined(text, format_version)
            if repeat is not None:
                instance[language, step_id] = _instance_title(text, repeat)
    return _Titles(plain, instance)


def _step_titles_by_version(version_ids: Collection[int] | None = None) -> dict[int, _Titles]:
    """Each version's titles (every version when None)."""
    sql = "SELECT id, content_hash FROM wizard_version"
    if version_ids is not None:
        sql += f" WHERE id IN ({', '.join('?' * len(version_ids))})"
    with storage_errors():
        versions = db.execute_sql(sql, list(version_ids or ())).fetchall()
    return {
        version_id: _step_titles(version_id, content_hash) for version_id, content_hash in versions
    }


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _case(key: str, whens: dict[str, str], otherwise: str = "''") -> str:
    if not whens:
        return otherwise
    cases = " ".join(f"WHEN {_sql_text(k)} THEN {_sql_text(v)}" for k, v in whens.items())
    return f"CASE {key} {cases} ELSE {otherwise} END"


def _lookup(titles: dict[int, _TitleMap], step: str) -> str:
    """SQL reading the title of (s.version_id, s.language, `step`) in `titles`: the
    session's language's, else the default language's, else ''."""
    default = _case(
        f"s.version_id || ':' || {step}",
        {f"{v}:{key}": t for v, m in titles.items() for (lang, key), t in m.items() if not lang},
    )
    translated = {
        f"{v}:{lang}:{key}": t for v, m in titles.items() for (lang, key), t in m.items() if lang
    }
    if not translated:
        return default
    in_language = _case(f"s.version_id || ':' || s.language || ':' || {step}", translated, default)
    return f"CASE WHEN s.language IS NULL THEN {default} ELSE {in_language} END"


_STEP_ID = "s.current_step_id"
_INSTANCE_STEP_ID = f"substr({_STEP_ID}, instr({_STEP_ID}, '].') + 2)"
_INSTANCE_NUMBER = f"(CAST(substr({_STEP_ID}, instr({_STEP_ID}, '[') + 1) AS INTEGER) + 1)"


def _step_title_expression() -> str:
    """The title `_Titles.shown` gives for the row's (version, language, current step),
    '' when completed or unknown: the titles live in the versions' definitions, not a
    column. Literals, not parameters, so the expression can repeat in one statement."""
    versions = _step_titles_by_version()
    plain = _lookup({v: t.plain for v, t in versions.items()}, _STEP_ID)
    instances = {v: t.instance for v, t in versions.items() if t.instance}
    if instances:
        instance = _lookup(instances, _INSTANCE_STEP_ID)
        numbered = f"replace({instance}, char(1), {_INSTANCE_NUMBER})"
        plain = f"CASE WHEN instr({_STEP_ID}, '[') > 0 THEN {numbered} ELSE {plain} END"
    return f"CASE WHEN s.status = '{COMPLETED}' THEN '' ELSE {plain} END"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _filters(query: SessionListQuery, *, scan: bool = False) -> tuple[list[str], list[Any]]:
    """WHERE clauses and their parameters. `scan`: every row is read anyway (a count),
    so the status must not pick the status index, whose row-by-row lookups in a
    search's full pass cost several times a plain scan of the table."""
    clauses: list[str] = []
    params: list[Any] = []
    needle = query.search.strip()
    if query.status is not None:
        clauses.append("+s.status = ?" if scan and needle else "s.status = ?")
        params.append(query.status)
    if query.wizard_id is not None:
        clauses.append("s.wizard_id = ?")
        params.append(query.wizard_id)
    if needle.isascii() and needle:
        # LIKE folds ASCII case in C: fast enough for a full scan of 100k rows. The
        # matching wizards are found once, not joined for every session.
        clauses.append(
            "(s.name LIKE ? ESCAPE '\\'"
            " OR s.wizard_id IN (SELECT id FROM wizard WHERE title LIKE ? ESCAPE '\\'))"
        )
        params += [_like_pattern(needle)] * 2
    elif needle:
        # LIKE does not fold non-ASCII letters (É/é): compare Python casefolds instead.
        db.register_function(_casefold, "wd_casefold", 1, deterministic=True)
        clauses.append(
            "(instr(wd_casefold(s.name), ?)"
            " OR s.wizard_id IN (SELECT id FROM wizard WHERE instr(wd_casefold(title), ?)))"
        )
        params += [needle.casefold()] * 2
    return clauses, params


def _sort_key(column: SortColumn) -> str:
    if column is SortColumn.CURRENT_STEP:
        return _SORT_KEYS[column].format(step_title=_step_title_expression())
    return _SORT_KEYS[column]


def sort_key_of(column: SortColumn, row: SessionRow) -> Any:
    """The value of `column`'s sort key for `row`, as SQL compares it."""
    stamp = Session.updated_at.db_value  # the stored ISO text of an aware datetime
    values: dict[SortColumn, Any] = {
        SortColumn.NAME: row.name,
        SortColumn.WIZARD: row.wizard_title,
        SortColumn.STATUS: row.status,
        SortColumn.PROGRESS: row.progress_percentage,
        SortColumn.CURRENT_STEP: row.current_step_title or "",
        SortColumn.STARTED: stamp(row.started_at),
        SortColumn.UPDATED: stamp(row.updated_at),
        SortColumn.COMPLETED: stamp(row.completed_at) if row.completed_at else None,
        SortColumn.TIME_SPENT: row.time_spent_seconds,
    }
    return values[column]


def _before_or_after(
    query: SessionListQuery, key: str, row: SessionRow, *, after: bool
) -> tuple[str, list[Any]]:
    """The condition for rows strictly after (or before) `row` in the query's order."""
    op = ">" if after != query.descending else "<"
    value = sort_key_of(query.sort, row)
    # The single-column bound is redundant but lets SQLite seek the index: it does not
    # for a row value whose first term has a COLLATE. Never true for a NULL key.
    compared = f"({key} {op}= ? AND ({key}, s.id) {op} (?, ?))"
    if query.sort not in _NULLABLE_KEYS:
        return compared, [value, value, row.id]
    # Towards larger keys ('>'), the non-NULL keys follow the NULL ones (NULL is smallest).
    towards_larger = op == ">"
    if value is None:
        nulls = f"({key} IS NULL AND s.id {op} ?)"
        return (f"({nulls} OR {key} IS NOT NULL)" if towards_larger else nulls), [row.id]
    params = [value, value, row.id]
    return (compared if towards_larger else f"({compared} OR {key} IS NULL)"), params


def _rows(records: Iterable[Sequence[Any]]) -> list[SessionRow]:
    records = list(records)
    titles = _step_titles_by_version({r[5] for r in records}) if records else {}
    return [
        SessionRow(
            id=r[0],
            name=r[1],
            wizard_title=r[2],
            status=r[3],
            progress_percentage=r[4],
            current_step_title=None if r[3] == COMPLETED else titles[r[5]].shown(r[11], r[6] or ""),
            started_at=dt.datetime.fromisoformat(r[7]),
            updated_at=dt.datetime.fromisoformat(r[8]),
            completed_at=dt.datetime.fromisoformat(r[9]) if r[9] else None,
            time_spent_seconds=r[10],
        )
        for r in records
    ]


def _where(clauses: list[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def fetch_page(
    query: SessionListQuery, after: SessionRow | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> list[SessionRow]:
    """Up to `limit` sessions that follow `after` (from the start when None)."""
    with storage_errors():
        clauses, params = _filters(query)
        key = _sort_key(query.sort)
        if after is not None:
            condition, condition_params = _before_or_after(query, key, after, after=True)
            clauses.append(condition)
            params += condition_params
        sql = f"{_SELECT}{_where(clauses)}{_order_by(query, key)} LIMIT ?"
        records = db.execute_sql(sql, [*params, limit]).fetchall()
        return _rows(records)


def _order_by(query: SessionListQuery, key: str) -> str:
    direction = "DESC" if query.descending else "ASC"
    return f" ORDER BY {key} {direction}, s.id {direction}"


def ordered_select(query: SessionListQuery, columns: str) -> tuple[str, list[Any]]:
    """The SQL (and its parameters) that selects `columns` (over `s`, the session, and
    `w`, its wizard) of every session the query lets through, in its order: for a
    reader that streams them all in one pass (the sessions spreadsheet)."""
    with storage_errors():
        clauses, params = _filters(query)
        key = _sort_key(query.sort)
    return f"SELECT {columns} {_SELECT_FROM}{_where(clauses)}{_order_by(query, key)}", params


def wizards_of(query: SessionListQuery) -> list[tuple[str, str]]:
    """(id, title) of the wizards of the sessions the query lets through, by title."""
    clauses, params = _filters(query, scan=True)
    sql = (
        "SELECT id, title FROM wizard WHERE id IN"
        f" (SELECT s.wizard_id FROM session AS s{_where(clauses)})"
        " ORDER BY title COLLATE NOCASE, id"
    )
    with storage_errors():
        return [(wizard_id, title) for wizard_id, title in db.execute_sql(sql, params)]


def count(query: SessionListQuery) -> int:
    """How many sessions the query's filters let through."""
    clauses, params = _filters(query, scan=True)
    source = _SELECT_FROM if query.search.strip() else "FROM session AS s"
    with storage_errors():
        return int(
            db.execute_sql(f"SELECT COUNT(*) {source}{_where(clauses)}", params).fetchone()[0]
        )


def fetch_row(session_id: str, query: SessionListQuery | None = None) -> SessionRow | None:
    """The session's row; None when it does not exist or the query's filters hide it."""
    clauses, params = _filters(query or SessionListQuery())
    clauses.append("s.id = ?")
    with storage_errors():
        records = db.execute_sql(f"{_SELECT}{_where(clauses)}", [*params, session_id]).fetchall()
        return _rows(records)[0] if records else None


def position(query: SessionListQuery, row: SessionRow) -> int:
    """How many of the query's sessions come before `row` in its order: where the row
    belongs in the table (e.g. a session started while the table is open)."""
    clauses, params = _filters(query)
    condition, condition_params = _before_or_after(query, _sort_key(query.sort), row, after=False)
    clauses.append(condition)
    with storage_errors():
        sql = f"SELECT COUNT(*) {_SELECT_FROM}{_where(clauses)}"
        return int(db.execute_sql(sql, [*params, *condition_params]).fetchone()[0])

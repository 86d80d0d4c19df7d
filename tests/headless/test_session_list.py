"""The sessions table's SQL: every filter and sort gives the rows of an equivalent plain
query, in the same order, page after page without gaps or duplicates."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard_desktop.core.session_list import (
    SessionListQuery,
    SessionRow,
    SortColumn,
    count,
    fetch_page,
    fetch_row,
    position,
)
from wizard_desktop.core.wizards import definition_of_version, import_bundled_wizards
from wizard_desktop.store.database import close_database, db, open_database
from wizard_desktop.store.models import COMPLETED, IN_PROGRESS, Session, Wizard

SESSION_COUNT = 300
NAMES = ("Ada", "ada", "Éva Tardos", "éva", "Grace", "100% done", "snake_case", "Zoë", "Bob")

# The plain-SQL order of each column (the titles of current steps are computed in Python).
PLAIN_ORDER = {
    SortColumn.NAME: "s.name COLLATE NOCASE",
    SortColumn.WIZARD: "w.title COLLATE NOCASE",
    SortColumn.STATUS: "s.status",
    SortColumn.PROGRESS: "s.progress_percentage",
    SortColumn.STARTED: "s.started_at",
    SortColumn.UPDATED: "s.updated_at",
    SortColumn.COMPLETED: "s.completed_at",
    SortColumn.TIME_SPENT: "s.active_seconds",
}


@pytest.fixture(scope="module")
def populated_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A data folder (made once for this module; the tests only read) with a few hundred
    sessions of the bundled wizards, with many ties (same names, same progress, same
    times) so the id tiebreak matters, written straight to the table."""
    data_dir = tmp_path_factory.mktemp("session-list")
    open_database(data_dir)
    import_bundled_wizards()
    rng = random.Random(7)
    wizards = [(w.id, w.latest_version_id) for w in Wizard.select()]
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(SESSION_COUNT):
        wizard_id, version_id = rng.choice(wizards)
        assert version_id is not None
        steps = [s.id for s in definition_of_version(version_id).steps]
        done = rng.random() < 0.5
        started = base + dt.timedelta(hours=rng.randrange(40))
        rows.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "name": f"{rng.choice(NAMES)} {i % 7}",
                "wizard": wizard_id,
                "version": version_id,
                "status": COMPLETED if done else IN_PROGRESS,
                "current_step_id": steps[-1] if done else rng.choice(steps),
                "completed_step_ids": [],
                "progress_percentage": 100.0 if done else rng.choice((0.0, 25.0, 50.0, 75.0)),
                "started_at": started,
                "updated_at": started + dt.timedelta(minutes=rng.randrange(3)),
                "completed_at": started + dt.timedelta(hours=1) if done else None,
                "active_seconds": float(rng.randrange(5)),
            }
        )
    with db.atomic():
        Session.insert_many(rows).execute()
    close_database()
    return data_dir, [r["id"] for r in rows]


@pytest.fixture
def sessions(populated_dir: tuple[Path, list[str]]) -> Iterator[list[str]]:
    data_dir, ids = populated_dir
    open_database(data_dir)
    yield ids
    close_database()


def plain_ids(query: SessionListQuery) -> list[str]:
    """The ids of `query` by a straightforward query (search filtered in Python)."""
    where = "WHERE s.status = ?" if query.status else ""
    params = [query.status] if query.status else []
    direction = "DESC" if query.descending else "ASC"
    if query.sort is SortColumn.CURRENT_STEP:
        order = f"s.id {direction}"
    else:
        order = f"{PLAIN_ORDER[query.sort]} {direction}, s.id {direction}"
    records = db.execute_sql(
        "SELECT s.id, s.name, w.title, s.status, s.version_id, s.current_step_id"
        f" FROM session s JOIN wizard w ON w.id = s.wizard_id {where} ORDER BY {order}",
        params,
    ).fetchall()
    needle = query.search.strip().casefold()
    records = [r for r in records if needle in r[1].casefold() or needle in r[2].casefold()]
    if query.sort is SortColumn.CURRENT_STEP:

        def title(record: tuple[str, str, str, str, int, str]) -> str:
            if record[3] == COMPLETED:
                return ""
            step = definition_of_version(record[4]).step(record[5])
            return step.title.lower() if step else ""

        # Stable sort on top of the id order: ties keep the id order, as in SQL.
        records.sort(key=title, reverse=query.descending)
    return [r[0] for r in records]


def all_pages(query: SessionListQuery, limit: int) -> list[SessionRow]:
    rows: list[SessionRow] = []
    while True:
        page = fetch_page(query, after=rows[-1] if rows else None, limit=limit)
        rows += page
        if len(page) < limit:
            return rows


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", list(SortColumn))
def test_every_sort_pages_through_the_same_ids_as_plain_sql(
    sessions: list[str], column: SortColumn, descending: bool
) -> None:
    query = SessionListQuery(sort=column, descending=descending)
    rows = all_pages(query, limit=37)
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)) == SESSION_COUNT
    assert ids == plain_ids(query)


@pytest.mark.parametrize(
    ("status", "search"),
    [
        (IN_PROGRESS, ""),
        (COMPLETED, ""),
        (None, "ADA"),  # ASCII: case-insensitive
        (None, "ÉVA"),  # non-ASCII: case-insensitive too
        (None, "laptop"),  # matches wizard titles
        (COMPLETED, "grace 3"),
        (None, "100%"),  # LIKE wildcards are plain text
        (None, "e_c"),
        (None, "nothing like this"),
    ],
)
@pytest.mark.parametrize("column", [SortColumn.UPDATED, SortColumn.COMPLETED, SortColumn.NAME])
def test_filters_give_the_rows_of_plain_sql(
    sessions: list[str], status: str | None, search: str, column: SortColumn
) -> None:
    query = SessionListQuery(status=status, search=search, sort=column, descending=False)
    expected = plain_ids(query)
    assert [r.id for r in all_pages(query, limit=25)] == expected
    assert count(query) == len(expected)
    if search == "100%":
        assert expected and all("100%" in r.name for r in fetch_page(query))


def test_default_order_is_last_updated_first(sessions: list[str]) -> None:
    rows = fetch_page(SessionListQuery())
    assert len(rows) == 100
    assert [r.updated_at for r in rows] == sorted((r.updated_at for r in rows), reverse=True)


def test_position_is_the_index_in_the_full_order(sessions: list[str]) -> None:
    for column in (SortColumn.COMPLETED, SortColumn.CURRENT_STEP, SortColumn.WIZARD):
        for descending in (False, True):
            query = SessionListQuery(sort=column, descending=descending, status=None)
            ordered = plain_ids(query)
            for i in (0, 1, 150, SESSION_COUNT - 1):
                row = fetch_row(ordered[i])
                assert row is not None
                assert position(query, row) == i


def test_fetch_row_shows_step_titles_and_respects_filters(store: Path) -> None:
    from wizard_desktop.core.sessions import start_session

    session = start_session("laptop-config", "Laptop for Ada")
    row = fetch_row(session.id)
    assert row is not None
    assert (row.name, row.wizard_title, row.status) == (
        "Laptop for Ada",
        "Laptop Config",
        "in_progress",
    )
    assert row.current_step_title == "Basics"
    assert row.progress_percentage == 0 and row.completed_at is None
    assert row.started_at.tzinfo is not None
    assert fetch_row(session.id, SessionListQuery(status=COMPLETED)) is None
    assert fetch_row(session.id, SessionListQuery(search="ada")) == row
    assert fetch_row("no-such-session") is None


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown status"):
        SessionListQuery(status="paused")

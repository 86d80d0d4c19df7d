"""How fast the sessions table paints its first screen on 100,000 sessions, measured
side by side with Qt's own `QSqlQueryModel` + `QTableView` on the equivalent query and
the same file (the anchor). Not a test: run it and read the ratio.

    .venv/bin/python benchmarks/table_first_screen.py [--sessions 100000] [--repeat 7]

Prints one line per measurement:
    table_first_screen  <ours ms>  <anchor ms>  <ratio>  goal<=2.0  PASS|FAIL
and the same for `table_sort_filter` (sort by an unindexed column + a text filter).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtSql import QSqlDatabase, QSqlQueryModel
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from wizard_desktop.core.session_list import SortColumn
from wizard_desktop.core.wizards import definition_of_version, import_bundled_wizards
from wizard_desktop.store.database import close_database, db, open_database, write_transaction
from wizard_desktop.store.files import database_path
from wizard_desktop.store.models import Session, Wizard
from wizard_desktop.ui.sessions_view import COLUMNS, SessionsView

GOAL_RATIO = 2.0
VIEW_SIZE = (1200, 700)
PEOPLE = (
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Éva Tardos",
    "Linus Pauling",
    "Margaret Hamilton",
    "Katherine Johnson",
    "Dennis Ritchie",
    "Barbara Liskov",
    "Ken Thompson",
    "Frances Allen",
    "John McCarthy",
    "Radia Perlman",
    "Tim Berners-Lee",
    "Hedy Lamarr",
    "Donald Knuth",
)
PURPOSES = ("new hire", "replacement", "contractor", "intern", "team lead", "re-run", "draft")

# The anchor: the same columns, join, filter and order as SessionsTableModel's query
# (QSqlQueryModel then fetches its own pages of 256 rows).
ANCHOR_SQL = """
SELECT s.name, w.title, s.status, s.progress_percentage, s.current_step_id,
       s.started_at, s.updated_at, s.completed_at, s.active_seconds
FROM session AS s CROSS JOIN wizard AS w ON w.id = s.wizard_id
{where} ORDER BY {order}, s.id {direction}"""


def generate_sessions(count: int, seed: int = 1) -> int:
    """Insert `count` sessions of the stored wizards with mixed statuses, progress,
    names and times (one executemany in one transaction); returns how many completed."""
    rng = random.Random(seed)
    wizards = [(w.id, w.latest_version_id) for w in Wizard.select()]
    steps = {
        version_id: [s.id for s in definition_of_version(version_id).steps]
        for _, version_id in wizards
    }
    now = dt.datetime.now(dt.UTC)
    stamp = Session.updated_at.db_value
    rows = []
    completed_by_wizard: dict[str, int] = {}
    for _ in range(count):
        wizard_id, version_id = rng.choice(wizards)
        assert version_id is not None
        step_ids = steps[version_id]
        started = now - dt.timedelta(seconds=rng.uniform(60, 730 * 86400))
        done = rng.random() < 0.55
        completed_steps = len(step_ids) if done else rng.randrange(len(step_ids))
        active = rng.uniform(20, 1800) * (completed_steps + 1) / len(step_ids)
        updated = min(now, started + dt.timedelta(seconds=active * rng.uniform(1, 40)))
        rows.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                f"{rng.choice(PEOPLE)} — {rng.choice(PURPOSES)}",
                wizard_id,
                version_id,
                "completed" if done else "in_progress",
                step_ids[min(completed_steps, len(step_ids) - 1)],
                "[" + ",".join(f'"{s}"' for s in step_ids[:completed_steps]) + "]",
                round(100 * completed_steps / len(step_ids), 2),
                stamp(started),
                stamp(updated),
                stamp(updated) if done else None,
                round((updated - started).total_seconds(), 3) if done else None,
                round(active, 1),
            )
        )
        if done:
            completed_by_wizard[wizard_id] = completed_by_wizard.get(wizard_id, 0) + 1
    with write_transaction():
        db.execute_sql("SELECT 1")  # the transaction is open; executemany joins it
        db.connection().executemany(
            "INSERT INTO session (id, name, wizard_id, version_id, status, current_step_id,"
            " completed_step_ids, progress_percentage, started_at, updated_at, completed_at,"
            " total_time_seconds, active_seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        for wizard_id, completed in completed_by_wizard.items():
            Wizard.update(completed_count=Wizard.completed_count + completed).where(
                Wizard.id == wizard_id
            ).execute()
    db.execute_sql("ANALYZE")
    return sum(completed_by_wizard.values())


class PaintWatcher(QObject):
    """Notes each paint of a table's viewport: the moment its rows are on screen."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.painted = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False

    def wait(self) -> None:
        """Run the event loop until the viewport has painted (the paint runs inside the
        processEvents() call that delivers its event, so it is finished on return)."""
        self.painted = False
        deadline = time.perf_counter() + 10
        while not self.painted:
            if time.perf_counter() > deadline:
                raise RuntimeError("the table never painted")
            QApplication.processEvents()


def first_screen_ms(build: Callable[[], QWidget]) -> tuple[float, QWidget]:
    """Milliseconds from nothing to the first screen painted: build the widget (model
    and first query included), show it, and run the event loop until the table's
    viewport has painted its rows once."""
    start = time.perf_counter()
    widget = build()
    table = widget if isinstance(widget, QTableView) else widget.findChild(QTableView)
    watcher = PaintWatcher(table)
    widget.resize(*VIEW_SIZE)
    widget.show()
    watcher.wait()
    return (time.perf_counter() - start) * 1000, widget


def anchor_view(
    connection_name: str, where: str = "", order: str = "s.updated_at DESC"
) -> QTableView:
    view = QTableView()
    model = QSqlQueryModel(view)
    direction = "DESC" if order.endswith("DESC") else "ASC"
    sql = ANCHOR_SQL.format(where=where, order=order, direction=direction)
    model.setQuery(sql, QSqlDatabase.database(connection_name))
    if model.lastError().isValid():
        raise RuntimeError(model.lastError().text())
    view.setModel(model)
    return view


def summary(samples: list[float]) -> str:
    return (
        f"min {min(samples):7.1f}  median {statistics.median(samples):7.1f}"
        f"  max {max(samples):7.1f} ms"
    )


def report(name: str, ours: list[float], anchor: list[float]) -> None:
    ratio = statistics.median(ours) / statistics.median(anchor)
    verdict = "PASS" if ratio <= GOAL_RATIO else "FAIL"
    print(f"  ours   {summary(ours)}")
    print(f"  anchor {summary(anchor)}")
    print(
        f"{name}  {statistics.median(ours):.1f}  {statistics.median(anchor):.1f}"
        f"  {ratio:.2f}  goal<={GOAL_RATIO}  {verdict}"
    )


def measure_first_screen(repeat: int, connection_name: str) -> None:
    ours: list[float] = []
    anchor: list[float] = []
    for _ in range(repeat):
        for samples, build in (
            (anchor, lambda: anchor_view(connection_name)),
            (ours, SessionsView),
        ):
            # Ours is the whole SessionsView (filters, buttons, count), not only its table.
            ms, widget = first_screen_ms(build)
            samples.append(ms)
            widget.close()
            widget.deleteLater()
            QApplication.processEvents()
    report("table_first_screen", ours, anchor)


def measure_sort_filter(repeat: int, connection_name: str) -> None:
    """On a shown table: type a search (then its first page is painted), then sort by
    an unindexed column (progress, descending) and paint again. The anchor runs the
    same two queries through QSqlQueryModel.setQuery on its shown table."""
    needle = "hopper"
    where = (
        f"WHERE s.name LIKE '%{needle}%'"
        f" OR s.wizard_id IN (SELECT id FROM wizard WHERE title LIKE '%{needle}%')"
    )
    progress = COLUMNS.index(SortColumn.PROGRESS)
    ours: list[float] = []
    anchor: list[float] = []
    anchor_table = anchor_view(connection_name)
    widget = SessionsView()
    for shown in (anchor_table, widget):
        shown.resize(*VIEW_SIZE)
        shown.show()
    QApplication.processEvents()
    database = QSqlDatabase.database(connection_name)
    anchor_painted = PaintWatcher(anchor_table)
    ours_painted = PaintWatcher(widget.table)
    model = anchor_table.model()
    assert isinstance(model, QSqlQueryModel)
    for _ in range(repeat):
        model.setQuery(
            ANCHOR_SQL.format(where="", order="s.updated_at DESC", direction="DESC"), database
        )
        QApplication.processEvents()
        start = time.perf_counter()
        model.setQuery(
            ANCHOR_SQL.format(where=where, order="s.updated_at DESC", direction="DESC"), database
        )
        anchor_painted.wait()
        model.setQuery(
            ANCHOR_SQL.format(where=where, order="s.progress_percentage DESC", direction="DESC"),
            database,
        )
        anchor_painted.wait()
        anchor.append((time.perf_counter() - start) * 1000)

        widget.model.set_search_text("")
        widget.table.sortByColumn(COLUMNS.index(SortColumn.UPDATED), Qt.SortOrder.DescendingOrder)
        QApplication.processEvents()
        start = time.perf_counter()
        widget.model.set_search_text(needle)
        ours_painted.wait()
        widget.table.sortByColumn(progress, Qt.SortOrder.DescendingOrder)
        ours_painted.wait()
        ours.append((time.perf_counter() - start) * 1000)
    anchor_table.close()
    widget.close()
    report("table_sort_filter", ours, anchor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        open_database(data_dir)
        import_bundled_wizards()
        start = time.perf_counter()
        generate_sessions(args.sessions)
        print(f"generated {args.sessions} sessions in {time.perf_counter() - start:.1f} s")
        connection_name = "anchor"
        anchor_db = QSqlDatabase.addDatabase("QSQLITE", connection_name)
        anchor_db.setDatabaseName(str(database_path(data_dir)))
        if not anchor_db.open():
            raise RuntimeError(anchor_db.lastError().text())
        measure_first_screen(args.repeat, connection_name)
        measure_sort_filter(args.repeat, connection_name)
        anchor_db.close()
        del anchor_db
        QSqlDatabase.removeDatabase(connection_name)
        close_database()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

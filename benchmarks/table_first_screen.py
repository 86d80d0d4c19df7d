"""How fast the sessions table paints its first screen on 100,000 sessions, measured
side by side with Qt's own `QSqlQueryModel` + `QTableView` on the equivalent query and
the same file (the anchor). Not a test: run it and read the ratio.

    .venv/bin/python -m benchmarks.table_first_screen [--sessions 100000] [--repeat 7]

(benchmarks/run.py runs the same measurements among the other figures.) Prints one
line per measurement:
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
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtSql import QSqlDatabase, QSqlQueryModel
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from benchmarks.common import Figure
from wizard_desktop.core.session_list import SortColumn
from wizard_desktop.core.wizards import definition_of_version, import_bundled_wizards
from wizard_desktop.operations import OperationRunner
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


GENERATOR_VERSION = 2  # bump when generate_sessions() writes different rows


def generate_sessions(count: int, seed: int = 1) -> int:
    """Insert `count` sessions of the stored wizards with mixed statuses, progress,
    names and times (one executemany over a generator, in one transaction, so a million
    rows never sit in memory); returns how many completed."""
    rng = random.Random(seed)
    wizards = [(w.id, w.latest_version_id) for w in Wizard.select()]
    steps = {
        version_id: [s.id for s in definition_of_version(version_id).steps]
        for _, version_id in wizards
    }
    now = dt.datetime.now(dt.UTC)
    stamp = Session.updated_at.db_value
    completed_by_wizard: dict[str, int] = {}

    def rows() -> Iterator[tuple[object, ...]]:
        for _ in range(count):
            wizard_id, version_id = rng.choice(wizards)
            assert version_id is not None
            step_ids = steps[version_id]
            started = now - dt.timedelta(seconds=rng.uniform(60, 730 * 86400))
            done = rng.random() < 0.55
            completed_steps = len(step_ids) if done else rng.randrange(len(step_ids))
            active = rng.uniform(20, 1800) * (completed_steps + 1) / len(step_ids)
            updated = min(now, started + dt.timedelta(seconds=active * rng.uniform(1, 40)))
            if done:
                completed_by_wizard[wizard_id] = completed_by_wizard.get(wizard_id, 0) + 1
            yield (
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

    db.execute_sql("PRAGMA cache_size = -262144")  # 256 MB: the indexes grow in memory
    with write_transaction():
        db.execute_sql("SELECT 1")  # the transaction is open; executemany joins it
        db.connection().executemany(
            "INSERT INTO session (id, name, wizard_id, version_id, status, current_step_id,"
            " completed_step_ids, progress_percentage, started_at, updated_at, completed_at,"
            " total_time_seconds, active_seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows(),
        )
        for wizard_id, completed in completed_by_wizard.items():
            Wizard.update(completed_count=Wizard.completed_count + completed).where(
                Wizard.id == wizard_id
            ).execute()
    db.execute_sql("ANALYZE")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(completed_by_wizard.values())


def create_sessions_database(data_dir: Path, count: int) -> None:
    """A data folder with the bundled wizards and `count` generated sessions."""
    open_database(data_dir)
    try:
        import_bundled_wizards()
        generate_sessions(count)
    finally:
        close_database()


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


def open_anchor_connection(data_dir: Path, connection_name: str = "anchor") -> str:
    """Qt's own SQLite connection to the same file (QSqlQueryModel's side); returns
    its name (holding no QSqlDatabase copy, so it can be removed cleanly)."""
    anchor_db = QSqlDatabase.addDatabase("QSQLITE", connection_name)
    anchor_db.setDatabaseName(str(database_path(data_dir)))
    if not anchor_db.open():
        raise RuntimeError(anchor_db.lastError().text())
    return connection_name


def close_anchor_connection(connection_name: str) -> None:
    QSqlDatabase.database(connection_name, False).close()
    QSqlDatabase.removeDatabase(connection_name)


def measure_first_screen(repeat: int, connection_name: str) -> tuple[list[float], list[float]]:
    """(ours, anchor) milliseconds to the first screen, interleaved anchor/ours."""
    ours: list[float] = []
    anchor: list[float] = []
    operations = OperationRunner()  # the window's runner, there before any view
    for _ in range(repeat):
        for samples, build in (
            (anchor, lambda: anchor_view(connection_name)),
            (ours, lambda: SessionsView(operations)),
        ):
            # Ours is the whole SessionsView (filters, buttons, count), not only its table.
            ms, widget = first_screen_ms(build)
            samples.append(ms)
            widget.close()
            widget.deleteLater()
            QApplication.processEvents()
    operations.shutdown()
    return ours, anchor


def measure_sort_filter(repeat: int, connection_name: str) -> tuple[list[float], list[float]]:
    """On a shown table: type a search (then its first page is painted), then sort by
    an unindexed column (progress, descending) and paint again. The anchor runs the
    same two queries through QSqlQueryModel.setQuery on its shown table. Returns
    (ours, anchor) milliseconds, interleaved anchor/ours."""
    needle = "hopper"
    where = (
        f"WHERE s.name LIKE '%{needle}%'"
        f" OR s.wizard_id IN (SELECT id FROM wizard WHERE title LIKE '%{needle}%')"
    )
    progress = COLUMNS.index(SortColumn.PROGRESS)
    ours: list[float] = []
    anchor: list[float] = []
    anchor_table = anchor_view(connection_name)
    widget = SessionsView(OperationRunner())
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
    for shown in (anchor_table, widget):
        shown.close()
        shown.deleteLater()
    QApplication.processEvents()
    return ours, anchor


def scroll_to_end_rss_mb(kind: str, data_dir: Path) -> tuple[float, float, int]:
    """In a fresh process: show the sessions table (`ours`: SessionsView; `anchor`:
    QSqlQueryModel + QTableView on the same query) and scroll to its last row, letting
    the view fetch page after page as a person dragging the scroll bar down would.
    Returns (RSS before the view in MB, RSS at the end in MB, rows loaded)."""
    from benchmarks.common import rss_mb

    app = QApplication.instance() or QApplication(sys.argv[:1])
    open_database(data_dir)
    anchor = open_anchor_connection(data_dir) if kind == "anchor" else None
    QApplication.processEvents()
    before = rss_mb()
    widget = SessionsView(OperationRunner()) if anchor is None else anchor_view(anchor)
    table = widget if isinstance(widget, QTableView) else widget.findChild(QTableView)
    widget.resize(*VIEW_SIZE)
    widget.show()
    QApplication.processEvents()
    model = table.model()
    while model.canFetchMore(QModelIndex()):
        table.scrollToBottom()  # the view asks the model for more near the end
        QApplication.processEvents()
    table.scrollToBottom()
    QApplication.processEvents()
    after = rss_mb()
    rows = model.rowCount()
    widget.close()
    del app
    return before, after, rows


def main() -> int:
    from benchmarks.common import sessions_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--generate",
        nargs=2,
        metavar=("DATA_DIR", "COUNT"),
        help="only create a data folder with COUNT generated sessions",
    )
    parser.add_argument(
        "--scroll-rss",
        nargs=2,
        metavar=("ours|anchor", "DATA_DIR"),
        help="only print 'rss <before MB> <after MB> <rows>' after scrolling to the end",
    )
    args = parser.parse_args()
    if args.generate:
        create_sessions_database(Path(args.generate[0]), int(args.generate[1]))
        return 0
    if args.scroll_rss:
        before, after, rows = scroll_to_end_rss_mb(args.scroll_rss[0], Path(args.scroll_rss[1]))
        print(f"rss {before:.1f} {after:.1f} {rows}")
        return 0
    app = QApplication.instance() or QApplication(sys.argv)
    data_dir = sessions_data_dir(args.sessions)
    open_database(data_dir)
    connection_name = open_anchor_connection(data_dir)
    report("table_first_screen", *measure_first_screen(args.repeat, connection_name))
    report("table_sort_filter", *measure_sort_filter(args.repeat, connection_name))
    close_anchor_connection(connection_name)
    close_database()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --- The figures for benchmarks/run.py.


def _side_by_side(
    measure: Callable[[int, str], tuple[list[float], list[float]]], repeat: int
) -> tuple[list[float], list[float]]:
    from benchmarks.common import qt_application, sessions_data_dir

    qt_application()
    data_dir = sessions_data_dir(100_000)
    open_database(data_dir)
    connection_name = open_anchor_connection(data_dir)
    try:
        return measure(repeat, connection_name)
    finally:
        close_anchor_connection(connection_name)
        close_database()


def table_first_screen(quick: bool) -> Figure:
    ours, anchor = _side_by_side(measure_first_screen, 5 if quick else 11)
    return Figure(
        "table_first_screen",
        "ms",
        GOAL_RATIO,
        ours,
        anchor,
        "SessionsView built -> first screen painted, 100,000 sessions;"
        " anchor: QSqlQueryModel + QTableView, same query and file",
    )


def table_sort_filter(quick: bool) -> Figure:
    ours, anchor = _side_by_side(measure_sort_filter, 5 if quick else 11)
    return Figure(
        "table_sort_filter",
        "ms",
        GOAL_RATIO,
        ours,
        anchor,
        "search 'hopper' then sort by progress (unindexed), each painted;"
        " anchor: QSqlQueryModel.setQuery with the same WHERE / ORDER BY",
    )


def table_scroll_memory(quick: bool) -> Figure:
    """Each side in its own fresh process (clean RSS), interleaved anchor/ours."""
    from benchmarks.common import interleaved, run_python, sessions_data_dir

    data_dir = str(sessions_data_dir(100_000))
    baselines: dict[str, list[float]] = {"ours": [], "anchor": []}

    def child(kind: str) -> float:
        out = run_python(["-m", "benchmarks.table_first_screen", "--scroll-rss", kind, data_dir])
        _, before, after, rows = out.split()
        if int(rows) != 100_000:
            raise RuntimeError(f"{kind} scrolled to row {rows}, not 100,000")
        baselines[kind].append(float(before))
        return float(after)

    ours, anchor = interleaved(
        lambda: child("anchor"), lambda: child("ours"), rounds=1 if quick else 3, warmup=0
    )
    return Figure(
        "table_scroll_memory",
        "MB",
        1.5,
        ours,
        anchor,
        "process RSS after scrolling SessionsView to row 100,000;"
        " anchor: QSqlQueryModel + QTableView the same (same imports, own process each)",
        extra={
            "value_rss_before_view": statistics.median(baselines["ours"]),
            "anchor_rss_before_view": statistics.median(baselines["anchor"]),
        },
    )

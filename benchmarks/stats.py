"""`wizard_stats`: `core.stats.wizard_stats` (SQL aggregates in one read snapshot) for
the wizard with the most sessions in the generated 100,000-session database (about a
third of them), against the obvious alternative: raw `sqlite3` reading that wizard's
sessions (status, completion time, time spent, completed and current step) into Python
and computing the same figures there (Counter, sort, `astimezone`). The anchor's
figures are checked equal to ours once, so both do the same work.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, interleaved, sessions_data_dir
from benchmarks.storage import raw_connection, timed

SESSIONS = 100_000
ANCHOR_SQL = (
    "SELECT status, completed_at, active_seconds, completed_step_ids, current_step_id"
    " FROM session WHERE wizard_id = ?"
)


def python_figures(connection: sqlite3.Connection, wizard_id: str) -> dict[str, Any]:
    """The figures wizard_stats gives, computed in Python from the loaded rows."""
    from wizard_desktop.core.stats import nearest_rank

    rows = connection.execute(ANCHOR_SQL, (wizard_id,)).fetchall()
    reached: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    mondays: Counter[dt.date] = Counter()
    times: list[float] = []
    for status, completed_at, active_seconds, completed_steps, current in rows:
        steps = set(json.loads(completed_steps))
        if current is not None:
            steps.add(current)
        reached.update(steps)
        if status == "completed":
            times.append(active_seconds)
            day = dt.datetime.fromisoformat(completed_at).astimezone().date()
            mondays[day - dt.timedelta(days=day.weekday())] += 1
        elif current is not None:
            waiting[current] += 1
    times.sort()
    ranks = [nearest_rank(len(times), p) for p in (50, 90)] if times else []
    return {
        "started": len(rows),
        "completed": len(times),
        "times": [times[rank - 1] for rank in ranks],
        "reached": dict(reached),
        "waiting": {step: count for step, count in waiting.items() if count},
        "weeks": dict(mondays),
    }


def _our_figures(wizard_id: str) -> dict[str, Any]:
    from wizard_desktop.core.stats import wizard_stats

    stats = wizard_stats(wizard_id)
    return {
        "started": stats.started,
        "completed": stats.completed,
        "times": [t for t in (stats.median_seconds, stats.p90_seconds) if t is not None],
        "reached": {s.step_id: s.reached for s in stats.funnel if s.reached},
        "waiting": {s.step_id: s.waiting for s in stats.funnel if s.waiting},
        "weeks": {w.start: w.completed for w in stats.weeks if w.completed},
    }


def wizard_stats(quick: bool) -> Figure:
    from wizard_desktop.core.stats import wizard_stats as ours
    from wizard_desktop.store.database import close_database, db, open_database
    from wizard_desktop.store.files import database_path

    rounds = 9 if quick else 25
    data_dir: Path = sessions_data_dir(SESSIONS)
    open_database(data_dir)
    connection = raw_connection(database_path(data_dir))
    try:
        wizard_id, count = db.execute_sql(
            "SELECT wizard_id, COUNT(*) FROM session GROUP BY wizard_id ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        if python_figures(connection, wizard_id) != _our_figures(wizard_id):
            raise RuntimeError("the anchor's figures differ from core.stats'")
        value, anchor = interleaved(
            lambda: timed(lambda: python_figures(connection, wizard_id)),
            lambda: timed(lambda: ours(wizard_id)),
            rounds,
        )
    finally:
        connection.close()
        close_database()
    return Figure(
        "wizard_stats",
        "ms",
        1.0,
        value,
        anchor,
        f"core.stats.wizard_stats for {wizard_id} ({count:,} of {SESSIONS:,} sessions);"
        " anchor: raw sqlite3 loading its sessions and computing the same figures in Python",
    )

"""`export_csv` and `export_xlsx`: every session of a 20-field wizard (100,000 sessions,
2,000,000 answers) exported by `core.sessions_export` as the headless command does it,
against plain scripts in the same run: `sqlite3` + the `csv` module doing the same
join (sessions of the wizard, newest first, left-joined with their answers, one row a
session, one column a field), and that same join written by XlsxWriter in
constant-memory mode. Each run is its own process (`--run KIND DATA_DIR`), which
prints its time (from the database opened to the file closed) and its peak RSS
(VmHWM; see `peak_rss_mb`); our side also runs on 10,000 sessions, so the report says whether its
peak memory stays flat from 10,000 to 100,000 sessions.

    .venv/bin/python -m benchmarks.export --run ours-csv build/bench-cache/export-100000-...
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import CACHE_DIR, Figure, interleaved, run_python, schema_version

WIZARD_ID = "bench-export"
STEPS, FIELDS_PER_STEP = 2, 10  # 20 fields
GENERATOR_VERSION = 1  # bump when generate() writes different rows
KINDS = ("ours-csv", "anchor-csv", "ours-xlsx", "anchor-xlsx")
SESSIONS = 100_000
SMALL = 10_000

# The anchors' join: the wizard's sessions, newest first (the table's default order),
# each with its answers.
ANCHOR_SQL = """
SELECT s.id, s.name, s.status, s.progress_percentage, s.started_at, s.updated_at,
       s.completed_at, s.active_seconds, s.total_time_seconds, s.version_id,
       a.field_id, a.value
FROM session AS s LEFT JOIN answer AS a ON a.session_id = s.id
WHERE s.wizard_id = ?
ORDER BY s.updated_at DESC, s.id DESC"""


def data_dir(count: int) -> Path:
    """A data folder with the 20-field wizard and `count` sessions answering every
    field; generated once (in a child process) per schema and generator version."""
    folder = CACHE_DIR / f"export-{count}-schema{schema_version()}-gen{GENERATOR_VERSION}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    run_python(["-m", "benchmarks.export", "--generate", str(folder), str(count)], 1800)
    done.touch()
    print(
        f"# generated {count:,} sessions x 20 answers in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    return folder


def _answer(kind: str, rng: random.Random, n: int) -> object:
    if kind == "text":
        return f"answer {n} {rng.choice(('Ada', 'Grace', 'Éva', '=SUM(A1)', 'Linus'))}"
    if kind == "number":
        return rng.randrange(1000)
    if kind == "choice":
        return rng.choice(("alpha", "beta", "gamma"))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "date":
        return (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))).isoformat()
    return sorted(rng.sample(("alpha", "beta", "gamma"), rng.randrange(1, 4)))


def generate(folder: Path, count: int, seed: int = 1) -> None:
    from benchmarks.common import import_synthetic_wizard, synthetic_wizard
    from wizard_desktop.core.wizards import latest_version_id
    from wizard_desktop.store.database import close_database, db, open_database, write_transaction
    from wizard_desktop.store.models import Session

    open_database(folder)
    try:
        import_synthetic_wizard(WIZARD_ID, STEPS, FIELDS_PER_STEP)
        version_id = latest_version_id(WIZARD_ID)
        fields = [
            (f["id"], f["type"])
            for step in synthetic_wizard(WIZARD_ID, STEPS, FIELDS_PER_STEP)["steps"]
            for f in step["fields"]
        ]
        rng = random.Random(seed)
        now = dt.datetime.now(dt.UTC)
        stamp = Session.updated_at.db_value
        sessions: list[tuple[object, ...]] = []
        answers: list[tuple[object, ...]] = []

        def flush() -> None:
            connection = db.connection()
            connection.executemany(
                "INSERT INTO session (id, name, wizard_id, version_id, status,"
                " current_step_id, completed_step_ids, progress_percentage, started_at,"
                " updated_at, completed_at, total_time_seconds, active_seconds)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                sessions,
            )
            connection.executemany(
                "INSERT INTO answer (session_id, field_id, value, updated_at) VALUES (?,?,?,?)",
                answers,
            )
            sessions.clear()
            answers.clear()

        db.execute_sql("PRAGMA cache_size = -262144")
        with write_transaction():
            db.execute_sql("SELECT 1")
            for n in range(count):
                session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                started = now - dt.timedelta(seconds=rng.uniform(60, 730 * 86400))
                updated = started + dt.timedelta(seconds=rng.uniform(30, 3600))
                done = rng.random() < 0.6
                sessions.append(
                    (
                        session_id,
                        f"Session {n}",
                        WIZARD_ID,
                        version_id,
                        "completed" if done else "in_progress",
                        "s2",
                        '["s1","s2"]' if done else '["s1"]',
                        100.0 if done else 50.0,
                        stamp(started),
                        stamp(updated),
                        stamp(updated) if done else None,
                        (updated - started).total_seconds() if done else None,
                        rng.uniform(20, 1800),
                    )
                )
                answers += [
                    (session_id, field_id, json.dumps(_answer(kind, rng, n)), stamp(updated))
                    for field_id, kind in fields
                ]
                if len(sessions) == 5000:
                    flush()
            flush()
        db.execute_sql("ANALYZE")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        close_database()


# --- One run, in its own process.


def _ours(folder: Path, out: Path, fmt: str) -> int:
    from wizard_desktop.core.session_list import SessionListQuery
    from wizard_desktop.core.sessions_export import SessionsExport, export_sessions
    from wizard_desktop.store.database import close_database, open_database

    open_database(folder)
    try:
        query = SessionListQuery(wizard_id=WIZARD_ID)
        return export_sessions(SessionsExport(query, fmt), out)  # type: ignore[arg-type]
    finally:
        close_database()


def _anchor_rows(folder: Path) -> Iterator[list[object]]:
    """The plain join, one row per session: its columns, then the 20 answers (decoded)."""
    from wizard_desktop.store.files import database_path

    connection = sqlite3.connect(database_path(folder))
    try:
        (definition,) = connection.execute(
            "SELECT definition FROM wizard_version WHERE wizard_id = ?", (WIZARD_ID,)
        ).fetchone()
        field_ids = [f["id"] for step in json.loads(definition)["steps"] for f in step["fields"]]
        position = {field_id: i for i, field_id in enumerate(field_ids)}
        yield ["id", "name", "status", "progress", "started", "updated", "completed",
               "active", "total", "version", *field_ids]  # fmt: skip
        records = connection.execute(ANCHOR_SQL, (WIZARD_ID,))
        for _session_id, group in itertools.groupby(records, key=lambda r: r[0]):
            first = next(group)
            answers: list[object] = [None] * len(field_ids)
            for record in itertools.chain((first,), group):
                if record[10] is not None:
                    raw = record[11]  # JSON text; a number is stored as a number
                    value = json.loads(raw) if isinstance(raw, str) else raw
                    answers[position[record[10]]] = (
                        "; ".join(value) if isinstance(value, list) else value
                    )
            yield [*first[:10], *answers]
    finally:
        connection.close()


def _anchor_csv(folder: Path, out: Path) -> int:
    with out.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        rows = -1
        for row in _anchor_rows(folder):
            writer.writerow(row)
            rows += 1
    return rows


def _anchor_xlsx(folder: Path, out: Path) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = workbook.add_worksheet(WIZARD_ID)
    rows = -1
    for rows, row in enumerate(_anchor_rows(folder), start=-1):
        sheet.write_row(rows + 1, 0, row)
    workbook.close()
    return rows + 1


def run_one(kind: str, folder: Path) -> tuple[float, float, int]:
    """(ms, peak RSS in MB, sessions written) of one export of `kind`."""
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        out = Path(scratch) / f"sessions.{kind.split('-')[1]}"
        start = time.perf_counter()
        if kind.startswith("ours"):
            rows = _ours(folder, out, kind.split("-")[1])
        elif kind == "anchor-csv":
            rows = _anchor_csv(folder, out)
        else:
            rows = _anchor_xlsx(folder, out)
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, peak_rss_mb(), rows


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, the high-water mark of its own memory. Not
    `ru_maxrss`: Linux keeps that across fork + exec, so a child started by a larger
    parent reports the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB elsewhere


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", nargs=2, metavar=("DATA_DIR", "COUNT"))
    parser.add_argument("--run", nargs=2, metavar=("KIND", "DATA_DIR"))
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]))
    elif args.run:
        elapsed, peak, rows = run_one(args.run[0], Path(args.run[1]))
        print(f"export {elapsed:.1f} {peak:.1f} {rows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --- The figures for benchmarks/run.py.


def _child(kind: str, folder: Path, count: int, peaks: list[float]) -> float:
    out = run_python(["-m", "benchmarks.export", "--run", kind, str(folder)], 1800)
    _, elapsed, peak, rows = out.split()
    if int(rows) != count:
        raise RuntimeError(f"{kind} exported {rows} sessions, not {count:,}")
    peaks.append(float(peak))
    return float(elapsed)


def export_figure(fmt: str, quick: bool) -> Figure:
    big, small = data_dir(SESSIONS), data_dir(SMALL)
    peaks: dict[str, list[float]] = {"ours": [], "anchor": [], "ours_10k": []}
    ours, anchor = interleaved(
        lambda: _child(f"anchor-{fmt}", big, SESSIONS, peaks["anchor"]),
        lambda: _child(f"ours-{fmt}", big, SESSIONS, peaks["ours"]),
        rounds=1 if quick else 3,
        warmup=0,
    )
    for _ in range(1 if quick else 2):
        _child(f"ours-{fmt}", small, SMALL, peaks["ours_10k"])
    peak, peak_small = statistics.median(peaks["ours"]), statistics.median(peaks["ours_10k"])
    writer = "the csv module" if fmt == "csv" else "XlsxWriter constant_memory"
    return Figure(
        f"export_{fmt}",
        "ms",
        1.5,
        ours,
        anchor,
        f"export-sessions --format {fmt}: 100,000 sessions x 20 fields, own process each;"
        f" anchor: plain sqlite3 join + {writer}, same rows",
        notes=[
            f"peak RSS: ours {peak:.1f} MB at 100,000 sessions, {peak_small:.1f} MB at"
            f" 10,000 ({peak / peak_small:.2f}x); anchor"
            f" {statistics.median(peaks['anchor']):.1f} MB at 100,000"
        ],
    )

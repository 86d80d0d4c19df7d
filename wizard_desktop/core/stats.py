"""How a wizard is doing, over all its versions: sessions started and completed, the
completion rate, the time spent on completed sessions (median and 90th percentile), a
funnel of the sessions that reached each step, and completions per week. Each figure
is one SQL aggregate over the wizard's sessions, read in one snapshot; no session row
is loaded into Python.

Definitions (the README and `wizard-desktop stats` say the same):

- Started: every stored session of the wizard (a session left without any answer is
  not kept, so it is not counted). Completed: those with status completed. Rate:
  completed / started.
- Time spent: `active_seconds` (the player open on the session) of the completed
  sessions. Percentiles are nearest-rank: the p-th percentile of n sorted values is the
  value at rank ceil(p * n / 100) (1-based), so every figure is one session's real
  time; the median of an even count is the lower of the two middle values.
- Funnel: a session reached a step when the step is among its completed steps
  (`completed_step_ids`, saved with Next; at completion the steps of the final path)
  or it is positioned on it (`current_step_id`). Steps are matched by id across
  versions and listed in the newest version's order, then the steps only older
  versions have (newest version first, each in its order). A step skip logic leaves
  out is simply not reached by the sessions that skip it (a format 2 `visible_if`
  expression too: what counts is what the core stored, not a re-evaluation). `waiting`: sessions in
  progress whose current step it is, i.e. where people stopped.
- Completions per week: ISO 8601 weeks (Monday first) of `completed_at` in local
  time (SQLite's `localtime`, the C library's zone, as Python's `astimezone()`), every
  week from the first completion's to the last one's, weeks without any included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from wizard_desktop.core.wizards import UnknownWizardError
from wizard_desktop.definition.expressions import outline_text
from wizard_desktop.definition.languages import default_text_sql
from wizard_desktop.store.database import db, read_snapshot
from wizard_desktop.store.models import COMPLETED, IN_PROGRESS

PERCENTILES = (50, 90)
"""The percentiles of time spent reported: the median and the 90th."""


@dataclass(frozen=True)
class FunnelStep:
    step_id: str
    title: str
    """From the newest version that has the step, in its default language (the
    sessions are in many languages), a format 2 title's `{field}` placeholders
    outlined ("About {name}" -> "About …": no one session's answers fill them)."""
    reached: int
    """Sessions that completed the step or are positioned on it."""
    waiting: int
    """Sessions in progress positioned on the step now."""
    in_latest: bool
    """False for a step only older versions have."""

    def to_json(self) -> dict[str, object]:
        return {
            "step_id": self.step_id,
            "title": self.title,
            "reached": self.reached,
            "waiting": self.waiting,
            "in_latest_version": self.in_latest,
        }


@dataclass(frozen=True)
class WeekCount:
    year: int
    """The ISO year (the first days of January may belong to the previous one's last week)."""
    week: int
    start: dt.date
    """The week's Monday."""
    completed: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def to_json(self) -> dict[str, object]:
        return {"week": self.label, "start": self.start.isoformat(), "completed": self.completed}


@dataclass(frozen=True)
class WizardStats:
    wizard_id: str
    title: str
    versions: int
    started: int
    completed: int
    median_seconds: float | None
    """Nearest-rank median of the completed sessions' time spent; None when none."""
    p90_seconds: float | None
    """Nearest-rank 90th percentile of the same; None when none."""
    funnel: tuple[FunnelStep, ...]
    weeks: tuple[WeekCount, ...]

    @property
    def in_progress(self) -> int:
        return self.started - self.completed

    @property
    def completion_rate(self) -> float | None:
        """Completed / started, from 0 to 1; None when no session was started."""
        return self.completed / self.started if self.started else None

    def to_json(self) -> dict[str, object]:
        rate = self.completion_rate
        return {
            "wizard_id": self.wizard_id,
            "title": self.title,
            "versions": self.versions,
            "sessions_started": self.started,
            "sessions_completed": self.completed,
            "sessions_in_progress": self.in_progress,
            "completion_rate": round(rate, 4) if rate is not None else None,
            "time_spent_seconds": {
                "percentile_method": "nearest-rank",
                "median": _rounded(self.median_seconds),
                "p90": _rounded(self.p90_seconds),
            },
            "funnel": [step.to_json() for step in self.funnel],
            "completions_per_week": [week.to_json() for week in self.weeks],
        }


def _rounded(seconds: float | None) -> float | None:
    return round(seconds, 3) if seconds is not None else None


def nearest_rank(count: int, percentile: int) -> int:
    """The 1-based nearest rank of the `percentile`-th percentile among `count` sorted
    values, ceil(percentile * count / 100) in integers (no floating-point rounding)."""
    return max(1, -(-percentile * count // 100))


_WIZARD_SQL = (
    "SELECT w.title, w.latest_version_id,"
    " (SELECT COUNT(*) FROM wizard_version AS v WHERE v.wizard_id = w.id)"
    " FROM wizard AS w WHERE w.id = ?"
)
_STEPS_SQL = (
    "SELECT v.id, json_extract(step.value, '$.id'),"
    f" {default_text_sql('step.value', 'title', 'v.definition')},"
    " json_extract(v.definition, '$.format_version')"
    " FROM wizard_version AS v, json_each(v.definition, '$.steps') AS step"
    " WHERE v.wizard_id = ? ORDER BY v.id = ? DESC, v.id DESC, step.key"
)
# Sessions are read by one plain scan of the table per query (NOT INDEXED): fetching a
# third of 100,000 rows through an index's row ids costs several times scanning them all.
# The first pass groups them by status, local day of completion (NULL in progress) and
# current step, with how many of each group stand on a step they have not completed.
_SESSIONS_SQL = (
    "SELECT s.status, date(s.completed_at, 'localtime') AS day, s.current_step_id, COUNT(*),"
    " SUM(NOT EXISTS (SELECT 1 FROM json_each(s.completed_step_ids) AS done"
    " WHERE done.value = s.current_step_id))"
    " FROM session AS s NOT INDEXED WHERE s.wizard_id = ?"
    " GROUP BY s.status, day, s.current_step_id"
)
_TIMES_SQL = (
    "SELECT rank, active_seconds FROM ("
    " SELECT active_seconds, ROW_NUMBER() OVER (ORDER BY active_seconds) AS rank"
    f" FROM session NOT INDEXED WHERE wizard_id = ? AND status = '{COMPLETED}')"
    " WHERE rank IN ({ranks})"
)
# How many sessions completed each step (once each: the core never stores a step twice
# in `completed_step_ids`).
_COMPLETED_STEPS_SQL = (
    "SELECT step.value, COUNT(*)"
    " FROM session AS s NOT INDEXED, json_each(s.completed_step_ids) AS step"
    " WHERE s.wizard_id = ? GROUP BY step.value"
)
# (status, local day of completion or None, current step or None, sessions, of those
# standing on a step they have not completed)
_Group = tuple[str, str | None, str | None, int, int]


def wizard_stats(wizard_id: str) -> WizardStats:
    """The figures of `wizard_id` over all its versions. Raises `UnknownWizardError`."""
    with read_snapshot():
        wizard = db.execute_sql(_WIZARD_SQL, [wizard_id]).fetchone()
        if wizard is None:
            raise UnknownWizardError(wizard_id)
        title, latest_version_id, versions = wizard
        groups: list[_Group] = db.execute_sql(_SESSIONS_SQL, [wizard_id]).fetchall()
        completed = sum(group[3] for group in groups if group[0] == COMPLETED)
        times = _percentile_times(wizard_id, completed)
        steps = db.execute_sql(_STEPS_SQL, [wizard_id, latest_version_id]).fetchall()
        completed_steps = db.execute_sql(_COMPLETED_STEPS_SQL, [wizard_id]).fetchall()
    return WizardStats(
        wizard_id=wizard_id,
        title=title,
        versions=versions,
        started=sum(group[3] for group in groups),
        completed=completed,
        median_seconds=times.get(PERCENTILES[0]),
        p90_seconds=times.get(PERCENTILES[1]),
        funnel=_funnel(steps, latest_version_id, completed_steps, groups),
        weeks=_weeks(groups),
    )


def _percentile_times(wizard_id: str, completed: int) -> dict[int, float]:
    """Percentile -> time spent, for each of PERCENTILES (empty when none completed)."""
    if not completed:
        return {}
    ranks = {percentile: nearest_rank(completed, percentile) for percentile in PERCENTILES}
    sql = _TIMES_SQL.format(ranks=", ".join("?" * len(ranks)))
    by_rank = dict(db.execute_sql(sql, [wizard_id, *ranks.values()]).fetchall())
    return {percentile: float(by_rank[rank]) for percentile, rank in ranks.items()}


def _funnel(
    steps: list[tuple[int, str, str, int]],
    latest_version_id: int | None,
    completed_steps: list[tuple[str, int]],
    groups: list[_Group],
) -> tuple[FunnelStep, ...]:
    """The steps of every version (`steps`: the latest version's first, then newest
    first, each in definition order), once each, with their counts; a step id no
    version defines is left out."""
    reached = Counter(dict(completed_steps))
    waiting: Counter[str] = Counter()
    for status, _day, step_id, sessions, not_completed in groups:
        if step_id is not None:
            reached[step_id] += not_completed
            waiting[step_id] += sessions if status == IN_PROGRESS else 0
    funnel: dict[str, FunnelStep] = {}
    for version_id, step_id, title, format_version in steps:
        if step_id not in funnel:
            in_latest = version_id == latest_version_id
            funnel[step_id] = FunnelStep(
                step_id,
                outline_text(title, format_version),
                reached[step_id],
                waiting[step_id],
                in_latest,
            )
    return tuple(funnel.values())


def _weeks(groups: list[_Group]) -> tuple[WeekCount, ...]:
    """Completions per ISO week from per-day counts, gaps filled with zero weeks."""
    by_monday: Counter[dt.date] = Counter()
    for status, day, _step_id, count, _ in groups:
        if status != COMPLETED or day is None:
            continue
        date = dt.date.fromisoformat(day)
        by_monday[date - dt.timedelta(days=date.weekday())] += count
    if not by_monday:
        return ()
    monday, last = min(by_monday), max(by_monday)
    weeks: list[WeekCount] = []
    while monday <= last:
        year, week, _ = monday.isocalendar()
        weeks.append(WeekCount(year, week, monday, by_monday[monday]))
        monday += dt.timedelta(days=7)
    return tuple(weeks)

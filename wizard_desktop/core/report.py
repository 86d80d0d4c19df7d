"""The printable report of one session, as a document: the wizard's title and
version, the session's name, status, times, then every step on its path with each
visible field's label and answer as a person reads it. Skipped steps and hidden
fields are left out; an unanswered visible field reads NOT_SET; a grid is a table of
its cells. The path is the one
the export and the core read (`SessionState.path`: `resolve_path` on the stored
answers). `html()` is the body Qt lays out (ui/report_pdf.py); every text from a file
or a person is escaped in it, so it is shown as typed and loads nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wizard_desktop.core.answer_text import (
    ELAPSED,
    TIME_SPENT,
    cell_text,
    format_answer,
    format_duration,
    local_time,
)
from wizard_desktop.core.sessions import SessionState, load_session
from wizard_desktop.core.wizards import version_info
from wizard_desktop.definition.grids import GRID_TYPES, grid_cells
from wizard_desktop.definition.model import AnswerValue, Field, FieldType

AnswerText = Callable[[Field, AnswerValue | None], str]
"""How an answer reads: `format_answer`, or the GUI's `shown_answer` (locale dates)."""

DRAFT = "Draft — not completed"
"""What every page of an in-progress session's report says."""


@dataclass(frozen=True)
class ReportLine:
    label: str
    answer: str
    # a grid: its table, a header row then one row per grid row (row label, cells)
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ReportStep:
    title: str
    lines: tuple[ReportLine, ...]


@dataclass(frozen=True)
class SessionReport:
    """What a report of one session holds, as plain text; `html()` lays it out."""

    wizard_title: str
    session_name: str
    is_draft: bool
    facts: tuple[tuple[str, str], ...]
    """(name, value) under the title: version, status, started, completed, times."""
    steps: tuple[ReportStep, ...]

    @property
    def title(self) -> str:
        """The document's title (the PDF's metadata, the print job's name)."""
        return f"{self.wizard_title} — {self.session_name}"

    def html(self) -> str:
        """The report as HTML for QTextDocument, every text escaped."""
        parts = [
            f"<h1>{_text(self.wizard_title)}</h1>",
            f'<p class="name">{_text(self.session_name)}</p>',
        ]
        if self.is_draft:
            parts.append(f'<p class="draft">{_text(DRAFT)}</p>')
        parts.append(_table(self.facts, "facts"))
        for step in self.steps:
            parts.append(f"<h2>{_text(step.title)}</h2>")
            parts.append(_answers(step.lines))
        return f"<html><head><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"


_STYLE = (
    "h1 { font-size: 16pt; margin-bottom: 4px; }"
    " h2 { font-size: 12pt; margin-top: 18px; margin-bottom: 6px; }"
    " p.name { font-size: 11pt; margin-top: 0; margin-bottom: 10px; }"
    " p.draft { font-weight: bold; }"
    " td { padding: 3px 8px 3px 0; vertical-align: top; white-space: pre-wrap; }"
    " td.label { color: #444444; }"
    " table.grid th { font-weight: bold; text-align: left; padding: 3px 8px 3px 3px; }"
)


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _table(rows: Iterable[tuple[str, str]], kind: str) -> str:
    cells = "".join(
        f'<tr><td class="label" width="38%">{_text(name)}</td><td>{_text(value)}</td></tr>'
        for name, value in rows
    )
    return f'<table class="{kind}" width="100%" cellspacing="0">{cells}</table>'


def _answers(lines: Iterable[ReportLine]) -> str:
    cells = "".join(
        f'<tr><td class="label" width="38%">{_text(line.label)}</td>'
        f"<td>{_grid(line.table) if line.table else _text(line.answer)}</td></tr>"
        for line in lines
    )
    return f'<table class="answers" width="100%" cellspacing="0">{cells}</table>'


def _grid(rows: tuple[tuple[str, ...], ...]) -> str:
    header = "".join(f"<th>{_text(cell)}</th>" for cell in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in row) + "</tr>" for row in rows[1:]
    )
    table = '<table class="grid" border="1" cellspacing="0" cellpadding="3">'
    return f"{table}<tr>{header}</tr>{body}</table>"


def grid_table(field: Field, value: AnswerValue | None) -> tuple[tuple[str, ...], ...]:
    """A grid's answer as a table: matrix (row, answer), matrix_dropdown (row, then a
    cell per column), multiple_text (item, text); () for any other field."""
    if field.type is FieldType.MATRIX_DROPDOWN:
        cells = grid_cells(field)
        width = len(field.cell_columns)
        return (
            ("", *(c.label for c in field.cell_columns)),
            *(
                (
                    row.label,
                    *(cell_text(field, c, value) for c in cells[i * width : (i + 1) * width]),
                )
                for i, row in enumerate(field.rows)
            ),
        )
    if field.type in GRID_TYPES:
        return (("", "Answer"), *((c.label, cell_text(field, c, value)) for c in grid_cells(field)))
    return ()


def report_of(state: SessionState, answer_text: AnswerText = format_answer) -> SessionReport:
    """The report of a session read with `load_session`."""
    info = state.info
    version = version_info(info.version_id)
    version_text = f"{version.number} (imported {local_time(version.imported_at)})"
    facts = (
        ("Wizard version", version_text),
        ("Status", "Completed" if info.is_completed else "In progress"),
        ("Started", local_time(info.started_at)),
        ("Completed", local_time(info.completed_at)),
        (TIME_SPENT, format_duration(info.active_seconds)),
        (ELAPSED, format_duration(info.total_time_seconds)),
    )
    path = state.path
    steps = tuple(
        ReportStep(
            step.title,
            tuple(
                ReportLine(
                    field.label,
                    answer_text(field, path.answers.get(field.id)),
                    grid_table(field, path.answers.get(field.id)),
                )
                for field in path.visible_fields[step.id]
            ),
        )
        for step in path.steps
    )
    return SessionReport(
        wizard_title=state.definition.title,
        session_name=info.name,
        is_draft=not info.is_completed,
        facts=facts,
        steps=steps,
    )


def session_report(session_id: str, answer_text: AnswerText = format_answer) -> SessionReport:
    """The report of a stored session; SessionNotFoundError when there is none."""
    return report_of(load_session(session_id), answer_text)

"""The printable report of one session, as a document: the wizard's title and
version, the session's name, status, times, then every step on its path with each
visible field's label and answer as a person reads it. Skipped steps and hidden
fields are left out; an unanswered visible field reads NOT_SET; a grid is a table of
its cells. The path and the
values are the ones the exports read (`SessionState.resolution`, the wizard's logic
on the stored answers, and `path_values()`), in the session's language: a shown
calculated field reads its stored value, a `hidden: true` one is left out, an answer
whose option is filtered out is unanswered. Titles and labels read as the logic
renders their `{field}` texts. A note prints as its text, as written (its Markdown
marks are not interpreted), across the table. A repeat is one table, a row per
instance (its number, then its fields' answers). `html()` is the body Qt lays out
(ui/report_pdf.py); every text from a file or a person is escaped in it, so it is
shown as typed and loads nothing. Images and signatures are embedded as resources
named by their SHA-256 (`images`).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from wizard_desktop.core.answer_text import (
    ELAPSED,
    TIME_SPENT,
    cell_text,
    format_answer,
    format_duration,
    local_time,
)
from wizard_desktop.core.attachments import attachment_content
from wizard_desktop.core.sessions import SessionState, load_session
from wizard_desktop.core.wizards import definition_of_version, version_info
from wizard_desktop.definition.attachments import attachment_sha256
from wizard_desktop.definition.grids import GRID_TYPES, grid_cells
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.definition.repeats import repeat_fields, split_path

AnswerText = Callable[[Field, AnswerValue | None], str]
"""How an answer reads: `format_answer`, or the GUI's `shown_answer` (locale dates)."""

EMBEDDED_TYPES = (FieldType.IMAGE, FieldType.SIGNATURE)
"""Answers the report shows as a picture under their text."""

DRAFT = "Draft — not completed"
"""What every page of an in-progress session's report says."""


@dataclass(frozen=True)
class ReportLine:
    label: str
    answer: str | None
    """None for a note, whose text is `label`."""
    image: str | None = None  # an image or signature answer: its content's SHA-256
    # a grid: its table, a header row then one row per grid row (row label, cells)
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ReportStep:
    title: str
    lines: tuple[ReportLine, ...]
    # A repeat: one table, a row per instance ("#" then the repeat's field labels).
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class SessionReport:
    """What a report of one session holds, as plain text; `html()` lays it out."""

    wizard_title: str
    session_name: str
    is_draft: bool
    facts: tuple[tuple[str, str], ...]
    """(name, value) under the title: version, status, started, completed, times."""
    steps: tuple[ReportStep, ...]
    images: Mapping[str, bytes] = dataclasses.field(default_factory=dict)
    """The contents the lines' `image` name, by SHA-256 (the page decodes them with
    its limits and hands them to the document as resources)."""

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
            if step.columns:
                parts.append(_repeat_table(step.columns, step.rows))
                continue
            parts.append(_answers_table(step.lines))
        return f"<html><head><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"


_STYLE = (
    "h1 { font-size: 16pt; margin-bottom: 4px; }"
    " h2 { font-size: 12pt; margin-top: 18px; margin-bottom: 6px; }"
    " p.name { font-size: 11pt; margin-top: 0; margin-bottom: 10px; }"
    " p.draft { font-weight: bold; }"
    " td { padding: 3px 8px 3px 0; vertical-align: top; white-space: pre-wrap; }"
    " td.label { color: #444444; }"
    " td.note { font-style: italic; }"
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


def _repeat_table(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    head = "".join(f'<td class="label">{_text(c)}</td>' for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="repeat" width="100%" cellspacing="0"><tr>{head}</tr>{body}</table>'


def _repeat_step(state: SessionState, repeat_id: str, answer_text: AnswerText) -> ReportStep:
    """A repeat of the session as one table: a row per instance on the path."""
    path = state.path
    base = definition_of_version(state.info.version_id)
    fields = repeat_fields(base)[repeat_id]
    rows: dict[int, dict[str, str]] = {}
    for step in path.steps:
        split = split_path(step.id)
        if split is None or split[0] != repeat_id:
            continue
        cells = rows.setdefault(split[1], {})
        for field in path.visible_fields[step.id]:
            own = split_path(field.id)
            if own is not None and field.type is not FieldType.NOTE:
                cells[own[2]] = answer_text(field, path.answers.get(field.id))
    repeat = next(r for r in base.repeats if r.id == repeat_id)
    first = base.step(repeat.steps[0])
    shown = [f for f in fields if f.type is not FieldType.NOTE]
    return ReportStep(
        first.title if first is not None else repeat_id,
        (),
        ("#", *(f.label for f in shown)),
        tuple(
            (str(index + 1), *(cells.get(f.id, "") for f in shown))
            for index, cells in sorted(rows.items())
        ),
    )


IMAGE_URL = "attachment:"
"""How the report's HTML names an embedded image: `attachment:<sha256>`, a resource the
page adds to the document (QTextDocument loads nothing else)."""
IMAGE_WIDTH = 240


def _answers_table(lines: Iterable[ReportLine]) -> str:
    """The answers of a step; an image or a signature is shown under its text. Its
    URL is built from a SHA-256 checked to be 64 hex digits: nothing else goes in."""
    rows = []
    for line in lines:
        if line.answer is None:  # a note
            rows.append(f'<tr><td class="note" colspan="2">{_text(line.label)}</td></tr>')
            continue
        answer = _grid_table_html(line.table) if line.table else _text(line.answer)
        if line.image is not None and attachment_sha256({"sha256": line.image}):
            answer += f'<br/><img src="{IMAGE_URL}{line.image}" width="{IMAGE_WIDTH}"/>'
        rows.append(
            f'<tr><td class="label" width="38%">{_text(line.label)}</td><td>{answer}</td></tr>'
        )
    return f'<table class="answers" width="100%" cellspacing="0">{"".join(rows)}</table>'


def _grid_table_html(rows: tuple[tuple[str, ...], ...]) -> str:
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
    resolution = state.resolution
    texts, values = resolution.texts, state.path_values()
    images: dict[str, bytes] = {}

    def line(field: Field) -> ReportLine:
        label = texts.get((field.id, "label"), field.label)
        if field.type is FieldType.NOTE:
            return ReportLine(label, None)
        value = values.get(field.id)
        sha = attachment_sha256(value) if field.type in EMBEDDED_TYPES else None
        if sha is not None and sha not in images:
            content = attachment_content(value)
            if content is None:
                sha = None
            else:
                images[sha] = content
        return ReportLine(label, answer_text(field, value), sha, grid_table(field, value))

    path = resolution.path
    steps: list[ReportStep] = []
    repeats_done: set[str] = set()
    for step in path.steps:
        split = split_path(step.id)
        if split is not None:
            if split[0] not in repeats_done:
                repeats_done.add(split[0])
                steps.append(_repeat_step(state, split[0], answer_text))
            continue
        steps.append(
            ReportStep(
                texts.get((step.id, "title"), step.title),
                tuple(line(field) for field in path.visible_fields[step.id]),
            )
        )
    return SessionReport(
        wizard_title=state.definition.title,
        session_name=info.name,
        is_draft=not info.is_completed,
        facts=facts,
        steps=tuple(steps),
        images=images,
    )


def session_report(session_id: str, answer_text: AnswerText = format_answer) -> SessionReport:
    """The report of a stored session; SessionNotFoundError when there is none."""
    return report_of(load_session(session_id), answer_text)

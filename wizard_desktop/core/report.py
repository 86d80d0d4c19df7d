"""The printable report of one session, as a document: the wizard's title and
version, the session's name, status, times, then every step on its path with each
visible field's label and answer as a person reads them. Skipped steps and hidden
fields are left out; an unanswered visible field reads NOT_SET. The path is the one
the export and the core read (`SessionState.path`: `resolve_path` on the stored
answers), in the session's language, `{field}` titles and labels rendered. `html()`
is the body Qt lays out (ui/report_pdf.py); every text from a file or a person is
escaped in it, so it is shown as typed and loads nothing. Images and signatures are
embedded as resources named by their SHA-256 (`images`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from wizard_desktop.core.answer_text import (
    ELAPSED,
    TIME_SPENT,
    format_answer,
    format_duration,
    local_time,
)
from wizard_desktop.core.attachments import attachment_content
from wizard_desktop.core.sessions import SessionState, load_session
from wizard_desktop.core.wizards import version_info
from wizard_desktop.definition.attachments import attachment_sha256
from wizard_desktop.definition.model import AnswerValue, Field, FieldType

AnswerText = Callable[[Field, AnswerValue | None], str]
"""How an answer reads: `format_answer`, or the GUI's `shown_answer` (locale dates)."""

EMBEDDED_TYPES = (FieldType.IMAGE, FieldType.SIGNATURE)
"""Answers the report shows as a picture under their text."""

DRAFT = "Draft — not completed"
"""What every page of an in-progress session's report says."""


@dataclass(frozen=True)
class ReportLine:
    label: str
    answer: str
    image: str | None = None  # an image or signature answer: its content's SHA-256


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
    images: Mapping[str, bytes] = field(default_factory=dict)
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
            parts.append(_answers_table(step.lines))
        return f"<html><head><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"


_STYLE = (
    "h1 { font-size: 16pt; margin-bottom: 4px; }"
    " h2 { font-size: 12pt; margin-top: 18px; margin-bottom: 6px; }"
    " p.name { font-size: 11pt; margin-top: 0; margin-bottom: 10px; }"
    " p.draft { font-weight: bold; }"
    " td { padding: 3px 8px 3px 0; vertical-align: top; white-space: pre-wrap; }"
    " td.label { color: #444444; }"
)


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _table(rows: Iterable[tuple[str, str]], kind: str) -> str:
    cells = "".join(
        f'<tr><td class="label" width="38%">{_text(name)}</td><td>{_text(value)}</td></tr>'
        for name, value in rows
    )
    return f'<table class="{kind}" width="100%" cellspacing="0">{cells}</table>'


IMAGE_URL = "attachment:"
"""How the report's HTML names an embedded image: `attachment:<sha256>`, a resource the
page adds to the document (QTextDocument loads nothing else)."""
IMAGE_WIDTH = 240


def _answers_table(lines: Iterable[ReportLine]) -> str:
    """The answers of a step; an image or a signature is shown under its text. Its
    URL is built from a SHA-256 checked to be 64 hex digits: nothing else goes in."""
    rows = []
    for line in lines:
        answer = _text(line.answer)
        if line.image is not None and attachment_sha256({"sha256": line.image}):
            answer += f'<br/><img src="{IMAGE_URL}{line.image}" width="{IMAGE_WIDTH}"/>'
        rows.append(
            f'<tr><td class="label" width="38%">{_text(line.label)}</td><td>{answer}</td></tr>'
        )
    return f'<table class="answers" width="100%" cellspacing="0">{"".join(rows)}</table>'


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
    texts = state.resolution.texts  # `{field}` titles and labels, rendered
    images: dict[str, bytes] = {}

    def line(field: Field) -> ReportLine:
        value = path.answers.get(field.id)
        sha = attachment_sha256(value) if field.type in EMBEDDED_TYPES else None
        if sha is not None and sha not in images:
            content = attachment_content(value)
            if content is None:
                sha = None
            else:
                images[sha] = content
        label = texts.get((field.id, "label"), field.label)
        return ReportLine(label, answer_text(field, value), sha)

    steps = tuple(
        ReportStep(
            texts.get((step.id, "title"), step.title),
            tuple(line(field) for field in path.visible_fields[step.id]),
        )
        for step in path.steps
    )
    return SessionReport(
        wizard_title=state.definition.title,
        session_name=info.name,
        is_draft=not info.is_completed,
        facts=facts,
        steps=steps,
        images=images,
    )


def session_report(session_id: str, answer_text: AnswerText = format_answer) -> SessionReport:
    """The report of a stored session; SessionNotFoundError when there is none."""
    return report_of(load_session(session_id), answer_text)

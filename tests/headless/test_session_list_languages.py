"""The lists of many sessions (the Sessions table, "Continue where you left off") name a
session's current step in the session's language, its `{field}` placeholders outlined
and an instance's step numbered, and sort by what they show; the statistics' funnel
keeps the default language with the same outlining."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard_desktop.core.session_list import (
    SessionListQuery,
    SessionRow,
    SortColumn,
    fetch_page,
    fetch_row,
    position,
)
from wizard_desktop.core.sessions import set_session_language, start_session
from wizard_desktop.core.stats import wizard_stats
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.expressions import parse_template
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.models import COMPLETED, Session

WIZARD = """\
format_version: 2
id: family
languages: [en, de]
title: {en: Family, de: Familie}
repeats:
  - id: dependents
    steps: [dependent]
    item_label: "Dependent {dependents.number}: {dep_name}"
steps:
  - id: about
    title: {en: "About {name}", de: "Über {name} {surname}"}
    fields:
      - {id: name, type: text, label: Name}
      - {id: surname, type: text, label: Surname}
  - id: work
    title: {en: Work, de: Arbeit}
    fields:
      - {id: job, type: text, label: {en: Job, de: Beruf}}
  - id: dependent
    title: {en: A dependent, de: Ein Angehöriger}
    fields:
      - {id: dep_name, type: text, label: Name}
  - id: zebra
    title: Zebra step
    fields:
      - {id: stripes, type: number, label: Stripes}
"""

# The plain (format 1) wizard keeps its braces: they are no placeholders there.
PLAIN_WIZARD = """\
format_version: 1
id: plain
title: Plain
steps:
  - id: only
    title: "Costs {in EUR}"
    fields:
      - {id: cost, type: number, label: Cost}
"""

# (session name, language, current step) -> the title the lists show.
SESSIONS = {
    ("de about", "de", "about"): "Über …",
    ("en about", "en", "about"): "About …",
    ("default about", None, "about"): "About …",
    ("de work", "de", "work"): "Arbeit",
    ("en work", "en", "work"): "Work",
    ("de zebra", "de", "zebra"): "Zebra step",
    ("de dependent 2", "de", "dependents[1].dependent"): "Dependent 2: …",
    ("en dependent 11", "en", "dependents[10].dependent"): "Dependent 11: …",
}


@pytest.fixture
def family(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Session id -> the expected title, on a real database; one completed session."""
    open_database(tmp_path / "data")
    for name, text in (("family.yaml", WIZARD), ("plain.yaml", PLAIN_WIZARD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        import_wizard_file(tmp_path / name)
    expected: dict[str, str] = {}
    for (name, language, step), title in SESSIONS.items():
        session = start_session("family", name)
        if language is not None:
            set_session_language(session.id, language)
        Session.update(current_step_id=step).where(Session.id == session.id).execute()
        expected[session.id] = title
    done = start_session("family", "done")
    set_session_language(done.id, "de")
    Session.update(status=COMPLETED).where(Session.id == done.id).execute()
    expected[done.id] = ""
    expected[start_session("plain", "plain").id] = "Costs {in EUR}"
    yield expected
    close_database()


def _all(query: SessionListQuery, limit: int) -> list[SessionRow]:
    rows: list[SessionRow] = []
    while page := fetch_page(query, after=rows[-1] if rows else None, limit=limit):
        rows += page
    return rows


def test_the_current_step_reads_in_the_session_language(family: dict[str, str]) -> None:
    rows = _all(SessionListQuery(), limit=100)
    assert {r.id: r.current_step_title or "" for r in rows} == family
    german = next(r for r in rows if r.name == "de about")
    assert fetch_row(german.id) == german


def _nocase(text: str) -> str:
    """SQLite's NOCASE: ASCII letters folded, nothing else."""
    return "".join(c.lower() if c.isascii() else c for c in text)


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_the_current_step_sorts_what_is_shown(
    family: dict[str, str], descending: bool
) -> None:
    query = SessionListQuery(sort=SortColumn.CURRENT_STEP, descending=descending)
    rows = _all(query, limit=3)  # several pages: the keyset bound uses the same titles
    expected = sorted(family, key=lambda i: (_nocase(family[i]), i), reverse=descending)
    assert [r.id for r in rows] == expected
    for index, row in enumerate(rows):
        assert position(query, row) == index


def test_the_funnel_keeps_the_default_language_outlined(family: dict[str, str]) -> None:
    titles = [step.title for step in wizard_stats("family").funnel]
    assert titles == ["About …", "Work", "A dependent", "Zebra step"]
    assert [step.title for step in wizard_stats("plain").funnel] == ["Costs {in EUR}"]


@pytest.mark.parametrize(
    ("text", "known", "outlined"),
    [
        ("About {name}", {}, "About …"),
        ("{first} {last}", {}, "…"),
        ("{first}, {last}!", {}, "…, …!"),
        ("Dependent {dependents.number}: {name}", {"dependents.number": "3"}, "Dependent 3: …"),
        ("{ name } is {age}", {"name": "x"}, "x is …"),
        ("No placeholder {", {}, "No placeholder {"),
    ],
)
def test_a_title_is_outlined_without_answers(
    text: str, known: dict[str, str], outlined: str
) -> None:
    assert parse_template(text).outline(known) == outlined

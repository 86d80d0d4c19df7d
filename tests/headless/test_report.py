"""The report of one session: its content from the core (Qt-free: the path's visible
answers only, as a person reads them, every text escaped in its HTML) and its PDF
through the real command line (`wizard-desktop report`), read back with poppler."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

from tests.report_files import (
    EXTRAS,
    HIDDEN_COMPANY,
    HOSTILE,
    LEFT_OUT,
    NAME,
    REPORTED,
    SKIPPED_VAT,
    assert_visible_answers_only,
    long_session,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    skipping_session,
)
from tests.wizard_files import import_text
from wizard_desktop.core.answer_text import NOT_SET
from wizard_desktop.core.report import DRAFT, session_report
from wizard_desktop.core.sessions import load_session, start_session
from wizard_desktop.store.database import close_database, database_path


def run(data_dir: Path, *args: str, locale: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command line; `locale` (LC_ALL) sets the paper and the date format (Qt reads
    the name even where the C library lacks the locale, and then says so on stderr)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if locale is not None:
        env |= {"LC_ALL": locale, "LANG": locale}
    env.pop("WIZARD_DESKTOP_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


EXPECTED_CORE_LINES = [
    ("About you", "Kind of use", "Personal use"),
    ("About you", f"Your name {HOSTILE}", NAME),
    ("About you", "Date of birth", "1990-04-27"),  # the core's own reading: ISO
    ("About you", "Height", "172.5 cm"),
    ("Extras", "Notes", "Line one\nLine two"),
    ("Extras", "Newsletter", "Yes"),
    ("Extras", "Colours", "Bright red, Deep blue"),
    ("Extras", "Phone number", NOT_SET),
]


def test_the_report_holds_the_visible_answers_of_the_path_and_nothing_skipped(store: Path) -> None:
    session_id = skipping_session(store, complete=True)
    stored = load_session(session_id).answers
    assert stored["company"] == HIDDEN_COMPANY and stored["vat"] == SKIPPED_VAT  # still stored
    report = session_report(session_id)
    lines = [(step.title, line.label, line.answer) for step in report.steps for line in step.lines]
    assert lines == EXPECTED_CORE_LINES
    assert not report.is_draft
    facts = dict(report.facts)
    assert facts["Status"] == "Completed" and facts["Wizard version"].startswith("1 (imported ")
    assert facts["Time spent"] == "0 s" and facts["Elapsed"] != NOT_SET
    document = report.html()
    for left_out in LEFT_OUT:
        assert left_out not in document
    assert HOSTILE not in document  # every text escaped: shown as typed, nothing loaded
    assert html.escape(HOSTILE) in document and "<img" not in document
    assert document.count(html.escape(NAME)) == 1


def test_an_in_progress_report_is_a_draft(store: Path) -> None:
    report = session_report(skipping_session(store, complete=False))
    assert report.is_draft and DRAFT in report.html()
    assert dict(report.facts)["Status"] == "In progress"
    assert dict(report.facts)["Completed"] == NOT_SET and dict(report.facts)["Elapsed"] == NOT_SET
    answers = {line.label: line.answer for step in report.steps for line in step.lines}
    assert answers["Notes"] == EXTRAS["notes"]  # the draft's answers are there


def _stored(data_dir: Path, make: object) -> str:
    from wizard_desktop.core.wizards import import_bundled_wizards
    from wizard_desktop.store.database import open_database

    open_database(data_dir)
    try:
        import_bundled_wizards()
        return make(data_dir)  # type: ignore[operator]
    finally:
        close_database()


def test_the_command_line_writes_a_pdf_of_exactly_the_visible_answers(
    data_dir: Path, tmp_path: Path
) -> None:
    session_id = _stored(data_dir, lambda folder: skipping_session(folder, complete=True))
    target = tmp_path / "report.pdf"
    result = run(data_dir, "report", session_id, "--output", str(target), locale="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_visible_answers_only(target, "4/27/90")  # en_US
    text = pdf_text(target)
    assert "Draft" not in text
    assert "Page 1 of 1" in text
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    assert "(letter)" in info.stdout  # en_US: Letter
    fonts = pdf_fonts(target)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # every font embedded

    a4 = tmp_path / "a4.pdf"
    assert (
        run(data_dir, "report", session_id, "--output", str(a4), locale="de_DE.UTF-8").returncode
        == 0
    )
    info = subprocess.run(["pdfinfo", str(a4)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    assert "27.04.90" in pdf_text(a4)  # the locale's date format


def test_every_page_of_an_in_progress_report_says_draft_and_its_number(
    data_dir: Path, tmp_path: Path
) -> None:
    draft_id = _stored(data_dir, lambda folder: long_session(folder, 150, complete=False))
    target = tmp_path / "draft.pdf"
    assert run(data_dir, "report", draft_id, "--output", str(target)).returncode == 0, "draft"
    pages = pdf_pages(target)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdf_text(target, page)
        assert DRAFT in text, page
        assert f"Page {page} of {pages}" in text, page
    everything = pdf_text(target)
    for n in range(150):
        assert f"Answer {n}\n" in everything or f"Answer {n} " in everything, n


def test_the_report_command_refuses_clearly(data_dir: Path, tmp_path: Path) -> None:
    session_id = _stored(data_dir, lambda folder: skipping_session(folder, complete=True))
    unknown = run(data_dir, "report", "no-such-session", "--output", str(tmp_path / "x.pdf"))
    assert unknown.returncode == 1
    assert unknown.stderr.strip().count("\n") == 0 and "no-such-session" in unknown.stderr
    assert not (tmp_path / "x.pdf").exists()

    existing = tmp_path / "kept.pdf"
    existing.write_bytes(b"mine")
    refused = run(data_dir, "report", session_id, "--output", str(existing))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0 and "Traceback" not in refused.stderr
    assert existing.read_bytes() == b"mine"
    forced = run(data_dir, "report", session_id, "--output", str(existing), "--force")
    assert forced.returncode == 0 and existing.read_bytes().startswith(b"%PDF")

    database = database_path(data_dir)
    own = run(data_dir, "report", session_id, "--output", str(database), "--force")
    assert own.returncode == 1 and "own files" in own.stderr
    assert sorted(p.name for p in tmp_path.glob(".*.partial")) == []


def test_the_report_command_needs_an_output(data_dir: Path) -> None:
    result = run(data_dir, "report", "some-id")
    assert result.returncode == 2 and "--output" in result.stderr


def test_the_report_names_the_version_the_session_was_answered_with(store: Path) -> None:
    first = skipping_session(store, complete=True)
    changed = REPORTED.replace("title: Extras", "title: Extras and more")
    wizard_id = import_text(store, changed, "reported-v2.yaml")
    second = start_session(wizard_id, "On the second version").id
    assert dict(session_report(first).facts)["Wizard version"].startswith("1 (imported ")
    report = session_report(second)
    assert dict(report.facts)["Wizard version"].startswith("2 (imported ")
    assert [step.title for step in report.steps] == ["About you", "Extras and more"]

"""`report_pdf`: Save as PDF of a completed 300-field session (10 steps of 30) through
the app's own code (`ui.report_pdf.write_report_pdf`: read the session and its answers,
build the report and its HTML, lay it out on the locale's pages with header, footer
and page numbers, write the PDF atomically with fsync), against Qt alone drawing the
same HTML into a QPdfWriter (`QTextDocument.setHtml` + `print_`, which paginates and
numbers the pages itself) on the same paper, into a file in the same folder.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, import_synthetic_wizard, interleaved, qt_application

STEPS = 10
FIELDS_PER_STEP = 30


def completed_session(wizard_id: str) -> str:
    """A completed session of the synthetic wizard, every field answered (its default,
    texts made distinct)."""
    from wizard_desktop.core.sessions import complete_session, save_step, start_session
    from wizard_desktop.core.wizards import definition_of_version, latest_version_id

    definition = definition_of_version(latest_version_id(wizard_id))
    session_id = start_session(wizard_id, "Benchmark report").id
    for index, step in enumerate(definition.steps):
        answers = {
            f.id: f"answer to {f.id}" if f.type == "text" else f.default for f in step.fields
        }
        if index == len(definition.steps) - 1:
            complete_session(session_id, step.id, answers)
        else:
            save_step(session_id, step.id, answers)
    return session_id


def report_pdf(quick: bool) -> Figure:
    from PySide6.QtGui import QPdfWriter, QTextDocument

    from wizard_desktop.core.report import session_report
    from wizard_desktop.store.database import close_database, open_database
    from wizard_desktop.ui.formatting import shown_answer
    from wizard_desktop.ui.report_pdf import prepare_page, write_report_pdf

    qt_application()
    rounds = 15 if quick else 40
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        data_dir = Path(folder)
        open_database(data_dir)
        session_id = completed_session(
            import_synthetic_wizard("bench-report", STEPS, FIELDS_PER_STEP)
        )
        html = session_report(session_id, shown_answer).html()
        ours_target, anchor_target = data_dir / "ours.pdf", data_dir / "anchor.pdf"

        def ours() -> float:
            start = time.perf_counter()
            write_report_pdf(session_id, ours_target, overwrite=True)
            return (time.perf_counter() - start) * 1000

        def anchor() -> float:
            start = time.perf_counter()
            document = QTextDocument()
            document.setHtml(html)
            writer = QPdfWriter(str(anchor_target))
            prepare_page(writer)
            document.print_(writer)
            del writer  # finishes the file
            return (time.perf_counter() - start) * 1000

        try:
            value, anchor_samples = interleaved(anchor, ours, rounds, warmup=2)
            pages = _pages(ours_target), _pages(anchor_target)
        finally:
            close_database()
    return Figure(
        "report_pdf",
        "ms",
        1.3,
        value,
        anchor_samples,
        f"ui.report_pdf.write_report_pdf, a completed {STEPS * FIELDS_PER_STEP}-field"
        " session (read, report, layout with header/footer, atomic write + fsync);"
        " anchor: QTextDocument.setHtml(the same HTML) + print_ into a QPdfWriter",
        notes=[f"pages: ours {pages[0]}, anchor {pages[1]}"],
    )


def _pages(pdf: Path) -> int:
    """The page count a PDF declares (its page tree's /Count)."""
    import re

    counts = re.findall(rb"/Count (\d+)", pdf.read_bytes())
    return max(int(c) for c in counts) if counts else 0

"""Write docs/screenshots/report-page-1.png and report-page-2.png: the first two pages
of a session's printable report (an in-progress Employee Onboarding session, so each
page says Draft), drawn by the app into a PDF and rendered by poppler's pdftoppm.

    .venv/bin/python tools/screenshots_report.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QLocale
from PySide6.QtGui import QGuiApplication

from wizard_desktop.core.sessions import save_draft, save_step, start_session
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui.report_pdf import write_report_pdf

ROOT = Path(__file__).resolve().parents[1]
NOTES = "\n".join(
    f"Week {week}: {task}"
    for week, task in enumerate(
        [
            "meet the team, set up the laptop and the accounts",
            "shadow the support rota for two days",
            "first small change to the billing service, reviewed by the buddy",
            "present the onboarding notes at the Friday demo",
        ]
        * 9,
        start=1,
    )
)
STEPS = [
    ("employee", {"employee_name": "Dana Jones", "job_title": "Backend developer",
                  "start_date": "2027-02-01"}),
    ("contract", {"contract_type": "fixed_term", "end_date": "2028-01-31", "weekly_hours": 32}),
    ("workplace", {"work_location": "hybrid",
                   "desk_preferences": "A standing desk near the window, away from the kitchen."}),
    ("equipment", {"equipment_items": ["laptop", "monitor", "headset"],
                   "home_office_budget": True}),
    ("accounts", {"systems": ["email", "hr", "code"], "admin_rights": False}),
    ("buddy", {"buddy_name": "Sam Lee", "first_meeting": "2027-02-02"}),
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    QLocale.setDefault(QLocale("en_GB"))  # A4, dd/MM/yyyy: the same pages on any machine
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder))
        import_bundled_wizards()
        session = start_session("employee-onboarding", "Dana Jones, backend")
        for step_id, answers in STEPS:
            save_step(session.id, step_id, answers)
        save_draft(session.id, {"notes": NOTES}, "confirmation")
        pdf = Path(folder) / "report.pdf"
        write_report_pdf(session.id, pdf)
        close_database()
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-f",
                "1",
                "-l",
                "2",
                str(pdf),
                str(Path(folder) / "p"),
            ],
            check=True,
        )
        for page in (1, 2):
            target = args.out / f"report-page-{page}.png"
            target.write_bytes((Path(folder) / f"p-{page}.png").read_bytes())
            print(target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

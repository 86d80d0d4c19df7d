"""The command line: `wizard-desktop [--data-dir DIR] [COMMAND]`. `app.main()` parses
it with `build_parser()`; with no command it starts the GUI, otherwise `run_command()`
runs one of the headless commands in `commands` (imported only then, so starting the
GUI loads none of their code).
"""

from __future__ import annotations

import argparse

from wizard_desktop import __version__
from wizard_desktop.store.models import STATUSES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wizard-desktop",
        description="Offline wizard player. Without a command, starts the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="play a bundled wizard to completion in a temporary folder, then exit (0 = ok)",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="folder of the database (default: the user data folder)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="validate wizard files; exit 0 only if all are valid")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--skip-unsupported", action="store_true", help=_SKIP_HELP)

    imp = commands.add_parser("import", help="validate and store wizard files")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--skip-unsupported", action="store_true", help=_SKIP_HELP)

    convert = commands.add_parser(
        "convert", help="write an imported SurveyJS or XLSForm file as a format-2 YAML wizard"
    )
    convert.add_argument("file", metavar="FILE")
    convert.add_argument("--output", metavar="OUT.yaml", help="default: standard output")
    convert.add_argument("--skip-unsupported", action="store_true", help=_SKIP_HELP)

    wizards = commands.add_parser("wizards", help="list the wizards")
    wizards.add_argument("--json", action="store_true")

    sessions = commands.add_parser("sessions", help="list the sessions, most recent first")
    sessions.add_argument("--json", action="store_true")
    sessions.add_argument("--status", choices=STATUSES)
    sessions.add_argument("--wizard", metavar="ID")

    templates = commands.add_parser("templates", help="list the templates")
    templates.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="export a session with its answers")
    export.add_argument("session_id", metavar="SESSION_ID")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", metavar="FILE")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")

    report = commands.add_parser("report", help="write a session's printable report as a PDF")
    report.add_argument("session_id", metavar="SESSION_ID")
    report.add_argument("--output", metavar="FILE.pdf", required=True)
    report.add_argument("--force", action="store_true", help="replace FILE.pdf if it exists")
    sheet = commands.add_parser(
        "export-sessions", help="export the sessions and their answers as one spreadsheet"
    )
    sheet.add_argument("--wizard", metavar="ID", help="only this wizard's sessions")
    sheet.add_argument("--status", choices=STATUSES)
    sheet.add_argument("--search", metavar="TEXT", default="", help="in session names and titles")
    sheet.add_argument("--format", choices=("csv", "xlsx"), required=True)
    sheet.add_argument("--output", metavar="FILE", required=True)
    sheet.add_argument("--labels", action="store_true", help="CSV: a second header row of labels")
    sheet.add_argument(
        "--option-columns", action="store_true", help="one 0/1 column per multi-choice option"
    )
    sheet.add_argument("--force", action="store_true", help="replace FILE if it exists")

    commands.add_parser("backups", help="list the database backups, newest first")

    remove_wizard = commands.add_parser(
        "remove-wizard", help="remove a wizard, its versions and templates"
    )
    remove_wizard.add_argument("wizard_id", metavar="WIZARD_ID")
    remove_wizard.add_argument(
        "--with-sessions", action="store_true", help="also remove its sessions and their answers"
    )

    stats = commands.add_parser(
        "stats", help="how a wizard is doing: sessions, completion, time spent, funnel, weeks"
    )
    stats.add_argument("wizard_id", metavar="WIZARD_ID")
    stats.add_argument("--json", action="store_true")

    restore = commands.add_parser(
        "restore-backup", help="make a backup the database (default: newest)"
    )
    restore.add_argument("backup", nargs="?", metavar="FILE")

    resolve = commands.add_parser(
        "resolve", help="print, as JSON, what a wizard shows and computes for given answers"
    )
    resolve.add_argument(
        "wizard", metavar="WIZARD_ID|FILE", help="a wizard file, or the id of a stored wizard"
    )
    resolve.add_argument(
        "--answers", metavar="FILE", help='a JSON object {field id: answer}; "-" reads stdin'
    )
    return parser


_SKIP_HELP = "SurveyJS/XLSForm: import what can be played; the wizard lists what was left out"


def run_command(args: argparse.Namespace) -> int:
    """Run the headless command `args` names (see build_parser); the exit code."""
    from wizard_desktop import commands

    return commands.run(args)

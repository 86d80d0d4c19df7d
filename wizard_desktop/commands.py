"""The headless commands behind the command line (check, import, wizards, sessions,
templates, export, export-sessions, report, stats, backups, restore-backup,
remove-wizard, resolve), a public contract documented in the README.
`cli.run_command()` imports this module only when a command runs. Errors are one line
on stderr and a non-zero exit, never a traceback: 1 for a refused wizard file or a
failed command, 2 for a wrong invocation (argparse's own, and `resolve --answers` that
are not a JSON object of answers of the right types).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wizard_desktop.core.answer_text import format_duration, share
from wizard_desktop.core.export import export_session, write_export
from wizard_desktop.core.json_input import JsonInputError, read_limited, read_stream, strict_json
from wizard_desktop.core.output_files import OutputFileError, OutputFileExistsError
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions import (
    InvalidAnswersError,
    SessionNotFoundError,
    check_answer_types,
    list_sessions,
    path_answers,
)
from wizard_desktop.core.sessions_export import (
    SessionsExport,
    SeveralWizardsError,
    SpreadsheetTooLargeError,
    export_sessions,
)
from wizard_desktop.core.stats import WizardStats, wizard_stats
from wizard_desktop.core.templates import list_templates
from wizard_desktop.core.wizards import (
    UnknownWizardError,
    WizardHasSessionsError,
    definition_of_version,
    import_bundled_wizards,
    import_wizard_file,
    latest_version_id,
    list_wizards,
    remove_wizard,
)
from wizard_desktop.definition.expressions import ExpressionCostExceeded
from wizard_desktop.definition.fileformat import IMPORTABLE_SUFFIXES
from wizard_desktop.definition.loader import WizardFileError
from wizard_desktop.definition.logic import Resolution, wizard_logic
from wizard_desktop.definition.model import AnswerValue, WizardDefinition
from wizard_desktop.definition.repeats import expand_for, flattened
from wizard_desktop.definition.text import terminal_safe
from wizard_desktop.importers import load_any_wizard_file
from wizard_desktop.paths import data_dir
from wizard_desktop.store.attachment_files import AttachmentFileError
from wizard_desktop.store.backups import backups_dir, latest_backup, list_backups, restore_backup
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.errors import StorageError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
ANSWERS_MAX_BYTES = 5_000_000
LISTED_PROBLEMS = 10
"""How many wrong answers one error line names; the rest are counted."""


class CommandError(Exception):
    """A failure to report as one line on stderr."""

    exit_code = EXIT_FAILED


class UsageError(CommandError):
    """A wrong invocation (what argparse cannot check)."""

    exit_code = EXIT_USAGE


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _open_store(args: argparse.Namespace) -> None:
    folder = data_dir(args.data_dir)
    try:
        open_database(folder)
    except OSError as exc:
        raise CommandError(f"cannot use data folder {folder}: {exc.strerror or exc}") from exc
    import_bundled_wizards()


def cmd_check(args: argparse.Namespace) -> int:
    failed = False
    for file in args.files:
        try:
            load_any_wizard_file(file, skip_unsupported=args.skip_unsupported)
        except WizardFileError as exc:
            print(exc, file=sys.stderr)
            failed = True
        else:
            print(f"{file}: ok")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    _open_store(args)
    failed = False
    for file in args.files:
        try:
            result = import_wizard_file(file, skip_unsupported=args.skip_unsupported)
        except WizardFileError as exc:
            print(exc, file=sys.stderr)
            failed = True
        else:
            outcome = "imported" if result.created else "unchanged"
            print(f"{file}: {outcome} (wizard {result.wizard_id})")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_wizards(args: argparse.Namespace) -> int:
    _open_store(args)
    wizards = list_wizards()
    if args.json:
        _print_json([w.to_json() for w in wizards])
    else:
        for w in wizards:
            title = terminal_safe(w.title)
            print(f"{w.id}\t{title}\t{w.step_count} steps\t{w.completed_count} completed")
    return EXIT_OK


def cmd_sessions(args: argparse.Namespace) -> int:
    _open_store(args)
    sessions = list_sessions(status=args.status, wizard_id=args.wizard)
    if args.json:
        _print_json([s.to_json() for s in sessions])
    else:
        for s in sessions:
            print(f"{s.id}\t{terminal_safe(s.name)}\t{s.status}\t{s.progress_percentage:.0f}%")
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    _open_store(args)
    templates = list_templates()
    if args.json:
        _print_json([t.to_json() for t in templates])
    else:
        for t in templates:
            print(f"{t.id}\t{terminal_safe(t.name)}\t{t.wizard_id}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    _open_store(args)
    with _session_output_errors(args.output):
        if args.output is None:
            sys.stdout.write(export_session(args.session_id, args.format))
        else:
            target = Path(args.output)
            written = write_export(args.session_id, target, fmt=args.format, overwrite=args.force)
            if written != target:  # a session with attachments: a .zip
                print(f"Wrote {terminal_safe(str(written))} (the session and its files).")
    return EXIT_OK


@contextlib.contextmanager
def _session_output_errors(output: str | None) -> Iterator[None]:
    """A session written to the file `output`: its failures as one line each."""
    try:
        yield
    except (SessionNotFoundError, InvalidAnswersError, AttachmentFileError) as exc:
        raise CommandError(str(exc)) from exc
    except OutputFileExistsError as exc:
        raise CommandError(f"{exc} Use --force to replace it.") from exc
    except OutputFileError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc


def cmd_report(args: argparse.Namespace) -> int:
    """The report's PDF, drawn by Qt on an offscreen QGuiApplication made for it only
    (the other commands load no Qt)."""
    _open_store(args)
    from PySide6.QtGui import QGuiApplication

    from wizard_desktop.ui.report_pdf import write_report_pdf

    _app = QGuiApplication.instance() or QGuiApplication(
        ["wizard-desktop", "-platform", "offscreen"]
    )
    with _session_output_errors(args.output):
        write_report_pdf(args.session_id, Path(args.output), overwrite=args.force)
    return EXIT_OK


def cmd_export_sessions(args: argparse.Namespace) -> int:
    _open_store(args)
    query = SessionListQuery(status=args.status, search=args.search, wizard_id=args.wizard)
    export = SessionsExport(query, args.format, args.labels, args.option_columns)
    try:
        written = export_sessions(export, Path(args.output), overwrite=args.force)
    except SeveralWizardsError as exc:
        raise CommandError(
            f"{exc} Choose one with --wizard ID, or use --format xlsx (one sheet per wizard)."
        ) from exc
    except UnknownWizardError as exc:
        raise CommandError(str(exc)) from exc
    except OutputFileExistsError as exc:
        raise CommandError(f"{exc} Use --force to replace it.") from exc
    except (OutputFileError, SpreadsheetTooLargeError) as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    print(f"exported {written} session(s) to {args.output}")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    for backup in list_backups(data_dir(args.data_dir)):
        print(backup)
    return EXIT_OK


def cmd_restore_backup(args: argparse.Namespace) -> int:
    """Runs on the closed database: it may be the damaged one being replaced."""
    folder = data_dir(args.data_dir)
    backup = Path(args.backup) if args.backup else latest_backup(folder)
    if backup is None:
        raise CommandError(f"there is no backup in {backups_dir(folder)}")
    if not backup.is_file():
        raise CommandError(f"no backup file {backup}")
    try:
        replaced = restore_backup(folder, backup)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"cannot restore {backup}: {exc}") from exc
    print(f"restored {backup}")
    if replaced is not None:
        print(f"the previous database was kept as {replaced}")
    return EXIT_OK


def cmd_remove_wizard(args: argparse.Namespace) -> int:
    _open_store(args)
    try:
        removed = remove_wizard(args.wizard_id, with_sessions=args.with_sessions)
    except (UnknownWizardError, WizardHasSessionsError) as exc:
        raise CommandError(str(exc)) from exc
    print(
        f"removed wizard {removed.wizard_id}: {removed.versions} version(s), "
        f"{len(removed.session_ids)} session(s), {removed.templates} template(s)"
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    _open_store(args)
    try:
        stats = wizard_stats(args.wizard_id)
    except UnknownWizardError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        _print_json(stats.to_json())
    else:
        print("\n".join(stats_lines(stats)))
    return EXIT_OK


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [cell.rjust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join([row[0].ljust(widths[0]), *cells[1:]]).rstrip())
    return lines


def stats_lines(stats: WizardStats) -> list[str]:
    """What `wizard-desktop stats` prints for people: the figures, the funnel and the
    completions per week."""
    versions = "1 version" if stats.versions == 1 else f"{stats.versions} versions"
    figures = [
        ["Sessions started", f"{stats.started:,}"],
        ["Sessions completed", f"{stats.completed:,}"],
        ["Completion rate", share(stats.completed, stats.started)],
        ["In progress", f"{stats.in_progress:,}"],
        ["Time spent, median", format_duration(stats.median_seconds)],
        ["Time spent, 90th percentile", format_duration(stats.p90_seconds)],
    ]
    funnel = [
        [
            terminal_safe(step.title) + ("" if step.in_latest else " (older versions only)"),
            f"{step.reached:,}",
            share(step.reached, stats.started),
            f"{step.waiting:,}",
        ]
        for step in stats.funnel
    ]
    weeks = [[w.label, w.start.isoformat(), f"{w.completed:,}"] for w in stats.weeks]
    return [
        f"{terminal_safe(stats.title)} ({stats.wizard_id}), {versions}",
        *_table(["", ""], figures)[1:],
        "(time spent by completed sessions; percentiles by nearest rank)",
        "",
        "Funnel: the sessions that reached each step",
        *_table(["Step", "Reached", "Share", "Stopped here"], funnel),
        "",
        "Completions per week (ISO weeks, local time)",
        *(_table(["Week", "Monday", "Completed"], weeks) if weeks else ["none yet"]),
    ]


def _definition_to_resolve(args: argparse.Namespace) -> WizardDefinition:
    """The wizard `resolve` names: a file when the argument is an existing path, ends
    like a wizard file or holds a path separator (loaded as `check` loads it, nothing
    stored), else the newest version of the stored wizard with that id."""
    target: str = args.wizard
    path = Path(target)
    if path.exists() or path.suffix.lower() in IMPORTABLE_SUFFIXES or os.sep in target:
        return load_any_wizard_file(path)
    _open_store(args)
    try:
        return definition_of_version(latest_version_id(target))
    except UnknownWizardError as exc:
        raise CommandError(f"{exc} Name a wizard file or an id `wizards` lists.") from exc


def _answers_to_resolve(
    source: str | None, definition: WizardDefinition
) -> tuple[dict[str, AnswerValue | None], WizardDefinition]:
    """The `--answers` object (a file, or stdin for "-") and the definition laid out for
    it (its repeats' instances: as many as its arrays hold); UsageError when it is not a
    strict JSON object whose answers name fields with values of their types."""
    if source is None:
        return {}, _laid_out(definition, {}) if definition.repeats else definition
    name = "stdin" if source == "-" else terminal_safe(source)
    try:
        data = (
            read_stream(sys.stdin.buffer, ANSWERS_MAX_BYTES)
            if source == "-"
            else read_limited(Path(source), ANSWERS_MAX_BYTES)
        )
        document = strict_json(data)
    except JsonInputError as exc:
        raise UsageError(f"--answers {name}: the file {exc}") from exc
    if not isinstance(document, dict):
        raise UsageError(f"--answers {name}: expected a JSON object {{field id: answer}}")
    if definition.imported_from == "surveyjs":  # `survey.data`, in SurveyJS's own shapes
        from wizard_desktop.importers.surveyjs import SurveyDataError, survey_answers

        try:
            document = survey_answers(definition, document)
        except SurveyDataError as exc:
            raise UsageError(f"--answers {name}: {terminal_safe(str(exc))}") from exc
    if definition.repeats:  # nested arrays and instance paths (docs/repeats.md)
        nested = document
        document, _counts = flattened(definition, document)
        definition = _laid_out(definition, nested)
    try:
        check_answer_types(definition, document)
    except InvalidAnswersError as exc:
        named = [f"{terminal_safe(k[:80])}: {why}" for k, why in exc.problems.items()]
        more = len(named) - LISTED_PROBLEMS
        listed = "; ".join(named[:LISTED_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        raise UsageError(f"--answers {name}: {listed}") from exc
    return document, definition


def _laid_out(definition: WizardDefinition, document: dict[str, Any]) -> WizardDefinition:
    """`definition` with its repeats' instances laid out for answers by instance path."""
    answers, counts = flattened(definition, document)
    return expand_for(
        definition,
        counts,
        path_answers(definition, answers),  # type: ignore[arg-type]
        lambda d, a: wizard_logic(d).resolve(a).scope,
    ).definition


def cmd_resolve(args: argparse.Namespace) -> int:
    """One JSON object: the steps on the path, the visible fields, those required now,
    every calculated value and the answers that break a rule, for the given answers
    (a field not given reads its default, as in the player; null clears it). With
    repeats, ids are instance paths (`dependents[0].name`)."""
    definition = _definition_to_resolve(args)
    given, definition = _answers_to_resolve(args.answers, definition)
    try:
        resolution = wizard_logic(definition).resolve(path_answers(definition, given))
    except ExpressionCostExceeded as exc:
        raise CommandError(
            "the wizard's expressions take too long to evaluate for these answers"
        ) from exc
    pages = {}
    if definition.imported_from is not None:  # the source's pages (a split page is one)
        from wizard_desktop.importers.common import source_pages

        pages = {"pages": source_pages(definition, resolution.steps)}
    _print_json(
        {
            **pages,
            "steps": list(resolution.steps),
            "fields": list(resolution.fields),
            "required": [f for f in resolution.fields if f in resolution.required],
            "values": dict(resolution.values),
            "problems": dict(resolution.problems),
        }
        | _start_step_apart(definition, resolution)
    )
    return EXIT_OK


def _start_step_apart(definition: WizardDefinition, resolution: Resolution) -> dict[str, Any]:
    """What `resolve` prints otherwise for a wizard with a start step (format 2
    `start`): it is not among the path's steps, fields and required, as SurveyJS's
    start page is not; its visible fields are `start_fields`, those required now
    `start_required`. Nothing for a wizard without one."""
    start = definition.start_step
    if start is None:
        return {}
    starting = {f.id for f in start.fields}
    fields = [f for f in resolution.fields if f not in starting]
    start_fields = [f for f in resolution.fields if f in starting]
    return {
        "steps": [s for s in resolution.steps if s != start.id],
        "fields": fields,
        "required": [f for f in fields if f in resolution.required],
        "start_fields": start_fields,
        "start_required": [f for f in start_fields if f in resolution.required],
    }


def cmd_convert(args: argparse.Namespace) -> int:
    """`convert FILE [--output OUT.yaml]`: an imported form as a format-2 YAML file."""
    from wizard_desktop.importers import import_form
    from wizard_desktop.importers.convert import definition_yaml

    try:
        result = import_form(args.file, skip_unsupported=args.skip_unsupported)
    except WizardFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    text = definition_yaml(result.definition)
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.file}: written to {args.output}")
    return EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "convert": cmd_convert,
    "import": cmd_import,
    "wizards": cmd_wizards,
    "sessions": cmd_sessions,
    "templates": cmd_templates,
    "export": cmd_export,
    "report": cmd_report,
    "export-sessions": cmd_export_sessions,
    "backups": cmd_backups,
    "restore-backup": cmd_restore_backup,
    "remove-wizard": cmd_remove_wizard,
    "stats": cmd_stats,
    "resolve": cmd_resolve,
}


def run(args: argparse.Namespace) -> int:
    """Run the command `args.command` names; the exit code."""
    try:
        return HANDLERS[args.command](args)
    except CommandError as exc:
        print(f"wizard-desktop: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (StorageError, WizardFileError) as exc:
        print(f"wizard-desktop: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_FAILED
    finally:
        close_database()

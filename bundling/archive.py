"""Which of a bundle's Python modules are kept compressed.

build.spec collects the modules as plain .pyc files beside the executable (PyInstaller's
`noarchive`): nothing to decompress on the way to the first screen, where inflating
them cost about 5% of the launch. The packages below are never loaded on the way there
(tests/gui/test_app.py checks it), only when a person imports a form, exports a
spreadsheet, writes a report or plays a wizard: they go into the executable's
zlib-compressed archive (the PYZ) instead, about 4 MB fewer on disk for a few
milliseconds of inflating once, at their first import.

Only packages first imported after PyInstaller's importer is installed can move:
never one that the interpreter loads before it (encodings, collections, importlib...).
"""

from __future__ import annotations

from typing import Any

# Package (with its submodules) -> what first loads it.
ARCHIVED_PACKAGES: dict[str, str] = {
    "pyxform": "an XLSForm import",
    "openpyxl": "an XLSForm import from .xlsx (pyxform's reader)",
    "et_xmlfile": "openpyxl",
    "xlrd": "an XLSForm import from .xls (pyxform's reader)",
    "defusedxml": "pyxform and openpyxl, parsing XML",
    "xml": "pyxform and openpyxl (ElementTree, minidom)",
    "urllib.request": "pyxform's validators (ODK Validate, never run)",
    "http": "urllib.request",
    "email": "http.client",
    "wizard_desktop.importers": "a SurveyJS or XLSForm import",
    "xlsxwriter": "an XLSX export of the sessions",
    "html": "a report, a SurveyJS import",
    "difflib": "the suggestions in a wizard file's problems",
    "yaml": "reading a YAML wizard: the first launch (bundled wizards), an import",
    "playhouse": "the schema migrations: the first launch, an upgrade",
    "lark": "the first parse of an expression",
    "csv": "an import, an export",
    "mimetypes": "an attachment answer, openpyxl",
    "concurrent": "an attachment answer (its file read on a thread)",
    "fractions": "XlsxWriter",
    "pprint": "xlrd",
    "subprocess": "platform and uuid, in functions the app never calls",
    "_strptime": "datetime's strptime()",
    "stringprep": "the IDNA codec",
    "tracemalloc": "warnings, to tell where a ResourceWarning's object came from",
    # The app's own modules that only a later action loads (the largest ones).
    "wizard_desktop.controller": "playing a wizard",
    "wizard_desktop.ui.player": "playing a wizard",
    "wizard_desktop.ui.editors": "playing a wizard",
    "wizard_desktop.ui.file_editors": "playing a wizard",
    "wizard_desktop.ui.grid_editors": "playing a wizard",
    "wizard_desktop.ui.repeat_controls": "playing a wizard",
    "wizard_desktop.core.sessions": "playing a wizard, the commands",
    "wizard_desktop.definition.logic": "playing a wizard, the commands",
    "wizard_desktop.ui.sessions_view": "the Sessions tab",
    "wizard_desktop.ui.templates_view": "the Templates tab",
    "wizard_desktop.ui.stats_view": "a wizard's statistics",
    "wizard_desktop.ui.dialogs": "a dialog",
    "wizard_desktop.core.templates": "a template",
    "wizard_desktop.definition.model": "a wizard's definition: playing, a {field} title",
    "wizard_desktop.definition.expressions": "format 2 logic, a {field} title",
    "wizard_desktop.definition.expression_functions": "format 2 logic",
    "wizard_desktop.definition.expression_grammar": "the first parse of an expression",
    "wizard_desktop.definition.repeats": "a wizard with repeats",
    "wizard_desktop.definition.languages": "a wizard in several languages",
    "wizard_desktop.definition.patterns": "a field's pattern",
    "wizard_desktop.definition.validator": "reading a wizard file",
    "wizard_desktop.definition.reading": "reading a wizard file",
    "wizard_desktop.core.sessions_export": "exporting sessions",
    "wizard_desktop.core.report": "a session's report",
    "wizard_desktop.ui.report_pdf": "a session's report",
    "wizard_desktop.ui.report_print": "a session's report",
    "wizard_desktop.commands": "the command line",
    "wizard_desktop.selftest": "--self-test",
}


def module_of(destination: str) -> str | None:
    """ "pyxform.validators" for pyxform/validators/__init__.pyc; None for a file that is
    no collected module."""
    path = destination.replace("\\", "/")
    if not path.endswith(".pyc"):
        return None
    return path.removesuffix(".pyc").removesuffix("/__init__").replace("/", ".")


def is_archived(module: str, packages: dict[str, str] = ARCHIVED_PACKAGES) -> bool:
    """Whether `module` is one of `packages` or in one of them."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def archive_packages(analysis: Any, packages: dict[str, str] = ARCHIVED_PACKAGES) -> None:
    """Move the .pyc files of `packages` from an Analysis' data (the files beside the
    executable) into its PYZ table (`pure`), in place. The .pyc files are already
    compiled with the build's optimisation level; PYZ reads them as they are."""
    kept = []
    for entry in analysis.datas:
        module = module_of(entry[0])
        if module is not None and is_archived(module, packages):
            analysis.pure.append((module, entry[1], "PYMODULE"))
        else:
            kept.append(entry)
    analysis.datas = kept

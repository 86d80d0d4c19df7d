"""Importing forms written for other tools (SurveyJS JSON, XLSForm) as format-2
wizards: `import_kind` tells from a file's name and content which importer reads it
(None for a Wizard Desktop file), `import_form` runs that importer and returns an
`ImportResult` (or raises `WizardFileError` / `ImportRefused`, nothing built)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from wizard_desktop.definition.fileformat import MAX_FILE_BYTES, XLSFORM_SUFFIXES
from wizard_desktop.definition.loader import load_wizard_file
from wizard_desktop.definition.model import WizardDefinition
from wizard_desktop.definition.problems import Problem, WizardFileError
from wizard_desktop.importers.common import (
    MAX_SOURCE_BYTES,
    ImportRefused,
    ImportResult,
    UnsupportedItem,
    read_source,
)

__all__ = [
    "XLSFORM_SUFFIXES",
    "ImportRefused",
    "ImportResult",
    "UnsupportedItem",
    "import_form",
    "import_kind",
    "load_any_wizard_file",
]

ImportKind = Literal["surveyjs", "xlsform"]


def import_kind(path: str | os.PathLike[str]) -> ImportKind | None:
    """Which importer reads `path`: XLSForm by extension; a `.json` is SurveyJS when its
    top level has no `format_version` and has `pages`, `elements` or `questions`."""
    suffix = Path(path).suffix.lower()
    if suffix in XLSFORM_SUFFIXES:
        return "xlsform"
    if suffix == ".json":
        from wizard_desktop.importers.surveyjs import looks_like_surveyjs

        try:
            head = read_source(path)
        except WizardFileError:
            size = _size(path)
            if size > MAX_SOURCE_BYTES:  # too big for either kind: both limits are said
                message = (
                    f"the file is {size / 1e6:.1f} MB; a SurveyJS survey is at most "
                    f"{MAX_SOURCE_BYTES / 1e6:.0f} MB, a wizard file at most "
                    f"{MAX_FILE_BYTES / 1e6:.0f} MB"
                )
                raise WizardFileError([Problem(os.fspath(path), None, "", message)]) from None
            return None  # unreadable: reported by the wizard file reader, which opens it
        return "surveyjs" if looks_like_surveyjs(head) else None
    return None


def _size(path: str | os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def import_form(path: str | os.PathLike[str], *, skip_unsupported: bool = False) -> ImportResult:
    """Import `path` with its importer; refused as a whole when it holds unsupported
    items unless `skip_unsupported`."""
    kind = import_kind(path)
    try:
        if kind == "xlsform":
            from wizard_desktop.importers.xlsform import import_xlsform

            result: ImportResult = import_xlsform(path, skip_unsupported=skip_unsupported)
            return result
        from wizard_desktop.importers.surveyjs import import_surveyjs

        return import_surveyjs(path, skip_unsupported=skip_unsupported)
    except WizardFileError:
        raise
    except Exception as exc:  # the safety net: a bug must still not escape as a traceback
        message = f"internal error while importing ({type(exc).__name__}: {exc})"
        raise WizardFileError([Problem(os.fspath(path), None, "", message)]) from exc


def load_any_wizard_file(
    path: str | os.PathLike[str], *, skip_unsupported: bool = False
) -> WizardDefinition:
    """The definition in `path`: a Wizard Desktop file through the loader, a SurveyJS
    or XLSForm file through its importer (`check`, `import`, `resolve`, the GUI)."""
    if import_kind(path) is None:
        return load_wizard_file(path)
    return import_form(path, skip_unsupported=skip_unsupported).definition

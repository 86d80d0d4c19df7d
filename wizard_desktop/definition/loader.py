"""Loading wizard files (format v1): the one entry from untrusted text to the model.

`load_wizard_file` reads a `.yaml`, `.yml` or `.json` file, `parse_wizard_text` its
text, `definition_from_dict` already-parsed data (a stored canonical JSON). Each
returns a valid `WizardDefinition` or raises one `WizardFileError` listing every
problem as `FILE:LINE: steps[2].fields[0].type: message`, never a traceback or a
half-built definition. The work is done by `reading` (text to data with lines),
`validator` (data to model, against `fileformat` and `patterns`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from wizard_desktop.definition.fileformat import FILE_KINDS, MAX_FILE_BYTES
from wizard_desktop.definition.model import WizardDefinition
from wizard_desktop.definition.problems import Problem, WizardFileError
from wizard_desktop.definition.reading import (
    SourceError,
    SourceLines,
    decode,
    read_json,
    read_limited,
    read_yaml,
)
from wizard_desktop.definition.validator import validate

__all__ = [
    "MAX_FILE_BYTES",
    "Problem",
    "WizardFileError",
    "definition_from_dict",
    "load_wizard_file",
    "parse_wizard_text",
    "stored_definition",
]


def _guarded(source: str, build: Callable[[], WizardDefinition]) -> WizardDefinition:
    """Run `build()`; anything but a WizardFileError becomes one (never a traceback)."""
    try:
        return build()
    except WizardFileError:
        raise
    except SourceError as exc:
        raise WizardFileError([Problem(source, exc.line, "", exc.message)]) from None
    except Exception as exc:  # the safety net: a bug must still not escape as a traceback
        message = f"internal error while reading ({type(exc).__name__}: {exc})"
        raise WizardFileError([Problem(source, None, "", message)]) from exc


def definition_from_dict(data: object, source: str = "<stored>") -> WizardDefinition:
    """Validate already-parsed data (e.g. a stored canonical JSON) into the model."""
    return _guarded(source, lambda: validate(data, SourceLines(), [], source=source))


def stored_definition(data: object, source: str) -> WizardDefinition:
    """A definition this app stored (a version's canonical JSON): validated into the
    model without the text, count and character limits of files from someone else,
    which a version stored by an earlier app may exceed (its sessions stay open)."""
    return _guarded(source, lambda: validate(data, SourceLines(), [], source=source, stored=True))


def parse_wizard_text(text: str, source: str, kind: Literal["yaml", "json"]) -> WizardDefinition:
    """Parse and validate the text of a wizard file; `source` names it in problems."""

    def build() -> WizardDefinition:
        if kind == "yaml":
            return validate(*read_yaml(text, source), source=source)
        try:  # finding JSON line numbers costs a second parse: only done for problems
            data, _, problems = read_json(text, source, with_lines=False)
            return validate(data, SourceLines(), problems, source=source)
        except WizardFileError:
            data, lines, problems = read_json(text, source)
            return validate(data, lines, problems, source=source)

    return _guarded(source, build)


def load_wizard_file(path: str | os.PathLike[str]) -> WizardDefinition:
    """Read, parse and validate a `.yaml`, `.yml` or `.json` wizard file."""
    source = os.fspath(path)
    file_path = Path(source)

    def build() -> WizardDefinition:
        kind = FILE_KINDS.get(file_path.suffix.lower())
        if kind is None:
            shown = f"'{file_path.suffix}'" if file_path.suffix else "no extension"
            raise SourceError(
                f"unsupported file type ({shown}): a wizard file ends in .yaml, .yml or .json"
            )
        return parse_wizard_text(decode(read_limited(file_path)), source, kind)

    return _guarded(source, build)

"""SurveyJS JSON to format 2 (work in progress)."""

from __future__ import annotations

import os

from wizard_desktop.importers.common import ImportResult


def looks_like_surveyjs(data: bytes) -> bool:
    """Whether `data` is a SurveyJS survey (no `format_version`; `pages`/`elements`/`questions`)."""
    raise NotImplementedError


def import_surveyjs(path: str | os.PathLike[str], *, skip_unsupported: bool = False) -> ImportResult:
    """Import a SurveyJS survey file."""
    raise NotImplementedError

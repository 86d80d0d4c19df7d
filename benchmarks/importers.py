"""`import_xlsform`: importing the WHO Verbal Autopsy XLSForm (pyxform's parse, the
mapping onto format 2 with every XPath translated, the definition validated) against
pyxform's own `xls2json` parse of the same file, interleaved in the same run."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import ROOT, Figure

WHO_FORM = "who-verbal-autopsy.xlsx"


def _realforms() -> Path:
    beside = ROOT.parent / "shared" / "realforms" / "xlsform"
    return beside if beside.is_dir() else Path("/work/shared/realforms/xlsform")


def import_xlsform(quick: bool) -> Figure:
    from pyxform.xls2json import parse_file_to_json

    from wizard_desktop.importers.xlsform import import_xlsform as ours

    path = _realforms() / WHO_FORM
    rounds = 5 if quick else 15
    ours(path)
    parse_file_to_json(str(path))  # warm-up: imports, the parsers built
    value: list[float] = []
    anchor: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        parse_file_to_json(str(path))
        anchor.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        result = ours(path)
        value.append((time.perf_counter() - start) * 1000)
    return Figure(
        "import_xlsform",
        "ms",
        1.5,
        value,
        anchor,
        "import the WHO VA XLSForm vs pyxform's xls2json parse of it",
        notes=[f"{len(result.definition.steps)} steps imported"],
    )

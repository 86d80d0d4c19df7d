"""`import_xlsform`: importing the WHO Verbal Autopsy XLSForm the way `import` and File →
Import do (`core.wizards.import_wizard_file`: pyxform's parse, the mapping onto format 2
with every XPath translated, the definition validated, its canonical JSON hashed and
stored) against pyxform's own `xls2json` parse of the same file, interleaved in the same
run. Each round is a first import: a fresh database, and no expression parsed yet. Both
sides run in a process of their own (`python -m benchmarks.importers --rounds N`), as a
person's app is: the heap other figures leave behind would make Python's garbage
collector, which both sides wake, cost the side that allocates more."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, Figure, run_python

WHO_FORM = "who-verbal-autopsy.xlsx"


def _realforms() -> Path:
    beside = ROOT.parent / "shared" / "realforms" / "xlsform"
    return beside if beside.is_dir() else Path("/work/shared/realforms/xlsform")


def measure(rounds: int) -> dict[str, object]:
    """Both sides' times (ms) over `rounds` interleaved rounds, and the steps stored."""
    from pyxform.xls2json import parse_file_to_json

    from wizard_desktop.core.wizards import definition_of_version, import_wizard_file
    from wizard_desktop.definition import expressions
    from wizard_desktop.store.database import close_database, open_database

    path = _realforms() / WHO_FORM
    value: list[float] = []
    anchor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:

        def fresh_database(number: int) -> None:
            close_database()
            data_dir = Path(folder) / f"data{number}"
            data_dir.mkdir()
            open_database(data_dir)

        fresh_database(0)
        import_wizard_file(path)  # warm-up: imports, the parsers built
        parse_file_to_json(str(path))
        for number in range(1, rounds + 1):
            start = time.perf_counter()
            parse_file_to_json(str(path))
            anchor.append((time.perf_counter() - start) * 1000)
            fresh_database(number)
            # A person imports a form once: its expressions were never parsed before (the
            # parse cache would otherwise hold every one of them from the last round).
            expressions._cached_parse.cache_clear()
            start = time.perf_counter()
            result = import_wizard_file(path)
            value.append((time.perf_counter() - start) * 1000)
            assert result.created
        steps = len(definition_of_version(result.version_id).steps)
        close_database()
    return {"value": value, "anchor": anchor, "steps": steps}


def import_xlsform(quick: bool) -> Figure:
    rounds = 5 if quick else 15
    measured = json.loads(run_python(["-m", "benchmarks.importers", "--rounds", str(rounds)]))
    return Figure(
        "import_xlsform",
        "ms",
        1.5,
        measured["value"],
        measured["anchor"],
        "import the WHO VA XLSForm (checked and stored) vs pyxform's xls2json parse of it",
        notes=[f"{measured['steps']} steps imported and stored; both sides in a fresh process"],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, required=True)
    print(json.dumps(measure(parser.parse_args().rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

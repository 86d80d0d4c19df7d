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


def parts(rounds: int) -> dict[str, float]:
    """Where a first import's time goes (median ms over `rounds`): the stages timed by
    wrapping the functions that do them (pyxform's read, the XPath translation, the
    format 2 parse of the translated texts) and the rest of the mapping and checking,
    and the storing, as the remainders."""
    import functools
    import statistics

    from wizard_desktop.core.wizards import import_wizard_file
    from wizard_desktop.definition import expression_grammar, expressions
    from wizard_desktop.importers import xlsform
    from wizard_desktop.store.database import close_database, open_database

    spent: dict[str, float] = {}

    def timed(module: object, name: str, key: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + (time.perf_counter() - start) * 1000

        setattr(module, name, wrapper)

    timed(xlsform, "_read_workbook", "pyxform's read")
    timed(xlsform, "translate", "XPath parsed and translated (lark)")
    timed(expression_grammar, "parse_tree", "translated texts parsed (lark)")
    timed(xlsform, "import_xlsform", "importer")
    path = _realforms() / WHO_FORM
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        for number in range(rounds + 1):
            close_database()
            (Path(folder) / f"data{number}").mkdir()
            open_database(Path(folder) / f"data{number}")
            expressions._cached_parse.cache_clear()
            spent.clear()
            start = time.perf_counter()
            import_wizard_file(path)
            whole = (time.perf_counter() - start) * 1000
            row = dict(spent)
            importer = row.pop("importer")
            row["the rest: mapping and the format 2 check"] = importer - sum(row.values())
            row["hashing and storing"] = whole - importer
            row["whole import"] = whole
            if number:  # the first round builds the parsers
                rows.append(row)
        close_database()
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


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
    parser.add_argument(
        "--parts", action="store_true", help="print where an import's time goes instead"
    )
    args = parser.parse_args()
    if args.parts:
        for key, value in parts(args.rounds).items():
            print(f"{value:8.1f} ms  {key}")
    else:
        print(json.dumps(measure(args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

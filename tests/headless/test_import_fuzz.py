"""Hostile files for the importers: seeded mutations of the real SurveyJS surveys and
XLSForms of ../shared/realforms (read-only) and of small forms written here. Every
mutant is either imported, and its `convert` YAML checks clean and loads to the same
wizard, or refused with one-line plain-text problems that say where (never "internal
error", never a traceback), within a time bound per mutant and a memory bound for the
run; a refused file stores nothing (`import_wizard_file` on a real database), and a few
mutants go through the real command line. Hypothesis draws the mutations with fixed
seeds (`derandomize`), so a run is the same everywhere; WIZARD_DESKTOP_FUZZ_EXAMPLES
runs more of them locally."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import random
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wizard_desktop.definition.loader import load_wizard_file
from wizard_desktop.definition.problems import WizardFileError
from wizard_desktop.definition.text import terminal_safe
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.convert import definition_yaml

REALFORMS = Path(
    os.environ.get("REALFORMS", Path(__file__).resolve().parents[4] / "shared" / "realforms")
)
if not REALFORMS.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    REALFORMS = Path("/work/shared/realforms")
SURVEYS = sorted((REALFORMS / "surveyjs").glob("*.json"))
XLSFORMS = sorted((REALFORMS / "xlsform").glob("*.xlsx"))
MARKDOWN_FORMS = sorted((REALFORMS / "xlsform").glob("*.md"))

EXAMPLES = int(os.environ.get("WIZARD_DESKTOP_FUZZ_EXAMPLES", "0"))
# A mutant taking longer than this is a hang (a failure); slowness is not asserted.
MUTANT_SECONDS = 60
# The address space the run may grow by (a mutant needing more fails with MemoryError).
MEMORY_BUDGET = 1536 * 1024 * 1024

# --- hostile values ---------------------------------------------------------------

ODD_CHARACTERS = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u202e",
    "\u2066",
    "\u200f",
    "\ufeff",
    "\ud800",
    "\n",
    "\r\n",
    "\t",
    "{",
    "}",
    "{q1}",
    "[0]",
    ".",
    "|",
    "'",
    '"',
    "\\",
    "${x}",
    "<script>alert(1)</script>",
    "**",
    "#",
    " ",
    "é",
    "日本語",
    "😀",
    "א",
]
GARBAGE_EXPRESSIONS = [
    "",
    " ",
    "{",
    "}",
    "{}",
    "{{q}}",
    "{q1} = ",
    "= 1",
    "((((((((((1))))))))))",
    "(" * 200 + "1" + ")" * 200,
    "1 " + "+ 1 " * 3000,
    "{a} and {b} or",
    "iif(",
    "nosuchfunction({q})",
    "sum()",
    "age({x}, {y}, {z})",
    "{q} contains",
    "'unterminated",
    "{q} = 'a' and {q} = 'b' and " * 50 + "true",
    "{x\u202ey} = 1",
    "{panel.q} = 1",
    "{row.q} = 1",
    "{q[999999999999].r} = 1",
    "{q.length} > 1e308",
    "1e999999",
    "-" * 500 + "1",
    "!" * 500 + "true",
    "{\x00} = 1",
    "sumInArray({p}, 'q') > 1",
    "{panelIndex} = 0",
    "today() > '2020-13-45'",
    "$1",
    "{q1} = {q1}",
    "notempty",
    "{q} anyof ['a', 'b'",
    "{q} = '\ud800'",
]


def hostile_value(rng: random.Random, depth: int = 0) -> object:
    """A JSON value of any type, odd on purpose."""
    kind = rng.randrange(12 if depth < 3 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 7])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, -1e308, 1e-320, 3.14159])
    if kind == 4:
        return rng.choice(["", " ", "x", "page1", "q1", "default", "true", "0"])
    if kind == 5:
        return "".join(rng.choice(ODD_CHARACTERS) for _ in range(rng.randrange(1, 6)))
    if kind == 6:
        return rng.choice(GARBAGE_EXPRESSIONS)
    if kind == 7:
        return "x" * rng.choice([201, 1001, 20_001, 300_000])
    if kind in (8, 9):
        return [hostile_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = ["name", "type", "value", "text", "default", "elements", "choices", "de", "", "\x00"]
    return {rng.choice(keys): hostile_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}


def odd_choices(rng: random.Random) -> object:
    """`choices` of every shape SurveyJS's JSON could hold."""
    return rng.choice(
        [
            [],
            {},
            "a,b,c",
            None,
            7,
            [None],
            [[]],
            [{}],
            [{"value": None}],
            [{"value": {"a": 1}}],
            [{"value": [1, 2]}],
            [{"text": "no value"}],
            ["a", "a", "a"],
            [1, "1", 1.0, True, "true"],
            ["|", "a|", "|b", "a|b|c"],
            [{"value": "a", "text": {"de": "x", "\x00": "y", "": "z"}}],
            [{"value": "a", "visibleIf": "{"}],
            [{"value": "a", "visibleIf": 7}],
            [{"value": "x" * 5000, "text": "y" * 5000}],
            [f"v{i}" for i in range(1500)],
            [{"value": "\u202eevil", "text": "\x00nul"}],
            [{"value": "none"}, {"value": "other"}],
            [{"value": 1e308}, {"value": -0.0}, {"value": float(2**53)}],
        ]
    )


# --- SurveyJS mutations -------------------------------------------------------------

JsonPath = tuple[str | int, ...]


def json_places(data: object) -> list[tuple[JsonPath, Any]]:
    """Every place in a JSON document and its value (without recursion)."""
    out: list[tuple[JsonPath, Any]] = []
    stack: list[tuple[JsonPath, object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        out.append((path, value))
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return out


def at(data: Any, path: JsonPath) -> Any:
    for part in path:
        data = data[part]
    return data


def elements_of(data: object) -> list[dict[str, Any]]:
    """Every object with a `type` (questions, panels) of a survey."""
    return [
        v for _, v in json_places(data) if isinstance(v, dict) and isinstance(v.get("type"), str)
    ]


def containers_of(data: object) -> list[list[Any]]:
    """Every `elements`/`questions`/`templateElements` list of a survey."""
    found = []
    for _, value in json_places(data):
        if isinstance(value, dict):
            for key in ("elements", "questions", "templateElements"):
                if isinstance(value.get(key), list):
                    found.append(value[key])
    return found


def _retype(data: Any, rng: random.Random) -> Any:
    path = rng.choice(json_places(data))[0]
    if not path:
        return hostile_value(rng)
    at(data, path[:-1])[path[-1]] = hostile_value(rng)
    return data


def _delete(data: Any, rng: random.Random) -> Any:
    paths = [p for p, _ in json_places(data) if p]
    if not paths:
        return data
    path = rng.choice(paths)
    del at(data, path[:-1])[path[-1]]
    return data


def _duplicate(data: Any, rng: random.Random) -> Any:
    lists = [v for _, v in json_places(data) if isinstance(v, list) and v]
    if lists:
        target = rng.choice(lists)
        index = rng.randrange(len(target))
        for _ in range(rng.choice([1, 1, 2, 50])):
            target.insert(index, json.loads(json.dumps(target[index])))
    return data


def _huge_string(data: Any, rng: random.Random) -> Any:
    paths = [p for p, v in json_places(data) if p and isinstance(v, str)]
    if paths:
        path = rng.choice(paths)
        at(data, path[:-1])[path[-1]] = rng.choice(["x", "{q} ", "é", " \n"]) * rng.choice(
            [201, 5001, 20_001, 400_000]
        )
    return data


def _odd_characters(data: Any, rng: random.Random) -> Any:
    paths = [p for p, v in json_places(data) if p and isinstance(v, str)]
    named = [p for p in paths if p[-1] in ("name", "title", "text", "value", "valueName")]
    if paths:
        path = rng.choice(named or paths)
        text = at(data, path[:-1])[path[-1]]
        where = rng.randrange(len(text) + 1)
        odd = "".join(rng.choice(ODD_CHARACTERS) for _ in range(rng.randrange(1, 4)))
        at(data, path[:-1])[path[-1]] = text[:where] + odd + text[where:]
    return data


def _deep_nesting(data: Any, rng: random.Random) -> Any:
    containers = containers_of(data)
    if not containers:
        return data
    target = rng.choice(containers)
    depth = rng.choice([3, 40, 60, 99, 101, 150])
    inner: list[Any] = [{"type": "text", "name": "deep"}]
    for level in range(depth):
        kind = rng.choice(["panel", "panel", "paneldynamic"])
        key = "templateElements" if kind == "paneldynamic" else "elements"
        inner = [{"type": kind, "name": f"n{level}", key: inner}]
    target.append(inner[0])
    return data


def _odd_choices(data: Any, rng: random.Random) -> Any:
    elements = elements_of(data)
    if elements:
        element = rng.choice(elements)
        key = rng.choice(["choices", "choices", "rows", "columns", "rateValues", "items"])
        element[key] = odd_choices(rng)
    return data


def _garbage_expression(data: Any, rng: random.Random) -> Any:
    holders = [h for h in [*elements_of(data), *_pages(data), data] if isinstance(h, dict)]
    if not holders:
        return data
    holder = rng.choice(holders)
    key = rng.choice(
        [
            "visibleIf",
            "enableIf",
            "requiredIf",
            "expression",
            "defaultValueExpression",
            "choicesVisibleIf",
            "templateTitle",
            "title",
        ]
    )
    holder[key] = rng.choice([rng.choice(GARBAGE_EXPRESSIONS), hostile_value(rng)])
    return data


def _pages(data: Any) -> list[dict[str, Any]]:
    pages = data.get("pages") if isinstance(data, dict) else None
    return [p for p in pages if isinstance(p, dict)] if isinstance(pages, list) else []


def _names(data: Any) -> list[str]:
    return [str(e["name"]) for e in elements_of(data) if isinstance(e.get("name"), str)] or ["q"]


def _cycles(data: Any, rng: random.Random) -> Any:
    if not isinstance(data, dict):
        return data
    names = _names(data)
    a, b = rng.choice(names), rng.choice(names)
    values = data.setdefault("calculatedValues", [])
    if not isinstance(values, list):
        data["calculatedValues"] = values = []
    values += [
        {"name": "cv1", "expression": "{cv2} + 1"},
        {"name": "cv2", "expression": "{cv1} + 1"},
        {"name": "cv3", "expression": "{cv3}"},
        {"name": a, "expression": f"{{{b}}}"},
    ]
    elements = elements_of(data)
    for element in rng.sample(elements, min(3, len(elements))):
        element["visibleIf"] = f"{{{a}}} = 1 or {{cv1}} > 0"
    for element in elements:
        if element.get("name") == a:
            element["visibleIf"] = f"{{{a}}} notempty"
    return data


def _value_names(data: Any, rng: random.Random) -> Any:
    elements = elements_of(data)
    names = _names(data)
    for element in rng.sample(elements, min(rng.choice([1, 2, 5]), len(elements))):
        element["valueName"] = rng.choice([*names, "shared", "", 7, None])
    return data


def _dynamic_in_dynamic(data: Any, rng: random.Random) -> Any:
    containers = containers_of(data)
    if containers:
        inner = {
            "type": rng.choice(["paneldynamic", "matrixdynamic"]),
            "name": "inner",
            "templateElements": [{"type": "text", "name": "deep"}],
            "columns": [{"name": "c", "cellType": "text"}],
        }
        outer = {
            "type": "paneldynamic",
            "name": rng.choice(["outer", *_names(data)]),
            "templateElements": [{"type": "text", "name": "x"}, inner],
            "panelCount": rng.choice([1, 0, -1, 10**9, "3", None]),
            "valueName": rng.choice(["outer", "shared", None]),
        }
        rng.choice(containers).append(outer)
    return data


def _pages_shape(data: Any, rng: random.Random) -> Any:
    if not isinstance(data, dict):
        return data
    choice = rng.randrange(7)
    if choice == 0:
        data["pages"] = []
    elif choice == 1:
        data.pop("pages", None)
    elif choice == 2:
        data["pages"] = [{}] * rng.choice([1, 3, 200])
    elif choice == 3:
        data["pages"] = [{"name": "p", "elements": []}, {"name": "p", "elements": []}]
    elif choice == 4:
        for page in _pages(data):
            page["elements"] = []
    elif choice == 5:
        data["firstPageIsStarted"] = rng.choice([True, "true", 1])
    else:
        data["questions"] = data.pop("pages", [])
    return data


def _translations(data: Any, rng: random.Random) -> Any:
    holders = [h for h in [*elements_of(data), *_pages(data), data] if isinstance(h, dict)]
    odd_keys = [
        "",
        "default",
        "en",
        "de-CH",
        "xx-invalid-locale",
        "\x00",
        "\u202eab",
        "zh-Hant",
        "EN",
        "en_US",
        "a" * 100,
        "1",
        "de",
        "fr",
        "-",
        "default ",
        "__proto__",
    ]
    for holder in rng.sample(holders, min(len(holders), rng.choice([1, 3, 20]))):
        key = rng.choice(["title", "description", "text", "placeholder", "otherText", "html"])
        holder[key] = {
            rng.choice(odd_keys): rng.choice(["Titel", "", None, 7, ["x"], {"a": "b"}, "\x00"])
            for _ in range(rng.randrange(1, 5))
        }
    if isinstance(data, dict) and rng.random() < 0.3:
        data["locale"] = rng.choice([*odd_keys, 7, None, ["de"]])
    return data


SURVEY_TYPES = [
    "text",
    "comment",
    "radiogroup",
    "dropdown",
    "checkbox",
    "tagbox",
    "boolean",
    "rating",
    "ranking",
    "expression",
    "html",
    "matrix",
    "matrixdropdown",
    "matrixdynamic",
    "multipletext",
    "paneldynamic",
    "panel",
    "file",
    "signaturepad",
    "image",
    "imagepicker",
    "slider",
    "nosuchtype",
    "",
    "TEXT",
]
NUMBER_KEYS = [
    "rateMin",
    "rateMax",
    "rateCount",
    "rateStep",
    "panelCount",
    "minPanelCount",
    "maxPanelCount",
    "rowCount",
    "minRowCount",
    "maxRowCount",
    "maxLength",
    "step",
    "min",
    "max",
    "maxSize",
    "minSelectedChoices",
    "maxSelectedChoices",
    "colCount",
    "minValue",
    "maxValue",
    "minCount",
    "maxCount",
    "minLength",
]
ODD_NUMBERS = [0, -1, 1, 2, 10, 11, 10**6, 2**53 + 1, 10**400, 0.5, -0.0, 1e308, "5", True, None]


def _retype_element(data: Any, rng: random.Random) -> Any:
    elements = elements_of(data)
    for element in rng.sample(elements, min(len(elements), rng.choice([1, 3]))):
        element["type"] = rng.choice(SURVEY_TYPES)
        if rng.random() < 0.5:  # with what that type reads, oddly shaped
            key = rng.choice(["columns", "rows", "items", "templateElements", "rateValues"])
            element[key] = rng.choice([odd_choices(rng), [{"name": "c", "cellType": "text"}]])
    return data


def _odd_numbers(data: Any, rng: random.Random) -> Any:
    elements = elements_of(data)
    holders = [
        *elements,
        *(v for e in elements for v in e.get("validators") or [] if isinstance(v, dict)),
    ]
    for holder in rng.sample(holders, min(len(holders), rng.choice([1, 3, 10]))):
        holder[rng.choice(NUMBER_KEYS)] = rng.choice(ODD_NUMBERS)
        if rng.random() < 0.3 and "inputType" not in holder:
            holder["inputType"] = rng.choice(["number", "range", "date", "time", "email", "x"])
    return data


SURVEY_MUTATIONS: dict[str, Callable[[Any, random.Random], Any]] = {
    "retype_element": _retype_element,
    "odd_numbers": _odd_numbers,
    "retype": _retype,
    "delete": _delete,
    "duplicate": _duplicate,
    "huge_string": _huge_string,
    "odd_characters": _odd_characters,
    "deep_nesting": _deep_nesting,
    "odd_choices": _odd_choices,
    "garbage_expression": _garbage_expression,
    "cycles": _cycles,
    "value_names": _value_names,
    "dynamic_in_dynamic": _dynamic_in_dynamic,
    "pages_shape": _pages_shape,
    "translations": _translations,
}


def mutated_survey(survey: Path, mutations: list[tuple[str, int]]) -> Any:
    data: Any = json.loads(survey.read_text(encoding="utf-8"))
    for name, seed in mutations:
        data = SURVEY_MUTATIONS[name](data, random.Random(seed))
    return data


def write_survey(data: Any, path: Path, *, escaped: bool = False) -> Path:
    """The survey as JSON: characters as UTF-8 (a lone surrogate as the bytes it would
    be), or `escaped` as `\\u` escapes (a lone surrogate as "\\ud800")."""
    text = json.dumps(data, ensure_ascii=escaped)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


# --- XLSForm mutations --------------------------------------------------------------

Sheets = dict[str, list[list[Any]]]


def read_sheets(path: Path) -> Sheets:
    """The cells' values of a workbook, row by row (empty rows and trailing empty cells
    left out: some real forms declare a million formatted rows)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets: Sheets = {}
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the cells there are, not the declared dimension
            rows = sheets.setdefault(sheet.title, [])
            for row in sheet.iter_rows(values_only=True):
                cells = list(row)
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                if cells:
                    rows.append(cells)
    finally:
        book.close()
    return sheets


def markdown_sheets(text: str) -> Sheets:
    """pyxform's Markdown tables as sheets (the first column names the sheet)."""
    sheets: Sheets = {}
    current: list[list[Any]] | None = None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.strip().startswith("|"):
            continue
        if cells[0]:
            current = sheets.setdefault(cells[0], [])
            continue
        if current is not None:
            current.append(cells[1:])
    return sheets


def write_workbook(sheets: Sheets, path: Path) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title[:31] or "empty")
        for row in rows:
            sheet.append([_cell(v) for v in row])
    if not book.worksheets:  # a workbook has at least one sheet
        book.create_sheet(title="empty")
    book.save(path)
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        # openpyxl refuses the control characters XML 1.0 cannot hold
        text = "".join(c if c in "\t\n\r" or ord(c) >= 32 else "?" for c in value)
        return text.encode("utf-8", "replace").decode("utf-8")[:32_767]
    return value


def write_markdown(sheets: Sheets, path: Path) -> Path:
    lines = []
    for title, rows in sheets.items():
        lines.append(f"| {title} |")
        lines += [
            "|  | " + " | ".join("" if c is None else str(c) for c in row) + " |" for row in rows
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


XLS_TYPES = [
    "text",
    "integer",
    "decimal",
    "select_one yn",
    "select_multiple yn",
    "select_one nolist",
    "select_one",
    "note",
    "date",
    "time",
    "datetime",
    "calculate",
    "acknowledge",
    "range",
    "image",
    "audio",
    "barcode",
    "geopoint",
    "begin group",
    "end group",
    "begin repeat",
    "end repeat",
    "begin_group",
    "end_repeat",
    "begin loop over yn",
    "end loop",
    "start",
    "today",
    "username",
    "select_one_from_file missing.csv",
    "select_one_from_file x.xml",
    "rank yn",
    "nonsense",
    "select_one yn or_other",
    "",
    "   ",
    "trigger",
    "hidden",
    "select_multiple_from_file a.geojson",
    "xml-external",
    "osm",
    "background-audio",
]
XLS_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "relevant",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "default",
    "calculation",
    "read_only",
    "choice_filter",
    "repeat_count",
    "appearance",
    "parameters",
    "label::English (en)",
    "label::Français (fr)",
    "label::Klingon",
    "label::",
    "label::(xx)",
    "hint::English (en)",
    "label::English",
    "media::image",
    "trigger",
    "list_name",
    "form_title",
    "form_id",
    "version",
    "default_language",
    "style",
    "instance_name",
    "body::accuracyThreshold",
]


def xls_value(rng: random.Random) -> Any:
    """A cell of the wrong type, or a hostile text."""
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice([0, 1, -1, 3.5, 1e308, 2**63])
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([dt.datetime(2024, 2, 29, 13, 5), dt.date(1900, 1, 1), dt.time(7, 0)])
    if kind == 3:
        return rng.choice(GARBAGE_EXPRESSIONS)
    if kind == 4:
        xpath = [
            "${",
            "${}",
            "${a",
            "${nosuch} = 1",
            ". > ",
            "indexed-repeat(${a}, ${r}, ${n})",
            "selected(${a})",
            "count-selected()",
            "jr:choice-name(${a}, '${a}')",
            "pulldata('x', 'y', 'z', ${a})",
            "instance('yn')/root/item[name=${a}]/label",
            "position(..) = 1",
            "../../../a",
            "/data/a = 1",
            "'" * 7,
            "1 div 0",
            "format-date(${a}, '%Y')",
            "regex(., '[')",
            "string-length(.) > -1e999",
            "if(${a}, , )",
            "concat(" * 40,
            "sum(${a})",
            "count(${r})",
            "not()",
            "${a} = 'yes' and (",
            "random()",
            "once(now())",
            "${a}=${a}=${a}",
        ]
        return rng.choice(xpath)
    if kind == 5:
        return "".join(rng.choice(ODD_CHARACTERS) for _ in range(rng.randrange(1, 5)))
    if kind == 6:
        return rng.choice(XLS_TYPES)
    if kind == 7:
        return "x" * rng.choice([201, 2001, 32_000])
    if kind == 8:
        return None
    return rng.choice(
        [
            "a",
            "yes",
            "no",
            "true()",
            "field-list",
            "start=1 end=10 step=0",
            "start=a",
            "value=x label=y",
            "step=-1",
            "table-list",
            "multiline",
        ]
    )


def _sheet(sheets: Sheets, rng: random.Random, name: str | None = None) -> list[list[Any]]:
    if name is not None and name in sheets:
        return sheets[name]
    return sheets[rng.choice(sorted(sheets))] if sheets else sheets.setdefault("survey", [])


def _x_cell(sheets: Sheets, rng: random.Random) -> None:
    rows = _sheet(sheets, rng, rng.choice(["survey", "survey", "choices", "settings", None]))
    if not rows:
        rows.append([])
    row = rng.choice(rows)
    width = max(1, len(row))
    index = rng.randrange(width + 1)
    while len(row) <= index:
        row.append(None)
    row[index] = xls_value(rng)


def _x_header(sheets: Sheets, rng: random.Random) -> None:
    rows = _sheet(sheets, rng, rng.choice(["survey", "choices", "settings"]))
    if rows:
        header = rows[0]
        if header and rng.random() < 0.5:
            header[rng.randrange(len(header))] = rng.choice([*XLS_COLUMNS, None, 7, "", "type"])
        else:
            header.append(rng.choice(XLS_COLUMNS))


def _x_delete(sheets: Sheets, rng: random.Random) -> None:
    choice = rng.randrange(4)
    rows = _sheet(sheets, rng)
    if choice == 0 and sheets:
        del sheets[rng.choice(sorted(sheets))]
    elif choice == 1 and rows:
        del rows[rng.randrange(len(rows))]
    elif choice == 2 and rows and rows[0]:
        column = rng.randrange(len(rows[0]))
        for row in rows:
            if column < len(row):
                del row[column]
    elif rows:
        rows[:] = rows[:1]


def _x_duplicate(sheets: Sheets, rng: random.Random) -> None:
    rows = _sheet(sheets, rng, rng.choice(["survey", "choices"]))
    if len(rows) > 1:
        index = rng.randrange(1, len(rows))
        for _ in range(rng.choice([1, 1, 3])):
            rows.insert(index, list(rows[index]))


def _x_unbalanced(sheets: Sheets, rng: random.Random) -> None:
    rows = _sheet(sheets, rng, "survey")
    if rows:
        width = len(rows[0]) if rows[0] else 1
        kind = rng.choice(
            [
                "begin group",
                "end group",
                "begin repeat",
                "end repeat",
                "begin_group",
                "end_repeat",
                "end loop",
                "begin loop over yn",
            ]
        )
        row: list[Any] = [None] * max(width, 3)
        row[0] = kind
        row[1] = rng.choice(["g", "r", None, "x" * 300])
        row[2] = "Label"
        rows.insert(rng.randrange(1, len(rows) + 1), row)


def _x_big(sheets: Sheets, rng: random.Random) -> None:
    rows = _sheet(sheets, rng, rng.choice(["survey", "choices", "settings"]))
    if rng.random() < 0.5:
        if rows and len(rows[0]) < 5000:  # (a sheet holds at most 16,384 columns)
            rows[0] = [*rows[0], *[f"extra{i}" for i in range(rng.choice([300, 10_000]))]]
    else:
        width = min(len(rows[0]), 20) if rows and rows[0] else 3
        base = ["text", "big", "Big"] + [None] * max(0, width - 3)
        rows.extend([[base[0], f"big{i}", *base[2:]] for i in range(rng.choice([500, 3000]))])


def _x_empty(sheets: Sheets, rng: random.Random) -> None:
    name = rng.choice(["survey", "choices", "settings", "external_choices", "entities"])
    sheets[name] = rng.choice([[], [[]], [[None, None]], [["type"]], [["name"]]])


def _x_settings(sheets: Sheets, rng: random.Random) -> None:
    sheets["settings"] = [
        rng.sample(
            [
                "form_title",
                "form_id",
                "version",
                "default_language",
                "style",
                "instance_name",
                "allow_choice_duplicates",
                "namespaces",
                "submission_url",
            ],
            rng.randrange(1, 5),
        ),
        [xls_value(rng) for _ in range(5)],
        [xls_value(rng) for _ in range(rng.randrange(3))],
    ]


BIND_COLUMNS = [
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "repeat_count",
    "default",
    "required",
    "read_only",
    "label",
    "hint",
    "constraint_message",
    "required_message",
    "appearance",
    "parameters",
    "trigger",
]
PLAYABLE_TYPES = [
    "text",
    "integer",
    "decimal",
    "select_one yn",
    "select_multiple yn",
    "note",
    "date",
    "time",
    "dateTime",
    "calculate",
    "acknowledge",
    "range",
    "image",
    "audio",
    "file",
    "barcode",
    "geopoint",
    "geotrace",
    "rank yn",
    "today",
    "end",
    "start",
    "deviceid",
    "select_one yn or_other",
    "select_one_from_file places.csv",
    "trigger",
]


def _column(rows: list[list[Any]], name: str) -> int:
    """The index of the column `name` in a sheet, added when missing."""
    header = rows[0]
    if name not in header:
        header.append(name)
    return header.index(name)


def _x_binds(sheets: Sheets, rng: random.Random) -> None:
    """Odd XPath and texts in the columns the import reads, the form otherwise intact."""
    rows = sheets.get("survey")
    if not rows or len(rows) < 2 or not isinstance(rows[0], list):
        return
    for _ in range(rng.choice([1, 3, 8])):
        index = _column(rows, rng.choice(BIND_COLUMNS))
        row = rows[rng.randrange(1, len(rows))]
        row.extend([None] * (index + 1 - len(row)))
        row[index] = xls_value(rng)


def _x_types(sheets: Sheets, rng: random.Random) -> None:
    """Questions of another type than written (names and the rest kept)."""
    rows = sheets.get("survey")
    if not rows or len(rows) < 2 or "type" not in rows[0]:
        return
    index = rows[0].index("type")
    questions = [r for r in rows[1:] if len(r) > index and isinstance(r[index], str)
                 and not r[index].startswith(("begin", "end"))]  # fmt: skip
    for row in rng.sample(questions, min(len(questions), rng.choice([1, 4]))):
        row[index] = rng.choice(PLAYABLE_TYPES)
    if "choices" in sheets and sheets["choices"] and rng.random() < 0.5:
        sheets["choices"].append(["yn", rng.choice(["maybe", "yes", "", "a b", "x" * 300])])


XLS_MUTATIONS: dict[str, Callable[[Sheets, random.Random], None]] = {
    "binds": _x_binds,
    "types": _x_types,
    "cell": _x_cell,
    "header": _x_header,
    "delete": _x_delete,
    "duplicate": _x_duplicate,
    "unbalanced": _x_unbalanced,
    "big": _x_big,
    "empty": _x_empty,
    "settings": _x_settings,
}

SMALL_FORM: Sheets = {
    "survey": [
        [
            "type",
            "name",
            "label",
            "relevant",
            "constraint",
            "calculation",
            "choice_filter",
            "repeat_count",
            "appearance",
            "default",
            "required",
        ],
        ["select_one yn", "a", "A?", None, None, None, None, None, None, "yes", "yes"],
        ["begin group", "g", "G", "${a} = 'yes'", None, None, None, None, "field-list"],
        ["integer", "n", "N", None, ". < 10", None, None, None, None, "3"],
        ["select_one yn", "f", "F", None, None, None, "name != ${a}", None, None],
        ["end group"],
        ["begin repeat", "r", "R", None, None, None, None, "${n}"],
        ["text", "t", "T ${a}", None, "string-length(.) < 5", None, None, None, None],
        ["calculate", "c", None, None, None, "position(..) + ${n}"],
        ["end repeat"],
        ["calculate", "s", None, None, None, "sum(${c}) + count(${r})"],
        ["note", "z", "Sum ${s}"],
    ],
    "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    "settings": [["form_title", "form_id", "version"], ["Small", "small", "1"]],
}


def mutated_sheets(base: Sheets, mutations: list[tuple[str, int]]) -> Sheets:
    sheets = copy.deepcopy(base)
    for name, seed in mutations:
        XLS_MUTATIONS[name](sheets, random.Random(seed))
    return sheets


# --- the rule every mutant must keep ------------------------------------------------


class MutantHung(BaseException):
    """A mutant ran past MUTANT_SECONDS (BaseException: no `except Exception` hides it)."""


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise MutantHung(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def memory_bound() -> Iterator[None]:
    """The run's address space may grow by MEMORY_BUDGET (soft limit, restored after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    limit = used + MEMORY_BUDGET
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def refusal_problems(error: WizardFileError) -> list[str]:
    """What is wrong with a refusal's message (empty: one plain line per problem, each
    with its place, no traceback and no internal error)."""
    wrong = []
    for problem in error.problems:
        line = str(problem)
        if "\n" in line or "\r" in line:
            wrong.append(f"not one line: {line!r}")
        if terminal_safe(line) != line:
            wrong.append(f"not plain text: {line!r}")
        if any(bug in line for bug in ("internal error", "Traceback", "cannot read the XLSForm (")):
            wrong.append(f"a bug: {line[:600]}")
        if not problem.file:
            wrong.append(f"names no file: {line!r}")
        if problem.path.startswith(("steps[", "repeats[")):
            wrong.append(f"a format-2 path, not the source's place: {line[:300]!r}")
        if len(line) > 2000:
            wrong.append(f"too long ({len(line)} characters): {line[:200]!r}")
    if isinstance(error, ImportRefused):
        wrong += [f"no place: {item}" for item in error.items if not item.place.strip()]
    if not error.problems:
        wrong.append("a refusal without a problem")
    return wrong


def check_mutant(path: Path, out_dir: Path) -> str:
    """Import `path` under the rule; returns "imported" or "refused", raises
    AssertionError naming what broke it."""
    with time_bound(MUTANT_SECONDS):
        try:
            result = import_form(path)
        except WizardFileError as error:
            wrong = refusal_problems(error)
            assert not wrong, "\n".join(wrong)
            return "refused"
        converted = out_dir / "converted.yaml"
        converted.write_text(definition_yaml(result.definition), encoding="utf-8")
        try:
            again = load_wizard_file(converted)
        except WizardFileError as error:
            raise AssertionError(f"the converted YAML does not check: {error}") from None
    assert again.to_dict() == result.definition.to_dict(), "convert changed the wizard"
    return "imported"


def stored_rows() -> tuple[int, int]:
    from wizard_desktop.store.models import Wizard, WizardVersion

    return Wizard.select().count(), WizardVersion.select().count()


def check_storing(path: Path, outcome: str) -> None:
    """`import_wizard_file` on the real database: a refused file stores nothing."""
    from wizard_desktop.core.wizards import import_wizard_file

    before = stored_rows()
    try:
        with time_bound(MUTANT_SECONDS):
            import_wizard_file(path)
    except WizardFileError as error:
        wrong = refusal_problems(error)
        assert not wrong, "\n".join(wrong)
        assert stored_rows() == before, "a refused file stored something"
        return
    assert outcome == "imported", "import_wizard_file stored a file import_form refuses"


def settings_for(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=EXAMPLES or examples,
        derandomize=True,  # the same mutants on every run
        deadline=None,  # slowness is not asserted; a hang is (MUTANT_SECONDS)
        database=None,
        suppress_health_check=list(HealthCheck),
    )


MUTATION_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(scope="module", autouse=True)
def bounded_memory() -> Iterator[None]:
    with memory_bound():
        yield


def test_the_corpus_is_there() -> None:
    assert len(SURVEYS) == 17 and len(XLSFORMS) == 11 and len(MARKDOWN_FORMS) == 2


@settings_for(300)
@given(
    survey=st.sampled_from(SURVEYS),
    escaped=st.booleans(),
    mutations=st.lists(
        st.tuples(st.sampled_from(sorted(SURVEY_MUTATIONS)), MUTATION_SEEDS),
        min_size=1,
        max_size=4,
    ),
)
def test_surveyjs_mutants(
    store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    survey: Path,
    escaped: bool,
    mutations: Any,
) -> None:
    folder = tmp_path_factory.mktemp("survey")
    data = mutated_survey(survey, mutations)
    path = write_survey(data, folder / "survey.json", escaped=escaped)
    outcome = check_mutant(path, folder)
    event(outcome)  # (--hypothesis-show-statistics: how many were imported, refused)
    check_storing(path, outcome)


@functools.cache
def xlsform_base(name: str) -> Sheets:
    """The sheets of a real form (read once), or of the small form written here."""
    if name == "small":
        return SMALL_FORM
    path = REALFORMS / "xlsform" / name
    return markdown_sheets(path.read_text("utf-8")) if path.suffix == ".md" else read_sheets(path)


XLSFORM_BASES = sorted([*(p.name for p in XLSFORMS + MARKDOWN_FORMS), "small", "small"])


@settings_for(100)
@given(
    base=st.sampled_from(XLSFORM_BASES),
    markdown=st.booleans(),
    mutations=st.lists(
        st.tuples(st.sampled_from(sorted(XLS_MUTATIONS)), MUTATION_SEEDS),
        min_size=1,
        max_size=4,
    ),
)
def test_xlsform_mutants(
    store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    base: str,
    markdown: bool,
    mutations: Any,
) -> None:
    folder = tmp_path_factory.mktemp("xlsform")
    sheets = mutated_sheets(xlsform_base(base), mutations)
    if markdown:
        path = write_markdown(sheets, folder / "form.md")
    else:
        path = write_workbook(sheets, folder / "form.xlsx")
    outcome = check_mutant(path, folder)
    event(outcome)  # (--hypothesis-show-statistics: how many were imported, refused)
    check_storing(path, outcome)


def test_mutants_through_the_command_line(tmp_path: Path) -> None:
    """A few mutants of each kind through `check` and `import` as a person runs them:
    exit 0 when imported, else EXIT_FAILED with one line per problem on stderr."""
    from tests.headless.test_surveyjs_import import run_cli
    from wizard_desktop.commands import EXIT_FAILED, EXIT_OK

    rng = random.Random(16)
    files = []
    for n in range(4):
        survey = rng.choice(SURVEYS)
        mutations = [(rng.choice(sorted(SURVEY_MUTATIONS)), rng.randrange(2**32)) for _ in "ab"]
        files.append(write_survey(mutated_survey(survey, mutations), tmp_path / f"s{n}.json"))
    for n, base in enumerate(["small", "small", "who-verbal-autopsy.xlsx"]):
        sheets = SMALL_FORM if base == "small" else read_sheets(REALFORMS / "xlsform" / base)
        mutations = [(rng.choice(sorted(XLS_MUTATIONS)), rng.randrange(2**32)) for _ in "ab"]
        write = write_markdown if n == 1 else write_workbook
        suffix = ".md" if n == 1 else ".xlsx"
        files.append(write(mutated_sheets(sheets, mutations), tmp_path / f"x{n}{suffix}"))
    outcomes = []
    for path in files:
        try:
            import_form(path)
            problems: int | None = None
        except WizardFileError as error:
            problems = len(error.problems)
        for command in ("check", "import"):
            done = run_cli(command, str(path), data_dir=tmp_path / "data")
            assert "Traceback" not in done.stderr and "internal error" not in done.stderr
            if problems is None:
                assert done.returncode == EXIT_OK, done.stderr
                assert done.stderr == ""
            else:
                assert done.returncode == EXIT_FAILED
                lines = done.stderr.splitlines()
                assert len(lines) == min(problems, 51)  # (50 shown, then "… and N more")
                assert all(line.startswith((str(path), path.name)) for line in lines[:50])
        outcomes.append(problems is None)
    assert True in outcomes and False in outcomes  # both ways are exercised

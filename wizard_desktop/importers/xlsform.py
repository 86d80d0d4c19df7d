"""XLSForm (`.xlsx`, `.xls`, pyxform's Markdown tables) to format 2.

pyxform reads the workbook (`get_xlsform` + `workbook_to_json`: its parsing, aliases and
validation messages), after our own checks of the file itself (size, the zip directory's
uncompressed sizes, macros, external links, formulas without a cached value). Its survey
JSON is mapped onto a format 2 dict, which the definition validator then checks like any
wizard file. Screens are ODK Collect's: a `field-list` group is one step, any other
question a step of its own, other groups hand their `relevant` to what they hold. The
XPath of `relevant`, `constraint`, `calculation`, `required`, `read_only`, `default` and
`choice_filter` goes through `importers/xpath.py`. A top-level `begin repeat` becomes a
format 2 repeat over the steps its screens make (`repeat` and the `repeat_*` methods);
metadata is recorded as calculated values or ignored (`metadata`). docs/xlsform.md
lists every mapping.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import re
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wizard_desktop.definition.fileformat import MAX_OPTIONS
from wizard_desktop.definition.problems import Problem, WizardFileError, describe_value, quoted
from wizard_desktop.definition.reading import SourceError, decode, read_json
from wizard_desktop.definition.repeats import NUMBER, instance_path, instances_held
from wizard_desktop.importers.common import (
    ImportResult,
    UnsupportedItem,
    left_out_text,
    read_source,
    refuse_unless_skipped,
    validated,
    within_description,
)
from wizard_desktop.importers.xpath import XPathContext, XPathUnsupported, translate

# A workbook is at most this big on disk, and its parts at most this big unpacked (a zip
# bomb is refused from its directory, before anything is inflated).
MAX_XLSFORM_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_PART_BYTES = 32 * 1024 * 1024
MAX_PARTS = 2000
MAX_CSV_BYTES = 2 * 1024 * 1024
# A choice file's columns (a CSV's, a GeoJSON feature's properties) are copied into
# every choice, for a choice_filter to read: at most this many (ODK lists use a few).
MAX_CHOICE_COLUMNS = 100
# Groups and repeats nested deeper than this are refused before the form is walked
# (the walk recurses once per level; ODK forms nest a few levels).
MAX_GROUP_NESTING = 50
_REFUSED_PARTS = (
    (re.compile(r"(^|/)vbaProject\.bin$", re.I), "holds macros (vbaProject.bin)"),
    (re.compile(r"(^|/)externalLinks/", re.I), "links to other workbooks (externalLinks)"),
)
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)

# Metadata ODK records by itself. Never asked; the ones an expression can compute are
# recorded as hidden calculated values (RECORDED_METADATA), the others ignored: not
# stored, a text reading one shows nothing there, and the wizard's description says which.
METADATA_TYPES = frozenset(
    {
        "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
        "username", "email", "audit", "uri:deviceid", "uri:subscriberid", "uri:simserial",
        "uri:phonenumber", "uri:username", "uri:email", "start-geopoint",
    }
)  # fmt: skip
RECORDED_METADATA = {
    "today": "today()",  # the day of the session's last save
    "end": "currentDate()",  # stored with every save: the completion time once completed
}
_IGNORED_WHY = {
    "start": "the session records its own start time",
    "deviceid": "a desktop has no device id to record",
    "uri:deviceid": "a desktop has no device id to record",
}
_LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
GEOPOINT_PATTERN = rf"{_LATITUDE} {_LONGITUDE}(?: -?[0-9]+(?:\.[0-9]+)?){{0,2}}"
DATETIME_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
_NOT_YET = "cannot be played yet"
_CURRENT = "\x00"  # what `.` translates to until the field it means is put in
_LABEL_LIMIT = 500
_TITLE_LIMIT = 200


_CONDITIONS = ("relevant", "required", "constraint", "read_only", "choice_filter")


def _problem(source: str, message: str) -> WizardFileError:
    return WizardFileError([Problem(source, None, "", message)])


def check_workbook_zip(data: bytes, source: str) -> None:
    """Refuse an `.xlsx` whose zip directory promises too much, or that holds macros,
    external links or a formula without a cached value; reads only the directory and
    the (size-checked) sheet parts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _problem(source, "not an .xlsx workbook (not a zip file)") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _problem(source, f"the workbook has {len(infos)} parts; at most {MAX_PARTS}")
        total = sum(info.file_size for info in infos)
        if total > MAX_UNPACKED_BYTES:
            raise _problem(
                source,
                f"the workbook unpacks to {total / 1e6:.0f} MB; at most "
                f"{MAX_UNPACKED_BYTES / 1e6:.0f} MB (a zip bomb?)",
            )
        for info in infos:
            if info.file_size > MAX_UNPACKED_PART_BYTES:
                raise _problem(
                    source, f"the part {info.filename} unpacks to {info.file_size / 1e6:.0f} MB"
                )
            for pattern, reason in _REFUSED_PARTS:
                if pattern.search(info.filename):
                    raise _problem(source, f"the workbook {reason}; save it without them")
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                match = _FORMULA_WITHOUT_VALUE.search(archive.read(info))
                if match:
                    cell = match.group(1).decode()
                    raise _problem(
                        source,
                        f"cell {cell} of {info.filename} holds a formula without a value; "
                        "open and save the workbook in a spreadsheet program",
                    )


def check_markdown_tables(text: str, source: str) -> None:
    """Refuse, naming the table and row, Markdown tables pyxform's reader fails on with
    an IndexError: a sheet without a header row, a row with more cells than its header.
    The tables are split by pyxform's own Markdown reader."""
    from pyxform.xls2json_backends import _md_table_to_ss_structure

    for sheet, rows in _md_table_to_ss_structure(text).items():
        if not rows:
            raise _problem(source, f"the {quoted(sheet)} table has no header row")
        width = len(rows[0])
        for number, row in enumerate(rows[1:], start=2):
            if len(row) > width:
                raise _problem(
                    source,
                    f"row {number} of the {quoted(sheet)} table has {len(row)} cells; "
                    f"its header row has {width}",
                )


def _read_workbook(path: Path, data: bytes, source: str) -> tuple[Any, dict[str, Any]]:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    suffix = path.suffix.lower()
    file_type = {".xlsx": ".xlsx", ".xls": ".xls", ".md": ".md"}.get(suffix)
    if file_type == ".xlsx":
        check_workbook_zip(data, source)
    if file_type == ".md":
        try:
            check_markdown_tables(data.decode("utf-8"), source)
        except UnicodeDecodeError:
            raise _problem(source, "a Markdown XLSForm must be UTF-8 text") from None
    warnings: list[str] = []
    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=file_type)
        rows = [dict(row) for row in (workbook.survey or [])]
        survey = workbook_to_json(
            workbook, form_name=path.stem, fallback_form_name=path.stem, warnings=warnings
        )
    except PyXFormError as exc:
        raise _problem(source, " ".join(str(exc).split())[:1000]) from None
    except Exception as exc:  # a hostile workbook can break the readers in other ways
        known = _header_problem(data) if file_type == ".xlsx" else None
        raise _problem(
            source, known or f"cannot read the XLSForm ({type(exc).__name__}: {exc})"[:500]
        ) from None
    return rows, survey  # pyxform's warnings (style advice) are not errors: not shown


def _header_problem(data: bytes) -> str | None:
    """Why pyxform's reader broke on an .xlsx when it is a header cell that is no text
    (a number, a date, TRUE: the reader takes every column name for a text); read only
    once the reader has failed."""
    import openpyxl
    from pyxform import constants

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # (what the reader could not open either)
        return None
    try:
        names = book.sheetnames
        for name in names:
            if name.lower() not in constants.SUPPORTED_SHEET_NAMES and len(names) > 1:
                continue  # a sheet pyxform does not read
            for cell in next(book[name].iter_rows(max_row=1), ()):
                if cell.value is not None and not isinstance(cell.value, str):
                    return (
                        f"the header cell {cell.coordinate} of the {quoted(name)} sheet is "
                        f"{describe_value(cell.value)}, not a column name"
                    )
    finally:
        book.close()
    return None


def import_xlsform(path: str | os.PathLike[str], *, skip_unsupported: bool = False) -> ImportResult:
    """Import an XLSForm: a format 2 definition, or WizardFileError / ImportRefused."""
    file_path = Path(path)
    source = file_path.name
    data = read_source(path, limit=MAX_XLSFORM_BYTES)
    rows, survey = _read_workbook(file_path, data, source)
    if _nesting(survey) > MAX_GROUP_NESTING:
        raise _problem(source, f"groups and repeats nest more than {MAX_GROUP_NESTING} levels")
    builder = _Builder(source, rows, survey, file_path.parent)
    wizard = builder.build()
    refuse_unless_skipped(builder.unsupported, skip_unsupported)
    if builder.unsupported:  # said in the wizard's description, as the SurveyJS import does
        # `${a}` in a reason reads `$(a)`: no `{...}` that could be taken for a placeholder
        note = left_out_text(builder.unsupported).replace("{", "(").replace("}", ")")
        wizard["description"] = within_description(f"{wizard['description']}\n\n{note}")
    definition = validated(wizard, source, builder.source_place)
    return ImportResult(definition, tuple(builder.unsupported), wizard)


def _nesting(survey: Mapping[str, Any]) -> int:
    """How many levels of groups and repeats pyxform's survey JSON nests (a form of
    questions only: 0), read without recursion."""
    deepest = 0
    pending: list[tuple[Mapping[str, Any], int]] = [(survey, 0)]
    while pending:
        node, depth = pending.pop()
        children = node.get("children")
        if isinstance(children, list):
            deepest = max(deepest, depth)
            pending.extend((c, depth + 1) for c in children if isinstance(c, dict))
    return deepest


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return (slug or "xlsform")[:64]


class _Builder:
    """One import: walks pyxform's survey JSON in row order, collects unsupported items."""

    def __init__(
        self, source: str, rows: list[dict[str, Any]], survey: dict[str, Any], folder: Path
    ) -> None:
        self.source = source
        self.survey = survey
        self.folder = folder
        self.unsupported: list[UnsupportedItem] = []
        self.row_of: dict[str, deque[int]] = defaultdict(deque)
        for number, row in enumerate(rows, start=2):
            name = row.get("name")
            if isinstance(name, str):
                self.row_of[name.strip()].append(number)
        self.kinds: dict[str, str] = {}  # name -> pyxform type, for references
        self.repeat_of: dict[str, str] = {}  # name -> the (innermost) repeat holding it
        self.repeats: list[dict[str, Any]] = []  # format 2 `repeats`
        self.current_repeat: str | None = None  # the repeat being walked
        self.ignored_metadata: dict[str, str] = {}  # name -> its type, in row order
        self.refused_names: set[str] = set()
        self.lists: dict[str, list[dict[str, Any]]] = {}  # choice list -> its options
        # (XPath, current field, choice columns) -> (translation, or why it was refused)
        self.translated: dict[tuple[object, ...], tuple[str | None, str | None]] = {}
        self._collect(survey)
        # select_multiple and rank answers: a list here, one space-separated text in XPath
        self.multiple = frozenset(
            n for n, k in self.kinds.items() if k in ("select all that apply", "rank")
        )
        # what may hold a date: `date - date` is days in XPath (xpath.py, `dates`)
        self.dates = frozenset(
            n for n, k in self.kinds.items() if k in ("date", "today", "calculate")
        )
        self.steps: list[dict[str, Any]] = []
        self.languages = self._languages(survey)
        self.codes: dict[str, str] = {}  # pyxform's language name -> its code
        self.default_code: str | None = None
        self._language_codes()

    # --- places and refusals ----------------------------------------------------------

    def place(self, element: Mapping[str, Any]) -> str:
        name = str(element.get("name", ""))
        rows = self.row_of.get(name)
        if not rows and name.endswith("_other"):  # or_other's text: its select's row
            rows = self.row_of.get(name[: -len("_other")])
        row = rows[0] if rows else None
        return f"survey row {row} ({name})" if row is not None else f"survey ({name})"

    def source_place(self, kind: str, element_id: str) -> str | None:
        """The survey row a step, field or repeat was made from (`validated`)."""
        place = self.place({"name": element_id})
        return None if place.startswith("survey (") else place

    def refuse(self, element: Mapping[str, Any], reason: str) -> None:
        self.refused_names.add(str(element.get("name", "")))
        self.unsupported.append(UnsupportedItem(self.source, self.place(element), reason))

    def _collect(self, node: Mapping[str, Any], repeat: str | None = None) -> None:
        for child in node.get("children", []):
            name = str(child.get("name"))
            self.kinds[name] = str(child.get("type"))
            if repeat is not None:
                self.repeat_of[name] = repeat
            self._collect(child, name if child.get("type") == "repeat" else repeat)

    def _languages(self, survey: Mapping[str, Any]) -> list[str]:
        found: set[str] = set()

        def visit(value: object) -> None:
            if isinstance(value, dict):
                for key in ("label", "hint", "jr:constraintMsg", "jr:requiredMsg"):
                    text = value.get(key)
                    if isinstance(text, dict):
                        found.update(text)
                choices = value.get("choices", [])
                for item in [
                    *value.get("children", []),
                    *(choices if isinstance(choices, list) else []),
                ]:
                    visit(item)
                bind = value.get("bind")
                if isinstance(bind, dict):
                    visit({k: v for k, v in bind.items() if k.startswith("jr:")})

        visit(survey)
        return sorted(found)

    def _language_codes(self) -> None:
        named = [language for language in self.languages if language != "default"]
        if not named or (len(named) == 1 and "default" not in self.languages):
            return  # one language: plain texts
        for language in named:
            match = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2})\)\s*$", language)
            code = match.group(1) if match else _LANGUAGE_NAMES.get(language.strip().lower())
            if code is None or code in self.codes.values():
                self.unsupported.append(
                    UnsupportedItem(
                        self.source, f"survey (label::{language})",
                        f"the language {language!r} has no code; write it as '{language} (code)'",
                    )
                )  # fmt: skip
                continue
            self.codes[language] = code
        wanted = str(self.survey.get("default_language") or "default")
        self.default_code = self.codes.get(wanted) or (next(iter(self.codes.values()), None))
        if "default" in self.languages and self.default_code is not None:
            self.codes["default"] = self.default_code  # texts without a language column

    def texts(
        self, value: object, shape: Callable[[str], str] = str
    ) -> str | dict[str, str] | None:
        """A text of the form, shaped: a map of language codes in a multilingual form."""
        if not self.codes or not isinstance(value, dict):
            text = self.text(value)
            return shape(text) if text is not None else None
        out: dict[str, str] = {}
        for language, text in value.items():
            code = self.codes.get(language)
            if (
                code is not None
                and text not in (None, "")
                and (language != "default" or code not in out)
            ):
                out[code] = shape(str(text))
        if not out:
            return None
        default = self.default_code
        assert default is not None
        if default not in out:
            out[default] = next(iter(out.values()))
        return {default: out[default], **{k: v for k, v in out.items() if k != default}}

    # --- texts ------------------------------------------------------------------------

    def text(self, value: object) -> str | None:
        """One text of the form: a plain text, or its one language's."""
        if isinstance(value, dict):
            if not value:
                return None
            language = self.survey.get("default_language")
            if language in value:
                return str(value[language])
            if "default" in value:
                return str(value["default"])
            return str(next(iter(value.values())))
        if value is None:
            return None
        return str(value)

    def template(
        self, value: object, limit: int | None = None, element: Mapping[str, Any] | None = None
    ) -> str | dict[str, str] | None:
        """A label/hint: `${name}` becomes `{name}` (format 2 interpolation); a name that
        is not imported (metadata, a refused question) is an unsupported item."""

        def placeholder(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            kind = self.kinds.get(name)
            if kind in METADATA_TYPES and kind not in RECORDED_METADATA:
                return ""  # ignored metadata: empty, as the description says
            problem = self.repeat_problem(name, False)
            if problem is not None or name in self.refused_names:
                if element is not None:
                    self.refuse(
                        element, f"a text reads ${{{name}}}, {problem or 'which is not imported'}"
                    )
                return ""
            return "{" + name + "}"

        def shape(text: str) -> str:
            text = re.sub(r"\$\{([^{}]*)\}", placeholder, text)
            return _one_line(text, limit) if limit is not None else text

        return self.texts(value, shape)

    # --- expressions ------------------------------------------------------------------

    def xpath(
        self,
        element: Mapping[str, Any],
        column: str,
        source: str,
        current: str | None,
        columns: Mapping[str, str] | None = None,
    ) -> str | None:
        def reference(name: str, aggregate: bool) -> str:
            name = name.strip()
            kind = self.kinds.get(name)
            if kind in METADATA_TYPES and kind not in RECORDED_METADATA:
                raise XPathUnsupported(f"reads the metadata ${{{name}}}, which is not recorded")
            if name in self.refused_names:
                raise XPathUnsupported(f"reads ${{{name}}}, which is not imported")
            return self.repeat_reference(name, aggregate)

        here = self.current_repeat
        # cached per import; `.` is translated once for every field that reads it
        key = (source, tuple(sorted(columns.items())) if columns else None, here)
        known = self.translated.get(key)
        if known is None:
            try:
                context = XPathContext(
                    _CURRENT,
                    reference,
                    f"{here}.{NUMBER}" if here is not None else None,
                    columns,
                    self.indexed_reference,
                    self.choice_labels,
                    self.multiple,
                    self.dates,
                )
                known = (translate(source, context), None)
            except XPathUnsupported as exc:
                known = (None, str(exc))
            self.translated[key] = known
        if known[1] is not None:
            self.refuse(element, f"{column} {known[1]}")
            return None
        text = known[0]
        assert text is not None
        if column in _CONDITIONS and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
            # XPath's boolean() of a number (a relevant of `1.5`): true unless it is 0
            text = "false" if float(text) == 0 else "true"
        if "{" + _CURRENT + "}" in text:
            if current is None:
                self.refuse(element, f"{column} uses '.' where there is no current field")
                return None
            value = "{" + current + "}"
            if current in self.multiple:  # one space-separated text in XPath, as ${current}
                value = f"xpath_concat({value})"
            text = text.replace("{" + _CURRENT + "}", value)
        return text

    # --- repeats ----------------------------------------------------------------------

    def repeat_problem(self, name: str, in_expression: bool) -> str | None:
        """Why `${name}` cannot be read as one value where the walk stands (None: it can)."""
        if self.kinds.get(name) == "repeat":
            return "a repeat: count(${r}) reads how many instances it has"
        owner = self.repeat_of.get(name)
        if owner is None or owner == self.current_repeat:
            return None
        if self.current_repeat is None:
            how = "indexed-repeat() or sum()/count()" if in_expression else "a calculate"
            return f"asked once per instance of the repeat {owner}: read it with {how}"
        return f"a question of the repeat {owner}, read from the repeat {self.current_repeat}"

    def repeat_reference(self, name: str, aggregate: bool) -> str:
        """The format 2 name for `${name}`: `r.name` inside count()/sum() (every
        instance's), `r` for count(${r}), else the name itself (raises XPathUnsupported)."""
        if aggregate:
            if self.kinds.get(name) == "repeat" and name not in self.repeat_of:
                return name  # count({r}): its instances
            owner = self.repeat_of.get(name)
            if owner is None or owner in self.repeat_of:
                raise XPathUnsupported(
                    f"uses count()/sum() over ${{{name}}}, which is not in a (top-level) repeat"
                )
            return f"{owner}.{name}"
        problem = self.repeat_problem(name, True)
        if problem is not None:
            raise XPathUnsupported(f"reads ${{{name}}}, {problem}")
        return name

    def indexed_reference(self, name: str, repeat: str, index: int) -> str:
        """indexed-repeat(${name}, ${repeat}, index): the instance path, 0-based."""
        if (
            self.kinds.get(repeat) != "repeat"
            or repeat in self.repeat_of
            or self.repeat_of.get(name) != repeat
        ):
            raise XPathUnsupported(
                f"uses indexed-repeat() of ${{{name}}} in ${{{repeat}}}, which is not "
                "a question of that (top-level) repeat"
            )
        return instance_path(repeat, index - 1, name)

    def choice_labels(self, list_name: str) -> list[tuple[str, str]] | None:
        """A choice list's (value, label) pairs, labels in the default language."""
        choices = self.survey.get("choices", {}).get(list_name)
        if not isinstance(choices, list):
            return None
        return [
            (str(c.get("name", "")), self.text(c.get("label")) or str(c.get("name", "")))
            for c in choices
            if isinstance(c, dict)
        ]

    def repeat(
        self,
        child: dict[str, Any],
        conditions: list[str],
        heading: str | dict[str, str] | None,
    ) -> None:
        """A top-level `begin repeat`: its screens as consecutive steps, one format 2
        repeat over them (`jr:count` its repeat_count, else "Add another")."""
        name = str(child.get("name"))
        if self.current_repeat is not None:
            self.refuse(
                child,
                f"a repeat inside the repeat {self.current_repeat}: a wizard's repeats do not nest",
            )
            return
        start = len(self.steps)
        self.current_repeat = name
        try:
            title = self.template(child.get("label"), _TITLE_LIMIT) or heading
            labels = self.template(child.get("label"), _LABEL_LIMIT)  # a map: in each language
            self.walk(child.get("children", []), conditions, title)
        finally:
            self.current_repeat = None
        steps = self.steps[start:]
        if not steps:
            self.refuse(child, "a repeat with nothing to ask")
            return
        repeat: dict[str, Any] = {"id": name, "steps": [step["id"] for step in steps]}
        count = child.get("control", {}).get("jr:count")
        if count not in (None, ""):
            expression = self.xpath(child, "repeat_count", str(count), None)
            if expression is None:
                return  # refused; skipped, its steps stay as one instance
            repeat["repeat_count"] = expression
        else:
            size = sum(1 + len(step["fields"]) for step in steps)
            repeat.update(min=0, max=max(1, instances_held(size)))
        label = labels.get(self.default_code or "") if isinstance(labels, dict) else labels
        if label:
            plain = _one_line(re.sub(r"\{[^{}]*\}", "", label), _LABEL_LIMIT - 20)
            if "add_label" not in repeat and "repeat_count" not in repeat and plain:
                repeat["add_label"] = f"Add another: {plain}"  # the app's words: English

            def numbered(text: str) -> str:
                return _one_line(f"{text} {{{name}.{NUMBER}}}", _LABEL_LIMIT)

            repeat["item_label"] = (
                {code: numbered(text) for code, text in labels.items()}
                if isinstance(labels, dict)
                else numbered(label)
            )
        self.repeats.append(repeat)

    # --- walking ----------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        survey = self.survey
        settings_title = survey.get("title") or Path(self.source).stem
        form_id = str(survey.get("id_string") or Path(self.source).stem)
        self.walk(survey.get("children", []), [], None)
        wizard: dict[str, Any] = {
            "format_version": 2,
            "id": _slug(form_id),
            "title": _one_line(str(settings_title), _TITLE_LIMIT),
            "imported_from": "xlsform",
            # ODK Collect shows no screen for a calculate or a metadata question, nor for
            # a group none of whose questions is relevant: neither does the player
            "hide_empty_steps": True,
        }
        version = survey.get("version")
        description = f"Imported from the XLSForm {self.source} (form_id {form_id}"
        description += f", version {version})." if version else ")."
        metadata = self.metadata_text()
        wizard["description"] = within_description(
            f"{description} {metadata}" if metadata else description
        )
        if self.repeats:
            wizard["repeats"] = self.repeats
        if not self.steps:
            self.steps.append({"id": "empty", "title": wizard["title"], "fields": []})
        wizard["steps"] = self.steps
        if self.codes:
            wizard["languages"] = list(dict.fromkeys([self.default_code, *self.codes.values()]))
            wizard["default_language"] = self.default_code
        return wizard

    def walk(
        self,
        children: list[dict[str, Any]],
        relevant: list[str],
        heading: str | dict[str, str] | None,
    ) -> None:
        for child in children:
            kind = child.get("type")
            name = str(child.get("name"))
            if kind == "group" and child.get("control", {}).get("bodyless"):
                continue  # pyxform's own `meta` group (instanceID): nothing to ask
            own = self.relevant_of(child)
            conditions = [*relevant, own] if own else list(relevant)
            if kind == "repeat":
                self.repeat(child, conditions, heading)
                continue
            if kind == "loop":
                self.walk(self.loop_groups(child), relevant, heading)
                continue
            if kind == "group":
                label = self.template(child.get("label"), _TITLE_LIMIT)
                title = label if label else heading
                if _one_screen(child):
                    fields: list[dict[str, Any]] = []
                    self.collect_fields(child.get("children", []), [], fields)
                    step: dict[str, Any] = {
                        "id": name,
                        "title": title or self.form_title(),
                        "fields": fields,
                    }
                    if conditions:
                        step["visible_if"] = _all(conditions)
                    self.steps.append(step)
                else:
                    self.walk(child.get("children", []), conditions, title)
                continue
            field = self.field(child)
            if field is None:
                continue
            step = {"id": name, "title": heading or self.form_title(), "fields": [field]}
            if conditions:
                step["visible_if"] = _all(conditions)
            self.steps.append(step)

    def loop_groups(self, loop: dict[str, Any]) -> list[dict[str, Any]]:
        """pyxform's `begin loop over LIST`: its questions once per choice, in a group
        named `loop.choice` (ids `loop.choice.question`), `%(label)s` the choice's label."""
        groups = []
        for column in loop.get("columns", []):
            prefix = f"{loop.get('name')}.{column.get('name')}"
            label = column.get("label")

            name = str(column.get("name"))
            fill = functools.partial(_fill_label, label=label, fallback=self.text(label) or name)
            children = []
            for child in loop.get("children", []):
                copy = dict(child)
                copy["name"] = f"{prefix}.{child.get('name')}"
                for key in ("label", "hint"):
                    if key in copy:
                        copy[key] = fill(copy[key])
                children.append(copy)
                self.kinds[copy["name"]] = str(copy.get("type"))
                rows = self.row_of.get(str(child.get("name")))  # a copy's row is its question's
                if rows:
                    self.row_of.setdefault(copy["name"], deque([rows[0]]))
            groups.append({"type": "group", "name": prefix, "label": label, "children": children})
        return groups

    def form_title(self) -> str:
        return _one_line(str(self.survey.get("title") or Path(self.source).stem), _TITLE_LIMIT)

    def collect_fields(
        self, children: list[dict[str, Any]], relevant: list[str], out: list[dict[str, Any]]
    ) -> None:
        for child in children:
            kind = child.get("type")
            own = self.relevant_of(child)
            conditions = [*relevant, own] if own else list(relevant)
            if kind == "repeat":
                self.refuse(
                    child, "a repeat inside a field-list group: one screen cannot hold instances"
                )
            elif kind == "loop":
                self.collect_fields(self.loop_groups(child), conditions, out)
            elif kind == "group":
                self.collect_fields(child.get("children", []), conditions, out)
            else:
                field = self.field(child)
                if field is not None:
                    if conditions:
                        field["visible_if"] = _all(conditions)
                    out.append(field)

    def relevant_of(self, element: Mapping[str, Any]) -> str | None:
        source = element.get("bind", {}).get("relevant")
        if not source:
            return None
        return self.xpath(element, "relevant", str(source), None)

    # --- one question -----------------------------------------------------------------

    def field(self, q: dict[str, Any]) -> dict[str, Any] | None:
        kind = str(q.get("type"))
        name = str(q.get("name"))
        bind: dict[str, Any] = q.get("bind", {})
        if kind in METADATA_TYPES or "jr:preload" in bind:
            return self.metadata(name, kind)
        if name.startswith("reserved_name_for_field_list_labels_"):
            return None  # pyxform's header row of a table-list group: labels, not a question
        label = self.template(q.get("label"), None, q)
        hint = self.template(q.get("hint"), None, q)
        short = self.template(q.get("label"), _LABEL_LIMIT)
        field: dict[str, Any] = {"id": name}
        mapped = self.map_type(q, kind, field)
        if mapped is None:
            return None
        if kind == "calculate":
            return field
        if kind == "note":
            field["label"] = label or hint or name
            return field
        field["label"] = short if short else name
        if hint:
            field["help"] = hint
        self.binds(q, field)
        if "default" in q and q["default"] not in (None, ""):
            self.default(q, field, str(q["default"]))
        return field

    def metadata(self, name: str, kind: str) -> dict[str, Any] | None:
        """A metadata question: a hidden calculated value when recorded, else ignored
        (listed in the description)."""
        calculate = RECORDED_METADATA.get(kind)
        if calculate is None:
            self.ignored_metadata[name] = kind
            return None
        return {
            "id": name,
            "type": "calculated",
            "label": name,
            "calculate": calculate,
            "hidden": True,
        }

    def metadata_text(self) -> str | None:
        """What the description says about the form's metadata (recorded, ignored)."""
        recorded = [n for n, k in self.kinds.items() if k in RECORDED_METADATA]
        parts = []
        if recorded:
            parts.append(
                "Recorded as calculated values: "
                + ", ".join(f"{n} ({RECORDED_METADATA[self.kinds[n]]})" for n in recorded)
                + "."
            )
        if self.ignored_metadata:
            parts.append(
                "Ignored metadata (not recorded; a text reading one shows nothing): "
                + ", ".join(
                    f"{n} ({_IGNORED_WHY.get(k, 'not known on a desktop')})"
                    for n, k in self.ignored_metadata.items()
                )
                + "."
            )
        return " ".join(parts) or None

    def map_type(self, q: dict[str, Any], kind: str, field: dict[str, Any]) -> bool | None:
        name = str(q.get("name"))
        if kind in ("text", "barcode", "phone number"):
            field["type"] = (
                "multiline" if "multiline" in q.get("control", {}).get("appearance", "") else "text"
            )
            if kind == "phone number" and not q.get("bind", {}).get("constraint"):
                # the constraint pyxform's XForm gives the type: regex(., '^\d*$')
                field.update(pattern="[0-9]*", pattern_message="Write digits only.")
        elif kind == "integer":
            field.update(type="number", decimals=0)
        elif kind == "decimal":
            field.update(type="number", decimals=10)
        elif kind in ("select one", "select all that apply"):
            options = self.options(q)
            if options is None:
                return None
            field.update(type="choice" if kind == "select one" else "multi_choice", options=options)
        elif kind == "select one external":
            self.refuse(q, f"select_one_external {_NOT_YET}")
            return None
        elif kind == "note":
            field["type"] = "note"
        elif kind == "date":
            field["type"] = "date"
        elif kind == "time":
            field["type"] = "time"
        elif kind in ("dateTime", "datetime"):
            field.update(
                type="text", pattern=DATETIME_PATTERN, placeholder="YYYY-MM-DD HH:MM",
                pattern_message="Write the date and time as YYYY-MM-DD HH:MM.",
            )  # fmt: skip
        elif kind == "geopoint":
            field.update(
                type="text", pattern=GEOPOINT_PATTERN, placeholder="latitude longitude",
                pattern_message="Write the latitude (-90 to 90) and the longitude (-180 to 180) "
                "in decimal degrees, separated by a space: -1.2921 36.8219",
            )  # fmt: skip
        elif kind in ("acknowledge", "trigger"):
            field.update(type="choice", options=[{"value": "OK", "label": "OK"}])
        elif kind == "calculate":
            calculation = q.get("bind", {}).get("calculate")
            expression = (
                self.xpath(q, "calculation", str(calculation), name) if calculation else None
            )
            if expression is None:
                return None
            field.update(type="calculated", label=name, calculate=expression, hidden=True)
        elif kind == "range":
            return self.range(q, field)
        elif kind in ("photo", "image"):
            signature = "signature" in q.get("control", {}).get("appearance", "")
            field["type"] = "signature" if signature else "image"
        elif kind in ("audio", "video"):
            field.update(type="file", accept=[f"{kind}/*"])
        elif kind == "file":
            field["type"] = "file"
        elif kind == "rank":
            return self.rank(q, field)
        elif kind in ("geotrace", "geoshape"):
            field.update(
                type="multiline", pattern=rf"{GEOPOINT_PATTERN}(?:; *{GEOPOINT_PATTERN})+",
                pattern_message="Write two or more points (latitude longitude) separated by "
                "semicolons: -1.29 36.82; -1.30 36.83",
            )  # fmt: skip
            field["type"] = "text"
        else:
            self.refuse(q, f"the question type {kind!r} {_NOT_YET}")
            return None
        return True

    def rank(self, q: dict[str, Any], field: dict[str, Any]) -> bool | None:
        """`rank`: every choice in the person's order, a format 2 `ranking` (ODK stores
        the values space-separated, format 2 a list). A ranking ranks all its options,
        so a `choice_filter` (options that come and go) is refused."""
        if q.get("choice_filter"):
            self.refuse(q, "a rank with a choice_filter cannot be played (every option is ranked)")
            return None
        options = self.options(q)
        if options is None:
            return None
        field.update(type="ranking", options=options)
        return True

    def range(self, q: dict[str, Any], field: dict[str, Any]) -> bool | None:
        parameters = q.get("parameters", {})
        try:
            start = float(parameters.get("start", 1))
            end = float(parameters.get("end", 10))
            step = float(parameters.get("step", 1))
        except ValueError:
            self.refuse(q, "range parameters that are not numbers")
            return None
        whole = all(v.is_integer() for v in (start, end, step))
        low, high = min(start, end), max(start, end)
        if whole and step == 1 and high - low + 1 <= 10:
            field.update(type="rating", min=int(low), max=int(high))
        else:
            decimals = (
                0 if whole else max(len(repr(step).split(".")[1]) if "." in repr(step) else 0, 1)
            )
            field.update(
                type="number",
                min=int(low) if whole else low,
                max=int(high) if whole else high,
                decimals=decimals,
            )
        return True

    def options(self, q: dict[str, Any]) -> list[dict[str, Any]] | None:
        choices = q.get("choices")
        if q.get("itemset", "").endswith((".csv", ".xml", ".geojson")) or (
            choices is None and "itemset" in q
        ):
            choices = self.file_choices(q)
            if choices is None:
                return None
        filter_source = q.get("choice_filter")
        list_name = q.get("list_name")
        if not filter_source and list_name in self.lists:
            return [dict(option) for option in self.lists[list_name]]  # a list many share
        options: list[dict[str, Any]] = []
        for choice in choices or []:
            value = str(choice.get("name", ""))
            label = self.texts(choice.get("label"), lambda t: _one_line(t, 200)) or value
            option: dict[str, Any] = {"value": value, "label": label}
            if filter_source:
                columns = {
                    k: str(v)
                    for k, v in choice.items()
                    if k not in ("label", "media") and isinstance(v, str)
                }
                expression = self.xpath(q, "choice_filter", str(filter_source), None, columns)
                if expression is None:
                    return None
                option["visible_if"] = expression
            options.append(option)
        if not options:
            self.refuse(q, "a choice list without choices")
            return None
        from_file = str(q.get("itemset", "")).endswith((".csv", ".xml", ".geojson"))
        if not filter_source and isinstance(list_name, str) and not from_file:
            self.lists[list_name] = options
        return [dict(option) for option in options]

    def file_choices(self, q: dict[str, Any]) -> list[dict[str, Any]] | None:
        itemset = str(q.get("itemset", ""))
        if itemset.endswith(".geojson"):
            return self.geojson_choices(q, itemset)
        if not itemset.endswith(".csv"):
            self.refuse(
                q, f"select_one_from_file reads {itemset}; only .csv and .geojson files are read"
            )
            return None
        raw = self.file_beside(q, itemset)
        if raw is None:
            return None
        try:
            reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
            columns = len(reader.fieldnames or ())
            rows = (
                []
                if columns > MAX_CHOICE_COLUMNS
                else list(
                    itertools.islice(reader, MAX_OPTIONS + 1)  # read no further
                )
            )
        except (UnicodeDecodeError, csv.Error):
            self.refuse(q, f"{itemset} is not a UTF-8 CSV file")
            return None
        if columns > MAX_CHOICE_COLUMNS:
            self.refuse(
                q, f"{itemset} has {columns} columns; at most {MAX_CHOICE_COLUMNS} are read"
            )
            return None
        if len(rows) > MAX_OPTIONS:
            self.refuse(
                q,
                f"{itemset} has more than {MAX_OPTIONS} rows; a question has at most "
                f"{MAX_OPTIONS} options",
            )
            return None
        parameters = q.get("parameters", {})
        value_column = parameters.get("value", "name")
        label_column = parameters.get("label", "label")
        choices = []
        for row in rows:
            if row.get(value_column):
                choice = {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
                choice["name"] = row[value_column]
                choice["label"] = row.get(label_column) or row[value_column]
                choices.append(choice)
        return choices

    def file_beside(self, q: dict[str, Any], itemset: str) -> bytes | None:
        """The bytes of a select_one_from_file's file beside the form, or None (refused)."""
        path = self.folder / Path(itemset).name
        try:
            return read_source(path, limit=MAX_CSV_BYTES)
        except WizardFileError as exc:
            needs = f"select_one_from_file needs {itemset} beside the form"
            if not path.exists():
                self.refuse(q, f"{needs}, and there is none: put it there and import again")
            else:
                why = f" ({exc.problems[0].message})" if exc.problems else ""
                self.refuse(q, f"{needs}, which cannot be read{why}")
            return None

    def geojson_choices(self, q: dict[str, Any], itemset: str) -> list[dict[str, Any]] | None:
        """select_one_from_file with a GeoJSON file beside the form (`geojson_features`)."""
        raw = self.file_beside(q, itemset)
        if raw is None:
            return None
        parameters = q.get("parameters", {})
        try:
            return geojson_features(
                raw, itemset, parameters.get("value", "id"), parameters.get("label", "title")
            )
        except ValueError as exc:
            self.refuse(q, str(exc))
            return None

    def binds(self, q: dict[str, Any], field: dict[str, Any]) -> None:
        bind: dict[str, Any] = q.get("bind", {})
        name = str(q.get("name"))
        required = bind.get("required")
        if required:
            text = str(required).strip()
            if text.lower() in ("yes", "true", "true()", "1"):
                field["required"] = True
            elif text.lower() not in ("no", "false", "false()", "0"):
                expression = self.xpath(q, "required", text, name)
                if expression is not None:
                    field["required_if"] = expression
        # required_message: ODK shows it when a required answer is missing; format 2 has
        # one fixed message for that, so it goes into the help, in every language
        message = self.texts(bind.get("jr:requiredMsg"), lambda t: f"Required: {t}")
        if message and (field.get("required") or "required_if" in field):
            field["help"] = _joined(field.get("help"), message)
        constraint = bind.get("constraint")
        if constraint:
            expression = self.xpath(q, "constraint", str(constraint), name)
            if expression is not None:
                field["constraint"] = expression
                constraint_message = self.texts(
                    bind.get("jr:constraintMsg"), lambda t: _one_line(t, 500)
                )
                if constraint_message:
                    field["constraint_message"] = constraint_message
        readonly = bind.get("readonly")
        if readonly:
            text = str(readonly).strip()
            if text.lower() in ("yes", "true", "true()", "1"):
                field["enabled_if"] = "false"
            elif text.lower() not in ("no", "false", "false()", "0"):
                expression = self.xpath(q, "read_only", text, name)
                if expression is not None:
                    field["enabled_if"] = f"!({expression})"
        calculation = bind.get("calculate")
        if calculation and q.get("type") != "calculate":
            expression = self.xpath(q, "calculation", str(calculation), name)
            if expression is not None:
                field["default_expression"] = expression

    def default(self, q: dict[str, Any], field: dict[str, Any], value: str) -> None:
        kind = field.get("type")
        if "default_expression" in field:
            return
        if "${" in value or "(" in value:
            expression = self.xpath(q, "default", value, None)
            if expression is not None:
                field["default_expression"] = expression
            return
        if kind == "number":
            try:
                number = float(value)
            except ValueError:
                self.refuse(q, f"default {value!r} is not a number")
                return
            field["default"] = int(number) if number.is_integer() else number
        elif kind == "rating":
            try:
                field["default"] = int(float(value))
            except ValueError:
                self.refuse(q, f"default {value!r} is not a number")
        elif kind == "ranking":  # ODK's order, space-separated; the validator checks it
            field["default"] = value.split()
        elif kind in ("choice", "multi_choice"):
            values = value.split() if kind == "multi_choice" else [value]
            known = {o["value"] for o in field.get("options", [])}
            unknown = [v for v in values if v not in known]
            if unknown:
                return  # as in ODK Collect, which then selects nothing (docs/importers.md)
            field["default"] = values if kind == "multi_choice" else value
        else:
            field["default"] = value


def _geojson_text(value: object) -> str | None:
    """A GeoJSON member as an option's text (numbers as JavaScript writes them); None
    when it is no text (an object, a list, null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value if isinstance(value, str) else None


def geojson_features(
    raw: bytes, itemset: str, value_key: str, label_key: str
) -> list[dict[str, str]]:
    """The choices of a GeoJSON FeatureCollection, as ODK reads one: each Feature is a
    choice whose value is its `value_key` property (`id`; for `id`, the Feature's own
    `id` member too) and whose label is its `label_key` property (`title`), its other
    properties columns a choice_filter may read. The geometry is not read. Read with the
    CSV reader's size bound, JSON nesting bounded before parsing (`read_json`), at most
    MAX_OPTIONS features; a ValueError says, in one line, what is wrong."""
    try:
        data, _lines, problems = read_json(decode(raw), itemset, with_lines=False)
    except SourceError as exc:
        raise ValueError(f"{itemset} is not a GeoJSON file: {exc.message}") from None
    if problems:
        raise ValueError(f"{itemset} is not a GeoJSON file: {problems[0].message}")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(f"{itemset} is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ValueError(f"{itemset}: a FeatureCollection needs a list of features")
    if len(features) > MAX_OPTIONS:
        raise ValueError(
            f"{itemset} has {len(features)} features; a question has at most {MAX_OPTIONS} options"
        )
    choices = []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValueError(f"{itemset}: features[{index}] is not a Feature")
        properties = feature.get("properties")
        properties = {} if properties is None else properties
        if not isinstance(properties, dict):
            raise ValueError(f"{itemset}: features[{index}].properties is not an object")
        if len(properties) > MAX_CHOICE_COLUMNS:
            raise ValueError(
                f"{itemset}: features[{index}] has {len(properties)} properties; at most "
                f"{MAX_CHOICE_COLUMNS} are read"
            )
        columns = {k: t for k, v in properties.items() if (t := _geojson_text(v)) is not None}
        value = columns.get(value_key)
        if value is None and value_key == "id":
            value = _geojson_text(feature.get("id"))
        if not value:
            raise ValueError(f"{itemset}: features[{index}] has no {value_key}")
        choices.append({**columns, "name": value, "label": columns.get(label_key) or value})
    return choices


# Language names XLSForms write without a code (`label::English`), and their codes.
_LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "francais": "fr", "français": "fr", "spanish": "es",
    "español": "es", "portuguese": "pt", "swahili": "sw", "kiswahili": "sw", "chinese": "zh",
    "arabic": "ar", "german": "de", "hindi": "hi", "russian": "ru", "italian": "it",
    "dutch": "nl", "bengali": "bn", "urdu": "ur", "amharic": "am", "hausa": "ha",
    "indonesian": "id", "nepali": "ne", "turkish": "tr", "vietnamese": "vi",
}  # fmt: skip


def _joined(first: str | dict[str, str] | None, second: str | dict[str, str]) -> object:
    """Two texts (plain or maps of language codes) as one, a blank line between."""
    if first is None:
        return second
    if isinstance(first, str) and isinstance(second, str):
        return f"{first}\n\n{second}"
    a = first if isinstance(first, dict) else None
    b = second if isinstance(second, dict) else None
    codes = list(dict.fromkeys([*(a or {}), *(b or {})]))

    def part(text: str | dict[str, str], code: str) -> str:
        return text if isinstance(text, str) else text.get(code) or next(iter(text.values()))

    return {code: f"{part(first, code)}\n\n{part(second, code)}" for code in codes}


def _fill_label(text: object, label: object, fallback: str, language: str | None = None) -> object:
    """A loop question's text with `%(label)s` the choice's label (in the same language)."""
    if isinstance(text, dict):
        return {k: _fill_label(v, label, fallback, k) for k, v in text.items()}
    if not isinstance(text, str):
        return text
    own = label.get(language, fallback) if isinstance(label, dict) else (label or fallback)
    return text.replace("%(label)s", str(own))


def _one_screen(group: Mapping[str, Any]) -> bool:
    """A group ODK Collect shows as one screen: appearance field-list (or table-list)."""
    appearance = str(group.get("control", {}).get("appearance", "")).split()
    return "field-list" in appearance or "table-list" in appearance


def _all(conditions: list[str]) -> str:
    if len(conditions) == 1:
        return conditions[0]
    return " and ".join(f"({c})" for c in conditions)

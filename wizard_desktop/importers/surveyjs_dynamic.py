"""SurveyJS dynamic panels (`paneldynamic`) and dynamic matrices (`matrixdynamic`) as
format-2 repeats (docs/repeats.md), for `importers/surveyjs.py`.

A dynamic element becomes a repeat of one step: a panel's template elements, or a
matrix's columns, are the step's fields (names verbatim, so instance paths are
SurveyJS's `name[0].inner`). A page holding one is split around it into steps (what
comes before, the repeated step, what comes after), each recorded with its source page
(`source_pages`), as repeats are top-level runs of steps. Counts: `minPanelCount`/
`maxPanelCount` (`minRowCount`/`maxRowCount`) are `min`/`max`, a count above what the
repeat holds refused; a panel that can be neither added to nor removed from has
`panelCount` instances (a matrix with `allowAddRows`/`allowRemoveRows` false: `rowCount`,
2 if not given), or, sharing its `valueName` with an earlier dynamic panel, as many as
that one (`repeat_count: "{earlier.length}"`). `panelAddText`/`addRowText` is the add label,
`templateTitle` the item label. Expressions: `sumInArray({p}, 'q')` and its kin become
`sum({p.q})`, ..., `{p.rowCount}` `{p.length}`; inside the template `{panel.q}` and
`{row.q}` are `{q}` and `{panelIndex}` `({p.number} - 1)`. A dynamic element inside a
dynamic panel is refused (repeats do not nest), and so is one on a start page.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from wizard_desktop.definition.fileformat import TEXT_LIMITS
from wizard_desktop.definition.repeats import MAX_INSTANCES, MAX_REPEATS, instances_held
from wizard_desktop.importers.common import UnsupportedItem

DYNAMIC_TYPES = ("paneldynamic", "matrixdynamic")
MARK = "\x00dynamic"  # a field list's placeholder for a dynamic element (split out after)
# instance paths read repeat ids with this rule (definition/repeats.py)
_REPEAT_ID = re.compile(r"(?=\S)[^\x00-\x1f\x7f{}\[\].]{1,200}(?<=\S)")  # no dot: {r.q}
_AGGREGATE = re.compile(
    r"\b(sum|count|min|max|avg)InArray\s*\(\s*\{([^{}]+)\}\s*,\s*(['\"])([^'\"]*)\3\s*\)",
    re.IGNORECASE,
)
_BRACED = re.compile(r"\{([^{}]*)\}")
_EMPTINESS = re.compile(r"\{([^{}]+)\}\s*(?:not)?empty\b", re.IGNORECASE)
_INDEXED = re.compile(r"^(.+)\[(\d+)\]\.(.+)$")
_PANEL_INDEX = ("panelindex", "visiblepanelindex")
_PANEL_INDEX_REFERENCE = re.compile(r"\{\s*(?:visible)?panelIndex\s*\}", re.IGNORECASE)
# What a dynamic element may say that its repeat cannot do (refused, with the reason).
_UNPLAYABLE = {
    "defaultValue": "default panels or rows cannot be played",
    "defaultPanelValue": "a new panel's default answers cannot be played",
    "defaultRowValue": "a new row's default answers cannot be played",
    "templateVisibleIf": "hiding single panels (templateVisibleIf) cannot be played",
    "valuePropertyName": "valuePropertyName (another answer as panels) cannot be played",
}
_UNPLAYABLE_COLUMN = ("totalType", "totalExpression")
_DEFAULT_MAX = {"paneldynamic": 100, "matrixdynamic": MAX_INSTANCES}  # SurveyJS's defaults
_DEFAULT_COUNT = {"paneldynamic": 0, "matrixdynamic": 2}  # panelCount, rowCount
# what says the person can add, and remove, instances
_ALLOW = {
    "paneldynamic": ("allowAddPanel", "allowRemovePanel"),
    "matrixdynamic": ("allowAddRows", "allowRemoveRows"),
}


class _Mapper(Protocol):
    """What of importers.surveyjs._Mapper the mapping uses."""

    source: str
    unsupported: list[UnsupportedItem]
    names: dict[str, str]
    added: set[str]
    dynamic: Dynamics
    start_page: bool
    places: dict[tuple[str, str], str]

    def expression(self, raw: object, place: str) -> str | None: ...

    def refuse(self, place: str, reason: str) -> None: ...

    def elements(
        self, children: list[object], scope: Any, out: list[dict[str, object]]
    ) -> None: ...

    def question(
        self, element: dict[str, object], where: str, scope: Any, out: list[dict[str, object]]
    ) -> None: ...

    def unique_id(self, wanted: str) -> str: ...

    def walk_all(
        self, pages: list[tuple[str, dict[str, object]]]
    ) -> Iterator[tuple[str, dict[str, object], int]]: ...


@dataclass
class _Source:
    """One dynamic element: its repeat and its inner names (lower-case name or
    valueName -> field id)."""

    repeat_id: str
    inner: dict[str, str]
    keys: dict[str, str]  # the keys of a panel's object in the data, as written -> field id


@dataclass
class Dynamics:
    """The repeats an import builds and how the survey's expressions name them."""

    repeats: dict[str, dict[str, object]] = field(default_factory=dict)
    source_pages: dict[str, str] = field(default_factory=dict)
    value_names: dict[str, str] = field(default_factory=dict)  # repeat or field -> key
    row_repeats: set[str] = field(default_factory=set)  # dynamic matrices
    sources: dict[str, list[_Source]] = field(default_factory=dict)  # lower name/valueName
    shared: dict[str, str] = field(default_factory=dict)  # lower valueName -> first repeat
    template: _Source | None = None  # the one being mapped
    # lower-case names taken: every question outside, then each mapped element's inner ones
    claimed: set[str] = field(default_factory=set)
    plain: set[str] = field(default_factory=set)  # lower-case names of the other questions

    # --- references ---

    def _source(self, name: str, inner: str | None = None) -> _Source | None:
        found = self.sources.get(name.strip().lower(), [])
        for source in found:
            if inner is None or inner.lower() in source.inner:
                return source
        return None

    def expression(self, raw: str) -> str:
        """`raw` with SurveyJS's names of dynamic elements written as format 2's."""
        if not self.sources:
            return raw

        def aggregate(match: re.Match[str]) -> str:
            source = self._source(match.group(2), match.group(4))
            # survey-core reads the objects' keys as written ('age' is not 'Age')
            inner = source.keys.get(match.group(4)) if source is not None else None
            if source is None or inner is None:
                return match.group(0)
            return f"{match.group(1).lower()}({{{source.repeat_id}.{inner}}})"

        text = _AGGREGATE.sub(aggregate, raw)
        if self.template is not None:  # 0-based in expressions, 1-based in texts
            number = f"({{{self.template.repeat_id}.number}} - 1)"
            text = _PANEL_INDEX_REFERENCE.sub(number, text)
        return _BRACED.sub(self._braced, text)

    def emptiness_read(self, raw: str) -> str | None:
        """The dynamic element whose whole answer `raw` asks `empty`/`notempty` of, or
        None (a repeat read whole is its list of instances, which these do not take)."""
        for match in _EMPTINESS.finditer(raw):
            source = self._source(match.group(1))
            if source is not None and self.reference(match.group(1), in_text=False) == (
                source.repeat_id
            ):
                return source.repeat_id
        return None

    def _braced(self, match: re.Match[str]) -> str:
        name = match.group(1)
        written = self.reference(name, in_text=False)
        head, dot, tail = name.partition(".")
        source = self._source(head) if dot and written == name else None
        if source is not None and tail.lower() not in (*source.inner, "length", "number"):
            return "null"  # `{panel.rowCount}` and the like: survey-core reads nothing there
        return "{" + written + "}"

    def reference(self, name: str, *, in_text: bool) -> str:
        """One `{name}` (without braces) as format 2 writes it."""
        template = self.template
        lower = name.lower()
        if template is not None:
            head, _, tail = lower.partition(".")
            if head in ("panel", "row") and tail in template.inner:
                return template.inner[tail]
            if lower == "rowindex" or (in_text and lower in _PANEL_INDEX):
                return f"{template.repeat_id}.number"
        if lower.endswith(".length"):
            source = self._source(name[: -len(".length")])
            if source is not None:
                return f"{source.repeat_id}.length"
        indexed = _INDEXED.match(name)
        if indexed is not None:
            source = self._source(indexed.group(1), indexed.group(3))
            if source is not None:
                inner = source.inner[indexed.group(3).lower()]
                return f"{source.repeat_id}[{indexed.group(2)}].{inner}"
        source = self._source(name)
        return source.repeat_id if source is not None else name

    def item_label(self, raw: str | None, repeat_id: str) -> str | None:
        """A `templateTitle` as an item label, when all it reads is its own panel's;
        None when it reads what cannot be read per instance here (the step's title,
        numbered, is the label then)."""
        source = self.template
        if raw is None or source is None:
            return None
        readable = (*source.inner.values(), f"{repeat_id}.number")
        written = [self.reference(m.group(1), in_text=True) for m in _BRACED.finditer(raw)]
        if not written or any(w not in readable for w in written):
            return None
        return _BRACED.sub(lambda m: "{" + self.reference(m.group(1), in_text=True) + "}", raw)


# --- collecting ----------------------------------------------------------------------


def _source_of(element: dict[str, object], name: str) -> _Source:
    """A dynamic element's inner names: template questions (in panels too) or columns."""
    inner: dict[str, str] = {}
    keys: dict[str, str] = {}
    key = "columns" if element.get("type") == "matrixdynamic" else "templateElements"
    stack = list(_as_list(element.get(key)))
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        item_name = item.get("name")
        if item.get("type") == "panel":
            stack.extend(_as_list(item.get("elements")))
        elif isinstance(item_name, str):
            value_name = item.get("valueName")
            key = value_name if isinstance(value_name, str) else item_name
            keys.setdefault(key, item_name)
            for written in (item_name, key):
                inner.setdefault(written.lower(), item_name)
    return _Source(name, inner, keys)


def collect_dynamic(mapper: _Mapper, pages: list[tuple[str, dict[str, object]]]) -> None:
    """Every dynamic element's names, before any expression is read (a valueName that
    is another question's name names that question: its element is refused)."""
    dynamic = mapper.dynamic
    elements = [element for _, element, _ in mapper.walk_all(pages)]
    for element in elements:
        name = element.get("name")
        if isinstance(name, str) and element.get("type") != "panel":
            dynamic.claimed.add(name.lower())
            if element.get("type") not in DYNAMIC_TYPES:
                dynamic.plain.add(name.lower())
    for element in elements:
        name = element.get("name")
        if element.get("type") not in DYNAMIC_TYPES or not isinstance(name, str):
            continue
        source = _source_of(element, name)
        value_name = element.get("valueName")
        for key in (name, value_name if _own_value_name(value_name, dynamic) else None):
            if isinstance(key, str):
                dynamic.sources.setdefault(key.lower(), []).append(source)
        for inner in source.inner.values():
            mapper.names.setdefault(inner.lower(), inner)


def _own_value_name(value_name: object, dynamic: Dynamics) -> bool:
    return isinstance(value_name, str) and value_name.strip().lower() not in dynamic.plain


# --- mapping -------------------------------------------------------------------------


def dynamic_question(
    mapper: _Mapper,
    element: dict[str, object],
    kind: str,
    where: str,
    scope: Any,
    out: list[dict[str, object]],
) -> None:
    """A dynamic element: its repeated step, left in `out` as a placeholder that
    `page_steps` splits the page at."""
    dynamic = mapper.dynamic
    name = element.get("name")
    if dynamic.template is not None:
        mapper.refuse(
            where,
            f"a {_what(kind)} inside a dynamic panel cannot be played: repeats do not nest",
        )
        return
    if mapper.start_page:
        mapper.refuse(
            where,
            f"a {_what(kind)} on the start page (firstPageIsStarted) cannot be played: "
            "a start step is not repeated",
        )
        return
    if not isinstance(name, str) or _REPEAT_ID.fullmatch(name) is None:
        mapper.refuse(
            where,
            f"a {_what(kind)} needs a name of 1 to 200 characters without dots, braces "
            "or brackets to name its instances",
        )
        return
    if len(dynamic.repeats) >= MAX_REPEATS:
        mapper.refuse(where, f"more than {MAX_REPEATS} dynamic panels and matrices")
        return
    if name in dynamic.repeats:
        mapper.refuse(where, f"a second {_what(kind)} named '{name}'")
        return
    value_name = element.get("valueName")
    if isinstance(value_name, str) and not _own_value_name(value_name, dynamic):
        mapper.refuse(
            where,
            f"its valueName '{value_name}' is the name of another question "
            "(two questions sharing one answer) and cannot be played",
        )
        return
    unplayable = [key for key in _UNPLAYABLE if element.get(key) not in (None, "", [], {})]
    unplayable += [
        f"columns[{i}].{key}"
        for i, column in enumerate(_as_list(element.get("columns")))
        if isinstance(column, dict)
        for key in _UNPLAYABLE_COLUMN
        if column.get(key) not in (None, "", "none")
    ]
    for key in unplayable:
        mapper.refuse(f"{where}.{key}", _UNPLAYABLE.get(key, "column totals cannot be played"))
    if unplayable:
        return
    source = _source_of(element, name)
    again = sorted({f for f in source.keys.values() if f.lower() in dynamic.claimed})
    if again:  # its fields' ids are these names, unique in the whole wizard
        mapper.refuse(
            where,
            f"its question '{again[0]}' is named like another question of the survey; "
            "Wizard Desktop needs every question's name to be its own",
        )
        return
    dynamic.claimed.update(f.lower() for f in source.keys.values())
    fields: list[dict[str, object]] = []
    dynamic.template = source
    enable = mapper.expression(element.get("enableIf"), f"{where}.enableIf")
    inner_scope = dataclasses.replace(  # its visibleIf is its step's, the rest its fields'
        scope,
        place=where,
        conditions=(),
        enable=(*scope.enable, enable) if enable else scope.enable,
        read_only=scope.read_only or element.get("readOnly") is True,
    )
    try:
        if kind == "paneldynamic":
            template = _without_value_names(_as_list(element.get("templateElements")))
            mapper.elements(
                template,
                dataclasses.replace(inner_scope, place=f"{where}.templateElements"),
                fields,
            )
        else:
            for i, column in enumerate(_as_list(element.get("columns"))):
                place = f"{where}.columns[{i}]"
                question = _column_question(column, element)
                if question is None:
                    mapper.refuse(place, "a column needs a name")
                    continue
                mapper.question(question, f"{place} ({question['name']})", inner_scope, fields)
    finally:
        dynamic.template = None
    if not fields:
        mapper.refuse(where, f"a {_what(kind)} without questions")
        return
    repeat = _repeat(mapper, element, kind, name, source, len(fields))
    if isinstance(repeat, str):
        mapper.refuse(where, repeat)
        return
    dynamic.repeats[name] = repeat
    mapper.places[("repeat", name)] = where
    key_of = {f: key for key, f in source.keys.items() if key != f}
    dynamic.value_names.update(  # a template question's valueName: its key in the object
        (str(f["id"]), key_of[str(f["id"])]) for f in fields if f.get("id") in key_of
    )
    if kind == "matrixdynamic":
        dynamic.row_repeats.add(name)
    from wizard_desktop.importers.surveyjs import _clip

    title = _text(element.get("title"))
    step: dict[str, object] = {"title": title and _clip(title, "title"), "fields": fields}
    description = _text(element.get("description"))
    if description:
        step["description"] = _clip(description, "description")
    visible = mapper.expression(element.get("visibleIf"), f"{where}.visibleIf")
    conditions = (*scope.conditions, visible) if visible else scope.conditions
    out.append({"id": MARK, "hidden": True, MARK: (name, step, conditions)})


def _repeat(
    mapper: _Mapper,
    element: dict[str, object],
    kind: str,
    name: str,
    source: _Source,
    size: int,
) -> dict[str, object] | str:
    """The repeat of a dynamic element of `size` fields, or why its counts cannot be
    played (more instances asked for than the repeat can hold)."""
    dynamic = mapper.dynamic
    prefix = "Panel" if kind == "paneldynamic" else "Row"
    repeat: dict[str, object] = {"id": name, "steps": []}
    value_name = element.get("valueName")
    if isinstance(value_name, str) and value_name.strip():
        dynamic.value_names[name] = value_name
    earlier = dynamic.shared.get(value_name.lower()) if isinstance(value_name, str) else None
    fixed = all(element.get(key) is False for key in _ALLOW[kind])
    if fixed and earlier is not None:
        repeat["repeat_count"] = f"{{{earlier}.length}}"
    else:
        low_key = f"min{prefix}Count"
        low = _count(element.get(low_key), 0)
        high = _count(element.get(f"max{prefix}Count"), _DEFAULT_MAX[kind])
        initial_key = f"{prefix.lower()}Count"
        initial = _count(element.get(initial_key), _DEFAULT_COUNT[kind])
        if fixed and initial >= 1:
            low, low_key = initial, initial_key
            high = initial
        if element.get("isRequired") is True:  # answered: at least one panel or row
            low = max(low, 1)
        cap = max(1, instances_held(2 + size))  # what its instances hold together
        if low > cap:
            return f"{low_key} {low}: this {_what(kind)} can have at most {cap} {prefix.lower()}s"
        high = min(high, cap)
        repeat.update(min=min(low, high), max=high)
        if isinstance(value_name, str):
            dynamic.shared.setdefault(value_name.lower(), name)
    from wizard_desktop.importers.surveyjs import _clip

    add = _text(element.get("panelAddText" if kind == "paneldynamic" else "addRowText"))
    if add:
        repeat["add_label"] = _clip(add, "label")  # clipped as every other title
    dynamic.template = source
    try:
        label = dynamic.item_label(_text(element.get("templateTitle")), name)
    finally:
        dynamic.template = None
    if label is not None and len(label) <= TEXT_LIMITS["label"]:
        repeat["item_label"] = label  # (a longer one, cut, could end inside a {name})
    return repeat


def write_repeats(mapper: _Mapper, data: dict[str, object]) -> None:
    """The wizard's steps split around their dynamic elements, and its `repeats`,
    `source_pages` and `value_names`."""
    steps = data["steps"]
    assert isinstance(steps, list)
    data["steps"] = [piece for step in steps for piece in _split(mapper, step)]
    dynamic = mapper.dynamic
    if dynamic.repeats:
        data["repeats"] = list(dynamic.repeats.values())
    if dynamic.source_pages:
        data["source_pages"] = dict(dynamic.source_pages)
    if dynamic.value_names:
        data["value_names"] = dict(dynamic.value_names)


def _split(mapper: _Mapper, step: dict[str, object]) -> list[dict[str, object]]:
    """A page's step, or its steps split around its dynamic elements (see the module
    docstring); headings left alone before a dynamic element go with it."""
    from wizard_desktop.importers.surveyjs import _clip

    fields = step["fields"]
    assert isinstance(fields, list)
    if not any(MARK in f for f in fields):
        return [step]
    page_id = str(step["id"])
    steps: list[dict[str, object]] = []
    pending: list[dict[str, object]] = []

    def add(piece: dict[str, object]) -> None:
        piece["id"] = page_id if not steps else mapper.unique_id(f"{page_id} #{len(steps) + 1}")
        if piece["id"] != page_id:
            mapper.dynamic.source_pages[str(piece["id"])] = page_id
            if ("step", page_id) in mapper.places:  # a piece of a page: the page's place
                mapper.places[("step", str(piece["id"]))] = mapper.places[("step", page_id)]
        steps.append(piece)

    def plain(piece_fields: list[dict[str, object]]) -> dict[str, object]:
        piece = {k: v for k, v in step.items() if k not in ("fields", "description")}
        if not steps and "description" in step:
            piece["description"] = step["description"]
        elif steps:
            piece["title"] = _clip(f"{step['title']} (continued)", "title")
        piece["fields"] = piece_fields
        return piece

    for f in fields:
        if MARK not in f:
            pending.append(f)
            continue
        name, repeated, conditions = f[MARK]
        if pending and any(not _heading(mapper, p) for p in pending):
            add(plain(pending))
            pending = []
        piece = dict(repeated)
        piece["title"] = repeated["title"] or step["title"]  # untitled: the page's title
        piece["fields"] = [*pending, *repeated["fields"]]
        pending = []
        visible = [str(step["visible_if"])] if "visible_if" in step else []
        visible += list(conditions)
        if visible:
            piece["visible_if"] = visible[0] if len(visible) == 1 else _joined(visible)
        add(piece)
        if ("repeat", name) in mapper.places:
            mapper.places[("step", str(piece["id"]))] = mapper.places[("repeat", name)]
        repeat = mapper.dynamic.repeats[name]
        repeat["steps"] = [piece["id"]]
        repeat.setdefault("item_label", f"{piece['title']} ({{{name}.number}})")
    if pending:
        add(plain(pending))
    return steps


def _heading(mapper: _Mapper, f: dict[str, object]) -> bool:
    return f.get("type") == "note" and f.get("id") in mapper.added


def _column_question(column: object, matrix: dict[str, object]) -> dict[str, object] | None:
    """A matrix column as the question SurveyJS asks in each row's cell."""
    if not isinstance(column, dict) or not isinstance(column.get("name"), str):
        return None
    cell_type = column.get("cellType") or matrix.get("cellType") or "dropdown"
    if cell_type == "default":
        cell_type = matrix.get("cellType") or "dropdown"
    question = {k: v for k, v in column.items() if k != "cellType"}
    question["type"] = cell_type
    choices = cell_type in ("dropdown", "radiogroup", "checkbox", "tagbox")
    if choices and "choices" not in column and "choices" in matrix:
        question["choices"] = matrix["choices"]
    return question


def _without_value_names(elements: list[object]) -> list[object]:
    """Template elements without their valueName: inside a panel it only names the
    answer's key in the panel's object (the field keeps the question's name)."""
    copied: list[object] = []
    for item in elements:
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k != "valueName"}
            if isinstance(item.get("elements"), list):
                item["elements"] = _without_value_names(item["elements"])
        copied.append(item)
    return copied


def _joined(conditions: list[str]) -> str:
    return " and ".join(f"({c})" for c in conditions)


def _what(kind: str) -> str:
    return "dynamic panel" if kind == "paneldynamic" else "dynamic matrix"


def _count(value: object, default: int) -> int:
    """A count as written (a whole number from 0), else its default."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return default


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    from wizard_desktop.importers.surveyjs import _localized

    text = _localized(value)
    return text.strip() if text and text.strip() else None

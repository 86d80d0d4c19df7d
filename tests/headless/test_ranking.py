"""The `ranking` field type (format 2): the file's rules, the answer rule (every option,
each once: a permutation of the options, never a partial one), what the core stores,
how the exports and the report read it ("Speed > Price > Quality": one text cell; the
JSON keeps the list), and the importers that make one (XLSForm `rank`, SurveyJS
`ranking`); and select_one_from_file reading a GeoJSON file beside the form, hostile
ones refused in one line."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.headless.test_cli import assert_no_traceback
from tests.headless.test_report import run
from tests.headless.test_surveyjs_import import run_cli
from tests.headless.test_xlsform_import import REALFORMS, form
from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.export import export_session
from wizard_desktop.core.report import session_report
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.loader import WizardFileError, parse_wizard_text
from wizard_desktop.definition.model import FieldType
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.xlsform import geojson_features
from wizard_desktop.store.database import close_database, open_database

RANKED = """\
format_version: 2
id: ranked
title: Ranked
steps:
  - id: rank
    title: What matters
    fields:
      - id: order
        type: ranking
        label: Put these in order
        required: true
        options:
          - {value: price, label: Price}
          - {value: speed, label: Speed}
          - quality
      - {id: note, type: text, label: Note}
  - id: done
    title: Done
    fields:
      - {id: first, type: text, label: "First: {order}"}
"""
ORDER = ["speed", "price", "quality"]
READ = "Speed > Price > quality"


def wizard(text: str = RANKED):  # type: ignore[no-untyped-def]
    return parse_wizard_text(text, "ranked.yaml", "yaml")


def problems_of(text: str) -> list[str]:
    with pytest.raises(WizardFileError) as refused:
        wizard(text)
    return [str(p) for p in refused.value.problems]


def test_a_ranking_needs_options_that_stay_and_format_2() -> None:
    field = wizard().field("order")
    assert field is not None and field.type is FieldType.RANKING
    assert [o.value for o in field.options] == ["price", "speed", "quality"]
    no_options = RANKED.replace(
        "        options:\n          - {value: price, label: Price}\n"
        "          - {value: speed, label: Speed}\n          - quality\n",
        "",
    )
    assert problems_of(no_options) == [
        "ranked.yaml:8: steps[0].fields[0].options: missing (a ranking field needs options)"
    ]
    coming_and_going = RANKED.replace(
        "{value: speed, label: Speed}", "{value: speed, label: Speed, visible_if: '{note} = 1'}"
    )
    (only,) = problems_of(coming_and_going)
    assert only.endswith(
        "steps[0].fields[0].options[1].visible_if: a ranking's options take no visible_if: "
        "every option is ranked"
    )
    (v1,) = problems_of(RANKED.replace("format_version: 2", "format_version: 1"))
    assert v1.endswith("type: the type 'ranking' needs format_version: 2 (this file is format 1)")


@pytest.mark.parametrize(
    ("default", "problem"),
    [
        ('["speed", "price", "quality"]', None),
        ('["speed", "price"]', "Put every option in order (2 of 3 ranked)."),
        ('["speed", "speed", "price"]', "An option is ranked twice."),
        ('["speed", "fast", "price"]', "Unknown option 'fast'"),
        ('"speed"', "Expected a list of option values."),
    ],
)
def test_a_default_is_held_to_the_answer_rule(default: str, problem: str | None) -> None:
    text = RANKED.replace(
        "        required: true\n", f"        required: true\n        default: {default}\n"
    )
    if problem is None:
        assert wizard(text).field("order").default == ORDER  # type: ignore[union-attr]
        return
    (only,) = problems_of(text)
    assert "steps[0].fields[0].default" in only and problem.lower().rstrip(".") in only.lower()
    # the value's own type is named only beside a wrong type ("expected …, got text")
    assert (", got " in only) == problem.startswith("Expected")


def test_the_answer_rule_is_every_option_each_once() -> None:
    field = wizard().field("order")
    assert field is not None
    assert answer_problem(field, ORDER) is None
    assert answer_problem(field, ["quality", "speed", "price"]) is None
    assert answer_problem(field, None) == "This field is required."
    assert answer_problem(field, []) == "This field is required."
    assert answer_problem(field, ["speed"]) == "Put every option in order (1 of 3 ranked)."
    assert answer_problem(field, ["speed", "price", "price"]) == "An option is ranked twice."
    assert answer_problem(field, [1, 2, 3]) == "Expected a list of option values."  # type: ignore[list-item]
    assert answer_problem(field, ["speed", "price", "x"]) is not None


def test_the_core_stores_the_order_and_refuses_a_partial_one(store: Path) -> None:
    import_text(store, RANKED, "ranked.yaml")
    session_id = sessions.start_session("ranked", "Mine").id
    with pytest.raises(sessions.InvalidAnswersError) as refused:
        sessions.save_step(session_id, "rank", {"order": ["speed", "price"]})
    assert "Put every option in order (2 of 3 ranked)." in str(refused.value)
    assert "order" not in sessions.load_session(session_id).answers, "nothing stored"
    sessions.save_step(session_id, "rank", {"order": ORDER})
    sessions.complete_session(session_id, "done", {"first": "x"})
    state = sessions.load_session(session_id)
    assert state.answers["order"] == ORDER
    assert state.resolution.texts[("first", "label")] == "First: speed, price, quality"

    document = json.loads(export_session(session_id, "json"))
    assert document["answers"]["order"] == ORDER, "JSON keeps the list, in order"
    rows = list(csv.DictReader(io.StringIO(export_session(session_id, "csv"))))
    (row,) = [r for r in rows if r["field_id"] == "order"]
    assert json.loads(row["value"]) == ORDER and row["answer"] == READ
    report = session_report(session_id)
    lines = {line.label: line.answer for step in report.steps for line in step.lines}
    assert lines["Put these in order"] == READ
    assert format_answer(state.definition.field("order"), ORDER) == READ  # type: ignore[arg-type]


def test_the_sessions_spreadsheet_has_one_column_reading_the_order(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    try:
        import_text(data_dir, RANKED, "ranked.yaml")
        session_id = sessions.start_session("ranked", "Mine").id
        sessions.save_step(session_id, "rank", {"order": ORDER})
    finally:
        close_database()
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"ranked.{fmt}"
        args = ("--wizard", "ranked", "--format", fmt, "--option-columns")
        result = run(data_dir, "export-sessions", "--output", str(target), *args)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        if fmt == "csv":
            header, row = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        else:
            book = openpyxl.load_workbook(target, read_only=True)
            header, _labels, row = [list(r) for r in book["ranked"].iter_rows(values_only=True)]
            book.close()
        cells = dict(zip(header, row, strict=True))
        assert cells["order"] == READ, fmt
        assert [h for h in header if str(h).startswith("order")] == ["order"], "one column"


# --- importers ----------------------------------------------------------------------


def test_xlsform_rank_is_a_ranking_with_odks_default_order(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | default |
|  | rank food | food | Rank the food | c a b |
|  | rank food | other | Rank again | |
""",
        """|  | list_name | name | label |
|  | food | a | Apples |
|  | food | b | Bread |
|  | food | c | Cheese |
""",
    )
    definition = import_form(path).definition
    food, other = definition.field("food"), definition.field("other")
    assert food is not None and other is not None
    assert food.type is FieldType.RANKING and other.type is FieldType.RANKING
    assert [o.label for o in food.options] == ["Apples", "Bread", "Cheese"]
    assert food.default == ["c", "a", "b"]
    filtered = form(
        tmp_path,
        """|  | type | name | label | choice_filter |
|  | rank food | food | Rank | name != 'a' |
""",
        """|  | list_name | name | label |
|  | food | a | Apples |
|  | food | b | Bread |
""",
        name="filtered.md",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(filtered)
    assert [str(i) for i in refused.value.items] == [
        "filtered.md: survey row 2 (food): a rank with a choice_filter cannot be played "
        "(every option is ranked)"
    ]


def _survey(tmp_path: Path, element: dict[str, object]) -> Path:
    path = tmp_path / "survey.json"
    path.write_text(json.dumps({"pages": [{"name": "p", "elements": [element]}]}))
    return path


def test_surveyjs_ranking_is_a_ranking_and_partial_rankings_are_refused(tmp_path: Path) -> None:
    ranking = {
        "type": "ranking",
        "name": "prio",
        "title": "Priorities",
        "isRequired": True,
        "choices": ["price", {"value": "speed", "text": "Speed"}, "quality|Quality"],
        "defaultValue": ["quality", "price", "speed"],
    }
    field = import_form(_survey(tmp_path, ranking)).definition.field("prio")
    assert field is not None and field.type is FieldType.RANKING and field.required
    assert [(o.value, o.label) for o in field.options] == [
        ("price", "price"), ("speed", "Speed"), ("quality", "Quality")
    ]  # fmt: skip
    assert field.default == ["quality", "price", "speed"]
    for extra, reason in (
        ({"selectToRankEnabled": True}, "selectToRankEnabled (ranking only some choices)"),
        ({"choicesVisibleIf": "{item} != 'price'"}, "a ranking whose choices come and go"),
        ({"choices": []}, "a ranking without choices"),
    ):
        with pytest.raises(ImportRefused) as refused:
            import_form(_survey(tmp_path, {**ranking, **extra}))
        assert [reason in i.reason for i in refused.value.items] == [True], extra


# --- select_one_from_file with a .geojson --------------------------------------------

CITIES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
            "properties": {"id": "paris", "title": "Paris", "country": "fr"},
        },
        {
            "type": "Feature",
            "id": 2,  # the Feature's own id
            "geometry": {"type": "Polygon", "coordinates": [[[13, 52], [14, 52], [13, 53]]]},
            "properties": {"title": "Berlin", "country": "de", "population": 3.7},
        },
        {"type": "Feature", "geometry": None, "properties": {"id": "nowhere"}},
    ],
}


def test_geojson_features_are_choices_as_odk_reads_them() -> None:
    choices = geojson_features(json.dumps(CITIES).encode(), "cities.geojson", "id", "title")
    assert [(c["name"], c["label"]) for c in choices] == [
        ("paris", "Paris"), ("2", "Berlin"), ("nowhere", "nowhere")
    ]  # fmt: skip
    assert choices[1]["population"] == "3.7" and choices[0]["country"] == "fr"
    two = {**CITIES, "features": CITIES["features"][:2]}  # type: ignore[index]
    by_country = geojson_features(json.dumps(two).encode(), "c.geojson", "country", "title")
    assert [c["name"] for c in by_country] == ["fr", "de"]


def _geojson_form(tmp_path: Path, content: bytes | str, parameters: str = "") -> Path:
    path = form(
        tmp_path,
        f"""|  | type | name | label | parameters | choice_filter |
|  | text | country | Country | | |
|  | select_one_from_file cities.geojson | city | City | {parameters} | country = ${{country}} |
""",
    )
    target = tmp_path / "cities.geojson"
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_bytes(content)
    return path


def test_a_geojson_beside_the_form_gives_the_choices_and_its_properties_filter(
    tmp_path: Path,
) -> None:
    path = _geojson_form(tmp_path, json.dumps(CITIES), "label=country")
    definition = import_form(path).definition
    city = definition.field("city")
    assert city is not None and [(o.value, o.label) for o in city.options] == [
        ("paris", "fr"), ("2", "de"), ("nowhere", "nowhere")
    ]  # fmt: skip
    from wizard_desktop.definition.logic import wizard_logic

    options = wizard_logic(definition).resolve({"country": "de"}).options["city"]
    assert options == ("2",)


def _collection(features: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


HOSTILE = [
    (b"\xff\xfe{}", "cities.geojson is not a GeoJSON file: the file is saved as UTF-16"),
    (b"{" * 5, "cities.geojson is not a GeoJSON file:"),
    (b"[" * 100_000 + b"]" * 100_000, "cities.geojson is not a GeoJSON file: the file is nested"),
    (json.dumps({"type": "Feature"}).encode(), "cities.geojson is not a GeoJSON FeatureCollection"),
    (_collection({}), "needs a list of features"),
    (_collection([1]), "features[0] is not a Feature"),
    (_collection([{"type": "Feature", "properties": []}]), "features[0].properties is not an"),
    (_collection([{"type": "Feature", "properties": {"title": "x"}}]), "features[0] has no id"),
    (
        _collection([{"type": "Feature", "id": n} for n in range(1001)]),
        "cities.geojson has 1001 features; a question has at most 1000 options",
    ),
    (b'{"type": "FeatureCollection", "type": "x", "features": []}', "duplicate key 'type'"),
    (b" " * (2 * 1024 * 1024 + 1), "which cannot be read (the file is 2.1 MB;"),
    (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {f"p{n}": "x" for n in range(101)}}],
            }
        ).encode(),
        "cities.geojson: features[0] has 101 properties; at most 100 are read",
    ),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_hostile_geojson_is_refused_in_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = _geojson_form(tmp_path, content)
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    (item,) = refused.value.items
    assert item.place == "survey row 3 (city)" and message in item.reason, item.reason
    assert "\n" not in str(item) and len(str(item)) < 300


def test_a_geojson_label_with_control_characters_is_refused_not_shown(tmp_path: Path) -> None:
    cities = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "x", "title": "evil\u202eexe.pdf"}},
    ]}  # fmt: skip
    with pytest.raises(WizardFileError) as refused:
        import_form(_geojson_form(tmp_path, json.dumps(cities)))
    (problem,) = refused.value.problems
    assert "options[0].label" in str(problem) and "U+202E" in str(problem).upper()


def test_all_question_types_imports_with_its_geojson_beside_it(tmp_path: Path) -> None:
    """The real form names cities.geojson, which the corpus lacks: refused naming it.
    With one beside a copy, it imports whole (its rank a ranking)."""
    data_dir = tmp_path / "data"
    checked = run_cli("check", str(REALFORMS / "all-question-types.xlsx"), data_dir=data_dir)
    assert checked.returncode != 0 and "Traceback" not in checked.stderr
    assert checked.stderr.strip().splitlines() == [
        "all-question-types.xlsx: survey row 83 (map): select_one_from_file needs "
        "cities.geojson beside the form, and there is none: put it there and import again"
    ]
    copy = tmp_path / "all-question-types.xlsx"
    shutil.copy(REALFORMS / "all-question-types.xlsx", copy)
    (tmp_path / "cities.geojson").write_text(json.dumps(CITIES), encoding="utf-8")
    result = import_form(copy)
    assert not result.unsupported
    rank, city = result.definition.field("rank"), result.definition.field("map")
    assert rank is not None and rank.type is FieldType.RANKING and len(rank.options) == 4
    assert city is not None and [o.label for o in city.options] == ["Paris", "Berlin", "nowhere"]
    assert run_cli("check", str(copy), data_dir=data_dir).returncode == 0

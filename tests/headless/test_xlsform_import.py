"""The XLSForm importer: constructs from the XLSForm spec (own small forms in pyxform's
Markdown), the XPath translation evaluated by the real logic, refusals with their
places, hostile workbooks, and the real forms of ../shared/realforms/xlsform."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.problems import WizardFileError
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.xlsform import import_xlsform

REALFORMS = Path(__file__).resolve().parents[3] / "shared" / "realforms" / "xlsform"
if not REALFORMS.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    REALFORMS = Path("/work/shared/realforms/xlsform")


def form(
    tmp_path: Path, survey: str, choices: str = "", settings: str = "", name: str = "f.md"
) -> Path:
    text = "| survey |\n" + survey
    if choices:
        text += "| choices |\n" + choices
    if settings:
        text += "| settings |\n" + settings
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def steps_for(result: Any, answers: dict[str, Any]) -> tuple[str, ...]:
    return wizard_logic(result.definition).resolve(answers).steps


YES_NO = """|  | list_name | name | label |
|  | yn | yes | Yes |
|  | yn | no | No |
"""


def test_screens_as_odk_collect_shows_them(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | relevant | appearance |
|  | select_one yn | go | Go on? | | |
|  | begin_group | page | A page | ${go} = 'yes' | field-list |
|  | text | a | A | | |
|  | integer | b | B | ${a} != '' | |
|  | end_group | | | | |
|  | begin_group | plain | Plain group | ${go} = 'yes' | |
|  | date | c | C | | |
|  | decimal | d | D | ${go} != 'no' | |
|  | end_group | | | | |
""",
        YES_NO,
    )
    result = import_form(path)
    definition = result.definition
    assert [s.id for s in definition.steps] == ["go", "page", "c", "d"]
    assert [f.id for f in definition.step("page").fields] == ["a", "b"]
    assert steps_for(result, {}) == ("go",)
    assert steps_for(result, {"go": "yes"}) == ("go", "page", "c", "d")
    resolved = wizard_logic(definition).resolve({"go": "yes", "a": "x"})
    assert "b" in resolved.fields
    assert "b" not in wizard_logic(definition).resolve({"go": "yes"}).fields
    assert definition.step("c").title == "Plain group"


def test_types_and_binds(tmp_path: Path) -> None:
    header = (
        "|  | type | name | label | required | required_message | constraint "
        "| constraint_message | default | calculation | read_only |\n"
    )
    path = form(
        tmp_path,
        header
        + """|  | start | start | | | | | | | | |
|  | text | name | Name | yes | Say it | string-length(.) >= 2 | Two letters | | | |
|  | integer | age | Age | | | . >= 0 and . < 130 | Really? | 30 | | |
|  | select_multiple yn | many | Many | | | count-selected(.) < 2 | One | | | |
|  | time | t | Time | | | | | | | |
|  | dateTime | dt | When | | | | | | | |
|  | geopoint | where | Where | | | | | | | |
|  | barcode | code | Code | | | | | | | |
|  | acknowledge | ok | Sure? | | | | | | | |
|  | range | r | Range | | | | | | | |
|  | calculate | double | | | | | | | ${age} * 2 | |
|  | note | n | Twice ${age} is ${double} | | | | | | | |
|  | text | ro | Read only | | | | | | | yes |
""",
        YES_NO,
    )
    definition = import_form(path).definition
    fields = {f.id: f for s in definition.steps for f in s.fields}
    assert "start" not in fields  # metadata is not asked
    assert fields["name"].required and fields["name"].constraint is not None
    assert fields["name"].help == "Required: Say it"
    assert fields["name"].constraint_message == "Two letters"
    assert fields["age"].default == 30
    assert fields["t"].type.value == "time"
    assert fields["dt"].type.value == "text" and fields["where"].type.value == "text"
    assert fields["ok"].type.value == "choice"
    assert fields["r"].type.value == "rating"
    assert fields["double"].type.value == "calculated" and fields["double"].hidden
    logic = wizard_logic(definition)
    resolved = logic.resolve({"name": "A", "age": 21, "many": ["yes", "no"], "where": "91 10"})
    assert resolved.values["double"] == 42
    assert set(resolved.problems) >= {"name", "many", "where"}
    fine = logic.resolve({"name": "Ann", "age": 21, "many": ["yes"], "where": "-1.29 36.82 0 5"})
    assert not {"name", "many", "where"} & set(fine.problems)
    assert "ro" in fine.disabled


@pytest.mark.parametrize(
    ("xpath", "answers", "shown"),
    [
        ("selected(${m}, 'yes')", {"m": ["yes"]}, True),
        ("selected(${m}, 'yes')", {"m": ["no"]}, False),
        ("not(${x} = 'a') and ${n} > 2", {"x": "b", "n": 3}, True),
        ("${n} mod 2 = 1 or ${n} div 4 = 1", {"n": 4}, True),
        ("if(${n} > 5, 'big', 'small') = 'small'", {"n": 1}, True),
        ("coalesce(${x}, 'none') = 'none'", {}, True),
        ("concat(${x}, '-', ${n}) = 'a-3'", {"x": "a", "n": 3}, True),
        ("int(${n} div 2) = 1", {"n": 3}, True),
        ("round(${n} div 3, 1) = 1.3", {"n": 4}, True),
        ("number(${x}) + 1 = 6", {"x": "5"}, True),
        ("regex(${x}, '^[a-z]+$')", {"x": "abc"}, True),
        ("regex(${x}, '^[a-z]+$')", {"x": "ab1"}, False),
        ("string-length(${x}) = 3", {"x": "abc"}, True),
        ("count-selected(${m}) = 2", {"m": ["yes", "no"]}, True),
        ("today() = today()", {}, True),
        ("${n} >= 18", {}, False),
    ],
)
def test_xpath_paths(tmp_path: Path, xpath: str, answers: dict[str, Any], shown: bool) -> None:
    path = form(
        tmp_path,
        f"""|  | type | name | label | relevant |
|  | text | x | X | |
|  | integer | n | N | |
|  | select_multiple yn | m | M | |
|  | note | shown | Shown | {xpath.replace("|", "&#124;")} |
""",
        YES_NO,
    )
    result = import_form(path)
    assert ("shown" in steps_for(result, answers)) is shown


def test_choice_filter_and_or_other(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | choice_filter |
|  | select_one state | s | State | |
|  | select_one city | c | City | state=${s} |
|  | select_multiple state or_other | more | More | |
""",
        """|  | list_name | name | label | state |
|  | state | tx | Texas | |
|  | state | wa | Washington | |
|  | city | austin | Austin | tx |
|  | city | seattle | Seattle | wa |
""",
    )
    definition = import_form(path).definition
    resolved = wizard_logic(definition).resolve({"s": "wa"})
    assert resolved.options["c"] == ("seattle",)
    more = definition.step("more").fields[0]
    assert [o.value for o in more.options] == ["tx", "wa", "other"]
    assert "more_other" in [s.id for s in definition.steps]
    assert "more_other" in steps_for(import_form(path), {"more": ["other"]})


def test_settings_and_languages(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label::English (en) | label::French (fr) |
|  | text | a | Name | Nom |
""",
        settings="""|  | form_title | form_id | version | default_language |
|  | My Form | my_form | 7 | French (fr) |
""",
    )
    result = import_form(path)
    assert result.definition.title == "My Form"
    assert result.definition.id == "my_form"
    assert result.data["default_language"] == "fr"
    assert result.data["languages"] == ["fr", "en"]
    assert "version 7" in str(result.data["description"])


def test_regex_patterns_are_checked_at_import(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | constraint |
|  | text | a | A | regex(., '^(?=x)') |
|  | text | b | B | regex(., ${a}) |
""",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    reasons = [item.reason for item in refused.value.items]
    assert reasons[0].startswith("constraint uses regex() with a pattern that is ")
    assert "lookahead" in reasons[0]
    assert reasons[1] == "constraint uses regex() with a pattern that is not a quoted text"


def test_unsupported_listed_at_once_and_skipped(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | relevant |
|  | text | a | A | |
|  | integer | b | B | digest(${a}, 'MD5') = 1 |
|  | background-audio | c | C | |
|  | select_one_from_file places.csv | d | D | |
""",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    lines = [str(item) for item in refused.value.items]
    assert lines == [
        "f.md: survey row 3 (b): relevant uses digest(), which Wizard Desktop cannot evaluate",
        "f.md: survey row 4 (c): the question type 'background-audio' cannot be played yet",
        "f.md: survey row 5 (d): select_one_from_file needs places.csv beside the form, "
        "and there is none: put it there and import again",
    ]
    result = import_form(path, skip_unsupported=True)
    assert len(result.unsupported) == 3
    description = result.definition.description or ""
    assert "Left out when this form was imported" in description
    assert "survey row 3 (b): relevant uses digest()" in description
    assert [s.id for s in result.definition.steps] == ["a", "b"]  # b without its relevant
    (tmp_path / "places.csv").write_text("name,label\nhere,Here\nthere,There\n", encoding="utf-8")
    result = import_form(path, skip_unsupported=True)
    assert [o.value for o in result.definition.step("d").fields[0].options] == ["here", "there"]


def test_pyxform_messages_are_pyxforms(tmp_path: Path) -> None:
    path = form(tmp_path, "|  | type | name | label |\n|  | select_one nolist | a | A |\n")
    with pytest.raises(WizardFileError) as error:
        import_form(path)
    message = str(error.value)
    assert message.startswith("f.md: There should be a choices sheet") and "\n" not in message


# --- hostile workbooks --------------------------------------------------------------


def _xlsx(tmp_path: Path, parts: dict[str, bytes], name: str = "h.xlsx") -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_zip_bomb_refused_from_the_directory(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, {"xl/worksheets/sheet1.xml": b"\0" * (200 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(WizardFileError, match="unpacks to 210 MB"):
        import_xlsform(path)


@pytest.mark.parametrize(
    ("part", "message"),
    [("xl/vbaProject.bin", "macros"), ("xl/externalLinks/externalLink1.xml", "externalLinks")],
)
def test_macros_and_external_links_refused(tmp_path: Path, part: str, message: str) -> None:
    path = _xlsx(tmp_path, {"[Content_Types].xml": b"<Types/>", part: b"x"})
    with pytest.raises(WizardFileError, match=message):
        import_xlsform(path)


def test_formula_without_cached_value_refused(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "a", '=CONCAT("A", "B")'])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    with pytest.raises(WizardFileError, match=r"cell C2 .* holds a formula without a value"):
        import_xlsform(path)


def test_fifty_megabytes_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(WizardFileError, match=r"52\.4 MB"):
        import_xlsform(path)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(WizardFileError, match="not a zip file"):
        import_xlsform(path)


# --- the real forms -----------------------------------------------------------------

IMPORTED = [
    "cascading-select.xlsx",
    "group.md",
    "hotosm-buildings.xlsx",
    "hotosm-highways.xlsx",
    "hotosm-parking-survey.xlsx",
    "hotosm-waste-collection.xlsx",
    "loop-over-choices.md",
    "recensement-etablissements-scolaires.xlsx",
    "socio-economic-survey.xlsx",
    "who-verbal-autopsy.xlsx",
    "xlsform-spec-test.xlsx",
]


@pytest.mark.parametrize("name", IMPORTED)
def test_real_forms_import(name: str) -> None:
    result = import_form(REALFORMS / name)
    assert result.definition.steps and not result.unsupported


@pytest.mark.parametrize(
    "name", sorted(p.name for p in REALFORMS.glob("*") if p.is_file() and p.name not in IMPORTED)
)
def test_real_forms_refused_with_places(name: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_form(REALFORMS / name)
    assert all(item.place.startswith("survey") for item in refused.value.items)
    result = import_form(REALFORMS / name, skip_unsupported=True)
    assert result.unsupported == refused.value.items


def test_who_verbal_autopsy_paths() -> None:
    """Id10013 is the consent: its rows' relevant is selected(${Id10013}, 'yes'), so
    without it the interview ends there (ODK Collect goes to the end)."""
    result = import_form(REALFORMS / "who-verbal-autopsy.xlsx")
    logic = wizard_logic(result.definition)
    refused = logic.resolve({"Id10013": "no"}).steps
    assert refused[-1] == "Id10013" and "Id10017" not in refused
    consented = logic.resolve({"Id10013": "yes"}).steps
    assert {"Id10017", "Id10018", "Id10019", "Id10020"} <= set(consented)
    assert len(consented) > len(refused)


# --- the command line ---------------------------------------------------------------


def test_cli_check_import_and_convert(tmp_path: Path) -> None:
    from tests.headless.test_surveyjs_import import run_cli

    data_dir = tmp_path / "data"
    who = str(REALFORMS / "who-verbal-autopsy.xlsx")
    checked = run_cli("check", who, data_dir=data_dir)
    assert checked.returncode == 0 and checked.stdout.strip().endswith(": ok")
    refused = run_cli("check", str(REALFORMS / "ucl-biomass-plot.xlsx"), data_dir=data_dir)
    assert refused.returncode != 0
    assert "survey row 16 (region_id): select_one_from_file needs UCL_regions.csv" in refused.stderr
    assert "Traceback" not in refused.stderr
    skipped = run_cli(
        "import",
        "--skip-unsupported",
        str(REALFORMS / "ucl-biomass-plot.xlsx"),
        data_dir=data_dir,
    )
    assert skipped.returncode == 0, skipped.stderr
    out = tmp_path / "who.yaml"
    converted = run_cli("convert", who, "--output", str(out), data_dir=data_dir)
    assert converted.returncode == 0, converted.stderr
    assert run_cli("check", str(out), data_dir=data_dir).returncode == 0
    # the YAML plays exactly like the import
    from wizard_desktop.definition.loader import load_wizard_file

    again = load_wizard_file(out)
    imported = import_form(REALFORMS / "who-verbal-autopsy.xlsx").definition
    answers = {"Id10019": "female", "ageInYears": 30, "Id10013": "yes"}
    assert (
        wizard_logic(again).resolve(answers).steps == wizard_logic(imported).resolve(answers).steps
    )


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("xpath_selected", ["a b", "b"], True),
        ("xpath_selected", [["a", "b"], "c"], False),
        ("xpath_selected", [None, "a"], False),
        ("xpath_count_selected", ["a b c"], 3),
        ("xpath_count_selected", [None], 0),
        ("xpath_string_length", [12.5], 4),
        ("xpath_string_length", [None], 0),
        ("xpath_coalesce", ["", "x"], "x"),
        ("xpath_coalesce", [0, "x"], 0),
        ("xpath_concat", ["a", None, 1, ["b", "c"]], "a1b c"),
        ("xpath_number", ["2.5"], 2.5),
        ("xpath_number", ["abc"], None),
        ("xpath_number", [True], 1),
        ("xpath_int", [-2.7], -2),
        ("xpath_int", [""], None),
        ("xpath_regex", ["ab12", "[0-9]{2}"], True),
        ("xpath_regex", ["ab1", "^[0-9]+$"], False),
    ],
)
def test_xpath_functions(name: str, arguments: list[object], expected: object) -> None:
    from wizard_desktop.definition.expression_functions import FUNCTIONS

    assert FUNCTIONS[name][0](arguments) == expected


def test_cli_resolve_reads_an_xlsform(tmp_path: Path) -> None:
    import json

    from tests.headless.test_surveyjs_import import run_cli

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"Id10013": "no"}), encoding="utf-8")
    who = str(REALFORMS / "who-verbal-autopsy.xlsx")
    resolved = run_cli("resolve", who, "--answers", str(answers), data_dir=tmp_path / "d")
    assert resolved.returncode == 0, resolved.stderr
    steps = json.loads(resolved.stdout)["steps"]
    assert steps[-1] == "Id10013" and "Id10017" not in steps


def test_a_csv_beside_the_form_is_read_within_bounds(tmp_path: Path) -> None:
    """select_one_from_file's CSV: more rows than a question has options is refused
    naming the file (it was read whole, then refused as the step's options), and one
    over the size a file beside the form may have says that limit."""
    path = form(
        tmp_path, "|  | type | name | label |\n|  | select_one_from_file big.csv | d | D |\n"
    )
    rows = "".join(f"r{n},Row {n}\n" for n in range(1001))
    (tmp_path / "big.csv").write_text("name,label\n" + rows, encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    assert [str(item) for item in refused.value.items] == [
        "f.md: survey row 2 (d): big.csv has more than 1000 rows; a question has at most "
        "1000 options"
    ]
    (tmp_path / "big.csv").write_text("name,label\n" + "x" * 3_000_000, encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    assert [str(item) for item in refused.value.items] == [
        "f.md: survey row 2 (d): select_one_from_file needs big.csv beside the form, which "
        "cannot be read (the file is 3.0 MB; the limit is 2 MB)"
    ]
    # every column is copied into every choice (a choice_filter may read it): a header
    # of 20,000 columns is refused before a row is read (it took 230 MB)
    header = ",".join(["name", "label", *(f"c{n}" for n in range(19_998))])
    (tmp_path / "big.csv").write_text(header + "\n" + "a,A" + "," * 19_998 + "\n", "utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    assert [str(item) for item in refused.value.items] == [
        "f.md: survey row 2 (d): big.csv has 20000 columns; at most 100 are read"
    ]
    (tmp_path / "big.csv").write_text(
        ",".join(["name", "label", *(f"c{n}" for n in range(98))]) + "\na,A\n", "utf-8"
    )
    (choice,) = import_form(path).definition.fields[0].options
    assert (choice.value, choice.label) == ("a", "A")


@pytest.mark.parametrize(("levels", "refused"), [(50, False), (51, True), (3000, True)])
def test_groups_nested_deeper_than_the_limit_are_one_line(
    tmp_path: Path, levels: int, refused: bool
) -> None:
    """pyxform reads thousands of nested groups; the import walks them recursing once a
    level: more than MAX_GROUP_NESTING is refused in one line (it was a RecursionError
    traceback)."""
    rows = (
        "|  | type | name | label |\n"
        + "".join(f"|  | begin_group | g{n} | G |\n" for n in range(levels))
        + "|  | text | a | A |\n"
        + "|  | end_group | | |\n" * levels
    )
    path = form(tmp_path, rows)
    if not refused:
        assert [f.id for s in import_form(path).definition.steps for f in s.fields] == ["a"]
        return
    with pytest.raises(WizardFileError) as error:
        import_form(path)
    assert str(error.value) == "f.md: groups and repeats nest more than 50 levels"


def test_an_empty_reference_is_refused_with_its_row(tmp_path: Path) -> None:
    """`${}` (pyxform lets it through) names no question: refused with its row (it went
    on as `{}` and failed the format 2 check, placed as steps[1].fields[0])."""
    path = form(
        tmp_path,
        "|  | type | name | label | calculation |\n|  | text | a | A | |\n"
        "|  | calculate | b | | ${} |\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    assert [str(item) for item in refused.value.items] == [
        "f.md: survey row 3 (b): calculation reads ${}, which names no question"
    ]


def test_a_bug_in_an_importer_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net in `import_form`: whatever an importer raises that is no refusal
    (here a KeyError planted in the XLSForm mapping) becomes one line naming the file."""
    from wizard_desktop.importers import xlsform

    def broken(self: object) -> None:
        raise KeyError("planted")

    monkeypatch.setattr(xlsform._Builder, "build", broken)
    path = form(tmp_path, "|  | type | name | label |\n|  | text | a | A |\n")
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    (problem,) = refused.value.problems
    assert problem.message == "internal error while importing (KeyError: 'planted')"
    assert problem.file == str(path)


def test_what_the_format_2_check_refuses_names_its_survey_row(tmp_path: Path) -> None:
    """A default the format 2 check refuses (`nan`, found by the import fuzz) is placed
    at its survey row, not at the format-2 path `steps[0].fields[0].default`."""
    path = form(
        tmp_path,
        "|  | type | name | label | default |\n|  | integer | n | N | nan |\n"
        "|  | rank yn | rk | RK | yes maybe |\n",
        YES_NO.replace("|  | yn", "|  | yn"),
    )
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    assert [str(p) for p in refused.value.problems] == [
        "f.md: survey row 2 (n): default: expected a finite number, got nan",
        "f.md: survey row 3 (rk): default: unknown option 'maybe'; expected values among yes, no",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "| survey |\n|  | type | name | label |\n|  | text | a | A | extra |\n",
            "f.md: row 2 of the 'survey' table has 4 cells; its header row has 3",
        ),
        (
            "| survey |\n|  | type | name | label |\n|  | text | a | A |\n| choices |\n",
            "f.md: the 'choices' table has no header row",
        ),
    ],
)
def test_broken_markdown_tables_are_one_line_naming_the_table(
    tmp_path: Path, text: str, message: str
) -> None:
    """Found by the import fuzz: pyxform's Markdown reader fails with an IndexError on
    these (it was "cannot read the XLSForm (IndexError: tuple index out of range)")."""
    path = tmp_path / "f.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    assert str(refused.value) == message


def test_a_header_cell_that_is_no_text_is_named(tmp_path: Path) -> None:
    """A TRUE (or a number, a date) as a column name (found by the import fuzz): it was
    "cannot read the XLSForm (AttributeError: 'bool' object has no attribute 'strip')"."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", True])
    sheet.append(["text", "a", "A", "x"])
    path = tmp_path / "h.xlsx"
    book.save(path)
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    assert (
        str(refused.value)
        == "h.xlsx: the header cell D1 of the 'survey' sheet is true, not a column name"
    )


def test_a_loop_copy_is_placed_at_its_questions_row_and_the_description_bounded(
    tmp_path: Path,
) -> None:
    """Found by the import fuzz: a loop's copy of a question (`loop.choice.q`) refused
    by the format 2 check was placed at a step path; a form whose left-out list and
    metadata outgrow a description was refused for its description's length."""
    path = form(
        tmp_path,
        "|  | type | name | label |\n|  | begin loop over yn | lp | L |\n"
        "|  | integer | n | N %(label)s |\n|  | end loop | | |\n",
        "|  | list_name | name | label |\n|  | yn | y\u0007s | Yes |\n",  # a BEL in a name
    )
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    assert all(p.path.startswith("survey row 3 (lp.y") for p in refused.value.problems)
    many = "".join(f"|  | deviceid | d{i} | |\n" for i in range(2000))
    path = form(tmp_path, "|  | type | name | label |\n|  | text | a | A |\n" + many, name="m.md")
    description = import_form(path).definition.description
    assert description is not None and len(description) == 20_000 and description.endswith("…")


def test_an_or_other_text_is_placed_at_its_selects_row(tmp_path: Path) -> None:
    """The text pyxform adds for `or_other` (`q_other`) has no row of its own: what the
    format 2 check refuses there is placed at the select's row (found by the fuzz: a
    form title with a bidi control, the title of every step, was at a step path)."""
    path = form(
        tmp_path,
        "|  | type | name | label |\n|  | select_one yn or_other | q | Q |\n",
        YES_NO,
        "|  | form_title |\n|  | A\u202eB |\n",
    )
    with pytest.raises(WizardFileError) as refused:
        import_form(path)
    assert [p.path for p in refused.value.problems] == [
        "title",
        "survey row 2 (q)",
        "survey row 2 (q_other)",
    ]

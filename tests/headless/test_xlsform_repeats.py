"""XLSForm repeats, repeat_count, count()/sum()/position(..)/indexed-repeat(), jr:itext()
of a choice, the metadata types, the XPath math functions and select_one_from_file:
each on a small form of our own (pyxform's Markdown tables) whose expected paths and
values are written from the XLSForm spec (xlsform.org) and ODK's XPath functions
(docs.getodk.org/form-operators-functions), then the real forms that use them."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.headless.test_xlsform_import import REALFORMS, YES_NO, form
from wizard_desktop.definition.logic import Resolution, wizard_logic
from wizard_desktop.definition.repeats import expand_for, flattened
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.common import ImportResult


def resolved(result: ImportResult, document: dict[str, Any]) -> Resolution:
    """What the wizard shows and computes for answers given as `resolve` takes them
    (a repeat's answers nested as a list of objects), on the laid-out definition."""
    definition = result.definition
    answers, counts = flattened(definition, document)
    laid_out = expand_for(
        definition, counts, answers, lambda d, a: wizard_logic(d).resolve(a).scope
    ).definition
    return wizard_logic(laid_out).resolve(answers)


def label(shown: Resolution, field_id: str) -> str | None:
    """A field's label as rendered for these answers (only texts with {name} are)."""
    return shown.texts.get((field_id, "label"))


HOUSEHOLD = """|  | type | name | label | relevant | calculation |
|  | text | head | Head of household | | |
|  | select_one yn | others | Anyone else? | | |
|  | begin_repeat | member | Member | ${others} = 'yes' | |
|  | text | mname | Name | | |
|  | integer | age | Age | | |
|  | note | seq | Member ${mname} is number ${pos} | | |
|  | calculate | pos | | | position(..) |
|  | end_repeat | | | | |
|  | calculate | members | | | count(${member}) |
|  | calculate | total_age | | | sum(${age}) |
|  | calculate | named | | | count(${mname}) |
|  | calculate | second | | | indexed-repeat(${mname}, ${member}, 2) |
|  | note | summary | ${members} members, ${total_age} years | | |
"""


def test_a_repeat_is_its_screens_once_per_instance(tmp_path: Path) -> None:
    """begin_repeat/end_repeat: its questions asked once per instance (each a screen of
    its own, as outside a repeat), the repeat's relevant on each of them; the answers
    keep the source's names inside `member[i].`."""
    result = import_form(form(tmp_path, HOUSEHOLD, YES_NO))
    (repeat,) = result.data["repeats"]  # type: ignore[misc]
    assert repeat["id"] == "member" and repeat["steps"] == ["mname", "age", "seq", "pos"]
    assert repeat["min"] == 0 and "repeat_count" not in repeat
    assert repeat["item_label"] == "Member {member.number}"
    assert repeat["add_label"] == "Add another: Member"

    two = {"head": "Ana", "others": "yes", "member": [{"mname": "Bo", "age": 40}, {"age": 2}]}
    shown = resolved(result, two)
    assert shown.steps == (  # a calculate is no screen (hide_empty_steps), as in ODK
        "head", "others",
        "member[0].mname", "member[0].age", "member[0].seq",
        "member[1].mname", "member[1].age", "member[1].seq",
        "summary",
    )  # fmt: skip
    # count(${member}): instances; sum(${age}); count(${mname}): the answered ones
    # (docs/repeats.md); position(..): the instance's number, 1-based
    assert shown.values["members"] == 2 and shown.values["total_age"] == 42
    assert shown.values["named"] == 1
    assert shown.values["member[0].pos"] == 1 and shown.values["member[1].pos"] == 2
    assert label(shown, "member[0].seq") == "Member Bo is number 1"
    assert label(shown, "summary") == "2 members, 42 years"
    # indexed-repeat(${mname}, ${member}, 2): the second instance's name
    named_second = resolved(result, {**two, "member": [{"mname": "Bo"}, {"mname": "Cy"}]})
    assert named_second.values["second"] == "Cy"

    # relevant on the repeat: not relevant, none of its screens
    alone = resolved(result, {"head": "Ana", "others": "no"})
    assert not any(step.startswith("member[") for step in alone.steps)


COUNTED = """|  | type | name | label | repeat_count | calculation |
|  | integer | n | How many children? | | |
|  | begin_repeat | child | Child | ${n} | |
|  | text | cname | Name of child ${pos} | | |
|  | calculate | pos | | | position(..) |
|  | end_repeat | | | | |
|  | begin_repeat | twice | Twice | 2 | |
|  | text | t | T | | |
|  | end_repeat | | | | |
"""


@pytest.mark.parametrize("n", [0, 1, 3])
def test_repeat_count_gives_that_many_instances(tmp_path: Path, n: int) -> None:
    """repeat_count: exactly that many instances, no "Add another" (a literal count is
    pyxform's own calculate, `twice_count`)."""
    result = import_form(form(tmp_path, COUNTED))
    child, twice = result.data["repeats"]  # type: ignore[misc]
    assert child["repeat_count"] == "{n}" and "min" not in child
    assert twice["repeat_count"] == "{twice_count}"
    shown = resolved(result, {"n": n})
    children = [s for s in shown.steps if s.startswith("child[")]
    assert children == [f"child[{i}].cname" for i in range(n)]  # `pos` is no screen
    assert [s for s in shown.steps if s.startswith("twice[")] == ["twice[0].t", "twice[1].t"]
    if n:
        assert label(shown, f"child[{n - 1}].cname") == f"Name of child {n}"


def test_nested_repeat_is_refused_with_its_place(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label |
|  | begin_repeat | outer | Outer |
|  | text | a | A |
|  | begin_repeat | inner | Inner |
|  | text | b | B |
|  | end_repeat | | |
|  | end_repeat | | |
""",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    (item,) = refused.value.items
    assert item.place == "survey row 4 (inner)" and "repeats do not nest" in item.reason
    skipped = import_form(path, skip_unsupported=True)
    assert skipped.data["repeats"] == [  # type: ignore[comparison-overlap]
        {"id": "outer", "steps": ["a"], "min": 0, "max": 1000, "add_label": "Add another: Outer",
         "item_label": "Outer {outer.number}"}
    ]  # fmt: skip


def test_reading_a_repeats_question_from_outside_is_refused(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        """|  | type | name | label | relevant |
|  | begin_repeat | r | R | |
|  | text | q | Q | |
|  | end_repeat | | | |
|  | text | after | After | ${q} = 'x' |
""",
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    (item,) = refused.value.items
    assert item.place == "survey row 5 (after)"
    assert "asked once per instance of the repeat r" in item.reason


def test_a_repeat_of_field_list_groups(tmp_path: Path) -> None:
    """A field-list (or table-list) group in a repeat is one screen per instance."""
    result = import_form(
        form(
            tmp_path,
            """|  | type | name | label | appearance | repeat_count |
|  | begin_repeat | r | R | | 2 |
|  | begin_group | page | Page | field-list | |
|  | text | a | A | | |
|  | text | b | B | | |
|  | end_group | | | | |
|  | begin_group | table | Table | table-list | |
|  | select_one yn | c | C | | |
|  | end_group | | | | |
|  | end_repeat | | | | |
""",
            YES_NO,
        )
    )
    shown = resolved(result, {})
    assert shown.steps == ("r[0].page", "r[0].table", "r[1].page", "r[1].table")
    # a table-list group starts with pyxform's own label row (a note; its header row of
    # choice labels is not a question)
    asked = tuple(f for f in shown.fields if "generated_table_list_label" not in f)
    assert asked == ("r[0].a", "r[0].b", "r[0].c", "r[1].a", "r[1].b", "r[1].c")


ITEXT_SPACED = "jr:itext(instance('class')/root/item[name = ${income}]/itextId)"
ITEXT_TIGHT = 'jr:itext(instance("class")/root/item[name=${income}]/itextId)'


def test_jr_itext_is_the_label_of_the_choice(tmp_path: Path) -> None:
    """jr:itext(instance('list')/root/item[name = ${q}]/itextId): the label of the
    choice ${q} names (in the default language: the value is stored once)."""
    result = import_form(
        form(
            tmp_path,
            f"""| | type | name | label::English (en) | label::French (fr) | calculation | readonly|
|  | select_one income | income | Income | Revenu | | |
|  | select_one class | class_list | class | class | | |
|  | text | class_name | Class | Classe | {ITEXT_SPACED} | yes |
|  | calculate | shown | | | {ITEXT_TIGHT} | |
""",
            """|  | list_name | name | label::English (en) | label::French (fr) |
|  | income | 1 | Low | Bas |
|  | income | 2 | High | Haut |
|  | class | 1 | Lower class | Classe inférieure |
|  | class | 2 | Upper class | Classe supérieure |
""",
        )
    )
    logic = wizard_logic(result.definition)
    assert logic.resolve({"income": "2"}).values["shown"] == "Upper class"
    assert logic.resolve({"income": "1"}).defaults["class_name"] == "Lower class"
    assert logic.resolve({}).values["shown"] is None


def test_other_jr_itext_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_form(
            form(
                tmp_path,
                """|  | type | name | label | calculation |
|  | integer | a | A | |
|  | calculate | c | | jr:itext(${a}) |
""",
            )
        )
    assert "jr:itext(), which Wizard Desktop cannot evaluate" in refused.value.items[0].reason


METADATA = """|  | type | name | label |
|  | start | started | |
|  | end | ended | |
|  | today | day | |
|  | deviceid | device | |
|  | username | user | |
|  | phonenumber | phone | |
|  | email | mail | |
|  | subscriberid | sub | |
|  | simserial | sim | |
|  | text | q | Q |
|  | note | show | s=${started} e=${ended} t=${day} d=${device} u=${user} p=${phone} |
"""


def test_each_metadata_type_is_recorded_or_ignored_and_said_which(tmp_path: Path) -> None:
    """today and end are recorded (today(); the time of the last save, so the
    completion time once completed); the others are ignored: not stored, empty in a
    text, and the wizard's description names each."""
    import datetime

    result = import_form(form(tmp_path, METADATA))
    description = str(result.data["description"])
    assert "Recorded as calculated values: ended (currentDate()), day (today())." in description
    for name in ("started", "device", "user", "phone", "mail", "sub", "sim"):
        assert f" {name} (" in description.split("Ignored metadata")[1]
    shown = wizard_logic(result.definition).resolve({"q": "x"})
    today = datetime.date.today().isoformat()
    assert shown.values["day"] == today
    assert str(shown.values["ended"]).startswith(today + "T")
    assert set(shown.values) == {"day", "ended"}  # nothing else stored
    text = label(shown, "show")
    assert text == f"s= e={shown.values['ended']} t={today} d= u= p="
    assert shown.steps == ("q", "show")  # recorded metadata is no screen


def test_metadata_read_by_an_expression(tmp_path: Path) -> None:
    """${today} is a value an expression can read; an ignored one is refused there
    (it would silently read empty), with its place."""
    ok = import_form(
        form(
            tmp_path,
            """|  | type | name | label | relevant |
|  | today | day | | |
|  | date | d | Date | |
|  | note | future | In the future | ${d} > ${day} |
""",
        )
    )
    assert wizard_logic(ok.definition).resolve({"d": "2999-01-01"}).fields == ("d", "future")
    assert wizard_logic(ok.definition).resolve({"d": "2000-01-01"}).fields == ("d",)
    with pytest.raises(ImportRefused) as refused:
        import_form(
            form(
                tmp_path,
                """|  | type | name | label | relevant |
|  | deviceid | device | | |
|  | text | q | Q | ${device} != '' |
""",
                name="g.md",
            )
        )
    assert refused.value.items[0].place == "survey row 3 (q)"
    assert "metadata ${device}, which is not recorded" in refused.value.items[0].reason


@pytest.mark.parametrize(
    ("xpath", "answer", "expected"),
    [
        ("sqrt(${x})", 16, 4),
        ("sqrt(${x})", -1, None),  # NaN: empty
        ("pow(${x}, 3)", 2, 8),
        ("pow(${x}, 0.5)", 9, 3),
        ("exp(${x})", 0, 1),
        ("exp10(${x})", 2, 100),
        ("log(${x})", 1, 0),
        ("log10(${x})", 1000, 3),
        ("log(${x})", 0, None),
        ("abs(${x})", -2.5, 2.5),
        ("sin(${x})", 0, 0),
        ("cos(${x})", 0, 1),
        ("tan(${x})", 0, 0),
        ("asin(${x})", 1, math.pi / 2),
        ("acos(${x})", 1, 0),
        ("atan(${x})", 1, math.pi / 4),
        ("atan2(${x}, 1)", 1, math.pi / 4),
        ("floor(${x})", -1.5, -2),
        ("ceiling(${x})", 1.2, 2),
        ("pi() * ${x}", 2, 2 * math.pi),
        ("round(15 div (sqrt(cos(atan(${x} div 100)))), 2)", 20, 15.15),
        ("sqrt(${x})", None, None),  # unanswered: number('') is NaN
    ],
)
def test_math_functions(tmp_path: Path, xpath: str, answer: object, expected: object) -> None:
    result = import_form(
        form(
            tmp_path,
            f"""|  | type | name | label | calculation |
|  | decimal | x | X | |
|  | calculate | c | | {xpath} |
""",
        )
    )
    value = wizard_logic(result.definition).resolve({"x": answer}).values["c"]
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


def _biomass_csvs(folder: Path) -> None:
    """Small CSVs for ucl-biomass-plot (ODK's columns: name, label, and the columns the
    form's choice_filters read)."""
    files = {
        "UCL_regions.csv": "name,label\nr1,Region One\nr2,Region Two\n",
        "UCL_districts.csv": "name,label,region_id\nd1,District A,r1\nd2,District B,r2\n",
        "UCL_villages.csv": "name,label,district_id\nv1,Village X,d1\nv2,Village Y,d2\n",
        "ULC_Biomass_Plots.csv": "name,label,village,plant_phase\n"
        "p1,Plot 1,v1,2022\np2,Plot 2,v1,2023\np3,Plot 3,v2,2022\n",  # plant_phase: years
        "species_names.csv": "name,label\nacacia,Acacia\nother,Other\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_select_one_from_file_reads_the_csv_beside_the_form(tmp_path: Path) -> None:
    (tmp_path / "towns.csv").write_text(
        "name,label,region\nt1,Town 1,north\nt2,Town 2,south\nt3,Town 3,north\n", "utf-8"
    )
    path = form(
        tmp_path,
        """|  | type | name | label | choice_filter |
|  | select_one region | region | Region | |
|  | select_one_from_file towns.csv | town | Town | region=${region} |
""",
        """|  | list_name | name | label |
|  | region | north | North |
|  | region | south | South |
""",
    )
    result = import_form(path)
    logic = wizard_logic(result.definition)
    assert logic.resolve({"region": "north"}).options["town"] == ("t1", "t3")
    assert logic.resolve({"region": "south"}).options["town"] == ("t2",)
    (tmp_path / "towns.csv").unlink()
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    assert refused.value.items[0].place == "survey row 3 (town)"
    assert "needs towns.csv beside the form" in refused.value.items[0].reason


# --- the real forms -----------------------------------------------------------------


def test_socio_economic_survey() -> None:
    """Its household members repeat, and SEClass: the label of the class of the
    income chosen (jr:itext of the `seclass` list)."""
    result = import_form(REALFORMS / "socio-economic-survey.xlsx")
    assert not result.unsupported
    (repeat,) = result.data["repeats"]  # type: ignore[misc]
    assert repeat["id"] == "familyMembers"
    assert repeat["steps"] == ["firstNameFM", "gender", "health"]
    members = [{"firstNameFM": "Ada", "gender": "1"}, {"firstNameFM": "Bo", "healthVisit": "1"}]
    shown = resolved(result, {"householdIncome": "4", "familyMembers": members})
    assert shown.defaults["SEClass"] == "Middle"
    assert [s for s in shown.steps if s.startswith("familyMembers")] == [
        f"familyMembers[{i}].{s}" for i in (0, 1) for s in ("firstNameFM", "gender", "health")
    ]
    # healthFacility is relevant when healthVisit = 1, in its own instance only
    assert "familyMembers[1].healthFacility" in shown.fields
    assert "familyMembers[0].healthFacility" not in shown.fields


def test_xlsform_spec_test_repeat_and_metadata_notes() -> None:
    result = import_form(REALFORMS / "xlsform-spec-test.xlsx")
    assert not result.unsupported
    shown = resolved(result, {})
    groups = ("group_test", "labeled_select_group", "name", "compact-test", "compact-2-test")
    assert [s for s in shown.steps if s.startswith("repeat_test[")] == [
        f"repeat_test[{i}].{g}" for i in (0, 1) for g in groups
    ]  # repeat_count 2
    texts = {  # a label reading nothing but ignored metadata has no {name} left to render
        f.id: label(shown, f.id) or f.label
        for step in result.definition.steps
        for f in step.fields
        if f.id.endswith("_test_output")
    }
    assert texts["start_test_output"] == "start test output: "
    assert texts["end_test_output"] == f"end test output: {shown.values['end']}"
    assert texts["today_test_output"] == f"today_test_output: {shown.values['today']}"
    assert texts["deviceid_test_output"] == "deviceid_test_output: "
    assert texts["phonenumber_test_output"] == "phonenumber_test_output: "
    description = str(result.data["description"])
    for name in ("start", "deviceid", "uri_deviceid", "phonenumber"):
        assert f" {name} (" in description
    # skip_to_end: the group `everything` (the repeat's count with it) is not relevant
    skipped = resolved(result, {"skip_to_end": "yes"})
    assert skipped.steps == ("skip_to_end", "launch")


def test_ucl_biomass_plot_names_each_missing_csv() -> None:
    with pytest.raises(ImportRefused) as refused:
        import_form(REALFORMS / "ucl-biomass-plot.xlsx")
    reasons = [str(item) for item in refused.value.items]
    for name in (
        "UCL_regions",
        "UCL_districts",
        "UCL_villages",
        "ULC_Biomass_Plots",
        "species_names",
    ):
        assert any(f"needs {name}.csv beside the form" in r for r in reasons), name


def ucl_with_csvs(folder: Path) -> Path:
    """ucl-biomass-plot copied into `folder` with small CSVs beside it."""
    path = folder / "ucl-biomass-plot.xlsx"
    shutil.copyfile(REALFORMS / "ucl-biomass-plot.xlsx", path)
    _biomass_csvs(folder)
    return path


def test_ucl_biomass_plot_with_its_csvs(tmp_path: Path) -> None:
    """With the CSVs beside it, only the stems repeat (inside the trees repeat) is
    refused; without it the form imports: sqrt() in slope_radius, the cascade of CSV
    choice_filters, four repeats, select_one_from_file inside one."""
    path = ucl_with_csvs(tmp_path)
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    (item,) = refused.value.items
    assert item.place == "survey row 43 (stems)" and "repeats do not nest" in item.reason
    result = import_form(path, skip_unsupported=True)
    assert [r["id"] for r in result.data["repeats"]] == [  # type: ignore[attr-defined]
        "trees", "stumps", "subplot1", "subplot2",
    ]  # fmt: skip
    answers = {
        "region_id": "r1", "district_id": "d1", "village": "v1", "plant_phase": "2022",
        "slope": 20, "any_trees": "yes", "trees": [{"tag": 7, "tree_distance": 14}],
    }  # fmt: skip
    shown = resolved(result, answers)
    assert shown.options["district_id"] == ("d1",)
    assert shown.options["plot_id"] == ("p1",)
    assert shown.values["slope_radius"] == 15.15 and shown.values["slope_radius_inner"] == 5.05
    assert shown.values["trees[0].size_constraint"] == 15
    assert shown.values["trees[0].plot_id1"] is None  # plot_id not answered yet
    assert "trees[0].tag" in shown.steps
    assert not any(s.startswith("stumps[") for s in shown.steps)  # stumps_in_plot not yes


def test_resolve_subprocess_reads_a_repeat(tmp_path: Path) -> None:
    """`resolve` on an XLSForm with a repeat: answers nested, instance paths out."""
    from tests.headless.test_surveyjs_import import run_cli

    path = form(tmp_path, HOUSEHOLD, YES_NO)
    answers = tmp_path / "answers.json"
    document = {"others": "yes", "member": [{"mname": "Bo", "age": 40}, {"mname": "Cy", "age": 3}]}
    answers.write_text(json.dumps(document), encoding="utf-8")
    out = run_cli("resolve", str(path), "--answers", str(answers), data_dir=tmp_path / "d")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["values"]["total_age"] == 43 and data["values"]["second"] == "Cy"
    assert "member[1].mname" in data["steps"] and data["values"]["member[1].pos"] == 2


def test_jr_itext_of_a_long_list_is_refused_with_its_place(tmp_path: Path) -> None:
    """A list whose labels cannot be spelled out within an expression's length."""
    choices = "|  | list_name | name | label |\n" + "".join(
        f"|  | big | v{i} | {'A long label ' * 4}{i} |\n" for i in range(60)
    )
    path = form(
        tmp_path,
        f"""|  | type | name | label | calculation |
|  | select_one big | q | Q | |
|  | calculate | c | | {ITEXT_SPACED.replace("class", "big").replace("income", "q")} |
""",
        choices,
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(path)
    (item,) = refused.value.items
    assert item.place == "survey row 3 (c)" and "too long to write" in item.reason


def test_a_repeat_label_in_several_languages_titles_each_instance_in_them(
    tmp_path: Path,
) -> None:
    """A repeat's `label::French (fr)`: its instances' titles ("Membre 2") are in
    the session's language too, not in the default one alone."""
    from wizard_desktop.definition.languages import localized
    from wizard_desktop.definition.repeats import expand

    result = import_form(
        form(
            tmp_path,
            """| | type | name | label::English (en) | label::French (fr) |
|  | begin repeat | members | Member | Membre |
|  | integer | age | Age | Âge |
|  | end repeat | | | |
""",
        )
    )
    definition = result.definition
    titles = {
        language: [
            s.title
            for s in expand(localized(definition, language), {"members": 2}).definition.steps
        ]
        for language in ("en", "fr")
    }
    assert titles == {"en": ["Member 1", "Member 2"], "fr": ["Membre 1", "Membre 2"]}

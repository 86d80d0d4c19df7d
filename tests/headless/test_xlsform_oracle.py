"""The XLSForm importer's XPath translation checked against ODK's own XPath engine.

For each form (the real ones of ../shared/realforms/xlsform and small ones here covering
every construct docs/xlsform.md translates) pyxform writes the XForm ODK would run, and
for random answer sets (seeded: a failure names its seed; XLSFORM_ORACLE_SEED=N tries
another) every bind expression the importer translated is evaluated twice over the same
answers: by Enketo's openrosa-xpath-evaluator (tests/oracle/openrosa.py) over the
instance holding them in ODK's shapes, and by our logic's own `evaluate` on the
imported wizard's expression with our typed answers. They must agree: `relevant` (a
field's own with its groups', against the step's and field's `visible_if`),
`constraint` (on answered fields), `required` expressions, `calculation`s and
first-load defaults (values; numbers as numbers), choice filters (per choice). Each
expression is compared on identical inputs: the calculated values both read are ODK's.
The ways we knowingly differ (docs/xlsform.md) are listed below, each disagreement
checked to be one of them. A failure names the case's seed (XLSFORM_ORACLE_SEED * 1000
+ its number)."""

from __future__ import annotations

import datetime
import math
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.headless.test_xlsform_import import IMPORTED, REALFORMS
from tests.oracle.openrosa import SECONDARY, XForm, evaluate_cases
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.expression_functions import NUMBER_LIMIT, is_true
from wizard_desktop.definition.expressions import EvaluationBudget, Expression, evaluate
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import Field, FieldType, WizardDefinition
from wizard_desktop.definition.repeats import expand, split_path
from wizard_desktop.importers import import_form

CASES = 24  # answer sets per form; the WHO form's 550 binds are checked on fewer
FEWER_CASES = {"who-verbal-autopsy.xlsx": 6}
SEED = int(os.environ.get("XLSFORM_ORACLE_SEED", "16"))

# Where we knowingly differ from ODK (docs/xlsform.md, "Checked against ODK's XPath
# engine"), each disagreement checked to be that one:
# - arithmetic reads an empty answer as 0 where XPath's number() is NaN: allowed where ODK,
#   over the same state with its empty number nodes (int, decimal, calculated) read as 0,
#   gives our result (the case's `zeroed` variant);
# - a calculated number no answer can hold (infinite, 10^15 or more) is empty here;
# - ODK_FAILS below.
# (form, kind, field) -> why ODK's evaluator fails on it (an error, never a value).
ODK_FAILS = {
    ("constructs.md", "calculate", "c_neg"): (
        "openrosa-xpath-evaluator cannot negate a path (`- /data/height`: 'Too many "
        "tokens'); JavaRosa (ODK Collect) can, and we translate it as 0 - the value"
    ),
}
# Not compared: what openrosa-xpath-evaluator does not implement (its README: jr:itext(),
# instance() are Enketo's form engine's, not the evaluator's).
NOT_COMPARED = ("jr:itext(",)


@dataclass(frozen=True)
class Check:
    kind: str  # relevant, constraint, required, calculate, default, choice_filter
    field: str  # our field id (an instance path inside a repeat)
    expressions: tuple[str, ...]  # the XPath compared (for the message)
    ours: Callable[[dict[str, Any]], object]
    odk: Callable[[dict[str, Any]], object]  # of the case's Node answer
    uses: tuple[int, ...] = ()  # the case's expressions it reads
    node: str | None = None  # the calculated node it reads


def _holds(logic: object, scope: dict[str, Any]) -> bool:
    """A condition as the logic reads it (`LiveResolution._holds`): absent holds."""
    if logic is None:
        return True
    assert isinstance(logic, Expression)
    return is_true(evaluate(logic, scope, EvaluationBudget()))


def _value(expression: Expression, scope: dict[str, Any]) -> object:
    return evaluate(expression, scope, EvaluationBudget())


# --- answers ------------------------------------------------------------------------


class Answers:
    """Random answers of the right types for one form, drawn from one seed; texts and
    numbers lean on the literals its expressions compare with."""

    def __init__(self, seed: int, xform: XForm) -> None:
        self.random = random.Random(seed)
        source = " ".join(
            e for b in xform.binds for e in (b.relevant, b.constraint, b.calculate, b.required) if e
        )
        self.texts = sorted(
            {m[1] or m[2] or "" for m in re.finditer(r"'([^']*)'|\"([^\"]*)\"", source)}
        )
        numbers = {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", source)}
        self.numbers = sorted(numbers | {n + d for n in numbers for d in (-1, 1)})

    def draw(self, f: Field) -> Any:
        r = self.random
        if r.random() < 0.2:
            return None
        if f.type in (FieldType.TEXT, FieldType.MULTILINE):
            pool = [*self.texts, "abc", "Abc d", "12", "x@y.org", "0"]
            return r.choice([p for p in pool if p])
        if f.type is FieldType.NUMBER:
            whole = f.decimals == 0
            near = self.numbers and r.random() < 0.5  # a literal the form compares with, ± 1
            n = r.choice(self.numbers) if near else r.uniform(-5, 130)
            return int(n) if whole else round(n, 2)
        if f.type in (FieldType.CHOICE, FieldType.RATING) and f.options:
            return r.choice(f.options).value
        if f.type is FieldType.MULTI_CHOICE and f.options:
            chosen = [o.value for o in f.options if r.random() < 0.4]
            return chosen or None
        if f.type is FieldType.DATE:
            day = datetime.date.today() + datetime.timedelta(days=r.randint(-40000, 400))
            return day.isoformat()
        return None  # time, files, geopoints...: empty on both sides


def _odk_text(value: Any) -> str:
    """An answer as ODK holds it in its instance."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def _ours_from_odk(text: str, f: Field | None) -> Any:
    """ODK's calculated text as our answer of F's type (None: empty)."""
    if text == "" or text == "NaN":
        return None
    if f is not None and f.type is FieldType.MULTI_CHOICE:
        return text.split()
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in text else number


# --- the comparison -----------------------------------------------------------------


def _same_value(ours: object, odk: object) -> bool:
    """A calculated value: numbers as numbers, the rest as ODK's text."""
    text = str(odk)
    if ours is None or ours == "" or ours == []:
        return text in ("", "NaN")
    if isinstance(ours, bool):
        return text == ("true" if ours else "false")
    if isinstance(ours, int | float):
        try:
            return math.isclose(float(ours), float(text), rel_tol=1e-9, abs_tol=1e-9)
        except ValueError:
            return False
    if isinstance(ours, list):
        return " ".join(str(v) for v in ours) == text
    return str(ours) == text


def _beyond_bounds(odk: object) -> bool:
    """A number no answer holds (docs/expressions.md, "Bounds"): infinite, or not below
    NUMBER_LIMIT; such a result is empty here."""
    try:
        return abs(float(str(odk))) >= NUMBER_LIMIT
    except ValueError:
        return False


def _agree(check: Check, ours: object, theirs: object) -> bool:
    if check.kind in ("calculate", "default"):
        return _same_value(ours, theirs)
    return ours is theirs


class Form:
    """One form's XForm, its import and the map between their names."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.xform = XForm.of(path)
        result = import_form(path)
        assert not result.unsupported
        self.definition = result.definition
        self.binds = {b.nodeset: b for b in self.xform.binds}
        ids = {f.id for s in self.definition.steps for f in s.fields}
        self.nodes: dict[str, str] = {}  # our field id (outside repeats) -> nodeset
        for nodeset in self.binds:
            parts = nodeset.split("/")[2:]
            for k in range(len(parts)):
                if ".".join(parts[k:]) in ids:
                    self.nodes[".".join(parts[k:])] = nodeset
                    break

    def node_of(self, field_id: str) -> str | None:
        """The indexed XForm path of our field (`r[0].q` -> /data/r[1]/q)."""
        split = split_path(field_id)
        if split is None:
            return self.nodes.get(field_id)
        repeat, index, inner = split
        nodeset = self.nodes.get(inner)
        if nodeset is None:
            return None
        head = next(r for r in self.xform.repeats if r.rsplit("/", 1)[1] == repeat)
        return f"{head}[{index + 1}]{nodeset[len(head) :]}"

    def expanded(self, counts: dict[str, int]) -> WizardDefinition:
        return (
            expand(self.definition, counts).definition
            if self.definition.repeats
            else self.definition
        )


def _indexed(path: str, indexed_leaf: str) -> str:
    """PATH (an ancestor's plain nodeset) with the repeat indexes of INDEXED_LEAF."""
    out, plain = [], []
    for part in indexed_leaf.split("/")[1:]:
        plain.append(re.sub(r"\[\d+\]$", "", part))
        out.append(part)
        if "/" + "/".join(plain) == path:
            return "/" + "/".join(out)
    raise AssertionError(f"{path} is no ancestor of {indexed_leaf}")


def build_case(form: Form, seed: int) -> tuple[dict[str, Any], list[Check], dict[str, Any]]:
    """One random answer set: the Node case, the checks, our scope before ODK's values."""
    xform = form.xform
    answers = Answers(seed, xform)
    counts = {r.id: answers.random.randint(0, 3) for r in form.definition.repeats}
    definition = form.expanded(counts)
    repeat_counts = {head: counts.get(head.rsplit("/", 1)[1], 0) for head in xform.repeats}
    scope: dict[str, Any] = {}
    values: dict[str, str] = {}
    fields: dict[str, tuple[Field, Any, str]] = {}  # id -> field, its step, indexed node
    for step in definition.steps:
        for f in step.fields:
            node = form.node_of(f.id)
            if node is None:
                continue
            fields[f.id] = (f, step, node)
            value = answers.draw(f) if f.type is not FieldType.CALCULATED else None
            if value is not None:
                scope[f.id] = value
                values[node] = _odk_text(value)
    calculates, exprs, checks = [], [], []

    asked: dict[tuple[str, str, str], int] = {}  # each evaluated once (a group's relevant)

    def odk(context: str, expr: str, kind: str) -> int:
        key = (context, expr, kind)
        if key not in asked:
            asked[key] = len(exprs)
            exprs.append({"context": context, "expr": expr, "type": kind})
        return asked[key]

    for field_id, (f, step, node) in fields.items():
        plain = re.sub(r"\[\d+\]", "", node)
        bind = form.binds[plain]
        if bind.calculate:
            calculates.append({"node": node, "expr": bind.calculate})
            ours_expr = f.calculate if f.type is FieldType.CALCULATED else f.default_expression
            assert ours_expr is not None, f"{field_id}: calculation not translated"
            checks.append(
                Check(
                    "calculate",
                    field_id,
                    (bind.calculate,),
                    lambda s, e=ours_expr: _value(e, s),
                    lambda c, n=node: c["calculated"][n],
                    node=node,
                )
            )
        chain = [
            (a, form.binds[a].relevant)
            for a in form.binds
            if form.binds[a].relevant and (plain == a or plain.startswith(a + "/"))
        ]
        if chain or f.visible_if is not None or step.visible_if is not None:
            at = [odk(_indexed(a, node), str(e), "boolean") for a, e in chain]
            checks.append(
                Check(
                    "relevant",
                    field_id,
                    tuple(str(e) for _, e in chain),
                    lambda s, f=f, st=step: _holds(st.visible_if, s) and _holds(f.visible_if, s),
                    lambda c, at=at: all(c["results"][i] is True for i in at),
                    tuple(at),
                )
            )
        if bind.constraint and field_id in scope:
            at1 = odk(node, bind.constraint, "boolean")
            checks.append(
                Check(
                    "constraint",
                    field_id,
                    (bind.constraint,),
                    # the answer rules (a pattern, bounds) and the constraint, as a save checks
                    lambda s, f=f: answer_problem(f, s[f.id]) is None and _holds(f.constraint, s),
                    lambda c, i=at1: c["results"][i],
                    (at1,),
                )
            )
        if bind.required and f.type not in (FieldType.CALCULATED, FieldType.NOTE):
            # (ODK asks no answer of a calculate or a note, required or not)
            at1 = odk(node, bind.required, "boolean")
            checks.append(
                Check(
                    "required",
                    field_id,
                    (bind.required,),
                    lambda s, f=f: (
                        f.required or (f.required_if is not None and _holds(f.required_if, s))
                    ),
                    lambda c, i=at1: c["results"][i],
                    (at1,),
                )
            )
        default = xform.defaults.get(plain)
        if default is not None and f.default_expression is not None and not bind.calculate:
            at1 = odk(node, default, "string")
            checks.append(
                Check(
                    "default",
                    field_id,
                    (default,),
                    lambda s, e=f.default_expression: _value(e, s),
                    lambda c, i=at1: c["results"][i],
                    (at1,),
                )
            )
        for flt in (x for x in xform.filters if x.nodeset == plain):
            items = xform.instances[flt.instance]
            for k, item in enumerate(items, start=1):
                name = item.findtext("name")
                option = next((o for o in f.options if o.value == name), None)
                assert option is not None, f"{field_id}: no option {name}"
                context = f"{node.split('/')[0]}/{xform.root.tag}/{SECONDARY}"
                context += f"/instance[@id='{flt.instance}']/root/item[{k}]"
                at1 = odk(context, flt.predicate, "boolean")
                checks.append(
                    Check(
                        "choice_filter",
                        f"{field_id}={name}",
                        (flt.predicate,),
                        lambda s, o=option: _holds(o.visible_if, s),
                        lambda c, i=at1: c["results"][i],
                        (at1,),
                    )
                )
    numbers = {b.nodeset for b in xform.binds if b.type in ("int", "decimal") or b.calculate}
    zeroed = [node for _, _, node in fields.values() if re.sub(r"\[\d+\]", "", node) in numbers]
    case = {
        "xml": xform.instance_xml(values, repeat_counts),
        "calculates": calculates,
        "exprs": exprs,
        "zeroed": {"nodes": zeroed, "exprs": [], "calculates": []},
    }
    return case, checks, scope


def compare(form: Form, seed: int, count: int) -> tuple[int, list[str]]:
    """COUNT answer sets from SEED: (checks made, disagreements not explained). One Node
    batch for all, a second for the disagreeing checks' empty-as-0 reading."""
    built = [build_case(form, seed * 1000 + k) for k in range(count)]
    answers = evaluate_cases([case for case, _, _ in built])
    fields = {f.id: f for s in form.definition.steps for f in s.fields}
    made, doubtful = 0, []
    for k, ((case, checks, scope), odk) in enumerate(zip(built, answers, strict=True)):
        full = dict(scope)  # our answers and, for calculated fields, ODK's values
        for check in checks:
            if check.node is not None:
                split = split_path(check.field)
                inner = fields.get(split[2] if split else check.field)
                text = odk["calculated"][check.node]
                value = _ours_from_odk(text, inner) if isinstance(text, str) else None
                if value is not None:
                    full[check.field] = value
        for check in checks:
            if any(marker in e for e in check.expressions for marker in NOT_COMPARED):
                continue
            made += 1
            theirs = check.odk(odk)
            ours = check.ours(full) if not isinstance(theirs, dict) else None
            if not _agree(check, ours, theirs):
                doubtful.append((k, check, ours, theirs))
                case["zeroed"]["exprs"].extend(check.uses)
                if check.node is not None:
                    case["zeroed"]["calculates"].append(check.node)
    again = [
        k
        for k in range(count)
        if built[k][0]["zeroed"]["exprs"] or built[k][0]["zeroed"]["calculates"]
    ]
    zeroed = (
        dict(zip(again, evaluate_cases([built[k][0] for k in again]), strict=True)) if again else {}
    )
    wrong = []
    for k, check, ours, theirs in doubtful:
        where = f"seed {seed * 1000 + k} {check.kind} {check.field}"
        if isinstance(theirs, dict):
            if (form.name, check.kind, check.field) not in ODK_FAILS:
                wrong.append(f"{where}: ODK {theirs}")
            continue
        if _agree(check, ours, check.odk(zeroed[k]["zeroed"])):
            continue  # empty read as 0
        if check.kind == "calculate" and ours is None and _beyond_bounds(theirs):
            continue
        wrong.append(f"{where}: ours {ours!r}, ODK {theirs!r} for {check.expressions}")
    return made, wrong


@pytest.mark.parametrize("name", IMPORTED)
def test_real_forms_agree_with_odk(name: str) -> None:
    form = Form(REALFORMS / name)
    made, wrong = compare(form, SEED, FEWER_CASES.get(name, CASES))
    assert made > 0
    assert not wrong, f"seed {SEED}: {len(wrong)} of {made} disagree:\n" + "\n".join(wrong[:30])


# --- own forms: every construct docs/xlsform.md translates ------------------------

COLUMNS = "| | type | name | label | relevant | constraint | calculation | required | default | choice_filter | appearance |\n"  # noqa: E501
CHOICES = """| choices |
| | list_name | name | label | country |
| | yn | yes | Yes | |
| | yn | no | No | |
| | pet | cat | Cat | |
| | pet | dog | Dog | |
| | pet | fish | Fish | |
| | country | fr | France | |
| | country | de | Germany | |
| | city | paris | Paris | fr |
| | city | lyon | Lyon | fr |
| | city | berlin | Berlin | de |
"""


def _row(kind: str, name: str, **columns: str) -> str:
    cells = [kind, name, columns.get("label", name.capitalize())]
    cells += [
        columns.get(c, "") for c in ("relevant", "constraint", "calculation", "required", "default")
    ]
    cells += [columns.get("choice_filter", ""), columns.get("appearance", "")]
    return "| | " + " | ".join(cells) + " |\n"


CONSTRUCTS = [
    _row("integer", "age", constraint=". >= 0 and . < 130"),
    _row("decimal", "height", relevant="${age} > 2", constraint=". > 0.3"),
    _row(
        "text",
        "name",
        constraint="regex(., '^[A-Za-z ]+$') and string-length(.) <= 8",
        required="${age} >= 18",
    ),
    _row("select_one yn", "likes", relevant="not(${age} < 5) or ${name} != ''"),
    _row(
        "select_multiple pet",
        "pets",
        relevant="${likes} = 'yes'",
        constraint="count-selected(.) <= 2",
    ),
    _row("date", "born", constraint=". <= today()"),
    _row("select_one country", "country"),
    _row("select_one city", "city", choice_filter="country = ${country}"),
    _row("calculate", "c_arith", calculation="${age} + ${height} * 2 - 1"),
    _row("calculate", "c_div", calculation="${age} div 4"),
    _row("calculate", "c_mod", calculation="${age} mod 7"),
    _row("calculate", "c_neg", calculation="-${height}"),
    _row("calculate", "c_if", calculation="if(selected(${pets}, 'cat'), 'feline', 'other')"),
    _row("calculate", "c_coalesce", calculation="coalesce(${name}, 'anon')"),
    _row("calculate", "c_concat", calculation="concat(${name}, '-', ${age}, '-', ${pets})"),
    _row("calculate", "c_int", calculation="int(${height})"),
    _row("calculate", "c_round", calculation="round(${height}, 1)"),
    _row("calculate", "c_number", calculation="number(${name})"),
    _row("calculate", "c_length", calculation="string-length(${name})"),
    _row("calculate", "c_selected", calculation="count-selected(${pets})"),
    _row("calculate", "c_today", calculation="today()"),
    _row("calculate", "c_now", calculation="now() >= today()"),
    _row("calculate", "c_compare", calculation="${age} >= 18 and ${height} < 1.8 or ${age} = 5"),
    _row("calculate", "c_multi", calculation="${pets} = 'cat' or ${pets} != 'dog fish'"),
    _row("calculate", "c_pow", calculation="pow(${age}, ${height})"),
    *(
        _row("calculate", f"c_{name}", calculation=f"{name}({argument})")
        for name, argument in [
            ("abs", "${height} * -1"),
            ("sqrt", "${age} - 10"),
            ("floor", "${height}"),
            ("ceiling", "${height}"),
            ("log", "${height}"),
            ("log10", "${age}"),
            ("exp", "${height}"),
            ("exp10", "${height}"),
            ("sin", "${height}"),
            ("cos", "${age}"),
            ("tan", "${height}"),
            ("asin", "${height} - 1"),
            ("acos", "${height} - 1"),
            ("atan", "${age}"),
            ("atan2", "${age}, ${height}"),
            ("pi", ""),
        ]
    ),
    _row("integer", "later", default="${age} + 1"),
    _row("integer", "computed", calculation="${age} * 2"),
    _row("begin_group", "page", relevant="${age} > 10", appearance="field-list"),
    _row("text", "inner", relevant="${likes} = 'yes'"),
    _row("end_group", ""),
]
REPEATS = [
    _row("integer", "n"),
    _row("begin_repeat", "kids", relevant="${n} > 0"),
    _row("integer", "kage", constraint=". >= 0"),
    _row("calculate", "kpos", calculation="position(..)"),
    _row("text", "kname", relevant="${kage} > 3 and position(..) != 2"),
    _row("end_repeat", ""),
    _row("calculate", "total", calculation="sum(${kage})"),
    _row("calculate", "howmany", calculation="count(${kids})"),
    _row("text", "after", relevant="${total} > 5 or ${howmany} = 0"),
]


@pytest.mark.parametrize("rows", [CONSTRUCTS, REPEATS], ids=["constructs", "repeats"])
def test_own_forms_agree_with_odk(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "constructs.md"
    path.write_text("| survey |\n" + COLUMNS + "".join(rows) + CHOICES, encoding="utf-8")
    form = Form(path)
    made, wrong = compare(form, SEED, CASES)
    assert made > len(rows) * CASES // 2
    assert not wrong, f"seed {SEED}: {len(wrong)} of {made} disagree:\n" + "\n".join(wrong[:30])


# --- regressions: what the comparison found (each also checked above, on random answers) --


def _resolved(tmp_path: Path, rows: list[str], answers: dict[str, Any]) -> Any:
    path = tmp_path / "regression.md"
    path.write_text("| survey |\n" + COLUMNS + "".join(rows) + CHOICES, encoding="utf-8")
    return wizard_logic(import_form(path).definition).resolve(answers)


def test_a_select_multiple_compared_as_its_space_separated_text(tmp_path: Path) -> None:
    rows = [
        _row("select_multiple pet", "pets"),
        _row("text", "only_cat", relevant="${pets} = 'cat'"),
        _row("text", "cat_dog", relevant="${pets} = 'cat dog'"),
    ]
    assert "only_cat" in _resolved(tmp_path, rows, {"pets": ["cat"]}).fields
    shown = _resolved(tmp_path, rows, {"pets": ["cat", "dog"]}).fields
    assert "cat_dog" in shown and "only_cat" not in shown


def test_a_number_as_condition_is_its_boolean(tmp_path: Path) -> None:
    rows = [_row("text", "a", relevant="1.5"), _row("text", "b", relevant="0")]
    shown = _resolved(tmp_path, rows, {}).fields
    assert "a" in shown and "b" not in shown


def test_phone_number_takes_digits_only(tmp_path: Path) -> None:
    rows = [_row("phone number", "phone")]
    assert not _resolved(tmp_path, rows, {"phone": "0123"}).problems
    assert _resolved(tmp_path, rows, {"phone": "01 23"}).problems["phone"]


def test_round_of_nothing_is_empty_and_halves_go_away_from_zero(tmp_path: Path) -> None:
    rows = [
        _row("decimal", "x"),
        _row("calculate", "r1", calculation="round(${x}, 1)"),
        _row("calculate", "r0", calculation="round(${x})"),
    ]
    assert _resolved(tmp_path, rows, {}).values["r1"] is None
    values = _resolved(tmp_path, rows, {"x": -2.5}).values
    assert values["r0"] == -3 and values["r1"] == -2.5


def test_a_date_minus_a_date_is_days(tmp_path: Path) -> None:
    rows = [
        _row("date", "born"),
        _row("date", "died"),
        _row("calculate", "days", calculation="${died} - ${born}"),
        _row("calculate", "years", calculation="int((${died} - ${born}) div 365.25)"),
    ]
    values = _resolved(tmp_path, rows, {"born": "2000-02-29", "died": "2024-03-01"}).values
    assert values["days"] == 8767 and values["years"] == 24
    assert _resolved(tmp_path, rows, {"died": "2024-03-01"}).values["days"] is None

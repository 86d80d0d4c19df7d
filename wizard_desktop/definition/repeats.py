"""Repeats (format 2): a run of consecutive steps asked once per instance.

Owns the `repeats` key (reading and checking it), how a reference names a repeat's
answers (`{name}` inside the repeat = the same instance's answer, `{r[2].name}` one
instance's, `{r.name}` every instance's as a list for `sum`/`min`/`max`/`avg`/`count`,
`{r.length}` how many instances, `{r.number}` the instance's 1-based number) and the
expansion: for given instance counts, the plain definition where each instance's steps
and fields are copies whose ids are instance paths (`r[0].step`, `r[0].name`, 0-based)
and whose expressions and texts read that instance. Everything downstream (the logic,
the core, the player, the exports) works on the expanded definition, so an instance's
steps are on the path like any step once the instance exists. See docs/repeats.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from wizard_desktop.definition import expression_functions as semantics
from wizard_desktop.definition.expressions import (
    EvaluationBudget,
    Expression,
    ExpressionCostExceeded,
    ExpressionError,
    evaluate,
    parse_laid_out,
    parse_template,
)
from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.model import (
    CONDITION_TYPES,
    AllOf,
    Answers,
    AnyOf,
    Condition,
    Field,
    Logic,
    Not,
    Option,
    Repeat,
    Step,
    WizardDefinition,
)

REPEAT_KEYS = ("id", "steps", "min", "max", "add_label", "item_label", "repeat_count")
MAX_REPEATS = 20
MAX_INSTANCES = 1000  # what `max` may say, and where a repeat_count stops
# What all instances of one repeat may hold together (fields, and steps): a file from
# someone else cannot make a session lay out millions of fields.
MAX_INSTANCE_ELEMENTS = 20_000
DEFAULT_MAX = 100
NUMBER = "number"  # {r.number}: the instance's 1-based number (inside the repeat)
LENGTH = "length"  # {r.length}: how many instances
# an id as imported wizards may write it (IMPORTED_ID_PATTERN: no brackets or braces)
_ID = r"[^\x00-\x1f\x7f{}\[\]]+"
_PATH = re.compile(rf"^({_ID})\[(\d+)\]\.(.+)$")
_INDEXED = re.compile(rf"^({_ID})\[(\d+)\]\.({_ID})$")
_EXPANSIONS_KEPT = 8


def split_path(path: str) -> tuple[str, int, str] | None:
    """`dependents[2].name` -> ("dependents", 2, "name"); None for a plain id."""
    match = _PATH.match(path)
    if match is None:
        return None
    return match.group(1), int(match.group(2)), match.group(3)


def instance_path(repeat_id: str, index: int, element_id: str) -> str:
    return f"{repeat_id}[{index}].{element_id}"


# --- reading and checking the `repeats` key --------------------------------------------


class _Checker(Protocol):
    """What of the validator the reading uses (see validator._Validator)."""

    def report(
        self, path: tuple[str | int, ...], message: str, offset: int | None = None
    ) -> None: ...

    def mapping(
        self, value: object, path: tuple[str | int, ...], what: str
    ) -> dict[str, object] | None: ...

    def keys(
        self,
        data: dict[str, object],
        path: tuple[str | int, ...],
        allowed: Sequence[str],
        required: Sequence[str],
    ) -> None: ...

    def ident(self, data: dict[str, object], path: tuple[str | int, ...]) -> str | None: ...

    def text(
        self,
        data: dict[str, object],
        key: str,
        path: tuple[str | int, ...],
        *,
        non_empty: bool = False,
        limit_key: str | None = None,
    ) -> str | None: ...

    def expression(self, raw: object, path: tuple[str | int, ...]) -> Expression | None: ...

    def template(self, text: str | None, path: tuple[str | int, ...]) -> str | None: ...


@dataclass
class RepeatNames:
    """Which repeat each step and field of a file is in, read before the steps are
    checked, so every reference can be checked where it is written."""

    of_step: dict[str, str] = dataclasses.field(default_factory=dict)
    of_field: dict[str, str] = dataclasses.field(default_factory=dict)
    fields: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    order: list[str | None] = dataclasses.field(default_factory=list)  # by index in the file

    @classmethod
    def collect(cls, raw: object, raw_steps: object) -> RepeatNames:
        names = cls()
        if not isinstance(raw, list) or not isinstance(raw_steps, list):
            return names
        fields_of_step: dict[str, list[str]] = {}
        for raw_step in raw_steps:
            if isinstance(raw_step, dict) and isinstance(raw_step.get("id"), str):
                raw_fields = raw_step.get("fields")
                fields_of_step[raw_step["id"]] = [
                    f["id"]
                    for f in (raw_fields if isinstance(raw_fields, list) else [])
                    if isinstance(f, dict) and isinstance(f.get("id"), str)
                ]
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                names.order.append(None)
                continue
            repeat_id, steps = item["id"], item.get("steps")
            names.order.append(repeat_id)
            own = names.fields.setdefault(repeat_id, set())
            for step_id in steps if isinstance(steps, list) else []:
                if isinstance(step_id, str) and step_id in fields_of_step:
                    names.of_step.setdefault(step_id, repeat_id)
                    for field_id in fields_of_step[step_id]:
                        names.of_field.setdefault(field_id, repeat_id)
                        own.add(field_id)
        return names

    def check(self, name: str, here: str | None, *, in_text: bool) -> str | None:
        """For a `{name}` written in repeat `here` (None: outside every repeat): None when
        it is a repeat form that reads something, "" when it is not one (an ordinary
        field name, checked as such), else the problem."""
        body = name[1:] if name.startswith("#") else name
        owner = self.of_field.get(body)
        if owner is not None:
            if owner == here:
                return ""
            return (
                f"{{{body}}} is asked once per instance of repeat '{owner}': read one with "
                f"{{{owner}[0].{body}}} or all with an aggregate such as sum({{{owner}.{body}}})"
            )
        if body in self.fields:
            return "" if in_text else None  # {r}: the instances (count({r}))
        head, _, tail = body.partition(".")
        indexed = _INDEXED.match(body)
        if indexed is not None and indexed.group(1) in self.fields:
            if indexed.group(3) in self.fields[indexed.group(1)]:
                return None
            return f"repeat '{indexed.group(1)}' has no field '{indexed.group(3)}'"
        if head not in self.fields:
            return ""
        if tail == LENGTH:
            return None
        if tail == NUMBER:
            if here == head:
                return None
            return f"{{{head}.number}} is the instance's number: only inside repeat '{head}'"
        if tail in self.fields[head]:
            if in_text:
                return f"a text cannot list every instance: use {{{head}[0].{tail}}}"
            return None
        return f"repeat '{head}' has no field '{tail}'"


def read_repeats(
    checker: _Checker, raw: object, step_ids: Sequence[str], names: RepeatNames
) -> tuple[Repeat, ...]:
    """The `repeats` of a format 2 file, each checked (problems go to `checker`)."""
    if not isinstance(raw, list):
        checker.report(("repeats",), "expected a list of repeats")
        return ()
    if len(raw) > MAX_REPEATS:
        checker.report(("repeats",), f"at most {MAX_REPEATS} repeats, got {len(raw)}")
        return ()
    repeats: list[Repeat] = []
    taken: dict[str, str] = {}
    for index, item in enumerate(raw):
        path: tuple[str | int, ...] = ("repeats", index)
        data = checker.mapping(item, path, "a repeat")
        if data is None:
            continue
        checker.keys(data, path, REPEAT_KEYS, ("id", "steps"))
        repeat_id = checker.ident(data, path)
        if repeat_id is not None and (repeat_id in step_ids or repeat_id in names.of_field):
            checker.report((*path, "id"), f"'{repeat_id}' is already a step or field id")
            repeat_id = None
        steps = _repeat_steps(
            checker, data.get("steps"), (*path, "steps"), step_ids, taken, names.of_step
        )
        if repeat_id is not None:
            for step_id in steps:
                taken[step_id] = repeat_id
        bounds = _bounds(checker, data, path)
        count = None
        if "repeat_count" in data:
            count = checker.expression(data["repeat_count"], (*path, "repeat_count"))
            inside = sorted(n for n in (count.reads if count else ()) if n in names.of_field)
            if inside:
                checker.report(
                    (*path, "repeat_count"), f"reads {{{inside[0]}}}, a field inside a repeat"
                )
        add_label = checker.text(data, "add_label", path, limit_key="label")
        item_label = checker.template(
            checker.text(data, "item_label", path, limit_key="label"), (*path, "item_label")
        )
        if repeat_id is None or not steps or bounds is None:
            continue
        repeats.append(Repeat(repeat_id, steps, bounds[0], bounds[1], add_label, item_label, count))
    return tuple(repeats)


def _repeat_steps(
    checker: _Checker,
    raw: object,
    path: tuple[str | int, ...],
    step_ids: Sequence[str],
    taken: Mapping[str, str],
    written: Collection[str],
) -> tuple[str, ...]:
    """The repeat's steps, checked; `written`: the ids of the file's steps, read or not
    (a step with problems of its own is not read, and they are said where it is)."""
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        checker.report(path, "expected a list of step ids (at least one)")
        return ()
    unknown = [s for s in raw if s not in step_ids]
    if unknown:
        if unknown[0] not in written:
            checker.report(path, f"no step '{unknown[0]}' in this wizard")
        return ()
    again = [s for s in raw if s in taken]
    if again:
        checker.report(path, f"step '{again[0]}' is already in repeat '{taken[again[0]]}'")
        return ()
    positions = [step_ids.index(s) for s in raw]
    if positions != list(range(positions[0], positions[0] + len(positions))):
        checker.report(path, "a repeat's steps must be consecutive steps, in the wizard's order")
        return ()
    return tuple(raw)


def _bounds(
    checker: _Checker, data: dict[str, object], path: tuple[str | int, ...]
) -> tuple[int, int] | None:
    if "repeat_count" in data:
        for key in ("min", "max"):
            if key in data:
                checker.report((*path, key), f"'{key}' is not used with repeat_count")
                return None
        return 0, MAX_INSTANCES
    values: list[int] = []
    for key, default in (("min", 0), ("max", DEFAULT_MAX)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INSTANCES:
            checker.report((*path, key), f"expected a whole number from 0 to {MAX_INSTANCES}")
            return None
        values.append(value)
    if values[0] > values[1] or values[1] == 0:
        checker.report((*path, "max"), "max must be at least 1 and at least min")
        return None
    return values[0], values[1]


def repeats_schema() -> dict[str, Any]:
    """The JSON Schema of the `repeats` key (definition/schema.py ships it)."""
    count = {"type": "integer", "minimum": 0, "maximum": MAX_INSTANCES}
    return {
        "type": "array",
        "maxItems": MAX_REPEATS,
        "description": "Steps asked once per instance (see docs/repeats.md).",
        "items": {
            "type": "object",
            "required": ["id", "steps"],
            "additionalProperties": False,
            "properties": {
                "id": {"$ref": "#/$defs/id"},
                "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/id"}},
                "min": count,
                "max": {**count, "minimum": 1},
                "add_label": {"type": "string"},
                "item_label": {"type": "string"},
                "repeat_count": {"$ref": "#/$defs/expression"},
            },
        },
    }


# --- the expansion -------------------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """A definition with its repeats laid out for some instance counts."""

    base: WizardDefinition
    definition: WizardDefinition  # plain: no repeats, instance paths as ids
    counts: Mapping[str, int]


def instance_cap(definition: WizardDefinition, repeat: Repeat) -> int:
    """The most instances `repeat` can have: MAX_INSTANCES, fewer for a large repeat."""
    return instances_held(sum(1 + len(s.fields) for s in definition.steps if s.id in repeat.steps))


def instances_held(size: int) -> int:
    """The most instances of a repeat of `size` steps and fields together (`instance_cap`;
    what the importers give a repeat as its `max`)."""
    return min(MAX_INSTANCES, MAX_INSTANCE_ELEMENTS // max(1, size))


def initial_count(repeat: Repeat) -> int:
    """How many instances an "Add another" repeat has before anyone adds or removes:
    `min`, and at least one (so its steps show; the person may remove it when min is 0)."""
    return max(repeat.min, 1)


def expand(definition: WizardDefinition, counts: Mapping[str, int]) -> Expansion:
    """The expansion of `definition` for `counts` (repeat id -> instances; a repeat not
    named has its initial count), built once per counts and kept on the definition."""
    full = {
        r.id: max(0, min(counts.get(r.id, initial_count(r)), instance_cap(definition, r)))
        for r in definition.repeats
    }
    key = tuple(sorted(full.items()))
    cache = definition.expansion_cache
    found = cache.get(key)
    if isinstance(found, Expansion):
        return found
    expansion = _expand(definition, full)
    if len(cache) >= _EXPANSIONS_KEPT:
        cache.pop(next(iter(cache)))
    cache[key] = expansion
    return expansion


def expand_for(
    definition: WizardDefinition,
    counts: Mapping[str, int],
    answers: Answers,
    resolve: Callable[[WizardDefinition, Answers], Mapping[str, object]],
) -> Expansion:
    """The expansion for a session: the stored counts of "Add another" repeats and each
    `repeat_count` evaluated on what `resolve` (the logic's scope of the answers, on the
    definition with no instances of counted repeats) gives. A count that is not a whole
    number of at least 0 is 0; it stops at MAX_INSTANCES."""
    counted = [r for r in definition.repeats if r.count is not None]
    given = {r.id: counts.get(r.id, initial_count(r)) for r in definition.repeats}
    if not counted:
        return expand(definition, given)
    scope = resolve(expand(definition, {**given, **{r.id: 0 for r in counted}}).definition, answers)
    # {r} and {r.length} of an "Add another" repeat: its instances, as in an expression
    instances = {
        r.id: list(range(1, given[r.id] + 1)) for r in definition.repeats if r.count is None
    }
    scope = {**scope, **instances}
    for r in counted:
        assert r.count is not None
        try:
            value = semantics.to_number(evaluate(r.count, scope, EvaluationBudget()))
        except ExpressionCostExceeded:
            value = 0.0
        given[r.id] = int(min(value, MAX_INSTANCES)) if value == value and value >= 0 else 0
    return expand(definition, given)


def _expand(definition: WizardDefinition, counts: Mapping[str, int]) -> Expansion:
    repeats_of_step = {s: r for r in definition.repeats for s in r.steps}
    fields_of = {
        r.id: frozenset(f.id for s in definition.steps if s.id in r.steps for f in s.fields)
        for r in definition.repeats
    }
    steps: list[Step] = []
    position = 0
    base_steps = definition.steps
    while position < len(base_steps):
        step = base_steps[position]
        repeat = repeats_of_step.get(step.id)
        if repeat is None:
            steps.append(_copy_step(step, _Context(fields_of, counts, None, 0), None))
            position += 1
            continue
        block = base_steps[position : position + len(repeat.steps)]
        for index in range(counts[repeat.id]):
            context = _Context(fields_of, counts, repeat, index)
            steps.extend(_copy_step(inner, context, repeat) for inner in block)
        position += len(repeat.steps)
    expanded = WizardDefinition(
        id=definition.id,
        title=definition.title,
        steps=tuple(steps),
        description=definition.description,
        review=definition.review,
        format_version=definition.format_version,
        imported_from=definition.imported_from,
        hide_empty_steps=definition.hide_empty_steps,
        hidden_answers_count=definition.hidden_answers_count,
        source_pages=definition.source_pages,
        # the languages, to offer them; not the maps, which address the base's texts: an
        # expansion changes language through `in_language`
        languages=definition.languages,
        default_language=definition.default_language,
        text_language=definition.text_language,
    )
    return Expansion(definition, expanded, dict(counts))


def in_language(
    base: WizardDefinition, expanded: WizardDefinition, language: str | None
) -> WizardDefinition:
    """`expanded` (`base` laid out) with every text in `language`: the base in it, laid
    out for the same instance counts (an instance's texts name its instance, so the
    texts are translated before they are laid out). `expanded` itself in its language."""
    counts = {r.id: 0 for r in base.repeats} | counts_of(expanded)
    return expand(localized(base, language), counts).definition


@dataclass(frozen=True)
class _Context:
    fields_of: Mapping[str, frozenset[str]]
    counts: Mapping[str, int]
    repeat: Repeat | None
    index: int

    def replace(self, inner: str, *, in_text: bool) -> str:
        """What `{inner}` becomes in this instance (with its braces, or a literal)."""
        raw = "#" if inner.startswith("#") else ""
        body = inner[len(raw) :]
        here = self.repeat.id if self.repeat is not None else None
        if here is not None and body in self.fields_of[here]:
            return "{" + raw + instance_path(here, self.index, body) + "}"
        if here is not None and body.endswith(".length") and body[:-7] in self.fields_of[here]:
            return "{" + raw + instance_path(here, self.index, body) + "}"
        if body in self.counts:
            items = ", ".join(str(n + 1) for n in range(self.counts[body]))
            return f"[{items}]"
        head, _, tail = body.partition(".")
        if head not in self.counts:
            return "{" + inner + "}"
        if tail == LENGTH:
            return str(self.counts[head])
        if tail == NUMBER and here == head:
            return str(self.index + 1)
        if tail in self.fields_of[head] and not in_text:
            items = ", ".join(
                "{" + raw + instance_path(head, n, tail) + "}" for n in range(self.counts[head])
            )
            return f"[{items}]"
        return "{" + inner + "}"

    def text(self, text: str | None) -> str | None:
        if text is None or "{" not in text:
            return text
        try:
            template = parse_template(text)
        except ExpressionError:
            return text
        return _rewritten(
            text, template.references, lambda inner: self.replace(inner, in_text=True)
        )

    def expression(self, expression: Expression | None) -> Expression | None:
        if expression is None or not expression.references:
            return expression
        source = _rewritten(
            expression.source,
            expression.references,
            lambda inner: self.replace(inner, in_text=False),
        )
        return expression if source == expression.source else parse_laid_out(source)

    def logic(self, logic: Logic | None) -> Logic | None:
        if logic is None:
            return None
        if isinstance(logic, CONDITION_TYPES):
            return self.condition(logic)
        assert isinstance(logic, Expression)
        return self.expression(logic)

    def condition(self, condition: Condition) -> Condition:
        match condition:
            case AllOf(conditions=cs):
                return AllOf(tuple(self.condition(c) for c in cs))
            case AnyOf(conditions=cs):
                return AnyOf(tuple(self.condition(c) for c in cs))
            case Not(condition=c):
                return Not(self.condition(c))
            case _:
                here = self.repeat.id if self.repeat is not None else None
                if here is not None and condition.field in self.fields_of[here]:
                    path = instance_path(here, self.index, condition.field)
                    return dataclasses.replace(condition, field=path)
                return condition


def _rewritten(
    source: str, references: Sequence[tuple[str, int]], replace: Callable[[str], str]
) -> str:
    """`source` with each `{...}` at the references' 1-based columns replaced."""
    pieces: list[str] = []
    position = 0
    for _name, column in references:
        start = column - 1
        end = source.find("}", start)
        if start < position or source[start] != "{" or end < 0:
            continue
        pieces.append(source[position:start])
        pieces.append(replace(source[start + 1 : end]))
        position = end + 1
    pieces.append(source[position:])
    return "".join(pieces)


def _copy_step(step: Step, context: _Context, repeat: Repeat | None) -> Step:
    step_id = step.id if repeat is None else instance_path(repeat.id, context.index, step.id)
    title = context.text(step.title) or step.title
    if repeat is not None and repeat.item_label is not None:
        label = context.text(repeat.item_label) or repeat.item_label
        title = label if len(repeat.steps) == 1 else f"{label} · {title}"
    return Step(
        id=step_id,
        title=title,
        description=context.text(step.description),
        fields=tuple(_copy_field(f, context, repeat) for f in step.fields),
        visible_if=context.logic(step.visible_if),
    )


def _copy_field(f: Field, context: _Context, repeat: Repeat | None) -> Field:
    changes: dict[str, Any] = {
        "label": context.text(f.label) or f.label,
        "help": context.text(f.help),
        "visible_if": context.logic(f.visible_if),
        "options": tuple(Option(o.value, o.label, context.logic(o.visible_if)) for o in f.options),
    }
    for key in ("required_if", "enabled_if", "constraint", "default_expression", "calculate"):
        changes[key] = context.expression(getattr(f, key))
    if repeat is not None:
        changes["id"] = instance_path(repeat.id, context.index, f.id)
    return dataclasses.replace(f, **changes)


# --- what the exports read -----------------------------------------------------------


def repeat_fields(definition: WizardDefinition) -> dict[str, tuple[Field, ...]]:
    """Each repeat's fields (as the file defines them), in definition order."""
    return {
        r.id: tuple(f for s in definition.steps if s.id in r.steps for f in s.fields)
        for r in definition.repeats
    }


def counts_of(definition: WizardDefinition) -> dict[str, int]:
    """The instance counts an expanded definition was laid out for (0 when none)."""
    counts: dict[str, int] = {}
    for step in definition.steps:
        split = split_path(step.id)
        if split is not None:
            counts[split[0]] = max(counts.get(split[0], 0), split[1] + 1)
    return counts


def inferred_counts(definition: WizardDefinition, keys: Sequence[str]) -> dict[str, int]:
    """Instance counts read from stored answer keys alone (where the stored counts are
    not at hand): as many as the highest instance answered, else the initial count."""
    counts = {r.id: initial_count(r) for r in definition.repeats if r.count is None}
    seen: dict[str, int] = {}
    for key in keys:
        split = split_path(key)
        if split is not None:
            seen[split[0]] = max(seen.get(split[0], 0), split[1] + 1)
    return {rid: max(n, seen.get(rid, 0)) for rid, n in counts.items()}


def nested(values: Mapping[str, object], counts: Mapping[str, int]) -> dict[str, object]:
    """Answers keyed by instance path as JSON nests them: each repeat an array of one
    object per instance (its answers by field id), placed where its first answer or,
    when it has none, at the end."""
    out: dict[str, object] = {}
    arrays: dict[str, list[dict[str, object]]] = {}
    for key, value in values.items():
        split = split_path(key)
        if split is None:
            out[key] = value
            continue
        repeat_id, index, field_id = split
        if repeat_id not in arrays:
            arrays[repeat_id] = [{} for _ in range(counts.get(repeat_id, 0))]
            out[repeat_id] = arrays[repeat_id]
        items = arrays[repeat_id]
        while len(items) <= index:
            items.append({})
        items[index][field_id] = value
    for repeat_id, count in counts.items():
        out.setdefault(repeat_id, [{} for _ in range(count)])
    return out


def field_of(definition: WizardDefinition, key: str) -> Field | None:
    """The field an answer key names: a field id, or an instance path of a repeat's
    field (`dependents[2].name` -> the repeat's field `name`)."""
    split = split_path(key)
    if split is None:
        return definition.field(key)
    repeat = next((r for r in definition.repeats if r.id == split[0]), None)
    if repeat is None or split[1] >= MAX_INSTANCES:
        return None
    return next(
        (f for s in definition.steps if s.id in repeat.steps for f in s.fields if f.id == split[2]),
        None,
    )


def flattened(
    definition: WizardDefinition, document: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, int]]:
    """Answers given as JSON nests them (a repeat's id -> an array of objects) or by
    instance path, as answers by instance path, and the counts the arrays give (an
    "Add another" repeat not given as an array: as many as its paths name)."""
    ids = {r.id for r in definition.repeats}
    answers: dict[str, object] = {}
    given: dict[str, int] = {}
    for key, value in document.items():
        if key in ids and isinstance(value, list):
            given[key] = len(value)
            for index, item in enumerate(value[:MAX_INSTANCES]):
                for field_id, answer in (item if isinstance(item, dict) else {}).items():
                    answers[instance_path(key, index, str(field_id))] = answer
        else:
            answers[key] = value
    counts = {**inferred_counts(definition, list(answers)), **given}
    return answers, counts

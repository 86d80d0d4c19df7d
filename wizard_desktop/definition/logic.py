"""What a wizard does with given answers: the one function the player, the core and the
`resolve` command use.

`wizard_logic(definition)` builds, once per definition, the dependency graph of its
logic from the read sets of every condition, expression and `{field}` text. Its value
part (what decides whether a step or field shows and which value a field holds: step
and field `visible_if`, option `visible_if`, `calculate`, `default_expression`, and a
field's step) must be acyclic: a cycle is a load error (`LogicCycleError`). The other
readers (`required_if`, `enabled_if`, `constraint`, texts) only look at values.

`resolve(answers)` walks that graph in dependency order (for a format 1 file: the
definition order, so the rule is the one it always was): a step shows when its
condition holds, a field when its step shows and its condition holds; only the answers
of shown fields count (a hidden field's answer never steers anything), a calculated
field's value is computed from what counts, an answer whose option is filtered out
does not count. Then, for the shown fields: required now (`required` or
`required_if`), read-only now (`enabled_if` false), the visible options, the rendered
texts and the answers that break a rule (`answers.answer_problem`, the option filter,
the constraint). Unanswered required fields are not problems of a resolution:
`WizardLogic.step_problems` is the check of a step being saved (the core and the
player call it). A read-only field is held to the answer rules alone
(never required, no constraint). A `hidden: true` calculated field counts like any
shown field but is left out of `fields` and `path.visible_fields` (only in `values`).
With `hide_empty_steps` (imported SurveyJS surveys) a step showing no field (hidden
calculated ones do not show) is not on the path, as SurveyJS hides a page with no
visible question; with `hidden_answers_count` a hidden field's answer is still read by
expressions and conditions (never on the path), as SurveyJS keeps it until completion.

A condition on a field that is unanswered, hidden or of another type reads it as
empty (`conditions`). The path reads defaults until the person answers or clears a
field: the callers pass literal `default`s in `answers` (as they always did), and a
`default_expression` is computed here, once per live resolution, for a shown field
that is neither answered nor in `cleared` (`Resolution.defaults`).

`live(answers)` keeps the state and re-evaluates, on one answer change, only what
reads that field (transitively, in dependency order; a change of visibility goes on
since a hidden field's answer stops counting), and tells which steps and fields
changed. Each `resolve` / `set_answer` evaluates within one `EvaluationBudget`;
`ExpressionCostExceeded` goes up to the caller, the answers untouched.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from wizard_desktop.definition import conditions
from wizard_desktop.definition.answers import REQUIRED_ONLY_WHEN_EMPTY, answer_problem
from wizard_desktop.definition.conditions import ResolvedPath, is_answered
from wizard_desktop.definition.expressions import (
    EvaluationBudget,
    Expression,
    TextTemplate,
    evaluate,
    is_true,
    parse_template,
)
from wizard_desktop.definition.grids import reference_owner
from wizard_desktop.definition.model import (
    Answers,
    AnswerValue,
    Field,
    FieldType,
    Logic,
    Step,
    WizardDefinition,
    logic_reads,
)

TextKey: TypeAlias = Literal["title", "description", "label", "help"]

# Shown when a constraint does not hold and the file gives no constraint_message.
CONSTRAINT_MESSAGE = "This answer is not accepted."
_NO_ANSWER = (FieldType.NOTE, FieldType.CALCULATED)
_STEP_TEXTS: tuple[TextKey, TextKey] = ("title", "description")
_FIELD_TEXTS: tuple[TextKey, TextKey] = ("label", "help")


def _gone_message(values: list[str]) -> str:
    shown = ", ".join(f"'{v}'" for v in values[:3])
    return f"{shown} {'is' if len(values) == 1 else 'are'} no longer among the options."


class LogicCycleError(ValueError):
    """What decides whether something shows, or a value, reads itself (through other
    fields). `element_id` and `key` name where the cycle starts, for the message."""

    def __init__(self, links: list[tuple[str, str, str]]) -> None:
        # links: (reader id, the key it reads through, read id), closing the cycle
        self.element_id, self.key = links[0][0], links[0][1]
        parts = [
            f"{reader} is on step {read}" if key == "step" else f"{reader} ({key}) reads {read}"
            for reader, key, read in links
        ]
        super().__init__("a cycle: " + ", ".join(parts))


@dataclass(frozen=True)
class Resolution:
    """The state of a wizard for some answers (see the module docstring)."""

    steps: tuple[str, ...]
    fields: tuple[str, ...]
    required: frozenset[str]
    disabled: frozenset[str]
    values: Mapping[str, AnswerValue | None]
    options: Mapping[str, tuple[str, ...]]
    texts: Mapping[tuple[str, TextKey], str]
    problems: Mapping[str, str]
    path: ResolvedPath
    # the default_expression values in use (shown fields neither answered nor cleared)
    defaults: Mapping[str, AnswerValue]
    # what expressions read: the answers that count and the calculated values
    scope: Mapping[str, AnswerValue]
    # the answer rules' verdict (not required) on the answers of the fields it holds
    # the states of: field id -> (that answer, its problem); `step_problems` reuses it
    rules: Mapping[str, tuple[AnswerValue, str | None]]


def _normalized(value: object) -> AnswerValue | None:
    """An expression's result as a stored value (JSON-typed; NaN, infinities -> None)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [v if isinstance(v, str) else str(v) for v in value if v is not None]
    return str(value)


def _logic_reads(logic: Logic | None) -> frozenset[str]:
    return frozenset() if logic is None else logic_reads(logic)


def _filtered(value: AnswerValue, visible: tuple[str, ...]) -> AnswerValue | None:
    if isinstance(value, list):
        return [v for v in value if v in visible]
    return value if value in visible else None


def _gone(value: AnswerValue, visible: tuple[str, ...]) -> list[str]:
    chosen = value if isinstance(value, list) else [value]
    return [str(v) for v in chosen if v not in visible]


def _further_problem(
    f: Field,
    value: AnswerValue,
    visible_options: tuple[str, ...] | None,
    disabled: bool,
    scope: Mapping[str, AnswerValue],
    budget: EvaluationBudget,
) -> str | None:
    """What an answered value breaks beyond the answer rules: an option filtered out,
    then the constraint on `scope` (a read-only field is not held to it)."""
    if visible_options is not None and (gone := _gone(value, visible_options)):
        return _gone_message(gone)
    if f.constraint is None or disabled or is_true(evaluate(f.constraint, scope, budget)):
        return None
    return f.constraint_message or CONSTRAINT_MESSAGE


class WizardLogic:
    """The dependency graph of one definition (build it with `wizard_logic`)."""

    def __init__(self, definition: WizardDefinition) -> None:
        steps = definition.steps
        self.step_count = len(steps)
        # Nodes: steps 0..S-1, then fields in definition order.
        self.steps: tuple[Step, ...] = steps
        self.fields: tuple[Field, ...] = tuple(f for s in steps for f in s.fields)
        self.field_node = {f.id: self.step_count + i for i, f in enumerate(self.fields)}
        self.step_of: list[int] = [i for i, s in enumerate(steps) for _ in s.fields]
        self.node_count = self.step_count + len(self.fields)
        self.step_node = {s.id: i for i, s in enumerate(steps)}
        self.names: tuple[str, ...] = (*(s.id for s in steps), *(f.id for f in self.fields))
        self.field_at: tuple[Field | None, ...] = (*(None for _ in steps), *self.fields)
        self.step_fields = tuple(
            (i, tuple(self.field_node[f.id] for f in s.fields)) for i, s in enumerate(steps)
        )
        # nodes whose value is the answer as given (no calculation, filter or default)
        plain = frozenset(
            self.field_node[f.id]
            for f in self.fields
            if f.type is not FieldType.CALCULATED
            and f.default_expression is None
            and not any(o.visible_if is not None for o in f.options)
        )
        # `hide_empty_steps` (imported SurveyJS pages): a step showing no field is skipped
        self.hide_empty_steps = definition.hide_empty_steps
        # `hidden_answers_count` (imported SurveyJS): a hidden field's answer is still read
        self.hidden_answers_count = definition.hidden_answers_count
        self.hidden = frozenset(
            self.field_node[f.id]
            for f in self.fields
            if f.type is FieldType.CALCULATED and f.hidden
        )
        # what the value pass reads of each node: its step, visible_if, field, plain
        self.node_info: tuple[tuple[int, Logic | None, Field | None, bool], ...] = (
            *((-1, s.visible_if, None, False) for s in steps),
            *(
                (self.step_of[j], f.visible_if, f, self.step_count + j in plain)
                for j, f in enumerate(self.fields)
            ),
        )
        self.calculated = tuple(
            self.field_node[f.id] for f in self.fields if f.type is FieldType.CALCULATED
        )
        # a default_expression is computed once per live resolution, afresh per resolve
        self.computes_defaults = any(f.default_expression is not None for f in self.fields)
        self.templates: dict[tuple[str, TextKey], TextTemplate] = {}
        if definition.format_version >= 2:
            self._parse_templates()
        self.options_filtered = frozenset(
            f.id for f in self.fields if any(o.visible_if is not None for o in f.options)
        )
        self.filtered_nodes = tuple(
            self.field_node[f.id] for f in self.fields if f.id in self.options_filtered
        )
        count = self.node_count
        self.read_nodes: set[int] = set()
        # value_reads[n]: the nodes n reads, with the key it reads them through
        self.value_reads: list[dict[int, str]] = [{} for _ in range(count)]
        state_reads: list[set[int]] = [set() for _ in range(count)]
        for i, step in enumerate(steps):
            self._add(self.value_reads[i], "visible_if", _logic_reads(step.visible_if))
            for key in _STEP_TEXTS:
                template = self.templates.get((step.id, key))
                if template is not None:
                    state_reads[i].update(self._nodes(template.reads))
        for j, f in enumerate(self.fields):
            node = self.step_count + j
            reads = self.value_reads[node]
            reads[self.step_of[j]] = "step"
            self._add(reads, "visible_if", _logic_reads(f.visible_if))
            for option in f.options:
                self._add(
                    reads, f"option {option.value} visible_if", _logic_reads(option.visible_if)
                )
            if f.calculate is not None:
                self._add(reads, "calculate", f.calculate.reads)
            if f.default_expression is not None:
                self._add(reads, "default_expression", f.default_expression.reads)
            state = state_reads[node]
            state.add(node)
            for expression in (f.required_if, f.enabled_if, f.constraint):
                if expression is not None:
                    state.update(self._nodes(expression.reads))
            for key in _FIELD_TEXTS:
                template = self.templates.get((f.id, key))
                if template is not None:
                    state.update(self._nodes(template.reads))
        # every field some condition, expression or text reads (what a save must load)
        self.read_fields = frozenset(self.names[n] for n in self.read_nodes)
        self.order = self._topological_order()
        self.rank = [0] * count
        for position, node in enumerate(self.order):
            self.rank[node] = position
        self.value_dependents: list[list[int]] = [[] for _ in range(count)]
        self.state_dependents: list[list[int]] = [[] for _ in range(count)]
        for node in range(count):
            for read in self.value_reads[node]:
                self.value_dependents[read].append(node)
            for read in state_reads[node]:
                self.state_dependents[read].append(node)
        # the fields whose answer can change which steps are on the path: what a step's
        # condition reads, transitively (every field when an empty step is skipped)
        self.path_steering = frozenset(
            self.names[n] for n in self._read_by_steps() if n >= self.step_count
        )

    def _read_by_steps(self) -> set[int]:
        if self.hide_empty_steps:
            return set(range(self.node_count))
        seen: set[int] = set()
        todo = [n for i in range(self.step_count) for n in self.value_reads[i]]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self.value_reads[node])
        return seen

    def _parse_templates(self) -> None:
        for step in self.steps:
            self._template(step.id, "title", step.title)
            self._template(step.id, "description", step.description)
        for f in self.fields:
            self._template(f.id, "label", f.label)
            self._template(f.id, "help", f.help)

    def _template(self, element_id: str, key: TextKey, text: str | None) -> None:
        if text is not None and "{" in text:
            template = parse_template(text)
            if template.reads:
                self.templates[(element_id, key)] = template

    def _nodes(self, names: Iterable[str]) -> list[int]:
        field_node = self.field_node
        owners = (n if n in field_node else reference_owner(n, field_node) for n in names)
        nodes = [field_node[n] for n in owners if n is not None]
        self.read_nodes.update(nodes)
        return nodes

    def _add(self, reads: dict[int, str], key: str, names: Iterable[str]) -> None:
        for node in self._nodes(names):
            reads.setdefault(node, key)

    def _topological_order(self) -> list[int]:
        """Every node after the nodes it reads, else in definition order; a cycle raises."""
        count = len(self.value_reads)
        waiting = [len(reads) for reads in self.value_reads]
        readers: list[list[int]] = [[] for _ in range(count)]
        for node, reads in enumerate(self.value_reads):
            for read in reads:
                readers[read].append(node)
        # Definition order: a step before its fields, steps in order.
        natural = self.natural = [0] * count
        position = 0
        for i, step in enumerate(self.steps):
            natural[i] = position
            position += 1
            for f in step.fields:
                natural[self.field_node[f.id]] = position
                position += 1
        ready = [(natural[n], n) for n in range(count) if waiting[n] == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            _, node = heapq.heappop(ready)
            order.append(node)
            for reader in readers[node]:
                waiting[reader] -= 1
                if waiting[reader] == 0:
                    heapq.heappush(ready, (natural[reader], reader))
        if len(order) < count:
            raise self._cycle({n for n in range(count) if waiting[n] > 0})
        return order

    def _cycle(self, stuck: set[int]) -> LogicCycleError:
        """One cycle among the nodes left waiting (each reads another one of them)."""
        start = min(stuck, key=lambda n: self.natural[n])
        seen: dict[int, int] = {}
        trail: list[int] = []
        node = start
        while node not in seen:
            seen[node] = len(trail)
            trail.append(node)
            node = next(r for r in self.value_reads[node] if r in stuck)
        loop = [*trail[seen[node] :], node]
        links = [
            (self.names[a], self.value_reads[a][b], self.names[b])
            for a, b in itertools.pairwise(loop)
        ]
        return LogicCycleError(links)

    def live(self, answers: Answers, cleared: Collection[str] = frozenset()) -> LiveResolution:
        """A resolution kept up to date answer by answer (one per open session)."""
        return LiveResolution(self, answers, cleared)

    def path(self, answers: Answers) -> ResolvedPath:
        """The path alone (what `resolve(answers).path` is, at the cost of one pass)."""
        return LiveResolution(self, answers, ()).path

    def resolve(self, answers: Answers, cleared: Collection[str] = frozenset()) -> Resolution:
        """The state of the wizard for `answers` (field id -> answer; missing or empty =
        unanswered); `cleared`: fields the person emptied (no computed default)."""
        return self.live(answers, cleared).current

    def resolve_steps(
        self, answers: Answers, cleared: Collection[str], step_ids: Collection[str]
    ) -> Resolution:
        """`resolve`, with the states (required, read-only, problems, texts) of the
        elements of `step_ids` alone, the rest left empty: what checking those steps
        reads (`step_problems`), without computing them for the whole path."""
        return LiveResolution(self, answers, cleared).of_steps(step_ids)

    def step_problems(
        self, resolution: Resolution, step_id: str, answers: Mapping[str, AnswerValue | None]
    ) -> dict[str, str]:
        """Field id -> why its answer in `answers` cannot be saved on `step_id` now: the
        answer rules with what is required now, the option filter and the constraint.
        A read-only field is held to the answer rules alone. The check of the core when
        a step is saved and of the player before Next: the same rules."""
        problems: dict[str, str] = {}
        budget = EvaluationBudget()
        for f in resolution.path.visible_fields.get(step_id, ()):
            if f.type in _NO_ANSWER:
                continue
            value = answers.get(f.id)
            disabled = f.id in resolution.disabled
            required = f.id in resolution.required and not disabled
            rule = resolution.rules.get(f.id)
            if (
                rule is not None
                and rule[0] is value
                and (not required or f.type in REQUIRED_ONLY_WHEN_EMPTY)
            ):
                problem = rule[1]  # the resolution judged this very answer so
            else:
                problem = answer_problem(f, value, required=required)
            if problem is None and value is not None and is_answered(value):
                # (the scope a constraint reads, with this answer: built only for one)
                scope = resolution.scope
                if f.constraint is not None:
                    scope = {**scope, f.id: value}
                options = resolution.options.get(f.id)
                problem = _further_problem(f, value, options, disabled, scope, budget)
            if problem is not None:
                problems[f.id] = problem
        return problems


@dataclass(frozen=True)
class _Layout:
    """What a path is made of apart from its answers (see `LiveResolution._path`)."""

    steps: tuple[Step, ...]
    visible_fields: dict[str, tuple[Field, ...]]
    shown: list[int]  # the nodes of the fields shown, in definition order
    field_ids: tuple[str, ...]
    step_ids: tuple[str, ...]


def hold_answer(
    answers: dict[str, AnswerValue], cleared: set[str], field_id: str, value: AnswerValue | None
) -> None:
    """Hold `value` as the answer of `field_id` in `answers` (None or empty: cleared, its
    id in `cleared`), as a live resolution and the player hold answers."""
    if value is not None and is_answered(value):
        answers[field_id] = value
        cleared.discard(field_id)
    else:
        answers.pop(field_id, None)
        cleared.add(field_id)


class LiveResolution:
    """The resolution of one session's answers, updated incrementally. State lives in
    lists indexed by node (steps, then fields): what decides (visible, value, options)
    is computed at once, the rest (required, read-only, problem, texts) when first
    asked for (`current`, `set_answer`), so a path alone costs one pass."""

    def __init__(self, logic: WizardLogic, answers: Answers, cleared: Collection[str]) -> None:
        self.logic = logic
        # the answered ones (is_answered, written out: this runs on every path)
        self.answers: dict[str, AnswerValue] = {
            k: v for k, v in answers.items() if v is not None and v != "" and v != [] and v != {}
        }
        self.cleared = set(cleared)
        count = logic.node_count
        self.visible = [False] * count
        self.values: list[AnswerValue | None] = [None] * count
        self.options: list[tuple[str, ...] | None] = [None] * count
        self.required = [False] * count
        self.disabled = [False] * count
        self.problems: list[str | None] = [None] * count
        self.texts: list[tuple[str, ...]] = [()] * count
        self.defaults: dict[str, AnswerValue] = {}
        self.rules: dict[str, tuple[AnswerValue, str | None]] = {}  # answer -> its problem
        self.scope: dict[str, AnswerValue] = {}
        self._current: Resolution | None = None
        # The path's layout (steps, their visible fields, the fields shown) and the
        # answers that count, kept while no visibility changes; `_moved`: the nodes
        # whose value changed since (`_path` updates a copy of the answers for them).
        self._layout: _Layout | None = None
        self._counted: dict[str, AnswerValue] = {}
        self._moved: set[int] = set()
        # One budget per resolution or change, for everything it evaluates.
        self._budget = EvaluationBudget()
        self._values_ok = self._states_ok = False  # computed for these answers
        self._value_pass()

    # --- evaluation ---------------------------------------------------------------

    def _holds(self, logic: Logic | None, budget: EvaluationBudget) -> bool:
        if logic is None:
            return True
        if logic.__class__ is Expression:  # faster than isinstance with the condition types
            return is_true(evaluate(logic, self.scope, budget))
        return conditions.evaluate(logic, self.scope)  # type: ignore[arg-type]

    def _value_node(self, node: int, budget: EvaluationBudget) -> bool:
        """Recompute what `node` decides (visible, options, value); True if it changed."""
        logic = self.logic
        parent, condition, f, plain = logic.node_info[node]
        visible = (parent < 0 or self.visible[parent]) and (
            condition is None or self._holds(condition, budget)
        )
        if f is None:  # a step
            if visible is self.visible[node]:
                return False
            self._layout = None
            self.visible[node] = visible
            return True
        options = None
        value: AnswerValue | None = None
        if visible:
            if plain:
                value = self.answers.get(f.id)
            else:
                if f.id in logic.options_filtered:
                    options = tuple(o.value for o in f.options if self._holds(o.visible_if, budget))
                value = self._value(f, options, budget)
        elif logic.hidden_answers_count and f.type not in _NO_ANSWER:
            value = self.answers.get(f.id)  # kept and read, though not on the path
        old = self.values[node]
        if visible is not self.visible[node]:
            self._layout = None
            changed = True
        elif value is not old and value != old:
            self._moved.add(node)
            changed = True
        else:
            changed = options != self.options[node]
        self.visible[node], self.values[node], self.options[node] = visible, value, options
        if value is None:
            self.scope.pop(f.id, None)
        else:
            self.scope[f.id] = value
        return changed

    def _value(
        self, f: Field, options: tuple[str, ...] | None, budget: EvaluationBudget
    ) -> AnswerValue | None:
        if f.type is FieldType.CALCULATED:
            assert f.calculate is not None
            value = _normalized(evaluate(f.calculate, self.scope, budget))
        else:
            value = self.answers.get(f.id)
            if value is None and f.default_expression is not None and f.id not in self.cleared:
                if f.id not in self.defaults:
                    computed = _normalized(evaluate(f.default_expression, self.scope, budget))
                    if computed is None or not is_answered(computed):
                        return None
                    self.defaults[f.id] = computed
                value = self.defaults[f.id]
            if value is not None and options is not None:
                value = _filtered(value, options)
        return value if value is not None and is_answered(value) else None

    def _state_node(self, node: int, budget: EvaluationBudget) -> bool:
        """Recompute a shown element's required, read-only, problem and texts."""
        logic = self.logic
        before = (self.required[node], self.disabled[node], self.problems[node], self.texts[node])
        f = logic.field_at[node]
        if f is None:  # a step
            self.texts[node] = self._texts(logic.names[node], _STEP_TEXTS)
        elif not self.visible[node]:
            self.required[node], self.disabled[node] = False, False
            self.problems[node], self.texts[node] = None, ()
        else:
            no_answer = f.type in _NO_ANSWER
            self.required[node] = not no_answer and (
                f.required or (f.required_if is not None and self._holds(f.required_if, budget))
            )
            self.disabled[node] = f.enabled_if is not None and not self._holds(f.enabled_if, budget)
            self.problems[node] = None if no_answer else self._problem(f, node, budget)
            self.texts[node] = self._texts(f.id, _FIELD_TEXTS)
        after = (self.required[node], self.disabled[node], self.problems[node], self.texts[node])
        return before != after

    def _problem(self, f: Field, node: int, budget: EvaluationBudget) -> str | None:
        given = self.answers.get(f.id)
        if given is None:
            return None
        rule = self.rules.get(f.id)
        if rule is None or rule[0] is not given:  # the answer rules read the answer alone
            rule = self.rules[f.id] = (given, answer_problem(f, given, required=False))
        if rule[1] is not None:
            return rule[1]
        options, disabled = self.options[node], self.disabled[node]
        return _further_problem(f, given, options, disabled, self.scope, budget)

    def _texts(self, element_id: str, keys: tuple[TextKey, TextKey]) -> tuple[str, ...]:
        templates = self.logic.templates
        if not templates:
            return ()
        return tuple(
            templates[(element_id, key)].render(self.scope)
            for key in keys
            if (element_id, key) in templates
        )

    def _value_pass(self) -> None:
        self.scope.clear()
        self._values_ok = self._states_ok = False
        self._current = None
        self._layout = None
        for node in self.logic.order:
            self._value_node(node, self._budget)
        self._values_ok = True

    def _state_pass(self) -> None:
        for node in range(self.logic.node_count):
            self._state_node(node, self._budget)
        self._states_ok = True

    def _complete(self) -> None:
        """Every state computed; what a budget stopped starts again with a new one."""
        if not self._values_ok:
            self._budget = EvaluationBudget()
            self._value_pass()
        if not self._states_ok:
            self._state_pass()

    # --- the public side ------------------------------------------------------------

    def set_answer(self, field_id: str, value: AnswerValue | None) -> frozenset[str]:
        """Change one answer (None or empty: cleared) and bring every state that reads
        it up to date; the ids of the steps and fields whose state changed."""
        hold_answer(self.answers, self.cleared, field_id, value)
        self._current = None
        logic = self.logic
        node = logic.field_node.get(field_id)
        if node is None:
            return frozenset()
        if not self._states_ok:  # never computed, or a budget ran out: from scratch
            self._values_ok = False
            self._complete()
            return frozenset(logic.names)
        self._values_ok = self._states_ok = False
        budget = self._budget = EvaluationBudget()
        changed: set[int] = set()
        state_dirty = {node}
        queue = [(logic.rank[node], node)]
        queued = {node}
        while queue:
            _, current = heapq.heappop(queue)
            if not self._value_node(current, budget):
                continue
            changed.add(current)
            state_dirty.update(logic.state_dependents[current])
            for reader in logic.value_dependents[current]:
                if reader not in queued:
                    queued.add(reader)
                    heapq.heappush(queue, (logic.rank[reader], reader))
        for dirty in state_dirty:
            if self._state_node(dirty, budget):
                changed.add(dirty)
        self._values_ok = self._states_ok = True
        names = logic.names
        return frozenset(names[n] for n in changed)

    def set_answers(self, changes: Mapping[str, AnswerValue | None]) -> None:
        """Change several answers (None or empty: cleared) and bring what decides
        (visible, values, options) up to date, evaluating again only what reads them;
        the other states are computed again when asked (`of_steps`, `current`). What a
        save checks on a resolution kept for its session."""
        logic = self.logic
        queue: list[tuple[int, int]] = []
        answers = self.answers
        for field_id, value in changes.items():
            if value is not None and answers.get(field_id) is value:
                continue  # (the very answer it holds: nothing that reads it changes)
            hold_answer(answers, self.cleared, field_id, value)
            node = logic.field_node.get(field_id)
            f = None if node is None else logic.field_at[node]
            if node is not None and f is not None and f.type is not FieldType.CALCULATED:
                queue.append((logic.rank[node], node))  # (a calculated one's is never read)
        self._current = None
        self._states_ok = False
        if not self._values_ok:  # a budget ran out before: from scratch
            self._budget = EvaluationBudget()
            self._value_pass()
            return
        self._values_ok = False
        budget = self._budget = EvaluationBudget()
        queued = {node for _, node in queue}
        heapq.heapify(queue)
        while queue:
            _, current = heapq.heappop(queue)
            if self._value_node(current, budget):
                for reader in logic.value_dependents[current]:
                    if reader not in queued:
                        queued.add(reader)
                        heapq.heappush(queue, (logic.rank[reader], reader))
        self._values_ok = True

    @property
    def path(self) -> ResolvedPath:
        """The steps on the path, their visible fields and the values that count."""
        if self._current is not None:
            return self._current.path
        return self._path()[0]

    def _path(self) -> tuple[ResolvedPath, list[int]]:
        """The path, and the nodes of the fields shown (in definition order): from the
        kept layout when no visibility changed and no answer that counts came or went
        (a copy of the answers, so an earlier path keeps its own), else built anew."""
        layout = self._layout
        if layout is not None and self._moved:
            counted = dict(self._counted)
            node_info, visible, values, names = (
                self.logic.node_info,
                self.visible,
                self.values,
                self.logic.names,
            )
            for node in self._moved:
                if not (visible[node] and visible[node_info[node][0]]):
                    continue  # not among the answers that count
                name, value = names[node], values[node]
                if value is None:
                    counted.pop(name, None)
                elif name in counted:
                    counted[name] = value
                else:  # an answer that counts came: its place in the order is new
                    layout = None
                    break
            self._moved.clear()
            if layout is not None:
                self._counted = counted
        if layout is None:
            return self._new_path()
        path = ResolvedPath(layout.steps, layout.visible_fields, self._counted, layout.step_ids)
        return path, layout.shown

    def _new_path(self) -> tuple[ResolvedPath, list[int]]:
        logic = self.logic
        visible, values = self.visible, self.values
        steps: list[Step] = []
        visible_fields: dict[str, tuple[Field, ...]] = {}
        counted: dict[str, AnswerValue] = {}
        shown: list[int] = []
        hide_empty = logic.hide_empty_steps
        for step_node, field_nodes in logic.step_fields:
            if not visible[step_node]:
                continue
            step = logic.steps[step_node]
            fields: list[Field] = []
            step_shown: list[int] = []
            for node in field_nodes:
                if not visible[node]:
                    continue
                f = logic.field_at[node]
                assert f is not None
                value = values[node]
                if value is not None:
                    counted[f.id] = value
                if node not in logic.hidden:
                    fields.append(f)
                    step_shown.append(node)
            if hide_empty and not fields:
                continue  # `hide_empty_steps`: nothing shows on this step
            steps.append(step)
            shown.extend(step_shown)
            visible_fields[step.id] = tuple(fields)
        names = logic.names
        self._layout = layout = _Layout(
            tuple(steps),
            visible_fields,
            shown,
            tuple(names[n] for n in shown),
            tuple(step.id for step in steps),
        )
        self._counted, self._moved = counted, set()
        return ResolvedPath(layout.steps, visible_fields, counted, layout.step_ids), shown

    @property
    def current(self) -> Resolution:
        """The full resolution of the current answers (built when asked)."""
        self._complete()
        if self._current is None:
            self._current = self._build()
        return self._current

    def of_steps(self, step_ids: Collection[str]) -> Resolution:
        """The resolution with the states of `step_ids`' elements alone (see
        `WizardLogic.resolve_steps`)."""
        logic = self.logic
        nodes: set[int] = set()
        for step_id in step_ids:
            step_node = logic.step_node.get(step_id)
            if step_node is not None:
                nodes.add(step_node)
                nodes.update(logic.step_fields[step_node][1])
        for node in sorted(nodes):
            self._state_node(node, self._budget)
        return self._build(nodes)

    def _shown(self, node: int, on_path: Mapping[str, object]) -> bool:
        """Whether field `node` is among the fields shown (`_path`'s `shown`), given
        the path's steps (`on_path`: its `visible_fields`)."""
        logic = self.logic
        return (
            self.visible[node]
            and node not in logic.hidden
            and logic.names[logic.node_info[node][0]] in on_path
        )

    def _build(self, stated: Collection[int] | None = None) -> Resolution:
        """The Resolution; with `stated`, the states of those nodes alone. (What only
        a few nodes hold is read from those nodes, not from every field shown.)"""
        logic = self.logic
        names = logic.names
        path, shown = self._path()
        on_path = path.visible_fields
        texts: dict[tuple[str, TextKey], str] = {}
        if stated is None:
            step_nodes = [logic.step_node[step.id] for step in path.steps]
            with_states = shown
        else:
            ordered = sorted(stated)
            step_nodes = [n for n in ordered if n < logic.step_count and names[n] in on_path]
            with_states = [n for n in ordered if n >= logic.step_count and self._shown(n, on_path)]
        for step_node in step_nodes:
            self._put_texts(texts, names[step_node], _STEP_TEXTS, self.texts[step_node])
        for node in with_states:
            self._put_texts(texts, names[node], _FIELD_TEXTS, self.texts[node])
        defaults = (
            {
                f.id: self.defaults[f.id]
                for f in (logic.field_at[n] for n in shown)
                if f is not None
                and f.id in self.defaults
                and not (f.id in self.answers or f.id in self.cleared)
            }
            if self.defaults
            else {}
        )
        assert self._layout is not None  # (_path keeps it)
        return Resolution(
            steps=path.step_ids,
            fields=self._layout.field_ids,
            required=frozenset(names[n] for n in with_states if self.required[n]),
            disabled=frozenset(names[n] for n in with_states if self.disabled[n]),
            values={names[n]: self.values[n] for n in logic.calculated},
            options={
                names[n]: o
                for n in logic.filtered_nodes
                if (o := self.options[n]) is not None and self._shown(n, on_path)
            },
            texts=texts,
            problems={names[n]: p for n in with_states if (p := self.problems[n]) is not None},
            path=path,
            defaults=defaults,
            scope=path.answers,  # (a path's answers are never changed: see _path)
            rules={
                name: r
                for n in with_states
                if (r := self.rules.get(name := names[n])) and r[0] is self.answers.get(name)
            },
        )

    def _put_texts(
        self,
        texts: dict[tuple[str, TextKey], str],
        element_id: str,
        keys: tuple[TextKey, TextKey],
        rendered: tuple[str, ...],
    ) -> None:
        present = [key for key in keys if (element_id, key) in self.logic.templates]
        for key, text in zip(present, rendered, strict=True):
            texts[(element_id, key)] = text


def wizard_logic(definition: WizardDefinition) -> WizardLogic:
    """The logic of `definition`, built once (kept on the definition, which is
    immutable); raises LogicCycleError for a cycle."""
    cached = definition.logic_cache
    if not isinstance(cached, WizardLogic):
        cached = WizardLogic(definition)
        object.__setattr__(definition, "logic_cache", cached)
    return cached


__all__ = [
    "CONSTRAINT_MESSAGE",
    "LiveResolution",
    "LogicCycleError",
    "Resolution",
    "WizardLogic",
    "wizard_logic",
]

"""ODK's XPath engine (Enketo's openrosa-xpath-evaluator over jsdom, Node) as a test oracle.

`evaluate_cases` installs the pinned packages (tests/oracle/openrosa/package-lock.json) once
per machine, as survey_core.py does, and sends one batch of cases to openrosa_eval.mjs.
`XForm.of(path)` is the XForm pyxform writes for an XLSForm (the very XPath ODK runs: its
binds, choice filters and first-load defaults, its primary and secondary instances), and
`XForm.instance_xml` that instance holding given answers in ODK's shapes, with repeat
instances. Without Node or npm the calling test fails and says so."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyxform.xls2xform import convert

from tests.oracle.survey_core import npm_folder, run_node

HERE = Path(__file__).resolve().parent
_NEEDS = "the XLSForm tests compare with ODK's XPath engine (openrosa-xpath-evaluator)"
SECONDARY = "oracle-instances"  # the element under the root holding secondary instances
_JR = "{http://openrosa.org/javarosa}"


def evaluate_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case {xml, calculates: [{node, expr}], exprs: [{context, expr, type}]} evaluated
    by openrosa_eval.mjs: [{calculated: {node: text}, results: [...]}]."""
    folder = npm_folder(
        HERE / "openrosa", "openrosa-xpath-evaluator", "wizard-desktop-openrosa", _NEEDS
    )
    answer = run_node(folder, HERE / "openrosa_eval.mjs", {"cases": cases}, _NEEDS)
    assert isinstance(answer, list)
    return answer


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Bind:
    nodeset: str
    relevant: str | None
    constraint: str | None
    calculate: str | None
    required: str | None
    type: str


@dataclass(frozen=True)
class ChoiceFilter:
    nodeset: str  # the select's node
    instance: str  # the list's secondary instance id
    predicate: str  # evaluated at each item


@dataclass
class XForm:
    root: ET.Element  # the primary instance, namespaces dropped
    binds: list[Bind]
    repeats: list[str]  # repeat nodesets
    filters: list[ChoiceFilter]
    defaults: dict[str, str]  # nodeset -> first-load setvalue expression
    instances: dict[str, ET.Element] = field(default_factory=dict)

    @classmethod
    def of(cls, path: Path) -> XForm:
        xml = convert(xlsform=str(path), validate=False, pretty_print=False).xform
        html = ET.fromstring(xml)
        model = next(e for e in html.iter() if _local(e.tag) == "model")
        instances = [e for e in model if _local(e.tag) == "instance"]
        primary = _plain(next(iter(instances[0])))
        secondary = {
            str(e.get("id")): _plain(next(iter(e))) for e in instances[1:] if e.get("id") and len(e)
        }
        binds = [
            Bind(
                str(b.get("nodeset")),
                b.get("relevant"),
                b.get("constraint"),
                b.get("calculate"),
                b.get("required"),
                str(b.get("type", "string")),
            )
            for b in model
            if _local(b.tag) == "bind"
        ]
        defaults = {
            str(e.get("ref")): str(e.get("value"))
            for e in html.iter()
            if _local(e.tag) == "setvalue"
            and "odk-instance-first-load" in str(e.get("event"))
            and e.get("value")
        }
        repeats = [str(e.get("nodeset")) for e in html.iter() if _local(e.tag) == "repeat"]
        filters = []
        for itemset in (e for e in html.iter() if _local(e.tag) == "itemset"):
            found = re.fullmatch(
                r"\s*instance\('([^']+)'\)/root/item\[(.*)\]\s*", str(itemset.get("nodeset"))
            )
            parent = next(e for e in html.iter() if itemset in list(e))
            if found:
                filters.append(ChoiceFilter(str(parent.get("ref")), found[1], found[2]))
        return cls(primary, binds, repeats, filters, defaults, secondary)

    def instance_xml(self, values: dict[str, str], counts: dict[str, int]) -> str:
        """The primary instance with VALUES (indexed paths `/data/r[2]/q` -> ODK's text) in
        its leaves, COUNTS[repeat nodeset] instances of each repeat, and the secondary
        instances under /ROOT/oracle-instances/instance[@id]."""
        root = self._filled(self.root, f"/{self.root.tag}", f"/{self.root.tag}", values, counts)
        holder = ET.SubElement(root, SECONDARY)
        for name, element in self.instances.items():
            ET.SubElement(holder, "instance", id=name).append(element)
        return ET.tostring(root, encoding="unicode")

    def _filled(
        self,
        element: ET.Element,
        plain: str,
        indexed: str,
        values: dict[str, str],
        counts: dict[str, int],
    ) -> ET.Element:
        copy = ET.Element(element.tag, {k: v for k, v in element.attrib.items() if "}" not in k})
        if len(element) == 0:
            copy.text = values.get(indexed, "")
            return copy
        seen: set[str] = set()
        for child in element:
            path = f"{plain}/{child.tag}"
            if path in self.repeats:
                if path in seen:
                    continue  # the template and the instances the form starts with
                seen.add(path)
                for i in range(counts.get(path, 0)):
                    index = f"{indexed}/{child.tag}[{i + 1}]"
                    copy.append(self._filled(child, path, index, values, counts))
            else:
                copy.append(self._filled(child, path, f"{indexed}/{child.tag}", values, counts))
        return copy


def _plain(element: ET.Element) -> ET.Element:
    """ELEMENT and its children without namespaces (as Enketo's model reads them)."""
    copy = ET.Element(_local(element.tag), {k: v for k, v in element.attrib.items()})
    copy.text = element.text
    for child in element:
        copy.append(_plain(child))
    return copy

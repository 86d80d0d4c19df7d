"""An imported wizard as a format-2 YAML file a person can read, edit and keep in git:
block style, keys in the file format's order (`WizardDefinition.to_dict`), long texts
as literal blocks. Loading the text gives back an equal definition."""

from __future__ import annotations

from typing import Any

import yaml

from wizard_desktop.definition.model import WizardDefinition


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line texts as `|` blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip("\n ") + "" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def definition_yaml(definition: WizardDefinition) -> str:
    """The YAML text of `definition` (format 2, with a header saying where it came from)."""
    data: dict[str, Any] = definition.to_dict()
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
    source = definition.imported_from or "another tool"
    return f"# Converted from a {source} form by wizard-desktop convert\n{body}"

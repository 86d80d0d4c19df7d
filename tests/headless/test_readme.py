"""The README's complete wizard example is a valid wizard file."""

from __future__ import annotations

import re
from pathlib import Path

from wizard_desktop.definition.loader import load_wizard_file

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_loads(tmp_path: Path) -> None:
    (example,) = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    definition = load_wizard_file(path)
    assert definition.id == "team-offsite"
    assert {f.type.value for f in definition.fields} == {
        "text", "number", "date", "choice", "multi_choice", "multiline", "boolean",
    }  # fmt: skip

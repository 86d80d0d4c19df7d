"""The README's complete wizard examples (format 1 and format 2) are valid wizard files
(the reference's examples are loaded by test_loader), and the format 2 one resolves as
the README says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from wizard_desktop.definition.loader import load_wizard_file

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_loads(tmp_path: Path) -> None:
    example, _v2 = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    definition = load_wizard_file(path)
    assert definition.id == "team-offsite"
    assert {f.type.value for f in definition.fields} == {
        "text", "number", "date", "choice", "multi_choice", "multiline", "boolean",
    }  # fmt: skip


def test_readme_logic_example_loads_and_resolves_as_described(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    _v1, example = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    path = tmp_path / "travel-claim.yaml"
    path.write_text(example, encoding="utf-8")
    definition = load_wizard_file(path)
    assert definition.format_version == 2
    assert {"note", "calculated", "rating", "time"} <= {f.type.value for f in definition.fields}
    (command,) = re.findall(r"```sh\necho '(.*?)' \\\n", text, flags=re.S)
    result = subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "resolve", str(path), "--answers", "-"],
        input=command,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert resolved["values"] == {"total": 570}
    assert "manager" in resolved["required"]  # 570 > 500
    assert resolved["steps"] == ["trip", "costs"]

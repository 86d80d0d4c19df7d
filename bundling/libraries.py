"""Which shared libraries a bundle ships, decided by declaration rather than by what the
build machine happens to have installed.

PyInstaller copies every library its binaries need that it finds on the build machine,
including those of plugins that are dropped afterwards; so installing libgtk-3 once
made the bundle 11 MB larger. Here the bundle keeps only the libraries its kept
binaries (Python's extension modules, the Python library and the kept Qt plugins) reach
through their ELF `DT_NEEDED` entries, and that set must be exactly the one build.spec
declares. `python -m bundling.libraries DIR` checks a built bundle the same way: every
library in it declared, every declared one in it, and every library any of them needs
either shipped or one the user's system provides (SYSTEM_LIBRARIES).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
SPEC_DECLARATION = "SHIPPED_LIBRARIES"
"""The name of the dict in build.spec: library file name -> (where it comes from, why)."""

# Taken from the user's system, never shipped: they must match the system's kernel,
# graphics driver, display server or printing system (PyInstaller's own exclude list
# keeps most of them out; `pyinstaller_qt.trim` drops the others).
SYSTEM_LIBRARIES = re.compile(
    r"(ld-linux-x86-64|ld-linux-aarch64|libc|libm|libdl|libpthread|librt|libresolv|libutil)"
    r"\.so\.\d+"  # glibc: the one the system runs
    r"|lib(GL|EGL|OpenGL|GLX|drm)\.so\.\d+"  # the graphics driver's (libglvnd)
    r"|libxcb\.so\.1"  # the X server's protocol library (its ABI follows the system)
    r"|libwayland-(client|cursor|egl)\.so\.\d+"  # the compositor's
    r"|libcups\.so\.2"  # the printing system's client: it talks to the system's CUPS
)

NeededBy = Callable[[str], list[str]]
"""A binary's source path -> the file names of the libraries it needs (DT_NEEDED)."""


def is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def needed_libraries(path: str | Path) -> list[str]:
    """The DT_NEEDED entries of an ELF file (empty for one that links nothing)."""
    with open(path, "rb") as file:
        try:
            elf = ELFFile(file)
        except ELFError as error:
            raise ValueError(f"{path}: not an ELF file ({error})") from error
        return [
            str(tag.needed)  # type: ignore[attr-defined]  # set by pyelftools per tag
            for segment in elf.iter_segments()
            if isinstance(segment, DynamicSegment)
            for tag in segment.iter_tags("DT_NEEDED")
        ]


def is_extension_module(name: str) -> bool:
    """A Python extension module (loaded by import), not a library linked by name."""
    return re.search(r"\.(cpython-\d+[^/]*|abi3)\.so$", name) is not None


def reachable(roots: Iterable[str], needs: Mapping[str, list[str]]) -> set[str]:
    """Every name reached from `roots` through `needs` (name -> names it needs), the
    roots included; names `needs` does not know are not followed (not collected)."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(needs.get(name, ()))
    return seen


def prune_unreachable(
    binaries: list[Any], is_root: Callable[[str], bool], needed_by: NeededBy = needed_libraries
) -> list[Any]:
    """The entries of a PyInstaller binaries TOC ((destination, source, typecode)) that
    a root (`is_root(destination)`) reaches through DT_NEEDED: what only dropped
    binaries needed (GTK beside the dropped GTK3 theme, EGL beside eglfs) goes."""
    by_name = {os.path.basename(entry[0]): entry for entry in binaries}
    needs = {name: needed_by(entry[1]) for name, entry in by_name.items()}
    roots = [name for name, entry in by_name.items() if is_root(entry[0])]
    kept = reachable(roots, needs)
    return [entry for entry in binaries if os.path.basename(entry[0]) in kept]


def declaration_problems(found: Iterable[str], origins: Mapping[str, str], where: str) -> list[str]:
    """One line per name found but not declared in `where`, and per declared one not
    found (`origins`: declared name -> where the build takes it from)."""
    found_names = set(found)
    problems = [
        f"{name}: in the bundle but not declared in {where} (declare it, with why, or drop"
        " what needs it)"
        for name in sorted(found_names - set(origins))
    ]
    problems += [
        f"{name}: declared in {where} but not in the bundle (is {origins[name]} installed?)"
        for name in sorted(set(origins) - found_names)
    ]
    return problems


def origins(declared: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """SHIPPED_LIBRARIES' name -> where the build takes it from."""
    return {name: origin for name, (origin, _why) in declared.items()}


def read_declaration(spec: Path = SPEC) -> dict[str, tuple[str, str]]:
    """build.spec's SHIPPED_LIBRARIES, read without running the spec (a literal dict)."""
    tree = ast.parse(spec.read_text(encoding="utf-8"), filename=str(spec))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == SPEC_DECLARATION for t in node.targets
        ):
            declared = ast.literal_eval(node.value)
            if not isinstance(declared, dict):
                break
            return {str(name): (str(origin), str(why)) for name, (origin, why) in declared.items()}
    raise ValueError(f"{spec}: no literal dict {SPEC_DECLARATION} = {{...}}")


def bundle_problems(
    folder: Path,
    declared: Mapping[str, tuple[str, str]],
    plugin_origins: Mapping[str, str],
    plugin_key: Callable[[str], str | None],
) -> list[str]:
    """What is wrong with a built bundle: libraries or Qt plugins in it that are not
    declared (or declared and missing), and libraries needed by one of its files that
    neither the bundle nor the system (SYSTEM_LIBRARIES) provides."""
    libraries: set[str] = set()
    plugins: set[str] = set()
    needs: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        relative = path.relative_to(folder).as_posix()
        needs[relative] = needed_libraries(path)
        key = plugin_key(relative)
        if key is not None:
            plugins.add(key)
        elif not is_extension_module(path.name) and path.name != folder.name:
            libraries.add(path.name)  # the executable (named as the folder) is no library
    problems = declaration_problems(
        libraries, origins(declared), f"build.spec's {SPEC_DECLARATION}"
    )
    problems += declaration_problems(plugins, plugin_origins, "SHIPPED_PLUGINS")
    for relative, names in needs.items():
        for name in names:
            if name not in libraries and not SYSTEM_LIBRARIES.fullmatch(name):
                problems.append(f"{relative} needs {name}: neither shipped nor from the system")
    return sorted(problems)


def main(argv: list[str] | None = None) -> int:
    from bundling.pyinstaller_qt import SHIPPED_PLUGINS, plugin_key, plugin_origins

    parser = argparse.ArgumentParser(description="Check a bundle's libraries against build.spec.")
    parser.add_argument("bundle", type=Path, help="the bundle folder, e.g. dist/WizardDesktop")
    parser.add_argument("--spec", type=Path, default=SPEC)
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"{args.bundle}: no such bundle folder (make app builds it)", file=sys.stderr)
        return 2
    declared = read_declaration(args.spec)
    problems = bundle_problems(args.bundle, declared, plugin_origins(), plugin_key)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(
        f"{args.bundle}: {len(declared)} libraries and {len(SHIPPED_PLUGINS)} Qt plugins,"
        f" as {args.spec.name} declares"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

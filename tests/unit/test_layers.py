"""The package's layering (ARCHITECTURE.md): lower layers never import higher ones and
pilots never import one another. Parsed from the source, so a violation fails here before
it becomes an import cycle at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import bigmed

PACKAGE = Path(bigmed.__file__).resolve().parent
# lowest first; a module may import its own layer and the ones before it
ORDER = ["base", "genome", "intake", "knowledge", "store", "germline", "pilots", "report"]


def _imports(path: Path) -> list[str]:
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bigmed":
                out += [f"bigmed.{a.name}" for a in node.names]
            elif node.module.startswith("bigmed."):
                out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("bigmed.")]
    return out


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        if len(parts) == 1:  # bigmed/__init__.py, bigmed/cli.py: the top
            continue
        layer = parts[0]
        assert layer in ORDER, f"{path}: package {layer!r} is not in the layer order"
        for module in _imports(path):
            target = module.split(".")
            if len(target) < 2 or target[1] not in ORDER:
                continue
            if ORDER.index(target[1]) > ORDER.index(layer):
                found.append(f"{'/'.join(parts)} imports higher layer {module}")
            elif layer == target[1] == "pilots" and len(target) > 2 and target[2] != parts[1]:
                found.append(f"{'/'.join(parts)} imports another pilot: {module}")
    return found


def test_no_layer_imports_a_higher_one_and_no_pilot_another():
    assert violations() == []


def test_the_check_sees_a_violation(tmp_path):
    fake = tmp_path / "bigmed"
    for sub in ("base", "pilots/crc", "pilots/cardiac"):
        (fake / sub).mkdir(parents=True)
    (fake / "base" / "x.py").write_text("from bigmed.report.html import asset\n")
    (fake / "pilots" / "crc" / "y.py").write_text("from bigmed.pilots.cardiac import panels\n")
    assert violations(fake) == [
        "base/x.py imports higher layer bigmed.report.html",
        "pilots/crc/y.py imports another pilot: bigmed.pilots.cardiac",
    ]

"""The one place that knows where the JSON/YAML schemas live (``workflow/schemas``).

Every module that validates against a schema asks :func:`schema_path` (or reads it with
:func:`load_schema`) instead of walking up from its own file: the package layout can
change without breaking the lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# scripts/bigmed/base/schemas.py -> project root is three folders above ``bigmed``
SCHEMA_DIR = Path(__file__).resolve().parents[3] / "workflow" / "schemas"


def schema_path(name: str) -> Path:
    """Path of the schema file ``name`` (e.g. ``report.schema.json``) in the schema folder."""
    return SCHEMA_DIR / name


def load_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` from the schema folder, parsed (YAML, which JSON also is)."""
    with open(schema_path(name)) as handle:
        schema: dict[str, Any] = yaml.safe_load(handle)
    return schema

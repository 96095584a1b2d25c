"""The one place that knows where the JSON/YAML schemas live (``workflow/schemas``).

Every module that validates against a schema asks :func:`schema_path` instead of walking
up from its own file: the package layout can change without breaking the lookup.
"""

from __future__ import annotations

from pathlib import Path

# scripts/bigmed/base/schemas.py -> project root is three folders above ``bigmed``
SCHEMA_DIR = Path(__file__).resolve().parents[3] / "workflow" / "schemas"


def schema_path(name: str) -> Path:
    """Path of the schema file ``name`` (e.g. ``report.schema.json``) in the schema folder."""
    return SCHEMA_DIR / name

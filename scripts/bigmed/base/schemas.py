"""The one place that knows where the JSON/YAML schemas live (``workflow/schemas``).

Every module that validates against a schema asks :func:`schema_path` (or reads it with
:func:`load_schema`) instead of walking up from its own file: the package layout can
change without breaking the lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bigmed.base.errors import InputError

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


def field_path(parts: Iterable[Any], brackets: bool = False) -> str:
    """A schema error's location as the file's users write it: ``a.b.2.c`` (the config and
    the other YAML files) or, with ``brackets``, ``a.b[2].c`` (JSON documents)."""
    out = ""
    for p in parts:
        if brackets and isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def check(
    source: str, schema: dict[str, Any], doc: Any, expected: str = "", brackets: bool = False
) -> None:
    """Validate ``doc`` against ``schema`` (draft 2020-12); the first error, in path order,
    is an InputError naming ``source``, the field (see :func:`field_path`) and what is wrong
    (``expected``: what the file should be, added to the message)."""
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(doc),
        key=lambda e: list(map(str, e.path)),
    )
    if not errors:
        return
    err = errors[0]
    if err.validator == "additionalProperties":
        msg = f"{err.message} (check the spelling of the key)"
    elif err.validator == "required":
        msg = f"missing required key: {err.message}"
    else:
        msg = err.message
    if expected:
        msg += f" ({expected} expected)"
    raise InputError(source, msg, field=field_path(err.path, brackets) or None)

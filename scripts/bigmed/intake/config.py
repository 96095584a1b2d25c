"""Config validation with defaults, and the config hash that every report carries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonschema

from bigmed.base.errors import InputError
from bigmed.base.schemas import load_schema


def _fill_defaults(schema: dict[str, Any], data: dict[str, Any]) -> None:
    for key, sub in schema.get("properties", {}).items():
        if key not in data and "default" in sub:
            data[key] = json.loads(json.dumps(sub["default"]))
        if isinstance(data.get(key), dict) and sub.get("type") == "object":
            _fill_defaults(sub, data[key])


def validate_config(config: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """Validate in place against workflow/schemas/config.schema.yaml and fill defaults."""
    schema = load_schema("config.schema.yaml")
    _fill_defaults(schema, config)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path)))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.path) or None
        if err.validator == "additionalProperties":
            msg = f"{err.message} (check the spelling of the key)"
        elif err.validator == "required":
            msg = f"missing required key: {err.message}"
        else:
            msg = err.message
        raise InputError(source, msg, field=where)
    return config


def config_hash(config: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of the validated config (keys sorted)."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()

"""Config validation with defaults, and the config hash that every report carries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from bigmed.base.errors import InputError
from bigmed.base.schemas import check, load_schema


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
    check(source, schema, config)
    return config


def read_config_file(path: str) -> dict[str, Any]:
    """A config file as Snakemake will load it, checked first: UTF-8 text, YAML, a mapping.

    Snakemake reads ``--configfile`` before the workflow's own checks run, and answers a
    file it cannot parse with its own message (or, for bytes that are not UTF-8, a Python
    traceback): ``bigmed run`` and ``bigmed validate`` read it here first, so that such a
    file stops with one line naming its line like any other bad input.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        raise InputError(path, f"config file cannot be read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(path, f"is not UTF-8 text (byte {err.start})", line=line) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at: int | None = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise InputError(path, f"not valid YAML ({problem})", line=at) from None
    if not isinstance(doc, dict):
        raise InputError(path, "must be a YAML mapping of config keys (samples: ..., units: ...)")
    return doc


def config_hash(config: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of the validated config (keys sorted)."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()

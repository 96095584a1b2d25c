"""The contract between a pilot's rules and the report: an interpretation document.

A pilot writes ``results/interpretation/<pilot>/<patient>.json`` following
``workflow/schemas/interpretation.schema.json``; :func:`merge` folds it into report.json.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from bigmed.base import schemas
from bigmed.report.document import coverage_not_assessable

SCHEMA_PATH = schemas.schema_path("interpretation.schema.json")


def pending(pilot: str) -> dict[str, Any]:
    """The interpretation of a pilot whose rules are not available: nothing is claimed."""
    return {
        "status": "not_available",
        "note": f"The {pilot} rules have not been applied: variants are listed unclassified "
        "and none is reported as actionable.",
        "findings": [],
        "biomarkers": [],
        "variants": {},
        "knowledge_bases": [],
        "sections": [],
        "not_assessable": [],
    }


def validate(doc: dict[str, Any]) -> None:
    with open(SCHEMA_PATH) as handle:
        jsonschema.Draft202012Validator(json.load(handle)).validate(doc)


def merge(report: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Fold an interpretation into a report (in place) and return it."""
    validate(doc)
    report["interpretation"] = {"status": doc["status"], "note": doc["note"]}
    report["findings"] = doc["findings"]
    if doc.get("candidates") is not None:
        report["candidates"] = doc["candidates"]
    report["biomarkers"] = doc["biomarkers"]
    report["sections"] = doc["sections"]
    if "coverage" in doc:
        # the pilot's coverage (e.g. its panel) replaces the whole-reference one
        old = coverage_not_assessable(report["coverage"])
        report["not_assessable"] = [x for x in report["not_assessable"] if x not in old]
        report["coverage"] = doc["coverage"]
    if "panel" in doc:
        report["panel"] = doc["panel"]
    if "focus" in doc:
        report["coverage"]["focus"] = doc["focus"]
    if "biomarker_note" in doc:
        report["biomarker_note"] = doc["biomarker_note"]
    report["not_assessable"] = doc["not_assessable"] + report["not_assessable"]
    # every source of the bundle stays listed; a pilot may add sources of its own
    kbs = report["provenance"].get("knowledge_bases") or []
    names = {(k.get("name"), k.get("version")) for k in kbs}
    kbs += [k for k in doc["knowledge_bases"] if (k.get("name"), k.get("version")) not in names]
    report["provenance"]["knowledge_bases"] = kbs
    by_id = doc["variants"]
    for v in report["variants"]:
        extra = by_id.get(v["id"])
        if extra:
            v.update({k: extra[k] for k in ("classification", "rank", "evidence") if k in extra})
    return report

"""The store's lookup in a patient's report: per-variant fields and one report section.

report.json gets ``local_knowledge`` (the store, its cohort, the flag thresholds and the
usage rule) and, per variant, ``observations`` and ``lab_classification``; the HTML shows
the section "Seen before in this lab, lab and partner classifications" through the generic
section renderer, so the page layout needs no store-specific code. :func:`into_join` gives
the same lookup to the pilots' interpretation, whose known-variant path reports the lab's
own classification first.
"""

from __future__ import annotations

import json
from typing import Any

SECTION_ID = "local-knowledge"
COLUMNS = [
    "variant",
    "gene",
    "HGVS",
    "seen before (germline)",
    "somatic / lab normals",
    "flags",
    "lab classification",
    "differs from",
    "partner labs",
]
FLAG_TEXT = {
    "recurrent": "recurrent in unrelated patients (artefact? founder?)",
    "panel_of_normals": "in the lab's panel of normals (artefact or germline?)",
}


def _germline_text(obs: dict[str, Any], cohort: dict[str, Any]) -> str:
    g = obs["germline"]
    total = cohort["total_patients"]
    if not g["patients"]:
        return f"not seen (0 of {total} patients)"
    parts = [
        f"{pilot} {n} of {cohort['patients'].get(pilot, 0)}"
        for pilot, n in sorted(g["by_pilot"].items())
    ]
    hom = f", {g['homozygous']} homozygous or hemizygous" if g["homozygous"] else ""
    return (
        f"{g['patients']} of {total} patients ({'; '.join(parts)}); {g['carriers']} carrier(s){hom}"
    )


def _somatic_text(obs: dict[str, Any], cohort: dict[str, Any]) -> str:
    tumors = obs["somatic"]["patients"]
    return f"{tumors} tumor(s); in {obs['normals']} of {cohort['normals']} normals"


def _class_text(lab: dict[str, Any] | None) -> str:
    if not lab:
        return ""
    crit = ", ".join(f"{c['code']}_{c['strength']}" for c in lab["criteria"]) or "no criteria"
    return (
        f"{lab['class']} for {lab['condition']} (version {lab['version']}; {lab['reviewer']}, "
        f"{lab['date']}): {crit}"
    )


def _partner_text(entry: dict[str, Any]) -> str:
    parts = [
        f"partner lab {c['lab']}: {c['class']} for {c['condition']} ({c['date']})"
        for c in entry["partner_classifications"]
    ]
    parts += [
        f"partner lab {c['lab']}: {c['kind']} {c['pilot']} {c['patients']} of {c['cohort']}"
        for c in entry["observations"]["partners"]
    ]
    return "; ".join(parts)


def _worth_a_row(variant: dict[str, Any], entry: dict[str, Any]) -> bool:
    obs = entry["observations"]
    called = variant.get("filter") == "PASS" or variant.get("origin") == "somatic"
    seen = obs["germline"]["patients"] or obs["somatic"]["patients"] or obs["normals"]
    shared = obs["partners"] or entry["partner_classifications"]
    return bool(entry["lab_classification"] or (called and (seen or shared)))


def _row(variant: dict[str, Any], entry: dict[str, Any], cohort: dict[str, Any]) -> list[Any]:
    obs, lab = entry["observations"], entry["lab_classification"]
    differs = "; ".join(f"{d['source']}: {d['class']}" for d in (lab or {}).get("differs_from", []))
    return [
        variant["id"],
        variant.get("gene") or "",
        variant.get("hgvs_p") or variant.get("hgvs_c") or "",
        _germline_text(obs, cohort),
        _somatic_text(obs, cohort) if variant.get("origin") == "somatic" else "",
        "; ".join(FLAG_TEXT[f] for f in obs["flags"]),
        _class_text(lab),
        differs,
        _partner_text(entry),
    ]


def section(report: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The report section: every call the lab has seen before or classified."""
    cohort = doc["cohort"]
    rows = [
        _row(v, doc["variants"][v["id"]], cohort)
        for v in report["variants"]
        if v["id"] in doc["variants"] and _worth_a_row(v, doc["variants"][v["id"]])
    ]
    partners = ", ".join(p["lab"] for p in cohort["partners"]) or "none"
    store = doc["store"]
    note = (
        f"Looked up in the lab's store ({store['backend']}, schema {store['schema_version']}) "
        f"when this report was made: {cohort['total_patients']} other patient(s), "
        f"{cohort['normals']} normal(s); partner labs: {partners}. "
        f"{len(rows)} of this patient's calls were seen before or classified. {doc['usage']}"
    )
    return {
        "id": SECTION_ID,
        "title": "Seen before in this lab; lab and partner classifications",
        "note": note,
        "columns": COLUMNS,
        "rows": rows,
    }


def into_join(join: dict[str, Any], path: str | None) -> dict[str, Any]:
    """Put the lab's newest classification and partner labs' classifications of each call
    (a store lookup, results/store/lookup/<patient>.json) into the knowledge join, in place:
    the known-variant path (:mod:`bigmed.germline.known`) decides the findings from them, so
    the pilots' interpretation reads the lookup (none: the store is off)."""
    if not path:
        return join
    with open(path, encoding="utf-8") as handle:
        doc = json.load(handle)
    for v in join["variants"]:
        entry = doc["variants"].get(v["id"])
        if entry is None:
            continue
        if entry["lab_classification"]:
            v["lab_classification"] = entry["lab_classification"]
        if entry["partner_classifications"]:
            v["partner_classifications"] = entry["partner_classifications"]
    return join


def merge_lookup(report: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Fold a store lookup (results/store/lookup/<patient>.json) into report.json in place."""
    report["local_knowledge"] = {k: doc[k] for k in ("store", "cohort", "settings", "usage")}
    for v in report["variants"]:
        entry = doc["variants"].get(v["id"])
        if entry is None:
            continue
        v["observations"] = entry["observations"]
        v["lab_classification"] = entry["lab_classification"]
        if entry["partner_classifications"]:
            v["partner_classifications"] = entry["partner_classifications"]
    report["sections"].append(section(report, doc))
    return report

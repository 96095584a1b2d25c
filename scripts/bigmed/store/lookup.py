"""Report-time lookups: what the store knows about a patient's calls.

For every call of the patient: how often the lab saw the allele before in other patients
(germline carriers and patients, by pilot; somatic calls; the lab's normals), whether it is
recurrent or in the self-built panel of normals, the lab's latest own classification (and
where it differs from ClinVar or an expert panel) and what partner labs shared about it.
The patient's own earlier observations (a re-analysis) are never counted.

What the counts may be used for (USAGE, shown in every report): review only. A lab's
patients are referred for disease, are not ancestry-matched to anyone and include relatives,
so a count is not a population frequency: bigmed never turns it into ACMG evidence (BA1,
BS1, BS2, PM2), and a lab may use it for BS1 only after it has documented that its cohort's
size and ancestry make the frequency meaningful for the disease.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pysam
from sqlalchemy import Connection, func, select

from bigmed.store import schema
from bigmed.store.classifications import SHORT, Classification, latest
from bigmed.store.db import Store
from bigmed.store.observations import chunks, variant_ids

USAGE = (
    "Counts are of this lab's earlier patients (a family counts once; this patient is not "
    "counted). They are for review only (recurrent artefacts, founder and familial "
    "variants): not a population frequency, never used as ACMG evidence (BA1, BS1, BS2, "
    "PM2), because referred patients are neither unselected nor ancestry-matched. A lab may "
    "use them for BS1 only after documenting that its cohort's size and ancestry justify it."
)


@dataclass(frozen=True)
class Settings:
    """Thresholds of the flags (config ``store.*``)."""

    recurrent_min_patients: int = 5
    recurrent_min_fraction: float = 0.01
    pon_min_normals: int = 2


def cohort(conn: Connection, exclude: str | None) -> dict[str, Any]:
    """Patients per pilot, germline individuals and normals in the store (``exclude`` left
    out), and the partner labs imported."""
    p = schema.patients
    q = select(p.c.pilot, func.count(), func.sum(p.c.individuals), func.sum(p.c.normals))
    if exclude is not None:
        q = q.where(p.c.patient != exclude)
    by_pilot, individuals, normals = {}, 0, 0
    for pilot, n, ind, nor in conn.execute(q.group_by(p.c.pilot)):
        by_pilot[pilot] = int(n)
        individuals += int(ind or 0)
        normals += int(nor or 0)
    pt = schema.partners
    partners = [
        {"lab": name, "exported": exported, "min_count": mc}
        for name, exported, mc in conn.execute(
            select(pt.c.name, pt.c.exported, pt.c.min_count).order_by(pt.c.name)
        )
    ]
    return {
        "patients": by_pilot,
        "total_patients": sum(by_pilot.values()),
        "individuals": individuals,
        "normals": normals,
        "partners": partners,
    }


def _empty() -> dict[str, Any]:
    return {
        "germline": {"patients": 0, "carriers": 0, "homozygous": 0, "by_pilot": {}},
        "somatic": {"patients": 0},
        "normals": 0,
        "flags": [],
        "partners": [],
    }


def _counts(conn: Connection, ids: dict[str, int], exclude: str | None) -> dict[int, Any]:
    o, p = schema.observations, schema.patients
    out: dict[int, Any] = {}
    for part in chunks(sorted(ids.values())):
        q = (
            select(
                o.c.variant_id,
                p.c.pilot,
                o.c.kind,
                func.count(func.distinct(o.c.patient_id)),
                func.count(),
                func.sum(o.c.alt_alleles - 1),
            )
            .join(p, p.c.id == o.c.patient_id)
            .where(o.c.variant_id.in_(part))
            .group_by(o.c.variant_id, p.c.pilot, o.c.kind)
        )
        if exclude is not None:
            q = q.where(p.c.patient != exclude)
        for vid, pilot, kind, patients, samples, hom in conn.execute(q):
            doc = out.setdefault(vid, _empty())
            if kind == "germline":
                g = doc["germline"]
                g["patients"] += int(patients)
                g["carriers"] += int(samples)
                g["homozygous"] += int(hom or 0)
                g["by_pilot"][pilot] = int(patients)
            elif kind == "somatic":
                doc["somatic"]["patients"] += int(patients)
            else:
                doc["normals"] += int(samples)
    return out


def _partners(conn: Connection, ids: dict[str, int]) -> tuple[dict[int, Any], dict[int, Any]]:
    pt, pc, pcl = schema.partners, schema.partner_counts, schema.partner_classifications
    counts: dict[int, list[dict[str, Any]]] = {}
    classes: dict[int, list[dict[str, Any]]] = {}
    for part in chunks(sorted(ids.values())):
        q = select(
            pc.c.variant_id,
            pt.c.name,
            pt.c.min_count,
            pc.c.pilot,
            pc.c.kind,
            pc.c.patients,
            pc.c.cohort,
        ).join(pt, pt.c.id == pc.c.partner_id)
        for vid, lab, mc, pilot, kind, n, of in conn.execute(q.where(pc.c.variant_id.in_(part))):
            counts.setdefault(vid, []).append(
                {
                    "lab": lab,
                    "pilot": pilot,
                    "kind": kind,
                    "patients": n if n is not None else f"<{mc}",
                    "cohort": of if of is not None else f"<{mc}",
                }
            )
        q2 = select(
            pcl.c.variant_id,
            pt.c.name,
            pcl.c.condition,
            pcl.c["class"],
            pcl.c.criteria,
            pcl.c.evaluated,
        ).join(pt, pt.c.id == pcl.c.partner_id)
        for vid, lab, cond, klass, crit, month in conn.execute(
            q2.where(pcl.c.variant_id.in_(part))
        ):
            classes.setdefault(vid, []).append(
                {"lab": lab, "condition": cond, "class": klass, "criteria": crit, "date": month}
            )
    return counts, classes


def _flags(doc: dict[str, Any], cohort_doc: dict[str, Any], s: Settings) -> list[str]:
    flags = []
    n, total = doc["germline"]["patients"], cohort_doc["total_patients"]
    if n >= s.recurrent_min_patients and total and n / total >= s.recurrent_min_fraction:
        flags.append("recurrent")
    if doc["normals"] >= s.pon_min_normals:
        flags.append("panel_of_normals")
    return flags


def _differences(
    own: Classification, known: dict[str, Any] | None, partners: list[Any]
) -> list[Any]:
    """Where other sources classify the variant differently from the lab's latest class:
    its ClinVar record (3-4 stars: expert panel or practice guideline), a ClinGen expert
    panel, a partner lab."""
    out = []
    cv, ep = (known or {}).get("clinvar"), (known or {}).get("expert_panel")
    if cv and cv["class"] != own.klass:
        expert = (cv.get("stars") or 0) >= 3
        out.append(
            {"source": "ClinVar (expert panel)" if expert else "ClinVar", "class": cv["class"]}
        )
    if ep and ep["class"] != own.klass:
        out.append(
            {
                "source": f"ClinGen expert panel {ep.get('panel') or ''}".strip(),
                "class": ep["class"],
            }
        )
    for p in partners:
        if p["class"] != own.klass:
            out.append({"source": f"partner lab {p['lab']}", "class": p["class"]})
    return out


def _lab_doc(
    rows: list[Classification], known: dict[str, Any] | None, partners: list[Any]
) -> dict[str, Any]:
    first = rows[0]
    doc = first.as_dict()
    doc.pop("variant")
    doc["short"] = SHORT.get(first.klass, first.klass)
    doc["other_conditions"] = [
        {k: v for k, v in r.as_dict().items() if k != "variant"} for r in rows[1:]
    ]
    doc["differs_from"] = _differences(first, known, partners)
    return doc


def lookup(
    store: Store,
    patient: str | None,
    keys: list[str],
    settings: Settings,
    known: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The store's knowledge about ``keys`` (chrom-pos-ref-alt), ``patient`` not counted.

    ``known`` maps a key to the call's ClinVar and expert-panel classes from the knowledge
    join (:func:`known_classes`), for saying where the lab's class differs.
    """
    with store.begin() as conn:
        cohort_doc = cohort(conn, patient)
        ids = variant_ids(conn, keys)
        counts = _counts(conn, ids, patient)
        partner_counts, partner_classes = _partners(conn, ids)
        own = latest(conn, ids)
    variants = {}
    for key in keys:
        vid = ids.get(key)
        doc = counts.get(vid, _empty()) if vid is not None else _empty()
        doc["flags"] = _flags(doc, cohort_doc, settings)
        doc["partners"] = partner_counts.get(vid, []) if vid is not None else []
        partners = partner_classes.get(vid, []) if vid is not None else []
        entry: dict[str, Any] = {"observations": doc, "partner_classifications": partners}
        entry["lab_classification"] = (
            _lab_doc(own[key], (known or {}).get(key), partners) if key in own else None
        )
        variants[key] = entry
    return {
        "store": {"url": store.url, "backend": store.backend, "schema_version": store.version},
        "cohort": cohort_doc,
        "settings": settings.__dict__,
        "usage": USAGE,
        "variants": variants,
    }


def patient_keys(calls_vcf: str, somatic_vcf: str | None) -> list[str]:
    """The ids (chrom-pos-ref-alt) of a report's variants: every germline call and the PASS
    somatic calls, in file order."""
    keys: dict[str, None] = {}
    for path, pass_only in ((calls_vcf, False), (somatic_vcf, True)):
        if not path:
            continue
        with pysam.VariantFile(path) as vf:
            for rec in vf:
                if pass_only and list(rec.filter.keys()) != ["PASS"]:
                    continue
                alt = rec.alts[0] if rec.alts else "."
                keys[f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}"] = None
    return list(keys)


def known_classes(annotated_json: str | None) -> dict[str, dict[str, Any]]:
    """Per call of the knowledge join (results/knowledge/<patient>.annotated.json): the class
    (and review stars) of its own ClinVar record and of a ClinGen expert panel, where known."""
    if not annotated_json:
        return {}
    with open(annotated_json, encoding="utf-8") as handle:
        doc = json.load(handle)
    out: dict[str, dict[str, Any]] = {}
    for v in doc.get("variants", []):
        cv, ep = v.get("clinvar"), v.get("expert_panel")
        known = {}
        if cv and cv.get("class"):
            known["clinvar"] = {"class": cv["class"], "stars": cv.get("stars")}
        if ep and ep.get("class"):
            known["expert_panel"] = {"class": ep["class"], "panel": ep.get("panel")}
        if known:
            out[v["id"]] = known
    return out

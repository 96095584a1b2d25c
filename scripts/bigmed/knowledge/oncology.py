"""Readers of the oncology knowledge sources: MOAlmanac, CIViC (and the OncoTree codes they use).

One parser per source: the knowledge bundle and the crc pilot both read through here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bigmed.base.textio import open_text
from bigmed.knowledge.sources import civic_file, protein_key

# --------------------------------------------------------------------------------------------
# CIViC and MOAlmanac
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assertion:
    """A clinical assertion about a variant (CIViC evidence item or MOAlmanac assertion)."""

    source: str  # 'CIViC' | 'MOAlmanac'
    id: str
    gene: str
    variant: str  # as the source names it ('V600E', 'p.V600E', 'BRAF V600E')
    protein_key: str | None  # 'V600E' where it is one substitution
    feature_type: str  # MOAlmanac feature_type / CIViC allele origin
    disease: str
    oncotree_code: str | None
    therapy: str | None
    significance: str  # sensitivity | resistance | prognostic | diagnostic | predisposing | ...
    direction: str | None
    evidence_level: str  # MOAlmanac predictive_implication / CIViC evidence strength
    citation: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def load_moalmanac_raw(path: str) -> dict[str, Any]:
    """The MOAlmanac database as published ({release, version, genes, content})."""
    with open_text(path) as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def moalmanac_version(data: dict[str, Any]) -> str:
    return f"{data.get('release', 'unknown')} (database {data.get('version', '?')})"


def load_moalmanac(path: str) -> list[Assertion]:
    """Every MOAlmanac assertion (all feature types; protein_key set for point variants)."""
    out = []
    for row in load_moalmanac_raw(path).get("content", []):
        if row.get("_deprecated"):
            continue
        sens, res = row.get("therapy_sensitivity"), row.get("therapy_resistance")
        if sens in (1, "1", True):
            significance = "sensitivity"
        elif res in (1, "1", True):
            significance = "resistance"
        elif row.get("favorable_prognosis") not in ("", None):
            significance = "prognostic"
        elif row.get("diagnostic") not in ("", None):
            significance = "diagnostic"
        elif row.get("pathogenic") not in ("", None):
            significance = "predisposing"
        else:
            significance = "other"
        gene = str(row.get("gene") or row.get("gene1") or "")
        change = str(row.get("protein_change") or "")
        out.append(
            Assertion(
                source="MOAlmanac",
                id=f"moalmanac:{row.get('assertion_id')}",
                gene=gene,
                variant=change or str(row.get("feature_display") or row.get("feature_type", "")),
                protein_key=protein_key(change),
                feature_type=str(row.get("feature_type", "")),
                disease=str(row.get("disease", "")),
                oncotree_code=row.get("oncotree_code") or None,
                therapy=row.get("therapy_name") or None,
                significance=significance,
                direction=None,
                evidence_level=str(row.get("predictive_implication", "")),
                citation=row.get("citation") or None,
                url=row.get("url") or None,
            )
        )
    return out


def _civic_json(folder: str, name: str) -> Any:
    path = civic_file(folder, name)
    if path is None:
        return {}
    with open_text(path) as handle:
        return json.load(handle)


def _ref(table: Any, pointer: Any) -> dict[str, Any]:
    """Resolve 'file.json#/id' pointers of the GKS export (or inline objects)."""
    if isinstance(pointer, dict):
        return pointer
    if not isinstance(pointer, str):
        return {}
    key = pointer.split("#/", 1)[-1]
    if isinstance(table, dict):
        found = table.get(key)
        return found if isinstance(found, dict) else {}
    return {}


def load_civic(folder: str) -> list[Assertion]:
    """CIViC evidence items (GA4GH GKS export) as assertions, protein-keyed where possible."""
    variants = _civic_json(folder, "variants")
    studies = _civic_json(folder, "studies")
    therapeutics = _civic_json(folder, "therapeutics")
    tumors = _civic_json(folder, "tumorTypes")
    strengths = _civic_json(folder, "strengths")
    documents = _civic_json(folder, "documents")
    items = studies.values() if isinstance(studies, dict) else studies
    predicate_map = {
        "predictsSensitivityTo": "sensitivity",
        "predictsResistanceTo": "resistance",
        "isPrognosticOf": "prognostic",
        "isDiagnosticFor": "diagnostic",
        "isDiagnosticOf": "diagnostic",
        "isPredisposingFor": "predisposing",
        "isOncogenicFor": "oncogenic",
    }
    out = []
    for st in items:
        variant = _ref(variants, st.get("variant"))
        quals = st.get("qualifiers") or {}
        gene = str((quals.get("geneContext") or {}).get("label", ""))
        label = str(variant.get("label", ""))
        hgvs_p = next(
            (
                e.get("value")
                for e in (variant.get("definingContext") or {}).get("expressions", [])
                if e.get("syntax") == "hgvs.p"
            ),
            None,
        )
        key = protein_key(hgvs_p) or protein_key(label.split(" ", 1)[-1] if " " in label else label)
        therapy_ptr = st.get("therapeutic")
        therapy = _ref(therapeutics, therapy_ptr).get("label") if therapy_ptr else None
        strength = _ref(strengths, st.get("strength"))
        docs = [_ref(documents, d) for d in st.get("isReportedIn", [])]
        pmids = [f"PMID:{d['pmid']}" for d in docs if d.get("pmid")]
        out.append(
            Assertion(
                source="CIViC",
                id=str(st.get("id", "")),
                gene=gene,
                variant=label,
                protein_key=key,
                feature_type=str(quals.get("alleleOrigin", "")),
                disease=str(_ref(tumors, st.get("tumorType")).get("label", "")),
                oncotree_code=None,
                therapy=therapy,
                significance=predicate_map.get(str(st.get("predicate")), str(st.get("predicate"))),
                direction=st.get("direction"),
                evidence_level=str(strength.get("label", "")),
                citation="; ".join(pmids) or None,
                url=None,
            )
        )
    return out

"""The clinical evidence the crc pilot tiers with: MOAlmanac and CIViC rows as
:class:`Evidence` with an AMP/ASCO/CAP level (Li et al. 2017, table 2), cancer hotspots,
OncoTree, and the provenance of each source.

The sources are parsed by :mod:`bigmed.knowledge.oncology` (MOAlmanac, CIViC, OncoTree) and
:mod:`bigmed.knowledge.variants` (cancer hotspots); this module only selects the rows the
pilot can assess and maps them onto one shape.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bigmed.knowledge import oncology
from bigmed.knowledge.oncology import CivicItem, MoaAssertion, OncoTreeNode
from bigmed.knowledge.sources import protein_key
from bigmed.knowledge.variants import read_hotspot_indels, read_hotspot_residues

ONCOTREE_VERSION = "oncotree_2023_03_09"
KNOWLEDGE_KEYS = ("moalmanac", "civic", "hotspots_residues", "hotspots_indels")

OncoTree = Mapping[str, OncoTreeNode]


@dataclass(frozen=True)
class Evidence:
    source: str
    version: str
    evidence_id: str
    gene: str
    alteration: str  # variant | amplification | deletion | msi_high | tmb_high
    protein_change: str  # V600E, residue G12, or '' (gene/exon level)
    exon: str
    tumor_type: str  # OncoTree code, ANY (tumor-agnostic) or OTHER
    disease: str
    therapy: str
    significance: str
    source_level: str
    amp_level: str  # A-D
    min_tmb: str
    citation: str
    url: str


@dataclass
class Knowledge:
    evidence: list[Evidence]
    hotspots: dict[str, list[tuple[int, int, str]]]  # gene -> (start, end, type)
    oncotree: dict[str, OncoTreeNode]
    sources: list[dict[str, Any]]  # provenance entries (name, version, licence, sha256, path)

    def hotspot(self, gene: str, start: int, end: int | None = None) -> str | None:
        end = start if end is None else end
        for s, e, kind in self.hotspots.get(gene, []):
            if s <= end and start <= e:
                return kind
        return None


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text if text is not None else "")).strip()


# ---------------------------------------------------------------------------- MOAlmanac

# MOAlmanac predictive_implication -> AMP/ASCO/CAP evidence level (Li et al. 2017, table 2)
MOA_LEVEL = {
    "FDA-Approved": "A",
    "Guideline": "A",
    "Clinical trial": "B",
    "Clinical evidence": "C",
    "Preclinical": "D",
    "Inferential": "D",
}


def _moa_alteration(a: MoaAssertion) -> tuple[str, str, str] | None:
    """(alteration, gene, protein change) of the feature types the pilot assesses."""
    if a.feature_type == "Somatic Variant" and a.gene:
        return "variant", a.gene, protein_key(a.protein_change) or ""
    if a.feature_type == "Copy Number" and a.gene:
        direction = a.direction.lower()
        return (direction, a.gene, "") if direction in ("amplification", "deletion") else None
    if a.feature_type == "Microsatellite Stability" and a.status == "MSI-High":
        return "msi_high", "", ""
    if a.feature_type == "Mutational Burden" and a.classification == "High":
        return "tmb_high", "", ""
    return None


def _moa_tumor_type(a: MoaAssertion, oncotree: OncoTree) -> str:
    if not a.oncotree_code:
        return "ANY" if a.disease == "Any solid tumor" else "OTHER"
    return a.oncotree_code if a.oncotree_code in oncotree else "OTHER"


def _moa_significance(a: MoaAssertion) -> str:
    if a.sensitive:
        return "sensitivity"
    if a.resistant:
        return "resistance"
    if a.sensitive is False:
        return "no benefit"
    if a.favorable_prognosis:
        return "favorable prognosis"
    if a.favorable_prognosis is False:
        return "poor prognosis"
    return "associated"


def _moa_evidence(a: MoaAssertion, oncotree: OncoTree, version: str) -> Evidence | None:
    what = _moa_alteration(a)
    level = MOA_LEVEL.get(a.predictive_implication)
    if what is None or level is None:
        return None
    alteration, gene, protein = what
    return Evidence(
        source="MOAlmanac",
        version=version,
        evidence_id=a.id,
        gene=gene,
        alteration=alteration,
        protein_change=protein,
        exon="" if a.exon is None else str(a.exon),
        tumor_type=_moa_tumor_type(a, oncotree),
        disease=_clean(a.disease),
        therapy=_clean(a.therapy),
        significance=_moa_significance(a),
        source_level=f"{a.predictive_implication} ({a.source_type})",
        amp_level=level,
        min_tmb=a.mutations_per_mb,
        citation=_clean(a.citation)[:300],
        url=_clean(a.url) or (f"https://pubmed.ncbi.nlm.nih.gov/{a.pmid}/" if a.pmid else ""),
    )


def moalmanac_evidence(path: str, oncotree: OncoTree, version: str) -> list[Evidence]:
    """Somatic variant, copy-number, MSI-H and TMB-high assertions of MOAlmanac."""
    rows = (_moa_evidence(a, oncotree, version) for a in oncology.read_moalmanac(path))
    return [e for e in rows if e is not None]


# ---------------------------------------------------------------------------- CIViC

# CIViC evidence levels, exported as VICC strength codes (GA4GH GKS) -> AMP level
CIVIC_LEVEL = {
    "vicc.e000001": ("A", "CIViC level A (validated association)"),
    "vicc.e000005": ("B", "CIViC level B (clinical evidence)"),
    "vicc.e000008": ("C", "CIViC level C (case study)"),
    "vicc.e000009": ("D", "CIViC level D (preclinical)"),
    "vicc.e000010": ("D", "CIViC level E (inferential)"),
}
# CIViC disease names -> OncoTree (colorectal family, tumor-agnostic terms); other names are
# matched to OncoTree names, else OTHER.
CIVIC_TUMOR = {
    "Colorectal Cancer": "COADREAD",
    "Colorectal Adenocarcinoma": "COADREAD",
    "Colon Cancer": "COAD",
    "Rectum Cancer": "READ",
    "Colon Mucinous Adenocarcinoma": "MACR",
    "Colon Signet Ring Adenocarcinoma": "SRCCR",
    "Cancer": "ANY",
    "Solid Tumor": "ANY",
}
CIVIC_PREDICATE = {
    "predictsSensitivityTo": "sensitivity",
    "predictsResistanceTo": "resistance",
}


def _civic_alteration(label: str) -> tuple[str, str, str] | None:
    """(alteration, gene, protein change or residue) of a point variant, residue or
    amplification profile ('BRAF V600E', 'PIK3CA H1047X'); None for what the pilot does not
    assess (fusions, expression, complex indels)."""
    gene, _, what = label.partition(" ")
    if what.lower() == "amplification":
        return "amplification", gene, ""
    if re.fullmatch(r"[A-Z]\d+([A-Z*]|X)?", what):
        return "variant", gene, what.removesuffix("X")  # H1047X: residue H1047
    return None


def _civic_evidence(item: CivicItem, by_name: dict[str, str], version: str) -> Evidence | None:
    if item.direction != "supports" or item.allele_origin not in (None, "somatic"):
        return None
    what = _civic_alteration(item.variant)
    level, level_text = CIVIC_LEVEL.get(item.strength_code, ("", ""))
    if what is None or not level:
        return None
    alteration, gene, protein = what
    cites = [f"{d.label}, PMID {'?' if d.pmid is None else d.pmid}" for d in item.documents]
    return Evidence(
        source="CIViC",
        version=version,
        evidence_id=item.id,
        gene=gene,
        alteration=alteration,
        protein_change=protein,
        exon="",
        tumor_type=CIVIC_TUMOR.get(item.disease) or by_name.get(item.disease.lower(), "OTHER"),
        disease=item.disease,
        therapy=item.therapy,
        significance=CIVIC_PREDICATE.get(item.predicate, "associated"),
        source_level=level_text,
        amp_level=level,
        min_tmb="",
        citation="; ".join(cites)[:300],
        url=f"https://civicdb.org/evidence/{item.id.split(':')[-1]}",
    )


def civic_evidence(folder: str, oncotree: OncoTree, version: str) -> list[Evidence]:
    """Supporting somatic CIViC evidence items on point variants, residues and
    amplifications (refuting items and other profiles are left out)."""
    by_name = {node.name.lower(): code for code, node in oncotree.items()}
    rows = (_civic_evidence(item, by_name, version) for item in oncology.read_civic(folder))
    return [e for e in rows if e is not None]


# ---------------------------------------------------------------------------- the knowledge


def _hotspots(sources: Mapping[str, str | None]) -> dict[str, list[tuple[int, int, str]]]:
    """gene -> (first residue, last residue, type) of single-residue and indel hotspots."""
    hotspots: dict[str, list[tuple[int, int, str]]] = {}
    if sources.get("hotspots_residues"):
        for gene, residues in read_hotspot_residues(str(sources["hotspots_residues"])).items():
            for pos, hs in residues.items():
                hotspots.setdefault(gene, []).append(
                    (pos, pos, "/".join(sorted({h.type for h in hs})))
                )
    if sources.get("hotspots_indels"):
        for gene, rows in read_hotspot_indels(str(sources["hotspots_indels"])).items():
            hotspots.setdefault(gene, []).extend((s, e, f"{t} in-frame indel") for s, e, t in rows)
    return hotspots


def _described_sources(manifest_path: str | None) -> dict[str, dict[str, Any]]:
    """The knowledge-bundle manifest's source entries by key (none without a manifest)."""
    if not manifest_path:
        return {}
    with open(manifest_path) as handle:
        manifest = json.load(handle)
    return {s["key"]: s for s in manifest.get("sources", [])}


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _provenance(
    described: dict[str, dict[str, Any]], sources: Mapping[str, str | None], oncotree_path: str
) -> list[dict[str, Any]]:
    """One entry per configured source (from the manifest), then OncoTree."""
    keep = ("name", "version", "licence", "sha256", "path", "complete", "note")
    provenance = [
        {k: described[key][k] for k in keep if k in described[key]}
        for key in KNOWLEDGE_KEYS
        if key in described and sources.get(key)
    ]
    provenance.append(
        {
            "name": "OncoTree",
            "version": ONCOTREE_VERSION,
            "licence": "GPL-2.0 as distributed with MOAlmanac; OncoTree by MSKCC",
            "sha256": _sha256(oncotree_path),
            "path": oncotree_path,
        }
    )
    return provenance


def load_knowledge(
    sources: Mapping[str, str | None], oncotree_path: str, manifest_path: str | None
) -> Knowledge:
    """Evidence, hotspots and provenance from the configured knowledge sources.

    ``sources`` maps the knowledge-bundle keys ``moalmanac``, ``civic``,
    ``hotspots_residues`` and ``hotspots_indels`` to their paths (None when not
    configured); versions and checksums come from the bundle manifest.
    """
    described = _described_sources(manifest_path)
    oncotree = oncology.read_oncotree(oncotree_path)

    def version(key: str) -> str:
        return str(described.get(key, {}).get("version", "unknown"))

    evidence: list[Evidence] = []
    if sources.get("moalmanac"):
        evidence += moalmanac_evidence(str(sources["moalmanac"]), oncotree, version("moalmanac"))
    if sources.get("civic"):
        evidence += civic_evidence(str(sources["civic"]), oncotree, version("civic"))
    provenance = _provenance(described, sources, oncotree_path)
    return Knowledge(evidence, _hotspots(sources), oncotree, provenance)


def tumor_type_relation(evidence_code: str, patient_code: str, oncotree: OncoTree) -> str:
    """'same' for the patient's code, its OncoTree main type (COADREAD, COAD, READ, ...), the
    tissue it belongs to (BOWEL) and tumor-agnostic evidence; otherwise 'other'."""
    if evidence_code in ("ANY", patient_code):
        return "same"
    p = oncotree.get(patient_code)
    e = oncotree.get(evidence_code)
    if p is None or e is None:
        return "other"
    if e.main_type == p.main_type:
        return "same"
    if e.name == p.tissue:  # the tissue node itself (BOWEL is named "Bowel")
        return "same"
    return "other"

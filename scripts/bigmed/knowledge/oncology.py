"""Readers of the oncology knowledge sources: MOAlmanac, CIViC and OncoTree.

One parser per source, used by the knowledge bundle and the crc pilot alike:

- :func:`read_moalmanac` -> :class:`MoaAssertion`, every field of a current (not deprecated)
  MOAlmanac assertion that bigmed uses;
- :func:`read_civic` -> :class:`CivicItem`, a CIViC evidence item of the GA4GH GKS export
  with its pointers (variant, tumor type, therapy, strength, documents) resolved;
- :func:`read_oncotree` -> code: :class:`OncoTreeNode`.

:func:`load_moalmanac` and :func:`load_civic` project these records onto the bundle's
normalised :class:`Assertion`; the crc pilot builds its own evidence rows from the records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from bigmed.base.textio import open_text
from bigmed.knowledge.sources import civic_file, protein_key


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


def _text(value: Any) -> str:
    """A source field as text: '' for a missing, null or empty one."""
    return str(value or "")


# --------------------------------------------------------------------------------------------
# MOAlmanac
# --------------------------------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    """MOAlmanac's 0/1 columns (int or string); None where the column is blank."""
    if value in (1, "1"):
        return True
    if value in (0, "0"):
        return False
    return None


@dataclass(frozen=True)
class MoaAssertion:
    """One current MOAlmanac assertion, the fields bigmed reads (text fields '' when blank)."""

    id: str  # 'moalmanac:<assertion_id>'
    feature_type: str  # Somatic Variant | Copy Number | Microsatellite Stability | ...
    gene: str
    gene1: str  # rearrangements name their genes gene1/gene2
    feature_display: str
    protein_change: str  # as published ('p.V600E')
    exon: int | None  # only an integer exon names one
    direction: str  # copy number: Amplification | Deletion
    status: str  # microsatellite stability: MSI-High | ...
    classification: str  # mutational burden: High | ...
    mutations_per_mb: str
    disease: str
    oncotree_code: str
    therapy: str
    sensitive: bool | None  # therapy_sensitivity
    resistant: bool | None  # therapy_resistance
    favorable_prognosis: bool | None
    diagnostic: bool | None
    pathogenic: bool | None
    predictive_implication: str  # FDA-Approved | Guideline | Clinical trial | ...
    source_type: str  # FDA | Guideline | Journal | ...
    citation: str
    url: str
    pmid: str


def load_moalmanac_raw(path: str) -> dict[str, Any]:
    """The MOAlmanac database as published ({release, version, genes, content})."""
    with open_text(path) as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def moalmanac_version(data: dict[str, Any]) -> str:
    return f"{data.get('release', 'unknown')} (database {data.get('version', '?')})"


def _moa_assertion(row: dict[str, Any]) -> MoaAssertion:
    exon = row.get("exon")
    return MoaAssertion(
        id=f"moalmanac:{row.get('assertion_id')}",
        feature_type=str(row.get("feature_type", "")),
        gene=_text(row.get("gene")),
        gene1=_text(row.get("gene1")),
        feature_display=_text(row.get("feature_display")),
        protein_change=_text(row.get("protein_change")),
        exon=exon if isinstance(exon, int) else None,
        direction=_text(row.get("direction")),
        status=_text(row.get("status")),
        classification=_text(row.get("classification")),
        mutations_per_mb=_text(row.get("mutations_per_mb")),
        disease=str(row.get("disease", "")),
        oncotree_code=_text(row.get("oncotree_code")),
        therapy=_text(row.get("therapy_name")),
        sensitive=_flag(row.get("therapy_sensitivity")),
        resistant=_flag(row.get("therapy_resistance")),
        favorable_prognosis=_flag(row.get("favorable_prognosis")),
        diagnostic=_flag(row.get("diagnostic")),
        pathogenic=_flag(row.get("pathogenic")),
        predictive_implication=str(row.get("predictive_implication", "")),
        source_type=str(row.get("source_type", "")),
        citation=_text(row.get("citation")),
        url=_text(row.get("url")),
        pmid=_text(row.get("pmid")),
    )


def read_moalmanac(path: str) -> list[MoaAssertion]:
    """Every current MOAlmanac assertion (deprecated ones left out), in database order."""
    content = load_moalmanac_raw(path).get("content", [])
    return [_moa_assertion(row) for row in content if not row.get("_deprecated")]


def _moa_significance(a: MoaAssertion) -> str:
    if a.sensitive:
        return "sensitivity"
    if a.resistant:
        return "resistance"
    if a.favorable_prognosis is not None:
        return "prognostic"
    if a.diagnostic is not None:
        return "diagnostic"
    if a.pathogenic is not None:
        return "predisposing"
    return "other"


def load_moalmanac(path: str) -> list[Assertion]:
    """Every MOAlmanac assertion (all feature types; protein_key set for point variants)."""
    return [
        Assertion(
            source="MOAlmanac",
            id=a.id,
            gene=a.gene or a.gene1,
            variant=a.protein_change or a.feature_display or a.feature_type,
            protein_key=protein_key(a.protein_change),
            feature_type=a.feature_type,
            disease=a.disease,
            oncotree_code=a.oncotree_code or None,
            therapy=a.therapy or None,
            significance=_moa_significance(a),
            direction=None,
            evidence_level=a.predictive_implication,
            citation=a.citation or None,
            url=a.url or None,
        )
        for a in read_moalmanac(path)
    ]


# --------------------------------------------------------------------------------------------
# CIViC (GA4GH GKS export: studies.json with pointers into variants.json, tumorTypes.json, ...)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CivicDocument:
    label: str
    pmid: str | None


@dataclass(frozen=True)
class CivicItem:
    """One CIViC evidence item (a GKS 'study') with its pointers resolved."""

    id: str  # 'civic.eid:238'
    variant: str  # the molecular profile's label, 'EGFR T790M'
    hgvs_p: str | None  # the variant's hgvs.p expression, where it has one
    gene: str  # the gene context
    allele_origin: str | None  # somatic | germline | ...; None when not given
    predicate: str  # predictsSensitivityTo | predictsResistanceTo | ...
    direction: str | None  # supports | refutes
    strength_code: str  # VICC evidence code, 'vicc.e000001'
    strength: str  # its label, 'authoritative evidence'
    disease: str
    therapy_label: str | None  # the therapeutic's own label (None for a combination)
    therapy: str  # readable: 'a + b' for a combination, 'a or b' for substitutes
    documents: tuple[CivicDocument, ...]


def _civic_json(folder: str, name: str) -> Any:
    path = civic_file(folder, name)
    if path is None:
        return {}
    with open_text(path) as handle:
        return json.load(handle)


def _pointer_key(pointer: Any) -> str:
    """'civic.mpid:34' of the pointer 'variants.json#/civic.mpid:34'."""
    return str(pointer or "").split("#/", 1)[-1]


def _ref(table: Any, pointer: Any) -> dict[str, Any]:
    """Resolve 'file.json#/id' pointers of the GKS export (or inline objects)."""
    if isinstance(pointer, dict):
        return pointer
    if not isinstance(pointer, str) or not isinstance(table, dict):
        return {}
    found = table.get(_pointer_key(pointer))
    return found if isinstance(found, dict) else {}


def _therapy_text(therapy: Mapping[str, Any]) -> str:
    if "components" in therapy:
        return " + ".join(str(c.get("label", "?")) for c in therapy["components"])
    if "substitutes" in therapy:
        return " or ".join(str(c.get("label", "?")) for c in therapy["substitutes"])
    return str(therapy.get("label", ""))


def _hgvs_p(variant: Mapping[str, Any]) -> str | None:
    expressions = (variant.get("definingContext") or {}).get("expressions", [])
    return next((e.get("value") for e in expressions if e.get("syntax") == "hgvs.p"), None)


def _document(doc: Mapping[str, Any]) -> CivicDocument:
    pmid = doc.get("pmid")
    return CivicDocument(str(doc.get("label", "")), None if pmid is None else str(pmid))


class _CivicTables(NamedTuple):
    variants: Any
    therapeutics: Any
    tumors: Any
    strengths: Any
    documents: Any


def _civic_item(study: Mapping[str, Any], t: _CivicTables) -> CivicItem:
    quals = study.get("qualifiers") or {}
    variant = _ref(t.variants, study.get("variant"))
    therapy = _ref(t.therapeutics, study.get("therapeutic")) if study.get("therapeutic") else {}
    label = therapy.get("label")
    origin = quals.get("alleleOrigin")
    docs = [_ref(t.documents, d) for d in study.get("isReportedIn") or []]
    return CivicItem(
        id=str(study.get("id", "")),
        variant=str(variant.get("label", "")),
        hgvs_p=_hgvs_p(variant),
        gene=str((quals.get("geneContext") or {}).get("label", "")),
        allele_origin=None if origin is None else str(origin),
        predicate=str(study.get("predicate")),
        direction=study.get("direction"),
        strength_code=_pointer_key(study.get("strength")),
        strength=str(_ref(t.strengths, study.get("strength")).get("label", "")),
        disease=str(_ref(t.tumors, study.get("tumorType")).get("label", "")),
        therapy_label=None if label is None else str(label),
        therapy=_therapy_text(therapy),
        documents=tuple(_document(d) for d in docs if d),
    )


def read_civic(folder: str) -> list[CivicItem]:
    """Every CIViC evidence item of the export in ``folder``, in export order."""
    studies = _civic_json(folder, "studies")
    tables = _CivicTables(
        variants=_civic_json(folder, "variants"),
        therapeutics=_civic_json(folder, "therapeutics"),
        tumors=_civic_json(folder, "tumorTypes"),
        strengths=_civic_json(folder, "strengths"),
        documents=_civic_json(folder, "documents"),
    )
    items = studies.values() if isinstance(studies, dict) else studies
    return [_civic_item(study, tables) for study in items]


CIVIC_SIGNIFICANCE = {
    "predictsSensitivityTo": "sensitivity",
    "predictsResistanceTo": "resistance",
    "isPrognosticOf": "prognostic",
    "isDiagnosticFor": "diagnostic",
    "isDiagnosticOf": "diagnostic",
    "isPredisposingFor": "predisposing",
    "isOncogenicFor": "oncogenic",
}


def _civic_protein_key(item: CivicItem) -> str | None:
    """From the hgvs.p expression, else from the label's change ('BRAF V600E' -> V600E)."""
    label = item.variant
    return protein_key(item.hgvs_p) or protein_key(
        label.split(" ", 1)[-1] if " " in label else label
    )


def load_civic(folder: str) -> list[Assertion]:
    """CIViC evidence items (GA4GH GKS export) as assertions, protein-keyed where possible."""
    out = []
    for item in read_civic(folder):
        pmids = [f"PMID:{d.pmid}" for d in item.documents if d.pmid]
        out.append(
            Assertion(
                source="CIViC",
                id=item.id,
                gene=item.gene,
                variant=item.variant,
                protein_key=_civic_protein_key(item),
                feature_type=item.allele_origin or "",
                disease=item.disease,
                oncotree_code=None,
                therapy=item.therapy_label,
                significance=CIVIC_SIGNIFICANCE.get(item.predicate, item.predicate),
                direction=item.direction,
                evidence_level=item.strength,
                citation="; ".join(pmids) or None,
                url=None,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# OncoTree
# --------------------------------------------------------------------------------------------


class OncoTreeNode(NamedTuple):
    main_type: str  # 'Colorectal Cancer'
    name: str  # 'Colorectal Adenocarcinoma'
    tissue: str  # 'Bowel'


def read_oncotree(path: str) -> dict[str, OncoTreeNode]:
    """OncoTree table (header, then code, main_type, name, tissue) -> code: node."""
    out: dict[str, OncoTreeNode] = {}
    with open_text(path, errors="strict") as handle:
        next(handle)
        for line in handle:
            code, main, name, tissue = [*line.rstrip("\n").split("\t"), "", "", ""][:4]
            out[code] = OncoTreeNode(main, name, tissue)
    return out

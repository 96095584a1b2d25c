"""Metastatic colorectal cancer pilot: biomarker card, AMP/ASCO/CAP tiers, therapy lines.

Tiers follow Li et al. 2017 (J Mol Diagn 19:4), as most tiering tools apply them:

=========  ===============================================================================
Tier I     level A or B evidence in this tumor type (OncoTree lineage of the sample's code,
           or tumor-agnostic): A = FDA label or professional guideline (MOAlmanac) or CIViC
           level A; B = clinical trial (MOAlmanac) or CIViC level B
Tier II    level A/B evidence in another tumor type, or level C/D in this one
Tier III   no such evidence: other protein-altering variants of cancer genes (cancer
           hotspots are named in the evidence, but a hotspot alone is biological, not
           clinical, evidence)
Tier IV    common in the population (allele frequency >= 1 %): benign or likely benign
=========  ===============================================================================

Evidence is matched on the protein change (exact, or the residue when the source names
only a residue), on the exon (MOAlmanac KRAS exon 2/3/4 rows) or on the gene; exon- and
gene-level rows apply only to hotspot residues (an uncharacterised variant is not "a KRAS
mutation" in the sense of a guideline). Refuting CIViC items are not used.

A biomarker is "negative" only when every codon it is defined on is covered in the tumor
at the depth where a variant at ``detection_vaf`` would show ``min_alt_reads`` alt reads
with 95 % probability (61x at 10 % with 3 reads); otherwise "not evaluable", with the
codons that are short of depth.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pysam

from bigmed.base.textio import open_text
from bigmed.genome.gff import Transcript, preferred_transcripts
from bigmed.genome.hgvs import AA3
from bigmed.genome.vcf import PROTEIN_ALTERING
from bigmed.knowledge import oncology
from bigmed.knowledge import sources as kbsrc

AA1 = {v: k for k, v in AA3.items()}
# FILTER reasons that place an allele in the germline or the normal, not the tumor
NOT_SOMATIC = {"Germline", "NormalArtifact", "PopulationAF", "PanelOfNormals"}
ACTIVATING = {"missense", "inframe_insertion", "inframe_deletion", "inframe_altering"}
RAS_CODONS = (12, 13, 59, 61, 117, 146)  # exons 2-4: NCCN/ESMO extended RAS testing
PIK3CA_CODONS = (542, 545, 546, 1047)  # exon 9 and 20 hotspots
POLE_EXO = (268, 471)  # exonuclease domain (Church 2013; Leon-Castillo 2020)
# Pathogenic POLE exonuclease-domain mutations (Leon-Castillo et al. 2020, J Pathol 250:323)
POLE_PATHOGENIC = {
    "P286R",
    "V411L",
    "S297F",
    "A456P",
    "S459F",
    "F367S",
    "L424I",
    "M295R",
    "P436R",
    "M444K",
    "D368Y",
}
LEVEL_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}
TIER_LABEL = {1: "Tier I", 2: "Tier II", 3: "Tier III", 4: "Tier IV"}
COMMON_POPULATION_AF = 0.01  # Tier IV: a polymorphism, not a cancer variant
ANTI_EGFR = ("cetuximab", "panitumumab")
ONCOTREE_VERSION = "oncotree_2023_03_09"


# ---------------------------------------------------------------------------- knowledge


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
    oncotree: dict[str, tuple[str, str, str]]  # code -> (main type, name, tissue)
    sources: list[dict[str, Any]]  # provenance entries (name, version, licence, sha256, path)

    def hotspot(self, gene: str, start: int, end: int | None = None) -> str | None:
        end = start if end is None else end
        for s, e, kind in self.hotspots.get(gene, []):
            if s <= end and start <= e:
                return kind
        return None


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# MOAlmanac predictive_implication -> AMP/ASCO/CAP evidence level (Li et al. 2017, table 2)
MOA_LEVEL = {
    "FDA-Approved": "A",
    "Guideline": "A",
    "Clinical trial": "B",
    "Clinical evidence": "C",
    "Preclinical": "D",
    "Inferential": "D",
}
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


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text if text is not None else "")).strip()


def moalmanac_evidence(path: str, oncotree: dict[str, Any], version: str) -> list[Evidence]:
    """Somatic variant, copy-number, MSI-H and TMB-high assertions of MOAlmanac."""
    out = []
    for a in oncology.load_moalmanac_raw(path).get("content", []):
        if a.get("_deprecated"):
            continue
        ft = a.get("feature_type")
        gene = str(a.get("gene") or "")
        if ft == "Somatic Variant" and gene:
            alteration = "variant"
            protein = kbsrc.protein_key(a.get("protein_change")) or ""
        elif ft == "Copy Number" and gene:
            alteration = str(a.get("direction") or "").lower()
            protein = ""
            if alteration not in ("amplification", "deletion"):
                continue
        elif ft == "Microsatellite Stability" and a.get("status") == "MSI-High":
            alteration, gene, protein = "msi_high", "", ""
        elif ft == "Mutational Burden" and a.get("classification") == "High":
            alteration, gene, protein = "tmb_high", "", ""
        else:
            continue
        level = MOA_LEVEL.get(str(a.get("predictive_implication")))
        if level is None:
            continue
        code = str(a.get("oncotree_code") or "")
        if not code:
            code = "ANY" if a.get("disease") == "Any solid tumor" else "OTHER"
        elif code not in oncotree:
            code = "OTHER"
        if a.get("therapy_sensitivity") in (1, "1"):
            significance = "sensitivity"
        elif a.get("therapy_resistance") in (1, "1"):
            significance = "resistance"
        elif a.get("therapy_sensitivity") in (0, "0"):
            significance = "no benefit"
        elif a.get("favorable_prognosis") in (1, "1"):
            significance = "favorable prognosis"
        elif a.get("favorable_prognosis") in (0, "0"):
            significance = "poor prognosis"
        else:
            significance = "associated"
        exon = a.get("exon")
        pmid = a.get("pmid")
        out.append(
            Evidence(
                source="MOAlmanac",
                version=version,
                evidence_id=f"moalmanac:{a.get('assertion_id')}",
                gene=gene,
                alteration=alteration,
                protein_change=protein,
                exon=str(exon) if isinstance(exon, int) else "",
                tumor_type=code,
                disease=_clean(a.get("disease")),
                therapy=_clean(a.get("therapy_name")),
                significance=significance,
                source_level=f"{a.get('predictive_implication')} ({a.get('source_type')})",
                amp_level=level,
                min_tmb=str(a.get("mutations_per_mb") or ""),
                citation=_clean(a.get("citation"))[:300],
                url=_clean(a.get("url"))
                or (f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else ""),
            )
        )
    return out


def _civic_table(folder: str, name: str) -> Any:
    for candidate in (f"{name}.json", f"{name}.json.gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            with open_text(path) as handle:
                return json.load(handle)
    return {}


def _key(pointer: Any) -> str:
    return str(pointer or "").split("#/")[-1]


def _civic_therapy(table: dict[str, Any], ref: str) -> str:
    t = table.get(ref)
    if not isinstance(t, dict):
        return ""
    if "components" in t:
        return " + ".join(str(c.get("label", "?")) for c in t["components"])
    if "substitutes" in t:
        return " or ".join(str(c.get("label", "?")) for c in t["substitutes"])
    return str(t.get("label", ""))


def civic_evidence(folder: str, oncotree: dict[str, Any], version: str) -> list[Evidence]:
    """Supporting somatic CIViC evidence items on point variants, residues and
    amplifications (refuting items and other profiles are left out)."""
    studies = _civic_table(folder, "studies")
    variants = _civic_table(folder, "variants")
    tumors = _civic_table(folder, "tumorTypes")
    therapies = _civic_table(folder, "therapeutics")
    docs = _civic_table(folder, "documents")
    by_name = {v[1].lower(): code for code, v in oncotree.items()}
    out = []
    for s in studies.values() if isinstance(studies, dict) else studies:
        if s.get("direction") != "supports":
            continue
        if (s.get("qualifiers") or {}).get("alleleOrigin", "somatic") != "somatic":
            continue
        label = str(variants.get(_key(s.get("variant")), {}).get("label", ""))
        gene, _, what = label.partition(" ")
        if what.lower() == "amplification":
            alteration, protein = "amplification", ""
        elif re.fullmatch(r"[A-Z]\d+([A-Z*]|X)?", what):
            alteration, protein = "variant", what.removesuffix("X")  # H1047X: residue H1047
        else:
            continue  # fusions, expression, complex indels: not assessed by this pilot
        level, level_text = CIVIC_LEVEL.get(_key(s.get("strength")), ("", ""))
        if not level:
            continue
        disease = str(tumors.get(_key(s.get("tumorType")), {}).get("label", ""))
        code = CIVIC_TUMOR.get(disease) or by_name.get(disease.lower(), "OTHER")
        significance = {
            "predictsSensitivityTo": "sensitivity",
            "predictsResistanceTo": "resistance",
        }.get(str(s.get("predicate")), "associated")
        cites = []
        for d in s.get("isReportedIn") or []:
            doc = docs.get(_key(d), {})
            if doc:
                cites.append(f"{doc.get('label', '')}, PMID {doc.get('pmid', '?')}")
        eid = str(s.get("id", ""))
        out.append(
            Evidence(
                source="CIViC",
                version=version,
                evidence_id=eid,
                gene=gene,
                alteration=alteration,
                protein_change=protein,
                exon="",
                tumor_type=code,
                disease=disease,
                therapy=_civic_therapy(therapies, _key(s.get("therapeutic"))),
                significance=significance,
                source_level=level_text,
                amp_level=level,
                min_tmb="",
                citation="; ".join(cites)[:300],
                url=f"https://civicdb.org/evidence/{eid.split(':')[-1]}",
            )
        )
    return out


def read_oncotree(path: str) -> dict[str, tuple[str, str, str]]:
    """OncoTree table (code, main_type, name, tissue) -> code: (main type, name, tissue)."""
    out: dict[str, tuple[str, str, str]] = {}
    with open(path) as handle:
        next(handle)
        for line in handle:
            code, main, name, tissue = [*line.rstrip("\n").split("\t"), "", "", ""][:4]
            out[code] = (main, name, tissue)
    return out


def load_knowledge(
    sources: dict[str, str | None], oncotree_path: str, manifest_path: str | None
) -> Knowledge:
    """Evidence, hotspots and provenance from the configured knowledge sources.

    ``sources`` maps the knowledge-bundle keys ``moalmanac``, ``civic``,
    ``hotspots_residues`` and ``hotspots_indels`` to their paths (None when not
    configured); versions and checksums come from the bundle manifest.
    """
    manifest: dict[str, Any] = {"sources": []}
    if manifest_path:
        with open(manifest_path) as handle:
            manifest = json.load(handle)
    described = {s["key"]: s for s in manifest.get("sources", [])}
    oncotree = read_oncotree(oncotree_path)

    def version(key: str) -> str:
        return str(described.get(key, {}).get("version", "unknown"))

    evidence: list[Evidence] = []
    if sources.get("moalmanac"):
        evidence += moalmanac_evidence(str(sources["moalmanac"]), oncotree, version("moalmanac"))
    if sources.get("civic"):
        evidence += civic_evidence(str(sources["civic"]), oncotree, version("civic"))
    hotspots: dict[str, list[tuple[int, int, str]]] = {}
    if sources.get("hotspots_residues"):
        for gene, residues in kbsrc.read_hotspot_residues(
            str(sources["hotspots_residues"])
        ).items():
            for pos, hs in residues.items():
                hotspots.setdefault(gene, []).append(
                    (pos, pos, "/".join(sorted({h.type for h in hs})))
                )
    if sources.get("hotspots_indels"):
        for gene, rows in kbsrc.read_hotspot_indels(str(sources["hotspots_indels"])).items():
            hotspots.setdefault(gene, []).extend((s, e, f"{t} in-frame indel") for s, e, t in rows)
    keep = ("name", "version", "licence", "sha256", "path", "complete", "note")
    provenance = [
        {k: described[key][k] for k in keep if k in described[key]}
        for key in ("moalmanac", "civic", "hotspots_residues", "hotspots_indels")
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
    return Knowledge(evidence, hotspots, oncotree, provenance)


def tumor_type_relation(evidence_code: str, patient_code: str, oncotree: dict[str, Any]) -> str:
    """'same' for the patient's code, its OncoTree main type (COADREAD, COAD, READ, ...), the
    tissue it belongs to (BOWEL) and tumor-agnostic evidence; otherwise 'other'."""
    if evidence_code in ("ANY", patient_code):
        return "same"
    p = oncotree.get(patient_code)
    e = oncotree.get(evidence_code)
    if p is None or e is None:
        return "other"
    if e[0] == p[0]:
        return "same"
    if e[1] == p[2]:  # the tissue node itself (BOWEL is named "Bowel")
        return "same"
    return "other"


# ---------------------------------------------------------------------------- variants


@dataclass
class SomaticVariant:
    id: str
    chrom: str
    pos: int
    ref: str
    alt: str
    filter: str
    gene: str | None
    transcript: str | None
    consequence: str
    hgvs_c: str | None
    hgvs_p: str | None
    src_contig: str
    src_pos: int
    tumor_vaf: float | None
    tumor_depth: int | None
    tumor_alt: int | None
    normal_vaf: float | None = None
    normal_depth: int | None = None
    population_af: float | None = None
    tumor_only: bool = False

    @property
    def passed(self) -> bool:
        return self.filter == "PASS"

    @property
    def protein(self) -> str | None:
        return short_protein(self.hgvs_p)

    @property
    def residues(self) -> tuple[int, int] | None:
        return protein_residues(self.hgvs_p)


def short_protein(hgvs_p: str | None) -> str | None:
    """p.(Val600Glu) -> V600E; p.(Arg1450Ter) -> R1450*; None for other changes."""
    if not hgvs_p:
        return None
    m = re.fullmatch(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})\)?", hgvs_p)
    if not m or m.group(1) not in AA1 or m.group(3) not in AA1:
        return None
    return f"{AA1[m.group(1)]}{m.group(2)}{AA1[m.group(3)]}"


def protein_residues(hgvs_p: str | None) -> tuple[int, int] | None:
    """First and last residue named by a p. description (before any fs/ext tail)."""
    if not hgvs_p:
        return None
    core = re.split(r"fs|ext", hgvs_p)[0]
    nums = [int(n) for n in re.findall(r"(?:[A-Z][a-z]{2}|\*)(\d+)", core)]
    return (min(nums), max(nums)) if nums else None


def _float(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


def read_somatic(vcf: str) -> list[SomaticVariant]:
    """Every record of the finalised somatic VCF (tumor first, normal second if present)."""
    out = []
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            alt = rec.alts[0] if rec.alts else "."
            t = rec.samples[samples[0]]
            nrm = rec.samples[samples[1]] if len(samples) > 1 else None

            def vaf_depth(call: Any) -> tuple[float | None, int | None, int | None]:
                ad = call.get("AD") if call is not None and "AD" in call else None
                if not ad or len(ad) < 2 or ad[0] is None or ad[1] is None:
                    return None, None, None
                d = int(ad[0]) + int(ad[1])
                return (round(int(ad[1]) / d, 4) if d else None), d, int(ad[1])

            tv, td, ta = vaf_depth(t)
            nv, nd, _ = vaf_depth(nrm)
            info = rec.info
            out.append(
                SomaticVariant(
                    id=f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}",
                    chrom=rec.chrom,
                    pos=rec.pos,
                    ref=rec.ref or "",
                    alt=alt,
                    filter=";".join(str(k) for k in rec.filter) or "PASS",
                    gene=info.get("GENE"),
                    transcript=info.get("TRANSCRIPT"),
                    consequence=info.get("CONSEQUENCE", "intergenic"),
                    hgvs_c=info.get("HGVSc"),
                    hgvs_p=info.get("HGVSp"),
                    src_contig=info.get("SRC_CONTIG", rec.chrom),
                    src_pos=int(info.get("SRC_POS", rec.pos)),
                    tumor_vaf=tv,
                    tumor_depth=td,
                    tumor_alt=ta,
                    normal_vaf=nv,
                    normal_depth=nd,
                    population_af=_float(info.get("POP_AF")),
                    tumor_only="TUMOR_ONLY" in info,
                )
            )
    return out


# ---------------------------------------------------------------------------- coverage

DepthFn = Callable[[str, Sequence[int]], list[int]]  # contig, 1-based positions -> depths


def bam_depth_fn(bam_path: str, min_mapq: int, min_baseq: int) -> DepthFn:
    """Depth at positions counted like the caller: MAPQ/BQ thresholds, no duplicates."""

    def keep(read: pysam.AlignedSegment) -> bool:
        return not (
            read.is_unmapped
            or read.is_secondary
            or read.is_supplementary
            or read.is_duplicate
            or read.is_qcfail
            or read.mapping_quality < min_mapq
        )

    def depth(contig: str, positions: Sequence[int]) -> list[int]:
        if not positions:
            return []
        with pysam.AlignmentFile(bam_path) as bam:
            if contig not in bam.references:
                return [0] * len(positions)
            lo, hi = min(positions), max(positions)
            cov = bam.count_coverage(
                contig, lo - 1, hi, quality_threshold=min_baseq, read_callback=keep
            )
            return [int(sum(c[p - lo] for c in cov)) for p in positions]

    return depth


def required_depth(vaf: float, min_alt: int, power: float = 0.95) -> int:
    """Smallest depth at which P(alt reads >= min_alt | vaf) >= power (binomial)."""
    for n in range(max(min_alt, 1), 100_000):
        p_below = sum(math.comb(n, k) * vaf**k * (1 - vaf) ** (n - k) for k in range(min_alt))
        if 1 - p_below >= power:
            return n
    raise ValueError(f"no depth reaches power {power} at VAF {vaf}")


def cds_positions(tx: Transcript) -> list[int]:
    """Genomic (contig) positions of the coding sequence, in coding order."""
    pos: list[int] = []
    for s, e in sorted(tx.cds):
        pos.extend(range(s, e + 1))
    return pos if tx.strand == "+" else pos[::-1]


def codon_positions(tx: Transcript, codons: Iterable[int]) -> dict[int, list[int]]:
    cds = cds_positions(tx)
    out = {}
    for c in codons:
        i = 3 * (c - 1)
        if i + 2 < len(cds):
            out[c] = cds[i : i + 3]
    return out


@dataclass
class CodonCoverage:
    gene: str
    transcript: str | None
    min_depth: int
    depth: dict[int, int]  # codon -> lowest base depth
    missing_gene: bool = False
    unknown: str | None = None  # why depth could not be measured (no reads)

    @property
    def short(self) -> list[int]:
        return [c for c, d in sorted(self.depth.items()) if d < self.min_depth]

    @property
    def covered(self) -> bool:
        return (
            not self.missing_gene and self.unknown is None and bool(self.depth) and not self.short
        )


def codon_coverage(
    gene: str,
    codons: Iterable[int],
    transcripts: dict[str, Transcript],
    depth: DepthFn,
    min_depth: int,
) -> CodonCoverage:
    tx = preferred_transcripts(transcripts).get(gene)
    if tx is None:
        return CodonCoverage(gene, None, min_depth, {}, missing_gene=True)
    pos = codon_positions(tx, codons)
    flat = sorted({p for ps in pos.values() for p in ps})
    d = dict(zip(flat, depth(tx.contig, flat), strict=True))
    return CodonCoverage(
        gene, tx.id, min_depth, {c: min(d[p] for p in ps) for c, ps in pos.items()}
    )


# ---------------------------------------------------------------------------- biomarkers


def biomarker(name: str, status: str, reason: str, value: Any = None) -> dict[str, Any]:
    return {"name": name, "status": status, "value": value, "reason": reason}


def _codon_text(codons: Sequence[int]) -> str:
    return ", ".join(str(c) for c in codons)


def _short_reason(cov: CodonCoverage) -> str:
    if cov.unknown:
        return f"{cov.unknown}; absent from the VCF is not wild type"
    if cov.missing_gene:
        return f"{cov.gene} is not in the reference annotation"
    shallow = ", ".join(f"{c} ({cov.depth[c]}x)" for c in cov.short)
    return f"codon(s) below {cov.min_depth}x in the tumor: {shallow}"


def codon_biomarker(
    name: str,
    genes: Sequence[str],
    codons: Sequence[int],
    variants: Sequence[SomaticVariant],
    coverage: dict[str, CodonCoverage],
    consequences: set[str] | None = None,
    exact: str | None = None,
) -> dict[str, Any]:
    """Positive / negative / not evaluable for protein-altering calls at given codons."""
    kinds = consequences or ACTIVATING
    hits: list[SomaticVariant] = []
    filtered: list[SomaticVariant] = []
    for v in variants:
        if v.gene not in genes or v.consequence not in kinds or v.residues is None:
            continue
        lo, hi = v.residues
        if not any(lo <= c <= hi for c in codons):
            continue
        if exact is not None and v.protein != exact:
            continue
        if v.passed:
            hits.append(v)
        elif not NOT_SOMATIC & set(v.filter.split(";")):
            filtered.append(v)  # an uncertain somatic call, not a germline or normal one
    if hits:
        value = [f"{v.gene} {v.hgvs_p} ({v.hgvs_c}), VAF {v.tumor_vaf}" for v in hits]
        return biomarker(name, "positive", f"somatic call at codon(s) {_codon_text(codons)}", value)
    if filtered:
        reason = "; ".join(
            f"{v.gene} {v.hgvs_p} seen but filtered ({v.filter}): neither called nor excluded"
            for v in filtered
        )
        return biomarker(name, "not evaluable", reason)
    missing = [coverage[g] for g in genes if not coverage[g].covered]
    if missing:
        return biomarker(
            name, "not evaluable", "; ".join(f"{c.gene} {_short_reason(c)}" for c in missing)
        )
    depth = min(min(coverage[g].depth.values()) for g in genes)
    return biomarker(
        name,
        "negative",
        f"no variant at codon(s) {_codon_text(codons)} of {', '.join(genes)}; every codon "
        f">= {coverage[genes[0]].min_depth}x in the tumor (lowest {depth}x)",
        "wild type",
    )


def pole_biomarker(variants: Sequence[SomaticVariant], coverage: CodonCoverage) -> dict[str, Any]:
    name = "POLE exonuclease domain"
    lo, hi = POLE_EXO
    hits = [
        v
        for v in variants
        if v.gene == "POLE"
        and v.passed
        and v.consequence in PROTEIN_ALTERING
        and v.residues is not None
        and v.residues[0] <= hi
        and lo <= v.residues[1]
    ]
    if hits:
        value = [
            f"{v.hgvs_p} ("
            + ("known pathogenic" if v.protein in POLE_PATHOGENIC else "uncharacterised")
            + " exonuclease-domain variant)"
            for v in hits
        ]
        return biomarker(
            name,
            "positive",
            f"protein-altering variant(s) in aa {lo}-{hi}: " + "; ".join(value),
            value,
        )
    if not coverage.covered:
        n = len(coverage.short)
        reason = (
            _short_reason(coverage)
            if coverage.missing_gene or coverage.unknown
            else f"{n} of {len(coverage.depth)} codons of aa {lo}-{hi} below "
            f"{coverage.min_depth}x in the tumor"
        )
        return biomarker(name, "not evaluable", reason)
    return biomarker(
        name,
        "negative",
        f"no protein-altering variant in aa {lo}-{hi}; every codon >= {coverage.min_depth}x",
        "wild type",
    )


def unmeasured_coverage(gene: str, reason: str) -> CodonCoverage:
    """Codon coverage that cannot be measured (a somatic VCF without reads)."""
    return CodonCoverage(gene, None, 0, {}, unknown=reason)


def not_evaluable(name: str, reason: str) -> dict[str, Any]:
    return biomarker(name, "not evaluable", reason)


def read_exon_depths(path: str) -> dict[str, float]:
    """mosdepth --by regions: name (GENE:TX:exonN) -> mean depth."""
    import gzip

    out = {}
    with gzip.open(path, "rt") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                out[cols[3]] = float(cols[4])
    return out


def erbb2_amplification(
    tumor_exons: dict[str, float] | None,
    normal_exons: dict[str, float] | None,
    purity: float | None,
    min_normal_depth: float,
    min_log2: float,
    gene: str = "ERBB2",
) -> dict[str, Any]:
    """Tumor/normal depth ratio over the gene's exons, normalised by all other exons."""
    name = f"{gene} amplification"
    if normal_exons is None or tumor_exons is None:
        return biomarker(name, "not evaluable", "needs a matched normal (tumor/normal depth ratio)")
    if not any(k.split(":")[0] == gene for k in normal_exons):
        return biomarker(name, "not evaluable", f"{gene} is not in the reference annotation")
    ratios_gene: list[float] = []
    ratios_rest: list[float] = []
    for k, n in normal_exons.items():
        t = tumor_exons.get(k)
        if t is None or n < min_normal_depth:
            continue
        r = math.log2(max(t, 0.5) / n)
        (ratios_gene if k.split(":")[0] == gene else ratios_rest).append(r)
    n_exons = sum(1 for k in normal_exons if k.split(":")[0] == gene)
    if len(ratios_gene) < max(3, n_exons / 2) or len(ratios_rest) < 10:
        return biomarker(
            name,
            "not evaluable",
            f"too few exons at >= {min_normal_depth:g}x in the normal: {len(ratios_gene)} of "
            f"{n_exons} {gene} exons (half needed) and {len(ratios_rest)} other exons (10 "
            "needed)",
        )
    log2 = _median(ratios_gene) - _median(ratios_rest)
    value: dict[str, Any] = {"log2_ratio": round(log2, 3), "exons": len(ratios_gene)}
    if purity:
        # ratio = (purity * CN + (1 - purity) * 2) / 2, solved for the tumor copy number
        value["copy_number"] = round(max(0.0, 2 * (2**log2 - (1 - purity)) / purity), 1)
    status = "positive" if log2 >= min_log2 else "negative"
    return biomarker(
        name,
        status,
        f"log2 tumor/normal depth ratio {log2:.2f} over {len(ratios_gene)} {gene} exons "
        f"(normalised to {len(ratios_rest)} other exons); amplified at >= {min_log2:g}",
        value,
    )


def _median(xs: Sequence[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def msi_biomarker(msi: dict[str, Any]) -> dict[str, Any]:
    value = None
    if msi.get("score") is not None:
        value = {
            "call": msi["call"],
            "unstable_share": msi["score"],
            "sites_unstable": msi["sites_unstable"],
            "sites_evaluable": msi["sites_evaluable"],
            "mode": msi["mode"],
        }
    return biomarker("MSI", msi["status"], msi["reason"], value)


def tmb_biomarker(tmb: dict[str, Any]) -> dict[str, Any]:
    value = None
    if tmb.get("tmb") is not None:
        value = {
            "mutations_per_mb": tmb["tmb"],
            "mutations": tmb["mutations"],
            "callable_mb": tmb["callable_mb"],
        }
    return biomarker("TMB", tmb["status"], tmb["reason"], value)


# ---------------------------------------------------------------------------- tiering


@dataclass
class Match:
    evidence: Evidence
    relation: str  # same | other (tumor type)
    how: str  # protein change | residue | exon | gene | biomarker


@dataclass
class Tiered:
    tier: int
    level: str | None
    matches: list[Match] = field(default_factory=list)
    hotspot: str | None = None
    why: str = ""

    @property
    def label(self) -> str:
        return TIER_LABEL[self.tier] + (f" (level {self.level})" if self.level else "")


def exon_number(tx: Transcript, pos: int) -> int | None:
    order = tx.exons if tx.strand == "+" else list(reversed(tx.exons))
    for i, (s, e) in enumerate(order, 1):
        if s <= pos <= e:
            return i
    return None


def match_variant(
    v: SomaticVariant,
    kb: Knowledge,
    tumor_type: str,
    exon: int | None,
) -> tuple[list[Match], str | None]:
    """Evidence rows that apply to a protein-altering variant, and its hotspot type."""
    res = v.residues
    hotspot = kb.hotspot(v.gene or "", res[0], res[1]) if res else None
    protein = v.protein
    out = []
    for e in kb.evidence:
        if e.gene != v.gene or e.alteration != "variant":
            continue
        how = None
        pc = e.protein_change
        if pc and protein and pc == protein:
            how = "protein change"
        elif pc and re.fullmatch(r"[A-Z]\d+", pc) and res and res[0] == res[1] == int(pc[1:]):
            how = "residue"
        elif not pc and hotspot and v.consequence in ACTIVATING | {"stop_gained", "frameshift"}:
            if e.exon:
                how = "exon" if exon is not None and str(exon) == e.exon else None
            else:
                how = "gene"
        if how:
            out.append(Match(e, tumor_type_relation(e.tumor_type, tumor_type, kb.oncotree), how))
    return out, hotspot


def tier_of(matches: Sequence[Match], population_af: float | None, hotspot: str | None) -> Tiered:
    if population_af is not None and population_af >= COMMON_POPULATION_AF:
        return Tiered(4, None, [], hotspot, f"population allele frequency {population_af:.3g}")
    best_same = min(
        (LEVEL_RANK[m.evidence.amp_level] for m in matches if m.relation == "same"), default=9
    )
    best_other = min(
        (LEVEL_RANK[m.evidence.amp_level] for m in matches if m.relation == "other"), default=9
    )
    letters = "ABCD"
    if best_same <= 1:
        return Tiered(
            1, letters[best_same], list(matches), hotspot, "level A/B evidence in this tumor type"
        )
    if best_other <= 1:
        return Tiered(2, "C", list(matches), hotspot, "level A/B evidence in another tumor type")
    if best_same <= 3:
        return Tiered(
            2, letters[best_same], list(matches), hotspot, "level C/D evidence in this tumor type"
        )
    why = "no clinical evidence in this tumor type"
    if hotspot:
        why += f"; recurrent cancer hotspot ({hotspot})"
    return Tiered(3, None, list(matches), hotspot, why)


def _therapies(evidence: Sequence[dict[str, Any]], significance: str, n: int = 5) -> list[str]:
    """Therapies of level A/B evidence in this tumor type with that significance."""
    out: list[str] = []
    for e in evidence:
        t = e["therapy"]
        if (
            t
            and t not in out
            and e["significance"] == significance
            and e["tumor_type_match"] == "same"
            and e["level"] in ("A", "B")
        ):
            out.append(t)
    return out[:n]


def evidence_json(m: Match) -> dict[str, Any]:
    e = m.evidence
    return {
        "source": e.source,
        "source_version": e.version,
        "id": e.evidence_id,
        "level": e.amp_level,
        "source_level": e.source_level,
        "tumor_type": e.tumor_type,
        "disease": e.disease,
        "tumor_type_match": m.relation,
        "matched_on": m.how,
        "therapy": e.therapy or None,
        "significance": e.significance,
        "citation": e.citation,
        "url": e.url,
    }


def _sorted_matches(matches: Sequence[Match]) -> list[Match]:
    return sorted(
        matches,
        key=lambda m: (
            m.relation != "same",
            LEVEL_RANK[m.evidence.amp_level],
            m.evidence.source,
            m.evidence.evidence_id,
        ),
    )


def biomarker_matches(alteration: str, gene: str, kb: Knowledge, tumor_type: str) -> list[Match]:
    return [
        Match(e, tumor_type_relation(e.tumor_type, tumor_type, kb.oncotree), "biomarker")
        for e in kb.evidence
        if e.alteration == alteration and e.gene == gene
    ]


# ---------------------------------------------------------------------------- therapy lines


def _therapy_evidence(
    matches: Iterable[Match], words: Sequence[str], significance: Sequence[str]
) -> list[dict[str, Any]]:
    out = []
    for m in _sorted_matches(list(matches)):
        t = m.evidence.therapy.lower()
        if (
            m.relation == "same"
            and m.evidence.significance in significance
            and all(w in t for w in words)
        ):
            out.append(evidence_json(m))
    return out


def _ev_text(ev: Sequence[dict[str, Any]], n: int = 3) -> str:
    return "; ".join(
        f"{e['source']} {e['id']} level {e['level']} ({e['source_level']})" for e in ev[:n]
    )


def therapy_lines(
    card: dict[str, dict[str, Any]],
    variant_matches: dict[str, list[Match]],
    variants: dict[str, SomaticVariant],
    kb: Knowledge,
    tumor_type: str,
) -> list[dict[str, Any]]:
    """Therapy lines that follow from the biomarker card and the tiers."""
    lines = []
    ras_braf = ["KRAS", "NRAS", "BRAF V600E"]
    st = {k: card[k]["status"] for k in card}
    all_matches = [m for ms in variant_matches.values() for m in ms]
    # anti-EGFR: only with RAS and BRAF wild type and covered
    resist = _therapy_evidence(all_matches, [], ["resistance"])
    resist = [e for e in resist if any(w in (e["therapy"] or "").lower() for w in ANTI_EGFR)]
    positive = [k for k in ras_braf if st[k] == "positive"]
    unknown = [k for k in ras_braf if st[k] == "not evaluable"]
    if positive:
        status = "not a candidate"
        basis = f"{', '.join(positive)} mutated: resistance to anti-EGFR antibodies"
    elif unknown:
        status = "cannot be assessed"
        basis = (
            f"{', '.join(unknown)} not evaluable; anti-EGFR needs RAS and BRAF wild type "
            "and covered"
        )
    else:
        status = "candidate"
        basis = "KRAS, NRAS and BRAF V600E wild type with every codon covered"
    lines.append(
        {
            "therapy": "Anti-EGFR antibody (cetuximab or panitumumab)",
            "status": status,
            "basis": basis,
            "evidence": resist if positive else [],
        }
    )
    braf = _therapy_evidence(all_matches, ["encorafenib", "cetuximab"], ["sensitivity"])
    lines.append(_line("Encorafenib + cetuximab", st["BRAF V600E"], "BRAF V600E", braf))
    g12c = [v for v in variants.values() if v.gene == "KRAS" and v.protein == "G12C" and v.passed]
    if g12c:
        ev = _therapy_evidence(variant_matches.get(g12c[0].id, []), [], ["sensitivity"])
        ev = [
            e
            for e in ev
            if "sotorasib" in (e["therapy"] or "").lower()
            or "adagrasib" in (e["therapy"] or "").lower()
        ]
        lines.append(
            _line(
                "KRAS G12C inhibitor + anti-EGFR (sotorasib + panitumumab, adagrasib + cetuximab)",
                "positive",
                "KRAS G12C",
                ev,
            )
        )
    msi_ev = _therapy_evidence(
        biomarker_matches("msi_high", "", kb, tumor_type), [], ["sensitivity"]
    )
    tmb_ev = _therapy_evidence(
        biomarker_matches("tmb_high", "", kb, tumor_type), [], ["sensitivity"]
    )
    icb_status = st["MSI"]
    basis = "MSI-H"
    ev = msi_ev
    if st["MSI"] != "positive" and st["TMB"] == "positive":
        icb_status, basis, ev = "positive", "TMB-high (>= 10 mutations/Mb)", tmb_ev
    elif st["MSI"] != "positive" and st["POLE exonuclease domain"] == "positive":
        icb_status, basis, ev = "positive", "POLE exonuclease-domain mutation (inferential)", []
    lines.append(
        _line(
            "Immune checkpoint blockade (pembrolizumab; nivolumab +/- ipilimumab)",
            icb_status,
            basis,
            ev,
        )
    )
    her2_ev = _therapy_evidence(
        biomarker_matches("amplification", "ERBB2", kb, tumor_type), [], ["sensitivity"]
    )
    lines.append(
        _line(
            "HER2-directed (trastuzumab + tucatinib)",
            st["ERBB2 amplification"],
            "ERBB2 amplification",
            her2_ev,
        )
    )
    return lines


def _line(therapy: str, status: str, basis: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    text = {
        "positive": ("candidate", f"{basis} present"),
        "negative": ("no indication", f"{basis} absent"),
        "not evaluable": ("cannot be assessed", f"{basis} not evaluable"),
    }[status]
    return {
        "therapy": therapy,
        "status": text[0],
        "basis": text[1],
        "evidence": evidence if status == "positive" else [],
    }


# ---------------------------------------------------------------------------- the document


@dataclass
class CrcInputs:
    patient: str
    tumor_type: str
    purity: float | None
    tumor_only: bool
    variants: list[SomaticVariant]
    coverage: dict[str, CodonCoverage]  # KRAS, NRAS, BRAF, PIK3CA, POLE
    erbb2: dict[str, Any]
    msi: dict[str, Any]
    tmb: dict[str, Any]
    transcripts: dict[str, Transcript]
    note: str = ""


def biomarker_card(inp: CrcInputs) -> dict[str, dict[str, Any]]:
    v, cov = inp.variants, inp.coverage
    card = {
        "KRAS": codon_biomarker("KRAS", ["KRAS"], RAS_CODONS, v, cov),
        "NRAS": codon_biomarker("NRAS", ["NRAS"], RAS_CODONS, v, cov),
        "BRAF V600E": codon_biomarker("BRAF V600E", ["BRAF"], (600,), v, cov, exact="V600E"),
        "PIK3CA": codon_biomarker("PIK3CA", ["PIK3CA"], PIK3CA_CODONS, v, cov),
        "ERBB2 amplification": inp.erbb2,
        "POLE exonuclease domain": pole_biomarker(v, cov["POLE"]),
        "MSI": msi_biomarker(inp.msi),
        "TMB": tmb_biomarker(inp.tmb),
    }
    # BRAF: a non-V600E codon-600 call is negative for V600E but worth saying
    if card["BRAF V600E"]["status"] == "negative":
        other = [x for x in v if x.gene == "BRAF" and x.passed and x.residues == (600, 600)]
        if other:
            card["BRAF V600E"]["reason"] += "; other codon 600 change: " + ", ".join(
                str(x.hgvs_p) for x in other
            )
    if inp.tumor_only:
        for k in ("KRAS", "NRAS", "BRAF V600E", "PIK3CA", "POLE exonuclease domain"):
            if card[k]["status"] == "positive":
                card[k]["reason"] += " (tumor-only: germline not excluded)"
    return card


def interpret(inp: CrcInputs, kb: Knowledge) -> dict[str, Any]:
    """The crc interpretation document (workflow/schemas/interpretation.schema.json)."""
    preferred = preferred_transcripts(inp.transcripts)
    by_contig_tx = {tx.id: tx for tx in inp.transcripts.values()}
    card = biomarker_card(inp)
    tiered: dict[str, Tiered] = {}
    matches: dict[str, list[Match]] = {}
    vmap = {v.id: v for v in inp.variants}
    for v in inp.variants:
        if not v.passed or v.consequence not in PROTEIN_ALTERING or not v.gene:
            continue
        tx = by_contig_tx.get(v.transcript or "") or preferred.get(v.gene)
        exon = exon_number(tx, v.src_pos) if tx is not None else None
        ms, hotspot = match_variant(v, kb, inp.tumor_type, exon)
        matches[v.id] = ms
        tiered[v.id] = tier_of(ms, v.population_af, hotspot)
    findings: list[dict[str, Any]] = []
    for vid, t in sorted(
        tiered.items(), key=lambda kv: (kv[1].tier, LEVEL_RANK.get(kv[1].level or "D", 3), kv[0])
    ):
        if t.tier > 2:
            continue
        v = vmap[vid]
        evidence = [evidence_json(m) for m in _sorted_matches(t.matches)]
        summary = (
            f"{v.gene} {v.hgvs_p or v.hgvs_c} somatic, VAF {v.tumor_vaf} "
            f"({v.tumor_alt}/{v.tumor_depth} reads) — {t.label}: {t.why}"
        )
        for label, sig in (("benefit", "sensitivity"), ("resistance", "resistance")):
            drugs = _therapies(evidence, sig)
            if drugs:
                summary += f"; level A/B {label} in this tumor type: {', '.join(drugs)}"
        if v.tumor_only:
            summary += " (tumor-only: germline not excluded)"
        findings.append(
            {
                "variant_id": vid,
                "gene": v.gene,
                "hgvs_c": v.hgvs_c,
                "hgvs_p": v.hgvs_p,
                "classification": t.label,
                "summary": summary,
                "evidence": evidence,
            }
        )
    for key, alteration, gene in (
        ("MSI", "msi_high", ""),
        ("TMB", "tmb_high", ""),
        ("ERBB2 amplification", "amplification", "ERBB2"),
    ):
        if card[key]["status"] != "positive":
            continue
        bm = biomarker_matches(alteration, gene, kb, inp.tumor_type)
        if alteration == "tmb_high":
            value = (card[key]["value"] or {}).get("mutations_per_mb", 0)
            bm = [m for m in bm if not m.evidence.min_tmb or float(m.evidence.min_tmb) <= value]
        t = tier_of(bm, None, None)
        findings.append(
            {
                "variant_id": None,
                "gene": gene or None,
                "hgvs_c": None,
                "hgvs_p": None,
                "classification": t.label,
                "summary": f"{key} positive ({card[key]['reason']}) — {t.label}: {t.why}",
                "evidence": [evidence_json(m) for m in _sorted_matches(bm)],
            }
        )
    findings.sort(key=lambda f: f["classification"])
    lines = therapy_lines(card, matches, vmap, kb, inp.tumor_type)
    variants_doc: dict[str, Any] = {}
    ordered = sorted(tiered.items(), key=lambda kv: (kv[1].tier, kv[0]))
    for rank, (vid, t) in enumerate(ordered, 1):
        variants_doc[vid] = {
            "classification": t.label,
            "rank": rank,
            "evidence": [evidence_json(m) for m in _sorted_matches(t.matches)][:20],
        }
    not_assessable = [
        {"what": f"biomarker {name}", "reason": b["reason"]}
        for name, b in card.items()
        if b["status"] == "not evaluable"
    ]
    sections = [
        {
            "id": "biomarker-card",
            "title": "Biomarker card",
            "note": "Negative only when every codon is covered in the tumor at the depth that "
            "detects the limit-of-detection allele fraction; otherwise not evaluable.",
            "columns": ["Biomarker", "Status", "Value", "Reason"],
            "rows": [
                [n, b["status"], _value_text(b["value"]), b["reason"]] for n, b in card.items()
            ],
        },
        {
            "id": "therapy-lines",
            "title": "Therapy lines",
            "note": "Follow the tiers and the biomarker card; evidence restricted to this tumor "
            "type (OncoTree lineage) or tumor-agnostic approvals.",
            "columns": ["Therapy", "Status", "Basis", "Evidence"],
            "rows": [
                [ln["therapy"], ln["status"], ln["basis"], _ev_text(ln["evidence"])] for ln in lines
            ],
        },
        {
            "id": "somatic-variants",
            "title": "Somatic variants (PASS, protein-altering)",
            "note": "AMP/ASCO/CAP tiers (Li et al. 2017) from MOAlmanac, CIViC and cancer hotspots."
            + (" Tumor-only: germline not excluded." if inp.tumor_only else ""),
            "columns": [
                "Gene",
                "HGVSp",
                "HGVSc",
                "GRCh38",
                "Consequence",
                "Tumor VAF",
                "Tumor alt/depth",
                "Normal depth",
                "Tier",
                "Why",
            ],
            "rows": [
                [
                    vmap[vid].gene,
                    vmap[vid].hgvs_p,
                    vmap[vid].hgvs_c,
                    f"{vmap[vid].chrom}:{vmap[vid].pos} {vmap[vid].ref}>{vmap[vid].alt}",
                    vmap[vid].consequence,
                    vmap[vid].tumor_vaf,
                    f"{vmap[vid].tumor_alt}/{vmap[vid].tumor_depth}",
                    vmap[vid].normal_depth,
                    t.label,
                    t.why,
                ]
                for vid, t in sorted(tiered.items(), key=lambda kv: (kv[1].tier, kv[0]))
            ],
        },
        {
            "id": "therapy-evidence",
            "title": "Evidence behind the therapy lines",
            "columns": [
                "Therapy line",
                "Source",
                "Version",
                "Id",
                "Level",
                "Tumor type",
                "Therapy",
                "Significance",
            ],
            "rows": [
                [
                    ln["therapy"],
                    e["source"],
                    e["source_version"],
                    e["id"],
                    e["level"],
                    e["disease"],
                    e["therapy"],
                    e["significance"],
                ]
                for ln in lines
                for e in ln["evidence"]
            ],
        },
    ]
    n1 = sum(1 for t in tiered.values() if t.tier == 1)
    note = (
        f"Colorectal pilot rules applied (tumor type {inp.tumor_type}): {n1} Tier I variant(s), "
        f"{len(tiered)} protein-altering somatic variant(s) tiered"
    )
    note += "; tumor-only analysis: germline variants are not excluded." if inp.tumor_only else "."
    if inp.note:
        note += " " + inp.note
    return {
        "status": "complete",
        "note": note,
        "findings": findings,
        "biomarkers": list(card.values()),
        "variants": variants_doc,
        "knowledge_bases": kb.sources,
        "sections": sections,
        "not_assessable": not_assessable,
    }


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(x) for x in value)
    return str(value)

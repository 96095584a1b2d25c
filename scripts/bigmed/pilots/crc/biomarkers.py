"""The biomarker card: RAS, BRAF V600E, PIK3CA, POLE exonuclease domain, ERBB2
amplification, MSI and TMB, each positive, negative or not evaluable with its reason.

A codon biomarker is "negative" only when every codon it is defined on is covered in the
tumor (:mod:`bigmed.pilots.crc.codons`); otherwise "not evaluable", with the codons that are
short of depth. A filtered call that is neither germline nor in the normal leaves it "not
evaluable" too: it is neither called nor excluded.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bigmed.genome.gff import Transcript
from bigmed.genome.vcf import PROTEIN_ALTERING
from bigmed.intake.coverage import read_regions
from bigmed.pilots.crc.codons import PIK3CA_CODONS, POLE_EXO, RAS_CODONS, CodonCoverage
from bigmed.pilots.crc.variants import ACTIVATING, SomaticVariant

# FILTER reasons that place an allele in the germline or the normal, not the tumor
NOT_SOMATIC = {"Germline", "NormalArtifact", "PopulationAF", "PanelOfNormals"}
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


@dataclass
class CrcInputs:
    """What the interpretation of one tumor starts from: its calls and measurements."""

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
    detection_vaf: float | None = None  # crc.detection_vaf: the limit of detection
    min_alt_reads: int | None = None  # somatic.min_alt_reads


def biomarker(name: str, status: str, reason: str, value: Any = None) -> dict[str, Any]:
    return {"name": name, "status": status, "value": value, "reason": reason}


def not_evaluable(name: str, reason: str) -> dict[str, Any]:
    return biomarker(name, "not evaluable", reason)


# ---------------------------------------------------------------------------- codons


def _codon_text(codons: Sequence[int]) -> str:
    return ", ".join(str(c) for c in codons)


def _short_reason(cov: CodonCoverage) -> str:
    if cov.unknown:
        return f"{cov.unknown}; absent from the VCF is not wild type"
    if cov.missing_gene:
        return f"{cov.gene} is not in the reference annotation"
    shallow = ", ".join(f"{c} ({cov.depth[c]}x)" for c in cov.short)
    return f"codon(s) below {cov.min_depth}x in the tumor: {shallow}"


def _codon_calls(
    genes: Sequence[str],
    codons: Sequence[int],
    variants: Sequence[SomaticVariant],
    kinds: set[str],
    exact: str | None,
) -> tuple[list[SomaticVariant], list[SomaticVariant]]:
    """(PASS calls, uncertain somatic calls) of the given kinds at the codons."""
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
    return hits, filtered


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
    hits, filtered = _codon_calls(genes, codons, variants, consequences or ACTIVATING, exact)
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


# ---------------------------------------------------------------------------- ERBB2


def read_exon_depths(path: str) -> dict[str, float]:
    """mosdepth --by regions: name (GENE:TX:exonN) -> mean depth."""
    return {r.name: r.depth for r in read_regions(path) if r.name}


def _exon_log2_ratios(
    tumor_exons: dict[str, float],
    normal_exons: dict[str, float],
    min_normal_depth: float,
    gene: str,
) -> tuple[list[float], list[float]]:
    """log2 tumor/normal depth of the gene's exons and of every other exon, over exons at
    >= min_normal_depth in the normal."""
    ratios_gene: list[float] = []
    ratios_rest: list[float] = []
    for k, n in normal_exons.items():
        t = tumor_exons.get(k)
        if t is None or n < min_normal_depth:
            continue
        r = math.log2(max(t, 0.5) / n)
        (ratios_gene if k.split(":")[0] == gene else ratios_rest).append(r)
    return ratios_gene, ratios_rest


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
    n_exons = sum(1 for k in normal_exons if k.split(":")[0] == gene)
    if not n_exons:
        return biomarker(name, "not evaluable", f"{gene} is not in the reference annotation")
    ratios_gene, ratios_rest = _exon_log2_ratios(tumor_exons, normal_exons, min_normal_depth, gene)
    if len(ratios_gene) < max(3, n_exons / 2) or len(ratios_rest) < 10:
        return biomarker(
            name,
            "not evaluable",
            f"too few exons at >= {min_normal_depth:g}x in the normal: {len(ratios_gene)} of "
            f"{n_exons} {gene} exons (half needed) and {len(ratios_rest)} other exons (10 "
            "needed)",
        )
    log2 = statistics.median(ratios_gene) - statistics.median(ratios_rest)
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


# ---------------------------------------------------------------------------- MSI, TMB


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


# ---------------------------------------------------------------------------- the card

TUMOR_ONLY_CAVEAT = ("KRAS", "NRAS", "BRAF V600E", "PIK3CA", "POLE exonuclease domain")


def _braf_other_codon_600(card: dict[str, dict[str, Any]], v: Sequence[SomaticVariant]) -> None:
    """A non-V600E codon-600 call is negative for V600E but worth saying."""
    if card["BRAF V600E"]["status"] != "negative":
        return
    other = [x for x in v if x.gene == "BRAF" and x.passed and x.residues == (600, 600)]
    if other:
        card["BRAF V600E"]["reason"] += "; other codon 600 change: " + ", ".join(
            str(x.hgvs_p) for x in other
        )


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
    _braf_other_codon_600(card, v)
    if inp.tumor_only:
        for k in TUMOR_ONLY_CAVEAT:
            if card[k]["status"] == "positive":
                card[k]["reason"] += " (tumor-only: germline not excluded)"
    return card

"""Familial variants in relatives: genotypes, segregation (PP1/BS4) and cascade testing.

A relative's status at a familial variant comes from the reads, not only from the
genotype call: the joint calls' FORMAT ``AD``/``DP`` where the relative has a call, else a
pileup of the relative's BAM at the site (:mod:`bigmed.pilots.cardiac.reads`).

- ``carrier``: at least ``min_alt_reads`` reads with the allele and VAF >= ``min_vaf``;
- ``non-carrier``: fewer than ``min_alt_reads`` allele reads at a depth of at least
  ``min_depth`` (coverage.min_depth, 20x: a heterozygote shows <= 2 of 20 allele reads with
  probability 2e-4);
- ``not assessable`` otherwise (too shallow, or allele reads at a VAF that fits neither).

Segregation counts one informative meiosis per affected relative who carries the variant
(PP1; a conservative count when the pedigree is not known) and BS4 when an affected
relative does not. Unaffected relatives are not counted either way (age-dependent,
incomplete penetrance of inherited cardiac disease). Predictive testing is offered for
pathogenic / likely pathogenic variants only; a VUS is never used for predictive testing
(segregation testing of affected relatives may reclassify it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bigmed.genome.reference import ContigSlice
from bigmed.genome.variant_spec import VariantSpecError, from_grch38
from bigmed.germline.acmg import FamilyEvidence
from bigmed.pilots.cardiac.model import (
    CARRIER,
    NON_CARRIER,
    NOT_ASSESSABLE,
    PLP,
    VUS,
    PileupFn,
    RelativeGenotype,
    Segregation,
    SiteReads,
    Thresholds,
)
from bigmed.pilots.cardiac.reads import PILEUP

RELATIVE_ROLES = ("mother", "father", "sibling", "relative")
SEGREGATION_NOTE = "segregation from the family's reads (joint calls, BAM where uncalled)"


# --------------------------------------------------------------------------------------------
# one sample at one allele
# --------------------------------------------------------------------------------------------


def carrier_status(reads: SiteReads, th: Thresholds) -> tuple[str, str]:
    """(status, reason) of one sample at one allele (see the module docstring)."""
    if reads.alt_reads is None or reads.depth is None:
        gt = reads.gt or "."
        if reads.note:
            return NOT_ASSESSABLE, reads.note
        if carries(reads):
            return CARRIER, f"genotype {gt} (no allele depths)"
        return NOT_ASSESSABLE, f"genotype {gt} without read counts"
    alt, depth = reads.alt_reads, reads.depth
    vaf = alt / depth if depth else 0.0
    counts = f"{alt} of {depth} reads carry the allele"
    if alt >= th.min_alt_reads and vaf >= th.min_vaf:
        return CARRIER, f"{counts} (VAF {vaf:.0%})"
    if alt < th.min_alt_reads and depth >= th.min_depth:
        return NON_CARRIER, f"{counts} at {depth}x (>= {th.min_depth}x)"
    if depth < th.min_depth:
        return NOT_ASSESSABLE, f"{counts}: {depth}x is below {th.min_depth}x"
    return (
        NOT_ASSESSABLE,
        f"{counts} (VAF {vaf:.0%}): too many for a non-carrier, too few for a heterozygote "
        f"(VAF < {th.min_vaf:.0%}; mosaicism, contamination or artefact)",
    )


def het_miss_probability(depth: int, max_alt: int) -> float:
    """P(at most max_alt allele reads of depth | heterozygous, VAF 0.5)."""
    return float(sum(math.comb(depth, k) for k in range(max_alt + 1)) / 2**depth)


def _alleles(reads: SiteReads | None) -> list[str]:
    """The alleles of the genotype call (none without a call)."""
    if reads is None or reads.gt is None:
        return []
    return reads.gt.replace("|", "/").split("/")


def carries(reads: SiteReads | None) -> bool:
    """Does the genotype call hold a non-reference allele?"""
    return any(a not in ("0", ".") for a in _alleles(reads))


def zygosity(reads: SiteReads | None) -> str:
    """Zygosity of a carried allele from the genotype call."""
    alleles = _alleles(reads)
    if not alleles:
        return "unknown zygosity"
    alts = [a for a in alleles if a not in ("0", ".")]
    if len(alts) == len(alleles) and len(alleles) > 1:
        return "homozygous"
    return "heterozygous" if len(alleles) > 1 else "hemizygous"


# --------------------------------------------------------------------------------------------
# relatives
# --------------------------------------------------------------------------------------------


def genotype(
    sample: Mapping[str, Any],
    call: SiteReads | None,
    th: Thresholds,
    pileup: SiteReads | None = None,
) -> RelativeGenotype:
    """Status of one sample: its joint call, or the BAM pileup where it has no call."""
    reads = call if call is not None and call.has_call else None
    if reads is None:
        reads = pileup or call or SiteReads("none", note="no call and no alignment to read")
        if pileup is not None and call is not None and call.gt:
            reads = SiteReads(
                pileup.source,
                call.gt,
                pileup.ref_reads,
                pileup.alt_reads,
                pileup.depth,
                pileup.note or f"no call in the joint calls (GT {call.gt})",
            )
    status, reason = carrier_status(reads, th)
    return RelativeGenotype(
        sample["sample"], sample["role"], sample["affected"], status, reason, reads
    )


def relatives_of(samples: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [s for s in samples if s["role"] in RELATIVE_ROLES]


def family_genotypes(
    variants: Sequence[Mapping[str, Any]],
    samples: Sequence[Mapping[str, Any]],
    calls: Mapping[str, Mapping[str, SiteReads]],
    th: Thresholds,
    *,
    cmap: Mapping[str, ContigSlice] | None,
    contigs: Mapping[str, int],
    pileup: PileupFn | None,
) -> dict[str, list[RelativeGenotype]]:
    """variant id -> every relative's genotype (joint call, else BAM pileup)."""
    relatives = relatives_of(samples)
    out: dict[str, list[RelativeGenotype]] = {}
    for v in variants:
        site = calls.get(v["id"], {})
        rows = []
        for rel in relatives:
            call = site.get(rel["sample"])
            pile = None
            if (call is None or not call.has_call) and pileup is not None:
                pile = _pileup_at(v, rel["sample"], cmap, contigs, pileup)
            rows.append(genotype(rel, call, th, pile))
        out[v["id"]] = rows
    return out


def _pileup_at(
    v: Mapping[str, Any],
    sample: str,
    cmap: Mapping[str, ContigSlice] | None,
    contigs: Mapping[str, int],
    pileup: PileupFn,
) -> SiteReads | None:
    """The sample's reads at the variant, placed on the reference's contigs."""
    try:
        contig, cpos = from_grch38(v["chrom"], int(v["pos"]), cmap, contigs)
    except VariantSpecError as err:
        return SiteReads(PILEUP, note=str(err))
    return pileup(sample, contig, cpos, v["ref"], v["alt"])


# --------------------------------------------------------------------------------------------
# segregation
# --------------------------------------------------------------------------------------------


def segregation(
    index: Mapping[str, Any], relatives: Sequence[RelativeGenotype], *, recessive: bool = False
) -> Segregation:
    """Family evidence (PP1 meioses, BS4, de novo) of one variant the index carries.

    ``recessive``: the gene's disease needs two alleles; carrier counting (a dominant model)
    does not apply, so PP1/BS4 are left unassessed (phase and the second allele are needed).
    """
    affected = [r for r in relatives if r.affected == "yes"]
    carriers = tuple(r.sample for r in affected if r.status == CARRIER)
    non = tuple(r.sample for r in affected if r.status == NON_CARRIER)
    meioses: int | None = None
    nonseg: bool | None = None
    counted = _not_counted_why(index, affected, carriers, non, recessive)
    if counted is None:
        meioses, nonseg = len(carriers), bool(non)
        parts = _counted_parts(carriers, non)
    else:
        parts = [counted]
    parts += _uncounted_parts(relatives)
    evidence = FamilyEvidence(
        de_novo=_de_novo(relatives),
        segregation_meioses=meioses,
        nonsegregation=nonseg,
        note=SEGREGATION_NOTE,
    )
    return Segregation(evidence, "; ".join(parts), carriers, non)


def _de_novo(relatives: Sequence[RelativeGenotype]) -> Literal["assumed", "no"] | None:
    """'assumed' when both parents are non-carriers, 'no' when one carries, else unknown."""
    by_role = {r.role: r for r in relatives if r.role in ("mother", "father")}
    mother, father = by_role.get("mother"), by_role.get("father")
    if not (mother and father):
        return None
    if mother.status == NON_CARRIER and father.status == NON_CARRIER:
        return "assumed"
    return "no" if CARRIER in (mother.status, father.status) else None


def _not_counted_why(
    index: Mapping[str, Any],
    affected: Sequence[RelativeGenotype],
    carriers: Sequence[str],
    non: Sequence[str],
    recessive: bool,
) -> str | None:
    """Why segregation is not counted for this variant (None: it is)."""
    if recessive:
        return "recessive (biallelic) gene: carrier counting does not apply, segregation not used"
    if index.get("affected") != "yes":
        return f"index {index['sample']} is not recorded as affected: segregation not used"
    if not affected:
        return "no affected relative sequenced"
    if not carriers and not non:
        return "no affected relative could be genotyped"
    return None


def _counted_parts(carriers: Sequence[str], non: Sequence[str]) -> list[str]:
    """Co-segregation (PP1 meioses) and affected non-carriers (BS4)."""
    parts = []
    if carriers:
        parts.append(
            f"co-segregates in {len(carriers)} affected relative(s) ({', '.join(carriers)}): "
            f"{len(carriers)} informative {'meiosis' if len(carriers) == 1 else 'meioses'} "
            "(one per affected carrier)"
        )
    if non:
        parts.append(f"affected relative(s) without it: {', '.join(non)} (BS4)")
    return parts


def _uncounted_parts(relatives: Sequence[RelativeGenotype]) -> list[str]:
    """Relatives the count leaves out: affected but not assessable, unaffected or unknown."""
    parts = []
    unassessed = [r.sample for r in relatives if r.affected == "yes" and r.status == NOT_ASSESSABLE]
    if unassessed:
        parts.append(f"affected, not assessable: {', '.join(unassessed)}")
    unaffected = [f"{r.sample} {r.status}" for r in relatives if r.affected != "yes" and r.status]
    if unaffected:
        parts.append(
            "unaffected or unknown: " + ", ".join(unaffected) + " (not counted: age-dependent, "
            "incomplete penetrance)"
        )
    return parts


# --------------------------------------------------------------------------------------------
# cascade testing
# --------------------------------------------------------------------------------------------


def cascade_rows(
    label: str,
    cls: str,
    index: Mapping[str, Any],
    relatives: Sequence[RelativeGenotype],
) -> list[list[str]]:
    """Whom to offer what for one familial variant: rows (whom, variant, offer, why)."""
    if cls in PLP:
        return _predictive_rows(label, cls, index, relatives)
    if cls == VUS:
        return _vus_rows(label, relatives)
    return []


def _predictive_rows(
    label: str, cls: str, index: Mapping[str, Any], relatives: Sequence[RelativeGenotype]
) -> list[list[str]]:
    """A P/LP variant: predictive testing of untested relatives, each tested one's result."""
    carriers = [index["sample"]] + [r.sample for r in relatives if r.status == CARRIER]
    rows = [
        [
            "untested first-degree relatives (parents, siblings, children) of "
            + ", ".join(carriers),
            label,
            "predictive genetic testing for this variant, with pre-test counselling; "
            "clinical screening (ECG, imaging) as the guidelines advise",
            f"{cls} familial variant: cascade testing (ESC 2023 cardiomyopathy, "
            "HRS/EHRA/APHRS/LAHRS 2022 expert statement)",
        ]
    ]
    for r in relatives:
        who = f"{r.sample} ({r.role}, affected: {r.affected})"
        rows.append([who, label, _offer(r), r.reason])
    return rows


def _offer(r: RelativeGenotype) -> str:
    """What a tested relative is offered, by result and affection status."""
    if r.status == CARRIER and r.affected != "yes":
        return (
            "predictive result positive: cardiological surveillance; testing of "
            "their own first-degree relatives"
        )
    if r.status == CARRIER:
        return "genotype-positive, affected: testing of their own first-degree relatives"
    if r.status == NON_CARRIER:
        return (
            "predictive result negative: no further testing for this variant "
            "(clinical follow-up per clinical judgement)"
        )
    return (
        "result not assessable: repeat with a new sample or a targeted assay "
        "(known-familial-variant mode)"
    )


def _vus_rows(label: str, relatives: Sequence[RelativeGenotype]) -> list[list[str]]:
    """A VUS: no predictive testing; segregation testing of affected relatives may help."""
    tested = {r.sample for r in relatives if r.affected == "yes" and r.status != NOT_ASSESSABLE}
    return [
        [
            "unaffected relatives",
            label,
            "no predictive testing for this variant",
            "a variant of uncertain significance is not used for predictive testing; "
            "clinical screening of first-degree relatives follows the index phenotype",
        ],
        [
            "affected relatives not yet genotyped"
            + (f" (genotyped: {', '.join(sorted(tested))})" if tested else ""),
            label,
            "segregation testing (research / reclassification)",
            "co-segregation in affected relatives (PP1) or its absence (BS4) may "
            "reclassify the VUS",
        ],
    ]

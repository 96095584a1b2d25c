"""Familial variants in relatives: genotypes, segregation (PP1/BS4) and cascade testing.

A relative's status at a familial variant comes from the reads, not only from the
genotype call: the joint calls' FORMAT ``AD``/``DP`` where the relative has a call, else a
pileup of the relative's BAM at the site (pysam, same MAPQ/BQ limits as calling).

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.germline.acmg import FamilyEvidence

CARRIER, NON_CARRIER, NOT_ASSESSABLE = "carrier", "non-carrier", "not assessable"
RELATIVE_ROLES = ("mother", "father", "sibling", "relative")
PREDICTIVE_CLASSES = ("Pathogenic", "Likely pathogenic")
VUS = "Uncertain significance"


@dataclass(frozen=True)
class SiteReads:
    """What one sample shows at one allele."""

    source: str  # 'joint calls' | 'BAM pileup' | 'none'
    gt: str | None = None
    ref_reads: int | None = None
    alt_reads: int | None = None
    depth: int | None = None
    note: str = ""

    @property
    def vaf(self) -> float | None:
        if self.alt_reads is None or not self.depth:
            return None
        return self.alt_reads / self.depth

    @property
    def has_call(self) -> bool:
        return self.gt is not None and "." not in self.gt and bool(self.depth)

    def as_dict(self) -> dict[str, Any]:
        vaf = self.vaf
        return {
            "source": self.source,
            "gt": self.gt,
            "ref_reads": self.ref_reads,
            "alt_reads": self.alt_reads,
            "depth": self.depth,
            "vaf": None if vaf is None else round(vaf, 4),
            "note": self.note,
        }


@dataclass(frozen=True)
class Thresholds:
    min_depth: int = 20
    min_alt_reads: int = 3
    min_vaf: float = 0.2


def carrier_status(reads: SiteReads, th: Thresholds) -> tuple[str, str]:
    """(status, reason) of one sample at one allele (see the module docstring)."""
    if reads.alt_reads is None or reads.depth is None:
        gt = reads.gt or "."
        if reads.note:
            return NOT_ASSESSABLE, reads.note
        alleles = gt.replace("|", "/").split("/")
        if any(a not in ("0", ".") for a in alleles):
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


# --------------------------------------------------------------------------------------------
# reading the evidence
# --------------------------------------------------------------------------------------------


def _gt_text(call: Any) -> str | None:
    gt = call.get("GT")
    if not gt:
        return None
    sep = "|" if call.phased else "/"
    return sep.join("." if a is None else str(a) for a in gt)


def _int(x: Any) -> int | None:
    return int(x) if isinstance(x, int) else None


def reads_from_call(call: Any, allele: int = 1) -> SiteReads:
    """SiteReads of one sample's FORMAT (GT, AD, DP) at a record."""
    gt = _gt_text(call)
    ad = call.get("AD") if "AD" in call else None
    dp = _int(call.get("DP")) if "DP" in call else None
    if ad is not None and len(ad) > allele and all(isinstance(x, int) for x in ad):
        ref_n, alt_n = int(ad[0]), int(ad[allele])
        depth = sum(int(x) for x in ad)
        return SiteReads("joint calls", gt, ref_n, alt_n, depth)
    return SiteReads("joint calls", gt, None, None, dp)


def calls_at(vcf: str, ids: Iterable[str]) -> dict[str, dict[str, SiteReads]]:
    """variant id (chrom-pos-ref-alt) -> sample -> SiteReads, from the joint calls."""
    wanted = set(ids)
    out: dict[str, dict[str, SiteReads]] = {}
    if not wanted:
        return out
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            for i, alt in enumerate(rec.alts or (), 1):
                vid = f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}"
                if vid in wanted:
                    out[vid] = {s: reads_from_call(rec.samples[s], i) for s in samples}
    return out


def pileup_reads(
    bam: str,
    contig: str,
    pos: int,
    ref: str,
    alt: str,
    *,
    min_mapq: int = 20,
    min_baseq: int = 13,
    reference: str | None = None,
) -> SiteReads:
    """Count reads with the allele and with the reference at a site (1-based ``pos``).

    Duplicates, secondary, QC-failed and unmapped reads are skipped (pysam's default
    stepper), overlapping mates are counted once. SNVs and MNPs need every base at
    ``min_baseq``; an indel is read from the anchor base (the read must span the event).
    ``reference``: the FASTA a CRAM was written against.
    """
    ref, alt = ref.upper(), alt.upper()
    snv_like = len(ref) == len(alt)
    if not snv_like and ref[0] != alt[0]:
        return SiteReads("BAM pileup", note="complex allele: not counted from the BAM")
    k = len(alt) - len(ref)
    ref_n = alt_n = depth = 0
    with pysam.AlignmentFile(bam, reference_filename=reference) as handle:
        if contig not in handle.references:
            return SiteReads("BAM pileup", note=f"contig {contig} is not in the BAM")
        for col in handle.pileup(
            contig,
            pos - 1,
            pos,
            truncate=True,
            min_mapping_quality=min_mapq,
            min_base_quality=0,
            ignore_orphans=False,
            max_depth=100_000,
        ):
            for pr in col.pileups:
                if pr.is_refskip:
                    continue
                depth += 1
                if pr.is_del or pr.query_position is None:
                    continue
                read = pr.alignment
                seq = read.query_sequence or ""
                quals = read.query_qualities
                q = pr.query_position
                if snv_like:
                    span = seq[q : q + len(ref)].upper()
                    if quals is not None and min(quals[q : q + len(ref)], default=0) < min_baseq:
                        depth -= 1
                        continue
                    if len(ref) > 1 and pr.indel != 0:
                        continue
                    if span == alt:
                        alt_n += 1
                    elif span == ref:
                        ref_n += 1
                    continue
                spans_event = (read.reference_end or 0) >= pos + max(0, -k)
                inserted = seq[q + 1 : q + 1 + k].upper() if k > 0 else ""
                if pr.indel == k and (k < 0 or inserted == alt[1:]):
                    alt_n += 1
                elif pr.indel == 0 and spans_event:
                    ref_n += 1
    return SiteReads("BAM pileup", None, ref_n, alt_n, depth)


# --------------------------------------------------------------------------------------------
# relatives, segregation, cascade testing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelativeGenotype:
    sample: str
    role: str
    affected: str
    status: str
    reason: str
    reads: SiteReads

    def as_dict(self) -> dict[str, Any]:
        return {
            "sample": self.sample,
            "role": self.role,
            "affected": self.affected,
            "status": self.status,
            "reason": self.reason,
            **{f"reads_{k}": v for k, v in self.reads.as_dict().items()},
        }


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


@dataclass(frozen=True)
class Segregation:
    evidence: FamilyEvidence
    summary: str
    affected_carriers: tuple[str, ...]
    affected_non_carriers: tuple[str, ...]


def segregation(
    index: Mapping[str, Any], relatives: Sequence[RelativeGenotype], *, recessive: bool = False
) -> Segregation:
    """Family evidence (PP1 meioses, BS4, de novo) of one variant the index carries.

    ``recessive``: the gene's disease needs two alleles; carrier counting (a dominant model)
    does not apply, so PP1/BS4 are left unassessed (phase and the second allele are needed).
    """
    by_role = {r.role: r for r in relatives if r.role in ("mother", "father")}
    mother, father = by_role.get("mother"), by_role.get("father")
    de_novo: Any = None
    if mother and father:
        if mother.status == NON_CARRIER and father.status == NON_CARRIER:
            de_novo = "assumed"
        elif CARRIER in (mother.status, father.status):
            de_novo = "no"
    affected = [r for r in relatives if r.affected == "yes"]
    carriers = tuple(r.sample for r in affected if r.status == CARRIER)
    non = tuple(r.sample for r in affected if r.status == NON_CARRIER)
    unassessed = [r.sample for r in affected if r.status == NOT_ASSESSABLE]
    parts: list[str] = []
    meioses: int | None = None
    nonseg: bool | None = None
    if recessive:
        parts.append(
            "recessive (biallelic) gene: carrier counting does not apply, segregation not used"
        )
    elif index.get("affected") != "yes":
        parts.append(f"index {index['sample']} is not recorded as affected: segregation not used")
    elif not affected:
        parts.append("no affected relative sequenced")
    elif not carriers and not non:
        parts.append("no affected relative could be genotyped")
    else:
        meioses, nonseg = len(carriers), bool(non)
        if carriers:
            parts.append(
                f"co-segregates in {len(carriers)} affected relative(s) ({', '.join(carriers)}): "
                f"{len(carriers)} informative {'meiosis' if len(carriers) == 1 else 'meioses'} "
                "(one per affected carrier)"
            )
        if non:
            parts.append(f"affected relative(s) without it: {', '.join(non)} (BS4)")
    if unassessed:
        parts.append(f"affected, not assessable: {', '.join(unassessed)}")
    unaffected = [f"{r.sample} {r.status}" for r in relatives if r.affected != "yes" and r.status]
    if unaffected:
        parts.append(
            "unaffected or unknown: " + ", ".join(unaffected) + " (not counted: age-dependent, "
            "incomplete penetrance)"
        )
    note = "segregation from the family's reads (joint calls, BAM where uncalled)"
    evidence = FamilyEvidence(
        de_novo=de_novo, segregation_meioses=meioses, nonsegregation=nonseg, note=note
    )
    return Segregation(evidence, "; ".join(parts), carriers, non)


def cascade_rows(
    label: str,
    cls: str,
    index: Mapping[str, Any],
    relatives: Sequence[RelativeGenotype],
) -> list[list[str]]:
    """Whom to offer what for one familial variant: rows (whom, variant, offer, why)."""
    rows: list[list[str]] = []
    if cls in PREDICTIVE_CLASSES:
        carriers = [index["sample"]] + [r.sample for r in relatives if r.status == CARRIER]
        rows.append(
            [
                "untested first-degree relatives (parents, siblings, children) of "
                + ", ".join(carriers),
                label,
                "predictive genetic testing for this variant, with pre-test counselling; "
                "clinical screening (ECG, imaging) as the guidelines advise",
                f"{cls} familial variant: cascade testing (ESC 2023 cardiomyopathy, "
                "HRS/EHRA/APHRS/LAHRS 2022 expert statement)",
            ]
        )
        for r in relatives:
            who = f"{r.sample} ({r.role}, affected: {r.affected})"
            if r.status == CARRIER and r.affected != "yes":
                offer = (
                    "predictive result positive: cardiological surveillance; testing of "
                    "their own first-degree relatives"
                )
            elif r.status == CARRIER:
                offer = "genotype-positive, affected: testing of their own first-degree relatives"
            elif r.status == NON_CARRIER:
                offer = (
                    "predictive result negative: no further testing for this variant "
                    "(clinical follow-up per clinical judgement)"
                )
            else:
                offer = (
                    "result not assessable: repeat with a new sample or a targeted assay "
                    "(known-familial-variant mode)"
                )
            rows.append([who, label, offer, r.reason])
    elif cls == VUS:
        rows.append(
            [
                "unaffected relatives",
                label,
                "no predictive testing for this variant",
                "a variant of uncertain significance is not used for predictive testing; "
                "clinical screening of first-degree relatives follows the index phenotype",
            ]
        )
        tested = {r.sample for r in relatives if r.affected == "yes" and r.status != NOT_ASSESSABLE}
        rows.append(
            [
                "affected relatives not yet genotyped"
                + (f" (genotyped: {', '.join(sorted(tested))})" if tested else ""),
                label,
                "segregation testing (research / reclassification)",
                "co-segregation in affected relatives (PP1) or its absence (BS4) may "
                "reclassify the VUS",
            ]
        )
    return rows

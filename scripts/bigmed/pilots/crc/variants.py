"""The somatic calls as the crc pilot reads them: one :class:`SomaticVariant` per record of
the finalised somatic VCF, with its protein change in the short form evidence uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.genome.hgvs import AA3

AA1 = {v: k for k, v in AA3.items()}
# consequences that activate an oncogene (what a hotspot or a gene-level row means)
ACTIVATING = {"missense", "inframe_insertion", "inframe_deletion", "inframe_altering"}


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


def _allele_counts(call: Any) -> tuple[float | None, int | None, int | None]:
    """(VAF, depth, alt reads) of one sample's FORMAT/AD; Nones without usable AD."""
    ad = call.get("AD") if call is not None and "AD" in call else None
    if not ad or len(ad) < 2 or ad[0] is None or ad[1] is None:
        return None, None, None
    d = int(ad[0]) + int(ad[1])
    return (round(int(ad[1]) / d, 4) if d else None), d, int(ad[1])


def _somatic_variant(rec: pysam.VariantRecord, samples: list[str]) -> SomaticVariant:
    alt = rec.alts[0] if rec.alts else "."
    tv, td, ta = _allele_counts(rec.samples[samples[0]])
    nv, nd, _ = _allele_counts(rec.samples[samples[1]] if len(samples) > 1 else None)
    info = rec.info
    return SomaticVariant(
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


def read_somatic(vcf: str) -> list[SomaticVariant]:
    """Every record of the finalised somatic VCF (tumor first, normal second if present)."""
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        return [_somatic_variant(rec, samples) for rec in vf]

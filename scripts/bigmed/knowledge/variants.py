"""Variant-level knowledge readers: ClinVar, gnomAD and the cancer-hotspot sources.

- indexed VCF sources (``clinvar``, ``gnomad``, ``hotspots``): :class:`VcfSource` fetches
  by GRCh38 position whatever the file's contig naming; :func:`parse_clinvar` (with
  :func:`review_stars` and :func:`clinvar_class`), :func:`parse_population` (gnomAD v2
  ``AF_popmax`` or v4 ``AF_grpmax``) and :func:`parse_hotspot` turn one record into
  per-ALT payloads for :func:`bigmed.knowledge.join.lookup`.
- hotspot tables (``hotspots_residues``, ``hotspots_indels``, ``hotspots_splice``):
  :func:`read_hotspot_residues`, :func:`read_hotspot_indels`, :func:`read_hotspot_splice`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.knowledge.sources import AA1, Source, canonical_chrom, source_chrom, table_rows

# --------------------------------------------------------------------------------------------
# indexed VCF sources (ClinVar, gnomAD, hotspot alleles)
# --------------------------------------------------------------------------------------------


class VcfSource:
    """Indexed access to a GRCh38 VCF source (one file or per-chromosome files).

    ``fetch('chr7', start0, end)`` works whatever the source's contig naming ('chr7' or '7').
    """

    def __init__(self, files: Iterable[str], chrom_style: str = "chr") -> None:
        self.style = chrom_style
        self.by_chrom: dict[str, pysam.VariantFile] = {}
        self._handles: list[pysam.VariantFile] = []
        for path in files:
            vf = pysam.VariantFile(path)
            self._handles.append(vf)
            names = list(vf.index) if vf.index is not None else list(vf.header.contigs)
            for name in names:
                self.by_chrom.setdefault(canonical_chrom(str(name)), vf)

    @classmethod
    def from_source(cls, src: Source) -> VcfSource:
        return cls(src.files, src.chrom_style)

    def fetch(self, chrom: str, start0: int, end: int | None) -> Iterator[pysam.VariantRecord]:
        vf = self.by_chrom.get(chrom)
        if vf is None:
            return iter(())
        return vf.fetch(source_chrom(chrom, self.style), max(0, start0), end)

    def close(self) -> None:
        for vf in self._handles:
            vf.close()

    def __enter__(self) -> VcfSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _info(rec: pysam.VariantRecord, key: str) -> Any:
    try:
        return rec.info.get(key)
    except (KeyError, ValueError):
        return None


def _joined(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _per_alt(value: Any, i: int) -> Any:
    if isinstance(value, tuple | list):
        return value[i] if i < len(value) else None
    return value


# ClinVar review status -> stars (ClinVar's documented mapping).
REVIEW_STARS = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_single_submitter": 1,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "no_assertion_criteria_provided": 0,
    "no_classification_provided": 0,
    "no_assertion_provided": 0,
    "no_interpretation_for_the_single_variant": 0,
    "no_classification_for_the_single_variant": 0,
}


def review_stars(status: str | None) -> int | None:
    """Stars of a CLNREVSTAT value; None when the review status is not known."""
    if not status:
        return None
    return REVIEW_STARS.get(status.strip().lower().replace(" ", "_"))


# CLNSIG (first term) -> five-tier class; other values (risk_factor, drug_response...) -> None
CLINVAR_CLASS = {
    "pathogenic": "Pathogenic",
    "likely_pathogenic": "Likely pathogenic",
    "pathogenic/likely_pathogenic": "Pathogenic",
    "pathogenic/likely_pathogenic/likely_risk_allele": "Pathogenic",
    "uncertain_significance": "Uncertain significance",
    "likely_benign": "Likely benign",
    "benign": "Benign",
    "benign/likely_benign": "Benign",
    "conflicting_interpretations_of_pathogenicity": "Conflicting",
    "conflicting_classifications_of_pathogenicity": "Conflicting",
}


def clinvar_class(significance: str | None) -> str | None:
    """Five-tier class of a CLNSIG value ('Pathogenic/Likely_pathogenic' -> 'Pathogenic')."""
    if not significance:
        return None
    first = re.split(r"[|,;]", significance.strip())[0].strip().lower()
    return CLINVAR_CLASS.get(first)


@dataclass(frozen=True)
class ClinVarRecord:
    variation_id: str
    chrom: str
    pos: int
    ref: str
    alt: str
    significance: str  # CLNSIG as written, e.g. 'Pathogenic/Likely_pathogenic'
    review_status: str | None  # CLNREVSTAT as written; None when absent
    stars: int | None
    conditions: tuple[str, ...] = ()
    genes: tuple[str, ...] = ()
    consequences: tuple[str, ...] = ()  # MC terms, e.g. ('missense_variant',)

    @property
    def clinical_class(self) -> str | None:
        return clinvar_class(self.significance)

    def as_dict(self) -> dict[str, Any]:
        return {
            "variation_id": self.variation_id,
            "significance": self.significance,
            "class": self.clinical_class,
            "review_status": self.review_status,
            "stars": self.stars,
            "conditions": list(self.conditions),
            "genes": list(self.genes),
        }


def parse_clinvar(rec: pysam.VariantRecord, chrom: str | None = None) -> list[ClinVarRecord]:
    """ClinVar assertions of one VCF record (one per ALT; ClinVar writes one ALT per row)."""
    sig = _joined(_info(rec, "CLNSIG")) or _joined(_info(rec, "CLNSIGINCL")) or ""
    status = _joined(_info(rec, "CLNREVSTAT"))
    geneinfo = _joined(_info(rec, "GENEINFO")) or ""
    genes = tuple(g.split(":")[0] for g in geneinfo.split("|") if g)
    conditions = tuple(
        c for c in (_joined(_info(rec, "CLNDN")) or "").replace(",", "|").split("|") if c
    )
    mc = _joined(_info(rec, "MC")) or ""
    consequences = tuple(part.split("|")[1] for part in mc.split(",") if "|" in part)
    out = []
    for alt in rec.alts or ():
        if alt in (".", "*") or alt.startswith("<"):
            continue
        out.append(
            ClinVarRecord(
                variation_id=str(rec.id or "."),
                chrom=chrom or canonical_chrom(rec.chrom),
                pos=rec.pos,
                ref=rec.ref or "",
                alt=alt,
                significance=sig,
                review_status=status,
                stars=review_stars(status),
                conditions=conditions,
                genes=genes,
                consequences=consequences,
            )
        )
    return out


@dataclass(frozen=True)
class PopulationRecord:
    af: float | None
    af_popmax: float | None  # AF_grpmax (v4) or AF_popmax (v2/v3)
    popmax_group: str | None
    nhomalt: int | None
    filter: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "af": self.af,
            "af_popmax": self.af_popmax,
            "popmax_group": self.popmax_group,
            "nhomalt": self.nhomalt,
            "filter": self.filter,
        }


POPMAX_FIELDS = ("AF_grpmax", "AF_popmax", "AF_grpmax_joint", "AF_joint_grpmax")
POPMAX_GROUP_FIELDS = ("grpmax", "popmax")


def parse_population(rec: pysam.VariantRecord) -> list[tuple[str, PopulationRecord]]:
    """(alt, frequencies) for each ALT of a gnomAD sites record."""
    af = _info(rec, "AF")
    popmax = next((v for k in POPMAX_FIELDS if (v := _info(rec, k)) is not None), None)
    group = next((v for k in POPMAX_GROUP_FIELDS if (v := _info(rec, k)) is not None), None)
    nhom = _info(rec, "nhomalt")
    filt = ";".join(str(k) for k in rec.filter) or "."
    out = []
    for i, alt in enumerate(rec.alts or ()):
        a, p, g, h = (_per_alt(x, i) for x in (af, popmax, group, nhom))
        out.append(
            (
                alt,
                PopulationRecord(
                    af=float(a) if a is not None else None,
                    af_popmax=float(p) if p is not None else None,
                    popmax_group=str(g) if g is not None else None,
                    nhomalt=int(h) if h is not None else None,
                    filter=filt,
                ),
            )
        )
    return out


def parse_hotspot(rec: pysam.VariantRecord) -> list[tuple[str, dict[str, str]]]:
    """(alt, {type, gene, change}) for a cancer-hotspot allele record."""
    out = []
    for flag, gene_key, change_key in (
        ("HOTSPOT", "HOTSPOT_GENE", "HOTSPOT_HGVSp"),
        ("HOTSPOT3D", "HOTSPOT3D_GENE", "HOTSPOT3D_HGVSp"),
        ("HOTSPOTNC", "HOTSPOTNC_GENE", "HOTSPOTNC_HGVSc"),
    ):
        if not _info(rec, flag):  # absent flags read as None or False
            continue
        changes = _info(rec, change_key)
        for i, alt in enumerate(rec.alts or ()):
            out.append(
                (
                    alt,
                    {
                        "type": flag,
                        "gene": str(_info(rec, gene_key) or ""),
                        "change": str(_per_alt(changes, i) or ""),
                    },
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# cancer-hotspot tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotResidue:
    gene: str
    position: int
    aa_ref: str  # one letter
    type: str  # HOTSPOT | HOTSPOT3D


def read_hotspot_residues(path: str) -> dict[str, dict[int, list[HotspotResidue]]]:
    """gene -> residue -> hotspots (hotspots_single_aa_change.hg38.txt)."""
    out: dict[str, dict[int, list[HotspotResidue]]] = {}
    for row in table_rows(path, first_column="GENE"):
        if not row.get("aa_pos", "").isdigit():
            continue
        h = HotspotResidue(
            row["GENE"],
            int(row["aa_pos"]),
            AA1.get(row["aa_ref"], row["aa_ref"]),
            row["hotspot_type"],
        )
        out.setdefault(h.gene, {}).setdefault(h.position, []).append(h)
    return out


def read_hotspot_indels(path: str) -> dict[str, list[tuple[int, int, str]]]:
    """gene -> [(first residue, last residue, type)] of in-frame indel hotspots."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for row in table_rows(path, first_column="GENE"):
        if row.get("aa_start", "").isdigit() and row.get("aa_end", "").isdigit():
            out.setdefault(row["GENE"], []).append(
                (int(row["aa_start"]), int(row["aa_end"]), row["hotspot_type"])
            )
    return out


def read_hotspot_splice(path: str) -> dict[str, dict[str, str]]:
    """gene -> c. position ('c.2732') -> type, for splice-site hotspots."""
    out: dict[str, dict[str, str]] = {}
    for row in table_rows(path, first_column="GENE"):
        out.setdefault(row["GENE"], {})[row["c_pos"]] = row["hotspot_type"]
    return out

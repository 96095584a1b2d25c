"""Variant-level knowledge readers: ClinVar, gnomAD and the cancer-hotspot sources.

- indexed VCF sources (``clinvar``, ``gnomad``, ``cohort_frequencies``, ``hotspots``):
  :class:`VcfSource` fetches by GRCh38 position whatever the file's contig naming;
  :func:`parse_clinvar` (with :func:`review_stars` and :func:`clinvar_class`),
  :func:`parse_population` (gnomAD v2 ``AF_popmax`` or v4 ``AF_grpmax``),
  :func:`parse_cohort_frequencies` (the ExAC, GO-ESP and 1000 Genomes frequencies of a
  ClinVar record, nothing else of it) and :func:`parse_hotspot` turn one record into
  per-ALT payloads for :func:`bigmed.knowledge.join.lookup`.
- hotspot tables (``hotspots_residues``, ``hotspots_indels``, ``hotspots_splice``):
  :func:`read_hotspot_residues`, :func:`read_hotspot_indels`, :func:`read_hotspot_splice`.
- ClinGen expert-panel classifications (``clingen_vcep``): :func:`read_expert_panels`;
  ClinVar per-submission records (``clinvar_submissions``): :func:`read_submissions`.
- predictor scores (``revel``, ``cadd``, ``alphamissense``, ``spliceai``): :class:`ScoreSource`
  (a VCF or a tabix-indexed TSV) and :func:`parse_score`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pysam

from bigmed.base.errors import InputError
from bigmed.knowledge.sources import (
    AA1,
    COHORTS,
    PREDICTOR_FIELDS,
    SUBMISSION_COLUMNS,
    TSV_POSITION_COLUMNS,
    Source,
    canonical_chrom,
    header_cells,
    is_vcf_file,
    source_chrom,
    table_rows,
)

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
    conflicts: str | None = None  # CLNSIGCONF, e.g. 'Pathogenic(3)|Uncertain_significance(1)'

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
            "conflicts": self.conflicts,
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
                conflicts=_joined(_info(rec, "CLNSIGCONF")),
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


@dataclass(frozen=True)
class CohortFrequency:
    """One cohort's global allele frequency of an allele, as ClinVar's VCF carries it.

    ``allele_number`` is the cohort's full allele number (ClinVar gives none per site), so
    ``alleles`` (AF x AN, rounded) is an upper estimate of the alleles observed."""

    cohort: str  # 'ExAC', 'GO-ESP', '1000 Genomes'
    release: str
    af: float
    allele_number: int

    @property
    def alleles(self) -> int:
        return round(self.af * self.allele_number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "release": self.release,
            "af": self.af,
            "allele_number": self.allele_number,
            "alleles": self.alleles,
        }


def parse_cohort_frequencies(
    rec: pysam.VariantRecord,
) -> list[tuple[str, tuple[CohortFrequency, ...]]]:
    """(alt, the cohorts' frequencies) of a ClinVar record that carries AF_EXAC, AF_ESP or
    AF_TGP; nothing for a record without them. Only these fields are read: never the
    record's classification."""
    found = []
    for key, (cohort, release, _, an) in COHORTS.items():
        af = _info(rec, key)
        if isinstance(af, tuple | list):
            af = af[0] if af else None
        if af is not None:
            found.append(CohortFrequency(cohort, release, float(af), an))
    if not found:
        return []
    return [(alt, tuple(found)) for alt in rec.alts or ()]


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


# --------------------------------------------------------------------------------------------
# ClinGen expert-panel classifications and ClinVar submissions
# --------------------------------------------------------------------------------------------

EXPERT_PANEL_CLASS = {
    "pathogenic": "Pathogenic",
    "likely pathogenic": "Likely pathogenic",
    "uncertain significance": "Uncertain significance",
    "likely benign": "Likely benign",
    "benign": "Benign",
}


def _iso_date(text: str) -> str | None:
    """'2019/6/25', '2019-06-25' or ClinVar's 'Jun 29, 2015' as ISO 8601; None if absent."""
    text = text.strip()
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%b %d, %Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text if text and text not in ("-", ".") else None


def _codes(text: str) -> tuple[str, ...]:
    """'PM2_Supporting, PS4' -> ('PM2_Supporting', 'PS4') (the panel's own labels)."""
    return tuple(c.strip().replace(" ", "") for c in text.split(",") if c.strip())


@dataclass(frozen=True)
class ExpertPanelRecord:
    """One ClinGen expert-panel (VCEP) classification of a GRCh38 allele."""

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    clinical_class: str
    criteria_met: tuple[str, ...]
    criteria_not_met: tuple[str, ...]
    panel: str
    variation_id: str | None
    hgvs: str | None
    disease: str | None
    mondo: str | None
    approval_date: str | None
    uuid: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "panel": self.panel,
            "class": self.clinical_class,
            "criteria_met": list(self.criteria_met),
            "criteria_not_met": list(self.criteria_not_met),
            "gene": self.gene,
            "disease": self.disease,
            "mondo": self.mondo,
            "approval_date": self.approval_date,
            "variation_id": self.variation_id,
            "hgvs": self.hgvs,
            "uuid": self.uuid,
        }


def _expert_panel_row(path: str, n: int, row: dict[str, str]) -> ExpertPanelRecord:
    cls = EXPERT_PANEL_CLASS.get(row["assertion"].strip().lower())
    if cls is None:
        raise InputError(
            path, f"'{row['assertion']}' is not a five-tier ACMG class", line=n, field="assertion"
        )
    if not row["pos"].isdigit():
        raise InputError(path, f"'{row['pos']}' is not a position", line=n, field="pos")
    return ExpertPanelRecord(
        chrom=canonical_chrom(row["chrom"]),
        pos=int(row["pos"]),
        ref=row["ref"].upper(),
        alt=row["alt"].upper(),
        gene=row["gene"],
        clinical_class=cls,
        criteria_met=_codes(row.get("criteria_met", "")),
        criteria_not_met=_codes(row.get("criteria_not_met", "")),
        panel=row.get("expert_panel") or "ClinGen expert panel",
        variation_id=row.get("clinvar_variation_id") or None,
        hgvs=row.get("hgvs") or None,
        disease=row.get("disease") or None,
        mondo=row.get("mondo") or None,
        approval_date=_iso_date(row.get("approval_date", "")),
        uuid=row.get("uuid") or None,
    )


def read_expert_panels(path: str) -> list[ExpertPanelRecord]:
    """Every classification of a ClinGen Evidence Repository export with GRCh38 alleles
    (columns chrom, pos, ref, alt, gene, assertion, criteria_met, criteria_not_met,
    expert_panel, ...); a bad row stops with the file, line and field."""
    return [
        _expert_panel_row(path, n, row)
        for n, row in enumerate(table_rows(path, first_column="assertion"), 2)
    ]


@dataclass(frozen=True)
class Submission:
    """One ClinVar submission (SCV): a laboratory's own classification of a variant."""

    variation_id: str
    scv: str
    classification: str
    submitter: str
    date: str | None
    condition: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "scv": self.scv,
            "classification": self.classification,
            "submitter": self.submitter,
            "date": self.date,
            "condition": self.condition,
        }


def read_submissions(path: str, wanted: set[str] | None = None) -> dict[str, list[Submission]]:
    """variation id -> its submissions, newest first (ClinVar's submission_summary.txt or the
    shipped layout); ``wanted`` keeps only those variation ids (one pass over a large file)."""
    cells = header_cells(path, list(SUBMISSION_COLUMNS.values())) or []
    names = {
        key: next(a for a in alts if a.lower() in cells) for key, alts in SUBMISSION_COLUMNS.items()
    }
    first = next(iter(names.values()))
    out: dict[str, list[Submission]] = {}
    for row in table_rows(path, first_column=first):
        low = {k.lower(): v for k, v in row.items()}
        vid = low[names["variation_id"].lower()]
        if wanted is not None and vid not in wanted:
            continue
        out.setdefault(vid, []).append(
            Submission(
                variation_id=vid,
                scv=low[names["scv"].lower()],
                classification=low[names["classification"].lower()],
                submitter=low[names["submitter"].lower()],
                date=_iso_date(low[names["date"].lower()]),
                condition=low[names["condition"].lower()],
            )
        )
    for subs in out.values():
        subs.sort(key=lambda s: (s.date or "", s.scv), reverse=True)
    return out


# --------------------------------------------------------------------------------------------
# predictor scores (user-supplied: REVEL, CADD, AlphaMissense, SpliceAI)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    """One allele's score from a tabix-indexed TSV (the fields lookup() reads of a record)."""

    pos: int
    ref: str
    alts: tuple[str, ...]
    score: float | None


def _float(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value else None  # NaN: no score


class ScoreSource:
    """Predictor scores by GRCh38 position, from a VCF (INFO field) or a tabix-indexed TSV
    with a header naming chrom, pos (or grch38_pos), ref, alt and the score column."""

    def __init__(self, key: str, files: Iterable[str], chrom_style: str = "chr") -> None:
        self.key = key
        paths = list(files)
        self.vcf: VcfSource | None = None
        self.tables: dict[str, pysam.TabixFile] = {}
        if is_vcf_file(paths[0]):
            self.vcf = VcfSource(paths, chrom_style)
            return
        self.style = chrom_style
        for path in paths:
            tbx = pysam.TabixFile(path)
            for name in tbx.contigs:
                self.tables.setdefault(canonical_chrom(str(name)), tbx)
        wanted = [*TSV_POSITION_COLUMNS.values(), PREDICTOR_FIELDS[key]]
        cells = header_cells(paths[0], wanted) or []
        self.columns = [
            next(cells.index(a.lower()) for a in alts if a.lower() in cells) for alts in wanted
        ]

    @classmethod
    def from_source(cls, src: Source) -> ScoreSource:
        return cls(src.key, src.files, src.chrom_style)

    def fetch(self, chrom: str, start0: int, end: int | None) -> Iterator[Any]:
        if self.vcf is not None:
            yield from self.vcf.fetch(chrom, start0, end)
            return
        tbx = self.tables.get(chrom)
        if tbx is None:
            return
        _, pos_i, ref_i, alt_i, score_i = self.columns
        for line in tbx.fetch(source_chrom(chrom, self.style), max(0, start0), end):
            cells = line.split("\t")
            if not cells[pos_i].isdigit():
                continue
            yield ScoreRow(int(cells[pos_i]), cells[ref_i], (cells[alt_i],), _float(cells[score_i]))

    def close(self) -> None:
        if self.vcf is not None:
            self.vcf.close()
        for tbx in set(self.tables.values()):
            tbx.close()

    def __enter__(self) -> ScoreSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spliceai_max(value: Any, alt: str) -> float | None:
    """Maximum delta score of SpliceAI's INFO entries for this ALT
    (ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL)."""
    entries = value if isinstance(value, tuple | list) else str(value).split(",")
    scores = []
    for entry in entries:
        parts = str(entry).split("|")
        if len(parts) >= 6 and parts[0] == alt:
            scores += [s for p in parts[2:6] if (s := _float(p)) is not None]
        elif len(parts) == 1 and (s := _float(parts[0])) is not None:
            scores.append(s)
    return max(scores) if scores else None


def parse_score(rec: Any, key: str) -> list[tuple[str, float | None]]:
    """(alt, score) of a predictor record: a :class:`ScoreRow` or a VCF record."""
    if isinstance(rec, ScoreRow):
        return [(rec.alts[0], rec.score)]
    field = next((f for f in PREDICTOR_FIELDS[key] if f in rec.header.info), None)
    if field is None:
        return []
    value = _info(rec, field)
    out: list[tuple[str, float | None]] = []
    for i, alt in enumerate(rec.alts or ()):
        if key == "spliceai" and field == "SpliceAI":
            out.append((alt, _spliceai_max(value, alt)))
        else:
            out.append((alt, _float(_per_alt(value, i))))
    return out

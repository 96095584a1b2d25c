"""Knowledge sources: parse-time checks and loaders for the official download formats.

Every loader reads the format a user downloads (gzip or plain), so a GRCh38 user points
``knowledge.sources`` at full releases and nothing else changes. Config key: format ->
loader.

- ``clinvar``: ClinVar VCF (``clinvar.vcf.gz`` + .tbi, GRCh38) -> :class:`VcfSource`,
  :func:`parse_clinvar`, :func:`review_stars`, :func:`clinvar_class`
- ``gnomad``: gnomAD sites VCF (v2 ``AF_popmax`` or v4 ``AF_grpmax``), one file or
  per-chromosome files via ``{chrom}`` in the path -> :class:`VcfSource`,
  :func:`parse_population`
- ``hotspots``: cancer-hotspot allele VCF (``HOTSPOT*`` flags) -> :func:`parse_hotspot`
- ``hotspots_residues`` / ``hotspots_indels`` / ``hotspots_splice``: the cancer-hotspot
  tables -> :func:`read_hotspot_residues`, :func:`read_hotspot_indels`,
  :func:`read_hotspot_splice`
- ``moalmanac``: Molecular Oncology Almanac JSON database -> :func:`load_moalmanac`,
  :func:`load_moalmanac_raw`
- ``civic``: CIViC GA4GH (GKS) JSON export, a folder of variants.json, studies.json,
  therapeutics.json, tumorTypes.json, ... -> :func:`load_civic`
- ``acmg_sf``: ACMG secondary-findings table -> :func:`read_acmg_sf`
- ``mane``: MANE summary TSV or Ensembl BioMart MANE CSV -> :func:`read_mane`
- ``cardiac_g2p``: Gene2Phenotype CSV -> :func:`read_g2p`, :func:`g2p_lof_mechanism`
- ``gencc``: GenCC submissions TSV -> :func:`read_gencc`
- ``hpo_ontology`` / ``hpo_genes`` / ``hpo_annotations``: hp.obo, genes_to_phenotype.txt,
  phenotype.hpoa -> :func:`bigmed.knowledge.hpo.read_ontology`, :func:`read_hpo_genes`,
  :func:`read_hpo_annotations`

:func:`check_sources` runs when Snakemake parses the workflow: it reads only headers and
raises :class:`~bigmed.base.errors.InputError` (one line, naming the file) for a missing or
unreadable file, a file of the wrong kind, or a VCF on another build. The heavier work
(versions, checksums, gene tables) is done by :mod:`bigmed.knowledge.bundle` in a job.

All coordinates are GRCh38. Protein changes are compared through :func:`protein_key`
(``'V600E'`` from ``p.(Val600Glu)``, ``p.Val600Glu``, ``p.V600E`` or ``V600E``).
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.base.errors import InputError
from bigmed.base.textio import is_bgzf, is_gzip, open_text
from bigmed.genome.reference import GRCH38_LENGTHS

# --------------------------------------------------------------------------------------------
# the sources bigmed knows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    key: str
    label: str
    kind: str  # vcf | tsv | csv | obo | json | civic
    licence: str
    columns: tuple[str, ...] = ()  # required header columns (case-insensitive) for tables


SPECS: dict[str, SourceSpec] = {
    s.key: s
    for s in (
        SourceSpec("clinvar", "ClinVar", "vcf", "public domain (NCBI ClinVar)"),
        SourceSpec("gnomad", "gnomAD", "vcf", "CC0 1.0 (gnomAD)"),
        SourceSpec(
            "hotspots",
            "Cancer Hotspots (alleles)",
            "vcf",
            "no licence stated (cancerhotspots.org / 3dhotspots.org data)",
        ),
        SourceSpec(
            "hotspots_residues",
            "Cancer Hotspots (residues)",
            "tsv",
            "no licence stated (cancerhotspots.org / 3dhotspots.org data)",
            ("GENE", "hotspot_type", "aa_ref", "aa_pos"),
        ),
        SourceSpec(
            "hotspots_indels",
            "Cancer Hotspots (in-frame indels)",
            "tsv",
            "no licence stated (cancerhotspots.org data)",
            ("GENE", "aa_start", "aa_end", "hotspot_type"),
        ),
        SourceSpec(
            "hotspots_splice",
            "Cancer Hotspots (splice sites)",
            "tsv",
            "no licence stated (cancerhotspots.org data)",
            ("GENE", "c_pos", "hotspot_type"),
        ),
        SourceSpec("moalmanac", "Molecular Oncology Almanac", "json", "GPL-2.0"),
        SourceSpec("civic", "CIViC", "civic", "CC0 1.0 (CIViC content)"),
        SourceSpec(
            "acmg_sf",
            "ACMG SF list",
            "tsv",
            "published list (Miller et al. 2021); table from vanallenlab/moalmanac, GPL-2.0",
            ("Gene", "Inheritance"),
        ),
        SourceSpec("mane", "MANE Select", "table", "public domain (NCBI / EMBL-EBI MANE)"),
        SourceSpec(
            "cardiac_g2p",
            "Cardiac G2P",
            "csv",
            "ODbL 1.0",
            ("Gene symbol", "Disease name", "Allelic requirement"),
        ),
        SourceSpec(
            "gencc",
            "GenCC",
            "tsv",
            "CC0 1.0 (GenCC)",
            ("gene_symbol", "disease_title", "classification_title", "moi_title"),
        ),
        SourceSpec(
            "hpo_ontology",
            "HPO ontology",
            "obo",
            "HPO licence (free use with attribution, hpo.jax.org/license)",
        ),
        SourceSpec(
            "hpo_genes",
            "HPO genes_to_phenotype",
            "tsv",
            "HPO licence (free use with attribution, hpo.jax.org/license)",
            ("ncbi_gene_id", "gene_symbol", "hpo_id", "disease_id"),
        ),
        SourceSpec(
            "hpo_annotations",
            "HPO phenotype.hpoa",
            "tsv",
            "HPO licence (free use with attribution, hpo.jax.org/license)",
            ("database_id", "disease_name", "qualifier", "hpo_id", "aspect"),
        ),
    )
}
CIVIC_FILES = ("variants", "studies", "therapeutics", "tumorTypes")  # required in the folder
CHROM_PLACEHOLDER = "{chrom}"


@dataclass(frozen=True)
class Source:
    """One configured source, checked: what :func:`check_sources` returns."""

    key: str
    label: str
    path: str  # as configured (may hold {chrom})
    files: tuple[str, ...]  # the files it resolves to
    version: str | None  # from the config; None = detect from the content
    licence: str
    kind: str
    chrom_style: str = "chr"  # VCF sources: 'chr' (chr1) or 'plain' (1)
    subset_note: str | None = None  # VCF '##bigmed_subset=' line: absence means nothing

    @property
    def complete(self) -> bool:
        return self.subset_note is None


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _head_lines(path: str, n: int = 200) -> list[str]:
    out: list[str] = []
    try:
        with open_text(path) as handle:
            for line in handle:
                out.append(line.rstrip("\r\n"))
                if len(out) >= n:
                    break
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(path, f"cannot be read ({err})") from err
    return out


def canonical_chrom(name: str) -> str:
    """'1' -> 'chr1', 'MT' -> 'chrM', 'chr7' -> 'chr7'."""
    if name.startswith("chr"):
        return "chrM" if name == "chrMT" else name
    return "chrM" if name in ("M", "MT") else f"chr{name}"


def source_chrom(chrom: str, style: str) -> str:
    """The name a source uses for a GRCh38 chromosome ('chr1' or '1')."""
    if style == "chr":
        return chrom
    bare = chrom[3:] if chrom.startswith("chr") else chrom
    return "MT" if bare == "M" else bare


def normalize_allele(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Minimal representation: trim the common suffix, then the common prefix (one base kept).

    Both the calls and the sources are left-aligned (bcftools norm; ClinVar and gnomAD
    releases are), so equal minimal representations mean the same allele.
    """
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        pos, ref, alt = pos + 1, ref[1:], alt[1:]
    return pos, ref, alt


AA1 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Xaa": "X",
}  # fmt: skip
_P3 = re.compile(r"^(?:[\w.]+:)?p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|=|\*)\)?$")
_P1 = re.compile(r"^(?:[\w.]+:)?(?:p\.)?\(?([A-Z*])(\d+)([A-Z*=])\)?$")


def protein_key(text: str | None) -> str | None:
    """'V600E' for a protein substitution in any usual spelling; None for anything else."""
    if not text:
        return None
    text = text.strip()
    m = _P3.match(text)
    if m:
        ref, pos, alt = m.groups()
        if ref not in AA1 or (alt not in AA1 and alt not in ("=", "*")):
            return None
        a = AA1[ref] if alt == "=" else AA1.get(alt, alt)
        return f"{AA1[ref]}{pos}{a}"
    m = _P1.match(text)
    if m:
        ref, pos, alt = m.groups()
        return f"{ref}{pos}{ref if alt == '=' else alt}"
    return None


def residue_of(text: str | None) -> tuple[str, int] | None:
    """('V', 600) for a substitution; used for residue-level (hotspot, PM5) matching."""
    key = protein_key(text)
    if key is None:
        return None
    return key[0], int(key[1:-1])


# --------------------------------------------------------------------------------------------
# parse-time checks
# --------------------------------------------------------------------------------------------


def resolve_files(key: str, path: str) -> tuple[str, ...]:
    """The files a configured path means ({chrom} expands to the GRCh38 chromosomes)."""
    if CHROM_PLACEHOLDER in path:
        files = []
        for chrom in GRCH38_LENGTHS:
            for name in (chrom, chrom[3:]):
                candidate = path.replace(CHROM_PLACEHOLDER, name)
                if os.path.exists(candidate):
                    files.append(candidate)
                    break
        if not files:
            raise InputError(
                path, f"knowledge source '{key}' not found (no file for any chromosome)"
            )
        return tuple(files)
    if not os.path.exists(path):
        raise InputError(path, f"knowledge source '{key}' not found")
    return (path,)


def _check_readable(path: str) -> None:
    if os.path.isdir(path):
        return
    if not os.access(path, os.R_OK):
        raise InputError(path, "knowledge source is not readable")
    if os.path.getsize(path) == 0:
        raise InputError(path, "knowledge source is empty")


_GRCH37_HINT = re.compile(r"grch37|hg19|b37|hs37|human_g1k_v37|ncbi37", re.IGNORECASE)
_GRCH38_HINT = re.compile(r"grch38|hg38|hs38|\b38\b", re.IGNORECASE)


def check_vcf_build(path: str) -> tuple[str, str | None]:
    """Check that a VCF is bgzipped, indexed and on GRCh38; return (chrom style, subset note).

    GRCh38 is established from ``##reference``, ``##contig`` lengths (chr1 is 248,956,422 bp
    in GRCh38, 249,250,621 in GRCh37) and the contig names. Names without 'chr' (the
    official ClinVar GRCh38 VCF) are accepted only when the header declares GRCh38.
    """
    if not is_gzip(path) or not is_bgzf(path):
        raise InputError(
            path,
            "VCF is not bgzip-compressed: compress it with 'bgzip' and index it with "
            "'tabix -p vcf'",
        )
    if not (os.path.exists(f"{path}.tbi") or os.path.exists(f"{path}.csi")):
        raise InputError(
            path, f"VCF has no tabix index ({path}.tbi or .csi): run 'tabix -p vcf {path}'"
        )
    try:
        with pysam.VariantFile(path) as vf:
            header = vf.header
            contigs = {str(name): header.contigs[name].length for name in header.contigs}
            meta = {rec.key: str(rec.value) for rec in header.records if rec.value is not None}
            subset = next((str(r.value) for r in header.records if r.key == "bigmed_subset"), None)
            # the index is read only when the header names no contigs
            index_contigs = [str(k) for k in vf.index] if not contigs and vf.index else []
    except (OSError, ValueError) as err:
        raise InputError(path, f"cannot be read as VCF ({err})") from err
    reference = meta.get("reference", "") + " " + meta.get("assembly", "")
    if _GRCH37_HINT.search(reference):
        raise InputError(
            path,
            f"header says ##reference={meta.get('reference') or meta.get('assembly')}: "
            "bigmed needs GRCh38 sources (use the GRCh38 release of this file)",
        )
    names = list(contigs) or index_contigs
    length_match = False
    for name, length in contigs.items():
        chrom = canonical_chrom(name)
        if chrom in GRCH38_LENGTHS and length is not None:
            if length != GRCH38_LENGTHS[chrom]:
                raise InputError(
                    path,
                    f"contig '{name}' is {length} bp here but {GRCH38_LENGTHS[chrom]} bp in "
                    "GRCh38: the file is on another build",
                )
            length_match = True
    primary = [n for n in names if canonical_chrom(n) in GRCH38_LENGTHS]
    plain = [n for n in primary if not n.startswith("chr")]
    style = "plain" if plain and len(plain) >= len(primary) / 2 else "chr"
    if style == "plain" and not (length_match or _GRCH38_HINT.search(reference)):
        raise InputError(
            path,
            f"contigs are named '{plain[0]}', not 'chr{plain[0]}', and the header does not "
            "declare GRCh38 (##reference=GRCh38 or GRCh38 contig lengths): is this a GRCh37 "
            "file? bigmed needs GRCh38 sources",
        )
    return style, subset


def _find_header(path: str, lines: list[str], columns: tuple[str, ...], sep: str) -> None:
    """The header is the first line that is not a '#' comment (or a '#' line with the columns)."""
    wanted = [c.lower() for c in columns]
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        cells = [c.strip().lstrip("#").strip().lower() for c in _split(line, sep)]
        if all(w in cells for w in wanted):
            return
        if line.startswith("#"):
            continue
        missing = next(c for c, w in zip(columns, wanted, strict=True) if w not in cells)
        raise InputError(
            path,
            f"missing column '{missing}' in the header (is this the right file for this source?)",
            line=n,
        )
    raise InputError(path, f"no header line with the columns {', '.join(columns)}")


def _split(line: str, sep: str) -> list[str]:
    if sep == ",":
        return next(csv.reader([line]))
    return line.split(sep)


def civic_file(folder: str, name: str) -> str | None:
    """The CIViC export file ``name`` (``.json`` or ``.json.gz``) in ``folder``, or None."""
    for candidate in (f"{name}.json", f"{name}.json.gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def check_source(key: str, value: str | dict[str, Any] | None) -> Source | None:
    """Check one configured source (headers only) and return it; None when not configured."""
    if value is None:
        return None
    entry = {"path": value} if isinstance(value, str) else dict(value)
    path = entry.get("path")
    if not path:
        return None
    spec = SPECS[key]
    files = resolve_files(key, str(path))
    style, subset = "chr", None
    for f in files:
        _check_readable(f)
        if spec.kind == "vcf":
            f_style, f_subset = check_vcf_build(f)
            style, subset = f_style, subset or f_subset
        elif spec.kind == "tsv":
            _find_header(f, _head_lines(f), spec.columns, "\t")
        elif spec.kind == "csv":
            _find_header(f, _head_lines(f, 5), spec.columns, ",")
        elif spec.kind == "table":  # MANE: official TSV or BioMart CSV
            head = _head_lines(f, 1)[0] if _head_lines(f, 1) else ""
            if not ("symbol" in head.lower() or "Gene name" in head):
                raise InputError(
                    f,
                    "not a MANE table (expected the MANE summary TSV with a 'symbol' column "
                    "or a BioMart CSV with 'Gene name')",
                    line=1,
                )
        elif spec.kind == "obo":
            first = _head_lines(f, 1)
            if not first or not first[0].startswith("format-version:"):
                raise InputError(f, "not an OBO file (first line must be 'format-version: ...')")
        elif spec.kind == "json":
            head = "".join(_head_lines(f, 3)).lstrip()
            if not head.startswith("{") and not head.startswith("["):
                raise InputError(f, "not a JSON file")
        elif spec.kind == "civic":
            if not os.path.isdir(f):
                raise InputError(
                    f, "CIViC source must be the folder of the GKS JSON export (variants.json, ...)"
                )
            for name in CIVIC_FILES:
                if civic_file(f, name) is None:
                    raise InputError(f, f"CIViC export folder has no {name}.json(.gz)")
    return Source(
        key=key,
        label=spec.label,
        path=str(path),
        files=files,
        version=entry.get("version"),
        licence=entry.get("licence") or spec.licence,
        kind=spec.kind,
        chrom_style=style,
        subset_note=subset,
    )


def check_sources(sources: dict[str, Any]) -> dict[str, Source]:
    """Check every configured source; the run stops on the first bad one (InputError)."""
    out: dict[str, Source] = {}
    for key in SPECS:
        src = check_source(key, sources.get(key))
        if src is not None:
            out[key] = src
    return out


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
# tables
# --------------------------------------------------------------------------------------------


def _rows(
    path: str, sep: str = "\t", first_column: str | None = None, quoted: bool = False
) -> Iterator[dict[str, str]]:
    """Rows of a delimited table whose header may follow '#' comment lines.

    The header is the first line that contains ``first_column`` (or the first line).
    Header names are stripped of spaces and a leading '#'. ``quoted``: a tab-separated
    spreadsheet export whose quoted cells may hold tabs or line breaks.
    """
    with open_text(path) as handle:
        header: list[str] | None = None
        reader: Iterator[list[str]] = (
            csv.reader(handle, delimiter=sep)
            if sep == "," or quoted
            else (line.rstrip("\r\n").split(sep) for line in handle)
        )
        for cells in reader:
            if header is None:
                names = [c.strip().lstrip("#").strip() for c in cells]
                if first_column is None or first_column in names:
                    header = names
                continue
            if not any(c.strip() for c in cells):
                continue
            yield {
                header[i]: (cells[i].strip() if i < len(cells) else "") for i in range(len(header))
            }


@dataclass(frozen=True)
class HotspotResidue:
    gene: str
    position: int
    aa_ref: str  # one letter
    type: str  # HOTSPOT | HOTSPOT3D


def read_hotspot_residues(path: str) -> dict[str, dict[int, list[HotspotResidue]]]:
    """gene -> residue -> hotspots (hotspots_single_aa_change.hg38.txt)."""
    out: dict[str, dict[int, list[HotspotResidue]]] = {}
    for row in _rows(path, first_column="GENE"):
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
    for row in _rows(path, first_column="GENE"):
        if row.get("aa_start", "").isdigit() and row.get("aa_end", "").isdigit():
            out.setdefault(row["GENE"], []).append(
                (int(row["aa_start"]), int(row["aa_end"]), row["hotspot_type"])
            )
    return out


def read_hotspot_splice(path: str) -> dict[str, dict[str, str]]:
    """gene -> c. position ('c.2732') -> type, for splice-site hotspots."""
    out: dict[str, dict[str, str]] = {}
    for row in _rows(path, first_column="GENE"):
        out.setdefault(row["GENE"], {})[row["c_pos"]] = row["hotspot_type"]
    return out


@dataclass(frozen=True)
class AcmgSfGene:
    gene: str
    disease: str
    category: str
    inheritance: str
    report: str  # which variants to report, e.g. 'All P and LP'
    version_added: str


def read_acmg_sf(path: str) -> dict[str, list[AcmgSfGene]]:
    """gene -> ACMG secondary-findings entries (one per disease)."""
    out: dict[str, list[AcmgSfGene]] = {}
    # the published table is a spreadsheet export: quoted cells span lines (GLA, PRKAG2)
    for row in _rows(path, first_column="Gene", quoted=True):
        lower = {k.lower(): v for k, v in row.items()}
        gene = lower.get("gene", "")
        if not gene:
            continue
        out.setdefault(gene, []).append(
            AcmgSfGene(
                gene=gene,
                disease=lower.get("disease/phentyope") or lower.get("disease/phenotype") or "",
                category=lower.get("phenotype category", ""),
                inheritance=lower.get("inheritance", ""),
                report=lower.get("variants to report", ""),
                version_added=lower.get("sf list version", ""),
            )
        )
    return out


@dataclass(frozen=True)
class ManeTranscript:
    gene: str
    ensembl: str  # ENST with version where known
    refseq: str  # NM with version


def read_mane(path: str) -> dict[str, ManeTranscript]:
    """gene -> MANE Select transcript, from the MANE summary TSV or a BioMart CSV."""
    with open_text(path) as handle:
        first = handle.readline()
    out: dict[str, ManeTranscript] = {}
    if "symbol" in first.lower() and "\t" in first:  # MANE.GRCh38.vX.summary.txt
        for row in _rows(path, "\t"):
            if row.get("MANE_status", "MANE Select") != "MANE Select":
                continue
            out.setdefault(
                row["symbol"], ManeTranscript(row["symbol"], row["Ensembl_nuc"], row["RefSeq_nuc"])
            )
        return out
    for row in _rows(path, ","):
        gene, refseq = (
            row.get("Gene name", ""),
            row.get("RefSeq match transcript (MANE Select)", ""),
        )
        enst = row.get("Transcript stable ID version") or row.get("MANE", "")
        if gene and refseq and enst:
            out.setdefault(gene, ManeTranscript(gene, enst, refseq))
    return out


@dataclass(frozen=True)
class G2PEntry:
    gene: str
    disease: str
    allelic_requirement: str
    inheritance: str
    consequences: tuple[str, ...]  # e.g. ('absent gene product', 'altered gene product sequence')
    mechanism: str  # e.g. 'loss of function', or '' when not stated
    validity: str  # ClinGen validity / G2P confidence
    indication: str = ""


def _pick(row: dict[str, str], *names: str) -> str:
    lower = {k.lower(): v for k, v in row.items()}
    for n in names:
        v = lower.get(n.lower())
        if v and v != "NA":
            return v
    return ""


def read_g2p(path: str) -> dict[str, list[G2PEntry]]:
    """gene -> Gene2Phenotype entries (Cardiac G2P CSV, or a G2P panel CSV download)."""
    out: dict[str, list[G2PEntry]] = {}
    for row in _rows(path, ","):
        gene = _pick(row, "Gene symbol", "gene symbol")
        if not gene:
            continue
        cons = _pick(
            row,
            "Disease-associated variant consequence",
            "variant consequence",
            "mutation consequence",
        )
        out.setdefault(gene, []).append(
            G2PEntry(
                gene=gene,
                disease=_pick(row, "Disease name", "disease name"),
                allelic_requirement=_pick(row, "Allelic requirement", "allelic requirement"),
                inheritance=_pick(row, "Inheritance"),
                consequences=tuple(c.strip() for c in re.split(r"[;,]", cons) if c.strip()),
                mechanism=_pick(row, "mechanism", "molecular mechanism"),
                validity=_pick(
                    row, "Gene disease validity (ClinGen)", "confidence category", "confidence"
                ),
                indication=_pick(row, "Referral indication"),
            )
        )
    return out


LOF_CONSEQUENCES = {"absent gene product", "decreased gene product level"}


def g2p_lof_mechanism(entries: Iterable[G2PEntry]) -> tuple[bool | None, str]:
    """Is loss of function a disease mechanism per G2P? (True/False/None, the reason)."""
    entries = list(entries)
    if not entries:
        return None, ""
    for e in entries:
        if e.mechanism.lower() == "loss of function" or LOF_CONSEQUENCES & {
            c.lower() for c in e.consequences
        }:
            what = e.mechanism or "; ".join(e.consequences)
            return True, f"G2P: {e.disease} ({what})"
    known = [e for e in entries if e.consequences or e.mechanism]
    if known:
        e = known[0]
        return False, f"G2P: {e.disease} ({e.mechanism or '; '.join(e.consequences)} only)"
    return None, ""


@dataclass(frozen=True)
class GenccEntry:
    gene: str
    disease: str
    disease_id: str
    classification: str
    moi: str
    submitter: str


def read_gencc(path: str) -> dict[str, list[GenccEntry]]:
    """gene -> GenCC submissions."""
    out: dict[str, list[GenccEntry]] = {}
    for row in _rows(path, "\t", first_column="gene_symbol"):
        gene = row.get("gene_symbol", "")
        if gene:
            out.setdefault(gene, []).append(
                GenccEntry(
                    gene,
                    row.get("disease_title", ""),
                    row.get("disease_curie", ""),
                    row.get("classification_title", ""),
                    row.get("moi_title", ""),
                    row.get("submitter_title", ""),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# HPO
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HpoGene:
    symbol: str
    ncbi_gene_id: str
    terms: frozenset[str]
    diseases: frozenset[str]


def read_hpo_genes(path: str) -> dict[str, HpoGene]:
    """gene -> phenotype terms and diseases (genes_to_phenotype.txt)."""
    terms: dict[str, set[str]] = {}
    diseases: dict[str, set[str]] = {}
    ids: dict[str, str] = {}
    for row in _rows(path, "\t", first_column="gene_symbol"):
        g = row["gene_symbol"]
        ids.setdefault(g, row.get("ncbi_gene_id", ""))
        terms.setdefault(g, set()).add(row["hpo_id"])
        if row.get("disease_id"):
            diseases.setdefault(g, set()).add(row["disease_id"])
    return {
        g: HpoGene(g, ids[g], frozenset(terms[g]), frozenset(diseases.get(g, ()))) for g in terms
    }


@dataclass(frozen=True)
class HpoDisease:
    id: str
    name: str
    phenotypes: frozenset[str]
    inheritance: frozenset[str]  # HPO mode-of-inheritance term ids


def read_hpo_annotations(path: str) -> dict[str, HpoDisease]:
    """disease id -> name, phenotypes (aspect P, NOT excluded) and modes of inheritance."""
    names: dict[str, str] = {}
    pheno: dict[str, set[str]] = {}
    inh: dict[str, set[str]] = {}
    for row in _rows(path, "\t", first_column="database_id"):
        did = row["database_id"]
        names.setdefault(did, row.get("disease_name", ""))
        if row.get("qualifier") == "NOT":
            continue
        if row.get("aspect") == "P":
            pheno.setdefault(did, set()).add(row["hpo_id"])
        elif row.get("aspect") == "I":
            inh.setdefault(did, set()).add(row["hpo_id"])
    return {
        d: HpoDisease(d, n, frozenset(pheno.get(d, ())), frozenset(inh.get(d, ())))
        for d, n in names.items()
    }


# HPO mode-of-inheritance terms -> short codes used in gene facts.
INHERITANCE_CODES = {
    "HP:0000006": "AD",
    "HP:0000007": "AR",
    "HP:0001417": "XL",
    "HP:0001419": "XLR",
    "HP:0001423": "XLD",
    "HP:0001427": "MT",
    "HP:0001450": "YL",
    "HP:0012275": "AD",  # autosomal dominant inheritance with maternal imprinting
    "HP:0012274": "AD",  # ... with paternal imprinting
    "HP:0001442": "AD",  # somatic mosaicism is not a mode; typically dominant de novo
    "HP:0010984": "DIGENIC",
}


def inheritance_code(text: str) -> str | None:
    """'AD', 'AR', 'XL'... from G2P/GenCC/ACMG SF wording or an HPO id."""
    if text in INHERITANCE_CODES:
        return INHERITANCE_CODES[text]
    t = text.lower().replace("_", " ")
    if "mitochondrial" in t:
        return "MT"
    if "x-linked" in t or "x linked" in t or "monoallelic x" in t:
        return "XLR" if "recessive" in t or "hem" in t else ("XLD" if "dominant" in t else "XL")
    if "semidominant" in t:
        return "SD"
    if "dominant" in t or "monoallelic" in t or t.strip() == "ad":
        return "AD"
    if "recessive" in t or "biallelic" in t or t.strip() == "ar":
        return "AR"
    return None

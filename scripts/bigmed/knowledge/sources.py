"""Knowledge sources: what bigmed knows of each source, the parse-time checks, shared keys.

Every reader reads the format a user downloads (gzip or plain), so a GRCh38 user points
``knowledge.sources`` at full releases and nothing else changes. :data:`SPECS` lists the
sources (config key, kind, licence, required columns); :data:`READERS` is the reader table:
config key -> the functions that read that source, in :mod:`bigmed.knowledge.variants`
(variant-level: ClinVar, gnomAD, cancer hotspots), :mod:`bigmed.knowledge.genes`
(gene-level: ACMG SF, MANE, G2P, GenCC, HPO gene and disease tables),
:mod:`bigmed.knowledge.oncology` (MOAlmanac, CIViC) and :mod:`bigmed.knowledge.hpo` (the
ontology).

:func:`check_sources` runs when Snakemake parses the workflow: it reads only headers and
raises :class:`~bigmed.base.errors.InputError` (one line, naming the file) for a missing or
unreadable file, a file of the wrong kind, or a VCF on another build. The heavier work
(versions, checksums, gene tables) is done by :mod:`bigmed.knowledge.bundle` in a job.

All coordinates are GRCh38. Alleles are compared as minimal representations
(:func:`normalize_allele`), protein changes through :func:`protein_key` (``'V600E'`` from
``p.(Val600Glu)``, ``p.Val600Glu``, ``p.V600E`` or ``V600E``). :func:`table_rows` is the
one reader of the delimited tables.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.base.errors import InputError
from bigmed.base.textio import is_bgzf, is_gzip, open_text
from bigmed.genome.hgvs import AA3
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


# The ClinGen Evidence Repository export with GRCh38 alleles (the shipped layout; the
# repository's own download names variants by HGVS and ClinGen allele id only).
EXPERT_PANEL_COLUMNS = ("chrom", "pos", "ref", "alt", "gene", "assertion", "criteria_met")
# Per-submission ClinVar records: the official submission_summary.txt or the shipped layout
# (variation_id, classification, submitter, date, condition); column name -> alternatives.
SUBMISSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "variation_id": ("variation_id", "VariationID"),
    "classification": ("classification", "ClinicalSignificance"),
    "submitter": ("submitter", "Submitter"),
    "date": ("date", "DateLastEvaluated"),
    "scv": ("scv", "SCV"),
    "condition": ("condition", "ReportedPhenotypeInfo", "SubmittedPhenotypeInfo"),
}
PREDICTOR_LICENCE = (
    "user-supplied scores under a non-commercial licence (never shipped with bigmed)"
)
# Population cohorts whose global allele frequencies ClinVar's VCF carries (INFO AF_EXAC,
# AF_ESP, AF_TGP) on the records that have them: INFO key -> (cohort, release, individuals,
# allele number). ClinVar carries no per-site allele number, so the full cohort's (two per
# individual, autosomes) is used: an upper bound of the alleles called at any one site.
COHORTS: dict[str, tuple[str, str, int, int]] = {
    "AF_EXAC": ("ExAC", "release 1", 60706, 121412),
    "AF_ESP": ("GO-ESP", "ESP6500", 6503, 13006),
    "AF_TGP": ("1000 Genomes", "phase 3", 2504, 5008),
}
# Predictor scores: the column (tabix TSV) or INFO key (VCF) that holds the score, by source.
# SpliceAI's own VCF has INFO SpliceAI=ALT|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|...; its maximum
# delta score is the one the ClinGen splicing recommendations threshold.
PREDICTOR_FIELDS: dict[str, tuple[str, ...]] = {
    "revel": ("REVEL", "REVEL_score"),
    "cadd": ("PHRED", "CADD_PHRED", "CADD"),
    "alphamissense": ("am_pathogenicity", "AlphaMissense"),
    "spliceai": ("SpliceAI", "spliceai_max", "DS_MAX"),
}
TSV_POSITION_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("chrom", "chr", "chromosome"),
    "pos": ("grch38_pos", "pos", "position", "hg38_pos"),
    "ref": ("ref",),
    "alt": ("alt",),
}

SPECS: dict[str, SourceSpec] = {
    s.key: s
    for s in (
        SourceSpec("clinvar", "ClinVar", "vcf", "public domain (NCBI ClinVar)"),
        SourceSpec(
            "clingen_vcep",
            "ClinGen expert panels (VCEP)",
            "tsv",
            "ClinGen Evidence Repository content (public)",
            EXPERT_PANEL_COLUMNS,
        ),
        SourceSpec(
            "clinvar_submissions",
            "ClinVar submissions (SCV)",
            "submissions",
            "public domain (NCBI ClinVar)",
        ),
        SourceSpec("gnomad", "gnomAD", "vcf", "CC0 1.0 (gnomAD)"),
        SourceSpec(
            "cohort_frequencies",
            "ExAC / GO-ESP / 1000 Genomes frequencies (ClinVar INFO)",
            "vcf",
            "public domain as distributed by NCBI ClinVar (frequencies released publicly by "
            "ExAC, NHLBI GO-ESP and 1000 Genomes; see each cohort's terms for other reuse)",
        ),
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
        *(
            SourceSpec(key, label, "scores", PREDICTOR_LICENCE)
            for key, label in (
                ("revel", "REVEL"),
                ("cadd", "CADD"),
                ("alphamissense", "AlphaMissense"),
                ("spliceai", "SpliceAI"),
            )
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
    # VCF '##bigmed_subset_genes=' line: gene -> 'complete' or 'partial(...)'; genes not
    # listed are not covered at all
    subset_genes: tuple[tuple[str, str], ...] = ()

    @property
    def complete(self) -> bool:
        return self.subset_note is None

    def gene_coverage(self, gene: str | None) -> str:
        """'complete', 'partial(...)' or 'none': how much of ``gene`` the source holds."""
        return gene_coverage(self.subset_note, dict(self.subset_genes), gene)


def gene_coverage(subset_note: str | None, genes: dict[str, str], gene: str | None) -> str:
    """How much of a gene a source holds: a complete source holds every gene; a subset the
    genes its ``##bigmed_subset_genes=`` line lists (none when the line is missing)."""
    if subset_note is None:
        return "complete"
    return genes.get(gene or "", "none")


def parse_subset_genes(line: str | None) -> tuple[tuple[str, str], ...]:
    """'BRCA1:complete,ATM:partial(chr11:1-2)' -> (('BRCA1', 'complete'), ('ATM', ...))."""
    out = []
    for item in re.split(r",(?![^(]*\))", line or ""):
        gene, _, cover = item.strip().partition(":")
        if gene and cover:
            out.append((gene, cover))
    return tuple(out)


# The reader table: source key -> what reads it (names under bigmed.knowledge; names, not
# objects, because the reader modules import this one). A unit test resolves every name.
READERS: dict[str, tuple[str, ...]] = {
    "clinvar": ("variants.VcfSource", "variants.parse_clinvar"),
    "gnomad": ("variants.VcfSource", "variants.parse_population"),
    "cohort_frequencies": ("variants.VcfSource", "variants.parse_cohort_frequencies"),
    "hotspots": ("variants.VcfSource", "variants.parse_hotspot"),
    "hotspots_residues": ("variants.read_hotspot_residues",),
    "hotspots_indels": ("variants.read_hotspot_indels",),
    "hotspots_splice": ("variants.read_hotspot_splice",),
    "moalmanac": ("oncology.load_moalmanac", "oncology.load_moalmanac_raw"),
    "civic": ("oncology.load_civic",),
    "acmg_sf": ("genes.read_acmg_sf",),
    "mane": ("genes.read_mane",),
    "cardiac_g2p": ("genes.read_g2p", "genes.g2p_lof_mechanism"),
    "gencc": ("genes.read_gencc",),
    "hpo_ontology": ("hpo.read_ontology",),
    "hpo_genes": ("genes.read_hpo_genes",),
    "hpo_annotations": ("genes.read_hpo_annotations",),
    "clingen_vcep": ("variants.read_expert_panels",),
    "clinvar_submissions": ("variants.read_submissions",),
    "revel": ("variants.ScoreSource", "variants.parse_score"),
    "cadd": ("variants.ScoreSource", "variants.parse_score"),
    "alphamissense": ("variants.ScoreSource", "variants.parse_score"),
    "spliceai": ("variants.ScoreSource", "variants.parse_score"),
}


# --------------------------------------------------------------------------------------------
# small shared helpers: chromosome names, allele and protein keys, table rows
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


# three-letter -> one-letter amino acid, the inverse of genome.hgvs's table; selenocysteine
# is added because HGVS protein changes may name it (translation never produces it)
AA1 = {three: one for one, three in AA3.items()}
AA1.setdefault("Sec", "U")
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


def table_rows(
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


@dataclass(frozen=True)
class VcfMeta:
    """What the checks and the bundle read from a VCF source's header (through pysam)."""

    contigs: dict[str, int | None]  # ##contig ID -> length (None when not stated)
    meta: dict[str, str]  # ##key=value lines, the first of each key
    index_contigs: list[str]  # contigs of the index, read only when the header names none


def read_vcf_meta(path: str) -> VcfMeta:
    """The header of a VCF source; InputError when pysam cannot read it."""
    try:
        with pysam.VariantFile(path) as vf:
            header = vf.header
            contigs = {str(name): header.contigs[name].length for name in header.contigs}
            meta: dict[str, str] = {}
            for rec in header.records:
                if rec.value is not None:
                    meta.setdefault(str(rec.key), str(rec.value))
            index_contigs = [str(k) for k in vf.index] if not contigs and vf.index else []
    except (OSError, ValueError) as err:
        raise InputError(path, f"cannot be read as VCF ({err})") from err
    return VcfMeta(contigs, meta, index_contigs)


def _check_bgzf_indexed(path: str, what: str = "VCF", preset: str = "-p vcf") -> None:
    if not is_gzip(path) or not is_bgzf(path):
        raise InputError(
            path,
            f"{what} is not bgzip-compressed: compress it with 'bgzip' and index it with "
            f"'tabix {preset}'",
        )
    if not (os.path.exists(f"{path}.tbi") or os.path.exists(f"{path}.csi")):
        raise InputError(
            path, f"{what} has no tabix index ({path}.tbi or .csi): run 'tabix {preset} {path}'"
        )


def _grch38_lengths(path: str, contigs: dict[str, int | None]) -> bool:
    """True when some primary contig has its GRCh38 length; InputError for another length."""
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
    return length_match


def check_vcf_build(path: str) -> tuple[str, str | None, str | None]:
    """Check that a VCF is bgzipped, indexed and on GRCh38; return (chrom style, subset note,
    subset genes line).

    GRCh38 is established from ``##reference``, ``##contig`` lengths (chr1 is 248,956,422 bp
    in GRCh38, 249,250,621 in GRCh37) and the contig names. Names without 'chr' (the
    official ClinVar GRCh38 VCF) are accepted only when the header declares GRCh38.
    """
    _check_bgzf_indexed(path)
    head = read_vcf_meta(path)
    meta = head.meta
    reference = meta.get("reference", "") + " " + meta.get("assembly", "")
    if _GRCH37_HINT.search(reference):
        raise InputError(
            path,
            f"header says ##reference={meta.get('reference') or meta.get('assembly')}: "
            "bigmed needs GRCh38 sources (use the GRCh38 release of this file)",
        )
    names = list(head.contigs) or head.index_contigs
    length_match = _grch38_lengths(path, head.contigs)
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
    return style, meta.get("bigmed_subset"), meta.get("bigmed_subset_genes")


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


def _check_tsv(path: str, spec: SourceSpec) -> None:
    _find_header(path, _head_lines(path), spec.columns, "\t")


def _check_csv(path: str, spec: SourceSpec) -> None:
    _find_header(path, _head_lines(path, 5), spec.columns, ",")


def _check_mane(path: str, spec: SourceSpec) -> None:
    """The official MANE summary TSV or a BioMart CSV."""
    first = _head_lines(path, 1)
    head = first[0] if first else ""
    if not ("symbol" in head.lower() or "Gene name" in head):
        raise InputError(
            path,
            "not a MANE table (expected the MANE summary TSV with a 'symbol' column "
            "or a BioMart CSV with 'Gene name')",
            line=1,
        )


def _check_obo(path: str, spec: SourceSpec) -> None:
    first = _head_lines(path, 1)
    if not first or not first[0].startswith("format-version:"):
        raise InputError(path, "not an OBO file (first line must be 'format-version: ...')")


def _check_json(path: str, spec: SourceSpec) -> None:
    head = "".join(_head_lines(path, 3)).lstrip()
    if not head.startswith("{") and not head.startswith("["):
        raise InputError(path, "not a JSON file")


def _check_civic(path: str, spec: SourceSpec) -> None:
    if not os.path.isdir(path):
        raise InputError(
            path, "CIViC source must be the folder of the GKS JSON export (variants.json, ...)"
        )
    for name in CIVIC_FILES:
        if civic_file(path, name) is None:
            raise InputError(path, f"CIViC export folder has no {name}.json(.gz)")


def header_cells(path: str, wanted: list[tuple[str, ...]]) -> list[str] | None:
    """The first of the head lines whose cells (lower case, '#' stripped) name one
    alternative of every wanted column; None when no line does."""
    for line in _head_lines(path, 300):
        cells = [c.strip().lstrip("#").strip().lower() for c in line.split("\t")]
        if all(any(a.lower() in cells for a in alts) for alts in wanted):
            return cells
    return None


def _check_submissions(path: str, spec: SourceSpec) -> None:
    """ClinVar's submission_summary.txt or the shipped per-submission layout."""
    if header_cells(path, list(SUBMISSION_COLUMNS.values())) is None:
        names = ", ".join(alts[0] for alts in SUBMISSION_COLUMNS.values())
        raise InputError(
            path,
            f"no header line with the columns {names} (or ClinVar's submission_summary.txt "
            "names: VariationID, ClinicalSignificance, Submitter, DateLastEvaluated, SCV)",
        )


def is_vcf_file(path: str) -> bool:
    """Does the (possibly compressed) file start like a VCF?"""
    head = _head_lines(path, 1)
    return bool(head) and head[0].startswith("##fileformat=VCF")


def check_scores(path: str, key: str) -> str:
    """A predictor score file: a VCF with the score in INFO, or a bgzipped, tabix-indexed
    TSV with chrom, pos, ref, alt and score columns. Returns the contig style."""
    fields = PREDICTOR_FIELDS[key]
    if is_vcf_file(path):
        style, _, _ = check_vcf_build(path)
        infos = set(read_vcf_info_ids(path))
        if not infos & set(fields):
            label = SPECS[key].label
            raise InputError(path, f"VCF has no INFO field {' or '.join(fields)} for {label}")
        return style
    _check_bgzf_indexed(path, "score table", "-s 1 -b 2 -e 2 (chrom, pos columns)")
    wanted = [*TSV_POSITION_COLUMNS.values(), fields]
    if header_cells(path, wanted) is None:
        raise InputError(
            path,
            f"no header line with the columns chrom, pos (or grch38_pos), ref, alt and "
            f"{' or '.join(fields)}: is this a {SPECS[key].label} score file?",
        )
    contigs = list(pysam.TabixFile(path).contigs)
    return "plain" if contigs and not str(contigs[0]).startswith("chr") else "chr"


def read_vcf_info_ids(path: str) -> list[str]:
    """The INFO ids a VCF header declares."""
    with pysam.VariantFile(path) as vf:
        return [str(k) for k in vf.header.info]


def _check_cohort_fields(path: str) -> None:
    """The cohort-frequency source must declare at least one of ClinVar's AF_* fields."""
    if not set(read_vcf_info_ids(path)) & set(COHORTS):
        raise InputError(
            path,
            f"VCF has no INFO field {', '.join(COHORTS)}: point cohort_frequencies at a "
            "ClinVar GRCh38 VCF (it carries the ExAC, GO-ESP and 1000 Genomes frequencies)",
        )


# source kind -> its header check (VCFs: check_vcf_build, which also returns facts)
_FILE_CHECKS: dict[str, Callable[[str, SourceSpec], None]] = {
    "tsv": _check_tsv,
    "csv": _check_csv,
    "table": _check_mane,
    "obo": _check_obo,
    "json": _check_json,
    "civic": _check_civic,
    "submissions": _check_submissions,
}


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
    style, subset, genes = "chr", None, None
    for f in files:
        if spec.kind != "civic" and os.path.isdir(f):
            raise InputError(f, f"knowledge source '{key}' is a folder: a file is expected")
        _check_readable(f)
        if spec.kind == "vcf":
            f_style, f_subset, f_genes = check_vcf_build(f)
            if key == "cohort_frequencies":
                _check_cohort_fields(f)
            style, subset, genes = f_style, subset or f_subset, genes or f_genes
        elif spec.kind == "scores":
            style = check_scores(f, key)
        elif spec.kind in _FILE_CHECKS:
            _FILE_CHECKS[spec.kind](f, spec)
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
        subset_genes=parse_subset_genes(genes),
    )


def check_sources(sources: dict[str, Any]) -> dict[str, Source]:
    """Check every configured source; the run stops on the first bad one (InputError)."""
    out: dict[str, Source] = {}
    for key in SPECS:
        src = check_source(key, sources.get(key))
        if src is not None:
            out[key] = src
    return out

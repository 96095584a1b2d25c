"""Somatic SNV/indel calling from tumor (and matched normal) allele counts.

Input: candidate sites from ``bcftools mpileup`` over the tumor and normal BAMs, split to
biallelic records (``bcftools norm -m -any``), with per-sample ``AD``/``ADF``/``ADR``
counted over bases and reads that pass the base- and mapping-quality thresholds.

The model (all log-likelihoods binomial, log10 units, vectorised over the candidates):

``TLOD``  tumor evidence for the allele over sequencing error:
          ``log L(tumor | f = alt/depth) - log L(tumor | f = e)``; e is the per-allele
          error rate of a high-quality base.
``NLOD``  normal evidence that the site is not germline, tolerating tumor-in-normal (TiN)
          contamination: ``log L(normal | f = c*f_t + e) - log L(normal | f = 0.5)``, with
          f_t the tumor allele fraction and c the TiN fraction. A germline heterozygous or
          homozygous site gives a strongly negative NLOD whatever the tumor shows.
``NALOD`` normal artefact evidence: ``log L(normal | f = its own alt fraction) -
          log L(normal | f = c*f_t + e)``; high when the normal carries the allele beyond
          what contamination explains (shared artefact, clonal haematopoiesis).
``SBG``   strand bias: G statistic (likelihood-ratio test of independence, chi-square 1 df)
          of the tumor's allele x strand table: the alt reads' forward/reverse split against
          the ref reads'.

A candidate passes when TLOD >= min_tlod, alt reads >= min_alt_reads, VAF >= min_vaf,
tumor depth >= min_tumor_depth and, with a normal, NLOD >= min_nlod, NALOD < max_nalod and
normal depth >= min_normal_depth; it is not strand-biased (alt reads nearly all on one
strand, at most 10 %, while SBG > max_strand_g), not in the panel of normals and
(when a population resource is given) not common in the population. Every failed test is
kept as a FILTER reason. Without a normal (tumor-only), germline variants cannot be
excluded: every call carries ``GERMLINE_NOT_EXCLUDED`` and population frequency is the only
germline filter.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pysam

from bigmed.base.textio import open_text
from bigmed.genome.reference import ContigSlice
from bigmed.knowledge.sources import normalize_allele
from bigmed.knowledge.variants import VcfSource, parse_population

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LN10 = math.log(10.0)
# Strand artefacts put (nearly) every alt read on one strand; a true allele with a chance
# imbalance still shows on both. StrandBias needs both this and a significant G.
STRAND_MINOR_FRACTION = 0.1

# FILTER ids and their VCF descriptions, in the order reasons are listed.
FILTERS: dict[str, str] = {
    "LowTumorLOD": "Tumor evidence for the allele (TLOD) below min_tlod",
    "MinAltReads": "Fewer tumor alt reads than min_alt_reads",
    "LowVAF": "Tumor allele fraction below min_vaf",
    "LowTumorDepth": "Tumor depth below min_tumor_depth",
    "LowNormalDepth": "Normal depth below min_normal_depth: germline status cannot be assessed",
    "Germline": "Normal supports a germline variant (NLOD below min_nlod)",
    "NormalArtifact": "Normal carries the allele beyond tumor-in-normal contamination "
    "(NALOD at or above max_nalod)",
    "StrandBias": "Alt reads (nearly) all on one strand, unlike the ref reads (SBG above "
    "max_strand_g and at most 10 % of alt reads on the other strand)",
    "PanelOfNormals": "Site and allele present in the panel of normals",
    "PopulationAF": "Population allele frequency at or above max_population_af",
}


@dataclass(frozen=True)
class SomaticParams:
    """Model thresholds; defaults are the config schema's (see README, calling.somatic)."""

    error_rate: float = 1e-3  # per-allele error of a base at BQ >= min_baseq (Illumina ~0.1%)
    contamination: float = 0.05  # tumor-in-normal fraction tolerated by NLOD/NALOD
    min_tlod: float = 3.0  # Mutect2's tumor LOD threshold; see benchmarks/somatic_accuracy
    min_nlod: float = 2.2  # Mutect2's normal LOD threshold for sites not known germline
    max_nalod: float = 2.0  # 3 of 40 normal reads against a 5 % tumor allele: artefact
    min_alt_reads: int = 3  # below this, Illumina error and mismapping dominate
    min_vaf: float = 0.02
    min_tumor_depth: int = 10
    min_normal_depth: int = 8  # 8 reads: 0 alt reads give NLOD 2.4 against a het germline
    max_strand_g: float = 10.83  # chi-square 1 df, p = 0.001
    max_population_af: float = 0.001


@dataclass
class Counts:
    """Allele counts of N biallelic candidates (normal arrays empty in tumor-only mode)."""

    t_ref: IntArray
    t_alt: IntArray
    t_ref_fwd: IntArray
    t_alt_fwd: IntArray
    t_ref_rev: IntArray
    t_alt_rev: IntArray
    n_ref: IntArray | None = None
    n_alt: IntArray | None = None

    @property
    def t_depth(self) -> IntArray:
        return self.t_ref + self.t_alt

    @property
    def n_depth(self) -> IntArray | None:
        if self.n_ref is None or self.n_alt is None:
            return None
        return self.n_ref + self.n_alt


@dataclass
class Scores:
    vaf: FloatArray
    tlod: FloatArray
    nlod: FloatArray | None
    nalod: FloatArray | None
    strand_g: FloatArray
    filters: list[list[str]]


def binom_loglik(k: npt.ArrayLike, n: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
    """log L of k successes in n trials at rate p, without the binomial coefficient.

    The coefficient is the same under both hypotheses of every ratio used here, so it
    cancels. p is clipped away from 0 and 1 so that 0 * log(0) terms vanish.
    """
    k_ = np.asarray(k, dtype=np.float64)
    n_ = np.asarray(n, dtype=np.float64)
    p_ = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.asarray(k_ * np.log(p_) + (n_ - k_) * np.log1p(-p_), dtype=np.float64)


def tumor_lod(alt: npt.ArrayLike, depth: npt.ArrayLike, error: float) -> FloatArray:
    a = np.asarray(alt, dtype=np.float64)
    d = np.asarray(depth, dtype=np.float64)
    f = np.where(d > 0, a / np.maximum(d, 1), 0.0)
    f = np.maximum(f, error)
    return (binom_loglik(a, d, f) - binom_loglik(a, d, error)) / LN10


def normal_lod(
    alt: npt.ArrayLike, depth: npt.ArrayLike, tumor_vaf: npt.ArrayLike, tin: float, error: float
) -> FloatArray:
    """Evidence that the normal is not germline (het 0.5): contamination-only vs het."""
    a = np.asarray(alt, dtype=np.float64)
    d = np.asarray(depth, dtype=np.float64)
    expected = np.minimum(tin * np.asarray(tumor_vaf, dtype=np.float64) + error, 0.5)
    return (binom_loglik(a, d, expected) - binom_loglik(a, d, 0.5)) / LN10


def normal_artifact_lod(
    alt: npt.ArrayLike, depth: npt.ArrayLike, tumor_vaf: npt.ArrayLike, tin: float, error: float
) -> FloatArray:
    """Evidence that the normal's alt reads exceed tumor-in-normal contamination."""
    a = np.asarray(alt, dtype=np.float64)
    d = np.asarray(depth, dtype=np.float64)
    expected = np.minimum(tin * np.asarray(tumor_vaf, dtype=np.float64) + error, 0.5)
    own = np.where(d > 0, a / np.maximum(d, 1), 0.0)
    own = np.maximum(own, expected)
    return (binom_loglik(a, d, own) - binom_loglik(a, d, expected)) / LN10


def strand_bias_g(
    ref_fwd: npt.ArrayLike, ref_rev: npt.ArrayLike, alt_fwd: npt.ArrayLike, alt_rev: npt.ArrayLike
) -> FloatArray:
    """G statistic (likelihood-ratio test of independence, chi-square 1 df) of the 2x2 table
    allele (ref, alt) x strand (forward, reverse).

    The ref reads give the site's own strand balance (capture edges and amplicons skew it),
    so only an alt allele whose strand split departs from it is flagged; a site without ref
    reads (homozygous) gives 0.
    """
    obs = np.stack([np.asarray(x, dtype=np.float64) for x in (ref_fwd, ref_rev, alt_fwd, alt_rev)])
    n = obs.sum(axis=0)
    rows = np.stack([obs[0] + obs[1], obs[0] + obs[1], obs[2] + obs[3], obs[2] + obs[3]])
    cols = np.stack([obs[0] + obs[2], obs[1] + obs[3], obs[0] + obs[2], obs[1] + obs[3]])
    expected = rows * cols / np.maximum(n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(obs > 0, obs * np.log(obs / np.where(expected > 0, expected, 1)), 0.0)
    return np.asarray(np.maximum(2.0 * terms.sum(axis=0), 0.0), dtype=np.float64)


def score(
    counts: Counts,
    params: SomaticParams,
    in_pon: npt.ArrayLike | None = None,
    population_af: npt.ArrayLike | None = None,
) -> Scores:
    """Scores and FILTER reasons of every candidate (an empty list means PASS)."""
    p = params
    t_depth = counts.t_depth
    n = len(t_depth)
    vaf = np.where(t_depth > 0, counts.t_alt / np.maximum(t_depth, 1), 0.0)
    tlod = tumor_lod(counts.t_alt, t_depth, p.error_rate)
    g = strand_bias_g(counts.t_ref_fwd, counts.t_ref_rev, counts.t_alt_fwd, counts.t_alt_rev)
    alt_total = counts.t_alt_fwd + counts.t_alt_rev
    minor = np.minimum(counts.t_alt_fwd, counts.t_alt_rev) / np.maximum(alt_total, 1)
    fails: dict[str, npt.NDArray[np.bool_]] = {
        "LowTumorLOD": tlod < p.min_tlod,
        "MinAltReads": counts.t_alt < p.min_alt_reads,
        "LowVAF": vaf < p.min_vaf,
        "LowTumorDepth": t_depth < p.min_tumor_depth,
        "StrandBias": (g > p.max_strand_g) & (minor <= STRAND_MINOR_FRACTION),
    }
    nlod = nalod = None
    n_depth = counts.n_depth
    if n_depth is not None and counts.n_alt is not None:
        nlod = normal_lod(counts.n_alt, n_depth, vaf, p.contamination, p.error_rate)
        nalod = normal_artifact_lod(counts.n_alt, n_depth, vaf, p.contamination, p.error_rate)
        fails["LowNormalDepth"] = n_depth < p.min_normal_depth
        # a thin normal cannot reach min_nlod; LowNormalDepth says why, not Germline
        fails["Germline"] = (nlod < p.min_nlod) & (n_depth >= p.min_normal_depth)
        fails["NormalArtifact"] = nalod >= p.max_nalod
    if in_pon is not None:
        fails["PanelOfNormals"] = np.asarray(in_pon, dtype=bool)
    if population_af is not None:
        af = np.nan_to_num(np.asarray(population_af, dtype=np.float64), nan=0.0)
        fails["PopulationAF"] = af >= p.max_population_af
    filters: list[list[str]] = [[] for _ in range(n)]
    for name in FILTERS:
        if name in fails:
            for i in np.flatnonzero(fails[name]):
                filters[int(i)].append(name)
    return Scores(vaf, tlod, nlod, nalod, g, filters)


# ---------------------------------------------------------------------------- sites


Site = tuple[str, int, str, str]  # chrom, pos, ref, alt (the coordinates of the outputs)


def read_sites(path: str) -> set[Site]:
    """Sites of a VCF (plain or gzip) as {(chrom, pos, ref, alt)}, multi-allelics split and
    alleles in their minimal representation."""
    out: set[Site] = set()
    with open_text(path) as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5:
                continue
            for alt in cols[4].upper().split(","):
                pos, ref, a = normalize_allele(int(cols[1]), cols[3].upper(), alt)
                out.add((cols[0], pos, ref, a))
    return out


PopulationFn = Callable[[Site], float | None]


def population_lookup(files: Sequence[str], chrom_style: str | None) -> PopulationFn:
    """Population frequency of a site from a gnomAD-format VCF (tabix-indexed): the larger
    of AF and the group maximum (AF_grpmax / AF_popmax), None when the allele is absent."""
    source = VcfSource(files, chrom_style or "chr")

    def lookup(site: Site) -> float | None:
        chrom, pos, ref, alt = site
        want = normalize_allele(pos, ref, alt)
        best: float | None = None
        for rec in source.fetch(chrom, pos - 1, pos + len(ref)):
            for a, freq in parse_population(rec):
                if normalize_allele(rec.pos, rec.ref or "", a) != want:
                    continue
                values = [x for x in (freq.af, freq.af_popmax) if x is not None]
                if values:
                    best = max(values + ([best] if best is not None else []))
        return best

    return lookup


def to_output_coords(
    contig: str, pos: int, contig_map: dict[str, ContigSlice] | None
) -> tuple[str, int]:
    if contig_map and contig in contig_map:
        sl = contig_map[contig]
        return sl.chrom, sl.start + pos - 1
    return contig, pos


# ---------------------------------------------------------------------------- VCF I/O

INFO_LINES = [
    '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Passes every somatic filter">',
    '##INFO=<ID=TLOD,Number=1,Type=Float,Description="log10 LR tumor allele vs. error">',
    '##INFO=<ID=NLOD,Number=1,Type=Float,Description="log10 LR normal contamination-only '
    'vs. germline het (tolerates tumor-in-normal)">',
    '##INFO=<ID=NALOD,Number=1,Type=Float,Description="log10 LR normal own allele fraction '
    'vs. tumor-in-normal contamination">',
    '##INFO=<ID=SBG,Number=1,Type=Float,Description="Strand bias G statistic of tumor alt '
    'reads vs. ref reads (chi-square 1 df)">',
    '##INFO=<ID=POP_AF,Number=1,Type=Float,Description="Population allele frequency">',
    '##INFO=<ID=TUMOR_ONLY,Number=0,Type=Flag,Description="Called without a matched normal">',
    '##INFO=<ID=GERMLINE_NOT_EXCLUDED,Number=0,Type=Flag,Description="No matched normal: '
    'the variant may be germline">',
]
FORMAT_LINES = [
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype (tumor 0/1 for a candidate '
    'allele; normal 0/0)">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (BQ and MAPQ filtered)">',
    '##FORMAT=<ID=ADF,Number=R,Type=Integer,Description="Allelic depths, forward strand">',
    '##FORMAT=<ID=ADR,Number=R,Type=Integer,Description="Allelic depths, reverse strand">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth: ref + alt reads">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction alt / (ref + alt)">',
]


@dataclass
class Candidates:
    contig: list[str]
    pos: list[int]
    ref: list[str]
    alt: list[str]
    counts: Counts
    n_fwd: tuple[IntArray, IntArray] | None
    n_rev: tuple[IntArray, IntArray] | None


def _pair(call: Any, key: str) -> tuple[int, int]:
    v = call.get(key) if key in call else None
    if not v or len(v) < 2:
        return 0, 0
    return int(v[0] or 0), int(v[1] or 0)


def _allele_counts(call: Any) -> tuple[int, int, int, int, int, int]:
    """(ref, alt, ref forward, alt forward, ref reverse, alt reverse) of a sample's AD/ADF/ADR."""
    return (*_pair(call, "AD"), *_pair(call, "ADF"), *_pair(call, "ADR"))


def read_candidates(bcf: str, tumor: str, normal: str | None) -> tuple[Candidates, list[str]]:
    """Candidates and the ##contig header lines of an mpileup BCF (biallelic records)."""
    cols: dict[str, list[int]] = {k: [] for k in ("tr", "ta", "trf", "taf", "trr", "tar")}
    ncols: dict[str, list[int]] = {k: [] for k in ("nr", "na", "nrf", "naf", "nrr", "nar")}
    contig: list[str] = []
    pos: list[int] = []
    ref: list[str] = []
    alt: list[str] = []
    with pysam.VariantFile(bcf) as vf:
        contigs = [
            f"##contig=<ID={c},length={vf.header.contigs[c].length}>" for c in vf.header.contigs
        ]
        for rec in vf:
            if not rec.alts or rec.alts[0].startswith("<") or rec.alts[0] == "*":
                continue
            contig.append(rec.chrom)
            pos.append(rec.pos)
            ref.append(rec.ref or "N")
            alt.append(rec.alts[0])
            for k, v in zip(cols, _allele_counts(rec.samples[tumor]), strict=True):
                cols[k].append(v)
            if normal is not None:
                for k, v in zip(ncols, _allele_counts(rec.samples[normal]), strict=True):
                    ncols[k].append(v)

    def arr(x: list[int]) -> IntArray:
        return np.asarray(x, dtype=np.int64)

    counts = Counts(
        arr(cols["tr"]),
        arr(cols["ta"]),
        arr(cols["trf"]),
        arr(cols["taf"]),
        arr(cols["trr"]),
        arr(cols["tar"]),
    )
    n_fwd = n_rev = None
    if normal is not None:
        counts.n_ref, counts.n_alt = arr(ncols["nr"]), arr(ncols["na"])
        n_fwd = (arr(ncols["nrf"]), arr(ncols["naf"]))
        n_rev = (arr(ncols["nrr"]), arr(ncols["nar"]))
    cands = Candidates(contig, pos, ref, alt, counts, n_fwd, n_rev)
    return cands, contigs


def _fmt(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "."


def _site_annotations(
    out_keys: Sequence[Site], pon: str | None, population: PopulationFn | None
) -> tuple[npt.NDArray[np.bool_] | None, FloatArray | None]:
    """Panel-of-normals membership and population frequency (NaN where absent) of the
    candidates, in the coordinates of the outputs; None where not given."""
    in_pon = None
    if pon:
        pon_sites = read_sites(pon)
        in_pon = np.asarray(
            [(k[0], *normalize_allele(k[1], k[2], k[3])) in pon_sites for k in out_keys],
            dtype=bool,
        )
    pop_af = None
    if population:
        found = [population(k) for k in out_keys]
        pop_af = np.asarray([np.nan if f is None else f for f in found], dtype=np.float64)
    return in_pon, pop_af


def _subset(c: Counts, keep: IntArray) -> Counts:
    """The counts of the kept candidates."""
    sub = Counts(
        c.t_ref[keep],
        c.t_alt[keep],
        c.t_ref_fwd[keep],
        c.t_alt_fwd[keep],
        c.t_ref_rev[keep],
        c.t_alt_rev[keep],
    )
    if c.n_ref is not None and c.n_alt is not None:
        sub.n_ref, sub.n_alt = c.n_ref[keep], c.n_alt[keep]
    return sub


def _vcf_header(contig_lines: list[str], params: SomaticParams, samples: list[str]) -> str:
    header = [
        "##fileformat=VCFv4.2",
        *[f'##FILTER=<ID={k},Description="{v}">' for k, v in FILTERS.items()],
        *contig_lines,
        *INFO_LINES,
        *FORMAT_LINES,
        "##bigmed_somatic_params=" + ",".join(f"{k}={v}" for k, v in asdict(params).items()),
        "#"
        + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(samples),
    ]
    return "\n".join(header) + "\n"


def _info(s: Scores, j: int, pop_af: FloatArray | None, tumor_only: bool) -> str:
    """The INFO column of the j-th kept candidate."""
    info = [] if s.filters[j] else ["SOMATIC"]
    info.append(f"TLOD={_fmt(float(s.tlod[j]))}")
    if s.nlod is not None and s.nalod is not None:
        info += [f"NLOD={_fmt(float(s.nlod[j]))}", f"NALOD={_fmt(float(s.nalod[j]))}"]
    info.append(f"SBG={_fmt(float(s.strand_g[j]))}")
    if pop_af is not None and not math.isnan(pop_af[j]):
        info.append(f"POP_AF={pop_af[j]:.6g}")
    if tumor_only:
        info += ["TUMOR_ONLY", "GERMLINE_NOT_EXCLUDED"]
    return ";".join(info)


def _sample_cols(cands: Candidates, i: int) -> list[str]:
    """FORMAT values of the tumor (0/1) and, with one, the normal (0/0) at candidate i."""
    c = cands.counts
    cols = [
        _sample_col(
            "0/1",
            int(c.t_ref[i]),
            int(c.t_alt[i]),
            int(c.t_ref_fwd[i]),
            int(c.t_alt_fwd[i]),
            int(c.t_ref_rev[i]),
            int(c.t_alt_rev[i]),
        )
    ]
    if cands.n_fwd is not None and cands.n_rev is not None:
        assert c.n_ref is not None and c.n_alt is not None
        cols.append(
            _sample_col(
                "0/0",
                int(c.n_ref[i]),
                int(c.n_alt[i]),
                int(cands.n_fwd[0][i]),
                int(cands.n_fwd[1][i]),
                int(cands.n_rev[0][i]),
                int(cands.n_rev[1][i]),
            )
        )
    return cols


def _tally(filters: list[list[str]]) -> dict[str, int]:
    """Candidates, PASS and the count of each FILTER reason."""
    tally: dict[str, int] = {"candidates": len(filters), "PASS": 0}
    for reasons in filters:
        for r in reasons:
            tally[r] = tally.get(r, 0) + 1
        if not reasons:
            tally["PASS"] += 1
    return tally


def call(
    bcf: str,
    out_vcf_gz: str,
    tumor: str,
    normal: str | None,
    params: SomaticParams,
    contig_map: dict[str, ContigSlice] | None = None,
    pon: str | None = None,
    population: PopulationFn | None = None,
    min_candidate_alt: int = 2,
) -> dict[str, int]:
    """Score every candidate of ``bcf`` and write a bgzipped VCF; returns FILTER tallies.

    Candidates with fewer than ``min_candidate_alt`` tumor alt reads are dropped (they can
    never pass and would only bloat the VCF). ``pon`` (a VCF) and ``population`` (a
    lookup) are in the coordinates of the outputs (GRCh38 through ``contig_map``).
    """
    cands, contig_lines = read_candidates(bcf, tumor, normal)
    keep = np.flatnonzero(cands.counts.t_alt >= min(min_candidate_alt, params.min_alt_reads))
    out_keys = [
        (*to_output_coords(cands.contig[i], cands.pos[i], contig_map), cands.ref[i], cands.alt[i])
        for i in keep
    ]
    in_pon, pop_af = _site_annotations(out_keys, pon, population)
    s = score(_subset(cands.counts, keep), params, in_pon, pop_af)
    samples = [tumor] + ([normal] if normal is not None else [])
    tmp = f"{out_vcf_gz}.tmp.vcf"
    with open(tmp, "w") as handle:
        handle.write(_vcf_header(contig_lines, params, samples))
        for j, i in enumerate(keep):
            cols = [
                cands.contig[i],
                str(cands.pos[i]),
                ".",
                cands.ref[i],
                cands.alt[i],
                _fmt(float(s.tlod[j]) * 10.0),
                ";".join(s.filters[j]) or "PASS",
                _info(s, j, pop_af, normal is None),
                "GT:AD:ADF:ADR:DP:AF",
                *_sample_cols(cands, int(i)),
            ]
            handle.write("\t".join(cols) + "\n")
    pysam.tabix_compress(tmp, out_vcf_gz, force=True)
    os.unlink(tmp)
    return _tally(s.filters)


def _sample_col(gt: str, r: int, a: int, rf: int, af: int, rr: int, ar: int) -> str:
    depth = r + a
    frac = f"{a / depth:.4f}" if depth else "."
    return f"{gt}:{r},{a}:{rf},{af}:{rr},{ar}:{depth}:{frac}"


def summarize(tallies: Iterable[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in tallies:
        for k, v in t.items():
            out[k] = out.get(k, 0) + v
    return out

"""The somatic model: is a tumor allele a mutation, a sequencing error, an artefact of the
library or the alignment, or a germline variant?

Input: per-read evidence of each candidate in the tumor and the normal
(:mod:`bigmed.pilots.crc.readevidence`): each fragment's allele (ref or alt) and the
probability ``e`` that this call is an error (from its base quality, or the indel error of
its repeat, and its mapping quality). At allele fraction ``f`` a read shows alt with
probability ``f (1 - e) + (1 - f) e`` and ref with ``(1 - f)(1 - e) + f e``; every score
is a log10 likelihood ratio over these per-read terms, so three alt bases at Q16 weigh far
less than three at Q38 (at 100x, sequencing errors are mostly the first kind).

``TLOD``  tumor allele at its maximum-likelihood fraction vs. none (errors only).
``NLOD``  normal at the tumor-in-normal fraction (``contamination`` x tumor AF) vs. a
          germline heterozygous (0.5) or homozygous (1) normal.
``NALOD`` normal at its own fraction vs. tumor-in-normal contamination only.
``SGLOD`` posterior log10 odds somatic vs. germline over both samples: priors
          (``somatic_prior``; germline ``2q(1-q)`` heterozygous and ``q^2`` homozygous from
          the population AF ``q``, else ``germline_prior``) times the tumor likelihood (any
          fraction vs. a germline-like 0.3-0.7 or 0.9-1) times the normal likelihood. A
          thin normal without alt reads (NLOD 2.5 at 8 reads) cannot outweigh the prior of a
          germline site when the tumor fraction looks germline (FILTER GermlineRisk: not
          excluded, which is not the same as germline); a 5 % tumor allele can.
``SBG``/``OBG`` G statistics (likelihood-ratio tests, chi-square 1 df) of the tumor's
          allele x strand and allele x pair-orientation (F1R2/F2R1) tables.

Artefact tests on the alt reads: strand and orientation bias (nearly all alt reads on one
strand or in one orientation while the ref reads are not), read position (median distance
from the read end), mapping quality (median MAPQ); between candidates: several alt alleles
at one position (``MultiAllelic``) and too many events close together (``ClusteredEvents``:
mismapped reads from a paralogue carry several). A candidate passes when no test fails;
every failed test is kept as a FILTER reason. Without a normal (tumor-only) germline status
is not assessed: population frequency is the only germline filter and every call carries
``GERMLINE_NOT_EXCLUDED``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bigmed.base.textio import open_text
from bigmed.knowledge.sources import normalize_allele
from bigmed.knowledge.variants import VcfSource, parse_population
from bigmed.pilots.crc.readevidence import SampleEvidence

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
LN10 = math.log(10.0)
# Strand/orientation artefacts put (nearly) every alt read on one side; a true allele with
# a chance imbalance still shows on both. A bias filter needs both this and a significant G.
BIAS_MINOR_FRACTION = 0.1
# tumor allele fractions a germline variant may show (copy-number changes, capture bias)
GERMLINE_HET_TUMOR = (0.3, 0.7)
GERMLINE_HOM_TUMOR = (0.9, 1.0)

# FILTER ids and their VCF descriptions, in the order reasons are listed.
FILTERS: dict[str, str] = {
    "LowTumorLOD": "Tumor evidence for the allele (TLOD) below min_tlod",
    "MinAltReads": "Fewer tumor alt reads than min_alt_reads",
    "LowVAF": "Tumor allele fraction below min_vaf",
    "LowTumorDepth": "Tumor depth below min_tumor_depth",
    "LowNormalDepth": "Normal depth below min_normal_depth: germline status cannot be assessed",
    "Germline": "Normal supports a germline variant (NLOD below min_nlod)",
    "GermlineRisk": "Germline origin not excluded: posterior log10 odds somatic vs. germline "
    "(SGLOD) below min_sglod, the normal too thin for this tumor allele fraction",
    "NormalArtifact": "Normal carries the allele beyond tumor-in-normal contamination "
    "(NALOD at or above max_nalod)",
    "StrandBias": "Alt reads (nearly) all on one strand, unlike the ref reads (SBG above "
    "max_strand_g and at most 10 % of alt reads on the other strand)",
    "OrientationBias": "Alt reads (nearly) all in one pair orientation (F1R2 or F2R1), unlike "
    "the ref reads (OBG above max_orientation_g, at most 10 % in the other)",
    "ReadPosition": "Median distance of the alt reads from the read end below min_read_position",
    "MapQuality": "Median mapping quality of the alt reads below min_median_mapq",
    "MultiAllelic": "Another alt allele at the same position has tumor evidence too",
    "ClusteredEvents": "More than max_clustered_events somatic-looking events within "
    "cluster_window bp",
    "PanelOfNormals": "Site and allele present in the panel of normals",
    "PopulationAF": "Population allele frequency at or above max_population_af",
}


@dataclass(frozen=True)
class SomaticParams:
    """Model settings; defaults are the config schema's (README, somatic.*), chosen with
    benchmarks/somatic_accuracy."""

    error_rate: float = 1e-4  # floor of a base's error probability (quality capped at Q40)
    indel_error_rate: float = 1e-4  # a read's indel error outside repeats, x repeat copies
    contamination: float = 0.05  # tumor-in-normal fraction tolerated by NLOD/NALOD
    min_tlod: float = 5.0
    min_nlod: float = 2.2  # Mutect2's normal LOD threshold for sites not known germline
    max_nalod: float = 2.0  # 3 of 40 normal reads against a 5 % tumor allele: artefact
    somatic_prior: float = 1e-6  # per site and allele (CRC: ~5 mutations per Mb)
    germline_prior: float = 3e-4  # per site and allele absent from the population source
    min_sglod: float = 1.5  # posterior P(germline) at most 3 %
    min_alt_reads: int = 3
    min_vaf: float = 0.02
    min_tumor_depth: int = 10
    min_normal_depth: int = 8  # 8 reads: 0 alt reads give NLOD 2.4 against a het germline
    max_strand_g: float = 15.13  # chi-square 1 df, p = 1e-4: ~10 one-sided reads
    max_orientation_g: float = 15.13
    min_read_position: float = 2.0
    min_median_mapq: float = 30.0
    max_clustered_events: int = 3
    cluster_window: int = 50
    mnv_min_shared: float = 0.8
    max_population_af: float = 0.001


@dataclass
class Scores:
    alt: IntArray
    depth: IntArray
    vaf: FloatArray
    tlod: FloatArray
    nlod: FloatArray | None
    nalod: FloatArray | None
    sglod: FloatArray | None
    strand_g: FloatArray
    orientation_g: FloatArray
    filters: list[list[str]]


# ---------------------------------------------------------------------------- likelihoods


def read_loglik(ev: SampleEvidence, f: npt.ArrayLike) -> FloatArray:
    """log10 likelihood of each candidate's reads at allele fraction ``f`` (per candidate)."""
    fa = np.clip(np.broadcast_to(np.asarray(f, dtype=np.float64), (ev.n,)), 0.0, 1.0)
    fi = fa[ev.idx]
    e = ev.error
    p = np.where(ev.alt, fi * (1 - e) + (1 - fi) * e, (1 - fi) * (1 - e) + fi * e)
    terms = np.log10(np.maximum(p, 1e-300))
    return np.bincount(ev.idx, weights=terms, minlength=ev.n).astype(np.float64)


def fit_fraction(ev: SampleEvidence, iterations: int = 40) -> FloatArray:
    """Maximum-likelihood allele fraction of each candidate (EM over the read mixture)."""
    alt = ev.count(ev.alt).astype(np.float64)
    depth = np.bincount(ev.idx, minlength=ev.n).astype(np.float64)
    f = np.where(depth > 0, alt / np.maximum(depth, 1), 0.0)
    e = ev.error
    for _ in range(iterations):
        fi = f[ev.idx]
        from_alt = np.where(ev.alt, fi * (1 - e), fi * e)
        total = from_alt + np.where(ev.alt, (1 - fi) * e, (1 - fi) * (1 - e))
        w = from_alt / np.maximum(total, 1e-300)
        f = np.bincount(ev.idx, weights=w, minlength=ev.n) / np.maximum(depth, 1)
    return np.asarray(f, dtype=np.float64)


def tumor_lod(ev: SampleEvidence) -> tuple[FloatArray, FloatArray]:
    """(TLOD, maximum-likelihood tumor allele fraction); at least 0 (f = 0 is a candidate
    fraction too, which EM approaches slowly)."""
    f = fit_fraction(ev)
    return np.maximum(read_loglik(ev, f) - read_loglik(ev, 0.0), 0.0), f


def normal_lods(
    ev: SampleEvidence, tumor_f: FloatArray, contamination: float
) -> tuple[FloatArray, FloatArray]:
    """(NLOD, NALOD): the normal at the tumor-in-normal fraction vs. germline, and at its
    own fraction vs. the tumor-in-normal fraction."""
    tin = np.minimum(contamination * tumor_f, 0.5)
    at_tin = read_loglik(ev, tin)
    germline = np.maximum(read_loglik(ev, 0.5), read_loglik(ev, 1.0))
    own = np.maximum(fit_fraction(ev), tin)
    return at_tin - germline, read_loglik(ev, own) - at_tin


def germline_priors(population_af: FloatArray, default: float) -> tuple[FloatArray, FloatArray]:
    """(heterozygous, homozygous) germline prior per candidate: Hardy-Weinberg from the
    population AF where known, else ``default`` split 2:1."""
    q = np.asarray(population_af, dtype=np.float64)
    known = np.isfinite(q)
    qq = np.where(known, q, 0.0)
    het = np.where(known, 2 * qq * (1 - qq), default * 2 / 3)
    hom = np.where(known, qq * qq, default / 3)
    return np.maximum(het, 1e-300), np.maximum(hom, 1e-300)


def somatic_germline_lod(
    tumor: SampleEvidence,
    normal: SampleEvidence,
    tumor_f: FloatArray,
    params: SomaticParams,
    population_af: FloatArray,
) -> FloatArray:
    """SGLOD: log10 posterior odds that the allele is somatic rather than germline."""
    tin = np.minimum(params.contamination * tumor_f, 0.5)
    somatic = (
        math.log10(params.somatic_prior) + read_loglik(tumor, tumor_f) + read_loglik(normal, tin)
    )
    het_p, hom_p = germline_priors(population_af, params.germline_prior)
    het = (
        np.log10(het_p)
        + read_loglik(tumor, np.clip(tumor_f, *GERMLINE_HET_TUMOR))
        + read_loglik(normal, 0.5)
    )
    hom = (
        np.log10(hom_p)
        + read_loglik(tumor, np.clip(tumor_f, *GERMLINE_HOM_TUMOR))
        + read_loglik(normal, 1.0)
    )
    germline = np.logaddexp(het * LN10, hom * LN10) / LN10
    return np.asarray(somatic - germline, dtype=np.float64)


# ---------------------------------------------------------------------------- artefact tests


def g_test(
    ref_a: npt.ArrayLike, ref_b: npt.ArrayLike, alt_a: npt.ArrayLike, alt_b: npt.ArrayLike
) -> FloatArray:
    """G statistic (likelihood-ratio test of independence, chi-square 1 df) of the 2x2 table
    allele (ref, alt) x side (a, b): strand, or pair orientation.

    The ref reads give the site's own balance (capture edges and amplicons skew it), so
    only an alt allele whose split departs from it is flagged; a site without ref reads
    (homozygous) gives 0.
    """
    obs = np.stack([np.asarray(x, dtype=np.float64) for x in (ref_a, ref_b, alt_a, alt_b)])
    n = obs.sum(axis=0)
    rows = np.stack([obs[0] + obs[1], obs[0] + obs[1], obs[2] + obs[3], obs[2] + obs[3]])
    cols = np.stack([obs[0] + obs[2], obs[1] + obs[3], obs[0] + obs[2], obs[1] + obs[3]])
    expected = rows * cols / np.maximum(n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(obs > 0, obs * np.log(obs / np.where(expected > 0, expected, 1)), 0.0)
    return np.asarray(np.maximum(2.0 * terms.sum(axis=0), 0.0), dtype=np.float64)


def side_bias(ev: SampleEvidence, side: BoolArray, max_g: float) -> tuple[FloatArray, BoolArray]:
    """(G, biased) of the allele x side table: biased when G > max_g and at most 10 % of
    the alt reads are on the minor side."""
    ref_a, ref_b = ev.count(~ev.alt & ~side), ev.count(~ev.alt & side)
    alt_a, alt_b = ev.count(ev.alt & ~side), ev.count(ev.alt & side)
    g = g_test(ref_a, ref_b, alt_a, alt_b)
    minor = np.minimum(alt_a, alt_b) / np.maximum(alt_a + alt_b, 1)
    return g, (g > max_g) & (minor <= BIAS_MINOR_FRACTION)


def alt_median(ev: SampleEvidence, values: npt.ArrayLike) -> FloatArray:
    """Median of ``values`` over each candidate's alt reads (NaN without alt reads)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(ev.n, np.nan)
    sel = np.flatnonzero(ev.alt)
    order = sel[np.lexsort((v[sel], ev.idx[sel]))]
    idx = ev.idx[order]
    if len(idx) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    ends = np.r_[starts[1:], len(idx)]
    for s, e in zip(starts, ends, strict=True):
        vals = v[order[s:e]]
        out[idx[s]] = float(np.median(vals))
    return out


def multi_allelic(sites: Sequence[tuple[str, int]], evidence: BoolArray) -> BoolArray:
    """Candidates sharing their position with another candidate that has evidence too."""
    count: dict[tuple[str, int], int] = {}
    for site, has in zip(sites, evidence, strict=True):
        if has:
            count[site] = count.get(site, 0) + 1
    return np.asarray(
        [bool(has) and count[s] > 1 for s, has in zip(sites, evidence, strict=True)], dtype=bool
    )


def clustered(
    sites: Sequence[tuple[str, int]], evidence: BoolArray, window: int, max_events: int
) -> BoolArray:
    """Candidates with more than ``max_events`` events (candidates with evidence, one per
    position) within ``window`` bp, themselves included."""
    by_contig: dict[str, list[int]] = {}
    for (contig, pos), has in zip(sites, evidence, strict=True):
        if has:
            by_contig.setdefault(contig, []).append(pos)
    arrays = {c: np.unique(np.asarray(p, dtype=np.int64)) for c, p in by_contig.items()}
    out = np.zeros(len(sites), dtype=bool)
    for i, (contig, pos) in enumerate(sites):
        p = arrays.get(contig)
        if p is None:
            continue
        n = np.searchsorted(p, pos + window, "right") - np.searchsorted(p, pos - window, "left")
        out[i] = n > max_events
    return out


# ---------------------------------------------------------------------------- scoring


def _filters(fails: dict[str, BoolArray], n: int) -> list[list[str]]:
    filters: list[list[str]] = [[] for _ in range(n)]
    for name in FILTERS:
        if name in fails:
            for i in np.flatnonzero(fails[name]):
                filters[int(i)].append(name)
    return filters


def _tumor_tests(
    tumor: SampleEvidence, p: SomaticParams, tlod: FloatArray
) -> tuple[dict[str, BoolArray], FloatArray, FloatArray]:
    alt, depth = tumor.count(tumor.alt), tumor.count(np.ones_like(tumor.alt))
    vaf = np.where(depth > 0, alt / np.maximum(depth, 1), 0.0)
    sbg, strand = side_bias(tumor, tumor.reverse, p.max_strand_g)
    obg, orientation = side_bias(tumor, tumor.f1r2, p.max_orientation_g)
    with np.errstate(invalid="ignore"):
        fails = {
            "LowTumorLOD": tlod < p.min_tlod,
            "MinAltReads": alt < p.min_alt_reads,
            "LowVAF": vaf < p.min_vaf,
            "LowTumorDepth": depth < p.min_tumor_depth,
            "StrandBias": strand,
            "OrientationBias": orientation,
            "ReadPosition": alt_median(tumor, tumor.end_dist) < p.min_read_position,
            "MapQuality": alt_median(tumor, tumor.mapq) < p.min_median_mapq,
        }
    return fails, sbg, obg


def score(
    tumor: SampleEvidence,
    normal: SampleEvidence | None,
    params: SomaticParams,
    sites: Sequence[tuple[str, int]],
    in_pon: npt.ArrayLike | None = None,
    population_af: npt.ArrayLike | None = None,
) -> Scores:
    """Scores and FILTER reasons of every candidate (an empty list means PASS). ``sites``
    are the candidates' (contig, position), for the multi-allelic and cluster tests."""
    p = params
    tlod, tumor_f = tumor_lod(tumor)
    fails, sbg, obg = _tumor_tests(tumor, p, tlod)
    af = np.full(tumor.n, np.nan) if population_af is None else np.asarray(population_af, float)
    nlod = nalod = sglod = None
    if normal is not None:
        nlod, nalod = normal_lods(normal, tumor_f, p.contamination)
        sglod = somatic_germline_lod(tumor, normal, tumor_f, p, af)
        n_depth = normal.count(np.ones_like(normal.alt))
        fails["LowNormalDepth"] = n_depth < p.min_normal_depth
        # a thin normal cannot reach min_nlod; LowNormalDepth says why, not Germline
        assessable = n_depth >= p.min_normal_depth
        fails["Germline"] = (nlod < p.min_nlod) & assessable
        # no germline evidence, but not enough normal to outweigh the germline prior:
        # uncertain (a biomarker stays not evaluable), not germline
        fails["GermlineRisk"] = (sglod < p.min_sglod) & ~fails["Germline"] & assessable
        fails["NormalArtifact"] = nalod >= p.max_nalod
    evidence = (tlod >= p.min_tlod) & (tumor.count(tumor.alt) >= p.min_alt_reads)
    none = np.zeros(tumor.n, dtype=bool)
    somatic_like = evidence & ~fails.get("Germline", none) & ~fails.get("NormalArtifact", none)
    fails["MultiAllelic"] = multi_allelic(sites, somatic_like)
    fails["ClusteredEvents"] = somatic_like & clustered(
        sites, somatic_like, p.cluster_window, p.max_clustered_events
    )
    if in_pon is not None:
        fails["PanelOfNormals"] = np.asarray(in_pon, dtype=bool)
    if population_af is not None:
        fails["PopulationAF"] = np.nan_to_num(af, nan=0.0) >= p.max_population_af
    alt, depth = tumor.count(tumor.alt), tumor.count(np.ones_like(tumor.alt))
    vaf = np.where(depth > 0, alt / np.maximum(depth, 1), 0.0)
    filters = _filters(fails, tumor.n)
    return Scores(alt, depth, vaf, tlod, nlod, nalod, sglod, sbg, obg, filters)


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

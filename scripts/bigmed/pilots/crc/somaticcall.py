"""One shard of somatic calling: mpileup candidates -> per-read evidence -> MNVs merged ->
the somatic model (:mod:`bigmed.pilots.crc.somatic`) -> a bgzipped VCF.

Also the batch panel of normals: every allele the batch's normals show with at least
``pon_min_alt_reads`` reads, with the normals that show it (``PON_SAMPLES``), so that a
patient's call is checked against the *other* normals only (its own normal is already
the NLOD/NALOD evidence).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pysam

from bigmed.genome.reference import ContigSlice
from bigmed.knowledge.sources import normalize_allele
from bigmed.pilots.crc.readevidence import (
    Candidate,
    ReadSettings,
    Reference,
    SampleEvidence,
    collect,
    merge_mnvs,
)
from bigmed.pilots.crc.somatic import (
    FILTERS,
    PopulationFn,
    Scores,
    Site,
    SomaticParams,
    read_sites,
    score,
)

INFO_LINES = [
    '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Passes every somatic filter">',
    '##INFO=<ID=TLOD,Number=1,Type=Float,Description="log10 LR tumor allele vs. sequencing '
    'error (per-read base/mapping quality)">',
    '##INFO=<ID=NLOD,Number=1,Type=Float,Description="log10 LR normal contamination-only '
    'vs. germline (tolerates tumor-in-normal)">',
    '##INFO=<ID=NALOD,Number=1,Type=Float,Description="log10 LR normal own allele fraction '
    'vs. tumor-in-normal contamination">',
    '##INFO=<ID=SGLOD,Number=1,Type=Float,Description="Posterior log10 odds somatic vs. '
    'germline (priors, tumor and normal likelihoods)">',
    '##INFO=<ID=SBG,Number=1,Type=Float,Description="Strand bias G statistic of tumor alt '
    'reads vs. ref reads (chi-square 1 df)">',
    '##INFO=<ID=OBG,Number=1,Type=Float,Description="Pair-orientation (F1R2/F2R1) bias G '
    'statistic of tumor alt reads vs. ref reads (chi-square 1 df)">',
    '##INFO=<ID=POP_AF,Number=1,Type=Float,Description="Population allele frequency">',
    '##INFO=<ID=TUMOR_ONLY,Number=0,Type=Flag,Description="Called without a matched normal">',
    '##INFO=<ID=GERMLINE_NOT_EXCLUDED,Number=0,Type=Flag,Description="No matched normal: '
    'the variant may be germline">',
]
FORMAT_LINES = [
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype (tumor 0/1 for a candidate '
    'allele; normal 0/0)">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths: fragments showing '
    'ref, alt (BQ and MAPQ filtered, overlapping mates once)">',
    '##FORMAT=<ID=ADF,Number=R,Type=Integer,Description="Allelic depths, forward strand">',
    '##FORMAT=<ID=ADR,Number=R,Type=Integer,Description="Allelic depths, reverse strand">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth: ref + alt fragments">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction alt / (ref + alt)">',
]


@dataclass(frozen=True)
class Reads:
    """Where the reads are and which of them count (the calling thresholds)."""

    tumor_bam: str
    normal_bam: str | None
    reference: str
    min_mapq: int = 20
    min_baseq: int = 13

    def settings(self, params: SomaticParams) -> ReadSettings:
        return ReadSettings(
            self.min_mapq, self.min_baseq, params.error_rate, params.indel_error_rate
        )


@dataclass(frozen=True)
class Knowledge:
    """Site annotations: external panel of normals (any listed allele), the batch panel
    of normals and the patient's own normal (excluded from its count), population AF."""

    pon: str | None = None
    batch_pon: str | None = None
    own_normal: str | None = None
    pon_min_normals: int = 2
    population: PopulationFn | None = None


# ---------------------------------------------------------------------------- candidates


def read_candidates(bcf: str, tumor: str, min_alt: int) -> tuple[list[Candidate], list[str]]:
    """Biallelic mpileup records with at least ``min_alt`` tumor alt reads (mpileup's
    count), and the ##contig header lines."""
    out: list[Candidate] = []
    with pysam.VariantFile(bcf) as vf:
        contigs = [
            f"##contig=<ID={c},length={vf.header.contigs[c].length}>" for c in vf.header.contigs
        ]
        for rec in vf:
            if not rec.alts or rec.alts[0].startswith("<") or rec.alts[0] == "*":
                continue
            ad = rec.samples[tumor].get("AD") if "AD" in rec.format else None
            if ad is not None and len(ad) > 1 and (ad[1] or 0) < min_alt:
                continue
            out.append(Candidate(rec.chrom, rec.pos, (rec.ref or "N").upper(), rec.alts[0].upper()))
    return out, contigs


def reindex(ev: SampleEvidence, new_index: npt.NDArray[np.int64], n: int) -> SampleEvidence:
    """The evidence with candidate i renumbered new_index[i] (rows of -1 dropped)."""
    idx = new_index[ev.idx]
    keep = idx >= 0
    names: list[set[str]] = [set() for _ in range(n)]
    for old, new in enumerate(new_index):
        if new >= 0 and old < len(ev.alt_names):
            names[int(new)] = ev.alt_names[old]
    return SampleEvidence(
        idx[keep],
        ev.alt[keep],
        ev.error[keep],
        ev.mapq[keep],
        ev.reverse[keep],
        ev.f1r2[keep],
        ev.end_dist[keep],
        n,
        names,
    )


def concat(a: SampleEvidence, b: SampleEvidence) -> SampleEvidence:
    return SampleEvidence(
        np.concatenate([a.idx, b.idx + a.n]),
        np.concatenate([a.alt, b.alt]),
        np.concatenate([a.error, b.error]),
        np.concatenate([a.mapq, b.mapq]),
        np.concatenate([a.reverse, b.reverse]),
        np.concatenate([a.f1r2, b.f1r2]),
        np.concatenate([a.end_dist, b.end_dist]),
        a.n + b.n,
        [*a.alt_names, *b.alt_names],
    )


def tumor_evidence(
    cands: list[Candidate], reads: Reads, ref: Reference, params: SomaticParams
) -> tuple[list[Candidate], SampleEvidence]:
    """The final candidates (adjacent SNVs in the same reads merged into MNVs, sorted) and
    their tumor evidence."""
    rs = reads.settings(params)
    ev = collect(reads.tumor_bam, cands, ref, rs, True)
    mnvs = merge_mnvs(cands, ev.alt_names, params.mnv_min_shared)
    if mnvs:
        mnv_ev = collect(reads.tumor_bam, mnvs, ref, rs)
        parts = {(m.contig, p) for m in mnvs for p in range(m.pos, m.pos + len(m.ref))}
        ev = concat(ev, mnv_ev)
        cands = [*cands, *mnvs]
        drop = {
            i
            for i, c in enumerate(cands[: -len(mnvs)])
            if (c.contig, c.pos) in parts and len(c.ref) == len(c.alt) == 1
        }
    else:
        drop = set()
    rank: dict[str, int] = {}
    for c in cands:
        rank.setdefault(c.contig, len(rank))  # mpileup's (the shard's) contig order
    order = sorted(
        (i for i in range(len(cands)) if i not in drop),
        key=lambda i: (rank[cands[i].contig], cands[i].pos, len(cands[i].ref), cands[i].alt),
    )
    new_index = np.full(len(cands), -1, dtype=np.int64)
    new_index[order] = np.arange(len(order))
    return [cands[i] for i in order], reindex(ev, new_index, len(order))


# ---------------------------------------------------------------------------- sites


def to_output_coords(
    contig: str, pos: int, contig_map: dict[str, ContigSlice] | None
) -> tuple[str, int]:
    if contig_map and contig in contig_map:
        sl = contig_map[contig]
        return sl.chrom, sl.start + pos - 1
    return contig, pos


def batch_pon_hits(path: str, cands: Sequence[Candidate], own: str | None) -> list[int]:
    """Normals of the batch panel (other than ``own``) showing each candidate's allele."""
    out = []
    with pysam.VariantFile(path) as vf:
        for c in cands:
            want = normalize_allele(c.pos, c.ref, c.alt)
            n = 0
            if c.contig in vf.header.contigs:
                for rec in vf.fetch(c.contig, c.pos - 1, c.pos + len(c.ref)):
                    alt = rec.alts[0] if rec.alts else ""
                    if normalize_allele(rec.pos, rec.ref or "", alt) == want:
                        samples = str(rec.info.get("PON_SAMPLES", "")).split("|")
                        n = max(n, sum(1 for s in samples if s and s != own))
            out.append(n)
    return out


def site_annotations(
    cands: Sequence[Candidate], out_keys: Sequence[Site], know: Knowledge
) -> tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.float64] | None]:
    """Panel-of-normals membership and population frequency (NaN where absent) of the
    candidates; None where neither panel nor population source is given."""
    in_pon = None
    if know.pon or know.batch_pon:
        hit = np.zeros(len(cands), dtype=bool)
        if know.pon:
            sites = read_sites(know.pon)
            hit |= np.asarray(
                [(k[0], *normalize_allele(k[1], k[2], k[3])) in sites for k in out_keys],
                dtype=bool,
            )
        if know.batch_pon:
            counts = batch_pon_hits(know.batch_pon, cands, know.own_normal)
            hit |= np.asarray(counts, dtype=np.int64) >= know.pon_min_normals
        in_pon = hit
    pop_af = None
    if know.population:
        found = [know.population(k) for k in out_keys]
        pop_af = np.asarray([np.nan if f is None else f for f in found], dtype=np.float64)
    return in_pon, pop_af


# ---------------------------------------------------------------------------- VCF output


def _fmt(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "."


def vcf_header(contig_lines: list[str], params: SomaticParams, samples: list[str]) -> str:
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


def _info(s: Scores, j: int, pop_af: npt.NDArray[np.float64] | None, tumor_only: bool) -> str:
    """The INFO column of the j-th candidate."""
    info = [] if s.filters[j] else ["SOMATIC"]
    info.append(f"TLOD={_fmt(float(s.tlod[j]))}")
    if s.nlod is not None and s.nalod is not None and s.sglod is not None:
        info += [
            f"NLOD={_fmt(float(s.nlod[j]))}",
            f"NALOD={_fmt(float(s.nalod[j]))}",
            f"SGLOD={_fmt(float(s.sglod[j]))}",
        ]
    info += [f"SBG={_fmt(float(s.strand_g[j]))}", f"OBG={_fmt(float(s.orientation_g[j]))}"]
    if pop_af is not None and not math.isnan(pop_af[j]):
        info.append(f"POP_AF={pop_af[j]:.6g}")
    if tumor_only:
        info += ["TUMOR_ONLY", "GERMLINE_NOT_EXCLUDED"]
    return ";".join(info)


@dataclass
class StrandCounts:
    """AD/ADF/ADR of one sample per candidate: (ref, alt) x (all, forward, reverse)."""

    ref: npt.NDArray[np.int64]
    alt: npt.NDArray[np.int64]
    ref_fwd: npt.NDArray[np.int64]
    alt_fwd: npt.NDArray[np.int64]

    @classmethod
    def of(cls, ev: SampleEvidence) -> StrandCounts:
        return cls(
            ev.count(~ev.alt),
            ev.count(ev.alt),
            ev.count(~ev.alt & ~ev.reverse),
            ev.count(ev.alt & ~ev.reverse),
        )

    def column(self, gt: str, i: int) -> str:
        r, a, rf, af = (int(x[i]) for x in (self.ref, self.alt, self.ref_fwd, self.alt_fwd))
        depth = r + a
        frac = f"{a / depth:.4f}" if depth else "."
        return f"{gt}:{r},{a}:{rf},{af}:{r - rf},{a - af}:{depth}:{frac}"


def write_vcf(
    path: str,
    header: str,
    cands: Sequence[Candidate],
    s: Scores,
    counts: list[tuple[str, StrandCounts]],
    pop_af: npt.NDArray[np.float64] | None,
) -> None:
    tmp = f"{path}.tmp.vcf"
    tumor_only = len(counts) == 1
    with open(tmp, "w") as handle:
        handle.write(header)
        for j, c in enumerate(cands):
            cols = [
                c.contig,
                str(c.pos),
                ".",
                c.ref,
                c.alt,
                _fmt(float(s.tlod[j]) * 10.0),
                ";".join(s.filters[j]) or "PASS",
                _info(s, j, pop_af, tumor_only),
                "GT:AD:ADF:ADR:DP:AF",
                *[sc.column(gt, j) for gt, sc in counts],
            ]
            handle.write("\t".join(cols) + "\n")
    pysam.tabix_compress(tmp, path, force=True)
    os.unlink(tmp)


def tally(filters: list[list[str]]) -> dict[str, int]:
    """Candidates, PASS and the count of each FILTER reason."""
    out: dict[str, int] = {"candidates": len(filters), "PASS": 0}
    for reasons in filters:
        for r in reasons:
            out[r] = out.get(r, 0) + 1
        if not reasons:
            out["PASS"] += 1
    return out


def call(
    bcf: str,
    out_vcf_gz: str,
    samples: tuple[str, str | None],
    reads: Reads,
    params: SomaticParams,
    contig_map: dict[str, ContigSlice] | None = None,
    know: Knowledge | None = None,
    min_candidate_alt: int = 2,
) -> dict[str, int]:
    """Score every candidate of ``bcf`` (tumor, normal = ``samples``) and write a bgzipped
    VCF; returns FILTER tallies. Candidates with fewer than ``min_candidate_alt`` tumor alt
    fragments are dropped (they can never pass and would only bloat the VCF)."""
    tumor, normal = samples
    know = know or Knowledge()
    min_alt = min(min_candidate_alt, params.min_alt_reads)
    cands, contig_lines = read_candidates(bcf, tumor, min_alt)
    ref = Reference(reads.reference)
    try:
        cands, t_ev = tumor_evidence(cands, reads, ref, params)
        keep = np.flatnonzero(t_ev.count(t_ev.alt) >= min_alt)
        new_index = np.full(len(cands), -1, dtype=np.int64)
        new_index[keep] = np.arange(len(keep))
        cands, t_ev = [cands[i] for i in keep], reindex(t_ev, new_index, len(keep))
        n_ev = None
        if normal is not None and reads.normal_bam:
            n_ev = collect(reads.normal_bam, cands, ref, reads.settings(params))
    finally:
        ref.close()
    out_keys = [(*to_output_coords(c.contig, c.pos, contig_map), c.ref, c.alt) for c in cands]
    in_pon, pop_af = site_annotations(cands, out_keys, know)
    sites = [(c.contig, c.pos) for c in cands]
    s = score(t_ev, n_ev, params, sites, in_pon, pop_af)
    counts = [("0/1", StrandCounts.of(t_ev))]
    if n_ev is not None and normal is not None:
        counts.append(("0/0", StrandCounts.of(n_ev)))
    names = [tumor] + ([normal] if n_ev is not None and normal is not None else [])
    write_vcf(out_vcf_gz, vcf_header(contig_lines, params, names), cands, s, counts, pop_af)
    return tally(s.filters)


# ---------------------------------------------------------------------------- panel of normals

PON_HEADER = [
    "##fileformat=VCFv4.2",
    '##INFO=<ID=PON_SAMPLES,Number=1,Type=String,Description="Normals showing the allele '
    '(|-separated)">',
    '##INFO=<ID=PON_COUNT,Number=1,Type=Integer,Description="Number of normals showing the '
    'allele">',
]


def _alt_reads(sample: Any) -> int:
    ad: tuple[int | None, ...] = tuple(sample.get("AD") or ())
    return int(ad[1] or 0) if len(ad) > 1 else 0


def panel_rows(bcf: str, min_alt_reads: int) -> list[tuple[str, int, str, str, list[str]]]:
    """(contig, pos, ref, alt, normals) of every allele at least one normal of an mpileup
    BCF (biallelic records) shows with ``min_alt_reads`` reads."""
    rows = []
    with pysam.VariantFile(bcf) as vf:
        names = list(vf.header.samples)
        for rec in vf:
            if not rec.alts or rec.alts[0].startswith("<") or rec.alts[0] == "*":
                continue
            carriers = [s for s in names if _alt_reads(rec.samples[s]) >= min_alt_reads]
            if carriers:
                rows.append((rec.chrom, rec.pos, rec.ref or "N", rec.alts[0], carriers))
    return rows


def build_panel_of_normals(bcfs: Sequence[str], out_vcf_gz: str, min_alt_reads: int) -> int:
    """The batch panel of normals (bgzipped, tabix-indexed) from the normals' mpileup
    shards, in the reference's coordinates; returns its number of alleles."""
    contigs: list[str] = []
    rows = []
    for bcf in bcfs:
        with pysam.VariantFile(bcf) as vf:
            for c in vf.header.contigs:
                line = f"##contig=<ID={c},length={vf.header.contigs[c].length}>"
                if line not in contigs:
                    contigs.append(line)
        rows += panel_rows(bcf, min_alt_reads)
    tmp = f"{out_vcf_gz}.tmp.vcf"
    with open(tmp, "w") as handle:
        handle.write("\n".join([*PON_HEADER, *contigs]) + "\n")
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for contig, pos, r, a, carriers in rows:
            info = f"PON_SAMPLES={'|'.join(carriers)};PON_COUNT={len(carriers)}"
            handle.write(f"{contig}\t{pos}\t.\t{r}\t{a}\t.\t.\t{info}\n")
    pysam.tabix_compress(tmp, out_vcf_gz, force=True)
    os.unlink(tmp)
    pysam.tabix_index(out_vcf_gz, preset="vcf", force=True)
    return len(rows)

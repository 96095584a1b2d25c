"""The simulated regions and truth of one seed: which windows get reads, which variants
are planted where (germline in both samples, somatic in VAF bands), and the FASTQ files.

Windows: the coding exons (+- flank) of colorectal genes, intronic microsatellites (+-
flank) and random background chunks of the same gene slices (introns, intergenic
sequence) until the targets reach the requested size. Reads are simulated from the
targets padded on both sides (fragments spill over capture edges as in real data), so
coverage thins towards the padded ends, not inside the targets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import refio
import sa_sim
from bigmed.genome.gff import preferred_transcripts, read_gff3
from bigmed.pilots.crc.msi import find_microsatellites

# gene, label, GRCh38 chrom, pos, ref, alt, expected HGVSp on the MANE/LRG transcript
HOTSPOTS = [
    ("KRAS", "G12D", "chr12", 25245350, "C", "T", "p.(Gly12Asp)"),
    ("KRAS", "G13D", "chr12", 25245347, "C", "T", "p.(Gly13Asp)"),
    ("KRAS", "A146T", "chr12", 25225628, "C", "T", "p.(Ala146Thr)"),
    ("NRAS", "Q61K", "chr1", 114713909, "G", "T", "p.(Gln61Lys)"),
    ("NRAS", "G12D", "chr1", 114716126, "C", "T", "p.(Gly12Asp)"),
    ("BRAF", "V600E", "chr7", 140753336, "A", "T", "p.(Val600Glu)"),
    ("PIK3CA", "E542K", "chr3", 179218294, "G", "A", "p.(Glu542Lys)"),
    ("PIK3CA", "E545K", "chr3", 179218303, "G", "A", "p.(Glu545Lys)"),
    ("PIK3CA", "H1047R", "chr3", 179234297, "A", "G", "p.(His1047Arg)"),
    ("TP53", "R175H", "chr17", 7675088, "C", "T", "p.(Arg175His)"),
    ("TP53", "R248Q", "chr17", 7674220, "C", "T", "p.(Arg248Gln)"),
    ("TP53", "R273H", "chr17", 7673802, "C", "T", "p.(Arg273His)"),
    ("APC", "R1450*", "chr5", 112839942, "C", "T", "p.(Arg1450Ter)"),
    ("POLE", "P286R", "chr12", 132676598, "G", "C", "p.(Pro286Arg)"),
    ("ERBB2", "S310F", "chr17", 39711955, "C", "T", "p.(Ser310Phe)"),
    ("SMAD4", "R361H", "chr18", 51065549, "G", "A", "p.(Arg361His)"),
]
# germline class mix: SNVs dominate; indels of every length bin, a few MNVs
GERMLINE_MIX = {
    "snv": 0.85,
    "mnv": 0.02,
    "indel_1_5": 0.09,
    "indel_6_15": 0.025,
    "indel_16_50": 0.015,
}

Window = tuple[str, int, int]  # contig, 0-based start, end (half-open)


def merge(rows: list[Window]) -> list[Window]:
    out: list[Window] = []
    for c, s, e in sorted(rows):
        if out and out[-1][0] == c and s <= out[-1][2]:
            out[-1] = (c, out[-1][1], max(out[-1][2], e))
        else:
            out.append((c, s, e))
    return out


def parse_mix(text: str) -> dict[str, float]:
    """``snv=0.7,mnv=0.05,...`` -> shares summing to 1."""
    mix = {k: float(v) for k, v in (x.split("=") for x in text.split(",") if x)}
    unknown = set(mix) - set(sa_sim.CLASSES)
    if unknown:
        raise SystemExit(f"error: unknown class(es) {sorted(unknown)}; use {sa_sim.CLASSES}")
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()}


@dataclass
class Design:
    seqs: dict[str, str]
    lengths: dict[str, int]
    targets: list[Window]
    sim_windows: list[Window]
    coding: list[tuple[str, int, int]]
    ms_sites: list[Any]
    txs: dict[str, Any]
    variants: list[sa_sim.Variant] = field(default_factory=list)
    occupied: sa_sim.Occupancy = field(default_factory=sa_sim.Occupancy)


def build_windows(args: Any, rng: random.Random, ref: Path, annotation: Path) -> Design:
    genes = [g for g in args.genes.split(",") if g]
    lengths = {}
    with open(f"{ref}.fai") as handle:
        for line in handle:
            name, n = line.split("\t")[:2]
            lengths[name] = int(n)
    txs = {
        tx.gene: tx
        for tx in preferred_transcripts(read_gff3(str(annotation))).values()
        if tx.gene in genes
    }
    missing = sorted(set(genes) - set(txs))
    if missing:
        raise SystemExit(f"error: gene(s) not in the annotation: {', '.join(missing)}")
    gene_contigs = sorted({tx.contig for tx in txs.values()})
    contigs = sorted(lengths) if args.background == "all" else gene_contigs
    seqs = refio.read_fasta(ref, set(contigs))
    coding = [(tx.contig, s, e) for tx in txs.values() for s, e in tx.cds]  # 1-based incl.
    edge = args.pad + 50
    windows = merge(
        [
            (c, max(edge, s - 1 - args.flank), min(lengths[c] - edge, e + args.flank))
            for c, s, e in coding
        ]
    )
    ms_all = [
        m
        for c in gene_contigs
        for m in find_microsatellites(seqs[c], c)
        if not any(wc == c and ws - 300 < m.end and m.start < we + 300 for wc, ws, we in windows)
        and edge + args.flank < m.start < lengths[c] - edge - args.flank
    ]
    rng.shuffle(ms_all)
    ms_sites = sorted(ms_all[: args.microsatellites], key=lambda m: (m.contig, m.start))
    windows = merge(
        windows + [(m.contig, m.start - 1 - args.flank, m.end + args.flank) for m in ms_sites]
    )
    target_bp = args.target_kb * 1000
    tries = 0
    while sum(e - s for _, s, e in windows) < target_bp and tries < 10000:
        tries += 1
        c = rng.choices(contigs, [lengths[x] for x in contigs])[0]
        if lengths[c] < args.chunk + 2 * edge:
            continue
        s = rng.randint(edge, lengths[c] - edge - args.chunk)
        e = s + args.chunk
        if "N" in seqs[c][s:e] or any(
            wc == c and s < we + 2 * args.pad and ws < e + 2 * args.pad for wc, ws, we in windows
        ):
            continue
        windows = merge([*windows, (c, s, e)])
    sim_windows = merge([(c, s - args.pad, e + args.pad) for c, s, e in windows])
    design = Design(
        seqs, {c: lengths[c] for c in contigs}, windows, sim_windows, coding, ms_sites, txs
    )
    for m in ms_sites:  # keep planted SNVs/indels off the microsatellites and their flanks
        design.occupied.add(m.contig, m.start - 5, m.end + 5)
    return design


def plant_hotspots(d: Design, cmap: dict[str, tuple[str, int, int]], bands: list[float]) -> int:
    txs = d.txs
    hot = []
    for gene, label, chrom, gpos, ref, alt, hgvsp in HOTSPOTS:
        if gene not in txs:
            continue
        contig = txs[gene].contig
        chrom_c, start, _ = cmap[contig]
        if chrom_c != chrom:
            raise SystemExit(f"error: {gene} {label}: {chrom} is not the chromosome of {contig}")
        pos = gpos - start + 1
        if d.seqs[contig][pos - 1] != ref:
            raise SystemExit(
                f"error: {gene} {label}: reference at {chrom}:{gpos} is "
                f"{d.seqs[contig][pos - 1]}, not {ref}"
            )
        hot.append(
            sa_sim.Variant(contig, pos, ref, alt, "snv", "somatic", label=f"{gene} {label}|{hgvsp}")
        )
    for i, v in enumerate(hot):
        v.band = bands[i % len(bands)]
        d.variants.append(v)
        d.occupied.add(v.contig, v.pos, v.end, somatic=True)
    return len(hot)


def _place(
    d: Design, rng: random.Random, windows: list[Window], cls: str, origin: str, **kw: Any
) -> int:
    """Place one event of ``cls`` at a free random position of ``windows``; returns its
    number of records (0 when the drawn position was unusable)."""
    c, s, e = rng.choice(windows)
    if e - s < 140:
        return 0
    p = rng.randint(s + 10, e - 70)
    recs = sa_sim.make_event(rng, d.seqs[c], p, cls)
    if not recs:
        return 0
    lo, hi = recs[0][0], max(q + len(r) - 1 for q, r, _ in recs)
    somatic = origin == "somatic"
    if not d.occupied.free(c, lo, hi, somatic):
        return 0
    for q, r, a in recs:
        d.variants.append(sa_sim.Variant(c, q, r, a, cls, origin, **kw))
    d.occupied.add(c, lo, hi, somatic)
    return len(recs)


def plant_somatic(
    d: Design, rng: random.Random, bands: list[float], per_band: int, mix: dict[str, float]
) -> None:
    """Events per band (hotspots count as SNV events) drawn by class shares."""
    classes, weights = list(mix), list(mix.values())
    for band in bands:
        have = sum(1 for v in d.variants if v.band == band and v.label)  # hotspots
        while have < per_band:
            cls = rng.choices(classes, weights)[0]
            if _place(d, rng, d.targets, cls, "somatic", band=band):
                have += 1


def plant_msi(d: Design, fraction: float, band: float) -> int:
    n = round(fraction * len(d.ms_sites))
    for m in d.ms_sites[:n]:
        k = len(m.unit)
        ref = d.seqs[m.contig][m.start - 2 : m.start - 1 + k]
        d.variants.append(
            sa_sim.Variant(m.contig, m.start - 1, ref, ref[0], "ms_deletion", "msi", band=band)
        )
    return n


def plant_germline(d: Design, rng: random.Random, rate: float) -> int:
    """Germline events over the simulated windows: a third homozygous, the rest
    heterozygous on haplotype 1 or 2."""
    total = sum(e - s for _, s, e in d.sim_windows)
    want = round(total * rate)
    classes, weights = list(GERMLINE_MIX), list(GERMLINE_MIX.values())
    placed = 0
    while placed < want:
        r = rng.random()
        hap = 2 if r < 1 / 3 else (0 if r < 2 / 3 else 1)
        if _place(d, rng, d.sim_windows, rng.choices(classes, weights)[0], "germline", hap=hap):
            placed += 1
    return placed


def tumor_parts(d: Design, bands: list[float]) -> list[tuple[str, list[sa_sim.Variant], float]]:
    """(tag, variants, weight) of the tumor's components: nested clones in haplotype 1,
    then the rest of haplotype 1 and haplotype 2."""
    germ = [v for v in d.variants if v.origin == "germline"]
    hap1 = [v for v in germ if v.hap in (0, 2)]
    hap2 = [v for v in germ if v.hap in (1, 2)]
    parts, prev = [], 0.0
    if max(bands) > 0.5:
        raise SystemExit("error: the highest band must be at most 0.5 (clones within haplotype 1)")
    for k, b in enumerate(bands):
        somatic = [
            v
            for v in d.variants
            if v.origin in ("somatic", "msi") and v.band is not None and v.band >= b
        ]
        parts.append((f"c{k + 1}", hap1 + somatic, b - prev))
        prev = b
    parts.append(("h1", hap1, 0.5 - prev))
    parts.append(("h2", hap2, 0.5))
    return parts


# Normal coverage is uneven across windows (capture efficiency, DNA quality): a share of
# the windows at a fraction of the mean, so that germline variants meet thin normals as in
# real pairs. (factor, share); the mean factor is 1.
NORMAL_EVENNESS = ((0.25, 0.10), (0.6, 0.20), (1.0, 0.45), (1.5, 0.25))


def coverage_classes(d: Design, rng: random.Random, classes: Any) -> dict[float, list[Window]]:
    """The simulated windows grouped by a coverage factor drawn per window."""
    factors, shares = zip(*classes, strict=True)
    scale = sum(f * w for f, w in classes)
    out: dict[float, list[Window]] = {}
    for win in d.sim_windows:
        f = rng.choices(factors, shares)[0] / scale
        out.setdefault(f, []).append(win)
    return out


def simulate_reads(
    d: Design,
    sim: Path,
    sample: str,
    coverage: float,
    seed: int,
    parts: list[tuple[str, list[sa_sim.Variant], float]],
    patient: str,
    windows: dict[float, list[Window]] | None = None,
) -> int:
    """ART reads of every part (haplotype or clone) at ``coverage`` x its weight, per
    coverage class of windows (one class at factor 1 without ``windows``)."""
    pieces = []
    groups = windows or {1.0: d.sim_windows}
    for k, (factor, wins) in enumerate(sorted(groups.items())):
        for i, (tag, vs, w) in enumerate(parts):
            if w <= 0:
                continue
            name = f"{sample}_{tag}_k{k}"
            fa = sim / f"{name}.fa"
            sa_sim.window_fasta(fa, d.seqs, wins, vs)
            r1, r2 = sa_sim.art(fa, coverage * w * factor, seed + 37 * k + i, sim / f"art_{name}_")
            pieces.append((f"{sample}{tag}k{k}", r1, r2))
            fa.unlink()
    fq1, fq2 = sim / f"{patient}-{sample}_R1.fastq.gz", sim / f"{patient}-{sample}_R2.fastq.gz"
    return sa_sim.pool_reads(pieces, fq1, fq2)

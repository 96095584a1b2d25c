"""Truth set and reads: plant variants of every hard class in two haplotypes, run ART.

Classes (INFO/CLASS of the truth VCF): ``snv`` (isolated), ``snv_cluster`` (2-3 SNVs 2-9 bp
apart on the same haplotypes, separate records), ``mnv`` (2-3 adjacent substitutions, one
record), ``ins``/``del`` (1-50 bp, equal numbers in each length bin 1-5, 6-15, 16-50),
``str_exp``/``str_con`` (whole-unit expansion or contraction of a reference short tandem
repeat), ``complex`` (delins: 2-10 reference bases replaced by 1-10 others, lengths differ),
and ``real`` (NA12878 calls of a published call set)."""

from __future__ import annotations

import random
import subprocess
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import artsim

TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
BASES = "ACGT"
MIN_GAP = 3  # no two planted events (clusters count as one) within this many bp
LENGTH_BINS = ((1, 5), (6, 15), (16, 50))
MAX_EVENT = 50


@dataclass
class Variant:
    contig: str
    pos: int  # 1-based, VCF convention (indels carry the anchor base)
    ref: str
    alt: str
    gt: tuple[int, int]  # allele per haplotype
    source: str  # random | ngsbits | megsap
    cls: str = "snv"

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    @property
    def kind(self) -> str:
        return "snv" if len(self.ref) == len(self.alt) else "indel"


@dataclass
class Rates:
    """Events per Mb of planting window, by class (clusters count once)."""

    snv: float = 1000
    snv_cluster: float = 40
    mnv: float = 40
    indel_per_bin: float = 80
    str_change: float = 60
    complex: float = 40
    hom_fraction: float = 1 / 3


class Occupancy:
    """Reference intervals already holding a planted variant, per contig."""

    def __init__(self) -> None:
        self.iv: dict[str, list[tuple[int, int]]] = {}

    def free(self, contig: str, start: int, end: int) -> bool:
        ivs = self.iv.get(contig, [])
        lo, hi = start - MIN_GAP, end + MIN_GAP
        i = bisect_left(ivs, (lo, -1))
        for j in (i - 1, i):
            if 0 <= j < len(ivs) and ivs[j][0] <= hi and ivs[j][1] >= lo:
                return False
        return True

    def add(self, contig: str, start: int, end: int) -> None:
        ivs = self.iv.setdefault(contig, [])
        ivs.insert(bisect_left(ivs, (start, end)), (start, end))


def load_real_variants(source: str, path: Path, seqs: dict[str, str],
                       cmap: dict[str, tuple[str, int, int]], regions: dict[str, tuple[int, int]]
                       ) -> tuple[list[Variant], dict[str, int]]:
    """Real NA12878 calls on the chosen contigs, moved to contig coordinates (REF checked)."""
    stats = {"in_contigs": 0, "ref_mismatch": 0, "outside_margin": 0, "filtered": 0}
    by_chrom: dict[str, list[tuple[str, int, int]]] = {}
    for contig, (chrom, start, end) in cmap.items():
        if contig in seqs:
            by_chrom.setdefault(chrom, []).append((contig, start, end))
    with open(path) as handle:
        rows = [ln for ln in handle if not ln.startswith("##")]
    header = rows[0].lstrip("#").rstrip("\n").split("\t")
    out = []
    for line in rows[1:]:
        r = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
        if source == "ngsbits":
            chrom, gpos = r["chrom"], int(r["pos_GRCh38"])
            ref, alt = r["ref_GRCh38"], r["alt_GRCh38"]
            gt = (1, 1) if r["genotype"] in ("1/1", "1|1") else (0, 1)
        else:  # megSAP GSvar (DeepVariant): start/end/ref/obs with '-' for the empty allele
            if any(f in r.get("filter", "") for f in ("RefCall", "NoCall", "LowQual")):
                stats["filtered"] += 1
                continue
            chrom, gpos, ref, alt = r["chr"], int(r["start"]), r["ref"], r["obs"]
            gt = (1, 1) if r["NA12878_03"] == "hom" else (0, 1)
        hit = next(((c, s) for c, s, e in by_chrom.get(chrom, []) if s <= gpos <= e), None)
        if hit is None:
            continue
        contig, cstart = hit
        seq = seqs[contig]
        pos = gpos - cstart + 1
        if source == "megsap":
            if ref == "-":  # insertion after 'start'
                ref = seq[pos - 1]
                alt = ref + alt
            elif alt == "-":  # deletion of start..end
                pos -= 1
                ref = seq[pos - 1] + ref
                alt = ref[0]
        stats["in_contigs"] += 1
        if seq[pos - 1:pos - 1 + len(ref)] != ref.upper():
            stats["ref_mismatch"] += 1
            continue
        lo, hi = regions[contig]
        if not (lo < pos and pos + len(ref) - 1 <= hi):
            stats["outside_margin"] += 1
            continue
        out.append(Variant(contig, pos, ref.upper(), alt.upper(), gt, source, "real"))
    return out, stats


def find_strs(seq: str, lo: int, hi: int) -> list[tuple[int, str, int]]:
    """Reference tandem repeats in (lo, hi]: (1-based start, unit, copies); unit 1-6 bp,
    >= 8 bp and >= 3 copies (homopolymers >= 8), non-overlapping, leftmost unit first."""
    out = []
    i = lo
    while i < hi - 8:
        best = None
        for k in range(1, 7):
            unit = seq[i:i + k]
            if set(unit) - set(BASES):
                continue
            n = 1
            while seq[i + n * k:i + (n + 1) * k] == unit:
                n += 1
            if n * k >= 8 and n >= 3 and (best is None or n * k > best[2] * len(best[1])):
                best = (i + 1, unit, n)
        if best is not None:  # shorter units first: 'A' wins over 'AA'
            out.append(best)
            i += len(best[1]) * best[2]
        else:
            i += 1
    return out


def random_genotype(rng: random.Random, hom_fraction: float) -> tuple[int, int]:
    if rng.random() < hom_fraction:
        return (1, 1)
    return (0, 1) if rng.random() < 0.5 else (1, 0)


def substitute(rng: random.Random, base: str) -> str:
    """Transitions and transversions 2:1."""
    if rng.random() < 2 / 3:
        return TRANSITION[base]
    return rng.choice([b for b in BASES if b not in (base, TRANSITION[base])])


def random_seq(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(BASES) for _ in range(n))


def draw_event(rng: random.Random, seq: str, pos: int, cls: str, size: int = 0
               ) -> list[tuple[int, str, str]] | None:
    """The (pos, ref, alt) records of one event of class ``cls`` at ``pos`` (None: no fit)."""
    if cls == "snv":
        return [(pos, seq[pos - 1], substitute(rng, seq[pos - 1]))]
    if cls == "mnv":
        ref = seq[pos - 1:pos - 1 + rng.randint(2, 3)]
        return [(pos, ref, "".join(substitute(rng, b) for b in ref))]
    if cls == "snv_cluster":
        out, p = [], pos
        for _ in range(rng.randint(2, 3)):
            out.append((p, seq[p - 1], substitute(rng, seq[p - 1])))
            p += rng.randint(2, 9)
        return out
    if cls == "del":
        return [(pos, seq[pos - 1:pos + size], seq[pos - 1])]
    if cls == "ins":
        return [(pos, seq[pos - 1], seq[pos - 1] + random_seq(rng, size))]
    if cls == "complex":
        rl = rng.randint(2, 10)
        al = rng.choice([n for n in range(1, 11) if n != rl])
        ref = seq[pos - 1:pos - 1 + rl]
        alt = random_seq(rng, al)
        if alt[0] == ref[0] or alt[-1] == ref[-1]:
            return None
        return [(pos, ref, alt)]
    raise ValueError(cls)


def str_event(rng: random.Random, seq: str, site: tuple[int, str, int]
              ) -> tuple[str, list[tuple[int, str, str]]] | None:
    """Expansion or contraction of whole units of a reference repeat, at most 50 bp."""
    start, unit, copies = site
    anchor = start - 1
    if rng.random() < 0.5:
        units = rng.randint(1, max(1, min(8 if len(unit) == 1 else 4, MAX_EVENT // len(unit))))
        return "str_exp", [(anchor, seq[anchor - 1], seq[anchor - 1] + unit * units)]
    most = min(copies - 1, MAX_EVENT // len(unit), 8 if len(unit) == 1 else 4)
    if most < 1:
        return None
    units = rng.randint(1, most)
    return "str_con", [(anchor, seq[anchor - 1:anchor + units * len(unit)], seq[anchor - 1])]


def place(variants: list[Variant], occ: Occupancy, contig: str,
          recs: list[tuple[int, str, str]], gt: tuple[int, int], cls: str) -> bool:
    lo = recs[0][0]
    hi = max(p + len(r) - 1 for p, r, _ in recs)
    if any(set(r) - set(BASES) or set(a) - set(BASES) for _, r, a in recs):
        return False
    if not occ.free(contig, lo, hi):
        return False
    occ.add(contig, lo, hi)
    variants.extend(Variant(contig, p, r, a, gt, "random", cls) for p, r, a in recs)
    return True


def plan(length: int, rates: Rates) -> list[tuple[str, int, int]]:
    """(class, size, count) to plant in a window of ``length`` bp."""
    mb = length / 1e6
    todo = [("snv", 0, round(rates.snv * mb)), ("mnv", 0, round(rates.mnv * mb)),
            ("snv_cluster", 0, round(rates.snv_cluster * mb)),
            ("complex", 0, round(rates.complex * mb))]
    for lo_len, hi_len in LENGTH_BINS:
        n = round(rates.indel_per_bin * mb)
        todo += [(kind, -(lo_len * 1000 + hi_len), (n + (kind == "del")) // 2)
                 for kind in ("ins", "del")]
    return todo


def plant(seqs: dict[str, str], regions: dict[str, tuple[int, int]], real: list[Variant],
          rng: random.Random, rates: Rates) -> tuple[list[Variant], dict[str, int]]:
    """Real variants first (first come, first kept), then STR changes, then the random classes.

    ``regions`` are 1-based inclusive (lo+1..hi) planting windows per contig."""
    occ = Occupancy()
    variants: list[Variant] = []
    stats = {"real_kept": 0, "real_dropped_close": 0}
    for v in sorted(real, key=lambda v: (v.contig, v.pos)):
        if occ.free(v.contig, v.pos, v.end):
            occ.add(v.contig, v.pos, v.end)
            if v.gt != (1, 1):
                v.gt = (0, 1) if rng.random() < 0.5 else (1, 0)
            variants.append(v)
            stats["real_kept"] += 1
        else:
            stats["real_dropped_close"] += 1
    for contig in sorted(regions):
        lo, hi = regions[contig]
        seq = seqs[contig]
        margin = MAX_EVENT + 10
        sites = find_strs(seq, lo + margin, hi - margin)
        rng.shuffle(sites)
        want = round(rates.str_change * (hi - lo) / 1e6)
        placed = 0
        for site in sites:
            if placed >= want:
                break
            ev = str_event(rng, seq, site)
            if ev and place(variants, occ, contig, ev[1], random_genotype(rng, rates.hom_fraction),
                            ev[0]):
                placed += 1
        stats["str_change"] = stats.get("str_change", 0) + placed
        for cls, size_code, n in plan(hi - lo, rates):
            done = tries = 0
            while done < n and tries < 100 * n + 100:
                tries += 1
                pos = rng.randint(lo + margin, hi - margin)
                size = rng.randint(-size_code // 1000, -size_code % 1000) if size_code else 0
                recs = draw_event(rng, seq, pos, cls, size)
                if recs and place(variants, occ, contig, recs,
                                  random_genotype(rng, rates.hom_fraction), cls):
                    done += 1
            stats[cls] = stats.get(cls, 0) + done
    variants.sort(key=lambda v: (v.contig, v.pos))
    return variants, stats


def haplotype(seq: str, variants: list[Variant], hap: int) -> str:
    out, cursor = [], 0
    for v in variants:
        if v.gt[hap] != 1:
            continue
        out.append(seq[cursor:v.pos - 1])
        out.append(v.alt)
        cursor = v.pos - 1 + len(v.ref)
    out.append(seq[cursor:])
    return "".join(out)


def write_fasta(path: Path, records: dict[str, str]) -> None:
    with open(path, "w") as handle:
        for name, seq in records.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                handle.write(seq[i:i + 60] + "\n")


def write_truth_vcf(path_gz: Path, variants: list[Variant], contig_lengths: dict[str, int]) -> None:
    """Phased truth (the haplotype of each allele matters for clustered events)."""
    plain = path_gz.with_suffix("")
    with open(plain, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for c, n in contig_lengths.items():
            handle.write(f"##contig=<ID={c},length={n}>\n")
        handle.write('##INFO=<ID=SRC,Number=1,Type=String,Description="random or real-set name">\n')
        handle.write('##INFO=<ID=CLASS,Number=1,Type=String,Description="planted class">\n')
        handle.write('##INFO=<ID=DP,Number=1,Type=Integer,Description="unused">\n')
        handle.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH\n")
        for v in variants:
            handle.write(f"{v.contig}\t{v.pos}\t.\t{v.ref}\t{v.alt}\t.\tPASS\tSRC={v.source};"
                         f"CLASS={v.cls}\tGT\t{v.gt[0]}|{v.gt[1]}\n")
    subprocess.run(["bcftools", "sort", "-Oz", "-o", str(path_gz), str(plain)], check=True,
                   capture_output=True)
    subprocess.run(["bcftools", "index", "-t", "-f", str(path_gz)], check=True)
    plain.unlink()


def art_reads(hap_fastas: list[Path], outdir: Path, coverage: float, seed: int,
              fq1: Path, fq2: Path, profile: str = "HS25") -> int:
    """ART per haplotype at coverage/2 (seed + haplotype index) with its built-in error
    profile (HS25: HiSeq 2500), pooled with read names prefixed by haplotype (h1, h2).
    Returns read pairs."""
    parts = []
    for i, fasta in enumerate(hap_fastas):
        r1, r2 = artsim.art(fasta, coverage / 2, seed + i, outdir / f"art_h{i + 1}_",
                            log=outdir / f"art_h{i + 1}.log", profile=profile)
        parts.append((f"h{i + 1}", r1, r2))
    return artsim.pool_reads(parts, fq1, fq2)

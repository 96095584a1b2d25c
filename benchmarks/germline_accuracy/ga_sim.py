"""Truth set and reads: plant variants in two haplotypes of mini-genome contigs, run ART."""

from __future__ import annotations

import gzip
import random
import subprocess
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
BASES = "ACGT"
MIN_GAP = 2  # no two planted variants within this many bp of each other


@dataclass
class Variant:
    contig: str
    pos: int  # 1-based, VCF convention (indels carry the anchor base)
    ref: str
    alt: str
    gt: tuple[int, int]  # allele per haplotype
    source: str  # random | ngsbits | megsap

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    @property
    def kind(self) -> str:
        return "snv" if len(self.ref) == len(self.alt) == 1 else "indel"


class Occupancy:
    """Reference intervals already holding a planted variant, per contig."""

    def __init__(self) -> None:
        self.iv: dict[str, list[tuple[int, int]]] = {}

    def free(self, contig: str, start: int, end: int) -> bool:
        ivs = self.iv.get(contig, [])
        lo, hi = start - MIN_GAP, end + MIN_GAP
        i = bisect_left(ivs, (lo, -1))
        # the interval just before may reach into [lo, hi]
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
            gt_txt = r["genotype"]
            gt = (1, 1) if gt_txt in ("1/1", "1|1") else (0, 1)
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
        out.append(Variant(contig, pos, ref.upper(), alt.upper(), gt, source))
    return out, stats


def plant(seqs: dict[str, str], regions: dict[str, tuple[int, int]], real: list[Variant],
          rng: random.Random, snv_rate: float, indel_rate: float, hom_fraction: float,
          max_indel: int) -> tuple[list[Variant], dict[str, int]]:
    """Real variants (first come, first kept) plus random SNVs and indels, >MIN_GAP bp apart.

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
        length = hi - lo
        for kind, n in (("snv", round(length * snv_rate)), ("indel", round(length * indel_rate))):
            placed = 0
            tries = 0
            while placed < n and tries < 100 * n + 100:
                tries += 1
                pos = rng.randint(lo + 1 + max_indel, hi - max_indel - 1)
                if kind == "snv":
                    ref = seq[pos - 1]
                    if ref not in BASES:
                        continue
                    alt = TRANSITION[ref] if rng.random() < 2 / 3 else rng.choice(
                        [b for b in BASES if b not in (ref, TRANSITION[ref])])
                else:
                    size = rng.randint(1, max_indel)
                    if rng.random() < 0.5:  # deletion of `size` bases after the anchor
                        ref, alt = seq[pos - 1:pos + size], seq[pos - 1]
                    else:
                        ref = seq[pos - 1]
                        alt = ref + "".join(rng.choice(BASES) for _ in range(size))
                    if set(ref) - set(BASES):
                        continue
                end = pos + len(ref) - 1
                if not occ.free(contig, pos, end):
                    continue
                if rng.random() < hom_fraction:
                    gt = (1, 1)
                else:
                    gt = (0, 1) if rng.random() < 0.5 else (1, 0)
                occ.add(contig, pos, end)
                variants.append(Variant(contig, pos, ref, alt, gt, "random"))
                placed += 1
            stats[f"random_{kind}"] = stats.get(f"random_{kind}", 0) + placed
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
    plain = path_gz.with_suffix("")
    with open(plain, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for c, n in contig_lengths.items():
            handle.write(f"##contig=<ID={c},length={n}>\n")
        handle.write('##INFO=<ID=SRC,Number=1,Type=String,Description="random or real-set name">\n')
        handle.write('##INFO=<ID=DP,Number=1,Type=Integer,Description="unused">\n')
        handle.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH\n")
        for v in variants:
            gt = "1/1" if v.gt == (1, 1) else "0/1"
            handle.write(f"{v.contig}\t{v.pos}\t.\t{v.ref}\t{v.alt}\t.\tPASS\tSRC={v.source}"
                         f"\tGT\t{gt}\n")
    subprocess.run(["bcftools", "sort", "-Oz", "-o", str(path_gz), str(plain)], check=True,
                   capture_output=True)
    subprocess.run(["bcftools", "index", "-t", "-f", str(path_gz)], check=True)
    plain.unlink()


def art_reads(hap_fastas: list[Path], outdir: Path, coverage: float, seed: int,
              fq1: Path, fq2: Path) -> int:
    """ART per haplotype at coverage/2; read names prefixed by haplotype. Returns pairs."""
    pairs = 0
    with gzip.open(fq1, "wt", compresslevel=1) as o1, gzip.open(fq2, "wt", compresslevel=1) as o2:
        for i, fasta in enumerate(hap_fastas):
            prefix = outdir / f"art_h{i + 1}_"
            cmd = ["art_illumina", "-ss", "HS25", "-i", str(fasta), "-l", "150", "-p",
                   "-m", "350", "-s", "50", "-f", f"{coverage / 2:g}", "-rs", str(seed + i),
                   "-na", "-o", str(prefix)]
            with open(outdir / f"art_h{i + 1}.log", "w") as log:
                subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)
            for mate, out in ((1, o1), (2, o2)):
                src = Path(f"{prefix}{mate}.fq")
                with open(src) as handle:
                    for n, line in enumerate(handle):
                        if n % 4 == 0:
                            name = line[1:].split()[0].rsplit("/", 1)[0]
                            out.write(f"@h{i + 1}_{name}/{mate}\n")
                            pairs += mate == 1
                        else:
                            out.write(line)
                src.unlink()
    return pairs

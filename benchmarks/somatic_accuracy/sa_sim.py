"""Simulated tumor/normal pair: germline haplotypes, nested tumor clones, ART reads.

The normal is two haplotypes carrying germline variants. The tumor is the same two
haplotypes plus clones nested inside haplotype 1: a somatic variant of VAF band b_j is on
clones 1..j, whose weights sum to b_j, so its expected allele fraction is exactly b_j.

Variant classes (truth INFO/CLASS): ``snv``; ``mnv`` (2-3 adjacent substituted bases, one
record); ``clustered`` (2-3 SNVs 2-10 bp apart on the same haplotype, one record each);
``indel_1_5``, ``indel_6_15``, ``indel_16_50`` (deletions of reference sequence,
insertions of random sequence or tandem duplications of the bases before); ``ms_deletion``
(one repeat unit removed from a microsatellite, for MSI).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

# ART and read pooling live in benchmarks/artsim.py (shared with germline_accuracy and the
# tests); re-exported here for sa_design
from artsim import art as art
from artsim import pool_reads as pool_reads

BASES = "ACGT"
GAP = 30  # no two planted events closer than this (bp)
# somatic events keep this far from each other: real tumors carry 5-100 mutations per Mb,
# the benchmark about 200, and closer neighbours would be an artefact of that density
SOMATIC_GAP = 100
INDEL_BINS = {"indel_1_5": (1, 5), "indel_6_15": (6, 15), "indel_16_50": (16, 50)}
CLASSES = ["snv", "mnv", "clustered", *INDEL_BINS]


@dataclass
class Variant:
    contig: str
    pos: int  # 1-based; indels carry the anchor base (VCF convention)
    ref: str
    alt: str
    cls: str  # one of CLASSES or ms_deletion
    origin: str  # germline | somatic | msi
    band: float | None = None  # somatic VAF band
    hap: int = 0  # germline: 0 = het hap1, 1 = het hap2, 2 = hom
    label: str = ""  # e.g. KRAS G12D|p.(Gly12Asp) for real hotspots

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1


class Occupancy:
    def __init__(self, gap: int = GAP) -> None:
        self.used: dict[str, list[tuple[int, int]]] = {}
        self.somatic: dict[str, list[tuple[int, int]]] = {}
        self.gap = gap

    def free(self, contig: str, start: int, end: int, somatic: bool = False) -> bool:
        if not all(
            end + self.gap < s or start - self.gap > e for s, e in self.used.get(contig, [])
        ):
            return False
        return not somatic or all(
            end + SOMATIC_GAP < s or start - SOMATIC_GAP > e
            for s, e in self.somatic.get(contig, [])
        )

    def add(self, contig: str, start: int, end: int, somatic: bool = False) -> None:
        self.used.setdefault(contig, []).append((start, end))
        if somatic:
            self.somatic.setdefault(contig, []).append((start, end))


def _other(rng: random.Random, base: str) -> str:
    return rng.choice([b for b in BASES if b != base])


def make_event(rng: random.Random, seq: str, pos: int, cls: str) -> list[tuple[int, str, str]]:
    """The records (pos, ref, alt) of one event of class ``cls`` at ``pos`` (1-based), or []
    where the reference there does not allow it (N bases, contig end)."""
    if pos < 2 or pos + 60 > len(seq) or "N" in seq[pos - 2 : pos + 60]:
        return []
    if cls == "snv":
        return [(pos, seq[pos - 1], _other(rng, seq[pos - 1]))]
    if cls == "mnv":
        ref = seq[pos - 1 : pos - 1 + rng.randint(2, 3)]
        return [(pos, ref, "".join(_other(rng, b) for b in ref))]
    if cls == "clustered":
        out, p = [], pos
        for _ in range(rng.randint(2, 3)):
            out.append((p, seq[p - 1], _other(rng, seq[p - 1])))
            p += rng.randint(2, 10)
        return out
    lo, hi = INDEL_BINS[cls]
    n = rng.randint(lo, hi)
    anchor = seq[pos - 1]
    kind = rng.random()
    if kind < 0.5:  # deletion
        return [(pos, seq[pos - 1 : pos + n], anchor)]
    if kind < 0.75 and pos > n:  # tandem duplication of the n bases ending at the anchor
        return [(pos, anchor, anchor + seq[pos - n : pos])]
    return [(pos, anchor, anchor + "".join(rng.choice(BASES) for _ in range(n)))]


def apply(seq: str, variants: list[Variant], offset: int = 0) -> str:
    """The sequence with variants applied (1-based positions relative to offset)."""
    out = []
    last = 0
    for v in sorted(variants, key=lambda x: x.pos):
        s = v.pos - 1 - offset
        assert seq[s : s + len(v.ref)] == v.ref, (v, seq[s : s + len(v.ref)])
        assert s >= last, ("overlapping variants", v)
        out.append(seq[last:s])
        out.append(v.alt)
        last = s + len(v.ref)
    out.append(seq[last:])
    return "".join(out)


def window_fasta(
    path: Path, seqs: dict[str, str], windows: list[tuple[str, int, int]], variants: list[Variant]
) -> None:
    """One record per window (0-based half-open) with the variants inside it applied."""
    with open(path, "w") as handle:
        for c, s, e in windows:
            inside = [v for v in variants if v.contig == c and s < v.pos and v.end <= e]
            text = apply(seqs[c][s:e], inside, offset=s)
            handle.write(f">{c}_{s}_{e}\n")
            for i in range(0, len(text), 80):
                handle.write(text[i : i + 80] + "\n")


def write_vcf(path: Path, variants: list[Variant], lengths: dict[str, int]) -> None:
    with open(path, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for c, n in lengths.items():
            handle.write(f"##contig=<ID={c},length={n}>\n")
        for key, desc in (
            ("ORIGIN", "germline, somatic or msi"),
            ("BAND", "VAF band"),
            ("CLASS", "variant class"),
            ("HAP", "germline haplotype 0/1/2=hom"),
            ("LABEL", "hotspot label"),
        ):
            handle.write(f'##INFO=<ID={key},Number=1,Type=String,Description="{desc}">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        order = {c: i for i, c in enumerate(lengths)}
        for v in sorted(variants, key=lambda x: (order[x.contig], x.pos)):
            info = (
                f"ORIGIN={v.origin};BAND={v.band if v.band is not None else '.'};"
                f"CLASS={v.cls};HAP={v.hap}"
            )
            if v.label:
                info += f";LABEL={v.label.replace(' ', '_')}"
            handle.write(f"{v.contig}\t{v.pos}\t.\t{v.ref}\t{v.alt}\t.\tPASS\t{info}\n")

"""Soft-clip aware realignment (bigmed.genome.realign), the long-indel merge
(bigmed.genome.callmerge) and the sex-chromosome ploidy files (bigmed.genome.ploidy)."""

from __future__ import annotations

import random
from pathlib import Path

import pysam
import pytest
from bigmed.genome import callmerge, ploidy, realign
from bigmed.genome.realign import Event
from bigmed.genome.reference import ContigSlice

READ = 100


def _reference(tmp_path: Path, seed: int = 7, n: int = 3000) -> tuple[str, str]:
    rng = random.Random(seed)
    seq = "".join(rng.choice("ACGT") for _ in range(n))
    fasta = tmp_path / "ref.fa"
    fasta.write_text(f">c1\n{seq}\n")
    pysam.faidx(str(fasta))
    return str(fasta), seq


def _bam(tmp_path: Path, seq: str, reads: list[tuple[str, int, list[tuple[int, int]], str]]) -> str:
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": "c1", "LN": len(seq)}],
        "RG": [{"ID": "r", "SM": "S1"}],
    }
    path = tmp_path / "in.bam"
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for name, start, cigar, bases in sorted(reads, key=lambda r: r[1]):
            a = pysam.AlignedSegment(out.header)
            a.query_name, a.reference_id, a.reference_start = name, 0, start
            a.cigartuples, a.query_sequence, a.mapping_quality = cigar, bases, 60
            a.query_qualities = pysam.qualitystring_to_array("I" * len(bases))
            a.set_tag("RG", "r")
            out.write(a)
    pysam.index(str(path))
    return str(path)


def _alt_reads(
    seq: str, event: Event, starts: list[int]
) -> list[tuple[str, int, list[tuple[int, int]], str]]:
    """Reads of the event's haplotype the way bwa mem leaves them: with the gap in the CIGAR
    when both flanks are long, soft-clipped at the event when one flank is short."""
    hap = seq[: event.start] + event.ins + seq[event.start + event.dlen :]
    out = []
    for i, s in enumerate(starts):
        bases = hap[s : s + READ]
        left = event.start - s
        right = READ - left - len(event.ins)
        if right < 1:
            continue  # ends inside the insertion: shows no allele, not rewritten
        if left >= 40 and right >= 40:
            mid = (1, len(event.ins)) if event.ins else (2, event.dlen)
            cig = [(0, left), mid, (0, right)]
            out.append((f"gap{i}", s, cig, bases))
        elif left >= right:
            out.append((f"clipR{i}", s, [(0, left), (4, READ - left)], bases))
        else:  # aligned after the event, clipped at its left
            out.append(
                (f"clipL{i}", event.start + event.dlen, [(4, READ - right), (0, right)], bases)
            )
    return out


@pytest.mark.parametrize(
    "event", [Event("c1", 1500, 30, ""), Event("c1", 1500, 0, "ACGTTGCATGGACTTACGATCAGGTACCAT")]
)
def test_clipped_reads_get_the_long_indel(tmp_path: Path, event: Event) -> None:
    fasta, seq = _reference(tmp_path)
    starts = [1500 - d for d in (85, 80, 60, 55, 45, 15, 8)]
    reads = _alt_reads(seq, event, starts)
    reads.append(("ref", 1450, [(0, READ)], seq[1450 : 1450 + READ]))
    bam = _bam(tmp_path, seq, reads)
    out = str(tmp_path / "out.bam")
    events, counts = realign.realign([bam], [out], fasta, [("c1", 1000, 2000)])
    assert events == [realign.left_shift(event, seq)]
    got = {r.query_name: r for r in pysam.AlignmentFile(out)}
    op = 1 if event.ins else 2
    for name, read in got.items():
        if name.startswith("clip"):
            assert any(o == op and n == len(event.ins) + event.dlen for o, n in read.cigartuples)
            assert read.has_tag("OC")
            # the rewritten alignment reproduces the read exactly on the haplotype
            assert read.query_alignment_length == READ
    assert got["ref"].cigarstring == "100M"
    assert counts == [sum(1 for n in got if n.startswith("clip"))]


def test_an_unexplained_clip_is_left_alone(tmp_path: Path) -> None:
    fasta, seq = _reference(tmp_path)
    rng = random.Random(3)
    junk = "".join(rng.choice("ACGT") for _ in range(30))
    reads = [
        (f"j{i}", 1400 + i, [(0, 70), (4, 30)], seq[1400 + i : 1470 + i] + junk) for i in range(3)
    ]
    bam = _bam(tmp_path, seq, reads)
    out = str(tmp_path / "out.bam")
    events, counts = realign.realign([bam], [out], fasta, [("c1", 1000, 2000)])
    assert events == [] and counts == [0]
    assert [r.cigarstring for r in pysam.AlignmentFile(out)] == ["70M30S"] * 3


def test_left_shift_and_clip_events() -> None:
    ref = "GGGTACACACACTTTT"
    # deleting one CA unit anywhere in the repeat is the same event
    assert realign.left_shift(Event("c", 9, 2, ""), ref) == Event("c", 4, 2, "")
    assert realign.left_shift(Event("c", 12, 0, "AC"), ref) == Event("c", 4, 0, "AC")
    rng = random.Random(1)
    seq = "".join(rng.choice("ACGT") for _ in range(400))
    clip = seq[230:260]  # the read skips 30 bases after position 200
    assert list(realign.right_clip_events(clip, 200, seq, "c")) == [Event("c", 200, 30, "")]


def test_regions_are_merged_and_reads_given_once(tmp_path: Path) -> None:
    _, seq = _reference(tmp_path)
    reads = [
        (f"r{i}", 1000 + 20 * i, [(0, READ)], seq[1000 + 20 * i : 1100 + 20 * i]) for i in range(10)
    ]
    bam = _bam(tmp_path, seq, reads)
    regions = realign.merge_regions([("c1", 1150, 1300), ("c1", 1000, 1100), ("c1", 1100, 1120)])
    assert regions == [("c1", 1000, 1120), ("c1", 1150, 1300)]
    with pysam.AlignmentFile(bam) as aln:
        names = [r.query_name for _, r in realign.region_reads(aln, regions)]
    assert sorted(names) == sorted(set(names)) and len(names) == 10


def _vcf(
    path: Path, rows: list[tuple[int, str, str, float]], source: str, samples: str = "S1"
) -> str:
    n = len(samples.split("\t"))
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=c1,length=3000>\n"
        f'##INFO=<ID={source},Number=0,Type=Flag,Description="x">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
        f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{samples}\n"
    )
    text += "".join(
        f"c1\t{p}\t.\t{r}\t{a}\t{q}\t.\t{source}\tGT" + "\t0/1" * n + "\n"
        for p, r, a, q in rows
    )
    path.write_text(text)
    return str(path)


def test_long_indels_are_added_where_the_primary_has_none(tmp_path: Path) -> None:
    long_ins = "A" + "CGTAGGCTAATCGGATCCATG"
    primary = _vcf(
        tmp_path / "fb.vcf",
        [(100, "A", "G", 50.0), (500, "A", long_ins, 0.5), (900, "ACGTACGTACGTA", "A", 80.0)],
        "FB",
    )
    second = _vcf(
        tmp_path / "bc.vcf",
        [(500, "A", long_ins, 90.0), (902, "GTACGTACGTAC", "G", 70.0), (1500, "AC", "A", 60.0)],
        "BC",
    )
    out = str(tmp_path / "out.bcf")
    added = callmerge.merge_long_indels(
        primary, second, out, min_length=10, window=10, min_qual_primary=1
    )
    recs = [(r.pos, r.qual, "LONGINDEL" in r.info) for r in pysam.VariantFile(out)]
    # the low-QUAL freebayes record is replaced; the confident one at 900 keeps its site;
    # the 1 bp deletion is below min_length
    assert added == 1
    assert recs == [(100, 50.0, False), (500, 90.0, True), (900, 80.0, False)]


def test_long_indels_are_never_merged_across_a_different_sample_order(tmp_path: Path) -> None:
    """A family's shard from freebayes listed the father first, bcftools the proband: the
    merge stops rather than give one person's genotype to another."""
    primary = _vcf(tmp_path / "fb.vcf", [(100, "A", "G", 50.0)], "FB", "F\tM\tP")
    second = _vcf(
        tmp_path / "bc.vcf", [(500, "A", "A" + "C" * 20, 90.0)], "BC", "P\tM\tF"
    )
    with pytest.raises(ValueError, match="list the samples in different orders"):
        callmerge.merge_long_indels(
            primary, second, str(tmp_path / "o.bcf"), min_length=10, window=10,
            min_qual_primary=1,
        )  # fmt: skip


def test_haploid_regions_of_a_slice_across_the_par_boundary() -> None:
    cmap = {
        "xs": ContigSlice("xs", "chrX", 2_781_001, 2_782_000),
        "ys": ContigSlice("ys", "chrY", 10_000_001, 10_000_500),
        "a": ContigSlice("a", "chr7", 1, 1000),
    }
    regions = ploidy.haploid_regions({"xs": 1000, "ys": 500, "a": 1000}, cmap)
    # chrX 2,781,480 (first non-PAR base) is the slice's 480th base
    assert regions == [("xs", 479, 1000), ("ys", 0, 500)]
    assert ploidy.haploid_regions({"chrX": 156_040_895}, None) == [
        ("chrX", 0, 10_000),
        ("chrX", 2_781_479, 155_701_382),
        ("chrX", 156_030_895, 156_040_895),
    ]
    text = ploidy.bcftools_ploidy(regions)
    assert text.splitlines()[0] == "xs\t480\t1000\tM\t1"
    assert text.endswith("*\t*\t*\tM\t2\n*\t*\t*\tF\t2\n")


def test_calling_sex_from_the_sheet_then_the_depth_check() -> None:
    assert ploidy.calling_sex("a", "male", "female").sex == "male"
    found = ploidy.calling_sex("b", "unknown", "male", "X/autosome depth 0.5")
    assert (found.sex, found.haploid_x) == ("male", True)
    assert "genetic sex" in found.source
    unknown = ploidy.calling_sex("c", "unknown", "ambiguous")
    assert (unknown.sex, unknown.haploid_x) == ("unknown", False)
    sexes = [ploidy.calling_sex("m", "male", None), unknown]
    assert ploidy.bcftools_samples(sexes) == "m\tM\nc\tF\n"
    assert ploidy.freebayes_cnv_map(sexes, [("xs", 479, 1000)]) == "xs\t479\t1000\tm\t1\n"

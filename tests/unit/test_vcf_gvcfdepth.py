"""Coverage from gVCF records (bigmed.intake.gvcfdepth) over the real caller dialects:
which files are gVCFs, the depth intervals in the reference's coordinates, the exon
thresholds table, the exons no record covers and the report's rows; a constructed gVCF
only for what the real ones miss (a block across a slice end, overlapping records)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from bigmed.genome.reference import fasta_contigs, read_contig_map, slices_by_chrom
from bigmed.intake.coverage import read_thresholds
from bigmed.intake.gvcfdepth import (
    BLOCK_COLUMN,
    NO_BLOCK,
    DepthStats,
    Interval,
    Summary,
    coverage_items,
    exon_depth,
    intervals,
    is_gvcf,
    record_depth,
    summarise,
)
from bigmed.intake.vcfimport import Placement
from bigmed.intake.vcfinput import CallSet, contig_renames, read_header
from bigmed.report.document import coverage_section
from conftest import ROOT

DIALECTS = ROOT / "tests" / "integration" / "data" / "vcf_dialects"
REF = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
CONTIGS = str(ROOT / "resources" / "reference" / "contigs.tsv")
MUTYH = "chr1_45327242_45345470"
LMNA = "chr1_156077573_156142087"
# coding exons (reference slices, 0-based half-open) that the real gVCFs reach
EXONS = (
    f"{MUTYH}\t2054\t2206\tMUTYH:NM_001128425.1:exon16\n"
    f"{MUTYH}\t3264\t3326\tMUTYH:NM_001128425.1:exon15\n"
    f"{LMNA}\t37336\t37712\tLMNA:NM_170707.2:exon1\n"
)
GVCFS = {
    "deepvariant.g.vcf",
    "gatk_haplotypecaller.g.vcf.gz",
    "gatk_haplotypecaller_4.0.g.vcf.gz",
    "gatk_combinegvcfs.g.vcf",
    "dragen.g.vcf",
    "dragen_hard_filtered.gvcf.gz",
    "strelka2_germline.gvcf",
    "bcftools_call.g.vcf",
    "freebayes.g.vcf",
}


@pytest.fixture(scope="module")
def ref() -> tuple[dict[str, int], dict]:
    contigs = fasta_contigs(REF)
    return contigs, read_contig_map(CONTIGS, contigs)


def _place(path: str, ref) -> Placement:
    contigs, cmap = ref
    renames = contig_renames(path, read_header(path), contigs, cmap, rename=True)
    return Placement(renames, contigs, slices_by_chrom(cmap), True)


def _intervals(name: str, sample: str, ref) -> tuple[list[Interval], DepthStats]:
    path = str(DIALECTS / name)
    stats = DepthStats()
    found = list(intervals(CallSet("P", "germline", (path,)), sample, _place(path, ref), stats))
    return found, stats


@pytest.mark.parametrize(
    "name", sorted(p.name for p in DIALECTS.iterdir() if ".vcf" in p.name or "gvcf" in p.name)
)
def test_which_dialects_are_gvcfs(name: str):
    # bcftools mpileup's <*> without END and a VCF 4.3 '.' site are not gVCF blocks
    assert is_gvcf([str(DIALECTS / name)]) == (name in GVCFS)


# file, sample, reference blocks, records by depth field, first interval
REAL = [
    ("deepvariant.g.vcf", "NA12878", 37, {"MIN_DP": 37, "DP": 23}, (219, 336, 45)),
    ("gatk_haplotypecaller_4.0.g.vcf.gz", "Test1", 43, {"MIN_DP": 43, "DP": 14}, (219, 268, 1040)),
    ("dragen.g.vcf", "sample", 2, {"MIN_DP": 2, "DP": 3}, None),
    ("strelka2_germline.gvcf", "HG001-NA12878-50x.70_percent", 2, {"MIN_DP": 2}, None),
    # bcftools writes the block minimum in INFO/MIN_DP: used in the 8 of 12 blocks where
    # it is below the sample's DP
    ("bcftools_call.g.vcf", "HG00102", 12, {"INFO/MIN_DP": 8, "DP": 15}, None),
    ("freebayes.g.vcf", "1", 13, {"MIN_DP": 13, "DP": 12}, None),
    ("gatk_combinegvcfs.g.vcf", "MOTHER", 3, {"MIN_DP": 3, "DP": 2}, None),
]


@pytest.mark.parametrize("name,sample,blocks,fields,first", REAL)
def test_depth_intervals_of_real_gvcfs(ref, name, sample, blocks, fields, first):
    found, stats = _intervals(name, sample, ref)
    assert stats.blocks == blocks and dict(stats.by_field) == fields
    assert stats.no_depth == 0 and stats.outside == 0
    assert all(iv.end > iv.start >= 0 for iv in found)
    if first is not None:
        assert (found[0].start, found[0].end, found[0].depth) == first


def test_a_block_depth_is_its_min_dp_not_its_dp():
    # GATK: DP 1194 over the block, MIN_DP 1040 at its shallowest base
    cols = [
        "chr1",
        "45327461",
        ".",
        "C",
        "<NON_REF>",
        ".",
        ".",
        "END=45327509",
        "GT:DP:GQ:MIN_DP:PL",
    ]
    assert record_depth([*cols, "0/0:1194:99:1040:0,120,1800"], 0) == (49, 1040, "MIN_DP", True)
    # a DRAGEN variant record: FORMAT DP; a no-call block without any depth gives none
    var = [
        "chr1",
        "156114922",
        ".",
        "G",
        "A,<NON_REF>",
        "2.58",
        "PASS",
        "DP=22",
        "GT:AD:DP",
        "0/0:18,4,0:22",
    ]
    assert record_depth(var, 0) == (1, 22, "DP", False)
    assert record_depth(["1", "5", ".", "A", "<*>", "0", ".", "END=9", "GT", "./."], 0) is None
    # without DP, a variant's depth is the sum of its allelic depths
    assert record_depth(["1", "5", ".", "A", "C", ".", ".", ".", "GT:AD", "0/1:7,5"], 0) == (
        1,
        12,
        "AD",
        False,
    )


def _table(tmp_path: Path, name: str, sample: str, ref) -> tuple[str, str]:
    exons = tmp_path / "exons.bed"
    exons.write_text(EXONS)
    out = str(tmp_path / "depth.thresholds.bed.gz")
    path = str(DIALECTS / name)
    callset = CallSet("P", "germline", (path,), (("Test1", sample),) if sample else ())
    exon_depth(callset, sample or "Test1", _place(path, ref), str(exons), [1, 10, 20], out)
    targets = tmp_path / "targets.bed"
    targets.write_text(f"{MUTYH}\t0\t18228\n{LMNA}\t0\t64514\n")
    return out, str(targets)


def test_exon_table_of_a_gatk_gvcf(tmp_path: Path, ref):
    out, targets = _table(tmp_path, "gatk_haplotypecaller_4.0.g.vcf.gz", "", ref)
    with gzip.open(out, "rt") as handle:
        assert handle.readline().rstrip("\n").split("\t") == [
            "#chrom", "start", "end", "region", "1X", "10X", "20X", BLOCK_COLUMN
        ]  # fmt: skip
    rows = {r[3]: r[4] for r in read_thresholds(out, 20)}
    # exon 16 at >= 1040x; exon 15: 61 of 62 bases in blocks, none at >= 20x; LMNA: none
    assert rows == {
        "MUTYH:NM_001128425.1:exon16": 152,
        "MUTYH:NM_001128425.1:exon15": 0,
        "LMNA:NM_170707.2:exon1": 0,
    }
    assert [r[4] for r in read_thresholds(out, 10)] == [152, 13, 0]
    assert summarise(out, targets, 20) == Summary(
        590,
        152,
        [("MUTYH:NM_001128425.1:exon15", 1, 62), ("LMNA:NM_170707.2:exon1", 376, 376)],
        {"MUTYH": 214, "LMNA": 376},
    )
    assert summarise(out, targets, 10).covered == 165
    cov = coverage_section(out, targets, 20, 0, None)
    mutyh = next(g for g in cov["genes"] if g["gene"] == "MUTYH")
    assert (mutyh["coding_bases"], mutyh["status"]) == (214, "not assessable")  # 71%
    assert {g["exon"] for g in cov["gaps"]} == {"exon15", "exon1"}


def test_exon_table_of_a_dragen_gvcf(tmp_path: Path, ref):
    # LMNA exon 1: a LowDepth block (MIN_DP 0) and a 22x variant record; 13 bases in none
    out, targets = _table(tmp_path, "dragen.g.vcf", "sample", ref)
    with gzip.open(out, "rt") as handle:
        rows = [ln.split("\t") for ln in handle.read().splitlines()[1:]]
    lmna = next(r for r in rows if r[3].startswith("LMNA"))
    assert lmna[4:] == ["1", "1", "1", "363"]
    assert ("LMNA:NM_170707.2:exon1", 13, 376) in summarise(out, targets, 20).outside


CONSTRUCTED = """\
##fileformat=VCFv4.2
##ALT=<ID=NON_REF,Description="Any other allele">
##INFO=<ID=END,Number=1,Type=Integer,Description="End of the block">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum depth in the block">
##contig=<ID=chr1,length=248956422>
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	S1
chr1	45327200	.	A	<NON_REF>	.	.	END=45327300	GT:DP:MIN_DP	0/0:40:30
chr1	45327301	.	ACG	A,<NON_REF>	50	.	.	GT:DP	0/1:8
chr1	45327302	.	C	<NON_REF>	.	.	END=45327310	GT:DP:MIN_DP	0/0:25:25
"""


def test_blocks_are_clipped_to_the_slice_and_the_deeper_record_wins(tmp_path: Path, ref):
    # what no real file has: a block over the slice's first base (GRCh38 45327242) and a
    # deletion's record overlapping the block after it
    vcf = tmp_path / "constructed.g.vcf"
    vcf.write_text(CONSTRUCTED)
    assert is_gvcf([str(vcf)])
    stats = DepthStats()
    found = list(
        intervals(CallSet("P", "germline", (str(vcf),)), "S1", _place(str(vcf), ref), stats)
    )
    assert [(iv.chrom, iv.start, iv.end, iv.depth) for iv in found] == [
        (MUTYH, 0, 59, 30),
        (MUTYH, 59, 62, 8),
        (MUTYH, 60, 69, 25),
    ]
    exons = tmp_path / "exons.bed"
    exons.write_text(f"{MUTYH}\t55\t75\tMUTYH:NM_001128425.1:exonX\n")
    out = str(tmp_path / "t.bed.gz")
    exon_depth(CallSet("P", "germline", (str(vcf),)), "S1", _place(str(vcf), ref), str(exons),
               [10, 20], out)  # fmt: skip
    # bases 55-58 at 30x, 59 at 8x, 60-61 at max(8, 25), 62-68 at 25x, 69-74 in no record
    assert [r[4] for r in read_thresholds(out, 20)] == [13]
    assert [r[4] for r in read_thresholds(out, 10)] == [13]
    with gzip.open(out, "rt") as handle:
        assert handle.read().splitlines()[1].split("\t")[-1] == "14"


def test_the_report_rows_say_where_the_coverage_came_from():
    outside = [
        ("MUTYH:NM_001128425.1:exon15", 1, 62),
        ("MUTYH:NM_001128425.1:exon14", 100, 100),
        ("LMNA:NM_170707.2:exon1", 376, 376),
    ]
    summary = Summary(690, 152, outside, {"MUTYH": 314, "LMNA": 376})
    rows = coverage_items("P1", summary, 20)
    assert rows[0] == {
        "what": "sample P1: read QC",
        "reason": "not assessable: no reads (the sample entered as a VCF)",
    }
    assert rows[1]["what"] == "sample P1: coverage of coding exons"
    assert rows[1]["reason"].startswith(
        "from the gVCF, not reads: covered at >= 20x in 152 of 690 coding bases "
        "(from gVCF reference blocks, MIN_DP"
    )
    # the exons partly in a record, the genes in none, the other exons in none
    assert [r["what"] for r in rows[2:]] == [
        "sample P1: 1 coding exon(s) partly in no gVCF record: "
        "MUTYH:NM_001128425.1:exon15 (1 of 62 bp)",
        "sample P1: 1 gene(s) with no coding base in any gVCF record (376 bases): LMNA",
        "sample P1: 1 further coding exon(s) in no gVCF record: MUTYH:NM_001128425.1:exon14",
    ]
    assert {r["reason"] for r in rows[2:]} == {NO_BLOCK}
    many = Summary(
        15, 0, [(f"G{i}:T:exon1", 1, 1) for i in range(15)], {f"G{i}": 1 for i in range(15)}
    )
    assert coverage_items("P1", many, 20)[2]["what"].endswith("G11 and 3 more")
    assert len(coverage_items("P1", Summary(590, 590, []), 20)) == 2  # all in some record

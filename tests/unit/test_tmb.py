"""TMB: callable region arithmetic, counting, and the evaluable / not evaluable rule."""

from __future__ import annotations

import pysam
import pytest
from bigmed.pilots.crc.tmb import (
    TmbParams,
    callable_region,
    contains,
    count_mutations,
    intersect,
    merge,
    read_bed,
    size,
    tmb,
)


def test_merge_and_intersect():
    assert merge([("a", 10, 20), ("a", 15, 30), ("b", 0, 5), ("a", 40, 50)]) == [
        ("a", 10, 30),
        ("a", 40, 50),
        ("b", 0, 5),
    ]
    a = [("a", 0, 100), ("b", 0, 50)]
    b = [("a", 50, 150), ("a", 10, 20), ("c", 0, 10)]
    assert intersect(a, b) == [("a", 10, 20), ("a", 50, 100)]
    assert size(intersect(a, b)) == 60


def test_contains_is_half_open_bed():
    iv = merge([("a", 10, 20), ("b", 5, 6)])
    assert contains(iv, "a", 11) and contains(iv, "a", 20)  # 1-based 11..20
    assert not contains(iv, "a", 10) and not contains(iv, "a", 21)
    assert contains(iv, "b", 6) and not contains(iv, "c", 6)


def test_callable_region_needs_every_depth_track(tmp_path):
    coding = [("c", 0, 1000)]
    targets = [("c", 100, 900)]
    tumor = [("c", 0, 500)]
    normal = [("c", 200, 1000)]
    assert callable_region(coding, targets, [tumor, normal]) == [("c", 200, 500)]
    assert callable_region(coding, targets, [tumor]) == [("c", 100, 500)]


def test_read_bed_keeps_only_the_callable_label(tmp_path):
    bed = tmp_path / "q.bed"
    bed.write_text("c\t0\t10\tLOW\nc\t10\t30\tCALLABLE\nc\t30\t40\tLOW\n")
    assert read_bed(str(bed), name_filter="CALLABLE") == [("c", 10, 30)]
    assert len(read_bed(str(bed))) == 3


@pytest.mark.parametrize(
    "mutations,callable_bp,status,rate",
    [
        (5, 400_000, "not evaluable", None),  # a panel: under 1 Mb
        (12, 1_200_000, "positive", 10.0),  # exactly at the FDA cut-off
        (3, 30_000_000, "negative", 0.1),  # an MSS exome
    ],
)
def test_tmb_states(mutations, callable_bp, status, rate):
    r = tmb(mutations, callable_bp, TmbParams(), tumor_only=False)
    assert r["status"] == status and r["tmb"] == rate
    if status == "not evaluable":
        assert "below 1 Mb" in r["reason"]


def test_tumor_only_tmb_says_germline_not_excluded():
    r = tmb(40, 2_000_000, TmbParams(), tumor_only=True)
    assert r["status"] == "positive" and "germline" in r["reason"]


def test_count_mutations_uses_source_coordinates_filters_and_vaf(tmp_path):
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
        '##FILTER=<ID=LowTumorLOD,Description="x">\n'
        '##INFO=<ID=CONSEQUENCE,Number=1,Type=String,Description="x">\n'
        '##INFO=<ID=GENE,Number=1,Type=String,Description="x">\n'
        '##INFO=<ID=SRC_CONTIG,Number=1,Type=String,Description="x">\n'
        '##INFO=<ID=SRC_POS,Number=1,Type=String,Description="x">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="x">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\tN\n"
    )
    rows = [
        (1010, "PASS", "missense", 15, "60,40"),  # counted
        (1020, "PASS", "synonymous", 25, "60,40"),  # synonymous
        (1030, "LowTumorLOD", "missense", 35, "60,40"),  # filtered
        (1040, "PASS", "frameshift", 45, "97,3"),  # VAF 3 % < 5 %
        (1050, "PASS", "stop_gained", 500, "50,50"),  # outside the callable region
    ]
    for pos, filt, csq, src, ad in rows:
        info = f"CONSEQUENCE={csq};GENE=BRAF;SRC_CONTIG=braf;SRC_POS={src}"
        text += f"chr7\t{pos}\t.\tA\tT\t.\t{filt}\t{info}\tAD\t{ad}\t40,0\n"
    (tmp_path / "s.vcf").write_text(text)
    gz = str(tmp_path / "s.vcf.gz")
    pysam.tabix_compress(str(tmp_path / "s.vcf"), gz)
    found = count_mutations(gz, [("braf", 0, 100)], TmbParams())
    assert [m["id"] for m in found] == ["chr7-1010-A-T"]
    assert found[0]["vaf"] == 0.4

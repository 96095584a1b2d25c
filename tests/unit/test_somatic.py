"""The somatic model: likelihood ratios, filters, VCF output, panel of normals, population."""

from __future__ import annotations

import numpy as np
import pysam
import pytest
from bigmed.genome.reference import ContigSlice
from bigmed.pilots.crc.somatic import (
    Counts,
    SomaticParams,
    binom_loglik,
    call,
    normal_lod,
    population_lookup,
    read_sites,
    score,
    strand_bias_g,
    tumor_lod,
)
from hypothesis import given, settings
from hypothesis import strategies as st

P = SomaticParams()


def counts(t_ref_f, t_ref_r, t_alt_f, t_alt_r, n_ref=None, n_alt=None) -> Counts:
    a = lambda x: np.asarray([x], dtype=np.int64)  # noqa: E731
    c = Counts(
        a(t_ref_f + t_ref_r), a(t_alt_f + t_alt_r), a(t_ref_f), a(t_alt_f), a(t_ref_r), a(t_alt_r)
    )
    if n_ref is not None:
        c.n_ref, c.n_alt = a(n_ref), a(n_alt)
    return c


# tumor ref fwd/rev, alt fwd/rev, normal ref, alt -> FILTER reasons ([] = PASS)
CASES = [
    ("clonal somatic 40 %", (30, 30, 20, 20, 40, 0), []),
    ("subclonal somatic 5 % at 100x", (48, 47, 3, 2, 40, 0), []),
    ("germline heterozygous", (25, 25, 25, 25, 20, 20), ["Germline", "NormalArtifact"]),
    ("germline homozygous", (0, 0, 50, 50, 0, 40), ["Germline", "NormalArtifact"]),
    ("tumor-in-normal contamination tolerated", (30, 30, 20, 20, 39, 1), []),
    ("normal artefact beyond contamination", (48, 47, 3, 2, 37, 3), ["NormalArtifact"]),
    ("two alt reads", (49, 49, 1, 1, 40, 0), ["LowTumorLOD", "MinAltReads"]),
    ("thin tumor", (3, 3, 2, 1, 40, 0), ["LowTumorDepth"]),
    ("thin normal", (30, 30, 20, 20, 5, 0), ["LowNormalDepth"]),
    ("strand artefact", (50, 50, 20, 0, 40, 0), ["StrandBias"]),
    ("skewed site, alt follows ref", (80, 10, 16, 2, 40, 0), []),
    ("chance strand imbalance of a true allele", (65, 22, 8, 14, 39, 0), []),
    ("sequencing error level", (500, 500, 2, 1, 40, 0), ["LowTumorLOD", "LowVAF"]),
]


@pytest.mark.parametrize("name,c,expected", CASES, ids=[c[0] for c in CASES])
def test_filters_table(name, c, expected):
    s = score(counts(*c), P)
    assert s.filters[0] == expected


def test_tumor_only_without_population_has_no_germline_filter():
    s = score(counts(25, 25, 25, 25), P)
    assert s.filters[0] == [] and s.nlod is None and s.nalod is None


def test_population_and_pon_filters():
    c = Counts(*(np.asarray([50, 50], dtype=np.int64) for _ in range(6)))
    s = score(c, P, in_pon=[True, False], population_af=[np.nan, 0.2])
    assert s.filters == [["PanelOfNormals"], ["PopulationAF"]]


def test_binomial_loglik_has_no_nan_at_the_edges():
    ll = binom_loglik([0, 5, 5], [0, 5, 10], [0.0, 1.0, 0.5])
    assert np.all(np.isfinite(ll))


def test_tumor_lod_is_zero_without_alt_reads_and_grows_with_them():
    lods = tumor_lod([0, 3, 6, 12], [100, 100, 100, 100], 1e-3)
    assert lods[0] == pytest.approx(0.0)
    assert list(lods) == sorted(lods)


def test_strand_bias_is_zero_for_a_balanced_or_homozygous_site():
    g = strand_bias_g([50, 0], [50, 0], [10, 60], [10, 40])
    assert g == pytest.approx([0.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(
    n_depth=st.integers(10, 200),
    alt=st.integers(0, 50),
    vaf=st.floats(0.01, 1.0),
)
def test_more_normal_alt_reads_never_raise_nlod(n_depth, alt, vaf):
    alt = min(alt, n_depth - 1)
    a, b = normal_lod([alt, alt + 1], [n_depth, n_depth], [vaf, vaf], 0.05, 1e-3)
    assert b <= a + 1e-9


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(20, 500), alt=st.integers(1, 19))
def test_more_tumor_alt_reads_raise_tlod(depth, alt):
    a, b = tumor_lod([alt, alt + 1], [depth, depth], 1e-3)
    assert b > a


# ---------------------------------------------------------------------------- VCF I/O

HEADER = """##fileformat=VCFv4.2
##contig=<ID=c1,length=1000>
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="d">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="d">
##FORMAT=<ID=ADF,Number=R,Type=Integer,Description="d">
##FORMAT=<ID=ADR,Number=R,Type=Integer,Description="d">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\tN
"""
RECORDS = [
    # pos, ref, alt, tumor AD/ADF/ADR, normal AD/ADF/ADR
    (100, "A", "T", "60,40:30,20:30,20", "40,0:20,0:20,0"),  # somatic
    (200, "C", "G", "50,50:25,25:25,25", "20,20:10,10:10,10"),  # germline
    (300, "G", "A", "99,1:50,1:49,0", "40,0:20,0:20,0"),  # one read: dropped
    (400, "T", "TA", "70,30:35,15:35,15", "40,0:20,0:20,0"),  # somatic insertion (in PoN)
]


def write_pileup(path, with_normal=True) -> str:
    text = HEADER if with_normal else HEADER.replace("\tT\tN", "\tT")
    for pos, ref, alt, t, n in RECORDS:
        fmt = "AD:ADF:ADR"
        cols = ["c1", str(pos), ".", ref, alt, "0", ".", ".", fmt, t] + ([n] if with_normal else [])
        text += "\t".join(cols) + "\n"
    (path / "pileup.vcf").write_text(text)
    return str(path / "pileup.vcf")


def records(path):
    with pysam.VariantFile(str(path)) as vf:
        return list(vf), list(vf.header.samples)


def test_call_writes_filters_info_and_format(tmp_path):
    out = tmp_path / "out.vcf.gz"
    tally = call(write_pileup(tmp_path), str(out), "T", "N", P)
    recs, samples = records(out)
    assert samples == ["T", "N"]
    assert [r.pos for r in recs] == [100, 200, 400]
    assert tally["candidates"] == 3 and tally["PASS"] == 2
    somatic, germline, ins = recs
    assert list(somatic.filter) == ["PASS"] and somatic.info["SOMATIC"]
    assert somatic.samples["T"]["AD"] == (60, 40) and somatic.samples["T"]["AF"][
        0
    ] == pytest.approx(0.4)
    assert somatic.samples["T"]["GT"] == (0, 1) and somatic.samples["N"]["GT"] == (0, 0)
    assert "Germline" in germline.filter and "SOMATIC" not in germline.info
    assert germline.info["NLOD"] < P.min_nlod
    assert ins.alts == ("TA",) and "TUMOR_ONLY" not in ins.info


def test_call_tumor_only_flags_germline_not_excluded(tmp_path):
    out = tmp_path / "out.vcf.gz"
    call(write_pileup(tmp_path, with_normal=False), str(out), "T", None, P)
    recs, samples = records(out)
    assert samples == ["T"]
    assert all(r.info["TUMOR_ONLY"] and r.info["GERMLINE_NOT_EXCLUDED"] for r in recs)
    assert "NLOD" not in recs[0].info
    # without a normal the germline site passes: only population frequency could stop it
    assert list(recs[1].filter) == ["PASS"]


def test_pon_and_population_in_output_coordinates(tmp_path):
    cmap = {"c1": ContigSlice("c1", "chr7", 1001, 2000)}
    pon = tmp_path / "pon.vcf"
    pon.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n chr7\t1400\t.\tT\tTA\n".replace(
            " chr7", "chr7"
        )
    )
    gnomad = tmp_path / "gnomad.vcf"
    gnomad.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
        '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n'
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="grpmax">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr7\t1200\t.\tC\tG,T\t.\tPASS\tAF=0.01,0.5;AF_grpmax=0.03,0.6\n"
    )
    gz = str(gnomad) + ".gz"
    pysam.tabix_compress(str(gnomad), gz)
    pysam.tabix_index(gz, preset="vcf")
    assert ("chr7", 1400, "T", "TA") in read_sites(str(pon))
    lookup = population_lookup([gz], "chr")
    assert lookup(("chr7", 1200, "C", "G")) == pytest.approx(0.03)
    assert lookup(("chr7", 1100, "A", "T")) is None
    out = tmp_path / "out.vcf.gz"
    call(write_pileup(tmp_path), str(out), "T", "N", P, cmap, pon=str(pon), population=lookup)
    recs, _ = records(out)
    by_pos = {r.pos: r for r in recs}
    assert "PanelOfNormals" in by_pos[400].filter
    assert "PopulationAF" in by_pos[200].filter and by_pos[200].info["POP_AF"] == pytest.approx(
        0.03
    )
    assert list(by_pos[100].filter) == ["PASS"]

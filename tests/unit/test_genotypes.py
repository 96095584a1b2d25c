"""Genotype records from the final call set: GQ from PL, allele depths, filters, PAR."""

from __future__ import annotations

import pysam
import pytest
from bigmed.genome.genotypes import genotype_text, in_par, read_sites

VCF = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=248956422>
##contig=<ID=chrX,length=156040895>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="low">
##INFO=<ID=GENE,Number=1,Type=String,Description="gene">
##INFO=<ID=CONSEQUENCE,Number=1,Type=String,Description="csq">
##INFO=<ID=HGVSc,Number=1,Type=String,Description="c.">
##FORMAT=<ID=GT,Number=1,Type=String,Description="genotype">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="PL">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="allele depths">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP\tM
chr1\t100\t.\tC\tT\t50\tPASS\tGENE=G1;CONSEQUENCE=missense;HGVSc=c.1C>T\tGT:PL:DP:AD\t0/1:200,0,180:30:14,16\t0/0:0,45,255:25:25,0
chr1\t200\t.\tG\tA\t5\tLowQual\tGENE=G1\tGT:GQ:DP:AD\t1/1:12:9:0,9\t./.:.:0:0,0
"""


@pytest.fixture
def vcf(tmp_path):
    plain = tmp_path / "calls.vcf"
    plain.write_text(VCF.replace("\\t", "\t"))
    out = str(tmp_path / "calls.vcf.gz")
    pysam.tabix_compress(str(plain), out)
    return out


def test_read_sites(vcf):
    a, b = read_sites(vcf)
    assert a.id == "chr1-100-C-T" and a.passed and a.gene == "G1" and a.hgvs_c == "c.1C>T"
    p, m = a.calls["P"], a.calls["M"]
    assert p.is_het and p.gq == 99 and p.alt_reads == 16  # GQ: PL gap 180, capped at 99
    assert m.is_hom_ref and m.gq == 45 and m.confident(8, 20)
    assert p.allele_fraction == pytest.approx(16 / 30)
    assert not b.passed and b.filter == "LowQual"
    assert b.calls["P"].is_hom_alt and b.calls["P"].gq == 12  # the caller's own GQ
    assert not b.calls["P"].confident(8, 20)
    assert not b.calls["M"].called
    assert genotype_text(a.calls, ["P", "M"]) == "P 0/1 (30x, 16 alt); M 0/0 (25x)"


def test_pseudoautosomal_regions():
    assert in_par("chrX", 100_000) and in_par("X", 155_800_000)
    assert not in_par("chrX", 120_440_000) and not in_par("chr1", 100_000)

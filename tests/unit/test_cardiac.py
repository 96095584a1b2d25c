"""Cardiac pilot: panels, panel coverage (the demo's uncovered exon), cascade genotypes,
segregation, the interpretation document and the known-familial-variant report."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pysam
import pytest
from bigmed.genome.gff import coding_exons_bed, read_gff3
from bigmed.genome.hgvs import describe
from bigmed.genome.reference import read_contig_map
from bigmed.genome.variant_spec import (
    VariantSpecError,
    left_align,
    parse_grch38,
    parse_hgvs_c,
    pick_transcript,
)
from bigmed.germline import acmg
from bigmed.germline.acmg import VariantFacts, classify
from bigmed.knowledge.bundle import gene_facts
from bigmed.knowledge.sources import check_sources
from bigmed.pilots.cardiac import cascade, panels, targeted
from bigmed.pilots.cardiac.coverage import ExonDepth, panel_coverage
from bigmed.pilots.cardiac.interpret import interpretation_document
from bigmed.pilots.cardiac.model import (
    CARRIER,
    NON_CARRIER,
    NOT_ASSESSABLE,
    RelativeGenotype,
    Settings,
    SiteReads,
    Thresholds,
)
from bigmed.pilots.cardiac.reads import calls_at, pileup_reads
from bigmed.report.interpretation import merge
from bigmed.report.interpretation import validate as validate_interpretation
from bigmed.report.targeted import render_html
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

KS = ROOT / "resources" / "knowledge_sources"
REF = ROOT / "resources" / "reference" / "minigenome.fa.gz"
GFF = ROOT / "resources" / "annotation" / "minigenome.gff3"
CMAP = read_contig_map(str(ROOT / "resources" / "reference" / "contigs.tsv"))
TRUTH = ROOT / "resources" / "demo" / "truth"


@pytest.fixture(scope="module")
def genes() -> dict[str, Any]:
    """Gene facts of the shipped Cardiac G2P and ACMG SF sources (as in genes.json)."""
    return gene_facts(
        check_sources(
            {
                "cardiac_g2p": str(KS / "cardiac_g2p" / "Cardiac_G2P.csv.gz"),
                "acmg_sf": str(KS / "acmg" / "acmg.secondaryfindings.v3.txt"),
            }
        )
    )


@pytest.fixture(scope="module")
def transcripts() -> dict[str, Any]:
    return read_gff3(str(GFF))


@pytest.fixture(scope="module")
def fasta() -> pysam.FastaFile:
    return pysam.FastaFile(str(REF))


def seqfn(fa: pysam.FastaFile):  # type: ignore[no-untyped-def]
    def fetch(contig: str, start: int, end: int) -> str:
        if end < start:
            return ""
        return str(fa.fetch(contig, max(0, start - 1), end)).upper()

    return fetch


# ------------------------------------------------------------------------------------ panels

DCM = ["ACTC1", "BAG3", "DES", "DSP", "FLNC", "JPH2", "LMNA", "MYH7", "NEXN", "PLN", "RBM20",
       "SCN5A", "TNNC1", "TNNI3", "TNNT2", "TPM1", "TTN", "VCL"]  # fmt: skip


def test_indication_codes_from_g2p(genes: dict[str, Any]) -> None:
    codes = panels.indications_from_genes(genes)
    assert set(codes) == {"ARVC", "BrS", "CPVT", "DCM", "HCM", "LQTS", "SQTS"}
    assert codes["LQTS"] == "Long QT Syndrome (LQTS)"
    assert panels.indication_code("Some Other Indication") == "SOI"


@pytest.mark.parametrize(
    ("indications", "present", "absent"),
    [
        (["DCM"], DCM, ["KCNQ1", "RYR2", "MYBPC3"]),
        (["lqts"], ["KCNQ1", "KCNH2", "SCN5A", "CACNA1C", "KCNJ2", "TRDN"], ["MYH7", "RYR2"]),
        (["CPVT"], ["RYR2", "CASQ2", "CALM1", "TRDN", "TECRL"], ["KCNQ1"]),
        (["BRS"], ["SCN5A"], ["KCNQ1"]),
        (["LQTS", "BrS"], ["KCNQ1", "SCN5A"], ["RYR2"]),
        (None, ["KCNQ1", "RYR2", "MYH7", "PKP2", "SLC22A5"], ["BRCA1", "APOB"]),
    ],
)
def test_panel_selection(
    genes: dict[str, Any], indications: list[str] | None, present: list[str], absent: list[str]
) -> None:
    p = panels.build_panel(genes, indications, g2p_version="test")
    for g in present:
        assert g in p.diagnostic_genes, g
    for g in absent:
        assert g not in p.genes, g
    assert not p.sf_genes
    if indications == ["DCM"]:
        assert p.diagnostic_genes == DCM
        assert p.indications == ("DCM",)
        lmna = p.genes["LMNA"]
        assert lmna.diseases == "LMNA-related Dilated cardiomyopathy"
        assert lmna.inheritance == "Autosomal dominant (monoallelic_autosomal)"
        assert lmna.mechanism == "altered gene product sequence; decreased gene product level"


def test_panel_validity_and_unknown_codes(genes: dict[str, Any]) -> None:
    strict = panels.build_panel(genes, ["DCM"], min_validity="definitive")
    assert set(DCM) - set(strict.diagnostic_genes) == {"ACTC1", "JPH2", "NEXN", "TNNI3", "TPM1",
                                                        "VCL"}  # fmt: skip
    assert "left out below definitive validity" in strict.notes[0]
    with pytest.raises(ValueError, match="unknown referral indication"):
        panels.build_panel(genes, ["XYZ"])
    # the version names the source and changes with the gene list
    a = panels.build_panel(genes, ["DCM"], g2p_version="v1")
    assert a.version.startswith("Cardiac G2P v1; genes sha256 ")
    assert a.version != strict.version.replace("v1", "unknown")
    assert biallelic(genes)


def biallelic(genes: dict[str, Any]) -> bool:
    cpvt = panels.build_panel(genes, ["CPVT"])
    return cpvt.genes["TECRL"].biallelic_only and not cpvt.genes["RYR2"].biallelic_only


def test_secondary_findings_add_acmg_sf_cardiovascular_genes(genes: dict[str, Any]) -> None:
    p = panels.build_panel(genes, ["LQTS"], secondary_findings=True, sf_version="v3.0")
    assert "KCNQ1" in p.diagnostic_genes and "KCNQ1" not in p.sf_genes
    # GLA and PRKAG2 sit on quoted two-line rows of the published table
    for g in ("MYH7", "RYR2", "LMNA", "PKP2", "FBN1", "LDLR", "GLA", "PRKAG2"):
        assert g in p.sf_genes, g
    assert all(g.isalnum() for g in genes if genes[g]["acmg_sf"])
    assert "BRCA1" not in p.genes  # ACMG SF, but not cardiovascular
    assert p.genes["MYH7"].secondary and p.genes["MYH7"].lists == ["ACMG SF"]
    assert "ACMG SF v3.0" in p.version
    assert p.as_dict()["secondary_genes"] == p.sf_genes


# ----------------------------------------------------------------------------- coverage


def _exons_from_annotation(
    transcripts: dict[str, Any], covered: dict[tuple[str, str], float] | None = None
) -> list[ExonDepth]:
    out = []
    for contig, s, e, name in coding_exons_bed(transcripts, 10):
        gene, tx, exon = name.split(":")
        frac = (covered or {}).get((gene, exon), 1.0)
        out.append(ExonDepth(contig, s, e, gene, tx, exon, int((e - s) * frac)))
    return out


def _annotated(transcripts: dict[str, Any]) -> dict[str, str]:
    from bigmed.genome.gff import preferred_transcripts

    return {g: t.id for g, t in preferred_transcripts(transcripts).items()}


def test_coverage_reports_the_demo_uncovered_exon(
    genes: dict[str, Any], transcripts: dict[str, Any]
) -> None:
    """MYH7 exon 25 (resources/demo/truth/uncovered_exon.tsv) is not assessable, in GRCh38."""
    with open(TRUTH / "uncovered_exon.tsv") as handle:
        truth = next(csv.DictReader(handle, delimiter="\t"))
    exons = _exons_from_annotation(transcripts, {(truth["gene"], f"exon{truth['exon_rank']}"): 0.0})
    p = panels.build_panel(genes, ["DCM"])
    cov = panel_coverage(
        p, exons, annotated=_annotated(transcripts), targets=None, cmap=CMAP,
        min_depth=20, padding=10, sample="CARD01-I",
    )  # fmt: skip
    gaps = cov["coverage"]["gaps"]
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap["gene"], gap["transcript"], gap["exon"]) == ("MYH7", truth["transcript"], "exon25")
    assert gap["chrom"] == truth["grch38_chrom"]
    # the padded exon: the coding exon +-10 bp
    assert (gap["start"], gap["end"]) == (int(truth["grch38_start"]) - 10,
                                          int(truth["grch38_end"]) + 10)  # fmt: skip
    assert gap["fraction_at_min_depth"] == 0.0
    na = {x["what"]: x["reason"] for x in cov["not_assessable"]}
    region = f"MYH7 exon25 ({truth['transcript']}) chr14:{gap['start']}-{gap['end']}"
    assert region in na and na[region].startswith("0.0% of its bases at >= 20x in CARD01-I")
    # panel genes missing from the mini-genome are not assessable, never skipped
    for g in ("TTN", "FLNC", "BAG3"):
        assert f"{g}: whole gene" in na
    assert cov["summary"]["genes_not_in_reference"] == sorted(
        set(DCM) - set(_annotated(transcripts))
    )
    myh7 = next(g for g in cov["coverage"]["genes"] if g["gene"] == "MYH7")
    assert myh7["status"] == "partially assessable"
    exon_bp = int(truth["grch38_end"]) - int(truth["grch38_start"]) + 1 + 20
    assert cov["summary"]["bases"] - cov["summary"]["bases_at_min_depth"] == exon_bp
    assert cov["summary"]["exons"] - cov["summary"]["exons_assessable"] == 1


def test_coverage_of_a_gene_absent_from_the_reference(
    genes: dict[str, Any], transcripts: dict[str, Any]
) -> None:
    p = panels.build_panel(genes, ["CPVT"])
    cov = panel_coverage(
        p, _exons_from_annotation(transcripts), annotated=_annotated(transcripts), targets=None,
        cmap=CMAP, min_depth=20, padding=10, sample="X",
    )  # fmt: skip
    ryr2 = next(g for g in cov["coverage"]["genes"] if g["gene"] == "RYR2")
    assert ryr2 == {"gene": "RYR2", "transcript": None, "coding_bases": 0,
                    "fraction_at_min_depth": 0.0, "status": "not assessable"}  # fmt: skip
    assert any(x["what"] == "RYR2: whole gene" for x in cov["not_assessable"])
    casq2 = next(g for g in cov["coverage"]["genes"] if g["gene"] == "CASQ2")
    assert casq2["status"] == "assessable"
    assert cov["summary"]["genes_assessable"] == 1  # CASQ2 only: the others are not shipped


def test_coverage_outside_targets_is_not_assessable(
    genes: dict[str, Any], transcripts: dict[str, Any]
) -> None:
    p = panels.build_panel(genes, ["BrS"])
    exons = [e for e in _exons_from_annotation(transcripts) if e.gene == "SCN5A"]
    first = exons[0]
    targets = {first.contig: [(first.start0, first.end)]}
    cov = panel_coverage(
        p, exons, annotated=_annotated(transcripts), targets=targets, cmap=None,
        min_depth=20, padding=10, sample="X",
    )  # fmt: skip
    reasons = [x["reason"] for x in cov["not_assessable"]]
    assert len(reasons) == len(exons) - 1
    assert all(r == "outside the targets BED: not called" for r in reasons)


# -------------------------------------------------------------------------- cascade genotypes

TH = Thresholds(min_depth=20, min_alt_reads=3, min_vaf=0.2)


@pytest.mark.parametrize(
    ("alt", "depth", "status"),
    [
        (13, 32, CARRIER),
        (3, 12, CARRIER),  # shallow but clearly present
        (0, 35, NON_CARRIER),
        (2, 20, NON_CARRIER),  # a heterozygote shows <= 2 of 20 with p = 2e-4
        (0, 12, NOT_ASSESSABLE),  # low depth: absence is not evidence
        (1, 19, NOT_ASSESSABLE),
        (2, 8, NOT_ASSESSABLE),
        (5, 60, NOT_ASSESSABLE),  # VAF 8 %: neither a heterozygote nor error
        (0, 0, NOT_ASSESSABLE),
    ],
)
def test_carrier_status(alt: int, depth: int, status: str) -> None:
    got, reason = cascade.carrier_status(
        SiteReads("joint calls", None, depth - alt, alt, depth), TH
    )
    assert got == status, reason


def test_carrier_status_without_read_counts() -> None:
    assert cascade.carrier_status(SiteReads("joint calls", "0/1"), TH)[0] == CARRIER
    assert cascade.carrier_status(SiteReads("joint calls", "0/0"), TH)[0] == NOT_ASSESSABLE
    assert cascade.het_miss_probability(20, 2) == pytest.approx(211 / 2**20)


CONTIG_SEQ = "".join(random.Random(7).choice("ACGT") for _ in range(400))


def _bam(tmp_path: Path, name: str, reads: list[tuple[int, str, str]]) -> str:
    """A sorted, indexed BAM of (start0, sequence, cigar) reads on one contig 'c1'."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c1", "LN": len(CONTIG_SEQ)}]}
    path = str(tmp_path / f"{name}.bam")
    with pysam.AlignmentFile(path, "wb", header=header) as out:
        for i, (start, seq, cigar) in enumerate(sorted(reads)):
            a = pysam.AlignedSegment()
            a.query_name = f"r{i}"
            a.query_sequence = seq
            a.flag = 0
            a.reference_id = 0
            a.reference_start = start
            a.mapping_quality = 60
            a.cigarstring = cigar
            a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
            out.write(a)
    pysam.index(path)
    return path


def _reads(n_ref: int, n_alt: int, pos: int, alt: str | None = None, kind: str = "snv"):  # type: ignore[no-untyped-def]
    """Reads over 1-based ``pos``: reference copies and copies carrying the allele."""
    start = pos - 30
    ref_seq = CONTIG_SEQ[start : start + 60]
    out = [(start, ref_seq, "60M")] * n_ref
    i = pos - 1 - start
    if kind == "snv":
        mut = ref_seq[:i] + alt + ref_seq[i + 1 :]
        out += [(start, mut, "60M")] * n_alt
    elif kind == "del2":  # delete the two bases after pos
        mut = ref_seq[: i + 1] + CONTIG_SEQ[pos + 2 : pos + 2 + 59 - i]
        out += [(start, mut, f"{i + 1}M2D{len(mut) - i - 1}M")] * n_alt
    elif kind == "insGT":
        mut = ref_seq[: i + 1] + "GT" + ref_seq[i + 1 : 58]
        out += [(start, mut, f"{i + 1}M2I{len(mut) - i - 3}M")] * n_alt
    return out


@pytest.mark.parametrize(
    ("n_ref", "n_alt", "status"),
    [(15, 14, CARRIER), (30, 0, NON_CARRIER), (6, 0, NOT_ASSESSABLE), (40, 5, NOT_ASSESSABLE)],
)
def test_pileup_genotypes(tmp_path: Path, n_ref: int, n_alt: int, status: str) -> None:
    pos = 200
    ref = CONTIG_SEQ[pos - 1]
    alt = "A" if ref != "A" else "C"
    bam = _bam(tmp_path, "s", _reads(n_ref, n_alt, pos, alt))
    reads = pileup_reads(bam, "c1", pos, ref, alt)
    assert (reads.ref_reads, reads.alt_reads, reads.depth) == (n_ref, n_alt, n_ref + n_alt)
    assert cascade.carrier_status(reads, TH)[0] == status


def test_pileup_indels_and_filters(tmp_path: Path) -> None:
    pos = 150
    ref_del = CONTIG_SEQ[pos - 1 : pos + 2]
    bam = _bam(tmp_path, "d", _reads(10, 8, pos, kind="del2"))
    got = pileup_reads(bam, "c1", pos, ref_del, ref_del[0])
    assert (got.ref_reads, got.alt_reads) == (10, 8)
    bam = _bam(tmp_path, "i", _reads(12, 9, pos, kind="insGT"))
    anchor = CONTIG_SEQ[pos - 1]
    got = pileup_reads(bam, "c1", pos, anchor, anchor + "GT")
    assert (got.ref_reads, got.alt_reads) == (12, 9)
    # a different insertion at the same place is not the allele
    assert pileup_reads(bam, "c1", pos, anchor, anchor + "CC").alt_reads == 0
    # reads below the mapping-quality limit are not counted
    assert pileup_reads(bam, "c1", pos, anchor, anchor + "GT", min_mapq=61).depth == 0
    assert "not in the BAM" in pileup_reads(bam, "chr9", 5, "A", "C").note


def test_relative_without_a_call_is_read_from_the_bam() -> None:
    rel = {"sample": "R", "role": "sibling", "affected": "yes"}
    no_call = SiteReads("joint calls", "./.", None, None, 0)
    pile = SiteReads("BAM pileup", None, 10, 9, 19)
    g = cascade.genotype(rel, no_call, TH, pile)
    assert (g.status, g.reads.source, g.reads.gt) == (CARRIER, "BAM pileup", "./.")
    assert "no call in the joint calls" in g.reads.note
    called = SiteReads("joint calls", "0/0", 30, 0, 30)
    assert cascade.genotype(rel, called, TH, pile).status == NON_CARRIER  # the call wins
    assert cascade.genotype(rel, None, TH, None).status == NOT_ASSESSABLE


def test_calls_at_reads_ad_and_dp(tmp_path: Path) -> None:
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="d">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="a">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tI\tS\tR\n"
        "chr1\t156136094\t.\tG\tA\t99\tPASS\t.\tGT:DP:AD\t0/1:37:16,21\t0/1:32:19,13\t./.:0:0,0\n"
    )
    calls = calls_at(str(vcf), ["chr1-156136094-G-A", "chr1-1-A-C"])
    site = calls["chr1-156136094-G-A"]
    assert site["S"] == SiteReads("joint calls", "0/1", 19, 13, 32)
    assert not site["R"].has_call and site["I"].has_call
    assert "chr1-1-A-C" not in calls


# ------------------------------------------------------------------------------ segregation


def _g(sample: str, role: str, affected: str, status: str) -> RelativeGenotype:
    return RelativeGenotype(sample, role, affected, status, "", SiteReads("joint calls"))


INDEX = {"sample": "I", "role": "proband", "affected": "yes"}


def test_segregation_counts_affected_carriers_only() -> None:
    s = cascade.segregation(
        INDEX, [_g("S", "sibling", "yes", CARRIER), _g("R", "relative", "no", NON_CARRIER)]
    )
    assert s.evidence.segregation_meioses == 1 and s.evidence.nonsegregation is False
    assert s.affected_carriers == ("S",)
    assert "R non-carrier (not counted" in s.summary
    bs4 = cascade.segregation(INDEX, [_g("S", "sibling", "yes", NON_CARRIER)])
    assert bs4.evidence.nonsegregation is True and bs4.evidence.segregation_meioses == 0
    none = cascade.segregation(INDEX, [_g("S", "sibling", "yes", NOT_ASSESSABLE)])
    assert none.evidence.segregation_meioses is None and none.evidence.nonsegregation is None
    unaffected_index = cascade.segregation({**INDEX, "affected": "unknown"}, [])
    assert unaffected_index.evidence.segregation_meioses is None
    trio = cascade.segregation(
        INDEX, [_g("M", "mother", "no", NON_CARRIER), _g("F", "father", "no", NON_CARRIER)]
    )
    assert trio.evidence.de_novo == "assumed"


def test_segregation_feeds_pp1_and_bs4() -> None:
    facts = VariantFacts("chr1-1-G-A", "LMNA", "missense", "c.1G>A", "p.(X1Y)")
    three = cascade.segregation(INDEX, [_g(x, "relative", "yes", CARRIER) for x in "ABC"])
    met = {c.label for c in classify(facts, three.evidence).met}
    assert "PP1" in met
    one = cascade.segregation(INDEX, [_g("S", "sibling", "yes", CARRIER)])
    pp1 = next(c for c in classify(facts, one.evidence).criteria if c.code == "PP1")
    assert not pp1.met and "(3 needed)" in pp1.evidence
    bs4 = cascade.segregation(INDEX, [_g("S", "sibling", "yes", NON_CARRIER)])
    assert "BS4" in {c.code for c in classify(facts, bs4.evidence).met}


def test_cascade_rows_offer_predictive_testing_for_plp_only() -> None:
    rels = [_g("S", "sibling", "no", CARRIER), _g("R", "relative", "no", NON_CARRIER),
            _g("T", "relative", "no", NOT_ASSESSABLE)]  # fmt: skip
    rows = cascade.cascade_rows("LMNA c.1G>A", "Likely pathogenic", INDEX, rels)
    assert rows[0][0].endswith("of I, S") and rows[0][2].startswith("predictive genetic testing")
    offers = {r[0].split()[0]: r[2] for r in rows[1:]}
    assert offers["S"].startswith("predictive result positive")
    assert offers["R"].startswith("predictive result negative")
    assert offers["T"].startswith("result not assessable")
    vus = cascade.cascade_rows("LMNA c.1G>A", "Uncertain significance", INDEX, rels)
    assert vus[0][2] == "no predictive testing for this variant"
    assert cascade.cascade_rows("x", "Likely benign", INDEX, rels) == []


# ----------------------------------------------------------------- interpretation document


def _join_doc(genes: dict[str, Any], variants: list[dict[str, Any]]) -> dict[str, Any]:
    src = {"configured": True, "complete": True, "name": "x", "version": "1"}
    return {
        "patient": "P",
        "knowledge_bases": [{"name": "Cardiac G2P", "version": "test"}],
        "sources": {k: dict(src) for k in ("gnomad", "clinvar", "hotspots", "hotspots_residues")},
        "genes": genes,
        "variants": variants,
    }


def _variant(vid: str, gene: str, consequence: str, hgvs_c: str, **kw: Any) -> dict[str, Any]:
    chrom, pos, ref, alt = vid.split("-")
    v = {"id": vid, "chrom": chrom, "pos": int(pos), "ref": ref, "alt": alt, "filter": "PASS",
         "gene": gene, "transcript": "T", "consequence": consequence, "hgvs_c": hgvs_c,
         "hgvs_p": kw.pop("hgvs_p", None), "population": None, "clinvar": None,
         "clinvar_codon": [], "hotspot": None, "assertions": [],
         "transcript_facts": None}  # fmt: skip
    v.update(kw)
    return v


LMNA_VUS = "chr1-156136094-G-A"  # LMNA c.1130G>A, exon 6
LMNA_LOF = "chr1-156134400-C-T"  # exon 3 (a made-up stop)
LMNA_DEEP = "chr1-156135039-T-C"  # c.810+64T>C
BRCA1_X = "chr17-43071077-T-C"  # outside the cardiac panel


def _document(genes: dict[str, Any], transcripts: dict[str, Any], **kw: Any) -> dict[str, Any]:
    samples = [INDEX, {"sample": "S", "role": "sibling", "affected": "yes"},
               {"sample": "R", "role": "relative", "affected": "no"}]  # fmt: skip
    tf = {"nmd_escape": False, "exon": 3, "exon_count": 12}
    variants = [
        _variant(LMNA_VUS, "LMNA", "missense", "c.1130G>A", hgvs_p="p.(Arg377His)"),
        _variant(LMNA_LOF, "LMNA", "stop_gained", "c.600C>T", hgvs_p="p.(Gln200Ter)",
                 transcript_facts=tf),
        _variant(LMNA_DEEP, "LMNA", "intron", "c.810+64T>C"),
        _variant(BRCA1_X, "BRCA1", "missense", "c.4837A>G"),
    ]  # fmt: skip
    het = SiteReads("joint calls", "0/1", 15, 15, 30)
    ref = SiteReads("joint calls", "0/0", 30, 0, 30)
    nocall = SiteReads("joint calls", "./.", None, None, 0)
    calls = {
        LMNA_VUS: {"I": het, "S": het, "R": ref},
        LMNA_LOF: {"I": het, "S": nocall, "R": ref},
        LMNA_DEEP: {"I": het, "S": het, "R": het},
        BRCA1_X: {"I": het, "S": het, "R": het},
    }
    pileups: list[tuple[str, str, int]] = []

    def pileup(sample: str, contig: str, pos: int, r: str, a: str) -> SiteReads:
        pileups.append((sample, contig, pos))
        return SiteReads("BAM pileup", None, 6, 0, 6)  # shallow: not assessable

    panel = panels.build_panel(genes, ["DCM"], g2p_version="test")
    doc = interpretation_document(
        _join_doc(genes, variants),
        samples=samples,
        panel=panel,
        exons=_exons_from_annotation(transcripts, {("MYH7", "exon25"): 0.0}),
        annotated=_annotated(transcripts),
        targets=None,
        cmap=CMAP,
        contigs={},
        calls=calls,
        pileup=pileup,
        overrides=acmg.Overrides(genes={"LMNA": {"lof_mechanism": True}}),
        **kw,
    )
    doc["_pileups"] = pileups
    return doc


def test_interpretation_document(genes: dict[str, Any], transcripts: dict[str, Any]) -> None:
    doc = _document(genes, transcripts)
    pileups = doc.pop("_pileups")
    validate_interpretation(doc)
    # the P/LP finding with G2P disease, inheritance and mechanism
    (f,) = doc["findings"]
    assert f["variant_id"] == LMNA_LOF and f["classification"] in (
        "Pathogenic",
        "Likely pathogenic",
    )
    assert "LMNA-related Dilated cardiomyopathy" in f["summary"]
    assert "Autosomal dominant" in f["summary"] and "decreased gene product level" in f["summary"]
    assert ".." not in f["summary"] and ". Segregation: " in f["summary"]
    assert f["zygosity"] == "heterozygous" and not f["secondary"]
    # the sibling has no call there: read from the BAM (shallow -> not assessable)
    assert pileups == [("S", "chr1_156077573_156142087", 156134400 - 156077573 + 1)]
    assert any(x["what"].startswith("S (sibling) at LMNA") for x in doc["not_assessable"])
    # nothing outside the panel is classified
    assert BRCA1_X not in doc["variants"] and LMNA_VUS in doc["variants"]
    sections = {s["id"]: s for s in doc["sections"]}
    assert [r[0] for r in sections["cardiac-vus"]["rows"]] == [LMNA_VUS]  # deep intron left out
    assert "1 further VUS" in sections["cardiac-vus"]["note"]
    geno = sections["family-genotypes"]["rows"]
    assert {(r[2], r[5]) for r in geno if LMNA_VUS in r[0]} == {("S", CARRIER), ("R", NON_CARRIER)}
    plan = sections["cascade-testing"]["rows"]
    assert any(r[2].startswith("predictive genetic testing") and LMNA_LOF in r[1] for r in plan)
    assert not any(r[2].startswith("predictive genetic testing") and LMNA_VUS in r[1] for r in plan)
    panel_rows = {r[0]: r for r in sections["cardiac-panel"]["rows"]}
    assert set(panel_rows) == set(DCM) and panel_rows["TTN"][-1] == "not in reference"
    assert "MYH7 exon25" in " ".join(x["what"] for x in doc["not_assessable"])
    assert doc["coverage"]["scope"].startswith("panel DCM (18 genes)")
    assert doc["panel"]["genes"] == DCM and doc["panel"]["coverage"]["genes"] == 18
    assert "1 VUS" in doc["note"]
    # the genes the reference lacks are named in the summary before the covered fraction
    absent = doc["panel"]["coverage"]["genes_not_in_reference"]
    assert "TTN" in absent
    lead = f"Not assessable: {len(absent)} of 18 panel genes are not in the reference ("
    assert lead in doc["note"] and "TTN" in doc["note"]
    assert doc["note"].index(lead) < doc["note"].index("of the coding bases")
    assert "of the panel's coding bases" not in doc["note"]


def test_vus_switch_off(genes: dict[str, Any], transcripts: dict[str, Any]) -> None:
    doc = _document(genes, transcripts, settings=Settings(report_vus=False))
    doc.pop("_pileups")
    ids = {s["id"] for s in doc["sections"]}
    assert "cardiac-vus" not in ids
    assert all(LMNA_VUS not in r[1] for r in next(
        s for s in doc["sections"] if s["id"] == "cascade-testing")["rows"])  # fmt: skip
    assert "1 VUS (not listed" in doc["note"]


def test_merge_replaces_coverage(genes: dict[str, Any], transcripts: dict[str, Any]) -> None:
    doc = _document(genes, transcripts)
    doc.pop("_pileups")
    report = {
        "findings": [],
        "not_assessable": [{"what": "APC (NM_000038.4)",
                            "reason": "not assessable: 0.0% of coding bases at >= 20x"},
                           {"what": "sample X", "reason": "QC failed"}],
        "coverage": {"min_depth": 20, "exon_padding": 10, "genes": [
            {"gene": "APC", "transcript": "NM_000038.4", "coding_bases": 10,
             "fraction_at_min_depth": 0.0, "status": "not assessable"}], "gaps": []},
        "provenance": {"knowledge_bases": []},
        "variants": [],
    }  # fmt: skip
    merge(report, doc)
    whats = [x["what"] for x in report["not_assessable"]]
    assert "APC (NM_000038.4)" not in whats and "sample X" in whats
    assert report["coverage"] == doc["coverage"] and report["panel"] == doc["panel"]


# ------------------------------------------------------------------ variant placement (HGVS)


def test_hgvs_c_of_the_demo_variant(transcripts: dict[str, Any], fasta: pysam.FastaFile) -> None:
    with open(TRUTH / "CARD01.tsv") as handle:
        causal = next(
            r for r in csv.DictReader(handle, delimiter="\t") if r["note"].startswith("causal")
        )
    tx = pick_transcript(transcripts, "LMNA")
    locus = parse_hgvs_c(tx, "c.1130G>A", seqfn(fasta), CMAP)
    expected = (causal["grch38_chrom"], int(causal["grch38_pos"]), causal["ref"], causal["alt"])
    assert (locus.chrom, locus.grch38_pos, locus.ref, locus.alt) == expected
    assert (locus.contig, locus.pos) == (causal["contig"], int(causal["contig_pos"]))
    assert pick_transcript(transcripts, "LMNA", "NM_005572").id == "NM_005572.3"
    same = parse_grch38("chr1", 156136094, "G", "A", seqfn(fasta), {}, CMAP)
    assert same == locus
    with pytest.raises(VariantSpecError, match=r"reference base at c\.1130 is G, not C"):
        parse_hgvs_c(tx, "c.1130C>A", seqfn(fasta), CMAP)
    with pytest.raises(VariantSpecError, match="has reference G, not T"):
        parse_grch38("chr1", 156136094, "T", "A", seqfn(fasta), {}, CMAP)
    with pytest.raises(VariantSpecError, match="not in any reference contig"):
        parse_grch38("chr2", 5, "T", "A", seqfn(fasta), {}, CMAP)
    with pytest.raises(VariantSpecError, match=r"not an HGVS c\."):
        parse_hgvs_c(tx, "p.Arg377His", seqfn(fasta), CMAP)
    with pytest.raises(VariantSpecError, match="not in the annotation"):
        pick_transcript(transcripts, "LMNA", "NM_999999.1")


@settings(max_examples=150, deadline=None)
@given(
    gene=st.sampled_from(["LMNA", "MYH7", "KCNQ1", "SCN5A", "KCNJ2"]),
    where=st.floats(0, 1),
    kind=st.sampled_from(["snv", "del", "ins"]),
    size=st.integers(1, 4),
    alt=st.sampled_from("ACGT"),
    offset=st.sampled_from([0, 0, 0, -3, 2, 7]),
)
def test_hgvs_c_round_trip(
    transcripts: dict[str, Any], fasta: pysam.FastaFile, gene: str, where: float, kind: str,
    size: int, alt: str, offset: int,
) -> None:  # fmt: skip
    """parse_hgvs_c(describe(x)) is x, left-aligned, on both strands, exonic and intronic."""
    tx = pick_transcript(transcripts, gene)
    seq = seqfn(fasta)
    cds = sorted(tx.cds)
    exon = cds[min(len(cds) - 1, int(where * len(cds)))]
    pos = min(exon[1], exon[0] + int(where * 997) % (exon[1] - exon[0] + 1)) + offset
    ref_base = seq(tx.contig, pos, pos)
    if kind == "snv":
        if alt == ref_base:
            return
        ref, alt_allele = ref_base, alt
    elif kind == "del":
        ref, alt_allele = seq(tx.contig, pos, pos + size), ref_base
    else:
        ref, alt_allele = ref_base, ref_base + (alt * size)
    h = describe(tx, pos, ref, alt_allele, lambda s, e: seq(tx.contig, s, e))
    locus = parse_hgvs_c(tx, h.c, seq)
    expected = left_align(tx.contig, pos, ref, alt_allele, seq)
    assert (locus.pos, locus.ref, locus.alt) == expected, h.c


# --------------------------------------------------------------------- targeted (one relative)


@pytest.mark.parametrize(
    ("reads", "result"),
    [
        (SiteReads("joint calls", "0/1", 19, 13, 32), "carrier"),
        (SiteReads("BAM pileup", None, 35, 0, 35), "non-carrier"),
        (SiteReads("BAM pileup", None, 7, 0, 7), "not assessable"),
    ],
)
def test_targeted_report(
    transcripts: dict[str, Any], fasta: pysam.FastaFile, reads: SiteReads, result: str
) -> None:
    tx = pick_transcript(transcripts, "LMNA")
    locus = parse_hgvs_c(tx, "c.1130G>A", seqfn(fasta), CMAP)
    doc = targeted.targeted_document(
        patient="CARD01",
        sample={"sample": "CARD01-R", "role": "relative", "affected": "no"},
        spec={"sample": "CARD01-R", "gene": "LMNA", "hgvs_c": "c.1130G>A"},
        locus=locus, gene="LMNA", transcript=tx.id, hgvs_c="c.1130G>A",
        hgvs_p="p.(Arg377His)", reads=reads, thresholds=TH,
        provenance={"pipeline_version": "0.1.0"},
        classification=targeted.variant_class(FAMILY_DOC_LP, "chr1-156136094-G-A", "CARD01"),
    )  # fmt: skip
    assert doc["result"] == result
    assert doc["classification"]["class"] == "Likely pathogenic"
    assert doc["variant"]["id"] == "chr1-156136094-G-A"
    assert doc["requested"] == "LMNA c.1130G>A"
    html = render_html(doc)
    assert "<p class='result" in html and result in html and "c.1130G&gt;A" in html
    with open(ROOT / "workflow" / "schemas" / "targeted.schema.json") as handle:
        jsonschema.Draft202012Validator(json.load(handle)).validate(doc)
    if result == "non-carrier":
        assert "probability" in doc["conclusion"]
        assert doc["advice"].startswith("Predictive result negative")


def _family_doc(cls: str) -> dict[str, Any]:
    """The part of a family's cardiac interpretation the targeted report reads."""
    acmg_ev = {"type": "acmg", "class": cls, "points": 0, "criteria_met": [], "engine": "e"}
    return {"variants": {"chr1-156136094-G-A": {"classification": cls, "evidence": [acmg_ev]}}}


FAMILY_DOC_LP = _family_doc("Likely pathogenic")


@pytest.mark.parametrize("family", [_family_doc("Uncertain significance"), {"variants": {}}])
@pytest.mark.parametrize(
    "reads",
    [SiteReads("BAM pileup", None, 35, 0, 35), SiteReads("joint calls", "0/1", 19, 13, 32)],
)
def test_a_vus_is_never_a_predictive_result(
    transcripts: dict[str, Any],
    fasta: pysam.FastaFile,
    family: dict[str, Any],
    reads: SiteReads,
) -> None:
    """A VUS (or a variant the family's report did not classify) gives no predictive result,
    positive or negative; the document carries the class and its source."""
    tx = pick_transcript(transcripts, "LMNA")
    locus = parse_hgvs_c(tx, "c.1130G>A", seqfn(fasta), CMAP)
    cls = targeted.variant_class(family, locus.id, "CARD01")
    doc = targeted.targeted_document(
        patient="CARD01", sample={"sample": "R", "role": "relative", "affected": "no"},
        spec={"sample": "R", "gene": "LMNA", "hgvs_c": "c.1130G>A"}, locus=locus,
        gene="LMNA", transcript=tx.id, hgvs_c="c.1130G>A", hgvs_p="p.(Arg377His)",
        reads=reads, thresholds=TH, provenance={}, classification=cls,
    )  # fmt: skip
    assert doc["classification"]["class"] in ("Uncertain significance", None)
    assert "report of patient CARD01" in doc["classification"]["source"]
    text = (doc["conclusion"] + doc["advice"] + render_html(doc)).lower()
    assert "predictive result negative" not in text and "predictive result positive" not in text
    assert doc["advice"].startswith("Not a predictive result")
    assert "does not change this person's risk assessment" in doc["advice"]
    assert "index case's phenotype" in doc["advice"]


# ------------------------------------------------------------------ secondary findings (SF)


def test_acmg_sf_reporting_rules(genes: dict[str, Any]) -> None:
    p = panels.build_panel(genes, ["LQTS"], secondary_findings=True)
    assert p.genes["TTN"].sf_reportable("missense", 1) == (
        False,
        "ACMG SF reports truncating TTN variants only",
    )
    assert p.genes["TTN"].sf_reportable("frameshift", 1)[0]
    assert not p.genes["CASQ2"].sf_reportable("missense", 1)[0]  # "P and LP (2 variants)"
    assert p.genes["CASQ2"].sf_reportable("missense", 2)[0]
    assert p.genes["MYH7"].sf_reportable("missense", 1)[0]


def test_recessive_gene_segregation_is_not_counted() -> None:
    s = cascade.segregation(INDEX, [_g("S", "sibling", "yes", CARRIER)], recessive=True)
    assert s.evidence.segregation_meioses is None and s.evidence.nonsegregation is None
    assert "recessive" in s.summary


def test_secondary_findings_in_the_document(
    genes: dict[str, Any], transcripts: dict[str, Any]
) -> None:
    tf = {"nmd_escape": False, "exon": 3, "exon_count": 40}
    myh7 = "chr14-23425000-G-A"
    ttn = "chr2-178527000-C-T"
    variants = [
        _variant(myh7, "MYH7", "stop_gained", "c.1000C>T", transcript_facts=tf),
        _variant(
            ttn, "TTN", "missense", "c.5000G>A", hgvs_p="p.(Arg1667His)",
            clinvar_codon=[{"variation_id": "1", "class": "Pathogenic", "stars": 2,
                            "hgvs_p": "p.(Arg1667His)", "relation": "same_aa"}],
            hotspot={"residue": [{"residue": "R1667", "type": "single residue"}]},
        ),
    ]  # fmt: skip
    het = SiteReads("joint calls", "0/1", 15, 15, 30)
    overrides = acmg.Overrides(
        genes={"MYH7": {"lof_mechanism": True}, "TTN": {"lof_mechanism": True}},
        defaults=acmg.GeneRules(),
    )
    p = panels.build_panel(genes, ["LQTS"], secondary_findings=True, sf_version="v3.0")
    doc = interpretation_document(
        _join_doc(genes, variants),
        samples=[INDEX],
        panel=p,
        exons=_exons_from_annotation(transcripts),
        annotated=_annotated(transcripts),
        targets=None,
        cmap=CMAP,
        contigs={},
        calls={myh7: {"I": het}, ttn: {"I": het}},
        overrides=overrides,
    )
    validate_interpretation(doc)
    assert doc["variants"][ttn]["classification"] == "Likely pathogenic"  # PS1 + PM1
    (f,) = doc["findings"]  # TTN missense: the SF list reports truncating TTN variants only
    assert "ACMG SF reports truncating TTN variants only" in doc["note"]
    assert f["gene"] == "MYH7" and f["secondary"]
    assert f["summary"].startswith("Secondary finding (ACMG SF v3.0")
    # a VUS in an SF gene is never listed; SF gene coverage gaps are marked as such
    assert not next(s for s in doc["sections"] if s["id"] == "cardiac-vus")["rows"]
    assert "TTN (secondary findings): whole gene" in {x["what"] for x in doc["not_assessable"]}
    summary = doc["panel"]["coverage"]  # the diagnostic panel's figures, SF genes apart
    assert summary["genes"] == len(p.diagnostic_genes)
    assert summary["secondary_findings"]["genes"] == len(p.sf_genes)


# ---------------------------------------------------------------------- sheet and config


SHEET = (
    "patient\tsample\trole\tsex\taffected\tpilot\tindication\n"
    "C1\tC1-I\tproband\tfemale\tyes\tcardiac\tLQTS;brs\n"
    "C1\tC1-S\tsibling\tmale\tyes\tcardiac\tDCM\n"
    "C2\tC2-I\tproband\tmale\tyes\tcardiac\t\n"
)


def test_indication_column(tmp_path: Path, genes: dict[str, Any]) -> None:
    from bigmed.base.errors import InputError
    from bigmed.intake.sheets import group_patients, read_samples

    sheet = tmp_path / "samples.tsv"
    sheet.write_text(SHEET)
    samples = read_samples(sheet)
    assert samples[0].indication == ("LQTS", "brs") and samples[2].indication == ()
    known = panels.g2p_indications(str(KS / "cardiac_g2p" / "Cardiac_G2P.csv.gz"))
    assert known == panels.indications_from_genes(genes)
    patients = group_patients(samples).values()
    got = panels.patient_indications(patients, known, None, str(sheet))
    assert got == {"C1": ["LQTS", "BrS", "DCM"], "C2": None}
    assert panels.patient_indications(patients, known, ["hcm"], str(sheet))["C2"] == ["HCM"]
    with pytest.raises(InputError, match=r"field 'cardiac\.indications': 'X'"):
        panels.patient_indications(patients, known, ["X"], str(sheet))
    sheet.write_text(SHEET.replace("LQTS;brs", "LQTS;XX"))
    with pytest.raises(InputError, match="line 2: field 'indication': 'XX' is not a Cardiac"):
        panels.patient_indications(group_patients(read_samples(sheet)).values(), known, None, "s")
    sheet.write_text(SHEET.replace("\tcardiac\tDCM", "\trare_disease\tDCM"))
    with pytest.raises(InputError, match="line 3: field"):
        read_samples(sheet)  # two pilots in C1, or an indication outside cardiac
    sheet.write_text(SHEET.replace("C2\tC2-I\tproband\tmale\tyes\tcardiac\t", "C2\tC2-I\tproband"
                                   "\tmale\tyes\trare_disease\tDCM"))  # fmt: skip
    with pytest.raises(InputError, match="line 4: field 'indication': a referral indication"):
        read_samples(sheet)


# ------------------------------------------------------------ targeted items at start-up


@pytest.mark.parametrize("indexed", [True, False])
@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"gene": "LMNA", "hgvs_c": "c.1130G>A"}, None),
        ({"chrom": "chr1", "pos": 156136094, "ref": "G", "alt": "A"}, None),
        ({"gene": "LMNA", "hgvs_c": "c.1130C>A"}, "the reference base at c.1130 is G, not C"),
        ({"gene": "LMNA", "hgvs_c": "c.1130G->A"}, "is not an HGVS c. substitution"),
        ({"gene": "LMNA", "hgvs_c": "c.99999G>A"}, "c.99999"),
        ({"chrom": "chr1", "pos": 156136094, "ref": "C", "alt": "A"}, "has reference G, not C"),
    ],
)
def test_targeted_items_are_placed_at_start(
    tmp_path: Path, item: dict[str, Any], message: str | None, indexed: bool
) -> None:
    """A misspelled HGVS or a wrong reference base stops the run before any job."""
    from bigmed.base.errors import InputError
    from bigmed.genome.reference import fasta_contigs
    from bigmed.intake.sheets import Sample

    fasta = str(REF)
    if not indexed:  # a FASTA without index files: the contigs are read, nothing is written
        fasta = str(tmp_path / "ref.fa.gz")
        Path(fasta).write_bytes(REF.read_bytes())
    samples = {"R": Sample("CARD01", "R", "relative", "male", "no", "cardiac")}
    contigs = fasta_contigs(str(REF))
    kwargs = {"annotation": str(GFF), "fasta": fasta, "contigs": contigs, "cmap": CMAP}
    if message is None:
        targeted.check_items([{"sample": "R", **item}], samples, **kwargs)  # type: ignore[arg-type]
    else:
        with pytest.raises(InputError, match=message.replace("(", r"\(").replace(".", r"\.")):
            targeted.check_items([{"sample": "R", **item}], samples, **kwargs)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if indexed else ["ref.fa.gz"])

"""In-silico predictors: the score readers (tabix TSV, VCF), the calibrated PP3/BP4 strengths
and the splicing side of BP7. Scores have non-commercial licences: the files here are
written by the tests, never shipped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pysam
import pytest
from bigmed.base.errors import InputError
from bigmed.genome.reference import GRCH38_LENGTHS
from bigmed.germline import acmg
from bigmed.germline import predictors as pred
from bigmed.germline.acmg import GeneFacts, Overrides, Population, VariantFacts, classify
from bigmed.germline.classify import facts_from_annotation, not_assessable
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.sources import check_sources
from conftest import ROOT

from unit.realvariants import annotated, shipped_sources, variant

OVERRIDES = acmg.load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))
MYH7_HEAD = ("chr14", 23424025, "T", "A")  # MYH7 p.Glu935Val (panel: PM1, PP3)
PIK3CA_SYN = ("chr3", 179221010, "T", "C")  # PIK3CA p.Val680= (panel: BP4, BP7, LB)
CDH1_START = ("chr16", 68737417, "T", "A")  # CDH1 c.2T>A: a null variant
FBN1_SPLICE = ("chr15", 48437004, "G", "A")  # FBN1 c.6453C>T: synonymous, a splice defect


def write_scores(path: Path, column: str, rows: list[tuple[str, int, str, str, float]]) -> str:
    """A bgzipped, tabix-indexed score TSV (contigs without 'chr', as dbNSFP-style files)."""
    plain = path.with_suffix("")
    lines = [f"#chr\tgrch38_pos\tref\talt\t{column}"]
    lines += [f"{c.removeprefix('chr')}\t{p}\t{r}\t{a}\t{s}" for c, p, r, a, s in sorted(rows)]
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True)
    return str(path)


def write_spliceai(path: Path, rows: list[tuple[str, int, str, str, str, tuple]]) -> str:
    """A SpliceAI-style VCF: INFO SpliceAI=ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_..."""
    header = pysam.VariantHeader()
    header.add_line("##reference=GRCh38")
    for c, n in GRCH38_LENGTHS.items():
        header.contigs.add(c, length=n)
    header.add_meta(
        "INFO",
        items=[("ID", "SpliceAI"), ("Number", "."), ("Type", "String"), ("Description", "x")],
    )
    plain = path.with_suffix("")
    with pysam.VariantFile(str(plain), "w", header=header) as out:
        for chrom, pos, ref, alt, gene, ds in rows:
            rec = out.new_record(contig=chrom, start=pos - 1, alleles=(ref, alt))
            rec.info["SpliceAI"] = f"{alt}|{gene}|{'|'.join(map(str, ds))}|1|-2|3|-4"
            out.write(rec)
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return str(path)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("scores")
    revel = write_scores(
        out / "revel.tsv.gz", "REVEL", [(*MYH7_HEAD, 0.95), ("chr3", 179221010, "T", "A", 0.1)]
    )
    splice = write_spliceai(
        out / "spliceai.vcf.gz",
        [
            (*PIK3CA_SYN, "PIK3CA", (0.01, 0.02, 0.0, 0.0)),
            (*MYH7_HEAD, "MYH7", (0, 0, 0.3, 0)),
            (*FBN1_SPLICE, "FBN1", (0.0, 0.0, 0.61, 0.05)),
        ],
    )
    sources = shipped_sources(revel={"path": revel}, spliceai={"path": splice})
    build_bundle(check_sources(sources), str(out / "bundle"))
    alleles = [MYH7_HEAD, PIK3CA_SYN, CDH1_START, FBN1_SPLICE]
    return annotated(alleles, Bundle(str(out / "bundle")), out)


def test_readers_join_scores_by_allele(scored):
    assert variant(scored, MYH7_HEAD)["predictors"] == {"revel": 0.95, "spliceai": 0.3}
    # SpliceAI's maximum delta score; no REVEL row for the synonymous allele
    assert variant(scored, PIK3CA_SYN)["predictors"] == {"revel": None, "spliceai": 0.02}


def test_real_variants_reach_the_panels_criteria(scored):
    myh7 = classify(facts_from_annotation(variant(scored, MYH7_HEAD), scored), None, OVERRIDES)
    pp3 = next(c for c in myh7.criteria if c.code == "PP3")
    assert pp3.met and pp3.strength == "strong" and "REVEL 0.95 >= 0.932" in pp3.evidence
    syn = classify(facts_from_annotation(variant(scored, PIK3CA_SYN), scored), None, OVERRIDES)
    assert {c.code for c in syn.met} == {"BP4", "BP7"} and syn.cls == "Likely benign"
    null = classify(facts_from_annotation(variant(scored, CDH1_START), scored), None, OVERRIDES)
    assert not next(c for c in null.criteria if c.code == "PP3").met  # PVS1 covers it


def test_synonymous_splice_defect_is_never_benign_by_position(scored):
    """FBN1 c.6453C>T (expert-pathogenic splice defect) once came out Likely benign through BP7
    alone: BP7 now needs a splice predictor, and SpliceAI's 0.61 gives PP3 instead."""
    v = variant(scored, FBN1_SPLICE)
    assert v["consequence"] == "synonymous" and v["hgvs_c"] == "c.6453C>T"
    facts = facts_from_annotation(v, scored)
    r = classify(facts, None, OVERRIDES)
    assert {c.code for c in r.met} == {"PP3"} and r.cls == "Uncertain significance"
    assert not next(c for c in r.criteria if c.code == "BP7").met
    r = classify(replace(facts, predictors=None), None, OVERRIDES)
    assert not r.met and any(n.code == "BP7" for n in r.not_evaluated)


def test_the_report_says_which_predictors_are_missing(scored):
    assert not any("in-silico" in x["what"] for x in not_assessable(scored))
    off = {**scored["sources"], "spliceai": {"configured": False}}
    limits = {x["what"] for x in not_assessable({**scored, "sources": off})}
    assert "splicing predictions (BP7, BP1, splicing PP3/BP4)" in limits


def test_score_files_are_checked(tmp_path):
    bad = write_scores(tmp_path / "x.tsv.gz", "score", [("chr1", 10, "A", "G", 0.5)])
    with pytest.raises(InputError, match="no header line with the columns chrom, pos"):
        check_sources({"revel": bad})
    plain = tmp_path / "plain.tsv"
    plain.write_text("#chr\tpos\tref\talt\tREVEL\n1\t10\tA\tG\t0.5\n")
    with pytest.raises(InputError, match="score table is not bgzip-compressed"):
        check_sources({"revel": str(plain)})
    cadd = write_scores(tmp_path / "cadd.tsv.gz", "PHRED", [("chr1", 10, "A", "G", 30.0)])
    assert check_sources({"cadd": cadd})["cadd"].chrom_style == "plain"


# --------------------------------------------------------------------------------------------
# calibrated strengths (Pejaver et al. 2022; Walker et al. 2023)
# --------------------------------------------------------------------------------------------


def facts(**kw: object) -> VariantFacts:
    base: dict = dict(
        variant_id="chr1-100-A-T",
        gene="GENE1",
        consequence="missense",
        hgvs_p="p.(Arg10Trp)",
        population=Population(found=False, source_complete=True),
        clinvar_codon=(),
        hotspot_assessed=True,
        gene_facts=GeneFacts("GENE1", lof_mechanism=True),
    )
    base.update(kw)
    return VariantFacts(**base)


@pytest.mark.parametrize(
    "score,code,strength",
    [
        (0.932, "PP3", "strong"),
        (0.931, "PP3", "moderate"),
        (0.773, "PP3", "moderate"),
        (0.644, "PP3", "supporting"),
        (0.643, None, None),
        (0.291, None, None),
        (0.290, "BP4", "supporting"),
        (0.183, "BP4", "moderate"),
        (0.016, "BP4", "strong"),
        (0.003, "BP4", "very_strong"),
    ],
)
def test_revel_thresholds(score, code, strength):
    r = classify(facts(predictors={"revel": score}))
    got = {c.code: c.strength for c in r.met if c.code in ("PP3", "BP4")}
    assert got == ({code: strength} if code else {})


@pytest.mark.parametrize(
    "score,code,strength",
    [(28.1, "PP3", "moderate"), (25.3, "PP3", "supporting"), (24.0, None, None),
     (22.7, "BP4", "supporting"), (17.3, "BP4", "moderate"), (0.1, "BP4", "strong")],
)  # fmt: skip
def test_cadd_thresholds(score, code, strength):
    r = classify(facts(predictors={"cadd": score}))
    got = {c.code: c.strength for c in r.met if c.code in ("PP3", "BP4")}
    assert got == ({code: strength} if code else {})


def test_missense_bp4_needs_no_splicing_impact():
    benign_missense = facts(predictors={"revel": 0.1, "spliceai": 0.5})
    r = classify(benign_missense)
    assert "BP4" not in {c.code for c in r.met}
    assert next(c for c in r.criteria if c.code == "PP3").strength == "supporting"  # splicing
    assert "BP4" in {c.code for c in classify(replace(benign_missense, predictors={
        "revel": 0.1, "spliceai": 0.05})).met}  # fmt: skip


def test_splicing_for_non_missense_changes():
    intronic = facts(consequence="intron", hgvs_p=None, hgvs_c="c.100+30A>G")
    assert {c.code for c in classify(replace(intronic, predictors={"spliceai": 0.25})).met} == {
        "PM2", "PP3"}  # fmt: skip
    r = classify(replace(intronic, predictors={"spliceai": 0.05}))
    assert {"BP4", "BP7"} <= {c.code for c in r.met}  # deep intronic (+30): BP7 too
    shallow = replace(intronic, hgvs_c="c.100+5A>G", predictors={"spliceai": 0.05})
    assert "BP7" not in {c.code for c in classify(shallow).met}


def test_predictors_not_configured_or_not_calibrated():
    r = classify(facts())
    reasons = {n.code: n.reason for n in r.not_evaluated}
    assert reasons["PP3"] == acmg.NO_PREDICTOR == reasons["BP4"]
    r = classify(facts(predictors={"alphamissense": 0.99}))
    reasons = {n.code: n.reason for n in r.not_evaluated}
    assert "no calibrated missense predictor configured" in reasons["PP3"]
    calibrated = Overrides(
        calibrations={**pred.CALIBRATIONS, **pred.calibrations({"alphamissense": {
            "pp3": {"supporting": 0.9}, "bp4": {"supporting": 0.1}}})}
    )  # fmt: skip
    r = classify(facts(predictors={"alphamissense": 0.99}), None, calibrated)
    assert next(c for c in r.criteria if c.code == "PP3").met
    r = classify(facts(predictors={"revel": None}))
    assert "no REVEL score for this allele" in {n.code: n.reason for n in r.not_evaluated}["PP3"]

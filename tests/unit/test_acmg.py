"""ACMG/AMP engine: real variants through the shipped bundle, criteria rules, invariants."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pysam
import pytest
import yaml
from bigmed.base.errors import InputError
from bigmed.genome.reference import GRCH38_LENGTHS
from bigmed.germline import acmg
from bigmed.germline.acmg import (
    ClinVarEntry,
    Cohorts,
    FamilyEvidence,
    GeneFacts,
    Overrides,
    Population,
    TranscriptFacts,
    VariantFacts,
    classify,
    load_overrides,
)
from bigmed.germline.classify import facts_from_annotation
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.join import annotate
from bigmed.knowledge.sources import check_sources
from bigmed.knowledge.variants import CohortFrequency
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

OVERRIDES = load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))


def shipped_sources() -> dict:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    out = {}
    for key, value in cfg["knowledge"]["sources"].items():
        entry = {"path": value} if isinstance(value, str) else dict(value)
        entry["path"] = str(ROOT / entry["path"])
        out[key] = entry
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("bundle")
    build_bundle(check_sources(shipped_sources()), str(out))
    return Bundle(str(out))


# Real variants: GRCh38 allele, what the call set's INFO would say, expected criteria and class.
# ClinVar is the shipped real 2026-02-26 slice subset, gnomAD the NA12878-derived subset,
# hotspots from Cancer Hotspots, gene facts from G2P/ACMG SF/HPO, gene rules (CSpec) and
# thresholds from config/acmg_overrides.yaml. No predictor is shipped: PP3/BP4/BP7 are never met.
REAL = [
    # BRCA1 p.Ser1613Gly: ClinVar benign, gnomAD grpmax 0.49 > ENIGMA BA1 0.001
    ("chr17", 43071077, "T", "C", "BRCA1", "missense", "p.(Ser1613Gly)", None, {"BA1"}, "Benign"),
    # BRCA1 p.Ser1436=: common synonymous; BP7 needs a splice predictor (none shipped)
    (
        "chr17",
        43082453,
        "A",
        "G",
        "BRCA1",
        "synonymous",
        "p.(Ser1436=)",
        None,
        {"BA1"},
        "Benign",
    ),
    # RAD50 p.Gly469Ala: ClinVar VUS, grpmax 4e-05 <= 1e-04 -> PM2_Supporting only
    (
        "chr5",
        132589791,
        "G",
        "C",
        "RAD50",
        "missense",
        "p.(Gly469Ala)",
        None,
        {"PM2"},
        "Uncertain significance",
    ),
    # PRSS1: ClinVar VUS, grpmax 0.0148 (afr) > BS1 default 0.01
    (
        "chr7",
        142751878,
        "A",
        "T",
        "PRSS1",
        "missense",
        "p.(Asn29Ile)",
        None,
        {"BS1"},
        "Likely benign",
    ),
    # SLX4: grpmax 1.5e-4 above PM2 (1e-4), below BS1: nothing applies
    (
        "chr16",
        3589229,
        "G",
        "A",
        "SLX4",
        "missense",
        "p.(Pro1750Leu)",
        None,
        set(),
        "Uncertain significance",
    ),
    # SMAD4 p.Ile500Thr (Myhre syndrome, RD01 demo): not in the gnomAD subset -> PM2 not
    # evaluated; de novo in a trio with confirmed parentage -> PS2
    (
        "chr18",
        51078307,
        "T",
        "C",
        "SMAD4",
        "missense",
        "p.(Ile500Thr)",
        FamilyEvidence(de_novo="confirmed"),
        {"PS2"},
        "Uncertain significance",
    ),
    # KRAS p.Gly12Asp: RASopathy VCEP P-loop (PM1) and PP2 for missense, de novo (PS2)
    (
        "chr12",
        25245350,
        "C",
        "T",
        "KRAS",
        "missense",
        "p.(Gly12Asp)",
        FamilyEvidence(de_novo="confirmed"),
        {"PM1", "PP2", "PS2"},
        "Likely pathogenic",
    ),
    # LMNA p.Arg377His (CARD01 demo): affected sibling carries it: 1 meiosis, PP1 not met
    (
        "chr1",
        156136094,
        "G",
        "A",
        "LMNA",
        "missense",
        "p.(Arg377His)",
        FamilyEvidence(segregation_meioses=1, nonsegregation=False),
        set(),
        "Uncertain significance",
    ),
]


def _write_vcf(path: Path, rows: list[tuple]) -> None:
    header = pysam.VariantHeader()
    for c, n in GRCH38_LENGTHS.items():
        header.contigs.add(c, length=n)
    for key in ("GENE", "CONSEQUENCE", "HGVSp", "TRANSCRIPT"):
        header.add_meta(
            "INFO", items=[("ID", key), ("Number", 1), ("Type", "String"), ("Description", key)]
        )
    order = list(GRCH38_LENGTHS)
    plain = path.with_suffix("")
    with pysam.VariantFile(str(plain), "w", header=header) as out:
        for chrom, pos, ref, alt, gene, term, hgvsp in sorted(
            rows, key=lambda r: (order.index(r[0]), r[1])
        ):
            rec = out.new_record(contig=chrom, start=pos - 1, alleles=(ref, alt), filter="PASS")
            rec.info["GENE"], rec.info["CONSEQUENCE"] = gene, term
            if hgvsp:
                rec.info["HGVSp"] = hgvsp
            out.write(rec)
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)


@pytest.fixture(scope="module")
def joined(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("calls") / "calls.vcf.gz"
    _write_vcf(path, [r[:7] for r in REAL])
    return annotate(str(path), bundle)


@pytest.mark.parametrize(
    "chrom,pos,ref,alt,gene,term,hgvsp,family,criteria,cls",
    REAL,
    ids=[f"{r[4]}:{r[6]}" for r in REAL],
)
def test_real_variants(joined, chrom, pos, ref, alt, gene, term, hgvsp, family, criteria, cls):
    v = next(x for x in joined["variants"] if x["id"] == f"{chrom}-{pos}-{ref}-{alt}")
    result = classify(facts_from_annotation(v, joined), family, OVERRIDES)
    assert {c.code for c in result.met} == criteria, result.as_dict()
    assert result.cls == cls


def test_real_variant_evidence_texts(joined):
    v = next(x for x in joined["variants"] if x["id"] == "chr17-43071077-T-C")
    # the real ClinVar record: benign, reviewed by the ENIGMA expert panel
    assert v["clinvar"]["class"] == "Benign" and v["clinvar"]["stars"] == 3
    result = classify(facts_from_annotation(v, joined), None, OVERRIDES)
    ba1 = next(c for c in result.criteria if c.code == "BA1")
    assert ba1.evidence == "gnomAD grpmax AF 0.492 (sas) > 0.001"
    smad4 = next(x for x in joined["variants"] if x["id"] == "chr18-51078307-T-C")
    r = classify(facts_from_annotation(smad4, joined), None, OVERRIDES)
    reasons = {n.code: n.reason for n in r.not_evaluated}
    assert reasons["PM2"] == (
        "not in gnomAD, which is a subset here: absence is not evidence of rarity"
    )
    assert reasons["PS2"] == "no family evidence supplied"
    assert reasons["PP3"] == acmg.NO_PREDICTOR and "PS3" in reasons


def test_braf_v600e_joins_civic_moalmanac_and_hotspot(joined, bundle, tmp_path):
    path = tmp_path / "braf.vcf.gz"
    _write_vcf(path, [("chr7", 140753336, "A", "T", "BRAF", "missense", "p.(Val600Glu)")])
    doc = annotate(str(path), bundle)
    v = doc["variants"][0]
    sources = {a["source"] for a in v["assertions"]}
    assert sources == {"CIViC", "MOAlmanac"}
    assert v["hotspot"]["residue"][0]["residue"] == "V600"
    assert v["hotspot"]["allele"][0]["change"] == "p.V600E"


# --------------------------------------------------------------------------------------------
# criteria on synthetic facts
# --------------------------------------------------------------------------------------------

LOF_GENE = GeneFacts("GENE1", lof_mechanism=True, mechanism_source="test", inheritance=("AD",))
ABSENT = Population(found=False, source_complete=True)


def facts(**kw) -> VariantFacts:
    base = dict(
        variant_id="chr1-100-A-T",
        gene="GENE1",
        consequence="missense",
        hgvs_p="p.(Arg10Trp)",
        population=ABSENT,
        clinvar_codon=(),
        hotspot=None,
        hotspot_assessed=True,
        gene_facts=LOF_GENE,
    )
    base.update(kw)
    return VariantFacts(**base)


def met(result: acmg.Classification) -> dict[str, str]:
    return {c.code: c.strength for c in result.met}


@pytest.mark.parametrize(
    "term,tf,strength",
    [
        ("stop_gained", TranscriptFacts(nmd_escape=False, exon=3, exon_count=10), "very_strong"),
        ("frameshift", TranscriptFacts(nmd_escape=True, fraction_removed=0.25), "strong"),
        ("frameshift", TranscriptFacts(nmd_escape=True, fraction_removed=0.04), "moderate"),
        (
            "splice_donor",
            TranscriptFacts(
                skipped_exon_in_frame=False, nmd_escape=False, skipped_exon_coding=True
            ),
            "very_strong",
        ),
        (
            "splice_acceptor",
            TranscriptFacts(
                skipped_exon_in_frame=True, skipped_exon_fraction=0.2, skipped_exon_coding=True
            ),
            "strong",
        ),
        (
            "splice_acceptor",
            TranscriptFacts(
                skipped_exon_in_frame=True, skipped_exon_fraction=0.02, skipped_exon_coding=True
            ),
            "moderate",
        ),
        ("start_lost", None, "moderate"),
        ("stop_gained", None, "strong"),
    ],
)
def test_pvs1_decision_tree(term, tf, strength):
    r = classify(facts(consequence=term, hgvs_p=None, transcript=tf))
    assert met(r)["PVS1"] == strength


def test_pvs1_needs_a_known_mechanism():
    r = classify(facts(consequence="stop_gained", gene_facts=GeneFacts("GENE1")))
    assert "PVS1" not in met(r)
    assert any(n.code == "PVS1" and "not curated" in n.reason for n in r.not_evaluated)
    gof = GeneFacts("GENE1", lof_mechanism=False, mechanism_source="G2P: gain of function")
    r = classify(facts(consequence="frameshift", gene_facts=gof))
    pvs1 = next(c for c in r.criteria if c.code == "PVS1")
    assert not pvs1.met and "gain of function" in pvs1.evidence


def test_override_sets_mechanism_and_thresholds():
    ov = Overrides(genes={"GENE1": {"lof_mechanism": True, "ba1_af": 0.001, "source": "VCEP"}})
    r = classify(facts(consequence="stop_gained", gene_facts=GeneFacts("GENE1")), None, ov)
    assert met(r)["PVS1"] == "strong"  # no transcript facts: Strong, not Very Strong
    common = Population(found=True, af=0.002, af_popmax=0.003, popmax_group="nfe")
    r = classify(facts(population=common), None, ov)
    assert r.cls == "Benign" and "BA1" in met(r)


def test_disabled_criterion_is_listed_not_silent():
    ov = Overrides(genes={"GENE1": {"disabled": ["PM2"], "source": "lab rule"}})
    r = classify(facts(), None, ov)
    assert "PM2" not in met(r)
    assert any(n.code == "PM2" and "lab rule" in n.reason for n in r.not_evaluated)


def test_ps1_pm5_use_reviewed_clinvar_only():
    same = ClinVarEntry("111", "Pathogenic", 2, "p.(Arg10Trp)", "same_aa")
    other = ClinVarEntry("222", "Likely pathogenic", 2, "p.(Arg10Gln)", "different_aa")
    one_star = ClinVarEntry("444", "Pathogenic", 1, "p.(Arg10Leu)", "different_aa")
    unknown = ClinVarEntry("333", "Pathogenic", None, "p.(Arg10Gly)", "different_aa")
    panel = ClinVarEntry("u1", "Pathogenic", 3, "p.(Arg10Pro)", "different_aa", "ClinGen VCEP")
    assert met(classify(facts(clinvar_codon=(same,))))["PS1"] == "strong"
    r = classify(facts(clinvar_codon=(other,)))
    assert met(r)["PM5"] == "supporting" and "PS1" not in met(r)
    # default threshold: two stars; one star and unknown review status are left out
    r = classify(facts(clinvar_codon=(unknown, one_star)))
    assert "PM5" not in met(r)
    pm5 = next(c for c in r.criteria if c.code == "PM5")
    assert "2 P/LP record(s) below 2 star(s) or with unknown review status" in pm5.evidence
    # an expert-panel P allele at the codon gives PM5 at moderate strength
    r = classify(facts(clinvar_codon=(panel,)))
    pm5 = next(c for c in r.criteria if c.code == "PM5")
    assert pm5.met and pm5.strength == "moderate" and "ClinGen VCEP u1" in pm5.evidence
    assert any(n.code == "PS1" for n in classify(facts(clinvar_codon=None)).not_evaluated)
    # a gene the ClinVar subset does not hold: nothing at the codon is not evidence of absence
    r = classify(facts(clinvar_codon=(), codon_coverage="none"))
    assert {"PS1", "PM5"} <= {n.code for n in r.not_evaluated}


def test_population_rules():
    assert met(classify(facts()))["PM2"] == "supporting"
    subset = Population(found=False, source_complete=False)
    r = classify(facts(population=subset))
    assert {"BA1", "BS1", "PM2"} <= {n.code for n in r.not_evaluated}
    rare = Population(found=True, af=0.00001, af_popmax=None)
    assert "PM2" in met(classify(facts(population=rare)))
    bs1 = Population(found=True, af=0.02, af_popmax=0.03, popmax_group="afr")
    r = classify(facts(population=bs1))
    assert met(r) == {"BS1": "strong"} and r.cls == "Likely benign"
    assert any(n.code == "PM2" for n in classify(facts(population=None)).not_evaluated)


def exac(af: float) -> CohortFrequency:
    return CohortFrequency("ExAC", "release 1", af, 121412)


def esp(af: float) -> CohortFrequency:
    return CohortFrequency("GO-ESP", "ESP6500", af, 13006)


def tgp(af: float) -> CohortFrequency:
    return CohortFrequency("1000 Genomes", "phase 3", af, 5008)


def cohorts(*freqs: CohortFrequency) -> Cohorts:
    return Cohorts(tuple(freqs), "ClinVar 2026-02-26")


def test_faf_is_the_poisson_lower_bound():
    """FAF95 x AN equals half the chi-square 5 % quantile with 2 x AC degrees of freedom."""
    for alleles, lam in ((1, 0.05129), (2, 0.35536), (3, 0.81769), (5, 1.97015), (100, 84.1394)):
        assert acmg.faf(alleles, 5008) * 5008 == pytest.approx(lam, rel=1e-3)
    assert acmg.faf(101, 5008) > acmg.faf(100, 5008)  # approximation takes over smoothly
    assert acmg.faf(0, 5008) == 0.0


SUBSET = Population(found=False, source_complete=False)
BRCA_LIKE = Overrides(genes={"GENE1": {"ba1_af": 0.001, "bs1_af": 0.0001, "pm2_af": 3e-6}})


def test_single_cohort_allele_never_gives_bs1():
    """One 1000 Genomes allele (AF 0.0002 > BS1 0.0001) is not evidence; three (FAF95
    0.00016) with five in GO-ESP (FAF95 0.00015) are."""
    r = classify(facts(population=SUBSET, cohorts=cohorts(tgp(0.0002))), None, BRCA_LIKE)
    assert "BS1" not in met(r)
    reason = next(n.reason for n in r.not_evaluated if n.code == "BS1")
    assert "fewer than 2 observed alleles" in reason and "1000 Genomes AF 0.0002" in reason
    both = cohorts(tgp(0.0006), esp(0.00038))
    r = classify(facts(population=SUBSET, cohorts=both), None, BRCA_LIKE)
    assert met(r) == {"BS1": "strong"} and r.cls == "Likely benign"
    bs1 = next(c for c in r.criteria if c.code == "BS1")
    assert bs1.evidence.startswith("FAF95 >= 0.000151 in two cohorts (1000 Genomes FAF95")
    assert "lower bound of the grpmax" in bs1.evidence


def test_one_cohort_alone_never_gives_benign_evidence():
    """BRCA2 c.5946del (Ashkenazi Jewish founder, expert panel: pathogenic): ExAC 0.00027
    (~33 alleles) is above ENIGMA's BS1 in ExAC's mix only (GO-ESP: 2 alleles); one cohort's
    global AF is not used alone."""
    r = classify(facts(population=SUBSET, cohorts=cohorts(exac(0.00027))), None, BRCA_LIKE)
    assert not {"BA1", "BS1"} & set(met(r))
    reason = next(n.reason for n in r.not_evaluated if n.code == "BS1")
    assert "one cohort only" in reason and "founder" in reason
    # with GO-ESP's two alleles the cohorts agree only at FAF95 2.7e-05: below BS1
    c = cohorts(exac(0.00027), esp(0.00016))
    r = classify(facts(population=SUBSET, cohorts=c), None, BRCA_LIKE)
    assert not {"BA1", "BS1"} & set(met(r))
    reason = next(n.reason for n in r.not_evaluated if n.code == "BS1")
    assert reason.startswith("FAF95 >= 2.73e-05 in two cohorts (ExAC FAF95 0.000199")


def test_highest_cohort_frequency_is_used_and_named():
    """PALB2 c.2014G>C (expert panel: BA1): ExAC 0.0224, GO-ESP 0.0232, 1000 Genomes 0.0144."""
    c = cohorts(exac(0.02239), esp(0.02324), tgp(0.01438))
    r = classify(facts(population=SUBSET, cohorts=c), None, BRCA_LIKE)
    assert r.cls == "Benign" and "BA1" in met(r)
    ba1 = next(x for x in r.criteria if x.code == "BA1")
    assert ba1.evidence.startswith("FAF95 >= 0.0211 in two cohorts (ExAC FAF95 0.0217")
    assert "GO-ESP FAF95" in ba1.evidence and "ClinVar 2026-02-26" in ba1.evidence
    bs1 = next(x for x in r.criteria if x.code == "BS1")
    assert not bs1.met and "(BA1 applies)" in bs1.evidence
    pm2 = next(x for x in r.criteria if x.code == "PM2")
    assert not pm2.met and "GO-ESP" in pm2.evidence  # the highest frequency above 3e-6


def test_low_cohort_frequency_cannot_rule_benign_criteria_out():
    """TP53 c.1060C>A: ExAC 3e-05 (4 alleles). A global frequency is a lower bound of the
    grpmax, so without gnomAD BA1/BS1 stay not evaluated; PM2 is never met from a cohort."""
    r = classify(facts(population=SUBSET, cohorts=cohorts(exac(3e-05))), None, BRCA_LIKE)
    skipped = {n.code: n.reason for n in r.not_evaluated}
    assert "cannot rule BA1/BS1 out" in skipped["BS1"] and "BA1" in skipped
    pm2 = next(x for x in r.criteria if x.code == "PM2")  # 3e-05 > 3e-06 with 4 alleles
    assert not pm2.met and "ExAC release 1 global AF 3e-05" in pm2.evidence
    # with a gnomAD record the decision is settled: not met, naming the higher frequency
    gnomad = Population(found=True, af=1e-5, af_popmax=2e-5, popmax_group="nfe")
    r = classify(facts(population=gnomad, cohorts=cohorts(exac(3e-05))), None, BRCA_LIKE)
    bs1 = next(x for x in r.criteria if x.code == "BS1")
    assert not bs1.met and bs1.evidence.startswith("gnomAD grpmax AF 2e-05")
    # only cohorts, nothing for this allele: absence says nothing
    r = classify(facts(population=None, cohorts=cohorts()), None, BRCA_LIKE)
    assert {"BA1", "BS1", "PM2"} <= {n.code for n in r.not_evaluated}


def test_min_alleles_comes_from_the_overrides():
    both = cohorts(tgp(0.0006), esp(0.00038))  # 3 and 5 alleles
    ov = Overrides(genes={"GENE1": {"bs1_af": 0.0001, "population_min_alleles": 6}})
    assert "BS1" not in met(classify(facts(population=SUBSET, cohorts=both), None, ov))
    ov = Overrides(genes={"GENE1": {"bs1_af": 0.0001, "population_min_alleles": 3}})
    assert "BS1" in met(classify(facts(population=SUBSET, cohorts=both), None, ov))


def test_pm1_pm4_bp7():
    r = classify(facts(hotspot="Cancer Hotspots: residue R10 (HOTSPOT)"))
    assert met(r)["PM1"] == "moderate"
    assert any(n.code == "PM1" for n in classify(facts(hotspot_assessed=False)).not_evaluated)
    r = classify(facts(consequence="inframe_deletion", hgvs_p="p.(Lys5del)"))
    assert "PM4" in met(r)
    assert "PM4" not in met(classify(facts(consequence="inframe_deletion", in_repeat=True)))
    # BP7 only with a splice predictor saying no impact (ClinGen SVI splicing)
    syn = facts(consequence="synonymous", hgvs_p="p.(Arg10=)")
    r = classify(syn)
    assert "BP7" not in met(r) and any(n.code == "BP7" for n in r.not_evaluated)
    assert "BP7" in met(classify(replace(syn, predictors={"spliceai": 0.02})))
    assert "BP7" not in met(classify(replace(syn, predictors={"spliceai": 0.35})))
    assert "BP7" not in met(classify(facts(consequence="splice_region")))


def test_family_criteria():
    assert met(classify(facts(), FamilyEvidence(de_novo="confirmed")))["PS2"] == "strong"
    r = classify(facts(), FamilyEvidence(de_novo="assumed"))
    assert "PM6" in met(r) and "PS2" not in met(r)
    assert met(classify(facts(), FamilyEvidence(segregation_meioses=5)))["PP1"] == "moderate"
    assert met(classify(facts(), FamilyEvidence(segregation_meioses=7)))["PP1"] == "strong"
    assert "PP1" not in met(classify(facts(), FamilyEvidence(segregation_meioses=2)))
    assert met(classify(facts(), FamilyEvidence(nonsegregation=True)))["BS4"] == "strong"
    assert met(classify(facts(), FamilyEvidence(pm3_strength="strong")))["PM3"] == "strong"


@pytest.mark.parametrize(
    "points,cls",
    [
        (10, "Pathogenic"),
        (9, "Likely pathogenic"),
        (6, "Likely pathogenic"),
        (5, "Uncertain significance"),
        (0, "Uncertain significance"),
        (-1, "Likely benign"),
        (-6, "Likely benign"),
        (-7, "Benign"),
    ],
)
def test_point_thresholds(points, cls):
    assert acmg.points_to_class(points) == cls


def test_ba1_is_stand_alone():
    common = Population(found=True, af=0.2, af_popmax=0.3, popmax_group="eas")
    fam = FamilyEvidence(de_novo="confirmed", segregation_meioses=9)
    r = classify(
        facts(
            population=common,
            consequence="stop_gained",
            transcript=TranscriptFacts(nmd_escape=False),
        ),
        fam,
    )
    assert r.cls == "Benign" and r.points > 0


def test_criterion_labels():
    r = classify(facts())
    pm2 = next(c for c in r.criteria if c.code == "PM2")
    assert pm2.label == "PM2_Supporting"
    r = classify(
        facts(
            consequence="frameshift",
            transcript=TranscriptFacts(nmd_escape=True, fraction_removed=0.5),
        )
    )
    assert next(c for c in r.criteria if c.code == "PVS1").label == "PVS1_Strong"


# --------------------------------------------------------------------------------------------
# invariants (Hypothesis)
# --------------------------------------------------------------------------------------------

TERMS = [
    "missense",
    "stop_gained",
    "frameshift",
    "splice_donor",
    "splice_acceptor",
    "start_lost",
    "synonymous",
    "inframe_deletion",
    "stop_lost",
    "intron",
]

populations = st.one_of(
    st.none(),
    st.builds(Population, found=st.just(False), source_complete=st.booleans()),
    st.builds(
        Population,
        found=st.just(True),
        af=st.floats(0, 0.6),
        af_popmax=st.one_of(st.none(), st.floats(0, 0.9)),
        popmax_group=st.just("nfe"),
    ),
)
clinvar_entries = st.builds(
    ClinVarEntry,
    variation_id=st.just("1"),
    clinical_class=st.sampled_from(["Pathogenic", "Likely pathogenic", "Benign", None]),
    stars=st.one_of(st.none(), st.integers(0, 4)),
    hgvs_p=st.just("p.(Arg10Gln)"),
    relation=st.sampled_from(["same_aa", "different_aa"]),
)
variant_facts = st.builds(
    VariantFacts,
    variant_id=st.just("chr1-1-A-T"),
    gene=st.just("GENE1"),
    consequence=st.sampled_from(TERMS),
    hgvs_p=st.just("p.(Arg10Trp)"),
    population=populations,
    cohorts=st.one_of(
        st.none(),
        st.lists(
            st.builds(
                CohortFrequency,
                cohort=st.sampled_from(["ExAC", "GO-ESP", "1000 Genomes"]),
                release=st.just("r"),
                af=st.floats(0, 0.7),
                allele_number=st.sampled_from([121412, 13006, 5008]),
            ),
            max_size=3,
        ).map(lambda x: Cohorts(tuple(x))),
    ),
    clinvar_codon=st.one_of(st.none(), st.lists(clinvar_entries, max_size=3).map(tuple)),
    hotspot=st.one_of(st.none(), st.just("hotspot")),
    hotspot_assessed=st.booleans(),
    gene_facts=st.builds(
        GeneFacts, symbol=st.just("GENE1"), lof_mechanism=st.sampled_from([True, False, None])
    ),
    transcript=st.one_of(
        st.none(),
        st.builds(
            TranscriptFacts,
            nmd_escape=st.sampled_from([True, False, None]),
            fraction_removed=st.one_of(st.none(), st.floats(0, 1)),
            skipped_exon_in_frame=st.sampled_from([True, False, None]),
            skipped_exon_fraction=st.one_of(st.none(), st.floats(0, 1)),
            skipped_exon_coding=st.sampled_from([True, False, None]),
        ),
    ),
    in_repeat=st.sampled_from([True, False, None]),
)
families = st.one_of(
    st.none(),
    st.builds(
        FamilyEvidence,
        de_novo=st.sampled_from([None, "confirmed", "assumed", "no"]),
        pm3_strength=st.sampled_from([None, "none", "supporting", "moderate", "strong"]),
        segregation_meioses=st.one_of(st.none(), st.integers(0, 12)),
        nonsegregation=st.sampled_from([None, True, False]),
    ),
)


def rank(r: acmg.Classification) -> int:
    return acmg.CLASS_RANK[r.cls]


@settings(max_examples=300, deadline=None)
@given(variant_facts, families, st.sampled_from(["confirmed", "assumed"]), st.integers(3, 12))
def test_adding_pathogenic_evidence_never_lowers_the_class(f, fam, de_novo, meioses):
    before = classify(f, fam)
    base = fam or FamilyEvidence()
    order = [None, "no", "assumed", "confirmed"]
    pm3 = [None, "none", "supporting", "moderate", "strong"]
    stronger = replace(
        base,
        de_novo=max(base.de_novo, de_novo, key=order.index),
        segregation_meioses=max(base.segregation_meioses or 0, meioses),
        pm3_strength=max(base.pm3_strength, "moderate", key=pm3.index),
    )
    assert rank(classify(f, stronger)) >= rank(before)
    hot = replace(f, hotspot="hotspot", hotspot_assessed=True)
    assert rank(classify(hot, fam)) >= rank(before)


@settings(max_examples=300, deadline=None)
@given(variant_facts, families, st.floats(0.05, 1.0, exclude_min=True))
def test_adding_benign_evidence_never_raises_the_class(f, fam, af):
    before = classify(f, fam)
    base = fam or FamilyEvidence()
    assert rank(classify(f, replace(base, nonsegregation=True))) <= rank(before)
    common = Population(found=True, af=af, af_popmax=af, popmax_group="afr")
    assert rank(classify(replace(f, population=common), fam)) <= rank(before)
    listed = (*(f.cohorts.frequencies if f.cohorts else ()), exac(af))
    assert rank(classify(replace(f, cohorts=Cohorts(listed)), fam)) <= rank(before)


@settings(max_examples=200, deadline=None)
@given(variant_facts, families)
def test_every_criterion_is_decided_or_explained(f, fam):
    r = classify(f, fam)
    decided = {c.code for c in r.criteria}
    skipped = {n.code for n in r.not_evaluated}
    assert not decided & skipped
    assert all(c.evidence for c in r.criteria) and all(n.reason for n in r.not_evaluated)
    assert r.points == sum(c.points for c in r.criteria)


# --------------------------------------------------------------------------------------------
# the overrides file
# --------------------------------------------------------------------------------------------


def test_shipped_overrides_are_valid():
    assert OVERRIDES.for_gene("MYH7").ba1_af == 0.001
    assert OVERRIDES.for_gene("MYH7").lof_mechanism is False
    assert OVERRIDES.for_gene("NOTAGENE") == OVERRIDES.defaults


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "genes:\n  MYH7:\n    ba1: 0.1\n",
            "field 'genes.MYH7': Additional properties are not allowed ('ba1' was unexpected) "
            "(check the spelling of the key)",
        ),
        ("defaults:\n  ba1_af: 5\n", "field 'defaults.ba1_af': 5 is greater than the maximum of 1"),
        (
            "genes:\n  TTN:\n    disabled: [PX9]\n",
            "field 'genes.TTN.disabled.0': 'PX9' is not one of",
        ),
        ("genes: [\n", "not valid YAML"),
    ],
)
def test_bad_overrides(tmp_path, text, message):
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_overrides(str(path))
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)

"""Criterion rules on real expert-panel variants: the engine against the panels' own records.

Each case is a ClinGen expert-panel (VCEP) classification shipped in
resources/knowledge_sources/clingen_vcep and one criterion the panel decided: applied (with
its strength label, e.g. PM1_Strong) or listed as not met. The allele goes through the
pipeline's annotation (bcftools csq, HGVS, knowledge join with the shipped bundle) and the
engine must decide the criterion the way the panel did. The variant's own ClinVar record and
expert-panel classification are never the engine's evidence (they are skipped at the codon).
"""

from __future__ import annotations

import pytest
from bigmed.germline import acmg
from bigmed.germline.classify import facts_from_annotation
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.sources import check_sources
from conftest import ROOT

from unit.realvariants import annotated, shipped_sources, variant

OVERRIDES = acmg.load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))

CASES = [
    # PM1: the panels' regions (CSpec) -- applied and not applied
    (("chr14", 23424025, "T", "A"), "PM1"),  # MYH7 p.Glu935Val: myosin head (181-937)
    (("chr14", 23413845, "C", "G"), "PM1"),  # MYH7 p.Glu1902Gln: outside the head, not met
    (("chr17", 7673802, "C", "T"), "PM1"),  # TP53 p.Arg273His: hotspot codon 273
    (("chr17", 7669640, "A", "G"), "PM1"),  # TP53 p.Met384Thr: not a PM1 codon
    (("chr10", 87933037, "A", "C"), "PM1"),  # PTEN p.His93Pro: catalytic motif 90-94
    (("chr15", 48444546, "C", "T"), "PM1"),  # FBN1 p.Cys2011Tyr: cbEGF cysteine, Strong
    (("chr3", 179230077, "G", "A"), "PM1"),  # PIK3CA p.Gly914Arg: kinase domain, Supporting
    (("chr3", 179218301, "C", "A"), "PM1"),  # PIK3CA p.Thr544Asn: outside, not met
    (("chr12", 25227346, "C", "G"), "PM1"),  # KRAS p.Gly60Arg: switch II
    (("chr7", 140753339, "G", "A"), "PM1"),  # BRAF p.Thr599Ile: activation segment
    # PP2: missense in a gene whose panel applies it
    (("chr10", 87864498, "G", "C"), "PP2"),  # PTEN p.Ser10Thr
    (("chr15", 48427768, "G", "A"), "PP2"),  # FBN1 p.Arg2335Trp
    (("chr7", 140753339, "G", "A"), "PP2"),  # BRAF p.Thr599Ile
    # PS1 / PM5: ClinVar and expert-panel alleles at the codon, never the variant itself
    (("chr7", 140801537, "T", "A"), "PS1"),  # BRAF p.Leu245Phe (c.735A>T; c.735A>C is P)
    (("chr5", 112838678, "T", "G"), "PS1"),  # APC p.Ser1028Arg: PS1_Moderate (LP at codon)
    (("chr10", 87933037, "A", "C"), "PM5"),  # PTEN p.His93Pro: p.His93Arg pathogenic
    (("chr14", 23425970, "C", "T"), "PM5"),  # MYH7 p.Arg719Gln: p.Arg719Trp pathogenic
    # PVS1: null variants where loss of function is the mechanism, initiation codons
    (("chr16", 68737417, "T", "A"), "PVS1"),  # CDH1 c.2T>A: the panel's full PVS1
    (("chr10", 87864470, "A", "G"), "PVS1"),  # PTEN c.1A>G
    (("chr11", 108227626, "T", "C"), "PVS1"),  # ATM c.2T>C
    (("chr5", 112835107, "A", "AA"), "PVS1"),  # APC c.1900dup
    (("chr13", 32340300, "GT", "G"), "PVS1"),  # BRCA2 c.5946del
    # BA1 / BS1 from the cohort frequencies ClinVar's VCF carries (FAF95, >= 2 alleles)
    (("chr16", 23630140, "C", "G"), "BA1"),  # PALB2 p.Glu672Gln: ExAC 0.022
    (("chr17", 7676230, "G", "A"), "BA1"),  # TP53 p.Pro47Ser: GO-ESP 0.0052
    (("chr5", 112767263, "C", "T"), "BS1"),  # APC p.Arg99Trp: GO-ESP 0.00092 (12 alleles)
    (("chr17", 7670649, "G", "T"), "BS1"),  # TP53 p.Gln354Lys: ExAC 3e-05, not met
    (("chr13", 32340300, "GT", "G"), "PM2"),  # BRCA2 c.5946del: ExAC 0.00027, not met
]


# alleles the other tests read: BRCA2 p.Ala2717Ser, BRCA1 p.Lys719Glu (both expert-panel benign)
EXTRA = [("chr13", 32363351, "G", "T"), ("chr17", 43093376, "T", "C")]


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """(join document of the case alleles, allele -> the panel's record)."""
    out = tmp_path_factory.mktemp("panels")
    build_bundle(check_sources(shipped_sources()), str(out / "bundle"))
    bundle = Bundle(str(out / "bundle"))
    records = {(r.chrom, r.pos, r.ref, r.alt): r for r in bundle.expert_panels() or []}
    doc = annotated(sorted({a for a, _ in CASES} | set(EXTRA)), bundle, out)
    return doc, records


@pytest.mark.parametrize("allele,code", CASES, ids=[f"{a[0]}:{a[1]}-{c}" for a, c in CASES])
def test_engine_decides_the_criterion_as_the_panel(panels, allele, code):
    doc, records = panels
    panel = records[allele]
    applied = {c.split("_")[0]: c for c in panel.criteria_met}
    declined = {c.split("_")[0] for c in panel.criteria_not_met}
    assert code in applied or code in declined, "the case must be one the panel decided"
    result = acmg.classify(facts_from_annotation(variant(doc, allele), doc), None, OVERRIDES)
    engine = {c.code: c.label for c in result.met}
    if code in applied:
        assert engine.get(code) == applied[code].replace(" ", ""), result.as_dict()
    else:
        assert code not in engine, result.as_dict()


def test_own_records_are_never_evidence(panels):
    """BRAF c.735A>T: its own ClinVar / panel record is not among its codon evidence."""
    doc, _ = panels
    v = variant(doc, ("chr7", 140801537, "T", "A"))
    assert v["expert_panel"]["class"] == "Pathogenic"
    alleles = {e["allele"] for e in v["clinvar_codon"]}
    assert "chr7-140801537-T-A" not in alleles and "chr7-140801537-T-G" in alleles
    # BRAF is not in the ClinVar subset: the codon's alleles come from the expert panels
    assert {e["source"] for e in v["clinvar_codon"]} == {"ClinGen VCEP"}
    tp53 = variant(doc, ("chr17", 7673802, "C", "T"))  # p.Arg273His, in both sources
    assert tp53["clinvar"]["stars"] >= 2 and tp53["expert_panel"]["panel"] == "TP53 VCEP"
    codon = tp53["clinvar_codon"]
    assert "chr17-7673802-C-T" not in {e["allele"] for e in codon}
    assert {e["source"] for e in codon} >= {"ClinVar"}


def test_gene_rules_name_their_specification(panels):
    doc, _ = panels
    v = variant(doc, ("chr14", 23424025, "T", "A"))  # MYH7
    result = acmg.classify(facts_from_annotation(v, doc), None, OVERRIDES)
    pm1 = next(c for c in result.criteria if c.code == "PM1")
    assert "CSpec GN002 v2.0.0" in pm1.evidence
    pvs1 = next(c for c in result.criteria if c.code == "PVS1")
    assert not pvs1.met
    reasons = {n.code: n.reason for n in result.not_evaluated}
    assert reasons["PP2"].startswith("not applicable to MYH7 (ClinGen Cardiomyopathy VCEP")


def test_cohort_frequencies_name_their_source(panels):
    """The population criteria say which cohorts and release they rest on. BRCA2 c.5946del (a
    founder allele, in ExAC's mix) and BRCA1 p.Lys719Glu (GO-ESP 0.00038, ExAC 4e-05; the
    panel applied BS1 on gnomAD): two cohorts agree only below BS1; a single allele (TP53
    p.Arg273His: one 1000 Genomes allele) decides nothing."""
    doc, _ = panels
    v = variant(doc, ("chr13", 32340300, "GT", "G"))  # BRCA2 c.5946del, pathogenic
    result = acmg.classify(facts_from_annotation(v, doc), None, OVERRIDES)
    pm2 = next(c for c in result.criteria if c.code == "PM2")
    assert not pm2.met and pm2.evidence.startswith("ExAC release 1 global AF 0.00027")
    assert "ClinVar 2026-02-26" in pm2.evidence
    assert not {"BA1", "BS1"} & {c.code for c in result.met}
    assert result.cls == "Likely pathogenic"
    v = variant(doc, ("chr17", 43093376, "T", "C"))  # BRCA1 p.Lys719Glu
    result = acmg.classify(facts_from_annotation(v, doc), None, OVERRIDES)
    reasons = {n.code: n.reason for n in result.not_evaluated}
    assert reasons["BS1"].startswith("FAF95 >= 1.62e-05 in two cohorts (GO-ESP FAF95 0.000151")
    assert "cannot rule BA1/BS1 out" in reasons["BS1"]
    assert "1000 Genomes AF 0.0002 (~1 allele(s))" in reasons["BS1"]
    v = variant(doc, ("chr13", 32363351, "G", "T"))  # BRCA2 p.Ala2717Ser
    result = acmg.classify(facts_from_annotation(v, doc), None, OVERRIDES)
    bs1 = next(c for c in result.criteria if c.code == "BS1")
    assert bs1.met and "in two cohorts (GO-ESP FAF95" in bs1.evidence
    v = variant(doc, ("chr17", 7673802, "C", "T"))  # TP53 p.Arg273His
    assert [c["cohort"] for c in v["cohort_frequencies"]] == ["1000 Genomes"]
    result = acmg.classify(facts_from_annotation(v, doc), None, OVERRIDES)
    assert {"BA1", "BS1", "PM2"} <= {n.code for n in result.not_evaluated}

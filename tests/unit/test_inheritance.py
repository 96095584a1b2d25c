"""Inheritance models: de novo, recessive, compound heterozygous, X-linked, dominant."""

from __future__ import annotations

import pytest
from bigmed.germline import acmg
from bigmed.germline.acmg import VariantFacts
from bigmed.pilots.rare_disease.inheritance import (
    EXCLUDED_FACTOR,
    Thresholds,
    mode_factor,
    pm3_strength,
    segregate,
)
from bigmed.pilots.rare_disease.samplecheck import PairCheck, SampleChecks

from unit.rdfixtures import singleton, site, trio

T = Thresholds(min_depth=8, min_gq=20, min_parent_depth=10, max_parent_alt_reads=1)


def models(seg) -> dict[str, str]:
    return {m.name: m.status for m in seg.models}


def run(sites, family, checks=None):
    return segregate(sites, family, {s.id for s in sites}, T, checks)


def checks_for(father: str = "ok", mother: str = "ok") -> SampleChecks:
    pairs = [
        PairCheck("P", "F", 0.25, "parent-offspring", 0.25, 0.0, 500, "x", father),
        PairCheck("P", "M", 0.25, "parent-offspring", 0.25, 0.0, 500, "x", mother),
    ]
    return SampleChecks([], pairs)


# --------------------------------------------------------------------------- de novo


@pytest.mark.parametrize(
    "mother,father,de_novo,has_model",
    [
        ("0/0", "0/0", "assumed", True),  # classic de novo, parentage not confirmed: PM6
        ("0/1", "0/0", "no", False),  # inherited from the mother
        ("0/0", "1/1", "no", False),  # inherited from the father
        ("0/0@5", "0/0", None, False),  # mother too shallow to say
        ("0/0", "0/0~10", None, False),  # father's genotype quality too low
        ("0/0+3", "0/0", None, False),  # 3 alt reads in the mother: mosaic parent?
        ("0/0+1", "0/0", "assumed", True),  # one alt read is tolerated
        ("./.", "0/0", None, False),  # no call in the mother
    ],
)
def test_de_novo_needs_confident_parents(mother, father, de_novo, has_model):
    s = site({"P": "0/1", "M": mother, "F": father})
    seg = run([s], trio())[s.id]
    assert seg.de_novo == de_novo
    assert ("de_novo" in models(seg)) is has_model


def test_de_novo_needs_real_proband_allele():
    s = site({"P": "0/1+2", "M": "0/0", "F": "0/0"})
    seg = run([s], trio())[s.id]
    assert seg.de_novo is None and "de_novo" not in models(seg)
    assert "alt reads" in seg.de_novo_note


def test_de_novo_needs_both_parents():
    fam = trio()
    del fam.members["F"]
    fam.members["P"] = fam.members["P"].__class__("P", "female", "yes", None, "M", True, "proband")
    s = site({"P": "0/1", "M": "0/0"})
    seg = run([s], fam)[s.id]
    assert seg.de_novo is None
    assert models(seg) == {"ad_unknown": "possible"}


@pytest.mark.parametrize(
    "father,mother,expected,code",
    [
        ("ok", "ok", "confirmed", "PS2"),  # both parent-child pairs confirmed by genotypes
        ("not assessable", "ok", "assumed", "PM6"),
        ("mismatch", "ok", None, None),  # non-paternity: the de novo status is not used
    ],
)
def test_de_novo_strength_follows_the_relatedness_check(father, mother, expected, code):
    s = site({"P": "0/1", "M": "0/0", "F": "0/0"})
    seg = run([s], trio(), checks_for(father, mother))[s.id]
    assert seg.de_novo == expected
    facts = VariantFacts(s.id, "GENE1", "missense")
    c = acmg.classify(facts, seg.family_evidence("none"))
    met = {x.code for x in c.met}
    if code:
        assert code in met
    else:
        assert not met & {"PS2", "PM6"}
        assert any(n.code == "PS2" for n in c.not_evaluated)


# --------------------------------------------------------------------------- recessive


def test_homozygous_with_carrier_parents():
    s = site({"P": "1/1", "M": "0/1", "F": "0/1"})
    seg = run([s], trio())[s.id]
    assert models(seg) == {"ar_homozygous": "confirmed"}
    assert seg.de_novo == "no"
    assert pm3_strength(seg, {}) == "supporting"


def test_homozygous_with_a_homozygous_reference_parent_is_unusual():
    s = site({"P": "1/1", "M": "0/1", "F": "0/0"})
    seg = run([s], trio())[s.id]
    assert models(seg) == {"ar_homozygous": "unusual"}
    assert "uniparental" in seg.models[0].detail


def test_homozygous_singleton_is_possible():
    s = site({"P": "1/1"})
    assert models(run([s], singleton())[s.id]) == {"ar_homozygous": "possible"}


def test_compound_het_in_trans():
    a = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=100)
    b = site({"P": "0/1", "M": "0/0", "F": "0/1"}, pos=200)
    segs = run([a, b], trio())
    for x, y in ((a, b), (b, a)):
        ch = [m for m in segs[x.id].models if m.name == "compound_het"]
        assert len(ch) == 1 and ch[0].status == "confirmed" and ch[0].partner == y.id
        assert ch[0].phase == "trans"
    # PM3 from the partner's class: P in trans = moderate, LP = supporting, VUS = none
    assert pm3_strength(segs[a.id], {b.id: "Pathogenic"}) == "moderate"
    assert pm3_strength(segs[a.id], {b.id: "Likely pathogenic"}) == "supporting"
    assert pm3_strength(segs[a.id], {b.id: "Uncertain significance"}) == "none"


def test_compound_het_in_cis_is_rejected():
    a = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=100)
    b = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=200)
    segs = run([a, b], trio())
    assert all("compound_het" not in models(s) for s in segs.values())


def test_compound_het_other_genes_do_not_pair():
    a = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=100, gene="A")
    b = site({"P": "0/1", "M": "0/0", "F": "0/1"}, pos=200, gene="B")
    assert all("compound_het" not in models(s) for s in run([a, b], trio()).values())


def test_compound_het_singleton_and_de_novo_pairs_are_possible():
    a, b = site({"P": "0/1"}, pos=100), site({"P": "0/1"}, pos=200)
    segs = run([a, b], singleton())
    assert models(segs[a.id])["compound_het"] == "possible"
    a = site({"P": "0/1", "M": "0/0", "F": "0/0"}, pos=100)  # de novo
    b = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=200)
    segs = run([a, b], trio())
    assert models(segs[a.id])["compound_het"] == "possible"
    assert pm3_strength(segs[a.id], {b.id: "Pathogenic"}) == "supporting"  # phase unknown


def test_compound_het_unaffected_sibling_with_both_is_only_possible():
    a = site({"P": "0/1", "M": "0/1", "F": "0/0", "S": "0/1"}, pos=100)
    b = site({"P": "0/1", "M": "0/0", "F": "0/1", "S": "0/1"}, pos=200)
    segs = run([a, b], trio(sibling="male"))
    ch = next(m for m in segs[a.id].models if m.name == "compound_het")
    assert ch.status == "possible" and "unaffected S carries both" in ch.detail


# --------------------------------------------------------------------------- X-linked


def test_x_linked_male_from_carrier_mother():
    s = site({"P": "1/1", "M": "0/1", "F": "0/0"}, chrom="chrX", pos=120_440_000)
    seg = run([s], trio(proband_sex="male"))[s.id]
    assert models(seg) == {"x_linked": "confirmed"}
    assert "carrier mother" in seg.models[0].detail


def test_x_linked_male_de_novo_checks_the_mother_only():
    s = site({"P": "1/1", "M": "0/0", "F": "./."}, chrom="chrX", pos=120_440_000)
    seg = run([s], trio(proband_sex="male"))[s.id]
    assert models(seg) == {"x_linked": "confirmed", "de_novo": "confirmed"}
    assert seg.de_novo == "assumed"
    model, _ = seg.best(["XLR"])
    assert model is not None and model.name == "x_linked"


def test_x_linked_ruled_out_by_a_carrier_father():
    s = site({"P": "1/1", "M": "0/1", "F": "1/1"}, chrom="chrX", pos=120_440_000)
    seg = run([s], trio(proband_sex="male"))[s.id]
    assert "x_linked" not in models(seg)
    assert any("father" in n for n in seg.notes)


def test_x_linked_uses_the_haploid_genotype():
    # males are called haploid on chrX outside the PARs: GT 1 is the hemizygous genotype
    s = site({"P": "1", "M": "0/1", "F": "0"}, chrom="chrX", pos=120_440_000)
    seg = run([s], trio(proband_sex="male"))[s.id]
    assert models(seg) == {"x_linked": "confirmed"}
    assert "hemizygous (GT 1)" in seg.models[0].detail
    # the sheet says unknown, but the caller called him haploid (depth-based sex)
    seg = run([s], trio(proband_sex="unknown"))[s.id]
    assert models(seg) == {"x_linked": "confirmed"}
    # a hemizygous father carrier rules it out (fathers pass on Y)
    s2 = site({"P": "1", "M": "0/1", "F": "1"}, chrom="chrX", pos=120_440_000)
    assert "x_linked" not in models(run([s2], trio(proband_sex="male"))[s2.id])


def test_x_in_a_female_is_not_hemizygous():
    s = site({"P": "0/1", "M": "0/1", "F": "0/0"}, chrom="chrX", pos=120_440_000)
    assert "x_linked" not in models(run([s], trio())[s.id])


def test_pseudoautosomal_region_is_autosomal():
    s = site({"P": "0/1", "M": "0/0", "F": "0/0"}, chrom="chrX", pos=100_000)
    seg = run([s], trio(proband_sex="male"))[s.id]
    assert "x_linked" not in models(seg) and "de_novo" in models(seg)


# --------------------------------------------------------------------------- dominant


def test_dominant_from_an_affected_parent_segregates():
    s = site({"P": "0/1", "M": "0/0", "F": "0/1"})
    seg = run([s], trio(father_affected="yes"))[s.id]
    assert models(seg) == {"ad_inherited": "confirmed"}
    assert seg.meioses == 1 and seg.nonsegregation is False


def test_dominant_from_an_unaffected_parent_needs_reduced_penetrance():
    s = site({"P": "0/1", "M": "0/1", "F": "0/0"})
    seg = run([s], trio())[s.id]
    assert models(seg) == {"ad_inherited": "reduced penetrance"}
    assert seg.models[0].base < 0.5


def test_dominant_singleton_is_possible():
    s = site({"P": "0/1"})
    assert models(run([s], singleton())[s.id]) == {"ad_unknown": "possible"}


def test_affected_sibling_without_the_variant_is_bs4():
    s = site({"P": "0/1", "M": "0/0", "F": "0/1", "S": "0/0"})
    seg = run([s], trio(father_affected="yes", sibling="female", sibling_affected="yes"))[s.id]
    assert seg.nonsegregation is True
    _, fit = seg.best(["AD"])
    assert fit == pytest.approx(0.9 * EXCLUDED_FACTOR)
    c = acmg.classify(VariantFacts(s.id, "GENE1", "missense"), seg.family_evidence("none"))
    assert "BS4" in {x.code for x in c.met}


def test_non_carrier_is_not_a_candidate():
    s = site({"P": "0/0", "M": "0/1", "F": "0/0"})
    assert run([s], trio()) == {}


# --------------------------------------------------------------------------- fit


@pytest.mark.parametrize(
    "model,modes,factor",
    [
        ("de_novo", {"AD"}, 1.0),
        ("de_novo", {"AR"}, 0.2),
        ("de_novo", set(), 0.6),
        ("ar_homozygous", {"AR"}, 1.0),
        ("compound_het", {"AD"}, 0.2),
        ("x_linked", {"XLR"}, 1.0),
        ("ad_unknown", {"AD", "AR"}, 1.0),
    ],
)
def test_mode_factor(model, modes, factor):
    assert mode_factor(model, modes) == factor


def test_best_model_uses_gene_modes():
    a = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=100)
    b = site({"P": "0/1", "M": "0/0", "F": "0/1"}, pos=200)
    seg = run([a, b], trio())[a.id]
    model, fit = seg.best(["AR"])
    assert model is not None and model.name == "compound_het" and fit == 1.0
    model, fit = seg.best(["AD"])
    assert model is not None and model.name == "ad_inherited"

"""Sample checks: genetic sex from chrX depth and heterozygosity; KING kinship vs pedigree."""

from __future__ import annotations

import gzip
import random

import pytest
from bigmed.genome.reference import ContigSlice
from bigmed.pilots.rare_disease.pedigree import Family, Member, relationship
from bigmed.pilots.rare_disease.samplecheck import (
    MIN_KINSHIP_SITES,
    genetic_sex,
    king_kinship,
    read_exon_depths,
    relatedness,
    run_checks,
)

from unit.rdfixtures import pair_sites, random_genotypes, site, trio

LAMP2 = 120_440_000  # chrX, outside the pseudo-autosomal regions


def depths(x_depth: float | None, n_x: int = 9) -> list[tuple[str, int, float]]:
    """20 captured autosomal exons at ~30x, 20 uncaptured ones, n_x chrX exons."""
    out = [("chr1", 1000 * i, 28.0 + i % 5) for i in range(20)]
    out += [("chr2", 1000 * i, 0.3) for i in range(20)]
    if x_depth is not None:
        out += [("chrX", LAMP2 + 100 * i, x_depth) for i in range(n_x)]
    return out


def x_sites(n_het: int, n_hom: int, sample: str = "P") -> list:
    gts = ["0/1"] * n_het + ["1/1"] * n_hom
    return [site({sample: g}, chrom="chrX", pos=LAMP2 + 50 * i) for i, g in enumerate(gts)]


@pytest.mark.parametrize(
    "x_depth,n_het,n_hom,declared,inferred,status",
    [
        (15.0, 0, 12, "male", "male", "ok"),  # one X: half depth, hemizygous calls
        (30.0, 7, 5, "female", "female", "ok"),
        (15.0, 0, 0, "female", "male", "mismatch"),  # depth alone decides
        (30.0, 0, 0, "male", "female", "mismatch"),  # sample swap or a mislabelled sex
        (15.0, 8, 4, "male", "ambiguous", "mismatch"),  # depth says male, heterozygosity female
        (22.5, 0, 0, "male", "ambiguous", "mismatch"),  # X/A 0.75: between the thresholds
        (None, 0, 0, "male", "not assessable", "not assessable"),  # no chrX captured
        (0.2, 0, 0, "male", "not assessable", "not assessable"),  # chrX exons uncaptured
        (None, 0, 12, "male", "male", "ok"),  # heterozygosity alone
        (30.0, 7, 5, "unknown", "female", "no declared sex"),
    ],
)
def test_genetic_sex(x_depth, n_het, n_hom, declared, inferred, status):
    chk = genetic_sex("P", declared, depths(x_depth), x_sites(n_het, n_hom), min_depth=8, min_gq=20)
    assert (chk.inferred, chk.status) == (inferred, status)


def test_haploid_calls_with_mixed_reads_still_show_two_x():
    # a declared male is called haploid on chrX; a woman among them shows it in her reads
    mixed = [site({"P": "1+15"}, chrom="chrX", pos=LAMP2 + 50 * i) for i in range(12)]
    chk = genetic_sex("P", "male", depths(None), mixed, min_depth=8, min_gq=20)
    assert (chk.by_het, chk.inferred) == ("female", "female")
    clean = [site({"P": "1"}, chrom="chrX", pos=LAMP2 + 50 * i) for i in range(12)]
    chk = genetic_sex("P", "male", depths(None), clean, min_depth=8, min_gq=20)
    assert (chk.inferred, chk.status) == ("male", "ok")


def test_genetic_sex_needs_enough_x_exons_and_calls():
    chk = genetic_sex("P", "male", depths(15.0, n_x=2), x_sites(0, 9), min_depth=8, min_gq=20)
    assert chk.inferred == "not assessable"
    assert "2 captured chrX exon(s), 3 needed" in chk.reason
    assert "9 confident chrX variant call(s), 10 needed" in chk.reason


def test_read_exon_depths_maps_slices_to_grch38(tmp_path):
    path = tmp_path / "x.regions.bed.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("chrX_120424148_120474349\t100\t200\tLAMP2:NM_1:1\t14.5\n")
        handle.write("chr5\t10\t20\tAPC:NM_2:1\t30\n")
    cmap = {
        "chrX_120424148_120474349": ContigSlice(
            "chrX_120424148_120474349", "chrX", 120424148, 120474349
        )
    }
    assert read_exon_depths(str(path), cmap) == [("chrX", 120424248, 14.5), ("chr5", 11, 30.0)]


# --------------------------------------------------------------------------- kinship


@pytest.mark.parametrize(
    "relation,lo,hi",
    [("parent-offspring", 0.18, 0.32), ("unrelated", -0.07, 0.07), ("duplicate", 0.45, 0.5)],
)
def test_king_kinship_estimates(relation, lo, hi):
    rng = random.Random(7)
    a, b = random_genotypes(rng, 3000, relation)
    phi, ibs0, n = king_kinship(pair_sites(a, b), "P", "F", min_depth=8, min_gq=20)
    assert phi is not None and lo <= phi <= hi
    assert n > MIN_KINSHIP_SITES
    if relation == "parent-offspring":
        assert ibs0 == 0


def test_king_ignores_shallow_and_filtered_sites():
    sites = [site({"P": "0/1", "F": "0/0@3"}), site({"P": "0/1", "F": "1/1"}, filt="LowQual")]
    assert king_kinship(sites, "P", "F", min_depth=8, min_gq=20) == (None, None, 0)


def _family_sites(relation_pf: str, seed: int = 3, n: int = 2000):
    """A trio's sites where the father is the true father or an unrelated man."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        p = rng.uniform(0.05, 0.5)
        m = [int(rng.random() < p) for _ in range(2)]
        f = [int(rng.random() < p) for _ in range(2)]
        child = [m[rng.randrange(2)], f[rng.randrange(2)]]
        if relation_pf == "unrelated":  # the sequenced "father" is someone else
            f = [int(rng.random() < p) for _ in range(2)]
        g = {"P": sum(child), "M": sum(m), "F": sum(f)}
        if not any(g.values()):
            continue
        gt = {0: "0/0", 1: "0/1", 2: "1/1"}
        out.append(site({k: gt[v] for k, v in g.items()}, pos=1000 + 10 * i, gene="BG"))
    return out


def test_relatedness_confirms_a_true_trio():
    pairs = {
        (p.a, p.b): p for p in relatedness(trio(), _family_sites("true"), min_depth=8, min_gq=20)
    }
    assert pairs["P", "M"].status == "ok" and pairs["P", "M"].inferred == "parent-offspring"
    assert pairs["P", "F"].status == "ok"
    assert pairs["M", "F"].status == "ok" and pairs["M", "F"].inferred == "unrelated"


def test_relatedness_flags_non_paternity():
    sites = _family_sites("unrelated")
    checks = run_checks(trio(), sites, {}, min_depth=8, min_gq=20)
    pf = next(p for p in checks.pairs if {p.a, p.b} == {"P", "F"})
    assert pf.status == "mismatch" and pf.inferred == "unrelated"
    assert "non-paternity" in pf.reason
    assert checks.parent_status("P", "F") == "contradicted"
    assert checks.parent_status("P", "M") == "confirmed"
    assert any("P and F" in p for p in checks.problems)


def test_relatedness_not_assessable_on_a_small_panel():
    sites = _family_sites("true", n=40)
    pairs = relatedness(trio(), sites, min_depth=8, min_gq=20)
    assert all(p.status == "not assessable" for p in pairs)
    assert all(f"{MIN_KINSHIP_SITES} needed" in p.reason for p in pairs)


def test_related_parents_are_a_note_not_a_mismatch():
    rng = random.Random(5)
    a, b = random_genotypes(rng, 3000, "parent-offspring")
    sites = pair_sites(a, b, ("M", "F"))
    fam = trio()
    pair = next(
        p for p in relatedness(fam, sites, min_depth=8, min_gq=20) if {p.a, p.b} == {"M", "F"}
    )
    assert pair.status == "note" and "consanguinity" in pair.reason


# --------------------------------------------------------------------------- pedigree kinship


def test_expected_kinship_from_the_pedigree():
    members = {
        "GF": Member("GF", "male", "no", None, None, False),
        "GM": Member("GM", "female", "no", None, None, False),
        "F": Member("F", "male", "no", "GF", "GM", True, "father"),
        "U": Member("U", "male", "no", "GF", "GM", True, "relative"),
        "M": Member("M", "female", "no", None, None, True, "mother"),
        "P": Member("P", "female", "yes", "F", "M", True, "proband"),
        "S": Member("S", "male", "no", "F", "M", True, "sibling"),
        "H": Member("H", "male", "no", "F", None, True, "relative"),
    }
    fam = Family("X", "P", members, ped="x.ped")
    assert fam.kinship("P", "F") == 0.25
    assert fam.kinship("P", "S") == 0.25
    assert fam.kinship("P", "H") == 0.125  # half sibling
    assert fam.kinship("P", "U") == 0.125  # uncle
    assert fam.kinship("P", "GF") == 0.125
    assert fam.kinship("M", "F") == 0.0
    assert fam.kinship("P", "P") == 0.5
    assert relationship(fam.kinship("P", "U")) == "second degree"


def test_sheet_relative_has_no_stated_relationship():
    fam = trio()
    fam.members["R"] = Member("R", "male", "no", None, None, True, "relative")
    assert fam.kinship("P", "R") is None


def test_opposite_homozygotes_contradict_parentage_even_when_kinship_is_unclear():
    from bigmed.pilots.rare_disease.samplecheck import _compare

    status, reason = _compare(0.1, 0.055, 0.08, 0.25, "parent-offspring", "second degree", "d")
    assert status == "mismatch" and "opposite homozygotes" in reason
    # the same kinship without opposite homozygotes: neither confirmed nor ruled out
    status, reason = _compare(0.1, 0.055, 0.0, 0.25, "parent-offspring", "second degree", "d")
    assert status == "not assessable" and "too few sites" in reason


def test_half_siblings_are_second_degree_and_confirmed():
    from bigmed.pilots.rare_disease.samplecheck import _compare

    assert _compare(0.13, 0.02, 0.05, 0.125, "second degree", "second degree", "d")[0] == "ok"
    assert _compare(0.13, 0.06, 0.05, 0.125, "second degree", "second degree", "d")[0] == (
        "not assessable"  # 0.13 is not 3 SE above 0: unrelated not ruled out
    )

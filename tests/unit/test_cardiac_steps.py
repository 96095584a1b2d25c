"""Cardiac pilot, step by step: genotype calls, panel coverage ranking, the findings triage
and the per-read allele rules of the BAM pileup (the whole document: test_cardiac.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from bigmed.germline.acmg import FamilyEvidence
from bigmed.pilots.cardiac import cascade, reads
from bigmed.pilots.cardiac.coverage import ExonDepth, panel_coverage
from bigmed.pilots.cardiac.findings import triage
from bigmed.pilots.cardiac.model import Family, Segregation, SiteReads
from bigmed.pilots.cardiac.panels import Panel, PanelEntry, PanelGene


@pytest.mark.parametrize(
    ("gt", "carries", "zygosity"),
    [
        ("0/1", True, "heterozygous"),
        ("1|1", True, "homozygous"),
        ("1", True, "hemizygous"),
        ("0/0", False, "heterozygous"),
        ("./.", False, "heterozygous"),
        (None, False, "unknown zygosity"),
    ],
)
def test_genotype_call(gt: str | None, carries: bool, zygosity: str) -> None:
    r = SiteReads("joint calls", gt)
    assert cascade.carries(r) is carries
    assert cascade.zygosity(r) == zygosity
    assert not cascade.carries(None) and cascade.zygosity(None) == "unknown zygosity"


def _gene(symbol: str, secondary: bool = False, report: str = "") -> PanelGene:
    entry = PanelEntry("X" if not secondary else "ACMG SF", f"{symbol} disease", "",
                       "AD", "", "definitive", sf_report=report)  # fmt: skip
    return PanelGene(symbol, (entry,), secondary=secondary)


def _panel(*genes: PanelGene) -> Panel:
    return Panel(("X",), ("X disease",), {g.symbol: g for g in genes}, "moderate", True, "t")


def test_panel_coverage_ranks_what_is_not_assessable() -> None:
    """Whole genes first, then exons from the worst covered; secondary-findings genes last."""
    panel = _panel(_gene("AAA"), _gene("BBB"), _gene("SFG", secondary=True))
    exons = [
        ExonDepth("c1", 100, 200, "AAA", "T1", "exon2", 95),
        ExonDepth("c1", 0, 100, "AAA", "T1", "exon1", 50),
        ExonDepth("c1", 300, 400, "AAA", "T1", "exon3", 100),
    ]
    cov = panel_coverage(panel, exons, annotated={"BBB": "T2"}, targets=None, cmap=None,
                         min_depth=20, padding=10, sample="I")  # fmt: skip
    whats = [x["what"] for x in cov["not_assessable"]]
    assert whats == [
        "BBB: whole gene",
        "AAA exon1 (T1) c1:1-100",
        "AAA exon2 (T1) c1:101-200",
        "SFG (secondary findings): whole gene",
    ]
    assert "coverage row" in cov["not_assessable"][0]["reason"]  # annotated, no mosdepth row
    assert "not in the reference annotation" in cov["not_assessable"][-1]["reason"]
    assert [g["exon"] for g in cov["coverage"]["gaps"]] == ["exon1", "exon2"]
    summary = cov["summary"]
    assert (summary["genes"], summary["exons"], summary["exons_assessable"]) == (2, 3, 1)
    assert (summary["bases"], summary["bases_at_min_depth"]) == (300, 245)
    assert summary["genes_not_in_reference"] == ["BBB"]
    assert summary["secondary_findings"]["genes_not_in_reference"] == ["SFG"]
    assert [r[0] for r in cov["rows"]] == ["AAA", "BBB", "SFG"]


def test_panel_coverage_outside_targets() -> None:
    panel = _panel(_gene("AAA"))
    exons = [ExonDepth("c1", 0, 100, "AAA", "T1", "exon1", 100),
             ExonDepth("c1", 500, 600, "AAA", "T1", "exon2", 100)]  # fmt: skip
    cov = panel_coverage(panel, exons, annotated={}, targets={"c1": [(50, 60)]}, cmap=None,
                         min_depth=20, padding=10, sample="I")  # fmt: skip
    (gene,) = cov["coverage"]["genes"]
    assert gene["fraction_at_min_depth"] == 0.5 and gene["status"] == "not assessable"
    assert cov["not_assessable"] == [
        {"what": "AAA exon2 (T1) c1:501-600", "reason": "outside the targets BED: not called"}
    ]


def _res(classes: dict[str, str]) -> dict[str, Any]:
    return {
        "variants": {
            vid: {"classification": c, "rank": i, "evidence": [{"points": 1}]}
            for i, (vid, c) in enumerate(classes.items())
        },
        "findings": [
            {"variant_id": vid, "classification": c, "summary": "s", "gene": "G"}
            for vid, c in classes.items()
            if c in ("Pathogenic", "Likely pathogenic")
        ],
    }


def _family(ids: list[str]) -> Family:
    seg = Segregation(FamilyEvidence(), "none", (), ())
    return Family({vid: [] for vid in ids}, {vid: seg for vid in ids})


def test_triage_applies_the_sf_two_allele_rule() -> None:
    """'P and LP (2 variants)': one heterozygous allele is held back, a homozygote is not."""
    panel = _panel(_gene("DIA"), _gene("SFG", secondary=True, report="P and LP (2 variants)"))
    variants = [
        {"id": "v1", "gene": "SFG", "consequence": "missense", "hgvs_c": "c.1A>G"},
        {"id": "v2", "gene": "DIA", "consequence": "missense", "hgvs_c": "c.2A>G"},
        {"id": "v3", "gene": "DIA", "consequence": "intron", "hgvs_c": "c.3+90A>G"},
        {"id": "v4", "gene": "SFG", "consequence": "missense", "hgvs_c": "c.4A>G"},
    ]
    classes = {"v1": "Pathogenic", "v2": "Uncertain significance",
               "v3": "Uncertain significance", "v4": "Uncertain significance"}  # fmt: skip
    res, family = _res(classes), _family([v["id"] for v in variants])

    def run(zyg: str, report_vus: bool = True) -> Any:
        return triage(variants, res, panel, family, {v["id"]: zyg for v in variants},
                      assessed=lambda v: v["id"] != "v3", report_vus=report_vus)  # fmt: skip

    het = run("heterozygous")
    assert het.findings == [] and het.sf_withheld == [
        "SFG c.1A>G (ACMG SF reports SFG with two P/LP alleles only)"
    ]
    assert [r[0] for r in het.vus_rows] == ["v2"]  # v3 outside, v4 in an SF gene
    assert het.vus_outside == 1 and [v["id"] for v in het.familial] == ["v2"]
    hom = run("homozygous", report_vus=False)
    (f,) = hom.findings
    assert f["secondary"] and f["zygosity"] == "homozygous" and not hom.sf_withheld
    assert [v["id"] for v in hom.familial] == ["v1"]  # VUS not genotyped when not reported


def _read(seq: str, quals: list[int] | None, q: int, indel: int = 0, end: int = 1000) -> Any:
    aln = SimpleNamespace(query_sequence=seq, query_qualities=quals, reference_end=end)
    return SimpleNamespace(alignment=aln, indel=indel)


def test_read_alleles() -> None:
    """Per read: the allele, the reference, neither; a low-quality base is not counted."""
    assert reads._substitution_allele(_read("AGT", [30] * 3, 1), 1, "C", "G", 13) == "alt"
    assert reads._substitution_allele(_read("ACT", [30] * 3, 1), 1, "C", "G", 13) == "ref"
    assert reads._substitution_allele(_read("ATT", [30] * 3, 1), 1, "C", "G", 13) == "other"
    assert reads._substitution_allele(_read("AGT", [30, 5, 30], 1), 1, "C", "G", 13) is None
    # an MNP read with an indel at the site is neither
    assert reads._substitution_allele(_read("AGGT", [30] * 4, 1, 1), 1, "CC", "GG", 13) == "other"
    # insertion of GT after the anchor; a deletion of two bases; the reference spanning it
    assert reads._indel_allele(_read("AAGTC", None, 1, indel=2), 1, 10, "A", "AGT") == "alt"
    assert reads._indel_allele(_read("AACCC", None, 1, indel=2), 1, 10, "A", "AGT") == "other"
    assert reads._indel_allele(_read("AC", None, 0, indel=-2), 0, 10, "ACG", "A") == "alt"
    assert reads._indel_allele(_read("ACGT", None, 0, end=12), 0, 10, "ACG", "A") == "ref"
    assert reads._indel_allele(_read("ACGT", None, 0, end=11), 0, 10, "ACG", "A") == "other"

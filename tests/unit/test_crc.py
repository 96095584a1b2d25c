"""Colorectal pilot: every biomarker state, the tiering table, therapy lines, the document."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from bigmed.genome.gff import Transcript
from bigmed.knowledge.oncology import OncoTreeNode
from bigmed.pilots.crc.biomarkers import (
    CrcInputs,
    biomarker_card,
    codon_biomarker,
    erbb2_amplification,
    pole_biomarker,
)
from bigmed.pilots.crc.codons import (
    CodonCoverage,
    codon_coverage,
    codon_positions,
    required_depth,
)
from bigmed.pilots.crc.evidence import Evidence, Knowledge, load_knowledge, tumor_type_relation
from bigmed.pilots.crc.interpret import interpret
from bigmed.pilots.crc.tiers import Match, match_variant, tier_of
from bigmed.pilots.crc.variants import SomaticVariant, protein_residues, short_protein
from bigmed.report.interpretation import validate

ROOT = Path(__file__).resolve().parents[2]
ONCOTREE = {
    "COADREAD": OncoTreeNode("Colorectal Cancer", "Colorectal Adenocarcinoma", "Bowel"),
    "COAD": OncoTreeNode("Colorectal Cancer", "Colon Adenocarcinoma", "Bowel"),
    "READ": OncoTreeNode("Colorectal Cancer", "Rectal Adenocarcinoma", "Bowel"),
    "BOWEL": OncoTreeNode("Bowel Cancer", "Bowel", "Bowel"),
    "MEL": OncoTreeNode("Melanoma", "Melanoma", "Skin"),
}


def variant(gene="BRAF", hgvs_p="p.(Val600Glu)", filt="PASS", csq="missense", **kw):
    base = dict(
        id=f"chr7-{hash((gene, hgvs_p)) % 10**6}-A-T",
        chrom="chr7",
        pos=1,
        ref="A",
        alt="T",
        filter=filt,
        gene=gene,
        transcript=None,
        consequence=csq,
        hgvs_c="c.1A>T",
        hgvs_p=hgvs_p,
        src_contig="c",
        src_pos=1,
        tumor_vaf=0.3,
        tumor_alt=30,
        tumor_depth=100,
        normal_vaf=0.0,
        normal_depth=40,
    )
    base.update(kw)
    return SomaticVariant(**base)


def cov(gene, depth, codons=(12, 13, 59, 61, 117, 146), min_depth=61):
    return CodonCoverage(gene, "NM_1", min_depth, {c: depth for c in codons})


def ev(
    level="A",
    tumor="COADREAD",
    protein="V600E",
    gene="BRAF",
    therapy="Cetuximab + Encorafenib",
    significance="sensitivity",
    alteration="variant",
    exon="",
    source="MOAlmanac",
):
    return Evidence(
        source,
        "v1",
        f"{source}:{level}{tumor}{protein}{therapy}",
        gene,
        alteration,
        protein,
        exon,
        tumor,
        "disease",
        therapy,
        significance,
        f"level {level}",
        level,
        "",
        "cite",
        "url",
    )


# ---------------------------------------------------------------------------- small pieces


@pytest.mark.parametrize(
    "hgvs_p,short,residues",
    [
        ("p.(Val600Glu)", "V600E", (600, 600)),
        ("p.(Arg1450Ter)", "R1450*", (1450, 1450)),
        ("p.(Gly12_Gly13del)", None, (12, 13)),
        ("p.(Lys100AsnfsTer5)", None, (100, 100)),
        ("p.(Ala86=)", None, (86, 86)),
        (None, None, None),
    ],
)
def test_protein_parsing(hgvs_p, short, residues):
    assert short_protein(hgvs_p) == short
    assert protein_residues(hgvs_p) == residues


def test_required_depth_for_a_negative_call():
    assert required_depth(0.10, 3) == 61
    assert required_depth(0.05, 3) == 124


def test_codon_positions_on_both_strands():
    plus = Transcript("T1", "G", "c", "+", exons=[(1, 20), (31, 50)], cds=[(5, 20), (31, 50)])
    assert codon_positions(plus, [1, 6]) == {1: [5, 6, 7], 6: [20, 31, 32]}
    minus = Transcript("T2", "G", "c", "-", exons=[(1, 50)], cds=[(10, 30)])
    assert codon_positions(minus, [1, 2]) == {1: [30, 29, 28], 2: [27, 26, 25]}
    assert codon_positions(minus, [8]) == {}  # beyond the CDS


def test_codon_coverage_takes_the_lowest_base_and_flags_missing_genes():
    tx = Transcript("T1", "KRAS", "c", "+", exons=[(1, 100)], cds=[(1, 99)], tags=["MANE_Select"])
    c = codon_coverage("KRAS", [1, 2], {"T1": tx}, lambda contig, ps: [p * 10 for p in ps], 25)
    assert c.depth == {1: 10, 2: 40} and c.short == [1] and not c.covered
    missing = codon_coverage("NRAS", [12], {"T1": tx}, lambda c, ps: [100] * len(ps), 25)
    assert missing.missing_gene and not missing.covered


@pytest.mark.parametrize(
    "evidence_code,relation",
    [
        ("COADREAD", "same"),
        ("COAD", "same"),
        ("READ", "same"),
        ("BOWEL", "same"),
        ("ANY", "same"),
        ("MEL", "other"),
        ("OTHER", "other"),
    ],
)
def test_tumor_type_relation(evidence_code, relation):
    assert tumor_type_relation(evidence_code, "COAD", ONCOTREE) == relation


# ---------------------------------------------------------------------------- biomarker states


RAS = (12, 13, 59, 61, 117, 146)


@pytest.mark.parametrize(
    "variants,depth,status,reason",
    [
        ([variant("KRAS", "p.(Gly12Asp)")], 30, "positive", "somatic call at codon"),
        ([], 80, "negative", "every codon >= 61x"),
        ([], 30, "not evaluable", "below 61x"),
        (
            [variant("KRAS", "p.(Gly12Asp)", filt="StrandBias")],
            80,
            "not evaluable",
            "seen but filtered",
        ),
        ([variant("KRAS", "p.(Gly12Asp)", filt="Germline")], 80, "negative", "every codon"),
        ([variant("KRAS", "p.(Gly12Asp)", csq="stop_gained")], 80, "negative", "every codon"),
        ([variant("KRAS", "p.(Gly60Asp)")], 80, "negative", "every codon"),
        ([variant("NRAS", "p.(Gln61Lys)")], 80, "negative", "every codon"),
    ],
)
def test_kras_states(variants, depth, status, reason):
    b = codon_biomarker("KRAS", ["KRAS"], RAS, variants, {"KRAS": cov("KRAS", depth)})
    assert b["status"] == status and reason in b["reason"]


def test_braf_v600e_is_exact():
    c = {"BRAF": cov("BRAF", 100, codons=(600,))}
    pos = codon_biomarker("BRAF V600E", ["BRAF"], (600,), [variant()], c, exact="V600E")
    assert pos["status"] == "positive"
    v600k = variant(hgvs_p="p.(Val600Lys)")
    neg = codon_biomarker("BRAF V600E", ["BRAF"], (600,), [v600k], c, exact="V600E")
    assert neg["status"] == "negative"


def test_gene_missing_from_the_reference_is_not_evaluable():
    c = {"NRAS": CodonCoverage("NRAS", None, 61, {}, missing_gene=True)}
    b = codon_biomarker("NRAS", ["NRAS"], RAS, [], c)
    assert b["status"] == "not evaluable" and "not in the reference" in b["reason"]


@pytest.mark.parametrize(
    "hgvs_p,depth,status,text",
    [
        ("p.(Pro286Arg)", 30, "positive", "known pathogenic"),
        ("p.(Ala300Val)", 30, "positive", "uncharacterised"),
        ("p.(Ala500Val)", 100, "negative", "no protein-altering"),
        ("p.(Ala500Val)", 30, "not evaluable", "204 of 204 codons"),
    ],
)
def test_pole_states(hgvs_p, depth, status, text):
    c = cov("POLE", depth, codons=tuple(range(268, 472)))
    b = pole_biomarker([variant("POLE", hgvs_p)], c)
    assert b["status"] == status and text in (b["reason"] + str(b["value"]))


def exons(gene_depth, other_depth, n_gene=10, n_other=30):
    d = {f"ERBB2:NM:exon{i}": gene_depth for i in range(n_gene)}
    d.update({f"KRAS:NM:exon{i}": other_depth for i in range(n_other)})
    return d


@pytest.mark.parametrize(
    "tumor,normal,status,text",
    [
        (exons(400, 100), exons(50, 50), "positive", "log2"),
        (exons(100, 100), exons(50, 50), "negative", "log2"),
        (exons(400, 100), exons(5, 50), "not evaluable", "too few exons"),
        (exons(400, 100), None, "not evaluable", "matched normal"),
        ({"KRAS:NM:exon1": 1.0}, {"KRAS:NM:exon1": 1.0}, "not evaluable", "not in the reference"),
    ],
)
def test_erbb2_states(tumor, normal, status, text):
    b = erbb2_amplification(tumor, normal, 0.5, 20, 1.0)
    assert b["status"] == status and text in b["reason"]
    if status == "positive":
        # log2 ratio 2 at purity 0.5: (0.5 * CN + 0.5 * 2) / 2 = 4 -> CN = 14
        assert b["value"] == {"log2_ratio": 2.0, "exons": 10, "copy_number": 14.0}


# ---------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    "levels,pop_af,hotspot,tier,label",
    [
        ([("A", "same")], None, None, 1, "Tier I (level A)"),
        ([("B", "same"), ("D", "same")], None, None, 1, "Tier I (level B)"),
        ([("A", "other")], None, None, 2, "Tier II (level C)"),
        ([("C", "same")], None, None, 2, "Tier II (level C)"),
        ([("D", "same"), ("C", "other")], None, None, 2, "Tier II (level D)"),
        ([("C", "other")], None, "HOTSPOT", 3, "Tier III"),
        ([], None, "HOTSPOT", 3, "Tier III"),
        ([], None, None, 3, "Tier III"),
        ([("A", "same")], 0.05, None, 4, "Tier IV"),
    ],
)
def test_tier_table(levels, pop_af, hotspot, tier, label):
    matches = [Match(ev(level=lv), rel, "protein change") for lv, rel in levels]
    t = tier_of(matches, pop_af, hotspot)
    assert (t.tier, t.label) == (tier, label)


def kb(evidence, hotspots=None):
    return Knowledge(evidence, hotspots or {}, ONCOTREE, [{"name": "test", "version": "v1"}])


def test_matching_exact_residue_exon_and_gene_level():
    rows = [
        ev(protein="G12D", gene="KRAS"),
        ev(protein="G12", gene="KRAS", level="B"),
        ev(protein="", exon="2", gene="KRAS", significance="resistance", therapy="Cetuximab"),
        ev(protein="", gene="KRAS", level="C", tumor="MEL"),
        ev(protein="G13D", gene="KRAS"),
    ]
    k = kb(rows, {"KRAS": [(12, 12, "HOTSPOT"), (13, 13, "HOTSPOT")]})
    ms, hotspot = match_variant(variant("KRAS", "p.(Gly12Asp)"), k, "COADREAD", exon=2)
    assert hotspot == "HOTSPOT"
    assert sorted(m.how for m in ms) == ["exon", "gene", "protein change", "residue"]
    # exon 3 does not match the exon-2 row; a non-hotspot gets no gene/exon-level rows
    ms, _ = match_variant(variant("KRAS", "p.(Gly12Asp)"), k, "COADREAD", exon=3)
    assert "exon" not in [m.how for m in ms]
    ms, hotspot = match_variant(variant("KRAS", "p.(Leu19Phe)"), k, "COADREAD", exon=2)
    assert ms == [] and hotspot is None


# ---------------------------------------------------------------------------- the document


def inputs(variants, ras_depth=80, msi_status="negative", tumor_only=False, tmb_status=None):
    cover = {g: cov(g, ras_depth) for g in ("KRAS", "NRAS")}
    cover["BRAF"] = cov("BRAF", ras_depth, codons=(600,))
    cover["PIK3CA"] = cov("PIK3CA", ras_depth, codons=(542, 545, 546, 1047))
    cover["POLE"] = cov("POLE", ras_depth, codons=tuple(range(268, 472)))
    msi = {
        "status": msi_status,
        "reason": "r",
        "score": 0.0 if msi_status != "not evaluable" else None,
        "call": "MSS",
        "sites_unstable": 0,
        "sites_evaluable": 50,
        "mode": "paired",
    }
    if msi_status == "positive":
        msi.update(score=0.4, call="MSI-H", sites_unstable=20)
    tmb = {"status": tmb_status or "not evaluable", "reason": "r", "tmb": None}
    return CrcInputs(
        patient="P1",
        tumor_type="COADREAD",
        purity=None,
        tumor_only=tumor_only,
        variants=variants,
        coverage=cover,
        erbb2={"name": "ERBB2 amplification", "status": "negative", "reason": "r", "value": None},
        msi=msi,
        tmb=tmb,
        transcripts={},
        note="Test note.",
    )


KB = [
    ev(),  # BRAF V600E + encorafenib/cetuximab, FDA, CRC
    ev(therapy="Cetuximab", significance="resistance"),
    ev(protein="G12D", gene="KRAS", therapy="Panitumumab", significance="resistance"),
    ev(protein="", gene="", alteration="msi_high", tumor="ANY", therapy="Pembrolizumab"),
]


def lines(doc):
    rows = next(s for s in doc["sections"] if s["id"] == "therapy-lines")["rows"]
    return {r[0].split(" (")[0]: r[1] for r in rows}


def test_braf_v600e_document_is_tier_one_and_valid():
    doc = interpret(inputs([variant()]), kb(KB, {"BRAF": [(600, 600, "HOTSPOT")]}))
    validate(doc)
    assert doc["findings"][0]["classification"] == "Tier I (level A)"
    assert doc["findings"][0]["hgvs_p"] == "p.(Val600Glu)"
    # the tier's reason and the therapies under it, said once
    summary = doc["findings"][0]["summary"]
    assert summary.count("level A/B evidence in this tumor type") == 1, summary
    assert "Tier I (level A): level A/B evidence in this tumor type: " in summary
    assert {e["therapy"] for e in doc["findings"][0]["evidence"]} >= {"Cetuximab + Encorafenib"}
    assert lines(doc)["Encorafenib + cetuximab"] == "candidate"
    assert lines(doc)["Anti-EGFR antibody"] == "not a candidate"
    assert "Test note." in doc["note"]
    assert doc["knowledge_bases"] == [{"name": "test", "version": "v1"}]


def test_anti_egfr_only_with_ras_and_braf_wild_type_and_covered():
    assert lines(interpret(inputs([]), kb(KB)))["Anti-EGFR antibody"] == "candidate"
    shallow = interpret(inputs([], ras_depth=30), kb(KB))
    assert lines(shallow)["Anti-EGFR antibody"] == "cannot be assessed"
    kras = interpret(inputs([variant("KRAS", "p.(Gly12Asp)")]), kb(KB))
    assert lines(kras)["Anti-EGFR antibody"] == "not a candidate"


def test_msi_high_gives_checkpoint_blockade_and_a_tier_one_finding():
    doc = interpret(inputs([], msi_status="positive"), kb(KB))
    assert lines(doc)["Immune checkpoint blockade"] == "candidate"
    msi = next(f for f in doc["findings"] if f["summary"].startswith("MSI"))
    assert msi["classification"] == "Tier I (level A)"
    unknown = interpret(inputs([], msi_status="not evaluable"), kb(KB))
    assert lines(unknown)["Immune checkpoint blockade"] == "cannot be assessed"
    assert any(n["what"] == "biomarker MSI" for n in unknown["not_assessable"])


def test_tumor_only_says_germline_not_excluded():
    doc = interpret(inputs([replace(variant(), tumor_only=True)], tumor_only=True), kb(KB))
    assert "germline variants are not excluded" in doc["note"]
    assert "germline not excluded" in doc["findings"][0]["summary"]
    card = biomarker_card(inputs([replace(variant(), tumor_only=True)], tumor_only=True))
    assert "germline not excluded" in card["BRAF V600E"]["reason"]


def test_every_biomarker_is_on_the_card():
    card = biomarker_card(inputs([]))
    assert list(card) == [
        "KRAS",
        "NRAS",
        "BRAF V600E",
        "PIK3CA",
        "ERBB2 amplification",
        "POLE exonuclease domain",
        "MSI",
        "TMB",
    ]
    assert {b["status"] for b in card.values()} <= {"positive", "negative", "not evaluable"}


def test_shipped_knowledge_gives_braf_v600e_fda_evidence():
    src = ROOT / "resources" / "knowledge_sources"
    k = load_knowledge(
        {
            "moalmanac": str(src / "moalmanac" / "molecular-oncology-almanac.json.gz"),
            "civic": str(src / "civic"),
            "hotspots_residues": str(src / "cancerhotspots" / "hotspots_single_aa_change.hg38.txt"),
            "hotspots_indels": str(src / "cancerhotspots" / "hotspots_indel.txt"),
        },
        str(ROOT / "resources" / "crc" / "oncotree.tsv"),
        None,
    )
    assert k.hotspot("BRAF", 600) and k.hotspot("KRAS", 12)
    ms, _ = match_variant(variant(), k, "COADREAD", exon=15)
    t = tier_of(ms, None, "HOTSPOT")
    assert t.label == "Tier I (level A)"
    fda = [m.evidence for m in ms if m.evidence.source_level.startswith("FDA")]
    assert any("Encorafenib" in e.therapy and e.tumor_type == "COADREAD" for e in fda)
    civic_a = [
        m.evidence for m in ms if m.evidence.source == "CIViC" and m.evidence.amp_level == "A"
    ]
    assert any("Encorafenib" in e.therapy for e in civic_a)
    assert k.sources[-1]["name"] == "OncoTree"

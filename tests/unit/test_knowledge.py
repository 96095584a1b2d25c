"""Knowledge sources: parse-time checks, loaders of the official formats, bundle and join."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pysam
import pytest
from bigmed.base.errors import InputError
from bigmed.genome.gff import read_gff3
from bigmed.genome.reference import GRCH38_LENGTHS, read_contig_map
from bigmed.knowledge import genes as kg
from bigmed.knowledge import oncology
from bigmed.knowledge import sources as kb
from bigmed.knowledge import variants as kv
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.hpo import read_ontology
from bigmed.knowledge.join import Call, Genome, TranscriptModels, annotate, codon_clinvar, lookup
from bigmed.knowledge.join import transcript_facts as tx_facts
from conftest import ROOT

KS = ROOT / "resources" / "knowledge_sources"
GRCH37_CHR1 = 249250621

CLINVAR_INFO = [
    ("CLNSIG", ".", "String"),
    ("CLNREVSTAT", ".", "String"),
    ("CLNDN", ".", "String"),
    ("GENEINFO", "1", "String"),
    ("MC", ".", "String"),
]


def write_vcf(
    path: Path,
    records: list[tuple[str, int, str, str, str, str]],
    *,
    contigs: dict[str, int | None] | None = None,
    meta: list[str] = (),  # type: ignore[assignment]
    info: list[tuple[str, str, str]] = CLINVAR_INFO,
    compress: bool = True,
    index: bool = True,
) -> Path:
    """A small VCF in the official layout: records are (chrom, pos, id, ref, alt, info)."""
    lines = ["##fileformat=VCFv4.1", *meta]
    for name, length in (contigs if contigs is not None else GRCH38_LENGTHS).items():
        lines.append(f"##contig=<ID={name}" + (f",length={length}>" if length else ">"))
    for key, number, kind in info:
        lines.append(f'##INFO=<ID={key},Number={number},Type={kind},Description="{key}">')
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for chrom, pos, vid, ref, alt, inf in records:
        lines.append(f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{inf}")
    plain = path.with_suffix("") if path.suffix == ".gz" else path
    plain.write_text("\n".join(lines) + "\n")
    if not compress:
        return plain
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    if index:
        pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


# --------------------------------------------------------------------------------------------
# parse-time checks: one line naming the file
# --------------------------------------------------------------------------------------------


def check_error(key: str, value: object) -> str:
    with pytest.raises(InputError) as err:
        kb.check_source(key, value)
    text = str(err.value)
    assert "\n" not in text
    return text


def test_missing_source(tmp_path):
    path = tmp_path / "clinvar.vcf.gz"
    assert check_error("clinvar", str(path)) == f"{path}: knowledge source 'clinvar' not found"
    pattern = str(tmp_path / "gnomad.{chrom}.vcf.bgz")
    assert check_error("gnomad", {"path": pattern}) == (
        f"{pattern}: knowledge source 'gnomad' not found (no file for any chromosome)"
    )


def test_grch37_reference_header(tmp_path):
    path = write_vcf(tmp_path / "c.vcf.gz", [], meta=["##reference=GRCh37"], contigs={})
    assert check_error("clinvar", str(path)) == (
        f"{path}: header says ##reference=GRCh37: bigmed needs GRCh38 sources "
        "(use the GRCh38 release of this file)"
    )


def test_plain_contig_names_without_grch38_header(tmp_path):
    path = write_vcf(
        tmp_path / "c.vcf.gz", [("1", 100, "1", "A", "G", "CLNSIG=Benign")], contigs={"1": None}
    )
    assert check_error("clinvar", str(path)) == (
        f"{path}: contigs are named '1', not 'chr1', and the header does not declare GRCh38 "
        "(##reference=GRCh38 or GRCh38 contig lengths): is this a GRCh37 file? bigmed needs "
        "GRCh38 sources"
    )


def test_grch37_contig_lengths(tmp_path):
    path = write_vcf(tmp_path / "g.vcf.gz", [], contigs={"chr1": GRCH37_CHR1})
    assert check_error("gnomad", str(path)) == (
        f"{path}: contig 'chr1' is 249250621 bp here but 248956422 bp in GRCh38: the file is on "
        "another build"
    )


def test_vcf_must_be_bgzipped_and_indexed(tmp_path):
    plain = write_vcf(tmp_path / "c.vcf", [], compress=False)
    assert check_error("clinvar", str(plain)) == (
        f"{plain}: VCF is not bgzip-compressed: compress it with 'bgzip' and index it with "
        "'tabix -p vcf'"
    )
    noindex = write_vcf(tmp_path / "d.vcf.gz", [], index=False)
    assert check_error("clinvar", str(noindex)) == (
        f"{noindex}: VCF has no tabix index ({noindex}.tbi or .csi): run 'tabix -p vcf {noindex}'"
    )


def test_wrong_table_and_folder(tmp_path):
    obo = KS / "hpo" / "hp.obo.gz"
    assert check_error("hpo_genes", str(obo)) == (
        f"{obo}: line 1: missing column 'ncbi_gene_id' in the header (is this the right file "
        "for this source?)"
    )
    civic = tmp_path / "civic"
    civic.mkdir()
    (civic / "variants.json").write_text("{}")
    assert check_error("civic", str(civic)) == (
        f"{civic}: CIViC export folder has no studies.json(.gz)"
    )
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    assert check_error("gencc", str(empty)) == f"{empty}: knowledge source is empty"


def test_official_clinvar_layout_is_accepted_and_fetched_by_chr_name(tmp_path):
    """ClinVar's GRCh38 VCF names contigs '1' and says ##reference=GRCh38."""
    info = (
        "CLNSIG=Pathogenic;CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts;"
        "CLNDN=Li-Fraumeni_syndrome|not_provided;GENEINFO=TP53:7157;"
        "MC=SO:0001583|missense_variant"
    )
    path = write_vcf(
        tmp_path / "clinvar.vcf.gz",
        [("17", 7675088, "12347", "C", "T", info)],
        contigs={},
        meta=["##fileDate=2024-05-02", "##source=ClinVar", "##reference=GRCh38"],
    )
    src = kb.check_source("clinvar", str(path))
    assert src is not None and src.chrom_style == "plain" and src.complete
    with kv.VcfSource.from_source(src) as vcf:
        (rec,) = list(vcf.fetch("chr17", 7675087, 7675088))
        (cv,) = kv.parse_clinvar(rec, "chr17")
    assert cv.stars == 2 and cv.clinical_class == "Pathogenic"
    assert cv.genes == ("TP53",) and cv.consequences == ("missense_variant",)
    assert cv.conditions == ("Li-Fraumeni_syndrome", "not_provided")


COHORT_INFO = [("AF_EXAC", "1", "Float"), ("AF_ESP", "1", "Float"), ("AF_TGP", "1", "Float")]


def test_cohort_frequencies_from_a_clinvar_vcf(tmp_path):
    """The full ClinVar layout: only AF_EXAC / AF_ESP / AF_TGP are read; the source is never
    complete (frequencies exist only for listed alleles) and names its cohorts' sizes."""
    path = write_vcf(
        tmp_path / "clinvar.vcf.gz",
        [
            ("16", 23630140, "1", "C", "G", "AF_EXAC=0.02239;AF_ESP=0.02324;CLNSIG=Benign"),
            ("16", 23630150, "2", "C", "T", "CLNSIG=Pathogenic"),
        ],
        contigs={},
        meta=["##fileDate=2026-02-26", "##source=ClinVar", "##reference=GRCh38"],
        info=[*CLINVAR_INFO, *COHORT_INFO],
    )
    src = kb.check_source("cohort_frequencies", str(path))
    assert src is not None
    with kv.VcfSource.from_source(src) as vcf:
        recs = list(vcf.fetch("chr16", 23630139, 23630150))
        ((alt, freqs),) = kv.parse_cohort_frequencies(recs[0])
        assert kv.parse_cohort_frequencies(recs[1]) == []  # no frequency: nothing
    assert alt == "G" and [f.cohort for f in freqs] == ["ExAC", "GO-ESP"]
    assert freqs[0].allele_number == 121412 and freqs[0].alleles == round(0.02239 * 121412)
    manifest = build_bundle(kb.check_sources({"cohort_frequencies": str(path)}), str(tmp_path))
    (entry,) = manifest["sources"]
    assert entry["complete"] is False and "only for the alleles ClinVar lists" in entry["note"]
    assert entry["version"].startswith("ClinVar 2026-02-26")
    assert {c["cohort"]: c["allele_number"] for c in entry["cohorts"]} == {
        "ExAC": 121412,
        "GO-ESP": 13006,
        "1000 Genomes": 5008,
    }
    # a VCF without the frequency fields is refused with one line naming the file
    bare = write_vcf(tmp_path / "bare.vcf.gz", [], contigs={}, meta=["##reference=GRCh38"])
    text = check_error("cohort_frequencies", str(bare))
    assert str(bare) in text and "AF_EXAC" in text


def test_shipped_sources_pass_the_checks():
    import yaml

    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    sources = {}
    for key, value in cfg["knowledge"]["sources"].items():
        entry = {"path": value} if isinstance(value, str) else dict(value)
        entry["path"] = str(ROOT / entry["path"])
        sources[key] = entry
    checked = kb.check_sources(sources)
    # every source but the predictors (non-commercial scores: never shipped)
    assert set(checked) == set(kb.SPECS) - {"revel", "cadd", "alphamissense", "spliceai"}
    assert not checked["clinvar"].complete and not checked["gnomad"].complete
    assert not checked["cohort_frequencies"].complete
    assert checked["hotspots"].complete
    # the real ClinVar subset says which genes it holds, completely or partly
    clinvar = checked["clinvar"]
    assert clinvar.gene_coverage("BRCA2") == "complete"
    assert clinvar.gene_coverage("ATM").startswith("partial(chr11:")
    assert clinvar.gene_coverage("LMNA") == "none"


# --------------------------------------------------------------------------------------------
# loaders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,key",
    [
        ("p.(Val600Glu)", "V600E"),
        ("NP_004324.2:p.Val600Glu", "V600E"),
        ("p.V600E", "V600E"),
        ("V600E", "V600E"),
        ("p.(Ser1436=)", "S1436S"),
        ("p.(Arg100Ter)", "R100*"),
        ("p.(Lys722ArgfsTer14)", None),
        ("p.(Glu746_Ala750del)", None),
        ("p.(Sec49Cys)", "U49C"),
        ("p.(Xyz12Ala)", None),
        (None, None),
    ],
)
def test_protein_key(text, key):
    assert kb.protein_key(text) == key


def test_reader_table_names_a_reader_for_every_source():
    assert set(kb.READERS) == set(kb.SPECS)
    for key, names in kb.READERS.items():
        for name in names:
            module, attr = name.split(".")
            reader = getattr(importlib.import_module(f"bigmed.knowledge.{module}"), attr, None)
            assert callable(reader), f"{key}: {name}"


def test_normalize_allele():
    assert kb.normalize_allele(100, "CA", "TT") == (100, "CA", "TT")
    assert kb.normalize_allele(100, "ACT", "AT") == (100, "AC", "A")
    assert kb.normalize_allele(100, "GATT", "GTT") == (100, "GA", "G")
    assert kb.normalize_allele(100, "AC", "AT") == (101, "C", "T")


def test_population_fields_v2_and_v4(tmp_path):
    info = [
        ("AF", "A", "Float"),
        ("AF_popmax", "A", "Float"),
        ("popmax", "A", "String"),
        ("AF_grpmax", "A", "Float"),
        ("grpmax", "A", "String"),
        ("nhomalt", "A", "Integer"),
    ]
    path = write_vcf(
        tmp_path / "g.vcf.gz",
        [
            (
                "chr1",
                100,
                ".",
                "A",
                "G,T",
                "AF=0.1,0.2;AF_popmax=0.3,0.4;popmax=afr,eas;nhomalt=1,2",
            ),
            ("chr1", 200, ".", "C", "G", "AF=0.01;AF_grpmax=0.02;grpmax=nfe"),
        ],
        info=info,
    )
    with kv.VcfSource([str(path)]) as vcf:
        recs = list(vcf.fetch("chr1", 0, 300))
    v2 = dict(kv.parse_population(recs[0]))
    assert v2["T"].af == pytest.approx(0.2) and v2["T"].af_popmax == pytest.approx(0.4)
    assert v2["T"].popmax_group == "eas" and v2["T"].nhomalt == 2
    ((alt, v4),) = kv.parse_population(recs[1])
    assert alt == "G" and v4.af_popmax == pytest.approx(0.02) and v4.popmax_group == "nfe"


def test_review_stars():
    assert kv.review_stars("reviewed_by_expert_panel") == 3
    assert kv.review_stars("criteria_provided,_conflicting_classifications") == 1
    assert kv.review_stars("no_assertion_criteria_provided") == 0
    assert kv.review_stars(None) is None
    assert kv.clinvar_class("Pathogenic/Likely_pathogenic|other") == "Pathogenic"
    assert kv.clinvar_class("drug_response") is None


def test_table_loaders_on_shipped_files():
    mane = kg.read_mane(str(KS / "mane" / "2026_01_20_MANE.csv.gz"))
    assert mane["BRAF"].refseq.startswith("NM_004333") and mane["BRAF"].ensembl.startswith("ENST")
    sf = kg.read_acmg_sf(str(KS / "acmg" / "acmg.secondaryfindings.v3.txt"))
    assert len(sf) > 70 and sf["LMNA"][0].inheritance == "AD" and len(sf["TRDN"]) == 2
    g2p = kg.read_g2p(str(KS / "cardiac_g2p" / "Cardiac_G2P.csv.gz"))
    assert kg.g2p_lof_mechanism(g2p["MYBPC3"])[0] is True
    assert kg.g2p_lof_mechanism(g2p["MYH7"])[0] is False
    gencc = kg.read_gencc(str(KS / "gencc" / "gencc_submissions_subset.tsv"))
    assert any(e.classification == "Definitive" for e in gencc["APC"])
    residues = kv.read_hotspot_residues(
        str(KS / "cancerhotspots" / "hotspots_single_aa_change.hg38.txt")
    )
    assert residues["BRAF"][600][0].aa_ref == "V"
    assert kv.read_hotspot_indels(str(KS / "cancerhotspots" / "hotspots_indel.txt"))["EGFR"]
    assert kv.read_hotspot_splice(str(KS / "cancerhotspots" / "hotspots_splice.hg38.txt"))


def test_official_mane_summary_layout(tmp_path):
    path = tmp_path / "MANE.GRCh38.v1.3.summary.txt"
    path.write_text(
        "#NCBI_GeneID\tEnsembl_Gene\tHGNC_ID\tsymbol\tname\tRefSeq_nuc\tRefSeq_prot\t"
        "Ensembl_nuc\tEnsembl_prot\tMANE_status\tGRCh38_chr\tchr_start\tchr_end\tchr_strand\n"
        "GeneID:673\tENSG00000157764.14\tHGNC:1097\tBRAF\tB-Raf\tNM_004333.6\tNP_004324.2\t"
        "ENST00000646891.2\tENSP00000493543.1\tMANE Select\tNC_000007.14\t140719337\t"
        "140924929\t-\n"
    )
    assert kb.check_source("mane", str(path)) is not None
    assert kg.read_mane(str(path))["BRAF"].ensembl == "ENST00000646891.2"


def test_hpo_loaders():
    onto = read_ontology(str(KS / "hpo" / "hp.obo.gz"))
    assert onto.version == "2025-01-16"
    assert onto.terms["HP:0001250"].name == "Seizure"
    assert "HP:0000118" in onto.ancestors("HP:0001250")  # phenotypic abnormality
    diseases = kg.read_hpo_annotations(str(KS / "hpo" / "phenotype.hpoa.gz"))
    myhre = diseases["OMIM:139210"]
    assert "HP:0000006" in myhre.inheritance and myhre.phenotypes
    genes = kg.read_hpo_genes(str(KS / "hpo" / "genes_to_phenotype.txt.gz"))
    assert "OMIM:139210" in genes["SMAD4"].diseases


def test_civic_and_moalmanac():
    civic = oncology.load_civic(str(KS / "civic"))
    braf = [a for a in civic if a.gene == "BRAF" and a.protein_key == "V600E"]
    assert braf and {a.significance for a in braf} >= {"sensitivity"}
    assert all(a.source == "CIViC" and a.id.startswith("civic.eid:") for a in braf)
    moa = oncology.load_moalmanac(str(KS / "moalmanac" / "molecular-oncology-almanac.json.gz"))
    assert any(a.gene == "BRAF" and a.protein_key == "V600E" and a.therapy for a in moa)
    raw = oncology.load_moalmanac_raw(str(KS / "moalmanac" / "molecular-oncology-almanac.json.gz"))
    assert oncology.moalmanac_version(raw) == "2025-02-07 (database 1.3.0)"


# --------------------------------------------------------------------------------------------
# bundle and join
# --------------------------------------------------------------------------------------------


def test_bundle_manifest(tmp_path):
    sources = {
        "clinvar": {
            "path": str(KS / "clinvar" / "clinvar_20260226.slices.GRCh38.vcf.gz"),
            "version": "subset",
        },
        "mane": str(KS / "mane" / "2026_01_20_MANE.csv.gz"),
        "cardiac_g2p": str(KS / "cardiac_g2p" / "Cardiac_G2P.csv.gz"),
    }
    manifest = build_bundle(kb.check_sources(sources), str(tmp_path))
    entries = {s["key"]: s for s in manifest["sources"]}
    assert set(entries) == {"clinvar", "mane", "cardiac_g2p"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["sha256"]) for s in entries.values())
    assert entries["clinvar"]["version"] == "subset" and not entries["clinvar"]["complete"]
    assert entries["clinvar"]["licence"] == "public domain (NCBI ClinVar)"
    assert entries["clinvar"]["genes"]["TP53"] == "complete"
    assert "LMNA" not in entries["clinvar"]["genes"]
    assert "gnomad" in manifest["not_configured"]
    genes = json.loads((tmp_path / "genes.json").read_text())
    assert genes["MYBPC3"]["lof_mechanism"] is True and genes["MYBPC3"]["mane"]
    kbs = Bundle(str(tmp_path)).knowledge_bases()
    assert {k["name"] for k in kbs} == {"ClinVar", "MANE Select", "Cardiac G2P"}


def test_lookup_matches_alleles_after_normalisation(tmp_path):
    path = write_vcf(
        tmp_path / "c.vcf.gz",
        [
            ("chr1", 100, "1", "AC", "TT", "CLNSIG=Benign"),
            ("chr1", 150, "2", "GATT", "GTT", "CLNSIG=Pathogenic"),
            ("chr1", 150, "3", "G", "A", "CLNSIG=Likely_benign"),
            ("chr2", 5000, "4", "C", "T", "CLNSIG=Benign"),
        ],
    )
    calls = [
        Call(0, "chr1", 100, "AC", "TT"),
        Call(1, "chr1", 150, "GA", "G"),
        Call(2, "chr1", 150, "G", "C"),
        Call(3, "chr2", 5000, "C", "T"),
    ]
    with kv.VcfSource([str(path)]) as vcf:
        hits = lookup(vcf, lambda r: [(c.alt, c.variation_id) for c in kv.parse_clinvar(r)], calls)
    assert hits == {0: ["1"], 1: ["2"], 3: ["4"]}


@pytest.fixture(scope="module")
def minigenome():
    contigs = read_contig_map(str(ROOT / "resources" / "reference" / "contigs.tsv"))
    txs = read_gff3(str(ROOT / "resources" / "annotation" / "minigenome.gff3"))
    fasta = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
    return Genome(fasta, contigs), TranscriptModels(txs), txs


def test_codon_clinvar_translates_other_alleles(tmp_path, minigenome):
    """BRAF V600E (c.1799T>A) against ClinVar-style records at codon 600."""
    genome, models, txs = minigenome
    tx = next(t for t in txs.values() if t.gene == "BRAF")
    stars2 = "CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts"
    path = write_vcf(
        tmp_path / "c.vcf.gz",
        [
            (
                "chr7",
                140753335,
                "10",
                "CA",
                "TT",
                f"CLNSIG=Pathogenic;{stars2}",
            ),  # c.1799_1800delinsAA
            ("chr7", 140753336, "11", "A", "C", f"CLNSIG=Likely_pathogenic;{stars2}"),  # V600G
            ("chr7", 140753336, "12", "A", "T", f"CLNSIG=Pathogenic;{stars2}"),  # the call itself
            ("chr7", 140753337, "13", "C", "T", "CLNSIG=Uncertain_significance"),
        ],  # V600M
    )
    call = Call(0, "chr7", 140753336, "A", "T")
    with kv.VcfSource([str(path)]) as vcf:
        entries, note = codon_clinvar(call, "p.(Val600Glu)", tx, models, genome, vcf)
    assert note is None
    got = {(e["variation_id"], e["hgvs_p"], e["relation"]) for e in entries}
    assert got == {
        ("10", "p.(Val600Glu)", "same_aa"),
        ("11", "p.(Val600Gly)", "different_aa"),
        ("13", "p.(Val600Met)", "different_aa"),
    }


def test_nmd_facts_on_a_real_transcript(minigenome):
    _genome, models, txs = minigenome
    tx = next(t for t in txs.values() if t.gene == "BRCA1" and t.mane_select)
    positions, _ = models.cds(tx)
    early = tx_facts(tx, positions[300], "C", "T", "stop_gained")
    assert early["nmd_escape"] is False and early["fraction_removed"] > 0.9
    late = tx_facts(tx, positions[-20], "C", "T", "stop_gained")
    assert late["nmd_escape"] is True and late["fraction_removed"] < 0.01
    assert late["exon"] == late["exon_count"]


def test_annotate_without_sources(tmp_path):
    """A bundle with no VCF source still joins (nothing found, nothing claimed)."""
    build_bundle({}, str(tmp_path / "b"))
    calls = write_vcf(tmp_path / "calls.vcf.gz", [("chr1", 100, ".", "A", "G", ".")], info=[])
    doc = annotate(str(calls), Bundle(str(tmp_path / "b")))
    (v,) = doc["variants"]
    assert v["population"] is None and v["clinvar"] is None
    assert not doc["sources"]["gnomad"]["configured"]


@pytest.mark.parametrize("spacing", [3, 400, 20000])
def test_lookup_equals_a_full_scan(tmp_path, spacing):
    """Streaming and fetching give the same matches as reading the whole source."""
    import random

    rng = random.Random(spacing)
    rows, pos = [], 1000
    for i in range(3000):
        pos += rng.randint(1, 2 * spacing)
        ref = rng.choice("ACGT")
        alt = rng.choice([b for b in "ACGT" if b != ref])
        if rng.random() < 0.1:
            ref, alt = ref + "T", ref  # a deletion
        rows.append(("chr2", pos, str(i), ref, alt, "CLNSIG=Benign"))
    path = write_vcf(tmp_path / "s.vcf.gz", rows)
    picked = rng.sample(rows, 300)
    calls = [Call(i, r[0], r[1], r[3], r[4]) for i, r in enumerate(picked)]
    calls += [Call(300 + i, "chr2", rng.randint(1000, pos), "A", "G") for i in range(300)]
    with kv.VcfSource([str(path)]) as vcf:
        got = lookup(vcf, lambda r: [(c.alt, c.variation_id) for c in kv.parse_clinvar(r)], calls)
    truth = {}
    for _, p, vid, ref, alt, _ in rows:
        truth.setdefault(kb.normalize_allele(p, ref, alt), []).append(vid)
    expected = {c.index: truth[c.key] for c in calls if c.key in truth}
    assert got == expected


def test_expert_panel_and_submission_readers(tmp_path):
    panels = kv.read_expert_panels(str(KS / "clingen_vcep" / "clingen_erepo_vcep.grch38.tsv"))
    assert len(panels) == 510
    r273 = next(p for p in panels if (p.chrom, p.pos, p.ref, p.alt) == ("chr17", 7673802, "C", "T"))
    assert r273.gene == "TP53" and r273.clinical_class == "Pathogenic"
    assert "PM1" in r273.criteria_met and r273.approval_date and r273.panel == "TP53 VCEP"
    bad = tmp_path / "vcep.tsv"
    bad.write_text(
        "chrom\tpos\tref\talt\tgene\tassertion\tcriteria_met\n"
        "chr17\t7675088\tC\tT\tTP53\tProbably bad\tPM1\n"
    )
    with pytest.raises(InputError, match="line 2: field 'assertion': 'Probably bad' is not"):
        kv.read_expert_panels(str(bad))
    wrong = tmp_path / "subs.tsv"
    wrong.write_text("variation_id\tclass\n1\tPathogenic\n")
    with pytest.raises(InputError, match="no header line with the columns variation_id"):
        kb.check_sources({"clinvar_submissions": str(wrong)})
    subs = kv.read_submissions(
        str(KS / "clinvar_scv" / "clinvar_scv_statements.slice_genes.tsv"), {"187275"}
    )
    assert set(subs) == {"187275"} and len(subs["187275"]) == 7
    dates = [s.date for s in subs["187275"]]
    assert dates == sorted(dates, reverse=True)


def test_a_source_path_naming_a_folder_is_one_clear_error(tmp_path: Path) -> None:
    """Found by benchmarks/bad_input_fuzz: a folder where a VCF is expected was read as a
    file (IsADirectoryError traceback) instead of an input error naming the source."""
    with pytest.raises(InputError, match="knowledge source 'clinvar' is a folder"):
        kb.check_source("clinvar", str(tmp_path))

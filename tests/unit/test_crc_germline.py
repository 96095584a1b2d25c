"""Colorectal pilot, germline predisposition: which sample carries what, which calls are
findings (real ClinVar records of the shipped subset through the real join), MUTYH, tumor-only,
gene coverage, the Lynch syndrome reading, the switch, and the document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pysam
import pytest
from bigmed.base.errors import InputError
from bigmed.genome.genotypes import Call, iter_sites
from bigmed.genome.gff import read_gff3
from bigmed.genome.hgvs import describe
from bigmed.genome.reference import read_contig_map
from bigmed.genome.vcf import RANK
from bigmed.germline.acmg import load_overrides
from bigmed.intake.config import validate_config
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.join import annotate
from bigmed.knowledge.sources import check_sources
from bigmed.pilots.crc import germline as g
from bigmed.pilots.crc import retrocopy as retro
from bigmed.pilots.crc.interpret import interpret
from bigmed.pilots.crc.mmr import assess
from bigmed.report.interpretation import validate
from bigmed.store.annotate import into_join

from unit.test_crc import KB, inputs, kb, variant

ROOT = Path(__file__).resolve().parents[2]
KS = ROOT / "resources" / "knowledge_sources"
FASTA = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
CMAP = read_contig_map(str(ROOT / "resources" / "reference" / "contigs.tsv"))
TXS = read_gff3(str(ROOT / "resources" / "annotation" / "minigenome.gff3"))
OVERRIDES = load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))
REFERENCE_GENES = {t.gene for t in TXS.values()}

# real ClinVar 2026-02-26 records of the shipped subset (GRCh38 chrom, pos, ref, alt, gene)
APC_R1450X = ("chr5", 112839942, "C", "T", "APC")  # VCV 194585, Pathogenic, 2 stars
APC_VUS = ("chr5", 112839001, "A", "C", "APC")  # VCV 236591, VUS, 2 stars
TP53_P72R = ("chr17", 7676154, "G", "C", "TP53")  # VCV 12351, Benign
MLH1_NONSENSE = ("chr3", 37040236, "C", "T", "MLH1")  # VCV 89801, expert panel
MUTYH_MISSENSE = ("chr1", 45330557, "C", "A", "MUTYH")  # VCV 219953, P/LP, 2 stars
MUTYH_SPLICE = ("chr1", 45330515, "C", "A", "MUTYH")  # VCV 231877, P/LP, 2 stars

HET, HOM, REF = (0, 1), (1, 1), (0, 0)


# ---------------------------------------------------------------------------- carriers


@pytest.mark.parametrize(
    "call,status,why",
    [
        (None, "not assessable", "no genotype"),
        (Call((None, None)), "not assessable", "no genotype"),
        (Call(REF, 40, 99, 40, 0), "not carried", ""),
        (Call(HET, 5, 30, 2, 3), "not assessable", "below calling.min_depth 8x"),
        (Call(HET, 60, 99, 54, 6), "not assessable", "allele fraction 10.0%"),
        (Call(HET, 40, 99, 21, 19), "carrier", ""),
        (Call(HOM, 30, 99, 0, 30), "carrier", ""),
    ],
)
def test_carrier_status(call: Call | None, status: str, why: str) -> None:
    c = g.carrier_status(call, "N1", 8)
    assert c.status == status and why in c.reason
    if call is not None and call.is_hom_alt:
        assert c.zygosity == "homozygous"


# ---------------------------------------------------------------------------- real join


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    """The shipped ClinVar subset and expert-panel classifications, as the pipeline's bundle."""
    out = tmp_path_factory.mktemp("bundle")
    sources = {
        "clinvar": str(KS / "clinvar" / "clinvar_20260226.slices.GRCh38.vcf.gz"),
        "mane": str(KS / "mane" / "2026_01_20_MANE.csv.gz"),
        "acmg_sf": str(KS / "acmg" / "acmg.secondaryfindings.v3.txt"),
        "clingen_vcep": str(KS / "clingen_vcep" / "clingen_erepo_vcep.grch38.tsv"),
    }
    build_bundle(check_sources(sources), str(out))
    return Bundle(str(out))


def _hgvs(chrom: str, pos: int, ref: str, alt: str, gene: str) -> tuple[str, str, str | None]:
    """Consequence and HGVS of a GRCh38 allele on the gene's MANE/LRG transcript."""
    sl = next(s for s in CMAP.values() if s.chrom == chrom and s.start <= pos <= s.end)
    tx = next(t for t in TXS.values() if t.gene == gene)
    with pysam.FastaFile(FASTA) as fa:
        seq = fa.fetch(sl.contig).upper()
    h = describe(tx, pos - sl.start + 1, ref, alt, lambda s, e: seq[s - 1 : e])
    p = h.p or ""
    csq = (
        "stop_gained"
        if "Ter" in p and "fs" not in p
        else "splice_donor"
        if "+1" in h.c or "+2" in h.c
        else "missense"
    )
    return csq, h.c, h.p


def _calls_vcf(path: Path, rows: list[tuple[tuple[Any, ...], dict[str, Call]]]) -> str:
    """A joint germline call set as finalize_calls writes it (INFO GENE, CONSEQUENCE, HGVS)."""
    samples = sorted({s for _, calls in rows for s in calls})
    head = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={c}>" for c in ("chr1", "chr3", "chr5", "chr17")),
        *(
            f'##INFO=<ID={k},Number=1,Type=String,Description="{k}">'
            for k in ("GENE", "CONSEQUENCE", "HGVSc", "HGVSp", "TRANSCRIPT")
        ),
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    order = {"chr1": 0, "chr3": 1, "chr5": 2, "chr17": 3}
    lines = []
    for (chrom, pos, ref, alt, gene), calls in sorted(
        rows, key=lambda r: (order[r[0][0]], r[0][1])
    ):
        csq, c, p = _hgvs(chrom, pos, ref, alt, gene)
        info = f"GENE={gene};CONSEQUENCE={csq};HGVSc={c}" + (f";HGVSp={p}" if p else "")
        cells = [
            f"{'/'.join(map(str, k.alleles))}:{k.ref_reads},{k.alt_reads}:{k.dp}"
            for k in (calls[s] for s in samples)
        ]
        lines.append(
            f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t{info}\tGT:AD:DP\t" + "\t".join(cells)
        )
    plain = path.with_suffix("")
    plain.write_text("\n".join(head + lines) + "\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return str(path)


def het(depth: int = 40) -> Call:
    return Call(HET, depth, 99, depth - depth // 2, depth // 2)


def hom(depth: int = 40) -> Call:
    return Call(HOM, depth, 99, 0, depth)


def ref(depth: int = 40) -> Call:
    return Call(REF, depth, 99, depth, 0)


def analyse(
    tmp_path: Path,
    bundle: Bundle,
    rows: list[tuple[tuple[Any, ...], dict[str, Call]]],
    sample: str = "N1",
    tumor_only: bool = False,
    exon_depths: dict[str, tuple[int, int]] | None = None,
    lab: dict[str, dict[str, Any]] | None = None,
) -> g.GermlineResult:
    """``lab``: variant id -> the lab's classification, joined from a store lookup file as
    interpret_crc does (:func:`bigmed.store.annotate.into_join`)."""
    vcf = _calls_vcf(tmp_path / "calls.vcf.gz", rows)
    doc = annotate(vcf, bundle, transcripts=TXS, fasta=FASTA, contig_map=CMAP)
    if lab is not None:
        lookup = tmp_path / "lookup.json"
        entries = {
            k: {"lab_classification": c, "partner_classifications": []} for k, c in lab.items()
        }
        lookup.write_text(json.dumps({"variants": entries}))
        doc = into_join(doc, str(lookup))
    calls = {s.id: s.calls[sample] for s in iter_sites(vcf)}
    st = g.GermlineSettings(True, sample, tumor_only, 8, 20)
    return g.analyse(
        doc, calls, st, reference_genes=REFERENCE_GENES,
        exon_depths=exon_depths or {}, overrides=OVERRIDES,
    )  # fmt: skip


def vid(site: tuple[Any, ...]) -> str:
    return f"{site[0]}-{site[1]}-{site[2]}-{site[3]}"


def test_clinvar_pathogenic_in_the_normal_is_a_finding_and_a_vus_is_not(
    tmp_path: Path, bundle: Bundle
) -> None:
    res = analyse(
        tmp_path,
        bundle,
        [
            (APC_R1450X, {"T1": het(60), "N1": het(40)}),
            (APC_VUS, {"T1": het(50), "N1": het(30)}),
            (TP53_P72R, {"T1": het(), "N1": het()}),
            (MLH1_NONSENSE, {"T1": het(), "N1": ref()}),  # the tumor's alone: somatic
        ],
    )
    (finding,) = res.findings
    assert finding["variant_id"] == vid(APC_R1450X)
    assert finding["classification"] == "Pathogenic" and finding["origin"] == "germline"
    assert finding["rests_on"].startswith("ClinVar")  # the known-variant path, 2 stars
    assert "familial adenomatous polyposis" in finding["summary"]
    assert "N1 0/1 (40x, 20 alt)" in finding["summary"] and not finding["possibly_somatic"]
    by_id = {c.variant["id"]: c for c in res.calls}
    vus = by_id[vid(APC_VUS)]
    assert vus.reported == "Uncertain significance" and vus.role == "listed"
    assert "never a finding" in vus.why
    assert by_id[vid(TP53_P72R)].role == "counted"
    assert by_id[vid(MLH1_NONSENSE)].carrier.status == "not carried"
    assert not res.lynch_findings()
    section = g.germline_section(res, 2)
    assert [r[7] for r in section["rows"]] == ["Pathogenic", "Uncertain significance"]
    assert "crc.germline_findings" in section["note"] and "consent" in section["note"]
    assert res.variants[vid(APC_R1450X)]["classification"] == "Pathogenic"


def test_a_pathogenic_call_the_normal_cannot_confirm_is_not_a_finding(
    tmp_path: Path, bundle: Bundle
) -> None:
    res = analyse(tmp_path, bundle, [(APC_R1450X, {"T1": het(60), "N1": het(5)})])
    assert res.findings == []
    (row,) = g.germline_section(res)["rows"]
    assert row[7] == "Pathogenic" and row[-1].startswith("not assessable: 5x in N1")
    assert any(x["what"].startswith("germline APC") for x in res.not_assessable)


@pytest.mark.parametrize(
    "genotypes,findings,why",
    [
        ({MUTYH_MISSENSE: het()}, 0, "monoallelic MUTYH carrier"),
        ({MUTYH_MISSENSE: hom()}, 1, "biallelic (homozygous)"),
        ({MUTYH_MISSENSE: het(), MUTYH_SPLICE: het()}, 2, "phase unknown"),
    ],
)
def test_mutyh_is_a_finding_only_when_biallelic(
    tmp_path: Path, bundle: Bundle, genotypes: dict[Any, Call], findings: int, why: str
) -> None:
    res = analyse(tmp_path, bundle, [(s, {"N1": c}) for s, c in genotypes.items()])
    assert len(res.findings) == findings
    assert all(c.reported in g.PLP for c in res.calls)
    assert all(why in c.why for c in res.calls)


def test_tumor_only_findings_are_flagged_possibly_somatic(tmp_path: Path, bundle: Bundle) -> None:
    res = analyse(tmp_path, bundle, [(APC_R1450X, {"T1": het(60)})], sample="T1", tumor_only=True)
    (finding,) = res.findings
    assert finding["possibly_somatic"] and "may be somatic" in finding["summary"]
    assert g.TUMOR_ONLY in g.germline_section(res)["note"]


def test_gene_coverage_and_genes_outside_the_reference(tmp_path: Path, bundle: Bundle) -> None:
    depths = {gene: (100, 100) for gene in g.PREDISPOSITION_GENES}
    depths["MSH2"] = (50, 100)
    depths["MLH1"] = (0, 100)
    res = analyse(tmp_path, bundle, [(TP53_P72R, {"N1": het()})], exon_depths=depths)
    status = {r["gene"]: r["status"] for r in res.genes}
    for gene in ("POLD1", "BMPR1A", "CHEK2"):  # not in the demo's mini-genome
        assert status[gene] == "not assessable: not in the reference annotation"
    assert status["APC"] == "assessable"
    assert status["MSH2"].startswith("partially assessable: 50%")
    assert status["MLH1"].startswith("not assessable: 0%")
    assert res.lynch_genes_short() == ["MLH1", "MSH2"]
    whats = {x["what"]: x["reason"] for x in res.not_assessable}
    assert "POLD1, BMPR1A, CHEK2" in " ".join(whats)
    assert "MLH1 (0%)" in whats["germline predisposition genes not fully covered in N1"]


def test_exon_bases_sum_per_gene() -> None:
    rows = [("c", 0, 100, "MLH1:NM_1:exon1", 100), ("c", 200, 300, "MLH1:NM_1:exon2", 40)]
    assert g.exon_bases(rows) == {"MLH1": (140, 200)}


# ---------------------------------------------------------------------------- Lynch syndrome


@pytest.fixture(scope="module")
def lynch(tmp_path_factory: pytest.TempPathFactory, bundle: Bundle) -> g.GermlineResult:
    """A germline MLH1 nonsense variant (ClinVar, expert panel) in the normal."""
    tmp = tmp_path_factory.mktemp("lynch")
    return analyse(tmp, bundle, [(MLH1_NONSENSE, {"T1": het(), "N1": het()})])


@pytest.fixture(scope="module")
def no_lynch(tmp_path_factory: pytest.TempPathFactory, bundle: Bundle) -> g.GermlineResult:
    tmp = tmp_path_factory.mktemp("nolynch")
    return analyse(tmp, bundle, [(TP53_P72R, {"T1": het(), "N1": het()})])


def msi(status: str) -> dict[str, Any]:
    return {
        "status": status,
        "reason": "3 of 2911 microsatellites" if status == "not evaluable" else "r",
    }


def test_msi_high_with_a_germline_mmr_variant_is_consistent_with_lynch(
    lynch: g.GermlineResult,
) -> None:
    assert [f["gene"] for f in lynch.lynch_findings()] == ["MLH1"]
    a = assess(msi("positive"), None, lynch)
    assert a.interpretation.startswith("Consistent with Lynch syndrome: MSI-H tumor")
    assert "MLH1" in a.germline and "genetic counselling" in a.next_steps
    assert a.finding_note.startswith("consistent with Lynch syndrome")
    dmmr = assess(msi("negative"), "deficient", lynch)  # dMMR by IHC alone
    assert dmmr.interpretation.startswith("Consistent with Lynch syndrome")


def test_msi_high_without_a_germline_mmr_variant_names_the_next_steps(
    no_lynch: g.GermlineResult,
) -> None:
    a = assess(msi("positive"), None, no_lynch, braf_status="positive")
    assert "Lynch syndrome is not shown by this test" in a.interpretation
    assert "MLH1 promoter methylation" in a.next_steps
    assert "double somatic MMR hits" in a.next_steps
    assert "BRAF V600E is present" in a.next_steps
    assert "Consistent" not in a.interpretation


@pytest.mark.parametrize(
    "status,expected,steps",
    [
        (
            "negative",
            "microsatellite stable and may not be Lynch-associated",
            "immunohistochemistry",
        ),
        ("not evaluable", "could not be measured here", "universal Lynch screening"),
    ],
)
def test_germline_mmr_variant_with_a_stable_or_unmeasured_tumor(
    lynch: g.GermlineResult, status: str, expected: str, steps: str
) -> None:
    a = assess(msi(status), None, lynch)
    assert expected in a.interpretation and steps in a.next_steps
    assert "Consistent" not in a.interpretation


def test_msi_high_with_germline_off_says_not_analysed() -> None:
    off = g.not_analysed(
        g.GermlineSettings(False, "N1", False, 8, reason_off="crc.germline_findings is off")
    )
    a = assess(msi("positive"), None, off)
    assert "germline not analysed" in a.interpretation
    assert "MLH1 promoter methylation" in a.next_steps
    assert a.germline.startswith("not analysed")


# ---------------------------------------------------------------------------- the document


def test_document_with_germline_sections_is_valid_and_orders_findings(
    tmp_path: Path, bundle: Bundle
) -> None:
    res = analyse(
        tmp_path,
        bundle,
        [(MLH1_NONSENSE, {"T1": het(), "N1": het()}), (APC_VUS, {"T1": het(), "N1": het()})],
    )
    doc = interpret(
        inputs([variant()], msi_status="positive"), kb(KB, {"BRAF": [(600, 600, "HOTSPOT")]}), res,
        min_stars=2,
    )  # fmt: skip
    validate(doc)
    origins = [f.get("origin") for f in doc["findings"]]
    assert origins == sorted(origins, key=lambda o: o == "germline") and "germline" in origins
    mlh1 = next(f for f in doc["findings"] if f.get("gene") == "MLH1")
    assert "consistent with Lynch syndrome" in mlh1["summary"]
    ids = [s["id"] for s in doc["sections"]]
    assert (
        ids.index("somatic-variants")
        < ids.index("mmr-lynch")
        < ids.index("germline-predisposition")
    )
    assert "germline-genes" in ids and ids[-1] == "therapy-evidence"
    assert "Consistent with Lynch syndrome" in doc["note"]
    assert doc["variants"][vid(APC_VUS)]["classification"] == "Uncertain significance"
    assert {k["name"] for k in doc["knowledge_bases"]} >= {"ClinVar", "test"}


def _lab(klass: str, version: int = 1) -> dict[str, Any]:
    """The lab's newest classification of a call, as the store lookup gives it."""
    return {
        "condition": "Hereditary cancer", "version": version, "class": klass,
        "criteria": [{"code": "PS4", "strength": "moderate"}], "comment": "",
        "reviewer": "A. Curator", "date": "2026-03-02", "other_conditions": [],
    }  # fmt: skip


def test_a_lab_pathogenic_class_makes_a_germline_finding_that_rests_on_the_lab(
    tmp_path: Path, bundle: Bundle
) -> None:
    rows = [(APC_VUS, {"T1": het(), "N1": het()})]  # ClinVar VUS at 2 stars
    plain = analyse(tmp_path, bundle, rows)
    assert plain.findings == [] and plain.calls[0].rests_on.startswith("ClinVar")
    res = analyse(tmp_path, bundle, rows, lab={vid(APC_VUS): _lab("Likely pathogenic", 2)})
    (finding,) = res.findings
    assert finding["classification"] == "Likely pathogenic"
    assert finding["rests_on"] == "the lab's classification (version 2, A. Curator, 2026-03-02)"
    assert finding["known_classification"]["status"] == "lab"
    assert "familial adenomatous polyposis" in finding["summary"]
    (row,) = g.germline_section(res, 2)["rows"]
    assert row[7] == "Likely pathogenic" and row[8].startswith("the lab's classification")
    assert row[9].startswith("Uncertain significance")  # the engine's own class, kept
    assert res.lab_withheld is None


def test_a_lab_benign_class_that_keeps_clinvar_pathogenic_out_is_listed_not_silent(
    tmp_path: Path, bundle: Bundle
) -> None:
    rows = [(APC_R1450X, {"T1": het(), "N1": het()}), (TP53_P72R, {"T1": het(), "N1": het()})]
    res = analyse(tmp_path, bundle, rows, lab={vid(APC_R1450X): _lab("Likely benign")})
    assert res.findings == []
    by_id = {c.variant["id"]: c for c in res.calls}
    apc = by_id[vid(APC_R1450X)]
    assert apc.reported == "Likely benign" and apc.role == "listed"
    assert apc.withheld == ("ClinVar 2026-02-26 (2 stars): Pathogenic",)
    assert "not a finding because the lab classifies it Likely benign" in apc.why
    assert by_id[vid(TP53_P72R)].role == "counted"  # benign, no lab class: only counted
    (row,) = g.germline_section(res, 2)["rows"]
    assert row[7] == "Likely benign" and "ClinVar 2026-02-26 (2 stars): Pathogenic" in row[-1]
    secs = g.sections(res, 2)
    assert secs[0]["id"] == "lab-withheld" and secs[0]["rows"][0][0] == vid(APC_R1450X)
    doc = interpret(inputs([]), kb(KB), res, min_stars=2)
    validate(doc)
    assert "lab-withheld" in {s["id"] for s in doc["sections"]}
    assert all(f.get("origin") != "germline" for f in doc["findings"])
    # a lab class the normal does not carry keeps nothing out of this patient's findings
    ref_rows = [(APC_R1450X, {"T1": het(), "N1": ref()})]
    res = analyse(tmp_path, bundle, ref_rows, lab={vid(APC_R1450X): _lab("Likely benign")})
    assert res.lab_withheld is None and res.calls[0].role == "counted"


def test_document_with_germline_off_says_so() -> None:
    st = g.GermlineSettings(False, "N1", False, 8, reason_off="crc.germline_findings is off")
    doc = interpret(inputs([]), kb(KB), g.not_analysed(st))
    validate(doc)
    section = next(s for s in doc["sections"] if s["id"] == "germline-predisposition")
    assert section["rows"] == [] and section["note"].startswith("Not analysed")
    assert any(x["what"].startswith("germline predisposition") for x in doc["not_assessable"])
    assert "Germline predisposition: not analysed" in doc["note"]
    assert all(f.get("origin") != "germline" for f in doc["findings"])


def test_config_switch_defaults_on_and_mmr_ihc_is_checked(tmp_path: Path) -> None:
    import yaml

    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["crc"].pop("germline_findings")
    assert validate_config(cfg, source="c.yaml")["crc"]["germline_findings"] is True
    cfg["crc"]["mmr_ihc"] = {"CRC01": "lost"}
    with pytest.raises(InputError) as err:
        validate_config(cfg, source="c.yaml")
    assert "mmr_ihc" in str(err.value) and "\n" not in str(err.value)


def test_listed_vus_consequences_change_the_protein_or_splicing() -> None:
    assert "missense" in g.LISTED_VUS and "splice_region" in g.LISTED_VUS
    assert "intron" not in g.LISTED_VUS and "synonymous" not in g.LISTED_VUS
    assert all(term in RANK for term in g.LISTED_VUS)


# ---------------------------------------------------------------------------- retrocopy reads


def _bam(tmp_path: Path, reads: list[tuple[int, str, str]]) -> str:
    """A sorted, indexed BAM on one 1,000 bp contig: (1-based start, cigar, sequence)."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c1", "LN": 1000}]}
    raw, out = tmp_path / "raw.bam", tmp_path / "reads.bam"
    with pysam.AlignmentFile(str(raw), "wb", header=header) as bam:
        for i, (start, cigar, seq) in enumerate(reads):
            a = pysam.AlignedSegment()
            a.query_name, a.reference_id, a.reference_start = f"r{i}", 0, start - 1
            a.cigarstring, a.query_sequence, a.mapping_quality = cigar, seq, 60
            a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
            bam.write(a)
    pysam.sort("-o", str(out), str(raw))
    pysam.index(str(out))
    return str(out)


def _read(start: int, aligned: int, clipped: int, base_at_150: str) -> tuple[int, str, str]:
    """A read from ``start`` with ``aligned`` bases, then ``clipped`` soft-clipped bases."""
    seq = ["A"] * (aligned + clipped)
    seq[150 - start] = base_at_150
    cigar = f"{aligned}M" + (f"{clipped}S" if clipped else "")
    return start, cigar, "".join(seq)


def test_reads_clipped_at_an_exon_boundary_look_like_a_retrocopy(tmp_path: Path) -> None:
    """Exon 100-200: the alt reads stop at its end (the next exon follows in a processed
    pseudogene), the reference reads run on into the intron."""
    alt = [_read(120 + i, 200 - 120 - i + 1, 40, "G") for i in range(6)]
    ref = [_read(110 + i, 120, 0, "A") for i in range(6)]
    clips = retro.junction_clips(
        _bam(tmp_path, alt + ref), "c1", 150, "A", "G", retro.exon_boundaries([(100, 200)]),
        min_mapq=20, min_baseq=13,
    )  # fmt: skip
    assert clips == retro.JunctionClips(6, 6, 6, 0) and clips.retrocopy
    assert "6 of 6 reads with the variant" in clips.reason()


def test_a_real_variant_near_an_exon_end_is_not_a_retrocopy(tmp_path: Path) -> None:
    alt = [_read(110 + i, 120, 0, "G") for i in range(6)]
    ref = [_read(112 + i, 120, 0, "A") for i in range(6)]
    clipped_elsewhere = [_read(125, 60, 30, "G")]  # clipped at 184, far from a boundary
    clips = retro.junction_clips(
        _bam(tmp_path, alt + ref + clipped_elsewhere), "c1", 150, "A", "G",
        retro.exon_boundaries([(100, 200)]), min_mapq=20, min_baseq=13,
    )  # fmt: skip
    assert clips == retro.JunctionClips(7, 0, 6, 0) and not clips.retrocopy


def test_a_retrocopy_call_is_not_a_finding(tmp_path: Path, bundle: Bundle) -> None:
    """The read check turns a pathogenic call into 'not assessable' with its reason."""
    vcf = _calls_vcf(tmp_path / "calls.vcf.gz", [(APC_R1450X, {"N1": het()})])
    doc = annotate(vcf, bundle, transcripts=TXS, fasta=FASTA, contig_map=CMAP)
    calls = {s.id: s.calls["N1"] for s in iter_sites(vcf)}
    st = g.GermlineSettings(True, "N1", False, 8, 20)
    seen: list[str] = []

    def check(v: Any) -> str | None:
        seen.append(v["id"])
        return retro.JunctionClips(10, 9, 10, 0).reason()

    res = g.analyse(doc, calls, st, reference_genes=REFERENCE_GENES, exon_depths={},
                    overrides=OVERRIDES, read_check=check)  # fmt: skip
    assert seen == [vid(APC_R1450X)] and res.findings == []
    (row,) = g.germline_section(res)["rows"]
    assert row[7] == "Pathogenic" and "processed pseudogene" in row[-1]

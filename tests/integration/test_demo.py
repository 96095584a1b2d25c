"""The demo end to end: real reads and simulated families through every stage."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import jsonschema
import pysam
import pytest
from conftest import ROOT, Batch

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.integration

# Variants placed in the demo (resources/demo/truth) or carried by the real reads.
EXPECTED = [
    # patient, chrom, pos, ref, alt, gene, hgvs_c, hgvs_p, genotypes
    (
        "CRC01",
        "chr7",
        140753336,
        "A",
        "T",
        "BRAF",
        "c.1799T>A",
        "p.(Val600Glu)",
        {"CRC01-T": "0/1", "CRC01-N": "0/0"},
    ),
    (
        "RD01",
        "chr18",
        51078307,
        "T",
        "C",
        "SMAD4",
        "c.1499T>C",
        "p.(Ile500Thr)",
        {"RD01-P": "0/1", "RD01-M": "0/0", "RD01-F": "0/0"},
    ),
    (
        "CARD01",
        "chr1",
        156136094,
        "G",
        "A",
        "LMNA",
        "c.1130G>A",
        "p.(Arg377His)",
        {"CARD01-I": "0/1", "CARD01-S": "0/1", "CARD01-R": "0/0"},
    ),
]


def _report(demo: Batch, patient: str) -> dict:
    return json.loads((demo.workdir / "results" / patient / "report.json").read_text())


@pytest.mark.parametrize("patient,chrom,pos,ref,alt,gene,hgvs_c,hgvs_p,gts", EXPECTED)
def test_known_variant_called_with_grch38_coordinates_and_hgvs(
    demo_run: Batch, patient, chrom, pos, ref, alt, gene, hgvs_c, hgvs_p, gts
):
    vcf = demo_run.workdir / "results" / patient / "calls.vcf.gz"
    with pysam.VariantFile(str(vcf)) as vf:
        hits = [r for r in vf.fetch(chrom, pos - 1, pos) if r.pos == pos and r.alts == (alt,)]
        assert len(hits) == 1, f"{gene} variant not called at {chrom}:{pos}"
        rec = hits[0]
        assert rec.ref == ref
        assert list(rec.filter.keys()) == ["PASS"]
        assert rec.info["GENE"] == gene
        assert rec.info["HGVSc"] == hgvs_c
        assert rec.info["HGVSp"] == hgvs_p
        for sample, gt in gts.items():
            got = "/".join(str(a) for a in rec.samples[sample]["GT"])
            assert got == gt, f"{sample}: {got} != {gt}"
    variant = next(
        v
        for v in _report(demo_run, patient)["variants"]
        if v["chrom"] == chrom and v["pos"] == pos and v["alt"] == alt
    )
    assert variant["hgvs_c"] == hgvs_c and variant["hgvs_p"] == hgvs_p
    assert variant["transcript"].startswith("NM_")
    assert variant["source"]["contig"].startswith(f"{chrom}_")


def test_calls_are_sorted_indexed_and_on_grch38_contigs(demo_run: Batch):
    for patient in ("CRC01", "RD01", "CARD01", "HG001"):
        path = demo_run.workdir / "results" / patient / "calls.vcf.gz"
        assert Path(f"{path}.tbi").exists()
        with pysam.VariantFile(str(path)) as vf:
            contigs = list(vf.header.contigs)
            assert all(re.fullmatch(r"chr([0-9]+|X|Y|M)", c) for c in contigs)
            assert vf.header.contigs["chr7"].length == 159345973
            last = (-1, -1)
            for rec in vf:
                key = (contigs.index(rec.chrom), rec.pos)
                assert key >= last
                last = key
                assert rec.info["SRC_CONTIG"].startswith(rec.chrom + "_")


def test_na12878_brca1_real_reads_agree_with_an_independent_caller(demo_run: Batch):
    """Real NA12878 reads over BRCA1 against megSAP/DeepVariant calls of the same sample."""
    rows = [
        ln.split("\t")
        for ln in (DATA / "na12878_brca1_deepvariant.tsv").read_text().splitlines()
        if not ln.startswith(("#", "chrom"))
    ]
    report = _report(demo_run, "HG001")
    calls = {(v["pos"], v["ref"], v["alt"]): v for v in report["variants"] if v["filter"] == "PASS"}
    snv_ok = del_ok = snvs = dels = 0
    for chrom, start, _end, ref, obs, gt in rows:
        assert chrom == "chr17" and gt == "het"
        if obs != "-":
            snvs += 1
            v = calls.get((int(start), ref, obs))
            snv_ok += v is not None and v["genotypes"]["HG001"]["gt"] == "0/1"
        else:
            dels += 1
            # GSvar gives the deleted bases; VCF anchors one base before them
            del_ok += any(
                p == int(start) - 1 and len(r) - len(a) == len(ref) and len(a) == 1
                for p, r, a in calls
            )
    assert snvs == 15 and snv_ok == 15
    assert dels == 3 and del_ok >= 2  # a 14 bp deletion in a poly-A run is missed
    p871l = [v for v in calls.values() if v["hgvs_c"] == "c.2612C>T"]
    assert p871l and p871l[0]["hgvs_p"] == "p.(Pro871Leu)" and p871l[0]["gene"] == "BRCA1"


def test_report_json_follows_schema_and_carries_provenance(demo_run: Batch):
    schema = json.loads((ROOT / "workflow" / "schemas" / "report.schema.json").read_text())
    for patient in ("CRC01", "RD01", "CARD01", "HG001"):
        report = _report(demo_run, patient)
        jsonschema.Draft202012Validator(schema).validate(report)
        prov = report["provenance"]
        assert re.fullmatch(r"[0-9a-f]{64}", prov["config_hash"])
        assert prov["tools"]["bwa"].startswith("0.7")
        assert prov["tools"]["bcftools"].startswith("1.")
        assert prov["reference"]["build"] == "GRCh38"
        n_units = sum(
            1
            for ln in demo_run.sheet("units.tsv").read_text().splitlines()[1:]
            if ln.split("\t")[0] in {s["sample"] for s in report["samples"]}
        )
        assert len(prov["inputs"]) == 2 * n_units
        for entry in prov["inputs"]:
            assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])


def test_sample_qc_figures(demo_run: Batch):
    report = _report(demo_run, "RD01")
    for s in report["samples"]:
        qc = s["qc"]
        assert qc["reads"] > 5000
        assert qc["mapped_fraction"] > 0.95  # simulated from the reference itself
        assert qc["mean_coverage"] > 0
    crc = _report(demo_run, "CRC01")
    tumor = next(s for s in crc["samples"] if s["role"] == "tumor")
    assert tumor["tumor_type"] == "COADREAD"


def test_uncovered_exon_is_reported_not_assessable(demo_run: Batch):
    """The cardiac demo leaves one panel exon out of the simulated capture."""
    truth = (ROOT / "resources" / "demo" / "truth" / "uncovered_exon.tsv").read_text().splitlines()
    header, row = truth[0].split("\t"), truth[1].split("\t")
    gene = row[header.index("gene")]
    report = _report(demo_run, "CARD01")
    gaps = [g for g in report["coverage"]["gaps"] if g["gene"] == gene]
    assert any(g["fraction_at_min_depth"] < 0.2 for g in gaps)
    gene_row = next(g for g in report["coverage"]["genes"] if g["gene"] == gene)
    assert gene_row["status"] != "assessable"
    assert any(x["what"].startswith(gene) for x in report["not_assessable"])


def test_html_report_is_self_contained_with_sections_in_order(demo_run: Batch):
    html = (demo_run.workdir / "results" / "CRC01" / "report.html").read_text()
    order = [
        html.index(f"id='{s}'")
        for s in ("findings", "not-assessable", "variants", "coverage", "qc", "provenance")
    ]
    assert order == sorted(order)
    assert "p.(Val600Glu)" in html
    # nothing is loaded from elsewhere; links to sources (CIViC, PubMed) are anchors only
    assert not re.search(r"src=['\"]?(https?:)?//", html) and "<link" not in html
    assert all(a.startswith("https://") for a in re.findall(r"<a href='(https?:[^']*)'", html))
    assert "<svg" in html


def test_variants_tsv_matches_json(demo_run: Batch):
    rows = (demo_run.workdir / "results" / "CARD01" / "variants.tsv").read_text().splitlines()
    report = _report(demo_run, "CARD01")
    assert len(rows) - 1 == len(report["variants"])
    header = rows[0].split("\t")
    assert header[:5] == ["id", "chrom", "pos", "ref", "alt"]


def test_multiqc_and_batch_summary(demo_run: Batch):
    results = demo_run.workdir / "results"
    multiqc = (results / "qc" / "multiqc.html").read_text()
    assert (
        "bigmed: sample checks" in multiqc and "bigmed: coverage of the analysed regions" in multiqc
    )
    summary = (results / "batch" / "summary.html").read_text()
    assert "href='../qc/multiqc.html'" in summary
    for patient in ("CRC01", "RD01", "CARD01", "HG001"):
        assert f"../{patient}/report.html" in summary
        page = (results / patient / "report.html").read_text()
        assert "href='../qc/multiqc.html'" in page
    # the batch's top finding is a real finding (RD01's planted FBN1 variant, expert panel);
    # the ranked VUS stays a candidate for review
    rd01 = re.search(r">RD01</a></td>(.*?)</tr>", summary)
    assert rd01 and "FBN1 p.(Gln1419Ter) Pathogenic" in rd01.group(1)
    assert "SMAD4 p.(Ile500Thr) Uncertain significance" in rd01.group(1)


def test_bam_has_read_group_and_duplicates_marked(demo_run: Batch):
    bam = demo_run.workdir / "results" / "alignments" / "CRC01-T.bam"
    with pysam.AlignmentFile(str(bam)) as af:
        rgs = af.header.to_dict()["RG"]
        assert {rg["SM"] for rg in rgs} == {"CRC01-T"}
        assert len(rgs) == 5  # one read group per lane
        assert af.header.to_dict()["HD"]["SO"] == "coordinate"
        assert any(
            pg["ID"].startswith("samtools") and "markdup" in pg.get("CL", "")
            for pg in af.header.to_dict()["PG"]
        )


def test_outputs_not_world_readable(demo_run: Batch):
    report = demo_run.workdir / "results" / "RD01" / "report.json"
    assert report.stat().st_mode & 0o007 == 0


def test_second_run_has_nothing_to_do(demo_run: Batch):
    proc = demo_run.run("-n")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_log_has_no_phenotype_text(demo_run: Batch):
    logs = demo_run.workdir / "logs"
    for path in logs.rglob("*.log"):
        assert "HP:" not in path.read_text(errors="replace"), path


def test_calls_vcf_gz_is_bgzf(demo_run: Batch):
    path = demo_run.workdir / "results" / "RD01" / "calls.vcf.gz"
    with gzip.open(path, "rt") as handle:
        assert handle.readline().startswith("##fileformat=VCF")


def test_crc_report_lists_somatic_calls_with_their_tier(demo_run: Batch):
    report = _report(demo_run, "CRC01")
    somatic = [v for v in report["variants"] if v["origin"] == "somatic"]
    assert somatic and all(v["filter"] == "PASS" for v in somatic)
    braf = [v for v in somatic if v["id"] == "chr7-140753336-A-T"]
    assert len(braf) == 1
    assert [v["id"] for v in report["variants"]].count("chr7-140753336-A-T") == 1
    assert braf[0]["genotypes"]["CRC01-T"]["vaf"] > 0.4
    assert braf[0]["genotypes"]["CRC01-N"]["vaf"] == 0
    assert (braf[0]["classification"] or "").startswith("Tier I")

"""Patients that enter as a VCF, and re-analysis that re-runs only interpretation and report."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, Batch, job_counts, make_batch

pytestmark = pytest.mark.integration

DEMO_VCF = ROOT / "resources" / "demo" / "vcf" / "NA12878_panel.GRCh38.vcf.gz"
TARGETS = ("results/HG001/report.json", "results/HG001V/report.json")
# rules that touch reads or call variants: none may run again on re-analysis
UPSTREAM = {
    "map_reads",
    "mark_duplicates",
    "sample_qc",
    "sample_ploidy",
    "realign_indels",
    "call_variants_bcftools",
    "call_variants_freebayes",
    "call_long_indels_bcftools",
    "merge_long_indels",
    "gather_calls",
    "normalize_calls",
    "import_germline_vcf",
    "convert_input_calls",
    "annotate_consequences",
    "finalize_calls",
}


@pytest.fixture(scope="module")
def vcf_batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """HG001 from FASTQ and HG001V, the same person, from the NA12878 panel VCF."""
    b = make_batch(tmp_path_factory.mktemp("vcf_input"), patients=["HG001"])
    sheet = b.sheet("samples.tsv")
    sheet.write_text(
        sheet.read_text() + "HG001V\tHG001V\tproband\tfemale\tunknown\trare_disease\tHP:0003002\n"
    )
    calls = b.sheet("calls.tsv")
    calls.write_text(
        f"patient\tkind\tvcf\tsample_map\nHG001V\tgermline\t{DEMO_VCF}\tNA12878_03=HG001V\n"
    )
    b.edit(calls=str(calls), report__pdf=False)
    proc = b.run(*TARGETS)
    if proc.returncode != 0:
        pytest.fail(f"run failed:\n{proc.stderr[-5000:]}")
    return b


def _report(b: Batch, patient: str) -> dict:
    return json.loads((b.workdir / "results" / patient / "report.json").read_text())


def test_vcf_patient_is_reported_without_reads(vcf_batch: Batch):
    report = _report(vcf_batch, "HG001V")
    # 70 of the 326 panel calls lie in the mini-genome's slices; the others are counted
    log = (vcf_batch.workdir / "logs/inputs/import_germline_vcf/HG001V.log").read_text()
    assert "70 records imported" in log and "256 records dropped" in log
    assert len(report["variants"]) == 70
    assert {v["chrom"] for v in report["variants"]} <= {f"chr{i}" for i in range(1, 23)} | {"chrX"}
    mutyh = next(v for v in report["variants"] if v["pos"] == 45331833)
    assert (mutyh["gene"], mutyh["hgvs_c"]) == ("MUTYH", "c.1014G>C")
    reasons = [x["reason"] for x in report["not_assessable"]]
    assert "not assessable: no reads (the sample entered as a VCF)" in reasons
    assert report["samples"][0]["qc"]["reasons"] == [
        "not assessable: no reads (the sample entered as a VCF)"
    ]
    assert [(i["unit"], i["path"]) for i in report["provenance"]["inputs"]] == [
        ("germline", str(DEMO_VCF))
    ]
    html = (vcf_batch.workdir / "results/HG001V/report.html").read_text()
    assert "not assessable: no reads" in html
    # no read-level work was done for the VCF patient
    assert not list((vcf_batch.workdir / "results").glob("alignments/HG001V*"))
    assert not list((vcf_batch.workdir / "results").glob("qc/*/HG001V*"))


def test_vcf_and_fastq_calls_of_the_same_person_agree(vcf_batch: Batch):
    """NA12878 from reads (HG001, demo reads cover BRCA1) and from the panel VCF (HG001V)."""
    coding = {
        p: {v["id"]: v["gene"] for v in _report(vcf_batch, p)["variants"] if v.get("hgvs_p")}
        for p in ("HG001", "HG001V")
    }
    genes = set(coding["HG001"].values())
    from_vcf = {i for i, g in coding["HG001V"].items() if g in genes}
    assert len(from_vcf) >= 5
    assert from_vcf <= set(coding["HG001"])


def test_reanalysis_reruns_only_interpretation_and_report(vcf_batch: Batch):
    b = vcf_batch
    dry = b.run("-n", *TARGETS)
    assert dry.returncode == 0 and job_counts(dry.stdout) == {}, dry.stdout[-3000:]

    before = (b.workdir / "results/HG001/report.html").read_text()
    b.edit(report__max_variants_html=1)
    dry = b.run("-n", *TARGETS)
    assert job_counts(dry.stdout) == {"build_report": 2}, dry.stdout[-3000:]
    assert b.run(*TARGETS).returncode == 0
    assert (b.workdir / "results/HG001/report.html").read_text() != before

    b.edit(rare_disease__candidate_max_af=0.5)
    jobs = job_counts(b.run("-n", *TARGETS).stdout)
    assert jobs == {"interpret_rare_disease": 2, "build_report": 2}
    assert not UPSTREAM & set(jobs)


@pytest.fixture(scope="module")
def somatic_vcf_batch(demo_run: Batch, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """CRC01V: the demo's own CRC01 somatic VCF fed back in, under new sample ids, as the
    only patient of a batch without reads (units sheet: a header only)."""
    vcf = demo_run.workdir / "results" / "somatic" / "CRC01" / "somatic.vcf.gz"
    b = make_batch(tmp_path_factory.mktemp("somatic_vcf"), patients=[])
    head = b.sheet("samples.tsv").read_text().splitlines()[0]
    b.sheet("samples.tsv").write_text(
        f"{head}\nCRC01V\tCRC01V-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t\t\n"
        "CRC01V\tCRC01V-N\tnormal\tmale\tno\tcrc\t\t\t\t\n"
    )
    calls = b.sheet("calls.tsv")
    calls.write_text(
        "patient\tkind\tvcf\tsample_map\n"
        f"CRC01V\tsomatic\t{vcf}\tCRC01-T=CRC01V-T,CRC01-N=CRC01V-N\n"
    )
    b.edit(calls=str(calls), report__pdf=False)
    proc = b.run("results/CRC01V/report.json")
    if proc.returncode != 0:
        pytest.fail(f"run failed:\n{proc.stderr[-5000:]}")
    return b


def _somatic(report: dict) -> dict[str, tuple]:
    return {
        v["id"]: (v["gene"], v.get("hgvs_p"), v.get("classification"))
        for v in report["variants"]
        if v.get("origin") == "somatic"
    }


def test_own_somatic_vcf_fed_back_gives_the_same_findings(demo_run: Batch, somatic_vcf_batch):
    fastq, vcf = _report(demo_run, "CRC01"), _report(somatic_vcf_batch, "CRC01V")
    key = ("variant_id", "gene", "hgvs_c", "hgvs_p", "classification")
    # the tumor's findings; the FASTQ run's germline findings need the germline calls
    assert [tuple(f.get(k) for k in key) for f in vcf["findings"]] == [
        tuple(f.get(k) for k in key) for f in fastq["findings"] if f.get("origin") != "germline"
    ]
    braf = vcf["findings"][0]
    assert (braf["variant_id"], braf["classification"]) == (
        "chr7-140753336-A-T",
        "Tier I (level A)",
    )
    assert {e["source"] for e in braf["evidence"]} >= {"MOAlmanac", "CIViC"}
    # every somatic PASS call of the FASTQ run, with its consequence and tier
    assert _somatic(vcf) == _somatic(fastq) and len(_somatic(vcf)) >= 2  # BRAF and more
    card = {b["name"]: b for b in vcf["biomarkers"]}
    assert card["BRAF V600E"]["status"] == "positive"
    # what needs reads is said to be not evaluable, never negative
    for name in ("KRAS", "NRAS", "PIK3CA", "POLE exonuclease domain", "MSI", "TMB"):
        assert card[name]["status"] == "not evaluable"
        assert "no reads" in card[name]["reason"]
    assert "not wild type" in card["KRAS"]["reason"]
    whats = {n["what"]: n["reason"] for n in vcf["not_assessable"]}
    assert "entered as a somatic VCF" in whats["germline variants"]
    assert "no germline calls" in whats["germline predisposition (hereditary cancer genes)"]
    assert "Entered as a somatic VCF" in vcf["interpretation"]["note"]
    results = somatic_vcf_batch.workdir / "results"
    assert not list(results.glob("alignments/*")) and not list(results.glob("msi/CRC01V*"))


def test_declared_callable_size_gives_tmb_for_a_somatic_vcf(somatic_vcf_batch):
    b = somatic_vcf_batch
    b.edit(tmb__vcf_callable_mb=1.5)
    assert b.run("results/CRC01V/report.json").returncode == 0
    tmb = next(m for m in _report(b, "CRC01V")["biomarkers"] if m["name"] == "TMB")
    counted = json.loads((b.workdir / "results/tmb/CRC01V.json").read_text())["mutations"]
    assert tmb["status"] == "negative" and tmb["value"]["callable_mb"] == 1.5
    assert tmb["value"]["mutations"] == counted >= 1
    assert "declared in the config" in tmb["reason"]

"""Knowledge bundle and germline classification end to end; bad sources stop the run."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pysam
import pytest
from conftest import Batch, make_batch

pytestmark = pytest.mark.integration


def _vcf(path: Path, header: list[str], rows: list[str], index: bool = True) -> Path:
    plain = path.with_suffix("")
    plain.write_text(
        "\n".join(
            ["##fileformat=VCFv4.1", *header, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
        )
        + "\n"
        + "".join(r + "\n" for r in rows)
    )
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    if index:
        pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


def _set_source(b: Batch, key: str, path: str) -> None:
    cfg = b.config()
    cfg["knowledge"]["sources"][key] = path
    b.write_config(cfg)


def missing_clinvar(b: Batch) -> str:
    _set_source(b, "clinvar", str(b.workdir / "clinvar.vcf.gz"))
    return "clinvar.vcf.gz: knowledge source 'clinvar' not found"


def grch37_clinvar(b: Batch) -> str:
    path = _vcf(b.workdir / "clinvar37.vcf.gz", ["##reference=GRCh37"], [])
    _set_source(b, "clinvar", str(path))
    return "clinvar37.vcf.gz: header says ##reference=GRCh37: bigmed needs GRCh38 sources"


def unprefixed_clinvar(b: Batch) -> str:
    path = _vcf(
        b.workdir / "clinvar1.vcf.gz",
        ['##INFO=<ID=CLNSIG,Number=.,Type=String,Description="x">'],
        ["1\t100\t1\tA\tG\t.\t.\tCLNSIG=Benign"],
    )
    _set_source(b, "clinvar", str(path))
    return (
        "clinvar1.vcf.gz: contigs are named '1', not 'chr1', and the header does not declare GRCh38"
    )


def grch37_gnomad_lengths(b: Batch) -> str:
    path = _vcf(b.workdir / "gnomad37.vcf.gz", ["##contig=<ID=chr1,length=249250621>"], [])
    _set_source(b, "gnomad", str(path))
    return "gnomad37.vcf.gz: contig 'chr1' is 249250621 bp here but 248956422 bp in GRCh38"


def unindexed_gnomad(b: Batch) -> str:
    path = _vcf(b.workdir / "gnomad.vcf.gz", [], [], index=False)
    _set_source(b, "gnomad", str(path))
    return "gnomad.vcf.gz: VCF has no tabix index"


def wrong_hpo_file(b: Batch) -> str:
    cfg = b.config()
    obo = cfg["knowledge"]["sources"]["hpo_ontology"]
    _set_source(b, "hpo_genes", obo if isinstance(obo, str) else obo["path"])
    return "hp.obo.gz: line 1: missing column 'ncbi_gene_id' in the header"


def misspelled_source_key(b: Batch) -> str:
    cfg = b.config()
    cfg["knowledge"]["sources"]["clinvr"] = "x.vcf.gz"
    b.write_config(cfg)
    return "config: field 'knowledge.sources': Additional properties are not allowed ('clinvr'"


def bad_overrides(b: Batch) -> str:
    path = b.workdir / "overrides.yaml"
    path.write_text("genes:\n  MYH7:\n    ba1: 0.001\n")
    b.edit(acmg__overrides=str(path))
    return "overrides.yaml: field 'genes.MYH7': Additional properties are not allowed ('ba1'"


CASES: list[Callable[[Batch], str]] = [
    missing_clinvar,
    grch37_clinvar,
    unprefixed_clinvar,
    grch37_gnomad_lengths,
    unindexed_gnomad,
    wrong_hpo_file,
    misspelled_source_key,
    bad_overrides,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_source_stops_before_any_job(tmp_path: Path, case: Callable[[Batch], str]):
    b = make_batch(tmp_path / "batch", patients=["HG001"])
    expected = case(b)
    proc = b.run("-n")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("bigmed: error: ")
    assert expected in errors[0], errors[0]
    assert not (b.workdir / "results").exists()


def _report(demo: Batch, patient: str) -> dict:
    return json.loads((demo.workdir / "results" / patient / "report.json").read_text())


def test_every_report_lists_the_knowledge_bases(demo_run: Batch):
    manifest = json.loads((demo_run.workdir / "resources/knowledge/manifest.json").read_text())
    names = {s["name"] for s in manifest["sources"]}
    assert {"ClinVar", "gnomAD", "CIViC", "Molecular Oncology Almanac", "MANE Select"} <= names
    for patient in ("CRC01", "RD01", "CARD01", "HG001"):
        kbs = _report(demo_run, patient)["provenance"]["knowledge_bases"]
        assert {k["name"] for k in kbs} >= names
        for k in kbs:
            if k["name"] in names:
                assert re.fullmatch(r"[0-9a-f]{64}", k["sha256"]) and k["version"] and k["licence"]
        clinvar = next(k for k in kbs if k["name"] == "ClinVar")
        assert (
            clinvar["complete"] is False
            and "absence from this file says nothing" in clinvar["note"]
        )


def test_germline_pilots_classify_with_evidence(demo_run: Batch):
    hg001 = _report(demo_run, "HG001")
    assert hg001["interpretation"]["status"] == "complete"
    p1613 = next(v for v in hg001["variants"] if v["hgvs_p"] == "p.(Ser1613Gly)")
    assert p1613["classification"] == "Benign"
    summary = next(e for e in p1613["evidence"] if e["type"] == "acmg")
    assert summary["criteria_met"] == ["BA1"]
    assert any(e["type"] == "clinvar" and e["variation_id"] for e in p1613["evidence"])
    rd01 = _report(demo_run, "RD01")
    smad4 = next(v for v in rd01["variants"] if v["hgvs_p"] == "p.(Ile500Thr)")
    summary = next(e for e in smad4["evidence"] if e["type"] == "acmg")
    assert smad4["classification"] == "Uncertain significance"
    assert summary["criteria_met"] == ["PM6"]  # de novo in the trio, parentage not confirmed
    not_eval = next(e for e in smad4["evidence"] if e["type"] == "not_evaluated")
    assert "subset" in not_eval["reasons"]["PM2"]
    for patient in ("RD01", "CARD01", "HG001"):
        report = _report(demo_run, patient)
        # one rule for every pilot: a finding is P/LP; ranked candidates are apart
        for f in report["findings"]:
            assert f["classification"] in ("Pathogenic", "Likely pathogenic")
        for c in report.get("candidates", []):
            assert c["summary"].startswith("Candidate ") and c["classification"]
        assert any(s["id"] == "acmg-classification" for s in report["sections"])
        assert any("subset" in x["reason"] for x in report["not_assessable"])


def test_annotated_json_is_written_per_germline_patient(demo_run: Batch):
    for patient in ("RD01", "CARD01", "HG001"):
        doc = json.loads(
            (demo_run.workdir / "results" / "knowledge" / f"{patient}.annotated.json").read_text()
        )
        assert doc["variants"] and doc["sources"]["clinvar"]["configured"]

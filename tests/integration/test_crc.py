"""The colorectal pilot end to end: CRC01 (constructed tumor/normal pair) and tumor-only."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pysam
import pytest
from conftest import Batch, job_counts, make_batch

pytestmark = pytest.mark.integration

BRAF_V600E = "chr7-140753336-A-T"
CARD = {
    "KRAS",
    "NRAS",
    "BRAF V600E",
    "PIK3CA",
    "ERBB2 amplification",
    "POLE exonuclease domain",
    "MSI",
    "TMB",
}


def _report(batch: Batch, patient: str = "CRC01") -> dict:
    return json.loads((batch.workdir / "results" / patient / "report.json").read_text())


def test_crc01_braf_v600e_is_tier_one_with_therapy_evidence(demo_run: Batch):
    report = _report(demo_run)
    assert report["interpretation"]["status"] == "complete"
    braf = [f for f in report["findings"] if f.get("variant_id") == BRAF_V600E]
    assert len(braf) == 1
    finding = braf[0]
    assert finding["gene"] == "BRAF" and finding["hgvs_p"] == "p.(Val600Glu)"
    assert finding["classification"] == "Tier I (level A)"
    assert report["findings"][0]["classification"].startswith("Tier I")
    evidence = finding["evidence"]
    sources = {e["source"] for e in evidence}
    assert {"MOAlmanac", "CIViC"} <= sources
    assert all(e["source_version"] for e in evidence)
    assert any(
        e["level"] == "A"
        and "Encorafenib" in (e["therapy"] or "")
        and e["tumor_type"] == "COADREAD"
        for e in evidence
    )
    variant = next(v for v in report["variants"] if v["id"] == BRAF_V600E)
    assert variant["classification"] == "Tier I (level A)"
    names = {k["name"] for k in report["provenance"]["knowledge_bases"]}
    assert {"Molecular Oncology Almanac", "CIViC", "OncoTree"} <= names


def test_crc01_biomarker_card_and_therapy_lines(demo_run: Batch):
    report = _report(demo_run)
    card = {b["name"]: b for b in report["biomarkers"]}
    assert set(card) == CARD
    assert card["BRAF V600E"]["status"] == "positive"
    # RAS: the demo panel covers KRAS/NRAS codons at ~15-20x, below the depth for a negative
    for gene in ("KRAS", "NRAS"):
        assert card[gene]["status"] in ("negative", "not evaluable")
        assert card[gene]["reason"]
    assert card["MSI"]["status"] == "not evaluable" and "microsatellites" in card["MSI"]["reason"]
    assert card["TMB"]["status"] == "not evaluable" and "below 1 Mb" in card["TMB"]["reason"]
    lines = next(s for s in report["sections"] if s["id"] == "therapy-lines")["rows"]
    by_therapy = {r[0].split(" (")[0]: r[1] for r in lines}
    assert by_therapy["Encorafenib + cetuximab"] == "candidate"
    assert by_therapy["Anti-EGFR antibody"] == "not a candidate"
    assert "constructed pair" in report["interpretation"]["note"]
    assert any(n["what"] == "biomarker MSI" for n in report["not_assessable"])


def test_crc01_somatic_vcf_and_msi_tmb_outputs(demo_run: Batch):
    results = demo_run.workdir / "results"
    with pysam.VariantFile(str(results / "somatic" / "CRC01" / "somatic.vcf.gz")) as vf:
        assert list(vf.header.samples) == ["CRC01-T", "CRC01-N"]
        hits = [r for r in vf.fetch("chr7", 140753335, 140753336) if r.alts == ("T",)]
        assert len(hits) == 1
        rec = hits[0]
        assert list(rec.filter) == ["PASS"] and rec.info["SOMATIC"]
        assert rec.info["GENE"] == "BRAF" and rec.info["HGVSp"] == "p.(Val600Glu)"
        assert rec.samples["CRC01-T"]["AF"][0] > 0.5 and rec.samples["CRC01-N"]["AD"][1] == 0
    msi = json.loads((results / "msi" / "CRC01.json").read_text())
    assert msi["mode"] == "paired" and msi["sites_unstable"] == 0  # the stable pair
    tmb = json.loads((results / "tmb" / "CRC01.json").read_text())
    assert tmb["status"] == "not evaluable" and tmb["callable_mb"] < 1


def test_tumor_only_flags_germline_not_excluded(tmp_path: Path):
    batch = make_batch(tmp_path / "to", patients=["CRC01"])
    sheet = batch.sheet("samples.tsv")
    sheet.write_text(
        "".join(ln for ln in sheet.read_text().splitlines(True) if "CRC01-N" not in ln)
    )
    units = batch.sheet("units.tsv")
    units.write_text(
        "".join(ln for ln in units.read_text().splitlines(True) if "CRC01-N" not in ln)
    )
    proc = batch.run("results/CRC01/report.json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = _report(batch)
    assert "germline variants are not excluded" in report["interpretation"]["note"]
    card = {b["name"]: b for b in report["biomarkers"]}
    assert card["BRAF V600E"]["status"] == "positive"
    assert "germline not excluded" in card["BRAF V600E"]["reason"]
    assert card["ERBB2 amplification"]["status"] == "not evaluable"
    assert card["MSI"]["status"] == "not evaluable"
    # the tumor stands in for the germline: the planted APC variant, flagged possibly somatic
    germline = [f for f in report["findings"] if f.get("origin") == "germline"]
    assert [f["gene"] for f in germline] == ["APC"]
    assert germline[0]["possibly_somatic"] and germline[0]["sample"] == "CRC01-T"
    assert "may be somatic" in germline[0]["summary"]
    with pysam.VariantFile(str(batch.workdir / "results/somatic/CRC01/somatic.vcf.gz")) as vf:
        assert list(vf.header.samples) == ["CRC01-T"]
        assert all(r.info["GERMLINE_NOT_EXCLUDED"] for r in vf)


def _renamed_reads(fastq: Path, folder: Path) -> str:
    """A copy of a FASTQ with its read names prefixed: the same reads as another sample
    (pileups merge reads of one name across files as overlapping mates)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / fastq.name
    with gzip.open(fastq, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            dst.write("@copy_" + line[1:] if i % 4 == 0 else line)
    return str(out)


def test_batch_panel_of_normals_needs_enough_other_normals(tmp_path: Path):
    """Two crc normals in the batch: the tumor-only patient has two normals other than its
    own (none) and uses the batch panel; CRC01 has one other and does not."""
    batch = make_batch(tmp_path / "pon", patients=["CRC01"])
    batch.edit(validation__fastq_full_check=False)
    samples, units = batch.sheet("samples.tsv"), batch.sheet("units.tsv")
    rows = samples.read_text().splitlines(True)
    unit_rows = units.read_text().splitlines(True)
    for patient, roles in (("CRC02", ("T", "N")), ("CRC03", ("T",))):
        for role in roles:
            src = next(ln for ln in rows if f"\tCRC01-{role}\t" in ln)
            rows.append(src.replace("CRC01", patient))
            for unit in [ln for ln in unit_rows if ln.startswith(f"CRC01-{role}\t")]:
                cols = unit.rstrip("\n").split("\t")
                cols[0] = f"{patient}-{role}"
                cols[2:4] = [_renamed_reads(Path(f), batch.workdir / patient) for f in cols[2:4]]
                unit_rows.append("\t".join(cols) + "\n")
    samples.write_text("".join(rows))
    units.write_text("".join(unit_rows))
    proc = batch.run("-n", "results/somatic/CRC01/somatic.vcf.gz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "panel_of_normals" not in job_counts(proc.stdout)
    proc = batch.run("-n", "results/somatic/CRC03/somatic.vcf.gz")
    counts = job_counts(proc.stdout)
    assert counts["panel_of_normals"] == 1 and counts["pileup_normals"] == 4
    # built for real: CRC02-N has CRC01-N's reads, so every allele is in both normals
    proc = batch.run("results/somatic/panel_of_normals.vcf.gz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with pysam.VariantFile(str(batch.workdir / "results/somatic/panel_of_normals.vcf.gz")) as vf:
        rows = [(r.info["PON_SAMPLES"], r.info["PON_COUNT"]) for r in vf]
    assert rows and all(row == ("CRC01-N|CRC02-N", 2) for row in rows)
    batch.edit(somatic__batch_panel_of_normals=False)
    proc = batch.run("-n", "results/somatic/CRC03/somatic.vcf.gz")
    assert "panel_of_normals" not in job_counts(proc.stdout)


def test_somatic_calling_reads_the_realigned_reads(tmp_path: Path):
    """With calling.realign_indels (the default) the somatic pileup and model of each shard
    read that shard's realigned reads (a read bwa clipped at a long indel carries it), so a
    16-50 bp somatic insertion becomes a candidate; without it they read the alignments."""
    batch = make_batch(tmp_path / "ra", patients=["CRC01"])
    proc = batch.run("-n", "results/somatic/CRC01/somatic.vcf.gz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["pileup_somatic"] >= 1
    assert counts["realign_indels"] == counts["pileup_somatic"] == counts["call_somatic"]
    batch.edit(calling__realign_indels=False)
    proc = batch.run("-n", "results/somatic/CRC01/somatic.vcf.gz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["pileup_somatic"] >= 1 and "realign_indels" not in counts

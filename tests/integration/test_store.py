"""The lab's variant store end to end: the demo builds it, a second batch sees the first,
the lab's classification reaches the reports, and an export of it identifies no one."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration

DEMO_VCF = ROOT / "resources" / "demo" / "vcf" / "NA12878_panel.GRCh38.vcf.gz"
MUTYH = "chr1-45331833-C-G"  # MUTYH c.1014G>C p.(Gln338His) (minus strand), in NA12878's VCF
CONDITION = "MUTYH-associated polyposis"


def _report(b: Batch, patient: str) -> dict:
    return json.loads((b.workdir / "results" / patient / "report.json").read_text())


def _bigmed(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "bigmed.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)


def _sheet_ids(*sheets: Path) -> set[str]:
    ids = set()
    for sheet in sheets:
        for line in sheet.read_text().splitlines()[1:]:
            ids.update(line.split("\t")[:2])
    return ids


def test_the_demo_builds_the_store_and_every_report_looked_it_up(demo_run: Batch):
    receipt = json.loads((demo_run.workdir / "results/store/loaded.json").read_text())
    patients = {p["patient"]: p for p in receipt["patients"]}
    assert set(patients) == {"RD01", "CARD01", "CRC01", "HG001", "HG001V"}
    crc = patients["CRC01"]["observations"]
    assert crc["somatic"] > 0 and crc["normal"] > 0  # PASS somatic calls; the PoN grows
    assert patients["RD01"]["observations"]["somatic"] == 0
    db = sqlite3.connect(demo_run.workdir / "results/store/bigmed.sqlite")
    assert db.execute("SELECT count(*) FROM patients").fetchone()[0] == 5
    kinds = db.execute(
        "SELECT o.kind, o.sample FROM observations o JOIN variants v ON v.id = o.variant_id "
        "WHERE v.key = 'chr7-140753336-A-T'"
    ).fetchall()
    assert kinds == [("somatic", "CRC01-T")]  # BRAF V600E: the tumor's, never germline
    db.close()
    for patient in patients:
        report = _report(demo_run, patient)
        assert report["local_knowledge"]["store"]["backend"] == "sqlite"
        assert "never used as ACMG evidence" in report["local_knowledge"]["usage"]
        section = next(s for s in report["sections"] if s["id"] == "local-knowledge")
        # the first batch of a new store: nothing was seen before
        assert "0 other patient(s)" in section["note"]
        assert all("observations" in v for v in report["variants"])


@pytest.fixture(scope="module")
def second_batch(demo_run: Batch, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """A second batch on (a copy of) the demo's store: HG001V re-analysed, and NA12878B, a
    new patient entering with the same NA12878 VCF; the lab has classified MUTYH c.1014G>C
    in between."""
    work = tmp_path_factory.mktemp("store_second")
    lab = work / "lab.sqlite"
    shutil.copyfile(demo_run.workdir / "results/store/bigmed.sqlite", lab)
    proc = _bigmed(
        "store",
        "classify",
        "--url",
        str(lab),
        "--variant",
        MUTYH,
        "--condition",
        CONDITION,
        "--class",
        "LB",
        "--criteria",
        "BS2",
        "--reviewer",
        "Dr. Curator",
        "--date",
        "2026-03-02",
        "--comment",
        "homozygous in healthy adults (lab records)",
        "--reference",
        str(ROOT / "resources/reference/minigenome.fa.gz"),
        "--contig-map",
        str(ROOT / "resources/reference/contigs.tsv"),
    )
    assert proc.returncode == 0, proc.stderr
    b = make_batch(work / "batch", patients=["HG001V"])
    sheet = b.sheet("samples.tsv")
    sheet.write_text(
        sheet.read_text()
        + "NA12878B\tNA12878B\tproband\tfemale\tunknown\trare_disease\tHP:0003002\n"
    )
    calls = b.sheet("calls.tsv")
    calls.write_text(calls.read_text() + f"NA12878B\tgermline\t{DEMO_VCF}\tNA12878_03=NA12878B\n")
    b.edit(
        store__url=str(lab),
        report__pdf=False,
        report__previous_dir=str(demo_run.workdir / "results"),
    )
    targets = [
        "results/HG001V/report.json",
        "results/NA12878B/report.json",
        "results/store/loaded.json",
    ]
    proc = b.run(*targets)
    if proc.returncode != 0:
        pytest.fail(f"second batch failed:\n{proc.stderr[-5000:]}")
    return b


def test_a_second_batch_sees_the_first(second_batch: Batch):
    report = _report(second_batch, "NA12878B")
    cohort = report["local_knowledge"]["cohort"]
    assert cohort["total_patients"] == 5  # the demo's patients; NA12878B itself not counted
    assert cohort["patients"] == {"rare_disease": 3, "cardiac": 1, "crc": 1}
    seen = {
        v["id"]: v["observations"]["germline"]
        for v in report["variants"]
        if v["observations"]["germline"]["patients"]
    }
    # HG001V (the same VCF) carries every PASS call of NA12878B
    passing = [v for v in report["variants"] if v["filter"] == "PASS"]
    assert passing and all(v["id"] in seen for v in passing)
    # NA12878's BRCA1 calls were also made from HG001's reads: seen in two patients
    brca1 = [g for i, g in seen.items() if i.startswith("chr17-")]
    assert brca1 and max(g["patients"] for g in brca1) == 2
    section = next(s for s in report["sections"] if s["id"] == "local-knowledge")
    assert "5 other patient(s)" in section["note"]
    assert any("of 5 patients (rare_disease" in str(row) for row in section["rows"])
    html = (second_batch.workdir / "results/NA12878B/report.html").read_text()
    assert "Seen before in this lab" in html
    # the re-analysed patient did not become a second patient, and reloading changed nothing
    log = (second_batch.workdir / "logs/store/load_store.log").read_text()
    assert "HG001V: unchanged" in log and "NA12878B: added" in log
    db = sqlite3.connect(second_batch.config()["store"]["url"])
    assert db.execute("SELECT count(*) FROM patients").fetchone()[0] == 6
    db.close()


def test_the_labs_classification_reaches_the_reports(second_batch: Batch):
    report = _report(second_batch, "NA12878B")
    mutyh = next(v for v in report["variants"] if v["id"] == MUTYH)
    lab = mutyh["lab_classification"]
    assert (lab["class"], lab["condition"], lab["reviewer"], lab["date"], lab["version"]) == (
        "Likely benign",
        CONDITION,
        "Dr. Curator",
        "2026-03-02",
        1,
    )
    annotated = json.loads(
        (second_batch.workdir / "results/knowledge/NA12878B.annotated.json").read_text()
    )
    clinvar = next(v for v in annotated["variants"] if v["id"] == MUTYH).get("clinvar")
    differs = [d["source"] for d in lab["differs_from"]]
    if clinvar and clinvar.get("class") and clinvar["class"] != "Likely benign":
        assert differs and differs[0].startswith("ClinVar")
    else:
        assert not any(s.startswith("ClinVar") for s in differs)
    section = next(s for s in report["sections"] if s["id"] == "local-knowledge")
    row = next(r for r in section["rows"] if r[0] == MUTYH)
    assert "Likely benign for MUTYH-associated polyposis" in row[6] and "Dr. Curator" in row[6]
    # HG001V's report was made before: its re-analysis lists the lab's new class
    changes = _report(second_batch, "HG001V")["changes"]["items"]
    assert {
        "change": "reclassified by the lab",
        "what": "MUTYH p.(Gln338His)",
        "before": None,
        "after": f"Likely benign ({CONDITION})",
    } in changes


def test_an_export_of_the_demo_store_identifies_no_one(
    demo_run: Batch, second_batch: Batch, tmp_path: Path
):
    lab = second_batch.config()["store"]["url"]
    out = tmp_path / "export"
    proc = _bigmed(
        "store",
        "export",
        "--url",
        lab,
        "--configfile",
        str(second_batch.config_path),
        "--out",
        str(out),
        "--lab",
        "Demo lab",
    )
    assert proc.returncode == 0, proc.stderr
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "alleles.vrs.json",
        "classifications.tsv",
        "counts.tsv",
        "manifest.json",
    ]
    text = "\n".join(f.read_text() for f in files)
    ids = _sheet_ids(demo_run.sheet("samples.tsv"), second_batch.sheet("samples.tsv"))
    names = set()
    for units in (demo_run.sheet("units.tsv"), second_batch.sheet("units.tsv")):
        for line in units.read_text().splitlines()[1:]:
            names.update(Path(p).name for p in line.split("\t")[2:] if p)
    names.add(DEMO_VCF.name)
    hpo_lists = {
        ln.split("\t")[6] for ln in demo_run.sheet("samples.tsv").read_text().splitlines()[1:]
    }
    assert len(ids) >= 10 and len(names) >= 20  # the guard: the lists are not empty
    for secret in ids | names | {h for h in hpo_lists if h}:
        assert secret not in text, secret
    assert "HP:" not in text  # no phenotype at all
    assert "Dr. Curator" not in text and "lab records" not in text and "2026-03-02" not in text
    counts = (out / "counts.tsv").read_text().splitlines()
    assert len(counts) > 100 and all(ln.split("\t")[7].startswith("<") for ln in counts[1:])
    # the partner lab's side: the export as a knowledge source of a new store
    partner = tmp_path / "partner.sqlite"
    proc = _bigmed("store", "import", "--url", str(partner), str(out))
    assert proc.returncode == 0 and "partner lab Demo lab" in proc.stdout, proc.stderr


def test_a_store_of_a_newer_schema_stops_the_run_before_any_job(tmp_path: Path):
    lab = tmp_path / "lab.sqlite"
    db = sqlite3.connect(lab)
    db.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO store_meta VALUES ('schema_version', '99')")
    db.commit()
    db.close()
    b = make_batch(tmp_path / "batch", patients=["HG001"])
    b.edit(store__url=str(lab))
    proc = b.run("-n")
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("bigmed: error:")]
    assert proc.returncode != 0 and errors == [
        f"bigmed: error: sqlite:///{lab}: the store has schema version 99, newer than this "
        "bigmed supports (3): upgrade bigmed before using this store"
    ]
    assert not (b.workdir / "results").exists()

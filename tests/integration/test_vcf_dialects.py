"""VCFs as the common callers write them, each run to a report in one VCF-only batch.

The inputs are real caller output lifted onto the mini-genome
(tests/integration/data/vcf_dialects, tools/derive_vcf_dialects.py). Every patient of the
batch enters as a VCF, so the batch has no reads at all: `snakemake` with no target must
run to the end (MultiQC says there are no reads) and no rule that needs reads may be in
its DAG. The batch lives in a folder with a space and the VCFs in one with a space and a
quote in the name: paths reach the rules as they are.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest
from conftest import ROOT, Batch, job_counts, make_batch

pytestmark = pytest.mark.integration

DATA = ROOT / "tests" / "integration" / "data" / "vcf_dialects"
HPO = "HP:0003002"
# rules that need reads: none may be in the DAG of a batch without reads
READ_RULES = {
    "map_reads",
    "mark_duplicates",
    "import_alignment",
    "extract_reads",
    "sample_qc",
    "multiqc",
    "realign_indels",
    "sample_ploidy",
    "call_long_indels_bcftools",
    "merge_long_indels",
    "call_variants_bcftools",
    "call_variants_freebayes",
    "gather_calls",
    "pileup_somatic",
    "gather_somatic",
    "quantize_depth",
    "msi_lengths",
    "measure_msi_lengths",
    "call_msi",
    "build_msi_baseline",
    "index_bwa",
}


@dataclass(frozen=True)
class Patient:
    """A patient of the batch: its VCF(s), and its samples as (VCF name, sheet role)."""

    id: str
    vcfs: tuple[str, ...]
    samples: tuple[tuple[str, str], ...]

    @property
    def pilot(self) -> str:
        return "crc" if any(r in ("tumor", "normal") for _, r in self.samples) else "rare_disease"


def _p(pid: str, vcf: str | tuple[str, ...], *samples: tuple[str, str]) -> Patient:
    return Patient(pid, vcf if isinstance(vcf, tuple) else (vcf,), samples)


PROBAND = "proband"
PATIENTS = (
    # germline: DeepVariant (no INFO/DP, RefCall), its gVCF (<*> blocks)
    _p("DV", "deepvariant.vcf", ("NA12878", PROBAND)),
    _p("DVG", "deepvariant.g.vcf", ("NA12878", PROBAND)),
    # GATK HaplotypeCaller VCF (Ensembl '17' names), gVCF (<NON_REF>), CombineGVCFs family
    # gVCF, GenotypeGVCFs trio of which the patient is two people (an extra sample)
    _p("HC", "gatk_haplotypecaller.vcf", ("NA12878", PROBAND)),
    _p("HCG", "gatk_haplotypecaller.g.vcf.gz", ("HG00187", PROBAND)),
    _p("JOINT", "gatk_combinegvcfs.g.vcf", ("PROBAND", PROBAND), ("MOTHER", "mother")),
    _p("TRIO", "gatk_genotypegvcfs_trio.vcf", ("NWD242235", PROBAND), ("NWD666458", "mother")),
    # DRAGEN germline gVCFs (SQ instead of GQ; hard-filtered)
    _p("DRG", "dragen.g.vcf", ("sample", PROBAND)),
    _p("DRGH", "dragen_hard_filtered.gvcf.gz", ("T-NGS-9008", PROBAND)),
    # Strelka2 germline (DPI for indels, per-sample FT; VCF 4.1), joint trio, gVCF
    _p("STG", "strelka2_germline.vcf.gz", ("TUMOR", PROBAND)),
    _p(
        "STT",
        "strelka2_trio.vcf.gz",
        ("NA12882", PROBAND),
        ("NA12877", "father"),
        ("NA12878", "mother"),
    ),
    _p("STGV", "strelka2_germline.gvcf", ("HG001-NA12878-50x.70_percent", PROBAND)),
    # bcftools call (GT:PL:DP:DV, no AD), its gVCF; freebayes and its gVCF (no GT on blocks)
    _p("BCF", "bcftools_call.vcf", ("HG00100", PROBAND), ("HG00101", "sibling")),
    _p("BCFG", "bcftools_call.g.vcf", ("HG00102", PROBAND)),
    _p("FB", "freebayes.vcf", ("1", PROBAND)),
    _p("FBG", "freebayes.g.vcf", ("1", PROBAND)),
    # Platypus (VCF 4.0, no ##contig lines), VCF 4.3 and 4.4 of 100 samples (one used)
    _p(
        "PLAT",
        "platypus_trio.vcf",
        ("NA12878", PROBAND),
        ("NA12891", "father"),
        ("NA12892", "mother"),
    ),
    _p("V43", "vcf43.vcf", ("HG00096", PROBAND)),
    _p("V44", "vcf44.vcf", ("HG00097", PROBAND)),
    _p("V44P", "vcf44_phasing.vcf", ("HG00096", PROBAND)),
    # somatic: Mutect2 (FilterMutectCalls; normal column first), tumor-only, multi-allelic
    _p("M2", "mutect2_paired.vcf.gz", ("TUMOR", "tumor"), ("NORMAL", "normal")),
    _p("M2T", "mutect2_tumor_only.vcf.gz", ("TUMOR", "tumor")),
    _p("M2M", "mutect2_multiallelic.vcf", ("TUMOR", "tumor")),
    # Strelka2 somatic: SNVs and indels in two files (two calls-sheet rows)
    _p(
        "SK",
        ("strelka2_somatic.snvs.vcf.gz", "strelka2_somatic.indels.vcf.gz"),
        ("TUMOR", "tumor"),
        ("NORMAL", "normal"),
    ),
    # VarDict (tumor column first, VCF 4.3 without ##contig), VarDictJava (<INV>)
    _p("VD", "vardict_paired.vcf.gz", ("TUMOR", "tumor"), ("NORMAL", "normal")),
    _p("VDJ", "vardictjava_paired.vcf", ("abc", "tumor"), ("abc-match", "normal")),
    # DRAGEN somatic (synthetic layout) with BRAF V600E
    _p("DRS", "dragen_somatic.vcf", ("CRC02_T", "tumor"), ("CRC02_N", "normal")),
)
DIALECTS = {p.id: p for p in PATIENTS}


def _sheet_rows(p: Patient) -> list[str]:
    rows = []
    for _, role in p.samples:
        sample = f"{p.id}-{role}"
        if p.pilot == "crc":
            tumor_type = "COADREAD" if role == "tumor" else ""
            affected = "yes" if role == "tumor" else "no"
            rows.append(f"{p.id}\t{sample}\t{role}\tmale\t{affected}\tcrc\t\t{tumor_type}\t\t")
        else:
            sex = "male" if role == "father" else "female"
            hpo = HPO if role == PROBAND else ""
            affected = "yes" if role == PROBAND else "no"
            rows.append(f"{p.id}\t{sample}\t{role}\t{sex}\t{affected}\trare_disease\t{hpo}\t\t\t")
    return rows


def _calls_rows(p: Patient, folder: str) -> list[str]:
    smap = ",".join(f"{name}={p.id}-{role}" for name, role in p.samples)
    kind = "somatic" if p.pilot == "crc" else "germline"
    return [f"{p.id}\t{kind}\t{folder}/{vcf}\t{smap}" for vcf in p.vcfs]


def dialect_batch(workdir, patients=PATIENTS) -> Batch:
    """A batch of VCF patients only: sheets, calls sheet, the VCFs in a folder whose name
    has a space and a quote."""
    b = make_batch(workdir, patients=[])
    folder = workdir / "lab's vcf dialects"
    folder.mkdir()
    for p in patients:
        for vcf in p.vcfs:
            shutil.copy(DATA / vcf, folder / vcf)
    head = b.sheet("samples.tsv").read_text().splitlines()[0]
    rows = [r for p in patients for r in _sheet_rows(p)]
    b.sheet("samples.tsv").write_text("\n".join([head, *rows]) + "\n")
    calls = [r for p in patients for r in _calls_rows(p, str(folder))]
    b.sheet("calls.tsv").write_text("patient\tkind\tvcf\tsample_map\n" + "\n".join(calls) + "\n")
    b.edit(calls=str(b.sheet("calls.tsv")), report__pdf=False, inputs__rename_contigs=True)
    return b


@pytest.fixture(scope="module")
def dialects(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    b = dialect_batch(tmp_path_factory.mktemp("dialects") / "vcf only batch")
    dry = b.run("-n")
    assert dry.returncode == 0, dry.stderr[-3000:]
    jobs = job_counts(dry.stdout)
    assert jobs and not READ_RULES & set(jobs), jobs
    proc = b.run()  # no target: the whole batch
    if proc.returncode != 0:
        pytest.fail(f"run failed:\n{proc.stderr[-6000:]}")
    return b


def _report(b: Batch, patient: str) -> dict:
    return json.loads((b.workdir / "results" / patient / "report.json").read_text())


def _log(b: Batch, p: Patient) -> str:
    kind = "somatic" if p.pilot == "crc" else "germline"
    return (b.workdir / f"logs/inputs/import_{kind}_vcf/{p.id}.log").read_text()


def test_vcf_only_batch_runs_to_the_end_without_reads(dialects: Batch):
    results = dialects.workdir / "results"
    assert (results / "batch" / "summary.html").is_file()
    qc = (results / "qc" / "multiqc.html").read_text()
    assert "No reads in this batch" in qc
    assert not list(results.glob("alignments/*")) and not (results / "msi").exists()
    # nothing left to do (code edits elsewhere in a checkout under work would re-trigger
    # the rules through their code-hash params: only missing or older files count here)
    assert job_counts(dialects.run("-n", "--rerun-triggers", "mtime", "input").stdout) == {}


@pytest.mark.parametrize("pid", list(DIALECTS))
def test_each_dialect_reaches_a_report(dialects: Batch, pid: str):
    p = DIALECTS[pid]
    report = _report(dialects, pid)
    assert {s["sample"] for s in report["samples"]} == {f"{pid}-{r}" for _, r in p.samples}
    reasons = {x["reason"] for x in report["not_assessable"]}
    assert "not assessable: no reads (the sample entered as a VCF)" in reasons
    log = _log(dialects, p)
    imported = int(log.split(" records imported")[0].split()[-1])
    variants = [v for v in report["variants"] if v.get("origin") != "somatic"]
    if p.pilot == "crc":
        variants = [v for v in report["variants"] if v.get("origin") == "somatic"]
        assert len(variants) <= imported  # PASS calls only
    else:
        # every imported germline record is reported (multi-allelic ones split)
        assert len(variants) >= imported
    for v in variants:
        assert v["chrom"].startswith("chr") and v["pos"] > 0


# gVCF coverage: a patient entering as a gVCF gets the coverage its records give (GATK
# HaplotypeCaller 4.0 -ERC GVCF: MUTYH exon 16 in blocks of MIN_DP >= 1040, exon 15 in
# blocks of MIN_DP < 20 but one base), beside a plain VCF patient (DeepVariant: no reads)
GVCF = _p("HCG40", "gatk_haplotypecaller_4.0.g.vcf.gz", ("Test1", PROBAND))
NO_BLOCK = "not assessable (no gVCF block)"


@pytest.fixture(scope="module")
def gvcf_batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    b = dialect_batch(tmp_path_factory.mktemp("gvcf") / "batch", (GVCF, DIALECTS["DV"]))
    dry = b.run("-n")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert job_counts(dry.stdout).get("gvcf_exon_depth") == 1  # the gVCF only
    proc = b.run()
    if proc.returncode != 0:
        pytest.fail(f"run failed:\n{proc.stderr[-6000:]}")
    return b


def test_a_gvcf_patient_has_coverage_from_its_blocks(gvcf_batch: Batch):
    report = _report(gvcf_batch, "HCG40")
    cov = report["coverage"]
    assert cov["sample"] == "HCG40-proband" and cov["min_depth"] == 20
    mutyh = next(g for g in cov["genes"] if g["gene"] == "MUTYH")
    assert mutyh["status"] == "not assessable"  # 152 bases of its exons
    assert round(mutyh["fraction_at_min_depth"] * mutyh["coding_bases"]) == 152
    gaps = {g["exon"]: g for g in cov["gaps"] if g["gene"] == "MUTYH"}
    assert "exon16" not in gaps and gaps["exon15"]["fraction_at_min_depth"] == 0.0
    items = {x["what"]: x["reason"] for x in report["not_assessable"]}
    source = items["sample HCG40-proband: coverage of coding exons"]
    assert source.startswith("from the gVCF, not reads: covered at >= 20x in 152 of ")
    assert "(from gVCF reference blocks, MIN_DP" in source
    assert items["sample HCG40-proband: read QC"].startswith("not assessable: no reads")
    outside = [w for w, r in items.items() if r == NO_BLOCK]
    assert len(outside) == 3
    assert outside[0].startswith("sample HCG40-proband: 1 coding exon(s) partly in no gVCF")
    assert outside[0].endswith("MUTYH:NM_001128425.1:exon15 (1 of 62 bp)")
    assert "gene(s) with no coding base in any gVCF record" in outside[1]
    assert "MUTYH" not in outside[1] and "RBM20" in outside[1]
    # MUTYH's 16 coding exons: 16 covered, 15 partly, the other 14 in no record
    assert outside[2].startswith(
        "sample HCG40-proband: 14 further coding exon(s) in no gVCF record: "
        "MUTYH:NM_001128425.1:exon14, MUTYH:NM_001128425.1:exon13,"
    )
    # the rare-disease candidate-gene coverage says where its depth came from
    cand = next(s for s in report["sections"] if s["id"] == "candidate-coverage")
    assert "Depth from the proband's gVCF records, not reads" in cand["note"]
    html = (gvcf_batch.workdir / "results" / "HCG40" / "report.html").read_text()
    assert "from the gVCF, not reads" in html and NO_BLOCK in html
    log = (gvcf_batch.workdir / "logs/inputs/gvcf_exon_depth/HCG40-proband.log").read_text()
    assert "43 gVCF reference blocks" in log and "43 records with depth from MIN_DP" in log


def test_a_plain_vcf_patient_still_has_no_reads(gvcf_batch: Batch):
    report = _report(gvcf_batch, "DV")
    assert report["coverage"]["genes"] == [] and report["coverage"]["gaps"] == []
    items = {x["what"]: x["reason"] for x in report["not_assessable"]}
    assert items["sample DV-proband: read QC and coverage of coding exons"] == (
        "not assessable: no reads (the sample entered as a VCF)"
    )
    assert not any("gVCF" in r for r in items.values())

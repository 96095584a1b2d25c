"""Bad input stops the run before any job, with one line naming the file, row and field."""

from __future__ import annotations

import gzip
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    lines = _lines(path)
    header = lines[0].split("\t")
    cells = lines[row].split("\t")
    cells += [""] * (len(header) - len(cells))
    cells[header.index(column)] = value
    lines[row] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")


def _unit_fastq(b: Batch, mate: int = 1) -> Path:
    return Path(_lines(b.sheet("units.tsv"))[1].split("\t")[1 + mate])


def _replace_fastq(b: Batch, mate: int, data: bytes) -> Path:
    """Put a modified copy of a FASTQ in the batch and point the unit sheet at it."""
    target = b.workdir / f"bad_R{mate}.fastq.gz"
    target.write_bytes(data)
    _set_cell(b.sheet("units.tsv"), 1, f"fq{mate}", str(target))
    return target


def _fastq_records(b: Batch, mate: int, n: int) -> list[bytes]:
    with gzip.open(_unit_fastq(b, mate), "rb") as handle:
        return [next(handle) for _ in range(4 * n)]


def _copy_both(b: Batch, n: int) -> tuple[list[bytes], list[bytes]]:
    r1, r2 = _fastq_records(b, 1, n), _fastq_records(b, 2, n)
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    _replace_fastq(b, 2, gzip.compress(b"".join(r2), mtime=0))
    return r1, r2


def missing_fastq(b: Batch) -> str:
    _set_cell(b.sheet("units.tsv"), 1, "fq1", str(b.workdir / "nope_R1.fastq.gz"))
    return "nope_R1.fastq.gz: FASTQ file not found"


def unreadable_fastq(b: Batch) -> str:
    target = _replace_fastq(b, 1, b"")
    target.unlink()
    target.mkdir()
    return "bad_R1.fastq.gz: FASTQ file is not readable"


def empty_fastq(b: Batch) -> str:
    _replace_fastq(b, 1, b"")
    return "bad_R1.fastq.gz: FASTQ file is empty"


def truncated_gzip(b: Batch) -> str:
    data = _unit_fastq(b).read_bytes()
    _replace_fastq(b, 1, data[: len(data) // 2])
    return "bad_R1.fastq.gz: gzip stream is truncated"


def corrupt_gzip(b: Batch) -> str:
    data = bytearray(_unit_fastq(b).read_bytes())
    for i in range(200, 400):
        data[i] ^= 0xFF
    _replace_fastq(b, 1, bytes(data))
    return "bad_R1.fastq.gz: corrupt gzip data"


def not_gzip(b: Batch) -> str:
    _replace_fastq(b, 1, b"".join(_fastq_records(b, 1, 10)))
    return "bad_R1.fastq.gz: name ends in .gz but the file is not gzip-compressed"


def read_count_mismatch(b: Batch) -> str:
    r1, r2 = _fastq_records(b, 1, 3000), _fastq_records(b, 2, 3000)
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    _replace_fastq(b, 2, gzip.compress(b"".join(r2[:-4]), mtime=0))
    return "bad_R2.fastq.gz: has 2999 reads but its mate"


def mates_out_of_order(b: Batch) -> str:
    r1, r2 = _fastq_records(b, 1, 20), _fastq_records(b, 2, 20)
    r2 = r2[4:8] + r2[:4] + r2[8:]
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    _replace_fastq(b, 2, gzip.compress(b"".join(r2), mtime=0))
    return "bad_R2.fastq.gz: line 1: read 1 is"


def broken_record(b: Batch) -> str:
    r1 = _fastq_records(b, 1, 20)
    r1[7] = b"ACGT\n"  # quality line shorter than the sequence
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    return "bad_R1.fastq.gz: line 8: sequence has"


def phred64(b: Batch) -> str:
    r1 = _fastq_records(b, 1, 20)
    for i in range(3, len(r1), 4):
        r1[i] = bytes(min(c + 31, 126) for c in r1[i].rstrip(b"\n")) + b"\n"
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    return "bad_R1.fastq.gz: qualities look Phred+64"


def header_without_at(b: Batch) -> str:
    r1 = _fastq_records(b, 1, 20)
    r1[4] = b">" + r1[4][1:]
    _replace_fastq(b, 1, gzip.compress(b"".join(r1), mtime=0))
    return "bad_R1.fastq.gz: line 5: record header does not start with '@'"


def duplicate_sample(b: Batch) -> str:
    p = b.sheet("samples.tsv")
    p.write_text(p.read_text() + _lines(p)[1] + "\n")
    return "samples.tsv: line 3: field 'sample': duplicate sample id 'HG001'"


def unknown_role(b: Batch) -> str:
    _set_cell(b.sheet("samples.tsv"), 1, "role", "aunt")
    return "samples.tsv: line 2: field 'role': 'aunt' is not one of"


def unknown_pilot(b: Batch) -> str:
    _set_cell(b.sheet("samples.tsv"), 1, "pilot", "oncology")
    return "samples.tsv: line 2: field 'pilot': 'oncology' is not one of"


def family_without_proband(b: Batch) -> str:
    _set_cell(b.sheet("samples.tsv"), 1, "role", "sibling")
    return "samples.tsv: line 2: field 'role': family 'HG001' needs exactly one proband, found 0"


def missing_column(b: Batch) -> str:
    lines = [ln.split("\t") for ln in _lines(b.sheet("samples.tsv"))]
    idx = lines[0].index("affected")
    b.sheet("samples.tsv").write_text("\n".join("\t".join(c[:idx] + c[idx + 1 :]) for c in lines))
    return "samples.tsv: line 1: missing required column 'affected'"


def comma_delimited(b: Batch) -> str:
    p = b.sheet("samples.tsv")
    p.write_text(p.read_text().replace("\t", ","))
    return "samples.tsv: line 1: header is separated by ',', expected tabs"


def byte_order_mark(b: Batch) -> str:
    p = b.sheet("samples.tsv")
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    return "samples.tsv: line 1: starts with a UTF-8 byte-order mark"


def bad_hpo_format(b: Batch) -> str:
    _set_cell(b.sheet("samples.tsv"), 1, "phenotypes", "HP:12;seizures")
    return "samples.tsv: line 2: field 'phenotypes': 'HP:12;seizures' does not match"


def tumor_in_family(b: Batch) -> str:
    p = b.sheet("samples.tsv")
    row = _lines(p)[1].split("\t")
    row[1], row[2] = "HG001-T", "tumor"
    p.write_text(p.read_text() + "\t".join(row) + "\n")
    u = b.sheet("units.tsv")
    unit = _lines(u)[1].split("\t")
    unit[0] = "HG001-T"
    u.write_text(u.read_text() + "\t".join(unit) + "\n")
    return "samples.tsv: line 3: field 'role': role 'tumor' belongs to a crc patient"


def tumor_without_patient(b: Batch) -> str:
    p = b.sheet("samples.tsv")
    p.write_text(p.read_text() + "\tT1\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t0.5\n")
    return "samples.tsv: line 3: field 'patient': empty or missing value"


def unit_of_unknown_sample(b: Batch) -> str:
    _set_cell(b.sheet("units.tsv"), 1, "sample", "HG002")
    return "units.tsv: line 2: field 'sample': sample 'HG002' is not in the sample sheet"


def sample_without_unit(b: Batch) -> str:
    p = b.sheet("units.tsv")
    p.write_text(_lines(p)[0] + "\n")
    return "units.tsv: has a header but no rows"


def bad_sample_id(b: Batch) -> str:
    _set_cell(b.sheet("samples.tsv"), 1, "sample", "HG 001")
    return "samples.tsv: line 2: field 'sample': 'HG 001' does not match"


def misspelled_config_key(b: Batch) -> str:
    cfg = b.config()
    cfg["calling"]["min_qaul"] = 30
    b.write_config(cfg)
    return (
        "config: field 'calling': Additional properties are not allowed ('min_qaul' was unexpected)"
    )


def unknown_caller(b: Batch) -> str:
    b.edit(calling__germline_caller="gatk")
    return "config: field 'calling.germline_caller': 'gatk' is not one of ['bcftools', 'freebayes']"


def targets_contig_not_in_reference(b: Batch) -> str:
    bed = b.workdir / "targets.bed"
    bed.write_text("chr7_140717327_140929764\t100\t200\nchr7\t140753000\t140753500\n")
    b.edit(targets=str(bed))
    return "targets.bed: line 2: field 'chrom': contig 'chr7' is not in the reference"


def annotation_other_build(b: Batch) -> str:
    gff = b.workdir / "other.gff3"
    text = (ROOT / "resources" / "annotation" / "minigenome.gff3").read_text()
    gff.write_text(text.replace("chr7_140717327_140929764", "7"))
    b.edit(reference__annotation=str(gff))
    return "other.gff3: line"


def gff_broken_parent(b: Batch) -> str:
    gff = b.workdir / "broken.gff3"
    lines = (ROOT / "resources" / "annotation" / "minigenome.gff3").read_text().splitlines()
    i = next(n for n, ln in enumerate(lines) if "\texon\t" in ln)
    lines[i] = lines[i].replace("Parent=transcript:", "Parent=transcript:XX")
    gff.write_text("\n".join(lines) + "\n")
    b.edit(reference__annotation=str(gff))
    return f"broken.gff3: line {i + 1}: field 'Parent': exon has Parent"


def contig_map_length_mismatch(b: Batch) -> str:
    cmap = b.workdir / "contigs.tsv"
    lines = (ROOT / "resources" / "reference" / "contigs.tsv").read_text().splitlines()
    c, chrom, start, end = lines[1].split("\t")
    lines[1] = "\t".join([c, chrom, start, str(int(end) + 5)])
    cmap.write_text("\n".join(lines) + "\n")
    b.edit(reference__contig_map=str(cmap))
    return f"contigs.tsv: line 2: field 'end': contig '{c}' spans"


def missing_reference(b: Batch) -> str:
    b.edit(reference__fasta=str(b.workdir / "GRCh38.fa"))
    return "GRCh38.fa: reference FASTA not found"


def _vcf_patient(b: Batch, contigs: list[str], samples: list[str], patient: str = "VCF1") -> None:
    """A patient entering as a germline VCF (calls sheet); the VCF has only a header."""
    sheet = b.sheet("samples.tsv")
    sheet.write_text(sheet.read_text() + "VCF1\tVCF1-P\tproband\tfemale\tyes\trare_disease\n")
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
    vcf = b.workdir / "in.vcf.gz"
    text = "\n".join(["##fileformat=VCFv4.2", *contigs, "\t".join(cols)]) + "\n"
    vcf.write_bytes(gzip.compress(text.encode()))
    calls = b.workdir / "calls.tsv"
    calls.write_text(f"patient\tkind\tvcf\tsample_map\n{patient}\tgermline\t{vcf}\tNA=VCF1-P\n")
    b.edit(calls=str(calls))


def _bam_unit(b: Batch, sq: list[tuple[str, int]], sm: str = "HG001") -> None:
    """Replace HG001's FASTQ unit by a small BAM with the given @SQ lines and SM."""
    lines = ["@HD\tVN:1.6\tSO:coordinate", *(f"@SQ\tSN:{n}\tLN:{ln}" for n, ln in sq)]
    lines.append(f"@RG\tID:L1\tSM:{sm}")
    sam = b.workdir / "in.sam"
    sam.write_text("\n".join(lines) + "\n")
    bam = b.workdir / "in.bam"
    subprocess.run(["samtools", "view", "-b", "-o", str(bam), str(sam)], check=True)
    b.sheet("units.tsv").write_text(f"sample\tunit\tbam\nHG001\tL001\t{bam}\n")


def _first_contig() -> tuple[str, int]:
    fai = ROOT / "resources" / "reference" / "minigenome.fa.gz.fai"
    name, length = fai.read_text().split("\n")[0].split("\t")[:2]
    return name, int(length)


def bam_contig_length(b: Batch) -> str:
    name, length = _first_contig()
    _bam_unit(b, [(name, length + 3)])
    return f"in.bam: @SQ '{name}' has length {length + 3} but the reference has {length}"


def bam_contig_not_in_reference(b: Batch) -> str:
    _bam_unit(b, [_first_contig(), ("chr7_55019017_55211628", 192612)])
    return "in.bam: @SQ 'chr7_55019017_55211628' is not in the reference"


def bam_read_group_other_sample(b: Batch) -> str:
    _bam_unit(b, [_first_contig()], sm="NA12878")
    return "in.bam: read group 'L1' has SM 'NA12878' but the sample id is 'HG001'"


def vcf_contig_without_chr(b: Batch) -> str:
    _vcf_patient(b, ["##contig=<ID=7,length=159345973>"], ["NA"])
    return "in.vcf.gz: line 2: field 'contig': contig '7' is named without 'chr' but the"


def vcf_grch37(b: Batch) -> str:
    _vcf_patient(b, ["##contig=<ID=chr1,length=249250621>"], ["NA"])
    return "in.vcf.gz: line 2: field 'length': contig 'chr1' has length 249250621 but GRCh38"


def vcf_sample_map_names_no_vcf_sample(b: Batch) -> str:
    _vcf_patient(b, [], ["NA12878", "NA12891"])
    return "in.vcf.gz: line 2: sample_map names VCF sample 'NA' but the VCF has no such"


def vcf_filter_id_with_semicolon(b: Batch) -> str:
    _vcf_patient(b, ['##FILTER=<ID=q10;s50,Description="two filters in one id">'], ["NA"])
    return "in.vcf.gz: line 2: field 'FILTER': FILTER id 'q10;s50' contains ';' or a blank"


DIALECTS = ROOT / "tests" / "integration" / "data" / "vcf_dialects"


def vcf_without_genotypes(b: Batch) -> str:
    """Raw bcftools mpileup output (PL only) given as a germline VCF."""
    _vcf_patient(b, [], ["NA"])
    calls = b.workdir / "calls.tsv"
    vcf = DIALECTS / "bcftools_mpileup.vcf"
    calls.write_text(f"patient\tkind\tvcf\tsample_map\nVCF1\tgermline\t{vcf}\tERS220911=VCF1-P\n")
    first = 1 + sum(ln.startswith("#") for ln in vcf.read_text().splitlines())
    return f"bcftools_mpileup.vcf: line {first}: field 'FORMAT': declares no FORMAT/GT: germline"


def vcf_sites_only(b: Batch) -> str:
    """LoFreq's somatic output: eight columns, no sample."""
    _somatic_vcf_patient(b, ["TUMOR"], "TUMOR=CRCV-T")
    calls = b.workdir / "calls.tsv"
    calls.write_text(
        f"patient\tkind\tvcf\tsample_map\nCRCV\tsomatic\t{DIALECTS / 'lofreq.vcf.gz'}\t\n"
    )
    text = gzip.decompress((DIALECTS / "lofreq.vcf.gz").read_bytes()).decode()
    chrom = sum(ln.startswith("#") for ln in text.splitlines())
    return f"lofreq.vcf.gz: line {chrom}: has no sample columns (a sites-only VCF): the pipeline"


def calls_unknown_patient(b: Batch) -> str:
    _vcf_patient(b, [], ["NA"], patient="VCF9")
    return "calls.tsv: line 2: field 'patient': patient 'VCF9' is not in the sample sheet"


def _somatic_vcf_patient(b: Batch, vcf_samples: list[str], sample_map: str) -> None:
    """CRCV: a tumor/normal pair entering as a somatic VCF (header only)."""
    sheet = b.sheet("samples.tsv")
    sheet.write_text(
        sheet.read_text()
        + "CRCV\tCRCV-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\n"
        + "CRCV\tCRCV-N\tnormal\tmale\tno\tcrc\n"
    )
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *vcf_samples]
    vcf = b.workdir / "somatic.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n" + "\t".join(cols) + "\n")
    calls = b.workdir / "calls.tsv"
    calls.write_text(f"patient\tkind\tvcf\tsample_map\nCRCV\tsomatic\t{vcf}\t{sample_map}\n")
    b.edit(calls=str(calls))


def somatic_vcf_without_the_normal(b: Batch) -> str:
    _somatic_vcf_patient(b, ["TUMOR"], "TUMOR=CRCV-T")
    return "somatic.vcf: line 2: sample 'CRCV-N' of patient 'CRCV' is not in the VCF (VCF samples:"


def germline_vcf_for_a_crc_patient(b: Batch) -> str:
    _somatic_vcf_patient(b, ["TUMOR", "NORMAL"], "TUMOR=CRCV-T,NORMAL=CRCV-N")
    calls = b.workdir / "calls.tsv"
    calls.write_text(calls.read_text().replace("somatic\t", "germline\t", 1))
    return (
        "calls.tsv: line 2: field 'kind': a germline VCF does not fit patient 'CRCV': crc "
        "patients enter with a somatic VCF"
    )


CASES: list[Callable[[Batch], str]] = [
    missing_fastq,
    unreadable_fastq,
    empty_fastq,
    truncated_gzip,
    corrupt_gzip,
    not_gzip,
    read_count_mismatch,
    mates_out_of_order,
    broken_record,
    phred64,
    header_without_at,
    duplicate_sample,
    unknown_role,
    unknown_pilot,
    family_without_proband,
    missing_column,
    comma_delimited,
    byte_order_mark,
    bad_hpo_format,
    tumor_in_family,
    tumor_without_patient,
    unit_of_unknown_sample,
    sample_without_unit,
    bad_sample_id,
    misspelled_config_key,
    unknown_caller,
    targets_contig_not_in_reference,
    annotation_other_build,
    gff_broken_parent,
    contig_map_length_mismatch,
    missing_reference,
    vcf_contig_without_chr,
    vcf_grch37,
    vcf_sample_map_names_no_vcf_sample,
    vcf_filter_id_with_semicolon,
    vcf_without_genotypes,
    vcf_sites_only,
    calls_unknown_patient,
    somatic_vcf_without_the_normal,
    germline_vcf_for_a_crc_patient,
    bam_contig_length,
    bam_contig_not_in_reference,
    bam_read_group_other_sample,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_stops_before_any_job(tmp_path: Path, case: Callable[[Batch], str]):
    b = make_batch(tmp_path / "batch", patients=["HG001"])
    expected = case(b)
    proc = b.run()
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("bigmed: error: ")
    assert expected in errors[0], errors[0]
    assert not (b.workdir / "results").exists()
    assert not (b.workdir / "logs").exists()

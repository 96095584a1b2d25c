"""Patients that enter as called variants: the calls sheet and the VCF header checks.

A calls sheet (config ``calls``) names the VCF(s) of a patient and kind (germline or
somatic); several rows of one patient and kind are read together (Strelka2 writes SNVs
and indels to two files). At parse time each VCF's header (and first record) is checked
against the reference and the sample sheet: build, contig naming, sample names, the
FORMAT fields the pilot needs (genotypes for germline calls, allele depths for somatic
ones) and FILTER ids bcftools can write. What a VCF cannot give is said at start with one
line, never left to a tool's error half-way through the run. The import itself (run
time) is :mod:`bigmed.intake.vcfimport`.
"""

from __future__ import annotations

import html
import os
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.base.errors import InputError
from bigmed.base.textio import open_text
from bigmed.genome.reference import GRCH38_LENGTHS, ContigSlice, canonical_chrom
from bigmed.genome.vcf import NEW_INFO
from bigmed.intake.qc import SampleQC
from bigmed.intake.sheets import Patient, Sample, group_patients, read_tsv
from bigmed.intake.vcfrecords import meta_fields

CALL_COLUMNS = ("patient", "kind", "vcf", "sample_map")
KINDS = ("germline", "somatic")
# the kind of VCF each pilot accepts in place of reads; the cardiac pilot needs reads
# (panel exon coverage and cascade pileups are its findings)
VCF_KIND = {"rare_disease": "germline", "crc": "somatic"}
GRCH37_HINTS = ("grch37", "hg19", "b37", "hs37")
# FORMAT fields from which a somatic caller's per-sample allele depths can be derived
# (bigmed.intake.vcfimport.allele_depths): AD; freebayes AO; Strelka2 tier-1 base counts
# and indel TIR; AF with DP
DEPTH_FORMATS = (("AD",), ("AO",), ("AU", "CU", "GU", "TU"), ("TAR", "TIR"), ("AF", "DP"))
# FILTER ids are written ';'-separated in records: an id with ';' or a blank cannot be
# told from two filters, and bcftools refuses to write such a record
BAD_FILTER_ID = re.compile(r"[;\s]")
# the pipeline annotates consequences, population frequency and tumor-only flags itself
# (a VCF of its own fed back in gets them anew, not twice)
DROPPED_INFO = (
    "CSQ",
    "ANN",
    "BCSQ",
    *(key for key, _ in NEW_INFO),
    "POP_AF",
    "TUMOR_ONLY",
    "GERMLINE_NOT_EXCLUDED",
)


@dataclass(frozen=True)
class CallSet:
    """The VCF(s) of one patient and kind, and how their sample names map to the sheet."""

    patient: str
    kind: str
    vcfs: tuple[str, ...]
    sample_map: tuple[tuple[str, str], ...] = ()  # (VCF sample name, sheet sample id)
    line: int = 0

    def sheet_id(self, vcf_name: str) -> str:
        return dict(self.sample_map).get(vcf_name, vcf_name)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> CallSet:
        """The call set a rule passes its script as JSON (``callset_json`` in the rules)."""
        pairs = tuple((str(a), str(b)) for a, b in doc["sample_map"])
        return cls(doc["patient"], doc["kind"], tuple(doc["vcfs"]), pairs, doc["line"])


def parse_sample_map(text: str) -> tuple[tuple[str, str], ...]:
    """``TUMOR=CRC02-T,NORMAL=CRC02-N`` -> (("TUMOR", "CRC02-T"), ("NORMAL", "CRC02-N"))."""
    pairs: list[tuple[str, str]] = []
    for item in text.split(","):
        name, sep, sample = (x.strip() for x in item.partition("="))
        if not sep or not name or not sample:
            raise ValueError(f"'{item}' is not VCF_NAME=SAMPLE")
        pairs.append((name, sample))
    return tuple(pairs)


def read_calls(path: str | os.PathLike[str], samples: list[Sample]) -> list[CallSet]:
    """Read the calls sheet and check it against the sample sheet; rows of one patient
    and kind become one :class:`CallSet` with several VCFs."""
    path = str(path)
    rows = read_tsv(path, CALL_COLUMNS, ("patient", "kind", "vcf"))
    patients = group_patients(samples)
    found: dict[tuple[str, str], CallSet] = {}
    for lineno, r in rows:
        for col in ("patient", "kind", "vcf"):
            if col not in r:
                raise InputError(path, "empty or missing value", line=lineno, field=col)
        _check_patient_kind(path, lineno, r, patients)
        if not os.path.isfile(r["vcf"]):  # False, not OSError, for a name too long
            raise InputError(path, f"VCF '{r['vcf']}' not found", line=lineno, field="vcf")
        smap = _row_sample_map(path, lineno, r, patients[r["patient"]])
        key = (r["patient"], r["kind"])
        found[key] = (
            _add_row(path, lineno, found[key], r["vcf"], smap)
            if key in found
            else CallSet(r["patient"], r["kind"], (r["vcf"],), smap, lineno)
        )
    return list(found.values())


def _add_row(
    path: str, lineno: int, cs: CallSet, vcf: str, smap: tuple[tuple[str, str], ...]
) -> CallSet:
    """A further VCF of the same patient and kind (e.g. Strelka2's indels beside its SNVs)."""
    if any(os.path.realpath(v) == os.path.realpath(vcf) for v in cs.vcfs):
        raise InputError(
            path,
            f"VCF '{vcf}' is named twice for patient '{cs.patient}' (first on line {cs.line})",
            line=lineno,
            field="vcf",
        )
    merged = dict(cs.sample_map)
    for name, sid in smap:
        if merged.get(name, sid) != sid:
            raise InputError(
                path,
                f"VCF sample '{name}' is mapped to '{merged[name]}' on line {cs.line} but to "
                f"'{sid}' here",
                line=lineno,
                field="sample_map",
            )
        merged[name] = sid
    return CallSet(cs.patient, cs.kind, (*cs.vcfs, vcf), tuple(merged.items()), cs.line)


def _check_patient_kind(
    path: str, lineno: int, r: dict[str, str], patients: dict[str, Patient]
) -> None:
    """The row's patient is in the sample sheet and its pilot takes a VCF of this kind."""
    if r["patient"] not in patients:
        raise InputError(
            path,
            f"patient '{r['patient']}' is not in the sample sheet",
            line=lineno,
            field="patient",
        )
    if r["kind"] not in KINDS:
        raise InputError(
            path, f"'{r['kind']}' is not one of: {', '.join(KINDS)}", line=lineno, field="kind"
        )
    pilot = patients[r["patient"]].pilot
    if pilot not in VCF_KIND:
        raise InputError(
            path,
            f"patient '{r['patient']}' (pilot '{pilot}') cannot enter as a VCF: the "
            "pilot's findings need reads (panel exon coverage, cascade pileups)",
            line=lineno,
            field="patient",
        )
    if r["kind"] != VCF_KIND[pilot]:
        raise InputError(
            path,
            f"a {r['kind']} VCF does not fit patient '{r['patient']}': {pilot} patients "
            f"enter with a {VCF_KIND[pilot]} VCF",
            line=lineno,
            field="kind",
        )


def _row_sample_map(
    path: str, lineno: int, r: dict[str, str], patient: Patient
) -> tuple[tuple[str, str], ...]:
    """The row's sample_map, every sample in it one of the patient's."""
    try:
        smap = parse_sample_map(r["sample_map"]) if "sample_map" in r else ()
    except ValueError as err:
        raise InputError(path, str(err), line=lineno, field="sample_map") from None
    ids = set(patient.sample_ids)
    for _, sid in smap:
        if sid not in ids:
            raise InputError(
                path,
                f"sample '{sid}' is not a sample of patient '{r['patient']}'",
                line=lineno,
                field="sample_map",
            )
    return smap


@dataclass(frozen=True)
class VcfHeader:
    lines: list[str]  # meta lines (##...)
    samples: list[str]
    contigs: dict[str, int | None]
    first_chrom: str | None = None  # CHROM of the first record (None: no record)
    columns: int = 0  # columns of the #CHROM line
    first_format: tuple[str, ...] = ()  # FORMAT keys of the first record
    contig_lines: dict[str, int] = field(default_factory=dict)  # line of each ##contig
    chrom_line: int = 0  # line of #CHROM
    first_line: int = 0  # line of the first record


def read_header(path: str) -> VcfHeader:
    """Meta lines, sample names and ``##contig`` lengths of a VCF (plain or gzip), and the
    first record's CHROM (a VCF without ##contig lines names its contigs only there)."""
    meta: list[str] = []
    contigs: dict[str, int | None] = {}
    where: dict[str, int] = {}
    try:
        with open_text(path, errors="strict") as handle:
            for n, line in enumerate(handle, 1):
                line = line.rstrip("\r\n")
                if line.startswith("##"):
                    meta.append(line)
                    if line.startswith("##contig=<"):
                        contig, length = _contig_line(line)
                        contigs[contig], where[contig] = length, n
                elif line.startswith("#CHROM"):
                    cols = line.split("\t")
                    first = next(
                        ((k, ln) for k, ln in enumerate(handle, n + 1) if ln.strip()), None
                    )
                    rec = first[1].rstrip("\r\n").split("\t") if first else []
                    return VcfHeader(
                        meta,
                        cols[9:],
                        contigs,
                        rec[0] if rec else None,
                        len(cols),
                        tuple(rec[8].split(":")) if len(rec) > 8 else (),
                        where,
                        n,
                        first[0] if first else 0,
                    )
                else:
                    break
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as err:
        raise InputError(path, f"VCF cannot be read ({err})") from err
    raise InputError(path, "is not a VCF (no #CHROM header line)", line=len(meta) + 1)


def _contig_line(line: str) -> tuple[str, int | None]:
    """(ID, length or None) of a ``##contig=<ID=...,length=...>`` line."""
    fields = meta_fields(line)
    length = fields.get("length", "")
    return fields.get("ID", ""), int(length) if length.isdigit() else None


def _target_names(ref_contigs: dict[str, int], cmap: dict[str, ContigSlice] | None) -> set[str]:
    """Chromosome names a VCF may use: GRCh38 names behind the slices, or the contigs."""
    return {sl.chrom for sl in cmap.values()} if cmap else set(ref_contigs)


def contig_renames(
    path: str,
    header: VcfHeader,
    ref_contigs: dict[str, int],
    cmap: dict[str, ContigSlice] | None,
    rename: bool,
) -> dict[str, str]:
    """Check build and naming of the VCF's contigs; the 1 -> chr1 renames to apply."""
    for n, line in enumerate(header.lines, 1):
        if line.lower().startswith("##reference=") and any(h in line.lower() for h in GRCH37_HINTS):
            raise InputError(
                path,
                f"header says {line[2:]}; the pipeline needs GRCh38 (lift the VCF over)",
                line=n,
            )
    names = _target_names(ref_contigs, cmap)
    renames: dict[str, str] = {}
    for contig, length in header.contigs.items():
        at = header.contig_lines.get(contig)
        name = target_name(path, contig, names, ref_contigs, rename, at, "contig")
        if name != contig:
            renames[contig] = name
        expected = (
            ref_contigs[name] if not cmap and name in ref_contigs else GRCH38_LENGTHS.get(name)
        )
        if length is not None and expected is not None and length != expected:
            raise InputError(
                path,
                f"contig '{contig}' has length {length} but GRCh38 has {expected} "
                "(a GRCh37/hg19 VCF? the pipeline needs GRCh38)",
                line=at,
                field="length",
            )
    if header.first_chrom is not None and header.first_chrom not in header.contigs:
        name = target_name(
            path, header.first_chrom, names, ref_contigs, rename, header.first_line, "CHROM"
        )
        if name != header.first_chrom:
            renames[header.first_chrom] = name
    return renames


def target_name(
    path: str,
    contig: str,
    names: set[str],
    ref_contigs: dict[str, int],
    rename: bool,
    line: int | None = None,
    where: str | None = None,
) -> str:
    """The name a VCF contig gets: 'chr7' for '7' where the reference uses 'chr' names
    (only with ``rename``, else an InputError), 'chrM' for 'MT' with ``rename``."""
    if (
        contig not in names
        and contig not in ref_contigs
        and f"chr{contig}" in names | set(GRCH38_LENGTHS)
    ):
        name = canonical_chrom(contig)
        if not rename:
            raise InputError(
                path,
                f"contig '{contig}' is named without 'chr' but the reference uses "
                f"'{name}' (set inputs.rename_contigs: true to rename)",
                line=line,
                field=where,
            )
        return name
    if contig == "MT" and rename:
        return "chrM"
    return contig


def check_samples(
    path: str, header: VcfHeader, callset: CallSet, samples: list[Sample]
) -> list[str]:
    """Every sample of the patient is in the VCF, and every sample_map name is a VCF
    sample; the VCF's other samples (a cohort or family VCF with extra people) are left
    out of the import: their names are returned for a warning."""
    ids = [s.sample for s in samples if s.patient == callset.patient]
    if header.columns < 10:
        raise InputError(
            path,
            "has no sample columns (a sites-only VCF): the pipeline needs each sample's "
            "genotype or allele depths",
            line=header.chrom_line,
        )
    for name, _ in callset.sample_map:
        if name not in header.samples:
            raise InputError(
                path,
                f"sample_map names VCF sample '{name}' but the VCF has no such sample "
                f"(VCF samples: {', '.join(header.samples[:10])})",
                line=header.chrom_line,
            )
    mapped = [callset.sheet_id(n) for n in header.samples]
    missing = [s for s in ids if s not in mapped]
    if missing:
        raise InputError(
            path,
            f"sample '{missing[0]}' of patient '{callset.patient}' is not in the VCF "
            f"(VCF samples: {', '.join(header.samples[:10]) or 'none'}); map it with the "
            "calls sheet's sample_map",
            line=header.chrom_line,
        )
    for sid in ids:
        if mapped.count(sid) > 1:
            raise InputError(path, f"two VCF samples map to sample '{sid}'", line=header.chrom_line)
    return [n for n, sid in zip(header.samples, mapped, strict=True) if sid not in ids]


def check_definitions(path: str, header: VcfHeader, kind: str) -> None:
    """FILTER ids bcftools can write, and the FORMAT fields the kind of call set needs:
    genotypes (germline: family analysis, inheritance) or allele depths (somatic: VAF),
    declared or used by the first record (a VCF without records needs none)."""
    formats: set[str] = set(header.first_format)
    for n, line in enumerate(header.lines, 1):
        if line.startswith("##FILTER=<"):
            fid = meta_fields(line).get("ID", "")
            if not fid or BAD_FILTER_ID.search(fid):
                raise InputError(
                    path,
                    f"FILTER id '{fid}' contains ';' or a blank (records could not tell it "
                    "from two filters); rename it in the VCF",
                    line=n,
                    field="FILTER",
                )
        elif line.startswith("##FORMAT=<"):
            formats.add(meta_fields(line).get("ID", ""))
    if header.first_chrom is None:
        return
    if kind == "germline" and "GT" not in formats:
        raise InputError(
            path,
            "declares no FORMAT/GT: germline calls need genotypes (raw bcftools mpileup "
            "output? run bcftools call first)",
            line=header.first_line,
            field="FORMAT",
        )
    if kind == "somatic" and not any(set(keys) <= formats for keys in DEPTH_FORMATS):
        raise InputError(
            path,
            "declares none of FORMAT/AD, AO, AU/CU/GU/TU, TAR/TIR or AF with DP: somatic "
            "calls need each sample's allele depths",
            line=header.first_line,
            field="FORMAT",
        )


@dataclass
class CallsetCheck:
    """What the start-up check of a call set found: contig renames and warnings."""

    renames: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def check_callset(
    callset: CallSet,
    samples: list[Sample],
    ref_contigs: dict[str, int],
    cmap: dict[str, ContigSlice] | None,
    rename: bool,
) -> CallsetCheck:
    """Check every VCF of a call set's header; one InputError on the first problem."""
    out = CallsetCheck()
    for vcf in callset.vcfs:
        header = read_header(vcf)
        extra = check_samples(vcf, header, callset, samples)
        check_definitions(vcf, header, callset.kind)
        out.renames.update(contig_renames(vcf, header, ref_contigs, cmap, rename))
        if extra:
            shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
            out.warnings.append(
                f"{vcf}: VCF sample(s) {shown} not of patient '{callset.patient}': left out "
                "of the import"
            )
    return out


NO_READS = "not assessable: no reads (the sample entered as a VCF)"
NO_GERMLINE = "not called: the patient entered as a somatic VCF (no germline VCF, no reads)"


def no_reads_qc(sample: str) -> SampleQC:
    """Read QC of a sample without reads: nothing measured, and said so."""
    return SampleQC(sample, status="not assessable", reasons=[NO_READS])


def no_reads_coverage(min_depth: int, padding: int) -> dict[str, Any]:
    """An empty coverage section; :func:`no_reads_items` says why."""
    return {"min_depth": min_depth, "exon_padding": padding, "genes": [], "gaps": []}


def no_reads_items(samples: Sequence[str]) -> list[dict[str, str]]:
    """The report's not-assessable rows for samples without reads: QC and coverage."""
    return [
        {"what": f"sample {s}: read QC and coverage of coding exons", "reason": NO_READS}
        for s in samples
    ]


@dataclass(frozen=True)
class NoReadsPage:
    text: str
    html: str


def no_reads_qc_page(patients: Sequence[str]) -> NoReadsPage:
    """results/qc/multiqc.html of a batch whose every patient entered as a VCF: MultiQC
    has nothing to aggregate (no fastp, samtools stats or mosdepth output), and says so
    rather than being left out or failing on an empty input list."""
    text = (
        "No reads in this batch: every patient entered as a VCF (calls sheet), so there is "
        "no read QC (fastp, samtools stats, mosdepth) for MultiQC to aggregate. Patients: "
        + ", ".join(patients)
        + "."
    )
    body = html.escape(text)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Read QC: no reads</title></head>\n"
        f"<body><h1>Read QC: no reads</h1><p>{body}</p></body></html>\n"
    )
    return NoReadsPage(text + "\n", page)

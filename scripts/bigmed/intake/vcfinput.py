"""Patients that enter as called variants: the calls sheet, VCF header checks, import.

A calls sheet (config ``calls``) names one VCF per patient and kind (germline or
somatic). At parse time the VCF's build, contig naming and sample names are checked
against the reference and the sample sheet; at run time :func:`import_vcf` rewrites the
records into the reference's coordinates (GRCh38 positions into the demo's slices via
the contig map), renames samples to the sheet's ids and derives per-sample AD/DP/AF from
the FORMAT conventions of common callers (:func:`allele_depths`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bigmed.base.errors import InputError
from bigmed.base.textio import open_text
from bigmed.genome.reference import (
    GRCH38_LENGTHS,
    ContigSlice,
    canonical_chrom,
    locate,
    slices_by_chrom,
)
from bigmed.genome.vcf import NEW_INFO, contig_header
from bigmed.intake.qc import SampleQC
from bigmed.intake.sheets import Patient, Sample, group_patients, read_tsv

PopulationFn = Callable[[tuple[str, int, str, str]], float | None]

CALL_COLUMNS = ("patient", "kind", "vcf", "sample_map")
KINDS = ("germline", "somatic")
# the kind of VCF each pilot accepts in place of reads; the cardiac pilot needs reads
# (panel exon coverage and cascade pileups are its findings)
VCF_KIND = {"rare_disease": "germline", "crc": "somatic"}
VCF_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")
GRCH37_HINTS = ("grch37", "hg19", "b37", "hs37")
STRELKA_BASES = {"A": "AU", "C": "CU", "G": "GU", "T": "TU"}
DERIVED_FORMAT = (
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (ref, alt...)">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Alt allele fraction AD[alt]/DP">',
)
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
SOMATIC_INFO = (
    '##INFO=<ID=POP_AF,Number=1,Type=Float,Description="Population allele frequency">',
    '##INFO=<ID=TUMOR_ONLY,Number=0,Type=Flag,Description="Called without a matched normal">',
    '##INFO=<ID=GERMLINE_NOT_EXCLUDED,Number=0,Type=Flag,Description="No matched normal: '
    'the variant may be germline">',
)


@dataclass(frozen=True)
class CallSet:
    patient: str
    kind: str
    vcf: str
    sample_map: tuple[tuple[str, str], ...] = ()  # (VCF sample name, sheet sample id)
    line: int = 0

    def sheet_id(self, vcf_name: str) -> str:
        return dict(self.sample_map).get(vcf_name, vcf_name)


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
    """Read the calls sheet and check it against the sample sheet."""
    path = str(path)
    rows = read_tsv(path, CALL_COLUMNS, ("patient", "kind", "vcf"))
    patients = group_patients(samples)
    out: list[CallSet] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, r in rows:
        _check_patient_kind(path, lineno, r, patients)
        key = (r["patient"], r["kind"])
        if key in seen:
            raise InputError(
                path,
                f"patient '{r['patient']}' has a second {r['kind']} VCF (first on line "
                f"{seen[key]})",
                line=lineno,
                field="patient",
            )
        seen[key] = lineno
        if not Path(r["vcf"]).is_file():
            raise InputError(path, f"VCF '{r['vcf']}' not found", line=lineno, field="vcf")
        smap = _row_sample_map(path, lineno, r, patients[r["patient"]])
        out.append(CallSet(r["patient"], r["kind"], r["vcf"], smap, lineno))
    return out


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


def read_header(path: str) -> VcfHeader:
    """Meta lines, sample names and ``##contig`` lengths of a VCF (plain or gzip)."""
    meta: list[str] = []
    contigs: dict[str, int | None] = {}
    try:
        with open_text(path, errors="strict") as handle:
            for line in handle:
                line = line.rstrip("\n")
                if line.startswith("##"):
                    meta.append(line)
                    if line.startswith("##contig=<"):
                        contig, length = _contig_line(line)
                        contigs[contig] = length
                elif line.startswith("#CHROM"):
                    return VcfHeader(meta, line.split("\t")[9:], contigs)
                else:
                    break
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise InputError(path, f"VCF cannot be read ({err})") from err
    raise InputError(path, "is not a VCF (no #CHROM header line)")


def _contig_line(line: str) -> tuple[str, int | None]:
    """(ID, length or None) of a ``##contig=<ID=...,length=...>`` line."""
    fields = dict(kv.split("=", 1) for kv in line[10:-1].split(",") if "=" in kv)
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
    for line in header.lines:
        if line.lower().startswith("##reference=") and any(h in line.lower() for h in GRCH37_HINTS):
            raise InputError(
                path, f"header says {line[2:]}; the pipeline needs GRCh38 (lift the VCF over)"
            )
    names = _target_names(ref_contigs, cmap)
    renames: dict[str, str] = {}
    for contig, length in header.contigs.items():
        name = _target_name(path, contig, names, ref_contigs, rename)
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
            )
    return renames


def _target_name(
    path: str, contig: str, names: set[str], ref_contigs: dict[str, int], rename: bool
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
            )
        return name
    if contig == "MT" and rename:
        return "chrM"
    return contig


def check_samples(path: str, header: VcfHeader, callset: CallSet, samples: list[Sample]) -> None:
    """Every VCF sample maps to a sample of the patient, and every sample is in the VCF."""
    ids = [s.sample for s in samples if s.patient == callset.patient]
    mapped = [callset.sheet_id(n) for n in header.samples]
    for name, sid in zip(header.samples, mapped, strict=True):
        if sid not in ids:
            raise InputError(
                path,
                f"VCF sample '{name}' is not a sample of patient '{callset.patient}' "
                f"({', '.join(ids)}); map it with the calls sheet's sample_map",
            )
    missing = [s for s in ids if s not in mapped]
    if missing:
        raise InputError(
            path,
            f"sample '{missing[0]}' of patient '{callset.patient}' is not in the VCF "
            f"(VCF samples: {', '.join(header.samples) or 'none'})",
        )


def check_callset(
    callset: CallSet,
    samples: list[Sample],
    ref_contigs: dict[str, int],
    cmap: dict[str, ContigSlice] | None,
    rename: bool,
) -> dict[str, str]:
    header = read_header(callset.vcf)
    renames = contig_renames(callset.vcf, header, ref_contigs, cmap, rename)
    check_samples(callset.vcf, header, callset, samples)
    return renames


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

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


def _ints(value: str) -> list[int | None]:
    return [int(v) if v.lstrip("-").isdigit() else None for v in value.split(",")]


def allele_depths(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    """Per-sample allelic depths (ref, alt...) from the FORMAT conventions of common callers.

    AD (Mutect2, VarDict, DRAGEN, GATK, bcftools); RO/AO (freebayes); Strelka2 SNV tier-1
    base counts AU/CU/GU/TU and indel TAR/TIR; else AF with DP. None when not derivable.
    """
    if "AD" in fmt:
        ad = _ints(fmt["AD"])
        if len(ad) == len(alts) + 1 and None not in ad:
            return [int(x) for x in ad if x is not None]
    if "AO" in fmt:
        ao = _ints(fmt["AO"])
        ro = _ints(fmt["RO"])[0] if "RO" in fmt else None
        dp = _ints(fmt["DP"])[0] if "DP" in fmt else None
        if len(ao) == len(alts) and None not in ao:
            alt = [int(x) for x in ao if x is not None]
            if ro is None and dp is not None:
                ro = max(dp - sum(alt), 0)
            if ro is not None:
                return [ro, *alt]
    if len(ref) == 1 and all(len(a) == 1 for a in alts) and STRELKA_BASES.get(ref) in fmt:
        keys = [STRELKA_BASES.get(b) for b in (ref, *alts)]
        if all(k in fmt for k in keys):
            tier1 = [_ints(fmt[k])[0] for k in keys if k is not None]
            if None not in tier1:
                return [int(x) for x in tier1 if x is not None]
    if "TAR" in fmt and "TIR" in fmt and len(alts) == 1:
        tar, tir = _ints(fmt["TAR"])[0], _ints(fmt["TIR"])[0]
        if tar is not None and tir is not None:
            return [tar, tir]
    if "AF" in fmt and "DP" in fmt:
        dp = _ints(fmt["DP"])[0]
        try:
            afs = [float(x) for x in fmt["AF"].split(",")]
        except ValueError:
            return None
        if dp is not None and len(afs) == len(alts):
            alt = [round(dp * af) for af in afs]
            return [max(dp - sum(alt), 0), *alt]
    return None


def normalise_format(
    keys: list[str], values: list[list[str]], ref: str, alts: Sequence[str]
) -> tuple[list[str], list[list[str]]]:
    """Add or replace AD, DP and AF in every sample column; other fields keep their order."""
    out_keys = [k for k in keys if k not in ("AD", "DP", "AF")]
    out_keys += ["AD", "DP", "AF"]
    out_vals: list[list[str]] = []
    for cols in values:
        fmt = {k: v for k, v in zip(keys, cols, strict=False) if v != "."}
        kept = [fmt.get(k, ".") for k in keys if k not in ("AD", "DP", "AF")]
        ad = allele_depths(fmt, ref, alts)
        if ad is None:
            dp = fmt.get("DP", ".")
            out_vals.append([*kept, ".", dp, fmt.get("AF", ".")])
            continue
        depth = sum(ad)
        af = ",".join(f"{a / depth:.4g}" if depth else "." for a in ad[1:])
        out_vals.append([*kept, ",".join(map(str, ad)), str(depth), af])
    return out_keys, out_vals


@dataclass
class ImportStats:
    written: int = 0
    outside: int = 0


def split_alleles(cols: list[str]) -> list[list[str]]:
    """One record per ALT of a multi-allelic record whose FORMAT was normalised
    (:func:`normalise_format`): AD becomes (ref, this alt), AF this alt's, DP is kept; GT
    and other per-sample fields, whose meaning depends on the allele list, are dropped."""
    alts = cols[4].split(",")
    if len(alts) == 1:
        return [cols]
    keys = cols[8].split(":") if len(cols) > 8 else []
    out = []
    for k, alt in enumerate(alts):
        rec = [*cols[:4], alt, *cols[5:8]]
        if keys:
            rec.append("AD:DP:AF")
            for sample in cols[9:]:
                fmt = dict(zip(keys, sample.split(":"), strict=False))
                ad = fmt.get("AD", ".").split(",")
                afs = fmt.get("AF", ".").split(",")
                pair = f"{ad[0]},{ad[k + 1]}" if len(ad) == len(alts) + 1 else "."
                af = afs[k] if len(afs) == len(alts) else "."
                rec.append(f"{pair}:{fmt.get('DP', '.')}:{af}")
        out.append(rec)
    return out


def import_vcf(
    callset: CallSet,
    ref_contigs: dict[str, int],
    cmap: dict[str, ContigSlice] | None,
    renames: dict[str, str],
    order: Sequence[str] = (),
    population: PopulationFn | None = None,
) -> tuple[list[str], ImportStats]:
    """The VCF as text in the reference's coordinates, sample ids and AD/DP/AF fields.

    Somatic call sets (``callset.kind == "somatic"``) also get: sample columns in ``order``
    (tumor first, then the normal, as the pipeline's own somatic VCF), one record per ALT,
    POP_AF from ``population`` (looked up at the VCF's own GRCh38 position) and, without a
    normal, the TUMOR_ONLY and GERMLINE_NOT_EXCLUDED flags.
    """
    header = read_header(callset.vcf)
    names = [callset.sheet_id(n) for n in header.samples]
    columns = [names.index(sid) for sid in order] if order else list(range(len(names)))
    placement = _Placement(renames, ref_contigs, slices_by_chrom(cmap) if cmap else None)
    stats = ImportStats()
    records = _import_records(callset, placement, columns, population, stats)
    stats.written = len(records)
    chrom_line = "\t".join([*VCF_COLUMNS, *(names[i] for i in columns)])
    return [*_import_meta(header, callset, ref_contigs), chrom_line, *records], stats


@dataclass(frozen=True)
class _Placement:
    """Where an input record goes: its chromosome renamed, then into the slice that holds
    it (with a contig map) or onto the reference contig of that name."""

    renames: dict[str, str]
    ref_contigs: dict[str, int]
    by_chrom: dict[str, list[ContigSlice]] | None  # None without a contig map

    def chrom(self, name: str) -> str:
        return self.renames.get(name, name)

    def place(self, chrom: str, pos: int, span: int) -> tuple[str, int] | None:
        if self.by_chrom is not None:
            return locate(chrom, pos, self.by_chrom, span=span)
        return (chrom, pos) if chrom in self.ref_contigs else None


def _import_records(
    callset: CallSet,
    placement: _Placement,
    columns: list[int],
    population: PopulationFn | None,
    stats: ImportStats,
) -> list[str]:
    """The records placed on the reference, in reference order; ``stats.outside`` counts
    the records outside every reference contig or slice."""
    somatic = callset.kind == "somatic"
    tumor_only = somatic and len(columns) == 1
    ref_order = {c: i for i, c in enumerate(placement.ref_contigs)}
    records: list[tuple[int, int, str]] = []
    with open_text(callset.vcf, errors="strict") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            chrom, pos = placement.chrom(cols[0]), int(cols[1])
            hit = placement.place(chrom, pos, len(cols[3]))
            if hit is None:
                stats.outside += 1
                continue
            for rec in _normalised(cols, columns, split=somatic):
                if somatic:
                    site = (chrom, pos, rec[3].upper(), rec[4].upper())
                    rec[7] = _somatic_info(rec[7], site, population, tumor_only)
                rec[0], rec[1] = hit[0], str(hit[1])
                records.append((ref_order[hit[0]], hit[1], "\t".join(rec)))
    records.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in records]


def _normalised(cols: list[str], columns: list[int], split: bool) -> list[list[str]]:
    """A record without the pipeline's own INFO keys, with AD/DP/AF in the sample columns
    ``columns`` (in that order) and, with ``split``, one record per ALT."""
    cols[7] = _strip_info(cols[7])
    if len(cols) > 9:
        keys = cols[8].split(":")
        values = [cols[9 + i].split(":") for i in columns]
        keys, values = normalise_format(keys, values, cols[3], cols[4].split(","))
        cols[8] = ":".join(keys)
        cols[9:] = [":".join(v) for v in values]
    return split_alleles(cols) if split else [cols]


def _import_meta(header: VcfHeader, callset: CallSet, ref_contigs: dict[str, int]) -> list[str]:
    """The imported VCF's meta lines: the input's own (less what is rebuilt), AD/DP/AF,
    the somatic INFO keys, the reference's contigs and the input file's name."""
    meta = [ln for ln in header.lines if _keep_meta(ln)]
    meta += list(DERIVED_FORMAT)
    if callset.kind == "somatic":
        meta += list(SOMATIC_INFO)
    meta += contig_header(ref_contigs)
    meta.append(f"##bigmed_input={Path(callset.vcf).name} ({callset.kind})")
    return meta


def _somatic_info(
    info: str,
    site: tuple[str, int, str, str],
    population: PopulationFn | None,
    tumor_only: bool,
) -> str:
    """INFO plus POP_AF of the allele (at its GRCh38 site) and, without a normal, the flags."""
    added = []
    af = population(site) if population else None
    if af is not None:
        added.append(f"POP_AF={af:.6g}")
    if tumor_only:
        added += ["TUMOR_ONLY", "GERMLINE_NOT_EXCLUDED"]
    return ";".join([x for x in (info,) if x != "."] + added) or "."


def _keep_meta(line: str) -> bool:
    if line.startswith(("##contig=", "##reference=", "##fileformat=")):
        return line.startswith("##fileformat=")
    if line.startswith("##FORMAT=<ID=") and line[13:].split(",")[0] in ("AD", "DP", "AF"):
        return False
    return not (line.startswith("##INFO=<ID=") and line[11:].split(",")[0] in DROPPED_INFO)


def _strip_info(info: str) -> str:
    kept = [kv for kv in info.split(";") if kv.split("=", 1)[0] not in DROPPED_INFO]
    return ";".join(kept) or "."


def write_lines(path: str, lines: Iterable[str]) -> None:
    with open(path, "w") as handle:
        for ln in lines:
            handle.write(ln + "\n")


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

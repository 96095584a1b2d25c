"""The import of a patient's input VCF(s) into the reference's coordinates (run time).

:func:`import_vcf` reads the VCF(s) of a call set checked at start
(:mod:`bigmed.intake.vcfinput`) and writes one VCF the pipeline's own path takes over:
records placed on the reference (GRCh38 positions into the demo's slices via the contig
map), samples renamed to the sheet's ids and limited to the patient's, per-sample
AD/DP/AF derived from the FORMAT conventions of common callers (:func:`allele_depths`),
INFO/DP derived where the caller wrote none (the germline LowDepth filter reads it),
and whatever bcftools could not read made readable (:mod:`bigmed.intake.vcfrecords`).
Every record left out is counted by reason in :class:`ImportStats`, for the rule's log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bigmed.base.errors import InputError
from bigmed.base.textio import open_text
from bigmed.genome.reference import (
    GRCH38_LENGTHS,
    ContigSlice,
    canonical_chrom,
    locate,
    slices_by_chrom,
)
from bigmed.genome.vcf import contig_header
from bigmed.intake import vcfrecords as rec
from bigmed.intake.vcfinput import DROPPED_INFO, CallSet, read_header

PopulationFn = Callable[[tuple[str, int, str, str]], float | None]

VCF_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")
STRELKA_BASES = {"A": "AU", "C": "CU", "G": "GU", "T": "TU"}
DERIVED_FORMAT = (
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (ref, alt...)">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Alt allele fraction AD[alt]/DP">',
)
SOMATIC_INFO = (
    '##INFO=<ID=POP_AF,Number=1,Type=Float,Description="Population allele frequency">',
    '##INFO=<ID=TUMOR_ONLY,Number=0,Type=Flag,Description="Called without a matched normal">',
    '##INFO=<ID=GERMLINE_NOT_EXCLUDED,Number=0,Type=Flag,Description="No matched normal: '
    'the variant may be germline">',
)
# what the imported VCF says of itself: its records are VCF 4.2 (4.3/4.4 phasing
# prefixes and symbolic alleles are gone), whatever version the input declared
FILEFORMAT = "##fileformat=VCFv4.2"


def _ints(value: str) -> list[int | None]:
    return [int(v) if v.lstrip("-").isdigit() else None for v in value.split(",")]


def _first_int(fmt: dict[str, str], key: str) -> int | None:
    return _ints(fmt[key])[0] if key in fmt else None


def allele_depths(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    """Per-sample allelic depths (ref, alt...) from the FORMAT conventions of common callers.

    AD (Mutect2, VarDict, DRAGEN, GATK, DeepVariant, Strelka2 germline); RO/AO
    (freebayes); Strelka2 somatic SNV tier-1 base counts AU/CU/GU/TU and indel TAR/TIR;
    Platypus NR/NV; bcftools DP/DV; else AF with DP. None when not derivable.
    """
    for reader in (_ad, _ro_ao, _strelka_snv, _strelka_indel, _nr_nv, _dp_dv, _af_dp):
        found = reader(fmt, ref, alts)
        if found is not None:
            return found
    return None


def _ad(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    ad = _ints(fmt["AD"]) if "AD" in fmt else []
    return (
        [int(x) for x in ad if x is not None]
        if len(ad) == len(alts) + 1 and None not in ad
        else None
    )


def _ro_ao(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    ao = _ints(fmt["AO"]) if "AO" in fmt else []
    if len(ao) != len(alts) or None in ao:
        return None
    alt = [int(x) for x in ao if x is not None]
    ro, dp = _first_int(fmt, "RO"), _first_int(fmt, "DP")
    if ro is None and dp is not None:
        ro = max(dp - sum(alt), 0)
    return [ro, *alt] if ro is not None else None


def _strelka_snv(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    if len(ref) != 1 or any(len(a) != 1 for a in alts):
        return None
    keys = [STRELKA_BASES.get(b.upper()) for b in (ref, *alts)]
    if None in keys or not all(k in fmt for k in keys if k):
        return None
    tier1 = [_ints(fmt[k])[0] for k in keys if k]
    return [int(x) for x in tier1 if x is not None] if None not in tier1 else None


def _strelka_indel(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    tar, tir = _first_int(fmt, "TAR"), _first_int(fmt, "TIR")
    return [tar, tir] if len(alts) == 1 and tar is not None and tir is not None else None


def _nr_nv(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    """Platypus: NR total reads, NV variant reads per ALT."""
    nr, nv = _first_int(fmt, "NR"), _ints(fmt["NV"]) if "NV" in fmt else []
    if nr is None or len(nv) != len(alts) or None in nv:
        return None
    alt = [int(x) for x in nv if x is not None]
    return [max(nr - sum(alt), 0), *alt]


def _dp_dv(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    """bcftools call without AD: DV high-quality alt reads of the one ALT."""
    dp, dv = _first_int(fmt, "DP"), _first_int(fmt, "DV")
    return [max(dp - dv, 0), dv] if len(alts) == 1 and dp is not None and dv is not None else None


def _af_dp(fmt: dict[str, str], ref: str, alts: Sequence[str]) -> list[int] | None:
    dp = _first_int(fmt, "DP")
    try:
        afs = [float(x) for x in fmt["AF"].split(",")] if "AF" in fmt else []
    except ValueError:
        return None
    if dp is None or len(afs) != len(alts):
        return None
    alt = [round(dp * af) for af in afs]
    return [max(dp - sum(alt), 0), *alt]


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
            out_vals.append([*kept, ".", dp if dp.isdigit() else ".", fmt.get("AF", ".")])
            continue
        depth = sum(ad)
        af = ",".join(f"{a / depth:.4g}" if depth else "." for a in ad[1:])
        out_vals.append([*kept, ",".join(map(str, ad)), str(depth), af])
    return out_keys, out_vals


@dataclass
class ImportStats:
    """Records written, and those left out by reason (for the rule's log)."""

    written: int = 0
    outside: int = 0  # outside every reference contig or slice
    blocks: int = 0  # gVCF reference blocks (no ALT but <NON_REF>/<*>/.)
    symbolic: int = 0  # only structural/symbolic ALTs (<DEL>, breakends): not assessed
    no_alt: int = 0  # germline: no ALT allele in the patient's samples (0/0, ./., RefCall)
    no_depth: int = 0  # written without any depth: the LowDepth filter cannot apply
    undeclared: set[str] = field(default_factory=set)  # keys declared by the import

    def lines(self) -> list[str]:
        return [
            f"{self.written} records imported",
            f"{self.outside} records dropped: outside every reference contig or slice",
            f"{self.blocks} gVCF reference blocks (no ALT allele) left out",
            f"{self.symbolic} records with only symbolic/structural ALT alleles left out "
            "(not assessed)",
            f"{self.no_alt} records without an ALT allele in the patient's samples left out",
            f"{self.no_depth} records without any depth: LowDepth not applicable",
            *(
                f"declared by the import (not in the input header): {k}"
                for k in sorted(self.undeclared)
            ),
        ]


@dataclass(frozen=True)
class Placement:
    """Where an input record goes: its chromosome renamed, then into the slice that holds
    it (with a contig map) or onto the reference contig of that name."""

    renames: dict[str, str]
    ref_contigs: dict[str, int]
    by_chrom: dict[str, list[ContigSlice]] | None  # None without a contig map
    rename: bool = False  # inputs.rename_contigs: '7' -> 'chr7' also for contigs the
    # start-up check did not see (a VCF without ##contig lines names them in records only)

    @classmethod
    def build(
        cls,
        renames: dict[str, str],
        ref_contigs: dict[str, int],
        cmap: dict[str, ContigSlice] | None,
        rename: bool = False,
    ) -> Placement:
        """From the reference's contigs and its contig map (None: no slices)."""
        return cls(renames, ref_contigs, slices_by_chrom(cmap) if cmap else None, rename)

    def chrom(self, name: str) -> str:
        if name in self.renames:
            return self.renames[name]
        if self.rename and name not in self.ref_contigs and canonical_chrom(name) in GRCH38_LENGTHS:
            return canonical_chrom(name)
        return name

    def place(self, chrom: str, pos: int, span: int) -> tuple[str, int] | None:
        if self.by_chrom is not None:
            return locate(chrom, pos, self.by_chrom, span=span)
        return (chrom, pos) if chrom in self.ref_contigs else None


@dataclass
class _Source:
    """One input VCF: its path, definitions, the sample columns kept (in output order)."""

    path: str
    defs: rec.Definitions
    columns: list[int]
    somatic: bool
    tumor_only: bool


def import_vcf(
    callset: CallSet,
    ref_contigs: dict[str, int],
    cmap: dict[str, ContigSlice] | None,
    renames: dict[str, str],
    order: Sequence[str] = (),
    population: PopulationFn | None = None,
    rename: bool = False,
) -> tuple[list[str], ImportStats]:
    """The call set's VCF(s) as one VCF text in the reference's coordinates, with the
    sheet's sample ids (``order``: the patient's samples, in this column order; empty:
    every VCF sample) and AD/DP/AF fields.

    ``renames``: the contig renames the start-up check found; with ``rename``
    (inputs.rename_contigs) other '7'-style names become 'chr7' too.
    Somatic call sets (``callset.kind == "somatic"``) also get: one record per ALT,
    POP_AF from ``population`` (looked up at the VCF's own GRCh38 position) and, without
    a normal, the TUMOR_ONLY and GERMLINE_NOT_EXCLUDED flags.
    """
    placement = Placement.build(renames, ref_contigs, cmap, rename)
    stats = ImportStats()
    ref_order = {c: i for i, c in enumerate(ref_contigs)}
    records: list[tuple[int, int, str]] = []
    meta: list[str] = []
    seen: set[str] = set()
    names: list[str] = []
    for vcf in callset.vcfs:
        header = read_header(vcf)
        vcf_ids = [callset.sheet_id(n) for n in header.samples]
        columns = [vcf_ids.index(s) for s in order] if order else list(range(len(vcf_ids)))
        names = [vcf_ids[i] for i in columns]
        somatic = callset.kind == "somatic"
        src = _Source(
            vcf,
            rec.Definitions.from_meta(header.lines),
            columns,
            somatic,
            somatic and len(columns) == 1,
        )
        for placed in _read_records(src, placement, population, stats):
            records.append((ref_order[placed[0]], int(placed[1]), "\t".join(placed)))
        meta += [ln for ln in header.lines if ln not in seen]
        seen.update(header.lines)
    records.sort(key=lambda r: (r[0], r[1]))
    stats.written = len(records)
    chrom_line = "\t".join([*VCF_COLUMNS, *names])
    head = _import_meta(meta, callset, ref_contigs, stats.undeclared)
    return [*head, chrom_line, *(r[2] for r in records)], stats


def vcf_records(path: str) -> Iterator[list[str]]:
    """The data lines of a VCF (plain or gzipped) split into columns; a line that is not a
    VCF record is an InputError naming its line."""
    with open_text(path, errors="strict") as handle:
        for lineno, line in enumerate(handle, 1):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 8 or not cols[1].isdigit():
                raise InputError(
                    path,
                    "is not a VCF record (8 or more tab-separated columns, POS a number)",
                    line=lineno,
                )
            yield cols


def _read_records(
    src: _Source, placement: Placement, population: PopulationFn | None, stats: ImportStats
) -> Iterable[list[str]]:
    """The records of one VCF placed on the reference, normalised; counts what is left out."""
    for cols in vcf_records(src.path):
        chrom, pos = placement.chrom(cols[0]), int(cols[1])
        hit = placement.place(chrom, pos, len(cols[3]))
        if hit is None:
            stats.outside += 1
            continue
        for out in _normalised(cols, src, stats):
            if src.somatic:
                site = (chrom, pos, out[3].upper(), out[4].upper())
                out[7] = _somatic_info(out[7], site, population, src.tumor_only)
            out[0], out[1] = hit[0], str(hit[1])
            yield out


def _normalised(cols: list[str], src: _Source, stats: ImportStats) -> list[list[str]]:
    """A record as the pipeline's own: real ALT alleles only, the patient's sample columns,
    valid and declared keys, AD/DP/AF; germline: INFO/DP (for the LowDepth filter) where
    the caller wrote none; somatic: one record per ALT. Empty when
    the record is left out (counted in ``stats``)."""
    alts = cols[4].split(",")
    real = [i for i, a in enumerate(alts) if not rec.is_symbolic(a)]
    if not real:
        if all(a in rec.NON_REF_ALLELES or a == "." for a in alts):
            stats.blocks += 1
        else:
            stats.symbolic += 1
        return []
    if len(real) < len(alts):
        cols = rec.subset_alleles(cols, real, src.defs)
    cols = _samples(cols, src.columns)
    if not src.somatic:
        keys = cols[8].split(":") if len(cols) > 8 else []
        if not rec.has_alt(cols, keys.index("GT") if "GT" in keys else None):
            stats.no_alt += 1
            return []
    info, fmt, filters = rec.undeclared(cols, src.defs)
    stats.undeclared |= (
        {f"INFO/{k}" for k in info}
        | {f"FORMAT/{k}" for k in fmt}
        | {f"FILTER/{f}" for f in filters}
    )
    cols[7] = rec.clean_info(cols[7], DROPPED_INFO)
    if len(cols) > 9:
        keys, values = normalise_format(
            cols[8].split(":"), [c.split(":") for c in cols[9:]], cols[3], cols[4].split(",")
        )
        cols[8], cols[9:] = ":".join(keys), [":".join(v) for v in values]
    if not src.somatic and "DP" not in rec.info_keys(cols[7]):
        depth = rec.sum_depth(cols)
        if depth is None:
            stats.no_depth += 1
        else:
            cols[7] = f"DP={depth}" if cols[7] == "." else f"{cols[7]};DP={depth}"
    return split_alleles(cols) if src.somatic else [cols]


def _samples(cols: list[str], columns: list[int]) -> list[str]:
    """The record with only the sample columns ``columns`` (in that order), FORMAT keys
    htslib accepts, and GTs in the form htslib reads."""
    if len(cols) <= 9:
        return cols[:9]
    keys = cols[8].split(":")
    keep = [k for k, key in enumerate(keys) if rec.VALID_KEY.match(key)]
    out = [*cols[:8], ":".join(keys[k] for k in keep)]
    gt = keys.index("GT") if "GT" in keys else None
    for c in columns:
        values = cols[9 + c].split(":") if 9 + c < len(cols) else ["."]
        if gt is not None and gt < len(values):
            values[gt] = rec.normalise_gt(values[gt])
        out.append(":".join(values[k] if k < len(values) else "." for k in keep))
    return out


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
        record = [*cols[:4], alt, *cols[5:8]]
        if keys:
            record.append("AD:DP:AF")
            for sample in cols[9:]:
                fmt = dict(zip(keys, sample.split(":"), strict=False))
                ad = fmt.get("AD", ".").split(",")
                afs = fmt.get("AF", ".").split(",")
                pair = f"{ad[0]},{ad[k + 1]}" if len(ad) == len(alts) + 1 else "."
                af = afs[k] if len(afs) == len(alts) else "."
                record.append(f"{pair}:{fmt.get('DP', '.')}:{af}")
        out.append(record)
    return out


def _import_meta(
    meta: list[str], callset: CallSet, ref_contigs: dict[str, int], undeclared: set[str]
) -> list[str]:
    """The imported VCF's meta lines: the input's own (less what is rebuilt), AD/DP/AF,
    INFO/DP where the input had none, declarations of keys the input used without
    declaring them, the somatic INFO keys, the reference's contigs and the input files."""
    version = next((ln[13:] for ln in meta if ln.startswith("##fileformat=")), "unknown")
    out = [FILEFORMAT, f"##bigmed_input_fileformat={version}"]
    out += [ln for ln in meta if _keep_meta(ln)]
    out += list(DERIVED_FORMAT)
    if callset.kind == "germline" and not any(ln.startswith("##INFO=<ID=DP,") for ln in out):
        out.append(rec.DEPTH_INFO)
    out += rec.declarations(
        {k[5:] for k in undeclared if k.startswith("INFO/")},
        {k[7:] for k in undeclared if k.startswith("FORMAT/") and k[7:] not in ("AD", "DP", "AF")},
        {k[7:] for k in undeclared if k.startswith("FILTER/")},
    )
    if callset.kind == "somatic":
        out += list(SOMATIC_INFO)
    out += contig_header(ref_contigs)
    out += [f"##bigmed_input={Path(v).name} ({callset.kind})" for v in callset.vcfs]
    return out


def _keep_meta(line: str) -> bool:
    """An input meta line the imported VCF keeps: not rebuilt, not dropped, not a key
    htslib cannot name, not a second definition of an ID."""
    if line.startswith(("##contig=", "##reference=", "##fileformat=")):
        return False
    for prefix in ("##INFO=<", "##FORMAT=<"):
        if line.startswith(prefix):
            key = rec.meta_fields(line).get("ID", "")
            if not rec.VALID_KEY.match(key):
                return False
            if prefix == "##FORMAT=<" and key in ("AD", "DP", "AF"):
                return False
            return not (prefix == "##INFO=<" and key in DROPPED_INFO)
    return True


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


def write_lines(path: str, lines: Iterable[str]) -> None:
    with open(path, "w") as handle:
        for ln in lines:
            handle.write(ln + "\n")

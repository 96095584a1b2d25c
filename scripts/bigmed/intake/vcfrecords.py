"""Record-level normalisation of input VCFs, whatever caller and VCF version wrote them.

Callers differ in what a record carries: gVCF reference blocks and ``<NON_REF>``/``<*>``
alleles (GATK, DRAGEN, DeepVariant, bcftools, freebayes), symbolic structural alleles
(VCF 4.3/4.4), explicit phasing prefixes in GT (VCF 4.4), INFO and FORMAT keys used but
never declared, keys htslib does not accept, no INFO/DP (DeepVariant, Strelka2). The
functions here turn one record into what the pipeline's own calls look like, from the
header's Number definitions, so that bcftools reads every imported record and no filter
meets a field it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# VCF 4.3 section 1.6.1: INFO/FORMAT keys; 1000G is the one legacy exception
VALID_KEY = re.compile(r"^([A-Za-z_][0-9A-Za-z_.]*|1000G)$")
# gVCF "any other allele": a record with only these (or '.') is a reference block
NON_REF_ALLELES = frozenset({"<NON_REF>", "<*>", "<X>"})
DEPTH_INFO = (
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Read depth: the sum of the samples' "
    'FORMAT/DP (bigmed; the input VCF had no INFO/DP)">'
)


def is_symbolic(allele: str) -> bool:
    """``<DEL>``, ``<NON_REF>``, a breakend (``]1:1234]CTG``) or the missing allele."""
    return allele.startswith("<") or "[" in allele or "]" in allele or allele == "."


@dataclass
class Definitions:
    """What the header says of each INFO and FORMAT key: its Number (``A``, ``R``, ``G``,
    a count or ``.``); and the FILTER ids it declares."""

    info: dict[str, str] = field(default_factory=dict)
    format: dict[str, str] = field(default_factory=dict)
    filters: set[str] = field(default_factory=set)

    @classmethod
    def from_meta(cls, lines: Sequence[str]) -> Definitions:
        out = cls()
        for line in lines:
            for prefix, table in (("##INFO=<", out.info), ("##FORMAT=<", out.format)):
                if line.startswith(prefix):
                    fields = meta_fields(line)
                    table[fields.get("ID", "")] = fields.get("Number", ".")
            if line.startswith("##FILTER=<"):
                out.filters.add(meta_fields(line).get("ID", ""))
        return out


def meta_fields(line: str) -> dict[str, str]:
    """``##INFO=<ID=DP,Number=1,Description="a, b">`` -> {ID: DP, Number: 1, ...}:
    commas inside quotes do not split."""
    body = line[line.index("<") + 1 : line.rindex(">")] if "<" in line and ">" in line else ""
    out: dict[str, str] = {}
    for m in re.finditer(r'([^=,]+)=("(?:[^"\\]|\\.)*"|[^,]*)', body):
        out[m.group(1).strip()] = m.group(2).strip('"')
    return out


def _keep_values(values: list[str], number: str, kept: list[int], n_alleles: int) -> list[str]:
    """The values of one field for the alleles ``kept`` (indexes into REF+ALTs)."""
    if number == "R" and len(values) == n_alleles:
        return [values[i] for i in kept]
    if number == "A" and len(values) == n_alleles - 1:
        return [values[i - 1] for i in kept if i > 0]
    if number == "G":
        if len(values) == n_alleles * (n_alleles + 1) // 2:  # diploid genotype order
            return [
                values[k * (k + 1) // 2 + j] for ki, k in enumerate(kept) for j in kept[: ki + 1]
            ]
        if len(values) == n_alleles:  # haploid
            return [values[i] for i in kept]
    return values


def subset_alleles(cols: list[str], kept_alts: list[int], defs: Definitions) -> list[str]:
    """The record with only the ALTs at ``kept_alts`` (0-based): Number=A/R/G values in
    INFO and FORMAT follow, GT allele indexes are renumbered (a dropped allele becomes '.')."""
    alts = cols[4].split(",")
    n_alleles = len(alts) + 1
    kept = [0, *(i + 1 for i in kept_alts)]
    renumber = {str(old): str(new) for new, old in enumerate(kept)}
    out = [*cols[:4], ",".join(alts[i] for i in kept_alts) or ".", *cols[5:]]
    info = []
    for kv in cols[7].split(";") if cols[7] != "." else []:
        key, sep, value = kv.partition("=")
        if sep and key in defs.info:
            value = ",".join(_keep_values(value.split(","), defs.info[key], kept, n_alleles))
        info.append(f"{key}{sep}{value}")
    out[7] = ";".join(info) or "."
    if len(cols) > 9:
        keys = cols[8].split(":")
        for s in range(9, len(cols)):
            values = cols[s].split(":")
            for k, key in enumerate(keys[: len(values)]):
                if key == "GT":
                    values[k] = _renumber_gt(values[k], renumber)
                elif key in defs.format and values[k] != ".":
                    number = defs.format[key]
                    values[k] = ",".join(
                        _keep_values(values[k].split(","), number, kept, n_alleles)
                    )
            out[s] = ":".join(values)
    return out


def _renumber_gt(gt: str, renumber: dict[str, str]) -> str:
    parts = re.split(r"([/|])", gt)
    return "".join(p if p in "/|" or p == "." else renumber.get(p, ".") for p in parts)


def normalise_gt(gt: str) -> str:
    """VCF 4.4 writes an explicit phasing prefix (``/0|1``, ``|1``): the older form
    (``0|1``, ``1``) that htslib reads."""
    return gt[1:] if gt[:1] in ("/", "|") else gt


def has_alt(cols: list[str], gt_index: int | None) -> bool:
    """Some sample column carries an ALT allele in its GT."""
    if gt_index is None:
        return False
    for sample in cols[9:]:
        values = sample.split(":")
        gt = values[gt_index] if gt_index < len(values) else "."
        if any(a not in ("0", ".", "") for a in re.split(r"[/|]", gt)):
            return True
    return False


def sum_depth(cols: list[str]) -> int | None:
    """Sum of the samples' FORMAT/DP (None when no sample has one)."""
    if len(cols) <= 9:
        return None
    keys = cols[8].split(":")
    if "DP" not in keys:
        return None
    i = keys.index("DP")
    depths = []
    for sample in cols[9:]:
        values = sample.split(":")
        if i < len(values) and values[i].isdigit():
            depths.append(int(values[i]))
    return sum(depths) if depths else None


def info_keys(info: str) -> list[str]:
    return [kv.split("=", 1)[0] for kv in info.split(";")] if info != "." else []


def clean_info(info: str, drop: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    """INFO without the keys in ``drop`` and without keys htslib cannot name."""
    kept = [
        kv
        for kv in info.split(";")
        if (k := kv.split("=", 1)[0]) not in drop and VALID_KEY.match(k)
    ]
    return ";".join(kept) or "."


def undeclared(cols: list[str], defs: Definitions) -> tuple[set[str], set[str], set[str]]:
    """INFO keys, FORMAT keys and FILTER ids a record uses that the header does not declare."""
    info = {k for k in info_keys(cols[7]) if k not in defs.info and VALID_KEY.match(k)}
    fmt = (
        {k for k in cols[8].split(":") if k not in defs.format}
        if len(cols) > 8 and cols[8] != "."
        else set()
    )
    filters = {f for f in cols[6].split(";") if f not in (".", "PASS") and f not in defs.filters}
    return info, fmt, filters


def declarations(info: set[str], fmt: set[str], filters: set[str]) -> list[str]:
    """Header lines for keys and filters the input used without declaring them."""
    note = 'Description="Not declared in the input VCF"'
    return [
        *(f"##INFO=<ID={k},Number=.,Type=String,{note}>" for k in sorted(info)),
        *(f"##FORMAT=<ID={k},Number=.,Type=String,{note}>" for k in sorted(fmt)),
        *(f"##FILTER=<ID={f},{note}>" for f in sorted(filters)),
    ]

"""Aligned input (BAM or CRAM): header checks against the reference and the sample sheet.

The header's @SQ lines must name the reference's contigs with the same lengths (and the
same sequence, where an M5 tag is given: SAM's MD5 of the upper-case sequence); every
read group's SM must be the sample id. The header also tells whether the file is
coordinate-sorted and whether duplicates were already marked (a samtools markdup or
Picard MarkDuplicates @PG line).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from bigmed.base.errors import InputError
from bigmed.genome.reference import fasta_lines
from bigmed.intake.sheets import Unit


@dataclass(frozen=True)
class AlignedInput:
    path: str
    sorted: bool
    duplicates_marked: bool
    indexed: bool


def reference_md5s(fasta: str, cache: str | None = None) -> dict[str, str]:
    """SAM-spec MD5 (upper case, no line breaks) of each contig, cached by size and mtime."""
    st = os.stat(fasta)
    key = f"{os.path.abspath(fasta)}:{st.st_size}:{int(st.st_mtime)}"
    if cache and os.path.isfile(cache):
        with open(cache) as handle:
            stored: dict[str, Any] = json.load(handle)
        if stored.get("key") == key:
            return dict(stored["md5"])
    digests: dict[str, hashlib._Hash] = {}
    for name, raw in fasta_lines(fasta):
        if raw is None:
            digests[name] = hashlib.md5(usedforsecurity=False)
        else:
            digests[name].update(raw.strip().upper())
    md5s = {name: digest.hexdigest() for name, digest in digests.items()}
    if cache:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        with open(cache, "w") as handle:
            json.dump({"key": key, "md5": md5s}, handle)
    return md5s


def read_header(path: str) -> dict[str, Any]:
    if not os.path.isfile(path):
        raise InputError(path, "alignment file not found")
    try:
        with pysam.AlignmentFile(path, check_sq=False) as aln:
            header: dict[str, Any] = aln.header.to_dict()
    except (OSError, ValueError) as err:
        raise InputError(path, f"is not a readable BAM or CRAM ({err})") from err
    return header


def _marks_duplicates(pg: dict[str, Any]) -> bool:
    """A samtools/sambamba markdup or Picard/GATK MarkDuplicates @PG line."""
    program = str(pg.get("PN") or pg.get("ID") or "").lower()
    args = str(pg.get("CL", "")).split()
    if "markduplicates" in program:
        return True
    return program.split(".")[0] in ("samtools", "sambamba") and args[1:2] == ["markdup"]


def check_header(
    path: str,
    header: dict[str, Any],
    contigs: dict[str, int],
    sample: str,
    md5s: dict[str, str] | None = None,
) -> AlignedInput:
    """Check @SQ against the reference and @RG SM against the sample; one line on error."""
    sqs = header.get("SQ") or []
    if not sqs:
        raise InputError(path, "header has no @SQ lines (is it aligned?)")
    for sq in sqs:
        name, length = sq["SN"], int(sq["LN"])
        if name not in contigs:
            raise InputError(path, f"@SQ '{name}' is not in the reference")
        if length != contigs[name]:
            raise InputError(
                path, f"@SQ '{name}' has length {length} but the reference has {contigs[name]}"
            )
        m5 = str(sq.get("M5", "")).lower()
        if m5 and md5s and name in md5s and m5 != md5s[name]:
            raise InputError(
                path, f"@SQ '{name}' has M5 {m5} but the reference's sequence has {md5s[name]}"
            )
    rgs = header.get("RG") or []
    if not rgs:
        raise InputError(path, f"has no @RG read group (expected SM:{sample})")
    for rg in rgs:
        if rg.get("SM") != sample:
            raise InputError(
                path,
                f"read group '{rg.get('ID')}' has SM '{rg.get('SM', '')}' but the sample id "
                f"is '{sample}'",
            )
    so = (header.get("HD") or {}).get("SO")
    indexed = any(
        os.path.isfile(path + ext) for ext in (".bai", ".csi", ".crai")
    ) or os.path.isfile(os.path.splitext(path)[0] + ".bai")
    return AlignedInput(
        path,
        sorted=so == "coordinate",
        duplicates_marked=any(_marks_duplicates(pg) for pg in header.get("PG") or []),
        indexed=indexed,
    )


def check_units(
    units: list[Unit], units_path: str, contigs: dict[str, int], fasta: str, cache: str
) -> dict[str, AlignedInput]:
    """Check every BAM/CRAM unit (one per sample); sample id -> what its header says."""
    bam_units = [u for u in units if u.bam]
    if not bam_units:
        return {}
    md5s = reference_md5s(fasta, cache)
    per_sample: dict[str, int] = {}
    for u in units:
        per_sample[u.sample] = per_sample.get(u.sample, 0) + 1
    found: dict[str, AlignedInput] = {}
    for u in bam_units:
        assert u.bam is not None
        if per_sample[u.sample] > 1:
            raise InputError(
                units_path,
                f"sample '{u.sample}' has a bam unit and other units; give one BAM/CRAM per sample",
                line=u.line,
                field="bam",
            )
        found[u.sample] = check_header(u.bam, read_header(u.bam), contigs, u.sample, md5s)
    return found


def import_commands(
    info: AlignedInput, aln: str, ref: str, fmt: str, out: str, index: str, metrics: str
) -> tuple[str, str]:
    """Head and tail of the import pipeline: sort and mark duplicates only where needed.
    Paths are shell-quoted: the user's BAM/CRAM path may hold spaces or quotes."""
    aln, ref, out, index, metrics = (shlex.quote(p) for p in (aln, ref, out, index, metrics))
    if info.duplicates_marked:
        head = f"samtools {'view' if info.sorted else 'sort'} -u --reference {ref} {aln}"
        tail = (
            f"samtools view {fmt} --reference {ref} --write-index -o {out}##idx##{index} -"
            f" && echo 'duplicates marked upstream (@PG of the input)' > {metrics}"
        )
        return head, tail
    head = (
        f"samtools collate -O -u --reference {ref} {aln}"
        " | samtools fixmate -m -u - - | samtools sort -u -"
    )
    tail = (
        f"samtools markdup -f {metrics} -T {out}.tmp --reference {ref} {fmt}"
        f" --write-index - {out}##idx##{index}"
    )
    return head, tail

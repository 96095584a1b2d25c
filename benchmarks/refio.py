"""Reading the mini-genome for the read simulators of the accuracy benchmarks
(germline_accuracy/ga_sim.py, somatic_accuracy/sa_sim.py): sequences and the contig map."""

from __future__ import annotations

import gzip
from pathlib import Path


def read_fasta(path: Path, keep: set[str] | None = None) -> dict[str, str]:
    seqs: dict[str, list[str]] = {}
    name = None
    with gzip.open(path, "rt") if str(path).endswith(".gz") else open(path) as handle:
        for line in handle:
            if line.startswith(">"):
                name = line[1:].split()[0]
                if keep is None or name in keep:
                    seqs[name] = []
            elif name in seqs:
                seqs[name].append(line.strip().upper())
    return {k: "".join(v) for k, v in seqs.items()}


def read_contig_map(path: Path) -> dict[str, tuple[str, int, int]]:
    out = {}
    with open(path) as handle:
        next(handle)
        for line in handle:
            contig, chrom, start, end = line.rstrip("\n").split("\t")[:4]
            out[contig] = (chrom, int(start), int(end))
    return out

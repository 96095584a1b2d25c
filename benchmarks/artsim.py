"""ART read simulation shared by the benchmark simulators (germline_accuracy/ga_sim.py,
somatic_accuracy/sa_sim.py, rare_disease_e2e/rd_sim.py) and the sex-chromosome integration
test, so that all of them simulate reads with the same instrument model. Standard library
only, so that a standalone tool can use it too."""

from __future__ import annotations

import gzip
import random
import subprocess
from pathlib import Path


def art(
    fasta: Path,
    coverage: float,
    seed: int,
    prefix: Path,
    log: Path | None = None,
    profile: str = "HS25",
    exe: str = "art_illumina",
) -> tuple[Path, Path]:
    """ART 2.5.8 paired reads, 2x150, fragments 350 +- 50, no alignment file, with one of
    its built-in error profiles (default HS25, HiSeq 2500: quality-dependent substitutions,
    insertion and deletion errors). ART's messages go to ``log`` (default
    ``<prefix>.log``) so that a failure can be read after the fact. Returns the two plain
    FASTQs ART wrote. ``exe``: the art_illumina executable."""
    cmd = [
        exe,
        "-ss",
        profile,
        "-i",
        str(fasta),
        "-l",
        "150",
        "-p",
        "-m",
        "350",
        "-s",
        "50",
        "-f",
        f"{coverage:g}",
        "-rs",
        str(seed),
        "-na",
        "-o",
        str(prefix),
    ]
    with open(log or f"{prefix}.log", "w") as handle:
        subprocess.run(cmd, check=True, stdout=handle, stderr=subprocess.STDOUT)
    return Path(f"{prefix}1.fq"), Path(f"{prefix}2.fq")


def pool_reads(parts: list[tuple[str, Path, Path]], fq1: Path, fq2: Path) -> int:
    """Concatenate ART pairs into one gzipped pair, each read name prefixed by its part's tag
    (haplotype, clone) so that names stay unique across parts and the origin of a read can
    be traced; the plain ART FASTQs are removed. Returns read pairs."""
    pairs = 0
    with gzip.open(fq1, "wt", compresslevel=1) as o1, gzip.open(fq2, "wt", compresslevel=1) as o2:
        for tag, r1, r2 in parts:
            for mate, src, out in ((1, r1, o1), (2, r2, o2)):
                with open(src) as handle:
                    for n, line in enumerate(handle):
                        if n % 4 == 0:
                            name = line[1:].split()[0].rsplit("/", 1)[0]
                            out.write(f"@{tag}_{name}/{mate}\n")
                            pairs += mate == 1
                        else:
                            out.write(line)
                src.unlink()
    return pairs


Pair = tuple[tuple[str, str], tuple[str, str]]


def _seq_qual(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text().split("\n")
    return [(lines[i + 1], lines[i + 3]) for i in range(0, len(lines) - 3, 4)]


def shuffled_pairs(
    fastas: list[Path], coverage: float, seed: int, exe: str = "art_illumina"
) -> list[Pair]:
    """ART on each haplotype FASTA (seed + its index), the read pairs of all of them pooled
    and shuffled with ``seed``, as (sequence, quality) of mate 1 and mate 2: a sequencer
    does not deliver one haplotype's reads in a block, and the caller names the reads (the
    names ART gives would tell the haplotype). ART's FASTQs are removed."""
    pairs: list[Pair] = []
    for h, fasta in enumerate(fastas):
        r1, r2 = art(fasta, coverage, seed + h, Path(f"{fasta.with_suffix('')}_"), exe=exe)
        pairs += zip(_seq_qual(r1), _seq_qual(r2), strict=True)
        r1.unlink()
        r2.unlink()
    random.Random(seed).shuffle(pairs)
    return pairs

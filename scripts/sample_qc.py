"""Rule script: a sample's QC in one job, for rules mark_duplicates and sample_qc.

mark_duplicates (input.bams): the sample's lanes merged and duplicates marked first, the
same command the shell rule ran. Then, on the final BAM/CRAM, the command lines of the
former QC rules: samtools stats, mosdepth over the targets and over the coding exons;
last the sha256 of the sample's input files (FASTQ, BAM/CRAM) for the report's provenance.
A script, not a shell rule: Snakemake formats a shell rule's command for every job when it
builds a dry run's listing, which for this long command costs more than the job count
saves (benchmarks/dag_scale)."""

import json
import shlex
import subprocess
import sys
from typing import IO

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.provenance import input_checksums


def run(cmd: list[str], stdout: IO[str] | None = None) -> None:
    """Run one tool with its stderr in the rule's log (sys.stderr is the log here)."""
    print("+ " + shlex.join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=stdout, stderr=sys.stderr)


def mark_duplicates(smk) -> str:  # type: ignore[no-untyped-def]
    inp, out, threads = smk.input, smk.output, str(smk.threads)
    merge = ["samtools", "merge", "-@", threads, "-u", "-o", "-", *inp.bams]
    markdup = [
        *("samtools", "markdup", "-@", threads, "-f", out.metrics, "-T", f"{out.bam}.tmp"),
        *("--reference", inp.ref, *smk.params.fmt.split()),
        *("--write-index", "-", f"{out.bam}##idx##{out.bai}"),
    ]
    run(["bash", "-c", f"set -euo pipefail; {shlex.join(merge)} | {shlex.join(markdup)}"])
    return str(out.bam)


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, out, par = snakemake.input, snakemake.output, snakemake.params
    bam = mark_duplicates(snakemake) if hasattr(inp, "bams") else inp.bam
    with open(out.stats, "w") as handle:
        run(["samtools", "stats", "--reference", inp.ref, "-r", inp.ref, bam], stdout=handle)
    for prefix, bed in ((par.prefix, inp.targets), (f"{par.prefix}.exons", inp.exons)):
        run(
            [
                *("mosdepth", "-t", str(snakemake.threads), "-n", "-Q", str(par.min_mapq)),
                *("--fasta", inp.ref, "--by", bed, "--thresholds", par.thresholds),
                *(prefix, bam),
            ]
        )
    rows = input_checksums(snakemake.wildcards.sample, par.units)
    write_text(out.checksums, json.dumps(rows, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

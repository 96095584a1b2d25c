"""Rule script: the QC page of a batch without reads (every patient entered as a VCF)."""

import os

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.intake.vcfinput import no_reads_qc_page


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    page = no_reads_qc_page(snakemake.params.patients)
    os.makedirs(snakemake.output.data, exist_ok=True)
    write_text(os.path.join(snakemake.output.data, "README.txt"), page.text)
    write_text(snakemake.output.html, page.html)
    print(page.text)


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

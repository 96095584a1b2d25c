"""Real GRCh38 alleles through the pipeline's own annotation, for the ACMG tests.

:func:`annotated` places the alleles on the mini-genome (contig map), runs bcftools csq on the
shipped gene models, writes the final call set with bigmed.genome.vcf.finalize (consequence,
HGVS on the preferred transcript, GRCh38 coordinates) and joins it with a bundle
(bigmed.knowledge.join.annotate), as the workflow does for a patient's calls.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from bigmed.genome.gff import read_gff3
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.genome.variant_spec import from_grch38
from bigmed.genome.vcf import finalize
from bigmed.knowledge.bundle import Bundle
from bigmed.knowledge.join import annotate
from conftest import ROOT

FASTA = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
GFF = str(ROOT / "resources" / "annotation" / "minigenome.gff3")
CONTIGS = str(ROOT / "resources" / "reference" / "contigs.tsv")
Allele = tuple[str, int, str, str]


def shipped_sources(**extra: Any) -> dict[str, Any]:
    """The demo config's knowledge sources with absolute paths, plus ``extra`` ones."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    out: dict[str, Any] = {}
    for key, value in cfg["knowledge"]["sources"].items():
        entry = {"path": value} if isinstance(value, str) else dict(value)
        entry["path"] = str(ROOT / entry["path"])
        out[key] = entry
    return {**out, **extra}


def annotated(alleles: list[Allele], bundle: Bundle, work: Path) -> dict[str, Any]:
    """The knowledge join of real alleles annotated the pipeline's way."""
    contigs = fasta_contigs(FASTA)
    cmap = read_contig_map(CONTIGS, contigs)
    placed = sorted(
        (*from_grch38(chrom, pos, cmap, contigs), ref, alt) for chrom, pos, ref, alt in alleles
    )
    raw = work / "alleles.vcf"
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t." for c, p, r, a in placed]
    raw.write_text("\n".join(lines) + "\n")
    csq = work / "csq.bcf"
    subprocess.run(
        ["bcftools", "csq", "-f", FASTA, "-g", GFF, "-l", "--force", "-Ob", "-o", str(csq),
         str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    transcripts = read_gff3(GFF, contigs)
    calls = work / "calls.vcf.gz"
    finalize(str(csq), FASTA, transcripts, cmap, str(calls))
    return annotate(str(calls), bundle, transcripts=transcripts, fasta=FASTA, contig_map=cmap)


def variant(doc: dict[str, Any], allele: Allele) -> dict[str, Any]:
    chrom, pos, ref, alt = allele
    return next(v for v in doc["variants"] if v["id"] == f"{chrom}-{pos}-{ref}-{alt}")

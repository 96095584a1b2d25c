"""Rule script: the cardiac interpretation of one family (panel, findings, coverage, cascade)."""

import json
import os
from typing import Any

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import load_transcripts, preferred_transcripts
from bigmed.genome.reference import fasta_contigs, read_bed, read_contig_map
from bigmed.germline.acmg import load_overrides
from bigmed.knowledge.bundle import Bundle
from bigmed.pilots.cardiac import panels
from bigmed.pilots.cardiac.coverage import read_exon_depths
from bigmed.pilots.cardiac.interpret import interpretation_document
from bigmed.pilots.cardiac.model import PileupFn, Settings, SiteReads, Thresholds
from bigmed.pilots.cardiac.reads import calls_at, pileup_reads
from bigmed.report.interpretation import validate
from bigmed.store.annotate import into_join


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    samples = json.loads(par.samples)
    with open(inp.annotated) as handle:
        doc = into_join(json.load(handle), inp.store or None)  # the lab's classifications
    contigs = fasta_contigs(inp.ref)  # from its .fai (input fai)
    out = interpretation_document(
        doc,
        samples=samples,
        panel=build_panel(inp, par),
        exons=read_exon_depths(inp.exons, par.min_depth),
        annotated={
            g: t.id for g, t in preferred_transcripts(load_transcripts(inp.transcripts)).items()
        },
        targets=targets_by_contig(read_bed(inp.targets, contigs)),
        cmap=read_contig_map(inp.contig_map) if inp.contig_map else None,
        contigs=contigs,
        calls=calls_at(inp.vcf, [v["id"] for v in doc["variants"]]),
        pileup=bam_pileup(inp, par, samples),
        overrides=load_overrides(inp.overrides),
        settings=Settings(
            min_depth=par.min_depth,
            padding=par.padding,
            report_vus=par.cfg["report_vus"],
            thresholds=Thresholds(par.min_depth, par.cfg["min_alt_reads"], par.cfg["min_vaf"]),
        ),
    )
    validate(out)
    write_text(snakemake.output[0], json.dumps(out, indent=1) + "\n")
    print(out["note"])


def build_panel(inp: Any, par: Any) -> panels.Panel:
    """The patient's panel from the bundle, with the sources' versions."""
    bundle = Bundle(os.path.dirname(inp.manifest))
    g2p, sf = bundle.source("cardiac_g2p"), bundle.source("acmg_sf")
    return panels.build_panel(
        bundle.genes,
        par.indications,
        min_validity=par.cfg["min_validity"],
        secondary_findings=par.cfg["secondary_findings"],
        g2p_version=g2p["version"] if g2p else "not configured",
        sf_version=sf["version"] if sf else None,
    )


def targets_by_contig(regions: list[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for contig, start, end in regions:
        out.setdefault(contig, []).append((start, end))
    return out


def bam_pileup(inp: Any, par: Any, samples: list[dict[str, Any]]) -> PileupFn:
    """Each family member's reads at a site, from its alignment (where it has no call)."""
    aln = dict(zip([s["sample"] for s in samples], inp.alignments, strict=True))

    def pileup(sample: str, contig: str, pos: int, ref: str, alt: str) -> SiteReads:
        return pileup_reads(
            aln[sample], contig, pos, ref, alt,
            min_mapq=par.min_mapq, min_baseq=par.min_baseq, reference=inp.ref,
        )  # fmt: skip

    return pileup


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

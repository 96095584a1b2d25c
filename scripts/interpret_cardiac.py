"""Rule script: the cardiac interpretation of one family (panel, findings, coverage, cascade)."""

import json
import os

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import load_transcripts, preferred_transcripts
from bigmed.genome.reference import read_contig_map
from bigmed.germline.acmg import load_overrides
from bigmed.knowledge.bundle import Bundle
from bigmed.pilots.cardiac import panels
from bigmed.pilots.cardiac.coverage import read_exon_depths
from bigmed.pilots.cardiac.interpret import interpretation_document
from bigmed.pilots.cardiac.model import Settings, SiteReads, Thresholds
from bigmed.pilots.cardiac.reads import calls_at, pileup_reads
from bigmed.report.interpretation import validate


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    samples = json.loads(par.samples)
    bundle = Bundle(os.path.dirname(inp.manifest))
    g2p, sf = bundle.source("cardiac_g2p"), bundle.source("acmg_sf")
    panel = panels.build_panel(
        bundle.genes,
        par.indications,
        min_validity=par.cfg["min_validity"],
        secondary_findings=par.cfg["secondary_findings"],
        g2p_version=g2p["version"] if g2p else "not configured",
        sf_version=sf["version"] if sf else None,
    )
    with open(inp.annotated) as handle:
        doc = json.load(handle)
    with open(inp.fai) as handle:
        contigs = {c: int(n) for c, n, *_ in (ln.split("\t") for ln in handle)}
    targets: dict[str, list[tuple[int, int]]] = {}
    with open(inp.targets) as handle:
        for ln in handle:
            c, s, e = ln.split("\t")[:3]
            targets.setdefault(c, []).append((int(s), int(e)))
    aln = dict(zip([s["sample"] for s in samples], inp.alignments, strict=True))

    def pileup(sample: str, contig: str, pos: int, ref: str, alt: str) -> SiteReads:
        return pileup_reads(
            aln[sample], contig, pos, ref, alt,
            min_mapq=par.min_mapq, min_baseq=par.min_baseq, reference=inp.ref,
        )  # fmt: skip

    out = interpretation_document(
        doc,
        samples=samples,
        panel=panel,
        exons=read_exon_depths(inp.exons, par.min_depth),
        annotated={
            g: t.id for g, t in preferred_transcripts(load_transcripts(inp.transcripts)).items()
        },
        targets=targets,
        cmap=read_contig_map(inp.contig_map) if inp.contig_map else None,
        contigs=contigs,
        calls=calls_at(inp.vcf, [v["id"] for v in doc["variants"]]),
        pileup=pileup,
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


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

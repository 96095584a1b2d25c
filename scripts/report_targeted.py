"""Rule script: known-familial-variant report of one sample (cardiac.targeted)."""

import json
from typing import Any

import pysam
from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import Transcript, load_transcripts, preferred_transcripts
from bigmed.genome.hgvs import Hgvs, describe
from bigmed.genome.reference import ContigSlice, read_contig_map
from bigmed.genome.variant_spec import Locus, parse_grch38, parse_hgvs_c, pick_transcript
from bigmed.pilots.cardiac import targeted
from bigmed.pilots.cardiac.model import SiteReads, Thresholds
from bigmed.pilots.cardiac.reads import calls_at, pileup_reads
from bigmed.report.targeted import render_html


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    spec = json.loads(par.spec)
    sample = json.loads(par.sample)
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    locus, tx, hgvs = place_variant(spec, load_transcripts(inp.transcripts), inp.ref, cmap)
    with open(inp.interpretation) as handle:
        family_doc = json.load(handle)
    doc = targeted.targeted_document(
        patient=sample["patient"],
        sample=sample,
        spec=spec,
        locus=locus,
        gene=tx.gene if tx else None,
        transcript=tx.id if tx else None,
        hgvs_c=hgvs.c if hgvs else None,
        hgvs_p=hgvs.p if hgvs else None,
        reads=site_reads(inp, par, sample["sample"], locus),
        thresholds=Thresholds(par.min_depth, par.min_alt_reads, par.min_vaf),
        classification=targeted.variant_class(family_doc, locus.id, sample["patient"]),
        provenance={
            "pipeline_version": par.pipeline_version,
            "git_commit": par.git_commit,
            "config_hash": par.config_hash,
            "alignment": inp.alignment,
            "calls": inp.vcf,
            "classification": inp.interpretation,
        },
    )
    write_text(snakemake.output.html, render_html(doc))
    write_text(snakemake.output.json, json.dumps(doc, indent=1) + "\n")
    print(doc["conclusion"])


def place_variant(
    spec: dict[str, Any],
    transcripts: dict[str, Transcript],
    fasta: str,
    cmap: dict[str, ContigSlice] | None,
) -> tuple[Locus, Transcript | None, Hgvs | None]:
    """The requested variant on the reference, its transcript and its HGVS.

    The transcript is the one named (HGVS requests), else the preferred one overlapping it.
    """
    with pysam.FastaFile(fasta) as fa:
        contigs = dict(zip(fa.references, fa.lengths, strict=True))

        def seq(contig: str, start: int, end: int) -> str:
            return str(fa.fetch(contig, max(0, start - 1), end)).upper() if end >= start else ""

        tx: Transcript | None
        if spec.get("hgvs_c"):
            tx = pick_transcript(transcripts, spec["gene"], spec.get("transcript"))
            locus = parse_hgvs_c(tx, spec["hgvs_c"], seq, cmap)
        else:
            locus = parse_grch38(
                spec["chrom"], spec["pos"], spec["ref"], spec["alt"], seq, contigs, cmap
            )
            tx = next(
                (
                    t
                    for t in preferred_transcripts(transcripts).values()
                    if t.contig == locus.contig
                    and min(s for s, _ in t.exons) <= locus.pos <= max(e for _, e in t.exons)
                ),
                None,
            )
        hgvs = describe(
            tx, locus.pos, locus.ref, locus.alt, lambda s, e: seq(locus.contig, s, e)
        ) if tx else None  # fmt: skip
    return locus, tx, hgvs


def site_reads(inp: Any, par: Any, sample: str, locus: Locus) -> SiteReads:
    """The sample's joint call at the variant, else a pileup of its alignment."""
    call = calls_at(inp.vcf, [locus.id]).get(locus.id, {}).get(sample)
    if call is not None and call.has_call:
        return call
    return pileup_reads(
        inp.alignment, locus.contig, locus.pos, locus.ref, locus.alt,
        min_mapq=par.min_mapq, min_baseq=par.min_baseq, reference=inp.ref,
    )  # fmt: skip


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

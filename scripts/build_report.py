"""Rule script: report.json, report.html and variants.tsv of one patient."""

import json
import os

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import read_contig_map
from bigmed.intake.qc import sample_qc
from bigmed.intake.vcfinput import NO_GERMLINE, no_reads_coverage, no_reads_items, no_reads_qc
from bigmed.knowledge.bundle import Bundle
from bigmed.report.changes import compare
from bigmed.report.document import (
    build_report,
    coverage_section,
    merge_somatic,
    python_packages,
    read_variants,
    validate_report,
)
from bigmed.report.html import render_html
from bigmed.report.interpretation import merge
from bigmed.report.tsv import variants_tsv


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    samples = json.loads(par.samples)
    ids = [s["sample"] for s in samples]
    # samples that entered as a VCF (no reads) have no QC files: the inputs list the others
    read_ids = [sid for sid in ids if sid not in par.no_reads]
    qc = {sid: no_reads_qc(sid) for sid in ids if sid in par.no_reads}
    for i, sid in enumerate(read_ids):
        fastp = [p for p in inp.fastp if f"/fastp/{sid}/" in p]
        qc[sid] = sample_qc(
            sid, fastp, inp.stats[i], inp.mosdepth[i], inp.thresholds[i], par.min_depth
        )
    # coverage is judged on the sample the question is about: proband, index or tumor
    primary = next((s["sample"] for s in samples if s["role"] in ("proband", "tumor")), ids[0])
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    if primary in read_ids:
        exons = inp.exons[read_ids.index(primary)]
        coverage = coverage_section(exons, inp.targets, par.min_depth, par.padding, cmap)
    else:
        coverage = no_reads_coverage(par.min_depth, par.padding)
    coverage["sample"] = primary
    with open(inp.reference) as handle:
        ref = json.load(handle)
    with open(inp.tools) as handle:
        tools = json.load(handle)
    inputs = []
    for path in inp.checksums:
        with open(path) as handle:
            inputs += json.load(handle)
    provenance = {
        "pipeline_version": par.pipeline_version,
        "git_commit": par.git_commit,
        "config_hash": par.config_hash,
        "reference": ref["reference"],
        "annotation": ref["annotation"],
        "tools": tools,
        "python_packages": python_packages(),
        "knowledge_bases": Bundle(os.path.dirname(inp.knowledge)).knowledge_bases(),
        "inputs": inputs,
    }
    report = build_report(
        patient=par.patient,
        pilot=par.pilot,
        samples=samples,
        qc=qc,
        variants=merge_somatic(
            read_variants(inp.vcf),
            read_variants(inp.somatic, origin="somatic", pass_only=True) if inp.somatic else [],
        ),
        coverage=coverage,
        provenance=provenance,
    )
    report["not_assessable"] += no_reads_items(par.no_reads)
    if par.no_germline:
        report["not_assessable"].append({"what": "germline variants", "reason": NO_GERMLINE})
    with open(inp.interpretation) as handle:
        merge(report, json.load(handle))
    if par.previous and os.path.exists(par.previous):
        with open(par.previous) as handle:
            report["changes"] = compare(json.load(handle), report)
    validate_report(report)
    write_text(snakemake.output.tsv, variants_tsv(report))
    write_text(snakemake.output.html, render_html(report, par.max_variants_html))
    write_text(snakemake.output.json, json.dumps(report, indent=1) + "\n")
    print(f"{len(report['variants'])} variants, {len(report['coverage']['gaps'])} exon gaps")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

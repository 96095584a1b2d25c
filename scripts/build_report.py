"""Rule script: report.json, report.html and variants.tsv of one patient."""

import json
import os
from typing import Any

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import read_contig_map
from bigmed.intake.gvcfdepth import coverage_items, summarise
from bigmed.intake.qc import SampleQC, sample_qc
from bigmed.intake.vcfinput import NO_GERMLINE, no_reads_coverage, no_reads_items, no_reads_qc
from bigmed.knowledge.bundle import Bundle
from bigmed.knowledge.hpo import read_ontology
from bigmed.report.changes import compare
from bigmed.report.document import (
    annotate_finding_qc,
    apply_analysed_regions,
    build_report,
    coverage_section,
    merge_somatic,
    python_packages,
    read_variants,
    referral,
    validate_report,
)
from bigmed.report.html import render_html
from bigmed.report.interpretation import merge
from bigmed.report.tsv import gaps_tsv, variants_tsv
from bigmed.store.annotate import merge_lookup


def _read_json(path: str) -> Any:
    with open(path) as handle:
        return json.load(handle)


def sample_qcs(inp: Any, par: Any, ids: list[str]) -> dict[str, SampleQC]:
    """QC of every sample; samples that entered as a VCF (no reads) have no QC files, so the
    per-sample inputs list only the others, in sample order."""
    read_ids = [sid for sid in ids if sid not in par.no_reads]
    qc = {sid: no_reads_qc(sid) for sid in ids if sid in par.no_reads}
    for i, sid in enumerate(read_ids):
        fastp = [p for p in inp.fastp if f"/fastp/{sid}/" in p]
        qc[sid] = sample_qc(sid, fastp, inp.stats[i], inp.mosdepth[i])
    return qc


def exon_files(inp: Any, par: Any, ids: list[str]) -> dict[str, tuple[str, str]]:
    """sample -> (exon thresholds, exon mean depths) for the samples with reads."""
    read_ids = [sid for sid in ids if sid not in par.no_reads]
    return {sid: (inp.exons[i], inp.exon_depths[i]) for i, sid in enumerate(read_ids)}


def hpo_names(inp: Any, samples: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the sheet's HPO terms from the configured ontology (none without one)."""
    if not inp.get("hpo_ontology"):
        return {}
    ontology = read_ontology(inp.hpo_ontology)
    terms = {t for s in samples for t in s.get("phenotypes") or []}
    return {t: ontology.terms[t].name for t in terms if t in ontology.terms}


def coverage(inp: Any, par: Any, samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage is judged on the sample the question is about: proband, index or tumor."""
    ids = [s["sample"] for s in samples]
    read_ids = [sid for sid in ids if sid not in par.no_reads]
    primary = next((s["sample"] for s in samples if s["role"] in ("proband", "tumor")), ids[0])
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    gvcf = gvcf_files(inp, par)
    if primary in read_ids:
        exons = inp.exons[read_ids.index(primary)]
        cov = coverage_section(exons, inp.targets, par.min_depth, par.padding, cmap)
    elif primary in gvcf:  # no reads, but the depth its gVCF records give
        cov = coverage_section(gvcf[primary], inp.targets, par.min_depth, par.padding, cmap)
    else:
        cov = no_reads_coverage(par.min_depth, par.padding)
    cov["sample"] = primary
    return cov


def gvcf_files(inp: Any, par: Any) -> dict[str, str]:
    """sample -> depth over the coding exons from its gVCF records (bigmed.intake.gvcfdepth),
    for the samples that entered as a gVCF."""
    return dict(zip(par.gvcf_samples, inp.gvcf_depth, strict=True))


def no_reads_rows(inp: Any, par: Any) -> list[dict[str, str]]:
    """Not-assessable rows of the samples without reads: for a gVCF sample, where its
    coverage came from and the exons no gVCF record covers; else no QC, no coverage."""
    gvcf = gvcf_files(inp, par)
    rows = no_reads_items([s for s in par.no_reads if s not in gvcf])
    for sample, path in gvcf.items():
        rows += coverage_items(sample, summarise(path, inp.targets, par.min_depth), par.min_depth)
    return rows


def provenance(inp: Any, par: Any) -> dict[str, Any]:
    """Versions and checksums of everything the report was made from."""
    ref, tools = _read_json(inp.reference), _read_json(inp.tools)
    inputs = [row for path in inp.checksums for row in _read_json(path)]
    return {
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


def variants(inp: Any) -> list[dict[str, Any]]:
    """Germline calls plus the PASS somatic calls of a tumor, when there is one."""
    somatic = read_variants(inp.somatic, origin="somatic", pass_only=True) if inp.somatic else []
    return merge_somatic(read_variants(inp.vcf), somatic)


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    samples = json.loads(par.samples)
    # the order in which inputs are read (and the first unreadable one reported) is kept
    qc = sample_qcs(inp, par, [s["sample"] for s in samples])
    cov = coverage(inp, par, samples)
    prov = provenance(inp, par)
    report = build_report(
        patient=par.patient,
        pilot=par.pilot,
        samples=samples,
        qc=qc,
        variants=variants(inp),
        coverage=cov,
        provenance=prov,
    )
    report["not_assessable"] += no_reads_rows(inp, par)
    if par.no_germline:
        report["not_assessable"].append({"what": "germline variants", "reason": NO_GERMLINE})
    merge(report, _read_json(inp.interpretation))
    apply_analysed_regions(
        report, exon_files(inp, par, [s["sample"] for s in samples]), inp.targets
    )
    annotate_finding_qc(report)
    report["referral"] = referral(samples, hpo_names(inp, samples))
    if inp.store:  # the lab's store: seen before, lab and partner classifications
        merge_lookup(report, _read_json(inp.store))
    if par.previous and os.path.exists(par.previous):
        report["changes"] = compare(_read_json(par.previous), report)
    validate_report(report)
    write_text(snakemake.output.tsv, variants_tsv(report))
    write_text(snakemake.output.gaps, gaps_tsv(report))
    write_text(snakemake.output.html, render_html(report, par.max_variants_html))
    write_text(snakemake.output.json, json.dumps(report, indent=1) + "\n")
    print(f"{len(report['variants'])} variants, {len(report['coverage']['gaps'])} exon gaps")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

"""Rule script: the crc interpretation of one tumor (biomarkers, tiers, therapy lines)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.genotypes import iter_sites
from bigmed.genome.gff import load_transcripts
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.genome.variant_spec import VariantSpecError, from_grch38
from bigmed.germline.acmg import load_overrides
from bigmed.intake.coverage import read_thresholds
from bigmed.intake.vcfinput import NO_READS
from bigmed.pilots.crc import germline
from bigmed.pilots.crc.biomarkers import (
    CrcInputs,
    erbb2_amplification,
    not_evaluable,
    read_exon_depths,
)
from bigmed.pilots.crc.codons import (
    BIOMARKER_CODONS,
    codon_coverage,
    required_depth,
    unmeasured_coverage,
)
from bigmed.pilots.crc.evidence import load_knowledge
from bigmed.pilots.crc.interpret import interpret
from bigmed.pilots.crc.reads import bam_depth_fn
from bigmed.pilots.crc.retrocopy import exon_boundaries, junction_clips
from bigmed.pilots.crc.variants import read_somatic
from bigmed.report.interpretation import validate
from bigmed.store.annotate import into_join


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    cfg = par.crc
    transcripts = load_transcripts(inp.transcripts)
    min_depth = required_depth(cfg["detection_vaf"], par.min_alt_reads)
    codons = BIOMARKER_CODONS
    if par.no_reads:  # the patient entered as a somatic VCF: nothing read-level is measured
        coverage = {g: unmeasured_coverage(g, NO_READS) for g in codons}
        erbb2 = not_evaluable("ERBB2 amplification", NO_READS)
        msi = {"status": "not evaluable", "reason": NO_READS}
        normal_exons = None
    else:
        depth = bam_depth_fn(inp.tumor_bam, par.min_mapq, par.min_baseq)
        coverage = {
            g: codon_coverage(g, c, transcripts, depth, min_depth) for g, c in codons.items()
        }
        normal_exons = read_exon_depths(inp.normal_exons) if hasattr(inp, "normal_exons") else None
        erbb2 = erbb2_amplification(
            read_exon_depths(inp.tumor_exons),
            normal_exons,
            par.purity,
            cfg["erbb2_min_normal_depth"],
            cfg["erbb2_min_log2_ratio"],
        )
        with open(inp.msi) as handle:
            msi = json.load(handle)
    with open(inp.tmb) as handle:
        tmb = json.load(handle)
    data = CrcInputs(
        patient=par.patient,
        tumor_type=par.tumor_type,
        purity=par.purity,
        tumor_only=par.tumor_only,
        variants=read_somatic(inp.vcf),
        coverage=coverage,
        erbb2=erbb2,
        msi=msi,
        tmb=tmb,
        transcripts=transcripts,
        detection_vaf=cfg["detection_vaf"],
        min_alt_reads=par.min_alt_reads,
        note=" ".join(
            x
            for x in (
                cfg["notes"].get(par.patient, ""),
                "Entered as a somatic VCF: read-level biomarkers (RAS/BRAF/PIK3CA/POLE "
                "negatives, MSI, ERBB2) are not evaluable."
                if par.no_reads
                else "",
            )
            if x
        ),
    )
    knowledge = load_knowledge(dict(par.sources), inp.oncotree, inp.manifest)
    germ, min_stars = germline_result(inp, par, transcripts)
    doc = interpret(data, knowledge, germ, mmr_ihc=par.mmr_ihc, min_stars=min_stars)
    validate(doc)
    write_text(snakemake.output[0], json.dumps(doc, indent=1) + "\n")
    log_summary(doc)


def log_summary(doc):  # type: ignore[no-untyped-def]
    print(doc["note"])
    for b in doc["biomarkers"]:
        print(f"{b['name']}: {b['status']} ({b['reason']})")
    for f in doc["findings"]:
        print(f"finding: {f.get('gene')} {f.get('hgvs_p') or ''} {f['classification']}")


def germline_result(inp, par, transcripts):  # type: ignore[no-untyped-def]
    """Germline predisposition in the germline sample, or why it was not analysed."""
    st = germline.GermlineSettings(
        enabled=par.crc["germline_findings"],
        sample=par.germline_sample,
        tumor_only=par.tumor_only,
        min_depth=par.min_depth,
        coverage_depth=par.coverage_depth,
        reason_off=(
            "crc.germline_findings is off (e.g. where consent does not cover germline results)"
            if not par.crc["germline_findings"]
            else "the patient entered as a somatic VCF: no germline calls"
            if par.no_reads
            else ""
        ),
    )
    if not st.enabled or st.reason_off:
        return germline.not_analysed(st), None
    with open(inp.annotated) as handle:  # with the lab's classifications (store lookup)
        doc = into_join(json.load(handle), getattr(inp, "store", None) or None)
    calls = {s.id: s.calls[st.sample] for s in iter_sites(inp.calls) if st.sample in s.calls}
    exons = (
        germline.exon_bases(read_thresholds(inp.germline_exons, st.coverage_depth))
        if hasattr(inp, "germline_exons")
        else None
    )
    overrides = load_overrides(inp.overrides)
    res = germline.analyse(
        doc, calls, st,
        reference_genes={t.gene for t in transcripts.values()},
        exon_depths=exons, overrides=overrides,
        read_check=retrocopy_check(inp, par, transcripts) if hasattr(inp, "germline_aln") else None,
    )  # fmt: skip
    return res, overrides.clinvar_min_stars


def retrocopy_check(inp, par, transcripts):  # type: ignore[no-untyped-def]
    """Reads of the germline sample at a call: clipped at the gene's exon boundaries?"""
    cmap = read_contig_map(inp.contig_map) if hasattr(inp, "contig_map") else None
    contigs = fasta_contigs(inp.ref)
    exons: dict[str, list[tuple[int, int]]] = {}
    for t in transcripts.values():
        exons.setdefault(t.gene, []).extend(t.exons)

    def check(v):  # type: ignore[no-untyped-def]
        try:
            contig, pos = from_grch38(v["chrom"], int(v["pos"]), cmap, contigs)
        except VariantSpecError:
            return None
        clips = junction_clips(
            inp.germline_aln, contig, pos, v["ref"], v["alt"],
            exon_boundaries(exons.get(v["gene"], [])),
            min_mapq=par.min_mapq, min_baseq=par.min_baseq, reference=inp.ref,
        )  # fmt: skip
        return clips.reason() if clips.retrocopy else None

    return check


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

"""The cardiac pilot: panel findings, panel coverage and family (cascade) testing.

:func:`interpretation_document` turns a patient's knowledge join into the interpretation
document (``workflow/schemas/interpretation.schema.json``):

- the **panel** (:mod:`bigmed.pilots.cardiac.panels`): Cardiac G2P genes of the patient's
  referral indications, plus the ACMG SF cardiovascular genes when secondary findings are
  on;
- **findings** (:mod:`bigmed.pilots.cardiac.findings`): PASS calls in panel genes carried by
  the index, classified by :mod:`bigmed.germline.acmg` with the family's segregation
  (PP1/BS4); pathogenic / likely pathogenic ones are findings with disease, inheritance and
  mechanism from G2P; VUS in the diagnostic genes are listed in their own section (or not
  at all, by config), within the assessed region (coding exons +- padding); nothing outside
  the panel is classified;
- **coverage** (:mod:`bigmed.pilots.cardiac.coverage`): every padded coding exon of every
  panel gene at ``min_depth`` in the index; each exon below it, and each panel gene the
  reference annotation lacks, is *not assessable*; the document's ``coverage`` replaces the
  report's whole-reference one;
- **cascade testing** (:mod:`bigmed.pilots.cardiac.cascade`): each familial P/LP/VUS
  genotyped in every relative, and whom to offer predictive testing.

The report texts are in :mod:`bigmed.pilots.cardiac.sections`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bigmed.genome.reference import ContigSlice
from bigmed.genome.variant_spec import VariantSpecError, from_grch38
from bigmed.germline.acmg import Overrides
from bigmed.germline.classify import interpret, not_assessable
from bigmed.pilots.cardiac import cascade, sections
from bigmed.pilots.cardiac.coverage import ExonDepth, Targets, in_assessed_region, panel_coverage
from bigmed.pilots.cardiac.findings import triage
from bigmed.pilots.cardiac.model import Family, PileupFn, Settings, SiteReads, Triage
from bigmed.pilots.cardiac.panels import Panel

Variant = Mapping[str, Any]


def interpretation_document(
    doc: Mapping[str, Any],
    *,
    samples: Sequence[Mapping[str, Any]],
    panel: Panel,
    exons: Sequence[ExonDepth],
    annotated: Mapping[str, str],
    targets: Targets | None,
    cmap: Mapping[str, ContigSlice] | None,
    contigs: Mapping[str, int],
    calls: Mapping[str, Mapping[str, SiteReads]],
    pileup: PileupFn | None = None,
    overrides: Overrides | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The cardiac interpretation document of one patient (schema-valid)."""
    st = settings or Settings()
    index = next(s for s in samples if s["role"] == "proband")
    cov = panel_coverage(
        panel, exons, annotated=annotated, targets=targets, cmap=cmap,
        min_depth=st.min_depth, padding=st.padding, sample=index["sample"],
    )  # fmt: skip
    in_panel = panel_variants(doc["variants"], panel)
    index_reads = {v["id"]: calls.get(v["id"], {}).get(index["sample"]) for v in in_panel}
    carried = [v for v in in_panel if cascade.carries(index_reads[v["id"]])]
    family = family_evidence(
        index, carried, samples, calls, panel, st, cmap=cmap, contigs=contigs, pileup=pileup
    )
    res = interpret(
        {**doc, "variants": in_panel},
        family={vid: s.evidence for vid, s in family.segregation.items()},
        overrides=overrides,
        finding_gene=lambda symbol, _facts: symbol in panel.genes,
        carriers={v["id"] for v in carried},
    )
    tri = triage(
        carried, res, panel, family,
        {v["id"]: cascade.zygosity(index_reads[v["id"]]) for v in carried},
        assessed=_assessed_region(exons, cmap, contigs), report_vus=st.report_vus,
    )  # fmt: skip
    return _document(doc, res, panel, cov, family, tri, index, st)


def _document(
    doc: Mapping[str, Any],
    res: Mapping[str, Any],
    panel: Panel,
    cov: Mapping[str, Any],
    family: Family,
    tri: Triage,
    index: Mapping[str, Any],
    st: Settings,
) -> dict[str, Any]:
    """The document from its parts (``res``: the ACMG engine's, ``cov``: panel coverage)."""
    classes = {vid: x["classification"] for vid, x in res["variants"].items()}
    return {
        "status": "complete",
        "note": sections.document_note(panel, tri, cov["summary"], index["sample"], st),
        "findings": tri.findings,
        "biomarkers": [],
        "variants": res["variants"],
        "knowledge_bases": res["knowledge_bases"],
        "sections": [
            *([sections.vus_section(tri, index["sample"], st)] if st.report_vus else []),
            *sections.family_sections(tri.familial, classes, index, family),
            sections.panel_section(panel, cov, st),
            *res["sections"],
        ],
        "not_assessable": [
            *cov["not_assessable"],
            *sections.relatives_not_assessable(tri.familial, family),
            *not_assessable(doc),
        ],
        "coverage": cov["coverage"],
        "panel": {**panel.as_dict(), "coverage": cov["summary"]},
    }


def family_evidence(
    index: Mapping[str, Any],
    carried: Sequence[Variant],
    samples: Sequence[Mapping[str, Any]],
    calls: Mapping[str, Mapping[str, SiteReads]],
    panel: Panel,
    st: Settings,
    *,
    cmap: Mapping[str, ContigSlice] | None,
    contigs: Mapping[str, int],
    pileup: PileupFn | None,
) -> Family:
    """Every relative's genotype at each carried variant, and its segregation."""
    genotypes = cascade.family_genotypes(
        carried, samples, calls, st.thresholds, cmap=cmap, contigs=contigs, pileup=pileup
    )
    recessive = {v["id"]: panel.genes[v["gene"]].biallelic_only for v in carried}
    return Family(
        genotypes,
        {
            vid: cascade.segregation(index, rows, recessive=recessive[vid])
            for vid, rows in genotypes.items()
        },
    )


def panel_variants(variants: Sequence[Variant], panel: Panel) -> list[Variant]:
    """PASS calls in panel genes with a gene consequence: the only ones classified."""
    return [
        v
        for v in variants
        if v.get("gene") in panel.genes
        and v.get("filter") == "PASS"
        and v.get("consequence") not in ("intergenic", None)
    ]


def _assessed_region(
    exons: Sequence[ExonDepth], cmap: Mapping[str, ContigSlice] | None, contigs: Mapping[str, int]
) -> Callable[[Variant], bool]:
    """Is a variant within a padded coding exon of its gene (on the reference's contigs)?"""

    def assessed(v: Variant) -> bool:
        try:
            contig, cpos = from_grch38(v["chrom"], int(v["pos"]), cmap, contigs)
        except VariantSpecError:
            contig, cpos = "", 0
        return in_assessed_region(contig, cpos, len(v["ref"]), exons, v["gene"])

    return assessed

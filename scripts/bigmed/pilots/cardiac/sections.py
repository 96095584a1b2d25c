"""The cardiac document's report texts: its sections, its note and its not-assessable items.

Sections are the report's generic tables (``id``, ``title``, ``note``, ``columns``,
``rows``): the VUS in the panel, the familial variants in relatives, the cascade-testing
plan and the panel with its coverage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bigmed.pilots.cardiac import cascade
from bigmed.pilots.cardiac.model import NOT_ASSESSABLE, Family, Settings, Triage
from bigmed.pilots.cardiac.panels import Panel

Variant = Mapping[str, Any]


def label(v: Variant) -> str:
    """A variant as the family tables name it: gene, HGVS and id."""
    change = " ".join(x for x in (v.get("hgvs_c"), v.get("hgvs_p")) if x)
    return f"{v.get('gene')} {change} ({v['id']})"


def vus_section(tri: Triage, sample: str, st: Settings) -> dict[str, Any]:
    """The VUS the index carries in the diagnostic panel, within the assessed region."""
    outside = (
        f" {tri.vus_outside} further VUS deeper in introns or UTRs are not listed."
        if tri.vus_outside
        else ""
    )
    return {
        "id": "cardiac-vus",
        "title": "Variants of uncertain significance in the panel",
        "note": (
            f"{len(tri.vus_rows)} VUS carried by {sample} in the diagnostic panel "
            f"within coding exons +-{st.padding} bp; not actionable and not used for "
            "predictive testing of relatives." + outside
        ),
        "columns": ["variant", "gene", "HGVS c.", "HGVS p.", "consequence", "zygosity",
                    "disease (G2P)", "inheritance", "points", "segregation"],
        "rows": tri.vus_rows,
    }  # fmt: skip


def family_sections(
    familial: Sequence[Variant],
    classes: Mapping[str, str | None],
    index: Mapping[str, Any],
    family: Family,
) -> list[dict[str, Any]]:
    """Familial variants in relatives (segregation) and whom to offer testing; none without."""
    if not familial:
        return []
    geno_rows: list[list[Any]] = []
    plan: list[list[str]] = []
    for v in familial:
        cls = classes.get(v["id"]) or ""
        name = label(v)
        for g in family.genotypes[v["id"]]:
            r = g.reads
            geno_rows.append(
                [name, cls, g.sample, g.role, g.affected, g.status,
                 "" if r.alt_reads is None else f"{r.alt_reads}/{r.depth}", r.gt or ".",
                 r.source, g.reason]
            )  # fmt: skip
        plan += cascade.cascade_rows(name, cls, index, family.genotypes[v["id"]])
    seg_note = " ".join(f"{label(v)}: {family.segregation[v['id']].summary}." for v in familial)
    return [
        {
            "id": "family-genotypes",
            "title": "Familial variants in relatives (segregation)",
            "note": seg_note,
            "columns": ["variant", "class", "sample", "role", "affected", "genotype",
                        "allele reads / depth", "GT", "source", "reason"],
            "rows": geno_rows,
        },
        {
            "id": "cascade-testing",
            "title": "Cascade testing: whom to offer predictive testing",
            "note": "Predictive testing is offered for pathogenic / likely pathogenic familial "
            "variants only; a VUS is not used for predictive testing.",
            "columns": ["whom", "variant", "offer", "why"],
            "rows": plan,
        },
    ]  # fmt: skip


def panel_section(panel: Panel, cov: Mapping[str, Any], st: Settings) -> dict[str, Any]:
    """The panel's genes with their G2P facts and coverage."""
    return {
        "id": "cardiac-panel",
        "title": f"Gene panel {panel.name} and its coverage",
        "note": _panel_note(panel, cov["summary"], st),
        "columns": ["gene", "list", "disease (G2P)", "inheritance", "mechanism", "validity",
                    "transcript", "coding bp", f">= {st.min_depth}x", "status"],
        "rows": cov["rows"],
    }  # fmt: skip


def _panel_note(panel: Panel, summ: Mapping[str, Any], st: Settings) -> str:
    absent = summ["genes_not_in_reference"]
    indications = "; ".join(
        f"{c} ({n})" for c, n in zip(panel.indications, panel.names, strict=True)
    )
    return (
        f"Panel {panel.name}, version {panel.version}. Indication(s): {indications}. "
        f"Cardiac G2P gene-disease pairs at >= {panel.min_validity} validity"
        + (
            f"; ACMG SF cardiovascular genes outside it as secondary findings: "
            f"{', '.join(panel.sf_genes)}"
            if panel.sf_genes
            else "; secondary findings off"
        )
        + f". Assessable (>= {st.min_depth}x over coding exons +-{st.padding} bp in "
        f"{summ['sample']}): {summ['bases_at_min_depth']:,} of {summ['bases']:,} bases "
        f"({summ['fraction_at_min_depth']:.1%}), {summ['exons_assessable']} of {summ['exons']} "
        f"exons, {summ['genes_assessable']} of {summ['genes']} genes"
        + (f"; not in the reference: {', '.join(absent)}" if absent else "")
        + "."
        + (
            f" ACMG SF genes: {sf['fraction_at_min_depth']:.1%} of {sf['bases']:,} bases, "
            f"{sf['genes_assessable']} of {sf['genes']} genes fully assessable (opportunistic "
            "screening: not a complete test of these genes)."
            if (sf := summ.get("secondary_findings"))
            else ""
        )
        + (" " + " ".join(panel.notes) if panel.notes else "")
    )


def relatives_not_assessable(familial: Sequence[Variant], family: Family) -> list[dict[str, str]]:
    """Relatives whose status at a familial variant the reads cannot tell."""
    return [
        {"what": f"{g.sample} ({g.role}) at {label(v)}", "reason": g.reason}
        for v in familial
        for g in family.genotypes[v["id"]]
        if g.status == NOT_ASSESSABLE
    ]


def _coverage_text(summ: Mapping[str, Any], sample: str, st: Settings) -> str:
    """Coverage for the summary. The genes the reference lacks come first, by name, so that
    a high fraction over the genes it has is never read as the panel's coverage."""
    absent = summ["genes_not_in_reference"]
    total = summ["genes"]
    head = (
        f"Not assessable: {len(absent)} of {total} panel genes are not in the reference "
        f"({', '.join(absent)}); over the other {total - len(absent)}, "
        if absent
        else ""
    )
    cov = (
        f"{summ['fraction_at_min_depth']:.1%} of the coding bases (+-{st.padding} bp) at >= "
        f"{st.min_depth}x in {sample}; {summ['genes_assessable']} of {total} genes fully "
        "assessable."
    )
    return head + cov if absent else cov[0].upper() + cov[1:]


def document_note(
    panel: Panel, tri: Triage, summ: Mapping[str, Any], sample: str, st: Settings
) -> str:
    """The document's one-paragraph summary: panel, findings, VUS, coverage, withheld SF."""
    return (
        f"Cardiac panel {panel.name} ({len(panel.diagnostic_genes)} genes"
        + (f" + {len(panel.sf_genes)} ACMG SF" if panel.sf_genes else "")
        + f"; {panel.version}): {len(tri.findings)} pathogenic / likely pathogenic finding(s), "
        f"{len(tri.vus_rows)} VUS"
        + ("" if st.report_vus else " (not listed: cardiac.report_vus is off)")
        + f". {_coverage_text(summ, sample, st)}"
        + " No in-silico predictors or functional data are used."
        + (
            f" P/LP in ACMG SF genes not reported by the SF rules: {'; '.join(tri.sf_withheld)}."
            if tri.sf_withheld
            else ""
        )
    )

"""What the report does with each panel variant the index carries.

Pathogenic / likely pathogenic variants are findings, with disease, inheritance and
mechanism from G2P (in ACMG SF genes only where the SF reporting rules let them through);
VUS in the diagnostic genes are listed within the assessed region (coding exons +-
padding) and counted outside it; P/LP variants, and listed VUS when the config reports
them, are genotyped in the relatives (:class:`~bigmed.pilots.cardiac.model.Triage`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bigmed.pilots.cardiac.model import PLP, VUS, Family, Triage
from bigmed.pilots.cardiac.panels import Panel, PanelGene

Variant = Mapping[str, Any]


def triage(
    carried: Sequence[Variant],
    res: Mapping[str, Any],
    panel: Panel,
    family: Family,
    zygosity: Mapping[str, str],
    *,
    assessed: Callable[[Variant], bool],
    report_vus: bool,
) -> Triage:
    """Sort the carried variants by their class.

    ``res``: :func:`bigmed.germline.classify.interpret` of the panel variants;
    ``zygosity``: variant id -> the index's zygosity; ``assessed``: is the variant within
    the assessed region of its gene?
    """
    classes = {vid: x["classification"] for vid, x in res["variants"].items()}
    alleles = _plp_alleles(carried, classes, zygosity)
    out = Triage()
    for v in carried:
        cls, pg = classes.get(v["id"]), panel.genes[v["gene"]]
        segregation = family.segregation[v["id"]].summary
        if cls in PLP:
            withheld = _sf_withheld(v, pg, alleles[v["gene"]])
            if withheld:
                out.sf_withheld.append(withheld)
                continue
            base = next(f for f in res["findings"] if f["variant_id"] == v["id"])
            out.findings.append(finding(base, v, pg, zygosity[v["id"]], segregation, panel))
            out.familial.append(v)
        elif cls == VUS and not pg.secondary:  # ACMG SF genes: P/LP only
            if not assessed(v):
                out.vus_outside += 1
                continue
            points = res["variants"][v["id"]]["evidence"][0]["points"]
            out.vus_rows.append(
                [v["id"], v["gene"], v.get("hgvs_c"), v.get("hgvs_p"), v.get("consequence"),
                 zygosity[v["id"]], pg.diseases, pg.inheritance, points, segregation]
            )  # fmt: skip
            if report_vus:
                out.familial.append(v)
    rank = {vid: x["rank"] for vid, x in res["variants"].items()}
    out.findings.sort(key=lambda f: (f["secondary"], rank.get(f["variant_id"]) or 0))
    return out


def _plp_alleles(
    carried: Sequence[Variant], classes: Mapping[str, str | None], zygosity: Mapping[str, str]
) -> dict[str, int]:
    """gene -> P/LP alleles the index carries in it (a homozygous variant counts twice)."""
    out: dict[str, int] = {}
    for v in carried:
        if classes.get(v["id"]) in PLP:
            n = 2 if zygosity[v["id"]] == "homozygous" else 1
            out[v["gene"]] = out.get(v["gene"], 0) + n
    return out


def _sf_withheld(v: Variant, pg: PanelGene, alleles: int) -> str:
    """Why the ACMG SF rules hold back a P/LP variant of a secondary gene ('' : they don't)."""
    if not pg.secondary:
        return ""
    ok, why = pg.sf_reportable(v.get("consequence") or "", alleles)
    return "" if ok else f"{v['gene']} {v.get('hgvs_c') or v['id']} ({why})"


def finding(
    base: Mapping[str, Any],
    v: Variant,
    pg: PanelGene,
    zygosity: str,
    segregation: str,
    panel: Panel,
) -> dict[str, Any]:
    """The ACMG engine's finding with the panel's G2P facts, zygosity and segregation."""
    lists = ", ".join(pg.lists)
    caveat = (
        " The gene's disease needs two pathogenic alleles: a single heterozygous variant is a "
        "carrier state."
        if pg.biallelic_only and zygosity == "heterozygous"
        else ""
    )
    prefix = (
        f"Secondary finding (ACMG SF {panel.sf_version or ''}, outside the indication panel): "
        if pg.secondary
        else ""
    )
    summary = (
        f"{prefix}{base['classification']} {zygosity} variant in {v['gene']} ({lists}): "
        f"{pg.diseases or 'disease not stated'}; inheritance {pg.inheritance or 'not stated'}; "
        f"mechanism {pg.mechanism or 'not stated'} (G2P). {base['summary'].rstrip('.')}. "
        f"Segregation: {segregation}.{caveat}"
    )
    return {
        **base,
        "summary": summary,
        "secondary": pg.secondary,
        "zygosity": zygosity,
        "panel_lists": pg.lists,
        "disease": pg.diseases,
        "inheritance": pg.inheritance,
        "mechanism": pg.mechanism,
        "segregation": segregation,
        "g2p": [e.as_dict() for e in pg.entries],
    }

"""The cardiac pilot: panel findings, panel coverage and family (cascade) testing.

:func:`interpretation_document` turns a patient's knowledge join into the interpretation
document (``workflow/schemas/interpretation.schema.json``):

- the **panel** (:mod:`bigmed.pilots.cardiac.panels`): Cardiac G2P genes of the patient's referral
  indications, plus the ACMG SF cardiovascular genes when secondary findings are on;
- **findings**: PASS calls in panel genes carried by the index, classified by
  :mod:`bigmed.germline.acmg` with the family's segregation (PP1/BS4); pathogenic / likely
  pathogenic ones are findings with disease, inheritance and mechanism from G2P; VUS in the
  diagnostic genes are listed in their own section (or not at all, by config), within the
  assessed region (coding exons +- padding); nothing outside the panel is classified;
- **coverage**: every padded coding exon of every panel gene at ``min_depth`` in the
  index; each exon below it, and each panel gene the reference annotation lacks, is *not
  assessable*; the document's ``coverage`` replaces the report's whole-reference one;
- **cascade testing** (:mod:`bigmed.pilots.cardiac.cascade`): each familial P/LP/VUS genotyped in
every
  relative, and whom to offer predictive testing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.genome.reference import ContigSlice
from bigmed.genome.variant_spec import VariantSpecError, from_grch38, to_grch38
from bigmed.germline.acmg import FamilyEvidence, Overrides
from bigmed.germline.classify import interpret, not_assessable
from bigmed.intake.coverage import read_thresholds
from bigmed.pilots.cardiac import cascade
from bigmed.pilots.cardiac.cascade import RelativeGenotype, SiteReads, Thresholds
from bigmed.pilots.cardiac.panels import Panel

PLP = ("Pathogenic", "Likely pathogenic")
VUS = "Uncertain significance"
# the foundation report's gene status bands (bigmed.report.document.coverage_section)
PARTIAL_FRACTION = 0.9

PileupFn = Callable[[str, str, int, str, str], SiteReads | None]


@dataclass(frozen=True)
class ExonDepth:
    contig: str
    start0: int  # padded coding exon, 0-based half-open (mosdepth region)
    end: int
    gene: str
    transcript: str
    exon: str
    covered: int  # bases at >= min_depth

    @property
    def length(self) -> int:
        return self.end - self.start0


def read_exon_depths(path: str, min_depth: int) -> list[ExonDepth]:
    """Rows of a mosdepth ``exons.thresholds.bed.gz`` (names GENE:TRANSCRIPT:exonN)."""
    out = []
    for contig, s, e, name, covered in read_thresholds(path, min_depth):
        gene, tx, exon = name.split(":")
        out.append(ExonDepth(contig, s, e, gene, tx, exon, covered))
    return out


def _status(fraction: float) -> str:
    if fraction >= 1.0:
        return "assessable"
    return "partially assessable" if fraction >= PARTIAL_FRACTION else "not assessable"


def panel_coverage(
    panel: Panel,
    exons: Sequence[ExonDepth],
    *,
    annotated: Mapping[str, str],
    targets: Mapping[str, Sequence[tuple[int, int]]] | None,
    cmap: Mapping[str, ContigSlice] | None,
    min_depth: int,
    padding: int,
    sample: str,
) -> dict[str, Any]:
    """Panel coverage: report-shaped ``coverage``, ``summary``, ``not_assessable``, ``rows``.

    ``annotated``: gene -> preferred transcript of the reference annotation; ``targets``:
    contig -> 0-based intervals (None: the whole reference).
    """
    by_gene: dict[str, list[ExonDepth]] = {}
    for ex in exons:
        if ex.gene in panel.genes:
            by_gene.setdefault(ex.gene, []).append(ex)
    genes: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    na: list[dict[str, str]] = []
    order: list[tuple[int, float, int]] = []  # sort key of each not-assessable item
    rows: list[list[Any]] = []
    stats: dict[str, tuple[int, int, int, int]] = {}  # gene: bases, at depth, exons, complete
    for symbol in sorted(panel.genes, key=lambda g: (panel.genes[g].secondary, g)):
        pg = panel.genes[symbol]
        tag = " (secondary findings)" if pg.secondary else ""
        gene_exons = by_gene.get(symbol, [])
        in_targets = [
            ex
            for ex in gene_exons
            if targets is None
            or any(s < ex.end and ex.start0 < e for s, e in targets.get(ex.contig, ()))
        ]
        info = [symbol, ", ".join(pg.lists), pg.diseases, pg.inheritance, pg.mechanism]
        validity = "; ".join(dict.fromkeys(e.validity for e in pg.entries if e.validity))
        if not gene_exons:
            why = (
                "has coding exons in the annotation but no coverage row (mosdepth)"
                if symbol in annotated
                else "not in the reference annotation (gene absent from the reference or its "
                "gene models)"
            )
            na.append({"what": f"{symbol}{tag}: whole gene", "reason": f"{why}: not assessed"})
            order.append((int(pg.secondary), 0.0, len(order)))
            genes.append(
                {"gene": symbol, "transcript": annotated.get(symbol), "coding_bases": 0,
                 "fraction_at_min_depth": 0.0, "status": "not assessable"}
            )  # fmt: skip
            rows.append([*info, validity, annotated.get(symbol) or "-", 0, 0, "not in reference"])
            stats[symbol] = (0, 0, 0, 0)
            continue
        tx = gene_exons[0].transcript
        outside = [ex for ex in gene_exons if ex not in in_targets]
        g_bases = sum(ex.length for ex in gene_exons)
        g_cov = sum(ex.covered for ex in in_targets)
        frac = g_cov / g_bases if g_bases else 0.0
        n_complete = 0
        for ex in sorted(gene_exons, key=lambda x: int(x.exon.removeprefix("exon") or 0)):
            ex_frac = ex.covered / ex.length if ex in in_targets and ex.length else 0.0
            if ex_frac >= 1.0:
                n_complete += 1
                continue
            chrom, start, end = _region(ex, cmap)
            gaps.append(
                {"gene": symbol, "transcript": tx, "exon": ex.exon, "chrom": chrom,
                 "start": start, "end": end, "fraction_at_min_depth": round(ex_frac, 4)}
            )  # fmt: skip
            reason = (
                "outside the targets BED: not called"
                if ex in outside
                else f"{ex_frac:.1%} of its bases at >= {min_depth}x in {sample}: a variant "
                "there may be missed"
            )
            na.append(
                {"what": f"{symbol} {ex.exon} ({tx}) {chrom}:{start}-{end}{tag}", "reason": reason}
            )
            order.append((int(pg.secondary), 1.0 + ex_frac, len(order)))
        stats[symbol] = (g_bases, g_cov, len(gene_exons), n_complete)
        status = _status(frac)
        genes.append(
            {"gene": symbol, "transcript": tx, "coding_bases": g_bases,
             "fraction_at_min_depth": round(frac, 4), "status": status}
        )  # fmt: skip
        rows.append([*info, validity, tx, g_bases, f"{frac:.1%}", status])
    # whole genes first, then exons from the worst covered
    na = [x for _, x in sorted(zip(order, na, strict=True), key=lambda p: p[0])]
    gene_status = {g["gene"]: g["status"] for g in genes}

    def tally(symbols: list[str]) -> dict[str, Any]:
        bases, covered, n_exons, n_complete = (sum(stats[g][i] for g in symbols) for i in range(4))
        return {
            "genes": len(symbols),
            "genes_assessable": sum(1 for g in symbols if gene_status[g] == "assessable"),
            "genes_not_in_reference": [g for g in symbols if stats[g][0] == 0],
            "exons": n_exons,
            "exons_assessable": n_complete,
            "bases": bases,
            "bases_at_min_depth": covered,
            "fraction_at_min_depth": round(covered / bases, 4) if bases else 0.0,
        }

    # the diagnostic panel's figures; the secondary-findings genes apart
    summary = {"sample": sample, **tally(panel.diagnostic_genes)}
    if panel.sf_genes:
        summary["secondary_findings"] = tally(panel.sf_genes)
    coverage = {
        "min_depth": min_depth,
        "exon_padding": padding,
        "sample": sample,
        "scope": f"panel {panel.name} ({len(panel.genes)} genes)",
        "genes": genes,
        "gaps": gaps,
    }
    return {"coverage": coverage, "summary": summary, "not_assessable": na, "rows": rows}


def _region(ex: ExonDepth, cmap: Mapping[str, ContigSlice] | None) -> tuple[str, int, int]:
    chrom, start = to_grch38(ex.contig, ex.start0 + 1, cmap)
    _, end = to_grch38(ex.contig, ex.end, cmap)
    return chrom, start, end


def in_assessed_region(
    contig: str, pos: int, length: int, exons: Sequence[ExonDepth], gene: str
) -> bool:
    """Does the allele touch a padded coding exon of the gene?"""
    return any(
        ex.gene == gene and ex.contig == contig and ex.start0 < pos + length - 1 and pos <= ex.end
        for ex in exons
    )


def _carries(reads: SiteReads | None) -> bool:
    if reads is None or reads.gt is None:
        return False
    return any(a not in ("0", ".") for a in reads.gt.replace("|", "/").split("/"))


def _zygosity(reads: SiteReads | None) -> str:
    if reads is None or reads.gt is None:
        return "unknown zygosity"
    alleles = reads.gt.replace("|", "/").split("/")
    alts = [a for a in alleles if a not in ("0", ".")]
    if len(alts) == len(alleles) and len(alleles) > 1:
        return "homozygous"
    return "heterozygous" if len(alleles) > 1 else "hemizygous"


@dataclass(frozen=True)
class Settings:
    min_depth: int = 20  # coverage.min_depth
    padding: int = 10  # coverage.exon_padding
    report_vus: bool = True
    thresholds: Thresholds = field(default_factory=Thresholds)


def family_genotypes(
    variants: Sequence[Mapping[str, Any]],
    samples: Sequence[Mapping[str, Any]],
    calls: Mapping[str, Mapping[str, SiteReads]],
    th: Thresholds,
    *,
    cmap: Mapping[str, ContigSlice] | None,
    contigs: Mapping[str, int],
    pileup: PileupFn | None,
) -> dict[str, list[RelativeGenotype]]:
    """variant id -> every relative's genotype (joint call, else BAM pileup)."""
    out: dict[str, list[RelativeGenotype]] = {}
    relatives = cascade.relatives_of(samples)
    for v in variants:
        vid = v["id"]
        site = calls.get(vid, {})
        rows = []
        for rel in relatives:
            call = site.get(rel["sample"])
            pile = None
            if (call is None or not call.has_call) and pileup is not None:
                try:
                    contig, cpos = from_grch38(v["chrom"], int(v["pos"]), cmap, contigs)
                except VariantSpecError as err:
                    pile = SiteReads("BAM pileup", note=str(err))
                else:
                    pile = pileup(rel["sample"], contig, cpos, v["ref"], v["alt"])
            rows.append(cascade.genotype(rel, call, th, pile))
        out[vid] = rows
    return out


def _label(v: Mapping[str, Any]) -> str:
    change = " ".join(x for x in (v.get("hgvs_c"), v.get("hgvs_p")) if x)
    return f"{v.get('gene')} {change} ({v['id']})"


def interpretation_document(
    doc: Mapping[str, Any],
    *,
    samples: Sequence[Mapping[str, Any]],
    panel: Panel,
    exons: Sequence[ExonDepth],
    annotated: Mapping[str, str],
    targets: Mapping[str, Sequence[tuple[int, int]]] | None,
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
        panel,
        exons,
        annotated=annotated,
        targets=targets,
        cmap=cmap,
        min_depth=st.min_depth,
        padding=st.padding,
        sample=index["sample"],
    )
    in_panel = [
        v
        for v in doc["variants"]
        if v.get("gene") in panel.genes
        and v.get("filter") == "PASS"
        and v.get("consequence") not in ("intergenic", None)
    ]
    carried = [v for v in in_panel if _carries(calls.get(v["id"], {}).get(index["sample"]))]
    genotypes = family_genotypes(
        carried, samples, calls, st.thresholds, cmap=cmap, contigs=contigs, pileup=pileup
    )
    recessive = {v["id"]: panel.genes[v["gene"]].biallelic_only for v in carried}
    seg = {
        vid: cascade.segregation(index, rows, recessive=recessive[vid])
        for vid, rows in genotypes.items()
    }
    family: dict[str, FamilyEvidence] = {vid: s.evidence for vid, s in seg.items()}
    res = interpret(
        {**doc, "variants": in_panel},
        family=family,
        overrides=overrides,
        finding_gene=lambda symbol, _facts: symbol in panel.genes,
        carriers={v["id"] for v in carried},
    )
    classes = {vid: x["classification"] for vid, x in res["variants"].items()}
    findings: list[dict[str, Any]] = []
    vus_rows: list[list[Any]] = []
    familial: list[Mapping[str, Any]] = []
    vus_outside = 0
    sf_withheld: list[str] = []
    zygosity = {v["id"]: _zygosity(calls.get(v["id"], {}).get(index["sample"])) for v in carried}
    plp_alleles: dict[str, int] = {}
    for v in carried:
        if classes.get(v["id"]) in PLP:
            n = 2 if zygosity[v["id"]] == "homozygous" else 1
            plp_alleles[v["gene"]] = plp_alleles.get(v["gene"], 0) + n
    for v in carried:
        cls = classes.get(v["id"])
        pg = panel.genes[v["gene"]]
        zyg = zygosity[v["id"]]
        s = seg[v["id"]]
        if cls in PLP and pg.secondary:
            ok, why = pg.sf_reportable(v.get("consequence") or "", plp_alleles[v["gene"]])
            if not ok:
                sf_withheld.append(f"{v['gene']} {v.get('hgvs_c') or v['id']} ({why})")
                continue
        if cls in PLP:
            base = next(f for f in res["findings"] if f["variant_id"] == v["id"])
            findings.append(_finding(base, v, pg, zyg, s.summary, panel))
            familial.append(v)
            continue
        if cls != VUS or pg.secondary:  # ACMG SF genes: P/LP only
            continue
        try:
            contig, cpos = from_grch38(v["chrom"], int(v["pos"]), cmap, contigs)
        except VariantSpecError:
            contig, cpos = "", 0
        if not in_assessed_region(contig, cpos, len(v["ref"]), exons, v["gene"]):
            vus_outside += 1
            continue
        points = res["variants"][v["id"]]["evidence"][0]["points"]
        vus_rows.append(
            [v["id"], v["gene"], v.get("hgvs_c"), v.get("hgvs_p"), v.get("consequence"), zyg,
             pg.diseases, pg.inheritance, points, s.summary]
        )  # fmt: skip
        if st.report_vus:
            familial.append(v)
    rank = {vid: x["rank"] for vid, x in res["variants"].items()}
    findings.sort(key=lambda f: (f["secondary"], rank.get(f["variant_id"]) or 0))
    n_vus = len(vus_rows)
    sections = []
    if st.report_vus:
        sections.append(
            {
                "id": "cardiac-vus",
                "title": "Variants of uncertain significance in the panel",
                "note": (
                    f"{len(vus_rows)} VUS carried by {index['sample']} in the diagnostic panel "
                    f"within coding exons +-{st.padding} bp; not actionable and not used for "
                    "predictive testing of relatives."
                    + (
                        f" {vus_outside} further VUS deeper in introns or UTRs are not listed."
                        if vus_outside
                        else ""
                    )
                ),
                "columns": ["variant", "gene", "HGVS c.", "HGVS p.", "consequence", "zygosity",
                            "disease (G2P)", "inheritance", "points", "segregation"],
                "rows": vus_rows,
            }
        )  # fmt: skip
    sections += _family_sections(familial, classes, index, genotypes, seg)
    sections.append(_panel_section(panel, cov, st))
    sections += res["sections"]
    na = list(cov["not_assessable"])
    for v in familial:
        for g in genotypes[v["id"]]:
            if g.status == cascade.NOT_ASSESSABLE:
                na.append({"what": f"{g.sample} ({g.role}) at {_label(v)}", "reason": g.reason})
    na += not_assessable(doc)
    summ = cov["summary"]
    note = (
        f"Cardiac panel {panel.name} ({len(panel.diagnostic_genes)} genes"
        + (f" + {len(panel.sf_genes)} ACMG SF" if panel.sf_genes else "")
        + f"; {panel.version}): {len(findings)} pathogenic / likely pathogenic finding(s), "
        f"{n_vus} VUS"
        + ("" if st.report_vus else " (not listed: cardiac.report_vus is off)")
        + f". {summ['fraction_at_min_depth']:.1%} of the panel's coding bases (+-{st.padding} bp)"
        f" at >= {st.min_depth}x in {index['sample']}; {summ['genes_assessable']} of "
        f"{summ['genes']} genes fully assessable"
        + (
            f", {len(summ['genes_not_in_reference'])} not in the reference"
            if summ["genes_not_in_reference"]
            else ""
        )
        + ". No in-silico predictors or functional data are used."
        + (
            f" P/LP in ACMG SF genes not reported by the SF rules: {'; '.join(sf_withheld)}."
            if sf_withheld
            else ""
        )
    )
    return {
        "status": "complete",
        "note": note,
        "findings": findings,
        "biomarkers": [],
        "variants": res["variants"],
        "knowledge_bases": res["knowledge_bases"],
        "sections": sections,
        "not_assessable": na,
        "coverage": cov["coverage"],
        "panel": {**panel.as_dict(), "coverage": summ},
    }


def _finding(
    base: Mapping[str, Any],
    v: Mapping[str, Any],
    pg: Any,
    zygosity: str,
    segregation: str,
    panel: Panel,
) -> dict[str, Any]:
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
        f"mechanism {pg.mechanism or 'not stated'} (G2P). {base['summary']}. "
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


def _panel_section(panel: Panel, cov: Mapping[str, Any], st: Settings) -> dict[str, Any]:
    summ = cov["summary"]
    absent = summ["genes_not_in_reference"]
    indications = "; ".join(
        f"{c} ({n})" for c, n in zip(panel.indications, panel.names, strict=True)
    )
    note = (
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
    return {
        "id": "cardiac-panel",
        "title": f"Gene panel {panel.name} and its coverage",
        "note": note,
        "columns": ["gene", "list", "disease (G2P)", "inheritance", "mechanism", "validity",
                    "transcript", "coding bp", f">= {st.min_depth}x", "status"],
        "rows": cov["rows"],
    }  # fmt: skip


def _family_sections(
    familial: Sequence[Mapping[str, Any]],
    classes: Mapping[str, str | None],
    index: Mapping[str, Any],
    genotypes: Mapping[str, Sequence[RelativeGenotype]],
    seg: Mapping[str, cascade.Segregation],
) -> list[dict[str, Any]]:
    geno_rows: list[list[Any]] = []
    plan: list[list[str]] = []
    for v in familial:
        cls = classes.get(v["id"]) or ""
        label = _label(v)
        for g in genotypes[v["id"]]:
            r = g.reads
            geno_rows.append(
                [label, cls, g.sample, g.role, g.affected, g.status,
                 "" if r.alt_reads is None else f"{r.alt_reads}/{r.depth}", r.gt or ".",
                 r.source, g.reason]
            )  # fmt: skip
        plan += cascade.cascade_rows(label, cls, index, genotypes[v["id"]])
    if not familial:
        return []
    seg_note = " ".join(f"{_label(v)}: {seg[v['id']].summary}." for v in familial)
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

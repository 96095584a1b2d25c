"""Germline predisposition in the colorectal pilot: pathogenic variants in hereditary cancer
genes, found in the normal sample (tumor-only: in the tumor, flagged as possibly somatic).

Guidelines (NCCN, ESMO) offer germline testing to people with colorectal cancer: a few per
cent carry a pathogenic variant in a hereditary cancer gene, most often a mismatch-repair
gene (Lynch syndrome), and the result matters to them and their relatives. The crc pilot
decides *which genes* (:data:`PREDISPOSITION_GENES`), *which sample* (the normal; the tumor
when there is none) and *what counts as carrying*; the class is the germline engine's and
the known-variant path's (:func:`bigmed.germline.classify.interpret` on the patient's joint
germline calls and their knowledge join, with the lab's own classifications from the variant
store lookup), so a finding shows what it rests on: the lab, an expert panel, ClinVar or the
engine.

- A finding: P/LP, carried by the germline sample at ``min_depth`` or more with an allele
  fraction of a constitutional variant (:data:`MIN_ALLELE_FRACTION`); MUTYH only when
  biallelic (homozygous, or two P/LP variants).
- Listed, never findings: VUS that change the protein or splicing, monoallelic MUTYH,
  P/LP or VUS calls the germline sample's reads cannot confirm (not assessable), and carried
  calls whose engine/ClinVar/expert-panel P/LP the lab's own B/LB/VUS keeps out of the
  findings (whatever their consequence: the disagreement is never silent).
- Each gene's coverage in the germline sample says where a negative result holds; genes the
  reference does not hold are not assessable.
- ``crc.germline_findings: false`` (where consent does not cover germline results) turns it
  all off, and the report says it was not analysed.

The Lynch syndrome statement (tumor MSI / MMR with the germline MMR result) is
:mod:`bigmed.pilots.crc.mmr`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bigmed.genome.genotypes import Call
from bigmed.genome.vcf import PROTEIN_ALTERING
from bigmed.germline.acmg import Overrides
from bigmed.germline.classify import WITHHELD_SECTION
from bigmed.germline.classify import interpret as classify_calls
from bigmed.germline.classify import not_assessable as source_limits

# gene -> the condition a germline P/LP variant points to (hereditary colorectal and related
# cancer genes of the NCCN/ESMO multigene panels)
PREDISPOSITION_GENES: dict[str, str] = {
    "MLH1": "Lynch syndrome",
    "MSH2": "Lynch syndrome",
    "MSH6": "Lynch syndrome",
    "PMS2": "Lynch syndrome",
    "EPCAM": "Lynch syndrome through 3' deletions that silence MSH2 (not detected here); "
    "other EPCAM variants as their classification names",
    "APC": "familial adenomatous polyposis",
    "MUTYH": "MUTYH-associated polyposis (biallelic)",
    "POLE": "polymerase proofreading-associated polyposis",
    "POLD1": "polymerase proofreading-associated polyposis",
    "SMAD4": "juvenile polyposis syndrome",
    "BMPR1A": "juvenile polyposis syndrome",
    "STK11": "Peutz-Jeghers syndrome",
    "PTEN": "PTEN hamartoma tumor syndrome",
    "TP53": "Li-Fraumeni syndrome",
    "CDH1": "hereditary diffuse gastric cancer",
    "BRCA1": "hereditary breast and ovarian cancer",
    "BRCA2": "hereditary breast and ovarian cancer",
    "PALB2": "hereditary breast cancer",
    "ATM": "moderate-penetrance cancer risk (breast, pancreas)",
    "CHEK2": "moderate-penetrance cancer risk (breast, colorectal)",
}
# the mismatch-repair genes of Lynch syndrome (EPCAM acts through MSH2 by deletions only)
LYNCH_GENES = ("MLH1", "MSH2", "MSH6", "PMS2")
BIALLELIC_ONLY = frozenset({"MUTYH"})  # one allele: carrier, not the recessive polyposis
# below this the germline sample's allele fraction is not that of a constitutional
# heterozygote (expected ~50 %): mosaicism, contamination, a mapping artefact, or in a tumor
# a subclonal somatic variant
MIN_ALLELE_FRACTION = 0.2
LISTED_VUS = PROTEIN_ALTERING | {"splice_region"}  # VUS listed for review; others counted
PLP = ("Pathogenic", "Likely pathogenic")
VUS = "Uncertain significance"
CONSENT = (
    "Germline findings are on (crc.germline_findings, default): hereditary cancer genes are "
    "analysed in {sample}. Turn it off where the patient's consent does not cover germline "
    "results; the report then says they were not analysed."
)
TUMOR_ONLY = (
    "Tumor-only: the tumor stands in for a germline sample, so a variant here may be somatic; "
    "confirm it in a germline sample (blood or saliva) before it is treated as hereditary."
)

CarrierStatus = Literal["carrier", "not carried", "not assessable"]
# a look at the reads behind a carried call: why they do not show a germline variant, or None
# (e.g. bigmed.pilots.crc.retrocopy: reads of a processed pseudogene)
ReadCheck = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class GermlineSettings:
    """Which sample stands for the germline, and how sure a carrier call must be."""

    enabled: bool
    sample: str
    tumor_only: bool
    min_depth: int  # calling.min_depth, in the germline sample itself
    coverage_depth: int = 20  # coverage.min_depth: a gene base is assessable at this depth
    reason_off: str = ""  # why nothing was analysed (switch off, no germline calls)


@dataclass(frozen=True)
class Carrier:
    """The germline sample's genotype at one call, and whether it carries the variant."""

    status: CarrierStatus
    zygosity: str  # heterozygous | homozygous | '' (not carried)
    text: str  # 'CRC01-N 0/1 (48x, 22 alt)'
    reason: str = ""  # why not assessable


@dataclass(frozen=True)
class GermlineCall:
    """One classified call in a predisposition gene, with what the report does with it."""

    variant: Mapping[str, Any]
    reported: str
    rests_on: str
    engine: str
    carrier: Carrier
    base_finding: Mapping[str, Any] | None  # the classification's finding (P/LP), if any
    role: str = ""  # finding | listed | counted
    why: str = ""
    # the engine's / ClinVar's / a panel's P/LP that the lab's own B/LB/VUS keeps out of the
    # findings (bigmed.germline.known.Decision.withheld), and the decision's note: shown
    withheld: tuple[str, ...] = ()
    known_note: str = ""


@dataclass
class GermlineResult:
    """The germline part of a crc interpretation document."""

    settings: GermlineSettings
    findings: list[dict[str, Any]] = field(default_factory=list)
    variants: dict[str, Any] = field(default_factory=dict)
    calls: list[GermlineCall] = field(default_factory=list)
    genes: list[dict[str, Any]] = field(default_factory=list)  # gene coverage rows
    not_assessable: list[dict[str, str]] = field(default_factory=list)
    knowledge_bases: list[dict[str, Any]] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)  # class -> calls not listed
    # the classification's 'lab-withheld' section (carried calls whose P/LP the lab's own
    # class keeps out of the findings): the report shows it with the findings
    lab_withheld: dict[str, Any] | None = None

    @property
    def analysed(self) -> bool:
        return self.settings.enabled and not self.settings.reason_off

    def lynch_findings(self) -> list[dict[str, Any]]:
        """The P/LP findings in the mismatch-repair genes of Lynch syndrome."""
        return [f for f in self.findings if f["gene"] in LYNCH_GENES]

    def lynch_genes_short(self) -> list[str]:
        """Lynch genes the germline sample does not cover completely (or not at all)."""
        return [g["gene"] for g in self.genes if g["gene"] in LYNCH_GENES and g["fraction"] < 1]


def carrier_status(call: Call | None, sample: str, min_depth: int) -> Carrier:
    """Does the germline sample carry the variant, with reads enough to say so?"""
    if call is None or not call.called:
        return Carrier("not assessable", "", f"{sample} not called", f"no genotype in {sample}")
    depth = call.dp if call.dp is not None else 0
    reads = f", {call.alt_reads} alt" if call.alt_reads is not None and call.carrier else ""
    text = f"{sample} {call.gt} ({depth}x{reads})"
    if not call.carrier:
        return Carrier("not carried", "", text)
    zygosity = "homozygous" if call.is_hom_alt else "heterozygous"
    if depth < min_depth:
        reason = f"{depth}x in {sample}, below calling.min_depth {min_depth}x"
        return Carrier("not assessable", zygosity, text, reason)
    af = call.allele_fraction
    if af is not None and af < MIN_ALLELE_FRACTION:
        reason = (
            f"allele fraction {af:.1%} in {sample} is below {MIN_ALLELE_FRACTION:.0%}: not that "
            "of a constitutional variant (mosaic, contamination, artefact or subclonal)"
        )
        return Carrier("not assessable", zygosity, text, reason)
    return Carrier("carrier", zygosity, text)


def _known_fields(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(engine class with points, what the reported class rests on) from a classified call's
    evidence: the engine's entry first, then the known-variant path's where there is one."""
    engine, rests_on = "", "ACMG/AMP engine"
    for ev in entry.get("evidence", []):
        if ev.get("type") == "acmg":
            engine = f"{ev['class']} ({ev['points']} points)"
        elif ev.get("type") == "known_variant":
            rests_on = str(ev.get("rests_on") or rests_on)
    return engine, rests_on


def classify_genes(
    doc: Mapping[str, Any],
    calls: Mapping[str, Call],
    st: GermlineSettings,
    overrides: Overrides | None,
) -> tuple[dict[str, Any], list[GermlineCall]]:
    """Classify the PASS calls in the predisposition genes (engine and known-variant path);
    returns the classification's own output and one :class:`GermlineCall` per call."""
    in_genes = [v for v in doc["variants"] if v.get("gene") in PREDISPOSITION_GENES]
    carriers = {
        v["id"]: carrier_status(calls.get(v["id"]), st.sample, st.min_depth) for v in in_genes
    }
    res = classify_calls(
        {**doc, "variants": in_genes},
        overrides=overrides,
        finding_gene=lambda symbol, _facts: symbol in PREDISPOSITION_GENES,
        carriers={vid for vid, c in carriers.items() if c.status == "carrier"},
    )
    base = {f["variant_id"]: f for f in res["findings"]}
    out = []
    for v in in_genes:
        entry = res["variants"].get(v["id"])
        if entry is None:  # not classified: filtered, or no gene consequence
            continue
        engine, rests_on = _known_fields(entry)
        d = res["decisions"][v["id"]]
        out.append(
            GermlineCall(
                v, entry["classification"], rests_on, engine, carriers[v["id"]], base.get(v["id"]),
                withheld=d.withheld, known_note=d.note,
            )
        )  # fmt: skip
    return res, out


def _listed(c: GermlineCall) -> bool:
    """P/LP of any consequence, VUS that change the protein or splicing."""
    return c.reported in PLP or (c.reported == VUS and c.variant.get("consequence") in LISTED_VUS)


def _checked(c: GermlineCall, read_check: ReadCheck | None) -> GermlineCall:
    """A listed carried call whose reads do not show a germline variant is not assessable."""
    if read_check is None or c.carrier.status != "carrier" or not (_listed(c) or c.withheld):
        return c
    reason = read_check(c.variant)
    if reason is None:
        return c
    return replace(c, carrier=replace(c.carrier, status="not assessable", reason=reason))


def _role(c: GermlineCall, biallelic: Mapping[str, str]) -> tuple[str, str]:
    """What the report does with a call: a finding, listed for review, or only counted."""
    gene = c.variant["gene"]
    if c.carrier.status == "not carried":
        return "counted", ""
    if c.withheld:  # the lab's own B/LB/VUS keeps a P/LP out: listed, never silent
        limit = f"not assessable: {c.carrier.reason}; " if c.carrier.status != "carrier" else ""
        return "listed", limit + c.known_note
    if not _listed(c):
        return "counted", ""
    if c.carrier.status == "not assessable":
        return "listed", f"not assessable: {c.carrier.reason}"
    if c.reported == VUS:
        return "listed", "uncertain significance: never a finding; for review"
    if gene in BIALLELIC_ONLY and not biallelic.get(gene):
        return "listed", (
            f"monoallelic {gene} carrier: not {PREDISPOSITION_GENES[gene]}; carrier status "
            "matters for relatives' testing"
        )
    return "finding", biallelic.get(gene, "")


def _biallelic(calls: Sequence[GermlineCall]) -> dict[str, str]:
    """Recessive genes with two P/LP alleles in the germline sample: gene -> how."""
    out = {}
    for gene in BIALLELIC_ONLY:
        plp = [
            c
            for c in calls
            if c.variant["gene"] == gene and c.reported in PLP and c.carrier.status == "carrier"
        ]
        if any(c.carrier.zygosity == "homozygous" for c in plp):
            out[gene] = "biallelic (homozygous)"
        elif len(plp) >= 2:
            out[gene] = f"two P/LP {gene} variants (phase unknown: biallelic if in trans)"
    return out


def germline_finding(c: GermlineCall, st: GermlineSettings) -> dict[str, Any]:
    """A finding from the classification's own (which says what it rests on), with the
    sample's genotype, the condition, and the tumor-only flag."""
    v, base = c.variant, dict(c.base_finding or {})
    gene = v["gene"]
    name = v.get("hgvs_p") or v.get("hgvs_c") or v["id"]
    summary = (
        f"{gene} {name} germline, {c.carrier.zygosity} ({c.carrier.text}) — "
        f"{PREDISPOSITION_GENES[gene]}: {base.get('summary') or c.reported}"
    )
    if c.why:
        summary += f"; {c.why}"
    if st.tumor_only:
        summary += " (tumor-only: may be somatic; confirm in a germline sample)"
    return {
        **base,
        "variant_id": v["id"],
        "gene": gene,
        "hgvs_c": v.get("hgvs_c"),
        "hgvs_p": v.get("hgvs_p"),
        "classification": c.reported,
        "summary": summary,
        "origin": "germline",
        "sample": st.sample,
        "condition": PREDISPOSITION_GENES[gene],
        "possibly_somatic": st.tumor_only,
    }


def gene_coverage(
    reference_genes: set[str], exon_bases: Mapping[str, tuple[int, int]] | None, depth: int
) -> list[dict[str, Any]]:
    """Per predisposition gene: bases of its padded coding exons at ``depth`` in the germline
    sample (``exon_bases``: gene -> (bases at depth, bases); None: no reads measured)."""
    rows = []
    for gene, condition in PREDISPOSITION_GENES.items():
        row: dict[str, Any] = {"gene": gene, "condition": condition, "fraction": 0.0}
        if gene not in reference_genes:
            row["status"] = "not assessable: not in the reference annotation"
        elif exon_bases is None:
            row["status"] = "not assessable: no reads (entered as a VCF)"
        else:
            at, total = exon_bases.get(gene, (0, 0))
            row["fraction"] = at / total if total else 0.0
            row["bases"] = f"{at} of {total}"
            row["status"] = (
                "assessable"
                if row["fraction"] >= 1
                else f"{'partially' if at else 'not'} assessable: {row['fraction']:.0%} of "
                f"coding bases at >= {depth}x"
            )
        rows.append(row)
    return rows


def exon_bases(rows: Sequence[tuple[str, int, int, str, int]]) -> dict[str, tuple[int, int]]:
    """Gene -> (bases at the depth, bases) from mosdepth thresholds rows named GENE:TX:exonN."""
    out: dict[str, tuple[int, int]] = {}
    for _chrom, start, end, name, n in rows:
        gene = name.split(":")[0]
        at, total = out.get(gene, (0, 0))
        out[gene] = (at + n, total + end - start)
    return out


def _limits(res: GermlineResult, doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """Not assessable: genes outside the reference or short of depth, calls the sample's reads
    cannot confirm, and the knowledge sources' limits on these genes."""
    st = res.settings
    out = []
    missing = [g["gene"] for g in res.genes if "not in the reference" in g["status"]]
    if missing:
        out.append(
            {
                "what": f"germline predisposition in {', '.join(missing)}",
                "reason": "the reference annotation does not hold these genes",
            }
        )
    short = [
        f"{g['gene']} ({g['fraction']:.0%})"
        for g in res.genes
        if g["gene"] not in missing and g["fraction"] < 1
    ]
    if short:
        out.append(
            {
                "what": f"germline predisposition genes not fully covered in {st.sample}",
                "reason": f"coding bases at >= {st.coverage_depth}x: "
                + ", ".join(short)
                + "; a variant there is not excluded",
            }
        )
    for c in res.calls:
        if c.role == "listed" and c.carrier.status == "not assessable":
            name = c.variant.get("hgvs_p") or c.variant.get("hgvs_c") or c.variant["id"]
            out.append(
                {
                    "what": f"germline {c.variant['gene']} {name} ({c.reported})",
                    "reason": c.carrier.reason,
                }
            )
    return out + [
        {"what": f"germline classification: {x['what']}", "reason": x["reason"]}
        for x in source_limits(doc)
    ]


def not_analysed(st: GermlineSettings) -> GermlineResult:
    """The switch is off, or there are no germline calls: said, never silent."""
    res = GermlineResult(st)
    what = "germline predisposition (hereditary cancer genes)"
    res.not_assessable = [{"what": what, "reason": st.reason_off or "crc.germline_findings off"}]
    return res


def analyse(
    doc: Mapping[str, Any],
    calls: Mapping[str, Call],
    st: GermlineSettings,
    *,
    reference_genes: set[str],
    exon_depths: Mapping[str, tuple[int, int]] | None,
    overrides: Overrides | None = None,
    read_check: ReadCheck | None = None,
) -> GermlineResult:
    """The germline part of the document: findings, listed calls, gene coverage, limits.

    ``doc``: the knowledge join of the patient's germline calls; ``calls``: variant id -> the
    germline sample's genotype; ``exon_depths``: :func:`exon_bases` of its mosdepth
    thresholds at ``st.coverage_depth`` (None: no reads); ``read_check``: a look at the reads
    of each listed carried call (None: the calls as they are).
    """
    if not st.enabled or st.reason_off:
        return not_analysed(st)
    res = GermlineResult(st, knowledge_bases=list(doc.get("knowledge_bases", [])))
    classified, found = classify_genes(doc, calls, st, overrides)
    found = [_checked(c, read_check) for c in found]
    biallelic = _biallelic(found)
    for c in found:
        role, why = _role(c, biallelic)
        call = replace(c, role=role, why=why)
        res.calls.append(call)
        if role == "counted":
            key = c.reported if c.carrier.status == "carrier" else f"not in {st.sample}"
            res.counted[key] = res.counted.get(key, 0) + 1
        elif role == "finding":
            res.findings.append(germline_finding(call, st))
    res.findings.sort(key=lambda f: PLP.index(f["classification"]))
    res.variants = dict(classified["variants"])
    res.lab_withheld = next(
        (s for s in classified["sections"] if s["id"] == WITHHELD_SECTION), None
    )
    res.genes = gene_coverage(reference_genes, exon_depths, st.coverage_depth)
    in_genes = [v for v in doc["variants"] if v.get("gene") in PREDISPOSITION_GENES]
    res.not_assessable = _limits(res, {**doc, "variants": in_genes})
    return res


# ---------------------------------------------------------------------------- sections

GERMLINE_COLUMNS = [
    "Gene",
    "Condition",
    "HGVS c.",
    "HGVS p.",
    "GRCh38",
    "Consequence",
    "Genotype",
    "Reported class",
    "Rests on",
    "Engine (points)",
    "In this report",
]


def _row(c: GermlineCall) -> list[Any]:
    v = c.variant
    return [
        v["gene"],
        PREDISPOSITION_GENES[v["gene"]],
        v.get("hgvs_c"),
        v.get("hgvs_p"),
        f"{v['chrom']}:{v['pos']} {v['ref']}>{v['alt']}",
        v.get("consequence"),
        c.carrier.text,
        c.reported,
        c.rests_on,
        c.engine,
        "finding" + (f" ({c.why})" if c.why else "") if c.role == "finding" else c.why,
    ]


def _order(c: GermlineCall) -> tuple[int, int, str]:
    cls = PLP.index(c.reported) if c.reported in PLP else len(PLP)
    return (c.role != "finding", cls, c.variant["id"])


def _counted_text(counted: Mapping[str, int], sample: str) -> str:
    """What the table leaves out: carried calls by class, and calls the sample lacks."""
    absent = counted.get(f"not in {sample}", 0)
    carried = ", ".join(f"{n} {k}" for k, n in sorted(counted.items()) if k != f"not in {sample}")
    parts = []
    if carried:
        parts.append(f"{carried} (benign/likely benign, or VUS outside coding and splice sites)")
    if absent:
        parts.append(f"{absent} call(s) in these genes that {sample} does not carry")
    return f" Not listed: {'; '.join(parts)}." if parts else ""


def germline_section(res: GermlineResult, min_stars: int | None = None) -> dict[str, Any]:
    """The germline predisposition table: findings, then what is listed for review."""
    st = res.settings
    title = "Germline predisposition (hereditary cancer genes" + (
        f", {st.sample})" if st.sample else ")"
    )
    if not res.analysed:
        note = f"Not analysed: {st.reason_off or 'crc.germline_findings is off'}."
        return {"id": "germline-predisposition", "title": title, "note": note,
                "columns": list(GERMLINE_COLUMNS), "rows": []}  # fmt: skip
    stars = f">= {min_stars} stars" if min_stars else "at the configured review status"
    note = (
        CONSENT.format(sample=st.sample)
        + (" " + TUMOR_ONLY if st.tumor_only else "")
        + " Classes: the lab's newest own classification (the variant store) where it has "
        "one, else an expert-panel or ClinVar classification where one qualifies (ClinVar "
        f"{stars}), else the ACMG/AMP engine's; 'rests on' says which. A lab B/LB/VUS that "
        "keeps an engine, ClinVar or expert-panel P/LP out of the findings is listed here "
        "and with the findings. A finding is P/LP, "
        f"carried at >= {st.min_depth}x and >= {MIN_ALLELE_FRACTION:.0%} allele fraction; "
        "MUTYH only biallelic. VUS that change the protein or splicing are listed for review, "
        "never findings." + _counted_text(res.counted, st.sample)
    )
    rows = [_row(c) for c in sorted(res.calls, key=_order) if c.role != "counted"]
    return {"id": "germline-predisposition", "title": title, "note": note,
            "columns": list(GERMLINE_COLUMNS), "rows": rows}  # fmt: skip


def gene_coverage_section(res: GermlineResult) -> dict[str, Any]:
    """Where a negative germline result holds: each gene's coverage in the germline sample."""
    st = res.settings
    return {
        "id": "germline-genes",
        "title": f"Hereditary cancer genes analysed in {st.sample}",
        "note": f"Coding exons +- padding at >= {st.coverage_depth}x (coverage.min_depth). "
        "No finding in a gene is a negative result only where the gene is assessable; copy "
        "number and structural changes (exon deletions, EPCAM 3' deletions, the MSH2 "
        "inversion) are not detected by this test.",
        "columns": ["Gene", "Condition", "Bases at depth", "Status"],
        "rows": [[g["gene"], g["condition"], g.get("bases", ""), g["status"]] for g in res.genes],
    }


def sections(res: GermlineResult, min_stars: int | None = None) -> list[dict[str, Any]]:
    """The germline tables of the document (one saying 'not analysed' when it is off)."""
    if not res.analysed:
        return [germline_section(res)]
    lab = [res.lab_withheld] if res.lab_withheld else []  # rendered with the findings
    return [*lab, germline_section(res, min_stars), gene_coverage_section(res)]

"""Cardiac gene panels from curated data: Cardiac G2P pairs by referral indication, ACMG SF.

A panel is built from the knowledge bundle's gene facts (``genes.json``: each gene's
Cardiac G2P entries carry their referral indication, disease, allelic requirement,
inheritance, mechanism and ClinGen validity; its ACMG SF entries their phenotype
category). Indications are named by short codes taken from the G2P referral indication
("Long QT Syndrome (LQTS)" -> ``LQTS``). The diagnostic panel of a patient is the union of
the G2P genes of its indications at or above a validity; the ACMG SF cardiovascular genes
outside it are added, marked as secondary findings, only when those are switched on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bigmed.base.errors import InputError
from bigmed.genome.vcf import NULL_CONSEQUENCES
from bigmed.intake.sheets import Patient
from bigmed.knowledge.genes import read_g2p

# ClinGen gene-disease validity, weakest to strongest (G2P's "confidence" wording included)
VALIDITY_RANK = {
    "refuted": 0,
    "disputed": 0,
    "limited": 1,
    "moderate": 2,
    "strong": 3,
    "definitive": 4,
}
SF_CATEGORY = "cardiovascular"  # ACMG SF "Phenotype Category" of the cardiac genes
SF_LIST = "ACMG SF"
_CODE = re.compile(r"\(([A-Za-z][A-Za-z0-9]*)\)\s*$")


def indication_code(indication: str) -> str:
    """Short code of a G2P referral indication: its parenthesised abbreviation, else initials.

    >>> indication_code("Catecholaminergic polymorphic ventricular tachycardia (CPVT)")
    'CPVT'
    """
    m = _CODE.search(indication.strip())
    if m:
        return m.group(1)
    words = re.findall(r"[A-Za-z0-9]+", indication)
    return "".join(w[0].upper() for w in words) or indication


def indications_from_genes(genes: Mapping[str, Any]) -> dict[str, str]:
    """Code -> full referral indication, from the bundle's gene facts (``g2p`` entries)."""
    out: dict[str, str] = {}
    for facts in genes.values():
        for e in facts.get("g2p") or ():
            if e.get("indication"):
                out.setdefault(indication_code(e["indication"]), e["indication"])
    return dict(sorted(out.items(), key=lambda kv: kv[0].upper()))


def resolve_codes(
    requested: Iterable[str], known: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(codes as the source spells them, unknown codes); matching ignores case."""
    by_upper = {c.upper(): c for c in known}
    found: list[str] = []
    unknown: list[str] = []
    for code in requested:
        hit = by_upper.get(code.strip().upper())
        if hit is None:
            unknown.append(code)
        elif hit not in found:
            found.append(hit)
    return found, unknown


@dataclass(frozen=True)
class PanelEntry:
    """One curated gene-disease pair of the panel."""

    indication: str  # short code, or 'ACMG SF'
    disease: str
    allelic_requirement: str
    inheritance: str
    mechanism: str
    validity: str
    sf_report: str = ""  # ACMG SF "Variants to report" (secondary-findings entries)

    def as_dict(self) -> dict[str, str]:
        out = {
            "indication": self.indication,
            "disease": self.disease,
            "allelic_requirement": self.allelic_requirement,
            "inheritance": self.inheritance,
            "mechanism": self.mechanism,
            "validity": self.validity,
        }
        if self.sf_report:
            out["sf_report"] = self.sf_report
        return out


@dataclass(frozen=True)
class PanelGene:
    symbol: str
    entries: tuple[PanelEntry, ...]
    secondary: bool = False  # only on the panel as an ACMG SF cardiovascular gene

    @property
    def lists(self) -> list[str]:
        return sorted({e.indication for e in self.entries}, key=str.upper)

    @property
    def diseases(self) -> str:
        return "; ".join(dict.fromkeys(e.disease for e in self.entries if e.disease))

    @property
    def inheritance(self) -> str:
        parts = [
            e.inheritance + (f" ({e.allelic_requirement})" if e.allelic_requirement else "")
            for e in self.entries
            if e.inheritance or e.allelic_requirement
        ]
        return "; ".join(dict.fromkeys(parts))

    @property
    def mechanism(self) -> str:
        return "; ".join(dict.fromkeys(e.mechanism for e in self.entries if e.mechanism))

    @property
    def biallelic_only(self) -> bool:
        """Every entry needs two alleles (a single heterozygous variant is a carrier state)."""
        reqs = [
            (e.allelic_requirement or e.inheritance).lower()
            for e in self.entries
            if e.allelic_requirement or e.inheritance
        ]
        return bool(reqs) and all(
            "biallelic" in r or r in ("ar", "autosomal recessive") for r in reqs
        )

    def sf_reportable(self, consequence: str, alleles: int) -> tuple[bool, str]:
        """Does an ACMG SF rule let a P/LP variant through? (alleles: P/LP alleles in the gene)

        "P and LP (2 variants)" and recessive genes need two alleles; "truncating variants
        only" (TTN) needs a null consequence.
        """
        rules = " ".join(e.sf_report.lower() for e in self.entries)
        if "truncating" in rules and consequence not in NULL_CONSEQUENCES:
            return False, f"ACMG SF reports truncating {self.symbol} variants only"
        if ("2 variants" in rules or self.biallelic_only) and alleles < 2:
            return False, f"ACMG SF reports {self.symbol} with two P/LP alleles only"
        return True, ""


@dataclass(frozen=True)
class Panel:
    indications: tuple[str, ...]  # codes, as the source spells them
    names: tuple[str, ...]  # full referral indications
    genes: dict[str, PanelGene]
    min_validity: str
    secondary_findings: bool
    g2p_version: str
    sf_version: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return "+".join(self.indications) + (" + ACMG SF" if self.sf_genes else "")

    @property
    def diagnostic_genes(self) -> list[str]:
        return sorted(g for g, pg in self.genes.items() if not pg.secondary)

    @property
    def sf_genes(self) -> list[str]:
        return sorted(g for g, pg in self.genes.items() if pg.secondary)

    @property
    def version(self) -> str:
        """Source versions plus a digest of the gene list, so any change of content shows."""
        digest = hashlib.sha256(
            "\n".join(
                f"{g}\t{e.indication}\t{e.disease}\t{e.validity}"
                for g in sorted(self.genes)
                for e in self.genes[g].entries
            ).encode()
        ).hexdigest()[:12]
        parts = [f"Cardiac G2P {self.g2p_version}"]
        if self.sf_genes and self.sf_version:
            parts.append(f"ACMG SF {self.sf_version}")
        return "; ".join(parts) + f"; genes sha256 {digest}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "indications": [
                {"code": c, "name": n} for c, n in zip(self.indications, self.names, strict=True)
            ],
            "min_validity": self.min_validity,
            "secondary_findings": self.secondary_findings,
            "genes": self.diagnostic_genes,
            "secondary_genes": self.sf_genes,
            "notes": list(self.notes),
        }


def _g2p_entry(code: str, e: Mapping[str, Any]) -> PanelEntry:
    mechanism = e.get("mechanism") or "; ".join(e.get("consequences") or ())
    return PanelEntry(
        indication=code,
        disease=e.get("disease", ""),
        allelic_requirement=e.get("allelic_requirement", ""),
        inheritance=e.get("inheritance", ""),
        mechanism=mechanism,
        validity=e.get("validity", ""),
    )


def build_panel(
    genes: Mapping[str, Any],
    indications: Iterable[str] | None,
    *,
    min_validity: str = "moderate",
    secondary_findings: bool = False,
    g2p_version: str = "unknown",
    sf_version: str | None = None,
) -> Panel:
    """The panel of a patient from the bundle's gene facts.

    ``indications`` are codes (any case); None or empty means every referral indication of
    the source (a broad sudden-cardiac-death panel). Unknown codes raise ValueError (the
    sheets are checked before any job runs, so this only guards direct calls).
    """
    known = indications_from_genes(genes)
    codes = _panel_codes(indications, known)
    panel, dropped = _diagnostic_genes(genes, {known[c] for c in codes}, min_validity)
    if secondary_findings:
        panel.update(_secondary_genes(genes, panel))
    notes = []
    if dropped:
        notes.append(f"left out below {min_validity} validity: " + ", ".join(sorted(set(dropped))))
    return Panel(
        indications=tuple(codes),
        names=tuple(known[c] for c in codes),
        genes=panel,
        min_validity=min_validity,
        secondary_findings=secondary_findings,
        g2p_version=g2p_version,
        sf_version=sf_version,
        notes=tuple(notes),
    )


def _panel_codes(indications: Iterable[str] | None, known: Mapping[str, str]) -> list[str]:
    """The requested codes as the source spells them; every known one when none is asked."""
    requested = list(indications or ())
    if not requested:
        return list(known)
    codes, unknown = resolve_codes(requested, known)
    if unknown:
        raise ValueError(
            f"unknown referral indication(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    return codes


def _diagnostic_genes(
    genes: Mapping[str, Any], wanted: set[str], min_validity: str
) -> tuple[dict[str, PanelGene], list[str]]:
    """G2P genes of the wanted referral indications at or above the validity.

    Also returns the pairs left out below it, as 'GENE (validity)' for the panel's notes.
    """
    need = VALIDITY_RANK[min_validity]
    panel: dict[str, PanelGene] = {}
    dropped: list[str] = []
    for symbol, facts in sorted(genes.items()):
        entries = []
        for e in facts.get("g2p") or ():
            if e.get("indication") not in wanted:
                continue
            if VALIDITY_RANK.get(str(e.get("validity", "")).lower(), 0) < need:
                dropped.append(f"{symbol} ({e.get('validity') or 'validity not stated'})")
                continue
            entries.append(_g2p_entry(indication_code(e["indication"]), e))
        if entries:
            panel[symbol] = PanelGene(symbol, tuple(entries))
    return panel, dropped


def _secondary_genes(
    genes: Mapping[str, Any], diagnostic: Mapping[str, PanelGene]
) -> dict[str, PanelGene]:
    """ACMG SF cardiovascular genes outside the diagnostic panel, as secondary findings."""
    out: dict[str, PanelGene] = {}
    for symbol, facts in sorted(genes.items()):
        sf = [
            e
            for e in facts.get("acmg_sf") or ()
            if SF_CATEGORY in str(e.get("category", "")).lower().split()
        ]
        if sf and symbol not in diagnostic:
            out[symbol] = PanelGene(symbol, tuple(_sf_entry(e) for e in sf), secondary=True)
    return out


def _sf_entry(e: Mapping[str, Any]) -> PanelEntry:
    return PanelEntry(
        indication=SF_LIST,
        disease=e.get("disease", ""),
        allelic_requirement="",
        inheritance=e.get("inheritance", ""),
        mechanism="",
        validity=f"ACMG SF: report {e.get('report') or 'P and LP'}",
        sf_report=e.get("report") or "",
    )


def g2p_indications(path: str) -> dict[str, str]:
    """Code -> full referral indication, straight from a G2P CSV (before the bundle exists)."""
    out: dict[str, str] = {}
    for entries in read_g2p(path).values():
        for e in entries:
            if e.indication:
                out.setdefault(indication_code(e.indication), e.indication)
    return dict(sorted(out.items(), key=lambda kv: kv[0].upper()))


def patient_indications(
    patients: Iterable[Patient],
    known: Mapping[str, str],
    default: Iterable[str] | None,
    samples_path: str,
) -> dict[str, list[str] | None]:
    """Each cardiac patient's indication codes: its sheet rows' union, else the config's.

    None means every indication. Unknown codes are InputErrors naming the sheet line or the
    config key, before any job runs.
    """
    allowed = ", ".join(known)
    codes_default, bad = resolve_codes(default or (), known)
    if bad:
        raise InputError(
            "config",
            f"'{bad[0]}' is not a Cardiac G2P referral indication; known: {allowed}",
            field="cardiac.indications",
        )
    out: dict[str, list[str] | None] = {}
    for p in patients:
        if p.pilot != "cardiac":
            continue
        codes: list[str] = []
        for s in p.samples:
            found, bad = resolve_codes(s.indication, known)
            if bad:
                raise InputError(
                    samples_path,
                    f"'{bad[0]}' is not a Cardiac G2P referral indication; known: {allowed}",
                    line=s.line,
                    field="indication",
                )
            codes += [c for c in found if c not in codes]
        out[p.patient] = codes or codes_default or None
    return out

"""ACMG/AMP germline variant classification (Richards 2015, ClinGen SVI, Tavtigian 2020 points).

:func:`classify` is pure: it takes the facts the knowledge join found for one variant
(:class:`VariantFacts`), optional family evidence (:class:`FamilyEvidence`, supplied by the
pilots) and per-gene rules (:class:`Overrides`), and returns a :class:`Classification`.

Points (Tavtigian et al. 2020): very strong 8, strong 4, moderate 2, supporting 1; benign
criteria count negative; BA1 is stand-alone benign. Pathogenic >= 10, likely pathogenic
6..9, uncertain 0..5, likely benign -1..-6, benign <= -7.

Every criterion is either evaluated (met or not, with the evidence text) or listed in
``not_evaluated`` with the reason; nothing is silently false. Criteria that need data the
bundle does not hold (functional studies, case-control data...) are always listed as not
evaluated. PP5/BP6 (reputable source) are retired (ClinGen SVI, Biesecker 2018): a variant's
own ClinVar record or expert-panel classification is never evidence for its own criteria
(the known-variant path, :mod:`bigmed.germline.known`, shows it beside the engine's class).

Gene rules (:class:`GeneRules`) carry the ClinGen expert panels' specifications (CSpec):
frequency thresholds, PVS1 applicability, PM1 regions, PP2/BP1 applicability and disabled
criteria, each with its CSpec identifier and version. Computational evidence (PP3/BP4, the
splicing side of BP7 and BP1) comes only from user-supplied predictor scores at calibrated
thresholds (:mod:`bigmed.germline.predictors`); without them those criteria are not
evaluated.

Population evidence (BA1/BS1/PM2) comes from gnomAD (:class:`Population`) and from the ExAC,
GO-ESP and 1000 Genomes frequencies ClinVar's VCF carries for the alleles it lists
(:class:`Cohorts`): BA1/BS1 compare the highest frequency with the thresholds, a cohort's as
its FAF95 with enough observed alleles and a second cohort agreeing; PM2 is met only from
gnomAD, never from absence in a partial source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import yaml

from bigmed.base import schemas
from bigmed.base.errors import InputError
from bigmed.genome.vcf import NULL_CONSEQUENCES
from bigmed.germline import predictors as pred
from bigmed.knowledge.sources import residue_of
from bigmed.knowledge.variants import CohortFrequency

Strength = Literal["stand_alone", "very_strong", "strong", "moderate", "supporting"]
POINTS: dict[str, int] = {
    "stand_alone": 8,
    "very_strong": 8,
    "strong": 4,
    "moderate": 2,
    "supporting": 1,
}
CLASSES = (
    "Benign",
    "Likely benign",
    "Uncertain significance",
    "Likely pathogenic",
    "Pathogenic",
)
CLASS_RANK = {c: i for i, c in enumerate(CLASSES)}
# PP1 strength by informative meioses (ClinGen cardiomyopathy / SVI-style counting)
PP1_MEIOSES = (("strong", 7), ("moderate", 5), ("supporting", 3))
PM1_TERMS = {"missense", "inframe_insertion", "inframe_deletion", "inframe_altering"}
PM4_TERMS = {"inframe_insertion", "inframe_deletion", "inframe_altering", "stop_lost"}
PVS1_SIZE_CUTOFF = 0.10  # ClinGen PVS1 tree: removing >10 % of the protein keeps Strong
# BA1/BS1 from a cohort's global frequency need at least this many observed alleles
# (estimated as AF x the cohort's allele number), whatever the threshold: one allele, in
# 1000 Genomes alone AF 0.0002, can be a sequencing artefact and never makes BA1/BS1.
POPULATION_MIN_ALLELES = 2
FAF_CONFIDENCE = 0.95  # filtering allele frequency (Whiffin 2017; gnomAD faf95)

NO_PREDICTOR = (
    "no in-silico predictor configured (knowledge.sources.revel, cadd, alphamissense, "
    "spliceai): their scores have non-commercial licences and are not shipped"
)
ALWAYS_NOT_EVALUATED = {
    "PS3": "functional studies are not in the knowledge bundle",
    "BS3": "functional studies are not in the knowledge bundle",
    "PS4": "case-control / proband-count data are not in the knowledge bundle",
    "PP4": "phenotype specificity is judged by the pilot's phenotype ranking, not here",
    "BP2": "phase with other variants is not known here",
    "BP3": "no repeat annotation in the bundle",
    "BP5": "an alternate molecular diagnosis is judged by the pilot, not here",
    "BS2": "penetrance data (healthy adult carriers) are not in the bundle",
    "PP5": "retired by ClinGen SVI (Biesecker et al. 2018): database assertions are not evidence",
    "BP6": "retired by ClinGen SVI (Biesecker et al. 2018): database assertions are not evidence",
}


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """Population frequency facts. ``found`` False: the allele is not in the source."""

    found: bool
    af: float | None = None
    af_popmax: float | None = None
    popmax_group: str | None = None
    source_complete: bool = True  # False for a subset: absence then says nothing
    source: str = "gnomAD"

    @property
    def frequency(self) -> float | None:
        """The frequency the rules use: popmax (grpmax) where known, else overall AF."""
        return self.af_popmax if self.af_popmax is not None else self.af


@dataclass(frozen=True)
class Cohorts:
    """Global allele frequencies of population cohorts (ExAC, GO-ESP, 1000 Genomes) as
    ClinVar's VCF carries them for the alleles it lists. Empty ``frequencies``: none for
    this allele, which says nothing about its frequency."""

    frequencies: tuple[CohortFrequency, ...]
    source: str = "ClinVar"  # where the frequencies were read, with its release


@dataclass(frozen=True)
class ClinVarEntry:
    variation_id: str
    clinical_class: str | None  # five-tier class of CLNSIG, or 'Conflicting' / None
    stars: int | None  # None: review status unknown
    hgvs_p: str | None = None
    relation: str = ""  # 'same_aa' | 'different_aa' for codon-level entries
    source: str = "ClinVar"  # or 'ClinGen VCEP' (an expert-panel classification)


@dataclass(frozen=True)
class GeneFacts:
    symbol: str
    lof_mechanism: bool | None = None
    mechanism_source: str | None = None
    inheritance: tuple[str, ...] = ()
    acmg_sf: bool = False


@dataclass(frozen=True)
class TranscriptFacts:
    nmd_escape: bool | None = None
    fraction_removed: float | None = None
    skipped_exon_in_frame: bool | None = None
    skipped_exon_fraction: float | None = None
    skipped_exon_coding: bool | None = None
    exon: int | None = None
    exon_count: int | None = None


@dataclass(frozen=True)
class VariantFacts:
    """What is known about one variant; None means the source was not consulted."""

    variant_id: str
    gene: str | None
    consequence: str  # bcftools csq term (missense, stop_gained, frameshift, ...)
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    population: Population | None = None
    cohorts: Cohorts | None = None  # None: no cohort-frequency source configured
    clinvar: ClinVarEntry | None = None  # the variant's own assertion: shown, never evidence
    clinvar_codon: tuple[ClinVarEntry, ...] | None = None  # other alleles at the codon
    hotspot: str | None = None  # description when in a hotspot
    hotspot_assessed: bool = False
    gene_facts: GeneFacts | None = None
    transcript: TranscriptFacts | None = None
    in_repeat: bool | None = None
    # predictor scores of the configured tools (None: no predictor configured at all)
    predictors: Mapping[str, float | None] | None = None
    # how much of the gene the codon-level sources hold: 'complete', 'partial(...)', 'none'
    codon_coverage: str = "complete"


@dataclass(frozen=True)
class FamilyEvidence:
    """Family criteria the pilots supply (None: not assessed)."""

    de_novo: Literal["confirmed", "assumed", "no"] | None = None  # PS2 / PM6
    pm3_strength: Strength | Literal["none"] | None = None  # in trans with a P/LP variant
    segregation_meioses: int | None = None  # informative meioses co-segregating (PP1)
    nonsegregation: bool | None = None  # affected relative without the variant (BS4)
    note: str = ""


@dataclass(frozen=True)
class Region:
    """A PM1 region of an expert panel: a residue range or a list of residues."""

    label: str
    strength: Strength = "moderate"
    start: int | None = None
    end: int | None = None
    residues: frozenset[int] = frozenset()

    def contains(self, residue: int) -> bool:
        if self.residues:
            return residue in self.residues
        return self.start is not None and self.end is not None and self.start <= residue <= self.end


@dataclass(frozen=True)
class GeneRules:
    ba1_af: float = 0.05
    bs1_af: float = 0.01
    pm2_af: float = 0.0001
    min_alleles: int = POPULATION_MIN_ALLELES  # observed alleles for BA1/BS1 from a cohort
    lof_mechanism: bool | None = None  # None: take the bundle's (G2P) mechanism
    disabled: frozenset[str] = frozenset()
    source: str | None = None
    cspec: str | None = None  # ClinGen criteria specification id, e.g. 'GN007'
    cspec_version: str | None = None
    pm1_regions: tuple[Region, ...] | None = None  # None: cancer-hotspot residues (default)
    pp2: bool = False  # the expert panel applies PP2 to missense changes
    pvs1_initiation: Strength | None = None  # the panel's PVS1 strength for start loss
    bp1: bool = False  # the expert panel applies BP1 to missense changes (no splice impact)

    @property
    def label(self) -> str:
        """Where the gene's rules come from, with the CSpec id and version when known."""
        spec = f"CSpec {self.cspec} v{self.cspec_version}" if self.cspec else ""
        if self.source and spec:
            return f"{self.source}, {spec}"
        return self.source or spec or "ACMG overrides"


def _regions(items: Any) -> tuple[Region, ...] | None:
    if items is None:
        return None
    return tuple(
        Region(
            label=str(r.get("label", "")),
            strength=r.get("strength", "moderate"),
            start=r.get("start"),
            end=r.get("end"),
            residues=frozenset(int(x) for x in r.get("residues", ())),
        )
        for r in items
    )


# ClinVar review status needed for PS1/PM5 evidence and for a known-variant finding: two
# stars (multiple submitters without conflict, expert panel, practice guideline), as CPSR
CLINVAR_MIN_STARS = 2


@dataclass(frozen=True)
class Overrides:
    defaults: GeneRules = field(default_factory=GeneRules)
    genes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    clinvar_min_stars: int = CLINVAR_MIN_STARS
    calibrations: Mapping[str, pred.Calibration] = field(
        default_factory=lambda: dict(pred.CALIBRATIONS)
    )

    def for_gene(self, gene: str | None) -> GeneRules:
        spec = self.genes.get(gene or "", {})
        if not spec:
            return self.defaults
        d = self.defaults
        return replace(
            d,
            ba1_af=float(spec.get("ba1_af", d.ba1_af)),
            bs1_af=float(spec.get("bs1_af", d.bs1_af)),
            pm2_af=float(spec.get("pm2_af", d.pm2_af)),
            min_alleles=int(spec.get("population_min_alleles", d.min_alleles)),
            lof_mechanism=spec.get("lof_mechanism", d.lof_mechanism),
            disabled=frozenset(spec.get("disabled", ())) | d.disabled,
            source=spec.get("source"),
            cspec=spec.get("cspec"),
            cspec_version=spec.get("cspec_version"),
            pm1_regions=_regions(spec.get("pm1_regions")),
            pp2=bool(spec.get("pp2", False)),
            pvs1_initiation=spec.get("pvs1_initiation"),
            bp1=bool(spec.get("bp1", False)),
        )


# --------------------------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    code: str
    strength: Strength
    met: bool
    evidence: str

    @property
    def benign(self) -> bool:
        return self.code.startswith("B")

    @property
    def points(self) -> int:
        if not self.met:
            return 0
        return -POINTS[self.strength] if self.benign else POINTS[self.strength]

    @property
    def label(self) -> str:
        """'PM2_Supporting' style label when applied at a non-default strength."""
        default = DEFAULT_STRENGTH.get(self.code)
        if default is None or default == self.strength:
            return self.code
        return f"{self.code}_{self.strength.replace('_', ' ').title().replace(' ', '')}"


@dataclass(frozen=True)
class NotEvaluated:
    code: str
    reason: str


@dataclass(frozen=True)
class Classification:
    cls: str
    points: int
    criteria: list[Criterion]
    not_evaluated: list[NotEvaluated]

    @property
    def met(self) -> list[Criterion]:
        return [c for c in self.criteria if c.met]

    def as_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "points": self.points,
            "criteria": [asdict(c) | {"label": c.label, "points": c.points} for c in self.criteria],
            "not_evaluated": [asdict(n) for n in self.not_evaluated],
        }


DEFAULT_STRENGTH: dict[str, Strength] = {
    "PVS1": "very_strong",
    "PS1": "strong",
    "PS2": "strong",
    "PM1": "moderate",
    "PM2": "moderate",
    "PM3": "moderate",
    "PM4": "moderate",
    "PM5": "moderate",
    "PM6": "moderate",
    "PP1": "supporting",
    "PP2": "supporting",
    "PP3": "supporting",
    "BA1": "stand_alone",
    "BS1": "strong",
    "BS4": "strong",
    "BP1": "supporting",
    "BP4": "supporting",
    "BP7": "supporting",
}


def points_to_class(points: int) -> str:
    if points >= 10:
        return "Pathogenic"
    if points >= 6:
        return "Likely pathogenic"
    if points >= 0:
        return "Uncertain significance"
    if points >= -6:
        return "Likely benign"
    return "Benign"


def combine(criteria: Iterable[Criterion]) -> tuple[str, int]:
    """Class and points of a set of criteria (BA1 met: Benign whatever else is met)."""
    crit = list(criteria)
    points = sum(c.points for c in crit)
    if any(c.met and c.code == "BA1" for c in crit):
        return "Benign", points
    return points_to_class(points), points


# --------------------------------------------------------------------------------------------
# the criteria
# --------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, rules: GeneRules, gene: str | None) -> None:
        self.rules, self.gene = rules, gene
        self.criteria: list[Criterion] = []
        self.not_evaluated: list[NotEvaluated] = []

    def add(self, code: str, met: bool, evidence: str, strength: Strength | None = None) -> None:
        if code in self.rules.disabled:
            self.skip(code, f"not applicable to {self.gene} ({self.rules.label})")
            return
        self.criteria.append(Criterion(code, strength or DEFAULT_STRENGTH[code], met, evidence))

    def skip(self, code: str, reason: str) -> None:
        if code in self.rules.disabled:
            reason = f"not applicable to {self.gene} ({self.rules.label})"
        if not any(n.code == code for n in self.not_evaluated) and not any(
            c.code == code for c in self.criteria
        ):
            self.not_evaluated.append(NotEvaluated(code, reason))


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _lof_mechanism(f: VariantFacts, rules: GeneRules) -> tuple[bool | None, str]:
    """(loss of function is a disease mechanism of the gene, source): the overrides first,
    else the bundle's curation."""
    if rules.lof_mechanism is None and f.gene_facts is not None:
        return f.gene_facts.lof_mechanism, f.gene_facts.mechanism_source or ""
    return rules.lof_mechanism, rules.label


def _pvs1(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    """PVS1 along the ClinGen PVS1 decision tree, as far as the transcript facts reach."""
    term = f.consequence
    if term not in NULL_CONSEQUENCES:
        out.add("PVS1", False, f"not a null variant ({term})")
        return
    gene = f.gene or "?"
    lof, why = _lof_mechanism(f, rules)
    if lof is None:
        out.skip(
            "PVS1",
            f"{term} in {gene}, but whether loss of function is a disease mechanism of {gene} "
            "is not curated in the bundle (set lof_mechanism in the ACMG overrides)",
        )
        return
    if lof is False:
        out.add(
            "PVS1", False, f"loss of function is not an established mechanism for {gene} ({why})"
        )
        return
    base = f"{term} in {gene}; loss of function is a disease mechanism ({why})"
    if term in ("splice_donor", "splice_acceptor") and not touches_canonical(f.hgvs_c):
        out.add(
            "PVS1",
            False,
            f"{f.hgvs_c} leaves the canonical +-1/2 splice site intact: PVS1 applies to the "
            "canonical dinucleotides only",
        )
    elif term == "start_lost":
        _pvs1_initiation(base, rules, out)
    elif f.transcript is None:
        out.add("PVS1", True, f"{base}; NMD not assessed (no transcript model): Strong", "strong")
    elif term in ("splice_donor", "splice_acceptor"):
        _pvs1_splice(base, f.transcript, out)
    else:
        _pvs1_truncating(base, f.transcript, out)


def _pvs1_initiation(base: str, rules: GeneRules, out: _Collector) -> None:
    """Start loss: PVS1_Moderate by the ClinGen PVS1 tree, unless the gene's expert panel
    applies another strength to initiation-codon variants."""
    if rules.pvs1_initiation is not None:
        strength = rules.pvs1_initiation
        out.add("PVS1", True, f"{base}; initiation codon: {strength} ({rules.label})", strength)
        return
    out.add(
        "PVS1", True, f"{base}; initiation codon: PVS1_Moderate (ClinGen PVS1 tree)", "moderate"
    )


_HGVS_RANGE = re.compile(r"c\.([-*]?\d+)([+-]\d+)?(?:_([-*]?\d+)([+-]\d+)?)?")


def touches_canonical(hgvs_c: str | None) -> bool:
    """Does an HGVS c. change (3'-shifted, so an intact site is shown as intact) alter a
    canonical +-1/2 splice base? True when it cannot be told (no HGVS)."""
    m = _HGVS_RANGE.match(hgvs_c or "")
    if m is None:
        return True
    first, last = m.group(2), m.group(4)
    offsets = [int(x) for x in (first, last) if x]
    if m.group(3) is not None and (first is None) != (last is None):
        return True  # an exon-intron boundary lies inside the changed range
    if len(offsets) == 2 and offsets[0] * offsets[1] > 0:
        return min(abs(x) for x in offsets) <= 2
    return any(abs(x) in (1, 2) for x in offsets)


def _pvs1_splice(base: str, t: TranscriptFacts, out: _Collector) -> None:
    """Canonical splice site: the skipped exon's coding status, frame and size."""
    if t.skipped_exon_coding is False:
        out.add("PVS1", False, f"{base}; the affected exon {t.exon} is non-coding")
    elif t.skipped_exon_in_frame is False:
        if t.nmd_escape is False:
            out.add("PVS1", True, f"{base}; skipping exon {t.exon} shifts the frame, NMD predicted")
        else:
            out.add(
                "PVS1",
                True,
                f"{base}; frameshifting skip of exon {t.exon} escapes NMD: Strong",
                "strong",
            )
    elif t.skipped_exon_fraction is None:
        out.add("PVS1", True, f"{base}; exon skipping not assessed: Strong", "strong")
    elif t.skipped_exon_fraction >= PVS1_SIZE_CUTOFF:
        frac = t.skipped_exon_fraction
        out.add(
            "PVS1",
            True,
            f"{base}; in-frame skip of exon {t.exon} removes {frac:.0%} of the protein",
            "strong",
        )
    else:
        frac = t.skipped_exon_fraction
        out.add(
            "PVS1",
            True,
            f"{base}; in-frame skip of exon {t.exon} removes {frac:.0%} (<10%) of the protein",
            "moderate",
        )


def _pvs1_truncating(base: str, t: TranscriptFacts, out: _Collector) -> None:
    """Nonsense / frameshift: NMD, else the share of the protein removed."""
    frac = t.fraction_removed
    if t.nmd_escape is False:
        out.add("PVS1", True, f"{base}; exon {t.exon}/{t.exon_count}: NMD predicted")
    elif t.nmd_escape is None or frac is None:
        out.add("PVS1", True, f"{base}; NMD not assessed: Strong", "strong")
    elif frac >= PVS1_SIZE_CUTOFF:
        out.add(
            "PVS1",
            True,
            f"{base}; escapes NMD (last exon or last 50 nt of the penultimate) and removes "
            f"{frac:.0%} of the protein",
            "strong",
        )
    else:
        out.add(
            "PVS1",
            True,
            f"{base}; escapes NMD and removes {frac:.0%} (<10%) of the protein",
            "moderate",
        )


def _usable(e: ClinVarEntry, min_stars: int) -> bool:
    return e.stars is not None and e.stars >= min_stars


def _codon_evidence(codon: Iterable[ClinVarEntry], stars: int) -> tuple[list[ClinVarEntry], str]:
    """(P/LP codon entries with enough review stars, note on the ones left out)."""
    pathogenic = [e for e in codon if e.clinical_class in ("Pathogenic", "Likely pathogenic")]
    ignored = [e for e in pathogenic if not _usable(e, stars)]
    note = (
        f"; {len(ignored)} P/LP record(s) below {stars} star(s) or with unknown review status "
        "ignored: " + ", ".join(f"{e.hgvs_p} (ClinVar {e.variation_id})" for e in ignored)
        if ignored
        else ""
    )
    return [e for e in pathogenic if _usable(e, stars)], note


def _ps1_pm5(f: VariantFacts, ov: Overrides, out: _Collector) -> None:
    """PS1 (same amino-acid change) and PM5 (another missense at the residue) from ClinVar."""
    if f.consequence != "missense":
        out.add("PS1", False, f"PS1 applies to missense changes ({f.consequence})")
        out.add("PM5", False, f"PM5 applies to missense changes ({f.consequence})")
        return
    if f.clinvar_codon is None:
        reason = "no codon-level ClinVar lookup (no ClinVar source or no transcript model)"
        out.skip("PS1", reason)
        out.skip("PM5", reason)
        return
    usable, note = _codon_evidence(f.clinvar_codon, ov.clinvar_min_stars)
    same = [e for e in usable if e.relation == "same_aa"]
    other = [e for e in usable if e.relation == "different_aa"]
    n = len(f.clinvar_codon)
    if not usable and f.codon_coverage != "complete":
        held = "partly" if f.codon_coverage.startswith("partial") else "not at all"
        reason = (
            f"no reviewed P/LP allele at this codon, but the ClinVar source here holds "
            f"{f.gene} {held} (a subset): absence is not evidence{note}"
        )
        out.skip("PS1", reason)
        out.skip("PM5", reason)
        return
    _ps1(f, same, n, note, out)
    _pm5(same, other, n, note, out)


def _ps1(f: VariantFacts, same: list[ClinVarEntry], n: int, note: str, out: _Collector) -> None:
    if not same:
        out.add(
            "PS1",
            False,
            f"no ClinVar P/LP with the same amino-acid change ({n} other allele(s) at the "
            f"codon){note}",
        )
        return
    strength: Strength = (
        "strong" if any(e.clinical_class == "Pathogenic" for e in same) else "moderate"
    )
    ids = ", ".join(f"{e.source} {e.variation_id} {e.clinical_class} ({e.stars}*)" for e in same)
    out.add(
        "PS1",
        True,
        f"same amino-acid change {f.hgvs_p} by another nucleotide change: {ids}{note}",
        strength,
    )


def _pm5(
    same: list[ClinVarEntry], other: list[ClinVarEntry], n: int, note: str, out: _Collector
) -> None:
    if same:
        out.add("PM5", False, "PS1 applies; PM5 is not combined with it")
        return
    if not other:
        out.add(
            "PM5",
            False,
            f"no reviewed P/LP missense at this residue ({n} other allele(s) at the codon){note}",
        )
        return
    strength: Strength = (
        "moderate" if any(e.clinical_class == "Pathogenic" for e in other) else "supporting"
    )
    ids = ", ".join(
        f"{e.hgvs_p} {e.source} {e.variation_id} {e.clinical_class} ({e.stars}*)" for e in other
    )
    out.add(
        "PM5", True, f"different missense change at a pathogenic residue: {ids}{note}", strength
    )


def faf(alleles: int, allele_number: int, confidence: float = FAF_CONFIDENCE) -> float:
    """Filtering allele frequency: the highest true AF at which observing ``alleles`` or more
    of ``allele_number`` has a chance of at most 1 - confidence (the one-sided Poisson lower
    bound; Whiffin et al. 2017, gnomAD faf95). Small counts give a frequency well below the
    observed one, so a handful of alleles in a small cohort cannot pass a strict threshold."""
    if alleles <= 0 or allele_number <= 0:
        return 0.0
    alpha = 1.0 - confidence
    if alleles > 100:  # Wilson-Hilferty approximation of the chi-square quantile
        z = 1.6448536269514722 if abs(alpha - 0.05) < 1e-12 else _z(alpha)
        lam = alleles * (1 - 1 / (9 * alleles) - z / (3 * math.sqrt(alleles))) ** 3
        return max(lam, 0.0) / allele_number
    lo, hi = 0.0, float(alleles)
    for _ in range(60):  # P(X >= alleles | lam) rises with lam: bisection
        mid = (lo + hi) / 2
        term, below = math.exp(-mid), 0.0
        for k in range(alleles):
            below += term
            term *= mid / (k + 1)
        lo, hi = (mid, hi) if 1.0 - below < alpha else (lo, mid)
    return lo / allele_number


def _z(alpha: float) -> float:
    """Upper-tail standard normal quantile (bisection on erfc; only for non-default levels)."""
    lo, hi = 0.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 0.5 * math.erfc(mid / math.sqrt(2)) > alpha else (lo, mid)
    return lo


def _gnomad_text(p: Population, freq: float) -> str:
    return (
        f"{p.source} grpmax AF {_fmt(freq)} ({p.popmax_group})"
        if p.af_popmax is not None and p.popmax_group
        else f"{p.source} AF {_fmt(freq)}"
    )


def _cohort_text(c: CohortFrequency, source: str) -> str:
    return (
        f"{c.cohort} {c.release} global AF {_fmt(c.af)} (~{c.alleles} of {c.allele_number} "
        f"alleles; {source})"
    )


def _benign_evidence(f: VariantFacts, rules: GeneRules) -> tuple[list[tuple[float, str]], str]:
    """(frequency, text) the BA1/BS1 thresholds are compared with, and a note on what was
    left out: gnomAD's grpmax (else AF), and the cohorts' FAF95 (see :func:`_cohort_evidence`)."""
    found: list[tuple[float, str]] = []
    p = f.population
    if p is not None and p.found and p.frequency is not None:
        found.append((p.frequency, _gnomad_text(p, p.frequency)))
    if f.cohorts is None:
        return found, ""
    cohort, note = _cohort_evidence(f.cohorts, rules)
    return found + cohort, note


def _cohort_evidence(cohorts: Cohorts, rules: GeneRules) -> tuple[list[tuple[float, str]], str]:
    """The cohorts' FAF95 where at least ``rules.min_alleles`` alleles were observed. A
    cohort's global AF mixes its populations, founder ones included (ExAC holds Finnish and
    unlabelled Ashkenazi Jewish exomes, 1000 Genomes Finns), which the panels' grpmax leaves
    out: a founder allele can be frequent globally in one cohort's mix (BRCA2 c.5946del,
    ExAC 0.00027). So a frequency above BS1 counts only where two cohorts agree: the value
    is the second highest FAF95. Otherwise a global AF is a lower bound of the grpmax."""
    used: list[tuple[float, str]] = []
    few = []
    for c in cohorts.frequencies:
        if c.alleles < rules.min_alleles:
            few.append(f"{c.cohort} AF {_fmt(c.af)} (~{c.alleles} allele(s))")
        else:
            value = faf(c.alleles, c.allele_number)
            used.append(
                (value, f"{c.cohort} FAF95 {_fmt(value)} from {_cohort_text(c, cohorts.source)}")
            )
    used.sort(key=lambda e: -e[0])
    note = (
        f"; fewer than {rules.min_alleles} observed alleles, not used: " + ", ".join(few)
        if few
        else ""
    )
    if len(used) >= 2:
        value = used[1][0]
        text = (
            f"FAF95 >= {_fmt(value)} in two cohorts ({used[0][1]}; {used[1][1]}), global "
            "frequencies (a lower bound of the grpmax)"
        )
        return [(value, text)], note
    if used and used[0][0] > rules.bs1_af:
        return [], (
            f"{note}; {used[0][1]} is one cohort only (its global AF can include a founder "
            "population the grpmax leaves out): not used alone"
        )
    return [(v, f"{t}, a global frequency (a lower bound of the grpmax)") for v, t in used], note


def _gnomad_settles(p: Population | None) -> tuple[bool, str]:
    """(gnomAD can rule BA1/BS1 out for this allele, why not when it cannot)."""
    if p is None:
        return False, "no gnomAD-type population source is configured"
    if not p.found:
        if p.source_complete:
            return True, ""
        return (
            False,
            f"not in {p.source}, which is a subset here: absence is not evidence of rarity",
        )
    if p.frequency is None:
        return False, f"{p.source} record without allele frequency"
    return True, ""


def _ba1_bs1(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    """BA1/BS1 from the highest frequency any population source gives (the rules call for the
    most frequent population); named in the text."""
    evidence, note = _benign_evidence(f, rules)
    settled, why = _gnomad_settles(f.population)
    if not evidence:
        if settled:
            src = f.population.source if f.population else "gnomAD"
            out.add("BA1", False, f"absent from {src}{note}")
            out.add("BS1", False, f"absent from {src}{note}")
        else:
            for code in ("BA1", "BS1"):
                out.skip(code, why + note)
        return
    value, text = max(evidence, key=lambda e: e[0])
    ba1 = value > rules.ba1_af
    bs1 = not ba1 and value > rules.bs1_af
    if not (ba1 or bs1 or settled):
        reason = (
            f"{text} <= {_fmt(rules.bs1_af)}, but {why}: a global frequency cannot rule "
            f"BA1/BS1 out{note}"
        )
        for code in ("BA1", "BS1"):
            out.skip(code, reason)
        return
    out.add("BA1", ba1, f"{text} {'>' if ba1 else '<='} {_fmt(rules.ba1_af)}{note}")
    out.add(
        "BS1",
        bs1,
        f"{text} {'>' if value > rules.bs1_af else '<='} {_fmt(rules.bs1_af)}"
        + (" (BA1 applies)" if ba1 else "")
        + note,
    )


def _pm2(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    """PM2_Supporting from gnomAD only (absent from a complete source, or at most the
    threshold); any source with the allele above the threshold (a cohort: with at least
    ``min_alleles`` alleles) makes it not met. Absence from a partial source is never
    evidence; the cohorts ClinVar carries never make PM2."""
    above: list[tuple[float, str]] = []
    p = f.population
    if p is not None and p.found and p.frequency is not None and p.frequency > rules.pm2_af:
        above.append((p.frequency, _gnomad_text(p, p.frequency)))
    if f.cohorts is not None:
        above += [
            (c.af, _cohort_text(c, f.cohorts.source))
            for c in f.cohorts.frequencies
            if c.af > rules.pm2_af and c.alleles >= rules.min_alleles
        ]
    if above:
        text = max(above, key=lambda e: e[0])[1]
        out.add("PM2", False, f"{text} > {_fmt(rules.pm2_af)}", "supporting")
        return
    settled, why = _gnomad_settles(p)
    if not settled or p is None:
        out.skip("PM2", why)
    elif not p.found:
        out.add("PM2", True, f"absent from {p.source}", "supporting")
    else:
        freq = p.frequency or 0.0
        out.add("PM2", True, f"{_gnomad_text(p, freq)} <= {_fmt(rules.pm2_af)}", "supporting")


def _population(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    """BA1, BS1 and PM2 from the population sources (gnomAD and the ClinVar-carried cohorts)."""
    if f.population is None and f.cohorts is None:
        for code in ("BA1", "BS1", "PM2"):
            out.skip(code, "no population-frequency source configured")
        return
    _ba1_bs1(f, rules, out)
    _pm2(f, rules, out)


def cohort_facts(v: Mapping[str, Any], sources: Mapping[str, Any]) -> Cohorts | None:
    """The cohort frequencies of one joined call (None: no cohort_frequencies source)."""
    s = sources.get("cohort_frequencies") or {}
    if not s.get("configured"):
        return None
    rows = v.get("cohort_frequencies") or []
    return Cohorts(
        tuple(
            CohortFrequency(r["cohort"], r["release"], float(r["af"]), int(r["allele_number"]))
            for r in rows
        ),
        s.get("version") or s.get("name") or "ClinVar",
    )


def _pm1(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    if f.consequence not in PM1_TERMS:
        out.add("PM1", False, f"PM1 applies to missense / in-frame changes ({f.consequence})")
        return
    if rules.pm1_regions is not None:
        _pm1_regions(f, rules, rules.pm1_regions, out)
        return
    if not f.hotspot_assessed:
        out.skip("PM1", "no hotspot source configured")
        return
    if f.hotspot:
        out.add("PM1", True, f"{f.hotspot}")
    else:
        out.add(
            "PM1",
            False,
            "not at a cancer-hotspot residue; protein-domain annotation is not in the bundle",
        )


def _pm1_regions(
    f: VariantFacts, rules: GeneRules, regions: tuple[Region, ...], out: _Collector
) -> None:
    """PM1 from the expert panel's regions (missense changes only)."""
    if f.consequence != "missense":
        out.add("PM1", False, f"the PM1 regions of {rules.label} apply to missense changes")
        return
    residue = residue_of(f.hgvs_p)
    if residue is None:
        out.skip("PM1", f"no protein position in {f.hgvs_p!r} to place in the PM1 regions")
        return
    hit = next((r for r in regions if r.contains(residue[1])), None)
    if hit is not None:
        out.add("PM1", True, f"residue {residue[1]}: {hit.label} ({rules.label})", hit.strength)
        return
    names = "; ".join(r.label for r in regions) or "none"
    out.add("PM1", False, f"residue {residue[1]} outside the PM1 regions ({names}; {rules.label})")


def _pp2(f: VariantFacts, rules: GeneRules, out: _Collector) -> None:
    if not rules.pp2:
        out.skip(
            "PP2",
            f"{f.gene}: no expert-panel rule applies PP2 (gene-level missense constraint is "
            "not in the bundle; set pp2 in the ACMG overrides)",
        )
        return
    missense = f.consequence == "missense"
    out.add(
        "PP2",
        missense,
        f"missense change in a gene whose expert panel applies PP2 ({rules.label})"
        if missense
        else f"PP2 applies to missense changes ({f.consequence})",
    )


def _pm4(f: VariantFacts, out: _Collector) -> None:
    if f.consequence not in PM4_TERMS:
        out.add("PM4", False, f"not an in-frame length change or stop-loss ({f.consequence})")
        return
    if f.in_repeat:
        out.add("PM4", False, f"{f.consequence} inside a repeat region")
        return
    note = (
        ""
        if f.in_repeat is False
        else "; repeat status not assessed (no repeat track in the bundle)"
    )
    out.add("PM4", True, f"{f.consequence} changes the protein length{note}")


def _splice_score(f: VariantFacts) -> tuple[float | None, str | None]:
    """(SpliceAI maximum delta score, why there is none)."""
    if f.predictors is None or pred.SPLICE_TOOL not in f.predictors:
        return None, "no splice predictor configured (knowledge.sources.spliceai)"
    score = f.predictors[pred.SPLICE_TOOL]
    return score, None if score is not None else "no SpliceAI score for this allele"


_DEEP_INTRON = re.compile(r"c\.[-*]?\d+([+-])(\d+)")


def _deep_intronic(hgvs_c: str | None) -> bool:
    """Intronic at or beyond +7 / -21 (where SVI splicing lets BP7 apply)."""
    m = _DEEP_INTRON.match(hgvs_c or "")
    if m is None:
        return False
    return int(m.group(2)) >= (7 if m.group(1) == "+" else 21)


def _tool_calls(f: VariantFacts, ov: Overrides) -> tuple[list[pred.Call], list[str]]:
    """The missense tool's and SpliceAI's calls for this variant, and notes on missing ones."""
    assert f.predictors is not None
    calls, notes = [], []
    if f.consequence == "missense":
        tool = pred.missense_tool(f.predictors, ov.calibrations)
        if tool is None:
            notes.append("no calibrated missense predictor configured")
        elif (score := f.predictors.get(tool)) is None:
            notes.append(f"no {pred.LABELS[tool]} score for this allele")
        else:
            calls.append(pred.call(tool, score, ov.calibrations[tool]))
    splice, why = _splice_score(f)
    if splice is None:
        notes.append(why or "")
    else:
        calls.append(pred.call(pred.SPLICE_TOOL, splice, ov.calibrations[pred.SPLICE_TOOL]))
    return calls, notes


def _computational(f: VariantFacts, ov: Overrides, out: _Collector) -> None:
    """PP3 / BP4 from the configured predictors at their calibrated strengths."""
    if f.predictors is None:
        out.skip("PP3", NO_PREDICTOR)
        out.skip("BP4", NO_PREDICTOR)
        return
    if f.consequence in NULL_CONSEQUENCES:
        out.add("PP3", False, f"null variant ({f.consequence}): PVS1 covers it, PP3 is not added")
        out.add("BP4", False, f"null variant ({f.consequence})")
        return
    calls, notes = _tool_calls(f, ov)
    if not calls:
        reason = "; ".join(n for n in notes if n) or "no predictor applies"
        out.skip("PP3", reason)
        out.skip("BP4", reason)
        return
    texts = "; ".join(c.text for c in calls) + ("; " + "; ".join(notes) if notes else "")
    pp3 = [c for c in calls if c.code == "PP3"]
    if pp3:
        best = min(pp3, key=lambda c: pred.LEVELS.index(c.level or "supporting"))
        out.add("PP3", True, texts, best.level)
    else:
        out.add("PP3", False, texts)
    # BP4 needs every tool that spoke to say 'benign' (a missense score and no splice impact)
    benign = [c for c in calls if c.code == "BP4"]
    if benign and len(benign) == len(calls):
        level = benign[0].level if f.consequence == "missense" else "supporting"
        out.add("BP4", True, texts, level)
    else:
        out.add("BP4", False, texts)


def _bp7(f: VariantFacts, ov: Overrides, out: _Collector) -> None:
    """BP7: synonymous (or deep intronic) and a splice predictor says no impact (ClinGen SVI
    splicing, Walker 2023); without a predictor it is not evaluated."""
    if f.consequence != "synonymous" and not (
        f.consequence == "intron" and _deep_intronic(f.hgvs_c)
    ):
        out.add("BP7", False, f"not a synonymous or deep intronic change ({f.consequence})")
        return
    score, why = _splice_score(f)
    if score is None:
        out.skip("BP7", f"{f.consequence}, but {why}: BP7 needs a splice prediction")
        return
    threshold = ov.calibrations[pred.SPLICE_TOOL].bp4["supporting"]
    where = "outside the splice region" if f.consequence == "synonymous" else "deep intronic"
    out.add(
        "BP7",
        score <= threshold,
        f"{f.consequence} {where}; SpliceAI {score:.3g} "
        + ("<=" if score <= threshold else ">")
        + f" {threshold:g}",
    )


def _bp1(f: VariantFacts, rules: GeneRules, ov: Overrides, out: _Collector) -> None:
    if not rules.bp1:
        out.skip("BP1", f"{f.gene}: no expert-panel rule applies BP1 (set bp1 in the overrides)")
        return
    if f.consequence != "missense":
        out.add("BP1", False, f"BP1 applies to missense changes ({f.consequence})")
        return
    score, why = _splice_score(f)
    if score is None:
        out.skip("BP1", f"missense, but {why}: BP1 needs splicing excluded ({rules.label})")
        return
    low = score <= ov.calibrations[pred.SPLICE_TOOL].bp4["supporting"]
    out.add(
        "BP1",
        low,
        f"missense, expert panel applies BP1 ({rules.label}); SpliceAI {score:.3g}"
        + (" (no splicing impact)" if low else " (splicing impact not excluded)"),
    )


def _family(fam: FamilyEvidence | None, out: _Collector) -> None:
    if fam is None:
        for code in ("PS2", "PM6", "PM3", "PP1", "BS4"):
            out.skip(code, "no family evidence supplied")
        return
    extra = f" ({fam.note})" if fam.note else ""
    if fam.de_novo is None:
        out.skip("PS2", "de novo status not assessed (no parental genotypes)")
        out.skip("PM6", "de novo status not assessed (no parental genotypes)")
    elif fam.de_novo == "confirmed":
        out.add("PS2", True, f"de novo, maternity and paternity confirmed{extra}")
        out.add("PM6", False, "PS2 applies (confirmed de novo)")
    elif fam.de_novo == "assumed":
        out.add("PS2", False, f"de novo but parentage not confirmed: PM6 applies instead{extra}")
        out.add("PM6", True, f"de novo, parentage not confirmed{extra}")
    else:
        out.add("PS2", False, f"inherited: a parent carries the variant{extra}")
        out.add("PM6", False, f"inherited: a parent carries the variant{extra}")
    if fam.pm3_strength is None:
        out.skip("PM3", "phase with a P/LP variant in trans not assessed")
    elif fam.pm3_strength == "none":
        out.add("PM3", False, f"not observed in trans with a P/LP variant{extra}")
    else:
        out.add("PM3", True, f"in trans with a P/LP variant{extra}", fam.pm3_strength)
    if fam.segregation_meioses is None:
        out.skip("PP1", "segregation not assessed")
    else:
        m = fam.segregation_meioses
        level = next((s for s, need in PP1_MEIOSES if m >= need), None)
        if level is None:
            out.add("PP1", False, f"{m} informative meiosis/meioses co-segregate (3 needed){extra}")
        else:
            out.add("PP1", True, f"{m} informative meioses co-segregate{extra}", level)  # type: ignore[arg-type]
    if fam.nonsegregation is None:
        out.skip("BS4", "segregation not assessed")
    else:
        out.add(
            "BS4",
            fam.nonsegregation,
            (
                "an affected relative lacks the variant"
                if fam.nonsegregation
                else "no affected relative lacks the variant"
            )
            + extra,
        )


def classify(
    variant_facts: VariantFacts,
    family: FamilyEvidence | None = None,
    overrides: Overrides | None = None,
) -> Classification:
    """ACMG/AMP class of one variant from its facts (pure; see the module docstring)."""
    ov = overrides or Overrides()
    f = variant_facts
    rules = ov.for_gene(f.gene)
    out = _Collector(rules, f.gene)
    _pvs1(f, rules, out)
    _ps1_pm5(f, ov, out)
    _pm1(f, rules, out)
    _population(f, rules, out)
    _pm4(f, out)
    _pp2(f, rules, out)
    _computational(f, ov, out)
    _bp7(f, ov, out)
    _bp1(f, rules, ov, out)
    _family(family, out)
    for code, reason in ALWAYS_NOT_EVALUATED.items():
        out.skip(code, reason)
    cls, points = combine(out.criteria)
    return Classification(cls, points, out.criteria, out.not_evaluated)


# --------------------------------------------------------------------------------------------
# the overrides file
# --------------------------------------------------------------------------------------------


SCHEMA_PATH = schemas.schema_path("acmg_overrides.schema.yaml")


def load_overrides(path: str, schema_path: str | None = None) -> Overrides:
    """Read and validate an ACMG overrides YAML (InputError: one line naming file and field)."""
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle) or {}
    except FileNotFoundError as err:
        raise InputError(path, "ACMG overrides file not found") from err
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise InputError(
            path,
            f"not valid YAML ({getattr(err, 'problem', err)})",
            line=None if line is None else line + 1,
        ) from err
    with open(schema_path or SCHEMA_PATH) as handle:
        schema = yaml.safe_load(handle)
    schemas.check(path, schema, data)
    d = data.get("defaults") or {}
    defaults = GeneRules(
        ba1_af=float(d.get("ba1_af", 0.05)),
        bs1_af=float(d.get("bs1_af", 0.01)),
        pm2_af=float(d.get("pm2_af", 0.0001)),
        min_alleles=int(d.get("population_min_alleles", POPULATION_MIN_ALLELES)),
        disabled=frozenset(d.get("disabled", ())),
    )
    return Overrides(
        defaults=defaults,
        genes={str(k): dict(v or {}) for k, v in (data.get("genes") or {}).items()},
        clinvar_min_stars=int(d.get("clinvar_min_stars", CLINVAR_MIN_STARS)),
        calibrations=pred.calibrations(d.get("predictors")),
    )

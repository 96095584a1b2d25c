"""Inheritance models of the rare-disease pilot: which modes a variant fits in its family.

For every candidate variant the proband carries, :func:`segregate` tests the models below
against the genotypes of the sequenced family
(:class:`bigmed.pilots.rare_disease.pedigree.Family`), using only
*confident* genotypes (depth >= ``calling.min_depth``, GQ >= ``min_gq``):

``de_novo``
    Proband heterozygous with >= 3 alt reads and allele fraction >= 0.2; each parent
    homozygous reference with depth >= ``min_parent_depth``, GQ >= ``min_gq`` and at most
    ``max_parent_alt_reads`` alt reads (more suggests a mosaic parent or a missed call).
    Both parents must be sequenced (chrX outside the PARs in a male: the mother only).
    PS2 when the relatedness check confirms both parent-child pairs, PM6 when it could not
    assess them; when it contradicts one, the de novo status is not used.
``ar_homozygous``
    Proband homozygous alt on an autosome; each sequenced parent heterozygous (a parent
    confidently homozygous reference makes it "possible": uniparental disomy or a deletion).
``compound_het``
    Two heterozygous candidate variants of one gene. In trans when one comes only from the
    mother and the other only from the father; in cis (same parent) the pair is rejected;
    any other combination (a parent missing, de novo, both parents carriers) is "possible",
    as is every pair in a singleton.
``x_linked``
    Male proband (declared, or genetic sex when undeclared) with the alt allele on chrX
    outside the PARs; a carrier father rules it out (fathers pass on Y).
``ad_inherited`` / ``ad_unknown``
    Proband heterozygous on an autosome: inherited from an affected parent, or parents not
    available. Inherited from an unaffected parent only fits with reduced penetrance.

Other sequenced relatives: an affected relative who carries the variant (biallelic, for the
recessive models) adds an informative meiosis (PP1); an affected relative without it is BS4
(and takes the model down); an unaffected relative with the proband's genotype is noted.
``fit`` combines the model's strength with the gene's known modes of inheritance (HPO,
G2P, GenCC, ACMG SF codes in the knowledge bundle), see :data:`MODEL_BASE` and
:func:`mode_factor`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bigmed.genome.genotypes import Call, Site, in_par, is_x
from bigmed.germline.acmg import FamilyEvidence, Strength
from bigmed.pilots.rare_disease.pedigree import Family, Member
from bigmed.pilots.rare_disease.samplecheck import SampleChecks

DeNovo = Literal["confirmed", "assumed", "no"]  # the ACMG de novo status (PS2 / PM6)
MIN_ALT_READS = 3  # fewer proband alt reads: sequencing error dominates
MIN_ALLELE_FRACTION = 0.2  # below: mosaic or artefact rather than a germline heterozygote

# strength of a model before the gene's modes of inheritance are considered
MODEL_BASE = {
    ("de_novo", "confirmed"): 1.0,
    ("ar_homozygous", "confirmed"): 1.0,
    ("compound_het", "confirmed"): 1.0,
    ("x_linked", "confirmed"): 1.0,
    ("ad_inherited", "confirmed"): 0.9,
    ("ar_homozygous", "possible"): 0.7,
    ("x_linked", "possible"): 0.7,
    ("compound_het", "possible"): 0.6,
    ("ad_unknown", "possible"): 0.5,
    ("ar_homozygous", "unusual"): 0.4,
    ("ad_inherited", "reduced penetrance"): 0.2,
}
MODEL_LABEL = {
    "de_novo": "de novo",
    "ar_homozygous": "autosomal recessive, homozygous",
    "compound_het": "compound heterozygous",
    "x_linked": "X-linked, hemizygous",
    "ad_inherited": "autosomal dominant, inherited",
    "ad_unknown": "autosomal dominant (inheritance not known)",
}
# gene inheritance codes (bigmed.knowledge.genes.inheritance_code) each model is compatible with
COMPATIBLE = {
    "de_novo": {"AD", "XLD", "XL", "SD"},
    "ad_inherited": {"AD", "SD"},
    "ad_unknown": {"AD", "SD", "XLD"},
    "ar_homozygous": {"AR", "SD"},
    "compound_het": {"AR"},
    "x_linked": {"XL", "XLR", "XLD"},
}
KNOWN_MODES = {"AD", "AR", "XL", "XLR", "XLD", "SD", "MT", "YL", "DIGENIC"}
UNKNOWN_MODE_FACTOR = 0.6  # gene without a curated mode of inheritance
INCOMPATIBLE_FACTOR = 0.2  # the model contradicts every curated mode of the gene
EXCLUDED_FACTOR = 0.1  # an affected relative lacks the genotype / an unaffected one has it


@dataclass(frozen=True)
class Thresholds:
    min_depth: int = 8  # calling.min_depth: any genotype used
    min_gq: int = 20
    min_parent_depth: int = 10
    max_parent_alt_reads: int = 1


@dataclass
class Model:
    name: str
    status: str  # confirmed | possible | unusual | reduced penetrance
    detail: str
    partner: str | None = None  # compound_het: the other variant
    phase: str | None = None  # compound_het: trans | unknown

    @property
    def label(self) -> str:
        extra = "" if self.status == "confirmed" else f" ({self.status})"
        return MODEL_LABEL[self.name] + extra

    @property
    def base(self) -> float:
        return MODEL_BASE[(self.name, self.status)]


@dataclass
class Segregation:
    variant_id: str
    models: list[Model] = field(default_factory=list)
    de_novo: DeNovo | None = None
    de_novo_note: str = ""
    meioses: int | None = None
    nonsegregation: bool | None = None
    notes: list[str] = field(default_factory=list)

    def best(self, gene_modes: Iterable[str]) -> tuple[Model | None, float]:
        """The model with the highest fit and its fit (0 when none applies)."""
        modes = set(gene_modes)
        scored = [(m, m.base * mode_factor(m.name, modes)) for m in self.models]
        if not scored:
            return None, 0.0
        m, fit = max(scored, key=lambda x: x[1])
        if self.nonsegregation:
            fit *= EXCLUDED_FACTOR
        return m, round(fit, 4)

    def family_evidence(self, pm3: Strength | Literal["none"] | None) -> FamilyEvidence:
        note = "; ".join([self.de_novo_note, *self.notes]).strip("; ")
        return FamilyEvidence(
            de_novo=self.de_novo,
            pm3_strength=pm3,
            segregation_meioses=self.meioses,
            nonsegregation=self.nonsegregation,
            note=note,
        )


def mode_factor(model: str, gene_modes: set[str]) -> float:
    known = gene_modes & KNOWN_MODES
    if not known:
        return UNKNOWN_MODE_FACTOR
    return 1.0 if known & COMPATIBLE[model] else INCOMPATIBLE_FACTOR


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _state(c: Call | None, t: Thresholds) -> str:
    """'carrier', 'non-carrier' or 'unknown' for a relative's confident genotype."""
    if c is None or not c.confident(t.min_depth, t.min_gq):
        return "unknown"
    return "carrier" if c.carrier else "non-carrier"


def _parent_state(site: Site, parent: Member | None, t: Thresholds) -> str:
    """:func:`_state` of a parent, 'unknown' when the parent is missing or not sequenced."""
    return _state(site.calls.get(parent.id), t) if parent and parent.sequenced else "unknown"


def _origin(site: Site, family: Family, t: Thresholds) -> str:
    """Where the proband's allele came from: maternal, paternal, both, de_novo, unknown."""
    father, mother = family.parents(family.proband)
    fs, ms = _parent_state(site, father, t), _parent_state(site, mother, t)
    if ms == "carrier" and fs == "non-carrier":
        return "maternal"
    if fs == "carrier" and ms == "non-carrier":
        return "paternal"
    if fs == "carrier" and ms == "carrier":
        return "both"
    if fs == "non-carrier" and ms == "non-carrier":
        return "de_novo"
    return "unknown"


def effective_sex(member: Member, checks: SampleChecks | None) -> str:
    if member.sex != "unknown" or checks is None:
        return member.sex
    found = next((s for s in checks.sex if s.sample == member.id), None)
    return found.inferred if found and found.inferred in ("male", "female") else "unknown"


def _parent_verdict(p: Member, c: Call | None, t: Thresholds) -> tuple[DeNovo | None, str] | None:
    """(status, note) when the parent's genotype rules out or blocks a de novo call; None
    when it is a confident homozygous reference with few alt reads."""
    if c is not None and c.carrier and c.confident(t.min_depth, t.min_gq):
        return "no", f"inherited: {p.id} carries it ({c.gt})"
    if c is None or not c.is_hom_ref:
        what = "no genotype call" if c is None or not c.called else f"a low-quality {c.gt}"
        return None, f"de novo not assessable: {p.id} has {what}"
    if (c.dp or 0) < t.min_parent_depth or (c.gq is not None and c.gq < t.min_gq):
        return None, (
            f"de novo not assessable: {p.id} depth {c.dp}, GQ {c.gq} "
            f"(>= {t.min_parent_depth}x and GQ >= {t.min_gq} needed)"
        )
    if (c.alt_reads or 0) > t.max_parent_alt_reads:
        return None, f"de novo not assessable: {p.id} has {c.alt_reads} alt reads (mosaic parent?)"
    return None


def _weak_allele(proband: Call) -> str | None:
    """Why the proband's allele is too weak for a germline de novo (None: strong enough)."""
    af = proband.allele_fraction
    if (proband.alt_reads or 0) >= MIN_ALT_READS and (af is None or af >= MIN_ALLELE_FRACTION):
        return None
    if af is None:
        return "absent from both parents, proband allele depth unknown"
    return (
        f"absent from both parents, but the proband has {proband.alt_reads} alt reads "
        f"(fraction {af:.2f}); >= {MIN_ALT_READS} and >= {MIN_ALLELE_FRACTION} needed"
    )


def _de_novo(
    site: Site, family: Family, male_x: bool, t: Thresholds, checks: SampleChecks | None
) -> tuple[DeNovo | None, str, bool]:
    """(ACMG de novo status, note, proband-level de novo model applies)."""
    father, mother = family.parents(family.proband)
    parents = [p for p in ((mother,) if male_x else (father, mother)) if p and p.sequenced]
    if len(parents) != (1 if male_x else 2):
        return None, "", False
    states = []
    for p in parents:
        verdict = _parent_verdict(p, site.calls.get(p.id), t)
        if verdict is not None:
            return *verdict, False
        states.append(checks.parent_status(family.proband, p.id) if checks else "not assessable")
    proband = site.calls.get(family.proband)
    if proband is None or not (proband.carrier if male_x else proband.is_het):
        return None, "", False
    weak = _weak_allele(proband)
    if weak is not None:
        return None, weak, False
    who = " and ".join(p.id for p in parents)
    if "contradicted" in states:
        return (
            None,
            f"absent from {who}, but the relatedness check contradicts the parentage: "
            "de novo status not used",
            False,
        )
    if all(s == "confirmed" for s in states):
        return "confirmed", f"absent from {who}; parentage confirmed by genotypes", True
    return "assumed", f"absent from {who}; relatedness check could not confirm parentage", True


def _relatives(
    site: Site,
    family: Family,
    t: Thresholds,
    biallelic: bool,
) -> tuple[int | None, bool | None, list[str]]:
    """(meioses, nonsegregation, notes) from the sequenced relatives of the proband."""
    proband = site.calls[family.proband]
    meioses = 0
    affected_seen = False
    nonseg = False
    notes = []
    for m in family.sequenced:
        if m.id == family.proband:
            continue
        c = site.calls.get(m.id)
        if c is None or not c.confident(t.min_depth, t.min_gq):
            continue
        has = (c.alt_count >= proband.alt_count) if biallelic else c.carrier
        if m.affected == "yes":
            affected_seen = True
            if has:
                meioses += 1
            else:
                nonseg = True
                notes.append(f"affected {m.id} lacks the proband's genotype ({c.gt})")
        elif m.affected == "no" and has:
            notes.append(f"unaffected {m.id} has it ({c.gt})")
    if not affected_seen:
        return None, None, notes
    return meioses, nonseg, notes


# --------------------------------------------------------------------------------------------
# the models
# --------------------------------------------------------------------------------------------


def _non_par_x(site: Site) -> bool:
    return is_x(site.chrom) and not in_par(site.chrom, site.pos)


def segregate(
    sites: Iterable[Site],
    family: Family,
    candidates: set[str],
    t: Thresholds,
    checks: SampleChecks | None = None,
) -> dict[str, Segregation]:
    """Inheritance models of every candidate variant the proband carries."""
    male = effective_sex(family.members[family.proband], checks) == "male"
    out: dict[str, Segregation] = {}
    by_gene: dict[str, list[tuple[Site, str]]] = {}
    for site in sites:
        if site.id not in candidates:
            continue
        call = site.calls.get(family.proband)
        if call is None or not call.carrier:
            continue
        out[site.id] = _segregation(site, call, family, t, checks, male)
        if call.is_het and site.gene and (not _non_par_x(site) or not male):
            by_gene.setdefault(site.gene, []).append((site, _origin(site, family, t)))
    _compound(by_gene, out, family, t)
    return out


def _segregation(
    site: Site,
    call: Call,
    family: Family,
    t: Thresholds,
    checks: SampleChecks | None,
    male: bool,
) -> Segregation:
    """The single-variant models (all but compound_het) and the relatives' evidence."""
    seg = Segregation(site.id)
    x = _non_par_x(site)
    # a haploid (hemizygous) call: the caller treated the proband as male (sheet or depth)
    male_x = (male or call.is_hemizygous) and x
    seg.de_novo, seg.de_novo_note, dn_model = _de_novo(site, family, male_x, t, checks)
    if dn_model:
        seg.models.append(Model("de_novo", "confirmed", seg.de_novo_note))
    if male_x:
        _x_linked(seg, site, family, t, dn_model)
    elif call.is_hom_alt and not x:
        seg.models.append(_ar_homozygous(site, family, t))
    elif call.is_het and not x:
        dominant = _dominant(site, family, t, dn_model)
        if dominant is not None:
            seg.models.append(dominant)
    biallelic = call.is_hom_alt or male_x
    seg.meioses, seg.nonsegregation, notes = _relatives(site, family, t, biallelic)
    seg.notes += notes
    return seg


def _x_linked(seg: Segregation, site: Site, family: Family, t: Thresholds, dn_model: bool) -> None:
    """Hemizygous male: x_linked unless the father carries it (fathers pass on Y)."""
    father, mother = family.parents(family.proband)
    fs, ms = _parent_state(site, father, t), _parent_state(site, mother, t)
    if fs == "carrier":
        seg.notes.append(f"father {father.id if father else ''} carries a chrX allele")
        return
    call = site.calls.get(family.proband)
    gt = f" (GT {call.gt})" if call is not None and call.is_hemizygous else ""
    if ms == "carrier" or dn_model:
        src = "from the carrier mother" if ms == "carrier" else "de novo"
        seg.models.append(Model("x_linked", "confirmed", f"hemizygous{gt}, {src}"))
    else:
        seg.models.append(Model("x_linked", "possible", f"hemizygous{gt}; mother not assessed"))


def _ar_homozygous(site: Site, family: Family, t: Thresholds) -> Model:
    """Autosomal homozygous alt: confirmed by two heterozygous parents, unusual when a parent
    is confidently homozygous reference."""
    father, mother = family.parents(family.proband)
    parents = [p for p in (father, mother) if p is not None and p.sequenced]
    states = [(p.id, site.calls.get(p.id)) for p in parents]
    if len(parents) == 2 and all(c is not None and c.is_het for _, c in states):
        return Model("ar_homozygous", "confirmed", "both parents heterozygous")
    if any(
        c is not None and c.is_hom_ref and c.confident(t.min_depth, t.min_gq) for _, c in states
    ):
        who = ", ".join(i for i, c in states if c is not None and c.is_hom_ref)
        return Model(
            "ar_homozygous",
            "unusual",
            f"{who} homozygous reference: uniparental disomy or a deletion?",
        )
    return Model("ar_homozygous", "possible", "parents not (all) sequenced")


def _dominant(site: Site, family: Family, t: Thresholds, dn_model: bool) -> Model | None:
    """Autosomal heterozygote: inherited (from an affected or unaffected parent) or of
    unknown origin; None when de novo already explains it."""
    carriers = [
        p
        for p in family.parents(family.proband)
        if p is not None and p.sequenced and _state(site.calls.get(p.id), t) == "carrier"
    ]
    affected = [p.id for p in carriers if p.affected == "yes"]
    if affected:
        return Model("ad_inherited", "confirmed", f"from affected parent {', '.join(affected)}")
    if carriers:
        who = ", ".join(p.id for p in carriers)
        return Model("ad_inherited", "reduced penetrance", f"from unaffected parent {who}")
    if not dn_model:
        return Model("ad_unknown", "possible", "parents not assessed")
    return None


def _compound(
    by_gene: Mapping[str, list[tuple[Site, str]]],
    out: dict[str, Segregation],
    family: Family,
    t: Thresholds,
) -> None:
    unaffected = [m for m in family.sequenced if m.affected == "no" and m.id != family.proband]
    for hets in by_gene.values():
        for i, (a, oa) in enumerate(hets):
            for b, ob in hets[i + 1 :]:
                if {oa, ob} == {"maternal", "paternal"}:
                    status, phase, detail = "confirmed", "trans", f"in trans ({oa} / {ob})"
                elif oa == ob and oa in ("maternal", "paternal"):
                    continue  # in cis: one parent passed on both
                else:
                    status, phase = "possible", "unknown"
                    detail = f"phase unknown ({oa.replace('_', ' ')} / {ob.replace('_', ' ')})"
                blocked = [
                    m.id
                    for m in unaffected
                    if all(
                        (c := s.calls.get(m.id)) is not None
                        and c.carrier
                        and c.confident(t.min_depth, t.min_gq)
                        for s in (a, b)
                    )
                ]
                if blocked and phase == "trans":
                    status = "possible"
                    detail += f"; unaffected {', '.join(blocked)} carries both"
                for x, y in ((a, b), (b, a)):
                    label = y.hgvs_c or y.id
                    out[x.id].models.append(
                        Model("compound_het", status, f"with {label}: {detail}", y.id, phase)
                    )


PM3_CLASSES = ("Pathogenic", "Likely pathogenic")


def pm3_strength(seg: Segregation, classes: Mapping[str, str]) -> Strength | Literal["none"] | None:
    """PM3 (ClinGen SVI 2019 points, simplified) from the recessive models and the partner's
    class: in trans with P = 1 point (moderate); in trans with LP, or phase unknown with P,
    or homozygous with both parents carriers = 0.5 (supporting)."""
    best: Strength | Literal["none"] = "none"
    for m in seg.models:
        if m.name == "ar_homozygous" and m.status == "confirmed":
            best = "supporting"
        if m.name == "compound_het" and m.partner:
            cls = classes.get(m.partner)
            if cls == "Pathogenic" and m.phase == "trans":
                return "moderate"
            if cls in PM3_CLASSES:
                best = "supporting"
    return best

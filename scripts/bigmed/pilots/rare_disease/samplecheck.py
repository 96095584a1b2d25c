"""Sample checks from the data: genetic sex and relatedness against the pedigree.

**Genetic sex** combines two signals, each "not assessable" when the data are too thin:

- X/autosome depth: median mean depth of the chrX coding exons over that of the autosomal
  ones, counting only *captured* exons (mean depth >= 15 % of the 90th percentile of the
  autosomal exons with >= 1x: uncaptured exons sit near 0, a male's X exons near 50 %). Needs >= 3
  captured chrX exons outside the pseudo-autosomal regions. Male <= 0.65 < ambiguous <
  0.85 <= female (a male's single X gives 0.5, two Xs 1.0).
- X heterozygosity: heterozygous calls among the confident non-PAR chrX variant calls.
  Needs >= 10 such calls. Male <= 0.10 (genotyping errors), female >= 0.20 (at common
  SNPs most women carry some heterozygous X sites), ambiguous between.

The two agree, or one is assessable: that sex. They disagree: ambiguous. Then compared with
the declared sex (``unknown`` is not compared).

**Relatedness**: KING-robust kinship (Manichaikul et al. 2010) of every sequenced pair over
the autosomal sites where both have a confident genotype:
``phi = (N_het,het - 2 N_opposite_hom) / (N_het(i) + N_het(j))``; 0.5 duplicates, 0.25
first degree, 0.125 second, 0 unrelated (cut-offs 0.354 / 0.177 / 0.0884 / 0.0442). First
degree with an opposite-homozygote share (IBS0) below 1 % is parent-offspring, else full
siblings. Needs >= 100 informative sites (a heterozygote in either sample or opposite
homozygotes), else "not assessable". phi's standard error is about 0.75/sqrt(n) over n
informative sites (simulated unrelated pairs: 0.095 at 66 sites, 0.05 at 200). The
expected kinship comes from the pedigree
(:meth:`bigmed.pilots.rare_disease.pedigree.Family.kinship`). A
relationship is *confirmed* when the estimate falls in the expected degree and is more than
3 SE above 0 (unrelated ruled out); *contradicted* (flagged: sample swap,
non-paternity/non-maternity, wrong pedigree) when it is more than 3 SE from the expected
kinship and in another degree, or, for parent and child, when >= 2 % of the sites are
opposite homozygotes (a parent passes one allele at every site); otherwise "not
assessable". Parents expected unrelated but estimated at least second degree (and > 3 SE
above 0) are noted (consanguinity?).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bigmed.genome.genotypes import Call, Site, in_par, is_x
from bigmed.genome.reference import ContigSlice
from bigmed.intake.coverage import read_regions
from bigmed.pilots.rare_disease.pedigree import Family, relationship

CAPTURED_FRACTION = 0.15  # of the 90th-percentile autosomal exon depth (see docstring)
MIN_COVERED_DEPTH = 1.0  # exons below are outside the capture (a panel covers few exons)
MIN_X_EXONS = 3
MALE_MAX_RATIO, FEMALE_MIN_RATIO = 0.65, 0.85
MIN_X_SITES = 10
MALE_MAX_HET, FEMALE_MIN_HET = 0.10, 0.20
MIN_KINSHIP_SITES = 100
PO_MAX_IBS0 = 0.01  # parent-offspring share no opposite homozygotes (errors aside)
PO_CONTRADICT_IBS0 = 0.02  # twice that: too many opposite homozygotes for a parent and child
KING_SE = 0.75  # SE of phi ~ KING_SE / sqrt(informative sites) (simulated; see docstring)
RELATED_MIN = 0.0884  # second degree: the least relationship flagged between "unrelated" parents
AUTOSOMES = {f"chr{i}" for i in range(1, 23)} | {str(i) for i in range(1, 23)}


@dataclass
class SexCheck:
    sample: str
    declared: str
    ratio: float | None
    x_exons: int
    het_fraction: float | None
    x_sites: int
    by_depth: str  # male | female | ambiguous | not assessable
    by_het: str
    inferred: str  # male | female | ambiguous | not assessable
    status: str  # ok | mismatch | not assessable | no declared sex
    reason: str = ""


@dataclass
class PairCheck:
    a: str
    b: str
    expected_kinship: float | None
    expected: str
    kinship: float | None
    ibs0: float | None
    sites: int
    inferred: str
    status: str  # ok | mismatch | note | not assessable | no expectation
    reason: str = ""


@dataclass
class SampleChecks:
    sex: list[SexCheck] = field(default_factory=list)
    pairs: list[PairCheck] = field(default_factory=list)

    def parent_status(self, child: str, parent: str) -> str:
        """'confirmed', 'contradicted' or 'not assessable' for a parent-child pair."""
        for p in self.pairs:
            if {p.a, p.b} == {child, parent}:
                if p.status == "ok":
                    return "confirmed"
                if p.status == "mismatch":
                    return "contradicted"
        return "not assessable"

    @property
    def problems(self) -> list[str]:
        out = [
            f"{s.sample}: declared {s.declared}, genotypes say {s.inferred} ({s.reason})"
            for s in self.sex
            if s.status == "mismatch"
        ]
        out += [
            f"{p.a} and {p.b}: expected {p.expected}, genotypes say {p.inferred} ({p.reason})"
            for p in self.pairs
            if p.status == "mismatch"
        ]
        return out


# --------------------------------------------------------------------------------------------
# genetic sex
# --------------------------------------------------------------------------------------------


def read_exon_depths(
    path: str, cmap: Mapping[str, ContigSlice] | None = None
) -> list[tuple[str, int, float]]:
    """(GRCh38 chrom, 1-based GRCh38 start, mean depth) per exon of a mosdepth regions.bed.gz;
    exons on a reference slice (``cmap``) are moved to their GRCh38 coordinates."""
    out = []
    for r in read_regions(path):
        sl = (cmap or {}).get(r.chrom)
        if sl is None:
            out.append((r.chrom, r.start + 1, r.depth))
        else:
            out.append((sl.chrom, sl.start + r.start, r.depth))
    return out


def _call_sex(value: float | None, male_max: float, female_min: float) -> str:
    if value is None:
        return "not assessable"
    if value <= male_max:
        return "male"
    if value >= female_min:
        return "female"
    return "ambiguous"


def _depth_ratio(exon_depths: Sequence[tuple[str, int, float]]) -> tuple[float | None, int, str]:
    """(X/autosome depth ratio over captured exons, captured chrX exons, reason)."""
    auto = np.array([d for c, _, d in exon_depths if c in AUTOSOMES], dtype=float)
    covered = auto[auto >= MIN_COVERED_DEPTH]
    if not covered.size:
        return None, 0, "no autosomal exon depth"
    floor = CAPTURED_FRACTION * float(np.percentile(covered, 90))
    x = np.array([d for c, s, d in exon_depths if is_x(c) and not in_par(c, s) and d >= floor > 0])
    captured = auto[auto >= floor]
    n_x = int(x.size)
    if n_x >= MIN_X_EXONS and captured.size and float(np.median(captured)) > 0:
        ratio = float(np.median(x) / np.median(captured))
        return ratio, n_x, f"X/autosome depth {ratio:.2f} over {n_x} chrX exons"
    return None, n_x, f"{n_x} captured chrX exon(s), {MIN_X_EXONS} needed for the depth ratio"


def _haploid_mixture(c: Call) -> bool:
    """A haploid (male) chrX call whose reads look heterozygous (allele fraction 0.25-0.75):
    calling forced one allele, so the reads, not the genotype, show a declared male who has
    two X chromosomes."""
    af = c.allele_fraction
    return len(c.alleles) == 1 and af is not None and 0.25 <= af <= 0.75


def _x_heterozygosity(
    sample: str, sites: Iterable[Site], *, min_depth: int, min_gq: int
) -> tuple[float | None, int, str]:
    """(heterozygous share of confident non-PAR chrX calls, such calls, reason)."""
    het = hom = 0
    for s in sites:
        c = s.calls.get(sample)
        if (
            c is None
            or not s.passed
            or not is_x(s.chrom)
            or in_par(s.chrom, s.pos)
            or not c.carrier
            or not c.confident(min_depth, min_gq)
        ):
            continue
        mixed = _haploid_mixture(c)
        het += c.is_het or mixed
        hom += c.is_hom_alt and not mixed
    n_sites = het + hom
    if n_sites < MIN_X_SITES:
        return None, n_sites, f"{n_sites} confident chrX variant call(s), {MIN_X_SITES} needed"
    fraction = het / n_sites
    return fraction, n_sites, f"X heterozygosity {fraction:.2f} ({het}/{n_sites} calls)"


def _combined_sex(by_depth: str, by_het: str) -> str:
    """The assessable signals agree: that sex; they disagree: ambiguous."""
    known = [x for x in (by_depth, by_het) if x != "not assessable"]
    if not known:
        return "not assessable"
    return known[0] if len(set(known)) == 1 else "ambiguous"


def _sex_status(inferred: str, declared: str) -> str:
    if inferred == "not assessable":
        return "not assessable"
    if declared == "unknown":
        return "no declared sex"
    return "ok" if inferred == declared else "mismatch"


def genetic_sex(
    sample: str,
    declared: str,
    exon_depths: Sequence[tuple[str, int, float]],
    sites: Iterable[Site],
    *,
    min_depth: int,
    min_gq: int,
) -> SexCheck:
    """Genetic sex of one sample from X/autosome depth and X heterozygosity (module doc)."""
    ratio, n_x, depth_reason = _depth_ratio(exon_depths)
    het_fraction, n_sites, het_reason = _x_heterozygosity(
        sample, sites, min_depth=min_depth, min_gq=min_gq
    )
    by_depth = _call_sex(ratio, MALE_MAX_RATIO, FEMALE_MIN_RATIO)
    by_het = _call_sex(het_fraction, MALE_MAX_HET, FEMALE_MIN_HET)
    inferred = _combined_sex(by_depth, by_het)
    return SexCheck(
        sample,
        declared,
        ratio,
        n_x,
        het_fraction,
        n_sites,
        by_depth,
        by_het,
        inferred,
        _sex_status(inferred, declared),
        f"{depth_reason}; {het_reason}",
    )


# --------------------------------------------------------------------------------------------
# relatedness
# --------------------------------------------------------------------------------------------


def king_kinship(
    sites: Iterable[Site], a: str, b: str, *, min_depth: int, min_gq: int
) -> tuple[float | None, float | None, int]:
    """(KING-robust kinship, IBS0 share, informative sites) of two samples."""
    het_a = het_b = both = opposite = n = 0
    for s in sites:
        if not s.passed or s.chrom not in AUTOSOMES:
            continue
        ca, cb = s.calls.get(a), s.calls.get(b)
        if ca is None or cb is None:
            continue
        if not (ca.confident(min_depth, min_gq) and cb.confident(min_depth, min_gq)):
            continue
        n += 1
        het_a += ca.is_het
        het_b += cb.is_het
        both += ca.is_het and cb.is_het
        opposite += (ca.is_hom_ref and cb.is_hom_alt) or (ca.is_hom_alt and cb.is_hom_ref)
    informative = het_a + het_b - both + opposite
    if informative == 0 or het_a + het_b == 0:
        return None, None, informative
    return (both - 2 * opposite) / (het_a + het_b), opposite / n, informative


def _inferred(phi: float, ibs0: float) -> str:
    rel = relationship(phi)
    if rel == "first degree":
        return "parent-offspring" if ibs0 < PO_MAX_IBS0 else "full siblings"
    return rel


def _expected(family: Family, a: str, b: str) -> tuple[float | None, str]:
    phi = family.kinship(a, b)
    if phi is None:
        return None, "not stated"
    rel = relationship(phi)
    if rel == "first degree":
        pa, pb = family.parents(a), family.parents(b)
        if b in (family.members[a].father, family.members[a].mother) or a in (
            family.members[b].father,
            family.members[b].mother,
        ):
            return phi, "parent-offspring"
        if any(pa) and pa == pb:
            return phi, "full siblings"
    return phi, rel


def _compare(
    phi: float,
    se: float,
    ibs0: float,
    exp_phi: float | None,
    expected: str,
    inferred: str,
    detail: str,
) -> tuple[str, str]:
    """(status, reason): a relationship is confirmed only when the estimate has its degree
    and rules out 'unrelated' (> 3 SE above 0); it is contradicted only when the estimate is
    > 3 SE from the expected kinship and of another degree; otherwise not assessable."""
    if exp_phi is None:
        return "no expectation", detail
    if exp_phi == 0:
        if phi > 3 * se and phi >= RELATED_MIN:
            return (
                "note",
                f"{detail}: related although the pedigree does not say so (consanguinity?)",
            )
        return "ok", detail
    if expected == "parent-offspring" and ibs0 >= PO_CONTRADICT_IBS0:
        return "mismatch", (
            f"{detail}: opposite homozygotes at {ibs0:.1%} of sites, impossible for a parent "
            "and child: sample swap or non-paternity/non-maternity"
        )
    same_degree = relationship(phi) == relationship(exp_phi)
    if same_degree and phi > 3 * se:
        if expected in ("parent-offspring", "full siblings") and inferred != expected:
            return "note", f"{detail}: first degree, but {inferred} rather than {expected}"
        return "ok", detail
    if abs(phi - exp_phi) > 3 * se and not same_degree:
        hint = (
            "sample swap or non-paternity/non-maternity"
            if expected == "parent-offspring"
            else "sample swap or a pedigree error"
        )
        return "mismatch", f"{detail}: {hint}"
    return "not assessable", f"{detail}: too few sites to confirm or rule out {expected}"


def relatedness(
    family: Family, sites: list[Site], *, min_depth: int, min_gq: int
) -> list[PairCheck]:
    ids = [m.id for m in family.sequenced]
    out = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            exp_phi, expected = _expected(family, a, b)
            phi, ibs0, n = king_kinship(sites, a, b, min_depth=min_depth, min_gq=min_gq)
            if phi is None or ibs0 is None or n < MIN_KINSHIP_SITES:
                out.append(
                    PairCheck(
                        a,
                        b,
                        exp_phi,
                        expected,
                        phi,
                        ibs0,
                        n,
                        "not assessable",
                        "not assessable",
                        f"{n} informative site(s); {MIN_KINSHIP_SITES} needed",
                    )
                )
                continue
            inferred = _inferred(phi, ibs0)
            se = KING_SE / math.sqrt(n)
            detail = f"kinship {phi:.3f} (SE {se:.3f}), IBS0 {ibs0:.3f} over {n} sites"
            status, reason = _compare(phi, se, ibs0, exp_phi, expected, inferred, detail)
            out.append(PairCheck(a, b, exp_phi, expected, phi, ibs0, n, inferred, status, reason))
    return out


def run_checks(
    family: Family,
    sites: list[Site],
    exon_depths: Mapping[str, list[tuple[str, int, float]]],
    *,
    min_depth: int,
    min_gq: int,
) -> SampleChecks:
    sex = [
        genetic_sex(
            m.id, m.sex, exon_depths.get(m.id, []), sites, min_depth=min_depth, min_gq=min_gq
        )
        for m in family.sequenced
    ]
    return SampleChecks(sex, relatedness(family, sites, min_depth=min_depth, min_gq=min_gq))

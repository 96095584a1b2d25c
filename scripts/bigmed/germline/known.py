"""The known-variant path: what the lab, ClinGen expert panels and ClinVar already say.

Clinical laboratories (and CPSR) report a variant that an expert panel or ClinVar has
classified with enough review as that classification, beside their own criteria, and a lab
that has curated a variant itself reuses its own classification first. Here:

0. The lab's newest own classification (``lab_classification`` of the joined call, from the
   store lookup, :func:`bigmed.store.lookup.lookup`) takes precedence: the report rests on
   it, shows its version, reviewer, date and criteria, and says where ClinVar or an expert
   panel classifies the variant differently. A lab B/LB/VUS that keeps a P/LP of the engine,
   ClinVar or an expert panel out of the findings is listed as such (``Decision.withheld``),
   never silently. A partner lab's classification is shown, never used as the lab's own.
1. A ClinGen expert-panel (VCEP) classification of the allele takes precedence: the finding
   rests on it (ClinVar shows such a record at three stars).
2. Else a ClinVar record at or above ``min_stars`` (default 2: multiple submitters without
   conflict, expert panel, practice guideline) with a five-tier class: the finding rests on
   ClinVar, with its class, stars, date and conditions.
3. A ClinVar P/LP record below ``min_stars`` (one star) is listed *for review*, never a
   finding; a record with conflicting classifications shows its submissions (per-submission
   records where the bundle has them). The engine's own class stands in both cases.
4. No record: "not in ClinVar" only where the ClinVar source holds the gene completely;
   a subset that holds the gene partly or not at all makes the lookup *not assessable*.

The engine's class never silently replaces a known one, nor the reverse: :func:`decide`
returns both and says which one the report rests on. :func:`known_variant` is a pure function
of one joined call (:func:`bigmed.knowledge.join.annotate`) and the join's source status, so
any pilot can call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from bigmed.knowledge.join import coverage

FINDING_CLASSES = ("Pathogenic", "Likely pathogenic")
FIVE_TIER = (
    "Pathogenic",
    "Likely pathogenic",
    "Uncertain significance",
    "Likely benign",
    "Benign",
)
EXPERT_PANEL_STARS = 3
Status = Literal[
    "lab",  # the lab's own classification (the store): the report rests on it
    "expert_panel",  # a ClinGen expert-panel classification: the report rests on it
    "clinvar",  # ClinVar at or above the review-status threshold: the report rests on it
    "review",  # ClinVar P/LP below the threshold: listed for review, not a finding
    "conflicting",  # ClinVar conflicting classifications: submissions shown
    "below_threshold",  # another ClinVar record below the threshold: shown only
    "not_in_source",  # ClinVar holds the gene completely and not this variant
    "not_assessable",  # ClinVar here holds the gene partly or not at all
    "no_source",  # neither ClinVar nor an expert-panel source is configured
]
RESTS_ON_ENGINE = "ACMG/AMP engine"
RESTS_ON_LAB = "the lab's classification"
STATUS_TEXT = {
    "lab": "the lab's own classification",
    "expert_panel": "expert-panel classification",
    "clinvar": "known (ClinVar)",
    "review": "for review (one-star ClinVar P/LP)",
    "conflicting": "conflicting ClinVar classifications",
    "below_threshold": "ClinVar record below the review-status threshold",
    "not_in_source": "not in ClinVar",
    "not_assessable": "ClinVar lookup not assessable",
    "no_source": "no known-variant source",
}
_NO_CONDITION = {"not_provided", "not_specified", "not provided", "not specified"}


@dataclass(frozen=True)
class Known:
    """What the known-variant sources say about one variant."""

    status: Status
    cls: str | None = None  # the five-tier class the sources give (None: none usable)
    source: str = ""  # 'ClinGen TP53 VCEP' | 'ClinVar 2026-02-26'
    stars: int | None = None
    review_status: str | None = None
    date: str | None = None  # expert-panel approval / newest ClinVar submission
    conditions: tuple[str, ...] = ()
    record: str | None = None  # ClinVar variation id or expert-panel record
    submissions: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    also: str = ""  # the other source, when both have the variant
    criteria: tuple[str, ...] = field(default=())  # an expert panel's or the lab's criteria
    # the lab's classification only: its reviewer and version, what the expert panel /
    # ClinVar path says beside it, and where they (or a partner lab) classify differently
    reviewer: str | None = None
    version: int | None = None
    external: Known | None = None
    differs: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()  # partner labs' classes: shown, never used

    @property
    def rests_on_known(self) -> bool:
        return self.status in ("lab", "expert_panel", "clinvar")

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["conditions"] = list(self.conditions)
        out["submissions"] = [dict(s) for s in self.submissions]
        out["criteria"] = list(self.criteria)
        out["differs"] = list(self.differs)
        out["partners"] = list(self.partners)
        out["external"] = self.external.as_dict() if self.external else None
        out["class"] = out.pop("cls")
        return out


@dataclass(frozen=True)
class Decision:
    """The class the report gives a variant, and what it rests on."""

    reported: str
    rests_on: str  # 'ClinGen <panel> (expert panel)' | 'ClinVar (N stars)' | RESTS_ON_ENGINE
    engine: str
    engine_points: int
    known: Known
    note: str
    # a lab B/LB/VUS kept these P/LP classes out of the findings ('ACMG/AMP engine:
    # Pathogenic', 'ClinVar 2026-02-26 (2 stars): Likely pathogenic'): shown, never silent
    withheld: tuple[str, ...] = ()

    @property
    def finding(self) -> bool:
        return self.reported in FINDING_CLASSES


def _conditions(values: Any) -> tuple[str, ...]:
    out = []
    for c in values or ():
        text = str(c).replace("_", " ").strip()
        if text and text not in _NO_CONDITION and text not in out:
            out.append(text)
    return tuple(out)


def _from_panel(p: Mapping[str, Any]) -> Known:
    mondo = f"({p['mondo']})" if p.get("mondo") else ""
    disease = " ".join(x for x in (p.get("disease") or "", mondo) if x)
    return Known(
        status="expert_panel",
        cls=p["class"],
        source=f"ClinGen {p['panel']}",
        stars=EXPERT_PANEL_STARS,
        review_status="reviewed by expert panel",
        date=p.get("approval_date"),
        conditions=(disease,) if disease else (),
        record=p.get("uuid") or p.get("variation_id"),
        criteria=tuple(p.get("criteria_met") or ()),
        note=f"criteria applied by the panel: {', '.join(p.get('criteria_met') or []) or 'none'}",
    )


def _stars_text(stars: int | None, status: str | None) -> str:
    review = (status or "review status unknown").replace("_", " ")
    return f"{stars if stars is not None else '?'} star(s), {review}"


def _clinvar_known(cv: Mapping[str, Any], release: str) -> Known:
    """The ClinVar record as a :class:`Known` (status set by :func:`_from_clinvar`)."""
    subs = tuple(cv.get("submissions") or ())
    dates = [s["date"] for s in subs if s.get("date")]
    return Known(
        status="below_threshold",
        cls=cv.get("class"),
        source=f"ClinVar {release}",
        stars=cv.get("stars"),
        review_status=(cv.get("review_status") or "").replace("_", " ") or None,
        date=max(dates) if dates else None,
        conditions=_conditions(cv.get("conditions")),
        record=cv.get("variation_id"),
        submissions=subs,
    )


def _from_clinvar(cv: Mapping[str, Any], release: str, min_stars: int) -> Known:
    """The ClinVar record's status under the review-status threshold."""
    k = _clinvar_known(cv, release)
    stars_text = _stars_text(k.stars, cv.get("review_status"))
    if k.cls == "Conflicting":
        conf = (cv.get("conflicts") or "").replace("_", " ").replace("|", "; ")
        note = f"conflicting classifications ({conf or 'counts not given'})"
        if not k.submissions:
            note += "; per-submission records are not in the bundle"
        return replace(k, status="conflicting", cls=None, note=note)
    if k.cls in FIVE_TIER and k.stars is not None and k.stars >= min_stars:
        return replace(k, status="clinvar", note=stars_text)
    if k.cls in FINDING_CLASSES:
        note = (
            f"{k.cls} at {stars_text}: below the {min_stars}-star threshold, listed for "
            "review, not a finding"
        )
        return replace(k, status="review", note=note)
    return replace(k, note=f"{cv.get('significance') or 'no class'} at {stars_text}")


def _absent(gene: str | None, sources: Mapping[str, Any]) -> Known:
    """No record: 'not in ClinVar' only where ClinVar holds the gene completely."""
    cv = sources.get("clinvar") or {}
    if not cv.get("configured") and not (sources.get("clingen_vcep") or {}).get("configured"):
        return Known("no_source", note="no ClinVar or expert-panel source configured")
    if not cv.get("configured"):
        return Known("not_assessable", note="no ClinVar source configured")
    release = f"ClinVar {cv.get('version')}"
    held = coverage(cv, gene)
    if held == "complete":
        return Known("not_in_source", source=release, note=f"not in {release}")
    how = "partly" if held.startswith("partial") else "not at all"
    return Known(
        "not_assessable",
        source=release,
        note=f"{release} here is a subset that holds {gene or 'this gene'} {how}: "
        "absence from it says nothing",
    )


def _external(v: Mapping[str, Any], sources: Mapping[str, Any], min_stars: int) -> Known:
    """What the expert panels and ClinVar say (steps 1 to 4 of the module docstring)."""
    panel, cv = v.get("expert_panel"), v.get("clinvar")
    release = str((sources.get("clinvar") or {}).get("version") or "")
    if panel:
        known = _from_panel(panel)
        if cv:
            stars = _stars_text(cv.get("stars"), cv.get("review_status"))
            known = replace(known, also=f"ClinVar: {cv.get('significance')} ({stars})")
        return known
    if cv:
        return _from_clinvar(cv, release, min_stars)
    return _absent(v.get("gene"), sources)


def _partner_texts(v: Mapping[str, Any]) -> tuple[str, ...]:
    """Partner labs' classes of the call (imported exchanges): shown, never used."""
    return tuple(
        f"partner lab {p.get('lab')}: {p.get('class')} for {p.get('condition')} "
        f"({p.get('date')}; shown, not used)"
        for p in v.get("partner_classifications") or ()
    )


def _external_classes(v: Mapping[str, Any], sources: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(source, class) of the call's expert-panel and ClinVar records, whatever their
    review status (a difference from any of them is worth showing)."""
    out = []
    panel, cv = v.get("expert_panel"), v.get("clinvar")
    if panel and panel.get("class"):
        out.append((f"ClinGen {panel.get('panel')} (expert panel)", str(panel["class"])))
    if cv and cv.get("class"):
        release = (sources.get("clinvar") or {}).get("version") or ""
        stars = cv.get("stars")
        name = f"ClinVar {release}".strip() + f" ({stars if stars is not None else '?'} stars)"
        klass = str(cv["class"])
        out.append((name, "conflicting classifications" if klass == "Conflicting" else klass))
    return out


def _criterion_text(c: Any) -> str:
    if isinstance(c, Mapping):
        return f"{c.get('code')}_{str(c.get('strength') or '').replace('_', ' ')}".rstrip("_")
    return str(c)


def _from_lab(
    lab: Mapping[str, Any], v: Mapping[str, Any], sources: Mapping[str, Any], external: Known
) -> Known:
    """The lab's newest classification, with the external path kept beside it and every
    source (expert panel, ClinVar, partner lab) that classifies the variant otherwise."""
    klass = str(lab["class"])
    differs = [f"{name}: {c}" for name, c in _external_classes(v, sources) if c != klass]
    differs += [
        f"partner lab {p.get('lab')}: {p.get('class')}"
        for p in v.get("partner_classifications") or ()
        if p.get("class") != klass
    ]
    others = [
        f"{o.get('class')} for {o.get('condition')} (version {o.get('version')}, {o.get('date')})"
        for o in lab.get("other_conditions") or ()
    ]
    note = "differs from " + "; ".join(differs) if differs else "no other source differs"
    if others:
        note += "; the lab's classifications for other conditions: " + "; ".join(others)
    return Known(
        status="lab",
        cls=klass,
        source=RESTS_ON_LAB,
        review_status="reviewed by the lab",
        date=lab.get("date"),
        conditions=(str(lab["condition"]),) if lab.get("condition") else (),
        record=f"version {lab.get('version')}",
        note=note,
        criteria=tuple(_criterion_text(c) for c in lab.get("criteria") or ()),
        reviewer=lab.get("reviewer"),
        version=lab.get("version"),
        external=external,
        differs=tuple(differs),
    )


def known_variant(v: Mapping[str, Any], sources: Mapping[str, Any], min_stars: int = 2) -> Known:
    """The known-variant status of one joined call (see the module docstring): the lab's
    newest own classification where it has one, else the expert panel, else ClinVar."""
    external = _external(v, sources, min_stars)
    lab = v.get("lab_classification")
    known = _from_lab(lab, v, sources, external) if lab and lab.get("class") else external
    return replace(known, partners=_partner_texts(v))


def lab_rests_on(k: Known) -> str:
    """'the lab's classification (version 2, A. Curator, 2026-03-02)'."""
    return f"{RESTS_ON_LAB} (version {k.version}, {k.reviewer}, {k.date})"


def _withheld(engine: str, lab: Known) -> tuple[str, ...]:
    """The P/LP classes a lab B/LB/VUS keeps out of the findings: the engine's and the
    external record's (any review status), each named with its source."""
    if lab.cls in FINDING_CLASSES:
        return ()
    out = [f"{RESTS_ON_ENGINE}: {engine}"] if engine in FINDING_CLASSES else []
    ext = lab.external
    if ext is not None and ext.cls in FINDING_CLASSES:
        stars = f" ({ext.stars} stars)" if ext.stars is not None else ""
        out.append(f"{ext.source}{stars}: {ext.cls}")
    return tuple(out)


def _decide_lab(engine: str, engine_points: int, known: Known) -> Decision:
    """The lab's own class is reported; what it overrules is named (see :func:`_withheld`)."""
    assert known.cls is not None
    withheld = _withheld(engine, known)
    agree = (
        "the engine agrees"
        if engine == known.cls
        else f"the engine's own criteria give {engine} ({engine_points} points)"
    )
    note = f"{agree}; the report follows the lab's classification"
    if withheld:
        note = (
            f"not a finding because the lab classifies it {known.cls} (version {known.version}, "
            f"{known.reviewer}, {known.date}), although {'; '.join(withheld)}"
        )
    return Decision(known.cls, lab_rests_on(known), engine, engine_points, known, note, withheld)


def decide(engine: str, engine_points: int, known: Known) -> Decision:
    """The reported class: the known one where it qualifies, else the engine's; both kept."""
    if known.status == "lab" and known.cls is not None:
        return _decide_lab(engine, engine_points, known)
    if known.rests_on_known and known.cls is not None:
        rests = (
            f"{known.source} (expert panel)"
            if known.status == "expert_panel"
            else f"ClinVar ({known.stars} stars)"
        )
        note = (
            "the engine agrees"
            if engine == known.cls
            else f"the engine's own criteria give {engine} ({engine_points} points); "
            f"the report follows {known.source}"
        )
        return Decision(known.cls, rests, engine, engine_points, known, note)
    note = {
        "review": f"ClinVar lists it as {known.cls} below the review-status threshold: review",
        "conflicting": "ClinVar submitters disagree: see the submissions",
    }.get(known.status, "")
    return Decision(engine, RESTS_ON_ENGINE, engine, engine_points, known, note)


def summary(d: Decision) -> str:
    """One sentence for a finding: the reported class, the known record, the engine's class
    and what the finding rests on."""
    k = d.known
    if k.status == "lab":
        return _lab_summary(d)
    if k.rests_on_known:
        parts = [f"{k.source}: {k.cls}"]
        if k.stars is not None:
            parts.append(_stars_text(k.stars, k.review_status))
        if k.date:
            parts.append(k.date)
        if k.conditions:
            parts.append("; ".join(k.conditions))
        known_text = ", ".join(parts)
        return (
            f"{d.reported} ({known_text}); engine: {d.engine} ({d.engine_points} points). "
            f"Rests on {d.rests_on}."
        )
    extra = f" {k.note}." if k.note and k.status in ("review", "conflicting") else ""
    return f"{d.reported} (engine: {d.engine_points} points). Rests on {d.rests_on}.{extra}"


def _lab_summary(d: Decision) -> str:
    """The finding's sentence when it rests on the lab's own classification: class, version,
    reviewer, date, condition, criteria, the engine's class and every source that differs."""
    k = d.known
    crit = ", ".join(k.criteria) or "no criteria recorded"
    cond = f" for {'; '.join(k.conditions)}" if k.conditions else ""
    text = (
        f"{d.reported} ({RESTS_ON_LAB}{cond}: version {k.version}, {k.reviewer}, {k.date}; "
        f"criteria {crit}); engine: {d.engine} ({d.engine_points} points)."
    )
    if k.differs:
        text += f" Differs from {'; '.join(k.differs)}."
    return f"{text} Rests on {RESTS_ON_LAB}."

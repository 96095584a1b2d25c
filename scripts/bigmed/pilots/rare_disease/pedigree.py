"""Families of the rare-disease pilot: pedigree, sexes, affected status and HPO terms.

Three inputs describe a family, checked when the workflow is parsed:

- ``samples.tsv`` (always): roles (proband, mother, father, sibling, relative), declared sex
  and affected status, and the proband's HPO terms. Siblings share the proband's parents
  (unsequenced parents are added as placeholders); a ``relative`` has no stated relationship.
- a PED file (``rare_disease.pedigree``, optional): ``FID IID PAT MAT SEX PHENOTYPE``, FID =
  the sheet's patient. It replaces the roles' relationships for the families it lists and may
  name unsequenced members (grandparents...). Sex 1 = male, 2 = female, 0 = unknown;
  phenotype 2 = affected, 1 = unaffected, 0 / -9 = unknown. A sex or affected status that
  contradicts a known value in the sheet is an error.
- a GA4GH Phenopacket v2 JSON per patient (``rare_disease.phenopackets``, optional): the
  proband's observed HPO terms (``phenotypicFeatures`` not ``excluded``) are added to the
  sheet's; excluded terms are listed in the report; ``subject.sex`` must agree with the sheet.

HPO ids are mapped through the ontology (:mod:`bigmed.knowledge.hpo`): unknown ids stop the run,
obsolete ones are replaced (``replaced_by``, else ``consider``) with a warning.
The expected kinship of any two members follows from the pedigree (:meth:`Family.kinship`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bigmed.base import schemas
from bigmed.base.errors import InputError
from bigmed.intake.sheets import Patient, Sample
from bigmed.knowledge.hpo import Ontology, map_patient_terms

PED_SEX = {"1": "male", "2": "female", "0": "unknown"}
PED_AFFECTED = {"2": "yes", "1": "no", "0": "unknown", "-9": "unknown"}
PHENOPACKET_SEX = {
    "MALE": "male",
    "FEMALE": "female",
    "UNKNOWN_SEX": "unknown",
    "OTHER_SEX": "unknown",
}


@dataclass(frozen=True)
class Member:
    id: str
    sex: str  # male | female | unknown
    affected: str  # yes | no | unknown
    father: str | None = None
    mother: str | None = None
    sequenced: bool = True
    role: str = ""  # the sheet's role ('' for unsequenced members)


@dataclass
class Family:
    patient: str
    proband: str
    members: dict[str, Member]
    hpo: list[str] = field(default_factory=list)  # mapped, for the analysis
    hpo_given: list[str] = field(default_factory=list)  # as written in the inputs
    hpo_excluded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # 'samples sheet', PED, phenopacket paths
    ped: str | None = None  # the PED file that defined the relationships, if any

    @property
    def sequenced(self) -> list[Member]:
        return [m for m in self.members.values() if m.sequenced]

    @property
    def proband_first(self) -> list[str]:
        """Sequenced sample ids, the proband first: the order of genotype columns."""
        return [self.proband] + [m.id for m in self.sequenced if m.id != self.proband]

    def parents(self, sample: str) -> tuple[Member | None, Member | None]:
        m = self.members[sample]
        return (
            self.members.get(m.father) if m.father else None,
            self.members.get(m.mother) if m.mother else None,
        )

    def ancestors(self, sample: str) -> set[str]:
        out: set[str] = set()
        stack = [sample]
        while stack:
            m = self.members.get(stack.pop())
            for p in (m.father, m.mother) if m else ():
                if p and p not in out:
                    out.add(p)
                    stack.append(p)
        return out

    def kinship(self, a: str, b: str) -> float | None:
        """Expected kinship coefficient from the pedigree (None: relationship not stated)."""
        stated = (
            a in self.ancestors(b)
            or b in self.ancestors(a)
            or self.ancestors(a) & self.ancestors(b)
        )
        if (
            not self.ped
            and "relative" in (self.members[a].role, self.members[b].role)
            and not stated
        ):
            return None
        return _kinship(self._tuple(), a, b)

    def _tuple(self) -> tuple[tuple[str, str | None, str | None], ...]:
        return tuple(sorted((m.id, m.father, m.mother) for m in self.members.values()))

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["members"] = [asdict(m) for m in self.members.values()]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Family:
        members = {m["id"]: Member(**m) for m in d["members"]}
        return cls(
            patient=d["patient"],
            proband=d["proband"],
            members=members,
            hpo=list(d.get("hpo", [])),
            hpo_given=list(d.get("hpo_given", [])),
            hpo_excluded=list(d.get("hpo_excluded", [])),
            warnings=list(d.get("warnings", [])),
            sources=list(d.get("sources", [])),
            ped=d.get("ped"),
        )


@lru_cache(maxsize=64)
def _kinship(ped: tuple[tuple[str, str | None, str | None], ...], a: str, b: str) -> float:
    parents = {i: (f, m) for i, f, m in ped}
    depth: dict[str, int] = {}

    def generation(i: str) -> int:
        if i not in depth:
            f, m = parents.get(i, (None, None))
            depth[i] = 1 + max((generation(p) for p in (f, m) if p), default=-1)
        return depth[i]

    memo: dict[tuple[str, str], float] = {}

    def phi(x: str, y: str) -> float:
        key = (x, y) if x <= y else (y, x)
        if key in memo:
            return memo[key]
        if x == y:
            f, m = parents.get(x, (None, None))
            val = 0.5 * (1 + (phi(f, m) if f and m else 0.0))
        else:
            # recurse on the younger one (it cannot be an ancestor of the other)
            young, old = (x, y) if generation(x) >= generation(y) else (y, x)
            f, m = parents.get(young, (None, None))
            val = 0.5 * ((phi(f, old) if f else 0.0) + (phi(m, old) if m else 0.0))
        memo[key] = val
        return val

    return phi(a, b)


def relationship(kinship: float | None) -> str:
    """Degree of relationship for an (expected or estimated) kinship coefficient."""
    if kinship is None:
        return "not stated"
    if kinship >= 0.354:
        return "duplicate / identical twin"
    if kinship >= 0.177:
        return "first degree"
    if kinship >= 0.0884:
        return "second degree"
    if kinship >= 0.0442:
        return "third degree"
    return "unrelated"


# --------------------------------------------------------------------------------------------
# from the sheet
# --------------------------------------------------------------------------------------------


def family_from_sheet(patient: Patient) -> Family:
    """The pedigree implied by the sheet's roles (placeholders for unsequenced parents)."""
    proband = patient.with_role("proband")[0]
    mothers, fathers = patient.with_role("mother"), patient.with_role("father")
    siblings = patient.with_role("sibling")
    members: dict[str, Member] = {}
    father_id = fathers[0].sample if fathers else None
    mother_id = mothers[0].sample if mothers else None
    if siblings:  # full siblings need both parents, sequenced or not
        father_id = father_id or f"{patient.patient}:father"
        mother_id = mother_id or f"{patient.patient}:mother"
        for pid, sex in ((father_id, "male"), (mother_id, "female")):
            if pid.endswith((":father", ":mother")):
                members[pid] = Member(pid, sex, "unknown", sequenced=False)
    for s in patient.samples:
        if s.role in ("proband", "sibling"):
            members[s.sample] = Member(
                s.sample, s.sex, s.affected, father_id, mother_id, True, s.role
            )
        else:
            members[s.sample] = Member(s.sample, s.sex, s.affected, None, None, True, s.role)
    return Family(patient.patient, proband.sample, members, sources=["samples sheet"])


# --------------------------------------------------------------------------------------------
# PED
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PedRow:
    fid: str
    iid: str
    father: str | None
    mother: str | None
    sex: str
    affected: str
    line: int


def _ped_row(path: str, n: int, cells: list[str]) -> PedRow:
    """One PED line's row; a short line or an unknown sex/phenotype code is an InputError."""
    if len(cells) < 6:
        raise InputError(
            path,
            f"has {len(cells)} columns; a PED line has 6 (FID IID PAT MAT SEX PHENOTYPE)",
            line=n,
        )
    fid, iid, pat, mat, sex, phen = cells[:6]
    if sex not in PED_SEX:
        raise InputError(
            path, f"'{sex}' is not one of: 1 (male), 2 (female), 0 (unknown)", line=n, field="sex"
        )
    if phen not in PED_AFFECTED:
        raise InputError(
            path,
            f"'{phen}' is not one of: 2 (affected), 1 (unaffected), 0 or -9 (unknown)",
            line=n,
            field="phenotype",
        )
    return PedRow(
        fid,
        iid,
        None if pat == "0" else pat,
        None if mat == "0" else mat,
        PED_SEX[sex],
        PED_AFFECTED[phen],
        n,
    )


def _check_parents(path: str, rows: list[PedRow]) -> None:
    """Every named parent has a line in the same family and is not coded the other sex."""
    for r in rows:
        for parent, col, sex in ((r.father, "PAT", "female"), (r.mother, "MAT", "male")):
            if parent is None:
                continue
            row = next((x for x in rows if x.fid == r.fid and x.iid == parent), None)
            if row is None:
                raise InputError(
                    path,
                    f"parent '{parent}' of '{r.iid}' has no line in family '{r.fid}'",
                    line=r.line,
                    field=col,
                )
            if row.sex == sex:
                what = "father" if col == "PAT" else "mother"
                raise InputError(
                    path,
                    f"'{parent}' is the {what} of '{r.iid}' but is coded {sex}",
                    line=row.line,
                    field="sex",
                )


def read_ped(path: str) -> list[PedRow]:
    """A PED file's rows (comments and blank lines skipped); malformed lines raise InputError."""
    p = Path(path)
    if not p.is_file():
        raise InputError(path, "PED file not found")
    rows: list[PedRow] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"is not UTF-8 text (byte {err.start})") from None
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        row = _ped_row(path, n, raw.split())
        if (row.fid, row.iid) in seen:
            raise InputError(
                path,
                f"individual '{row.iid}' of family '{row.fid}' appears twice "
                f"(first on line {seen[row.fid, row.iid]})",
                line=n,
                field="IID",
            )
        seen[row.fid, row.iid] = n
        rows.append(row)
    _check_parents(path, rows)
    return rows


def _ped_member(r: PedRow, s: Sample | None, patient: str, path: str) -> Member:
    """The member of a PED row; its sex and affected status must agree with the sheet's
    (``s``, None for a member the sheet does not list), which fills in the PED's unknowns."""
    if s is None:
        return Member(r.iid, r.sex, r.affected, r.father, r.mother, False, "")
    if s.patient != patient:
        raise InputError(
            path,
            f"'{r.iid}' belongs to patient '{s.patient}' in the samples sheet, not '{r.fid}'",
            line=r.line,
            field="FID",
        )
    if "unknown" not in (s.sex, r.sex) and s.sex != r.sex:
        raise InputError(
            path,
            f"'{r.iid}' is {r.sex} here but {s.sex} in the samples sheet (line {s.line})",
            line=r.line,
            field="sex",
        )
    if "unknown" not in (s.affected, r.affected) and s.affected != r.affected:
        raise InputError(
            path,
            f"'{r.iid}' is {'affected' if r.affected == 'yes' else 'unaffected'} here but "
            f"affected={s.affected} in the samples sheet (line {s.line})",
            line=r.line,
            field="phenotype",
        )
    sex = s.sex if r.sex == "unknown" else r.sex
    affected = s.affected if r.affected == "unknown" else r.affected
    return Member(r.iid, sex, affected, r.father, r.mother, True, s.role)


def _check_sheet_parents(
    family: Family, proband: Member, line: int, path: str, samples: Mapping[str, Sample]
) -> None:
    """The sheet's mother/father of the family are the PED's parents of the proband."""
    for role, parent in (("mother", proband.mother), ("father", proband.father)):
        for s in (x for x in samples.values() if x.patient == family.patient and x.role == role):
            if parent != s.sample:
                raise InputError(
                    path,
                    f"the samples sheet names '{s.sample}' (line {s.line}) as the proband's "
                    f"{role}, the PED file names {repr(parent) if parent else 'none'}",
                    line=line,
                    field="PAT" if role == "father" else "MAT",
                )


def apply_ped(
    family: Family, rows: list[PedRow], path: str, samples: Mapping[str, Sample]
) -> Family:
    """The family with the PED's relationships; the sheet and the PED must agree."""
    mine = [r for r in rows if r.fid == family.patient]
    if not mine:
        return family
    by_id = {r.iid: r for r in mine}
    for m in family.sequenced:
        if m.id not in by_id:
            raise InputError(
                path,
                f"sample '{m.id}' of family '{family.patient}' (samples sheet line "
                f"{samples[m.id].line}) has no line in the PED file",
                field="IID",
            )
    members = {r.iid: _ped_member(r, samples.get(r.iid), family.patient, path) for r in mine}
    line = by_id[family.proband].line
    _check_sheet_parents(family, members[family.proband], line, path, samples)
    return Family(
        family.patient,
        family.proband,
        members,
        list(family.hpo),
        list(family.hpo_given),
        list(family.hpo_excluded),
        list(family.warnings),
        [*family.sources, path],
        ped=path,
    )


# --------------------------------------------------------------------------------------------
# Phenopackets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhenopacketTerms:
    observed: list[tuple[str, str]]  # (HPO id, JSON path of the id)
    excluded: list[tuple[str, str]]
    sex: str


def read_phenopacket(path: str) -> PhenopacketTerms:
    """Observed/excluded HPO ids and the subject's sex of a Phenopacket v2 JSON (validated)."""
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except FileNotFoundError:
        raise InputError(path, "phenopacket file not found") from None
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err.msg})", line=err.lineno) from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"is not UTF-8 text (byte {err.start})") from None
    with open(schemas.schema_path("phenopacket.schema.yaml")) as handle:
        schema = yaml.safe_load(handle)
    schemas.check(path, schema, doc, "GA4GH Phenopacket v2", brackets=True)
    observed: list[tuple[str, str]] = []
    excluded: list[tuple[str, str]] = []
    for i, feat in enumerate(doc.get("phenotypicFeatures", [])):
        item = (feat["type"]["id"], f"phenotypicFeatures[{i}].type.id")
        (excluded if feat.get("excluded") else observed).append(item)
    sex = PHENOPACKET_SEX.get(str(doc.get("subject", {}).get("sex", "UNKNOWN_SEX")), "unknown")
    return PhenopacketTerms(observed, excluded, sex)


# --------------------------------------------------------------------------------------------
# all families of a batch
# --------------------------------------------------------------------------------------------


def _map(
    ontology: Ontology | None, terms: list[tuple[str, str]], path: str, line: int | None
) -> tuple[list[str], list[str]]:
    if ontology is None:
        return [t for t, _ in terms], []
    out: list[str] = []
    warnings: list[str] = []
    for term, where in terms:
        ids, warn = map_patient_terms(ontology, [term], path=path, line=line, field_name=where)
        out += [i for i in ids if i not in out]
        warnings += [
            f"{path}: {f'line {line}: ' if line else ''}field '{where}': {w}" for w in warn
        ]
    return out, warnings


def check_sheet_terms(ontology: Ontology, sheet: str, samples: Iterable[Sample]) -> list[str]:
    """Every sheet row's HPO ids exist (InputError otherwise); warnings for obsolete ones."""
    warnings: list[str] = []
    for s in samples:
        _, warn = _map(ontology, [(t, "phenotypes") for t in s.phenotypes], sheet, s.line)
        warnings += warn
    return warnings


def _check_ped_families(
    patients: Mapping[str, Patient], ped: str, rows: list[PedRow], pilot: str
) -> None:
    """Every family of the PED file is a patient of the pilot."""
    for r in rows:
        p = patients.get(r.fid)
        if p is None or p.pilot != pilot:
            raise InputError(
                ped,
                f"family '{r.fid}' is not a {pilot} patient of the samples sheet",
                line=r.line,
                field="FID",
            )


def _check_phenopacket_patients(
    patients: Mapping[str, Patient], phenopackets: Mapping[str, str], pilot: str
) -> None:
    """Every phenopacket of the config belongs to a patient of the pilot."""
    for pid in phenopackets:
        if pid not in patients or patients[pid].pilot != pilot:
            raise InputError(
                "config",
                f"patient '{pid}' is not a {pilot} patient of the samples sheet",
                field=f"{pilot}.phenopackets.{pid}",
            )


def _add_phenopacket(fam: Family, proband: Sample, path: str, ontology: Ontology | None) -> None:
    """The phenopacket's observed and excluded terms added to the family (sexes must agree)."""
    pp = read_phenopacket(path)
    if "unknown" not in (pp.sex, proband.sex) and pp.sex != proband.sex:
        raise InputError(
            path,
            f"subject is {pp.sex} here but proband '{proband.sample}' is {proband.sex} in "
            f"the samples sheet (line {proband.line})",
            field="subject.sex",
        )
    obs, warn = _map(ontology, pp.observed, path, None)
    exc, warn2 = _map(ontology, pp.excluded, path, None)
    fam.hpo += [t for t in obs if t not in fam.hpo]
    fam.hpo_given += [t for t, _ in pp.observed if t not in fam.hpo_given]
    fam.hpo_excluded = [t for t in exc if t not in fam.hpo]
    fam.warnings += warn + warn2
    fam.sources.append(path)


def load_families(
    patients: Mapping[str, Patient],
    sheet: str,
    *,
    ontology: Ontology | None,
    ped: str | None = None,
    phenopackets: Mapping[str, str] | None = None,
    pilot: str = "rare_disease",
) -> dict[str, Family]:
    """Families of the pilot's patients from the sheet, the PED file and the phenopackets."""
    samples = {s.sample: s for p in patients.values() for s in p.samples}
    ped_rows = read_ped(ped) if ped else []
    if ped:
        _check_ped_families(patients, ped, ped_rows, pilot)
    _check_phenopacket_patients(patients, phenopackets or {}, pilot)
    out: dict[str, Family] = {}
    for pid, patient in patients.items():
        if patient.pilot != pilot:
            continue
        fam = family_from_sheet(patient)
        if ped:
            fam = apply_ped(fam, ped_rows, ped, samples)
        proband = samples[fam.proband]
        given = [(t, "phenotypes") for t in proband.phenotypes]
        fam.hpo, fam.warnings = _map(ontology, given, sheet, proband.line)
        fam.hpo_given = [t for t, _ in given]
        pp_path = (phenopackets or {}).get(pid)
        if pp_path:
            _add_phenopacket(fam, proband, pp_path, ontology)
        out[pid] = fam
    return out

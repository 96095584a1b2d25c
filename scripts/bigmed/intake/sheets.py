"""Sample and unit sheets: parsing, schema validation and cross-row checks.

Every problem is raised as :class:`InputError` naming the sheet, the line (1-based,
header is line 1) and the field, so that a run stops before any job with one line.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from bigmed.base import schemas
from bigmed.base.errors import InputError

SAMPLE_COLUMNS = (
    "patient",
    "sample",
    "role",
    "sex",
    "affected",
    "pilot",
    "phenotypes",
    "tumor_type",
    "purity",
    "indication",
)
UNIT_COLUMNS = ("sample", "unit", "fq1", "fq2", "bam")  # bam: aligned input (BAM or CRAM)
FAMILY_ROLES = {"proband", "mother", "father", "sibling", "relative"}


@dataclass(frozen=True)
class Sample:
    patient: str
    sample: str
    role: str
    sex: str
    affected: str
    pilot: str
    phenotypes: tuple[str, ...] = ()
    tumor_type: str | None = None
    purity: float | None = None
    line: int = 0
    indication: tuple[str, ...] = ()  # cardiac referral indication codes (e.g. DCM, LQTS)


@dataclass(frozen=True)
class Unit:
    sample: str
    unit: str
    fq1: str
    fq2: str
    line: int = 0
    bam: str | None = None  # aligned input instead of fq1/fq2 (then both are "")


@dataclass
class Patient:
    patient: str
    pilot: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def sample_ids(self) -> list[str]:
        return [s.sample for s in self.samples]

    def with_role(self, *roles: str) -> list[Sample]:
        return [s for s in self.samples if s.role in roles]


def read_tsv(
    path: str | os.PathLike[str],
    expected: tuple[str, ...],
    required: tuple[str, ...],
    allow_empty: bool = False,
) -> list[tuple[int, dict[str, str]]]:
    """Read a tab-separated sheet into (line number, row) pairs, empty cells dropped;
    ``allow_empty``: a header without rows is a valid, empty sheet."""
    lines = _sheet_text(str(path)).splitlines()
    content = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")]
    if not content:
        raise InputError(
            str(path), "is empty; expected a header line with columns " + ", ".join(expected)
        )
    header_line, header = content[0]
    columns = _columns(str(path), header_line, header, expected, required)
    rows: list[tuple[int, dict[str, str]]] = []
    for lineno, ln in content[1:]:
        cells = ln.split("\t")
        if len(cells) > len(columns):
            raise InputError(
                str(path),
                f"has {len(cells)} cells but the header has {len(columns)} columns",
                line=lineno,
            )
        row = {col: cell.strip() for col, cell in zip(columns, cells, strict=False) if cell.strip()}
        rows.append((lineno, row))
    if not rows and not allow_empty:
        raise InputError(str(path), "has a header but no rows")
    return rows


def _sheet_text(path: str) -> str:
    """The sheet's text: it must exist and be UTF-8 without a byte-order mark."""
    p = Path(path)
    if not os.path.isfile(path):  # False, not OSError, for a name too long to exist
        raise InputError(path, "file not found")
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror})") from err
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            path, "starts with a UTF-8 byte-order mark (BOM); save it as plain UTF-8", line=1
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"is not UTF-8 text (byte {err.start})") from err


def _columns(
    path: str, line: int, header: str, expected: tuple[str, ...], required: tuple[str, ...]
) -> list[str]:
    """The header's columns: tab-separated, known, unique, the required ones present."""
    if "\t" not in header and ("," in header or ";" in header) and len(required) > 1:
        delim = "," if "," in header else ";"
        raise InputError(path, f"header is separated by '{delim}', expected tabs", line=line)
    columns = [c.strip() for c in header.split("\t")]
    for col in columns:
        if col not in expected:
            raise InputError(
                path, f"unknown column '{col}'; allowed: " + ", ".join(expected), line=line
            )
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise InputError(path, f"column '{dup}' appears twice", line=line)
    for col in required:
        if col not in columns:
            raise InputError(path, f"missing required column '{col}'", line=line)
    return columns


def _schema_error(path: str, lineno: int, err: jsonschema.ValidationError) -> InputError:
    if err.validator == "required":
        missing = str(err.message).split("'")[1]
        return InputError(path, "empty or missing value", line=lineno, field=missing)
    if err.validator == "additionalProperties":
        return InputError(path, str(err.message), line=lineno)
    fieldname = str(err.path[0]) if err.path else None
    value = err.instance
    if err.validator == "enum":
        allowed = ", ".join(str(v) for v in err.validator_value)
        msg = f"'{value}' is not one of: {allowed}"
    elif err.validator == "pattern":
        msg = f"'{value}' does not match the expected format {err.validator_value}"
    else:
        msg = str(err.message)
    return InputError(path, msg, line=lineno, field=fieldname)


def _validate_rows(path: str, rows: list[tuple[int, dict[str, Any]]], schema_name: str) -> None:
    validator = jsonschema.Draft202012Validator(schemas.load_schema(schema_name))
    for lineno, row in rows:
        errors = sorted(validator.iter_errors(row), key=lambda e: (list(e.path), e.validator))
        if errors:
            raise _schema_error(path, lineno, errors[0])


def read_samples(path: str | os.PathLike[str]) -> list[Sample]:
    path = str(path)
    rows = read_tsv(path, SAMPLE_COLUMNS, ("patient", "sample", "role", "sex", "affected", "pilot"))
    typed: list[tuple[int, dict[str, Any]]] = []
    for lineno, row in rows:
        conv: dict[str, Any] = dict(row)
        if "purity" in conv:
            try:
                conv["purity"] = float(conv["purity"])
            except ValueError:
                raise InputError(
                    path, f"'{row['purity']}' is not a number", line=lineno, field="purity"
                ) from None
        typed.append((lineno, conv))
    _validate_rows(path, typed, "samples.schema.yaml")
    samples = [
        Sample(
            patient=r["patient"],
            sample=r["sample"],
            role=r["role"],
            sex=r["sex"],
            affected=r["affected"],
            pilot=r["pilot"],
            phenotypes=tuple(r["phenotypes"].split(";")) if "phenotypes" in r else (),
            tumor_type=r.get("tumor_type"),
            purity=r.get("purity"),
            line=lineno,
            indication=tuple(r["indication"].split(";")) if "indication" in r else (),
        )
        for lineno, r in typed
    ]
    check_samples(path, samples)
    return samples


def check_samples(path: str, samples: list[Sample]) -> None:
    """Cross-row rules: unique ids, one pilot per patient, a proband or a tumor per patient."""
    seen: dict[str, int] = {}
    for s in samples:
        if s.sample in seen:
            raise InputError(
                path,
                f"duplicate sample id '{s.sample}' (first on line {seen[s.sample]})",
                line=s.line,
                field="sample",
            )
        seen[s.sample] = s.line
    for p in group_patients(samples).values():
        _check_one_pilot(path, p)
        if p.pilot == "crc":
            _check_tumor_patient(path, p)
        else:
            _check_family(path, p)
    for s in samples:
        if s.indication and s.pilot != "cardiac":
            raise InputError(
                path,
                f"a referral indication applies to cardiac patients only (pilot is '{s.pilot}')",
                line=s.line,
                field="indication",
            )


def _check_one_pilot(path: str, p: Patient) -> None:
    first = p.samples[0]
    for s in p.samples[1:]:
        if s.pilot != first.pilot:
            raise InputError(
                path,
                f"patient '{p.patient}' has pilot '{s.pilot}' here but "
                f"'{first.pilot}' on line {first.line}",
                line=s.line,
                field="pilot",
            )


def _check_tumor_patient(path: str, p: Patient) -> None:
    """A crc patient: tumor and normal roles only, one tumor with an OncoTree code, at
    most one normal."""
    roles = [s.role for s in p.samples]
    for s in p.samples:
        if s.role not in ("tumor", "normal"):
            raise InputError(
                path,
                f"role '{s.role}' is not allowed in a crc patient (use tumor or normal)",
                line=s.line,
                field="role",
            )
    if roles.count("tumor") != 1:
        raise InputError(
            path,
            f"crc patient '{p.patient}' needs exactly one tumor sample, "
            f"found {roles.count('tumor')}",
            line=p.samples[0].line,
            field="role",
        )
    if roles.count("normal") > 1:
        s = [x for x in p.samples if x.role == "normal"][1]
        raise InputError(
            path,
            f"crc patient '{p.patient}' has more than one normal sample",
            line=s.line,
            field="role",
        )
    tumor = p.with_role("tumor")[0]
    if tumor.tumor_type is None:
        raise InputError(
            path,
            "tumor sample needs an OncoTree code (e.g. COADREAD)",
            line=tumor.line,
            field="tumor_type",
        )


def _check_family(path: str, p: Patient) -> None:
    """A family (rare disease, cardiac): no tumor/normal roles, one proband, at most one
    mother and one father, neither declared the other sex."""
    for s in p.samples:
        if s.role in ("tumor", "normal"):
            raise InputError(
                path,
                f"role '{s.role}' belongs to a crc patient, but patient "
                f"'{p.patient}' has pilot '{p.pilot}'",
                line=s.line,
                field="role",
            )
    probands = [s.role for s in p.samples].count("proband")
    if probands != 1:
        raise InputError(
            path,
            f"family '{p.patient}' needs exactly one proband, found {probands}",
            line=p.samples[0].line,
            field="role",
        )
    for parent, sex in (("mother", "male"), ("father", "female")):
        found = [s for s in p.samples if s.role == parent]
        if len(found) > 1:
            raise InputError(
                path,
                f"family '{p.patient}' has more than one {parent}",
                line=found[1].line,
                field="role",
            )
        if found and found[0].sex == sex:
            raise InputError(
                path,
                f"{parent} '{found[0].sample}' is declared {sex}",
                line=found[0].line,
                field="sex",
            )


def group_patients(samples: list[Sample]) -> dict[str, Patient]:
    patients: dict[str, Patient] = {}
    for s in samples:
        patients.setdefault(s.patient, Patient(s.patient, s.pilot)).samples.append(s)
    return patients


def read_units(
    path: str | os.PathLike[str], samples: list[Sample], without_reads: frozenset[str] = frozenset()
) -> list[Unit]:
    """Units of every sample; samples in ``without_reads`` (VCF input) need none."""
    path = str(path)
    # a batch whose every patient enters as a VCF needs no units
    rows = read_tsv(path, UNIT_COLUMNS, ("sample", "unit"), allow_empty=bool(without_reads))
    for lineno, r in rows:
        if "bam" in r and ("fq1" in r or "fq2" in r):
            raise InputError(
                path, "give either fq1 and fq2 or bam, not both", line=lineno, field="bam"
            )
        for mate in ("fq1", "fq2"):
            if "bam" not in r and mate not in r:
                raise InputError(path, "empty or missing value", line=lineno, field=mate)
    _validate_rows(path, rows, "units.schema.yaml")
    known = {s.sample for s in samples}
    units: list[Unit] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, r in rows:
        if r["sample"] not in known:
            raise InputError(
                path,
                f"sample '{r['sample']}' is not in the sample sheet",
                line=lineno,
                field="sample",
            )
        key = (r["sample"], r["unit"])
        if key in seen:
            raise InputError(
                path,
                f"unit '{r['unit']}' of sample '{r['sample']}' appears twice "
                f"(first on line {seen[key]})",
                line=lineno,
                field="unit",
            )
        seen[key] = lineno
        units.append(
            Unit(r["sample"], r["unit"], r.get("fq1", ""), r.get("fq2", ""), lineno, r.get("bam"))
        )
    per_sample: dict[str, int] = defaultdict(int)
    for u in units:
        per_sample[u.sample] += 1
    for s in samples:
        if s.sample not in per_sample and s.sample not in without_reads:
            raise InputError(
                path,
                f"sample '{s.sample}' (samples sheet line {s.line}) has no unit",
                field="sample",
            )
    return units

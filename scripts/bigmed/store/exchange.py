"""Anonymised exchange between labs: export of the store, import of a partner's export.

An export is a folder:

- ``classifications.tsv``: the newest version of every lab classification, in the
  columns of ClinVar's submission spreadsheet (Variant sheet) that apply, plus the VRS id and
  the ACMG criteria; dates to the month, no reviewer, no comment unless asked for;
- ``counts.tsv``: per allele, pilot and kind (germline, somatic, normal) the number of
  patients (families) that carry it and the cohort it is counted in; any count below
  ``min_count`` (default 5) is written ``<5``;
- ``alleles.vrs.json``: the GA4GH VRS 2.0 Allele of every exported allele, with its id;
- ``manifest.json``: lab, month of export, format version, threshold, cohort sizes
  (suppressed likewise) and the sha256 of each file.

Nothing per patient or per sample leaves the store: no ids, no genotypes, no sex,
phenotype, file name or date finer than a month. The import reads such a folder (checksums
first) into the partner tables, replacing that partner's earlier import in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select

from bigmed.base.atomic import write_text
from bigmed.base.errors import InputError
from bigmed.store import schema
from bigmed.store.classifications import CLASSES, Classification, all_latest
from bigmed.store.db import Store, insert_rows, lock_for_writing, now
from bigmed.store.observations import Variant, ensure_variants, prune_variants
from bigmed.store.vrs import LocalSequenceProxy, VrsAllele, vrs_allele

FORMAT = "bigmed-exchange"
FORMAT_VERSION = 1
MIN_COUNT = 5  # counts below are written "<5": the usual small-cell rule of health statistics
FILES = ("classifications.tsv", "counts.tsv", "alleles.vrs.json")
CLASSIFICATION_COLUMNS = [
    "VRS ID",
    "Assembly",
    "Chromosome",
    "Start",
    "Stop",
    "Reference allele",
    "Alternate allele",
    "Gene symbol",
    "Reference sequence",
    "HGVS",
    "Condition ID type",
    "Condition ID value",
    "Preferred condition name",
    "Clinical significance",
    "Date last evaluated",
    "ACMG criteria",
    "Assertion method",
    "Collection method",
    "Allele origin",
    "Comment on clinical significance",
]
COUNT_COLUMNS = [
    "VRS ID",
    "Chromosome",
    "Start",
    "Reference allele",
    "Alternate allele",
    "pilot",
    "kind",
    "patients",
    "cohort",
]
_ONTOLOGY = re.compile(r"^(MONDO|OMIM|MIM|Orphanet|ORPHA|MedGen|HP):\S+$")


def suppress(n: int, min_count: int) -> str:
    """A count as exported: the number, or '<min_count' below the threshold."""
    return str(n) if n >= min_count else f"<{min_count}"


@dataclass
class Export:
    folder: Path
    classifications: int
    counts: int
    suppressed: int
    no_vrs: list[str]


def _tsv(columns: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if x is None else str(x).replace("\t", " ").replace("\n", " ") for x in r])
    return buf.getvalue()


def _variant_info(conn: Connection) -> dict[str, dict[str, Any]]:
    v = schema.variants
    return {r["key"]: dict(r) for r in conn.execute(select(v)).mappings()}


def _condition(text: str) -> tuple[str, str, str]:
    """(ID type, ID value, preferred name) of a condition as the lab wrote it."""
    if _ONTOLOGY.match(text):
        kind, value = text.split(":", 1)
        return kind, value, ""
    return "", "", text


def _classification_row(
    c: Classification, info: dict[str, Any], vrs_id: str | None, comments: bool
) -> list[Any]:
    id_type, id_value, name = _condition(c.condition)
    crit = ",".join(f"{x['code']}_{x['strength']}" for x in c.criteria)
    return [
        vrs_id,
        "GRCh38",
        info["chrom"].removeprefix("chr"),
        info["pos"],
        info["pos"] + len(info["ref"]) - 1,
        info["ref"],
        info["alt"],
        info.get("gene"),
        info.get("transcript"),
        info.get("hgvs_c"),
        id_type,
        id_value,
        name,
        c.klass,
        c.evaluated[:7],
        crit,
        "ACMG/AMP 2015 (Richards et al.), ClinGen SVI refinements",
        "clinical testing",
        "germline",
        c.comment if comments else "",
    ]


def _cohorts(conn: Connection, counted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Cohort size per (pilot, kind): a pilot's patients for germline (every pilot) and
    somatic counts, its normals for the panel of normals (kinds the export has rows of)."""
    p = schema.patients
    out: dict[tuple[str, str], int] = {}
    for pilot, n, normals in conn.execute(
        select(p.c.pilot, func.count(), func.sum(p.c.normals)).group_by(p.c.pilot)
    ):
        out[(pilot, "germline")] = int(n)
        if (pilot, "somatic") in counted:
            out[(pilot, "somatic")] = int(n)
        if (pilot, "normal") in counted:
            out[(pilot, "normal")] = int(normals or 0)
    return out


def _count_rows(conn: Connection) -> list[tuple[str, str, str, int]]:
    """(variant key, pilot, kind, patients) for every allele seen."""
    o, p, v = schema.observations, schema.patients, schema.variants
    q = (
        select(v.c.key, p.c.pilot, o.c.kind, func.count(func.distinct(o.c.patient_id)))
        .join(p, p.c.id == o.c.patient_id)
        .join(v, v.c.id == o.c.variant_id)
        .group_by(v.c.key, p.c.pilot, o.c.kind)
        .order_by(v.c.key, p.c.pilot, o.c.kind)
    )
    return [(k, pilot, kind, int(n)) for k, pilot, kind, n in conn.execute(q)]


def _manifest(lab: str, min_count: int, cohorts: dict[tuple[str, str], int]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lab": lab,
        "exported": dt.date.today().strftime("%Y-%m"),
        "assembly": "GRCh38",
        "vrs": {"version": "2.0", "ga4gh.vrs": _package_version("ga4gh.vrs")},
        "min_count": min_count,
        "cohort": {
            f"{pilot}/{kind}": suppress(n, min_count)
            for (pilot, kind), n in sorted(cohorts.items())
        },
    }


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _count_table(
    counts: list[tuple[str, str, str, int]],
    info: dict[str, dict[str, Any]],
    alleles: dict[str, VrsAllele],
    cohorts: dict[tuple[str, str], int],
    min_count: int,
) -> list[list[Any]]:
    return [
        [
            alleles[k].id,
            info[k]["chrom"].removeprefix("chr"),
            info[k]["pos"],
            info[k]["ref"],
            info[k]["alt"],
            pilot,
            kind,
            suppress(n, min_count),
            suppress(cohorts.get((pilot, kind), 0), min_count),
        ]
        for k, pilot, kind, n in counts
    ]


def _write(out: Path, texts: dict[str, str], manifest: dict[str, Any]) -> None:
    """The files, then the manifest with their checksums (written last: a folder without
    a manifest is an unfinished export)."""
    manifest["files"] = {n: hashlib.sha256(t.encode()).hexdigest() for n, t in texts.items()}
    for name, text in texts.items():
        write_text(out / name, text)
    write_text(out / "manifest.json", json.dumps(manifest, indent=1) + "\n")


def export(
    store: Store,
    folder: str | Path,
    lab: str,
    proxy: LocalSequenceProxy,
    min_count: int = MIN_COUNT,
    comments: bool = False,
    omit_suppressed: bool = False,
) -> Export:
    """Write the exchange folder of ``store`` (see the module docstring)."""
    if min_count < 1:
        raise InputError("--min-count", "the suppression threshold must be at least 1")
    with store.begin() as conn:
        info = _variant_info(conn)
        classes = all_latest(conn)
        counts = _count_rows(conn)
        cohorts = _cohorts(conn, {(pilot, kind) for _k, pilot, kind, _n in counts})
    if omit_suppressed:
        counts = [c for c in counts if c[3] >= min_count]
    keys = sorted({c.variant for c in classes} | {c[0] for c in counts})
    alleles = {
        k: vrs_allele(proxy, *(info[k][f] for f in ("chrom", "pos", "ref", "alt"))) for k in keys
    }
    class_rows = [
        _classification_row(c, info[c.variant], alleles[c.variant].id, comments)
        for c in sorted(classes, key=lambda c: (c.variant, c.condition))
    ]
    vrs_json = [a.allele for a in alleles.values() if a.allele]
    texts = {
        "classifications.tsv": _tsv(CLASSIFICATION_COLUMNS, class_rows),
        "counts.tsv": _tsv(COUNT_COLUMNS, _count_table(counts, info, alleles, cohorts, min_count)),
        "alleles.vrs.json": json.dumps(vrs_json, indent=1) + "\n",
    }
    _write(Path(folder), texts, _manifest(lab, min_count, cohorts))
    return Export(
        Path(folder),
        len(class_rows),
        len(counts),
        sum(1 for c in counts if c[3] < min_count),
        [k for k, a in alleles.items() if a.id is None],
    )


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(str(path), f"cannot read the exchange manifest ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise InputError(str(path), f"not valid JSON (line {err.lineno})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(str(path), f"not a {FORMAT} manifest", field="format")
    if not isinstance(doc.get("format_version"), int) or doc["format_version"] > FORMAT_VERSION:
        raise InputError(
            str(path),
            f"exchange format version {doc.get('format_version')} is newer than this bigmed "
            f"reads ({FORMAT_VERSION}): upgrade bigmed",
            field="format_version",
        )
    for name in FILES:
        data = (folder / name).read_bytes() if (folder / name).is_file() else None
        if data is None:
            raise InputError(str(folder / name), "file of the export is missing")
        if hashlib.sha256(data).hexdigest() != (doc.get("files") or {}).get(name):
            raise InputError(
                str(folder / name), "sha256 differs from the manifest (changed or truncated)"
            )
    return doc


def _rows(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, [])
        for col in columns:
            if col not in header:
                raise InputError(str(path), f"missing column '{col}'", line=1)
        return [(n, dict(zip(header, r, strict=False))) for n, r in enumerate(reader, start=2) if r]


def _allele(path: Path, line: int, row: dict[str, str], start: str = "Start") -> Variant:
    chrom = "chr" + row["Chromosome"].removeprefix("chr")
    ref, alt = row["Reference allele"].upper(), row["Alternate allele"].upper()
    if not row[start].isdigit() or not re.fullmatch(r"[ACGTN]+", ref + alt) or not ref or not alt:
        raise InputError(str(path), "not a GRCh38 allele (Chromosome, Start, alleles)", line=line)
    gene = row.get("Gene symbol") or None
    return Variant(
        chrom,
        int(row[start]),
        ref,
        alt,
        gene=gene,
        transcript=row.get("Reference sequence") or None,
        hgvs_c=row.get("HGVS") or None,
    )


def _count(path: Path, line: int, field: str, text: str) -> int | None:
    """An exported count: a number, or None for a suppressed '<N'."""
    if re.fullmatch(r"<\d+", text):
        return None
    if text.isdigit():
        return int(text)
    raise InputError(str(path), f"'{text}' is neither a count nor '<N'", line=line, field=field)


def _partner_classes(folder: Path) -> list[tuple[Variant, dict[str, Any]]]:
    path = folder / "classifications.tsv"
    out = []
    for line, row in _rows(path, CLASSIFICATION_COLUMNS):
        if row["Clinical significance"] not in CLASSES.values():
            raise InputError(
                str(path),
                f"'{row['Clinical significance']}' is not an ACMG class",
                line=line,
                field="Clinical significance",
            )
        condition = (
            f"{row['Condition ID type']}:{row['Condition ID value']}"
            if row["Condition ID type"]
            else row["Preferred condition name"]
        )
        out.append(
            (
                _allele(path, line, row),
                {
                    "condition": condition,
                    "class": row["Clinical significance"],
                    "criteria": row["ACMG criteria"],
                    "evaluated": row["Date last evaluated"][:7],
                    "vrs_id": row["VRS ID"] or None,
                },
            )
        )
    return out


def _partner_counts(folder: Path) -> list[tuple[Variant, dict[str, Any]]]:
    path = folder / "counts.tsv"
    out = []
    for line, row in _rows(path, COUNT_COLUMNS):
        if row["kind"] not in ("germline", "somatic", "normal"):
            raise InputError(str(path), f"unknown kind '{row['kind']}'", line=line, field="kind")
        out.append(
            (
                _allele(path, line, row),
                {
                    "pilot": row["pilot"],
                    "kind": row["kind"],
                    "patients": _count(path, line, "patients", row["patients"]),
                    "cohort": _count(path, line, "cohort", row["cohort"]),
                },
            )
        )
    return out


def import_export(store: Store, folder: str | Path, partner: str | None = None) -> dict[str, Any]:
    """Take a partner lab's export as a knowledge source: its classifications ("partner
    lab") and its counts (a second cohort). A second import of the same partner replaces the
    first."""
    src = Path(folder)
    manifest = _read_manifest(src)
    name = (partner or str(manifest.get("lab") or "")).strip()
    if not name:
        raise InputError(
            str(src / "manifest.json"), "the export names no lab: pass --partner", field="lab"
        )
    classes, counts = _partner_classes(src), _partner_counts(src)
    digest = hashlib.sha256((src / "manifest.json").read_bytes()).hexdigest()
    pt = schema.partners
    with store.begin() as conn:
        lock_for_writing(conn)
        old = select(pt.c.id).where(pt.c.name == name).scalar_subquery()
        for child in (schema.partner_classifications, schema.partner_counts):
            conn.execute(delete(child).where(child.c.partner_id == old))
        conn.execute(delete(pt).where(pt.c.name == name))
        result = conn.execute(
            pt.insert().values(
                name=name,
                exported=str(manifest.get("exported", "")),
                imported=now(),
                sha256=digest,
                min_count=int(manifest.get("min_count", MIN_COUNT)),
            )
        )
        pid = int(result.inserted_primary_key[0])  # type: ignore[index]
        ids = ensure_variants(conn, [v for v, _ in classes + counts], refresh=False)
        for table, rows in (
            (schema.partner_classifications, classes),
            (schema.partner_counts, counts),
        ):
            insert_rows(
                conn, table, [{"partner_id": pid, "variant_id": ids[v.key], **d} for v, d in rows]
            )
        prune_variants(conn)
    return {
        "partner": name,
        "exported": manifest.get("exported"),
        "classifications": len(classes),
        "counts": len(counts),
    }

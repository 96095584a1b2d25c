"""The lab's own classifications: recorded version by version, never overwritten.

A classification is for a variant and a condition (a disease name or id, or a gene when the
lab classifies for the gene's disease spectrum): the ACMG/AMP class, the criteria met with
their strengths, a comment, the reviewer and the review date. Recording another one for the
same variant and condition adds version n + 1; :func:`history` returns every version and
:func:`latest` the newest per condition, which the reports show first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from bigmed.base.errors import InputError
from bigmed.genome.reference import GRCH38_LENGTHS
from bigmed.store import schema
from bigmed.store.db import Store, lock_for_writing, now
from bigmed.store.observations import Variant, chunks, ensure_variants

CLASSES = {
    "P": "Pathogenic",
    "LP": "Likely pathogenic",
    "VUS": "Uncertain significance",
    "LB": "Likely benign",
    "B": "Benign",
}
SHORT = {v: k for k, v in CLASSES.items()}
STRENGTHS = ("stand_alone", "very_strong", "strong", "moderate", "supporting")
# the strength a code has unless the lab states another (Richards et al. 2015)
DEFAULT_STRENGTH = {
    "PVS": "very_strong",
    "PS": "strong",
    "PM": "moderate",
    "PP": "supporting",
    "BA": "stand_alone",
    "BS": "strong",
    "BP": "supporting",
}
CODES = (
    ["PVS1"]
    + [f"PS{i}" for i in range(1, 5)]
    + [f"PM{i}" for i in range(1, 7)]
    + [f"PP{i}" for i in range(1, 6)]
    + ["BA1"]
    + [f"BS{i}" for i in range(1, 5)]
    + [f"BP{i}" for i in range(1, 8)]
)
RETIRED = {"PP5", "BP6"}  # ClinGen SVI (Biesecker 2018): reputable-source criteria retired
_VARIANT = re.compile(r"^(chr[0-9XYM]+)[-:](\d+)[-:]([ACGTN]+)[-:>]([ACGTN]+)$")
_CRITERION = re.compile(r"^(PVS|PS|PM|PP|BA|BS|BP)(\d)(?:_(.+))?$")


@dataclass(frozen=True)
class Classification:
    variant: str
    condition: str
    version: int
    klass: str
    criteria: list[dict[str, str]]
    comment: str
    reviewer: str
    evaluated: str
    recorded: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "condition": self.condition,
            "version": self.version,
            "class": self.klass,
            "criteria": self.criteria,
            "comment": self.comment,
            "reviewer": self.reviewer,
            "date": self.evaluated,
        }


def parse_class(text: str) -> str:
    """The full class name of 'P', 'likely pathogenic', 'VUS', ..."""
    t = text.strip()
    if t.upper() in CLASSES:
        return CLASSES[t.upper()]
    for full in CLASSES.values():
        if t.lower() == full.lower():
            return full
    raise InputError("--class", f"'{text}' is not a class: {', '.join(CLASSES)} or the full name")


def _criterion(item: str) -> dict[str, str]:
    m = _CRITERION.match(item.strip())
    code = f"{m.group(1)}{m.group(2)}" if m else item.strip()
    if not m or code not in CODES:
        raise InputError(
            "--criteria", f"'{item}' is not an ACMG/AMP criterion (e.g. PM2_Supporting)"
        )
    if code in RETIRED:
        raise InputError("--criteria", f"{code} is retired (ClinGen SVI 2018) and not accepted")
    strength = (m.group(3) or DEFAULT_STRENGTH[m.group(1)]).lower().replace("-", "_")
    strength = {"verystrong": "very_strong", "standalone": "stand_alone"}.get(strength, strength)
    if strength not in STRENGTHS:
        raise InputError("--criteria", f"'{item}': strength must be one of {', '.join(STRENGTHS)}")
    return {"code": code, "strength": strength}


def parse_criteria(text: str) -> list[dict[str, str]]:
    """'PVS1,PM2_Supporting,PS3_Moderate' -> [{code, strength}, ...] (order kept)."""
    items = [x for x in re.split(r"[,;\s]+", text or "") if x]
    return [_criterion(x) for x in items]


def parse_variant_key(text: str) -> Variant:
    """chr7-140753336-A-T (or chr7:140753336:A:T) as a GRCh38 variant, checked for shape."""
    m = _VARIANT.match(text.strip())
    if not m:
        raise InputError(
            "--variant", f"'{text}' is not chrom-pos-ref-alt (e.g. chr7-140753336-A-T)"
        )
    chrom, pos, ref, alt = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    if chrom not in GRCH38_LENGTHS or not 1 <= pos <= GRCH38_LENGTHS[chrom]:
        raise InputError("--variant", f"{chrom}:{pos} is not a GRCh38 position")
    if ref == alt:
        raise InputError("--variant", "ref and alt are the same allele")
    return Variant(chrom, pos, ref, alt)


def parse_date(text: str | None) -> str:
    """An ISO date (YYYY-MM-DD); today when none is given."""
    if not text:
        return dt.date.today().isoformat()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError("--date", f"'{text}' is not a date (YYYY-MM-DD)") from None


def record(
    store: Store,
    variant: Variant,
    condition: str,
    klass: str,
    criteria: list[dict[str, str]],
    reviewer: str,
    evaluated: str,
    comment: str = "",
) -> int:
    """Add a classification as the next version for (variant, condition); returns it."""
    if not condition.strip() or not reviewer.strip():
        raise InputError("classification", "condition and reviewer must not be empty")
    c = schema.classifications
    with store.begin() as conn:
        lock_for_writing(conn)
        vid = ensure_variants(conn, [variant])[variant.key]
        last = conn.execute(
            select(func.max(c.c.version)).where(
                c.c.variant_id == vid, c.c.condition == condition.strip()
            )
        ).scalar()
        version = int(last or 0) + 1
        conn.execute(
            c.insert().values(
                variant_id=vid,
                condition=condition.strip(),
                version=version,
                **{"class": klass},
                criteria=json.dumps(criteria),
                comment=comment,
                reviewer=reviewer.strip(),
                evaluated=evaluated,
                recorded=now(),
            )
        )
    return version


def _rows(conn: Connection, keys: Iterable[str]) -> list[Classification]:
    c, v = schema.classifications, schema.variants
    out = []
    for part in chunks(sorted(set(keys))):
        q = (
            select(v.c.key, c)
            .join(v, v.c.id == c.c.variant_id)
            .where(v.c.key.in_(part))
            .order_by(v.c.key, c.c.condition, c.c.version)
        )
        for r in conn.execute(q).mappings():
            out.append(
                Classification(
                    r["key"],
                    r["condition"],
                    r["version"],
                    r["class"],
                    json.loads(r["criteria"]),
                    r["comment"],
                    r["reviewer"],
                    r["evaluated"],
                    r["recorded"],
                )
            )
    return out


def history(store: Store, key: str) -> list[Classification]:
    """Every version of every classification of one variant, oldest first."""
    with store.begin() as conn:
        return _rows(conn, [key])


def latest(conn: Connection, keys: Iterable[str]) -> dict[str, list[Classification]]:
    """Per variant: the newest version for each condition (newest review first)."""
    newest: dict[tuple[str, str], Classification] = {}
    for row in _rows(conn, keys):
        newest[(row.variant, row.condition)] = row  # rows come in version order
    out: dict[str, list[Classification]] = {}
    for (key, _cond), row in newest.items():
        out.setdefault(key, []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (r.evaluated, r.recorded), reverse=True)
    return out


def all_latest(conn: Connection) -> list[Classification]:
    """The newest version of every classification in the store (for the exchange export)."""
    keys = [
        k
        for (k,) in conn.execute(
            select(schema.variants.c.key)
            .join(
                schema.classifications, schema.classifications.c.variant_id == schema.variants.c.id
            )
            .distinct()
        )
    ]
    return [row for rows in latest(conn, keys).values() for row in rows]

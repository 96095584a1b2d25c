"""Local observations: a batch's normalised calls into the store, and out again on request.

A patient's observations are read from its final call sets (GRCh38, split, left-aligned):

- ``germline``: a PASS call whose genotype carries the allele, in every sample but a tumor;
- ``somatic``: a PASS somatic call of the tumor;
- ``normal``: a crc matched normal with at least ``min_alt_reads`` reads of the allele,
  whatever the call's FILTER: the lab's normals then form a panel of normals that grows
  with every batch (recurrent artefacts and germline sites).

Loading a batch is one transaction. A patient whose observations are unchanged (same
digest) is left alone, so re-running a batch never double-counts; a patient already in the
store with other observations (a re-analysis) has them replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pysam
from sqlalchemy import Connection, delete, exists, select, update

from bigmed.store import schema
from bigmed.store.db import Store, insert_rows, lock_for_writing, now

KINDS = ("germline", "somatic", "normal")
ANNOTATION = ("gene", "transcript", "hgvs_c", "hgvs_p")
INFO_KEYS = {"gene": "GENE", "transcript": "TRANSCRIPT", "hgvs_c": "HGVSc", "hgvs_p": "HGVSp"}
CHUNK = 500  # rows per IN (...) list: below SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Variant:
    """A GRCh38 allele as the store keys it, with the annotation of its latest load."""

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str | None = None
    transcript: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None

    @property
    def key(self) -> str:
        return f"{self.chrom}-{self.pos}-{self.ref}-{self.alt}"


@dataclass(frozen=True)
class Observation:
    key: str
    kind: str
    sample: str
    alt_alleles: int


@dataclass
class PatientCalls:
    """What the store keeps of one patient: its pilot, sample counts and observations."""

    patient: str
    pilot: str
    individuals: int
    normals: int
    variants: dict[str, Variant] = field(default_factory=dict)
    observations: set[Observation] = field(default_factory=set)

    def digest(self) -> str:
        """sha256 over the pilot, the sample counts and the sorted observations."""
        h = hashlib.sha256(f"{self.pilot}|{self.individuals}|{self.normals}".encode())
        for o in sorted(self.observations, key=lambda o: (o.key, o.kind, o.sample)):
            h.update(f"\n{o.key}|{o.kind}|{o.sample}|{o.alt_alleles}".encode())
        return h.hexdigest()


def _variant(rec: pysam.VariantRecord) -> Variant:
    info = rec.info
    notes = {k: (str(info[v]) if v in info else None) for k, v in INFO_KEYS.items()}
    return Variant(str(rec.chrom), int(rec.pos), str(rec.ref), (rec.alts or (".",))[0], **notes)


def _zygosity(call: Any) -> int:
    """1 when the genotype carries the (single) ALT beside another allele, 2 when every
    allele is it (homozygous, or hemizygous: a haploid chrX/chrY call); 0 otherwise or when
    the genotype is missing."""
    gt = call.get("GT")
    if not gt or any(a is None for a in gt):
        return 0
    n = sum(1 for a in gt if a == 1)
    return 0 if n == 0 else 2 if n == len(gt) else 1


def _alt_reads(call: Any) -> int:
    ad = call.get("AD") if "AD" in call else None
    if not ad or len(ad) < 2 or ad[1] is None:
        return 0
    return int(ad[1])


def _is_pass(rec: pysam.VariantRecord) -> bool:
    return list(rec.filter.keys()) == ["PASS"]


def _read_germline(
    pc: PatientCalls, vcf: str, germline: list[str], normals: list[str], min_alt_reads: int
) -> None:
    with pysam.VariantFile(vcf) as vf:
        present = set(vf.header.samples)
        for rec in vf:
            if not rec.alts or rec.alts[0] in ("*", "."):
                continue
            v = _variant(rec)
            seen = False
            for s in (x for x in germline if x in present) if _is_pass(rec) else ():
                n = _zygosity(rec.samples[s])
                if n:
                    pc.observations.add(Observation(v.key, "germline", s, n))
                    seen = True
            for s in (x for x in normals if x in present):
                if _alt_reads(rec.samples[s]) >= min_alt_reads:
                    pc.observations.add(Observation(v.key, "normal", s, 1))
                    seen = True
            if seen:
                pc.variants[v.key] = v


def _read_somatic(
    pc: PatientCalls, vcf: str, tumor: str | None, normals: list[str], min_alt_reads: int
) -> None:
    with pysam.VariantFile(vcf) as vf:
        present = set(vf.header.samples)
        for rec in vf:
            if not rec.alts:
                continue
            v = _variant(rec)
            seen = False
            if tumor and _is_pass(rec):
                pc.observations.add(Observation(v.key, "somatic", tumor, 1))
                seen = True
            for s in (x for x in normals if x in present):
                if _alt_reads(rec.samples[s]) >= min_alt_reads:
                    pc.observations.add(Observation(v.key, "normal", s, 1))
                    seen = True
            if seen:
                pc.variants[v.key] = v


def read_patient(
    patient: str,
    pilot: str,
    roles: dict[str, str],
    calls_vcf: str | None,
    somatic_vcf: str | None,
    min_alt_reads: int = 2,
) -> PatientCalls:
    """A patient's observations from its calls.vcf.gz and (crc) somatic.vcf.gz.

    ``roles`` maps each sample id to its sheet role; a tumor sample is never counted as a
    germline carrier (it is the same person as the normal) and only crc normals form the
    panel of normals.
    """
    germline = [s for s, r in roles.items() if r != "tumor"]
    normals = [s for s, r in roles.items() if r == "normal" and pilot == "crc"]
    tumor = next((s for s, r in roles.items() if r == "tumor"), None)
    pc = PatientCalls(patient, pilot, individuals=len(germline), normals=len(normals))
    if calls_vcf:
        _read_germline(pc, calls_vcf, germline, normals, min_alt_reads)
    if somatic_vcf:
        _read_somatic(pc, somatic_vcf, tumor, normals, min_alt_reads)
    return pc


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def variant_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Store ids of the variants among ``keys`` that the store has."""
    v = schema.variants
    out: dict[str, int] = {}
    for part in chunks(sorted(set(keys))):
        out.update(
            {k: i for i, k in conn.execute(select(v.c.id, v.c.key).where(v.c.key.in_(part)))}
        )
    return out


def ensure_variants(
    conn: Connection, variants: Iterable[Variant], refresh: bool = True
) -> dict[str, int]:
    """Ids of these variants, adding the missing ones; with ``refresh`` the annotation of
    known ones is updated where it changed (a partner's import never overwrites ours)."""
    wanted = {v.key: v for v in variants}
    ids = variant_ids(conn, wanted)
    missing = [
        {"key": k, "chrom": v.chrom, "pos": v.pos, "ref": v.ref, "alt": v.alt}
        | {a: getattr(v, a) for a in ANNOTATION}
        for k, v in wanted.items()
        if k not in ids
    ]
    insert_rows(conn, schema.variants, missing)
    if missing:
        ids.update(variant_ids(conn, [str(m["key"]) for m in missing]))
    if refresh:
        _refresh_annotation(conn, [v for k, v in wanted.items() if k in ids], ids)
    return ids


def _refresh_annotation(conn: Connection, variants: list[Variant], ids: dict[str, int]) -> None:
    t = schema.variants
    current = {}
    for part in chunks([ids[v.key] for v in variants]):
        rows = conn.execute(select(t.c.id, *(t.c[a] for a in ANNOTATION)).where(t.c.id.in_(part)))
        current.update({r[0]: tuple(r[1:]) for r in rows})
    for v in variants:
        new = tuple(getattr(v, a) for a in ANNOTATION)
        if new != current.get(ids[v.key]) and any(new):
            conn.execute(
                update(t)
                .where(t.c.id == ids[v.key])
                .values(dict(zip(ANNOTATION, new, strict=True)))
            )


def _store_patient(
    conn: Connection, pc: PatientCalls, digest: str, old: int | None, ids: dict[str, int]
) -> None:
    """Write one patient (``old``: its row id when it is already in the store)."""
    p = schema.patients
    values = {
        "pilot": pc.pilot,
        "individuals": pc.individuals,
        "normals": pc.normals,
        "digest": digest,
        "loaded": now(),
    }
    if old is None:
        result = conn.execute(p.insert().values(patient=pc.patient, **values))
        pid = int(result.inserted_primary_key[0])  # type: ignore[index]
    else:
        pid = old
        conn.execute(delete(schema.observations).where(schema.observations.c.patient_id == pid))
        conn.execute(update(p).where(p.c.id == pid).values(values))
    rows = [
        {
            "patient_id": pid,
            "variant_id": ids[o.key],
            "kind": o.kind,
            "sample": o.sample,
            "alt_alleles": o.alt_alleles,
        }
        for o in sorted(pc.observations, key=lambda o: (o.key, o.kind, o.sample))
    ]
    insert_rows(conn, schema.observations, rows)


def _stored(conn: Connection, names: list[str]) -> dict[str, tuple[int, str]]:
    """(row id, digest) of the batch's patients already in the store."""
    p = schema.patients
    out: dict[str, tuple[int, str]] = {}
    for part in chunks(names):
        q = select(p.c.patient, p.c.id, p.c.digest).where(p.c.patient.in_(part))
        out.update({name: (pid, digest) for name, pid, digest in conn.execute(q)})
    return out


def load_patients(store: Store, batch: list[PatientCalls]) -> dict[str, str]:
    """Load a batch in one transaction; per patient: added, replaced or unchanged."""
    actions: dict[str, str] = {}
    with store.begin() as conn:
        lock_for_writing(conn)
        stored = _stored(conn, [pc.patient for pc in batch])
        digests = {pc.patient: pc.digest() for pc in batch}
        todo = [pc for pc in batch if stored.get(pc.patient, (0, ""))[1] != digests[pc.patient]]
        ids = ensure_variants(conn, [v for pc in todo for v in pc.variants.values()])
        changed = {pc.patient for pc in todo}
        for pc in batch:
            old = stored.get(pc.patient)
            if pc.patient not in changed:
                actions[pc.patient] = "unchanged"
                continue
            _store_patient(conn, pc, digests[pc.patient], old[0] if old else None, ids)
            actions[pc.patient] = "added" if old is None else "replaced"
        if "replaced" in actions.values():
            prune_variants(conn)
    return actions


def prune_variants(conn: Connection) -> int:
    """Delete variants nothing refers to any more (after a removal or a replacement), so a
    withdrawn patient's private alleles do not stay behind as bare rows."""
    v = schema.variants
    refs = [
        schema.observations.c.variant_id,
        schema.classifications.c.variant_id,
        schema.partner_classifications.c.variant_id,
        schema.partner_counts.c.variant_id,
    ]
    orphan = v.delete().where(*(~exists().where(col == v.c.id) for col in refs))
    return int(conn.execute(orphan).rowcount or 0)


def remove_patient(store: Store, patient: str) -> int:
    """Delete a patient and every observation of it (consent withdrawn); returns how many
    observations went. Classifications stay: they describe variants, not the patient."""
    p, o = schema.patients, schema.observations
    with store.begin() as conn:
        lock_for_writing(conn)
        row = conn.execute(select(p.c.id).where(p.c.patient == patient)).first()
        if row is None:
            return -1
        gone = conn.execute(delete(o).where(o.c.patient_id == row[0])).rowcount or 0
        conn.execute(delete(p).where(p.c.id == row[0]))
        prune_variants(conn)
    return int(gone)

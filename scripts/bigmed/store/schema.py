"""The store's tables and their versioned migrations.

Each table names the schema version that introduced it; migration N creates the tables of
version N or alters older ones (3: the covering observations index). A database records
its version in ``store_meta``; :mod:`bigmed.store.db` applies the missing migrations in
order and refuses a database of a newer version than :data:`SCHEMA_VERSION`, so an old
bigmed never writes a layout it does not know.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# key/value facts about the database itself: schema_version, created
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# one row per distinct GRCh38 allele (normalised, one ALT): key is chrom-pos-ref-alt
variants = Table(
    "variants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),
    Column("chrom", Text, nullable=False),
    Column("pos", Integer, nullable=False),
    Column("ref", Text, nullable=False),
    Column("alt", Text, nullable=False),
    Column("gene", Text),
    Column("transcript", Text),
    Column("hgvs_c", Text),
    Column("hgvs_p", Text),
)

# one row per patient (family or tumor/normal pair) of the sheet; ids never leave the store
patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient", Text, nullable=False, unique=True),
    Column("pilot", Text, nullable=False),
    Column("individuals", Integer, nullable=False),  # samples with germline genotypes
    Column("normals", Integer, nullable=False),  # crc matched normals
    Column("digest", Text, nullable=False),  # sha256 of the observations: reloads are no-ops
    Column("loaded", Text, nullable=False),  # UTC time of the last change
)

# kind: germline (a PASS genotype with the allele in a non-tumor sample), somatic (a PASS
# somatic call of a tumor), normal (alt reads in a crc matched normal: the panel of normals)
observations = Table(
    "observations",
    metadata,
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("sample", Text, nullable=False),
    Column("alt_alleles", Integer, nullable=False),  # 1 heterozygous, 2 homozygous or hemizygous
    PrimaryKeyConstraint("patient_id", "variant_id", "kind", "sample"),
    # version 3 (was ix_observations_variant on variant_id alone): covers the report-time
    # counts, so a lookup reads no table row (SQLite lookups 2.5x faster, benchmarks/store)
    Index("ix_observations_lookup", "variant_id", "kind", "patient_id", "alt_alleles"),
)

# the lab's curated classifications: rows are only ever added (version 1, 2, ... per
# variant and condition), so every earlier version stays readable
classifications = Table(
    "classifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("condition", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("class", Text, nullable=False),
    Column("criteria", Text, nullable=False),  # JSON list of {"code", "strength"}
    Column("comment", Text, nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("evaluated", Text, nullable=False),  # ISO date of the review
    Column("recorded", Text, nullable=False),  # UTC time the row was written
    UniqueConstraint("variant_id", "condition", "version"),
    Index("ix_classifications_variant", "variant_id"),
)

# version 2: a partner lab's exchange export, imported as a knowledge source of its own
partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("exported", Text, nullable=False),  # YYYY-MM, as the export states it
    Column("imported", Text, nullable=False),
    Column("sha256", Text, nullable=False),  # of the export's manifest
    Column("min_count", Integer, nullable=False),  # the export's suppression threshold
)

partner_classifications = Table(
    "partner_classifications",
    metadata,
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("condition", Text, nullable=False),
    Column("class", Text, nullable=False),
    Column("criteria", Text, nullable=False),
    Column("evaluated", Text, nullable=False),  # YYYY-MM
    Column("vrs_id", Text),
    Index("ix_partner_classifications_variant", "variant_id"),
)

# patients / cohort are NULL where the partner suppressed a small count ("<min_count")
partner_counts = Table(
    "partner_counts",
    metadata,
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("pilot", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("patients", Integer),
    Column("cohort", Integer),
    PrimaryKeyConstraint("partner_id", "variant_id", "pilot", "kind"),
    Index("ix_partner_counts_variant", "variant_id"),
)

INTRODUCED: dict[int, list[Table]] = {
    1: [store_meta, variants, patients, observations, classifications],
    2: [partners, partner_classifications, partner_counts],
}


def _create(version: int) -> Callable[[Connection], None]:
    def migrate(conn: Connection) -> None:
        metadata.create_all(conn, tables=INTRODUCED[version])

    migrate.__doc__ = f"create the tables introduced in schema version {version}"
    return migrate


def _cover_observations(conn: Connection) -> None:
    """version 3: the observations' variant index replaced by one covering the lookup's
    columns (a store created at an older version keeps its old index until this runs)."""
    conn.execute(text("DROP INDEX IF EXISTS ix_observations_variant"))
    lookup_index = next(i for i in observations.indexes if i.name == "ix_observations_lookup")
    lookup_index.create(conn, checkfirst=True)


# version -> the step that brings a database from version - 1 to it, applied in order
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    **{v: _create(v) for v in sorted(INTRODUCED)},
    3: _cover_observations,
}
SCHEMA_VERSION = max(MIGRATIONS)

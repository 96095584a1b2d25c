"""The variant store on SQLite and on a real PostgreSQL server: the same tests, both backends.

Migrations and the newer-schema guard, batch loads (atomic, idempotent, re-analysis replaces,
removal on consent withdrawal), report-time lookups (families once, the patient itself never,
flags) and the lab's classification versions.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from bigmed import cli
from bigmed.base.errors import InputError
from bigmed.store import classifications as cls
from bigmed.store import schema
from bigmed.store.db import check_store, engine_url, open_store
from bigmed.store.lookup import Settings, lookup
from bigmed.store.observations import (
    Observation,
    PatientCalls,
    Variant,
    load_patients,
    read_patient,
    remove_patient,
)

from unit import storefixtures
from unit.storefixtures import write_vcf

# the backends' fixtures (a SQLite file, a private PostgreSQL server), by name
pg_server = storefixtures.pg_server
store_url = storefixtures.store_url

BRAF = ("chr7", 140753336, "A", "T")
LMNA = ("chr1", 156136094, "G", "A")
TP53 = ("chr17", 7675088, "C", "T")
PASS, LOW = ["PASS"], ["LowQual"]


def _trio(tmp: Path, name: str, sites: list[tuple]) -> PatientCalls:
    """A rare-disease trio whose proband and mother carry every site (heterozygous)."""
    samples = [f"{name}-P", f"{name}-M", f"{name}-F"]
    recs = [
        (
            *s,
            PASS,
            {
                samples[0]: ((0, 1), (10, 10)),
                samples[1]: ((0, 1), (8, 9)),
                samples[2]: ((0, 0), (20, 0)),
            },
        )
        for s in sites
    ]
    vcf = write_vcf(tmp / f"{name}.vcf", samples, recs)
    roles = dict(zip(samples, ["proband", "mother", "father"], strict=True))
    return read_patient(name, "rare_disease", roles, vcf, None)


def _single(
    tmp: Path, name: str, sites: list[tuple], pilot: str = "cardiac", gt=(0, 1)
) -> PatientCalls:
    recs = [(*s, PASS, {name: (gt, (5, 12))}) for s in sites]
    vcf = write_vcf(tmp / f"{name}.vcf", [name], recs)
    return read_patient(name, pilot, {name: "proband"}, vcf, None)


def _count(url: str, table: sa.Table) -> int:
    store = open_store(url)
    with store.begin() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    store.close()
    return int(n)


def test_new_store_is_created_at_the_current_schema_version(store_url):
    assert check_store(store_url) == 0 or store_url.startswith("postgresql")
    store = open_store(store_url)
    assert store.version == schema.SCHEMA_VERSION
    store.close()
    assert check_store(store_url) == schema.SCHEMA_VERSION


def test_an_older_store_is_migrated_and_keeps_its_data(store_url, tmp_path):
    old = open_store(store_url, target=1)
    assert old.version == 1
    load_patients(old, [_single(tmp_path, "C1", [LMNA])])
    old.close()
    eng = sa.create_engine(engine_url(store_url))
    assert not sa.inspect(eng).has_table("partners")
    eng.dispose()
    store = open_store(store_url)
    assert store.version == schema.SCHEMA_VERSION == 3
    doc = lookup(store, None, ["chr1-156136094-G-A"], Settings())
    assert doc["variants"]["chr1-156136094-G-A"]["observations"]["germline"]["patients"] == 1
    store.close()


def _observation_indexes(url: str) -> dict[str, list[str]]:
    eng = sa.create_engine(engine_url(url))
    out = {i["name"]: list(i["column_names"]) for i in sa.inspect(eng).get_indexes("observations")}
    eng.dispose()
    return {k: v for k, v in out.items() if k and k.startswith("ix_observations")}


def test_schema_3_replaces_the_variant_index_of_an_older_store(store_url, tmp_path):
    """A version-2 store as bigmed made it before schema 3 (observations indexed on
    variant_id alone) gets the covering index when it is opened, its data kept."""
    old = open_store(store_url, target=2)
    with old.begin() as conn:  # the layout version 2 had
        conn.execute(sa.text("DROP INDEX ix_observations_lookup"))
        conn.execute(sa.text("CREATE INDEX ix_observations_variant ON observations (variant_id)"))
    load_patients(old, [_single(tmp_path, "C1", [LMNA]), _single(tmp_path, "C2", [LMNA])])
    old.close()
    assert _observation_indexes(store_url) == {"ix_observations_variant": ["variant_id"]}
    store = open_store(store_url)
    assert store.version == 3
    doc = lookup(store, "C1", ["chr1-156136094-G-A"], Settings())
    store.close()
    assert _observation_indexes(store_url) == {
        "ix_observations_lookup": ["variant_id", "kind", "patient_id", "alt_alleles"]
    }
    assert doc["variants"]["chr1-156136094-G-A"]["observations"]["germline"]["patients"] == 1


def test_a_newer_store_is_refused_with_one_line(store_url, capsys):
    open_store(store_url).close()
    eng = sa.create_engine(engine_url(store_url))
    with eng.begin() as conn:
        conn.execute(
            schema.store_meta.update()
            .where(schema.store_meta.c.key == "schema_version")
            .values(value=str(schema.SCHEMA_VERSION + 1))
        )
    eng.dispose()
    message = (
        f"the store has schema version {schema.SCHEMA_VERSION + 1}, newer than this bigmed "
        f"supports ({schema.SCHEMA_VERSION}): upgrade bigmed before using this store"
    )
    for check in (open_store, check_store):
        with pytest.raises(InputError, match="newer than this bigmed") as err:
            check(store_url)
        assert str(err.value).endswith(message)
    assert cli.main(["store", "info", "--url", store_url]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bigmed: error: ") and message in lines[0]


def test_germline_somatic_and_normal_observations_are_kept_apart(tmp_path):
    samples = ["T", "N"]
    germ = write_vcf(
        tmp_path / "calls.vcf",
        samples,
        [
            (*LMNA, PASS, {"T": ((0, 1), (9, 9)), "N": ((0, 1), (10, 8))}),
            (*TP53, LOW, {"T": ((0, 1), (9, 2)), "N": ((0, 1), (10, 3))}),  # not PASS: PoN only
        ],
    )
    som = write_vcf(
        tmp_path / "somatic.vcf",
        samples,
        [
            (*BRAF, PASS, {"T": ((0, 1), (80, 150)), "N": ((0, 0), (19, 0))}),
            ("chr7", 140753400, "G", "C", LOW, {"T": ((0, 1), (80, 5)), "N": ((0, 0), (19, 1))}),
        ],
    )
    pc = read_patient("CRC", "crc", {"T": "tumor", "N": "normal"}, germ, som, min_alt_reads=2)
    kinds = {(o.key, o.kind, o.sample) for o in pc.observations}
    assert kinds == {
        ("chr1-156136094-G-A", "germline", "N"),  # the tumor is never a germline carrier
        ("chr1-156136094-G-A", "normal", "N"),
        ("chr17-7675088-C-T", "normal", "N"),
        ("chr7-140753336-A-T", "somatic", "T"),
    }
    assert (pc.individuals, pc.normals) == (1, 1)


def test_reloading_a_batch_changes_nothing(store_url, tmp_path):
    store = open_store(store_url)
    batch = [_trio(tmp_path, "RD1", [LMNA, TP53]), _single(tmp_path, "C1", [LMNA])]
    assert load_patients(store, batch) == {"RD1": "added", "C1": "added"}
    before = _count(store_url, schema.observations)
    assert load_patients(store, batch) == {"RD1": "unchanged", "C1": "unchanged"}
    assert _count(store_url, schema.observations) == before == 2 * 2 + 1
    doc = lookup(store, None, ["chr1-156136094-G-A"], Settings())
    g = doc["variants"]["chr1-156136094-G-A"]["observations"]["germline"]
    assert (g["patients"], g["carriers"]) == (2, 3)  # a family counts once
    store.close()


def test_a_reanalysed_patient_replaces_its_observations(store_url, tmp_path):
    store = open_store(store_url)
    load_patients(store, [_single(tmp_path, "C1", [LMNA, TP53])])
    assert load_patients(store, [_single(tmp_path, "C1", [BRAF])]) == {"C1": "replaced"}
    doc = lookup(store, None, ["chr1-156136094-G-A", "chr7-140753336-A-T"], Settings())
    assert doc["variants"]["chr1-156136094-G-A"]["observations"]["germline"]["patients"] == 0
    assert doc["variants"]["chr7-140753336-A-T"]["observations"]["germline"]["patients"] == 1
    assert doc["cohort"]["total_patients"] == 1
    assert _count(store_url, schema.variants) == 1  # the old alleles do not stay behind
    store.close()


def test_a_failing_batch_leaves_the_store_as_it_was(store_url, tmp_path):
    store = open_store(store_url)
    good = _single(tmp_path, "C1", [LMNA])
    broken = PatientCalls("C2", "cardiac", 1, 0)
    broken.observations.add(Observation("chr1-1-A-G", "germline", "C2", 1))  # no such variant
    with pytest.raises(KeyError):
        load_patients(store, [good, broken])
    assert _count(store_url, schema.patients) == 0
    assert _count(store_url, schema.observations) == 0
    store.close()


def test_remove_patient_is_one_command(store_url, tmp_path, capsys):
    store = open_store(store_url)
    load_patients(store, [_single(tmp_path, "C1", [LMNA]), _single(tmp_path, "C2", [LMNA, TP53])])
    store.close()
    assert cli.main(["store", "remove-patient", "--url", store_url, "C2"]) == 0
    assert "removed patient C2 and 2 observation(s)" in capsys.readouterr().out
    store = open_store(store_url)
    doc = lookup(store, None, ["chr1-156136094-G-A"], Settings())
    assert doc["cohort"]["total_patients"] == 1
    assert _count(store_url, schema.variants) == 1  # C2's private TP53 allele is gone
    assert remove_patient(store, "C2") == -1
    store.close()
    assert cli.main(["store", "remove-patient", "--url", store_url, "C2"]) == 1
    assert "patient 'C2' is not in the store" in capsys.readouterr().err


def test_lookup_never_counts_the_patient_itself_and_sets_flags(store_url, tmp_path):
    store = open_store(store_url)
    batch = [_single(tmp_path, f"C{i}", [LMNA]) for i in range(5)]
    batch.append(_single(tmp_path, "H1", [TP53], pilot="rare_disease", gt=(1, 1)))
    load_patients(store, batch)
    keys = ["chr1-156136094-G-A", "chr17-7675088-C-T"]
    doc = lookup(store, "C0", keys, Settings(recurrent_min_patients=4, recurrent_min_fraction=0.5))
    lmna = doc["variants"][keys[0]]["observations"]
    assert lmna["germline"]["patients"] == 4 and lmna["germline"]["by_pilot"] == {"cardiac": 4}
    assert lmna["flags"] == ["recurrent"]  # 4 of 5 other patients
    assert doc["cohort"]["patients"] == {"cardiac": 4, "rare_disease": 1}
    tp53 = doc["variants"][keys[1]]["observations"]["germline"]
    assert (tp53["patients"], tp53["homozygous"]) == (1, 1)
    strict = lookup(store, "C0", keys, Settings(recurrent_min_patients=5))
    assert strict["variants"][keys[0]]["observations"]["flags"] == []
    store.close()


def test_somatic_call_in_the_labs_normals_is_flagged(store_url, tmp_path):
    store = open_store(store_url)
    batch = []
    for i in range(3):
        s = ["T", "N"]
        som = write_vcf(
            tmp_path / f"s{i}.vcf",
            s,
            [
                (*BRAF, PASS if i == 0 else LOW, {"T": ((0, 1), (50, 9)), "N": ((0, 0), (40, 3))}),
            ],
        )
        batch.append(read_patient(f"CRC{i}", "crc", {"T": "tumor", "N": "normal"}, None, som))
    load_patients(store, batch)
    doc = lookup(store, "CRC0", ["chr7-140753336-A-T"], Settings(pon_min_normals=2))
    obs = doc["variants"]["chr7-140753336-A-T"]["observations"]
    assert obs["normals"] == 2 and obs["somatic"]["patients"] == 0
    assert obs["flags"] == ["panel_of_normals"]
    assert doc["cohort"]["normals"] == 2
    store.close()


def test_classifications_keep_every_version(store_url):
    store = open_store(store_url)
    v = Variant(*LMNA)
    crit = cls.parse_criteria("PS4_Moderate, PM2_Supporting,PP1")
    assert crit == [
        {"code": "PS4", "strength": "moderate"},
        {"code": "PM2", "strength": "supporting"},
        {"code": "PP1", "strength": "supporting"},
    ]
    assert (
        cls.record(
            store,
            v,
            "Dilated cardiomyopathy",
            "Uncertain significance",
            crit,
            "R. One",
            "2025-11-03",
        )
        == 1
    )
    assert (
        cls.record(
            store,
            v,
            "Dilated cardiomyopathy",
            "Likely pathogenic",
            crit,
            "R. Two",
            "2026-02-10",
            "segregates in 3 families",
        )
        == 2
    )
    assert (
        cls.record(store, v, "MONDO:0005021", "Likely pathogenic", [], "R. Two", "2026-01-10") == 1
    )
    rows = cls.history(store, v.key)
    assert [(r.condition, r.version, r.klass) for r in rows] == [
        ("Dilated cardiomyopathy", 1, "Uncertain significance"),
        ("Dilated cardiomyopathy", 2, "Likely pathogenic"),
        ("MONDO:0005021", 1, "Likely pathogenic"),
    ]
    known = {
        v.key: {
            "clinvar": {"class": "Uncertain significance", "stars": 1},
            "expert_panel": {"class": "Likely pathogenic", "panel": "Cardiomyopathy VCEP"},
        }
    }
    doc = lookup(store, None, [v.key], Settings(), known)
    lab = doc["variants"][v.key]["lab_classification"]
    assert (lab["class"], lab["version"], lab["reviewer"], lab["date"]) == (
        "Likely pathogenic",
        2,
        "R. Two",
        "2026-02-10",
    )
    assert lab["differs_from"] == [{"source": "ClinVar", "class": "Uncertain significance"}]
    assert [o["condition"] for o in lab["other_conditions"]] == ["MONDO:0005021"]
    store.close()


@pytest.mark.parametrize(
    "text,message",
    [
        ("PP5", "retired"),
        ("PM7", "not an ACMG/AMP criterion"),
        ("PS3_Huge", "strength must be one of"),
    ],
)
def test_bad_criteria_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        cls.parse_criteria(text)


def test_classify_and_history_on_the_command_line(store_url, capsys):
    ref = [
        "--reference",
        "resources/reference/minigenome.fa.gz",
        "--contig-map",
        "resources/reference/contigs.tsv",
    ]
    base = [
        "store",
        "classify",
        "--url",
        store_url,
        *ref,
        "--condition",
        "DCM",
        "--reviewer",
        "R. One",
        "--date",
        "2026-03-01",
    ]
    assert (
        cli.main(
            [
                *base,
                "--variant",
                "chr1-156136094-G-A",
                "--class",
                "LP",
                "--criteria",
                "PS4_Moderate,PM2_Supporting",
            ]
        )
        == 0
    )
    assert "Likely pathogenic, version 1" in capsys.readouterr().out
    assert cli.main([*base, "--variant", "chr1-156136094-G-A", "--class", "P"]) == 0
    assert cli.main([*base, "--variant", "chr1-156136094-C-A", "--class", "P"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has reference G, not C" in err[0]
    assert cli.main([*base, "--variant", "chr1-156136094-G-A", "--class", "pathogenicish"]) == 1
    assert (
        cli.main(["store", "history", "--url", store_url, "--variant", "chr1-156136094-G-A"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert [ln.split("\t")[1:3] for ln in out] == [
        ["version 1", "Likely pathogenic"],
        ["version 2", "Pathogenic"],
    ]


def test_jobs_opening_and_loading_one_store_at_once_queue(store_url, tmp_path):
    """Lookups and loads of parallel jobs (or two batches) on one new store: no job fails,
    nothing is lost (the first to open it migrates, the others wait)."""
    batches = [[_single(tmp_path, f"C{i}", [LMNA, TP53])] for i in range(4)]
    errors: list[BaseException] = []

    def job(batch: list[PatientCalls]) -> None:
        try:
            store = open_store(store_url)
            load_patients(store, batch)
            store.close()
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=job, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(store_url, schema.patients) == 4
    assert _count(store_url, schema.variants) == 2


def test_load_a_finished_run_from_the_command_line(tmp_path, capsys):
    """``bigmed store load``: a past run's results into the store (backfill), idempotent."""
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(
        "patient\tsample\trole\tsex\taffected\tpilot\tphenotypes\ttumor_type\tpurity\n"
        "F1\tF1-P\tproband\tfemale\tyes\trare_disease\tHP:0001250\t\t\n"
        "F1\tF1-M\tmother\tfemale\tno\trare_disease\t\t\t\n"
        "T1\tT1-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t0.5\n"
        "T1\tT1-N\tnormal\tmale\tno\tcrc\t\t\t\n"
    )
    res = tmp_path / "results"
    for d in ("F1", "T1", "somatic/T1"):
        (res / d).mkdir(parents=True)
    write_vcf(
        res / "F1/calls.vcf.gz",
        ["F1-P", "F1-M"],
        [(*LMNA, PASS, {"F1-P": ((0, 1), (9, 9)), "F1-M": ((1, 1), (0, 14))})],
    )
    write_vcf(
        res / "T1/calls.vcf.gz",
        ["T1-T", "T1-N"],
        [(*LMNA, PASS, {"T1-T": ((0, 1), (9, 9)), "T1-N": ((0, 1), (9, 9))})],
    )
    write_vcf(
        res / "somatic/T1/somatic.vcf.gz",
        ["T1-T", "T1-N"],
        [(*BRAF, PASS, {"T1-T": ((0, 1), (50, 40)), "T1-N": ((0, 0), (30, 0))})],
    )
    cfg = tmp_path / "config.yaml"
    store = tmp_path / "lab.sqlite"
    cfg.write_text(
        f"samples: {sheet}\nunits: {tmp_path / 'units.tsv'}\n"
        "reference: {fasta: ref.fa, annotation: ann.gff3}\n"
        f"store: {{url: {store}}}\n"
    )
    args = ["store", "load", "--configfile", str(cfg), "--results", str(res)]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.split() == ["F1:", "added", "T1:", "added"]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.split() == ["F1:", "unchanged", "T1:", "unchanged"]
    doc = lookup(
        open_store(str(store)), None, ["chr1-156136094-G-A", "chr7-140753336-A-T"], Settings()
    )
    lmna = doc["variants"]["chr1-156136094-G-A"]["observations"]["germline"]
    assert (lmna["patients"], lmna["carriers"], lmna["homozygous"]) == (2, 3, 1)
    assert doc["variants"]["chr7-140753336-A-T"]["observations"]["somatic"]["patients"] == 1
    assert cli.main(["store", "load", "--configfile", str(cfg), "--results", str(tmp_path)]) == 1
    assert "no final call set for patient 'F1'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://lab@db/bigmed", "store backend 'mysql' is not supported (sqlite, postgresql)"),
        ("postgresql://bigmed:secret@/none?host=/nonexistent", "cannot open the store: "),
    ],
)
def test_bad_store_urls_are_one_line_without_the_password(url, message):
    with pytest.raises(InputError, match=re.escape(message)) as err:
        check_store(url)
    assert "secret" not in str(err.value) and "\n" not in str(err.value)


def test_a_haploid_call_counts_as_hemizygous(tmp_path):
    vcf = write_vcf(
        tmp_path / "x.vcf", ["M1"], [("chr1", 100, "A", "G", PASS, {"M1": ((1,), (0, 9))})]
    )
    pc = read_patient("M1", "rare_disease", {"M1": "proband"}, vcf, None)
    assert [o.alt_alleles for o in pc.observations] == [2]

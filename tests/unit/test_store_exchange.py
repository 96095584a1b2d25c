"""Anonymised exchange: VRS identifiers (ga4gh-vrs, offline), export and import between
two stores on different backends, small-count suppression, tampered or newer exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from bigmed import cli
from bigmed.base.errors import InputError
from bigmed.store import classifications as cls
from bigmed.store.db import open_store
from bigmed.store.exchange import export, import_export
from bigmed.store.lookup import Settings, lookup
from bigmed.store.observations import Variant, load_patients, read_patient
from bigmed.store.vrs import GRCH38_REFGET, LocalSequenceProxy, vrs_allele
from ga4gh.core import ga4gh_identify
from ga4gh.vrs import models

from unit import storefixtures
from unit.storefixtures import write_vcf

pg_server = storefixtures.pg_server
store_url = storefixtures.store_url
other_store_url = storefixtures.other_store_url

ROOT = Path(__file__).resolve().parents[2]
FASTA = str(ROOT / "resources/reference/minigenome.fa.gz")
CMAP = str(ROOT / "resources/reference/contigs.tsv")
LMNA = ("chr1", 156136094, "G", "A")
BRAF = ("chr7", 140753336, "A", "T")


@pytest.fixture(scope="module")
def proxy() -> LocalSequenceProxy:
    return LocalSequenceProxy(FASTA, CMAP)


def test_braf_v600e_gets_its_published_vrs_id_offline(proxy):
    # ga4gh:VA.Otc5… is the VRS 2.0 id of NC_000007.14:g.140753336A>T as published by
    # the GA4GH reference implementations (vrs-python, anyvar)
    got = vrs_allele(proxy, *BRAF)
    assert got.id == "ga4gh:VA.Otc5ovrw906Ack087o1fhegB4jDRqCAe"
    assert got.allele["location"]["sequenceReference"]["refgetAccession"] == GRCH38_REFGET["chr7"]
    assert (got.allele["location"]["start"], got.allele["location"]["end"]) == (
        140753335,
        140753336,
    )


def test_the_chr19_accession_gives_the_vrs_spec_example_id():
    # rs7412 (NC_000019.10:g.44908822C>T), the VRS 2.0 documentation's example allele
    allele = models.Allele(
        location=models.SequenceLocation(
            sequenceReference=models.SequenceReference(refgetAccession=GRCH38_REFGET["chr19"]),
            start=44908821,
            end=44908822,
        ),
        state=models.LiteralSequenceExpression(sequence="T"),
    )
    assert ga4gh_identify(allele) == "ga4gh:VA.0AePZIWZUNsUlQTamyLrjm2HWUw2opLt"


def test_indels_are_normalised_and_uncovered_alleles_get_no_id(proxy):
    seq = proxy.get_sequence("chr7", 140753330, 140753345)
    assert len(seq) == 15
    # a one-base insertion written with its VCF anchor, and the same one shifted right in
    # a homopolymer, are the same allele after VRS normalisation
    pos = 140753331 + next(i for i in range(14) if seq[i] == seq[i + 1])
    left = vrs_allele(proxy, "chr7", pos, seq[pos - 140753331], seq[pos - 140753331] * 2)
    right = vrs_allele(proxy, "chr7", pos + 1, seq[pos - 140753330], seq[pos - 140753330] * 2)
    assert left.id and left.id == right.id
    assert left.allele["state"]["type"] == "ReferenceLengthExpression"
    outside = vrs_allele(proxy, "chr7", 1000, "A", "T")
    assert outside.id is None and "outside the reference slices" in outside.reason
    wrong = vrs_allele(proxy, "chr7", 140753336, "C", "T")
    assert wrong.id is None and "not C" in wrong.reason


def _lab_a(url: str, tmp: Path) -> None:
    """Six cardiac patients carry LMNA; one crc pair has BRAF somatic (a single patient)."""
    store = open_store(url)
    batch = []
    for i in range(6):
        name = f"CARD0{i}"
        vcf = write_vcf(
            tmp / f"{name}.vcf",
            [f"{name}-I"],
            [(*LMNA, ["PASS"], {f"{name}-I": ((0, 1), (9, 8))}, {"GENE": "LMNA"})],
        )
        batch.append(read_patient(name, "cardiac", {f"{name}-I": "proband"}, vcf, None))
    som = write_vcf(
        tmp / "crc.vcf",
        ["CRC01-T", "CRC01-N"],
        [(*BRAF, ["PASS"], {"CRC01-T": ((0, 1), (80, 150)), "CRC01-N": ((0, 0), (19, 0))})],
    )
    batch.append(read_patient("CRC01", "crc", {"CRC01-T": "tumor", "CRC01-N": "normal"}, None, som))
    load_patients(store, batch)
    cls.record(
        store,
        Variant(*LMNA, gene="LMNA"),
        "MONDO:0005021",
        "Likely pathogenic",
        cls.parse_criteria("PS4_Moderate,PM2_Supporting"),
        "Dr. Reviewer",
        "2026-02-17",
        "seen in family CARD03 and their cousins",
    )
    store.close()


def _tsv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_export_import_round_trip_between_backends(store_url, other_store_url, tmp_path, proxy):
    _lab_a(store_url, tmp_path)
    store = open_store(store_url)
    done = export(store, tmp_path / "x", "Lab A", proxy)
    store.close()
    assert (done.classifications, done.counts, done.suppressed, done.no_vrs) == (1, 2, 1, [])
    counts = {(r["pilot"], r["kind"]): r for r in _tsv(tmp_path / "x/counts.tsv")}
    assert counts[("cardiac", "germline")]["patients"] == "6"
    assert counts[("crc", "somatic")]["patients"] == "<5"  # a single patient: suppressed
    assert counts[("crc", "somatic")]["cohort"] == "<5"
    row = _tsv(tmp_path / "x/classifications.tsv")[0]
    assert row["Date last evaluated"] == "2026-02"  # month only
    assert row["Comment on clinical significance"] == ""  # free text stays home by default
    assert row["VRS ID"].startswith("ga4gh:VA.")
    text = "".join(p.read_text() for p in (tmp_path / "x").iterdir())
    for secret in ("CARD03", "CRC01", "Dr. Reviewer", "2026-02-17", "-I"):
        assert secret not in text

    partner = open_store(other_store_url)
    info = import_export(partner, tmp_path / "x")
    month = json.loads((tmp_path / "x/manifest.json").read_text())["exported"]
    assert info == {"partner": "Lab A", "exported": month, "classifications": 1, "counts": 2}
    doc = lookup(partner, None, ["chr1-156136094-G-A", "chr7-140753336-A-T"], Settings())
    lmna = doc["variants"]["chr1-156136094-G-A"]
    assert lmna["partner_classifications"][0]["class"] == "Likely pathogenic"
    assert lmna["partner_classifications"][0]["date"] == "2026-02"
    assert lmna["observations"]["partners"] == [
        {"lab": "Lab A", "pilot": "cardiac", "kind": "germline", "patients": 6, "cohort": 6}
    ]
    braf = doc["variants"]["chr7-140753336-A-T"]["observations"]["partners"]
    assert braf[0]["patients"] == "<5"
    assert lmna["observations"]["germline"]["patients"] == 0  # a second cohort, not ours
    assert doc["cohort"]["partners"][0]["lab"] == "Lab A"
    # importing the same partner again replaces its data instead of doubling it
    import_export(partner, tmp_path / "x")
    again = lookup(partner, None, ["chr1-156136094-G-A"], Settings())
    assert len(again["variants"]["chr1-156136094-G-A"]["observations"]["partners"]) == 1
    partner.close()


def test_suppression_threshold_and_omission(store_url, tmp_path, proxy):
    _lab_a(store_url, tmp_path)
    store = open_store(store_url)
    strict = export(store, tmp_path / "a", "Lab A", proxy, min_count=10)
    assert {r["patients"] for r in _tsv(tmp_path / "a/counts.tsv")} == {"<10"}
    assert strict.suppressed == 2
    export(store, tmp_path / "b", "Lab A", proxy, omit_suppressed=True)
    assert [r["pilot"] for r in _tsv(tmp_path / "b/counts.tsv")] == ["cardiac"]
    export(store, tmp_path / "c", "Lab A", proxy, comments=True)
    assert "CARD03" in (tmp_path / "c/classifications.tsv").read_text()
    store.close()


def test_tampered_or_newer_exports_are_refused(store_url, tmp_path, proxy):
    _lab_a(store_url, tmp_path)
    store = open_store(store_url)
    export(store, tmp_path / "x", "Lab A", proxy)
    counts = tmp_path / "x/counts.tsv"
    counts.write_text(counts.read_text().replace("\t6\t", "\t60\t"))
    with pytest.raises(InputError, match="sha256 differs from the manifest"):
        import_export(store, tmp_path / "x")
    export(store, tmp_path / "y", "Lab A", proxy)
    manifest = json.loads((tmp_path / "y/manifest.json").read_text())
    manifest["format_version"] = 99
    (tmp_path / "y/manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="newer than this bigmed reads"):
        import_export(store, tmp_path / "y")
    store.close()


def test_export_and_import_on_the_command_line(store_url, tmp_path, capsys):
    _lab_a(store_url, tmp_path)
    out = tmp_path / "x"
    assert (
        cli.main(
            [
                "store",
                "export",
                "--url",
                store_url,
                "--reference",
                FASTA,
                "--contig-map",
                CMAP,
                "--out",
                str(out),
                "--lab",
                "Lab A",
            ]
        )
        == 0
    )
    assert "1 below 5, written '<5'" in capsys.readouterr().out
    other = str(tmp_path / "partner.sqlite")
    assert cli.main(["store", "import", "--url", other, str(out), "--partner", "Lab A (NL)"]) == 0
    assert cli.main(["store", "info", "--url", other]) == 0
    assert "partner lab Lab A (NL)" in capsys.readouterr().out
    assert cli.main(["store", "export", "--url", store_url, "--out", str(out), "--lab", "A"]) == 1
    assert "computes VRS ids from the reference" in capsys.readouterr().err

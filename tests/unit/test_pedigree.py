"""Families from the sample sheet, a PED file and Phenopackets; HPO term checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.intake.sheets import group_patients, read_samples
from bigmed.knowledge.hpo import read_ontology
from bigmed.pilots.rare_disease.pedigree import (
    Family,
    check_sheet_terms,
    load_families,
    read_ped,
    read_phenopacket,
)

from unit.rdfixtures import write_obo

HEADER = "patient\tsample\trole\tsex\taffected\tpilot\tphenotypes"
ROWS = [
    "FAM\tP1\tproband\tfemale\tyes\trare_disease\tHP:0000102;HP:0000900",
    "FAM\tM1\tmother\tfemale\tno\trare_disease\t",
    "FAM\tF1\tfather\tmale\tno\trare_disease\t",
    "FAM\tS1\tsibling\tmale\tunknown\trare_disease\t",
    "SOLO\tX1\tproband\tmale\tyes\trare_disease\tHP:0000301",
    "CARD\tC1\tproband\tmale\tyes\tcardiac\t",
]


def sheet(tmp_path: Path, rows: list[str] = ROWS) -> str:
    path = tmp_path / "samples.tsv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return str(path)


@pytest.fixture
def ont(tmp_path):
    return read_ontology(write_obo(tmp_path))


def families(tmp_path, ont, rows=ROWS, **kw) -> dict[str, Family]:
    path = sheet(tmp_path, rows)
    return load_families(group_patients(read_samples(path)), path, ontology=ont, **kw)


def test_families_from_the_sheet(tmp_path, ont):
    fams = families(tmp_path, ont)
    assert set(fams) == {"FAM", "SOLO"}  # cardiac patients are not rare-disease families
    fam = fams["FAM"]
    assert fam.proband == "P1"
    assert fam.members["P1"].father == "F1" and fam.members["S1"].mother == "M1"
    assert fam.kinship("P1", "S1") == 0.25 and fam.kinship("P1", "M1") == 0.25
    assert fam.kinship("M1", "F1") == 0.0
    # the obsolete HP:0000900 is replaced (with a warning naming file, line and field)
    assert fam.hpo == ["HP:0000102", "HP:0000101"]
    assert "line 2: field 'phenotypes': HP:0000900 is obsolete; using HP:0000101" in fam.warnings[0]
    assert Family.from_dict(json.loads(json.dumps(fam.as_dict()))).as_dict() == fam.as_dict()


def test_siblings_without_sequenced_parents_share_placeholder_parents(tmp_path, ont):
    rows = [ROWS[0], ROWS[3]]
    fam = families(tmp_path, ont, rows)["FAM"]
    assert fam.kinship("P1", "S1") == 0.25
    assert not fam.members["FAM:father"].sequenced


def test_unknown_hpo_term_names_file_line_and_field(tmp_path, ont):
    rows = [ROWS[0], "SOLO\tX1\tproband\tmale\tyes\trare_disease\tHP:0000301;HP:1234567"]
    with pytest.raises(InputError) as err:
        families(tmp_path, ont, rows)
    assert str(err.value).endswith(
        "samples.tsv: line 3: field 'phenotypes': unknown HPO term HP:1234567"
    )


def test_sheet_terms_of_every_pilot_are_checked(tmp_path, ont):
    rows = [*ROWS[:5], "CARD\tC1\tproband\tmale\tyes\tcardiac\tHP:0000555"]
    path = sheet(tmp_path, rows)
    with pytest.raises(InputError, match="line 7: field 'phenotypes': unknown HPO term HP:0000555"):
        check_sheet_terms(ont, path, read_samples(path))


# --------------------------------------------------------------------------- PED


def ped(tmp_path: Path, text: str) -> str:
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return str(path)


PED = """# FID IID PAT MAT SEX PHENOTYPE
FAM GF 0 0 1 0
FAM GM 0 0 2 0
FAM F1 GF GM 1 1
FAM M1 0 0 2 1
FAM P1 F1 M1 2 2
FAM S1 F1 M1 1 2
"""


def test_ped_defines_the_pedigree(tmp_path, ont):
    fam = families(tmp_path, ont, ped=ped(tmp_path, PED))["FAM"]
    assert not fam.members["GF"].sequenced and fam.members["F1"].father == "GF"
    assert fam.kinship("P1", "GF") == 0.125
    assert fam.members["S1"].affected == "yes"  # the sheet said unknown; the PED knows
    assert fam.ped is not None and fam.ped in fam.sources


@pytest.mark.parametrize(
    "text,message",
    [
        ("FAM P1 0 0 2\n", "line 1: has 5 columns; a PED line has 6"),
        ("FAM P1 0 0 3 2\n", "line 1: field 'sex': '3' is not one of"),
        ("FAM P1 0 0 2 x\n", "line 1: field 'phenotype': 'x' is not one of"),
        ("FAM P1 DAD 0 2 2\n", "line 1: field 'PAT': parent 'DAD' of 'P1' has no line"),
        (
            "FAM P1 F1 0 2 2\nFAM F1 0 0 2 1\n",
            "line 2: field 'sex': 'F1' is the father of 'P1' but is coded female",
        ),
        (
            "FAM P1 0 0 2 2\nFAM P1 0 0 2 2\n",
            "line 2: field 'IID': individual 'P1' of family 'FAM' appears twice",
        ),
    ],
)
def test_ped_format_errors(tmp_path, text, message):
    with pytest.raises(InputError) as err:
        read_ped(ped(tmp_path, text))
    assert message in str(err.value)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            PED.replace("FAM P1 F1 M1 2 2", "FAM P1 F1 M1 1 2"),
            "field 'sex': 'P1' is male here but female in the samples sheet",
        ),
        (
            PED.replace("FAM M1 0 0 2 1", "FAM M1 0 0 2 2"),
            "field 'phenotype': 'M1' is affected here",
        ),
        (
            PED.replace("FAM S1 F1 M1 1 2\n", ""),
            "sample 'S1' of family 'FAM' (samples sheet line 5) has no line in the PED file",
        ),
        (
            PED.replace("FAM P1 F1 M1", "FAM P1 GF M1"),
            "field 'PAT': the samples sheet names 'F1' (line 4) as the proband's father",
        ),
        (PED + "OTHER Q1 0 0 1 2\n", "field 'FID': family 'OTHER' is not a rare_disease patient"),
    ],
)
def test_ped_must_agree_with_the_sheet(tmp_path, ont, text, message):
    with pytest.raises(InputError) as err:
        families(tmp_path, ont, ped=ped(tmp_path, text))
    assert message in str(err.value)


# --------------------------------------------------------------------------- Phenopackets


def phenopacket(tmp_path: Path, doc: dict) -> str:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    return str(path)


PACKET = {
    "id": "case-1",
    "subject": {"id": "individual 1", "sex": "FEMALE"},
    "phenotypicFeatures": [
        {"type": {"id": "HP:0000103", "label": "Ventricular septal defect"}},
        {"type": {"id": "HP:0000901", "label": "obsolete Odd bones"}},
        {"type": {"id": "HP:0000301", "label": "Seizure"}, "excluded": True},
    ],
    "metaData": {"created": "2024-01-01T00:00:00Z"},
}


def test_phenopacket_adds_terms(tmp_path, ont):
    fams = families(tmp_path, ont, phenopackets={"FAM": phenopacket(tmp_path, PACKET)})
    fam = fams["FAM"]
    assert fam.hpo == ["HP:0000102", "HP:0000101", "HP:0000103", "HP:0000201", "HP:0000202"]
    assert fam.hpo_excluded == ["HP:0000301"]
    assert any("phenotypicFeatures[1].type.id': HP:0000901 is obsolete" in w for w in fam.warnings)


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"subject": {"id": "x", "sex": "MALE"}},
            "field 'subject.sex': subject is male here but proband 'P1' is female",
        ),
        (
            {"phenotypicFeatures": [{"type": {"id": "HP:1111111"}}]},
            "field 'phenotypicFeatures[0].type.id': unknown HPO term HP:1111111",
        ),
        (
            {"phenotypicFeatures": [{"type": {"id": "HP:12"}}]},
            "field 'phenotypicFeatures[0].type.id': 'HP:12' does not match",
        ),
        (
            {"phenotypicFeatures": "HP:0000103"},
            "field 'phenotypicFeatures': 'HP:0000103' is not of type 'array'",
        ),
    ],
)
def test_phenopacket_errors(tmp_path, ont, change, message):
    path = phenopacket(tmp_path, {**PACKET, **change})
    with pytest.raises(InputError) as err:
        families(tmp_path, ont, phenopackets={"FAM": path})
    assert message in str(err.value)


def test_phenopacket_not_json_and_unknown_patient(tmp_path, ont):
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  'id': 1\n}\n")
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        read_phenopacket(str(bad))
    with pytest.raises(
        InputError,
        match=r"field 'rare_disease\.phenopackets\.CARD': patient 'CARD' is not a rare_disease",
    ):
        families(tmp_path, ont, phenopackets={"CARD": phenopacket(tmp_path, PACKET)})

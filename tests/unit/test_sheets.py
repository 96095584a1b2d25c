"""Sample and unit sheets: parsing, schema validation, cross-row rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.intake.sheets import group_patients, read_samples, read_units
from conftest import ROOT

HEADER = "patient\tsample\trole\tsex\taffected\tpilot\tphenotypes\ttumor_type\tpurity"


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "samples.tsv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_demo_sheets_parse():
    samples = read_samples(ROOT / "config" / "samples.tsv")
    units = read_units(ROOT / "config" / "units.tsv", samples, without_reads=frozenset({"HG001V"}))
    patients = group_patients(samples)
    # HG001V enters as a VCF (config/calls.tsv): it has no unit
    assert set(patients) == {"RD01", "CARD01", "CRC01", "HG001", "HG001V"}
    assert [s.role for s in patients["CRC01"].samples] == ["tumor", "normal"]
    assert sum(u.sample == "CRC01-T" for u in units) == 5
    proband = patients["RD01"].with_role("proband")[0]
    assert proband.phenotypes and all(p.startswith("HP:") for p in proband.phenotypes)


@pytest.mark.parametrize(
    "rows,message",
    [
        (["F1\tS1\tproband\tfemale\tyes\trare_disease\t\t\t"], None),
        (["F1\tS1\tproband\tfemale\tyes\trare_disease\tHP:0001250;HP:0001263\t\t"], None),
        (["F1\tS1\tproband\tfemale\tmaybe\trare_disease\t\t\t"], "field 'affected'"),
        (["F1\tS1\tproband\tf\tyes\trare_disease\t\t\t"], "field 'sex'"),
        (["F1\tS1\tproband\tfemale\tyes\tcardiac\tHP:1\t\t"], "field 'phenotypes'"),
        (["F1\tS1\tproband\tfemale\tyes\t\t\t\t"], "field 'pilot': empty or missing"),
        (["F1\tS1\tmother\tfemale\tno\tcardiac\t\t\t"], "needs exactly one proband"),
        (
            [
                "F1\tS1\tproband\tfemale\tyes\tcardiac\t\t\t",
                "F1\tS2\tfather\tfemale\tno\tcardiac\t\t\t",
            ],
            "line 3: field 'sex': father 'S2' is declared female",
        ),
        (
            ["F1\tS1\tproband\tfemale\tyes\tcardiac\t\t\t", "F1\tS2\tsibling\tmale\tno\tcrc\t\t\t"],
            "line 3: field 'pilot': patient 'F1' has pilot 'crc' here",
        ),
        (["T1\tT1-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t0.6"], None),
        (["T1\tT1-N\tnormal\tmale\tno\tcrc\t\t\t"], "needs exactly one tumor sample, found 0"),
        (["T1\tT1-T\ttumor\tmale\tyes\tcrc\t\t\t"], "field 'tumor_type': tumor sample needs"),
        (["T1\tT1-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t1.5"], "field 'purity'"),
        (["T1\tT1-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\thigh"], "field 'purity': 'high' is not"),
        (
            [
                "T1\tT1-T\ttumor\tmale\tyes\tcrc\t\tCOADREAD\t",
                "T1\tT1-P\tproband\tmale\tyes\tcrc\t\t\t",
            ],
            "role 'proband' is not allowed in a crc patient",
        ),
        (["F1\tS1\tproband\tfemale\tyes\tcardiac\t\t\t\textra"], "has 10 cells"),
    ],
)
def test_sample_rows(tmp_path: Path, rows: list[str], message: str | None):
    path = write(tmp_path, *rows)
    if message is None:
        assert read_samples(path)
    else:
        with pytest.raises(InputError, match=message.replace("(", r"\(")) as err:
            read_samples(path)
        assert "\n" not in str(err.value)
        assert str(path) in str(err.value)


def test_unknown_column_and_empty_sheet(tmp_path: Path):
    with pytest.raises(InputError, match="unknown column 'age'"):
        read_samples(write(tmp_path, header=HEADER + "\tage"))
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(InputError, match="is empty"):
        read_samples(empty)
    with pytest.raises(InputError, match="file not found"):
        read_samples(tmp_path / "none.tsv")


def test_units_duplicate_unit(tmp_path: Path):
    samples = read_samples(write(tmp_path, "F1\tS1\tproband\tfemale\tyes\tcardiac\t\t\t"))
    units = tmp_path / "units.tsv"
    units.write_text("sample\tunit\tfq1\tfq2\nS1\tL1\ta\tb\nS1\tL1\tc\td\n")
    with pytest.raises(
        InputError, match="line 3: field 'unit': unit 'L1' of sample 'S1' appears twice"
    ):
        read_units(units, samples)

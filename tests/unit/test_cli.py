"""The bigmed command: report-diff on report documents, argument and file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bigmed import cli


def _report(findings: list[dict[str, object]], variants: list[dict[str, object]]) -> dict:
    return {"findings": findings, "variants": variants, "provenance": {"knowledge_bases": []}}


def _write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_report_diff_lists_a_reclassified_and_a_new_finding(tmp_path, capsys):
    v_old = {
        "id": "chr1-10-A-G",
        "gene": "LMNA",
        "hgvs_p": "p.(Arg377His)",
        "classification": "Uncertain significance",
    }
    v_new = {**v_old, "classification": "Likely pathogenic"}
    old = _write(tmp_path / "old.json", _report([], [v_old]))
    new = _write(
        tmp_path / "new.json",
        _report(
            [
                {
                    "variant_id": "chr1-10-A-G",
                    "classification": "Likely pathogenic",
                    "gene": "LMNA",
                    "hgvs_p": "p.(Arg377His)",
                }
            ],
            [v_new],
        ),
    )
    assert cli.main(["report-diff", old, new]) == 0
    out = capsys.readouterr().out.splitlines()
    changes = {line.split("\t")[0] for line in out}
    assert "new finding" in changes
    assert "reclassified" in changes
    assert cli.main(["report-diff", "--json", old, new]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any(
        i["change"] == "reclassified" and i["after"] == "Likely pathogenic" for i in doc["items"]
    )


def test_report_diff_same_report_says_no_changes(tmp_path, capsys):
    rep = _write(tmp_path / "r.json", _report([], [{"id": "x", "classification": "Benign"}]))
    assert cli.main(["report-diff", rep, rep]) == 0
    assert capsys.readouterr().out.strip() == "no changes"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not JSON"), ('{"a": 1}', "not a bigmed report.json"), (None, "cannot read")],
)
def test_report_diff_bad_file_is_one_error_line(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    good = _write(tmp_path / "good.json", _report([], []))
    assert cli.main(["report-diff", str(bad), good]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"bigmed: error: {bad}: ")
    assert message in err[0]


def test_missing_configfile_is_one_error_line(tmp_path, capsys):
    assert cli.main(["validate", "--configfile", str(tmp_path / "nope.yaml")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"bigmed: error: {tmp_path / 'nope.yaml'}: config file not found"]


def test_named_workflow_dir_without_snakefile_is_refused(tmp_path, monkeypatch, capsys):
    assert cli.workflow_dir(None) == Path(cli.__file__).resolve().parents[2]
    assert cli.main(["validate", "--workflow-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"bigmed: error: {tmp_path}: no Snakefile here (--workflow-dir)"]
    monkeypatch.setenv("BIGMED_WORKFLOW", str(tmp_path))
    assert cli.main(["run", "--", "-n"]) == 1
    assert "(BIGMED_WORKFLOW)" in capsys.readouterr().err


def test_run_passes_cores_and_profile(tmp_path):
    wdir = cli.workflow_dir(None)
    cmd = cli.snakemake_command(wdir, None, "slurm", ["--cores", "4", "-n"])
    assert cmd[1:3] == ["--snakefile", str(wdir / "Snakefile")]
    assert "--workflow-profile" in cmd
    assert cmd[cmd.index("--workflow-profile") + 1].endswith("workflow/profiles/slurm")
    assert cmd[-3:] == ["--cores", "4", "-n"]

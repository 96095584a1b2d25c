"""Two runs of the same inputs give the same calls and report; a re-analysis reports changes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import make_batch

pytestmark = pytest.mark.integration


def _records(vcf: Path) -> list[str]:
    with gzip.open(vcf, "rt") as handle:
        return [ln for ln in handle if not ln.startswith("#")]


def _stable(report: dict) -> dict:
    report = dict(report)
    report.pop("generated")
    report.pop("changes", None)
    return report


def test_two_runs_are_identical_and_second_reports_changes(tmp_path: Path):
    first = make_batch(tmp_path / "first", patients=["HG001"])
    first.edit(report__pdf=False)
    assert first.run().returncode == 0
    second = make_batch(tmp_path / "second", patients=["HG001"])
    second.edit(report__pdf=False, report__previous_dir=str(first.workdir / "results"))
    proc = second.run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    a, b = (x.workdir / "results" / "HG001" for x in (first, second))
    assert _records(a / "calls.vcf.gz") == _records(b / "calls.vcf.gz")
    ra, rb = (json.loads((x / "report.json").read_text()) for x in (a, b))
    # the config differs only by report.previous_dir, which enters the config hash
    ra["provenance"].pop("config_hash")
    rb["provenance"].pop("config_hash")
    assert _stable(ra) == _stable(rb)
    assert (a / "variants.tsv").read_text() == (b / "variants.tsv").read_text()
    assert rb["changes"]["items"] == []
    assert rb["changes"]["previous"]["generated"] == ra["generated"]
    assert "Changes since the previous report" in (b / "report.html").read_text()

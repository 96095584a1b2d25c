"""Input checksums of a sample (report provenance), as sample_qc and checksum_inputs write them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bigmed.report.provenance import input_checksums, sha256


def test_input_checksums_one_row_per_file(tmp_path: Path):
    r1, r2, vcf = (tmp_path / n for n in ("a_R1.fastq.gz", "a_R2.fastq.gz", "a.vcf.gz"))
    for i, path in enumerate((r1, r2, vcf)):
        path.write_bytes(bytes([i]) * 5000)
    rows = input_checksums("S1", [("L001", str(r1), str(r2)), ["germline", str(vcf)]])
    assert [(r["sample"], r["unit"], r["path"]) for r in rows] == [
        ("S1", "L001", str(r1)),
        ("S1", "L001", str(r2)),
        ("S1", "germline", str(vcf)),
    ]
    assert rows[0]["sha256"] == hashlib.sha256(r1.read_bytes()).hexdigest() == sha256(str(r1))
    assert input_checksums("S1", []) == []

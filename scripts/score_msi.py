"""Rule script: MSI status of one tumor (paired with its normal, or against a baseline)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.msi import (
    MsiParams,
    classify,
    paired_site,
    read_baseline,
    read_lengths,
    tumor_only_site,
)


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, cfg = snakemake.input, snakemake.params.msi
    params = MsiParams(**{k: cfg[k] for k in MsiParams.__dataclass_fields__ if k in cfg})
    tumor = read_lengths(inp.tumor)
    if hasattr(inp, "normal"):
        normal = read_lengths(inp.normal)
        calls = [paired_site(s, c, normal.get(s, c.__class__()), params) for s, c in tumor.items()]
        result = classify(calls, params, "paired")
    else:
        baseline = read_baseline(inp.baseline)
        calls = [tumor_only_site(s, tumor[s], b, params) for s, b in baseline.items() if s in tumor]
        result = classify(calls, params, "tumor-only")
        if not baseline:
            result["reason"] += (
                " (no MSI baseline: add normal samples to the batch or set msi.baseline)"
            )
    lines = [
        "site\ttumor_reads\treference_reads\tmode\ttumor_off_mode\treference_off_mode\tp_value\tevaluable\tunstable"
    ]
    for c in calls:
        p = "" if c.p_value is None else f"{c.p_value:.3g}"
        lines.append(
            f"{c.site}\t{c.tumor_reads}\t{c.reference_reads}\t{c.mode}\t{c.tumor_off_mode}"
            f"\t{c.reference_off_mode}\t{p}\t{c.evaluable}\t{c.unstable}"
        )
    write_text(snakemake.output.sites, "\n".join(lines) + "\n")
    write_text(snakemake.output.json, json.dumps(result, indent=1) + "\n")
    print(result["reason"])


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

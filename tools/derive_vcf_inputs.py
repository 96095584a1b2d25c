"""Derive the demo's VCF inputs (resources/demo/vcf/) from ../shared/data.

NA12878_panel.GRCh38.vcf.gz: the ngs-bits NA12878_03 panel call set (freebayes, GRCh38,
326 records) without the source's annotations (VEP CSQ, ClinVar, gnomAD, ExAC; the
pipeline annotates itself). Records, FORMAT (GT:DP:AO) and the sample name are kept.

    python scripts/derive_vcf_inputs.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "germline/ngsbits_NA12878_03_panel/NA12878_03_panel_vep.sanitized.GRCh38.vcf.gz"
OUT = ROOT / "resources" / "demo" / "vcf" / "NA12878_panel.GRCh38.vcf.gz"
# annotations of the source pipeline; the pipeline annotates from its own knowledge bundle
DROP_INFO = (
    "CSQ",
    "CLINVAR",
    "CLINVAR_DETAILS",
    "gnomADg",
    "gnomADg_AF",
    "EXAC_AF_AFR",
    "EXAC_AF_AMR",
    "EXAC_AF_EAS",
    "EXAC_AF_NFE",
    "EXAC_AF_SAS",
)


def strip_info(line: str) -> str:
    cols = line.rstrip("\n").split("\t")
    kept = [kv for kv in cols[7].split(";") if kv.split("=", 1)[0] not in DROP_INFO]
    cols[7] = ";".join(kept) or "."
    return "\t".join(cols) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args()
    plain = OUT.with_suffix("")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(Path(args.shared) / SOURCE, "rt") as src, open(plain, "w") as dst:
        for line in src:
            if line.startswith("##INFO=<ID=") and line[11:].split(",")[0] in DROP_INFO:
                continue
            if line.startswith("##VEP"):
                continue
            dst.write(line if line.startswith("#") else strip_info(line))
    subprocess.run(["bgzip", "--force", str(plain)], check=True)
    subprocess.run(["tabix", "--force", "--preset", "vcf", str(OUT)], check=True)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Derive the rare-disease pilot's alternative demo inputs under resources/demo/rare_disease/.

- ``RD01.phenopacket.json``: byte copy of the GA4GH Phenopacket v2 of the RD01 demo case
  (phenopacket-store ``PMID_22158539_individual_4``), so that ``rare_disease.phenopackets``
  can be shown and tested without the shared data folder.
- ``RD01.ped``: the RD01 trio of ``config/samples.tsv`` as a PED file (FID IID PAT MAT SEX
  PHENOTYPE), for ``rare_disease.pedigree``.

Usage: scripts/derive_rare_disease_resources.py [--shared ../shared/data] [--out resources]
Deterministic; standard library only.
"""

import argparse
import csv
import os
import shutil

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASE = "PMID_22158539_individual_4"
FAMILY = "RD01"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(REPO, "resources"))
    args = ap.parse_args()
    out = os.path.join(args.out, "demo", "rare_disease")
    os.makedirs(out, exist_ok=True)
    src = os.path.join(args.shared, "cases", "phenopackets", f"{CASE}.json")
    shutil.copyfile(src, os.path.join(out, f"{FAMILY}.phenopacket.json"))
    with open(os.path.join(REPO, "config", "samples.tsv")) as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["patient"] == FAMILY]
    role = {r["role"]: r["sample"] for r in rows}
    sex = {"male": "1", "female": "2", "unknown": "0"}
    affected = {"yes": "2", "no": "1", "unknown": "0"}
    lines = ["# FID\tIID\tPAT\tMAT\tSEX\tPHENOTYPE"]
    for r in rows:
        child = r["role"] in ("proband", "sibling")
        pat = role.get("father", "0") if child else "0"
        mat = role.get("mother", "0") if child else "0"
        lines.append(
            "\t".join([FAMILY, r["sample"], pat, mat, sex[r["sex"]], affected[r["affected"]]])
        )
    with open(os.path.join(out, f"{FAMILY}.ped"), "w", newline="\n") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"wrote {out}/{FAMILY}.phenopacket.json and {FAMILY}.ped")


if __name__ == "__main__":
    main()

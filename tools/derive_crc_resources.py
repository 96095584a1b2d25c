#!/usr/bin/env python3
"""Derive resources/crc/ (the colorectal pilot's own resource) from the shared data folder.

Users never have the shared folder; this script documents (and re-runs) how the file was
made. The evidence itself (MOAlmanac, CIViC, cancer hotspots) comes from the knowledge
sources (resources/knowledge_sources/, config ``knowledge.sources``); the pilot only adds:

  oncotree.tsv   the OncoTree table shipped with MOAlmanac (code, main_type, name, tissue;
                 OncoTree release 2023-03-09), to match evidence to the sample's tumor type
                 (the colorectal lineage COADREAD, COAD, READ, ... and its tissue, BOWEL)

Standard library only; a byte copy, so re-runs are identical.

Usage:  scripts/derive_crc_resources.py [--shared ../shared/data] [--out resources/crc]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ONCOTREE = os.path.join("kb", "moalmanac", "oncotree.2023-03-09.txt")
EXPECTED_HEADER = ["code", "main_type", "name", "tissue"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--shared",
        default=os.path.join(REPO, "..", "shared", "data"),
        help="the maintainers' shared data folder (default ../shared/data)",
    )
    ap.add_argument("--out", default=os.path.join(REPO, "resources", "crc"), help="output folder")
    args = ap.parse_args(argv)
    src = os.path.join(args.shared, ONCOTREE)
    with open(src) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        rows = sum(1 for _ in handle)
    if header != EXPECTED_HEADER:
        print(f"error: {src}: header {header}, expected {EXPECTED_HEADER}", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    shutil.copyfile(src, os.path.join(args.out, "oncotree.tsv"))
    print(f"oncotree.tsv: {rows} OncoTree codes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sex chromosomes: a male's chrX variant outside the PARs is called hemizygous (GT 1) and
the X-linked model uses it; his mother's is heterozygous. Simulated reads (ART) of a
mother/son pair over LAMP2 (chrX) and TP53 (an autosome for the depth check)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pysam
import pytest
from conftest import ROOT, make_batch

# the read simulation the accuracy benchmarks use (benchmarks/artsim.py)
sys.path.insert(0, str(ROOT / "benchmarks"))
import artsim

pytestmark = pytest.mark.integration

LAMP2 = "chrX_120424148_120474349"
TP53 = "chr17_7659779_7692550"
# LAMP2 CDS 18452-18515 (minus strand, phase 0): 18514 is the second base of a codon,
# so any substitution there changes the amino acid
SITE = 18514


def _sample_reads(
    tmp: Path, name: str, haplotypes: list[dict[str, str]], seed: int
) -> tuple[Path, Path]:
    """One ART run per haplotype at 15x, pooled into one read pair of FASTQs."""
    parts = []
    for i, hap in enumerate(haplotypes):
        fasta = tmp / f"{name}_h{i}.fa"
        fasta.write_text("".join(f">{c}\n{s}\n" for c, s in hap.items()))
        r1, r2 = artsim.art(fasta, 15, seed + i, tmp / f"{name}_h{i}_")
        parts.append((f"h{i}", r1, r2))
    outs = tmp / f"{name}_R1.fastq.gz", tmp / f"{name}_R2.fastq.gz"
    artsim.pool_reads(parts, *outs)
    return outs


@pytest.mark.skipif(shutil.which("art_illumina") is None, reason="ART not installed")
def test_male_chrx_variant_is_hemizygous_and_x_linked(tmp_path: Path):
    with pysam.FastaFile(str(ROOT / "resources" / "reference" / "minigenome.fa.gz")) as fa:
        x, auto = fa.fetch(LAMP2).upper(), fa.fetch(TP53).upper()
    ref_base = x[SITE - 1]
    alt_base = {"A": "C", "C": "A", "G": "T", "T": "G"}[ref_base]
    x_alt = x[: SITE - 1] + alt_base + x[SITE:]
    b = make_batch(tmp_path / "batch", patients=[])
    son = _sample_reads(tmp_path, "XL01-P", [{LAMP2: x_alt, TP53: auto}, {TP53: auto}], 11)
    mother = _sample_reads(
        tmp_path, "XL01-M", [{LAMP2: x_alt, TP53: auto}, {LAMP2: x, TP53: auto}], 21
    )
    (b.workdir / "samples.tsv").write_text(
        "patient\tsample\trole\tsex\taffected\tpilot\tphenotypes\ttumor_type\tpurity\n"
        "XL01\tXL01-P\tproband\tmale\tyes\trare_disease\tHP:0001638\t\t\n"
        "XL01\tXL01-M\tmother\tfemale\tno\trare_disease\t\t\t\n"
    )
    (b.workdir / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\n"
        f"XL01-P\tL1\t{son[0]}\t{son[1]}\nXL01-M\tL1\t{mother[0]}\t{mother[1]}\n"
    )
    targets = b.workdir / "targets.bed"
    targets.write_text(f"{LAMP2}\t500\t49700\n{TP53}\t500\t32200\n")
    cfg = b.config()
    cfg.pop("cardiac", None)
    cfg.update(targets=str(targets), calls=None)
    cfg["report"]["pdf"] = False
    b.write_config(cfg)
    proc = b.run("results/XL01/calls.vcf.gz", "results/interpretation/rare_disease/XL01.json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    sexes = (b.workdir / "results" / "calls" / "XL01" / "ploidy" / "sexes.tsv").read_text()
    assert "XL01-P\tmale\tsample sheet" in sexes
    with pysam.VariantFile(str(b.workdir / "results" / "XL01" / "calls.vcf.gz")) as vcf:
        recs = [
            r for r in vcf if r.info.get("SRC_CONTIG") == LAMP2 and r.info.get("SRC_POS") == SITE
        ]
    assert len(recs) == 1 and recs[0].filter.keys() == ["PASS"]
    assert recs[0].samples["XL01-P"]["GT"] == (1,)  # hemizygous
    assert sorted(recs[0].samples["XL01-M"]["GT"]) == [0, 1]
    interp = json.loads(
        (b.workdir / "results" / "interpretation" / "rare_disease" / "XL01.json").read_text()
    )
    rows = next(s for s in interp["sections"] if s["id"] == "candidates")["rows"]
    lamp2 = next(r for r in rows if r[1] == "LAMP2")
    assert "XL01-P 1 hemizygous" in lamp2[4] and "XL01-M 0/1" in lamp2[4]
    assert lamp2[5].startswith("X-linked")
    vid = f"{recs[0].chrom}-{recs[0].pos}-{recs[0].ref}-{recs[0].alts[0]}"
    rank = next(e for e in interp["variants"][vid]["evidence"] if e["type"] == "rare_disease_rank")
    assert "hemizygous (GT 1), from the carrier mother" in rank["inheritance_detail"]

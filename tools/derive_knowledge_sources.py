#!/usr/bin/env python3
"""Derive the demo knowledge sources shipped under resources/knowledge_sources/.

Users of the project never have the shared data folder: this script documents (and re-runs)
how every file in resources/knowledge_sources/ was made. Most files are byte copies (or
gzip copies) of public releases:

  clinvar/       the real ClinVar GRCh38 VCF (release 2026-02-26) over the demo's gene slices:
                 every record as ClinVar wrote it; two header lines are added, ``##bigmed_subset=``
                 (the file is a subset: absence from it says nothing) and
                 ``##bigmed_subset_genes=`` (which genes it covers completely, which partly, with
                 the span of the records of a partly covered gene).
  clingen_vcep/  ClinGen expert-panel (VCEP) classifications with the criteria each panel
                 applied (ClinGen Evidence Repository export with GRCh38 alleles), byte copy.
  clinvar_scv/   ClinVar per-submission (SCV) records of expert-panel variants, byte copy.

One file is a *derived subset*, because no gnomAD sites VCF exists in the shared data:

  gnomad/   a gnomAD-sites-format VCF (INFO AF, AF_<grp>, AF_grpmax, grpmax, nhomalt) made from
            the gnomAD frequencies annotated on two real NA12878 call sets (megSAP GSvar,
            ngs-bits VEP 2018). It carries ``##bigmed_subset=``: PM2 is not evaluated on absence.

Every output is deterministic (gzip headers without name or time; BGZF has none), so a
re-run gives byte-identical files. Needs Python 3.11+ and pysam (bgzip + tabix).

Usage:  tools/derive_knowledge_sources.py [--shared DIR] [--out DIR]
        (defaults: ../shared/data and resources/knowledge_sources)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pysam

REPO = Path(__file__).resolve().parents[1]

GROUPS = ["afr", "amr", "eas", "nfe", "sas"]  # the groups gnomAD takes grpmax/popmax over

MEGSAP = (
    "germline/megsap_NA12878_03_hpHBOCv5/NA12878_03.hpHBOCv5.deepvariant.GRCh38.sanitized.GSvar.tsv"
)
NGSBITS_TSV = "germline/ngsbits_NA12878_03_panel/NA12878_03_panel_calls.GRCh38_GRCh37.tsv"
NGSBITS_VCF = "germline/ngsbits_NA12878_03_panel/NA12878_03_panel_vep.sanitized.GRCh38.vcf.gz"
SLICES = "reference/grch38_slices.fa.gz"
CONTIGS = "reference/contigs.tsv"

# (source under shared/data, destination under out, gzip it?)
COPIES = [
    ("kb/hpo/hp.obo.gz", "hpo/hp.obo.gz", False),
    ("kb/hpo/genes_to_phenotype.txt.gz", "hpo/genes_to_phenotype.txt.gz", False),
    ("kb/hpo/phenotype.hpoa.gz", "hpo/phenotype.hpoa.gz", False),
    (
        "kb/cancerhotspots/hg38.hotspots_changv2_gao_nc.vcf.gz",
        "cancerhotspots/hg38.hotspots_changv2_gao_nc.vcf.gz",
        False,
    ),
    (
        "kb/cancerhotspots/hotspots_single_aa_change.hg38.txt",
        "cancerhotspots/hotspots_single_aa_change.hg38.txt",
        False,
    ),
    ("kb/cancerhotspots/hotspots_indel.txt", "cancerhotspots/hotspots_indel.txt", False),
    (
        "kb/cancerhotspots/hotspots_splice.hg38.txt",
        "cancerhotspots/hotspots_splice.hg38.txt",
        False,
    ),
    (
        "kb/moalmanac/molecular-oncology-almanac.json",
        "moalmanac/molecular-oncology-almanac.json.gz",
        True,
    ),
    ("kb/acmg/acmg.secondaryfindings.v3.txt", "acmg/acmg.secondaryfindings.v3.txt", False),
    ("kb/mane/2026_01_20_MANE.csv", "mane/2026_01_20_MANE.csv.gz", True),
    ("kb/cardiac_g2p/Cardiac_G2P.csv", "cardiac_g2p/Cardiac_G2P.csv.gz", True),
    ("kb/gencc/gencc_submissions_subset.tsv", "gencc/gencc_submissions_subset.tsv", False),
    (
        "kb/clingen_vcep/clingen_erepo_vcep.dev.grch38.tsv",
        "clingen_vcep/clingen_erepo_vcep.grch38.tsv",
        False,
    ),
    (
        "kb/clinvar_scv/clinvar_scv_statements.slice_genes.tsv",
        "clinvar_scv/clinvar_scv_statements.slice_genes.tsv",
        False,
    ),
] + [
    (f"kb/civic/{name}.json.gz", f"civic/{name}.json.gz", False)
    for name in (
        "variants",
        "studies",
        "therapeutics",
        "tumorTypes",
        "strengths",
        "methods",
        "documents",
    )
]
LICENCES = [
    ("kb/civic/LICENSE.gk-pilot.Apache-2.0", "licenses/LICENSE.gk-pilot.Apache-2.0"),
    ("kb/moalmanac/LICENSE.GPL-2.0", "licenses/LICENSE.moalmanac.GPL-2.0"),
    ("kb/mane/LICENSE.nf-cmgg.MIT", "licenses/LICENSE.nf-cmgg.MIT"),
    ("kb/clingen_vcep/LICENSE.BayesQuantify", "licenses/LICENSE.BayesQuantify.MIT"),
    ("germline/ngsbits_NA12878_03_panel/LICENSE.ngs-bits.MIT", "licenses/LICENSE.ngs-bits.MIT"),
    (
        "germline/megsap_NA12878_03_hpHBOCv5/LICENSE.megSAP.GPL-3.0",
        "licenses/LICENSE.megSAP.GPL-3.0",
    ),
]


def gzip_copy(src: Path, dst: Path) -> None:
    # no file name and mtime 0 in the gzip header: byte-identical re-runs
    with (
        open(src, "rb") as fin,
        open(dst, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        shutil.copyfileobj(fin, out)


def step_copy(shared: Path, out: Path) -> None:
    for src, dst, compress in COPIES:
        target = out / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if compress:
            gzip_copy(shared / src, target)
        else:
            shutil.copyfile(shared / src, target)
        if target.name.endswith(".vcf.gz"):
            pysam.tabix_index(str(target), preset="vcf", force=True)
    for src, dst in LICENCES:
        (out / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / src, out / dst)


# ------------------------------------------------------------------------------------------
# the NA12878 call sets
# ------------------------------------------------------------------------------------------
def read_gsvar(path: Path) -> list[dict[str, str]]:
    with open(path) as handle:
        lines = [ln.rstrip("\n") for ln in handle if not ln.startswith("##")]
    header = lines[0].lstrip("#").split("\t")
    return [dict(zip(header, ln.split("\t"), strict=True)) for ln in lines[1:]]


def read_ngsbits_vcf(path: Path) -> dict[tuple[str, int, str, str], list[dict[str, str]]]:
    """(chrom, pos, ref, alt) -> the VEP CSQ entries of that record."""
    fields: list[str] = []
    out: dict[tuple[str, int, str, str], list[dict[str, str]]] = {}
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.startswith("##INFO=<ID=CSQ"):
                fields = line.split("Format: ")[1].rstrip('">\n').split("|")
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            info = dict(kv.split("=", 1) for kv in cols[7].split(";") if "=" in kv)
            entries = [
                dict(zip(fields, e.split("|"), strict=False))
                for e in info.get("CSQ", "").split(",")
                if e
            ]
            out[(cols[0], int(cols[1]), cols[3], cols[4])] = entries
    return out


class Slices:
    """GRCh38 sequence where the mini-genome has it (for anchors and left-alignment)."""

    def __init__(self, fasta: Path, contigs_tsv: Path) -> None:
        self.fa = pysam.FastaFile(str(fasta))
        self.rows: list[tuple[str, int, int, str]] = []
        with open(contigs_tsv) as handle:
            next(handle)
            for line in handle:
                contig, chrom, start, end = line.rstrip("\n").split("\t")[:4]
                self.rows.append((chrom, int(start), int(end), contig))

    def base(self, chrom: str, pos: int) -> str | None:
        for c, s, e, contig in self.rows:
            if c == chrom and s <= pos <= e:
                return str(self.fa.fetch(contig, pos - s, pos - s + 1)).upper()
        return None


def left_align(chrom: str, pos: int, ref: str, alt: str, sl: Slices) -> tuple[int, str, str]:
    """Left-align an anchored indel where the slice sequence is known (as bcftools norm)."""
    if len(ref) == len(alt):
        return pos, ref, alt
    while True:
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        if ref[-1] != alt[-1]:
            break
        prev = sl.base(chrom, pos - 1)
        if prev is None:
            break
        pos, ref, alt = pos - 1, prev + ref[:-1], prev + alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0] and ref[1] == alt[1]:
        pos, ref, alt = pos + 1, ref[1:], alt[1:]
    return pos, ref, alt


def gsvar_allele(
    row: dict[str, str], ngs_keys: set[tuple[str, int, str, str]], sl: Slices
) -> tuple[int, str, str] | None:
    """VCF-style allele of a GSvar row: its own vcf_* columns, else the ngs-bits record."""
    chrom = row["chr"]
    if row["vcf_pos"]:
        return left_align(chrom, int(row["vcf_pos"]), row["vcf_ref"], row["vcf_alt"], sl)
    start, ref, obs = int(row["start"]), row["ref"], row["obs"]
    for key in ngs_keys:
        k_chrom, k_pos, k_ref, k_alt = key
        if k_chrom != chrom or abs(k_pos - start) > 1 or k_ref[0] != k_alt[0]:
            continue
        if ref == "-" and k_ref == k_ref[0] and k_alt[1:] == obs and k_pos in (start, start - 1):
            return k_pos, k_ref, k_alt
        if obs == "-" and k_alt == k_ref[0] and k_ref[1:] == ref and k_pos == start - 1:
            return k_pos, k_ref, k_alt
    return None


# ------------------------------------------------------------------------------------------
# the gnomAD subset
# ------------------------------------------------------------------------------------------
class Derived:
    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.slices = Slices(shared / SLICES, shared / CONTIGS)
        self.megsap = read_gsvar(shared / MEGSAP)
        with open(shared / NGSBITS_TSV, newline="") as handle:
            self.ngs_rows = list(csv.DictReader(handle, delimiter="\t"))
        self.ngs_csq = read_ngsbits_vcf(shared / NGSBITS_VCF)
        self.dropped: dict[str, int] = {}
        keys = set(self.ngs_csq)
        self.anchored: list[tuple[dict[str, str], tuple[str, int, str, str]]] = []
        for row in self.megsap:
            allele = gsvar_allele(row, keys, self.slices)
            if allele is None:
                # an indel outside the slices with no ngs-bits record: no anchor base known
                self.dropped["megsap_indel_without_anchor"] = (
                    self.dropped.get("megsap_indel_without_anchor", 0) + 1
                )
                continue
            self.anchored.append((row, (row["chr"], *allele)))

    def _megsap_rows(self) -> Iterator[tuple[dict[str, str], tuple[str, int, str, str]]]:
        yield from self.anchored

    def _ngs_key(self, row: dict[str, str]) -> tuple[str, int, str, str]:
        return row["chrom"], int(row["pos_GRCh38"]), row["ref_GRCh38"], row["alt_GRCh38"]

    def gnomad(self) -> list[tuple[str, int, str, str, str, str]]:
        rows: dict[tuple[str, int, str, str], str] = {}
        for row, key in self._megsap_rows():
            if not row["gnomAD"]:
                continue
            subs = row["gnomAD_sub"].split(",")
            af = {g: float(v) for g, v in zip(GROUPS, subs, strict=False) if v}
            info: dict[str, str] = {"AF": fmt_af(float(row["gnomAD"]))}
            info.update({f"AF_{g}": fmt_af(v) for g, v in af.items()})
            if af:
                grp = max(af, key=lambda g: af[g])
                info["AF_grpmax"], info["grpmax"] = fmt_af(af[grp]), grp
            hom = row["gnomAD_hom_hemi"].split(",")[0]
            if hom.isdigit():
                info["nhomalt"] = hom
            info["BIGMED_SRC"] = "megSAP_GSvar_2025_10"
            rows[key] = ";".join(f"{k}={v}" for k, v in info.items())
        for row in self.ngs_rows:
            key = self._ngs_key(row)
            if key in rows:
                continue
            entries = self.ngs_csq.get(key, [])
            csq = entries[0] if entries else {}
            if csq.get("gnomAD_AF"):
                info = {"AF": fmt_af(float(csq["gnomAD_AF"]))}
                af = {
                    g: float(csq[f"gnomAD_{g.upper()}_AF"])
                    for g in GROUPS
                    if csq.get(f"gnomAD_{g.upper()}_AF")
                }
                info.update({f"AF_{g}": fmt_af(v) for g, v in af.items()})
                if af:
                    grp = max(af, key=lambda g: af[g])
                    info["AF_grpmax"], info["grpmax"] = fmt_af(af[grp]), grp
                info["BIGMED_SRC"] = "ngs-bits_VEP_gnomAD_exomes_2018"
            elif row["gnomADg_AF_vcf"]:
                info = {
                    "AF": fmt_af(float(row["gnomADg_AF_vcf"])),
                    "BIGMED_SRC": "ngs-bits_gnomAD_genomes_r2.0.1",
                }
            else:
                continue
            rows[key] = ";".join(f"{k}={v}" for k, v in info.items())
        return [(k[0], k[1], ".", k[2], k[3], info) for k, info in rows.items()]


def fmt_af(x: float) -> str:
    return f"{x:.6g}"


GRCH38 = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718,
    "chr15": 101991189, "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616,
    "chr20": 64444167, "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415,
}  # fmt: skip

GNOMAD_HEADER = """##fileformat=VCFv4.2
##source=gnomAD
##reference=GRCh38
##bigmed_subset=gnomAD allele frequencies carried by two NA12878 call sets (megSAP GSvar 2025_10, gnomAD release not stated; ngs-bits VEP 2018, gnomAD exomes, genomes r2.0.1). Only sites NA12878 carries: absence from this file says nothing. Made by tools/derive_knowledge_sources.py
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=AF_afr,Number=A,Type=Float,Description="Alternate allele frequency in samples of African/African-American ancestry">
##INFO=<ID=AF_amr,Number=A,Type=Float,Description="Alternate allele frequency in samples of Admixed American ancestry">
##INFO=<ID=AF_eas,Number=A,Type=Float,Description="Alternate allele frequency in samples of East Asian ancestry">
##INFO=<ID=AF_nfe,Number=A,Type=Float,Description="Alternate allele frequency in samples of Non-Finnish European ancestry">
##INFO=<ID=AF_sas,Number=A,Type=Float,Description="Alternate allele frequency in samples of South Asian ancestry">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups (afr, amr, eas, nfe, sas)">
##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum allele frequency">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">
##INFO=<ID=BIGMED_SRC,Number=1,Type=String,Description="Call set the frequency was taken from (bigmed derivation)">
"""  # noqa: E501


def write_vcf(path: Path, header: str, rows: list[tuple[str, int, str, str, str, str]]) -> int:
    order = {c: i for i, c in enumerate(GRCH38)}
    rows = sorted(rows, key=lambda r: (order[r[0]], r[1], r[3], r[4]))
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = path.with_suffix("")  # drop .gz
    with open(plain, "w") as out:
        out.write(header)
        for chrom, length in GRCH38.items():
            out.write(f"##contig=<ID={chrom},length={length},assembly=GRCh38>\n")
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, vid, ref, alt, info in rows:
            out.write(f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{info}\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    os.unlink(plain)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return len(rows)


# ------------------------------------------------------------------------------------------
# ClinVar: the real release over the slices, marked as a subset with its per-gene coverage
# ------------------------------------------------------------------------------------------
CLINVAR_SRC = "kb/clinvar/clinvar_20260226.slices.vcf.gz"
CLINVAR_OUT = "clinvar/clinvar_20260226.slices.GRCh38.vcf.gz"
# Coverage as stated by the shared data's MANIFEST.tsv: every ClinVar record of these genes
# (BRCA1, BRCA2, APC, PALB2 and TP53 coding) is in the file; the slices cut the others.
COMPLETE_GENES = ("BRCA1", "BRCA2", "APC", "PALB2", "TP53")
PARTIAL_GENES = ("ATM", "MLH1", "MUTYH", "PMS2")
CLINVAR_SUBSET = (
    "ClinVar {date} (every record as released) restricted to the bigmed demo gene slices: "
    "complete for {complete}; partial for {partial} (see bigmed_subset_genes); no other gene: "
    "absence from this file says nothing about a variant. Made by tools/derive_knowledge_sources.py"
)


def _record_genes(line: str) -> list[str]:
    """Gene symbols of a ClinVar record's GENEINFO (SYMBOL:id|SYMBOL:id)."""
    info = line.split("\t", 8)[7]
    for item in info.split(";"):
        if item.startswith("GENEINFO="):
            return [g.split(":")[0] for g in item[len("GENEINFO=") :].split("|")]
    return []


def _partial_spans(body: list[str]) -> dict[str, tuple[str, int, int]]:
    """gene -> (chrom, first, last record position) for the partly covered genes."""
    spans: dict[str, tuple[str, int, int]] = {}
    for line in body:
        chrom, pos = line.split("\t", 2)[:2]
        for gene in _record_genes(line):
            if gene in PARTIAL_GENES:
                c, lo, hi = spans.get(gene, (chrom, int(pos), int(pos)))
                spans[gene] = (c, min(lo, int(pos)), max(hi, int(pos)))
    return spans


def clinvar_subset_lines(header: list[str], body: list[str]) -> list[str]:
    """The two header lines that mark the file as a subset and state its gene coverage."""
    date = next((h.split("=", 1)[1].strip() for h in header if h.startswith("##fileDate=")), "?")
    spans = _partial_spans(body)
    genes = [f"{g}:complete" for g in COMPLETE_GENES] + [
        f"{g}:partial(chr{c}:{lo}-{hi})" for g, (c, lo, hi) in sorted(spans.items())
    ]
    note = CLINVAR_SUBSET.format(
        date=date, complete=", ".join(COMPLETE_GENES), partial=", ".join(sorted(spans))
    )
    return [f"##bigmed_subset={note}\n", f"##bigmed_subset_genes={','.join(genes)}\n"]


def step_clinvar(shared: Path, out: Path) -> int:
    """The ClinVar slice VCF with the subset lines after ##reference; records unchanged."""
    with gzip.open(shared / CLINVAR_SRC, "rt") as handle:
        lines = handle.readlines()
    header = [ln for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")]
    at = next(i for i, h in enumerate(header) if h.startswith("##reference=")) + 1
    header[at:at] = clinvar_subset_lines(header, body)
    target = out / CLINVAR_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    plain = target.with_suffix("")
    with open(plain, "w") as handle:
        handle.writelines(header + body)
    pysam.tabix_compress(str(plain), str(target), force=True)
    os.unlink(plain)
    pysam.tabix_index(str(target), preset="vcf", force=True)
    return len(body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--shared", default=str(REPO.parent / "shared" / "data"), help="the shared data folder"
    )
    ap.add_argument(
        "--out", default=str(REPO / "resources" / "knowledge_sources"), help="output folder"
    )
    args = ap.parse_args(argv)
    shared, out = Path(args.shared), Path(args.out)
    if not (shared / "MANIFEST.tsv").is_file():
        sys.exit(
            f"derive_knowledge_sources: {shared} is not the shared data folder (no MANIFEST.tsv)"
        )
    out.mkdir(parents=True, exist_ok=True)
    step_copy(shared, out)
    derived = Derived(shared)
    for old in (out / "clinvar").glob("clinvar.NA12878_subset.*"):
        old.unlink()  # the derived ClinVar subset of earlier versions
    n_cv = step_clinvar(shared, out)
    n_gn = write_vcf(
        out / "gnomad" / "gnomad.NA12878_subset.GRCh38.sites.vcf.gz",
        GNOMAD_HEADER,
        derived.gnomad(),
    )
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"clinvar: {n_cv} records; gnomAD subset: {n_gn} sites; dropped: {derived.dropped}")
    print(f"{out}: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

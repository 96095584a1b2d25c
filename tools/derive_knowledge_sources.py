#!/usr/bin/env python3
"""Derive the demo knowledge sources shipped under resources/knowledge_sources/.

Users of the project never have the shared data folder: this script documents (and re-runs)
how every file in resources/knowledge_sources/ was made. Most files are byte copies (or
gzip copies) of public releases. Two are *derived subsets*, because no ClinVar VCF and no
gnomAD sites VCF exist in the shared data:

  clinvar/  a ClinVar-format VCF (INFO CLNSIG, CLNDN, GENEINFO, MC, CLNHGVS, ORIGIN, RS) made
            from the ClinVar annotations of two real NA12878 call sets (megSAP GSvar, ngs-bits
            VEP 2018). The sources carry no review status, so CLNREVSTAT is absent.
  gnomad/   a gnomAD-sites-format VCF (INFO AF, AF_<grp>, AF_grpmax, grpmax, nhomalt) made from
            the gnomAD frequencies annotated on the same call sets.

Both carry a ``##bigmed_subset=`` header line: the pipeline then knows that absence from
them says nothing about a variant (PM2 is not evaluated on absence).

Every output is deterministic (gzip headers without name or time; BGZF has none), so a
re-run gives byte-identical files. Needs Python 3.11+ and pysam (bgzip + tabix).

Usage:  scripts/derive_knowledge_sources.py [--shared DIR] [--out DIR]
        (defaults: ../shared/data and resources/knowledge_sources)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pysam

REPO = Path(__file__).resolve().parents[1]

# GRCh38 RefSeq chromosome accessions (GRC GCA_000001405.15), for ClinVar-style CLNHGVS.
REFSEQ_CHROM = {
    "chr1": "NC_000001.11",
    "chr2": "NC_000002.12",
    "chr3": "NC_000003.12",
    "chr4": "NC_000004.12",
    "chr5": "NC_000005.10",
    "chr6": "NC_000006.12",
    "chr7": "NC_000007.14",
    "chr8": "NC_000008.11",
    "chr9": "NC_000009.12",
    "chr10": "NC_000010.11",
    "chr11": "NC_000011.10",
    "chr12": "NC_000012.12",
    "chr13": "NC_000013.11",
    "chr14": "NC_000014.9",
    "chr15": "NC_000015.10",
    "chr16": "NC_000016.10",
    "chr17": "NC_000017.11",
    "chr18": "NC_000018.10",
    "chr19": "NC_000019.10",
    "chr20": "NC_000020.11",
    "chr21": "NC_000021.9",
    "chr22": "NC_000022.11",
    "chrX": "NC_000023.11",
    "chrY": "NC_000024.10",
}

# Sequence Ontology ids of the consequence terms found in the two call sets (ClinVar MC style).
SO_IDS = {
    "missense_variant": "SO:0001583",
    "synonymous_variant": "SO:0001819",
    "stop_gained": "SO:0001587",
    "frameshift_variant": "SO:0001589",
    "splice_donor_variant": "SO:0001575",
    "splice_acceptor_variant": "SO:0001574",
    "splice_region_variant": "SO:0001630",
    "intron_variant": "SO:0001627",
    "5_prime_UTR_variant": "SO:0001623",
    "3_prime_UTR_variant": "SO:0001624",
    "inframe_deletion": "SO:0001822",
    "inframe_insertion": "SO:0001821",
    "start_lost": "SO:0002012",
    "stop_lost": "SO:0001578",
    "upstream_gene_variant": "SO:0001631",
    "downstream_gene_variant": "SO:0001632",
    "non_coding_transcript_variant": "SO:0001619",
    "non_coding_transcript_exon_variant": "SO:0001792",
    "intergenic_variant": "SO:0001628",
}
# ClinVar's own MC labels differ from VEP's for a few terms.
CLINVAR_MC_LABEL = {
    "stop_gained": "nonsense",
    "non_coding_transcript_exon_variant": "non-coding_transcript_variant",
}

# Normalised CLNSIG spellings (ClinVar VCF style) of the call sets' significance texts.
CLNSIG = {
    "benign": "Benign",
    "likely benign": "Likely_benign",
    "likely_benign": "Likely_benign",
    "benign/likely benign": "Benign/Likely_benign",
    "benign/likely_benign": "Benign/Likely_benign",
    "uncertain significance": "Uncertain_significance",
    "uncertain_significance": "Uncertain_significance",
    "likely pathogenic": "Likely_pathogenic",
    "pathogenic/likely pathogenic": "Pathogenic/Likely_pathogenic",
    "pathogenic": "Pathogenic",
    "conflicting_interpretations_of_pathogenicity": "Conflicting_interpretations_of_pathogenicity",
    "risk_factor": "risk_factor",
    "drug_response": "drug_response",
    "not_provided": "not_provided",
}
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


def mane_transcripts(path: Path) -> dict[str, str]:
    """gene -> MANE Select Ensembl transcript id without version."""
    out = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["MANE"]:
                out[row["Gene name"]] = row["MANE"]
    return out


def ncbi_gene_ids(path: Path) -> dict[str, str]:
    out = {}
    with gzip.open(path, "rt") as handle:
        next(handle)
        for line in handle:
            gid, sym = line.split("\t", 2)[:2]
            out.setdefault(sym, gid)
    return out


def gsvar_consequences(row: dict[str, str], gene: str, mane: dict[str, str]) -> list[str]:
    """Consequence terms of the gene's MANE transcript (else of all its transcripts)."""
    entries = [e.split(":") for e in row["coding_and_splicing"].split(",") if e.count(":") >= 2]
    mine = [e for e in entries if e[0] == gene]
    on_mane = [e for e in mine if e[1].split(".")[0] == mane.get(gene)]
    chosen = on_mane or mine
    terms: list[str] = []
    for e in chosen:
        for t in e[2].split("&"):
            if t not in terms:
                terms.append(t)
    return terms


def mc_field(terms: list[str]) -> str | None:
    parts = [f"{SO_IDS[t]}|{CLINVAR_MC_LABEL.get(t, t)}" for t in terms if t in SO_IDS]
    return ",".join(parts) or None


def clnhgvs(chrom: str, pos: int, ref: str, alt: str) -> str | None:
    # Only SNVs: indel expressions need 3'-shifting on sequence the call sets do not carry.
    if len(ref) == 1 and len(alt) == 1 and chrom in REFSEQ_CHROM:
        return f"{REFSEQ_CHROM[chrom]}:g.{pos}{ref}>{alt}"
    return None


def info_text(value: str) -> str:
    """A VCF INFO-safe value: no spaces, semicolons, equals signs or commas inside."""
    return re.sub(r"[\s;=,]+", "_", value.strip()).strip("_")


# ------------------------------------------------------------------------------------------
# ClinVar and gnomAD subsets
# ------------------------------------------------------------------------------------------
class Derived:
    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.slices = Slices(shared / SLICES, shared / CONTIGS)
        self.megsap = read_gsvar(shared / MEGSAP)
        with open(shared / NGSBITS_TSV, newline="") as handle:
            self.ngs_rows = list(csv.DictReader(handle, delimiter="\t"))
        self.ngs_csq = read_ngsbits_vcf(shared / NGSBITS_VCF)
        self.mane = mane_transcripts(shared / "kb/mane/2026_01_20_MANE.csv")
        self.gene_ids = ncbi_gene_ids(shared / "kb/hpo/genes_to_phenotype.txt.gz")
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

    def _ngs_terms(self, key: tuple[str, int, str, str], gene: str) -> list[str]:
        entries = [e for e in self.ngs_csq.get(key, []) if e.get("SYMBOL") == gene]
        on_mane = [e for e in entries if e.get("Feature", "").split(".")[0] == self.mane.get(gene)]
        terms: list[str] = []
        for e in on_mane or entries:
            for t in e["Consequence"].split("&"):
                if t not in terms:
                    terms.append(t)
        return terms

    def clinvar(self) -> list[tuple[str, int, str, str, str, str]]:
        """(chrom, pos, id, ref, alt, info) rows."""
        rows: dict[tuple[str, int, str, str], tuple[str, str]] = {}
        for row, key in self._megsap_rows():
            m = re.match(r"(\d+) \[(.+?) DISEASE=(.*?) GENE=(\S*?)\];", row["ClinVar"])
            if not m:
                if row["ClinVar"]:
                    self.dropped["megsap_clinvar_unparsed"] = (
                        self.dropped.get("megsap_clinvar_unparsed", 0) + 1
                    )
                continue
            vid, sig, diseases, gene = m.groups()
            info = {
                "CLNDN": "|".join(info_text(d) for d in diseases.split(",") if d.strip())
                or "not_provided",
                "CLNHGVS": clnhgvs(*key),
                "CLNSIG": CLNSIG[sig],
                "GENEINFO": f"{gene}:{self.gene_ids.get(gene, '.')}" if gene else None,
                "MC": mc_field(gsvar_consequences(row, gene, self.mane)),
                "ORIGIN": "1",
                "RS": row["dbSNP"][2:] if row["dbSNP"].startswith("rs") else None,
                "BIGMED_SRC": "megSAP_GSvar_2025_10",
            }
            rows[key] = (vid, ";".join(f"{k}={v}" for k, v in info.items() if v))
        for row in self.ngs_rows:
            key = self._ngs_key(row)
            if not row["clinvar_id"] or key in rows:
                continue
            gene = row["genes"].split(",")[0]
            conditions = [c for c in row["clinvar_conditions"].split(";") if c.strip()]
            info = {
                "CLNDN": "|".join(info_text(c) for c in conditions) or "not_provided",
                "CLNHGVS": clnhgvs(*key),
                "CLNSIG": CLNSIG[row["clinvar_significance_20180701"]],
                "GENEINFO": f"{gene}:{self.gene_ids.get(gene, '.')}",
                "MC": mc_field(self._ngs_terms(key, gene)),
                "ORIGIN": "1",
                "RS": row["dbSNP"][2:] if row["dbSNP"].startswith("rs") else None,
                "BIGMED_SRC": "ngs-bits_VEP_ClinVar_20180701",
            }
            rows[key] = (row["clinvar_id"], ";".join(f"{k}={v}" for k, v in info.items() if v))
        return [(k[0], k[1], vid, k[2], k[3], info) for k, (vid, info) in rows.items()]

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

CLINVAR_HEADER = """##fileformat=VCFv4.1
##source=ClinVar
##reference=GRCh38
##bigmed_subset=ClinVar assertions carried by two NA12878 call sets (megSAP GSvar 2025_10: ClinVar release not stated; ngs-bits VEP: clinvar_20180701). Not a ClinVar release: review status (CLNREVSTAT) is not available; absence from this file says nothing. Made by scripts/derive_knowledge_sources.py
##ID=<Description="ClinVar Variation ID">
##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar's preferred disease name for the concept specified by disease identifiers in CLNDISDB">
##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly, alt, or patch) HGVS expression (SNVs only in this subset)">
##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification for the Variation ID (not available in this subset)">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant">
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id. The gene symbol and id are delimited by a colon (:) and each pair is delimited by a vertical bar (|)">
##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular consequence in the form of Sequence Ontology ID|molecular_consequence">
##INFO=<ID=ORIGIN,Number=.,Type=String,Description="Allele origin. One or more of the following values may be added: 0 - unknown; 1 - germline; 2 - somatic">
##INFO=<ID=RS,Number=.,Type=String,Description="dbSNP ID (i.e. rs number)">
##INFO=<ID=BIGMED_SRC,Number=1,Type=String,Description="Call set the assertion was taken from (bigmed derivation)">
"""  # noqa: E501

GNOMAD_HEADER = """##fileformat=VCFv4.2
##source=gnomAD
##reference=GRCh38
##bigmed_subset=gnomAD allele frequencies carried by two NA12878 call sets (megSAP GSvar 2025_10, gnomAD release not stated; ngs-bits VEP 2018, gnomAD exomes, genomes r2.0.1). Only sites NA12878 carries: absence from this file says nothing. Made by scripts/derive_knowledge_sources.py
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
    n_cv = write_vcf(
        out / "clinvar" / "clinvar.NA12878_subset.GRCh38.vcf.gz", CLINVAR_HEADER, derived.clinvar()
    )
    n_gn = write_vcf(
        out / "gnomad" / "gnomad.NA12878_subset.GRCh38.sites.vcf.gz",
        GNOMAD_HEADER,
        derived.gnomad(),
    )
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"clinvar subset: {n_cv} records; gnomAD subset: {n_gn} sites; dropped: {derived.dropped}"
    )
    print(f"{out}: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

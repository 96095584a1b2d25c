#!/usr/bin/env python3
"""Derive everything bigmed ships under resources/ from the read-only shared data folder.

Users of the project never have the shared folder: this script documents (and re-runs) how
every file in resources/ was made.  Steps:

  1. reference   copy the 49-contig GRCh38 mini-genome (bgzip + .fai + .gzi) and contig map
  2. annotation  gene models (GFF3 for bcftools csq) from the LRG reference transcripts, and a
                 transcript table; every CDS is translated and checked
  3. reads       copy the real demo reads (NA12878 BRCA1; Hartwig constructed tumour/normal),
                 plant two germline APC variants in the CRC01 reads, and copy the licence
                 texts that come with them
  4. simulate    simulate the rare-disease trio RD01 and the cardiac family CARD01 with
                 art_illumina over capture targets, planting real published variants
  5. truth       truth tables, simulated target BEDs, the uncovered exon and cases.json

Everything is deterministic (fixed seeds; gzip headers without name or time), so a re-run
gives byte-identical files.  Needs only the Python standard library, plus art_illumina
(ART 2.5.8, HiSeq 2500 profile) for step 4.

Usage:  scripts/derive_resources.py [--shared ../shared/data] [--out resources]
"""

import argparse
import csv
import gzip
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib
from collections import OrderedDict, defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------------------------
# fixed choices (documented in resources/README.md and resources/demo/cases.json)
# ---------------------------------------------------------------------------------------------
MASTER_SEED = 20240611
FLANK = 250  # capture target = coding exon +/- FLANK bp
READ_LEN = 150
FRAG_MEAN, FRAG_SD = 350, 50
HAPLOTYPE_FOLD = 15  # art_illumina -f per haplotype (two haplotypes -> ~30x)
N_BACKGROUND = 15  # shared common-looking germline SNVs per family

RD01 = {
    "family": "RD01",
    "phenopacket_id": "PMID_22158539_individual_4",
    "gene": "SMAD4",
    "other_genes": ["FBN1", "KRAS", "NRAS", "BRAF", "KCNJ2"],
    "why": (
        "Myhre syndrome (OMIM:139210) is autosomal dominant and almost always caused by de "
        "novo SMAD4 Ile500 missense variants; the other capture genes cause overlapping "
        "phenotypes (FBN1: acromicric/geleophysic dysplasia; KRAS/NRAS/BRAF: Noonan and "
        "cardiofaciocutaneous syndromes; KCNJ2: Andersen-Tawil syndrome)."
    ),
}
CARD01 = {
    "family": "CARD01",
    "phenopacket_id": "PMID_12920062_Family_C_individual_III_21",
    "sibling_phenopacket_id": "PMID_12920062_Family_C_individual_IV_14",
    "gene": "LMNA",
    "panel": [
        "ACTC1",
        "CACNA1C",
        "CASQ2",
        "DES",
        "DSC2",
        "DSG2",
        "DSP",
        "JUP",
        "KCNE1",
        "KCNH2",
        "KCNJ2",
        "KCNQ1",
        "LAMP2",
        "LMNA",
        "MYBPC3",
        "MYH7",
        "MYL2",
        "MYL3",
        "PKP2",
        "RBM20",
        "SCN5A",
        "TMEM43",
        "TNNI3",
        "TTR",
    ],
    # one coding exon deliberately not simulated (a failed bait): MYH7 exon 25 of NM_000257
    # lies >1 kb from both neighbours, so no neighbouring target window reaches it
    "uncovered": ("MYH7", "25"),
}
HG001_DESC = "NA12878 (GIAB HG001) real 2x148 HiSeq reads over BRCA1, about 34x"
# Germline variants planted in both CRC01 samples (a germline allele is in every cell), so the
# crc demo shows its germline predisposition section: a ClinVar pathogenic APC allele (a
# finding through the known-variant path) and a ClinVar VUS in the same exon (listed, never a
# finding). Both lie where the Hartwig reads cover APC exon 16 at >= 25x in both samples.
CRC01_PLANTED = [
    {
        "gene": "APC",
        "grch38": ("chr5", 112839942, "C", "T"),
        "hgvs": "NM_000038.6:c.4348C>T p.(Arg1450Ter)",
        "clinvar": "VCV000194585: Pathogenic, criteria provided, multiple submitters, no "
        "conflicts (2 stars), ClinVar 2026-02-26",
        "role": "finding: familial adenomatous polyposis (known-variant path)",
    },
    {
        "gene": "APC",
        "grch38": ("chr5", 112839001, "A", "C"),
        "hgvs": "NM_000038.6:c.3407A>C p.(Glu1136Ala)",
        "clinvar": "VCV000236591: Uncertain significance, criteria provided, multiple "
        "submitters, no conflicts (2 stars), ClinVar 2026-02-26",
        "role": "VUS: listed for review, never a finding",
    },
]
PLANT_FLANK = 16  # reference bases required on one side of the site to place it in a read
# A variant with an expert-panel classification planted in each simulated family, so that each
# pilot's demo shows a finding through the known-variant path (the families' own published
# variants are not in the shipped ClinVar subset or expert-panel set). Added to the haplotypes
# after the family's random draws, so every other read and genotype stays as it was.
# carriers: sample -> (allele on haplotype 0, allele on haplotype 1)
FAMILY_PLANTED = {
    "RD01": [
        {
            "gene": "FBN1",
            "grch38": ("chr15", 48472632, "G", "A"),
            "hgvs": "NM_000138.5:c.4255C>T p.(Gln1419Ter)",
            "source": "ClinGen FBN1 VCEP 25a8d96f-bc8a-42e5-aa0f-2467640bf3b2 (Pathogenic, "
            "Marfan syndrome, 2022-12-01)",
            "carriers": {"RD01-P": (0, 1), "RD01-M": (0, 0), "RD01-F": (1, 0)},
            "note": "planted (inherited from RD01-F; expert-panel pathogenic)",
        }
    ],
    "CARD01": [
        {
            "gene": "MYH7",
            "grch38": ("chr14", 23424119, "G", "A"),
            "hgvs": "NM_000257.4:c.2710C>T p.(Arg904Cys)",
            "source": "ClinGen Cardiomyopathy VCEP 6106a59d-ad87-4369-8ac2-364ff07935c4 "
            "(Pathogenic, dilated cardiomyopathy, 2021-09-27)",
            "carriers": {"CARD01-I": (1, 0), "CARD01-S": (1, 0), "CARD01-R": (0, 0)},
            "note": "planted (carried by CARD01-I and CARD01-S, not CARD01-R; expert-panel "
            "pathogenic)",
        }
    ],
}

# ---------------------------------------------------------------------------------------------
# small utilities
# ---------------------------------------------------------------------------------------------
COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_BASES = "TCAG"
_AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON = {
    a + b + c: _AAS[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}


def revcomp(s):
    return s.translate(COMP)[::-1]


def translate(s):
    return "".join(CODON.get(s[i : i + 3], "X") for i in range(0, len(s) - 2, 3))


def log(msg):
    print(f"[derive_resources] {msg}", file=sys.stderr, flush=True)


def copy_file(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="\n") as fh:
        fh.write(text)


def write_tsv(path, header, rows):
    lines = ["\t".join(header)]
    lines += ["\t".join("" if v is None else str(v) for v in r) for r in rows]
    write_text(path, "\n".join(lines) + "\n")


def gzip_bytes_to(path, data):
    """gzip with no file name and mtime 0 in the header (byte-reproducible)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        gz.write(data)


def read_fasta(path):
    seqs = OrderedDict()
    name, chunks = None, []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith(">"):
                if name is not None:
                    seqs[name] = "".join(chunks).upper()
                name, chunks = line[1:].split()[0], []
            else:
                chunks.append(line)
    if name is not None:
        seqs[name] = "".join(chunks).upper()
    return seqs


class ContigMap:
    """contig name <-> GRCh38 (contig = chrom_start_end, 1-based inclusive, + strand)."""

    def __init__(self, path):
        self.rows = []
        with open(path) as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                self.rows.append((r["contig"], r["chrom"], int(r["start"]), int(r["end"])))
        self.by_name = {c: (ch, s, e) for c, ch, s, e in self.rows}

    def to_contig(self, chrom, pos):
        for c, ch, s, e in self.rows:
            if ch == chrom and s <= pos <= e:
                return c, pos - s + 1
        raise KeyError(f"{chrom}:{pos} is on no contig")

    def to_grch38(self, contig, pos):
        ch, s, _ = self.by_name[contig]
        return ch, s + pos - 1


# ---------------------------------------------------------------------------------------------
# step 1: reference
# ---------------------------------------------------------------------------------------------
def step_reference(shared, out):
    src = os.path.join(shared, "reference")
    dst = os.path.join(out, "reference")
    for suffix in ("", ".fai", ".gzi"):
        copy_file(
            os.path.join(src, "grch38_slices.fa.gz" + suffix),
            os.path.join(dst, "minigenome.fa.gz" + suffix),
        )
    copy_file(os.path.join(src, "contigs.tsv"), os.path.join(dst, "contigs.tsv"))
    log("reference: copied mini-genome and contigs.tsv")


# ---------------------------------------------------------------------------------------------
# step 2: annotation
# ---------------------------------------------------------------------------------------------
class Transcript:
    def __init__(self, gene, nm, lrg, lrg_tx, contig, strand):
        self.gene, self.nm, self.lrg, self.lrg_tx = gene, nm, lrg, lrg_tx
        self.contig, self.strand = contig, strand
        self.exons = []  # (start, end, label), contig coordinates
        self.cds = []  # (start, end)
        self.mane = None  # (refseq, enst) when MANE Select (RefSeq base accession match)
        self.mane_refseq = ""
        self.origin = ""
        self.protein_len = 0

    def sort(self):
        self.exons.sort()
        self.cds.sort()

    @property
    def start(self):
        return min(s for s, _, _ in self.exons)

    @property
    def end(self):
        return max(e for _, e, _ in self.exons)

    def exons_in_tx_order(self):
        return sorted(self.exons, reverse=(self.strand == "-"))

    def cds_positions(self):
        """contig positions of the CDS in transcript order."""
        pos = [p for s, e in sorted(self.cds) for p in range(s, e + 1)]
        return pos[::-1] if self.strand == "-" else pos

    def cds_seq(self, genome):
        seq = genome[self.contig]
        cds = "".join(seq[s - 1 : e] for s, e in sorted(self.cds))
        return revcomp(cds) if self.strand == "-" else cds

    def coding_exons(self):
        """[(exon label, coding start, coding end)] in contig coordinates."""
        out = []
        for s, e, lab in self.exons:
            for cs, ce in self.cds:
                a, b = max(s, cs), min(e, ce)
                if a <= b:
                    out.append((lab, a, b))
        return out


def parse_attrs(text):
    out = OrderedDict()
    for kv in text.strip().strip(";").split(";"):
        if kv:
            k, v = kv.split("=", 1)
            out[k] = v
    return out


def base_acc(acc):
    return acc.split(".")[0]


def load_mane(shared):
    mane = {}
    with open(os.path.join(shared, "kb", "mane", "2026_01_20_MANE.csv"), newline="") as fh:
        for raw in csv.DictReader(fh):
            r = {k.strip(): (v or "").strip() for k, v in raw.items()}
            if r.get("RefSeq match transcript (MANE Select)"):
                mane[r["Gene name"]] = (
                    r["RefSeq match transcript (MANE Select)"],
                    r["Transcript stable ID version"],
                )
    return mane


def load_t1_models(shared):
    path = os.path.join(shared, "annotation", "lrg_transcripts", "lrg_t1.grch38_slices.gff3")
    genes, txs = OrderedDict(), OrderedDict()
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            a = parse_attrs(f[8])
            if f[2] == "gene":
                genes[a["ID"]] = (a["Name"], a["lrg_id"])
            elif f[2] == "mRNA":
                sym, lrg = genes[a["Parent"]]
                t = Transcript(sym, a["Name"], lrg, a["ID"].split(":", 1)[1], f[0], f[6])
                t.origin = "LRG fixed annotation t1 (lrg_t1.grch38_slices.gff3)"
                txs[a["ID"]] = t
            elif f[2] == "exon":
                txs[a["Parent"]].exons.append((int(f[3]), int(f[4]), a["exon_number"]))
            elif f[2] == "CDS":
                txs[a["Parent"]].cds.append((int(f[3]), int(f[4])))
    for t in txs.values():
        t.sort()
    return list(txs.values())


def read_exon_table(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def models_from_exon_table(rows, cmap):
    """Transcripts from an LRG exon table in GRCh38 coordinates, projected onto contigs."""
    txs = OrderedDict()
    for r in rows:
        key = r["lrg_transcript"]
        contig, cs = cmap.to_contig(r["chrom_grch38"], int(r["exon_start_grch38"]))
        contig2, ce = cmap.to_contig(r["chrom_grch38"], int(r["exon_end_grch38"]))
        if contig != contig2:
            raise SystemExit(f"annotation: exon of {key} spans two contigs")
        if key not in txs:
            txs[key] = Transcript(r["gene"], r["refseq_nm"], r["lrg"], key, contig, r["strand"])
        t = txs[key]
        t.exons.append((cs, ce, r["exon"]))
        if r["cds_start_grch38"]:
            a = cmap.to_contig(r["chrom_grch38"], int(r["cds_start_grch38"]))[1]
            b = cmap.to_contig(r["chrom_grch38"], int(r["cds_end_grch38"]))[1]
            t.cds.append((a, b))
    for t in txs.values():
        t.sort()
    return list(txs.values())


class LrgProjection:
    """LRG coordinates -> contig coordinates through one ungapped GRCh38 mapping span."""

    def __init__(self, cmap, chrom, lrg_start, other_start, other_end, strand):
        self.cmap, self.chrom = cmap, chrom
        self.l0, self.o0, self.o1, self.strand = lrg_start, other_start, other_end, strand

    def __call__(self, p):
        g = self.o0 + (p - self.l0) if self.strand == 1 else self.o1 - (p - self.l0)
        return self.cmap.to_contig(self.chrom, g)

    def model(self, tx_el, gene, lrg, name):
        """(Transcript, LRG protein sequence) of one fixed-annotation transcript element."""
        t = Transcript(
            gene, name, lrg, lrg + tx_el.get("name"), None, "+" if self.strand == 1 else "-"
        )
        for ex in tx_el.findall("exon"):
            c = next(x for x in ex.findall("coordinates") if x.get("coord_system") == lrg)
            (ca, a), (_, b) = self(int(c.get("start"))), self(int(c.get("end")))
            t.contig = ca
            t.exons.append((min(a, b), max(a, b), ex.get("label")))
        cr = tx_el.find("coding_region/coordinates")
        (_, ca), (_, cb) = self(int(cr.get("start"))), self(int(cr.get("end")))
        lo, hi = min(ca, cb), max(ca, cb)
        for s, e, _ in t.exons:
            if max(s, lo) <= min(e, hi):
                t.cds.append((max(s, lo), min(e, hi)))
        t.sort()
        return t, tx_el.find("coding_region/translation/sequence").text.strip()


def lrg_projection(root, cmap):
    maps = [
        m
        for m in root.iter("mapping")
        if m.get("coord_system", "").startswith("GRCh38") and m.get("type") == "main_assembly"
    ]
    if len(maps) != 1:
        return None
    spans = list(maps[0].iter("mapping_span"))
    if len(spans) != 1 or list(spans[0].iter("diff")):
        return None
    sp = spans[0]
    l0, l1 = int(sp.get("lrg_start")), int(sp.get("lrg_end"))
    o0, o1 = int(sp.get("other_start")), int(sp.get("other_end"))
    if l1 - l0 != o1 - o0:
        return None
    chrom = "chr" + maps[0].get("other_name")
    return LrgProjection(cmap, chrom, l0, o0, o1, int(sp.get("strand")))


def lrg_mane_transcripts(shared, t1_by_gene, mane, cmap, genome):
    """Extra LRG fixed-annotation transcripts that are the gene's MANE Select (RefSeq base
    accession), for genes whose t1 is not.  Used only where the record has one ungapped GRCh38
    mapping span and that projection reproduces the shipped t1 model exactly; the projected
    CDS must translate to the record's own protein."""
    extra = []
    for gene, t1 in t1_by_gene.items():
        if gene not in mane or base_acc(t1.nm) == base_acc(mane[gene][0]):
            continue
        path = os.path.join(shared, "reference", "lrg_xml", t1.lrg + ".xml.gz")
        if not os.path.exists(path):
            continue
        with gzip.open(path) as fh:
            root = ET.parse(fh).getroot()
        proj = lrg_projection(root, cmap)
        if proj is None:
            continue
        tx_els = {el.get("name"): el for el in root.find("fixed_annotation").findall("transcript")}
        check, _ = proj.model(tx_els["t1"], gene, t1.lrg, t1.nm)
        if (check.contig, check.exons, check.cds) != (t1.contig, t1.exons, t1.cds):
            log(f"annotation: {gene} LRG projection does not reproduce t1; skipped")
            continue
        want = base_acc(mane[gene][0])
        for name, el in tx_els.items():
            m = re.search(r"RefSeq transcript (NM_\d+\.\d+)", el.findtext("comment") or "")
            if name == "t1" or not m or base_acc(m.group(1)) != want:
                continue
            t, prot = proj.model(el, gene, t1.lrg, m.group(1))
            if translate(t.cds_seq(genome)).rstrip("*") != prot:
                log(f"annotation: {gene} {name} does not translate to the LRG protein; skipped")
                continue
            t.origin = (
                f"LRG fixed annotation {name} ({t1.lrg}.xml.gz, projected via its GRCh38 mapping)"
            )
            extra.append(t)
    return extra


def check_translation(t, genome):
    prot = translate(t.cds_seq(genome))
    problems = []
    if sum(e - s + 1 for s, e in t.cds) % 3:
        problems.append("CDS length not a multiple of 3")
    if not prot.startswith("M"):
        problems.append("no start codon")
    if not prot.endswith("*"):
        problems.append("no stop codon")
    if "*" in prot[:-1]:
        problems.append("internal stop")
    if problems:
        raise SystemExit(f"annotation: {t.gene} {t.nm}: {', '.join(problems)}")
    return len(prot) - 1


def cds_phases(t):
    """GFF3 phase of each CDS segment, in contig order."""
    done, phase = 0, {}
    for s, e in sorted(t.cds, reverse=(t.strand == "-")):
        phase[(s, e)] = (3 - done % 3) % 3
        done += e - s + 1
    return [phase[seg] for seg in sorted(t.cds)]


def utrs(t):
    lo = min(s for s, _ in t.cds)
    hi = max(e for _, e in t.cds)
    left = [(s, min(e, lo - 1)) for s, e, _ in t.exons if s < lo]
    right = [(max(s, hi + 1), e) for s, e, _ in t.exons if e > hi]
    return (left, right) if t.strand == "+" else (right, left)


def build_annotation(shared, genome, cmap):
    """The transcript models (contig coordinates), checked."""
    lt = os.path.join(shared, "annotation", "lrg_transcripts")
    t1 = load_t1_models(shared)

    # cross-check the slice GFF against the GRCh38 exon table projected with contigs.tsv
    table = models_from_exon_table(read_exon_table(os.path.join(lt, "lrg_t1_exons.tsv")), cmap)
    by_key = {t.lrg_tx: t for t in table}
    for t in t1:
        o = by_key[t.lrg_tx]
        if (o.contig, o.exons, o.cds, o.nm) != (t.contig, t.exons, t.cds, t.nm):
            raise SystemExit(f"annotation: {t.gene} slice GFF and GRCh38 exon table disagree")

    mane = load_mane(shared)
    t1_by_gene = OrderedDict((t.gene, t) for t in t1)

    # ERBB2 LRG_724t2 (NM_004448.3, the MANE Select family) from its GRCh38 exon table
    extra = models_from_exon_table(
        read_exon_table(os.path.join(lt, "ERBB2_LRG_724t2_NM_004448.3_exons.tsv")), cmap
    )
    for t in extra:
        t.origin = "LRG fixed annotation t2 (ERBB2_LRG_724t2_NM_004448.3_exons.tsv)"
    have = {t.gene for t in extra}
    extra += [
        t
        for t in lrg_mane_transcripts(shared, t1_by_gene, mane, cmap, genome)
        if t.gene not in have
    ]

    models = t1 + extra
    for t in models:
        t.protein_len = check_translation(t, genome)
        if t.gene in mane:
            t.mane_refseq = mane[t.gene][0]
            if base_acc(t.nm) == base_acc(mane[t.gene][0]):
                t.mane = mane[t.gene]
    order = {c: i for i, c in enumerate(genome)}
    models.sort(key=lambda t: (order[t.contig], t.start, t.lrg_tx))
    return models


def gff_line(contig, typ, start, end, strand, phase, attrs):
    return "\t".join([contig, "LRG", typ, str(start), str(end), ".", strand, phase, attrs])


def write_annotation(models, genome, cmap, out):
    lines = ["##gff-version 3"]
    lines += [f"##sequence-region {c} 1 {len(seq)}" for c, seq in genome.items()]
    lines.append(
        "#!genome-build GRCh38 mini-genome (contig chrom_start_end: position p = GRCh38 start+p-1)"
    )
    lines.append(
        "#source: LRG fixed-annotation reference transcripts (all t1; ERBB2 t2; LMNA t2) "
        "projected onto the slice contigs by scripts/derive_resources.py"
    )
    by_gene = OrderedDict()
    for t in models:
        by_gene.setdefault((t.contig, t.gene), []).append(t)
    for (contig, gene), txs in by_gene.items():
        gs, ge = min(t.start for t in txs), max(t.end for t in txs)
        lines.append(
            gff_line(
                contig,
                "gene",
                gs,
                ge,
                txs[0].strand,
                ".",
                f"ID=gene:{gene};Name={gene};biotype=protein_coding;lrg_id={txs[0].lrg}",
            )
        )
        for t in txs:
            tid = "transcript:" + t.nm
            attrs = [
                f"ID={tid}",
                f"Parent=gene:{gene}",
                f"Name={t.nm}",
                "biotype=protein_coding",
                f"lrg_id={t.lrg_tx}",
                f"Dbxref=RefSeq:{t.nm}",
            ]
            if t.mane:
                attrs += [
                    "tag=MANE_Select",
                    f"mane_select_refseq={t.mane[0]}",
                    f"mane_select_ensembl={t.mane[1]}",
                ]
            lines.append(gff_line(contig, "mRNA", t.start, t.end, t.strand, ".", ";".join(attrs)))
            rank = {lab: i + 1 for i, (_, _, lab) in enumerate(t.exons_in_tx_order())}
            feats = [
                (
                    s,
                    0,
                    "exon",
                    e,
                    ".",
                    f"ID=exon:{t.nm}-{lab};Parent={tid};exon_number={lab};rank={rank[lab]}",
                )
                for s, e, lab in t.exons
            ]
            feats += [
                (s, 1, "CDS", e, str(ph), f"ID=cds:{t.nm};Parent={tid}")
                for (s, e), ph in zip(sorted(t.cds), cds_phases(t), strict=True)
            ]
            five, three = utrs(t)
            feats += [(s, 2, "five_prime_UTR", e, ".", f"Parent={tid}") for s, e in five]
            feats += [(s, 2, "three_prime_UTR", e, ".", f"Parent={tid}") for s, e in three]
            for s, _, typ, e, ph, attr in sorted(feats):
                lines.append(gff_line(contig, typ, s, e, t.strand, ph, attr))
        lines.append("###")
    write_text(os.path.join(out, "annotation", "minigenome.gff3"), "\n".join(lines) + "\n")

    rows = []
    for t in models:
        ch, gs = cmap.to_grch38(t.contig, t.start)
        _, ge = cmap.to_grch38(t.contig, t.end)
        cds_lo, cds_hi = min(s for s, _ in t.cds), max(e for _, e in t.cds)
        rows.append(
            [
                t.gene,
                t.nm,
                t.lrg_tx,
                t.strand,
                t.contig,
                "yes" if t.mane else "no",
                t.mane_refseq,
                t.mane[1] if t.mane else "",
                t.start,
                t.end,
                cds_lo,
                cds_hi,
                ch,
                gs,
                ge,
                len(t.exons),
                t.protein_len,
                t.origin,
            ]
        )
    write_tsv(
        os.path.join(out, "annotation", "transcripts.tsv"),
        [
            "gene",
            "transcript",
            "lrg_id",
            "strand",
            "contig",
            "mane_select",
            "gene_mane_select_refseq",
            "mane_select_ensembl",
            "tx_start",
            "tx_end",
            "cds_start",
            "cds_end",
            "grch38_chrom",
            "grch38_start",
            "grch38_end",
            "n_exons",
            "protein_length",
            "source",
        ],
        rows,
    )
    n_genes = len({t.gene for t in models})
    log(f"annotation: {len(models)} transcripts of {n_genes} genes, all CDS translate cleanly")


# ---------------------------------------------------------------------------------------------
# step 3: real reads and licence texts
# ---------------------------------------------------------------------------------------------
def _site_in_read(seq, site):
    """(index of the site in the read, read is reverse-complemented) or None. The read must
    show PLANT_FLANK reference bases on one side of the site plus the reference base."""
    left, ref, right = site["left"], site["ref"], site["right"]
    for probe, offset, minus in (
        (left + ref, len(left), False),
        (ref + right, 0, False),
        (revcomp(left + ref), 0, True),
        (revcomp(ref + right), len(right), True),
    ):
        i = seq.find(probe)
        if i >= 0:
            return i + offset, minus
    return None


def _carries(site, name):
    """Half of the fragments carry the allele (a heterozygote), both mates alike."""
    return zlib.crc32(f"{site['key']}|{name}".encode()) % 2 == 0


def plant_reads(path, sites):
    """Rewrite a FASTQ with each site's ALT in the reads of carrier fragments; returns the
    number of reads changed (0: the file is left a byte copy)."""
    with gzip.open(path, "rt") as fh:
        lines = fh.read().split("\n")
    changed = 0
    for r in range(0, len(lines) - 3, 4):
        name = lines[r][1:].split()[0].removesuffix("/1").removesuffix("/2")
        seq = lines[r + 1]
        for site in sites:
            hit = _site_in_read(seq, site)
            if hit is None or not _carries(site, name):
                continue
            i, minus = hit
            base = revcomp(site["alt"]) if minus else site["alt"]
            seq = seq[:i] + base + seq[i + 1 :]
            changed += 1
        lines[r + 1] = seq
    if changed:
        gzip_bytes_to(path, "\n".join(lines).encode())
    return changed


def plant_crc01(out, genome, cmap, lanes):
    """Plant CRC01_PLANTED (heterozygous) in every CRC01-T and CRC01-N read file."""
    sites = []
    for p in CRC01_PLANTED:
        chrom, pos, ref, alt = p["grch38"]
        contig, cpos = cmap.to_contig(chrom, pos)
        seq = genome[contig]
        assert seq[cpos - 1].upper() == ref, f"{p['hgvs']}: reference base differs"
        sites.append(
            {
                "key": f"{chrom}:{pos}{ref}>{alt}",
                "ref": ref,
                "alt": alt,
                "left": seq[cpos - 1 - PLANT_FLANK : cpos - 1].upper(),
                "right": seq[cpos : cpos + PLANT_FLANK].upper(),
            }
        )
    dst = os.path.join(out, "demo", "reads")
    total = 0
    for sample in ("CRC01-T", "CRC01-N"):
        for lane in lanes[sample]:
            for r in ("R1", "R2"):
                total += plant_reads(os.path.join(dst, f"{sample}_{lane}_{r}.fastq.gz"), sites)
    log(f"reads: planted {len(sites)} germline APC variants in CRC01-T/N ({total} reads changed)")


def step_real_reads(shared, out):
    dst = os.path.join(out, "demo", "reads")
    src = os.path.join(shared, "reads", "na12878_brca1")
    for r in ("R1", "R2"):
        copy_file(
            os.path.join(src, f"BRCA1_{r}.fastq.gz"), os.path.join(dst, f"HG001_{r}.fastq.gz")
        )
    src = os.path.join(shared, "reads", "hartwig_tumor_normal_panel")
    lanes = defaultdict(list)
    for sub, sample in (("CPCT12345678T", "CRC01-T"), ("CPCT12345678R", "CRC01-N")):
        pattern = re.compile(sub + r"_([A-Z0-9]+)_S\d+_(L\d{3})_(R[12])_001\.fastq\.gz$")
        for fn in sorted(os.listdir(os.path.join(src, sub))):
            m = pattern.match(fn)
            if not m:
                continue
            lane = f"{m.group(1)}_{m.group(2)}"
            copy_file(
                os.path.join(src, sub, fn),
                os.path.join(dst, f"{sample}_{lane}_{m.group(3)}.fastq.gz"),
            )
            if m.group(3) == "R1":
                lanes[sample].append(lane)
    log(
        f"reads: copied HG001 and CRC01-T/N ({len(lanes['CRC01-T'])} + "
        f"{len(lanes['CRC01-N'])} lanes)"
    )
    return lanes


LICENCES = [
    (
        "reads/hartwig_tumor_normal_panel/LICENSE.hartwig-testdata",
        "LICENSE.hartwig-testdata.GPL-3.0",
    ),
    ("reads/na12878_brca1/LICENSE.GPL-3.0", "LICENSE.janis-workshops.GPL-3.0"),
    ("cases/LICENSE.phenopacket-store.BSD-3", "LICENSE.phenopacket-store.BSD-3"),
    ("kb/mane/LICENSE.nf-cmgg.MIT", "LICENSE.nf-cmgg-test-datasets.MIT"),
]


def step_licences(shared, out):
    for src, name in LICENCES:
        copy_file(os.path.join(shared, src), os.path.join(out, "licenses", name))
    log(f"licences: copied {len(LICENCES)} licence texts")


# ---------------------------------------------------------------------------------------------
# step 4: simulation
# ---------------------------------------------------------------------------------------------
def load_case(shared, pid):
    path = os.path.join(shared, "cases", "phenopacket_cases.dev.tsv.gz")
    with gzip.open(path, "rt") as fh:
        row = next(
            (r for r in csv.DictReader(fh, delimiter="\t") if r["phenopacket_id"] == pid), None
        )
    if row is None:
        raise SystemExit(f"case {pid} not found")
    with open(os.path.join(shared, "cases", "phenopackets", pid + ".json")) as fh:
        pp = json.load(fh)
    labels = {f["type"]["id"]: f["type"]["label"] for f in pp.get("phenotypicFeatures", [])}
    expr, acmg = {}, ""
    for it in pp.get("interpretations", []):
        for gi in it["diagnosis"].get("genomicInterpretations", []):
            vi = gi["variantInterpretation"]
            for e in vi["variationDescriptor"].get("expressions", []):
                expr[e["syntax"]] = e["value"]
            acmg = vi.get("acmgPathogenicityClassification", "")
    row["hgvs"] = expr
    row["acmg"] = acmg
    row["subject_id"] = pp["subject"]["id"]
    row["present"] = [
        {"id": h, "label": labels.get(h, "")} for h in row["hpo_present"].split(";") if h
    ]
    row["excluded"] = [
        {"id": h, "label": labels.get(h, "")} for h in row["hpo_excluded"].split(";") if h
    ]
    return row


def disease_inheritance(shared, disease_id):
    names = {
        "HP:0000006": "autosomal dominant",
        "HP:0000007": "autosomal recessive",
        "HP:0001417": "X-linked",
    }
    found = set()
    with gzip.open(os.path.join(shared, "kb", "hpo", "phenotype.hpoa.gz"), "rt") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) > 10 and f[0] == disease_id and f[10] == "I":
                found.add(f"{names.get(f[3], f[3])} ({f[3]})")
    return sorted(found)


def causal_variant(case, cmap, genome, models):
    chrom, pos, ref, alt = case["chrom"], int(case["pos"]), case["ref"], case["alt"]
    if len(ref) != 1 or len(alt) != 1:
        raise SystemExit("only SNVs are simulated")
    contig, cpos = cmap.to_contig(chrom, pos)
    if genome[contig][cpos - 1] != ref:
        raise SystemExit(f"REF mismatch for {case['phenopacket_id']}")
    if not any(
        t.gene == case["gene"] and t.contig == contig and any(s <= cpos <= e for s, e in t.cds)
        for t in models
    ):
        raise SystemExit("causal variant is not coding")
    return {
        "contig": contig,
        "pos": cpos,
        "chrom": chrom,
        "grch38_pos": pos,
        "ref": ref,
        "alt": alt,
    }


def capture_targets(models, genes, flank, exclude=None):
    """Merged coding-exon +/- flank windows of all annotated transcripts of `genes`.
    `exclude` = (contig, start, end) is cut out of the windows (a failed bait); window pieces
    too short for a fragment are dropped."""
    iv = defaultdict(list)
    for t in models:
        if t.gene in genes:
            for _, s, e in t.coding_exons():
                iv[t.contig].append([max(1, s - flank), e + flank, t.gene])
    out = []
    for contig, lst in iv.items():
        merged = []
        for s, e, g in sorted(lst):
            if merged and s <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e, g])
        for s, e, g in merged:
            pieces = [(s, e)]
            if exclude and exclude[0] == contig:
                xs, xe = exclude[1], exclude[2]
                pieces = [(a, b) for a, b in ((s, min(e, xs - 1)), (max(s, xe + 1), e)) if a <= b]
            out += [(contig, a, b, g) for a, b in pieces if b - a + 1 > FRAG_MEAN + 3 * FRAG_SD]
    return out


def benign_like(models, gene, contig, pos, alt, genome):
    """True when an SNV looks like a typical common polymorphism for every annotated transcript
    of the gene: not within 10 bp of an exon boundary (no splice-region hits) and, if coding,
    synonymous and not in the start or stop codon."""
    for t in models:
        if t.gene != gene or t.contig != contig:
            continue
        if any(abs(pos - s) < 10 or abs(pos - e) < 10 for s, e, _ in t.exons):
            return False
        cpos = t.cds_positions()
        if pos not in cpos:
            continue
        first = cpos.index(pos) // 3 * 3
        if first == 0 or first >= len(cpos) - 3:
            return False
        codon = cpos[first : first + 3]
        ref_c = "".join(genome[contig][p - 1] for p in codon)
        alt_c = "".join(alt if p == pos else genome[contig][p - 1] for p in codon)
        if t.strand == "-":  # bases are already in transcript order: complement only
            ref_c, alt_c = ref_c.translate(COMP), alt_c.translate(COMP)
        if CODON[ref_c] != CODON[alt_c]:
            return False
    return True


def pick_background_sites(rng, targets, genome, models, avoid, n):
    """Random benign-looking SNV sites inside the targets, spread over the capture genes (gene
    drawn uniformly, then a window by length): >=120 bp from window ends, >=50 bp apart,
    intronic/UTR or synonymous only (see benign_like)."""
    transitions = {"A": "G", "G": "A", "C": "T", "T": "C"}
    transversions = {"A": "CT", "G": "CT", "C": "AG", "T": "AG"}
    by_gene = OrderedDict()
    for t in targets:
        by_gene.setdefault(t[3], []).append(t)
    genes = list(by_gene)
    cap = -(-n // len(genes))
    sites, used, per_gene = [], list(avoid), defaultdict(int)
    while len(sites) < n:
        gene = rng.choice(genes)
        if per_gene[gene] >= cap:
            continue
        wins = by_gene[gene]
        contig, a, b, _ = rng.choices(wins, weights=[w[2] - w[1] - 239 for w in wins])[0]
        pos = rng.randint(a + 120, b - 120)
        ref = genome[contig][pos - 1]
        alt = transitions[ref] if rng.random() < 2 / 3 else rng.choice(transversions[ref])
        if any(c == contig and abs(p - pos) < 50 for c, p in used):
            continue
        if not benign_like(models, gene, contig, pos, alt, genome):
            continue
        used.append((contig, pos))
        per_gene[gene] += 1
        sites.append(
            {
                "contig": contig,
                "pos": pos,
                "ref": ref,
                "alt": alt,
                "gene": gene,
                "af": round(rng.uniform(0.15, 0.6), 2),
            }
        )
    order = {c: i for i, c in enumerate(genome)}
    sites.sort(key=lambda s: (order[s["contig"]], s["pos"]))
    return sites


def founder(rng, sites):
    """Two haplotypes (0/1 per site) drawn with each site's allele frequency."""
    return [[1 if rng.random() < s["af"] else 0 for s in sites] for _ in range(2)]


def transmit(rng, parent, sites, force=None):
    """One haplotype from a parent: per contig (no recombination within a slice) one of the
    parent's two haplotypes; force = {contig: haplotype index}."""
    choice = {}
    hap = []
    for i, s in enumerate(sites):
        c = s["contig"]
        if c not in choice:
            choice[c] = (force or {}).get(c, rng.randrange(2))
        hap.append(parent[choice[c]][i])
    return hap


def haplotype_fasta(genome, targets, sites, alleles, skip_chrx):
    alt_at = defaultdict(dict)
    for s, a in zip(sites, alleles, strict=True):
        if a:
            alt_at[s["contig"]][s["pos"]] = s["alt"]
    out = io.StringIO()
    for contig, a, b, _ in targets:
        if skip_chrx and contig.startswith("chrX_"):
            continue
        seq = list(genome[contig][a - 1 : b])
        for p, alt in alt_at[contig].items():
            if a <= p <= b:
                seq[p - a] = alt
        out.write(f">{contig}:{a}-{b}\n{''.join(seq)}\n")
    return out.getvalue()


def read_fastq(path):
    with open(path) as fh:
        lines = fh.read().split("\n")
    return [(lines[i + 1], lines[i + 3]) for i in range(0, len(lines) - 3, 4)]


def simulate_sample(art, sample, genome, targets, sites, haps, male, seed, out, tmp):
    """art_illumina on each haplotype (a male's second haplotype has no chrX), pairs pooled,
    shuffled and renamed <sample>_<n>/1|2."""
    pairs = []
    for h in (0, 1):
        fa_path = os.path.join(tmp, f"{sample}_h{h}.fa")
        write_text(fa_path, haplotype_fasta(genome, targets, sites, haps[h], male and h == 1))
        prefix = os.path.join(tmp, f"{sample}_h{h}_")
        cmd = [
            art,
            "-ss",
            "HS25",
            "-i",
            fa_path,
            "-p",
            "-l",
            str(READ_LEN),
            "-f",
            str(HAPLOTYPE_FOLD),
            "-m",
            str(FRAG_MEAN),
            "-s",
            str(FRAG_SD),
            "-rs",
            str(seed + h),
            "-na",
            "-o",
            prefix,
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pairs += zip(read_fastq(prefix + "1.fq"), read_fastq(prefix + "2.fq"), strict=True)
    random.Random(seed).shuffle(pairs)
    for mate in (0, 1):
        buf = io.StringIO()
        for i, p in enumerate(pairs, 1):
            seq, qual = p[mate]
            buf.write(f"@{sample}_{i:07d}/{mate + 1}\n{seq}\n+\n{qual}\n")
        path = os.path.join(out, "demo", "reads", f"{sample}_R{mate + 1}.fastq.gz")
        gzip_bytes_to(path, buf.getvalue().encode())
    return len(pairs)


def genotype(a, b):
    lo, hi = sorted((a, b))
    return f"{lo}/{hi}"


def step_simulate(shared, out, genome, cmap, models, art):
    with tempfile.TemporaryDirectory(prefix="bigmed_sim_") as tmp:
        return {
            "RD01": simulate_rd01(shared, out, genome, cmap, models, art, tmp),
            "CARD01": simulate_card01(shared, out, genome, cmap, models, art, tmp),
        }


def simulate_rd01(shared, out, genome, cmap, models, art, tmp):
    rng = random.Random(MASTER_SEED + 1)
    case = load_case(shared, RD01["phenopacket_id"])
    if case["gene"] != RD01["gene"] or case["zygosity"] != "heterozygous":
        raise SystemExit("RD01 case is not a heterozygous SMAD4 variant")
    cv = causal_variant(case, cmap, genome, models)
    targets = capture_targets(models, [RD01["gene"], *RD01["other_genes"]], FLANK)
    sites = pick_background_sites(
        rng, targets, genome, models, [(cv["contig"], cv["pos"])], N_BACKGROUND
    )
    while True:  # every background site carried by at least one parent
        mother, father = founder(rng, sites), founder(rng, sites)
        child = [transmit(rng, mother, sites), transmit(rng, father, sites)]
        if all(any(h[i] for h in mother + father) for i in range(len(sites))):
            break
    denovo_hap = rng.randrange(2)  # 0 = maternal, 1 = paternal haplotype
    allsites = [*sites, dict(cv, gene=case["gene"], causal=True)]
    people = OrderedDict(
        [
            (
                "RD01-P",
                {
                    "haps": [child[0] + [int(denovo_hap == 0)], child[1] + [int(denovo_hap == 1)]],
                    "male": False,
                },
            ),
            ("RD01-M", {"haps": [mother[0] + [0], mother[1] + [0]], "male": False}),
            ("RD01-F", {"haps": [father[0] + [0], father[1] + [0]], "male": True}),
        ]
    )
    add_planted("RD01", people, allsites, cmap, genome, targets)
    counts = {}
    for k, (sample, p) in enumerate(people.items()):
        counts[sample] = simulate_sample(
            art,
            sample,
            genome,
            targets,
            allsites,
            p["haps"],
            p["male"],
            MASTER_SEED + 100 + 10 * k,
            out,
            tmp,
        )
    rows = truth_rows(people, allsites, cmap, case, "causal (de novo in RD01-P)")
    write_truth(out, "RD01", rows, targets)
    log(f"simulate: RD01 read pairs {counts}")
    return {
        "case": case,
        "variant": cv,
        "targets": targets,
        "counts": counts,
        "denovo_on": "paternal" if denovo_hap else "maternal",
    }


def simulate_card01(shared, out, genome, cmap, models, art, tmp):
    rng = random.Random(MASTER_SEED + 2)
    case = load_case(shared, CARD01["phenopacket_id"])
    sib_case = load_case(shared, CARD01["sibling_phenopacket_id"])
    if case["gene"] != CARD01["gene"] or case["zygosity"] != "heterozygous":
        raise SystemExit("CARD01 case is not a heterozygous LMNA variant")
    if (sib_case["chrom"], sib_case["pos"], sib_case["alt"]) != (
        case["chrom"],
        case["pos"],
        case["alt"],
    ):
        raise SystemExit("CARD01 sibling phenopacket carries a different variant")
    cv = causal_variant(case, cmap, genome, models)
    gap_gene, gap_label = CARD01["uncovered"]
    gap_tx = next(t for t in models if t.gene == gap_gene and t.mane)
    gap = next(x for x in gap_tx.coding_exons() if x[0] == gap_label)
    gap_region = (gap_tx.contig, gap[1], gap[2])
    targets = capture_targets(models, CARD01["panel"], FLANK, exclude=gap_region)
    autosomal = [t for t in targets if not t[0].startswith("chrX_")]
    sites = pick_background_sites(
        rng, autosomal, genome, models, [(cv["contig"], cv["pos"])], N_BACKGROUND
    )
    # Two unsequenced parents: A carries the LMNA variant on haplotype 0, B does not. Index
    # and sibling inherit A's haplotype 0 at the LMNA slice, the relative A's haplotype 1.
    allsites = [*sites, dict(cv, gene=case["gene"], causal=True)]
    while True:  # every background site carried by at least one sequenced person
        pa, pb = founder(rng, sites), founder(rng, sites)
        pa = [pa[0] + [1], pa[1] + [0]]
        pb = [pb[0] + [0], pb[1] + [0]]
        kids = [
            [transmit(rng, pa, allsites, {cv["contig"]: hap}), transmit(rng, pb, allsites)]
            for hap in (0, 0, 1)
        ]
        if all(any(k[0][i] or k[1][i] for k in kids) for i in range(len(sites))):
            break
    people = OrderedDict(
        [
            ("CARD01-I", {"haps": kids[0], "male": False}),
            ("CARD01-S", {"haps": kids[1], "male": False}),
            ("CARD01-R", {"haps": kids[2], "male": True}),
        ]
    )
    add_planted("CARD01", people, allsites, cmap, genome, targets)
    counts = {}
    for k, (sample, p) in enumerate(people.items()):
        counts[sample] = simulate_sample(
            art,
            sample,
            genome,
            targets,
            allsites,
            p["haps"],
            p["male"],
            MASTER_SEED + 200 + 10 * k,
            out,
            tmp,
        )
    rows = truth_rows(
        people,
        allsites,
        cmap,
        case,
        "causal (inherited; carried by CARD01-I and CARD01-S, not CARD01-R)",
    )
    write_truth(out, "CARD01", rows, targets)
    ch, gs = cmap.to_grch38(gap_region[0], gap_region[1])
    _, ge = cmap.to_grch38(gap_region[0], gap_region[2])
    rank = [lab for _, _, lab in gap_tx.exons_in_tx_order()].index(gap_label) + 1
    write_tsv(
        os.path.join(out, "demo", "truth", "uncovered_exon.tsv"),
        [
            "family",
            "gene",
            "transcript",
            "exon_number",
            "exon_rank",
            "contig",
            "contig_start",
            "contig_end",
            "grch38_chrom",
            "grch38_start",
            "grch38_end",
            "coding_bp",
            "note",
        ],
        [
            [
                "CARD01",
                gap_gene,
                gap_tx.nm,
                gap_label,
                rank,
                gap_region[0],
                gap[1],
                gap[2],
                ch,
                gs,
                ge,
                gap[2] - gap[1] + 1,
                "coding exon deliberately left out of the simulated capture targets (no reads in "
                "any CARD01 sample); exon_number is the LRG/RefSeq exon label",
            ]
        ],
    )
    log(f"simulate: CARD01 read pairs {counts}")
    return {
        "case": case,
        "sib_case": sib_case,
        "variant": cv,
        "targets": targets,
        "counts": counts,
        "gap": (gap_tx, gap_label, gap_region, (ch, gs, ge)),
    }


def add_planted(family, people, allsites, cmap, genome, targets):
    """Append the family's FAMILY_PLANTED variants to its sites and each person's haplotypes
    (no random draw: the family's other genotypes and reads are unchanged)."""
    for p in FAMILY_PLANTED.get(family, []):
        chrom, pos, ref, alt = p["grch38"]
        contig, cpos = cmap.to_contig(chrom, pos)
        if genome[contig][cpos - 1] != ref:
            raise SystemExit(f"REF mismatch for planted {p['hgvs']}")
        if any(s["contig"] == contig and s["pos"] == cpos for s in allsites):
            raise SystemExit(f"planted {p['hgvs']} falls on another simulated site")
        if not any(c == contig and a <= cpos <= b for c, a, b, _ in targets):
            raise SystemExit(f"planted {p['hgvs']} is outside the capture targets")
        allsites.append(
            {"contig": contig, "pos": cpos, "chrom": chrom, "grch38_pos": pos, "ref": ref,
             "alt": alt, "gene": p["gene"], "planted": p}
        )  # fmt: skip
        for sample, person in people.items():
            h0, h1 = p["carriers"][sample]
            person["haps"][0].append(h0)
            person["haps"][1].append(h1)


def truth_rows(people, allsites, cmap, case, causal_note):
    hgvs = f"{case['hgvs'].get('hgvs.c', '')} {case['hgvs'].get('hgvs.p', '')}".strip()
    rows = []
    for i, s in enumerate(allsites):
        ch, gp = cmap.to_grch38(s["contig"], s["pos"])
        for sample, p in people.items():
            gt = genotype(p["haps"][0][i], p["haps"][1][i])
            row = [sample, s["contig"], s["pos"], ch, gp, s["ref"], s["alt"], gt, s["gene"]]
            if s.get("causal"):
                row += [causal_note, case["phenopacket_id"], hgvs]
            elif s.get("planted"):
                row += [s["planted"]["note"], s["planted"]["source"], s["planted"]["hgvs"]]
            else:
                row += ["background", "random", ""]
            rows.append(row)
    return rows


def write_truth(out, fam, rows, targets):
    write_tsv(
        os.path.join(out, "demo", "truth", fam + ".tsv"),
        [
            "sample",
            "contig",
            "contig_pos",
            "grch38_chrom",
            "grch38_pos",
            "ref",
            "alt",
            "genotype",
            "gene",
            "note",
            "source",
            "hgvs",
        ],
        rows,
    )
    bed = "".join(f"{c}\t{a - 1}\t{b}\t{g}\n" for c, a, b, g in targets)
    write_text(os.path.join(out, "demo", "truth", fam + ".targets.bed"), bed)


# ---------------------------------------------------------------------------------------------
# step 5: cases.json
# ---------------------------------------------------------------------------------------------
def phen(case):
    return ";".join(h["id"] for h in case["present"])


def case_block(shared, case, cv):
    hg = case["hgvs"]
    return OrderedDict(
        [
            ("phenopacket_id", case["phenopacket_id"]),
            ("phenopacket_subject", case["subject_id"]),
            ("source", "GA4GH phenopacket-store b694d17 (CC-BY-4.0)"),
            ("disease_id", case["disease_id"]),
            ("disease_label", case["disease_label"]),
            ("inheritance", disease_inheritance(shared, case["disease_id"])),
            ("hpo_present", case["present"]),
            ("hpo_excluded", case["excluded"]),
            ("gene", case["gene"]),
            (
                "variant",
                OrderedDict(
                    [
                        ("grch38", f"{cv['chrom']}:{cv['grch38_pos']} {cv['ref']}>{cv['alt']}"),
                        ("contig", cv["contig"]),
                        ("contig_pos", cv["pos"]),
                        ("ref", cv["ref"]),
                        ("alt", cv["alt"]),
                        ("hgvs_c", hg.get("hgvs.c", "")),
                        ("hgvs_p", hg.get("hgvs.p", "")),
                        ("hgvs_g", hg.get("hgvs.g", "")),
                        ("zygosity", case["zygosity"]),
                        ("acmg_in_phenopacket", case["acmg"]),
                    ]
                ),
            ),
        ]
    )


def planted_entries(family):
    """cases.json: the family's planted expert-panel variants and who carries them."""
    return [
        OrderedDict(
            [
                ("gene", p["gene"]),
                ("grch38", "{}:{} {}>{}".format(*p["grch38"])),
                ("hgvs", p["hgvs"]),
                ("source", p["source"]),
                ("carriers", [s for s, h in p["carriers"].items() if any(h)]),
                ("expected", "finding through the known-variant path (expert panel)"),
            ]
        )
        for p in FAMILY_PLANTED.get(family, [])
    ]


def reads_for(sample, lanes=None):
    if lanes:
        return [
            [f"demo/reads/{sample}_{ln}_R1.fastq.gz", f"demo/reads/{sample}_{ln}_R2.fastq.gz"]
            for ln in lanes
        ]
    return [[f"demo/reads/{sample}_R1.fastq.gz", f"demo/reads/{sample}_R2.fastq.gz"]]


def sample_entry(sample, role, sex, affected, counts, phenotypes="", mother="", father="", **extra):
    d = OrderedDict(
        [
            ("sample", sample),
            ("role", role),
            ("sex", sex),
            ("affected", affected),
            ("mother", mother),
            ("father", father),
            ("phenotypes", phenotypes),
        ]
    )
    d.update(extra)
    d["read_pairs"] = counts[sample]
    d["fastq"] = reads_for(sample)
    return d


def step_cases(shared, out, sim, lanes):
    rd, cd = sim["RD01"], sim["CARD01"]
    gap_tx, gap_label, gap_region, gap38 = cd["gap"]
    rdc, cdc = rd["counts"], cd["counts"]
    families = [
        OrderedDict(
            [
                ("family_id", "RD01"),
                ("analysis", "rare-disease trio (germline, de novo)"),
                (
                    "samples",
                    [
                        sample_entry(
                            "RD01-P",
                            "proband",
                            "female",
                            True,
                            rdc,
                            phen(rd["case"]),
                            mother="RD01-M",
                            father="RD01-F",
                            phenotypes_from=rd["case"]["phenopacket_id"],
                        ),
                        sample_entry("RD01-M", "mother", "female", False, rdc),
                        sample_entry("RD01-F", "father", "male", False, rdc),
                    ],
                ),
                ("case", case_block(shared, rd["case"], rd["variant"])),
                (
                    "segregation",
                    f"de novo in RD01-P (on the {rd['denovo_on']} haplotype); absent "
                    "in both parents",
                ),
                ("why_this_case", RD01["why"]),
                ("capture_genes", [RD01["gene"], *RD01["other_genes"]]),
                ("capture_targets", "demo/truth/RD01.targets.bed"),
                ("truth", "demo/truth/RD01.tsv"),
                ("planted", planted_entries("RD01")),
                (
                    "background",
                    f"{N_BACKGROUND} random intronic/UTR/synonymous SNVs (source "
                    "'random') with Mendelian genotypes",
                ),
            ]
        ),
        OrderedDict(
            [
                ("family_id", "CARD01"),
                ("analysis", "inherited cardiac condition panel (germline, familial)"),
                (
                    "samples",
                    [
                        sample_entry(
                            "CARD01-I",
                            "index",
                            "female",
                            True,
                            cdc,
                            phen(cd["case"]),
                            phenotypes_from=cd["case"]["phenopacket_id"],
                        ),
                        sample_entry(
                            "CARD01-S",
                            "sibling (carrier)",
                            "female",
                            True,
                            cdc,
                            phen(cd["sib_case"]),
                            phenotypes_from=cd["sib_case"]["phenopacket_id"],
                        ),
                        sample_entry("CARD01-R", "relative (non-carrier)", "male", False, cdc),
                    ],
                ),
                ("case", case_block(shared, cd["case"], cd["variant"])),
                (
                    "segregation",
                    "heterozygous in CARD01-I and CARD01-S, absent in CARD01-R. "
                    "Simulated as three children of two unsequenced parents, one a carrier; the "
                    "sibling's phenotypes are those of another affected member "
                    f"({cd['sib_case']['phenopacket_id']}) of the same published family, so the "
                    "relationships are constructed for the demo.",
                ),
                ("capture_genes", CARD01["panel"]),
                ("capture_targets", "demo/truth/CARD01.targets.bed"),
                (
                    "uncovered_exon",
                    OrderedDict(
                        [
                            ("gene", gap_tx.gene),
                            ("transcript", gap_tx.nm),
                            ("exon_number", gap_label),
                            ("contig", gap_region[0]),
                            ("contig_start", gap_region[1]),
                            ("contig_end", gap_region[2]),
                            ("grch38", "{}:{}-{}".format(*gap38)),
                            ("table", "demo/truth/uncovered_exon.tsv"),
                        ]
                    ),
                ),
                ("truth", "demo/truth/CARD01.tsv"),
                ("planted", planted_entries("CARD01")),
                (
                    "background",
                    f"{N_BACKGROUND} random autosomal intronic/UTR/synonymous SNVs "
                    "(source 'random') with Mendelian genotypes; CARD01-R is male, so LAMP2 (chrX) "
                    "has one copy and half the depth",
                ),
            ]
        ),
        OrderedDict(
            [
                ("family_id", "CRC01"),
                ("analysis", "tumour/normal (somatic), constructed pair"),
                (
                    "samples",
                    [
                        OrderedDict(
                            [
                                ("sample", "CRC01-T"),
                                ("role", "tumour"),
                                ("normal", "CRC01-N"),
                                ("source", "hartwigmedical/testdata CPCT12345678T"),
                                ("fastq", reads_for("CRC01-T", lanes["CRC01-T"])),
                            ]
                        ),
                        OrderedDict(
                            [
                                ("sample", "CRC01-N"),
                                ("role", "normal"),
                                ("source", "hartwigmedical/testdata CPCT12345678R"),
                                ("fastq", reads_for("CRC01-N", lanes["CRC01-N"])),
                            ]
                        ),
                    ],
                ),
                (
                    "expected",
                    "BRAF V600E (GRCh38 chr7:140753336 A>T; contig "
                    "chr7_140717327_140929764:36010) in CRC01-T, about 170/259 alt reads; 0/49 in "
                    "CRC01-N",
                ),
                (
                    "caveat",
                    "Constructed pair: GIAB individuals everywhere plus real COLO829 tumour "
                    "and normal reads at two loci (one carrying BRAF V600E). Elsewhere the "
                    "'somatic' differences are germline differences between two people.",
                ),
                (
                    "planted_germline",
                    [
                        OrderedDict(
                            [
                                ("gene", p["gene"]),
                                ("grch38", "{}:{} {}>{}".format(*p["grch38"])),
                                ("hgvs", p["hgvs"]),
                                ("clinvar", p["clinvar"]),
                                ("expected", p["role"]),
                                ("genotype", "heterozygous in CRC01-T and CRC01-N"),
                            ]
                        )
                        for p in CRC01_PLANTED
                    ],
                ),
            ]
        ),
        OrderedDict(
            [
                ("family_id", "HG001"),
                ("analysis", "germline single sample (benchmark individual)"),
                (
                    "samples",
                    [
                        OrderedDict(
                            [
                                ("sample", "HG001"),
                                ("role", "single"),
                                ("sex", "female"),
                                ("affected", False),
                                ("source", HG001_DESC),
                                ("fastq", reads_for("HG001")),
                            ]
                        )
                    ],
                ),
            ]
        ),
    ]
    doc = OrderedDict(
        [
            (
                "note",
                "Demo cases for samples.tsv. Paths are relative to resources/. phenotypes = "
                "HPO ids joined by ';'. Generated by scripts/derive_resources.py.",
            ),
            ("reference", "reference/minigenome.fa.gz"),
            ("families", families),
        ]
    )
    write_text(os.path.join(out, "demo", "cases.json"), json.dumps(doc, indent=2) + "\n")
    log("cases: wrote demo/cases.json")


# ---------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--shared",
        default=os.path.join(REPO, "..", "shared", "data"),
        help="read-only shared data folder (default: ../shared/data from the repo)",
    )
    ap.add_argument(
        "--out",
        default=os.path.join(REPO, "resources"),
        help="output folder (default: resources/ in the repo)",
    )
    ap.add_argument("--art", default="art_illumina", help="art_illumina executable")
    args = ap.parse_args(argv)
    shared, out = os.path.abspath(args.shared), os.path.abspath(args.out)
    if not os.path.isfile(os.path.join(shared, "MANIFEST.tsv")):
        raise SystemExit(f"not the shared data folder: {shared}")
    art = shutil.which(args.art)
    if not art:
        raise SystemExit("art_illumina not found (needed to simulate the demo families)")
    t0 = time.time()
    step_reference(shared, out)
    genome = read_fasta(os.path.join(shared, "reference", "grch38_slices.fa.gz"))
    cmap = ContigMap(os.path.join(shared, "reference", "contigs.tsv"))
    models = build_annotation(shared, genome, cmap)
    write_annotation(models, genome, cmap, out)
    lanes = step_real_reads(shared, out)
    plant_crc01(out, genome, cmap, lanes)
    step_licences(shared, out)
    sim = step_simulate(shared, out, genome, cmap, models, art)
    step_cases(shared, out, sim, lanes)
    log(f"done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()

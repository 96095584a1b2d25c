#!/usr/bin/env python3
"""Derive the VCF dialect test inputs (tests/integration/data/vcf_dialects/) from
../shared/data/vcf_dialects: real caller output, lifted onto the mini-genome.

The sources are small VCFs as DeepVariant, GATK, DRAGEN, Strelka2, Mutect2, VarDict,
freebayes, bcftools, Platypus and LoFreq wrote them, mostly on GRCh37 or on toy genomes.
What the tests need is their *layout* (header lines, FORMAT and INFO keys, FILTER ids,
sample columns, gVCF blocks, contig naming, VCF version), placed where the pipeline's
reference has sequence. Each record keeps every column but CHROM/POS/REF/ALT (and INFO
END): it moves to a GRCh38 position inside one of the mini-genome's gene slices, with REF
read from the slice, ALT rebuilt with the same shape (substitution, insertion, deletion,
MNP; inserted bases and symbolic alleles kept), nearby records kept as near as they were
and isolated variants moved onto coding exons. Contig names keep their style (``chr20``
-> ``chr17``, ``20`` -> ``17``); GRCh37 ``##contig`` lengths and ``##reference`` lines
become GRCh38 ones.

Two files are synthetic because the shared folder has no such output: a DRAGEN somatic
tumor/normal VCF and a GATK CombineGVCFs two-sample gVCF, written here in the layouts of
the real files (see SYNTHETIC).

    python3 tools/derive_vcf_dialects.py [--shared ../shared/data] [--out DIR]

Deterministic: the same sources give byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pysam

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bigmed.genome.reference import GRCH38_LENGTHS  # noqa: E402

FASTA = ROOT / "resources" / "reference" / "minigenome.fa.gz"
CONTIGS = ROOT / "resources" / "reference" / "contigs.tsv"
GFF = ROOT / "resources" / "annotation" / "minigenome.gff3"
OUT = ROOT / "tests" / "integration" / "data" / "vcf_dialects"
NEAR = 60  # records closer than this in the source stay as close in the copy
MAX_BLOCK = 400  # a gVCF reference block is cut to this many bases
TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C", "N": "A"}


@dataclass(frozen=True)
class Dialect:
    name: str  # output file name
    source: str  # path under ../shared/data/vcf_dialects
    slice: str  # mini-genome contig the records are placed on
    limit: int = 60  # records kept (gVCF blocks count)
    first: int = 0  # records skipped before those kept


DIALECTS = (
    Dialect(
        "deepvariant.vcf",
        "deepvariant/golden.postprocess_single_site_output.vcf",
        "chr17_43024295_43217981",
    ),
    Dialect(
        "deepvariant.g.vcf",
        "deepvariant/golden.postprocess_gvcf_output.trimmed.g.vcf",
        "chr13_32310480_32401672",
    ),
    Dialect(
        "gatk_haplotypecaller.vcf",
        "gatk/expected.CEUTrio.HiSeq.WGS.b37.NA12878.calls.20.10100000-10150000.vcf",
        "chr17_43024295_43217981",
    ),
    Dialect(
        "gatk_haplotypecaller.g.vcf.gz",
        "gatk/HG00187.hg38.g.vcf.gz",
        "chr16_23601162_23646357",
        limit=120,
        first=130,  # the source's first 130 records are reference blocks
    ),
    Dialect(
        "gatk_haplotypecaller_4.0.g.vcf.gz",
        "gatk/Test1-gatk-haplotype.vcf.gz",
        "chr1_45327242_45345470",
    ),
    Dialect("gatk_genotypegvcfs_trio.vcf", "gatk/spanning_del.vcf", "chr3_179143523_179242093"),
    Dialect("dragen.g.vcf", "dragen/dragen.g.vcf", "chr1_156077573_156142087"),
    Dialect(
        "dragen_hard_filtered.gvcf.gz",
        "dragen/T-NGS_9008.chrM.gvcf.gz",
        "chr3_36988350_37067889",
        limit=80,
    ),
    Dialect(
        "strelka2_germline.vcf.gz", "strelka/tumor_only.Strelka.vcf.gz", "chr1_45327242_45345470"
    ),
    Dialect(
        "strelka2_trio.vcf.gz",
        "strelka/strelka_inverted_trio_segment.vcf.gz",
        "chr18_50963040_51087042",
    ),
    Dialect("strelka2_germline.gvcf", "strelka/missingdata1.gvcf", "chr13_32310480_32401672"),
    Dialect("bcftools_call.vcf", "bcftools/mpileup.1.out.vcf", "chr17_43024295_43217981"),
    Dialect("bcftools_call.g.vcf", "bcftools/mpileup.2.out.vcf", "chr17_43024295_43217981"),
    Dialect("bcftools_mpileup.vcf", "bcftools/index.vcf", "chr17_43024295_43217981", limit=20),
    Dialect("freebayes.vcf", "freebayes/tiny_chr22.vcf", "chr3_36988350_37067889"),
    Dialect("freebayes.g.vcf", "freebayes/tiny_chr22_gvcf.vcf", "chr3_36988350_37067889"),
    Dialect("freebayes_haploid.vcf", "freebayes/test.mnp.vcf", "chr21_34444690_34516315"),
    Dialect("platypus_trio.vcf", "platypus/NA12878_Trio_chr20.vcf", "chr16_68732292_68837541"),
    Dialect("vcf43.vcf", "vcf43_44/complexfile_passed_000.v4.3.vcf", "chr13_32310480_32401672"),
    Dialect("vcf44.vcf", "vcf43_44/complexfile_passed_000.v4.4.vcf", "chr13_32310480_32401672"),
    Dialect("vcf44_str.vcf", "vcf43_44/passed_STR.v4.4.vcf", "chr13_32310480_32401672"),
    Dialect(
        "vcf44_phasing.vcf", "vcf43_44/passed_body_samples_1.v4.4.vcf", "chr13_32310480_32401672"
    ),
    # somatic
    Dialect("mutect2_paired.vcf.gz", "gatk/paired.MuTect2.vcf.gz", "chr12_25202789_25256003"),
    Dialect(
        "mutect2_tumor_only.vcf.gz", "gatk/tumor_only.MuTect2.vcf.gz", "chr12_25202789_25256003"
    ),
    Dialect(
        "mutect2_multiallelic.vcf", "gatk/many-allelic-somatic.vcf", "chr7_140717327_140929764"
    ),
    Dialect(
        "mutect2_4.0.vcf", "gatk/SM-74P4M-filtered_sample_name_test.vcf", "chr7_140717327_140929764"
    ),
    Dialect(
        "strelka2_somatic.snvs.vcf.gz", "strelka/somatic.snvs.vcf.gz", "chr3_179143523_179242093"
    ),
    Dialect(
        "strelka2_somatic.indels.vcf.gz",
        "strelka/somatic.indels.vcf.gz",
        "chr3_179143523_179242093",
    ),
    Dialect(
        "strelka2_paired.snvs.vcf.gz",
        "strelka/paired.Strelka.snv.vcf.gz",
        "chr12_25202789_25256003",
    ),
    Dialect(
        "strelka2_paired.indels.vcf.gz",
        "strelka/paired.Strelka.indel.vcf.gz",
        "chr12_25202789_25256003",
    ),
    Dialect("vardict_paired.vcf.gz", "vardict/paired.VarDict.vcf.gz", "chr1_114702457_114721894"),
    Dialect(
        "vardict_tumor_only.vcf.gz", "vardict/tumor_only.VarDict.vcf.gz", "chr1_114702457_114721894"
    ),
    Dialect("vardict_bcbio.vcf.gz", "vardict/TumorOnly.vcf.gz", "chr10_87858438_87973930"),
    Dialect(
        "vardictjava_paired.vcf", "vardict/vardict.paired.head300.vcf", "chr17_7659779_7692550"
    ),
    Dialect("lofreq.vcf.gz", "other/LoFreq.snv.vcf.gz", "chr12_25202789_25256003", limit=10),
)


@dataclass(frozen=True)
class Slice:
    contig: str
    chrom: str  # GRCh38 name without 'chr'
    start: int  # GRCh38 position of the slice's first base


class Genome:
    """The mini-genome: slice sequences, GRCh38 offsets and coding exon starts."""

    def __init__(self) -> None:
        self.fasta = pysam.FastaFile(str(FASTA))
        self.slices: dict[str, Slice] = {}
        for line in CONTIGS.read_text().splitlines()[1:]:
            contig, chrom, start, _ = line.split("\t")
            self.slices[contig] = Slice(contig, chrom.removeprefix("chr"), int(start))
        self.cds: dict[str, list[int]] = {}
        for line in GFF.read_text().splitlines():
            cols = line.split("\t")
            if len(cols) > 4 and cols[2] == "CDS":
                self.cds.setdefault(cols[0], []).append(int(cols[3]))
        for starts in self.cds.values():
            starts.sort()

    def bases(self, contig: str, pos: int, n: int) -> str:
        """``n`` reference bases of a slice from its 1-based position ``pos``."""
        return self.fasta.fetch(contig, pos - 1, pos - 1 + n).upper()

    def next_exon(self, contig: str, pos: int) -> int | None:
        """The first coding exon start (plus a few bases) at or after ``pos``."""
        return next((s + 3 for s in self.cds.get(contig, []) if s + 3 >= pos), None)


def rebuild_alts(src_ref: str, alts: list[str], ref: str) -> list[str]:
    """ALTs of the same shape on the new REF: bases equal to the source REF follow the
    new REF, differing ones differ from it, inserted bases and symbolic alleles stay."""
    out: list[str] = []
    for alt in alts:
        if alt.startswith("<") or alt in ("*", ".") or "[" in alt or "]" in alt:
            out.append(alt)
            continue
        new = []
        for i, base in enumerate(alt.upper()):
            if i >= len(src_ref) or i >= len(ref):
                new.append(base)
            elif base == src_ref[i].upper():
                new.append(ref[i])
            else:
                new.append(base if base != ref[i] and base in "ACGT" else TRANSITION[ref[i]])
        candidate = "".join(new)
        while candidate == ref or candidate in out:  # keep alleles distinct
            last = candidate[-1]
            candidate = candidate[:-1] + "ACGT"[("ACGT".index(last) + 1) % 4]
        out.append(candidate)
    return out


def _end(info: str) -> int | None:
    m = re.search(r"(?:^|;)END=(\d+)", info)
    return int(m.group(1)) if m else None


def _set_end(info: str, end: int) -> str:
    return re.sub(r"(^|;)END=\d+", lambda m: f"{m.group(1)}END={end}", info)


class Placer:
    """Moves records onto a slice, keeping close records close and their order."""

    def __init__(self, genome: Genome, contig: str) -> None:
        self.genome, self.contig = genome, contig
        self.cursor = 200  # slice position of the next free base
        self.src_end: tuple[str, int] | None = None  # source contig and end of the last
        self.last = 0  # slice position of the last record

    def place(self, cols: list[str]) -> list[str]:
        chrom, pos, ref = cols[0], int(cols[1]), cols[3]
        end = _end(cols[7])
        src_span = (end - pos + 1) if end and end >= pos else len(ref)
        span = min(src_span, MAX_BLOCK)
        near = self.src_end is not None and self.src_end[0] == chrom
        gap = pos - self.src_end[1] if near and self.src_end else NEAR + 1
        if near and gap <= NEAR:
            new = max(self.cursor + gap - 1, self.last)
        elif not _block(cols):
            new = self.genome.next_exon(self.contig, self.cursor + 20) or self.cursor + 20
        else:
            new = self.cursor + 20
        self.src_end = (chrom, pos + src_span - 1)
        self.last = new
        self.cursor = max(self.cursor, new + span)
        new_ref = self.genome.bases(self.contig, new, len(ref))
        cols[1], cols[3] = str(new), new_ref
        cols[4] = ",".join(rebuild_alts(ref, cols[4].split(","), new_ref))
        if end is not None:
            cols[7] = _set_end(cols[7], new + span - 1)
        return cols


def _block(cols: list[str]) -> bool:
    """A gVCF reference block or a record without a real ALT allele."""
    return all(a.startswith("<") or a in (".", "*") for a in cols[4].split(","))


def target_name(source_chrom: str, chrom: str) -> str:
    """The slice's chromosome in the source's naming style."""
    return f"chr{chrom}" if source_chrom.startswith("chr") or not _ensembl(source_chrom) else chrom


def _ensembl(name: str) -> bool:
    return name in {str(i) for i in range(1, 23)} | {"X", "Y", "MT"}


def lift_header(lines: list[str], style_chr: bool, chrom: str, source: str) -> list[str]:
    """Header lines: GRCh37 contig lengths and reference lines replaced by GRCh38 ones."""
    out: list[str] = []
    name = f"chr{chrom}" if style_chr else chrom
    grch38 = any(re.search(rf"ID=(chr)?1,length={GRCH38_LENGTHS['chr1']}\b", ln) for ln in lines)
    contigs_done = False
    for line in lines:
        if line.startswith("##contig=") and not grch38:
            if not contigs_done:
                out.append(
                    f"##contig=<ID={name},length={GRCH38_LENGTHS['chr' + chrom]},assembly=GRCh38>"
                )
                contigs_done = True
            continue
        if line.startswith("##reference="):
            out.append("##reference=GRCh38")
            continue
        out.append(line)
    out.insert(
        1,
        f"##bigmed_test_input=records of {source} placed on GRCh38 chr{chrom} "
        "by tools/derive_vcf_dialects.py",
    )
    return out


def read_lines(path: Path) -> list[str]:
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt") as handle:  # type: ignore[operator]
        return handle.read().splitlines()


def derive(genome: Genome, shared: Path, d: Dialect) -> list[str]:
    lines = read_lines(shared / "vcf_dialects" / d.source)
    header = [ln for ln in lines if ln.startswith("#")]
    body = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
    records = body[d.first : d.first + d.limit]
    sl = genome.slices[d.slice]
    placer = Placer(genome, d.slice)
    style_chr = any(target_name(c[0], sl.chrom).startswith("chr") for c in records[:1])
    placed = []
    for cols in records:
        cols = placer.place(cols)
        cols[1] = str(int(cols[1]) + sl.start - 1)  # slice position -> GRCh38
        if _end(cols[7]) is not None:
            cols[7] = _set_end(cols[7], int(_end(cols[7]) or 0) + sl.start - 1)
        cols[0] = f"chr{sl.chrom}" if style_chr else sl.chrom
        placed.append("\t".join(cols))
    return [*lift_header(header, style_chr, sl.chrom, d.source), *placed]


def write(path: Path, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        plain = path.with_suffix("")
        plain.write_text(text)
        subprocess.run(["bgzip", "--force", str(plain)], check=True)
    else:
        path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    genome = Genome()
    for d in DIALECTS:
        write(out / d.name, derive(genome, Path(args.shared), d))
        print(f"wrote {d.name}")
    for name, make in SYNTHETIC.items():
        write(out / name, make(genome))
        print(f"wrote {name} (synthetic)")
    (out / "README.md").write_text(readme(Path(args.shared)))


def readme(shared: Path) -> str:
    """Source, commit, licence and caller of every file, from the shared MANIFEST.tsv."""
    rows = {}
    for line in (shared / "MANIFEST.tsv").read_text().splitlines()[1:]:
        cols = line.split("\t")
        rows[cols[0].removeprefix("vcf_dialects/")] = cols
    out = [
        "# VCF dialects (test inputs)",
        "",
        "Real caller output, lifted onto the mini-genome by `tools/derive_vcf_dialects.py`",
        "(records moved into gene slices, REF from the slice, ALT of the same shape; every",
        "other column, the header, the samples and the VCF version kept). Two files are",
        "synthetic (no such output in the sources). Used by",
        "`tests/integration/test_vcf_dialects.py` and `tests/unit/test_vcfimport.py`.",
        "",
        "| file | caller (as the source says) | source @ commit: path | licence | original build |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in DIALECTS:
        m = rows[d.source]
        kept = (
            f"records {d.first + 1}-{d.first + d.limit} of"
            if d.first
            else f"first {d.limit} records of"
        )
        out.append(
            f"| `{d.name}` | {m[5]} | {m[2]} @ {m[3][:12]}: `{m[4]}` ({kept} the file) "
            f"| {m[7]} | {m[6]} |"
        )
    for name in SYNTHETIC:
        out.append(
            f"| `{name}` | synthetic (the tool's SYNTHETIC) | this project | as this project "
            "| GRCh38 |"
        )
    return "\n".join(out) + "\n"


# The shared folder has no DRAGEN somatic output and no multi-sample gVCF: these two
# are written here, in the layouts of the real DRAGEN and GATK files above (FORMAT keys,
# header lines, <NON_REF> blocks), on real slice bases. Marked synthetic in their header.
DRAGEN_SOMATIC_HEADER = """##fileformat=VCFv4.2
##bigmed_test_input=synthetic: DRAGEN somatic tumor/normal layout (tools/derive_vcf_dialects.py)
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Somatic variant score does not meet threshold">
##FILTER=<ID=low_depth,Description="Site filtered because the read depth is too low">
##FILTER=<ID=alt_allele_in_normal,Description="Evidence seen in the normal sample">
##source=DRAGEN_SNV
##DRAGENCommandLine=<ID=dragen,Version="SW: 07.021.645.4.0.3, HW: 07.021.645",\
CommandLineOptions="--enable-variant-caller true --tumor-fastq-list t.csv">
##reference=file:///staging/reference/hg38_alt_masked_graph_v2/hg38.fa
##contig=<ID=chr7,length=159345973>
##contig=<ID=chr12,length=133275309>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS mapping quality">
##INFO=<ID=FractionInformativeReads,Number=1,Type=Float,Description="Informative reads">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=SQ,Number=A,Type=Float,Description="Somatic quality">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (informative reads)">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alt alleles">
##FORMAT=<ID=F1R2,Number=R,Type=Integer,Description="Reads in F1R2 pair orientation">
##FORMAT=<ID=F2R1,Number=R,Type=Integer,Description="Reads in F2R1 pair orientation">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=SB,Number=4,Type=Integer,Description="Per-sample strand bias counts">
##FORMAT=<ID=MB,Number=4,Type=Integer,Description="Per-sample mate bias counts">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCRC02_T\tCRC02_N"""
# (contig, slice position, alt, filter, tumor ref/alt reads, normal ref/alt reads)
DRAGEN_SOMATIC = (
    ("chr7_140717327_140929764", 36010, "T", "PASS", (84, 61), (40, 0)),  # BRAF V600E
    ("chr7_140717327_140929764", 36520, "G", "weak_evidence", (70, 3), (38, 0)),
    ("chr12_25202789_25256003", 42500, "C", "alt_allele_in_normal", (52, 20), (30, 12)),
    ("chr12_25202789_25256003", 42800, "A", "low_depth", (4, 2), (5, 0)),
)


def dragen_somatic(genome: Genome) -> list[str]:
    """A DRAGEN tumor/normal somatic VCF with BRAF V600E (GRCh38 chr7:140753336 A>T)."""
    out = DRAGEN_SOMATIC_HEADER.replace("\\\n", "").splitlines()
    for contig, pos, alt, filt, tumor, normal in DRAGEN_SOMATIC:
        sl = genome.slices[contig]
        ref = genome.bases(contig, pos, 1)
        alt = alt if alt != ref else TRANSITION[ref]
        cols = [f"chr{sl.chrom}", str(sl.start + pos - 1), ".", ref, alt, "."]
        depth = sum(tumor) + sum(normal)
        cols += [filt, f"DP={depth};MQ=60.00;FractionInformativeReads=0.962"]
        cols.append("GT:SQ:AD:AF:F1R2:F2R1:DP:SB:MB")
        for (r, a), gt in ((tumor, "0/1"), (normal, "0/0")):
            af = a / (r + a)
            half = (f"{r // 2},{a // 2}", f"{r - r // 2},{a - a // 2}")
            sb = f"{r // 2},{r - r // 2},{a // 2},{a - a // 2}"
            cols.append(
                f"{gt}:{8.5 if a else 0.0}:{r},{a}:{af:.3f}:{half[0]}:{half[1]}:{r + a}:{sb}:{sb}"
            )
        out.append("\t".join(cols))
    return out


COMBINED_HEADER = """##fileformat=VCFv4.2
##bigmed_test_input=synthetic: GATK CombineGVCFs two-sample gVCF layout
##ALT=<ID=NON_REF,Description="Any allele not listed at this site">
##FILTER=<ID=LowQual,Description="Low quality">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths, ref then alts">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Lowest depth in the block">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">
##FORMAT=<ID=SB,Number=4,Type=Integer,Description="Strand counts of ref and alt reads">
##GATKCommandLine=<ID=CombineGVCFs,CommandLine="CombineGVCFs --output family.g.vcf.gz \
--variant proband.g.vcf.gz --variant mother.g.vcf.gz",Version="4.2.6.1">
##INFO=<ID=BaseQRankSum,Number=1,Type=Float,Description="Alt vs ref base quality rank sum">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##INFO=<ID=END,Number=1,Type=Integer,Description="Last position of the block">
##INFO=<ID=MLEAC,Number=A,Type=Integer,Description="Most likely allele count">
##INFO=<ID=RAW_MQandDP,Number=2,Type=Integer,Description="Sum of squared MQ, and depth">
##contig=<ID=chr17,length=83257441>
##source=CombineGVCFs
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPROBAND\tMOTHER"""
# (slice position, block end or None, proband GT, mother GT)
COMBINED = (
    (43044900, 43045100, None, None),
    (43045101, None, "0/1", "0/0"),
    (43045102, 43045600, None, None),
    (43045601, None, "1/1", "0/1"),
    (43045602, 43046200, None, None),
)


def combined_gvcf(genome: Genome) -> list[str]:
    """Two samples (proband, mother) of one family in one gVCF over BRCA1."""
    contig = "chr17_43024295_43217981"
    sl = genome.slices[contig]
    out = COMBINED_HEADER.replace("\\\n", "").splitlines()
    for grch38, end, gt_p, gt_m in COMBINED:
        pos = grch38 - sl.start + 1
        ref = genome.bases(contig, pos, 1)
        if end is not None:
            block = "0/0:30,0:30:60:28:0,60,900"
            out.append(
                f"chr17\t{grch38}\t.\t{ref}\t<NON_REF>\t.\t.\tEND={end}\t"
                f"GT:AD:DP:GQ:MIN_DP:PL\t{block}\t{block}"
            )
            continue
        alt = TRANSITION[ref]
        samples = [_combined_sample(gt) for gt in (gt_p, gt_m)]
        out.append(
            f"chr17\t{grch38}\t.\t{ref}\t{alt},<NON_REF>\t.\t.\t"
            "BaseQRankSum=0.512;DP=64;MLEAC=1,0;RAW_MQandDP=230400,64\t"
            f"GT:AD:DP:GQ:PL:SB\t{samples[0]}\t{samples[1]}"
        )
    return out


def _combined_sample(gt: str | None) -> str:
    ad = {"0/0": (32, 0), "0/1": (15, 17), "1/1": (0, 31)}[gt or "0/0"]
    pl = {"0/0": "0,90,1350,90,1350,1350", "0/1": "480,0,420,570,470,1040"}.get(
        gt or "0/0", "1100,93,0,1110,95,1120"
    )
    return f"{gt}:{ad[0]},{ad[1]},0:{sum(ad)}:90:{pl}:{ad[0] // 2},{ad[0] - ad[0] // 2},8,9"


SYNTHETIC = {"dragen_somatic.vcf": dragen_somatic, "gatk_combinegvcfs.g.vcf": combined_gvcf}

if __name__ == "__main__":
    main()

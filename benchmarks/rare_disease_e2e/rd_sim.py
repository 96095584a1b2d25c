"""Simulated rare-disease families for the end-to-end benchmark.

Each family is a trio (or a singleton) captured over the causal gene, five other genes of the
mini-genome drawn at random and LAMP2 (chrX, so the genetic-sex check has data): coding
exons +- 250 bp. Planted on top of the reference:

- 300 common SNVs (allele frequency 0.1-0.5) in the intronic/UTR flanks of the capture,
  transmitted in Mendelian fashion (one parental haplotype per slice and meiosis), so the
  relatedness check has enough informative sites;
- the published causal SNV (phenopacket-store, GRCh38), heterozygous de novo, heterozygous
  from an affected father, homozygous with two carrier parents, or heterozygous in a
  singleton, as the case's ``mode`` says;
- decoys: six rare coding SNVs in other capture genes, each inherited from an unaffected
  parent, and (trios) two de novo coding SNVs in other capture genes, so the causal variant
  has to win on phenotype and inheritance, not on being the only coding change.

Reads: art_illumina (HiSeq 2500 profile, 2x150, fragments 350 +- 50) at 15x per haplotype;
a male's second haplotype has no chrX. A ``swap`` family has a father who is not the
proband's father (an unrelated man), to show the relatedness check.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "benchmarks"))  # artsim.py

import artsim  # noqa: E402
from bigmed.base.textio import open_text  # noqa: E402
from bigmed.genome.gff import preferred_transcripts, read_gff3  # noqa: E402
from bigmed.genome.reference import read_contig_map  # noqa: E402

FASTA = REPO / "resources" / "reference" / "minigenome.fa.gz"
GFF = REPO / "resources" / "annotation" / "minigenome.gff3"
CONTIGS = REPO / "resources" / "reference" / "contigs.tsv"

FLANK = 250
FRAG_MEAN, FRAG_SD = 350, 50  # ART's fragment sizes (artsim.art reads 2x150 of these)
FOLD = 15  # ART coverage per haplotype
N_BACKGROUND = 300
EDGE = 100  # background sites this far inside a capture window (read depth falls at the ends)
MAX_TRIES = 200_000
N_INHERITED_DECOYS = 6
N_DE_NOVO_DECOYS = 2  # trios only
SEX_GENE = "LAMP2"
COMP = str.maketrans("ACGT", "TGCA")


@dataclass
class Variant:
    contig: str
    pos: int  # 1-based on the contig
    ref: str
    alt: str
    gene: str
    kind: str  # background | causal | decoy_inherited | decoy_de_novo
    af: float = 0.0


@dataclass
class Case:
    family: str
    phenopacket_id: str
    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    hgvs_c: str
    disease: str
    hpo: list[str]
    mode: str  # de_novo | inherited_affected_father | homozygous | singleton
    proband_sex: str
    swap: bool = False
    capture: list[str] = field(default_factory=list)


def load_transcripts() -> dict[str, Any]:
    return preferred_transcripts(read_gff3(str(GFF)))


def phenopacket_sex(shared: Path, pid: str) -> str | None:
    path = shared / "cases" / "phenopackets" / f"{pid}.json"
    if not path.exists():
        return None
    sex = json.loads(path.read_text()).get("subject", {}).get("sex", "")
    return {"MALE": "male", "FEMALE": "female"}.get(sex)


def select_cases(
    shared: Path, n: int, rng: random.Random, known_terms: set[str]
) -> list[dict[str, str]]:
    """Published SNV cases in the coding sequence of a mini-genome gene, spread over genes."""
    tx = load_transcripts()
    contigs = read_contig_map(str(CONTIGS))
    fa = pysam.FastaFile(str(FASTA))
    by_gene: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open_text(shared / "cases" / "phenopacket_cases.dev.tsv.gz", errors="strict") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            t = tx.get(row["gene"])
            if t is None or not row["pos"] or len(row["ref"]) != 1 or len(row["alt"]) != 1:
                continue
            chrom, start = contigs[t.contig].chrom, contigs[t.contig].start
            if row["chrom"] != chrom:
                continue
            pos = int(row["pos"]) - start + 1
            if not any(s <= pos <= e for s, e in t.cds):
                continue
            if fa.fetch(t.contig, pos - 1, pos).upper() != row["ref"]:
                continue
            terms = [x for x in row["hpo_present"].split(";") if x in known_terms]
            if len(terms) < 3:
                continue
            row["contig"], row["contig_pos"], row["terms"] = t.contig, str(pos), ";".join(terms)
            by_gene[row["gene"]].append(row)
    genes = sorted(by_gene)
    rng.shuffle(genes)
    chosen: list[dict[str, str]] = []
    # homozygous cases first (recessive model), then one case per gene, round-robin
    homs = [r for g in genes for r in by_gene[g] if r["zygosity"] == "homozygous"]
    chosen += homs[:1]
    while len(chosen) < n and any(by_gene.values()):
        for g in genes:
            pool = [r for r in by_gene[g] if r not in chosen and r["zygosity"] == "heterozygous"]
            if pool and len(chosen) < n:
                chosen.append(rng.choice(pool))
                by_gene[g] = [r for r in by_gene[g] if r is not chosen[-1]]
        if all(not [r for r in by_gene[g] if r["zygosity"] == "heterozygous"] for g in genes):
            break
    return chosen[:n]


def capture_windows(tx: dict[str, Any], genes: list[str]) -> list[tuple[str, int, int, str]]:
    out = []
    for g in genes:
        t = tx[g]
        iv = sorted((max(1, s - FLANK), e + FLANK) for s, e in t.cds)
        merged: list[list[int]] = []
        for s, e in iv:
            if merged and s <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out += [(t.contig, s, e, g) for s, e in merged if e - s + 1 > FRAG_MEAN + 3 * FRAG_SD]
    return out


def _near_exon(t: Any, pos: int, pad: int = 10) -> bool:
    return any(s - pad <= pos <= e + pad for s, e in t.exons)


def _free(used: list[tuple[str, int]], contig: str, pos: int, gap: int = 40) -> bool:
    return not any(c == contig and abs(p - pos) < gap for c, p in used)


def pick_sites(
    rng: random.Random,
    fa: pysam.FastaFile,
    tx: dict[str, Any],
    windows: list[tuple[str, int, int, str]],
    causal: Variant,
    decoy_genes: list[str],
    n_de_novo_decoys: int,
) -> list[Variant]:
    used = [(causal.contig, causal.pos)]
    out: list[Variant] = []
    tries = 0
    while len(out) < N_BACKGROUND:
        tries += 1
        if tries > MAX_TRIES:
            raise SystemExit(f"cannot place {N_BACKGROUND} background SNVs in the capture")
        contig, a, b, gene = rng.choices(windows, weights=[w[2] - w[1] for w in windows])[0]
        pos = rng.randint(a + EDGE, b - EDGE)
        if _near_exon(tx[gene], pos) or not _free(used, contig, pos, 30):
            continue
        ref = fa.fetch(contig, pos - 1, pos).upper()
        if ref not in "ACGT":
            continue
        alt = rng.choice([x for x in "ACGT" if x != ref])
        used.append((contig, pos))
        out.append(
            Variant(contig, pos, ref, alt, gene, "background", round(rng.uniform(0.1, 0.5), 2))
        )
    kinds = ["decoy_inherited"] * N_INHERITED_DECOYS + ["decoy_de_novo"] * n_de_novo_decoys
    for kind in kinds:
        while True:
            gene = rng.choice(decoy_genes)
            t = tx[gene]
            s, e = rng.choice(t.cds)
            pos = rng.randint(s, e)
            if not _free(used, t.contig, pos, 200):
                continue
            ref = fa.fetch(t.contig, pos - 1, pos).upper()
            alt = rng.choice([x for x in "ACGT" if x != ref])
            used.append((t.contig, pos))
            out.append(Variant(t.contig, pos, ref, alt, gene, kind))
            break
    return out


def haplotype_fasta(
    fa: pysam.FastaFile,
    windows: list[tuple[str, int, int, str]],
    alts: dict[tuple[str, int], str],
    no_x: bool,
) -> str:
    lines = []
    for contig, a, b, _ in windows:
        if no_x and contig.startswith("chrX_"):
            continue
        seq = list(fa.fetch(contig, a - 1, b).upper())
        for (c, p), alt in alts.items():
            if c == contig and a <= p <= b:
                seq[p - a] = alt
        lines.append(f">{contig}_{a}_{b}\n{''.join(seq)}\n")
    return "".join(lines)


def simulate_reads(
    art: str,
    sample: str,
    fa: pysam.FastaFile,
    windows: list[tuple[str, int, int, str]],
    haps: list[dict[tuple[str, int], str]],
    male: bool,
    seed: int,
    out_dir: Path,
    tmp: Path,
) -> tuple[str, str, int]:
    fastas = []
    for h, alts in enumerate(haps):
        fastas.append(tmp / f"{sample}_h{h}.fa")
        fastas[-1].write_text(haplotype_fasta(fa, windows, alts, male and h == 1))
    pairs = artsim.shuffled_pairs(fastas, FOLD, seed, exe=art)
    paths = []
    for mate in (0, 1):
        path = out_dir / f"{sample}_R{mate + 1}.fastq.gz"
        with gzip.open(path, "wt", compresslevel=1) as handle:
            for i, p in enumerate(pairs, 1):
                seq, qual = p[mate]
                handle.write(f"@{sample}_{i}/{mate + 1}\n{seq}\n+\n{qual}\n")
        paths.append(str(path))
    return paths[0], paths[1], len(pairs)


def simulate_family(
    case: Case,
    rng: random.Random,
    fa: pysam.FastaFile,
    tx: dict[str, Any],
    art: str,
    out_dir: Path,
    tmp: Path,
    seed: int,
) -> dict[str, Any]:
    """Reads of every family member; returns the sheet rows and the planted variants."""
    windows = capture_windows(tx, case.capture)
    causal = Variant(tx[case.gene].contig, case.pos, case.ref, case.alt, case.gene, "causal")
    decoy_genes = [g for g in case.capture if g not in (case.gene, SEX_GENE)]
    trio = case.mode != "singleton"
    variants = pick_sites(
        rng, fa, tx, windows, causal, decoy_genes, N_DE_NOVO_DECOYS if trio else 0
    )
    contigs = sorted({w[0] for w in windows})

    def founder() -> list[dict[tuple[str, int], str]]:
        return [
            {
                (v.contig, v.pos): v.alt
                for v in variants
                if v.kind == "background" and rng.random() < v.af
            }
            for _ in range(2)
        ]

    mother, father = founder(), founder()
    true_father = father if not case.swap else founder()
    # one parental haplotype per slice and meiosis (no recombination inside a slice)
    from_m = {c: rng.randrange(2) for c in contigs}
    from_f = {c: rng.randrange(2) for c in contigs}

    def transmitted(
        parent: list[dict[tuple[str, int], str]], choice: dict[str, int]
    ) -> dict[tuple[str, int], str]:
        return {k: a for c in contigs for k, a in parent[choice[c]].items() if k[0] == c}

    for v in variants:
        key = (v.contig, v.pos)
        if v.kind == "decoy_inherited":  # on the haplotype a parent passes on
            parent, choice = rng.choice([(mother, from_m), (true_father, from_f)])
            parent[choice[v.contig]][key] = v.alt
    ckey = (causal.contig, causal.pos)
    if case.mode == "inherited_affected_father":
        true_father[from_f[causal.contig]][ckey] = causal.alt
    elif case.mode == "homozygous":
        mother[from_m[causal.contig]][ckey] = causal.alt
        true_father[from_f[causal.contig]][ckey] = causal.alt
    child = [transmitted(mother, from_m), transmitted(true_father, from_f)]
    if case.mode in ("de_novo", "singleton"):
        child[rng.randrange(2)][ckey] = causal.alt
    for v in variants:
        if v.kind == "decoy_de_novo":
            child[rng.randrange(2)][(v.contig, v.pos)] = v.alt
    fam = case.family
    people = [(f"{fam}-P", "proband", case.proband_sex, "yes", child)]
    if trio:
        father_affected = "yes" if case.mode == "inherited_affected_father" else "no"
        people += [
            (f"{fam}-M", "mother", "female", "no", mother),
            (f"{fam}-F", "father", "male", father_affected, father),  # swap: not the true father
        ]
    rows = []
    for k, (sample, role, sex, affected, haps) in enumerate(people):
        r1, r2, n = simulate_reads(
            art, sample, fa, windows, haps, sex == "male", seed + 10 * k, out_dir, tmp
        )
        rows.append(
            {
                "patient": fam,
                "sample": sample,
                "role": role,
                "sex": sex,
                "affected": affected,
                "phenotypes": ";".join(case.hpo) if role == "proband" else "",
                "fq1": r1,
                "fq2": r2,
                "pairs": n,
            }
        )
    return {"rows": rows, "variants": [causal, *variants]}

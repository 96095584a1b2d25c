"""Calls vs truth on mini-genome contig coordinates, after normalising both sides."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUERY = "%CHROM\t%POS\t%REF\t%ALT\t%QUAL\t%FILTER\t%INFO/DP[\t%GT]\n"


@dataclass
class Rec:
    contig: str
    pos: int
    ref: str
    alt: str
    qual: float | None
    filt: str
    dp: int | None
    gt: str
    cls: str = ""  # truth: the planted class (INFO/CLASS)

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.contig, self.pos, self.ref, self.alt)

    @property
    def is_variant(self) -> bool:
        return any(a not in ("0", ".") for a in self.gt.replace("|", "/").split("/"))

    @property
    def zygosity(self) -> str:
        alleles = [a for a in self.gt.replace("|", "/").split("/") if a != "."]
        if len(alleles) == 1 or (alleles and all(a == alleles[0] for a in alleles)):
            return "hom"
        return "het"


def _num(txt: str, cast: type) -> Any:
    return None if txt in (".", "") else cast(float(txt))


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def remap_calls(calls_vcf: Path, out_vcf: Path, contig_lengths: dict[str, int],
                cmap: dict[str, tuple[str, int, int]], seqs: dict[str, str]) -> dict[str, int]:
    """GRCh38 pipeline calls back to contig coordinates through INFO SRC_CONTIG/SRC_POS,
    checked against contigs.tsv and the contig sequence. Keeps every record and FILTER."""
    out = run(["bcftools", "query", "-f",
               "%CHROM\t%POS\t%REF\t%ALT\t%QUAL\t%FILTER\t%INFO/DP\t%INFO/SRC_CONTIG"
               "\t%INFO/SRC_POS[\t%GT]\n", str(calls_vcf)]).stdout
    stats = {"records": 0, "map_mismatch": 0, "ref_mismatch": 0}
    filters: set[str] = set()
    lines = []
    for line in out.splitlines():
        chrom, gpos, ref, alt, qual, filt, dp, contig, spos, *gts = line.split("\t")
        stats["records"] += 1
        chrom_exp, start, _ = cmap[contig]
        if chrom != chrom_exp or int(gpos) != start + int(spos) - 1:
            stats["map_mismatch"] += 1
        seq = seqs.get(contig)
        if seq is not None and seq[int(spos) - 1:int(spos) - 1 + len(ref)] != ref.upper():
            stats["ref_mismatch"] += 1
        filters.update(filt.split(";"))
        gt = gts[0] if gts else "."
        lines.append(f"{contig}\t{spos}\t.\t{ref}\t{alt}\t{qual}\t{filt}\tDP={dp}\tGT\t{gt}\n"
                     if dp != "." else
                     f"{contig}\t{spos}\t.\t{ref}\t{alt}\t{qual}\t{filt}\t.\tGT\t{gt}\n")
    plain = out_vcf.with_suffix("")
    with open(plain, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for c, n in contig_lengths.items():
            handle.write(f"##contig=<ID={c},length={n}>\n")
        for f in sorted(filters - {"PASS", "."}):
            handle.write(f'##FILTER=<ID={f},Description="{f}">\n')
        handle.write('##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">\n')
        handle.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCALLS\n")
        handle.writelines(lines)
    run(["bcftools", "sort", "-Oz", "-o", str(out_vcf), str(plain)])
    plain.unlink()
    return stats


def normalize(vcf: Path, out: Path, ref_fasta: Path, atomize: bool = False) -> None:
    """bcftools norm -f REF -m -any (left-aligns) [+ --atomize], then sort; same for both sides."""
    norm = ["bcftools", "norm", "-f", str(ref_fasta), "-m", "-any", "-c", "w", "-Ou"]
    if atomize:
        norm.append("--atomize")
    p1 = subprocess.Popen([*norm, str(vcf)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    run(["bcftools", "sort", "-Oz", "-o", str(out), "-"], stdin=p1.stdout)
    if p1.wait() != 0:
        raise RuntimeError(f"bcftools norm failed on {vcf}")
    run(["bcftools", "index", "-t", "-f", str(out)])


def load(vcf: Path, truth: bool = False) -> list[Rec]:
    """Records of a normalised VCF; a truth VCF's records carry their planted class (a real
    set's SNVs and indels are classed real_snv / real_indel)."""
    query = QUERY.replace("[", "\t%INFO/CLASS[") if truth else QUERY
    recs = []
    for line in run(["bcftools", "query", "-f", query, str(vcf)]).stdout.splitlines():
        c, p, r, a, q, f, dp, *rest = line.split("\t")
        cls = rest.pop(0) if truth else ""
        rec = Rec(c, int(p), r.upper(), a.upper(), _num(q, float), f, _num(dp, int),
                  rest[0] if rest else ".", cls)
        if cls == "real":
            rec.cls = f"real_{group(rec)}"
        recs.append(rec)
    return recs


def in_regions(rec: Rec, regions: dict[str, tuple[int, int]]) -> bool:
    lo, hi = regions.get(rec.contig, (0, -1))
    return lo < rec.pos <= hi


def passes(rec: Rec, min_qual: float | None, min_depth: int | None) -> bool:
    """FILTER PASS as written, or the pipeline's two soft filters re-applied (min_qual/depth)."""
    if min_qual is None and min_depth is None:
        return rec.filt == "PASS"
    other = [f for f in rec.filt.split(";") if f not in ("PASS", ".", "LowQual", "LowDepth")]
    if other:
        return False
    if min_qual is not None and (rec.qual is None or rec.qual < min_qual):
        return False
    return not (min_depth is not None and (rec.dp is None or rec.dp < min_depth))


def prf(TP: int, FP: int, FN: int, TPc: int | None = None) -> dict[str, Any]:
    """Recall from truth records (TP/FN), precision from call records (TPc/FP): a truth MNV
    found as two SNV calls is one truth TP and two call TPs (as vcfeval counts)."""
    tpc = TP if TPc is None else TPc
    p = tpc / (tpc + FP) if tpc + FP else 0.0
    r = TP / (TP + FN) if TP + FN else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"TP": TP, "TP_calls": tpc, "FP": FP, "FN": FN, "precision": round(p, 5),
            "recall": round(r, 5), "F1": round(f1, 5)}


BINS = ((1, 5), (6, 15), (16, 50))
CLUSTER_GAP = 10  # events closer than this are compared as one haplotype block
MAX_PHASINGS_HET = 12


def group(rec: Rec) -> str:
    """SNV (substitutions: SNVs, MNVs) or indel (length-changing: indels, STRs, delins)."""
    return "snv" if len(rec.ref) == len(rec.alt) else "indel"


def size_bin(rec: Rec) -> str:
    """Length bin of a length-changing event: |len(ref)-len(alt)| for an indel with its
    anchor base, the longer allele for a delins (no shared anchor)."""
    if rec.ref[0] == rec.alt[0] and (len(rec.ref) == 1 or len(rec.alt) == 1):
        size = abs(len(rec.ref) - len(rec.alt))
    else:
        size = max(len(rec.ref), len(rec.alt))
    for lo, hi in BINS:
        if lo <= size <= hi:
            return f"{lo}-{hi}"
    return f">{BINS[-1][1]}"


def call_class(rec: Rec) -> str:
    """Shape of a call (FP classes): snv, mnv, ins, del, complex."""
    if len(rec.ref) == len(rec.alt):
        return "snv" if len(rec.ref) == 1 else "mnv"
    if rec.ref[0] == rec.alt[0] and len(rec.alt) == 1:
        return "del"
    if rec.ref[0] == rec.alt[0] and len(rec.ref) == 1:
        return "ins"
    return "complex"


def _alleles(gt: str) -> list[int]:
    return [int(a) if a not in (".", "") else 0 for a in gt.replace("|", "/").split("/")]


def _apply(seq: str, start: int, end: int, recs: list[Rec]) -> str | None:
    """Reference window [start, end) (0-based) with ``recs`` applied; None when they overlap."""
    out, cursor = [], start
    for r in sorted(recs, key=lambda x: x.pos):
        p = r.pos - 1
        if p < cursor:
            return None
        out.append(seq[cursor:p])
        out.append(r.alt)
        cursor = p + len(r.ref)
    out.append(seq[cursor:end])
    return "".join(out)


def _truth_haps(seq: str, start: int, end: int, truth: list[Rec]) -> tuple[str, str] | None:
    alleles = [_alleles(t.gt) for t in truth]
    haps = []
    for h in (0, 1):
        recs = [t for t, a in zip(truth, alleles, strict=True) if a[min(h, len(a) - 1)] == 1]
        hap = _apply(seq, start, end, recs)
        if hap is None:
            return None
        haps.append(hap)
    return haps[0], haps[1]


def _call_phasings(seq: str, start: int, end: int, calls: list[Rec]) -> list[tuple[str, str]]:
    """Every way of placing the het calls on two haplotypes (the first het fixed)."""
    hom = [c for c in calls if c.zygosity == "hom"]
    het = [c for c in calls if c.zygosity != "hom"]
    if len(het) > MAX_PHASINGS_HET:
        return []
    out = []
    for mask in range(1 << max(0, len(het) - 1)):
        side = [0] + [(mask >> i) & 1 for i in range(len(het) - 1)] if het else []
        h0 = _apply(seq, start, end, hom + [c for c, s in zip(het, side, strict=True) if s == 0])
        h1 = _apply(seq, start, end, hom + [c for c, s in zip(het, side, strict=True) if s == 1])
        if h0 is not None and h1 is not None:
            out.append((h0, h1))
    return out


def compare_block(seq: str, truth: list[Rec], calls: list[Rec]) -> str:
    """'genotype' when some phasing of the calls gives the truth's two haplotypes, 'allele'
    when it gives the same non-reference haplotypes with another zygosity, else 'no'."""
    start = min(r.pos for r in truth + calls) - 1
    end = max(r.pos + len(r.ref) - 1 for r in truth + calls)
    ref = seq[start:end]
    th = _truth_haps(seq, start, end, truth)
    if th is None:
        return "no"
    tset = sorted(th)
    talt = {h for h in th if h != ref}
    allele = False
    for ch in _call_phasings(seq, start, end, calls):
        if sorted(ch) == tset:
            return "genotype"
        allele = allele or {h for h in ch if h != ref} == talt
    return "allele" if allele else "no"


def blocks(truth: list[Rec], calls: list[Rec]) -> list[tuple[list[Rec], list[Rec]]]:
    """Truth and call records grouped into blocks of events < CLUSTER_GAP bp apart."""
    items = sorted([(r.contig, r.pos, 0, r) for r in truth] + [(r.contig, r.pos, 1, r)
                                                                for r in calls],
                   key=lambda x: (x[0], x[1], x[2]))
    out: list[tuple[list[Rec], list[Rec]]] = []
    cur_contig, cur_end = None, -1
    for contig, pos, side, r in items:
        if contig != cur_contig or pos > cur_end + CLUSTER_GAP:
            out.append(([], []))
            cur_contig, cur_end = contig, -1
        out[-1][side].append(r)
        cur_end = max(cur_end, pos + len(r.ref) - 1)
    return out


@dataclass
class Evaluation:
    table: dict[str, Any]
    fp: list[Rec] = field(default_factory=list)
    fn: list[Rec] = field(default_factory=list)
    gt_mismatch: list[tuple[Rec, Rec]] = field(default_factory=list)


@dataclass
class Tally:
    """Per-record outcomes: truth records (TP/FN, genotype right) and call records (TP/FP)."""

    truth_tp: list[Rec] = field(default_factory=list)
    truth_fn: list[Rec] = field(default_factory=list)
    gt_ok: list[Rec] = field(default_factory=list)
    gt_bad: list[tuple[Rec, Rec]] = field(default_factory=list)
    call_tp: list[Rec] = field(default_factory=list)
    call_fp: list[Rec] = field(default_factory=list)


def _score_block(seq: str, truth: list[Rec], calls: list[Rec], tally: Tally) -> None:
    tkeys = {t.key for t in truth}
    ckeys = {c.key: c for c in calls}
    if not calls or not truth:
        tally.truth_fn += truth
        tally.call_fp += calls
        return
    verdict = "exact" if tkeys == set(ckeys) else compare_block(seq, truth, calls)
    if verdict == "no":  # partial credit for the records that match exactly
        for t in truth:
            (tally.truth_tp if t.key in ckeys else tally.truth_fn).append(t)
            if t.key in ckeys:
                _genotype(t, ckeys[t.key], tally)
        for c in calls:
            (tally.call_tp if c.key in tkeys else tally.call_fp).append(c)
        return
    tally.truth_tp += truth
    tally.call_tp += calls
    for t in truth:
        if verdict == "exact":
            _genotype(t, ckeys[t.key], tally)
        elif verdict == "genotype":
            tally.gt_ok.append(t)
        else:
            tally.gt_bad.append((t, calls[0]))


def _genotype(t: Rec, c: Rec, tally: Tally) -> None:
    if c.zygosity == t.zygosity:
        tally.gt_ok.append(t)
    else:
        tally.gt_bad.append((t, c))


def evaluate(truth: list[Rec], calls: list[Rec], regions: dict[str, tuple[int, int]],
             seqs: dict[str, str], min_qual: float | None = None,
             min_depth: int | None = None) -> Evaluation:
    """Haplotype-aware comparison: records that match exactly, or blocks of nearby records
    whose applied alleles give the same haplotype sequences (an MNV called as SNVs, a delins
    called as a deletion plus an SNV, an STR change placed elsewhere in the repeat)."""
    truth = [t for t in truth if in_regions(t, regions)]
    seen: set[tuple[str, int, str, str]] = set()
    selected = []
    for c in calls:
        if in_regions(c, regions) and c.is_variant and passes(c, min_qual, min_depth):
            if c.key not in seen:
                selected.append(c)
            seen.add(c.key)
    tally = Tally()
    for tb, cb in blocks(truth, selected):
        _score_block(seqs[(tb or cb)[0].contig], tb, cb, tally)
    table: dict[str, Any] = {}
    for name, keep in (("snv", lambda r: group(r) == "snv"),
                       ("indel", lambda r: group(r) == "indel"),
                       *[(f"indel {lo}-{hi}", (lambda b: lambda r: group(r) == "indel"
                                               and size_bin(r) == b)(f"{lo}-{hi}"))
                         for lo, hi in BINS]):
        table[name] = prf(sum(map(keep, tally.truth_tp)), sum(map(keep, tally.call_fp)),
                          sum(map(keep, tally.truth_fn)), sum(map(keep, tally.call_tp)))
    classes = sorted({t.cls or group(t) for t in truth})
    table["recall_by_class"] = {
        k: {"truth": sum((t.cls or group(t)) == k for t in truth),
            "found": sum((t.cls or group(t)) == k for t in tally.truth_tp)} for k in classes}
    table["fp_by_shape"] = {k: sum(call_class(c) == k for c in tally.call_fp)
                            for k in ("snv", "mnv", "ins", "del", "complex")}
    n_tp = len(tally.truth_tp)
    table["genotype_concordance"] = round(len(tally.gt_ok) / n_tp, 5) if n_tp else None
    table["pass_calls"] = len(selected)
    table["duplicate_pass_records"] = sum(1 for c in calls if in_regions(c, regions)) - len(
        {c.key for c in calls if in_regions(c, regions)})
    return Evaluation(table, tally.call_fp, tally.truth_fn, tally.gt_bad)


def repeat_context(seq: str, pos: int, span: int) -> tuple[str, int]:
    """Longest tandem repeat (unit 1-6 bp) overlapping [pos-1, pos+span]: (unit, tract bp)."""
    best = ("", 0)
    lo = max(0, pos - 2)
    hi = min(len(seq), pos + span + 1)
    for unit_len in range(1, 7):
        for start in range(lo, hi):
            unit = seq[start:start + unit_len]
            if len(unit) < unit_len:
                continue
            a = start
            while a - unit_len >= 0 and seq[a - unit_len:a] == unit:
                a -= unit_len
            b = start + unit_len
            while seq[b:b + unit_len] == unit:
                b += unit_len
            tract = b - a
            if tract >= 2 * unit_len and tract > best[1] and (unit_len > 1 or tract >= 3):
                best = (unit, tract)
    return best


def depth_at(bam: Path, sites: list[tuple[str, int]], min_mapq: int, min_baseq: int
             ) -> dict[tuple[str, int], tuple[int, int]]:
    """(raw depth, depth at the callers' MAPQ/BQ thresholds) per site."""
    if not sites or not bam.exists():
        return {}
    bed = bam.parent / "_sites.bed"
    with open(bed, "w") as handle:
        for c, p in sorted(set(sites)):
            handle.write(f"{c}\t{p - 1}\t{p}\n")
    out: dict[tuple[str, int], list[int]] = {}
    for i, opts in enumerate(([], ["-Q", str(min_mapq), "-q", str(min_baseq)])):
        txt = run(["samtools", "depth", "-a", "-b", str(bed), *opts, str(bam)]).stdout
        for line in txt.splitlines():
            c, p, d = line.split("\t")
            out.setdefault((c, int(p)), [0, 0])[i] = int(d)
    bed.unlink()
    return {k: (v[0], v[1]) for k, v in out.items()}


def explain(ev: Evaluation, calls: list[Rec], seqs: dict[str, str],
            depths: dict[tuple[str, int], tuple[int, int]]) -> list[dict[str, Any]]:
    """One row per FN, FP and genotype mismatch, with the context that explains it."""
    near: dict[str, list[Rec]] = {}
    for c in calls:
        near.setdefault(c.contig, []).append(c)
    rows = []
    for kind, recs in (("FN", ev.fn), ("FP", ev.fp)):
        for r in recs:
            unit, tract = repeat_context(seqs[r.contig], r.pos, max(len(r.ref), len(r.alt)))
            raw, filt_dp = depths.get((r.contig, r.pos), (None, None))
            row: dict[str, Any] = {
                "class": kind, "type": r.cls or call_class(r), "bin": size_bin(r)
                if group(r) == "indel" else "", "contig": r.contig, "pos": r.pos,
                "ref": r.ref, "alt": r.alt, "gt": r.gt, "filter": r.filt, "qual": r.qual,
                "dp": r.dp, "repeat_unit": unit, "repeat_bp": tract, "bam_depth": raw,
                "bam_depth_q": filt_dp, "nearby_calls": "",
            }
            if kind == "FN":
                width = max(len(r.ref), len(r.alt)) + 10
                row["nearby_calls"] = ";".join(
                    f"{c.pos}:{c.ref}>{c.alt}:{c.gt}:{c.filt}:{c.qual}"
                    for c in near.get(r.contig, []) if abs(c.pos - r.pos) <= width)
            rows.append(row)
    for t, c in ev.gt_mismatch:
        rows.append({"class": "GT", "type": t.cls, "bin": "", "contig": t.contig,
                     "pos": t.pos, "ref": t.ref, "alt": t.alt, "gt": f"{t.gt} vs {c.gt}",
                     "filter": c.filt, "qual": c.qual, "dp": c.dp, "repeat_unit": "",
                     "repeat_bp": "", "bam_depth": None, "bam_depth_q": None,
                     "nearby_calls": ""})
    return rows


def write_tsv(rows: list[dict[str, Any]], path: Path) -> None:
    if not rows:
        path.write_text("class\n")
        return
    cols = list(rows[0])
    with open(path, "w") as handle:
        handle.write("\t".join(cols) + "\n")
        for r in rows:
            handle.write("\t".join("" if r[c] is None else str(r[c]) for c in cols) + "\n")

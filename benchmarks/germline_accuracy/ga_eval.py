"""Calls vs truth on mini-genome contig coordinates, after normalising both sides."""

from __future__ import annotations

import subprocess
from bisect import bisect_left
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

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.contig, self.pos, self.ref, self.alt)

    @property
    def kind(self) -> str:
        if len(self.ref) == len(self.alt):
            return "snv" if len(self.ref) == 1 else "mnp"
        return "indel"

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


def load(vcf: Path) -> list[Rec]:
    recs = []
    for line in run(["bcftools", "query", "-f", QUERY, str(vcf)]).stdout.splitlines():
        c, p, r, a, q, f, dp, *gts = line.split("\t")
        recs.append(Rec(c, int(p), r.upper(), a.upper(), _num(q, float), f, _num(dp, int),
                        gts[0] if gts else "."))
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


def prf(TP: int, FP: int, FN: int) -> dict[str, Any]:
    tp, fp, fn = TP, FP, FN
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"TP": tp, "FP": fp, "FN": fn, "precision": round(p, 5), "recall": round(r, 5),
            "F1": round(f1, 5)}


@dataclass
class Evaluation:
    table: dict[str, Any]
    fp: list[Rec] = field(default_factory=list)
    fn: list[Rec] = field(default_factory=list)
    gt_mismatch: list[tuple[Rec, Rec]] = field(default_factory=list)


def evaluate(truth: list[Rec], calls: list[Rec], regions: dict[str, tuple[int, int]],
             min_qual: float | None = None, min_depth: int | None = None) -> Evaluation:
    truth = [t for t in truth if in_regions(t, regions)]
    tkeys = {t.key: t for t in truth}
    selected = [c for c in calls if in_regions(c, regions) and c.is_variant
                and passes(c, min_qual, min_depth)]
    ckeys: dict[tuple[str, int, str, str], Rec] = {}
    dups = 0
    for c in selected:
        if c.key in ckeys:
            dups += 1
        ckeys.setdefault(c.key, c)
    counts = {k: {"TP": 0, "FP": 0, "FN": 0} for k in ("snv", "indel")}
    gt_ok = {"snv": 0, "indel": 0}
    ev = Evaluation({})
    for key, t in tkeys.items():
        kind = t.kind
        if key in ckeys:
            counts[kind]["TP"] += 1
            if ckeys[key].zygosity == t.zygosity:
                gt_ok[kind] += 1
            else:
                ev.gt_mismatch.append((t, ckeys[key]))
        else:
            counts[kind]["FN"] += 1
            ev.fn.append(t)
    mnp = 0
    for key, c in ckeys.items():
        if key not in tkeys:
            kind = "indel" if c.kind == "indel" else "snv"  # an MNP counts with the SNVs
            mnp += c.kind == "mnp"
            counts[kind]["FP"] += 1
            ev.fp.append(c)
    tp_all = counts["snv"]["TP"] + counts["indel"]["TP"]
    ev.table = {
        "snv": prf(**counts["snv"]),
        "indel": prf(**counts["indel"]),
        "genotype_concordance": round((gt_ok["snv"] + gt_ok["indel"]) / tp_all, 5)
        if tp_all else None,
        "genotype_concordance_snv": round(gt_ok["snv"] / counts["snv"]["TP"], 5)
        if counts["snv"]["TP"] else None,
        "genotype_concordance_indel": round(gt_ok["indel"] / counts["indel"]["TP"], 5)
        if counts["indel"]["TP"] else None,
        "pass_calls": len(selected),
        "duplicate_pass_records": dups,
        "mnp_fp": mnp,
        "truth_snv": sum(1 for t in truth if t.kind == "snv"),
        "truth_indel": sum(1 for t in truth if t.kind == "indel"),
    }
    return ev


def indel_length_recall(truth: list[Rec], ev: Evaluation) -> dict[str, dict[str, int]]:
    fn = {t.key for t in ev.fn}
    bins: dict[str, dict[str, int]] = {}
    for t in truth:
        if t.kind != "indel":
            continue
        size = abs(len(t.ref) - len(t.alt))
        b = "1-5" if size <= 5 else "6-10" if size <= 10 else "11-20" if size <= 20 else ">20"
        kind = "ins" if len(t.alt) > len(t.ref) else "del"
        row = bins.setdefault(f"{kind} {b}", {"truth": 0, "FN": 0})
        row["truth"] += 1
        row["FN"] += t.key in fn
    return dict(sorted(bins.items()))


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


def explain(ev: Evaluation, truth: list[Rec], calls: list[Rec], seqs: dict[str, str],
            depths: dict[tuple[str, int], tuple[int, int]]) -> list[dict[str, Any]]:
    """One row per FP/FN (and genotype mismatch) with the context that explains it."""
    by_key = {c.key: c for c in calls}
    tpos: dict[str, list[int]] = {}
    for t in truth:
        tpos.setdefault(t.contig, []).append(t.pos)
    cpos: dict[str, list[tuple[int, Rec]]] = {}
    for c in calls:
        cpos.setdefault(c.contig, []).append((c.pos, c))
    for v in tpos.values():
        v.sort()
    for v2 in cpos.values():
        v2.sort(key=lambda x: x[0])

    def nearest_truth(contig: str, pos: int, exclude: int | None) -> int | None:
        ps = tpos.get(contig, [])
        i = bisect_left(ps, pos)
        cands = [ps[j] for j in (i - 1, i, i + 1) if 0 <= j < len(ps) and ps[j] != exclude]
        return min((abs(p - pos) for p in cands), default=None)

    def calls_near(contig: str, pos: int, width: int) -> list[Rec]:
        return [c for p, c in cpos.get(contig, []) if abs(p - pos) <= width]

    rows = []
    for kind, recs in (("FN", ev.fn), ("FP", ev.fp)):
        for r in recs:
            seq = seqs[r.contig]
            unit, tract = repeat_context(seq, r.pos, max(len(r.ref), len(r.alt)))
            raw, filt_dp = depths.get((r.contig, r.pos), (None, None))
            row: dict[str, Any] = {
                "class": kind, "type": r.kind, "contig": r.contig, "pos": r.pos,
                "ref": r.ref, "alt": r.alt, "truth_gt": "", "call_gt": "", "call_filter": "",
                "call_qual": "", "call_dp": "", "repeat_unit": unit, "repeat_bp": tract,
                "nearest_truth_bp": nearest_truth(r.contig, r.pos, r.pos if kind == "FN" else None),
                "bam_depth": raw, "bam_depth_q": filt_dp, "reason": "",
            }
            if kind == "FN":
                row["truth_gt"] = r.gt
                same = by_key.get(r.key)
                near = [c for c in calls_near(r.contig, r.pos, max(len(r.ref), len(r.alt)) + 10)
                        if c.is_variant]
                if same is not None and same.is_variant:
                    row.update(call_gt=same.gt, call_filter=same.filt, call_qual=same.qual,
                               call_dp=same.dp, reason=f"filtered:{same.filt}")
                elif same is not None:
                    row.update(call_gt=same.gt, call_filter=same.filt, reason="called_ref_gt")
                elif near:
                    c = near[0]
                    row.update(call_gt=c.gt, call_filter=c.filt, call_qual=c.qual, call_dp=c.dp,
                               reason=f"other_allele_nearby:{c.pos}:{c.ref}>{c.alt}")
                else:
                    row["reason"] = "not_called"
            else:
                row.update(call_gt=r.gt, call_filter=r.filt, call_qual=r.qual, call_dp=r.dp)
                nt = row["nearest_truth_bp"]
                if nt is not None and nt <= max(len(r.ref), len(r.alt)) + 10:
                    row["reason"] = "near_truth_variant(representation/allele)"
                elif tract >= 8:
                    row["reason"] = "repeat"
                else:
                    row["reason"] = "no_truth_nearby"
            rows.append(row)
    for t, c in ev.gt_mismatch:
        raw, filt_dp = depths.get((t.contig, t.pos), (None, None))
        rows.append({"class": "GT", "type": t.kind, "contig": t.contig, "pos": t.pos,
                     "ref": t.ref, "alt": t.alt, "truth_gt": t.gt, "call_gt": c.gt,
                     "call_filter": c.filt, "call_qual": c.qual, "call_dp": c.dp,
                     "repeat_unit": "", "repeat_bp": "", "nearest_truth_bp": "",
                     "bam_depth": raw, "bam_depth_q": filt_dp, "reason": "genotype"})
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

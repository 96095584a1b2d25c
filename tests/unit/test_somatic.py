"""The somatic model (likelihoods, germline posterior, artefact filters), the per-read
evidence behind it (real BAMs, real bcftools mpileup candidates), MNV merging, the VCF
output and the batch panel of normals."""

from __future__ import annotations

import random
import subprocess
from dataclasses import replace

import numpy as np
import pysam
import pytest
from bigmed.genome.reference import ContigSlice
from bigmed.pilots.crc.readevidence import (
    Candidate,
    ReadSettings,
    Reference,
    SampleEvidence,
    collect,
    fragment_calls,
    indel_shape,
    merge_mnvs,
)
from bigmed.pilots.crc.somatic import (
    SomaticParams,
    fit_fraction,
    g_test,
    normal_lods,
    population_lookup,
    read_sites,
    score,
    tumor_lod,
)
from bigmed.pilots.crc.somaticcall import (
    Knowledge,
    Reads,
    batch_pon_hits,
    build_panel_of_normals,
    call,
)
from hypothesis import given, settings
from hypothesis import strategies as st

P = SomaticParams()
Q38, Q16 = 10 ** (-3.8) / 3, 10 ** (-1.6) / 3  # allele-call errors of one base


# ---------------------------------------------------------------------------- evidence helpers


def fragments(
    ref: int,
    alt: int,
    error: float = Q38,
    *,
    alt_reverse: int | None = None,
    alt_f1r2: int | None = None,
    alt_end: int = 60,
    alt_mapq: int = 60,
    alt_error: float | None = None,
) -> list[tuple[bool, float, int, bool, bool, int]]:
    """(alt, error, mapq, reverse, f1r2, end distance) of ref and alt fragments; by default
    half of each on either strand and orientation, events mid-read."""
    rows = []
    for i in range(ref):
        rows.append((False, error, 60, i % 2 == 1, i % 2 == 0, 60))
    rev = alt // 2 if alt_reverse is None else alt_reverse
    f12 = (alt + 1) // 2 if alt_f1r2 is None else alt_f1r2
    for i in range(alt):
        e = error if alt_error is None else alt_error
        rows.append((True, e, alt_mapq, i < rev, i < f12, alt_end))
    return rows


def evidence(*cands: list[tuple[bool, float, int, bool, bool, int]]) -> SampleEvidence:
    idx = [i for i, rows in enumerate(cands) for _ in rows]
    flat = [r for rows in cands for r in rows]

    def col(k: int, dtype: type) -> np.ndarray:
        return np.asarray([r[k] for r in flat], dtype=dtype)

    return SampleEvidence(
        np.asarray(idx, dtype=np.int64),
        col(0, bool),
        col(1, np.float64),
        col(2, np.int64),
        col(3, bool),
        col(4, bool),
        col(5, np.int64),
        len(cands),
    )


def sites(n: int, spacing: int = 1000) -> list[tuple[str, int]]:
    return [("c1", 100 + i * spacing) for i in range(n)]


def filters_of(tumor, normal=None, **kw) -> list[str]:
    s = score(evidence(tumor), evidence(normal) if normal is not None else None, P, sites(1), **kw)
    return s.filters[0]


# ---------------------------------------------------------------------------- the model

# tumor ref/alt fragments (+ options), normal ref/alt -> FILTER reasons ([] = PASS)
CASES = [
    ("clonal somatic 40 %", fragments(60, 40), fragments(40, 0), []),
    ("subclonal somatic 5 % at 100x, Q38", fragments(95, 5), fragments(40, 0), []),
    ("three Q38 reads at 100x", fragments(97, 3), fragments(40, 0), []),
    (
        "three Q16 errors at 100x",
        fragments(97, 3, alt_error=Q16),
        fragments(40, 0),
        ["LowTumorLOD"],
    ),
    ("germline heterozygous", fragments(50, 50), fragments(20, 20), ["Germline", "NormalArtifact"]),
    ("germline homozygous", fragments(0, 100), fragments(0, 40), ["Germline", "NormalArtifact"]),
    ("tumor-in-normal contamination tolerated", fragments(60, 40), fragments(39, 1), []),
    (
        "normal artefact beyond contamination",
        fragments(95, 5),
        fragments(37, 3),
        ["NormalArtifact"],
    ),
    ("two alt reads", fragments(98, 2), fragments(40, 0), ["LowTumorLOD", "MinAltReads"]),
    ("thin tumor", fragments(6, 3), fragments(40, 0), ["LowTumorDepth"]),
    ("thin normal", fragments(60, 40), fragments(5, 0), ["LowNormalDepth"]),
    (
        "germline het with a normal of 9 reads, no alt (NLOD 2.6)",
        fragments(50, 50),
        fragments(9, 0),
        ["GermlineRisk"],
    ),
    ("5 % allele with the same thin normal", fragments(95, 5), fragments(9, 0), []),
    ("strand artefact", fragments(100, 20, alt_reverse=0), fragments(40, 0), ["StrandBias"]),
    (
        "orientation artefact (F1R2 only)",
        fragments(100, 20, alt_f1r2=20),
        fragments(40, 0),
        ["OrientationBias"],
    ),
    ("alt reads at read ends", fragments(100, 20, alt_end=1), fragments(40, 0), ["ReadPosition"]),
    ("alt reads poorly mapped", fragments(100, 20, alt_mapq=25), fragments(40, 0), ["MapQuality"]),
]


@pytest.mark.parametrize("name,tumor,normal,expected", CASES, ids=[c[0] for c in CASES])
def test_filters_table(name, tumor, normal, expected):
    assert filters_of(tumor, normal) == expected


def test_base_quality_separates_errors_from_a_subclone():
    tlod, _ = tumor_lod(evidence(fragments(97, 3), fragments(97, 3, alt_error=Q16)))
    assert tlod[0] > P.min_tlod > tlod[1]
    # the old count-only model gave both the same TLOD (3.2 at e = 0.001)
    assert tlod[0] - tlod[1] > 4


def test_fraction_fit_and_lod_without_alt_reads():
    tlod, f = tumor_lod(evidence(fragments(100, 0), fragments(80, 20)))
    assert tlod[0] == pytest.approx(0.0, abs=1e-9)
    assert f[1] == pytest.approx(0.2, abs=0.01)
    assert fit_fraction(evidence(fragments(0, 30)))[0] == pytest.approx(1.0, abs=1e-3)


def test_germline_posterior_uses_population_frequency():
    tumor, normal = fragments(60, 40), fragments(15, 0)
    unknown = filters_of(tumor, normal, population_af=[np.nan])
    common_in_population = filters_of(tumor, normal, population_af=[0.0009])
    assert unknown == []
    assert common_in_population == ["GermlineRisk"]  # 2q(1-q) = 1.8e-3 > germline_prior 3e-4


def test_tumor_only_has_no_germline_filter():
    s = score(evidence(fragments(50, 50)), None, P, sites(1))
    assert s.filters[0] == [] and s.nlod is None and s.sglod is None


def test_population_and_pon_filters():
    s = score(
        evidence(fragments(50, 50), fragments(50, 50)),
        None,
        P,
        sites(2),
        in_pon=[True, False],
        population_af=[np.nan, 0.2],
    )
    assert s.filters == [["PanelOfNormals"], ["PopulationAF"]]


def test_multi_allelic_and_clustered_events():
    som = fragments(80, 20)
    s = score(
        evidence(som, som),
        evidence(fragments(40, 0), fragments(40, 0)),
        P,
        [("c1", 100), ("c1", 100)],
    )
    assert s.filters == [["MultiAllelic"], ["MultiAllelic"]]
    four = [("c1", 100), ("c1", 110), ("c1", 120), ("c1", 130)]
    normals = [fragments(40, 0)] * 4
    s = score(evidence(*[som] * 4), evidence(*normals), P, four)
    assert all(f == ["ClusteredEvents"] for f in s.filters)
    # a cluster of three (clustered SNVs on one haplotype) passes
    s = score(evidence(*[som] * 3), evidence(*normals[:3]), P, four[:3])
    assert s.filters == [[], [], []]
    # germline neighbours do not count: they are not somatic-looking events
    germ = fragments(50, 50)
    s = score(
        evidence(som, germ, germ, germ),
        evidence(fragments(40, 0), *[fragments(20, 20)] * 3),
        P,
        four,
    )
    assert s.filters[0] == []


def test_strand_g_is_zero_for_a_balanced_or_homozygous_site():
    assert g_test([50, 0], [50, 0], [10, 60], [10, 40]) == pytest.approx([0.0, 0.0])


@settings(max_examples=50, deadline=None)
@given(depth=st.integers(20, 300), alt=st.integers(1, 19), q=st.integers(13, 41))
def test_more_tumor_alt_reads_raise_tlod(depth, alt, q):
    e = 10 ** (-q / 10) / 3
    tlod, _ = tumor_lod(
        evidence(fragments(depth - alt, alt, e), fragments(depth - alt - 1, alt + 1, e))
    )
    assert tlod[1] >= tlod[0] - 1e-9
    if tlod[0] > 1e-6:  # both at zero when the reads are explained by errors
        assert tlod[1] > tlod[0]


@settings(max_examples=50, deadline=None)
@given(n_depth=st.integers(10, 200), alt=st.integers(0, 50), vaf=st.floats(0.01, 1.0))
def test_more_normal_alt_reads_never_raise_nlod(n_depth, alt, vaf):
    alt = min(alt, n_depth - 1)
    normal = evidence(fragments(n_depth - alt, alt), fragments(n_depth - alt - 1, alt + 1))
    nlod, _ = normal_lods(normal, np.asarray([vaf, vaf]), 0.05)
    assert nlod[1] <= nlod[0] + 1e-9


# ---------------------------------------------------------------------------- real reads

CONTIG_LEN = 2000
HOMOPOLYMER = 600  # 1-based start of an 8-base A run (random sequence elsewhere)


def make_reference(tmp_path) -> tuple[str, str]:
    rng = random.Random(5)
    seq = [rng.choice("CGT") if 590 < i < 620 else rng.choice("ACGT") for i in range(CONTIG_LEN)]
    seq[HOMOPOLYMER - 1 : HOMOPOLYMER + 7] = "A" * 8
    text = "".join(seq)
    fa = tmp_path / "ref.fa"
    fa.write_text(">c1\n" + "\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\n")
    pysam.faidx(str(fa))
    return str(fa), text


def aligned(name, seq, start0, cigar, *, reverse=False, read1=True, qual=38, mapq=60):
    a = pysam.AlignedSegment()
    a.query_name = name
    a.query_sequence = seq
    a.reference_id = 0
    a.reference_start = start0
    a.cigarstring = cigar
    a.mapping_quality = mapq
    a.flag = 1 | 2 | (16 if reverse else 0) | (64 if read1 else 128) | (0 if reverse else 32)
    a.next_reference_id = 0
    a.next_reference_start = start0
    a.template_length = 0
    a.query_qualities = pysam.qualitystring_to_array(chr(qual + 33) * len(seq))
    return a


def write_bam(path, ref_text, reads):
    header = {
        "HD": {"VN": "1.6"},
        "SQ": [{"SN": "c1", "LN": CONTIG_LEN}],
        "RG": [{"ID": path.stem, "SM": path.stem}],
    }
    unsorted = str(path) + ".unsorted.bam"
    with pysam.AlignmentFile(unsorted, "wb", header=header) as out:
        for r in reads:
            r.set_tag("RG", path.stem)
            out.write(r)
    pysam.sort("-o", str(path), unsorted)
    pysam.index(str(path))
    return str(path)


def tiled_reads(ref_text, prefix, depth, edits, qual=38, length=100):
    """``depth`` reads over each position of 100..1800, alternating strands; ``edits``
    maps a read number to (sequence, cigar) builders for alt reads."""
    reads = []
    for i in range(depth * 18):
        start = 100 + (i * 1700) // (depth * 18)
        name = f"{prefix}{i}"
        seq, cigar = ref_text[start : start + length], f"{length}M"
        for fn in edits:
            got = fn(i, start)
            if got is not None:
                seq, cigar = got
        reads.append(
            aligned(
                name,
                seq,
                start,
                cigar,
                reverse=(i // 3) % 2 == 1,
                read1=(i // 7) % 2 == 0,
                qual=qual,
            )
        )
    return reads


def snv_edit(ref_text, pos1, alt, every):
    def fn(i, start):
        off = pos1 - 1 - start
        if i % every or not 10 <= off < 90:
            return None
        s = ref_text[start : start + 100]
        return s[:off] + alt + s[off + len(alt) :], "100M"

    return fn


def deletion_edit(ref_text, first_deleted1, n, every, placed_at1=None):
    """Deletion of n bases; ``placed_at1`` puts it elsewhere in a repeat (aligner's choice)."""

    def fn(i, start):
        at = (placed_at1 or first_deleted1) - 1
        off = at - start
        if i % every or not 20 <= off < 70:
            return None
        s = ref_text[start : start + 100 + n]
        return s[:off] + s[off + n :], f"{off}M{n}D{100 - off}M"

    return fn


def test_indel_shape_slides_through_the_homopolymer(tmp_path):
    fa, text = make_reference(tmp_path)
    ref = Reference(fa)
    # left-aligned 1-base deletion of the A run: anchor is the base before it
    shape = indel_shape(
        ref, Candidate("c1", HOMOPOLYMER - 1, text[HOMOPOLYMER - 2] + "A", text[HOMOPOLYMER - 2])
    )
    assert (shape.first, shape.last, shape.units) == (HOMOPOLYMER - 1, HOMOPOLYMER + 6, 8)
    assert shape.hi == HOMOPOLYMER + 7  # the base after the run (0-based)


def test_read_evidence_counts_alleles_with_their_qualities(tmp_path):
    fa, text = make_reference(tmp_path)
    alt = {"A": "C", "C": "G", "G": "T", "T": "A"}[text[299]]
    reads = tiled_reads(text, "r", 60, [snv_edit(text, 300, alt, 10)])
    # a low-quality base: not counted at all (below min_baseq)
    reads[0].query_qualities = pysam.qualitystring_to_array("(" * 100)  # Q7
    bam = write_bam(tmp_path / "T.bam", text, reads)
    ref = Reference(fa)
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(handle, Candidate("c1", 300, text[299], alt), ref, ReadSettings())
    n_alt = sum(c.allele == 1 for c in calls.values())
    assert len(calls) > 40 and 0 < n_alt < len(calls)
    # base error of Q38 (a third of it: the one wrong base it became), plus MAPQ 60's share
    assert all(c.error == pytest.approx(10**-3.8 / 3 + 10**-6 / 3) for c in calls.values())


def test_overlapping_mates_count_once(tmp_path):
    fa, text = make_reference(tmp_path)
    reads = [
        aligned("pair", text[250:350], 250, "100M"),
        aligned("pair", text[280:380], 280, "100M", reverse=True, read1=False),
    ]
    bam = write_bam(tmp_path / "T.bam", text, reads)
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(
            handle, Candidate("c1", 300, text[299], "N"), Reference(fa), ReadSettings()
        )
    assert list(calls) == ["pair"]


def test_shifted_deletion_in_a_repeat_counts_as_alt_and_clipped_reads_do_not(tmp_path):
    fa, text = make_reference(tmp_path)
    anchor = HOMOPOLYMER - 1
    cand = Candidate("c1", anchor, text[anchor - 1] + "A", text[anchor - 1])
    reads = [aligned("left", text[550 : 551 + 98] + "", 550, "100M")]
    left = text[550 : HOMOPOLYMER - 1] + text[HOMOPOLYMER:651]  # deletion at the run start
    right = text[550 : HOMOPOLYMER + 6] + text[HOMOPOLYMER + 7 : 651]  # at its end
    off_left, off_right = HOMOPOLYMER - 1 - 550, HOMOPOLYMER + 6 - 550
    reads = [
        aligned("ref", text[550:650], 550, "100M"),
        aligned("left", left, 550, f"{off_left}M1D{100 - off_left}M"),
        aligned("right", right, 550, f"{off_right}M1D{100 - off_right}M"),
        # clipped inside the run: its aligned bases do not span the repeat
        aligned(
            "clipped",
            text[520 : HOMOPOLYMER + 2] + "GGGGGGGGGG",
            520,
            f"{HOMOPOLYMER + 2 - 520}M10S",
        ),
    ]
    bam = write_bam(tmp_path / "T.bam", text, reads)
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(handle, cand, Reference(fa), ReadSettings())
    assert {k: c.allele for k, c in calls.items()} == {"ref": 0, "left": 1, "right": 1}
    # an 8-base run: the indel error of these reads is 8 times the base rate (slippage)
    assert calls["left"].error == pytest.approx(8e-4 + 10**-6 / 3)


def test_reads_ending_in_a_germline_insertion_are_not_alt_support(tmp_path):
    """A read that ends two bases into a germline insertion is aligned without the gap: the
    inserted bases show as mismatches that look like a low-VAF SNV."""
    fa, text = make_reference(tmp_path)
    anchor = 1000  # 1-based anchor of the germline insertion
    ins = "".join({"A": "C", "C": "G", "G": "T", "T": "A"}[b] for b in text[anchor : anchor + 4])
    ins_cand = Candidate("c1", anchor, text[anchor - 1], text[anchor - 1] + ins)
    snv = Candidate("c1", anchor + 1, text[anchor], ins[0])  # the first inserted base
    hap = text[:anchor] + ins + text[anchor:]
    reads = [
        aligned(
            f"ins{i}",
            hap[900 + i : 1000] + ins + text[1000 : 1000 + i],
            900 + i,
            f"{100 - i}M4I{i}M",
        )
        for i in range(20, 60, 5)
    ]
    # reads ending one base into the insertion: the aligner writes the inserted base as a
    # mismatch at their end (one mismatch: the read-end rule alone cannot see it)
    reads += [
        aligned(f"end{i}", hap[anchor + 1 - n : anchor + 1], anchor + 1 - n, f"{n}M")
        for i, n in enumerate((100, 98, 96))
    ]
    bam = write_bam(tmp_path / "T.bam", text, reads)
    ref = Reference(fa)
    with pysam.AlignmentFile(bam) as handle:
        alone = fragment_calls(handle, snv, ref, ReadSettings(), [])
        with_indel = fragment_calls(handle, snv, ref, ReadSettings(), [ins_cand])
        ins_calls = fragment_calls(handle, ins_cand, ref, ReadSettings(), [])
    assert {k for k, c in alone.items() if c.allele == 1} == {"end0", "end1", "end2"}
    assert not any(c.allele == 1 for c in with_indel.values())
    assert sum(c.allele == 1 for c in ins_calls.values()) == 8


def test_reads_clipped_at_a_long_insertion_support_it(tmp_path):
    """bwa clips reads near the ends of a 20 bp insertion rather than opening a gap: a clip
    that spells the insertion's haplotype is alt support; one that spells something else
    (or too few bases) is not."""
    fa, text = make_reference(tmp_path)
    anchor = 1200
    ins = "GATTACAGATTACAGATTAC"
    cand = Candidate("c1", anchor, text[anchor - 1], text[anchor - 1] + ins)
    hap = text[:anchor] + ins + text[anchor:]
    reads = [
        # aligned up to the anchor, then the insertion and what follows clipped
        aligned("right", hap[anchor - 80 : anchor + 20], anchor - 80, "80M20S"),
        # starts with the insertion's tail clipped, aligned from the base after it
        aligned("left", hap[anchor + 8 : anchor + 108], anchor, "12S88M"),
        # a clip of other bases at the same place: not support
        aligned("junk", text[anchor - 80 : anchor] + "T" * 20, anchor - 80, "80M20S"),
        # the gapped read
        aligned("gapped", hap[anchor - 60 : anchor + 60], anchor - 60, "60M20I40M"),
    ]
    bam = write_bam(tmp_path / "T.bam", text, reads)
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(handle, cand, Reference(fa), ReadSettings())
    assert {k: c.allele for k, c in calls.items()} == {"right": 1, "left": 1, "gapped": 1}
    assert calls["right"].end_dist == 20  # the clipped bases still count as read


def test_a_germline_insertion_written_as_another_does_not_count_twice(tmp_path):
    """A read of a germline insertion aligned as an insertion one base earlier (of other
    bases) plus a mismatch supports the germline allele, not a second one."""
    fa, text = make_reference(tmp_path)
    anchor = next(p for p in range(1400, 1500) if text[p] != "C" and text[p + 1] != "T")
    germ = Candidate("c1", anchor + 1, text[anchor], text[anchor] + "TAC")
    hap = text[: anchor + 1] + "TAC" + text[anchor + 1 :]
    # inserted after the base before: text[anchor] + "TA", then "C" against text[anchor]
    reads = [aligned("r", hap[anchor - 50 : anchor + 50], anchor - 50, "50M3I47M")]
    bam = write_bam(tmp_path / "T.bam", text, reads)
    second = Candidate("c1", anchor, text[anchor - 1], text[anchor - 1] + text[anchor] + "TA")
    with pysam.AlignmentFile(bam) as handle:
        alone = fragment_calls(handle, second, Reference(fa), ReadSettings(), [])
        beside = fragment_calls(handle, second, Reference(fa), ReadSettings(), [germ])
    assert alone["r"].allele == 1 and "r" not in beside


def test_event_near_a_messy_read_end_is_not_counted(tmp_path):
    fa, text = make_reference(tmp_path)
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    s = list(text[300:400])
    s[95], s[90] = other[s[95]], other[s[90]]  # the event 4 from the end, a mismatch 9 from it
    messy = aligned("messy", "".join(s), 300, "100M")
    s = list(text[300:400])
    s[95] = other[s[95]]
    clean = aligned("clean", "".join(s), 300, "100M")
    clipped = aligned("clipped", "".join(s[:97]) + "GGG", 300, "97M3S")
    bam = write_bam(tmp_path / "T.bam", text, [messy, clean, clipped])
    cand = Candidate("c1", 396, text[395], other[text[395]])
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(handle, cand, Reference(fa), ReadSettings())
    assert set(calls) == {"clean"} and calls["clean"].allele == 1 and calls["clean"].end_dist == 4


def test_anomalous_pairs_are_skipped(tmp_path):
    fa, text = make_reference(tmp_path)
    proper = aligned("proper", text[250:350], 250, "100M")
    chimera = aligned("chimera", text[250:350], 250, "100M")
    chimera.flag = 1 | 64 | 8  # paired, mate unmapped: not a proper pair
    bam = write_bam(tmp_path / "T.bam", text, [proper, chimera])
    with pysam.AlignmentFile(bam) as handle:
        calls = fragment_calls(
            handle, Candidate("c1", 300, text[299], "N"), Reference(fa), ReadSettings()
        )
    assert list(calls) == ["proper"]


def test_adjacent_snvs_in_the_same_reads_merge_into_an_mnv():
    cands = [
        Candidate("c1", 100, "A", "G"),
        Candidate("c1", 101, "C", "T"),
        Candidate("c1", 102, "G", "A"),
        Candidate("c1", 200, "T", "C"),
        Candidate("c1", 201, "T", "C"),
    ]
    same = {f"r{i}" for i in range(10)}
    names = [same, same - {"r0"}, {"x1", "x2", "x3"}, same, {f"g{i}" for i in range(50)} | same]
    mnvs = merge_mnvs(cands, names, 0.8)
    # 100-101 share their reads; 102 has others; at 200-201 the second is a germline site
    # carrying the somatic reads among 60: they stay two records
    assert mnvs == [Candidate("c1", 100, "AC", "GT")]
    # 4 and 3 reads, the fourth read's second base below the base quality: still one MNV
    four = {"a", "b", "c", "d"}
    assert merge_mnvs(cands[:2], [four, four - {"d"}], 0.8) == [Candidate("c1", 100, "AC", "GT")]


# ---------------------------------------------------------------------------- end to end


def mpileup(tmp_path, fa, bams) -> str:
    out = tmp_path / "pileup.bcf"
    cmd = (
        f"bcftools mpileup -f {fa} -q 20 -Q 13 --max-depth 10000 --gap-frac 0.01 "
        f"--min-ireads 2 -a FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP -Ou {' '.join(bams)}"
        f" | bcftools norm -f {fa} -m -any -Ou"
        f" | bcftools view -i 'ALT!=\"<*>\" && FMT/AD[0:1]>=2' -Ob -o {out}"
    )
    subprocess.run(cmd, shell=True, check=True, capture_output=True)
    return str(out)


@pytest.fixture
def pair(tmp_path):
    """A tumor with a 20 % SNV at 300, a germline het at 500 (also in the normal), a
    20 % MNV at 700-701, a 10 % deletion at 900 and three Q16 errors at 1200."""
    fa, text = make_reference(tmp_path)
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    mnv = other[text[699]] + other[text[700]]
    tumor = tiled_reads(
        text,
        "t",
        80,
        [
            snv_edit(text, 300, other[text[299]], 5),
            snv_edit(text, 500, other[text[499]], 2),
            snv_edit(text, 700, mnv, 5),
            deletion_edit(text, 901, 3, 10),
        ],
    )
    err_alt = other[text[1199]]
    n_err = 0
    for r in tumor:
        off = 1199 - r.reference_start
        if 10 <= off < 90 and n_err < 3 and r.query_name.endswith("7"):
            q = r.query_qualities
            s = r.query_sequence
            r.query_sequence = s[:off] + err_alt + s[off + 1 :]
            q[off] = 16
            r.query_qualities = q
            n_err += 1
    normal = tiled_reads(text, "n", 40, [snv_edit(text, 500, other[text[499]], 2)])
    t_bam = write_bam(tmp_path / "T.bam", text, tumor)
    n_bam = write_bam(tmp_path / "N.bam", text, normal)
    return fa, text, t_bam, n_bam


def records(path):
    with pysam.VariantFile(str(path)) as vf:
        return {r.pos: r for r in vf}, list(vf.header.samples)


def test_call_end_to_end(tmp_path, pair):
    fa, text, t_bam, n_bam = pair
    out = tmp_path / "out.vcf.gz"
    tally = call(
        mpileup(tmp_path, fa, [t_bam, n_bam]), str(out), ("T", "N"), Reads(t_bam, n_bam, fa), P
    )
    recs, samples = records(out)
    assert samples == ["T", "N"]
    assert list(recs[300].filter) == ["PASS"] and recs[300].info["SOMATIC"]
    assert 0.1 < recs[300].samples["T"]["AF"][0] < 0.3
    assert recs[300].samples["N"]["AD"] == (recs[300].samples["N"]["DP"], 0)
    assert "Germline" in recs[500].filter and recs[500].info["SGLOD"] < 0
    assert recs[700].ref == text[699:701] and len(recs[700].alts[0]) == 2  # one MNV record
    assert 701 not in recs and list(recs[700].filter) == ["PASS"]
    assert list(recs[900].filter) == ["PASS"] and len(recs[900].ref) == 4
    assert 1200 not in recs or "LowTumorLOD" in recs[1200].filter
    assert tally["PASS"] == 3


def test_tumor_only_flags_germline_not_excluded(tmp_path, pair):
    fa, _, t_bam, _ = pair
    out = tmp_path / "out.vcf.gz"
    call(mpileup(tmp_path, fa, [t_bam]), str(out), ("T", None), Reads(t_bam, None, fa), P)
    recs, samples = records(out)
    assert samples == ["T"]
    assert all(r.info["TUMOR_ONLY"] and r.info["GERMLINE_NOT_EXCLUDED"] for r in recs.values())
    assert "NLOD" not in recs[300].info
    # without a normal the germline site passes: only population frequency could stop it
    assert list(recs[500].filter) == ["PASS"]


def test_batch_panel_of_normals_counts_other_normals_only(tmp_path, pair):
    fa, text, t_bam, n_bam = pair
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    # two more normals carrying the tumor's SNV at 300 (a recurrent artefact), one the MNV
    n2 = write_bam(
        tmp_path / "N2.bam",
        text,
        tiled_reads(text, "a", 40, [snv_edit(text, 300, other[text[299]], 8)]),
    )
    n3 = write_bam(
        tmp_path / "N3.bam",
        text,
        tiled_reads(text, "b", 40, [snv_edit(text, 300, other[text[299]], 8)]),
    )
    pon_bcf = tmp_path / "pon.bcf"
    subprocess.run(
        f"bcftools mpileup -f {fa} -q 20 -Q 13 -a FORMAT/AD -Ou {n_bam} {n2} {n3}"
        f" | bcftools norm -f {fa} -m -any -Ou | bcftools view -i 'ALT!=\"<*>\"' -Ob -o {pon_bcf}",
        shell=True,
        check=True,
        capture_output=True,
    )
    pon = str(tmp_path / "pon.vcf.gz")
    assert build_panel_of_normals([str(pon_bcf)], pon, 2) >= 2
    snv = Candidate("c1", 300, text[299], other[text[299]])
    germ = Candidate("c1", 500, text[499], other[text[499]])
    assert batch_pon_hits(pon, [snv, germ], "N") == [2, 0]
    assert batch_pon_hits(pon, [snv, germ], "N2") == [1, 1]
    out = tmp_path / "out.vcf.gz"
    know = Knowledge(batch_pon=pon, own_normal="N", pon_min_normals=2)
    call(
        mpileup(tmp_path, fa, [t_bam, n_bam]),
        str(out),
        ("T", "N"),
        Reads(t_bam, n_bam, fa),
        P,
        know=know,
    )
    recs, _ = records(out)
    assert "PanelOfNormals" in recs[300].filter
    assert list(recs[900].filter) == ["PASS"]
    # one other normal is not enough at pon_min_normals 2
    call(
        mpileup(tmp_path, fa, [t_bam, n_bam]),
        str(out),
        ("T", "N"),
        Reads(t_bam, n_bam, fa),
        P,
        know=replace(know, own_normal="N2"),
    )
    recs, _ = records(out)
    assert "PanelOfNormals" not in recs[300].filter


def test_pon_and_population_in_output_coordinates(tmp_path, pair):
    fa, text, t_bam, n_bam = pair
    cmap = {"c1": ContigSlice("c1", "chr7", 1001, 1000 + CONTIG_LEN)}
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    pon = tmp_path / "pon.vcf"
    pon.write_text(
        f"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\nchr7\t1300\t.\t"
        f"{text[299]}\t{other[text[299]]}\n"
    )
    gnomad = tmp_path / "gnomad.vcf"
    gnomad.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
        '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n'
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="grpmax">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"chr7\t1900\t.\t{text[899:903]}\t{text[899]}\t.\tPASS\tAF=0.01;AF_grpmax=0.03\n"
    )
    gz = str(gnomad) + ".gz"
    pysam.tabix_compress(str(gnomad), gz)
    pysam.tabix_index(gz, preset="vcf")
    assert ("chr7", 1300, text[299], other[text[299]]) in read_sites(str(pon))
    lookup = population_lookup([gz], "chr")
    assert lookup(("chr7", 1900, text[899:903], text[899])) == pytest.approx(0.03)
    out = tmp_path / "out.vcf.gz"
    call(
        mpileup(tmp_path, fa, [t_bam, n_bam]),
        str(out),
        ("T", "N"),
        Reads(t_bam, n_bam, fa),
        P,
        cmap,
        Knowledge(pon=str(pon), population=lookup),
    )
    recs, _ = records(out)
    assert "PanelOfNormals" in recs[300].filter
    assert "PopulationAF" in recs[900].filter
    assert recs[900].info["POP_AF"] == pytest.approx(0.03)
    assert list(recs[700].filter) == ["PASS"]


def test_collect_flattens_candidates(tmp_path, pair):
    fa, text, t_bam, _ = pair
    cands = [Candidate("c1", 300, text[299], "N"), Candidate("c1", 1700, text[1699], "N")]
    ev = collect(t_bam, cands, Reference(fa), ReadSettings(), keep_names=True)
    assert ev.n == 2 and set(ev.idx.tolist()) == {0, 1}
    assert ev.count(~ev.alt).tolist() == [int((ev.idx == 0).sum()), int((ev.idx == 1).sum())]
    assert ev.alt_names == [set(), set()]

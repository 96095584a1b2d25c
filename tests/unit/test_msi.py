"""MSI: microsatellite finding, read repeat lengths, site tests and the MSI-H/MSS call.

The end-to-end cases build small BAMs with pysam: a normal whose reads show the reference
length (with some polymerase stutter) and tumors with microsatellite deletions at a share of
the sites, i.e. a simulated MSI-H tumor, a stable one and an under-covered one.
"""

from __future__ import annotations

import random
from collections import Counter

import pysam
import pytest
from bigmed.pilots.crc.msi import (
    Microsatellite,
    MsiParams,
    build_baseline,
    chi2_sf,
    classify,
    find_microsatellites,
    paired_site,
    query_positions,
    read_lengths,
    read_repeat_length,
    read_sites,
    repeat_lengths,
    tumor_only_site,
    write_lengths,
    write_sites,
)

M, INS, D, S = 0, 1, 2, 4


def test_chi2_sf_known_values():
    assert chi2_sf(3.841, 1) == pytest.approx(0.05, abs=1e-3)
    assert chi2_sf(5.991, 2) == pytest.approx(0.05, abs=1e-3)
    assert chi2_sf(0.0, 2) == 1.0
    assert chi2_sf(40.0, 3) < 1e-7


def test_find_microsatellites_units_copies_and_flanks():
    seq = "GCTAGCATGC" + "A" * 12 + "GTCAGTCCGT" + "CA" * 6 + "TTGACGTAGC" + "A" * 8 + "GCTAGCTTAG"
    sites = find_microsatellites(seq, "c1")
    assert [(s.unit, s.copies, s.start) for s in sites] == [("A", 12, 11), ("CA", 6, 33)]
    assert sites[0].length == 12 and sites[0].id == "c1:11:Ax12"
    # a region that cuts the flank leaves the site out
    assert find_microsatellites(seq, "c1", regions=[(0, 24)]) == []
    assert len(find_microsatellites(seq, "c1", regions=[(0, 60)])) == 2


def test_non_primitive_units_and_sequence_edges_are_skipped():
    assert find_microsatellites("A" * 30, "c1") == []  # no flanks
    sites = find_microsatellites("GCTAG" + "ATAT" * 6 + "CGTCA", "c1")
    assert [s.unit for s in sites] == ["AT"]


def test_sites_round_trip(tmp_path):
    sites = [Microsatellite("c1", 11, 22, "A", 12)]
    (tmp_path / "s.tsv").write_text(write_sites(sites))
    assert read_sites(str(tmp_path / "s.tsv")) == sites


SITE = Microsatellite("c1", 101, 112, "A", 12)  # repeat at 1-based 101..112


@pytest.mark.parametrize(
    "start,cigar,expected",
    [
        (50, [(M, 100)], 12),  # spans: reference length
        (50, [(M, 55), (D, 2), (M, 45)], 10),  # 2 bp deletion inside the repeat
        (50, [(M, 55), (INS, 1), (M, 45)], 13),  # 1 bp insertion
        (50, [(S, 5), (M, 95)], 12),  # soft clip outside the repeat
        (98, [(M, 100)], None),  # starts inside the left flank
        (20, [(M, 90)], None),  # ends before the right flank
    ],
)
def test_read_repeat_length(start, cigar, expected):
    assert read_repeat_length(start, cigar, SITE) == expected


def test_query_positions_of_deleted_base_is_none():
    assert query_positions(10, [(M, 5), (D, 2), (M, 5)], [12, 15, 16, 18]) == [2, None, None, 6]


# ---------------------------------------------------------------------------- BAMs

FLANK_BP = 60
N_SITES = 30


def reference() -> tuple[str, list[Microsatellite]]:
    rng = random.Random(3)
    parts, sites, pos = [], [], 0
    for _ in range(N_SITES):
        left = "".join(rng.choice("CGT") for _ in range(FLANK_BP))
        parts.append(left + "A" * 12)
        sites.append(Microsatellite("c1", pos + FLANK_BP + 1, pos + FLANK_BP + 12, "A", 12))
        pos += FLANK_BP + 12
    parts.append("".join(rng.choice("CGT") for _ in range(FLANK_BP)))
    return "".join(parts), sites


def write_bam(path, sites, reads_per_site, delete_at, fraction, seed):
    """Reads of 80 bp around every site; at sites in ``delete_at`` a ``fraction`` of the
    reads carry a 1-2 bp deletion in the repeat; 5 % stutter (+-1 bp) everywhere."""
    rng = random.Random(seed)
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c1", "LN": 100_000}]}
    unsorted = str(path) + ".unsorted.bam"
    n = 0
    with pysam.AlignmentFile(unsorted, "wb", header=header) as out:
        for i, site in enumerate(sites):
            for _ in range(reads_per_site):
                start = site.start - 1 - 30 + rng.randint(-5, 5)  # 0-based
                before = site.start - 1 - start + 3  # read bases up to 3 bases into the repeat
                change = 0
                if i in delete_at and rng.random() < fraction:
                    change = -rng.choice((1, 2))
                elif rng.random() < 0.05:
                    change = rng.choice((-1, 1))
                if change < 0:
                    cigar = [(M, before), (D, -change), (M, 80 - before)]
                elif change > 0:
                    cigar = [(M, before), (INS, change), (M, 80 - before - change)]
                else:
                    cigar = [(M, 80)]
                a = pysam.AlignedSegment()
                a.query_name = f"r{n}"
                a.query_sequence = "C" * 80
                a.flag = 0
                a.reference_id = 0
                a.reference_start = start
                a.mapping_quality = 60
                a.cigartuples = cigar
                a.query_qualities = pysam.qualitystring_to_array("I" * 80)
                out.write(a)
                n += 1
    pysam.sort("-o", str(path), unsorted)
    pysam.index(str(path))
    return str(path)


@pytest.fixture(scope="module")
def sites():
    return reference()[1]


@pytest.fixture(scope="module")
def normal_lengths(tmp_path_factory, sites):
    d = tmp_path_factory.mktemp("msi")
    return repeat_lengths(write_bam(d / "n.bam", sites, 40, set(), 0.0, 1), sites, 20)


def tumor_lengths(tmp_path, sites, delete_share, reads=40, seed=2):
    delete_at = set(range(round(delete_share * len(sites))))
    bam = write_bam(tmp_path / "t.bam", sites, reads, delete_at, 0.4, seed)
    return repeat_lengths(bam, sites, 20)


def paired(tumor, normal, p=None):
    p = p or MsiParams()
    return classify([paired_site(s, tumor[s], normal[s], p) for s in tumor], p, "paired")


def test_simulated_msi_tumor_is_msi_high(tmp_path, sites, normal_lengths):
    result = paired(tumor_lengths(tmp_path, sites, 0.5), normal_lengths)
    assert result["status"] == "positive" and result["call"] == "MSI-H"
    assert result["sites_evaluable"] == N_SITES
    assert 12 <= result["sites_unstable"] <= 15  # 15 sites carry deletions in 40 % of reads


def test_stable_tumor_is_mss(tmp_path, sites, normal_lengths):
    result = paired(tumor_lengths(tmp_path, sites, 0.0, seed=5), normal_lengths)
    assert result["status"] == "negative" and result["call"] == "MSS"
    assert result["sites_unstable"] <= 1


def test_thin_tumor_is_not_evaluable(tmp_path, sites, normal_lengths):
    result = paired(tumor_lengths(tmp_path, sites, 0.5, reads=10), normal_lengths)
    assert result["status"] == "not evaluable" and result["score"] is None
    assert "0 of 30 microsatellites" in result["reason"]


def test_lengths_round_trip(tmp_path, normal_lengths):
    (tmp_path / "l.tsv").write_text(write_lengths(normal_lengths))
    assert read_lengths(str(tmp_path / "l.tsv")) == normal_lengths


def test_spanning_reads_measure_the_reference_length(sites, normal_lengths):
    c = normal_lengths[sites[0].id]
    assert c.most_common(1)[0][0] == 12 and sum(c.values()) == 40


def test_tumor_only_against_a_baseline_of_normals(tmp_path, sites, normal_lengths):
    baseline = {b.site: b for b in build_baseline([normal_lengths, normal_lengths], 20)}
    assert len(baseline) == N_SITES
    p = MsiParams()
    unstable = tumor_lengths(tmp_path, sites, 0.5)
    calls = [tumor_only_site(s, unstable[s], baseline[s], p) for s in baseline]
    assert classify(calls, p, "tumor-only")["call"] == "MSI-H"
    stable = tumor_lengths(tmp_path, sites, 0.0, seed=9)
    calls = [tumor_only_site(s, stable[s], baseline[s], p) for s in baseline]
    assert classify(calls, p, "tumor-only")["call"] == "MSS"


def test_baseline_leaves_out_polymorphic_sites():
    poly = {"s1": Counter({12: 20, 11: 20}), "s2": Counter({12: 40})}
    assert [b.site for b in build_baseline([poly], 20)] == ["s2"]


def test_paired_site_needs_reads_in_both_samples():
    call = paired_site("s", Counter({12: 50}), Counter({12: 5}), MsiParams())
    assert not call.evaluable and not call.unstable

"""Contig map, targets and calling shards."""

from __future__ import annotations

import gzip
import hashlib
import itertools
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.genome.reference import (
    ContigSlice,
    fasta_contigs,
    fasta_lines,
    locate,
    merge_regions,
    read_bed,
    read_contig_map,
    slices_by_chrom,
    split_shards,
    to_grch38,
)
from bigmed.intake.aligned import reference_md5s
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st


def test_shipped_contig_map_matches_shipped_reference():
    fai = (ROOT / "resources" / "reference" / "minigenome.fa.gz.fai").read_text().splitlines()
    contigs = {ln.split("\t")[0]: int(ln.split("\t")[1]) for ln in fai}
    cmap = read_contig_map(str(ROOT / "resources" / "reference" / "contigs.tsv"), contigs)
    assert len(cmap) == len(contigs) == 49
    braf = cmap["chr7_140717327_140929764"]
    # position p on a slice is GRCh38 start + p - 1 (BRAF V600E: slice 36010 -> 140753336)
    assert to_grch38(braf.contig, 36010, cmap) == ("chr7", 140753336)
    assert locate("chr7", 140753336, slices_by_chrom(cmap)) == (braf.contig, 36010)


FASTA_TEXT = b">c1 first contig\nACGT\nac\n>c2\n\n>c3\nNNNNN\r\n"


@pytest.mark.parametrize("compress", [False, True])
def test_fasta_contigs_without_an_index(tmp_path: Path, compress: bool):
    path = tmp_path / ("ref.fa.gz" if compress else "ref.fa")
    path.write_bytes(gzip.compress(FASTA_TEXT) if compress else FASTA_TEXT)
    assert fasta_contigs(str(path)) == {"c1": 6, "c2": 0, "c3": 5}
    lines = list(fasta_lines(str(path)))
    assert lines[:3] == [("c1", None), ("c1", b"ACGT\n"), ("c1", b"ac\n")]
    # the SAM M5 of a contig: MD5 of its upper-case sequence without line breaks
    md5s = reference_md5s(str(path))
    assert md5s["c1"] == hashlib.md5(b"ACGTAC").hexdigest()
    assert md5s["c2"] == hashlib.md5(b"").hexdigest()


def test_fasta_contigs_rejects_non_utf8(tmp_path: Path):
    path = tmp_path / "ref.fa"
    path.write_bytes(b">c1\nAC\xffGT\n")
    with pytest.raises(InputError, match="reference FASTA cannot be read"):
        fasta_contigs(str(path))


def test_to_grch38_without_a_map_is_the_identity():
    assert to_grch38("chr7", 140753336, None) == ("chr7", 140753336)
    assert to_grch38("chr7", 5, {}) == ("chr7", 5)


def test_locate_maps_grch38_into_slices():
    braf = ContigSlice("chr7_140717327_140929764", "chr7", 140717327, 140929764)
    by_chrom = slices_by_chrom({braf.contig: braf})
    # BRAF V600E: GRCh38 chr7:140753336 is slice position 36010
    assert locate("chr7", 140753336, by_chrom) == ("chr7_140717327_140929764", 36010)
    assert locate("chr7", 140929764, by_chrom, span=2) is None  # runs past the slice end
    assert locate("chr7", 140929764, by_chrom) == (braf.contig, 140929764 - 140717327 + 1)
    assert locate("chr7", 1000, by_chrom) is None
    assert locate("chr8", 140753336, by_chrom) is None


@pytest.mark.parametrize(
    "row,message",
    [
        ("c1\tchr1\t0\t10", "are not 1-based positions"),
        ("c1\tchr1\t10\t5", "are not 1-based positions"),
        ("c1\t1\t1\t10", "'1' is not a GRCh38 chromosome name"),
        ("c1\tchr21\t46709980\t46709999", "beyond the GRCh38 length of chr21"),
        ("c1\tchr1", "expected 4 tab-separated columns"),
    ],
)
def test_contig_map_rejects_bad_rows(tmp_path: Path, row: str, message: str):
    path = tmp_path / "map.tsv"
    path.write_text("contig\tchrom\tstart\tend\n" + row + "\n")
    with pytest.raises(InputError, match=message) as err:
        read_contig_map(str(path))
    assert "line 2" in str(err.value)


def test_contig_map_must_cover_every_reference_contig(tmp_path: Path):
    path = tmp_path / "map.tsv"
    path.write_text("contig\tchrom\tstart\tend\nc1\tchr1\t1\t10\n")
    with pytest.raises(InputError, match="reference contig 'c2' is not in the contig map"):
        read_contig_map(str(path), {"c1": 10, "c2": 5})


def test_bed_checks_ranges(tmp_path: Path):
    bed = tmp_path / "t.bed"
    bed.write_text("c1\t5\t50\n")
    with pytest.raises(InputError, match="past the contig end"):
        read_bed(str(bed), {"c1": 20})
    bed.write_text("track name=x\nc1\t5\t15\n")
    assert read_bed(str(bed), {"c1": 20}) == [("c1", 5, 15)]


def test_merge_regions_sorts_by_reference_order():
    regions = [("b", 5, 10), ("a", 20, 30), ("a", 0, 10), ("a", 8, 12)]
    assert merge_regions(regions, ["b", "a"]) == [("b", 5, 10), ("a", 0, 12), ("a", 20, 30)]


region_lists = st.lists(
    st.tuples(st.sampled_from(["c1", "c2", "c3"]), st.integers(0, 5000), st.integers(1, 3000)),
    min_size=1,
    max_size=30,
).map(lambda rows: merge_regions([(c, s, s + n) for c, s, n in rows], ["c1", "c2", "c3"]))


@given(region_lists, st.integers(1, 12))
def test_shards_partition_the_targets_in_order(regions, n):
    shards = split_shards(regions, n)
    assert len(shards) == n
    flat = [r for shard in shards for r in shard]
    # same bases, no overlap, reference order kept across shard boundaries
    assert sum(e - s for _, s, e in flat) == sum(e - s for _, s, e in regions)
    order = {"c1": 0, "c2": 1, "c3": 2}
    keys = [(order[c], s, e) for c, s, e in flat]
    assert keys == sorted(keys)
    assert all(a[2] <= b[1] for a, b in itertools.pairwise(keys) if a[0] == b[0])
    total = sum(e - s for _, s, e in regions)
    sizes = [sum(e - s for _, s, e in shard) for shard in shards]
    assert max(sizes[:-1] or [0]) <= -(-total // n)

"""The VCF import over real caller output: every dialect imports, bcftools reads the
result, and what is left out is counted by reason; the record-level helpers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.intake import vcfrecords as rec
from bigmed.intake.vcfimport import import_vcf, write_lines
from bigmed.intake.vcfinput import CallSet, check_definitions, contig_renames, read_header
from conftest import ROOT

DIALECTS = ROOT / "tests" / "integration" / "data" / "vcf_dialects"
REF = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
CONTIGS = str(ROOT / "resources" / "reference" / "contigs.tsv")

# file, kind, records written, gVCF blocks, symbolic-only, no ALT in the samples
EXPECTED = [
    ("deepvariant.vcf", "germline", 55, 0, 0, 5),  # RefCall 0/0 and ./. left out
    ("deepvariant.g.vcf", "germline", 21, 37, 0, 2),
    ("gatk_haplotypecaller.vcf", "germline", 60, 0, 0, 0),
    ("gatk_haplotypecaller.g.vcf.gz", "germline", 4, 116, 0, 0),
    ("gatk_haplotypecaller_4.0.g.vcf.gz", "germline", 14, 43, 0, 0),
    ("gatk_combinegvcfs.g.vcf", "germline", 2, 3, 0, 0),
    ("gatk_genotypegvcfs_trio.vcf", "germline", 10, 0, 0, 0),
    ("dragen.g.vcf", "germline", 2, 2, 0, 1),
    ("dragen_hard_filtered.gvcf.gz", "germline", 4, 76, 0, 0),
    ("strelka2_germline.vcf.gz", "germline", 60, 0, 0, 0),
    ("strelka2_trio.vcf.gz", "germline", 60, 0, 0, 0),
    ("strelka2_germline.gvcf", "germline", 0, 2, 0, 0),
    ("bcftools_call.vcf", "germline", 11, 0, 0, 0),
    ("bcftools_call.g.vcf", "germline", 11, 12, 0, 0),
    ("freebayes.vcf", "germline", 1, 0, 0, 11),
    ("freebayes.g.vcf", "germline", 1, 13, 0, 11),
    ("freebayes_haploid.vcf", "germline", 0, 0, 0, 6),
    ("platypus_trio.vcf", "germline", 55, 0, 0, 0),
    ("vcf43.vcf", "germline", 14, 1, 1, 11),
    ("vcf44.vcf", "germline", 14, 1, 1, 11),
    ("vcf44_phasing.vcf", "germline", 0, 0, 0, 8),
    ("vcf44_str.vcf", "germline", 0, 0, 2, 0),
    ("mutect2_paired.vcf.gz", "somatic", 61, 0, 0, 0),
    ("mutect2_tumor_only.vcf.gz", "somatic", 61, 0, 0, 0),
    ("mutect2_multiallelic.vcf", "somatic", 114, 0, 0, 0),  # 15 records, one per ALT
    ("mutect2_4.0.vcf", "somatic", 1, 0, 0, 0),
    ("strelka2_somatic.snvs.vcf.gz", "somatic", 17, 0, 0, 0),
    ("strelka2_somatic.indels.vcf.gz", "somatic", 2, 0, 0, 0),
    ("strelka2_paired.snvs.vcf.gz", "somatic", 60, 0, 0, 0),
    ("strelka2_paired.indels.vcf.gz", "somatic", 52, 0, 0, 0),
    ("vardict_paired.vcf.gz", "somatic", 60, 0, 0, 0),
    ("vardict_tumor_only.vcf.gz", "somatic", 60, 0, 0, 0),
    ("vardict_bcbio.vcf.gz", "somatic", 46, 0, 0, 0),
    ("vardictjava_paired.vcf", "somatic", 60, 0, 0, 0),
    ("dragen_somatic.vcf", "somatic", 4, 0, 0, 0),
]


@pytest.fixture(scope="module")
def ref():
    contigs = fasta_contigs(REF)
    return contigs, read_contig_map(CONTIGS, contigs)


@pytest.mark.parametrize("name,kind,written,blocks,symbolic,no_alt", EXPECTED)
def test_every_dialect_imports_and_bcftools_reads_it(
    tmp_path: Path, ref, name, kind, written, blocks, symbolic, no_alt
):
    contigs, cmap = ref
    path = str(DIALECTS / name)
    header = read_header(path)
    check_definitions(path, header, kind)
    renames = contig_renames(path, header, contigs, cmap, rename=True)
    lines, stats = import_vcf(CallSet("P", kind, (path,)), contigs, cmap, renames, rename=True)
    assert (stats.written, stats.blocks, stats.symbolic, stats.no_alt, stats.outside) == (
        written,
        blocks,
        symbolic,
        no_alt,
        0,
    )
    out = tmp_path / "imported.vcf"
    write_lines(str(out), lines)
    # bcftools reads every record, and the germline filter finds the INFO/DP it needs
    view = subprocess.run(
        ["bcftools", "view", "--no-header", str(out)], capture_output=True, text=True
    )
    assert view.returncode == 0, view.stderr
    assert len(view.stdout.splitlines()) == written
    if kind == "germline":
        filt = subprocess.run(
            ["bcftools", "filter", "--soft-filter", "LowDepth", "--exclude", "INFO/DP<8", str(out)],
            capture_output=True,
            text=True,
        )
        assert filt.returncode == 0, filt.stderr
    assert lines[0] == "##fileformat=VCFv4.2"


def test_deepvariant_gets_info_dp_from_its_format_dp(ref):
    contigs, cmap = ref
    path = str(DIALECTS / "deepvariant.vcf")
    lines, _ = import_vcf(CallSet("P", "germline", (path,)), contigs, cmap, {})
    first = next(ln.split("\t") for ln in lines if not ln.startswith("#"))
    assert first[7] == "DP=55"  # DeepVariant writes INFO '.', FORMAT DP 55
    assert any("the input VCF had no INFO/DP" in ln for ln in lines)


def test_extra_samples_of_a_family_vcf_are_left_out(ref):
    contigs, cmap = ref
    path = str(DIALECTS / "gatk_genotypegvcfs_trio.vcf")
    cs = CallSet("P", "germline", (path,), (("NWD242235", "P-P"), ("NWD666458", "P-M")))
    lines, _ = import_vcf(cs, contigs, cmap, {}, order=["P-P", "P-M"])
    chrom_line = next(ln for ln in lines if ln.startswith("#CHROM"))
    assert chrom_line.split("\t")[9:] == ["P-P", "P-M"]
    assert all(len(ln.split("\t")) == 11 for ln in lines if not ln.startswith("#"))


@pytest.mark.parametrize(
    "name,kind,message",
    [
        ("bcftools_mpileup.vcf", "germline", "declares no FORMAT/GT: germline calls need"),
        ("lofreq.vcf.gz", "somatic", "declares none of FORMAT/AD, AO, AU/CU/GU/TU, TAR/TIR"),
    ],
)
def test_what_a_vcf_cannot_give_stops_at_start(name, kind, message):
    path = str(DIALECTS / name)
    with pytest.raises(InputError, match="field 'FORMAT'") as err:
        check_definitions(path, read_header(path), kind)
    assert message in str(err.value)


DEFS = rec.Definitions.from_meta(
    [
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="a, b">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="x">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="x">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="x">',
        '##FILTER=<ID=q10,Description="x">',
    ]
)


def test_subset_alleles_drops_non_ref_and_follows_the_numbers():
    cols = ["chr1", "5", ".", "A", "G,<NON_REF>", "50", "PASS", "AC=1,0;DP=9"]
    cols += ["GT:AD:PL", "0/1:4,5,0:90,0,80,120,110,200"]
    out = rec.subset_alleles(cols, [0], DEFS)
    assert out[4] == "G" and out[7] == "AC=1;DP=9"
    assert out[9] == "0/1:4,5:90,0,80"


def test_subset_alleles_renumbers_genotypes():
    cols = ["chr1", "5", ".", "A", "<DEL>,T", ".", ".", ".", "GT:AD", "1|2:3,4,5"]
    assert rec.subset_alleles(cols, [1], DEFS)[8:] == ["GT:AD", ".|1:3,5"]


@pytest.mark.parametrize("gt,expected", [("/0|1", "0|1"), ("|1", "1"), ("0/1", "0/1"), (".", ".")])
def test_vcf44_phasing_prefix(gt, expected):
    assert rec.normalise_gt(gt) == expected


def test_meta_fields_keep_commas_inside_quotes():
    assert rec.meta_fields('##INFO=<ID=AC,Number=A,Type=Integer,Description="a, b">') == {
        "ID": "AC",
        "Number": "A",
        "Type": "Integer",
        "Description": "a, b",
    }


def test_undeclared_keys_are_found_and_declared():
    cols = ["chr1", "5", ".", "A", "G", "50", "q10;odd", "DP=3;NEW=1;1bad=2", "GT:XX", "0/1:3"]
    info, fmt, filters = rec.undeclared(cols, DEFS)
    assert (info, fmt, filters) == ({"NEW"}, {"GT", "XX"}, {"odd"})
    lines = rec.declarations(info, set(), filters)
    assert lines == [
        '##INFO=<ID=NEW,Number=.,Type=String,Description="Not declared in the input VCF">',
        '##FILTER=<ID=odd,Description="Not declared in the input VCF">',
    ]
    assert rec.clean_info(cols[7], ("DP",)) == "NEW=1"  # '1bad' is no key htslib accepts

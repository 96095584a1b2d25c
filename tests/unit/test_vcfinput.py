"""VCF input: calls sheet, header checks, coordinate mapping, caller FORMAT conventions."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.genome.reference import ContigSlice, fasta_contigs, read_contig_map
from bigmed.intake.sheets import Sample
from bigmed.intake.vcfimport import allele_depths, import_vcf, normalise_format
from bigmed.intake.vcfinput import CallSet, check_callset, parse_sample_map, read_calls
from conftest import ROOT

DEMO_VCF = ROOT / "resources" / "demo" / "vcf" / "NA12878_panel.GRCh38.vcf.gz"
REF = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
CONTIGS = str(ROOT / "resources" / "reference" / "contigs.tsv")


@pytest.mark.parametrize(
    "caller,fmt,ref,alts,expected",
    [
        ("Mutect2", {"GT": "0/1", "AD": "80,20", "AF": "0.2", "DP": "100"}, "C", ["T"], [80, 20]),
        ("VarDict", {"GT": "0/1", "AD": "45,5", "AF": "0.1", "DP": "50"}, "A", ["G"], [45, 5]),
        ("DRAGEN", {"GT": "0/1", "AD": "30,10,5", "AF": "0.2,0.1"}, "A", ["G", "T"], [30, 10, 5]),
        ("freebayes RO/AO", {"GT": "0/1", "RO": "12", "AO": "8"}, "A", ["G"], [12, 8]),
        ("freebayes DP/AO", {"GT": "0/1", "DP": "169", "AO": "86"}, "G", ["A"], [83, 86]),
        (
            "Strelka2 SNV",
            {"AU": "0,0", "CU": "70,71", "GU": "0,0", "TU": "30,31"},
            "C",
            ["T"],
            [70, 30],
        ),
        ("Strelka2 indel", {"TAR": "40,41", "TIR": "10,12", "DP": "55"}, "CA", ["C"], [40, 10]),
        ("AF and DP only", {"AF": "0.25", "DP": "40"}, "A", ["T"], [30, 10]),
        ("Platypus NR/NV", {"GT": "0/1", "NR": "97", "NV": "47"}, "C", ["T"], [50, 47]),
        ("bcftools DP/DV", {"GT": "0/1", "PL": "1,0,9", "DP": "11", "DV": "6"}, "T", ["C"], [5, 6]),
        ("nothing", {"GT": "0/1"}, "A", ["T"], None),
        ("AD of wrong length", {"AD": "5"}, "A", ["T"], None),
    ],
)
def test_allele_depths_of_common_callers(caller, fmt, ref, alts, expected):
    assert allele_depths(fmt, ref, alts) == expected, caller


def test_normalise_format_adds_ad_dp_af_and_keeps_gt_first():
    keys, values = normalise_format(["GT", "DP", "AO"], [["0/1", "169", "86"]], "G", ["A"])
    assert keys == ["GT", "AO", "AD", "DP", "AF"]
    assert values == [["0/1", "86", "83,86", "169", "0.5089"]]


def test_normalise_format_leaves_underivable_samples_missing():
    keys, values = normalise_format(["GT"], [["0/1"]], "G", ["A"])
    assert keys == ["GT", "AD", "DP", "AF"] and values == [["0/1", ".", ".", "."]]


def test_parse_sample_map():
    assert parse_sample_map("TUMOR=CRC02-T, NORMAL=CRC02-N") == (
        ("TUMOR", "CRC02-T"),
        ("NORMAL", "CRC02-N"),
    )
    with pytest.raises(ValueError, match="'TUMOR' is not VCF_NAME=SAMPLE"):
        parse_sample_map("TUMOR")


SAMPLES = [
    Sample("P1", "P1-P", "proband", "female", "yes", "rare_disease", line=2),
    Sample("P1", "P1-M", "mother", "female", "no", "rare_disease", line=3),
    Sample("T1", "T1-T", "tumor", "male", "yes", "crc", tumor_type="COADREAD", line=4),
    Sample("T1", "T1-N", "normal", "male", "no", "crc", line=5),
    Sample("C1", "C1-I", "proband", "male", "yes", "cardiac", line=6),
]


@pytest.mark.parametrize(
    "row,message",
    [
        ("X9\tgermline\t{vcf}", "line 2: field 'patient': patient 'X9' is not in the sample sheet"),
        ("P1\tsomatic\t{vcf}", "field 'kind': a somatic VCF does not fit patient 'P1'"),
        ("T1\tgermline\t{vcf}", "a germline VCF does not fit patient 'T1': crc patients enter"),
        ("C1\tgermline\t{vcf}", "patient 'C1' (pilot 'cardiac') cannot enter as a VCF: the pilot"),
        ("P1\tgermlin\t{vcf}", "field 'kind': 'germlin' is not one of: germline, somatic"),
        ("P1\tgermline\t/nope.vcf", "field 'vcf': VCF '/nope.vcf' not found"),
        # a name longer than the file system allows: not found, not an OSError
        ("P1\tgermline\t" + "9" * 400, "field 'vcf': VCF '999"),
        ("P1\tgermline\t{vcf}\tNA12878", "field 'sample_map': 'NA12878' is not VCF_NAME=SAMPLE"),
        ("P1\tgermline\t{vcf}\tA=T1-T", "sample 'T1-T' is not a sample of patient 'P1'"),
    ],
)
def test_calls_sheet_errors(tmp_path, row, message):
    sheet = tmp_path / "calls.tsv"
    sheet.write_text("patient\tkind\tvcf\tsample_map\n" + row.format(vcf=DEMO_VCF) + "\n")
    with pytest.raises(InputError, match=r"calls\.tsv") as err:
        read_calls(sheet, SAMPLES)
    assert message in str(err.value)


def _vcf(path: Path, contigs: list[str], samples: list[str], extra: str = "") -> CallSet:
    lines = ["##fileformat=VCFv4.2", *contigs]
    if extra:
        lines.append(extra)
    lines.append(
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        )
    )
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    pairs = (("NA12878", "P1-P"), ("MOM", "P1-M"))
    return CallSet("P1", "germline", (str(path),), tuple(p for p in pairs if p[0] in samples))


@pytest.fixture(scope="module")
def ref() -> tuple[dict[str, int], dict[str, ContigSlice]]:
    contigs = fasta_contigs(REF)
    return contigs, read_contig_map(CONTIGS, contigs)


@pytest.mark.parametrize(
    "contigs,samples,extra,rename,message",
    [
        (
            ["##contig=<ID=7,length=159345973>"],
            ["NA12878", "MOM"],
            "",
            False,
            "contig '7' is named without 'chr' but the reference uses 'chr7' "
            "(set inputs.rename_contigs: true to rename)",
        ),
        (
            ["##contig=<ID=chr1,length=249250621>"],
            ["NA12878", "MOM"],
            "",
            False,
            "contig 'chr1' has length 249250621 but GRCh38 has 248956422 (a GRCh37/hg19 VCF?",
        ),
        (
            ["##contig=<ID=1,length=249250621>"],
            ["NA12878", "MOM"],
            "",
            True,
            "contig '1' has length 249250621 but GRCh38 has 248956422",
        ),
        (
            [],
            ["NA12878", "MOM"],
            "##reference=file:///data/hs37d5.fa",
            False,
            "header says reference=file:///data/hs37d5.fa; the pipeline needs GRCh38",
        ),
        (
            ["##contig=<ID=chr1,length=248956422>"],
            ["NA12878", "DAD"],
            "",
            False,
            "sample 'P1-M' of patient 'P1' is not in the VCF (VCF samples: NA12878, DAD)",
        ),
        (
            ["##contig=<ID=chr1,length=248956422>"],
            ["NA12878", "MOM"],
            '##FILTER=<ID=q10;s50,Description="two filters in one">',
            False,
            "line 3: field 'FILTER': FILTER id 'q10;s50' contains ';' or a blank",
        ),
        (
            ["##contig=<ID=chr1,length=248956422>"],
            ["NA12878"],
            "",
            False,
            "sample 'P1-M' of patient 'P1' is not in the VCF (VCF samples: NA12878)",
        ),
    ],
)
def test_header_checks(tmp_path, ref, contigs, samples, extra, rename, message):
    cs = _vcf(tmp_path / "in.vcf.gz", contigs, samples, extra)
    with pytest.raises(InputError) as err:
        check_callset(cs, SAMPLES, *ref, rename)
    assert str(err.value).startswith(f"{cs.vcfs[0]}: ")
    assert message in str(err.value)


def test_rename_contigs_and_import_into_slices(tmp_path, ref):
    contigs, cmap = ref
    cs = _vcf(tmp_path / "in.vcf.gz", ["##contig=<ID=7,length=159345973>"], ["NA12878", "MOM"])
    renames = check_callset(cs, SAMPLES, contigs, cmap, True).renames
    assert renames == {"7": "chr7"}
    body = "\n".join(
        [
            "7\t140753336\t.\tA\tT\t50\tPASS\t.\tGT:AD\t0/1:30,10\t0/0:20,0",
            "7\t1000\t.\tA\tT\t50\tPASS\t.\tGT:AD\t0/1:30,10\t0/0:20,0",
        ]
    )
    text = gzip.decompress(Path(cs.vcfs[0]).read_bytes()).decode() + body + "\n"
    Path(cs.vcfs[0]).write_bytes(gzip.compress(text.encode()))
    lines, stats = import_vcf(cs, contigs, cmap, renames)
    assert (stats.written, stats.outside) == (1, 1)
    assert lines[-2].endswith("FORMAT\tP1-P\tP1-M")
    assert lines[-1].split("\t")[:2] == ["chr7_140717327_140929764", "36010"]
    assert lines[-1].split("\t")[8:] == ["GT:AD:DP:AF", "0/1:30,10:40:0.25", "0/0:20,0:20:0"]


def test_demo_vcf_imports_with_known_drop_count(ref):
    contigs, cmap = ref
    cs = CallSet("P1", "germline", (str(DEMO_VCF),), (("NA12878_03", "P1-P"),))
    lines, stats = import_vcf(cs, contigs, cmap, {})
    # 326 panel calls, 70 of them inside the mini-genome's slices
    assert (stats.written, stats.outside) == (70, 256)
    assert not any(ln.startswith("##INFO=<ID=CSQ") for ln in lines)


SOMATIC_BODY = [
    # BRAF V600E, normal column first in the VCF (as Strelka2 writes them), own INFO keys
    "chr7\t140753336\t.\tA\tT\t50\tPASS\tSOMATIC;GENE=BRAF;POP_AF=0.5;CSQ=x\tGT:AD"
    "\t0/0:20,0\t0/1:30,10",
    # multi-allelic: one record per ALT, AD split, GT dropped
    "chr7\t140753400\t.\tC\tA,G\t50\tPASS\t.\tGT:AD\t0/0:20,0,0\t1/2:30,6,4",
]


def _somatic_vcf(path: Path, samples: list[str]) -> CallSet:
    header = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr7,length=159345973>",
        '##INFO=<ID=GENE,Number=1,Type=String,Description="x">',
        '##INFO=<ID=POP_AF,Number=1,Type=Float,Description="x">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(samples),
    ]
    body = (
        SOMATIC_BODY
        if len(samples) == 2
        else [ln.rsplit("\t", 2)[0] + "\t" + ln.rsplit("\t", 1)[1] for ln in SOMATIC_BODY]
    )
    path.write_text("\n".join(header + body) + "\n")
    pairs = (("NORMAL", "T1-N"), ("TUMOR", "T1-T"))
    return CallSet("T1", "somatic", (str(path),), tuple(p for p in pairs if p[0] in samples))


def test_somatic_import_orders_tumor_first_and_splits_alleles(tmp_path, ref):
    contigs, cmap = ref
    cs = _somatic_vcf(tmp_path / "somatic.vcf", ["NORMAL", "TUMOR"])
    check_callset(cs, SAMPLES, contigs, cmap, False)
    seen: list[tuple[str, int, str, str]] = []

    def population(site: tuple[str, int, str, str]) -> float | None:
        seen.append(site)
        return 0.02 if site[3] == "G" else None

    lines, stats = import_vcf(cs, contigs, cmap, {}, order=["T1-T", "T1-N"], population=population)
    assert lines[-4].endswith("FORMAT\tT1-T\tT1-N")
    records = [ln.split("\t") for ln in lines[-3:]]
    assert stats.written == 3
    # GRCh38 positions were looked up, then moved into the slice
    assert seen == [
        ("chr7", 140753336, "A", "T"),
        ("chr7", 140753400, "C", "A"),
        ("chr7", 140753400, "C", "G"),
    ]
    braf = records[0]
    assert braf[:2] == ["chr7_140717327_140929764", "36010"]
    assert braf[7] == "SOMATIC"  # GENE/POP_AF of the input dropped (re-derived), CSQ too
    assert braf[8:] == ["GT:AD:DP:AF", "0/1:30,10:40:0.25", "0/0:20,0:20:0"]
    assert [r[4] for r in records[1:]] == ["A", "G"]
    assert records[1][7] == "." and records[2][7] == "POP_AF=0.02"
    assert records[1][8:] == ["AD:DP:AF", "30,6:40:0.15", "20,0:20:0"]
    assert records[2][8:] == ["AD:DP:AF", "30,4:40:0.1", "20,0:20:0"]
    assert any(ln.startswith("##INFO=<ID=POP_AF,Number=1") for ln in lines)


def test_tumor_only_somatic_import_flags_germline_not_excluded(tmp_path, ref):
    contigs, cmap = ref
    tumor_only = [s for s in SAMPLES if s.sample != "T1-N"]
    cs = _somatic_vcf(tmp_path / "somatic.vcf", ["TUMOR"])
    check_callset(cs, tumor_only, contigs, cmap, False)
    lines, _ = import_vcf(cs, contigs, cmap, {}, order=["T1-T"])
    info = [ln.split("\t")[7] for ln in lines if not ln.startswith("#")]
    assert (
        info
        == ["SOMATIC;TUMOR_ONLY;GERMLINE_NOT_EXCLUDED"] + ["TUMOR_ONLY;GERMLINE_NOT_EXCLUDED"] * 2
    )

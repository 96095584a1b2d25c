"""GFF3 checks, preferred transcripts, coding exons."""

from __future__ import annotations

from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.genome.gff import coding_exons_bed, preferred_transcripts, read_gff3
from conftest import ROOT

GFF = ROOT / "resources" / "annotation" / "minigenome.gff3"


def test_shipped_annotation_has_a_preferred_transcript_per_gene():
    transcripts = read_gff3(str(GFF))
    preferred = preferred_transcripts(transcripts)
    assert len(preferred) == 49
    assert preferred["BRAF"].id.startswith("NM_004333") and preferred["BRAF"].mane_select
    # LMNA has t1 (NM_005572) and the MANE Select lamin A transcript (NM_170707)
    assert preferred["LMNA"].id.startswith("NM_170707")
    assert all(tx.cds for tx in preferred.values())


def test_coding_exons_are_padded_and_numbered_in_transcript_order():
    transcripts = read_gff3(str(GFF))
    rows = coding_exons_bed(transcripts, padding=10)
    braf = [r for r in rows if r[3].startswith("BRAF:")]
    assert len(braf) == 18
    tx = preferred_transcripts(transcripts)["BRAF"]
    # BRAF is on the minus strand: exon 1 is the one with the highest coordinates
    first = next(r for r in braf if r[3].endswith(":exon1"))
    assert first[2] == max(r[2] for r in braf)
    last_cds = max(e for _, e in tx.cds)
    assert first[2] == last_cds + 10


def _mini(tmp_path: Path, body: str) -> str:
    p = tmp_path / "a.gff3"
    p.write_text("##gff-version 3\n" + body)
    return str(p)


GENE = "c1\tt\tgene\t1\t100\t.\t+\t.\tID=gene:G;Name=G;biotype=protein_coding\n"
TX = "c1\tt\tmRNA\t1\t100\t.\t+\t.\tID=transcript:T1;Parent=gene:G;biotype=protein_coding\n"


@pytest.mark.parametrize(
    "body,contigs,message",
    [
        (
            GENE + TX + "c1\tt\texon\t1\t100\t.\t+\t.\tParent=transcript:T2\n",
            None,
            "line 4: field 'Parent': exon has Parent 'transcript:T2'",
        ),
        (
            GENE + "c1\tt\tmRNA\t1\t100\t.\t+\t.\tID=transcript:T1;Parent=gene:X\n",
            None,
            "line 3: field 'Parent': transcript 'transcript:T1' has Parent 'gene:X'",
        ),
        (GENE + TX, {"c2": 100}, "line 2: field 'seqid': contig 'c1' is not in the reference"),
        (GENE + TX, {"c1": 50}, "line 2: field 'end': feature ends at 100, past the end"),
        (GENE + TX + "c1\tt\texon\t1\t100\n", None, "line 4: expected 9 tab-separated columns"),
        (
            GENE + TX + "c1\tt\texon\t1\t100\t.\t+\t.\tParent=transcript:T1\n",
            None,
            "no transcript with a CDS found",
        ),
    ],
)
def test_broken_annotation(tmp_path: Path, body: str, contigs, message: str):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_gff3(_mini(tmp_path, body), contigs)


def test_first_line_must_declare_gff3(tmp_path: Path):
    p = tmp_path / "a.gtf"
    p.write_text('c1\tt\tgene\t1\t10\t.\t+\t.\tgene_id "G";\n')
    with pytest.raises(InputError, match="first line must be '##gff-version 3'"):
        read_gff3(str(p))

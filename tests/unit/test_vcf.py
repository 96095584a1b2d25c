"""Consequence parsing and picking."""

from __future__ import annotations

from bigmed.genome.gff import Transcript
from bigmed.genome.vcf import TranscriptIndex, parse_bcsq, pick


def tx(tid: str, gene: str, start: int, end: int, tags=()) -> Transcript:
    return Transcript(
        tid, gene, "c1", "+", exons=[(start, end)], cds=[(start + 10, end - 10)], tags=list(tags)
    )


def test_parse_bcsq_takes_most_severe_term_and_skips_references():
    csq = parse_bcsq(
        [
            "missense&splice_region|G|T1|protein_coding|+|5A>5V|100C>T",
            "@12345",
            "*synonymous|G|T2|protein_coding|+|5A|100C>T",
        ]
    )
    assert [(c.consequence, c.transcript) for c in csq] == [
        ("missense", "T1"),
        ("synonymous", "T2"),
    ]


def test_pick_prefers_mane_transcript_over_more_severe_other():
    index = TranscriptIndex(
        {
            "T1": tx("T1", "G", 1, 500, tags=["MANE_Select"]),
            "T2": tx("T2", "G", 1, 400),
        }
    )
    csq = parse_bcsq(
        ["synonymous|G|T1|protein_coding|+|5A|", "stop_gained|G|T2|protein_coding|+|5A>5*|"]
    )
    chosen, term = pick(csq, index, "c1", 100)
    assert chosen is not None and chosen.id == "T1" and term == "synonymous"


def test_pick_falls_back_to_intron_and_intergenic():
    index = TranscriptIndex({"T1": tx("T1", "G", 100, 500)})
    chosen, term = pick([], index, "c1", 300)
    assert chosen is not None and chosen.id == "T1" and term == "intron"
    assert pick([], index, "c1", 900) == (None, "intergenic")
    assert pick([], index, "c2", 300) == (None, "intergenic")

"""GA4GH VRS 2.0 allele identifiers, computed offline with the ga4gh-vrs package.

ga4gh-vrs normalises an allele (fully justified, VOCA) and digests it; both need the
reference sequence, which it reads through a data proxy. :class:`LocalSequenceProxy` serves
it from the pipeline's own reference FASTA: a full GRCh38 FASTA, or the demo's mini-genome of
GRCh38 slices with its contig map (a request outside every slice raises KeyError, and the
allele then gets no identifier rather than a guessed one). Nothing is fetched from a
network: the sequence identifiers of the GRCh38 chromosomes are the published refget
accessions below (sha512t24u digests of each whole chromosome, as SeqRepo and the VRS
documentation list them for the NCBI GRCh38 primary assembly); a mini-genome cannot
recompute them, so the tests check the result against published allele identifiers
(BRAF c.1799T>A on chr7, rs7412 on chr19).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.genome.reference import (
    GRCH38_LENGTHS,
    ContigSlice,
    locate,
    read_contig_map,
    slices_by_chrom,
)

# refget accessions (ga4gh:SQ.<sha512t24u>) of the GRCh38 primary chromosomes
GRCH38_REFGET: dict[str, str] = {
    "chr1": "SQ.Ya6Rs7DHhDeg7YaOSg1EoNi3U_nQ9SvO",
    "chr2": "SQ.pnAqCRBrTsUoBghSD1yp_jXWSmlbdh4g",
    "chr3": "SQ.Zu7h9AggXxhTaGVsy7h_EZSChSZGcmgX",
    "chr4": "SQ.HxuclGHh0XCDuF8x6yQrpHUBL7ZntAHc",
    "chr5": "SQ.aUiQCzCPZ2d0csHbMSbh2NzInhonSXwI",
    "chr6": "SQ.0iKlIQk2oZLoeOG9P1riRU6hvL5Ux8TV",
    "chr7": "SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul",
    "chr8": "SQ.209Z7zJ-mFypBEWLk4rNC6S_OxY5p7bs",
    "chr9": "SQ.KEO-4XBcm1cxeo_DIQ8_ofqGUkp4iZhI",
    "chr10": "SQ.ss8r_wB0-b9r44TQTMmVTI92884QvBiB",
    "chr11": "SQ.2NkFm8HK88MqeNkCgj78KidCAXgnsfV1",
    "chr12": "SQ.6wlJpONE3oNb4D69ULmEXhqyDZ4vwNfl",
    "chr13": "SQ._0wi-qoDrvram155UmcSC-zA5ZK4fpLT",
    "chr14": "SQ.eK4D2MosgK_ivBkgi6FVPg5UXs1bYESm",
    "chr15": "SQ.AsXvWL1-2i5U_buw6_niVIxD6zTbAuS6",
    "chr16": "SQ.yC_0RBj3fgBlvgyAuycbzdubtLxq-rE0",
    "chr17": "SQ.dLZ15tNO1Ur0IcGjwc3Sdi_0A6Yf4zm7",
    "chr18": "SQ.vWwFhJ5lQDMhh-czg06YtlWqu0lvFAZV",
    "chr19": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl",
    "chr20": "SQ.-A1QmD_MatoqxvgVxBLZTONHz9-c7nQo",
    "chr21": "SQ.5ZUqxCmDDgN4xTRbaSjN8LwgZironmB8",
    "chr22": "SQ.7B7SHsmchAR0dFcDCuSFjJAo7tX87krQ",
    "chrX": "SQ.w0WZEvgJF0zf_P4yyTzjjv9oW1z61HHP",
    "chrY": "SQ.8_liLu1aycC0tPQPFmUaGXJLDs5SbPZ5",
    "chrM": "SQ.k3grVkjY-hoWcCUojHw6VU6GE3MZ8Sct",
}
CHROM_OF = {acc: chrom for chrom, acc in GRCH38_REFGET.items()}


def _chrom(identifier: str) -> str:
    """The GRCh38 chromosome of 'ga4gh:SQ.…', 'SQ.…', 'GRCh38:chr7' or 'chr7'."""
    name = (
        identifier.split(":", 1)[1] if identifier.startswith(("ga4gh:", "GRCh38:")) else identifier
    )
    chrom = CHROM_OF.get(name, name)
    if chrom not in GRCH38_LENGTHS:
        raise KeyError(identifier)
    return chrom


try:  # the package is pinned; without it the store works and exports carry no VRS ids
    from ga4gh.core import ga4gh_identify
    from ga4gh.vrs import models, normalize
    from ga4gh.vrs.dataproxy import _DataProxy

    VRS_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only without the pinned package
    _DataProxy = object
    VRS_AVAILABLE = False


class LocalSequenceProxy(_DataProxy):  # type: ignore[misc]
    """GRCh38 sequence from a local FASTA (optionally GRCh38 slices with a contig map)."""

    def __init__(self, fasta: str, contig_map: str | None = None) -> None:
        self.fasta = pysam.FastaFile(fasta)
        cmap: dict[str, ContigSlice] | None = read_contig_map(contig_map) if contig_map else None
        self.by_chrom = slices_by_chrom(cmap) if cmap else None
        self.contigs = set(self.fasta.references)

    def get_metadata(self, identifier: str) -> dict[str, Any]:
        chrom = _chrom(identifier)
        return {
            "aliases": [f"ga4gh:{GRCH38_REFGET[chrom]}", f"GRCh38:{chrom}"],
            "length": GRCH38_LENGTHS[chrom],
            "alphabet": "ACGT",
        }

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one proxy per export, few alleles
    def get_sequence(
        self, identifier: str, start: int | None = None, end: int | None = None
    ) -> str:
        chrom = _chrom(identifier)
        lo = 0 if start is None else start
        hi = GRCH38_LENGTHS[chrom] if end is None else end
        if hi <= lo:
            return ""
        if self.by_chrom is None:
            if chrom not in self.contigs:
                raise KeyError(f"{chrom} is not in the reference FASTA")
            return str(self.fasta.fetch(chrom, lo, hi)).upper()
        hit = locate(chrom, lo + 1, self.by_chrom, span=hi - lo)
        if hit is None:
            raise KeyError(f"{chrom}:{lo + 1}-{hi} is outside the reference slices")
        contig, p = hit
        return str(self.fasta.fetch(contig, p - 1, p - 1 + hi - lo)).upper()


@dataclass(frozen=True)
class VrsAllele:
    """A VRS Allele (as JSON) and its identifier, or the reason there is none."""

    id: str | None
    allele: dict[str, Any] | None
    reason: str = ""


def vrs_allele(proxy: LocalSequenceProxy, chrom: str, pos: int, ref: str, alt: str) -> VrsAllele:
    """The normalised VRS Allele of a VCF-style GRCh38 allele (1-based pos, anchor base kept)."""
    if not VRS_AVAILABLE:
        return VrsAllele(None, None, "the ga4gh-vrs package is not installed")
    if chrom not in GRCH38_REFGET:
        return VrsAllele(None, None, f"{chrom} has no GRCh38 refget accession")
    found = None
    try:
        found = proxy.get_sequence(chrom, pos - 1, pos - 1 + len(ref))
        if found != ref.upper():
            return VrsAllele(None, None, f"reference has {found} at {chrom}:{pos}, not {ref}")
        allele = models.Allele(
            location=models.SequenceLocation(
                sequenceReference=models.SequenceReference(refgetAccession=GRCH38_REFGET[chrom]),
                start=pos - 1,
                end=pos - 1 + len(ref),
            ),
            state=models.LiteralSequenceExpression(sequence=alt.upper()),
        )
        norm = normalize(allele, proxy)
    except KeyError as err:
        return VrsAllele(None, None, f"reference sequence not available: {err.args[0]}")
    vid = ga4gh_identify(norm)
    norm.id = vid
    return VrsAllele(vid, norm.model_dump(exclude_none=True))

"""Known-familial-variant mode: one relative, one variant, a short report.

The config names a variant (GRCh38 chrom/pos/ref/alt, or gene + HGVS c.) and a sample;
:func:`targeted_document` answers carrier / non-carrier / not assessable from the sample's
reads (:func:`bigmed.pilots.cardiac.cascade.carrier_status`) as
``results/{patient}/targeted_{sample}.json`` (``workflow/schemas/targeted.schema.json``);
its one-page HTML twin is rendered by :mod:`bigmed.report.targeted`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pysam

from bigmed.base import schemas
from bigmed.base.errors import InputError
from bigmed.base.textio import is_gzip
from bigmed.genome.gff import Transcript, read_gff3
from bigmed.genome.reference import ContigSlice, fasta_lines
from bigmed.genome.variant_spec import (
    Locus,
    SeqFn,
    VariantSpecError,
    from_grch38,
    parse_grch38,
    parse_hgvs_c,
    pick_transcript,
)
from bigmed.intake.sheets import Sample
from bigmed.pilots.cardiac.cascade import carrier_status, het_miss_probability
from bigmed.pilots.cardiac.model import CARRIER, NON_CARRIER, SiteReads, Thresholds

SCHEMA_PATH = schemas.schema_path("targeted.schema.json")
LIMITATIONS = (
    "Only this variant was tested; other variants in this or other genes are not "
    "excluded. Sample identity and relationships are as stated in the sample sheet "
    "(not verified genetically)."
)


def check_items(
    items: list[Mapping[str, Any]],
    samples: Mapping[str, Sample],
    *,
    annotation: str,
    fasta: str,
    contigs: dict[str, int],
    cmap: Mapping[str, ContigSlice] | None,
) -> None:
    """The config's ``cardiac.targeted`` items, checked before any job (InputError).

    Each variant is placed on the reference as the report will place it: a misspelled HGVS,
    a reference base that differs or a position outside the transcript stops the run here,
    not after alignment.
    """
    seen: dict[str, int] = {}
    for i, t in enumerate(items):
        where = f"cardiac.targeted.{i}"
        if ("chrom" in t) == ("hgvs_c" in t):
            raise InputError(
                "config",
                "name the variant by chrom, pos, ref and alt (GRCh38) or by gene and hgvs_c",
                field=where,
            )
        s = _item_sample(t, samples, seen, where)
        seen[s.sample] = i
    if not items:
        return
    transcripts = read_gff3(annotation, contigs) if any("hgvs_c" in t for t in items) else {}
    placed = [
        _where(t, transcripts, contigs, cmap, f"cardiac.targeted.{i}") for i, t in enumerate(items)
    ]
    seq = _reference_reader(fasta, {c for c, _ in placed})
    for i, t in enumerate(items):
        try:
            if "hgvs_c" in t:
                tx = pick_transcript(transcripts, t["gene"], t.get("transcript"))
                parse_hgvs_c(tx, t["hgvs_c"], seq, cmap)
            else:
                parse_grch38(t["chrom"], t["pos"], t["ref"], t["alt"], seq, contigs, cmap)
        except VariantSpecError as err:
            raise InputError("config", str(err), field=f"cardiac.targeted.{i}") from None


def _where(
    t: Mapping[str, Any],
    transcripts: Mapping[str, Transcript],
    contigs: dict[str, int],
    cmap: Mapping[str, ContigSlice] | None,
    field: str,
) -> tuple[str, int]:
    """The reference contig (and a position on it) an item names; InputError when none."""
    try:
        if "hgvs_c" in t:
            tx = pick_transcript(transcripts, t["gene"], t.get("transcript"))
            return tx.contig, min(s for s, _ in tx.exons)
        return from_grch38(t["chrom"], t["pos"], cmap, contigs)
    except VariantSpecError as err:
        raise InputError("config", str(err), field=field) from None


def _reference_reader(fasta: str, wanted: set[str]) -> SeqFn:
    """Bases of the reference contigs the items lie on: random access through the FASTA
    index when there is one (never written at start-up), else the contigs read once."""
    gz = is_gzip(fasta)
    if Path(f"{fasta}.fai").is_file() and (not gz or Path(f"{fasta}.gzi").is_file()):
        handle = pysam.FastaFile(fasta)

        def indexed(contig: str, start: int, end: int) -> str:
            if end < start or start < 1:
                return ""
            return str(handle.fetch(contig, start - 1, end)).upper()

        return indexed
    seqs: dict[str, list[str]] = {}
    for name, raw in fasta_lines(fasta):
        if name in wanted:
            seqs.setdefault(name, [])
            if raw is not None:
                seqs[name].append(raw.decode().strip())
    joined = {k: "".join(v).upper() for k, v in seqs.items()}

    def streamed(contig: str, start: int, end: int) -> str:
        return joined.get(contig, "")[max(0, start - 1) : end] if end >= start else ""

    return streamed


def _item_sample(
    t: Mapping[str, Any], samples: Mapping[str, Sample], seen: Mapping[str, int], where: str
) -> Sample:
    """The item's sample: in the sheet, of a cardiac patient, named by one item only.

    ``seen``: sample -> the index of the item that named it first.
    """
    s = samples.get(t["sample"])
    if s is None:
        raise InputError(
            "config",
            f"sample '{t['sample']}' is not in the samples sheet",
            field=f"{where}.sample",
        )
    if s.pilot != "cardiac":
        raise InputError(
            "config",
            f"sample '{s.sample}' belongs to a {s.pilot} patient; the familial-variant report "
            "is part of the cardiac pilot",
            field=f"{where}.sample",
        )
    if s.sample in seen:
        raise InputError(
            "config",
            f"sample '{s.sample}' is named twice (first in cardiac.targeted.{seen[s.sample]})",
            field=f"{where}.sample",
        )
    return s


def describe_request(spec: Mapping[str, Any]) -> str:
    """The variant as the config names it."""
    if spec.get("hgvs_c"):
        tx = f"{spec['transcript']}:" if spec.get("transcript") else ""
        return f"{spec['gene']} {tx}{spec['hgvs_c']}"
    return f"{spec['chrom']}:{spec['pos']} {spec['ref']}>{spec['alt']} (GRCh38)"


FINDING_CLASSES = ("Pathogenic", "Likely pathogenic")  # the only classes a predictive test uses


def variant_class(
    interpretation: Mapping[str, Any], variant_id: str, patient: str
) -> dict[str, Any]:
    """The familial variant's class as the family's report gives it, with its source.

    ``interpretation``: the cardiac interpretation document of ``patient``
    (``results/interpretation/cardiac/{patient}.json``). A variant it did not classify
    (the index does not carry it, or it lies outside the panel) has no class: then no
    result about it can be predictive.
    """
    entry = (interpretation.get("variants") or {}).get(variant_id)
    if not entry or not entry.get("classification"):
        return {
            "class": None,
            "source": f"not classified: the variant is not among the calls classified in the "
            f"report of patient {patient} (index case not a carrier, or outside the panel)",
            "points": None,
            "criteria": [],
            "clinvar": None,
        }
    acmg_ev: Mapping[str, Any] = next(
        (e for e in entry.get("evidence", []) if e.get("type") == "acmg"), {}
    )
    clinvar = next((e for e in entry.get("evidence", []) if e.get("type") == "clinvar"), None)
    return {
        "class": entry["classification"],
        "source": f"ACMG/AMP classification in the report of patient {patient} "
        f"({acmg_ev.get('engine', 'bigmed.acmg')})",
        "points": acmg_ev.get("points"),
        "criteria": list(acmg_ev.get("criteria_met", [])),
        "clinvar": None
        if clinvar is None
        else {
            k: clinvar.get(k) for k in ("variation_id", "significance", "review_status", "source")
        },
    }


def targeted_document(
    *,
    patient: str,
    sample: Mapping[str, Any],
    spec: Mapping[str, Any],
    locus: Locus,
    gene: str | None,
    transcript: str | None,
    hgvs_c: str | None,
    hgvs_p: str | None,
    reads: SiteReads,
    thresholds: Thresholds,
    provenance: Mapping[str, Any],
    classification: Mapping[str, Any],
) -> dict[str, Any]:
    """The report of one sample at one familial variant (schema-valid).

    ``classification``: :func:`variant_class`; the advice depends on it, because only a
    pathogenic or likely pathogenic variant gives a predictive result.
    """
    status, reason = carrier_status(reads, thresholds)
    name = " ".join(x for x in (gene, hgvs_c, hgvs_p) if x) or locus.id
    conclusion, advice = _conclusion(status, reason, sample["sample"], name, reads, thresholds)
    advice = _advice(status, advice, classification)
    doc = {
        "schema_version": "1.0",
        "patient": patient,
        "sample": sample["sample"],
        "role": sample["role"],
        "affected": sample["affected"],
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "requested": describe_request(spec),
        "variant": {
            "id": locus.id,
            "chrom": locus.chrom,
            "pos": locus.grch38_pos,
            "ref": locus.ref,
            "alt": locus.alt,
            "gene": gene,
            "transcript": transcript,
            "hgvs_c": hgvs_c,
            "hgvs_p": hgvs_p,
            "source": {"contig": locus.contig, "pos": locus.pos},
        },
        "classification": dict(classification),
        "result": status,
        "reason": reason,
        "conclusion": conclusion,
        "advice": advice,
        "reads": reads.as_dict(),
        "thresholds": {
            "min_depth": thresholds.min_depth,
            "min_alt_reads": thresholds.min_alt_reads,
            "min_vaf": thresholds.min_vaf,
        },
        "limitations": LIMITATIONS,
        "provenance": dict(provenance),
    }
    validate(doc)
    return doc


def _conclusion(
    status: str, reason: str, who: str, name: str, reads: SiteReads, thresholds: Thresholds
) -> tuple[str, str]:
    """(conclusion, advice) for the result; a negative one states the chance of a miss."""
    if status == CARRIER:
        return (
            f"{who} carries the familial variant {name} ({reason}).",
            "Predictive result positive: refer for cardiological assessment and surveillance; "
            "offer testing to this person's first-degree relatives.",
        )
    if status == NON_CARRIER:
        miss = het_miss_probability(reads.depth or 0, thresholds.min_alt_reads - 1)
        return (
            f"{who} does not carry the familial variant {name} ({reason}; a heterozygous "
            f"carrier would show so few allele reads with probability {miss:.1g}).",
            "Predictive result negative for this variant.",
        )
    return (
        f"Whether {who} carries the familial variant {name} cannot be determined: {reason}.",
        "Repeat the test on a new sample or with a targeted assay.",
    )


def _advice(status: str, advice: str, classification: Mapping[str, Any]) -> str:
    """The advice for a result, as the variant's class allows.

    A result is predictive only for a pathogenic or likely pathogenic variant; for a VUS
    (or an unclassified variant) neither carrying nor lacking it changes the relative's
    risk, so the advice says so instead of "predictive result negative".
    """
    cls = classification.get("class")
    if status not in (CARRIER, NON_CARRIER) or cls in FINDING_CLASSES:
        return advice
    what = f"classified as {cls}" if cls else "not classified"
    found = "carrying" if status == CARRIER else "not carrying"
    return (
        f"Not a predictive result: the variant is {what} ({classification['source']}), so "
        f"{found} it does not change this person's risk assessment; clinical screening "
        "follows the index case's phenotype. A VUS is not used for predictive testing."
    )


def validate(doc: Mapping[str, Any]) -> None:
    with open(SCHEMA_PATH) as handle:
        jsonschema.Draft202012Validator(json.load(handle)).validate(doc)

"""Known-familial-variant mode: one relative, one variant, a short report.

The config names a variant (GRCh38 chrom/pos/ref/alt, or gene + HGVS c.) and a sample;
:func:`targeted_document` answers carrier / non-carrier / not assessable from the sample's
reads (:func:`bigmed.pilots.cardiac.cascade.carrier_status`) and :func:`render_html` writes the
one-page HTML twin of ``results/{patient}/targeted_{sample}.json``
(``workflow/schemas/targeted.schema.json``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping
from typing import Any

import jsonschema

from bigmed.base import schemas
from bigmed.base.errors import InputError
from bigmed.genome.gff import Transcript, read_gff3
from bigmed.genome.reference import ContigSlice
from bigmed.genome.variant_spec import Locus, VariantSpecError, from_grch38, pick_transcript
from bigmed.intake.sheets import Sample
from bigmed.pilots.cardiac.cascade import carrier_status, het_miss_probability
from bigmed.pilots.cardiac.model import CARRIER, NON_CARRIER, SiteReads, Thresholds

SCHEMA_PATH = schemas.schema_path("targeted.schema.json")
E = html.escape


def check_items(
    items: list[Mapping[str, Any]],
    samples: Mapping[str, Sample],
    *,
    annotation: str,
    contigs: dict[str, int],
    cmap: Mapping[str, ContigSlice] | None,
) -> None:
    """The config's ``cardiac.targeted`` items, checked before any job (InputError)."""
    seen: dict[str, int] = {}
    transcripts: dict[str, Transcript] | None = None
    for i, t in enumerate(items):
        where = f"cardiac.targeted.{i}"
        if ("chrom" in t) == ("hgvs_c" in t):
            raise InputError(
                "config",
                "name the variant by chrom, pos, ref and alt (GRCh38) or by gene and hgvs_c",
                field=where,
            )
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
        seen[s.sample] = i
        try:
            if "hgvs_c" in t:
                if transcripts is None:
                    transcripts = read_gff3(annotation, contigs)
                pick_transcript(transcripts, t["gene"], t.get("transcript"))
            else:
                from_grch38(t["chrom"], t["pos"], cmap, contigs)
        except VariantSpecError as err:
            raise InputError("config", str(err), field=where) from None


def describe_request(spec: Mapping[str, Any]) -> str:
    """The variant as the config names it."""
    if spec.get("hgvs_c"):
        tx = f"{spec['transcript']}:" if spec.get("transcript") else ""
        return f"{spec['gene']} {tx}{spec['hgvs_c']}"
    return f"{spec['chrom']}:{spec['pos']} {spec['ref']}>{spec['alt']} (GRCh38)"


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
) -> dict[str, Any]:
    status, reason = carrier_status(reads, thresholds)
    name = " ".join(x for x in (gene, hgvs_c, hgvs_p) if x) or locus.id
    who = sample["sample"]
    if status == CARRIER:
        conclusion = f"{who} carries the familial variant {name} ({reason})."
        advice = (
            "Predictive result positive: refer for cardiological assessment and surveillance; "
            "offer testing to this person's first-degree relatives."
        )
    elif status == NON_CARRIER:
        miss = het_miss_probability(reads.depth or 0, thresholds.min_alt_reads - 1)
        conclusion = (
            f"{who} does not carry the familial variant {name} ({reason}; a heterozygous "
            f"carrier would show so few allele reads with probability {miss:.1g})."
        )
        advice = "Predictive result negative for this variant."
    else:
        conclusion = (
            f"Whether {who} carries the familial variant {name} cannot be determined: {reason}."
        )
        advice = "Repeat the test on a new sample or with a targeted assay."
    doc = {
        "schema_version": "1.0",
        "patient": patient,
        "sample": who,
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
        "limitations": (
            "Only this variant was tested; other variants in this or other genes are not "
            "excluded. Sample identity and relationships are as stated in the sample sheet "
            "(not verified genetically)."
        ),
        "provenance": dict(provenance),
    }
    validate(doc)
    return doc


def validate(doc: Mapping[str, Any]) -> None:
    with open(SCHEMA_PATH) as handle:
        jsonschema.Draft202012Validator(json.load(handle)).validate(doc)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2430;
background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:1.3em}
main{padding:12px 24px;max-width:900px}section{background:#fff;border:1px solid #dde2ea;
border-radius:6px;margin:14px 0;padding:12px 18px}h2{font-size:1.1em;margin:4px 0 10px}
table{border-collapse:collapse;font-size:.9em}th,td{border-bottom:1px solid #e6e9ef;
padding:4px 8px;text-align:left}.result{font-size:1.4em;font-weight:700}
.carrier{color:#b3261e}.non-carrier{color:#17663a}.na{color:#9a6200}.small{font-size:.82em;color:#5b6578}
"""


def render_html(doc: Mapping[str, Any]) -> str:
    v, r, th, prov = doc["variant"], doc["reads"], doc["thresholds"], doc["provenance"]
    css_class = {CARRIER: "carrier", NON_CARRIER: "non-carrier"}.get(doc["result"], "na")

    def table(rows: list[tuple[str, Any]]) -> str:
        body = "".join(
            f"<tr><th>{E(k)}</th><td>{E(str(x))}</td></tr>" for k, x in rows if x not in (None, "")
        )
        return f"<table><tbody>{body}</tbody></table>"

    return "\n".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\">",
            f"<title>Familial variant test {E(doc['sample'])}</title><style>{CSS}</style></head>",
            f"<body><header><h1>Familial variant test &middot; {E(doc['sample'])} "
            f"(patient {E(doc['patient'])})</h1></header><main>",
            "<section id='result'><h2>Result</h2>",
            f"<p class='result {css_class}'>{E(doc['result'])}</p>",
            f"<p>{E(doc['conclusion'])}</p><p>{E(doc['advice'])}</p></section>",
            "<section id='variant'><h2>Variant tested</h2>",
            table(
                [
                    ("requested", doc["requested"]),
                    ("GRCh38", f"{v['chrom']}:{v['pos']} {v['ref']}>{v['alt']}"),
                    ("gene", v["gene"]),
                    ("transcript", v["transcript"]),
                    ("HGVS c.", v["hgvs_c"]),
                    ("HGVS p.", v["hgvs_p"]),
                ]
            ),
            "</section><section id='evidence'><h2>Reads at the site</h2>",
            table(
                [
                    ("sample", f"{doc['sample']} ({doc['role']}, affected: {doc['affected']})"),
                    ("source", r["source"]),
                    ("genotype call", r["gt"] or "none"),
                    ("reads with the variant", r["alt_reads"]),
                    ("reads with the reference", r["ref_reads"]),
                    ("depth", r["depth"]),
                    ("note", r["note"]),
                    (
                        "rules",
                        f"carrier: >= {th['min_alt_reads']} variant reads and VAF >= "
                        f"{th['min_vaf']:.0%}; non-carrier: fewer variant reads at >= "
                        f"{th['min_depth']}x; otherwise not assessable",
                    ),
                ]
            ),
            f"</section><section id='limitations'><h2>Limitations</h2><p>{E(doc['limitations'])}"
            "</p></section>",
            "<section id='provenance'><h2>Provenance</h2>",
            table([(k, prov[k]) for k in sorted(prov)] + [("generated", doc["generated"])]),
            "</section></main></body></html>",
        ]
    )

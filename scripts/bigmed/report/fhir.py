"""report.fhir.json: a patient's report as an HL7 FHIR R4 Genomics Reporting bundle.

Built from report.json alone (``workflow/schemas/report.schema.json``), so the record gets
what the report says and nothing more: an EHR interface that reads the bundle cannot learn
a finding the lab's report does not show. The profiles are those of the HL7 Genomics
Reporting implementation guide STU2 (2.0.0, FHIR 4.0.1), the last release with the Region
Studied profile that carries the genes analysed; the codes are LOINC where the guide uses
LOINC, Sequence Ontology for consequences, the guide's own "TBD" code system otherwise.
Anything the report states without a code (a therapy name, a G2P disease, an AMP tier) is
sent as text, never mapped to a code that might say more than the report does.

Resource ids are UUID 5 of the patient and what the resource describes (a variant id, a
gene, a therapy), so a rerun on the same report.json writes the same bytes and a re-analysis
updates the same resources. Every resource is ``preliminary``: the pipeline's output has not
been signed out by the laboratory.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

# ---------------------------------------------------------------------------- code systems

IG = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"
IG_VERSION = "2.0.0"
TBD = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
HGVS = "http://varnomen.hgvs.org"
REFSEQ = "http://www.ncbi.nlm.nih.gov/refseq"
ENSEMBL = "http://www.ensembl.org"
CLINVAR = "http://www.ncbi.nlm.nih.gov/clinvar"
SO = "http://sequenceontology.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
REPORT_NOTE = IG + "genomic-report-note"
CLINVAR_LEVEL = (
    "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/clinvar-evidence-level-custom-cs"
)
SECONDARY_FINDING = "http://hl7.org/fhir/StructureDefinition/observation-secondaryFinding"

# fixed namespace of the resource ids (any constant works; changing it changes every id)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:bigmed:report.fhir.json")
STATUS = "preliminary"  # machine output, not signed out by the laboratory

# GRCh38 primary-assembly RefSeq accessions and LOINC LL2938-0 chromosome answers
REFSEQ_GRCH38 = {
    "chr1": "NC_000001.11",
    "chr2": "NC_000002.12",
    "chr3": "NC_000003.12",
    "chr4": "NC_000004.12",
    "chr5": "NC_000005.10",
    "chr6": "NC_000006.12",
    "chr7": "NC_000007.14",
    "chr8": "NC_000008.11",
    "chr9": "NC_000009.12",
    "chr10": "NC_000010.11",
    "chr11": "NC_000011.10",
    "chr12": "NC_000012.12",
    "chr13": "NC_000013.11",
    "chr14": "NC_000014.9",
    "chr15": "NC_000015.10",
    "chr16": "NC_000016.10",
    "chr17": "NC_000017.11",
    "chr18": "NC_000018.10",
    "chr19": "NC_000019.10",
    "chr20": "NC_000020.11",
    "chr21": "NC_000021.9",
    "chr22": "NC_000022.11",
    "chrX": "NC_000023.11",
    "chrY": "NC_000024.10",
    "chrM": "NC_012920.1",
}
CHROMOSOME_LA = {
    "chr1": "LA21254-0",
    "chr2": "LA21255-7",
    "chr3": "LA21256-5",
    "chr4": "LA21257-3",
    "chr5": "LA21258-1",
    "chr6": "LA21259-9",
    "chr7": "LA21260-7",
    "chr8": "LA21261-5",
    "chr9": "LA21262-3",
    "chr10": "LA21263-1",
    "chr11": "LA21264-9",
    "chr12": "LA21265-6",
    "chr13": "LA21266-4",
    "chr14": "LA21267-2",
    "chr15": "LA21268-0",
    "chr16": "LA21269-8",
    "chr17": "LA21270-6",
    "chr18": "LA21271-4",
    "chr19": "LA21272-2",
    "chr20": "LA21273-0",
    "chr21": "LA21274-8",
    "chr22": "LA21275-5",
    "chrX": "LA21276-3",
    "chrY": "LA21277-1",
}
ASSEMBLY_LA = {"GRCh37": "LA14029-5", "GRCh38": "LA26806-2"}
# LL4034-6: the five ACMG/AMP classes; anything else is sent as text
CLINICAL_SIGNIFICANCE_LA = {
    "pathogenic": ("LA6668-3", "Pathogenic"),
    "likely pathogenic": ("LA26332-9", "Likely pathogenic"),
    "uncertain significance": ("LA26333-7", "Uncertain significance"),
    "likely benign": ("LA26334-5", "Likely benign"),
    "benign": ("LA6675-8", "Benign"),
}
# LL4049-4 subset used by the guide's therapeutic implications
THERAPEUTIC_LA = {
    "sensitivity": ("LA6677-4", "Responsive"),
    "resistance": ("LA6676-6", "Resistant"),
}
# bcftools csq terms (bigmed.genome.vcf.SEVERITY) -> Sequence Ontology
SO_TERMS = {
    "stop_gained": ("SO:0001587", "stop_gained"),
    "frameshift": ("SO:0001589", "frameshift_variant"),
    "splice_acceptor": ("SO:0001574", "splice_acceptor_variant"),
    "splice_donor": ("SO:0001575", "splice_donor_variant"),
    "start_lost": ("SO:0002012", "start_lost"),
    "stop_lost": ("SO:0001578", "stop_lost"),
    "inframe_insertion": ("SO:0001821", "inframe_insertion"),
    "inframe_deletion": ("SO:0001822", "inframe_deletion"),
    "inframe_altering": ("SO:0001818", "protein_altering_variant"),
    "missense": ("SO:0001583", "missense_variant"),
    "splice_region": ("SO:0001630", "splice_region_variant"),
    "start_retained": ("SO:0002019", "start_retained_variant"),
    "stop_retained": ("SO:0001567", "stop_retained_variant"),
    "synonymous": ("SO:0001819", "synonymous_variant"),
    "5_prime_utr": ("SO:0001623", "5_prime_UTR_variant"),
    "3_prime_utr": ("SO:0001624", "3_prime_UTR_variant"),
    "non_coding": ("SO:0001619", "non_coding_transcript_variant"),
    "intron": ("SO:0001627", "intron_variant"),
    "intergenic": ("SO:0001628", "intergenic_variant"),
}
_BASES = re.compile(r"[ACGTN]+")
_TIER = re.compile(r"^Tier (IV|III|II|I)\b")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LEVELS = "ABCD"


# ---------------------------------------------------------------------------- datatypes


def coding(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None) -> Json:
    return {"coding": [coding(system, code, display)]}


def loinc(code: str, display: str | None = None) -> Json:
    return concept(LOINC, code, display)


def text(value: str) -> Json:
    """A CodeableConcept with text only: what the report states without a code."""
    return {"text": value}


def component(code: Json, **value: Any) -> Json:
    """One Observation.component; ``value`` is its single value[x] (e.g. valueString=...)."""
    return {"code": code, **value}


def conclusion(value: str) -> Json:
    return component(concept(TBD, "conclusion-string", "Conclusion Text"), valueString=value)


def quantity(value: float, unit: str, code: str) -> Json:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


CATEGORIES = [
    concept(OBS_CATEGORY, "laboratory", "Laboratory"),
    concept(DIAGNOSTIC_SERVICE, "GE", "Genetics"),
]
PRESENT = loinc("LA9633-4", "Present")
ABSENT = loinc("LA9634-2", "Absent")
SEQUENCING = loinc("LA26398-0", "Sequencing")
GERMLINE = loinc("LA6683-2", "Germline")
SOMATIC = loinc("LA6684-0", "Somatic")


# ---------------------------------------------------------------------------- context


@dataclass
class Context:
    """The report being exported, its id namespace and the references every resource uses."""

    report: Json
    germline_sample: str | None
    tumor_sample: str | None
    normal_sample: str | None
    specimens: dict[str, Json] = field(default_factory=dict)

    @property
    def patient(self) -> str:
        return str(self.report["patient"])

    def id(self, *key: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "|".join((self.patient, *key))))

    def ref(self, *key: str) -> Json:
        return {"reference": "urn:uuid:" + self.id(*key)}

    @property
    def subject(self) -> Json:
        return self.ref("patient")

    def observation(self, key: tuple[str, ...], profile: str, code: Json) -> Json:
        return {
            "resourceType": "Observation",
            "id": self.id(*key),
            "meta": {"profile": [IG + profile]},
            "status": STATUS,
            "category": CATEGORIES,
            "code": code,
            "subject": self.subject,
        }

    def specimen_of(self, sample: str | None) -> dict[str, Json]:
        return {"specimen": self.specimens[sample]} if sample in self.specimens else {}


def _context(report: Json) -> Context:
    """Whose record this is: the proband (or index), and for crc the tumor and normal.

    Relatives' samples are other people: their genotypes stay in the family's report and are
    never written to this patient's record."""
    roles = {s["role"]: s["sample"] for s in reversed(report["samples"])}
    tumor, normal = roles.get("tumor"), roles.get("normal")
    germline = roles.get("proband") or normal
    if germline is None and tumor is None and report["samples"]:
        germline = report["samples"][0]["sample"]
    return Context(report, germline, tumor, normal)


FINDING = "finding"
CANDIDATE = "candidate for review, not a finding"
LISTED_VUS = "listed among the panel genes' variants of uncertain significance; not a finding"
LISTED_SOMATIC = "reported somatic variant; not a finding"


@dataclass(frozen=True)
class Reported:
    """One thing the bundle describes: a variant (or a biomarker finding: ``variant`` None)
    with the report's entry for it (finding or candidate) and its role in the report."""

    key: str
    variant: Json | None
    entry: Json | None
    role: str

    def conclusion(self, cls: str | None) -> str:
        summary = (self.entry or {}).get("summary")
        if self.role == FINDING and summary:
            return str(summary)
        if summary:
            return f"{self.role[0].upper()}{self.role[1:]}: {summary}"
        return f"{cls}: {self.role}"


def _is_somatic(v: Json) -> bool:
    return v.get("origin") == "somatic" or bool(_TIER.match(str(v.get("classification") or "")))


# ---------------------------------------------------------------------------- variants


def _span(pos: int, ref: str, alt: str) -> Json:
    """Start and end of the reference bases; a symbolic allele (``<DEL>``, a breakend) has
    its end elsewhere (INFO/END), which report.json does not carry: start only."""
    if not _BASES.fullmatch(alt):
        return {"low": {"value": pos}}
    return {"low": {"value": pos}, "high": {"value": pos + len(ref) - 1}}


def _location(v: Json, build: str) -> list[Json]:
    """Where the allele is: GRCh38, chromosome, 1-based VCF-style start-end, ref and alt."""
    chrom, pos, ref, alt = v["chrom"], int(v["pos"]), v["ref"], v["alt"]
    la = ASSEMBLY_LA.get(build)
    out = [
        component(
            loinc("62374-4", "Human reference sequence assembly version"),
            valueCodeableConcept=loinc(la, build) if la else text(build),
        )
    ]
    acc = REFSEQ_GRCH38.get(chrom) if build == "GRCh38" else None
    if acc:
        out.append(
            component(
                loinc("48013-7", "Genomic reference sequence ID"),
                valueCodeableConcept=concept(REFSEQ, acc, acc),
            )
        )
    if chrom in CHROMOSOME_LA:
        out.append(
            component(
                loinc("48000-4"),
                valueCodeableConcept=loinc(CHROMOSOME_LA[chrom], "Chromosome " + chrom[3:]),
            )
        )
    out += [
        component(
            loinc("92822-6", "Genomic coord system"),
            valueCodeableConcept=loinc("LA30102-0", "1-based character counting"),
        ),
        component(
            loinc("81254-5", "Genomic allele start-end"),
            valueRange=_span(pos, ref, alt),
        ),
        component(loinc("69547-8", "Genomic ref allele [ID]"), valueString=ref),
        component(loinc("69551-0", "Genomic alt allele [ID]"), valueString=alt),
    ]
    if acc and len(ref) == 1 and len(alt) == 1 and _BASES.fullmatch(alt):  # indels: 3' rule
        g = f"{acc}:g.{pos}{ref}>{alt}"
        out.append(
            component(
                loinc("81290-9", "Genomic DNA change (gHGVS)"),
                valueCodeableConcept=concept(HGVS, g, g),
            )
        )
    return out


def _transcript(tx: str) -> Json:
    if tx.startswith(("NM_", "NR_", "XM_", "XR_")):
        return concept(REFSEQ, tx, tx)
    if tx.startswith("ENST"):
        return concept(ENSEMBL, tx, tx)
    return text(tx)


def _gene(symbol: str) -> Json:
    """Gene studied. report.json has the HGNC symbol but not the HGNC id the guide codes it
    with, so the symbol is sent as text rather than as a code that is not one."""
    return component(loinc("48018-6", "Gene studied [ID]"), valueCodeableConcept=text(symbol))


def _hgvs(v: Json) -> list[Json]:
    """Gene, transcript, c. and p. HGVS and the consequence on that transcript."""
    out = [_gene(v["gene"])] if v.get("gene") else []
    tx = v.get("transcript")
    if tx:
        out.append(
            component(
                loinc("51958-7", "Transcript reference sequence [ID]"),
                valueCodeableConcept=_transcript(tx),
            )
        )
        if v.get("hgvs_c"):
            c = f"{tx}:{v['hgvs_c']}"
            out.append(
                component(
                    loinc("48004-6", "DNA change (c.HGVS)"),
                    valueCodeableConcept=concept(HGVS, c, c),
                )
            )
    if v.get("hgvs_p"):  # no protein accession in report.json: the p. description alone
        p = v["hgvs_p"]
        out.append(
            component(
                loinc("48005-3", "Amino acid change (pHGVS)"),
                valueCodeableConcept=concept(HGVS, p, p),
            )
        )
    term = v.get("consequence")
    if term:
        so = SO_TERMS.get(term)
        out.append(
            component(
                concept(TBD, "molecular-consequence", "Molecular Consequence"),
                valueCodeableConcept=concept(SO, *so) if so else text(term),
            )
        )
    return out


def allelic_state(gt: str) -> Json | None:
    """Zygosity of the alt allele from a VCF genotype; None when it says nothing (``./.``)."""
    alleles = [a for a in re.split(r"[/|]", gt) if a not in (".", "")]
    alt = [a for a in alleles if a != "0"]
    if not alt:
        return None
    if len(alleles) == 1:
        return loinc("LA6707-9", "Hemizygous")
    if len(alt) == len(alleles) and len(set(alt)) == 1:
        return loinc("LA6705-3", "Homozygous")
    return loinc("LA6706-1", "Heterozygous")


def _reads(sample: str, g: Json) -> str:
    ad, dp = g.get("ad") or [], g.get("dp")
    alt = ad[1] if len(ad) > 1 and ad[1] is not None else None
    vaf = f", VAF {g['vaf']}" if g.get("vaf") is not None else ""
    if alt is not None and dp is not None:
        return f"{sample} {g['gt']}: {alt} of {dp} reads carry the allele{vaf}"
    return f"{sample} {g['gt']}" + (f" ({dp} reads)" if dp is not None else "")


def _call(ctx: Context, v: Json, sample: str | None, somatic: bool) -> list[Json]:
    """Origin, zygosity, allele fraction and reads in the patient's own sample(s)."""
    out = [
        component(
            loinc("48002-0", "Genomic source class"),
            valueCodeableConcept=SOMATIC if somatic else GERMLINE,
        )
    ]
    g = v["genotypes"].get(sample) if sample else None
    if g:
        state = None if somatic else allelic_state(g["gt"])
        if state:
            out.append(component(loinc("53034-5", "Allelic state"), valueCodeableConcept=state))
        if g.get("vaf") is not None:
            out.append(
                component(
                    loinc("81258-6", "Sample VAF"),
                    valueQuantity=quantity(
                        g["vaf"], "relative frequency of a particular allele in the specimen", "1"
                    ),
                )
            )
        ad = g.get("ad") or []
        if len(ad) > 1 and ad[1] is not None:
            out.append(
                component(
                    loinc("82121-5", "Allelic read depth"),
                    valueQuantity=quantity(ad[1], "reads", "1"),
                )
            )
    for e in v.get("evidence", []):
        if e.get("type") == "clinvar" and e.get("variation_id"):
            out.append(
                component(
                    loinc("81252-9", "Discrete genetic variant"),
                    valueCodeableConcept=concept(CLINVAR, str(e["variation_id"])),
                )
            )
    own = [s for s in (sample, ctx.normal_sample if somatic else None) if s and s in v["genotypes"]]
    if own:
        out.append(conclusion("; ".join(_reads(s, v["genotypes"][s]) for s in own)))
    return out


def variant_observation(ctx: Context, v: Json) -> Json:
    """The Variant profile: one allele, where it is, what it changes, how it was seen."""
    somatic = _is_somatic(v)
    sample = ctx.tumor_sample if somatic else ctx.germline_sample
    build = str(ctx.report["provenance"]["reference"].get("build") or "GRCh38")
    obs = ctx.observation(
        ("variant", v["id"]), "variant", loinc("69548-6", "Genetic variant assessment")
    )
    obs.update(ctx.specimen_of(sample))
    obs["valueCodeableConcept"] = PRESENT
    obs["method"] = SEQUENCING
    obs["component"] = [*_hgvs(v), *_location(v, build), *_call(ctx, v, sample, somatic)]
    return obs


# ---------------------------------------------------------------------------- implications


def _significance(classification: str | None) -> list[Json]:
    """ACMG/AMP class (germline) or AMP/ASCO/CAP tier (somatic), coded only where LOINC has
    the very term: a tier or an unknown label is text, never a pathogenicity code."""
    if not classification:
        return []
    if _TIER.match(classification):
        return [
            component(
                loinc("93044-6", "Level of evidence"),
                valueCodeableConcept=text(f"AMP/ASCO/CAP {classification}"),
            )
        ]
    la = CLINICAL_SIGNIFICANCE_LA.get(classification.strip().lower())
    value = loinc(*la) if la else text(classification)
    return [
        component(
            loinc("53037-8", "Genetic variation clinical significance [Imp]"),
            valueCodeableConcept=value,
        )
    ]


def _condition(entry: Json) -> list[Json]:
    """The condition the report names for the variant (cardiac: the panel gene's G2P disease;
    a germline finding's condition) and, with a disease, its mode of inheritance. A
    rare-disease candidate's 'inheritance' is how the variant segregates (de novo...): that
    stays in the conclusion."""
    disease = entry.get("disease") or entry.get("condition")
    if not disease:
        return []
    out = [component(loinc("81259-4", "Associated phenotype"), valueCodeableConcept=text(disease))]
    if entry.get("disease") and entry.get("inheritance"):
        out.append(
            component(
                concept(TBD, "condition-inheritance", "Condition Inheritance"),
                valueCodeableConcept=text(str(entry["inheritance"])),
            )
        )
    return out


def _known_level(entry: Json) -> list[Json]:
    """A class that rests on ClinVar: its review stars, in the guide's ClinVar code list."""
    known = entry.get("known_classification") or {}
    stars = known.get("stars")
    if known.get("status") != "clinvar" or not isinstance(stars, int) or not 0 <= stars <= 4:
        return []
    code = f"{stars}-star" if stars else "no-star"
    level = concept(CLINVAR_LEVEL, code, f"{stars} star" if stars else "no star")
    return [component(loinc("93044-6", "Level of evidence"), valueCodeableConcept=level)]


def _acmg_notes(v: Json | None, finding: Json | None) -> list[Json]:
    """The criteria behind a germline class, the engine's own result and, where the class
    rests on a known classification (ClinVar, an expert panel, the lab), that record."""
    notes = []
    for e in (v or {}).get("evidence", []):
        if e.get("type") == "acmg":
            notes.append(
                f"ACMG/AMP engine {e.get('engine')}: {e.get('class')}, {e.get('points')} point(s)"
            )
    known, rests_on = (finding or {}).get("known_classification"), (finding or {}).get("rests_on")
    if isinstance(known, dict) and rests_on:
        notes.append(
            f"Class rests on {rests_on}: {known.get('source')} {known.get('class')}"
            f" ({known.get('note')}; record {known.get('record')})"
        )
    lab = (v or {}).get("lab_classification")
    if isinstance(lab, dict):
        notes.append(
            f"Laboratory classification {lab.get('class')} (version {lab.get('version')}, "
            f"{lab.get('reviewer')}, {lab.get('date')})"
        )
    met = [e for e in (finding or {}).get("evidence", []) if e.get("code")]
    if finding is None and v is not None:
        met = [e for e in v.get("evidence", []) if e.get("type") == "criterion" and e.get("met")]
    notes += [f"ACMG/AMP {e['code']} ({e.get('strength')}): {e.get('evidence')}" for e in met]
    return [{"text": n} for n in notes]


def evidence_note(e: Json) -> Json:
    """One knowledge-base item, with its version, level and citation (provenance)."""
    parts = [
        f"{e.get('source')} {e.get('id')} ({e.get('source_version')})",
        f"level {e.get('level')} ({e.get('source_level')})",
        f"{e.get('disease')} ({e.get('tumor_type')}; {e.get('tumor_type_match')} tumor type)",
        str(e.get("significance")),
    ]
    if e.get("therapy"):
        parts.append(str(e["therapy"]))
    parts += [str(e[k]) for k in ("citation", "url") if e.get(k)]
    return {"text": "; ".join(parts)}


def _prognosis(finding: Json | None) -> tuple[list[Json], list[Json]]:
    """Prognostic evidence in the patient's tumor type: components and their sources."""
    items = [
        e
        for e in (finding or {}).get("evidence", [])
        if not e.get("therapy")
        and "prognosis" in str(e.get("significance"))
        and e.get("tumor_type_match") == "same"
    ]
    if not items:
        return [], []
    kinds = "; ".join(dict.fromkeys(str(e["significance"]) for e in items))  # one: 0..1
    comp = component(
        concept(TBD, "prognostic-implication", "Prognostic Implication"),
        valueCodeableConcept=text(kinds),
    )
    return [comp], [evidence_note(e) for e in items]


def diagnostic_implication(ctx: Context, item: Reported, derived: Json) -> Json:
    """What the variant (or biomarker) means for the diagnosis, as the report says it: its
    class or tier, the disease and inheritance the report names, and whether the report
    calls it a finding, a candidate for review or just lists it."""
    v, finding = item.variant, item.entry
    obs = ctx.observation(
        ("diagnostic", item.key), "diagnostic-implication",
        concept(TBD, "diagnostic-implication", "Diagnostic Implication"),
    )  # fmt: skip
    obs["derivedFrom"] = [derived]
    cls = (finding or {}).get("classification") or (v or {}).get("classification")
    comps = _significance(cls)
    comps += _condition(finding or {}) + _known_level(finding or {})
    prognosis, prognosis_notes = _prognosis(finding)
    comps += prognosis
    comps.append(conclusion(item.conclusion(cls)))
    obs["component"] = comps
    notes = _acmg_notes(v, finding) + prognosis_notes
    if notes:
        obs["note"] = notes
    if finding and finding.get("secondary"):
        obs["extension"] = [
            {"url": SECONDARY_FINDING, "valueCodeableConcept": text("ACMG secondary finding")}
        ]
    return obs


def therapy_groups(finding: Json) -> dict[tuple[str, str, str], list[Json]]:
    """The therapy evidence the finding's tier rests on, by (therapy, significance, tumor
    type): Tier I, level A/B in the patient's tumor type (tumor-agnostic included); Tier II,
    level A/B in other tumor types and level C/D in this one. Weaker items stay in
    report.json: a preclinical line next to a guideline one would read as more than the
    report says."""
    tier = _TIER.match(str(finding.get("classification") or ""))
    groups: dict[tuple[str, str, str], list[Json]] = {}
    for e in finding.get("evidence", []):
        same, strong = e.get("tumor_type_match") == "same", e.get("level") in ("A", "B")
        rests_on = (same and strong) if tier and tier.group(1) == "I" else (same != strong)
        if not e.get("therapy") or not rests_on:
            continue
        context = f"{e.get('disease')} ({e.get('tumor_type')})"
        groups.setdefault((str(e["therapy"]), str(e.get("significance")), context), []).append(e)
    return groups


def _level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def therapeutic_implication(
    ctx: Context, key: str, derived: Json, group: tuple[str, str, str], items: list[Json]
) -> Json:
    therapy, significance, context = group
    obs = ctx.observation(
        ("therapeutic", key, *group), "therapeutic-implication",
        concept(TBD, "therapeutic-implication", "Therapeutic Implication"),
    )  # fmt: skip
    obs["derivedFrom"] = [derived]
    la = THERAPEUTIC_LA.get(significance)
    best = min((str(e.get("level")) for e in items), key=_level_rank)
    obs["component"] = [
        component(loinc("51963-7", "Medication assessed"), valueCodeableConcept=text(therapy)),
        component(
            concept(TBD, "predicted-therapeutic-implication", "Predicted Therapeutic Implication"),
            valueCodeableConcept=loinc(*la) if la else text(significance),
        ),
        component(loinc("81259-4", "Associated phenotype"), valueCodeableConcept=text(context)),
        component(
            loinc("93044-6", "Level of evidence"),
            valueCodeableConcept=text(f"AMP/ASCO/CAP level {best}"),
        ),
    ]
    obs["note"] = [evidence_note(e) for e in items]
    return obs


def implications(ctx: Context, item: Reported, derived: Json) -> list[Json]:
    """The diagnostic implication, and for a somatic Tier I/II finding its therapies."""
    out = [diagnostic_implication(ctx, item, derived)]
    finding = item.entry if item.role == FINDING else None
    tier = _TIER.match(str((finding or {}).get("classification") or ""))
    if finding and tier and tier.group(1) in ("I", "II"):
        out += [
            therapeutic_implication(ctx, item.key, derived, g, items)
            for g, items in therapy_groups(finding).items()
        ]
    return out


# ---------------------------------------------------------------------------- what is sent


def reported_variants(report: Json) -> list[Reported]:
    """The variants the report reports, in its order: the findings; rare_disease candidates
    for review; the cardiac report's VUS in panel genes (its 'cardiac-vus' section); crc
    somatic PASS calls of Tier III (Tier I/II are findings). Every other call stays in
    report.json and variants.tsv: the record gets what the report reports, not the call set."""
    by_id = {v["id"]: v for v in report["variants"]}
    out: dict[str, Reported] = {}

    def add(vid: Any, entry: Json | None, role: str) -> None:
        if isinstance(vid, str) and vid in by_id and vid not in out:
            out[vid] = Reported(vid, by_id[vid], entry, role)

    for f in report["findings"]:
        add(f.get("variant_id"), f, FINDING)
    for c in report.get("candidates") or []:
        add(c.get("variant_id"), c, CANDIDATE)
    for s in report["sections"]:
        if s.get("id") == "cardiac-vus":
            for row in s["rows"]:
                add(row[0] if row else None, None, LISTED_VUS)
    for v in report["variants"]:
        tier = _TIER.match(str(v.get("classification") or ""))
        if tier and tier.group(1) != "IV" and v.get("filter") == "PASS":
            add(v["id"], None, LISTED_SOMATIC)
    return list(out.values())


# ---------------------------------------------------------------------------- biomarkers


def _msi(ctx: Context, b: Json) -> Json:
    obs = ctx.observation(
        ("biomarker", "MSI"), "msi",
        loinc("81695-9", "Microsatellite instability [Interpretation] in Cancer specimen"),
    )  # fmt: skip
    high = b["status"] == "positive"
    obs["valueCodeableConcept"] = (
        loinc("LA26203-2", "MSI-H") if high else loinc("LA14122-8", "Stable")
    )
    return obs


def _tmb(ctx: Context, b: Json) -> Json | None:
    rate = (b.get("value") or {}).get("mutations_per_mb")
    if rate is None:
        return None
    obs = ctx.observation(
        ("biomarker", "TMB"), "tmb", loinc("94076-7", "Mutations/Megabase [# Ratio] in Tumor")
    )
    obs["valueQuantity"] = quantity(rate, "Mutations/Megabase", "1/1000000{Base}")
    high = b["status"] == "positive"
    obs["interpretation"] = [
        concept(INTERPRETATION, "H" if high else "L", "High" if high else "Low")
    ]
    return obs


def _gene_biomarker(ctx: Context, b: Json) -> Json:
    """A gene-level result (KRAS, ERBB2 amplification...): present or absent, with the
    report's reason (which codons, at which depth) as its conclusion."""
    obs = ctx.observation(
        ("biomarker", b["name"]), "variant", loinc("69548-6", "Genetic variant assessment")
    )
    obs["valueCodeableConcept"] = PRESENT if b["status"] == "positive" else ABSENT
    obs["method"] = SEQUENCING
    obs["component"] = [
        _gene(b["name"].split()[0]),
        component(loinc("48002-0", "Genomic source class"), valueCodeableConcept=SOMATIC),
    ]
    return obs


def biomarker_observations(
    ctx: Context, variant_refs: dict[str, Json]
) -> tuple[list[Json], dict[str, Json]]:
    """Every evaluated biomarker (positive or negative); those not evaluable are listed in
    the report's notes with their reason (report.json's not_assessable).

    A positive gene biomarker whose variant is already sent (BRAF V600E) points at that
    variant instead of repeating it. Returns the resources and biomarker name -> reference."""
    out: list[Json] = []
    refs: dict[str, Json] = {}
    for b in ctx.report["biomarkers"]:
        if b["status"] not in ("positive", "negative"):
            continue
        gene = b["name"].split()[0]
        point = b["name"] not in ("MSI", "TMB") and "amplification" not in b["name"]
        if point and b["status"] == "positive" and gene in variant_refs:
            refs[b["name"]] = variant_refs[gene]
            continue
        obs = (
            _msi(ctx, b)
            if b["name"] == "MSI"
            else _tmb(ctx, b)
            if b["name"] == "TMB"
            else _gene_biomarker(ctx, b)
        )
        if obs is None:
            continue
        obs.update(ctx.specimen_of(ctx.tumor_sample))
        obs.setdefault("component", []).append(
            conclusion(f"{b['name']}: {b['status']} ({b.get('reason')})")
        )
        refs[b["name"]] = {"reference": "urn:uuid:" + obs["id"]}
        out.append(obs)
    return out, refs


# ---------------------------------------------------------------------------- genes analysed


def _region_text(ctx: Context, g: Json, gaps: list[Json], sample: str | None) -> str:
    """The gene's coding region, its share at depth, and the exons below it (only when part
    of the gene is covered: for a gene with no base at depth the exons add nothing)."""
    cov = ctx.report["coverage"]
    if g.get("transcript") is None:
        return f"{g['gene']}: not in the reference annotation, not analysed"
    desc = (
        f"{g['gene']} coding exons of {g['transcript']} (+-{cov['exon_padding']} bp, "
        f"{g['coding_bases']} bp): {g['fraction_at_min_depth']:.1%} at >= {cov['min_depth']}x"
        + (f" in {sample}" if sample else "")
    )
    if gaps and g["fraction_at_min_depth"] > 0:
        desc += "; exons below: " + ", ".join(
            f"{x['exon']} {x['chrom']}:{x['start']}-{x['end']} ({x['fraction_at_min_depth']:.1%})"
            for x in gaps
        )
    return desc


def _uncallable(g: Json, gaps: list[Json]) -> list[Json]:
    """Exons with no base at depth in a gene that is otherwise covered, as 1-based GRCh38
    ranges (an exon partly at depth is not uncallable as a whole: it stays in the text)."""
    empty = [x for x in gaps if x["fraction_at_min_depth"] == 0 and x["chrom"] in REFSEQ_GRCH38]
    if g["fraction_at_min_depth"] == 0 or not empty or len({x["chrom"] for x in empty}) > 1:
        return []
    acc = REFSEQ_GRCH38[empty[0]["chrom"]]
    return [
        component(
            loinc("48013-7", "Genomic reference sequence ID"),
            valueCodeableConcept=concept(REFSEQ, acc, acc),
        ),
        component(
            loinc("92822-6", "Genomic coord system"),
            valueCodeableConcept=loinc("LA30102-0", "1-based character counting"),
        ),
    ] + [
        component(
            concept(TBD, "uncallable-regions", "Uncallable Regions"),
            valueRange={"low": {"value": x["start"]}, "high": {"value": x["end"]}},
        )
        for x in empty
    ]


def _gene_region(ctx: Context, g: Json, gaps: list[Json]) -> Json:
    """Region Studied for one gene: its coding exons, the share at the depth threshold,
    the exons below it, and its status (assessable, partially, not assessable)."""
    sample = ctx.report["coverage"].get("sample") or ctx.tumor_sample or ctx.germline_sample
    obs = ctx.observation(
        ("region", g["gene"]), "region-studied", loinc("53041-0", "DNA region of interest panel")
    )
    obs.update(ctx.specimen_of(sample))
    obs["component"] = [
        _gene(g["gene"]),
        component(
            loinc("81293-3", "Description of ranges of DNA sequences examined"),
            valueString=_region_text(ctx, g, gaps, sample),
        ),
        component(
            concept(TBD, "region-coverage", "Region Coverage"),
            valueQuantity=quantity(round(100 * g["fraction_at_min_depth"], 2), "%", "%"),
        ),
        *_uncallable(g, gaps),
        conclusion(f"{g['gene']}: {g['status']}"),
    ]
    return obs


def region_observations(ctx: Context) -> list[Json]:
    """One Region Studied per gene of the report's coverage (the genes analysed, or the
    panel's genes), whatever its status: an unassessable gene is stated, not left out."""
    gaps: dict[str, list[Json]] = {}
    for x in ctx.report["coverage"]["gaps"]:
        gaps.setdefault(x["gene"], []).append(x)
    return [_gene_region(ctx, g, gaps.get(g["gene"], [])) for g in ctx.report["coverage"]["genes"]]


# ---------------------------------------------------------------------------- the report


def _note(value: str) -> Json:
    return {"url": REPORT_NOTE, "valueAnnotation": {"text": value}}


def report_notes(report: Json, unsent: list[Json]) -> list[Json]:
    """What could not be assessed (every not_assessable item with its reason), findings not
    expressible as an Observation, and the provenance of the analysis."""
    notes = [_note(f"Not assessable: {x['what']}: {x['reason']}") for x in report["not_assessable"]]
    notes += [
        _note(f"Finding not encoded as an Observation (see the report): {f.get('summary')}")
        for f in unsent
    ]
    p = report["provenance"]
    ref = p["reference"]
    kbs = "; ".join(
        f"{k.get('name')} {k.get('version')}" + ("" if k.get("complete", True) else " (subset)")
        for k in p["knowledge_bases"]
    )
    notes.append(
        _note(
            f"Analysis: bigmed {p['pipeline_version']} (commit {p['git_commit']}), config sha256 "
            f"{p['config_hash']}, reference {ref.get('build')} sha256 {ref.get('sha256')}"
            + (f"; knowledge bases: {kbs}" if kbs else "")
        )
    )
    return notes


def _nonempty(key: str, values: list[Json]) -> dict[str, list[Json]]:
    """FHIR has no empty arrays: an element with nothing in it is left out."""
    return {key: values} if values else {}


def _instant(value: Any) -> dict[str, str]:
    return {"issued": value} if isinstance(value, str) and _INSTANT.match(value) else {}


def diagnostic_report(ctx: Context, results: list[Json], unsent: list[Json]) -> Json:
    report = ctx.report
    interp = report.get("interpretation") or {}
    return {
        "resourceType": "DiagnosticReport",
        "id": ctx.id("report"),
        "meta": {"profile": [IG + "genomics-report"]},
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + ctx.id("report")}],
        "status": STATUS,
        "category": [concept(DIAGNOSTIC_SERVICE, "GE", "Genetics")],
        "code": {
            "coding": [
                coding(LOINC, "51969-4", "Genetic analysis report"),
                coding(LOINC, "81247-9", "Master HL7 genetic variant reporting panel"),
            ]
        },
        "subject": ctx.subject,
        **_instant(report.get("generated")),
        **_nonempty("specimen", list(ctx.specimens.values())),
        **_nonempty("result", [{"reference": "urn:uuid:" + r["id"]} for r in results]),
        "conclusion": interp.get("note") or f"{len(report['findings'])} finding(s)",
        "extension": report_notes(report, unsent),
    }


def _patient_and_specimens(ctx: Context) -> list[Json]:
    """The patient by the sample sheet's id (the receiving system maps it to its own
    record) and the patient's own samples."""
    samples = {s["sample"]: s for s in ctx.report["samples"]}
    own = [s for s in (ctx.tumor_sample, ctx.normal_sample, ctx.germline_sample) if s]
    own = list(dict.fromkeys(own))
    sex = samples[own[0]]["sex"] if own else "unknown"
    out: list[Json] = [
        {
            "resourceType": "Patient",
            "id": ctx.id("patient"),
            "identifier": [{"type": text("bigmed sample sheet patient id"), "value": ctx.patient}],
            "gender": sex if sex in ("female", "male") else "unknown",
        }
    ]
    kind = {"tumor": "tumor sample", "normal": "normal (germline) sample"}
    for s in own:
        ctx.specimens[s] = ctx.ref("specimen", s)
        out.append(
            {
                "resourceType": "Specimen",
                "id": ctx.id("specimen", s),
                "identifier": [{"type": text("bigmed sample id"), "value": s}],
                "type": text(kind.get(samples[s]["role"], "germline sample")),
                "subject": ctx.subject,
            }
        )
    return out


def _findings_and_variants(ctx: Context) -> tuple[list[Json], list[Json], dict[str, Json]]:
    """Variant Observations with their implications; the variant-less findings; and
    gene -> reference of the first variant sent in that gene."""
    resources: list[Json] = []
    genes: dict[str, Json] = {}
    listed = reported_variants(ctx.report)
    for item in listed:
        v = item.variant
        if v is None:
            continue
        obs = variant_observation(ctx, v)
        ref = {"reference": "urn:uuid:" + obs["id"]}
        if v.get("gene"):
            genes.setdefault(v["gene"], ref)
        resources.append(obs)
        resources += implications(ctx, item, ref)
    sent = {item.key for item in listed}
    rest = [f for f in ctx.report["findings"] if f.get("variant_id") not in sent]
    return resources, rest, genes


def build_bundle(report: Json) -> Json:
    """The whole bundle: DiagnosticReport, Patient, Specimens, then every Observation."""
    ctx = _context(report)
    head = _patient_and_specimens(ctx)
    results, rest, genes = _findings_and_variants(ctx)
    markers, marker_refs = biomarker_observations(ctx, genes)
    results += markers
    unsent = []
    for f in rest:  # biomarker findings (MSI, TMB, ERBB2 amplification): "<name> positive ..."
        name = next((n for n in marker_refs if str(f.get("summary", "")).startswith(n + " ")), None)
        if name is None:
            unsent.append(f)
            continue
        item = Reported("biomarker:" + name, None, f, FINDING)
        results += implications(ctx, item, marker_refs[name])
    results += region_observations(ctx)
    dr = diagnostic_report(ctx, results, unsent)
    entries = [dr, *head, *results]
    bundle: Json = {"resourceType": "Bundle", "id": ctx.id("bundle"), "type": "collection"}
    if "issued" in dr:
        bundle["timestamp"] = dr["issued"]
    bundle["entry"] = [{"fullUrl": "urn:uuid:" + r["id"], "resource": r} for r in entries]
    return bundle


def bundle_json(report: Json) -> str:
    """The file's text: the same report.json always gives the same bytes."""
    return json.dumps(build_bundle(report), indent=1, ensure_ascii=False) + "\n"

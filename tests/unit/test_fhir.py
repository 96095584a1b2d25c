"""report.fhir.json: bundles built from small report.json documents, validated with the
FHIR R4B models of fhir.resources (the package has no plain R4 models; R4B is R4 for
everything this bundle uses) and checked against the Genomics Reporting profiles' codes."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from bigmed.base.schemas import load_schema
from bigmed.report import fhir
from fhir.resources.R4B.bundle import Bundle

IG = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"
LOINC = "http://loinc.org"
PATHOGENIC_CODES = {"LA6668-3", "LA26332-9"}  # Pathogenic, Likely pathogenic


# ---------------------------------------------------------------------------- report.json


def provenance() -> dict:
    return {
        "pipeline_version": "0.1.0",
        "git_commit": "abc",
        "config_hash": "0" * 64,
        "reference": {"path": "ref.fa", "sha256": "1" * 64, "build": "GRCh38"},
        "annotation": {"path": "a.gff3", "sha256": "2" * 64},
        "tools": {},
        "python_packages": {},
        "knowledge_bases": [{"name": "ClinVar", "version": "2026-02-26", "complete": False}],
        "inputs": [],
    }


def qc() -> dict:
    return {
        "reads": 1000,
        "reads_after_trimming": 990,
        "mapped_fraction": 0.99,
        "duplicate_fraction": 0.1,
        "mean_coverage": 50.0,
        "fraction_target_at_min_depth": 0.95,
        "status": "pass",
        "reasons": [],
    }


def sample(name: str, role: str, sex: str = "female", affected: str = "yes") -> dict:
    return {"sample": name, "role": role, "sex": sex, "affected": affected, "qc": qc()}


def variant(vid: str, gene: str, hgvs_c: str, hgvs_p: str | None, cls: str | None, **kw) -> dict:
    chrom, pos, ref, alt = vid.split("-")
    v = {
        "id": vid,
        "chrom": chrom,
        "pos": int(pos),
        "ref": ref,
        "alt": alt,
        "filter": "PASS",
        "qual": 100.0,
        "gene": gene,
        "transcript": kw.pop("transcript", "NM_000001.1"),
        "mane_select": True,
        "consequence": kw.pop("consequence", "missense"),
        "hgvs_c": hgvs_c,
        "hgvs_p": hgvs_p,
        "genotypes": kw.pop("genotypes", {}),
        "classification": cls,
        "rank": None,
        "evidence": kw.pop("evidence", []),
        "origin": kw.pop("origin", "germline"),
    }
    v.update(kw)
    return v


def gt(call: str, ref: int, alt: int) -> dict:
    dp = ref + alt
    return {"gt": call, "dp": dp, "ad": [ref, alt], "vaf": round(alt / dp, 4) if dp else None}


def coverage(sample_id: str, genes: list[dict], gaps: list[dict] | None = None) -> dict:
    return {
        "min_depth": 20,
        "exon_padding": 10,
        "sample": sample_id,
        "genes": genes,
        "gaps": gaps or [],
    }


def cov_gene(gene: str, tx: str | None, frac: float, status: str, bases: int = 1000) -> dict:
    return {
        "gene": gene,
        "transcript": tx,
        "coding_bases": bases,
        "fraction_at_min_depth": frac,
        "status": status,
    }


def report(patient: str, pilot: str, samples: list, variants: list, findings: list, **kw) -> dict:
    doc = {
        "schema_version": "1.0",
        "patient": patient,
        "pilot": pilot,
        "generated": "2026-01-02T03:04:05Z",
        "interpretation": {"status": "complete", "note": f"{pilot} rules applied"},
        "samples": samples,
        "findings": findings,
        "sections": kw.pop("sections", []),
        "variants": variants,
        "biomarkers": kw.pop("biomarkers", []),
        "coverage": kw.pop("coverage", coverage(samples[0]["sample"], [])),
        "not_assessable": kw.pop("not_assessable", []),
        "provenance": provenance(),
    }
    doc.update(kw)
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(doc)
    return doc


SMAD4 = "chr18-51078307-T-C"
LMNA = "chr1-156136094-G-A"
BRCA2_DEL = "chr13-32338150-CTT-C"


def rare_disease() -> dict:
    """A trio: a de novo VUS candidate (the finding), a hemizygous X call, a deletion."""
    fam = {"RD-P": gt("0/1", 17, 16), "RD-M": gt("0/0", 38, 0), "RD-F": gt("0/0", 39, 0)}
    acmg = [
        {"type": "acmg", "class": "Uncertain significance", "points": 2, "criteria_met": ["PM6"],
         "engine": "bigmed.acmg (Richards 2015)"},
        {"type": "criterion", "code": "PM6", "strength": "moderate", "met": True, "points": 2,
         "evidence": "de novo, parentage not confirmed"},
        {"type": "clinvar", "variation_id": "12345", "significance": "Uncertain significance"},
    ]  # fmt: skip
    variants = [
        variant(SMAD4, "SMAD4", "c.1499T>C", "p.(Ile500Thr)", "Uncertain significance",
                genotypes=fam, evidence=acmg, transcript="NM_005359.5"),
        variant(BRCA2_DEL, "BRCA2", "c.100_101del", "p.(Leu34fs)", "Pathogenic",
                consequence="frameshift", genotypes={"RD-P": gt("1/1", 0, 30)}),
        variant("chrX-100-A-G", "DMD", "c.5A>G", "p.(Asp2Gly)", "Likely benign",
                genotypes={"RD-P": gt("1", 0, 12)}),
    ]  # fmt: skip
    smad4 = {
        "variant_id": SMAD4,
        "gene": "SMAD4",
        "hgvs_c": "c.1499T>C",
        "hgvs_p": "p.(Ile500Thr)",
        "classification": "Uncertain significance",
        "summary": "Candidate 1: de novo; VUS (PM6)",
        "rank": 1,
        "inheritance": "de_novo",
        "evidence": [{"code": "PM6", "strength": "moderate", "evidence": "de novo"}],
    }
    brca2 = {
        "variant_id": BRCA2_DEL,
        "gene": "BRCA2",
        "hgvs_c": "c.100_101del",
        "hgvs_p": "p.(Leu34fs)",
        "classification": "Pathogenic",
        "summary": "Candidate 2",
        "rank": 2,
        "evidence": [],
    }
    findings = [brca2]  # a VUS is a candidate for review, never a finding
    candidates = [smad4, brca2]
    genes = [
        cov_gene("SMAD4", "NM_005359.5", 1.0, "assessable"),
        cov_gene("BRCA2", "NM_000059.3", 0.5, "not assessable", bases=10000),
        cov_gene("PTEN", "NM_000314.4", 0.0, "not assessable"),
    ]
    gaps = [
        {"gene": "BRCA2", "transcript": "NM_000059.3", "exon": "exon3", "chrom": "chr13",
         "start": 32316422, "end": 32316527, "fraction_at_min_depth": 0.0},
        {"gene": "BRCA2", "transcript": "NM_000059.3", "exon": "exon4", "chrom": "chr13",
         "start": 32325076, "end": 32325184, "fraction_at_min_depth": 0.6},
        {"gene": "PTEN", "transcript": "NM_000314.4", "exon": "exon1", "chrom": "chr10",
         "start": 87863625, "end": 87864548, "fraction_at_min_depth": 0.0},
    ]  # fmt: skip
    samples = [
        sample("RD-P", "proband"),
        sample("RD-M", "mother"),
        sample("RD-F", "father", "male"),
    ]
    return report(
        "RD", "rare_disease", samples, variants, findings, candidates=candidates,
        coverage=coverage("RD-P", genes, gaps),
        not_assessable=[
            {"what": "relatedness of RD-P/RD-M", "reason": "13 informative sites, 100 needed"},
            {"what": "BRCA2 (NM_000059.3)",
             "reason": "not assessable: 50.0% of coding bases at >= 20x"},
        ],
    )  # fmt: skip


def civic(therapy: str | None, level: str, match: str, significance: str, n: int) -> dict:
    return {
        "source": "CIViC", "source_version": "2024-04-02", "id": f"civic.eid:{n}",
        "level": level, "source_level": f"CIViC level {level}",
        "tumor_type": "COADREAD" if match == "same" else "SKCM",
        "disease": "Colorectal Cancer" if match == "same" else "Melanoma",
        "tumor_type_match": match, "matched_on": "protein change", "therapy": therapy,
        "significance": significance, "citation": f"PMID {n}", "url": f"https://civicdb.org/evidence/{n}",
    }  # fmt: skip


BRAF = "chr7-140753336-A-T"
PTEN = "chr10-87952169-T-G"
KRAS = "chr12-25245350-C-T"
APC = "chr5-112839942-C-T"


def crc() -> dict:
    evidence = [
        civic("Encorafenib + Cetuximab", "A", "same", "sensitivity", 1),
        civic("Panitumumab", "B", "same", "resistance", 2),
        civic("Vemurafenib", "A", "other", "sensitivity", 3),  # Tier I rests on same-type A/B
        civic("PLX4720", "D", "same", "sensitivity", 4),  # preclinical: stays in report.json
        civic(None, "A", "same", "poor prognosis", 5),
    ]
    tumor = {"CRC-T": gt("0/1", 84, 151), "CRC-N": gt("0/0", 19, 0)}
    variants = [
        variant(BRAF, "BRAF", "c.1799T>A", "p.(Val600Glu)", "Tier I (level A)", origin="somatic",
                genotypes=tumor, evidence=evidence, transcript="NM_004333.4"),
        variant(PTEN, "PTEN", "c.544T>G", "p.(Leu182Val)", "Tier III", origin="somatic",
                genotypes={"CRC-T": gt("0/1", 23, 3), "CRC-N": gt("0/0", 18, 0)}),
        variant(KRAS, "KRAS", "c.35G>A", "p.(Gly12Asp)", "Tier II (level C)", origin="somatic",
                genotypes={"CRC-T": gt("0/1", 50, 20), "CRC-N": gt("0/0", 30, 0)},
                evidence=[civic("Cetuximab", "A", "other", "resistance", 6),
                          civic("Sotorasib", "D", "same", "sensitivity", 7),
                          civic("Binimetinib", "C", "other", "sensitivity", 8)]),
        variant("chr7-1000-G-A", "BRAF", "c.1G>A", None, "Tier IV", origin="somatic",
                genotypes={"CRC-T": gt("0/1", 50, 50)}),
        variant("chr2-500-G-A", "APC", "c.9G>A", None, None, origin="germline",
                genotypes={"CRC-N": gt("0/1", 20, 20)}),
        variant(APC, "APC", "c.4348C>T", "p.(Arg1450Ter)", "Pathogenic", origin="germline",
                consequence="stop_gained", genotypes={"CRC-N": gt("0/1", 19, 34)},
                evidence=[{"type": "acmg", "class": "Uncertain significance", "points": 4,
                           "engine": "bigmed.acmg"}]),
    ]  # fmt: skip
    findings = [
        {"variant_id": BRAF, "gene": "BRAF", "hgvs_c": "c.1799T>A", "hgvs_p": "p.(Val600Glu)",
         "classification": "Tier I (level A)", "summary": "BRAF p.(Val600Glu) Tier I",
         "evidence": evidence},
        {"variant_id": KRAS, "gene": "KRAS", "hgvs_c": "c.35G>A", "hgvs_p": "p.(Gly12Asp)",
         "classification": "Tier II (level C)", "summary": "KRAS p.(Gly12Asp) Tier II",
         "evidence": variants[2]["evidence"]},
        {"variant_id": None, "gene": None, "hgvs_c": None, "hgvs_p": None,
         "classification": "Tier I (level B)", "summary": "MSI positive (unstable) — Tier I",
         "evidence": [civic("Pembrolizumab", "B", "same", "sensitivity", 9)]},
        {"variant_id": APC, "gene": "APC", "hgvs_c": "c.4348C>T", "hgvs_p": "p.(Arg1450Ter)",
         "classification": "Pathogenic", "summary": "APC p.(Arg1450Ter) germline",
         "condition": "familial adenomatous polyposis", "rests_on": "ClinVar (2 stars)",
         "known_classification": {"status": "clinvar", "source": "ClinVar 2026-02-26",
                                  "stars": 2, "record": "194585", "class": "Pathogenic",
                                  "note": "2 star(s), criteria provided"},
         "evidence": [{"code": "PVS1_Strong", "strength": "strong", "evidence": "stop_gained"}]},
    ]  # fmt: skip
    biomarkers = [
        {"name": "MSI", "status": "positive", "reason": "40% unstable",
         "value": {"call": "MSI-H", "unstable_share": 0.4}},
        {"name": "TMB", "status": "not evaluable", "value": None,
         "reason": "callable 0.1 Mb < 1 Mb"},
        {"name": "BRAF V600E", "status": "positive", "value": ["BRAF p.(Val600Glu)"],
         "reason": "codon 600"},
        {"name": "NRAS", "status": "negative", "value": None,
         "reason": "codons 12, 13, 61 at >= 61x"},
        {"name": "ERBB2 amplification", "status": "positive", "value": None, "reason": "log2 1.8"},
    ]  # fmt: skip
    samples = [
        {**sample("CRC-T", "tumor", "male"), "tumor_type": "COADREAD", "purity": 0.6},
        sample("CRC-N", "normal", "male"),
    ]
    return report(
        "CRC", "crc", samples, variants, findings, biomarkers=biomarkers,
        coverage=coverage("CRC-T", [cov_gene("BRAF", "NM_004333.4", 1.0, "assessable")]),
        not_assessable=[{"what": "biomarker TMB", "reason": "callable 0.1 Mb < 1 Mb"}],
    )  # fmt: skip


def cardiac() -> dict:
    index = {"C-I": gt("0/1", 20, 18), "C-S": gt("0/1", 19, 13), "C-R": gt("0/0", 35, 0)}
    variants = [
        variant(LMNA, "LMNA", "c.1130G>A", "p.(Arg377His)", "Uncertain significance",
                genotypes=index),
        variant("chr1-156135039-T-C", "LMNA", "c.810+64T>C", None, "Uncertain significance",
                consequence="intron", genotypes=index),
        variant("chr14-23422200-G-A", "MYH7", "c.100C>T", "p.(Arg34Ter)", "Likely pathogenic",
                consequence="stop_gained", genotypes={"C-I": gt("0/1", 20, 20)}),
    ]  # fmt: skip
    findings = [
        {"variant_id": "chr14-23422200-G-A", "gene": "MYH7", "hgvs_c": "c.100C>T",
         "hgvs_p": "p.(Arg34Ter)", "classification": "Likely pathogenic",
         "summary": "Likely pathogenic heterozygous variant in MYH7", "evidence": [],
         "disease": "MYH7-related Dilated cardiomyopathy", "secondary": True,
         "inheritance": "Autosomal dominant (monoallelic_autosomal)"},
    ]  # fmt: skip
    vus = {
        "id": "cardiac-vus",
        "title": "VUS",
        "columns": ["variant", "gene"],
        "rows": [[LMNA, "LMNA"]],
    }
    samples = [
        sample("C-I", "proband"),
        sample("C-S", "sibling"),
        sample("C-R", "relative", "male", "no"),
    ]
    genes = [
        cov_gene("LMNA", "NM_170707.2", 0.98, "partially assessable"),
        cov_gene("TTN", None, 0.0, "not assessable", 0),
    ]
    return report(
        "CARD", "cardiac", samples, variants, findings, sections=[vus],
        coverage=coverage("C-I", genes),
        not_assessable=[{"what": "TTN: whole gene", "reason": "not in the reference annotation"}],
    )  # fmt: skip


# ---------------------------------------------------------------------------- helpers


def validated(doc: dict) -> dict:
    """The bundle, validated with fhir.resources (R4B) and checked to round-trip unchanged:
    nothing dropped, renamed or coerced by the models."""
    b = fhir.build_bundle(doc)
    model = Bundle.model_validate(b)
    assert json.loads(model.model_dump_json(exclude_none=True)) == json.loads(json.dumps(b))
    return b


def resources(b: dict, profile: str | None = None, rtype: str = "Observation") -> list[dict]:
    out = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype]
    if profile is not None:
        out = [r for r in out if r["meta"]["profile"] == [IG + profile]]
    return out


def comp(obs: dict, code: str) -> list[Any]:
    """Values of the components with this code (any system)."""
    values = []
    for c in obs.get("component", []):
        if any(x["code"] == code for x in c["code"].get("coding", [])):
            values.append(next(v for k, v in c.items() if k.startswith("value")))
    return values


def codes(value: dict) -> set[str]:
    return {c["code"] for c in value.get("coding", [])}


def variant_obs(b: dict, vid: str) -> dict:
    _, pos, ref, alt = vid.split("-")
    for obs in resources(b, "variant"):
        if (
            comp(obs, "69547-8") == [ref]
            and comp(obs, "69551-0") == [alt]
            and comp(obs, "81254-5")[0]["low"]["value"] == int(pos)
        ):
            return obs
    raise AssertionError(f"no Variant observation for {vid}")


def derived_from(b: dict, obs: dict, profile: str) -> list[dict]:
    ref = "urn:uuid:" + obs["id"]
    return [r for r in resources(b, profile) if {"reference": ref} in r.get("derivedFrom", [])]


def significance(b: dict, vid: str) -> set[str]:
    (imp,) = derived_from(b, variant_obs(b, vid), "diagnostic-implication")
    return set().union(*(codes(v) for v in comp(imp, "53037-8")))


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("make", [rare_disease, crc, cardiac])
def test_bundle_validates_and_every_reference_resolves(make):
    b = validated(make())
    assert b["type"] == "collection"
    urls = {e["fullUrl"] for e in b["entry"]}
    assert all(e["fullUrl"] == "urn:uuid:" + e["resource"]["id"] for e in b["entry"])
    refs = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"reference"}:
                refs.append(node["reference"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(b)
    assert refs and set(refs) <= urls
    (dr,) = resources(b, "genomics-report", "DiagnosticReport")
    observations = resources(b)
    assert {r["reference"] for r in dr["result"]} == {"urn:uuid:" + o["id"] for o in observations}
    for obs in observations:
        assert obs["status"] == "preliminary"
        assert obs["meta"]["profile"][0].startswith(IG)
        assert [codes(c) for c in obs["category"]] == [{"laboratory"}, {"GE"}]


def test_findings_are_variant_observations_with_grch38_coordinates_and_hgvs():
    b = validated(rare_disease())
    obs = variant_obs(b, SMAD4)
    assert codes(obs["code"]) == {"69548-6"} and codes(obs["valueCodeableConcept"]) == {"LA9633-4"}
    assert comp(obs, "48018-6") == [{"text": "SMAD4"}]
    assert codes(comp(obs, "62374-4")[0]) == {"LA26806-2"}  # GRCh38
    assert codes(comp(obs, "48013-7")[0]) == {"NC_000018.10"}
    assert codes(comp(obs, "48000-4")[0]) == {"LA21271-4"}  # chromosome 18
    assert codes(comp(obs, "92822-6")[0]) == {"LA30102-0"}  # 1-based
    assert codes(comp(obs, "48004-6")[0]) == {"NM_005359.5:c.1499T>C"}
    assert codes(comp(obs, "48005-3")[0]) == {"p.(Ile500Thr)"}
    assert codes(comp(obs, "81290-9")[0]) == {"NC_000018.10:g.51078307T>C"}
    assert codes(comp(obs, "48002-0")[0]) == {"LA6683-2"}  # germline
    assert codes(comp(obs, "53034-5")[0]) == {"LA6706-1"}  # heterozygous
    assert comp(obs, "81258-6")[0]["value"] == pytest.approx(16 / 33, abs=1e-4)
    assert comp(obs, "82121-5")[0]["value"] == 16
    assert codes(comp(obs, "81252-9")[0]) == {"12345"}  # ClinVar variation id
    assert codes(comp(obs, "molecular-consequence")[0]) == {"SO:0001583"}


def test_deletion_spans_its_reference_bases_and_has_no_genomic_hgvs():
    obs = variant_obs(validated(rare_disease()), BRCA2_DEL)
    assert comp(obs, "81254-5") == [{"low": {"value": 32338150}, "high": {"value": 32338152}}]
    assert comp(obs, "81290-9") == []  # an indel's g. HGVS needs 3' shifting: not guessed
    assert codes(comp(obs, "53034-5")[0]) == {"LA6705-3"}  # 1/1: homozygous


def test_symbolic_allele_has_a_start_but_no_invented_end():
    doc = rare_disease()
    doc["variants"][1]["alt"] = "<DEL>"
    obs = variant_obs(validated(doc), "chr13-32338150-CTT-<DEL>")
    assert comp(obs, "81254-5") == [{"low": {"value": 32338150}}]
    assert comp(obs, "81290-9") == []


@pytest.mark.parametrize(
    "call,code",
    [("0/1", "LA6706-1"), ("1|1", "LA6705-3"), ("1", "LA6707-9"), ("0/0", None), ("./.", None)],
)
def test_allelic_state_of_a_genotype(call, code):
    state = fhir.allelic_state(call)
    assert (codes(state) if state else None) == ({code} if code else None)


def test_vus_is_never_encoded_as_pathogenic():
    b = validated(rare_disease())
    assert significance(b, SMAD4) == {"LA26333-7"}
    assert significance(b, BRCA2_DEL) == {"LA6668-3"}
    card = validated(cardiac())
    assert significance(card, LMNA) == {"LA26333-7"}
    assert not significance(card, LMNA) & PATHOGENIC_CODES


def test_unknown_class_is_text_not_a_code():
    doc = rare_disease()
    doc["candidates"][0]["classification"] = "Pathogenic, low penetrance"
    b = validated(doc)
    (imp,) = derived_from(b, variant_obs(b, SMAD4), "diagnostic-implication")
    assert comp(imp, "53037-8") == [{"text": "Pathogenic, low penetrance"}]


def test_germline_implication_carries_summary_and_criteria():
    b = validated(rare_disease())
    (imp,) = derived_from(b, variant_obs(b, SMAD4), "diagnostic-implication")
    assert comp(imp, "conclusion-string") == [
        "Candidate for review, not a finding: Candidate 1: de novo; VUS (PM6)"
    ]
    assert comp(imp, "condition-inheritance") == []  # de novo: the variant's, not the disease's
    notes = [n["text"] for n in imp["note"]]
    assert any("PM6 (moderate)" in n for n in notes)
    assert any("bigmed.acmg" in n for n in notes)


def test_relatives_genotypes_are_not_in_the_patients_record():
    """Relatives are other people: no specimen of theirs, none of their genotypes or reads
    (the report's own sentences may still name them, e.g. segregation or relatedness)."""
    for doc, relatives in ((rare_disease(), ("RD-M", "RD-F")), (cardiac(), ("C-S", "C-R"))):
        b = validated(doc)
        assert {s["identifier"][0]["value"] for s in resources(b, rtype="Specimen")} == {
            doc["samples"][0]["sample"]
        }
        variants = json.dumps(resources(b, "variant"))
        assert doc["samples"][0]["sample"] in variants
        assert not any(r in variants for r in relatives)


def test_only_reported_variants_are_sent():
    """Findings, the cardiac VUS section, crc Tier I-III; not the rest of the call set."""
    card = validated(cardiac())
    assert len(resources(card, "variant")) == 2  # the LP finding and the listed VUS
    with pytest.raises(AssertionError):
        variant_obs(card, "chr1-156135039-T-C")  # VUS outside the section: not listed
    (vus,) = derived_from(card, variant_obs(card, LMNA), "diagnostic-implication")
    assert "not a finding" in comp(vus, "conclusion-string")[0]
    b = validated(crc())
    for vid in (BRAF, PTEN, KRAS):
        variant_obs(b, vid)
    for vid in ("chr7-1000-G-A", "chr2-500-G-A"):  # Tier IV, an unclassified germline call
        with pytest.raises(AssertionError):
            variant_obs(b, vid)


def test_cardiac_finding_disease_inheritance_and_secondary_flag():
    b = validated(cardiac())
    (imp,) = derived_from(b, variant_obs(b, "chr14-23422200-G-A"), "diagnostic-implication")
    assert comp(imp, "81259-4") == [{"text": "MYH7-related Dilated cardiomyopathy"}]
    assert comp(imp, "condition-inheritance") == [
        {"text": "Autosomal dominant (monoallelic_autosomal)"}
    ]
    assert imp["extension"][0]["url"].endswith("observation-secondaryFinding")


def test_somatic_tier_is_an_evidence_level_never_a_pathogenicity():
    b = validated(crc())
    obs = variant_obs(b, BRAF)
    assert codes(comp(obs, "48002-0")[0]) == {"LA6684-0"}  # somatic
    assert comp(obs, "53034-5") == []  # no zygosity for a somatic call
    assert comp(obs, "81258-6")[0]["value"] == pytest.approx(0.6426)
    assert "CRC-N" in comp(obs, "conclusion-string")[0]  # the matched normal's reads
    (imp,) = derived_from(b, obs, "diagnostic-implication")
    assert comp(imp, "53037-8") == []
    assert comp(imp, "93044-6") == [{"text": "AMP/ASCO/CAP Tier I (level A)"}]
    assert comp(imp, "prognostic-implication") == [{"text": "poor prognosis"}]
    (tier3,) = derived_from(b, variant_obs(b, PTEN), "diagnostic-implication")
    assert comp(tier3, "93044-6") == [{"text": "AMP/ASCO/CAP Tier III"}]
    assert derived_from(b, variant_obs(b, PTEN), "therapeutic-implication") == []


def therapies(b: dict, vid: str) -> dict[str, tuple[set[str], str]]:
    out = {}
    for t in derived_from(b, variant_obs(b, vid), "therapeutic-implication"):
        (drug,) = comp(t, "51963-7")
        (effect,) = comp(t, "predicted-therapeutic-implication")
        (context,) = comp(t, "81259-4")
        out[drug["text"]] = (codes(effect), context["text"])
        assert t["note"] and all("civicdb.org" in n["text"] for n in t["note"])
    return out


def test_tier_one_therapies_are_its_level_a_b_evidence_in_this_tumor_type():
    got = therapies(validated(crc()), BRAF)
    assert got == {
        "Encorafenib + Cetuximab": ({"LA6677-4"}, "Colorectal Cancer (COADREAD)"),  # responsive
        "Panitumumab": ({"LA6676-6"}, "Colorectal Cancer (COADREAD)"),  # resistant
    }  # not Vemurafenib (melanoma), not the preclinical PLX4720


def test_tier_two_therapies_are_the_evidence_it_rests_on():
    got = therapies(validated(crc()), KRAS)
    assert got == {
        "Cetuximab": ({"LA6676-6"}, "Melanoma (SKCM)"),
        "Sotorasib": ({"LA6677-4"}, "Colorectal Cancer (COADREAD)"),
    }  # not Binimetinib: level C in another tumor type is not what a Tier II call rests on


def test_biomarkers_evaluated_are_observations_and_the_rest_notes():
    b = validated(crc())
    (msi,) = resources(b, "msi")
    assert codes(msi["valueCodeableConcept"]) == {"LA26203-2"}  # MSI-H
    assert resources(b, "tmb") == []  # not evaluable: no observation...
    (dr,) = resources(b, "genomics-report", "DiagnosticReport")
    notes = [x["valueAnnotation"]["text"] for x in dr["extension"]]
    assert "Not assessable: biomarker TMB: callable 0.1 Mb < 1 Mb" in notes  # ...but a note
    absent = [
        o for o in resources(b, "variant") if codes(o["valueCodeableConcept"]) == {"LA9634-2"}
    ]
    assert [comp(o, "48018-6") for o in absent] == [[{"text": "NRAS"}]]
    assert "codons 12, 13, 61" in comp(absent[0], "conclusion-string")[0]
    erbb2 = [o for o in resources(b, "variant") if comp(o, "48018-6") == [{"text": "ERBB2"}]]
    assert len(erbb2) == 1 and codes(erbb2[0]["valueCodeableConcept"]) == {"LA9633-4"}
    # BRAF V600E positive is the BRAF variant already sent, not a second BRAF observation
    assert (
        len([o for o in resources(b, "variant") if comp(o, "48018-6") == [{"text": "BRAF"}]]) == 1
    )
    (imp,) = derived_from(b, msi, "diagnostic-implication")
    assert comp(imp, "conclusion-string") == ["MSI positive (unstable) — Tier I"]
    assert [comp(t, "51963-7") for t in derived_from(b, msi, "therapeutic-implication")] == [
        [{"text": "Pembrolizumab"}]
    ]


def test_tmb_value_when_evaluated():
    doc = crc()
    value = {"mutations_per_mb": 12.5, "mutations": 25, "callable_mb": 2.0}
    doc["biomarkers"][1] = {
        "name": "TMB",
        "status": "positive",
        "reason": "12.5/Mb",
        "value": value,
    }
    (tmb,) = resources(validated(doc), "tmb")
    assert tmb["valueQuantity"]["value"] == 12.5 and codes(tmb["interpretation"][0]) == {"H"}


def test_genes_analysed_and_what_was_not_assessable():
    doc = rare_disease()
    b = validated(doc)
    regions = {comp(o, "48018-6")[0]["text"]: o for o in resources(b, "region-studied")}
    assert set(regions) == {"SMAD4", "BRCA2", "PTEN"}
    brca2 = regions["BRCA2"]
    assert comp(brca2, "region-coverage")[0]["value"] == 50.0
    assert comp(brca2, "conclusion-string") == ["BRCA2: not assessable"]
    desc = comp(brca2, "81293-3")[0]
    assert "exon3 chr13:32316422-32316527 (0.0%)" in desc and "exon4" in desc
    # only the exon with no base at depth is an uncallable range (exon4 is 60 % covered)
    assert comp(brca2, "uncallable-regions") == [
        {"low": {"value": 32316422}, "high": {"value": 32316527}}
    ]
    assert codes(comp(brca2, "48013-7")[0]) == {"NC_000013.11"}
    assert comp(regions["PTEN"], "uncallable-regions") == []  # 0 %: the coverage says it all
    assert comp(regions["SMAD4"], "conclusion-string") == ["SMAD4: assessable"]
    card = validated(cardiac())
    ttn = next(
        o for o in resources(card, "region-studied") if comp(o, "48018-6") == [{"text": "TTN"}]
    )
    assert "not analysed" in comp(ttn, "81293-3")[0]
    (dr,) = resources(b, "genomics-report", "DiagnosticReport")
    notes = [x["valueAnnotation"]["text"] for x in dr["extension"]]
    for item in doc["not_assessable"]:
        assert f"Not assessable: {item['what']}: {item['reason']}" in notes
    assert any(
        n.startswith("Analysis: bigmed 0.1.0") and "ClinVar 2026-02-26 (subset)" in n for n in notes
    )


def test_report_header():
    b = validated(rare_disease())
    (dr,) = resources(b, "genomics-report", "DiagnosticReport")
    assert codes(dr["code"]) == {"51969-4", "81247-9"}
    assert codes(dr["category"][0]) == {"GE"}
    assert dr["issued"] == b["timestamp"] == "2026-01-02T03:04:05Z"
    assert dr["conclusion"] == "rare_disease rules applied"
    (patient,) = resources(b, rtype="Patient")
    assert patient["identifier"][0]["value"] == "RD" and patient["gender"] == "female"
    (specimen,) = resources(b, rtype="Specimen")
    assert specimen["identifier"][0]["value"] == "RD-P"
    crc_b = validated(crc())
    assert [s["identifier"][0]["value"] for s in resources(crc_b, rtype="Specimen")] == [
        "CRC-T",
        "CRC-N",
    ]
    assert variant_obs(crc_b, BRAF)["specimen"]["reference"].endswith(
        resources(crc_b, rtype="Specimen")[0]["id"]
    )


def test_unmatched_variantless_finding_is_a_note_not_silence():
    doc = crc()
    blank = {"variant_id": None, "gene": None, "hgvs_c": None, "hgvs_p": None, "evidence": []}
    doc["findings"].append({**blank, "classification": "Tier II", "summary": "HRD positive"})
    (dr,) = resources(validated(doc), "genomics-report", "DiagnosticReport")
    assert any("HRD positive" in x["valueAnnotation"]["text"] for x in dr["extension"])


def test_rerun_gives_the_same_bytes_and_ids_are_per_patient():
    doc = rare_disease()
    assert fhir.bundle_json(doc) == fhir.bundle_json(copy.deepcopy(doc))
    later = copy.deepcopy(doc)
    later["generated"] = "2026-02-03T04:05:06Z"
    a, b = fhir.build_bundle(doc), fhir.build_bundle(later)
    assert [e["fullUrl"] for e in a["entry"]] == [e["fullUrl"] for e in b["entry"]]
    assert a["entry"][1:] == b["entry"][1:]  # only the report's issued time moves
    other = copy.deepcopy(doc)
    other["patient"] = "RD2"
    ids = {e["fullUrl"] for e in a["entry"]}
    assert not ids & {e["fullUrl"] for e in fhir.build_bundle(other)["entry"]}
    assert len(ids) == len(a["entry"])


def test_bad_timestamp_is_left_out_not_invented():
    doc = rare_disease()
    doc["generated"] = "yesterday"
    b = validated(doc)
    assert (
        "timestamp" not in b
        and "issued" not in resources(b, "genomics-report", "DiagnosticReport")[0]
    )


def test_vcf_patient_without_coverage_still_has_a_report():
    doc = rare_disease()
    doc["coverage"] = coverage("RD-P", [])
    doc["variants"], doc["findings"], doc["candidates"] = [], [], []
    b = validated(doc)
    assert resources(b) == []
    (dr,) = resources(b, "genomics-report", "DiagnosticReport")
    assert "result" not in dr and dr["extension"]


# Component slices of the STU2 profiles (code -> most allowed; None: any number). The
# slicing is open, but every component sent is one of the profile's own slices.
ONE = 1
SLICES = {
    "variant": {
        "48018-6": None, "48001-2": None, "62374-4": None, "48004-6": ONE, "81290-9": ONE,
        "48013-7": ONE, "51958-7": ONE, "81254-5": ONE, "92822-6": ONE, "69547-8": ONE,
        "69551-0": ONE, "48002-0": ONE, "81258-6": ONE, "82121-5": ONE, "53034-5": ONE,
        "81252-9": None, "48000-4": None, "48005-3": ONE, "molecular-consequence": ONE,
        "conclusion-string": ONE,
    },
    "diagnostic-implication": {
        "93044-6": None, "prognostic-implication": ONE, "81259-4": None,
        "condition-inheritance": ONE, "53037-8": ONE, "conclusion-string": ONE,
    },
    "therapeutic-implication": {
        "93044-6": None, "prognostic-implication": ONE, "81259-4": None, "51963-7": None,
        "predicted-therapeutic-implication": None, "conclusion-string": ONE,
    },
    "region-studied": {
        "48018-6": ONE, "81293-3": ONE, "region-coverage": ONE, "92822-6": ONE, "48013-7": ONE,
        "uncallable-regions": None, "conclusion-string": ONE,
    },
    "msi": {"conclusion-string": ONE},
    "tmb": {"conclusion-string": ONE},
}  # fmt: skip
CODE = {
    "variant": "69548-6", "diagnostic-implication": "diagnostic-implication",
    "therapeutic-implication": "therapeutic-implication", "region-studied": "53041-0",
    "msi": "81695-9", "tmb": "94076-7",
}  # fmt: skip


@pytest.mark.parametrize("make", [rare_disease, crc, cardiac])
def test_observations_follow_their_profiles(make):
    """What the Python models cannot check: each profile's fixed code, its value rules and
    its component slices with their cardinalities."""
    doc = make()
    if make is crc:  # an evaluated TMB too
        value = {"mutations_per_mb": 3.0, "mutations": 6, "callable_mb": 2.0}
        doc["biomarkers"][1] = {
            "name": "TMB",
            "status": "negative",
            "reason": "low",
            "value": value,
        }
    b = validated(doc)
    seen = set()
    for obs in resources(b):
        profile = obs["meta"]["profile"][0].removeprefix(IG)
        seen.add(profile)
        assert codes(obs["code"]) == {CODE[profile]}
        values = [k for k in obs if k.startswith("value")]
        if profile in ("region-studied", "diagnostic-implication", "therapeutic-implication"):
            assert values == []  # value[x] 0..0
        else:
            assert len(values) == 1
        if profile.endswith("implication"):
            assert obs["derivedFrom"]  # 1..*
        counts: dict[str, int] = {}
        for c in obs.get("component", []):
            (code,) = codes(c["code"])
            assert code in SLICES[profile], (profile, code)
            counts[code] = counts.get(code, 0) + 1
        for code, n in counts.items():
            assert SLICES[profile][code] is None or n <= SLICES[profile][code], (profile, code)
    assert "variant" in seen and "diagnostic-implication" in seen and "region-studied" in seen
    if make is crc:
        assert {"msi", "tmb", "therapeutic-implication"} <= seen


def test_germline_finding_of_a_crc_patient_rests_on_clinvar():
    """A pathogenic germline variant seen in the matched normal: the normal's genotype, the
    class with the ClinVar review stars it rests on, the engine's own (lower) result noted."""
    b = validated(crc())
    obs = variant_obs(b, APC)
    normal = next(
        s for s in resources(b, rtype="Specimen") if s["identifier"][0]["value"] == "CRC-N"
    )
    assert obs["specimen"] == {"reference": "urn:uuid:" + normal["id"]}
    assert codes(comp(obs, "48002-0")[0]) == {"LA6683-2"}  # germline
    assert codes(comp(obs, "53034-5")[0]) == {"LA6706-1"}  # heterozygous
    (imp,) = derived_from(b, obs, "diagnostic-implication")
    assert set().union(*(codes(c) for c in comp(imp, "53037-8"))) == {"LA6668-3"}
    assert [codes(c) for c in comp(imp, "93044-6")] == [{"2-star"}]
    assert comp(imp, "81259-4") == [{"text": "familial adenomatous polyposis"}]
    notes = [n["text"] for n in imp["note"]]
    assert any(
        n.startswith("Class rests on ClinVar (2 stars): ClinVar 2026-02-26 Pathogenic")
        for n in notes
    )
    assert any("engine bigmed.acmg: Uncertain significance, 4 point(s)" in n for n in notes)
    assert derived_from(b, obs, "therapeutic-implication") == []

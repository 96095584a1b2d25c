"""The demo's FHIR bundles: every patient's report.fhir.json validates (fhir.resources, R4B
models) and carries what its report.json says."""

from __future__ import annotations

import json

import pytest
from bigmed.report import fhir
from conftest import Batch, job_counts
from fhir.resources.R4B.bundle import Bundle

pytestmark = pytest.mark.integration

IG = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"


def _profile(resource: dict) -> str:
    return resource.get("meta", {}).get("profile", [""])[0].removeprefix(IG)


def _components(obs: dict, code: str) -> list:
    return [
        next(v for k, v in c.items() if k.startswith("value"))
        for c in obs.get("component", [])
        if any(x["code"] == code for x in c["code"].get("coding", []))
    ]


def _bundles(demo: Batch) -> dict[str, tuple[dict, dict, str]]:
    """patient -> (report.json, bundle, the bundle's text), for every report of the demo."""
    out = {}
    for path in sorted((demo.workdir / "results").glob("*/report.json")):
        text = (path.parent / "report.fhir.json").read_text()
        out[path.parent.name] = (json.loads(path.read_text()), json.loads(text), text)
    return out


def test_every_patient_has_a_valid_bundle_with_its_findings_genes_and_gaps(demo_run: Batch):
    bundles = _bundles(demo_run)
    assert {"HG001", "HG001V", "RD01", "CARD01", "CRC01"} <= set(bundles)
    for patient, (report, bundle, text) in bundles.items():
        Bundle.model_validate(bundle)
        assert text == fhir.bundle_json(report), patient  # a function of report.json alone
        resources = [e["resource"] for e in bundle["entry"]]
        dr = resources[0]
        assert dr["resourceType"] == "DiagnosticReport" and _profile(dr) == "genomics-report"
        notes = [x["valueAnnotation"]["text"] for x in dr["extension"]]
        for item in report["not_assessable"]:
            assert f"Not assessable: {item['what']}: {item['reason']}" in notes, patient
        variants = {
            (_components(o, "69547-8")[0], _components(o, "69551-0")[0],
             _components(o, "81254-5")[0]["low"]["value"])
            for o in resources if _profile(o) == "variant" and _components(o, "69547-8")
        }  # fmt: skip
        by_id = {v["id"]: v for v in report["variants"]}
        for f in report["findings"]:
            if f.get("variant_id"):
                v = by_id[f["variant_id"]]
                assert (v["ref"], v["alt"], v["pos"]) in variants, (patient, f["variant_id"])
        regions = [o for o in resources if _profile(o) == "region-studied"]
        genes = {_components(o, "48018-6")[0]["text"] for o in regions}
        assert genes == {g["gene"] for g in report["coverage"]["genes"]}, patient


def test_crc_braf_v600e_is_a_tier_one_variant_with_its_therapies(demo_run: Batch):
    _, bundle, _ = _bundles(demo_run)["CRC01"]
    resources = [e["resource"] for e in bundle["entry"]]
    (braf,) = [
        o
        for o in resources
        if _profile(o) == "variant" and _components(o, "48005-3")
        and _components(o, "48005-3")[0]["coding"][0]["code"] == "p.(Val600Glu)"
    ]  # fmt: skip
    assert _components(braf, "81290-9")[0]["coding"][0]["code"] == "NC_000007.14:g.140753336A>T"
    ref = {"reference": "urn:uuid:" + braf["id"]}
    implications = [o for o in resources if ref in o.get("derivedFrom", [])]
    (diag,) = [o for o in implications if _profile(o) == "diagnostic-implication"]
    assert _components(diag, "93044-6")[0]["text"].startswith("AMP/ASCO/CAP Tier I")
    assert _components(diag, "53037-8") == []  # a tier is not a pathogenicity
    drugs = [
        _components(o, "51963-7")[0]["text"]
        for o in implications
        if _profile(o) == "therapeutic-implication"
    ]
    assert any("Encorafenib" in d for d in drugs)


def test_export_follows_the_config_key(batch: Batch):
    counts = job_counts(batch.run("-n").stdout)
    assert counts.get("export_fhir") == 1
    batch.edit(report__fhir=False)
    counts = job_counts(batch.run("-n").stdout)
    assert counts and "export_fhir" not in counts

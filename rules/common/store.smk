# The lab's variant store (rules/store.smk): start-up check and input functions.

from bigmed.store.db import DEFAULT_PATH, check_store

STORE_ENABLED = config["store"]["enabled"]
STORE_URL = config["store"]["url"] or DEFAULT_PATH
STORE_SETTINGS = {
    key: config["store"][key]
    for key in ("recurrent_min_patients", "recurrent_min_fraction", "pon_min_normals")
}
if STORE_ENABLED:
    try:
        check_store(STORE_URL)  # reachable, not of a newer schema; read only
    except InputError as _err:
        _fail(_err)


def get_store_lookup(wildcards):
    if not STORE_ENABLED:
        return []
    return f"results/store/lookup/{wildcards.patient}.json"


def get_store_annotated(wildcards):
    """The knowledge join of the patient (ClinVar classes to compare the lab's with)."""
    if PATIENTS[wildcards.patient].pilot == "crc":
        return []
    return f"results/knowledge/{wildcards.patient}.annotated.json"


def store_patient_files(patient):
    somatic = PATIENTS[patient].pilot == "crc"
    return {
        "calls": f"results/{patient}/calls.vcf.gz",
        "somatic": f"results/somatic/{patient}/somatic.vcf.gz" if somatic else None,
    }


def get_store_load_inputs(wildcards):
    """Every patient's call sets, and every lookup: the batch is loaded after all of its
    reports have looked the store up, so none counts its own batch-mates by chance."""
    files = [store_patient_files(p) for p in PATIENTS]
    return {
        "calls": [f["calls"] for f in files],
        "somatic": [f["somatic"] for f in files if f["somatic"]],
        "lookups": [f"results/store/lookup/{p}.json" for p in PATIENTS],
    }


def store_patients_json():
    return json.dumps(
        [
            {
                "patient": p,
                "pilot": PATIENTS[p].pilot,
                "roles": {s.sample: s.role for s in PATIENTS[p].samples},
                **store_patient_files(p),
            }
            for p in PATIENTS
        ]
    )

"""Rule script: load the batch's observations into the lab's store (one transaction)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.store.db import open_store
from bigmed.store.observations import load_patients, read_patient


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    par = snakemake.params
    batch = [
        read_patient(
            p["patient"], p["pilot"], p["roles"], p["calls"], p["somatic"], par.min_alt_reads
        )
        for p in json.loads(par.patients)
    ]
    store = open_store(par.url)
    try:
        actions = load_patients(store, batch)
    finally:
        store.close()
    for patient, action in actions.items():
        print(f"{patient}: {action}")
    # the receipt holds no time and no action, so a resumed run writes the same file
    receipt = {
        "store": store.url,
        "schema_version": store.version,
        "patients": [
            {
                "patient": pc.patient,
                "pilot": pc.pilot,
                "observations": {
                    k: sum(1 for o in pc.observations if o.kind == k)
                    for k in ("germline", "somatic", "normal")
                },
                "digest": pc.digest(),
            }
            for pc in batch
        ],
    }
    write_text(snakemake.output[0], json.dumps(receipt, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

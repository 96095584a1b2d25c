"""Rule script: what the lab's store knows about one patient's calls (before this batch)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.store.db import open_store
from bigmed.store.lookup import Settings, known_classes, lookup, patient_keys


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    keys = patient_keys(inp.calls, inp.somatic or None)
    store = open_store(par.url)
    try:
        doc = lookup(
            store, par.patient, keys, Settings(**par.settings), known_classes(inp.annotated or None)
        )
    finally:
        store.close()
    seen = sum(1 for v in doc["variants"].values() if v["observations"]["germline"]["patients"])
    print(f"{len(keys)} calls looked up in {store.url}: {seen} seen before")
    write_text(snakemake.output[0], json.dumps(doc, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821

# The lab's variant store: each report looks it up, and the batch is loaded at the end.


rule lookup_store:
    input:
        calls="results/{patient}/calls.vcf.gz",
        somatic=get_somatic_calls,
        annotated=get_store_annotated,
    output:
        "results/store/lookup/{patient}.json",
    log:
        "logs/store/lookup_store/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        patient=lambda wc: wc.patient,
        url=STORE_URL,
        settings=STORE_SETTINGS,
        code=BIGMED_HASH,
    script:
        "../scripts/lookup_store.py"


rule load_store:
    input:
        unpack(get_store_load_inputs),
    output:
        "results/store/loaded.json",
    log:
        "logs/store/load_store.log",
    conda:
        "../envs/python.yaml"
    params:
        patients=store_patients_json(),
        url=STORE_URL,
        min_alt_reads=config["store"]["pon_min_alt_reads"],
        code=BIGMED_HASH,
    script:
        "../scripts/load_store.py"

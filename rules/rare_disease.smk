# rare_disease pilot: interpretation of a patient's calls (see workflow/schemas/interpretation.schema.json).
# Minimal for now: ACMG/AMP classification of the joined calls (bigmed.germline_interpretation).


rule interpret_rare_disease:
    input:
        annotated="results/knowledge/{patient}.annotated.json",
        vcf="results/{patient}/calls.vcf.gz",
        overrides=ACMG_OVERRIDES,
    output:
        "results/interpretation/rare_disease/{patient}.json",
    log:
        "logs/interpret/rare_disease/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        pilot="rare_disease",
        samples=lambda wc: patient_samples_json(wc.patient),
        min_depth=config["calling"]["min_depth"],
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_germline.py"

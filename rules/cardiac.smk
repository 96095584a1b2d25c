# cardiac pilot: interpretation of a patient's calls (see workflow/schemas/interpretation.schema.json).
# Minimal for now: ACMG/AMP classification of the joined calls; findings in Cardiac G2P genes.


rule interpret_cardiac:
    input:
        annotated="results/knowledge/{patient}.annotated.json",
        vcf="results/{patient}/calls.vcf.gz",
        overrides=ACMG_OVERRIDES,
    output:
        "results/interpretation/cardiac/{patient}.json",
    log:
        "logs/interpret/cardiac/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        pilot="cardiac",
        samples=lambda wc: patient_samples_json(wc.patient),
        min_depth=config["calling"]["min_depth"],
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_germline.py"

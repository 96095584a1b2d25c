# rare_disease pilot: interpretation of a patient's calls (see workflow/schemas/interpretation.schema.json).


rule interpret_rare_disease:
    input:
        vcf="results/{patient}/calls.vcf.gz",
    output:
        "results/interpretation/rare_disease/{patient}.json",
    log:
        "logs/interpret/rare_disease/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        pilot="rare_disease",
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_pending.py"

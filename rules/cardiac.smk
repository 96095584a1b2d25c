# cardiac pilot: interpretation of a patient's calls (see workflow/schemas/interpretation.schema.json).


rule interpret_cardiac:
    input:
        vcf="results/{patient}/calls.vcf.gz",
    output:
        "results/interpretation/cardiac/{patient}.json",
    log:
        "logs/interpret/cardiac/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        pilot="cardiac",
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_pending.py"

# crc pilot: interpretation of a patient's calls (see workflow/schemas/interpretation.schema.json).


rule interpret_crc:
    input:
        vcf="results/{patient}/calls.vcf.gz",
    output:
        "results/interpretation/crc/{patient}.json",
    log:
        "logs/interpret/crc/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        pilot="crc",
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_pending.py"

# Knowledge bundle (sources checked when the workflow is parsed) and the per-patient join.


rule build_knowledge_bundle:
    input:
        get_knowledge_source_files,
    output:
        **KB_BUNDLE,
    log:
        "logs/knowledge/build_knowledge_bundle.log",
    benchmark:
        "results/benchmarks/knowledge/build_knowledge_bundle.tsv"
    conda:
        "../envs/python.yaml"
    params:
        sources=json.dumps(config["knowledge"]["sources"]),
        code=BIGMED_HASH,
    script:
        "../scripts/build_knowledge_bundle.py"


rule join_knowledge:
    input:
        **KB_BUNDLE,
        vcf="results/{patient}/calls.vcf.gz",
        tbi="results/{patient}/calls.vcf.gz.tbi",
        transcripts="results/reference/transcripts.json",
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        "results/knowledge/{patient}.annotated.json",
    log:
        "logs/knowledge/join_knowledge/{patient}.log",
    benchmark:
        "results/benchmarks/knowledge/join_knowledge/{patient}.tsv"
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/join_knowledge.py"

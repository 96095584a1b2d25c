# Reference preparation: built once per results/ and reused by every patient.


rule prepare_reference:
    input:
        config["reference"]["fasta"],
    output:
        fasta=REF,
        fai=f"{REF}.fai",
        dict="results/reference/genome.dict",
    log:
        "logs/reference/prepare_reference.log",
    conda:
        "../envs/align.yaml"
    shell:
        "(zcat -f {input:q} > {output.fasta} && samtools faidx {output.fasta}"
        " && samtools dict {output.fasta} -o {output.dict}) 2> {log}"


rule index_bwa:
    input:
        REF,
    output:
        BWA_INDEX,
    log:
        "logs/reference/index_bwa.log",
    benchmark:
        "results/benchmarks/reference/index_bwa.tsv"
    conda:
        "../envs/align.yaml"
    resources:
        mem_mb=6000,
    shell:
        "bwa index {input} 2> {log}"


rule prepare_annotation:
    input:
        gff=config["reference"]["annotation"],
        fai=f"{REF}.fai",
    output:
        gff="results/reference/annotation.gff3",
        transcripts="results/reference/transcripts.json",
        exons="results/reference/coding_exons.bed",
    log:
        "logs/reference/prepare_annotation.log",
    conda:
        "../envs/python.yaml"
    params:
        padding=config["coverage"]["exon_padding"],
        code=BIGMED_HASH,
    script:
        "../scripts/prepare_annotation.py"


rule prepare_targets:
    input:
        fai=f"{REF}.fai",
        targets=config["targets"] or [],
    output:
        bed="results/reference/targets.bed",
        shards=expand("results/reference/shards/{shard}.bed", shard=SHARDS),
    log:
        "logs/reference/prepare_targets.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/prepare_targets.py"

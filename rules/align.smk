# Trimming, alignment, duplicate marking: one coordinate-sorted, indexed BAM per sample.


rule trim_reads:
    input:
        unpack(get_fastqs),
    output:
        r1=temp("results/trimmed/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/trimmed/{sample}/{unit}_R2.fastq.gz"),
        json="results/qc/fastp/{sample}/{unit}.fastp.json",
        html="results/qc/fastp/{sample}/{unit}.fastp.html",
    log:
        "logs/trim_reads/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/trim_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/align.yaml"
    threads: 2
    params:
        min_length=config["trimming"]["min_length"],
        qualified=config["trimming"]["qualified_quality"],
    shell:
        "fastp --in1 {input.r1} --in2 {input.r2} --out1 {output.r1} --out2 {output.r2}"
        " --detect_adapter_for_pe --length_required {params.min_length}"
        " --qualified_quality_phred {params.qualified} --thread {threads}"
        " --json {output.json} --html {output.html} --report_title '{wildcards.sample} {wildcards.unit}'"
        " 2> {log}"


rule map_reads:
    input:
        r1="results/trimmed/{sample}/{unit}_R1.fastq.gz",
        r2="results/trimmed/{sample}/{unit}_R2.fastq.gz",
        ref=REF,
        index=BWA_INDEX,
    output:
        temp("results/mapped/{sample}/{unit}.bam"),
    log:
        "logs/map_reads/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/map_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/align.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        read_group=r"@RG\tID:{sample}.{unit}\tSM:{sample}\tLB:{sample}\tPL:ILLUMINA\tPU:{unit}",
    shell:
        "(bwa mem -t {threads} -R '{params.read_group}' {input.ref} {input.r1} {input.r2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 500M -T {output}.tmp -o {output} -) 2> {log}"


rule mark_duplicates:
    input:
        bams=get_unit_bams,
        ref=REF,
    output:
        bam=f"results/alignments/{{sample}}.{ALN}",
        bai=f"results/alignments/{{sample}}.{ALN}.{ALN_INDEX}",
        metrics="results/qc/markdup/{sample}.txt",
    log:
        "logs/mark_duplicates/{sample}.log",
    benchmark:
        "results/benchmarks/mark_duplicates/{sample}.tsv"
    conda:
        "../envs/align.yaml"
    threads: 2
    resources:
        mem_mb=2000,
    params:
        # CRAM 3.0 against the prepared reference; BAM otherwise
        fmt="--output-fmt cram,version=3.0" if ALN == "cram" else "--output-fmt bam",
    shell:
        "(samtools merge -@ {threads} -u -o - {input.bams}"
        " | samtools markdup -@ {threads} -f {output.metrics} -T {output.bam}.tmp"
        " --reference {input.ref} {params.fmt}"
        " --write-index - {output.bam}##idx##{output.bai}) 2> {log}"


if ALN == "cram":

    # Stop-gap for rules that still read results/alignments/{sample}.bam: a temporary BAM
    # decoded from the CRAM, deleted once they are done. Rules using get_patient_bams()
    # read the CRAM itself.
    rule decode_cram:
        input:
            cram="results/alignments/{sample}.cram",
            crai="results/alignments/{sample}.cram.crai",
            ref=REF,
        output:
            bam=temp("results/alignments/{sample}.bam"),
            bai=temp("results/alignments/{sample}.bam.bai"),
        log:
            "logs/decode_cram/{sample}.log",
        conda:
            "../envs/align.yaml"
        threads: 2
        shell:
            "samtools view -@ {threads} --bam --reference {input.ref} --write-index"
            " -o {output.bam}##idx##{output.bai} {input.cram} 2> {log}"
